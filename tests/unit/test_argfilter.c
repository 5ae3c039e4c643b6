// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of argument conditions (user/argfilter.c): the parsing of
 * "EVENT:ARG=GLOB[:ARG=GLOB]", names resolved against the event table,
 * the errors, and the glob as BPF matches it (bpf/argfilter.bpf.h and
 * glob_step in bpf/filter.bpf.h), cut texts included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include "../../user/argfilter.h"

static int parse(struct arg_filter *af, const char *event, const char *spec,
		 char *err)
{
	return argfilter__parse(af, event, spec, err, 256);
}

static void test_names_and_argn(void **state)
{
	struct arg_filter af = { 0 };
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(&af, "open", "file=/etc/*", err), 1);
	assert_int_equal(af.n, 1);
	assert_int_equal(af.v[0].arg, 0);
	assert_int_equal(af.v[0].elem, 0);
	assert_int_equal(af.v[0].bit, 0);
	assert_string_equal(af.v[0].glob, "/etc/*");
	/* a second pattern, two conditions: both carry its bit */
	assert_int_equal(parse(&af, "open", "mode=*w*:flags=5*", err), 2);
	assert_int_equal(af.n, 3);
	assert_int_equal(af.v[1].arg, 1);
	assert_int_equal(af.v[2].arg, 2);
	assert_int_equal(af.v[1].bit, 1);
	assert_int_equal(af.v[2].bit, 1);
	assert_string_equal(af.v[2].glob, "5*");
	/* argN works for a glob of events and one not in the table */
	assert_int_equal(parse(&af, "os.*", "arg0=x", err), 3);
	assert_int_equal(parse(&af, "myapp.login", "arg3=bob", err), 4);
	assert_int_equal(af.v[4].arg, 3);
}

static void test_elements_and_colons(void **state)
{
	struct arg_filter af = { 0 };
	char err[256] = "";

	(void)state;
	/* a ':' not followed by NAME= belongs to the glob */
	assert_int_equal(parse(&af, "socket.connect", "address=*:22", err), 1);
	assert_string_equal(af.v[0].glob, "*:22");
	assert_int_equal(af.v[0].arg, 1);
	assert_int_equal(parse(&af, "socket.connect", "address.1=22", err), 2);
	assert_int_equal(af.v[1].elem, 2);
	assert_string_equal(af.v[1].glob, "22");
	assert_int_equal(parse(&af, "socket.connect", "address.0=10.*:self=*", err), 3);
	assert_string_equal(af.v[2].glob, "10.*");
	assert_int_equal(af.v[3].arg, 0);
	/* ARG!=GLOB */
	assert_int_equal(parse(&af, "exec", "code_object=<*:code_object!=<frozen *>", err), 4);
	assert_false(af.v[4].neg);
	assert_true(af.v[5].neg);
	assert_int_equal(af.v[5].arg, 0);
	assert_string_equal(af.v[5].glob, "<frozen *>");
	assert_int_equal(parse(&af, "socket.connect", "address.1!=22", err), 5);
	assert_true(af.v[6].neg);
	assert_int_equal(af.v[6].elem, 2);
	assert_string_equal(af.v[6].glob, "22");
	/* an empty glob matches an empty text only */
	assert_int_equal(parse(&af, "open", "mode=", err), 6);
	assert_string_equal(af.v[7].glob, "");
}

static void test_errors(void **state)
{
	struct arg_filter af = { 0 };
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(&af, "open", "path=/etc/*", err), 0);
	assert_non_null(strstr(err, "file, mode, flags"));
	assert_int_equal(parse(&af, "op*", "file=x", err), 0);
	assert_non_null(strstr(err, "argN"));
	assert_int_equal(parse(&af, "no.such.event", "name=x", err), 0);
	assert_non_null(strstr(err, "not in the event table"));
	assert_int_equal(parse(&af, "open", "=x", err), 0);
	assert_int_equal(parse(&af, "open", "", err), 0);
	assert_int_equal(parse(&af, "open", "arg32=x", err), 0);
	assert_int_equal(parse(&af, "socket.connect", "address.16=x", err), 0);
	assert_int_equal(parse(&af, "open",
		"file=0123456789012345678901234567890123456789012345678901234567890123",
		err), 0);
	assert_non_null(strstr(err, "longer than 63"));
	/* a failed pattern leaves nothing behind */
	assert_int_equal(af.n, 0);
	assert_int_equal(af.npats, 0);
}

static void test_limits(void **state)
{
	struct arg_filter af = { 0 };
	char err[256] = "";
	int i;

	(void)state;
	for (i = 0; i < PA_CONDPATS_MAX; i++)
		assert_int_equal(parse(&af, "open", "file=x", err), i + 1);
	assert_int_equal(parse(&af, "open", "file=x", err), 0);
	assert_non_null(strstr(err, "more than 32 patterns"));
	memset(&af, 0, sizeof(af));
	for (i = 0; i < PA_CONDS_MAX / 2; i++)
		assert_int_equal(parse(&af, "open", "file=x:mode=y", err), i + 1);
	assert_int_equal(parse(&af, "open", "file=x", err), 0);
	assert_non_null(strstr(err, "more than 32 argument conditions"));
}

#define G(p, s, more) argfilter__glob(p, s, strlen(s), more)

static void test_glob(void **state)
{
	(void)state;
	assert_int_equal(G("/etc/*", "/etc/passwd", false), 1);
	assert_int_equal(G("/etc/*", "/etcx", false), 0);
	assert_int_equal(G("*:22", "127.0.0.1:22", false), 1);
	assert_int_equal(G("*:22", "127.0.0.1:222", false), 0);
	assert_int_equal(G("?2", "22", false), 1);
	assert_int_equal(G("*secret*", "/a/secret/b", false), 1);
	assert_int_equal(G("a*b*c", "axxbyyc", false), 1);
	assert_int_equal(G("a*b*c", "axxbyy", false), 0);
	assert_int_equal(G("", "", false), 1);
	assert_int_equal(G("", "x", false), 0);
	assert_int_equal(G("*", "", false), 1);
	/* a cut text: decided when the kept bytes decide */
	assert_int_equal(G("/etc/*", "/usr/lib/x", true), 0);
	assert_int_equal(G("/usr/*", "/usr/lib/x", true), 1);
	assert_int_equal(G("*secret*", "/usr/lib/x", true), 2);
	assert_int_equal(G("*secret*", "/a/secret", true), 1);
	assert_int_equal(G("/usr/lib/x", "/usr/lib/x", true), 2);
	assert_int_equal(G("*.py", "/usr/lib/x", true), 2);
}

static void test_spec(void **state)
{
	(void)state;
	assert_null(argfilter__spec("open"));
	assert_string_equal(argfilter__spec("open:file=a:b"), "file=a:b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_argn),
		cmocka_unit_test(test_elements_and_colons),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
