/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A bounded set of file states: identity (device, inode) and content
 * state (size, ctime). Discovery remembers here the files it analysed
 * and rejected, so that a host with many execs pays the analysis once per
 * file; a file rewritten in place changes its ctime (which no user can
 * set) and is analysed again. Full: nothing more is remembered (counted),
 * which costs only analyses repeated.
 */
#ifndef PA_FILESET_H
#define PA_FILESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define FILESET_MAX 65536	/* states remembered */

struct file_state {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t ctime_sec;
	uint32_t ctime_nsec;
};

struct fileset {
	struct file_state *v;	/* open addressing; ino 0 marks free */
	size_t n, cap;
	uint64_t dropped;	/* not remembered: the set was full */
};

void file_state__from_stat(const struct stat *st, struct file_state *s);
bool fileset__has(const struct fileset *set, const struct file_state *s);
/* 0, -ENOSPC (full: counted in dropped), -ENOMEM. */
int fileset__add(struct fileset *set, const struct file_state *s);
void fileset__free(struct fileset *set);

#endif
