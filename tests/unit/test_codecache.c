// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/codecache.c and of the code-object frames of
 * record.c: descriptions kept, references given them back, process
 * images kept apart, bounds (evictions tell BPF to forget; a retired
 * description still answers the references in flight), unresolved
 * references counted and forgotten, malformed frames refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "user/codecache.h"
#include "user/record.h"
#include "recbuild.h"

static const uint8_t table[] = { 0x80, 0x00, 0xd8, 0x02, 0x06 };

/* One frame of code object code: a description (flags NEW), a reference
 * (REF), or a plain frame (0: struct pa_frame, three children). */
static void rb_frame(struct rb *r, uint32_t flags, uint64_t code,
		     const char *file, int32_t offset)
{
	struct pa_frame_code frc = {
		.fr = { .offset = offset, .firstlineno = 7,
			.table_len = sizeof(table), .flags = flags },
		.code = code,
	};

	rb_val(r, PA_T_FRAME, 0, &frc,
	       flags ? sizeof(frc) : sizeof(struct pa_frame));
	if (flags & PA_FR_CODE_REF)
		return;
	rb_str(r, file);
	rb_str(r, "fn");
	rb_val(r, PA_T_BYTES, 0, table, sizeof(table));
}

/* A record of pid, with n frames of flags (same code objects 1..n). */
static void rb_event(struct rb *r, uint32_t pid, uint32_t exec_seq,
		     uint32_t n, const uint32_t *flags, const uint64_t *codes)
{
	struct pa_event h;
	char file[32];

	rb_start(r, PA_SRC_USDT, 0, 0);
	h = rb_get_hdr(r);
	h.pid = pid;
	h.exec_seq = exec_seq;
	h.start_ns = 1000 + pid;
	h.nframes = n;
	h.frame_status = PA_FS_OK;
	rb_set_hdr(r, &h);
	rb_str(r, "open");
	for (uint32_t i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "/app/m%llu.py",
			 (unsigned long long)codes[i]);
		rb_frame(r, flags[i], codes[i], file, 4);
	}
	rb_finish(r);
}

static struct rec_event *ev;
static struct rb *r;

static int setup(void **state)
{
	(void)state;
	ev = malloc(sizeof(*ev));
	r = malloc(sizeof(*r));
	return ev && r ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ev);
	free(r);
	return 0;
}

/* Decode and resolve; the file of frame i, "" when unreadable. */
static int run(struct codecache *c)
{
	int err = record__decode(r->buf, r->len, ev);

	if (!err)
		codecache__event(c, ev);
	return err;
}

static void expect_file(uint32_t i, const char *file)
{
	const struct rec_value *f = &ev->frames[i];

	assert_int_equal(f->len, sizeof(struct pa_frame));
	assert_int_equal(f->nchildren, 3);
	if (!*file) {
		assert_int_equal(f->children[0].tag, PA_T_UNREADABLE);
		assert_int_equal(f->children[2].tag, PA_T_UNREADABLE);
		return;
	}
	assert_int_equal(f->children[0].len, strlen(file));
	assert_memory_equal(f->children[0].data, file, strlen(file));
	assert_int_equal(f->children[2].tag, PA_T_BYTES);
	assert_int_equal(f->children[2].len, sizeof(table));
	assert_memory_equal(f->children[2].data, table, sizeof(table));
}

static struct pa_code_key forgotten[64];
static int nforgotten;

static void forget(void *ctx, const struct pa_code_key *k)
{
	(void)ctx;
	if (nforgotten < 64)
		forgotten[nforgotten++] = *k;
}

static void test_describe_then_refer(void **state)
{
	struct codecache c;
	uint32_t nf[2] = { PA_FR_CODE_NEW, PA_FR_CODE_NEW };
	uint32_t rf[2] = { PA_FR_CODE_REF, PA_FR_CODE_REF };
	uint64_t codes[2] = { 0x1000, 0x2000 };

	(void)state;
	assert_int_equal(codecache__init(&c, 16, 1 << 20), 0);
	rb_event(r, 10, 1, 2, nf, codes);
	assert_int_equal(run(&c), 0);
	expect_file(0, "/app/m4096.py");
	expect_file(1, "/app/m8192.py");
	rb_event(r, 10, 1, 2, rf, codes);
	assert_int_equal(run(&c), 0);
	expect_file(0, "/app/m4096.py");
	expect_file(1, "/app/m8192.py");
	assert_int_equal(c.counts.described, 2);
	assert_int_equal(c.counts.resolved, 2);
	/* another image of pid 10 (exec), another pid: not described */
	rb_event(r, 10, 2, 2, rf, codes);
	assert_int_equal(run(&c), 0);
	expect_file(0, "");
	rb_event(r, 11, 1, 2, rf, codes);
	assert_int_equal(run(&c), 0);
	expect_file(1, "");
	assert_int_equal(c.counts.unresolved, 4);
	codecache__free(&c);
}

