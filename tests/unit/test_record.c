// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/record.c: record__decode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "user/record.h"
#include "recbuild.h"

static struct rb r;
static struct rec_event ev;

static int decode(void)
{
	return record__decode(r.buf, r.len, &ev);
}

static void test_minimal(void **state)
{
	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_str(&r, "os.system");
	rb_finish(&r);
	assert_int_equal(decode(), 0);
	assert_int_equal(ev.hdr.type, PA_REC_EVENT);
	assert_int_equal(ev.hdr.pid, 4242);
	assert_int_equal(ev.nargs, 0);
	assert_int_equal(ev.nvalues, 0);
	assert_int_equal(ev.name.tag, PA_T_STR_UTF8);
	assert_int_equal(ev.name.len, 9);
	assert_memory_equal(ev.name.data, "os.system", 9);
	assert_ptr_equal(ev.name.data, r.buf + sizeof(struct pa_event) + 4);
}

static void test_every_tag(void **state)
{
	static const uint16_t u2[] = { 'h', 0xe9, 0xd800 };
	static const uint32_t u4[] = { 'x', 0x1f600 };
	static const uint32_t dig[] = { 1, 2 };
	struct rec_value *a;
	int64_t i64;
	uint64_t u64;
	double d;
	uint32_t u;

	(void)state;
	rb_start(&r, PA_SRC_SYS_AUDIT, 0, 16);
	rb_val(&r, PA_T_STR_UCS1, 0, "open\xe9", 5);
	rb_none(&r);					/* 0 */
	rb_true(&r);					/* 1 */
	rb_false(&r);					/* 2 */
	rb_int(&r, -5);					/* 3 */
	rb_uint(&r, UINT64_MAX);			/* 4 */
	rb_pylong(&r, PA_VF_NEGATIVE, 2, dig, 2);	/* 5 */
	rb_float(&r, 0.5);				/* 6 */
	rb_str(&r, "caf\xc3\xa9");			/* 7 */
	rb_ucs2(&r, 0, u2, 3);				/* 8 */
	rb_ucs4(&r, PA_VF_WCHAR, u4, 2);		/* 9 */
	rb_val(&r, PA_T_BYTES, PA_VF_TRUNCATED, "\0\1", 2); /* 10 */
	rb_seq(&r, PA_T_TUPLE, 0, 0);			/* 11 */
	rb_end(&r);
	rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED, 7);	/* 12 */
	rb_end(&r);
	rb_code(&r);					/* 13 */
	rb_str(&r, "a.py");
	rb_str(&r, "<module>");
	rb_object(&r, 0, "dict");			/* 14 */
	rb_unreadable(&r);				/* 15 */
	rb_finish(&r);

	assert_int_equal(decode(), 0);
	assert_int_equal(ev.hdr.source, PA_SRC_SYS_AUDIT);
	assert_int_equal(ev.name.tag, PA_T_STR_UCS1);
	assert_int_equal(ev.nargs, 16);
	a = ev.args;
	assert_ptr_equal(a, ev.values);
	assert_int_equal(a[0].tag, PA_T_NONE);
	assert_int_equal(a[1].tag, PA_T_TRUE);
	assert_int_equal(a[2].tag, PA_T_FALSE);
	assert_int_equal(a[3].tag, PA_T_INT);
	memcpy(&i64, a[3].data, 8);
	assert_int_equal(i64, -5);
	assert_int_equal(a[4].tag, PA_T_UINT);
	memcpy(&u64, a[4].data, 8);
	assert_true(u64 == UINT64_MAX);
	assert_int_equal(a[5].tag, PA_T_PYLONG);
	assert_int_equal(a[5].flags, PA_VF_NEGATIVE);
	assert_int_equal(a[5].len, 12);
	memcpy(&u, a[5].data + 8, 4);
	assert_int_equal(u, 2);
	assert_int_equal(a[6].tag, PA_T_FLOAT);
	memcpy(&d, a[6].data, 8);
	assert_true(d == 0.5);
	assert_int_equal(a[7].tag, PA_T_STR_UTF8);
	assert_int_equal(a[7].len, 5);
	assert_int_equal(a[8].tag, PA_T_STR_UCS2);
	assert_int_equal(a[8].len, 6);
	assert_int_equal(a[9].tag, PA_T_STR_UCS4);
	assert_int_equal(a[9].flags, PA_VF_WCHAR);
	assert_int_equal(a[9].len, 8);
	assert_int_equal(a[10].tag, PA_T_BYTES);
	assert_int_equal(a[10].flags, PA_VF_TRUNCATED);
	assert_int_equal(a[11].tag, PA_T_TUPLE);
	assert_int_equal(a[11].nchildren, 0);
	assert_int_equal(a[11].real_len, 0);
	assert_int_equal(a[12].tag, PA_T_LIST);
	assert_int_equal(a[12].real_len, 7);
	assert_int_equal(a[12].nchildren, 0);
	assert_int_equal(a[13].tag, PA_T_CODE);
	assert_int_equal(a[13].nchildren, 2);
	assert_int_equal(a[13].children[0].tag, PA_T_STR_UTF8);
	assert_memory_equal(a[13].children[0].data, "a.py", 4);
	assert_memory_equal(a[13].children[1].data, "<module>", 8);
	assert_int_equal(a[14].tag, PA_T_OBJECT);
	assert_memory_equal(a[14].data, "dict", 4);
	assert_int_equal(a[15].tag, PA_T_UNREADABLE);
	assert_int_equal(ev.nvalues, 18);
}

