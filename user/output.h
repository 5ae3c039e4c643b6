/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where events go: stdout, or a file opened for appending (-o) that is
 * reopened on SIGHUP so that logrotate can move it away.
 *
 * Block-buffered: the caller flushes after each batch of records (and
 * before exiting; output__reopen flushes the old file), so a reader sees
 * every event as soon as its batch has been formatted, and a busy pyaudit
 * makes one write(2) per many lines rather than one per line. The buffer
 * holds the longest line format__event writes, and format__event flushes
 * before a line that would not fit: each write(2) ends at a line end.
 */
#ifndef PA_OUTPUT_H
#define PA_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *f;
	const char *path;	/* NULL: stdout */
	char *buf;		/* f's buffer (-o), freed after f is closed */
};

/* 0, or -errno with a message already printed. */
int output__open(struct output *o, const char *path);
int output__reopen(struct output *o);
/* Flush; -errno when a write failed (a full disk, a closed pipe). */
int output__flush(struct output *o);
void output__close(struct output *o);

#endif
