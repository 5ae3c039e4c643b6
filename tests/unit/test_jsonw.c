// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/jsonw.c, the JSON writer of the non-event records. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "user/jsonw.h"
#include "user/stats.h"

static char buf[1024];

static struct jw jw_new(struct sb *b)
{
	struct jw j = { .b = b };

	memset(buf, 0, sizeof(buf));
	b->p = buf;
	b->size = sizeof(buf);
	b->len = 0;
	return j;
}

/* Commas between members and elements, none after an opening. */
static void test_commas(void **state)
{
	struct sb b;
	struct jw j = jw_new(&b);

	jw_begin_object(&j);
	jw_key(&j, "a");
	jw_begin_array(&j);
	jw_end_array(&j);
	jw_key(&j, "b");
	jw_begin_array(&j);
	jw_u64(&j, 1);
	jw_begin_object(&j);
	jw_end_object(&j);
	jw_begin_array(&j);
	jw_bool(&j, false);
	jw_end_array(&j);
	jw_u64(&j, 2);
	jw_end_array(&j);
	jw_key(&j, "c");
	jw_begin_object(&j);
	jw_key(&j, "d");
	jw_bool(&j, true);
	jw_end_object(&j);
	jw_end_object(&j);
	sb_finish(&b);
	assert_string_equal(buf, "{\"a\":[],\"b\":[1,{},[false],2],\"c\":{\"d\":true}}");
}

/* Strings and keys escaped by the JSON rules of the events. */
static void test_strings(void **state)
{
	struct sb b;
	struct jw j = jw_new(&b);
	static const char unterminated[4] = { 'a', 'b', 'c', 'd' };

	jw_begin_object(&j);
	jw_key(&j, "k\"\x01");
	jw_string(&j, "\\\xff\xe2\x80\xae\n\xc3\xa9");
	jw_key(&j, "n");
	jw_string_n(&j, unterminated, 3);
	jw_key(&j, "m");
	jw_string_n(&j, "ab", 16);
	jw_end_object(&j);
	sb_finish(&b);
	assert_string_equal(buf, "{\"k\\\"\\u0001\":\"\\\\\\udcff\\u202e\\u000a\xc3\xa9\","
			    "\"n\":\"abc\",\"m\":\"ab\"}");
}

static void test_numbers(void **state)
{
	struct sb b;
	struct jw j = jw_new(&b);

	jw_begin_array(&j);
	jw_u64(&j, 0);
	jw_u64(&j, UINT64_MAX);
	jw_double(&j, 5);
	jw_double(&j, 0.5);
	jw_double(&j, 0);
	jw_time_ns(&j, 1764005105123456789LL);
	jw_end_array(&j);
	sb_finish(&b);
	assert_string_equal(buf, "[0,18446744073709551615,5,0.5,0,"
			    "\"2025-11-24T17:25:05.123456789Z\"]");
}

/*
 * The lost-events record of user/stats.c, which main.c wrote with
 * fprintf before: the same bytes, interval and final forms.
 */
static void test_lost_record(void **state)
{
	static const struct stats_pid_lost by_pid[] = {
		{ .pid = 123, .lost = 7 }, { .pid = 4194304, .lost = 3 },
	};
	struct sb b = { .p = buf, .size = sizeof(buf) };

	(void)state;
	stats__lost_json(&b, 1764005105000000042LL, 3, 10, false, NULL, 0, 5);
	sb_finish(&b);
	assert_string_equal(buf, "{\"type\":\"lost\",\"time\":\"2025-11-24T17:25:05.000000042Z\","
			    "\"lost\":3,\"total_lost\":10,\"final\":false}\n");
	b.len = 0;
	stats__lost_json(&b, 1764005105000000042LL, 3, 10, true, by_pid, 2, 0);
	sb_finish(&b);
	assert_string_equal(buf, "{\"type\":\"lost\",\"time\":\"2025-11-24T17:25:05.000000042Z\","
			    "\"lost\":3,\"total_lost\":10,\"final\":true,"
			    "\"by_pid\":{\"123\":7,\"4194304\":3},"
			    "\"lost_without_pid\":0}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commas),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_lost_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