/* [1, (2, (3,)), [], 4] and 5: children contiguous, per container */
static void test_nested(void **state)
{
	struct rec_value *l, *t, *t2;

	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 2);
	rb_str(&r, "ev");
	rb_seq(&r, PA_T_LIST, 0, 4);
	rb_int(&r, 1);
	rb_seq(&r, PA_T_TUPLE, 0, 2);
	rb_int(&r, 2);
	rb_seq(&r, PA_T_TUPLE, 0, 1);
	rb_int(&r, 3);
	rb_end(&r);
	rb_end(&r);
	rb_seq(&r, PA_T_LIST, 0, 0);
	rb_end(&r);
	rb_int(&r, 4);
	rb_end(&r);
	rb_int(&r, 5);
	rb_finish(&r);

	assert_int_equal(decode(), 0);
	assert_int_equal(ev.nargs, 2);
	assert_int_equal(ev.args[1].tag, PA_T_INT);
	l = &ev.args[0];
	assert_int_equal(l->tag, PA_T_LIST);
	assert_int_equal(l->nchildren, 4);
	assert_int_equal(l->real_len, 4);
	assert_int_equal(l->children[0].tag, PA_T_INT);
	assert_int_equal(l->children[1].tag, PA_T_TUPLE);
	assert_int_equal(l->children[2].tag, PA_T_LIST);
	assert_int_equal(l->children[2].nchildren, 0);
	assert_int_equal(l->children[3].tag, PA_T_INT);
	t = &l->children[1];
	assert_int_equal(t->nchildren, 2);
	assert_int_equal(t->children[0].tag, PA_T_INT);
	t2 = &t->children[1];
	assert_int_equal(t2->tag, PA_T_TUPLE);
	assert_int_equal(t2->nchildren, 1);
	assert_int_equal(t2->children[0].tag, PA_T_INT);
	assert_int_equal(*(const int8_t *)t2->children[0].data, 3);
	/* all inside ev.values */
	assert_true(l->children >= ev.values &&
		    l->children + 4 <= ev.values + ev.nvalues);
	assert_true(t2->children >= ev.values &&
		    t2->children + 1 <= ev.values + ev.nvalues);
	assert_int_equal(ev.nvalues, 2 + 4 + 2 + 1);
}

static void nest(uint8_t tag, int levels)
{
	int i;

	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "deep");
	for (i = 0; i < levels; i++)
		rb_seq(&r, tag, 0, 1);
	rb_int(&r, 7);
	for (i = 0; i < levels; i++)
		rb_end(&r);
	rb_finish(&r);
}

