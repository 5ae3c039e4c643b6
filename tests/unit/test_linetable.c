// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/linetable.c: linetable__line against the line of
 * every offset of every code object compiled by every CPython here
 * (linetable_vectors.h, from gen_linetable_vectors.py), against live
 * frames read the way BPF will, and against truncated, random, mutated
 * and hostile tables. Inputs that may be read past their end are copied
 * into heap buffers of exactly their length, so that ASan sees any read
 * beyond len (make SANITIZE=1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "user/layout.h"
#include "user/linetable.h"
#include "linetable_vectors.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* lt_tables_hex decoded, by setup_tables. */
static uint8_t lt_tables[LT_TABLES_LEN + 1];

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static int setup_tables(void **state)
{
	size_t i;

	(void)state;
	if (sizeof(lt_tables_hex) != 2 * LT_TABLES_LEN + 1)
		return -1;
	for (i = 0; i < LT_TABLES_LEN; i++)
		lt_tables[i] = hexval(lt_tables_hex[2 * i]) << 4 |
			       hexval(lt_tables_hex[2 * i + 1]);
	return 0;
}

static int line_of(int minor, const void *t, size_t len, int first,
		   uint32_t off, int *line)
{
	/* The format of each minor version, as user/layout.c gives it; an
	 * unknown version has none (0). */
	struct pa_layout l;

	layout__for_version(3, minor, false, &l);
	*line = 0x5a5a5a5a;
	return linetable__line(l.ltab_format, t, len, first, off, line);
}

/* Expected line of every 2-byte offset of a vector, expanded. */
static int *expand(const struct lt_vector *v)
{
	uint32_t n = v->codelen / 2, k = 0, r, i;
	int *lines = malloc((n ? n : 1) * sizeof(*lines));

	assert_non_null(lines);
	for (r = 0; r < v->nruns; r++) {
		const int32_t *run = lt_runs[v->runs + r];

		for (i = 0; i < (uint32_t)run[0]; i++) {
			assert_true(k < n);
			lines[k++] = run[1] == LT_NONE ? -1 :
						v->firstlineno + run[1];
		}
	}
	assert_int_equal(k, n);
	return lines;
}

/* A heap copy of exactly len bytes (at least one byte is allocated). */
static uint8_t *copy(const uint8_t *t, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, t, len);
	return p;
}

static void check_vector(const struct lt_vector *v, int minor)
{
	uint8_t *t = copy(lt_tables + v->table, v->table_len);
	int *want = expand(v);
	uint32_t k, off;
	int line, rc;

	for (k = 0; k < v->codelen / 2; k++) {
		/* The offset, and the odd byte inside the same code unit. */
		for (off = 2 * k; off <= 2 * k + 1; off++) {
			rc = line_of(minor, t, v->table_len, v->firstlineno,
				     off, &line);
			if (rc || line != want[k])
				fail_msg("%s: 3.%d code at line %d, offset %u: rc %d line %d, want %d",
					 lt_interpreters[v->interp], minor,
					 v->firstlineno, off, rc, line,
					 want[k]);
		}
	}
	/*
	 * Past the bytecode: 3.10+ tables end there; a co_lnotab's last
	 * line runs on.
	 */
	for (off = v->codelen; off <= v->codelen + 2; off += 2) {
		rc = line_of(minor, t, v->table_len, v->firstlineno, off,
			     &line);
		if (v->minor >= 10) {
			assert_int_equal(rc, -ERANGE);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(line, want[v->codelen / 2 - 1]);
		}
	}
	rc = line_of(minor, t, v->table_len, v->firstlineno, UINT32_MAX,
		     &line);
	assert_int_equal(rc, v->minor >= 10 ? -ERANGE : 0);
	free(want);
	free(t);
}

static void test_vectors(void **state)
{
	unsigned int per[16] = { 0 }, offsets = 0;
	size_t i;

	(void)state;
	assert_true(ARRAY_SIZE(lt_vectors) > 0);
	for (i = 0; i < ARRAY_SIZE(lt_vectors); i++) {
		check_vector(&lt_vectors[i], lt_vectors[i].minor);
		per[lt_vectors[i].minor]++;
		offsets += lt_vectors[i].codelen / 2;
	}
	/* Every minor version 3.8-3.13 is there. */
	for (i = 8; i <= 13; i++)
		assert_true(per[i] > 0);
	print_message("%zu code objects, %u offsets, %zu interpreters\n",
		      ARRAY_SIZE(lt_vectors), offsets,
		      ARRAY_SIZE(lt_interpreters));
}

