/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The libraries an ELF file links, found like ld.so finds them. */
#ifndef PA_LDSO_H
#define PA_LDSO_H

/*
 * For each DT_NEEDED entry of the ELF file path whose name starts with
 * prefix, in order: the file ld.so would load for it is given to
 * fn(ctx, lib); a name not found is reported with p_debug. The search
 * path: RUNPATH/RPATH ($ORIGIN expanded), LD_LIBRARY_PATH, ld.so.conf,
 * the default directories. Returns the sum of fn's positive returns,
 * or the first negative one (or -ENOMEM); 0 when path is no ELF file.
 */
int ldso__each_needed(const char *path, const char *prefix,
		      int (*fn)(void *ctx, const char *lib), void *ctx);

#endif