static void test_depth(void **state)
{
	const struct rec_value *v;
	int i;

	(void)state;
	nest(PA_T_LIST, RECORD_DEPTH_MAX);
	assert_int_equal(decode(), 0);
	v = &ev.args[0];
	for (i = 0; i < RECORD_DEPTH_MAX; i++) {
		assert_int_equal(v->tag, PA_T_LIST);
		assert_int_equal(v->nchildren, 1);
		v = v->children;
	}
	assert_int_equal(v->tag, PA_T_INT);

	nest(PA_T_TUPLE, RECORD_DEPTH_MAX + 1);
	assert_int_equal(decode(), -EINVAL);
	nest(PA_T_TUPLE, 200);
	assert_int_equal(decode(), -EINVAL);

	/* code counts as a level too */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "deep");
	for (i = 0; i < RECORD_DEPTH_MAX; i++)
		rb_seq(&r, PA_T_LIST, 0, 1);
	rb_code(&r);
	rb_str(&r, "f");
	rb_str(&r, "n");
	for (i = 0; i < RECORD_DEPTH_MAX; i++)
		rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
}

/*
 * PA_T_SUBCLASS: a type name, then exactly one value of a kind that has
 * subclasses (or UNREADABLE); it counts as a level of nesting.
 */
static void test_subclass(void **state)
{
	static const uint32_t dig[] = { 5 };
	static const uint16_t u2[] = { 0x4e2d };
	static const uint32_t u4[] = { 0x1f600 };
	static const struct {
		uint8_t tag;
		uint16_t len;
		bool ok;
	} kids[] = {
		{ PA_T_STR_UCS1, 1, true }, { PA_T_STR_UCS2, 2, true },
		{ PA_T_STR_UCS4, 4, true }, { PA_T_BYTES, 3, true },
		{ PA_T_FLOAT, 8, true }, { PA_T_UNREADABLE, 0, true },
		{ PA_T_STR_UTF8, 1, false }, { PA_T_INT, 8, false },
		{ PA_T_UINT, 8, false }, { PA_T_NONE, 0, false },
		{ PA_T_TRUE, 0, false }, { PA_T_FALSE, 0, false },
		{ PA_T_OBJECT, 1, false }, { PA_T_END, 0, false },
		{ PA_T_FRAME, sizeof(struct pa_frame), false },
	};
	static const uint8_t zeros[sizeof(struct pa_frame)];
	const struct rec_value *v;
	size_t i;
	int d;

	(void)state;
	/* every kind, in a list too */
	rb_start(&r, PA_SRC_SYS_AUDIT, 0, 6);
	rb_str(&r, "x");
	rb_subclass(&r, 0, "MyStr");
	rb_ucs1(&r, "abc");
	rb_subclass(&r, 0, "MyInt");
	rb_pylong(&r, 0, 1, dig, 1);
	rb_subclass(&r, PA_VF_TRUNCATED, "time.struct_t");
	rb_seq(&r, PA_T_TUPLE, 0, 2);
	rb_int(&r, 1);
	rb_subclass(&r, 0, "S");
	rb_ucs2(&r, 0, u2, 1);
	rb_end(&r);
	rb_seq(&r, PA_T_LIST, 0, 1);
	rb_subclass(&r, 0, "L");
	rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED, 3);
	rb_end(&r);
	rb_end(&r);
	rb_subclass(&r, 0, "U");
	rb_ucs4(&r, 0, u4, 1);
	rb_subclass(&r, PA_VF_TRUNCATED, "");
	rb_unreadable(&r);
	rb_finish(&r);
	assert_int_equal(decode(), 0);
	assert_int_equal(ev.nargs, 6);
	v = &ev.args[0];
	assert_int_equal(v->tag, PA_T_SUBCLASS);
	assert_int_equal(v->len, 5);
	assert_memory_equal(v->data, "MyStr", 5);
	assert_int_equal(v->nchildren, 1);
	assert_int_equal(v->children[0].tag, PA_T_STR_UCS1);
	assert_memory_equal(v->children[0].data, "abc", 3);
	assert_int_equal(ev.args[1].children[0].tag, PA_T_PYLONG);
	v = &ev.args[2];
	assert_int_equal(v->flags, PA_VF_TRUNCATED);
	assert_int_equal(v->children[0].tag, PA_T_TUPLE);
	assert_int_equal(v->children[0].nchildren, 2);
	assert_int_equal(v->children[0].children[1].tag, PA_T_SUBCLASS);
	assert_int_equal(v->children[0].children[1].children[0].tag,
			 PA_T_STR_UCS2);
	v = &ev.args[3].children[0];
	assert_int_equal(v->tag, PA_T_SUBCLASS);
	assert_int_equal(v->children[0].tag, PA_T_LIST);
	assert_int_equal(v->children[0].real_len, 3);
	assert_int_equal(ev.args[4].children[0].tag, PA_T_STR_UCS4);
	assert_int_equal(ev.args[5].len, 0);
	assert_int_equal(ev.args[5].children[0].tag, PA_T_UNREADABLE);

	/* the one child: which kinds */
	for (i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
		rb_start(&r, PA_SRC_USDT, 0, 1);
		rb_str(&r, "x");
		rb_subclass(&r, 0, "T");
		rb_val(&r, kids[i].tag, 0, zeros, kids[i].len);
		rb_finish(&r);
		if (decode() != (kids[i].ok ? 0 : -EINVAL))
			fail_msg("child tag %u: expected %s", kids[i].tag,
				 kids[i].ok ? "ok" : "-EINVAL");
	}
	/* a subclass of a subclass's value, code, a tuple and list: no */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_subclass(&r, 0, "A");
	rb_subclass(&r, 0, "B");
	rb_ucs1(&r, "v");
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_subclass(&r, 0, "A");
	rb_code(&r);
	rb_str(&r, "f");
	rb_str(&r, "n");
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	/* no child: at the end of the record, before END, two values */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_subclass(&r, 0, "A");
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_seq(&r, PA_T_LIST, 0, 1);
	rb_subclass(&r, 0, "A");
	rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_subclass(&r, 0, "A");
	rb_ucs1(&r, "v");
	rb_ucs1(&r, "w");
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	/* its child's payload is checked too */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_subclass(&r, 0, "A");
	rb_val(&r, PA_T_STR_UCS2, 0, "abc", 3);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	/* a name cut by the record's end */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_val(&r, PA_T_SUBCLASS, 0, "AB", 2);
	rb_finish(&r);
	r.len -= 1;
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* a level of nesting: a subclass inside the deepest list is one too
	 * many, at the deepest level it is fine */
	for (d = RECORD_DEPTH_MAX - 1; d <= RECORD_DEPTH_MAX; d++) {
		rb_start(&r, PA_SRC_USDT, 0, 1);
		rb_str(&r, "deep");
		for (i = 0; i < (size_t)d; i++)
			rb_seq(&r, PA_T_LIST, 0, 1);
		rb_subclass(&r, 0, "S");
		rb_ucs1(&r, "v");
		for (i = 0; i < (size_t)d; i++)
			rb_end(&r);
		rb_finish(&r);
		assert_int_equal(decode(),
				 d < RECORD_DEPTH_MAX ? 0 : -EINVAL);
	}
}

