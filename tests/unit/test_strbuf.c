// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the output layer's primitives: user/strbuf.c (the string
 * buffer), user/timefmt.c (times) and utf8_columns (user/escape.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "user/escape.h"
#include "user/strbuf.h"
#include "user/timefmt.h"

static char buf[256];

static struct sb sb_new(void)
{
	struct sb b = { .p = buf, .size = sizeof(buf) };

	memset(buf, 0, sizeof(buf));
	return b;
}

/* Like snprintf: what fits, NUL-terminated; len counts everything. */
static void test_cut(void **state)
{
	char small[4];
	struct sb b = { .p = small, .size = sizeof(small) };
	struct sb none = { 0 };

	sb_puts(&b, "abcdef");
	sb_u64(&b, 12345);
	assert_int_equal(sb_finish(&b), 11);
	assert_string_equal(small, "abc");

	/* size 0: nothing written, only counted (a measuring pass) */
	sb_puts(&none, "abc");
	sb_u64(&none, 18446744073709551615ULL);
	sb_putc(&none, 'x');
	assert_int_equal(sb_finish(&none), 24);
}

static void test_numbers(void **state)
{
	struct sb b = sb_new();
	char want[128];

	sb_u64(&b, 0);
	sb_putc(&b, ' ');
	sb_u64(&b, 18446744073709551615ULL);
	sb_putc(&b, ' ');
	sb_i64(&b, INT64_MIN);
	sb_putc(&b, ' ');
	sb_i64(&b, -7);
	sb_putc(&b, ' ');
	sb_u64_zero(&b, 42, 5);
	sb_putc(&b, ' ');
	sb_u64_zero(&b, 123456, 2);
	sb_finish(&b);
	snprintf(want, sizeof(want), "%llu %llu %lld %lld %05d %02d", 0ULL,
		 18446744073709551615ULL, (long long)INT64_MIN, -7LL, 42, 123456);
	assert_string_equal(buf, want);
}

/* The padded forms, against printf's. */
static void test_padding(void **state)
{
	static const uint64_t vals[] = { 0, 7, 1234567, 123456789012ULL };
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct sb b = sb_new();

		sb_putc(&b, '|');
		sb_u64_left(&b, vals[i], 7);
		sb_putc(&b, '|');
		sb_u64_right(&b, vals[i], 7);
		sb_putc(&b, '|');
		sb_finish(&b);
		snprintf(want, sizeof(want), "|%-7llu|%7llu|",
			 (unsigned long long)vals[i], (unsigned long long)vals[i]);
		assert_string_equal(buf, want);
	}
	{
		struct sb b = sb_new();

		sb_puts_left(&b, "PID", 7);
		sb_putc(&b, '|');
		sb_puts_right(&b, "COUNT", 7);
		sb_putc(&b, '|');
		sb_puts_left(&b, "CONTAINERS", 4);
		sb_puts_right(&b, "LONGER", 2);
		sb_finish(&b);
		assert_string_equal(buf, "PID    |  COUNT|CONTAINERSLONGER");
	}
}

static void test_double_g(void **state)
{
	static const double vals[] = { 0, 5, 0.5, 0.1, 1e300, 123456789.25,
				       1.0 / 3 };
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct sb b = sb_new();

		sb_double_g(&b, vals[i], 15);
		sb_putc(&b, ' ');
		sb_double_g(&b, vals[i], 6);
		sb_finish(&b);
		snprintf(want, sizeof(want), "%.15g %g", vals[i], vals[i]);
		assert_string_equal(buf, want);
	}
}

static void test_hex_utf8(void **state)
{
	struct sb b = sb_new();

	sb_hex(&b, "\\x", 0x1b, 2);
	sb_hex(&b, "\\u", 0x202e, 4);
	sb_hex(&b, "\\U", 0xe0001, 8);
	sb_utf8(&b, 'a');
	sb_utf8(&b, 0xe9);
	sb_utf8(&b, 0x20ac);
	sb_utf8(&b, 0x1f600);
	sb_finish(&b);
	assert_string_equal(buf, "\\x1b\\u202e\\U000e0001a\xc3\xa9\xe2\x82\xac"
			    "\xf0\x9f\x98\x80");
}

static void test_utf8_columns(void **state)
{
	assert_int_equal(utf8_columns(""), 0);
	assert_int_equal(utf8_columns("python3"), 7);
	assert_int_equal(utf8_columns("\xc3\xa9t\xc3\xa9"), 3);
	assert_int_equal(utf8_columns("\xe2\x82\xac\xf0\x9f\x98\x80"), 2);
}

static void test_rfc3339(void **state)
{
	struct sb b = sb_new();
	time_t sec;
	long nsec;

	/* 2025-11-24T17:25:05Z and 123456789 ns */
	sb_rfc3339(&b, 1764005105123456789LL);
	sb_putc(&b, ' ');
	/* the same second again (the cached text) */
	sb_rfc3339(&b, 1764005105000000001LL);
	sb_putc(&b, ' ');
	/* before the epoch: rounded down */
	sb_rfc3339(&b, -1);
	sb_putc(&b, ' ');
	sb_rfc3339(&b, 0);
	sb_finish(&b);
	assert_string_equal(buf, "2025-11-24T17:25:05.123456789Z "
			    "2025-11-24T17:25:05.000000001Z "
			    "1969-12-31T23:59:59.999999999Z "
			    "1970-01-01T00:00:00.000000000Z");

	time_split_ns(-1000000001LL, &sec, &nsec);
	assert_int_equal(sec, -2);
	assert_int_equal(nsec, 999999999);
	time_split_ns(2000000000LL, &sec, &nsec);
	assert_int_equal(sec, 2);
	assert_int_equal(nsec, 0);
}

static void test_date_time_of_day(void **state)
{
	struct tm tm = {
		.tm_year = 2026 - 1900, .tm_mon = 0, .tm_mday = 2,
		.tm_hour = 3, .tm_min = 4, .tm_sec = 5,
	};
	struct sb b = sb_new();

	sb_date(&b, &tm);
	sb_putc(&b, ' ');
	sb_time_of_day(&b, &tm);
	sb_finish(&b);
	assert_string_equal(buf, "2026-01-02 03:04:05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_double_g),
		cmocka_unit_test(test_hex_utf8),
		cmocka_unit_test(test_utf8_columns),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_date_time_of_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