/*
 * No 3.14 interpreter here: 3.14 keeps the 3.11-3.13 locations table
 * (InternalDocs/code_objects.md), so the 3.13 vectors must decode the
 * same as minor 14.
 */
static void test_vectors_as_314(void **state)
{
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lt_vectors); i++) {
		if (lt_vectors[i].minor != 13)
			continue;
		check_vector(&lt_vectors[i], 14);
		n++;
	}
	assert_true(n > 0);
}

/*
 * Frames caught in the act (an audit hook, or a Python callee) with their
 * position read from raw memory as BPF will: the line must be the
 * frame.f_lineno CPython gave.
 */
static void test_callsites(void **state)
{
	unsigned int per[16] = { 0 };
	size_t i;
	int line, rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lt_callsites); i++) {
		const struct lt_callsite *c = &lt_callsites[i];
		uint8_t *t = copy(lt_tables + c->table, c->table_len);

		assert_true(c->offset < c->codelen);
		rc = line_of(c->minor, t, c->table_len, c->firstlineno,
			     c->offset, &line);
		if (rc || line != c->line)
			fail_msg("%s: call site at offset %u: rc %d line %d, want %d",
				 lt_interpreters[c->interp], c->offset, rc,
				 line, c->line);
		per[c->minor]++;
		free(t);
	}
	for (i = 8; i <= 13; i++)
		assert_true(per[i] > 0);
}

/*
 * Sum of the address increments of the complete pairs of a co_lnotab
 * prefix: a line for an offset below it is exact.
 */
static uint64_t lnotab_reach(const uint8_t *t, size_t len)
{
	uint64_t addr = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		addr += t[i];
	return addr;
}

/*
 * One offset of a prefix of a table: an error, or the right line. True
 * when the line was checked (for a cut 3.8/3.9 table, only below the
 * prefix's reach).
 */
static bool check_prefix(const struct lt_vector *v, const uint8_t *t,
			 size_t len, uint32_t off, const int *want)
{
	int line, rc;

	rc = line_of(v->minor, t, len, v->firstlineno, off, &line);
	if (rc) {
		if (rc != -EINVAL && rc != -ERANGE)
			fail_msg("rc %d", rc);
		/* Only a shortened table may fail on an offset it has. */
		assert_true(len < v->table_len || off >= v->codelen);
		return false;
	}
	if (off >= v->codelen) {
		assert_true(v->minor < 10);
		return false;
	}
	/* A cut co_lnotab looks whole: its last line runs on. */
	if (v->minor < 10 && len < v->table_len &&
	    off >= lnotab_reach(t, len))
		return false;
	if (line != want[off / 2])
		fail_msg("%s: table cut to %zu of %u bytes, offset %u: line %d, want %d",
			 lt_interpreters[v->interp], len, v->table_len, off,
			 line, want[off / 2]);
	return true;
}

/*
 * Every prefix of every table. Each prefix is looked up past its end
 * (the whole walk, where a read beyond the cut would be) and around the
 * edge of what it covers: the offsets at both ends of every run of equal
 * lines, in order, from just before the first one the previous prefix
 * could not give, to the first one this prefix cannot give. A table cut
 * by a bound must give the right line or an error, and ASan must see no
 * read past the cut.
 */