/* Old records (struct pa_frame) pass unchanged. */
static void test_plain_frames(void **state)
{
	struct codecache c;
	uint32_t f[1] = { 0 };
	uint64_t codes[1] = { 5 };

	(void)state;
	assert_int_equal(codecache__init(&c, 16, 1 << 20), 0);
	rb_event(r, 10, 1, 1, f, codes);
	assert_int_equal(run(&c), 0);
	expect_file(0, "/app/m5.py");
	assert_int_equal(c.counts.described + c.counts.resolved, 0);
	codecache__free(&c);
}

/* Bounded to 2: the third description evicts the first, BPF is told to
 * forget it; its references still resolve from the retired copy. */
static void test_evict(void **state)
{
	struct codecache c;
	uint32_t nf[1] = { PA_FR_CODE_NEW }, rf[1] = { PA_FR_CODE_REF };
	uint64_t code[1];

	(void)state;
	nforgotten = 0;
	assert_int_equal(codecache__init(&c, 2, 1 << 20), 0);
	c.forget = forget;
	for (code[0] = 1; code[0] <= 3; code[0]++) {
		rb_event(r, 10, 1, 1, nf, code);
		assert_int_equal(run(&c), 0);
	}
	assert_int_equal(c.n, 2);
	assert_int_equal(c.counts.evicted, 1);
	assert_int_equal(nforgotten, 1);
	assert_int_equal(forgotten[0].code, 1);
	assert_int_equal(forgotten[0].pid, 10);
	assert_int_equal(forgotten[0].exec_seq, 1);
	assert_int_equal(forgotten[0].start_ns, 1010);
	code[0] = 1;
	rb_event(r, 10, 1, 1, rf, code);
	assert_int_equal(run(&c), 0);
	expect_file(0, "/app/m1.py");
	/* many more: the retired ones go in the end; a reference to one
	 * of them is unresolved, counted, and BPF told to forget it */
	for (code[0] = 100; code[0] < 100 + 3 * CODECACHE_RETIRED_MIN; code[0]++) {
		rb_event(r, 10, 1, 1, nf, code);
		assert_int_equal(run(&c), 0);
	}
	assert_true(c.nretired <= CODECACHE_RETIRED_MIN);	/* no ring_pos */
	nforgotten = 0;
	code[0] = 1;
	rb_event(r, 10, 1, 1, rf, code);
	assert_int_equal(run(&c), 0);
	expect_file(0, "");
	assert_int_equal(c.counts.unresolved, 1);
	assert_int_equal(nforgotten, 1);
	assert_int_equal(forgotten[0].code, 1);
	/* and the bytes bound holds too */
	codecache__free(&c);
	assert_int_equal(codecache__init(&c, 1000, 1), 0);
	for (code[0] = 1; code[0] <= 10; code[0]++) {
		rb_event(r, 10, 1, 1, nf, code);
		assert_int_equal(run(&c), 0);
	}
	assert_int_equal(c.n, 1);
	codecache__free(&c);
}

/* A description of a new code object at a known address replaces the
 * old one; one with a cut table describes nothing. */
static void test_replace_and_cut(void **state)
{
	struct codecache c;
	uint32_t nf[1] = { PA_FR_CODE_NEW }, rf[1] = { PA_FR_CODE_REF };
	uint64_t code[1] = { 9 };
	struct pa_frame_code frc = {
		.fr = { .offset = 4, .firstlineno = 7, .table_len = 99,
			.flags = PA_FR_CODE_NEW },
		.code = 9,
	};
	struct pa_event h;

	(void)state;
	assert_int_equal(codecache__init(&c, 16, 1 << 20), 0);
	rb_event(r, 10, 1, 1, nf, code);
	assert_int_equal(run(&c), 0);
	/* same key, other file, its table cut (table_len 99 > 5) */
	rb_start(r, PA_SRC_USDT, 0, 0);
	h = rb_get_hdr(r);
	h.pid = 10; h.exec_seq = 1; h.start_ns = 1010;
	h.nframes = 1; h.frame_status = PA_FS_OK;
	rb_set_hdr(r, &h);
	rb_str(r, "open");
	rb_val(r, PA_T_FRAME, 0, &frc, sizeof(frc));
	rb_str(r, "/other.py");
	rb_str(r, "fn");
	rb_val(r, PA_T_BYTES, PA_VF_TRUNCATED, table, sizeof(table));
	rb_finish(r);
	assert_int_equal(run(&c), 0);
	assert_int_equal(c.counts.described, 1);
	rb_event(r, 10, 1, 1, rf, code);
	assert_int_equal(run(&c), 0);
	expect_file(0, "/app/m9.py");
	codecache__free(&c);
}