static void test_extra_size(void **state)
{
	(void)state;
	/* the ring buffer may hand more bytes than hdr.size */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_none(&r);
	rb_finish(&r);
	assert_int_equal(record__decode(r.buf, r.len + 100, &ev), 0);
	assert_int_equal(ev.nargs, 1);
}

static void test_malformed_header(void **state)
{
	struct pa_event h;

	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_str(&r, "x");
	rb_finish(&r);
	assert_int_equal(decode(), 0);

	/* short header */
	assert_int_equal(record__decode(r.buf, sizeof(struct pa_event) - 1, &ev),
			 -EINVAL);
	assert_int_equal(record__decode(r.buf, 0, &ev), -EINVAL);
	assert_int_equal(record__decode(NULL, 100, &ev), -EINVAL);
	/* hdr.size bigger than what we were given */
	assert_int_equal(record__decode(r.buf, r.len - 1, &ev), -EINVAL);
	/* hdr.size smaller than a header */
	h = rb_get_hdr(&r);
	h.size = sizeof(h) - 1;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	/* hdr.size smaller than the values: the name runs past the end */
	h.size = r.len - 1;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	/* hdr.size bigger than the values: bytes left over */
	h.size = r.len + 4;
	rb_set_hdr(&r, &h);
	assert_int_equal(record__decode(r.buf, r.len + 4, &ev), -EINVAL);
	/* wrong type */
	h.size = r.len;
	h.type = 2;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	/* unknown source */
	h.type = PA_REC_EVENT;
	h.source = 0;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	h.source = PA_SRC_VARARGS_TS + 1;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	/* more args announced than delivered */
	h.source = PA_SRC_VARARGS_TS;
	h.nargs = 1;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	h.nargs = 65535;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), -EINVAL);
	h.nargs = 0;
	rb_set_hdr(&r, &h);
	assert_int_equal(decode(), 0);
}