static void test_truncated(void **state)
{
	unsigned long checks = 0;
	size_t i, len, j, from, noffs;
	uint32_t *offs, r, k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lt_vectors); i++) {
		const struct lt_vector *v = &lt_vectors[i];
		int *want = expand(v);

		offs = malloc(2 * v->nruns * sizeof(*offs));
		assert_non_null(offs);
		for (k = 0, r = 0, noffs = 0; r < v->nruns; r++) {
			offs[noffs++] = 2 * k;
			k += lt_runs[v->runs + r][0];
			offs[noffs++] = 2 * k - 1;
		}
		from = 0;
		for (len = 0; len <= v->table_len; len++) {
			uint8_t *t = copy(lt_tables + v->table, len);

			check_prefix(v, t, len, v->codelen - 1, want);
			check_prefix(v, t, len, v->codelen, want);
			check_prefix(v, t, len, UINT32_MAX, want);
			checks += 3;
			for (j = from; j < noffs; j++) {
				checks++;
				if (!check_prefix(v, t, len, offs[j], want))
					break;
			}
			from = j ? j - 1 : 0;
			free(t);
		}
		/* The whole table gives every one. */
		assert_int_equal(from + 1, noffs);
		free(offs);
		free(want);
	}
	/* The call sites' tables too, at their own offset. */
	for (i = 0; i < ARRAY_SIZE(lt_callsites); i++) {
		const struct lt_callsite *c = &lt_callsites[i];
		int line, rc;

		for (len = 0; len <= c->table_len; len++) {
			uint8_t *t = copy(lt_tables + c->table, len);

			rc = line_of(c->minor, t, len, c->firstlineno,
				     c->offset, &line);
			assert_true(rc == 0 || rc == -EINVAL || rc == -ERANGE);
			if (!rc && (c->minor >= 10 ||
				    c->offset < lnotab_reach(t, len)))
				assert_int_equal(line, c->line);
			free(t);
			checks++;
		}
	}
	print_message("%lu lookups in cut tables\n", checks);
}

/* xorshift64*: the same sequence on every libc. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static int rnd_first(void)
{
	static const int edge[] = { 0, 1, -1, INT_MAX, INT_MIN, INT_MAX - 127,
				    INT_MIN + 128, 100000 };

	if (rnd() % 4 == 0)
		return edge[rnd() % ARRAY_SIZE(edge)];
	return (int)(rnd() % 2000000) - 1000;
}

static uint32_t rnd_offset(uint32_t span)
{
	switch (rnd() % 8) {
	case 0:
		return UINT32_MAX - (uint32_t)(rnd() % 4);
	case 1:
		return (uint32_t)rnd();
	default:
		return (uint32_t)(rnd() % (span + 1));
	}
}

static void check_any(int minor, const uint8_t *t, size_t len, int first,
		      uint32_t off)
{
	int line, rc;

	rc = line_of(minor, t, len, first, off, &line);
	if (rc != 0 && rc != -EINVAL && rc != -ERANGE)
		fail_msg("minor %d len %zu: rc %d", minor, len, rc);
	if (rc)
		assert_int_equal(line, 0x5a5a5a5a);	/* untouched */
}

/*
 * 100000 random inputs with a fixed seed: half pure random bytes (biased
 * to the interesting values), half real tables with a few bytes changed.
 */
static void test_random(void **state)
{
	static const uint8_t pick[] = { 0x00, 0x7f, 0x80, 0xff, 0x40, 0x3f,
					0xc0, 0xe8, 0xf0, 0xf8, 0x01 };
	unsigned int iter, j;
	size_t len;
	uint8_t *t;

	(void)state;
	for (iter = 0; iter < 100000; iter++) {
		int minor = 7 + (int)(rnd() % 9);	/* 7..15 */

		if (iter % 2 == 0) {
			len = rnd() % 48;
			t = malloc(len ? len : 1);
			assert_non_null(t);
			for (j = 0; j < len; j++)
				t[j] = rnd() % 2 ? (uint8_t)rnd() :
					pick[rnd() % sizeof(pick)];
		} else {
			const struct lt_vector *v = &lt_vectors[
				rnd() % ARRAY_SIZE(lt_vectors)];

			minor = v->minor;
			len = v->table_len;
			if (len && rnd() % 4 == 0)
				len = rnd() % len;
			t = copy(lt_tables + v->table, len);
			for (j = rnd() % 4; len && j > 0; j--)
				t[rnd() % len] = rnd() % 2 ? (uint8_t)rnd() :
					pick[rnd() % sizeof(pick)];
		}
		for (j = 0; j < 4; j++)
			check_any(minor, t, len, rnd_first(),
				  rnd_offset(16 * (uint32_t)len));
		free(t);
	}
}

