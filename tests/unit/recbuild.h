/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Test helper: assemble ring-buffer records (bpf/pyaudit.h) by hand.
 *
 *	struct rb r;
 *	rb_start(&r, PA_SRC_USDT, 0, 1);
 *	rb_str(&r, "open");		// the name
 *	rb_int(&r, 42);			// nargs values
 *	rb_finish(&r);			// sets hdr.size
 *	record__decode(r.buf, r.len, &ev);
 */
#ifndef PA_TEST_RECBUILD_H
#define PA_TEST_RECBUILD_H

#include <stdint.h>
#include <string.h>
#include "../../bpf/pyaudit.h"

#define RB_MAX 65536

struct rb {
	uint8_t buf[RB_MAX] __attribute__((aligned(8)));
	size_t len;
};

static inline struct pa_event rb_get_hdr(const struct rb *r)
{
	struct pa_event h;

	memcpy(&h, r->buf, sizeof(h));
	return h;
}

static inline void rb_set_hdr(struct rb *r, const struct pa_event *h)
{
	memcpy(r->buf, h, sizeof(*h));
}

static inline void rb_start(struct rb *r, uint8_t source, uint8_t flags,
			    uint16_t nargs)
{
	struct pa_event h;

	memset(&h, 0, sizeof(h));
	h.type = PA_REC_EVENT;
	h.source = source;
	h.flags = flags;
	h.nargs = nargs;
	h.total_args = nargs;
	h.pid = 4242;
	h.tid = 4243;
	h.uid = 1000;
	h.ts_ns = 1000000000ull;
	strcpy(h.comm, "python3.11");
	memset(r->buf, 0, sizeof(r->buf));
	r->len = sizeof(h);
	rb_set_hdr(r, &h);
}

static inline void rb_raw(struct rb *r, const void *d, size_t n)
{
	if (r->len + n > RB_MAX)
		n = RB_MAX - r->len;
	memcpy(r->buf + r->len, d, n);
	r->len += n;
}

static inline void rb_val(struct rb *r, uint8_t tag, uint8_t flags,
			  const void *data, size_t len)
{
	struct pa_value v = { .tag = tag, .flags = flags, .len = len };

	rb_raw(r, &v, sizeof(v));
	if (len)
		rb_raw(r, data, len);
}

static inline void rb_finish(struct rb *r)
{
	struct pa_event h = rb_get_hdr(r);

	h.size = r->len;
	rb_set_hdr(r, &h);
}

static inline void rb_none(struct rb *r) { rb_val(r, PA_T_NONE, 0, NULL, 0); }
static inline void rb_true(struct rb *r) { rb_val(r, PA_T_TRUE, 0, NULL, 0); }
static inline void rb_false(struct rb *r) { rb_val(r, PA_T_FALSE, 0, NULL, 0); }
static inline void rb_end(struct rb *r) { rb_val(r, PA_T_END, 0, NULL, 0); }
static inline void rb_code(struct rb *r) { rb_val(r, PA_T_CODE, 0, NULL, 0); }
static inline void rb_unreadable(struct rb *r)
{
	rb_val(r, PA_T_UNREADABLE, 0, NULL, 0);
}

static inline void rb_int(struct rb *r, int64_t x)
{
	rb_val(r, PA_T_INT, 0, &x, 8);
}

static inline void rb_uint(struct rb *r, uint64_t x)
{
	rb_val(r, PA_T_UINT, 0, &x, 8);
}

static inline void rb_float(struct rb *r, double x)
{
	rb_val(r, PA_T_FLOAT, 0, &x, 8);
}

/* PA_T_STR_UTF8 from a C string (no NUL) */
static inline void rb_str(struct rb *r, const char *s)
{
	rb_val(r, PA_T_STR_UTF8, 0, s, strlen(s));
}

static inline void rb_ucs2(struct rb *r, uint8_t flags, const uint16_t *u,
			   size_t n)
{
	rb_val(r, PA_T_STR_UCS2, flags, u, 2 * n);
}

static inline void rb_ucs4(struct rb *r, uint8_t flags, const uint32_t *u,
			   size_t n)
{
	rb_val(r, PA_T_STR_UCS4, flags, u, 4 * n);
}

/* PA_T_TUPLE / PA_T_LIST header: children and rb_end() follow */
static inline void rb_seq(struct rb *r, uint8_t tag, uint8_t flags,
			  uint32_t real_len)
{
	rb_val(r, tag, flags, &real_len, 4);
}

static inline void rb_object(struct rb *r, uint8_t flags, const char *tp)
{
	rb_val(r, PA_T_OBJECT, flags, tp, strlen(tp));
}

/* PA_T_SUBCLASS header: the value as its base type follows */
static inline void rb_subclass(struct rb *r, uint8_t flags, const char *tp)
{
	rb_val(r, PA_T_SUBCLASS, flags, tp, strlen(tp));
}

/* PA_T_STR_UCS1 from a C string (latin-1 bytes, no NUL) */
static inline void rb_ucs1(struct rb *r, const char *s)
{
	rb_val(r, PA_T_STR_UCS1, 0, s, strlen(s));
}

/* PA_T_PYLONG: ndigits_total, then n 30-bit digits (least significant first) */
static inline void rb_pylong(struct rb *r, uint8_t flags, uint32_t total,
			     const uint32_t *digits, size_t n)
{
	uint8_t tmp[4 + 4 * 64];

	if (n > 64)
		n = 64;
	memcpy(tmp, &total, 4);
	if (n)
		memcpy(tmp + 4, digits, 4 * n);
	rb_val(r, PA_T_PYLONG, flags, tmp, 4 + 4 * n);
}

#endif