static void test_too_big(void **state)
{
	static char big[PA_REC_MAX];

	(void)state;
	memset(big, 'a', sizeof(big));
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_val(&r, PA_T_STR_UTF8, 0, big,
	       PA_REC_MAX - sizeof(struct pa_event) - 4);
	rb_finish(&r);
	assert_int_equal(r.len, PA_REC_MAX);
	assert_int_equal(decode(), 0);

	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_val(&r, PA_T_STR_UTF8, 0, big,
	       PA_REC_MAX - sizeof(struct pa_event) - 3);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* the most values a record can hold fit in ev.values */
	rb_start(&r, PA_SRC_USDT, 0,
		 (PA_REC_MAX - sizeof(struct pa_event)) / 4 - 1);
	rb_str(&r, "");
	while (r.len < PA_REC_MAX)
		rb_none(&r);
	rb_finish(&r);
	assert_int_equal(decode(), 0);
	assert_true(ev.nvalues <= RECORD_VALUES_MAX);
}

static void test_malformed_values(void **state)
{
	static const uint32_t big_digit[] = { 1u << 30 };
	static const uint32_t nine[9];
	size_t off;

	(void)state;
	/* value header cut short */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_raw(&r, "\x01\x00", 2);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* payload past the end */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	off = r.len;
	rb_str(&r, "hello");
	rb_finish(&r);
	assert_int_equal(decode(), 0);
	r.buf[off + 2] = 6;
	assert_int_equal(decode(), -EINVAL);
	r.buf[off + 3] = 0xff;
	assert_int_equal(decode(), -EINVAL);

	/* missing END: at the end, and at the outer level */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_seq(&r, PA_T_LIST, 0, 1);
	rb_int(&r, 1);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_seq(&r, PA_T_LIST, 0, 1);
	rb_seq(&r, PA_T_TUPLE, 0, 1);
	rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* END where a value is expected */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* END with a payload */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_seq(&r, PA_T_LIST, 0, 0);
	rb_val(&r, PA_T_END, 0, "z", 1);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* CODE with one child, with END as second child */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_code(&r);
	rb_str(&r, "f");
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_code(&r);
	rb_str(&r, "f");
	rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	/* CODE with three children: the third is an extra top-level value */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_code(&r);
	rb_str(&r, "f");
	rb_str(&r, "n");
	rb_str(&r, "extra");
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);

	/* name must be a str or unreadable */
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_int(&r, 1);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_seq(&r, PA_T_TUPLE, 0, 0);
	rb_end(&r);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, PA_EV_NAME_UNREADABLE, 0);
	rb_unreadable(&r);
	rb_finish(&r);
	assert_int_equal(decode(), 0);

	/* PYLONG: too many digits, a digit >= 2**30 */
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_pylong(&r, 0, 9, nine, 9);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_pylong(&r, 0, 1, big_digit, 1);
	rb_finish(&r);
	assert_int_equal(decode(), -EINVAL);
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
	rb_pylong(&r, 0, 0, NULL, 0);
	rb_finish(&r);
	assert_int_equal(decode(), 0);
}

