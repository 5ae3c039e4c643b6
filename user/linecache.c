// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The consumer's cache of frame lines: see linecache.h. */
#include <stdlib.h>
#include <string.h>
#include "linecache.h"
#include "source.h"

/* A 64-bit multiply-xor hash, 8 bytes a step (tables are hashed whole). */
static uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t hash_key(const struct pa_frame *fr, int format,
			 const struct rec_value *t)
{
	uint64_t h = 0x243f6a8885a308d3ULL, w;
	size_t i;

	h = mix(h, (uint64_t)(uint32_t)fr->offset << 32 | (uint32_t)fr->firstlineno);
	h = mix(h, (uint64_t)fr->table_len << 32 | fr->flags);
	h = mix(h, (uint64_t)(uint32_t)fr->line << 32 |
		   (uint64_t)format << 24 | (uint64_t)t->tag << 16 | t->flags);
	h = mix(h, t->len);
	for (i = 0; i + 8 <= t->len; i += 8) {
		memcpy(&w, t->data + i, 8);
		h = mix(h, w);
	}
	for (w = 0; i < t->len; i++)
		w = w << 8 | t->data[i];
	h = mix(h, w);
	return h ? h : 1;
}

static bool same_key(const struct linecache_slot *s, uint64_t hash,
		     const struct pa_frame *fr, int format,
		     const struct rec_value *t)
{
	return s->hash == hash && s->format == format && s->tag == t->tag &&
	       s->flags == t->flags && s->len == t->len &&
	       !memcmp(&s->fr, fr, sizeof(*fr)) &&
	       !memcmp(s->table, t->data, t->len);
}

int linecache__line(struct linecache *c, const struct rec_value *f,
		    int format, int *line)
{
	const struct rec_value *t;
	struct linecache_slot *s;
	struct pa_frame fr;
	uint64_t hash;
	uint8_t *copy;
	int r;

	/* Malformed frames and short tables: straight to source__line(). */
	if (!f || f->tag != PA_T_FRAME || f->len != sizeof(fr) ||
	    f->nchildren != 3 || !f->children ||
	    f->children[2].len < LINECACHE_MIN_TABLE ||
	    f->children[2].len > PA_LTAB_FIRST_MAX)
		return source__line(f, format, line);
	memcpy(&fr, f->data, sizeof(fr));
	t = &f->children[2];
	hash = hash_key(&fr, format, t);
	s = &c->slot[hash % LINECACHE_SLOTS];
	if (same_key(s, hash, &fr, format, t)) {
		c->hits++;
		if (!s->result)
			*line = s->line;
		return s->result;
	}
	c->misses++;
	r = source__line(f, format, line);
	copy = realloc(s->table, t->len);
	if (!copy)
		return r;
	memcpy(copy, t->data, t->len);
	*s = (struct linecache_slot){
		.hash = hash, .fr = fr, .format = format, .tag = t->tag,
		.flags = t->flags, .len = t->len, .table = copy, .result = r,
		.line = r ? 0 : *line,
	};
	return r;
}

void linecache__free(struct linecache *c)
{
	size_t i;

	for (i = 0; i < LINECACHE_SLOTS; i++) {
		free(c->slot[i].table);
		c->slot[i].table = NULL;
		c->slot[i].hash = 0;
	}
}