/* A 3.11+ code 13 entry of one code unit, then a varint of n chunks. */
static size_t varint_table(uint8_t *t, unsigned int n, uint8_t chunk,
			   uint8_t last)
{
	size_t len = 0;
	unsigned int i;

	t[len++] = 0x80 | 13 << 3;
	for (i = 0; i + 1 < n; i++)
		t[len++] = 0x40 | chunk;
	t[len++] = last;
	return len;
}

static void test_varint_overflow(void **state)
{
	uint8_t buf[64], *t;
	unsigned int n;
	size_t len;
	int line, rc;

	(void)state;
	/* The varints CPython writes: up to 6 chunks, 32 bits. */
	len = varint_table(buf, 6, 0x3f, 0x03);		/* 2^32 - 1: odd */
	t = copy(buf, len);
	assert_int_equal(line_of(11, t, len, 0, 0, &line), 0);
	assert_int_equal(line, -INT_MAX);
	assert_int_equal(line_of(11, t, len, -2, 0, &line), -EINVAL);
	free(t);
	memcpy(buf, "\xe8\x7e\x7f\x7f\x7f\x7f\x03", 7);	/* 2^32 - 2 */
	len = 7;
	t = copy(buf, len);
	assert_int_equal(line_of(12, t, len, 0, 0, &line), 0);
	assert_int_equal(line, INT_MAX);
	assert_int_equal(line_of(12, t, len, 1, 0, &line), -EINVAL);
	free(t);
	/* 6 chunks beyond 32 bits, then longer and longer chains. */
	len = varint_table(buf, 6, 0x00, 0x04);
	t = copy(buf, len);
	assert_int_equal(line_of(13, t, len, 0, 0, &line), -EINVAL);
	free(t);
	for (n = 1; n < 60; n++) {
		len = varint_table(buf, n, n % 2 ? 0x3f : 0x00, 0x00);
		t = copy(buf, len);
		rc = line_of(13, t, len, 0, 0, &line);
		assert_int_equal(rc, n <= 6 ? 0 : -EINVAL);
		free(t);
		/* The chain never ends inside the table. */
		t = copy(buf, len - 1);
		assert_int_equal(line_of(14, t, len - 1, 0, 0, &line),
				 -EINVAL);
		free(t);
	}
	/* A chain stopped by the next entry's first byte. */
	memcpy(buf, "\xe8\x7f\x7f\xf8", 4);
	t = copy(buf, 4);
	assert_int_equal(line_of(11, t, 4, 0, 0, &line), -EINVAL);
	free(t);
	/* Long form (14): each of its four varints too long in turn. */
	for (n = 0; n < 4; n++) {
		unsigned int i, j;

		len = 0;
		buf[len++] = 0x80 | 14 << 3;
		for (i = 0; i < 4; i++) {
			if (i == n)
				for (j = 0; j < 6; j++)
					buf[len++] = 0x7f;
			buf[len++] = 0x02;
		}
		t = copy(buf, len);
		assert_int_equal(line_of(11, t, len, 1, 0, &line), -EINVAL);
		free(t);
	}
	/* A 2-chunk varint, the doc's example: 200 = 0x48 0x03 -> +100. */
	memcpy(buf, "\xe8\x48\x03", 3);
	t = copy(buf, 3);
	assert_int_equal(line_of(11, t, 3, 1, 0, &line), 0);
	assert_int_equal(line, 101);
	free(t);
}

