// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/linecache.c: a cached line is the line
 * source__line() gives, for the same frame and table, and never for a
 * frame or table that differs in any byte the line depends on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "user/linecache.h"
#include "user/source.h"
#include "framebuild.h"

/* A co_lnotab of n (address +2, line +step) pairs. */
static void lnotab(uint8_t *t, size_t n, uint8_t step)
{
	for (size_t i = 0; i < n; i++) {
		t[2 * i] = 2;
		t[2 * i + 1] = step;
	}
}

/* The cache's answer and source__line()'s, with the same result. */
static int both(struct linecache *c, struct frame *f, int format)
{
	int a = -7, b = -7, ra, rb;

	ra = linecache__line(c, &f->v, format, &a);
	rb = source__line(&f->v, format, &b);
	assert_int_equal(ra, rb);
	assert_int_equal(a, b);
	return ra ? ra : a;
}

static struct linecache cache;

static int fresh(void **state)
{
	(void)state;
	linecache__free(&cache);
	memset(&cache, 0, sizeof(cache));
	return 0;
}

static void test_hit_is_the_line(void **state)
{
	uint8_t t[200];
	struct frame f;

	(void)state;
	lnotab(t, 100, 1);
	make_frame(&f, 40, 10, t, sizeof(t), 0);
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 20);
	assert_int_equal(cache.misses, 1);
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 20);
	assert_int_equal(cache.hits, 1);
}

/* Every part of the key on its own: no answer for another key. */
static void test_any_difference_misses(void **state)
{
	uint8_t t[200], u[200];
	struct frame f;

	(void)state;
	lnotab(t, 100, 1);
	memcpy(u, t, sizeof(u));
	u[197] = 3;		/* the 99th pair: line +3 */
	make_frame(&f, 198, 10, t, sizeof(t), 0);
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 99);
	make_frame(&f, 198, 10, u, sizeof(u), 0);		/* one table byte */
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 98 + 3);
	make_frame(&f, 198, 11, t, sizeof(t), 0);		/* firstlineno */
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 11 + 99);
	make_frame(&f, 196, 10, t, sizeof(t), 0);		/* offset */
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 98);
	make_frame(&f, 198, 10, t, sizeof(t), PA_VF_TRUNCATED);	/* cut copy */
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 99);
	make_frame(&f, 250, 10, t, sizeof(t), PA_VF_TRUNCATED);	/* past the copy */
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), -ERANGE);
	make_frame(&f, 198, 10, t, sizeof(t), 0);		/* format */
	both(&cache, &f, PA_LT_LINETABLE);
	both(&cache, &f, 0);
	make_frame(&f, 198, 10, t, sizeof(t), 0);		/* frame flags */
	f.fr.flags = PA_FR_LINE;
	f.fr.line = 4242;
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 4242);
	f.fr.flags = PA_FR_CODE_UNREADABLE;
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), -ENODATA);
	/* and the first answers again, from the cache */
	make_frame(&f, 198, 10, t, sizeof(t), 0);
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 10 + 99);
	assert_true(cache.hits >= 1);
}

/* Short tables and malformed frames are not cached, and still right. */
static void test_not_cached(void **state)
{
	uint8_t t[8];
	struct frame f;

	(void)state;
	lnotab(t, 4, 1);
	make_frame(&f, 4, 10, t, sizeof(t), 0);
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 12);
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), 12);
	f.v.nchildren = 2;
	assert_int_equal(both(&cache, &f, PA_LT_LNOTAB), -EINVAL);
	assert_int_equal(cache.hits + cache.misses, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit_is_the_line, fresh, fresh),
		cmocka_unit_test_setup_teardown(test_any_difference_misses, fresh, fresh),
		cmocka_unit_test_setup_teardown(test_not_cached, fresh, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
