/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A cache of frame lines for the consumer. Decoding a line table up to
 * an offset costs about 11,000 instructions for a frame deep in a
 * module or a long function (the 3.11+ locations table is read entry by
 * entry, varint by varint), more than the rest of an event's
 * formatting; and most events come again and again from the same few
 * places. The key is everything source__line() reads (the frame's
 * payload, the copied table's tag, flags and bytes, the format), compared
 * in full on a hit: a hit gives exactly what source__line() would, so
 * nothing about the target (which may reuse a code object's address)
 * has to be trusted.
 */
#ifndef PA_LINECACHE_H
#define PA_LINECACHE_H

#include <stdint.h>
#include "record.h"

/* Direct-mapped; tables up to the longest BPF copies (PA_LTAB_FIRST_MAX). */
#define LINECACHE_SLOTS 512
/* Shorter tables decode about as fast as they hash: not cached. */
#define LINECACHE_MIN_TABLE 64

struct linecache_slot {
	uint64_t hash;			/* 0: empty */
	struct pa_frame fr;
	uint8_t format, tag, flags;
	uint16_t len;
	uint8_t *table;			/* a copy of len bytes */
	int result, line;		/* source__line()'s */
};

struct linecache {
	struct linecache_slot slot[LINECACHE_SLOTS];
	uint64_t hits, misses;
};

/* source__line(f, format, line), from the cache when it can. */
int linecache__line(struct linecache *c, const struct rec_value *f,
		    int format, int *line);
/* Free the copies (c may be all zero). */
void linecache__free(struct linecache *c);

#endif
