// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A bounded hash set of file states (fileset.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileset.h"

void file_state__from_stat(const struct stat *st, struct file_state *s)
{
	memset(s, 0, sizeof(*s));
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->ctime_sec = st->st_ctim.tv_sec;
	s->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
}

static bool same(const struct file_state *a, const struct file_state *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

static size_t hash(const struct file_state *s)
{
	uint64_t h = (uint64_t)s->ino * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)s->dev + ((uint64_t)s->ctime_nsec << 21) +
	     (uint64_t)s->ctime_sec + (uint64_t)s->size;
	h *= 0xff51afd7ed558ccdULL;
	return (size_t)(h ^ (h >> 32));
}

/* The slot of s, or the free slot where it would go (cap > n always). */
static size_t slot(const struct file_state *v, size_t cap,
		   const struct file_state *s)
{
	size_t i = hash(s) & (cap - 1);

	while (v[i].ino && !same(&v[i], s))
		i = (i + 1) & (cap - 1);
	return i;
}

bool fileset__has(const struct fileset *set, const struct file_state *s)
{
	return set->cap && s->ino && set->v[slot(set->v, set->cap, s)].ino;
}

static int grow(struct fileset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	struct file_state *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < set->cap; i++)
		if (set->v[i].ino)
			v[slot(v, cap, &set->v[i])] = set->v[i];
	free(set->v);
	set->v = v;
	set->cap = cap;
	return 0;
}

int fileset__add(struct fileset *set, const struct file_state *s)
{
	size_t i;

	if (!s->ino || fileset__has(set, s))
		return 0;
	if (set->n >= FILESET_MAX) {
		set->dropped++;
		return -ENOSPC;
	}
	/* at most half full: probes stay short */
	if ((set->n + 1) * 2 > set->cap && grow(set))
		return -ENOMEM;
	i = slot(set->v, set->cap, s);
	set->v[i] = *s;
	set->n++;
	return 0;
}

void fileset__free(struct fileset *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}
