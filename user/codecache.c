// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The consumer's descriptions of code objects: see codecache.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "codecache.h"
#include "log.h"

struct cc_entry {
	struct cc_link link;		/* first: live or retired */
	struct cc_entry *hnext;		/* the bucket's chain */
	struct pa_code_key key;
	bool retired;
	bool table;			/* kids[2] is the whole line table */
	uint64_t stamp;			/* retired: the producer's position then */
	size_t bytes;			/* counted against the bounds */
	struct rec_value kids[3];	/* file, function, table: data in buf */
	uint8_t buf[];
};

static const uint8_t empty[1];

/* The line was found in BPF (it is in the frame): the frame needs its
 * file and function, and has an empty table cut, as BPF sends it. */
static bool lined(const struct pa_frame *fr)
{
	return fr->flags & (PA_FR_LINE | PA_FR_LINE_UNKNOWN);
}

static const struct rec_value no_table = {
	.tag = PA_T_BYTES, .flags = PA_VF_TRUNCATED, .data = empty,
};

static void list_init(struct cc_link *l)
{
	l->prev = l->next = l;
}

static void list_del(struct cc_link *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void list_add_head(struct cc_link *l, struct cc_link *e)
{
	e->next = l->next;
	e->prev = l;
	l->next->prev = e;
	l->next = e;
}

static void list_add_tail(struct cc_link *l, struct cc_link *e)
{
	list_add_head(l->prev, e);
}

static size_t bucket(const struct codecache *c, const struct pa_code_key *k)
{
	uint64_t h = k->code * 0x9e3779b97f4a7c15ULL;

	h ^= (k->start_ns + ((uint64_t)k->pid << 32 | k->exec_seq)) *
	     0xc2b2ae3d27d4eb4fULL;
	return (h ^ h >> 31) & (c->nbuckets - 1);
}

static bool same_key(const struct pa_code_key *a, const struct pa_code_key *b)
{
	return a->code == b->code && a->start_ns == b->start_ns &&
	       a->pid == b->pid && a->exec_seq == b->exec_seq;
}

int codecache__init(struct codecache *c, size_t max_entries, size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->max_entries = max_entries ? max_entries : 1;
	c->max_bytes = max_bytes ? max_bytes : 1;
	for (c->nbuckets = 64; c->nbuckets < c->max_entries && c->nbuckets < (1u << 20);)
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	list_init(&c->live);
	list_init(&c->retired);
	return c->buckets ? 0 : -ENOMEM;
}

static struct cc_entry *find(const struct codecache *c,
			     const struct pa_code_key *k)
{
	struct cc_entry *e = c->buckets[bucket(c, k)];

	while (e && !same_key(&e->key, k))
		e = e->hnext;
	return e;
}

/* Out of the table and its list, and freed. */
static void drop(struct codecache *c, struct cc_entry *e)
{
	struct cc_entry **p = &c->buckets[bucket(c, &e->key)];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	list_del(&e->link);
	if (e->retired) {
		c->nretired--;
		c->retired_bytes -= e->bytes;
	} else {
		c->n--;
		c->bytes -= e->bytes;
	}
	free(e);
}

/* Retired descriptions no reference in the ring can need any more (the
 * consumer has passed where the producer was when they retired), or
 * beyond the bounds: the oldest go. */
static void trim_retired(struct codecache *c)
{
	uint64_t consumed = 0, produced = 0;
	struct cc_entry *e;

	if (c->nretired <= CODECACHE_RETIRED_MIN)
		return;
	if (c->ring_pos)
		c->ring_pos(c->ctx, &consumed, &produced);
	while (c->nretired > CODECACHE_RETIRED_MIN) {
		e = (struct cc_entry *)c->retired.next;
		if (c->retired_bytes <= c->max_bytes &&
		    (!c->ring_pos || consumed < e->stamp) &&
		    (c->ring_pos || c->nretired <= c->max_entries / 8))
			break;
		drop(c, e);
	}
}

/* Within the bounds: the least recently used descriptions retire (BPF
 * forgets them). Never the newest. */
static void trim(struct codecache *c)
{
	uint64_t consumed = 0, produced = 0;
	struct cc_entry *e;

	while ((c->n > c->max_entries || c->bytes > c->max_bytes) && c->n > 1) {
		e = (struct cc_entry *)c->live.prev;
		list_del(&e->link);
		c->n--;
		c->bytes -= e->bytes;
		e->retired = true;
		list_add_tail(&c->retired, &e->link);
		c->nretired++;
		c->retired_bytes += e->bytes;
		c->counts.evicted++;
		if (c->forget)
			c->forget(c->ctx, &e->key);
		/* after BPF forgot: what is in the ring up to here may
		 * still refer to it */
		if (c->ring_pos)
			c->ring_pos(c->ctx, &consumed, &produced);
		e->stamp = produced;
	}
	trim_retired(c);
}

/* A description has a whole line table, as BPF checks before it calls
 * the code object known (bpf/frames.bpf.h), or is of a frame whose
 * line BPF found (file and function only): anything else, a hostile
 * record among them, describes nothing. */
static bool describes(const struct pa_frame *fr, const struct rec_value *f)
{
	const struct rec_value *t = &f->children[2];

	return f->nchildren == 3 &&
	       (lined(fr) || (t->tag == PA_T_BYTES &&
			      !(t->flags & PA_VF_TRUNCATED) &&
			      t->len == fr->table_len));
}

static void keep(struct codecache *c, const struct pa_code_key *k,
		 const struct rec_value *kids, bool table)
{
	struct cc_entry *e = find(c, k);
	size_t i, at = 0, len = 0;

	if (e)
		drop(c, e);	/* a new code object at that address */
	for (i = 0; i < (table ? 3 : 2); i++)
		len += kids[i].len;
	e = malloc(sizeof(*e) + len);
	if (!e)
		return;
	e->key = *k;
	e->retired = false;
	e->table = table;
	e->bytes = sizeof(*e) + len;
	e->kids[2] = no_table;
	for (i = 0; i < (table ? 3 : 2); i++) {
		e->kids[i] = kids[i];
		e->kids[i].nchildren = 0;
		e->kids[i].children = NULL;
		e->kids[i].data = e->buf + at;
		if (kids[i].len)
			memcpy(e->buf + at, kids[i].data, kids[i].len);
		at += kids[i].len;
	}
	e->hnext = c->buckets[bucket(c, k)];
	c->buckets[bucket(c, k)] = e;
	list_add_head(&c->live, &e->link);
	c->n++;
	c->bytes += e->bytes;
	c->counts.described++;
	trim(c);
}

/* A reference's children, or three unreadable values. A frame whose
 * line BPF found gets no table (it needs none, and has none from BPF). */
static void resolve(struct codecache *c, const struct pa_code_key *k,
		    const struct pa_frame *fr, struct rec_value *kids)
{
	struct cc_entry *e = c->buckets ? find(c, k) : NULL;
	size_t i;

	if (e && (e->table || lined(fr))) {
		if (!e->retired) {
			list_del(&e->link);
			list_add_head(&c->live, &e->link);
		}
		memcpy(kids, e->kids, sizeof(e->kids));
		if (lined(fr))
			kids[2] = no_table;
		c->counts.resolved++;
		return;
	}
	c->counts.unresolved++;
	if (c->forget)
		c->forget(c->ctx, k);
	for (i = 0; i < 3; i++)
		kids[i] = (struct rec_value){ .tag = PA_T_UNREADABLE, .data = empty };
}

/* The frame's struct pa_frame_code and key, if it has them. */
static bool frame_code(const struct rec_event *ev, const struct rec_value *f,
		       struct pa_frame_code *frc, struct pa_code_key *k)
{
	if (f->len != sizeof(*frc))
		return false;
	memcpy(frc, f->data, sizeof(*frc));
	k->code = frc->code;
	k->start_ns = ev->hdr.start_ns;
	k->pid = ev->hdr.pid;
	k->exec_seq = ev->hdr.exec_seq;
	return true;
}

void codecache__event(struct codecache *c, struct rec_event *ev)
{
	struct pa_frame_code frc;
	struct pa_code_key k;
	struct rec_value *f;
	uint32_t i;

	trim_retired(c);
	/* The descriptions first: what they replace or push out goes
	 * before any reference of this record points into it. */
	for (i = 0; i < ev->nframes; i++) {
		f = &ev->frames[i];
		if (frame_code(ev, f, &frc, &k) && frc.fr.flags & PA_FR_CODE_NEW &&
		    c->buckets && describes(&frc.fr, f))
			keep(c, &k, f->children, !lined(&frc.fr));
	}
	for (i = 0; i < ev->nframes; i++) {
		f = &ev->frames[i];
		if (!frame_code(ev, f, &frc, &k))
			continue;
		f->len = sizeof(struct pa_frame);	/* for those after */
		if (!(frc.fr.flags & PA_FR_CODE_REF))
			continue;
		if (RECORD_VALUES_MAX - ev->nvalues < 3) {
			/* cannot happen: a reference takes 36 bytes of
			 * the record for one value of 4 */
			ev->nframes = i;
			return;
		}
		f->children = &ev->values[ev->nvalues];
		f->nchildren = 3;
		ev->nvalues += 3;
		resolve(c, &k, &frc.fr, f->children);
	}
}

void codecache__report(const struct codecache *c)
{
	const struct codecache_counts *n = &c->counts;

	if (n->unresolved)
		p_warn("%llu frames referred to a code object whose description "
		       "the consumer no longer had: printed without file, "
		       "function and line (raise the bounds: docs/design.md)",
		       (unsigned long long)n->unresolved);
	if (log_verbose)
		p_info("code objects: %llu described, %llu frames referred to "
		       "them, %llu descriptions evicted (bounds %zu entries, "
		       "%zu bytes)", (unsigned long long)n->described,
		       (unsigned long long)n->resolved,
		       (unsigned long long)n->evicted, c->max_entries,
		       c->max_bytes);
}

void codecache__free(struct codecache *c)
{
	if (!c->buckets)
		return;
	while (c->live.next != &c->live)
		drop(c, (struct cc_entry *)c->live.next);
	while (c->retired.next != &c->retired)
		drop(c, (struct cc_entry *)c->retired.next);
	free(c->buckets);
	c->buckets = NULL;
}