/* Deltas that add up beyond int: an error, and UBSan stays quiet. */
static void test_huge_deltas(void **state)
{
	uint8_t *t;
	size_t n = 40000, i;
	int line;

	(void)state;
	/* 3.8/3.9: (0, +127) and (0, -128) pairs, then one real range. */
	t = malloc(2 * n + 2);
	assert_non_null(t);
	for (i = 0; i < n; i++) {
		t[2 * i] = 0;
		t[2 * i + 1] = 0x7f;
	}
	t[2 * n] = 2;
	t[2 * n + 1] = 0;
	assert_int_equal(line_of(8, t, 2 * n + 2, 1, 0, &line), 0);
	assert_int_equal(line, 1 + 127 * (int)n);
	assert_int_equal(line_of(9, t, 2 * n + 2, INT_MAX - 1000, 0, &line),
			 -EINVAL);
	/* 3.10: the same as empty ranges. */
	assert_int_equal(line_of(10, t, 2 * n + 2, 1, 0, &line), 0);
	assert_int_equal(line, 1 + 127 * (int)n);
	assert_int_equal(line_of(10, t, 2 * n + 2, INT_MAX - 1000, 0, &line),
			 -EINVAL);
	for (i = 0; i < n; i++)
		t[2 * i + 1] = 0x81;			/* -127 */
	assert_int_equal(line_of(10, t, 2 * n + 2, INT_MIN + 1000, 0, &line),
			 -EINVAL);
	assert_int_equal(line_of(10, t, 2 * n + 2, 0, 0, &line), 0);
	assert_int_equal(line, -127 * (int)n);
	for (i = 0; i < n; i++)
		t[2 * i + 1] = 0x80;			/* -128 */
	assert_int_equal(line_of(8, t, 2 * n + 2, INT_MIN + 1000, 0, &line),
			 -EINVAL);
	/* 3.10: -128 is "no line", not a delta: never overflows. */
	assert_int_equal(line_of(10, t, 2 * n + 2, INT_MIN, 0, &line), 0);
	assert_int_equal(line, INT_MIN);
	free(t);

	/* 3.11+: entries of +/-(2^31 - 1) one after the other. */
	{
		static const uint8_t up[] = {
			0xe8, 0x7e, 0x7f, 0x7f, 0x7f, 0x7f, 0x03,
			0xe8, 0x7e, 0x7f, 0x7f, 0x7f, 0x7f, 0x03,
		};
		static const uint8_t down[] = {
			0xe8, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x03,
			0xe8, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x03,
		};

		t = copy(up, sizeof(up));
		assert_int_equal(line_of(11, t, sizeof(up), 0, 0, &line), 0);
		assert_int_equal(line, INT_MAX);
		assert_int_equal(line_of(11, t, sizeof(up), 0, 2, &line),
				 -EINVAL);
		assert_int_equal(line_of(11, t, sizeof(up), INT_MIN, 2, &line),
				 0);
		assert_int_equal(line, INT_MAX - 1);
		free(t);
		t = copy(down, sizeof(down));
		assert_int_equal(line_of(13, t, sizeof(down), 0, 2, &line),
				 -EINVAL);
		assert_int_equal(line_of(13, t, sizeof(down), INT_MAX, 2,
					 &line), 0);
		assert_int_equal(line, -INT_MAX);
		free(t);
	}
}

