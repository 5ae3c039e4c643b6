/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Decoding of ring-buffer records (bpf/pyaudit.h) into a tree of values.
 * Pure C, no libbpf: the decoder never trusts a record, any byte string
 * gives either a well-formed tree or an error.
 */
#ifndef PA_RECORD_H
#define PA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"

/* Every value is at least a 4-byte header, so this bounds the tree. */
#define RECORD_VALUES_MAX (PA_REC_MAX / sizeof(struct pa_value))
#define RECORD_DEPTH_MAX 8

struct rec_value {
	uint8_t tag;			/* enum pa_tag */
	uint8_t flags;			/* PA_VF_* */
	uint16_t len;			/* payload bytes */
	const uint8_t *data;		/* payload, points into the record */
	uint32_t real_len;		/* tuple/list: length in the target */
	uint32_t nchildren;		/* tuple/list: decoded elements; code: 2;
					 * subclass: 1 (the value);
					 * frame: 3, a reference 0 until
					 * codecache__event gives it 3 */
	struct rec_value *children;	/* first child (contiguous array) */
};

struct rec_event {
	struct pa_event hdr;		/* copied, host order */
	struct rec_value name;		/* a str value (or UNREADABLE) */
	uint32_t nframes;
	struct rec_value *frames;	/* PA_T_FRAME values, innermost first;
					 * children: file, function, table */
	uint32_t nargs;
	struct rec_value *args;		/* nargs top-level values */
	/* storage */
	uint32_t nvalues;
	struct rec_value values[RECORD_VALUES_MAX];
};

/* A u32 of a payload (a PYLONG's digits, a container's length): host
 * order, unaligned. Used by the decoder and by the value formatter. */
static inline uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Decode one record. Returns 0, or -EINVAL when the record is malformed
 * (wrong type, sizes that disagree, a value running past the end,
 * nesting deeper than RECORD_DEPTH_MAX, a container without its END).
 * Points into data: keep it alive while ev is used.
 */
int record__decode(const void *data, size_t size, struct rec_event *ev);

/*
 * A plain ASCII name (the event name) as a C string in buf, cut at
 * size - 1 bytes, for the events table lookup; NULL for anything else (a
 * non-ASCII or NUL byte, a non-str value): such names are in no table.
 */
const char *record__name_ascii(const struct rec_value *v, char *buf, size_t size);

#endif