/* Wrong payload sizes for every tag. */
static void test_payload_sizes(void **state)
{
	static const struct {
		uint8_t tag;
		uint16_t len;
		bool ok;
	} cases[] = {
		{ PA_T_NONE, 0, true }, { PA_T_NONE, 1, false },
		{ PA_T_TRUE, 0, true }, { PA_T_TRUE, 4, false },
		{ PA_T_FALSE, 0, true }, { PA_T_FALSE, 8, false },
		{ PA_T_INT, 8, true }, { PA_T_INT, 4, false },
		{ PA_T_INT, 0, false }, { PA_T_INT, 9, false },
		{ PA_T_UINT, 8, true }, { PA_T_UINT, 7, false },
		{ PA_T_FLOAT, 8, true }, { PA_T_FLOAT, 16, false },
		{ PA_T_PYLONG, 4, true }, { PA_T_PYLONG, 8, true },
		{ PA_T_PYLONG, 36, true }, { PA_T_PYLONG, 40, false },
		{ PA_T_PYLONG, 0, false }, { PA_T_PYLONG, 3, false },
		{ PA_T_PYLONG, 6, false },
		{ PA_T_STR_UTF8, 0, true }, { PA_T_STR_UTF8, 3, true },
		{ PA_T_STR_UCS1, 1, true },
		{ PA_T_STR_UCS2, 2, true }, { PA_T_STR_UCS2, 3, false },
		{ PA_T_STR_UCS4, 4, true }, { PA_T_STR_UCS4, 6, false },
		{ PA_T_STR_UCS4, 2, false },
		{ PA_T_BYTES, 5, true },
		{ PA_T_OBJECT, 3, true },
		{ PA_T_UNREADABLE, 0, true }, { PA_T_UNREADABLE, 2, false },
		{ PA_T_TUPLE, 4, true }, { PA_T_TUPLE, 0, false },
		{ PA_T_TUPLE, 8, false }, { PA_T_LIST, 4, true },
		{ PA_T_LIST, 2, false },
		{ PA_T_CODE, 0, true }, { PA_T_CODE, 4, false },
		{ PA_T_SUBCLASS, 0, true }, { PA_T_SUBCLASS, 63, true },
		{ 0, 0, false }, { 19, 0, false }, { 21, 0, false },
		{ 0x80, 0, false },
		{ 0xff, 4, false },
	};
	static const uint8_t zeros[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rb_start(&r, PA_SRC_USDT, 0, 1);
		rb_str(&r, "x");
		rb_val(&r, cases[i].tag, 0, zeros, cases[i].len);
		if (cases[i].tag == PA_T_TUPLE || cases[i].tag == PA_T_LIST)
			rb_end(&r);
		if (cases[i].tag == PA_T_CODE) {
			rb_none(&r);
			rb_none(&r);
		}
		if (cases[i].tag == PA_T_SUBCLASS)
			rb_ucs1(&r, "v");
		rb_finish(&r);
		if (decode() != (cases[i].ok ? 0 : -EINVAL))
			fail_msg("tag %u len %u: expected %s", cases[i].tag,
				 cases[i].len, cases[i].ok ? "ok" : "-EINVAL");
	}
}

/* Every value of a decoded tree points inside the record and ev.values. */
static void check_tree(const struct rec_value *v, const uint8_t *base,
		       size_t size, int depth)
{
	uint32_t i;

	assert_true(depth <= RECORD_DEPTH_MAX);
	assert_true(v->data >= base && v->data + v->len <= base + size);
	assert_true((v->tag >= PA_T_NONE && v->tag <= PA_T_UNREADABLE) ||
		    v->tag == PA_T_SUBCLASS);
	assert_true(v->tag != PA_T_END);
	if (v->tag == PA_T_CODE)
		assert_int_equal(v->nchildren, 2);
	if (v->tag == PA_T_SUBCLASS) {
		assert_int_equal(v->nchildren, 1);
		assert_true(v->children->tag != PA_T_SUBCLASS &&
			    v->children->tag != PA_T_CODE &&
			    v->children->tag != PA_T_OBJECT);
	}
	if (v->tag != PA_T_CODE && v->tag != PA_T_TUPLE &&
	    v->tag != PA_T_LIST && v->tag != PA_T_SUBCLASS)
		assert_int_equal(v->nchildren, 0);
	if (!v->nchildren)
		return;
	assert_true(v->children >= ev.values &&
		    v->children + v->nchildren <= ev.values + ev.nvalues);
	for (i = 0; i < v->nchildren; i++)
		check_tree(&v->children[i], base, size, depth + 1);
}