/* A frame whose line BPF found describes its file and function only:
 * a reference with its line resolves to them (and an empty, cut
 * table), one that needs the table does not; a description with the
 * table serves both. */
static void test_lined(void **state)
{
	struct codecache c;
	uint32_t ln[1] = { PA_FR_CODE_NEW | PA_FR_LINE };
	uint32_t rl[1] = { PA_FR_CODE_REF | PA_FR_LINE };
	uint32_t rf[1] = { PA_FR_CODE_REF }, nf[1] = { PA_FR_CODE_NEW };
	uint64_t code[1] = { 77 };
	const struct rec_value *t;

	(void)state;
	assert_int_equal(codecache__init(&c, 16, 1 << 20), 0);
	rb_event(r, 10, 1, 1, ln, code);
	assert_int_equal(run(&c), 0);
	assert_int_equal(c.counts.described, 1);
	rb_event(r, 10, 1, 1, rl, code);
	assert_int_equal(run(&c), 0);
	assert_int_equal(ev->frames[0].nchildren, 3);
	assert_memory_equal(ev->frames[0].children[0].data, "/app/m77.py", 11);
	t = &ev->frames[0].children[2];
	assert_int_equal(t->tag, PA_T_BYTES);
	assert_int_equal(t->len, 0);
	assert_true(t->flags & PA_VF_TRUNCATED);
	rb_event(r, 10, 1, 1, rf, code);	/* needs the table: none kept */
	assert_int_equal(run(&c), 0);
	expect_file(0, "");
	assert_int_equal(c.counts.unresolved, 1);
	rb_event(r, 10, 1, 1, nf, code);
	assert_int_equal(run(&c), 0);
	rb_event(r, 10, 1, 1, rf, code);
	assert_int_equal(run(&c), 0);
	expect_file(0, "/app/m77.py");
	rb_event(r, 10, 1, 1, rl, code);
	assert_int_equal(run(&c), 0);
	assert_int_equal(ev->frames[0].children[2].len, 0);
	assert_int_equal(c.counts.resolved, 3);
	codecache__free(&c);
}

/* record.c: a reference has no children; a code-object flag on a plain
 * struct pa_frame, both flags, or another size are malformed. */
static void test_decode(void **state)
{
	struct pa_frame_code frc = { .fr = { .flags = PA_FR_CODE_REF }, .code = 1 };
	struct pa_event h;
	int i;
	struct { uint32_t flags; size_t len; bool kids; int want; } cases[] = {
		{ PA_FR_CODE_REF, sizeof(frc), false, 0 },
		{ PA_FR_CODE_REF, sizeof(frc), true, -EINVAL },
		{ PA_FR_CODE_REF, sizeof(struct pa_frame), false, -EINVAL },
		{ PA_FR_CODE_NEW, sizeof(struct pa_frame), true, -EINVAL },
		{ PA_FR_CODE_NEW | PA_FR_CODE_REF, sizeof(frc), false, -EINVAL },
		{ 0, sizeof(frc), true, 0 },
		{ 0, sizeof(frc) - 4, true, -EINVAL },
	};

	(void)state;
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		rb_start(r, PA_SRC_USDT, 0, 0);
		h = rb_get_hdr(r);
		h.nframes = 1;
		h.frame_status = PA_FS_OK;
		rb_set_hdr(r, &h);
		rb_str(r, "open");
		frc.fr.flags = cases[i].flags;
		rb_val(r, PA_T_FRAME, 0, &frc, cases[i].len);
		if (cases[i].kids) {
			rb_str(r, "/a.py");
			rb_str(r, "f");
			rb_val(r, PA_T_BYTES, 0, table, sizeof(table));
		}
		rb_finish(r);
		assert_int_equal(record__decode(r->buf, r->len, ev), cases[i].want);
		if (!cases[i].want)
			assert_int_equal(ev->frames[0].nchildren, cases[i].kids ? 3 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe_then_refer),
		cmocka_unit_test(test_plain_frames),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_replace_and_cut),
		cmocka_unit_test(test_lined),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
