/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What a command runs: PATH search and #! interpreters. */
#ifndef PA_EXEC_H
#define PA_EXEC_H

#include <stddef.h>

/*
 * The file that running argv0 executes in the end: found like execvp
 * does, then through up to 4 levels of #! interpreters (`env PROG`
 * found in PATH). 0 with path filled, or -errno (-ENOENT not found,
 * -ELOOP too many #!), reported with p_debug.
 */
int exec__resolve(const char *argv0, char *path, size_t size);

#endif
