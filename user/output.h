/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Where events go: stdout, or a file opened for appending (-o) that is
 * reopened on SIGHUP so that logrotate can move it away. */
#ifndef PA_OUTPUT_H
#define PA_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *f;
	const char *path;	/* NULL: stdout */
};

/* 0, or -errno with a message already printed. */
int output__open(struct output *o, const char *path);
int output__reopen(struct output *o);
/* Flush; -errno when a write failed (a full disk, a closed pipe). */
int output__flush(struct output *o);
void output__close(struct output *o);

#endif
