/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Code objects sent once (issue 16): the consumer's side. BPF describes
 * a code object (file, function, line table) in the first record of a
 * process image that needs it (PA_FR_CODE_NEW) and later refers to it
 * by address (PA_FR_CODE_REF, no children: bpf/pyaudit.h). This keeps
 * the descriptions per (process, image, code address), bounded in
 * entries and bytes, and gives each reference its three children again,
 * so that everything after it (lines, formats, --app-frame, --folded,
 * aggregates) sees frames as they always were. It needs nothing from
 * the process, which may be gone.
 *
 * Every record must pass here before anything may drop it
 * (consumer__event does it right after decoding): a description
 * skipped would leave the references after it without an answer.
 *
 * Evicting a description tells BPF to forget the code object (the
 * forget callback deletes its code_known entry), so that its next
 * frame describes it again. References already in the ring buffer at
 * that moment, however far behind the consumer is, still resolve: the
 * evicted description is kept (retired) until the consumer has read
 * the ring up to where the producer was when BPF was told (ring_pos),
 * or the retired ones exceed the byte bound too. A reference with no
 * description (a race past that, or a hostile record) is counted, its
 * frame left without file, function or line, and BPF is told to forget
 * the code object so that it is described again.
 */
#ifndef PA_CODECACHE_H
#define PA_CODECACHE_H

#include <stddef.h>
#include <stdint.h>
#include "record.h"

struct cc_entry;

#define CODECACHE_ENTRIES	PA_CODES_MAX	/* default bounds */
#define CODECACHE_BYTES		(16u << 20)
/* Evicted descriptions kept for the references in flight: at least
 * this many (more than one record's frames), or until the consumer has
 * read what was in the ring when they were evicted, within another
 * max_bytes. */
#define CODECACHE_RETIRED_MIN	64

/* A circular list's links (the list's own is its head). */
struct cc_link {
	struct cc_link *prev, *next;
};

struct codecache_counts {
	uint64_t described;	/* descriptions received */
	uint64_t resolved;	/* references given their description */
	uint64_t evicted;	/* descriptions dropped for the bounds */
	uint64_t unresolved;	/* references without a description */
};

struct codecache {
	size_t max_entries, max_bytes;	/* live descriptions */
	size_t n, bytes;
	size_t nretired, retired_bytes;
	struct cc_entry **buckets;
	size_t nbuckets;
	struct cc_link live;		/* most recently used first */
	struct cc_link retired;		/* oldest first */
	/* Tell BPF to forget a code object (NULL: nothing to tell, as in a
	 * replay). */
	void (*forget)(void *ctx, const struct pa_code_key *key);
	/* The events ring's consumer and producer positions (NULL: none;
	 * retired descriptions then go by the bounds alone). */
	void (*ring_pos)(void *ctx, uint64_t *consumed, uint64_t *produced);
	void *ctx;
	struct codecache_counts counts;
};

/* Bounds: max_entries descriptions and max_bytes of their data (at least
 * 1 each). 0, or -ENOMEM. */
int codecache__init(struct codecache *c, size_t max_entries, size_t max_bytes);
/* At exit, on stderr: references left without a description (a
 * warning), and with -v the descriptions kept and evicted. */
void codecache__report(const struct codecache *c);
/* Free what c holds; c may be all zero. */
void codecache__free(struct codecache *c);
/*
 * The frames of a decoded record: keep the descriptions, give the
 * references their children (file, function, table: pointing into the
 * cache, valid until the next call), and make every frame's payload a
 * struct pa_frame (len) for those after. Reserves the children in
 * ev->values.
 */
void codecache__event(struct codecache *c, struct rec_event *ev);

#endif
