// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/log.c: the forms of a message on stderr. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "user/log.h"

static char got[16384];

/* Run fn with stderr going to a temporary file; got holds what it wrote. */
#define CAPTURE(call)							\
	do {								\
		FILE *f_ = tmpfile();					\
		int saved_ = dup(2);					\
		size_t n_;						\
									\
		assert_non_null(f_);					\
		assert_true(saved_ >= 0);				\
		fflush(stderr);						\
		assert_true(dup2(fileno(f_), 2) == 2);			\
		call;							\
		fflush(stderr);						\
		assert_true(dup2(saved_, 2) == 2);			\
		close(saved_);						\
		rewind(f_);						\
		n_ = fread(got, 1, sizeof(got) - 1, f_);		\
		got[n_] = '\0';						\
		fclose(f_);						\
	} while (0)

static void test_text(void **state)
{
	log_json = false;
	log_verbose = 0;
	CAPTURE(p_err("cannot open %s: %s", "/tmp/x y", "No such file"));
	assert_string_equal(got, "pyaudit: error: cannot open /tmp/x y: No such file\n");
	CAPTURE(p_warn("%d lost", 3));
	assert_string_equal(got, "pyaudit: warning: 3 lost\n");
	CAPTURE(p_info("Tracing %d targets", 2));
	assert_string_equal(got, "Tracing 2 targets\n");
	CAPTURE(p_debug("hidden"));
	assert_string_equal(got, "");
	log_verbose = 1;
	CAPTURE(p_debug("shown"));
	assert_string_equal(got, "pyaudit: debug: shown\n");
	log_verbose = 0;
	/* names from traced processes: escaped, spaces kept */
	CAPTURE(p_warn("comm '%s'", "a\x1b[2J\xe2\x80\xae\xff\n\"b"));
	assert_string_equal(got, "pyaudit: warning: comm 'a\\x1b[2J\\u202e\\xff\\n\\\"b'\n");
}

static void test_json(void **state)
{
	log_json = true;
	log_verbose = 0;
	CAPTURE(p_err("cannot open %s", "/tmp/\"x\"\x01\xff"));
	assert_string_equal(got, "{\"type\":\"log\",\"level\":\"error\",\"message\":"
			    "\"cannot open /tmp/\\\"x\\\"\\u0001\\udcff\"}\n");
	CAPTURE(p_warn("w"));
	assert_string_equal(got, "{\"type\":\"log\",\"level\":\"warning\",\"message\":\"w\"}\n");
	/* progress stays text, escaped for text */
	CAPTURE(p_info("Tracing \x1b"));
	assert_string_equal(got, "Tracing \\x1b\n");
	log_verbose = 1;
	CAPTURE(p_debug("d"));
	assert_string_equal(got, "{\"type\":\"log\",\"level\":\"debug\",\"message\":\"d\"}\n");
	log_verbose = 0;
	log_json = false;
}

/* A message is cut at 1023 bytes, its escaped form at 4095. */
static void test_long(void **state)
{
	static char msg[2048], want[8192];
	size_t n;

	memset(msg, 'a', sizeof(msg) - 1);
	log_json = false;
	CAPTURE(p_err("%s", msg));
	n = snprintf(want, sizeof(want), "pyaudit: error: %.*s\n", 1023, msg);
	assert_int_equal(strlen(got), n);
	assert_string_equal(got, want);

	/* 1023 control bytes escape to 6138 bytes in JSON: cut at 4095 */
	memset(msg, '\x01', sizeof(msg) - 1);
	log_json = true;
	CAPTURE(p_err("%s", msg));
	n = snprintf(want, sizeof(want), "{\"type\":\"log\",\"level\":\"error\",\"message\":\"");
	for (size_t i = 0; i < 682; i++)
		n += snprintf(want + n, sizeof(want) - n, "\\u0001");
	n += snprintf(want + n, sizeof(want) - n, "\\u0\"}\n");
	assert_string_equal(got, want);
	log_json = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