/* Small tables written by hand from the format descriptions. */
static void test_formats(void **state)
{
	/* Objects/lnotab_notes.txt's example: 0:1 6:2 50:7 350:207 361:208 */
	static const uint8_t lnotab[] = { 6, 1, 44, 5, 255, 0, 45, 127,
					  0, 73, 11, 1 };
	static const struct {
		uint32_t off;
		int line;
	} ln[] = { { 0, 1 }, { 5, 1 }, { 6, 2 }, { 49, 2 }, { 50, 7 },
		   { 349, 7 }, { 350, 207 }, { 360, 207 }, { 361, 208 },
		   { 100000, 208 } };
	/* 3.10: 4 bytes line +1, empty +127, 6 bytes -3 (net +124), 2 bytes
	 * no line, 2 bytes +1 (after the no-line range: 125 from start). */
	static const uint8_t t310[] = { 4, 1, 0, 127, 6, 0xfd, 2, 0x80, 2, 1 };
	/* 3.11+: short form 2 units; one-line +2, 1 unit; no location,
	 * 8 units; no-columns -1; long form +3 (end +0, cols 1, 2). */
	static const uint8_t t311[] = { 0x81, 0x05, 0xe0, 0x01, 0x02, 0xff,
					0xe8, 0x03, 0xf0, 0x06, 0x00, 0x02,
					0x03 };
	static const struct {
		uint32_t off;
		int line;
	} l3[] = { { 0, 5 }, { 3, 5 }, { 4, 7 }, { 5, 7 }, { 6, -1 },
		   { 21, -1 }, { 22, 6 }, { 24, 9 } };
	uint8_t *t;
	size_t i;
	int line;

	(void)state;
	t = copy(lnotab, sizeof(lnotab));
	for (i = 0; i < ARRAY_SIZE(ln); i++) {
		assert_int_equal(line_of(8, t, sizeof(lnotab), 1, ln[i].off,
					 &line), 0);
		assert_int_equal(line, ln[i].line);
	}
	/* An odd byte: used only if the offset reaches its range. */
	assert_int_equal(line_of(9, t, 3, 1, 49, &line), 0);
	assert_int_equal(line, 2);
	assert_int_equal(line_of(9, t, 3, 1, 50, &line), -EINVAL);
	free(t);

	t = copy(t310, sizeof(t310));
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 0, &line), 0);
	assert_int_equal(line, 11);
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 3, &line), 0);
	assert_int_equal(line, 11);
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 4, &line), 0);
	assert_int_equal(line, 11 + 127 - 3);
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 9, &line), 0);
	assert_int_equal(line, 135);
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 10, &line), 0);
	assert_int_equal(line, -1);
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 12, &line), 0);
	assert_int_equal(line, 136);
	assert_int_equal(line_of(10, t, sizeof(t310), 10, 14, &line),
			 -ERANGE);
	assert_int_equal(line_of(10, t, 9, 10, 12, &line), -EINVAL);
	assert_int_equal(line_of(10, t, 8, 10, 12, &line), -ERANGE);
	free(t);

	t = copy(t311, sizeof(t311));
	for (i = 0; i < ARRAY_SIZE(l3); i++) {
		assert_int_equal(line_of(11, t, sizeof(t311), 5, l3[i].off,
					 &line), 0);
		assert_int_equal(line, l3[i].line);
	}
	assert_int_equal(line_of(12, t, sizeof(t311), 5, 26, &line), -ERANGE);
	/* Cut inside the long form: the entry is incomplete. */
	assert_int_equal(line_of(12, t, sizeof(t311) - 1, 5, 24, &line),
			 -EINVAL);
	assert_int_equal(line_of(12, t, sizeof(t311) - 1, 5, 22, &line), 0);
	free(t);

	/* Malformed 3.11+ entries. */
	{
		static const uint8_t bad[][4] = {
			{ 0x01, 0x00 },		/* no entry start bit */
			{ 0x80, 0x01, 0x02 },	/* short form: 2 bytes */
			{ 0xd0, 0x01 },		/* one-line form: 1 byte */
			{ 0xf8, 0x01 },		/* code 15 with a byte */
			{ 0x80 },		/* short form: no byte */
		};
		static const size_t blen[] = { 2, 3, 2, 2, 1 };

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			t = copy(bad[i], blen[i]);
			assert_int_equal(line_of(11, t, blen[i], 1, 0, &line),
					 -EINVAL);
			free(t);
		}
	}
}

static void test_api(void **state)
{
	static const uint8_t t[] = { 0xf8 };
	int line;

	(void)state;
	assert_int_equal(linetable__line(11, t, 1, 1, 0, NULL), -EINVAL);
	assert_int_equal(line_of(7, t, 1, 1, 0, &line), -EINVAL);
	assert_int_equal(line_of(16, t, 1, 1, 0, &line), -EINVAL);
	assert_int_equal(line_of(-1, t, 1, 1, 0, &line), -EINVAL);
	assert_int_equal(line_of(11, NULL, 1, 1, 0, &line), -EINVAL);
	/* Empty tables. */
	assert_int_equal(line_of(8, NULL, 0, 42, 0, &line), 0);
	assert_int_equal(line, 42);
	assert_int_equal(line_of(10, NULL, 0, 42, 0, &line), -ERANGE);
	assert_int_equal(line_of(11, NULL, 0, 42, 0, &line), -ERANGE);
	assert_int_equal(line_of(14, t, 1, 42, 0, &line), 0);
	assert_int_equal(line, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vectors_as_314),
		cmocka_unit_test(test_callsites),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_varint_overflow),
		cmocka_unit_test(test_huge_deltas),
	};

	return cmocka_run_group_tests(tests, setup_tables, NULL);
}