/* Mutations of a valid record: never crash, accepted trees are sane. */
static void test_fuzz_mutations(void **state)
{
	static uint8_t buf[PA_REC_MAX + 64];
	static const uint32_t dig[] = { 5, 6, 7 };
	size_t n, i, j, accepted = 0;

	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 6);
	rb_str(&r, "open");
	rb_subclass(&r, 0, "S");
	rb_seq(&r, PA_T_TUPLE, 0, 1);
	rb_subclass(&r, PA_VF_TRUNCATED, "");
	rb_ucs1(&r, "s");
	rb_end(&r);
	rb_seq(&r, PA_T_LIST, 0, 3);
	rb_seq(&r, PA_T_TUPLE, 0, 1);
	rb_str(&r, "a");
	rb_end(&r);
	rb_pylong(&r, 0, 3, dig, 3);
	rb_code(&r);
	rb_str(&r, "f.py");
	rb_str(&r, "f");
	rb_end(&r);
	rb_float(&r, 1.5);
	rb_object(&r, 0, "X");
	rb_seq(&r, PA_T_TUPLE, 0, 0);
	rb_end(&r);
	rb_val(&r, PA_T_BYTES, 0, "bb", 2);
	rb_finish(&r);

	srand(1234);
	for (i = 0; i < 100000; i++) {
		memcpy(buf, r.buf, r.len);
		n = r.len;
		for (j = 0; j < 1 + (size_t)rand() % 4; j++) {
			size_t at = sizeof(struct pa_event) - 8 +
				    rand() % (n - sizeof(struct pa_event) + 8);

			buf[at] = rand() % 4 ? rand() % 21 : rand();
		}
		if (rand() % 8 == 0)
			n = rand() % (n + 1);
		else if (rand() % 8 == 0)
			n -= rand() % 16;
		if (record__decode(buf, n, &ev) == 0) {
			accepted++;
			check_tree(&ev.name, buf, n, 0);
			for (j = 0; j < ev.nargs; j++)
				check_tree(&ev.args[j], buf, n, 0);
		}
	}
	print_message("fuzz: %zu of %zu mutations accepted\n", accepted, i);
	assert_true(accepted > 100);
}

/* The events table key: plain ASCII names only. */
static void test_name_ascii(void **state)
{
	struct rec_value v = { .tag = PA_T_STR_UTF8 };
	char buf[8];

	(void)state;
	v.data = (const uint8_t *)"open";
	v.len = 4;
	assert_string_equal(record__name_ascii(&v, buf, sizeof(buf)), "open");
	v.data = (const uint8_t *)"os.listdir";
	v.len = 10;
	assert_string_equal(record__name_ascii(&v, buf, sizeof(buf)), "os.list");
	v.data = (const uint8_t *)"caf\xc3\xa9";
	v.len = 5;
	assert_null(record__name_ascii(&v, buf, sizeof(buf)));
	v.data = (const uint8_t *)"a\0b";
	v.len = 3;
	assert_null(record__name_ascii(&v, buf, sizeof(buf)));
	v.tag = PA_T_STR_UCS2;
	v.data = (const uint8_t *)"a\0b\0";
	v.len = 4;
	assert_null(record__name_ascii(&v, buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_ascii),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_tag),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_subclass),
		cmocka_unit_test(test_extra_size),
		cmocka_unit_test(test_malformed_header),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_payload_sizes),
		cmocka_unit_test(test_fuzz_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
