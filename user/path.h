/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Bounded path strings, for the file names discovery builds. */
#ifndef PA_PATH_H
#define PA_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* snprintf that reports truncation as -ENAMETOOLONG (else 0). */
int __attribute__((format(printf, 3, 4)))
path__fmt(char *buf, size_t size, const char *fmt, ...);
/* The part after the last '/'. */
const char *path__base(const char *path);
bool path__ends_with(const char *s, const char *suffix);

#endif
