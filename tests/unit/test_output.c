// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/output.c: the -o file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "user/output.h"

static char dir[] = "/tmp/pyaudit-test-output.XXXXXX";
static char path[sizeof(dir) + 16];

static void put(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *get(void)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Open PATH with -o, write one line, close. */
static void append_line(const char *line)
{
	struct output o = {};

	assert_int_equal(output__open(&o, path), 0);
	fputs(line, o.f);
	assert_int_equal(output__flush(&o), 0);
	output__close(&o);
}

static void test_appends(void **state)
{
	(void)state;
	unlink(path);
	append_line("{\"a\":1}\n");
	assert_string_equal(get(), "{\"a\":1}\n");
	append_line("{\"b\":2}\n");
	assert_string_equal(get(), "{\"a\":1}\n{\"b\":2}\n");
}

/* A file cut in the middle of a line (a full disk earlier): the next
 * record is a line of its own. */
static void test_partial_line_ended(void **state)
{
	(void)state;
	put("{\"a\":1}\n{\"b\":");
	append_line("{\"c\":3}\n");
	assert_string_equal(get(), "{\"a\":1}\n{\"b\":\n{\"c\":3}\n");
	/* an empty file stays without a leading newline */
	put("");
	append_line("{\"d\":4}\n");
	assert_string_equal(get(), "{\"d\":4}\n");
}

/* Block-buffered: nothing reaches the file before a flush. */
static void test_block_buffered(void **state)
{
	struct output o = {};

	(void)state;
	unlink(path);
	assert_int_equal(output__open(&o, path), 0);
	fputs("{\"a\":1}\n", o.f);
	fputs("{\"b\":2}\n", o.f);
	assert_string_equal(get(), "");
	assert_int_equal(output__flush(&o), 0);
	assert_string_equal(get(), "{\"a\":1}\n{\"b\":2}\n");
	output__close(&o);
}

/* SIGHUP after logrotate moved the file: what was buffered goes to the
 * old file, what follows to a new one at the path. */
static void test_reopen(void **state)
{
	char moved[sizeof(path) + 4];
	struct output o = {};

	(void)state;
	snprintf(moved, sizeof(moved), "%s.1", path);
	unlink(path);
	assert_int_equal(output__open(&o, path), 0);
	fputs("{\"a\":1}\n", o.f);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(output__reopen(&o), 0);
	fputs("{\"b\":2}\n", o.f);
	assert_int_equal(output__flush(&o), 0);
	output__close(&o);
	assert_string_equal(get(), "{\"b\":2}\n");
	assert_int_equal(rename(moved, path), 0);
	assert_string_equal(get(), "{\"a\":1}\n");
	unlink(path);
}

static void test_write_error(void **state)
{
	struct output o = { .f = fopen("/dev/full", "w"), .path = "/dev/full" };

	(void)state;
	assert_non_null(o.f);
	fputs("x\n", o.f);
	assert_int_equal(output__flush(&o), -ENOSPC);
	output__close(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_partial_line_ended),
		cmocka_unit_test(test_block_buffered),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_write_error),
	};
	int ret;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/out.jsonl", dir);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	rmdir(dir);
	return ret;
}
