/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Output files named on the command line (-o, --record), which root opens
 * in directories other users may write (/tmp, a shared log directory):
 * the last component is followed only when it is a symlink root owns
 * (with fs.protected_symlinks=0, a user's link would send root's writes
 * to any file), and a FIFO without a reader never blocks start-up.
 */
#ifndef PA_OUTFILE_H
#define PA_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * open(path, flags | O_CLOEXEC | O_NOCTTY, mode) by those rules; flags
 * has O_WRONLY and may have O_APPEND, O_CREAT, O_EXCL. The descriptor
 * (blocking), or -errno with a one-line reason in err: -EPERM a symlink
 * not owned by root.
 */
int outfile__open(const char *path, int flags, mode_t mode, char *err,
		  size_t errlen);
/*
 * --record's file: created, or an existing empty file, FIFO or device;
 * an existing regular file with data is refused (-EEXIST) unless force,
 * which truncates it.
 */
int outfile__record(const char *path, bool force, char *err, size_t errlen);

#endif
