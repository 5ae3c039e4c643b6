// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/format.c (through user/record.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "user/format.h"
#include "user/record.h"
#include "recbuild.h"

static struct rb r;
static struct rec_event ev;
static char out[1 << 19];	/* format__event output (fmemopen) */
static char vbuf[1 << 16];	/* format__repr / format__json_value output */

static const struct event_def def_open = {
	.name = "open",
	.nargs = 3,
	.args = { "path", "mode", "flags" },
};

static const struct format_opts text_opts = { .json = false };
static const struct format_opts json_opts = { .json = true };

static void decode_ok(void)
{
	rb_finish(&r);
	assert_int_equal(record__decode(r.buf, r.len, &ev), 0);
}

/* One whole line of format__event. */
static const char *line(const struct format_opts *o,
			const struct event_def *def)
{
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	format__event(f, o, &(struct event_view){ .ev = &ev, .def = def });
	fclose(f);
	return out;
}

/* Record with one argument: start it, add the arg, then repr()/json(). */
static void start1(void)
{
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "x");
}

static const char *repr(void)
{
	size_t n;

	decode_ok();
	n = format__repr(vbuf, sizeof(vbuf), &ev.args[0]);
	assert_int_equal(n, strlen(vbuf));
	return vbuf;
}

static const char *json(void)
{
	size_t n;

	decode_ok();
	n = format__json_value(vbuf, sizeof(vbuf), &ev.args[0]);
	assert_int_equal(n, strlen(vbuf));
	return vbuf;
}

/* Both forms of the value built by add(). */
#define CHECK_VALUE(add, text_exp, json_exp)			\
	do {							\
		start1();					\
		add;						\
		assert_string_equal(repr(), text_exp);		\
		start1();					\
		add;						\
		assert_string_equal(json(), json_exp);		\
	} while (0)

static int setup_tz(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_header(void **state)
{
	FILE *f = fmemopen(out, sizeof(out), "w");

	(void)state;
	format__header(f, &text_opts);
	fclose(f);
	assert_string_equal(out,
			    "TIME            PID     TID     COMM             EVENT ARGS\n");
	f = fmemopen(out, sizeof(out), "w");
	format__header(f, &json_opts);
	assert_int_equal(ftell(f), 0);
	fclose(f);
}

/* 2026-11-24T17:25:01.123456789Z with ts_ns = 1 s */
#define OFFSET_NS 1795541100123456789ll

static void build_open(void)
{
	rb_start(&r, PA_SRC_USDT, 0, 3);
	rb_str(&r, "open");
	rb_str(&r, "/etc/hosts");
	rb_str(&r, "r");
	rb_int(&r, 524288);
	decode_ok();
}

static void test_text_line(void **state)
{
	struct format_opts o = { .realtime_offset_ns = OFFSET_NS };

	(void)state;
	build_open();
	assert_string_equal(line(&o, &def_open),
		"17:25:01.123456 4242    4243    python3.11       open "
		"path='/etc/hosts' mode='r' flags=524288\n");
	assert_string_equal(line(&o, NULL),
		"17:25:01.123456 4242    4243    python3.11       open "
		"arg0='/etc/hosts' arg1='r' arg2=524288\n");
}

static void test_json_line(void **state)
{
	struct format_opts o = { .json = true,
				 .realtime_offset_ns = OFFSET_NS };
	struct event_def short_def = { .name = "open", .nargs = 1,
				       .args = { "path" } };

	(void)state;
	build_open();
	assert_ptr_equal(strstr(line(&o, &def_open),
		"{\"time\":\"2026-11-24T17:25:01.123456789Z\",\"pid\":4242,"
		"\"tid\":4243,\"uid\":1000,\"comm\":\"python3.11\","
		"\"event\":\"open\",\"args\":{\"path\":\"/etc/hosts\","
		"\"mode\":\"r\",\"flags\":524288},\"probe\":\"usdt\","
		"\"process\":{\"ppid\":"), out);
	/* the process object closes the line; pid, tid, uid and comm are
	 * not repeated in it */
	assert_non_null(strstr(out, ",\"gid\":"));
	assert_null(strstr(strstr(out, "\"process\":"), "\"comm\""));
	assert_string_equal(out + strlen(out) - 3, "}}\n");
	/* fewer names than values */
	assert_non_null(strstr(line(&o, &short_def),
		"\"args\":{\"path\":\"/etc/hosts\",\"arg1\":\"r\","
		"\"arg2\":524288}"));
	o.json = false;
	assert_non_null(strstr(line(&o, &short_def),
		" open path='/etc/hosts' arg1='r' arg2=524288\n"));
}

/* One JSON line of the event with v.proc = pi. */
static const char *line_of(const struct format_opts *o,
			   const struct proc_info *pi)
{
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	format__event(f, o, &(struct event_view){ .ev = &ev, .def = &def_open,
						  .proc = pi });
	fclose(f);
	return out;
}

/*
 * format.c keeps the last process object's text: it must follow the
 * process, the cache's refills (gen), the record's fields and the
 * options, and never serve a struct no cache filled (gen 0).
 */
static void test_process_object_kept(void **state)
{
	static struct proc_info a, b;
	struct format_opts o = { .json = true };
	struct format_opts r = { .json = true, .redact = true };

	(void)state;
	build_open();
	strcpy(a.exe, "/a/python");
	a.gen = 1001;
	strcpy(b.exe, "/b/python");
	b.gen = 1002;
	assert_non_null(strstr(line_of(&o, &a), "\"exe\":\"/a/python\""));
	assert_non_null(strstr(line_of(&o, &a), "\"exe\":\"/a/python\""));
	assert_non_null(strstr(line_of(&o, &b), "\"exe\":\"/b/python\""));
	assert_non_null(strstr(line_of(&o, &a), "\"exe\":\"/a/python\""));
	/* refilled by its cache: a new gen */
	strcpy(a.exe, "/c/python");
	a.gen = 1003;
	assert_non_null(strstr(line_of(&o, &a), "\"exe\":\"/c/python\""));
	/* the record's fields */
	ev.hdr.ppid = 777;
	assert_non_null(strstr(line_of(&o, &a), "\"process\":{\"ppid\":777,"));
	ev.hdr.ppid = 778;
	assert_non_null(strstr(line_of(&o, &a), "\"process\":{\"ppid\":778,"));
	/* the options: --redact masks the command line's URL passwords */
	memcpy(a.cmdline, "curl\0https://u:secret@h/", 25);
	a.cmdline_len = 25;
	a.gen = 1004;
	assert_non_null(strstr(line_of(&o, &a), "u:secret@h"));
	assert_null(strstr(line_of(&r, &a), "secret"));
	assert_non_null(strstr(line_of(&o, &a), "u:secret@h"));
	/* gen 0: built each time, whatever changed at that address */
	a.gen = 0;
	a.cmdline_len = 0;
	strcpy(a.exe, "/d/python");
	assert_non_null(strstr(line_of(&o, &a), "\"exe\":\"/d/python\""));
	strcpy(a.exe, "/e/python");
	assert_non_null(strstr(line_of(&o, &a), "\"exe\":\"/e/python\""));
}

static void test_time(void **state)
{
	struct format_opts o = { .json = true };
	struct pa_event h;

	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_str(&r, "t");
	h = rb_get_hdr(&r);
	h.ts_ns = 0;
	rb_set_hdr(&r, &h);
	decode_ok();
	assert_non_null(strstr(line(&o, NULL),
			"\"time\":\"1970-01-01T00:00:00.000000000Z\""));
	o.realtime_offset_ns = -1;
	assert_non_null(strstr(line(&o, NULL),
			"\"time\":\"1969-12-31T23:59:59.999999999Z\""));
	o.realtime_offset_ns = 951782400000000001ll;	/* leap day 2000 */
	assert_non_null(strstr(line(&o, NULL),
			"\"time\":\"2000-02-29T00:00:00.000000001Z\""));
	o.json = false;
	assert_string_equal(line(&o, NULL),
			    "00:00:00.000000 4242    4243    python3.11       t\n");
	o.realtime_offset_ns = 86399999999999ll;
	assert_string_equal(line(&o, NULL),
			    "23:59:59.999999 4242    4243    python3.11       t\n");

	/* a hostile timestamp still gives a well-formed time */
	h.ts_ns = UINT64_MAX;
	rb_set_hdr(&r, &h);
	decode_ok();
	o.realtime_offset_ns = INT64_MAX;
	o.json = true;
	assert_non_null(strstr(line(&o, NULL), "Z\",\"pid\":4242,"));
}

static void test_scalars(void **state)
{
	(void)state;
	CHECK_VALUE(rb_none(&r), "None", "null");
	CHECK_VALUE(rb_true(&r), "True", "true");
	CHECK_VALUE(rb_false(&r), "False", "false");
	CHECK_VALUE(rb_unreadable(&r), "<unreadable>",
		    "{\"type\":\"unreadable\"}");
	CHECK_VALUE(rb_int(&r, INT64_MIN), "-9223372036854775808",
		    "-9223372036854775808");
	CHECK_VALUE(rb_int(&r, 0), "0", "0");
	CHECK_VALUE(rb_uint(&r, UINT64_MAX), "18446744073709551615",
		    "18446744073709551615");
}

static void test_floats(void **state)
{
	static const struct {
		double d;
		const char *s;
	} cases[] = {
		{ 0.1, "0.1" },
		{ 1e300, "1e+300" },
		{ -0.0, "-0.0" },
		{ 0.0, "0.0" },
		{ 5.0, "5.0" },
		{ 100.0, "100.0" },
		{ 0.5, "0.5" },
		{ 1e16, "1e+16" },
		{ 1e15, "1000000000000000.0" },
		{ 1e22, "1e+22" },
		{ 12345678901234567.0, "1.2345678901234568e+16" },
		{ 9007199254740993.0, "9007199254740992.0" },
		{ 1e-5, "1e-05" },
		{ -1.5e-7, "-1.5e-07" },
		{ 0.0001, "0.0001" },
		{ 123.456, "123.456" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ 2.5e-310, "2.5e-310" },
		{ 5e-324, "5e-324" },
		{ DBL_MAX, "1.7976931348623157e+308" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_VALUE(rb_float(&r, cases[i].d), cases[i].s, cases[i].s);
	}
	CHECK_VALUE(rb_float(&r, INFINITY), "inf",
		    "{\"type\":\"float\",\"value\":\"inf\"}");
	CHECK_VALUE(rb_float(&r, -INFINITY), "-inf",
		    "{\"type\":\"float\",\"value\":\"-inf\"}");
	CHECK_VALUE(rb_float(&r, NAN), "nan",
		    "{\"type\":\"float\",\"value\":\"nan\"}");
}

static void test_bigints(void **state)
{
	static const uint32_t two64[] = { 0, 0, 16 };
	static const uint32_t two100[] = { 0, 0, 0, 1024 };
	static const uint32_t two239[] = { 0, 0, 0, 0, 0, 0, 0, 1u << 29 };
	static const uint32_t max[] = {
		0x3fffffff, 0x3fffffff, 0x3fffffff, 0x3fffffff,
		0x3fffffff, 0x3fffffff, 0x3fffffff, 0x3fffffff };
	static const uint32_t small[] = { 42 };
	static const uint32_t zero_top[] = { 7, 0, 0 };

	(void)state;
	CHECK_VALUE(rb_pylong(&r, 0, 3, two64, 3), "18446744073709551616",
		    "18446744073709551616");
	CHECK_VALUE(rb_pylong(&r, PA_VF_NEGATIVE, 4, two100, 4),
		    "-1267650600228229401496703205376",
		    "-1267650600228229401496703205376");
	CHECK_VALUE(rb_pylong(&r, 0, 8, two239, 8),
		    "883423532389192164791648750371459257913741948437809479060803100646309888",
		    "883423532389192164791648750371459257913741948437809479060803100646309888");
	CHECK_VALUE(rb_pylong(&r, 0, 8, max, 8),
		    "1766847064778384329583297500742918515827483896875618958121606201292619775",
		    "1766847064778384329583297500742918515827483896875618958121606201292619775");
	CHECK_VALUE(rb_pylong(&r, PA_VF_NEGATIVE, 1, small, 1), "-42", "-42");
	CHECK_VALUE(rb_pylong(&r, 0, 0, NULL, 0), "0", "0");
	CHECK_VALUE(rb_pylong(&r, PA_VF_NEGATIVE, 0, NULL, 0), "0", "0");
	CHECK_VALUE(rb_pylong(&r, 0, 3, zero_top, 3), "7", "7");
	CHECK_VALUE(rb_pylong(&r, PA_VF_TRUNCATED | PA_VF_NEGATIVE, 12, two239, 8),
		    "<int: 12 digits, truncated>",
		    "{\"type\":\"int\",\"truncated\":true,\"digits30\":12}");
	CHECK_VALUE(rb_pylong(&r, PA_VF_TRUNCATED, 100, NULL, 0),
		    "<int: 100 digits, truncated>",
		    "{\"type\":\"int\",\"truncated\":true,\"digits30\":100}");
}

#define U8(s) rb_val(&r, PA_T_STR_UTF8, 0, s, sizeof(s) - 1)
#define U1(s) rb_val(&r, PA_T_STR_UCS1, 0, s, sizeof(s) - 1)
#define BY(s) rb_val(&r, PA_T_BYTES, 0, s, sizeof(s) - 1)

static void test_str_escapes(void **state)
{
	static const uint16_t sur[] = { 'a', 0xd800, 0xdc00, 0xe9 };
	static const uint16_t rlo2[] = { 0x202e, 'x' };
	static const uint32_t rlo4[] = { 0x202e, 0x1f600, 0x10ffff };
	static const uint32_t bad4[] = { 0x110000, 0xdfff, 0xffffffff };
	static const uint32_t tag4[] = { 0xe0041, 0xe007f };
	static const uint32_t wch[] = { 'a', 0, 'b' };
	static const uint32_t inv[] = { 0x200b, 0x2028, 0x2029, 0xfeff,
					0x2066, 0x2069, 0x115f, 0x3000 };

	(void)state;
	CHECK_VALUE(U8("abc"), "'abc'", "\"abc\"");
	CHECK_VALUE(U8(""), "''", "\"\"");
	CHECK_VALUE(U8("\x1b[2J"), "'\\x1b[2J'", "\"\\u001b[2J\"");
	CHECK_VALUE(U8("\x1b]52;c;aGk=\x07"), "'\\x1b]52;c;aGk=\\x07'",
		    "\"\\u001b]52;c;aGk=\\u0007\"");
	CHECK_VALUE(U8("a\rb\nc\td"), "'a\\rb\\nc\\td'",
		    "\"a\\u000db\\u000ac\\u0009d\"");
	CHECK_VALUE(U8("\b\x7f"), "'\\x08\\x7f'", "\"\\u0008\\u007f\"");
	CHECK_VALUE(U8("a\0b"), "'a\\x00b'", "\"a\\u0000b\"");
	CHECK_VALUE(U8("it's \\ \""), "'it\\'s \\\\ \"'",
		    "\"it's \\\\ \\\"\"");
	/* printable non-ASCII stays UTF-8 */
	CHECK_VALUE(U8("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80"),
		    "'caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80'",
		    "\"caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80\"");
	/* C1 as UTF-8 (U+009B CSI), U+202E */
	CHECK_VALUE(U8("\xc2\x9b" "2J\xe2\x80\xae"), "'\\x9b2J\\u202e'",
		    "\"\\u009b2J\\u202e\"");
	/* invalid UTF-8: stray, cut, overlong, encoded surrogate, > U+10FFFF */
	CHECK_VALUE(U8("\xff\xc3("), "'\\xff\\xc3('", "\"\\udcff\\udcc3(\"");
	CHECK_VALUE(U8("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80"),
		    "'\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80'",
		    "\"\\udcc0\\udcaf\\udced\\udca0\\udc80\\udcf4\\udc90\\udc80\\udc80\"");
	CHECK_VALUE(U8("\xe2\x80"), "'\\xe2\\x80'", "\"\\udce2\\udc80\"");
	/* latin-1 */
	CHECK_VALUE(U1("\x1b\x85\x9b\xa0\xad\xe9\xff"),
		    "'\\x1b\\x85\\x9b\\xa0\\xad\xc3\xa9\xc3\xbf'",
		    "\"\\u001b\\u0085\\u009b\\u00a0\\u00ad\xc3\xa9\xc3\xbf\"");
	/* UCS2: lone surrogates are code points of their own; in JSON, the
	 * surrogateescape of their UTF-8-style bytes (jq rejects "\ud800") */
	CHECK_VALUE(rb_ucs2(&r, 0, sur, 4), "'a\\ud800\\udc00\xc3\xa9'",
		    "\"a\\udced\\udca0\\udc80\\udced\\udcb0\\udc80\xc3\xa9\"");
	CHECK_VALUE(rb_ucs2(&r, 0, sur + 1, 1), "'\\ud800'",
		    "\"\\udced\\udca0\\udc80\"");
	CHECK_VALUE(rb_ucs2(&r, 0, rlo2, 2), "'\\u202ex'", "\"\\u202ex\"");
	/* UCS4 */
	CHECK_VALUE(rb_ucs4(&r, 0, rlo4, 2), "'\\u202e\xf0\x9f\x98\x80'",
		    "\"\\u202e\xf0\x9f\x98\x80\"");
	CHECK_VALUE(rb_ucs4(&r, 0, rlo4 + 2, 1), "'\\U0010ffff'",
		    "\"\\udbff\\udfff\"");
	CHECK_VALUE(rb_ucs4(&r, 0, bad4, 3),
		    "'\\U00110000\\udfff\\Uffffffff'",
		    "\"\\ufffd\\udced\\udcbf\\udcbf\\ufffd\"");
	CHECK_VALUE(rb_ucs4(&r, 0, tag4, 2), "'\\U000e0041\\U000e007f'",
		    "\"\\udb40\\udc41\\udb40\\udc7f\"");
	CHECK_VALUE(rb_ucs4(&r, PA_VF_WCHAR, wch, 3), "'a'", "\"a\"");
	CHECK_VALUE(rb_ucs4(&r, 0, wch, 3), "'a\\x00b'", "\"a\\u0000b\"");
	CHECK_VALUE(rb_ucs4(&r, 0, inv, 8),
		    "'\\u200b\\u2028\\u2029\\ufeff\\u2066\\u2069\\u115f\\u3000'",
		    "\"\\u200b\\u2028\\u2029\\ufeff\\u2066\\u2069\\u115f\\u3000\"");
}

static void test_bytes(void **state)
{
	(void)state;
	CHECK_VALUE(BY(""), "b''", "{\"type\":\"bytes\",\"text\":\"\",\"base64\":\"\"}");
	CHECK_VALUE(BY("abc"), "b'abc'",
		    "{\"type\":\"bytes\",\"text\":\"abc\",\"base64\":\"YWJj\"}");
	CHECK_VALUE(BY("ab"), "b'ab'",
		    "{\"type\":\"bytes\",\"text\":\"ab\",\"base64\":\"YWI=\"}");
	CHECK_VALUE(BY("\0\xff"), "b'\\x00\\xff'",
		    "{\"type\":\"bytes\",\"base64\":\"AP8=\"}");
	CHECK_VALUE(BY("\x1b[2J\r\b'\\\n\t\x7f\x9b"),
		    "b'\\x1b[2J\\r\\x08\\'\\\\\\n\\t\\x7f\\x9b'",
		    "{\"type\":\"bytes\",\"base64\":\"G1sySg0IJ1wKCX+b\"}");
	CHECK_VALUE(rb_val(&r, PA_T_BYTES, PA_VF_TRUNCATED, "ab", 2),
		    "b'ab'...",
		    "{\"type\":\"bytes\",\"text\":\"ab\",\"base64\":\"YWI=\",\"truncated\":true}");
	/* valid UTF-8 carries its text, controls JSON-escaped */
	CHECK_VALUE(BY("ls -l\n\xc3\xa9"), "b'ls -l\\n\\xc3\\xa9'",
		    "{\"type\":\"bytes\",\"text\":\"ls -l\\u000a\u00e9\","
		    "\"base64\":\"bHMgLWwKw6k=\"}");
	/* overlong, surrogate, lone continuation: no text */
	CHECK_VALUE(BY("\xc0\xaf"), "b'\\xc0\\xaf'",
		    "{\"type\":\"bytes\",\"base64\":\"wK8=\"}");
	CHECK_VALUE(BY("\xed\xa0\x80"), "b'\\xed\\xa0\\x80'",
		    "{\"type\":\"bytes\",\"base64\":\"7aCA\"}");
	CHECK_VALUE(BY("a\x80"), "b'a\\x80'",
		    "{\"type\":\"bytes\",\"base64\":\"YYA=\"}");
	/* a cut value: the text stops before a character cut short ... */
	CHECK_VALUE(rb_val(&r, PA_T_BYTES, PA_VF_TRUNCATED, "a\xe4\xb8", 3),
		    "b'a\\xe4\\xb8'...",
		    "{\"type\":\"bytes\",\"text\":\"a\",\"base64\":\"YeS4\","
		    "\"truncated\":true}");
	/* ... which a whole value may not end in */
	CHECK_VALUE(rb_val(&r, PA_T_BYTES, 0, "a\xe4\xb8", 3),
		    "b'a\\xe4\\xb8'",
		    "{\"type\":\"bytes\",\"base64\":\"YeS4\"}");
}

static void test_containers(void **state)
{
	(void)state;
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE, 0, 1), rb_int(&r, 1), rb_end(&r)),
		    "(1,)", "[1]");
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE, 0, 0), rb_end(&r)), "()", "[]");
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, 0, 0), rb_end(&r)), "[]", "[]");
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, 0, 1), rb_int(&r, 1), rb_end(&r)),
		    "[1]", "[1]");
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE, 0, 2), rb_int(&r, 1),
		     rb_str(&r, "a"), rb_end(&r)),
		    "(1, 'a')", "[1,\"a\"]");
	/* nested tuple in list: [(1, 'a'), (None,), []] */
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, 0, 3),
		     rb_seq(&r, PA_T_TUPLE, 0, 2), rb_int(&r, 1),
		     rb_str(&r, "a"), rb_end(&r),
		     rb_seq(&r, PA_T_TUPLE, 0, 1), rb_none(&r), rb_end(&r),
		     rb_seq(&r, PA_T_LIST, 0, 0), rb_end(&r),
		     rb_end(&r)),
		    "[(1, 'a'), (None,), []]", "[[1,\"a\"],[null],[]]");
	/* code and objects */
	CHECK_VALUE((rb_code(&r), rb_str(&r, "a.py"), rb_str(&r, "<module>")),
		    "<code '<module>' file 'a.py'>",
		    "{\"type\":\"code\",\"filename\":\"a.py\",\"name\":\"<module>\"}");
	CHECK_VALUE((rb_code(&r), rb_unreadable(&r), rb_str(&r, "f\n")),
		    "<code 'f\\n' file <unreadable>>",
		    "{\"type\":\"code\",\"filename\":{\"type\":\"unreadable\"},"
		    "\"name\":\"f\\u000a\"}");
	CHECK_VALUE(rb_object(&r, 0, "dict"), "<dict object>",
		    "{\"type\":\"object\",\"typename\":\"dict\"}");
	CHECK_VALUE(rb_object(&r, 0, "a b\x1b\xff\""),
		    "<a\\x20b\\x1b\\xff\" object>",
		    "{\"type\":\"object\",\"typename\":\"a b\\u001b\\udcff\\\"\"}");
	CHECK_VALUE(rb_object(&r, PA_VF_TRUNCATED, "Foo"), "<Foo... object>",
		    "{\"type\":\"object\",\"typename\":\"Foo\",\"truncated\":true}");
}

/*
 * The mark is BPF's decision (bpf/record.bpf.h, pyobject.bpf.h,
 * buildvalue.bpf.h): user space prints it from the flag alone, never from
 * a length. A value of exactly the 256-byte bound in each form is whole
 * without the flag, and marked with it.
 */
static void test_mark_at_bound(void **state)
{
	static uint8_t u1[PA_STR_MAX];
	static uint16_t u2[PA_STR_MAX / 2];
	static uint32_t u4[PA_STR_MAX / 4];
	static char plain[4 * PA_STR_MAX + 64], cut[5 * PA_STR_MAX];
	static const char *const forms[] = { "a", "\xc3\xa9", "\xc4\x80",
					     "\xf0\x9f\x98\x80" };
	size_t i, k, units[] = { PA_STR_MAX, PA_STR_MAX, PA_STR_MAX / 2,
				 PA_STR_MAX / 4 };
	char *p, *q;

	(void)state;
	memset(u1, 0xe9, sizeof(u1));
	for (i = 0; i < PA_STR_MAX / 2; i++)
		u2[i] = 0x100;
	for (i = 0; i < PA_STR_MAX / 4; i++)
		u4[i] = 0x1f600;
	for (k = 0; k < 4; k++) {
		p = plain + sprintf(plain, "\"");
		for (i = 0; i < units[k]; i++)
			p += sprintf(p, "%s", forms[k]);
		sprintf(p, "\"");
		q = cut + sprintf(cut, "{\"type\":\"str\",\"value\":");
		sprintf(q, "%s,\"truncated\":true}", plain);
		for (int flags = 0; flags <= PA_VF_TRUNCATED; flags += PA_VF_TRUNCATED) {
			start1();
			if (k == 0) {
				memset(vbuf, 'a', PA_STR_MAX);
				rb_val(&r, PA_T_STR_UTF8, flags, vbuf, PA_STR_MAX);
			} else if (k == 1) {
				rb_val(&r, PA_T_STR_UCS1, flags, u1, sizeof(u1));
			} else if (k == 2) {
				rb_ucs2(&r, flags, u2, PA_STR_MAX / 2);
			} else {
				rb_ucs4(&r, flags, u4, PA_STR_MAX / 4);
			}
			assert_string_equal(json(), flags ? cut : plain);
		}
	}
	/* bytes: 256 'b' */
	for (int flags = 0; flags <= PA_VF_TRUNCATED; flags += PA_VF_TRUNCATED) {
		start1();
		memset(u1, 'b', sizeof(u1));
		rb_val(&r, PA_T_BYTES, flags, u1, sizeof(u1));
		assert_non_null(strstr(json(), "\"base64\":\"YmJi"));
		assert_int_equal(strstr(vbuf, "\"truncated\":true") != NULL, flags != 0);
	}
}

static void test_truncation(void **state)
{
	(void)state;
	CHECK_VALUE(rb_val(&r, PA_T_STR_UTF8, PA_VF_TRUNCATED, "abc", 3),
		    "'abc'...",
		    "{\"type\":\"str\",\"value\":\"abc\",\"truncated\":true}");
	/* cut in the middle of a UTF-8 sequence */
	CHECK_VALUE(rb_val(&r, PA_T_STR_UTF8, PA_VF_TRUNCATED, "a\xc3", 2),
		    "'a\\xc3'...",
		    "{\"type\":\"str\",\"value\":\"a\\udcc3\",\"truncated\":true}");
	/* a list of 5 with 2 decoded, flagged or not */
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, PA_VF_TRUNCATED, 5), rb_int(&r, 1),
		     rb_int(&r, 2), rb_end(&r)),
		    "[1, 2, ...]",
		    "{\"type\":\"list\",\"length\":5,\"items\":[1,2],\"truncated\":true}");
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, 0, 5), rb_int(&r, 1),
		     rb_int(&r, 2), rb_end(&r)),
		    "[1, 2, ...]",
		    "{\"type\":\"list\",\"length\":5,\"items\":[1,2],\"truncated\":true}");
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE, PA_VF_TRUNCATED, 2), rb_int(&r, 1),
		     rb_end(&r)),
		    "(1, ...)",
		    "{\"type\":\"tuple\",\"length\":2,\"items\":[1],\"truncated\":true}");
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE,
			    PA_VF_TRUNCATED | PA_VF_LEN_UNKNOWN, 0),
		     rb_end(&r)),
		    "(...)",
		    "{\"type\":\"tuple\",\"items\":[],\"truncated\":true}");
	/* below the depth limit */
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED, 3), rb_end(&r)),
		    "[...3 items]",
		    "{\"type\":\"list\",\"length\":3,\"items\":[],\"truncated\":true}");
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE, PA_VF_NOT_EXPANDED, 1), rb_end(&r)),
		    "(...1 item)",
		    "{\"type\":\"tuple\",\"length\":1,\"items\":[],\"truncated\":true}");
	CHECK_VALUE((rb_seq(&r, PA_T_LIST,
			    PA_VF_NOT_EXPANDED | PA_VF_LEN_UNKNOWN, 0),
		     rb_end(&r)),
		    "[...]",
		    "{\"type\":\"list\",\"items\":[],\"truncated\":true}");
	/* a list whose length is unknown but not cut */
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, PA_VF_LEN_UNKNOWN, 0),
		     rb_int(&r, 1), rb_end(&r)),
		    "[1]", "[1]");
}

/*
 * A subclass's value: text NAME(value); JSON the kind's object form with
 * "typename" after "type" (docs/output.md). Plain values keep theirs.
 */
static void test_subclass(void **state)
{
	static const uint32_t five[] = { 5 }, big[] = { 1, 2, 3 };
	static const uint16_t u2[] = { 0xe9, 0x4e2d };
	double nan = NAN, inf = -INFINITY;

	(void)state;
	CHECK_VALUE((rb_subclass(&r, 0, "MyStr"), rb_ucs1(&r, "abc")),
		    "MyStr('abc')",
		    "{\"type\":\"str\",\"typename\":\"MyStr\",\"value\":\"abc\"}");
	CHECK_VALUE((rb_subclass(&r, 0, "S"), rb_ucs2(&r, 0, u2, 2)),
		    "S('\u00e9\u4e2d')",
		    "{\"type\":\"str\",\"typename\":\"S\",\"value\":\"\u00e9\u4e2d\"}");
	CHECK_VALUE((rb_subclass(&r, 0, "S"),
		     rb_val(&r, PA_T_STR_UCS1, PA_VF_TRUNCATED, "ab", 2)),
		    "S('ab'...)",
		    "{\"type\":\"str\",\"typename\":\"S\",\"value\":\"ab\","
		    "\"truncated\":true}");
	CHECK_VALUE((rb_subclass(&r, 0, "MyBytes"),
		     rb_val(&r, PA_T_BYTES, 0, "x", 1)),
		    "MyBytes(b'x')",
		    "{\"type\":\"bytes\",\"typename\":\"MyBytes\",\"text\":\"x\",\"base64\":\"eA==\"}");
	CHECK_VALUE((rb_subclass(&r, 0, "B"),
		     rb_val(&r, PA_T_BYTES, PA_VF_TRUNCATED, "x", 1)),
		    "B(b'x'...)",
		    "{\"type\":\"bytes\",\"typename\":\"B\",\"text\":\"x\",\"base64\":\"eA==\","
		    "\"truncated\":true}");
	CHECK_VALUE((rb_subclass(&r, 0, "MyInt"),
		     rb_pylong(&r, PA_VF_NEGATIVE, 1, five, 1)),
		    "MyInt(-5)",
		    "{\"type\":\"int\",\"typename\":\"MyInt\",\"value\":-5}");
	CHECK_VALUE((rb_subclass(&r, 0, "MyInt"), rb_pylong(&r, 0, 0, NULL, 0)),
		    "MyInt(0)",
		    "{\"type\":\"int\",\"typename\":\"MyInt\",\"value\":0}");
	CHECK_VALUE((rb_subclass(&r, 0, "I"),
		     rb_pylong(&r, PA_VF_TRUNCATED, 9, big, 3)),
		    "I(<int: 9 digits, truncated>)",
		    "{\"type\":\"int\",\"typename\":\"I\",\"truncated\":true,"
		    "\"digits30\":9}");
	CHECK_VALUE((rb_subclass(&r, 0, "MyFloat"), rb_float(&r, 1.5)),
		    "MyFloat(1.5)",
		    "{\"type\":\"float\",\"typename\":\"MyFloat\",\"value\":1.5}");
	CHECK_VALUE((rb_subclass(&r, 0, "F"), rb_float(&r, nan)), "F(nan)",
		    "{\"type\":\"float\",\"typename\":\"F\",\"value\":\"nan\"}");
	CHECK_VALUE((rb_subclass(&r, 0, "F"), rb_float(&r, inf)), "F(-inf)",
		    "{\"type\":\"float\",\"typename\":\"F\",\"value\":\"-inf\"}");
	CHECK_VALUE((rb_subclass(&r, 0, "MyTuple"), rb_seq(&r, PA_T_TUPLE, 0, 1),
		     rb_int(&r, 1), rb_end(&r)),
		    "MyTuple((1,))",
		    "{\"type\":\"tuple\",\"typename\":\"MyTuple\",\"items\":[1]}");
	CHECK_VALUE((rb_subclass(&r, 0, "T"), rb_seq(&r, PA_T_TUPLE, 0, 0),
		     rb_end(&r)),
		    "T(())", "{\"type\":\"tuple\",\"typename\":\"T\",\"items\":[]}");
	CHECK_VALUE((rb_subclass(&r, 0, "time.struct_time"),
		     rb_seq(&r, PA_T_TUPLE, PA_VF_TRUNCATED, 9), rb_int(&r, 1970),
		     rb_end(&r)),
		    "time.struct_time((1970, ...))",
		    "{\"type\":\"tuple\",\"typename\":\"time.struct_time\","
		    "\"length\":9,\"items\":[1970],\"truncated\":true}");
	CHECK_VALUE((rb_subclass(&r, 0, "L"),
		     rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED, 3), rb_end(&r)),
		    "L([...3 items])",
		    "{\"type\":\"list\",\"typename\":\"L\",\"length\":3,\"items\":[],"
		    "\"truncated\":true}");
	CHECK_VALUE((rb_subclass(&r, 0, "L"),
		     rb_seq(&r, PA_T_LIST, PA_VF_LEN_UNKNOWN, 0), rb_end(&r)),
		    "L([])", "{\"type\":\"list\",\"typename\":\"L\",\"items\":[]}");
	/* nested in a plain list, and holding one */
	CHECK_VALUE((rb_seq(&r, PA_T_LIST, 0, 2), rb_subclass(&r, 0, "S"),
		     rb_ucs1(&r, "e"), rb_subclass(&r, 0, "L"),
		     rb_seq(&r, PA_T_LIST, 0, 1), rb_subclass(&r, 0, "S"),
		     rb_ucs1(&r, "f"), rb_end(&r), rb_end(&r)),
		    "[S('e'), L([S('f')])]",
		    "[{\"type\":\"str\",\"typename\":\"S\",\"value\":\"e\"},"
		    "{\"type\":\"list\",\"typename\":\"L\",\"items\":["
		    "{\"type\":\"str\",\"typename\":\"S\",\"value\":\"f\"}]}]");
	/* the value unreadable */
	CHECK_VALUE((rb_subclass(&r, 0, "S"), rb_unreadable(&r)),
		    "S(<unreadable>)",
		    "{\"type\":\"unreadable\",\"typename\":\"S\"}");
	/* the name: escaped like an object's, cut, unreadable (empty, cut) */
	CHECK_VALUE((rb_subclass(&r, 0, "a b\x1b\xff\""), rb_ucs1(&r, "q")),
		    "a\\x20b\\x1b\\xff\"('q')",
		    "{\"type\":\"str\",\"typename\":\"a b\\u001b\\udcff\\\"\","
		    "\"value\":\"q\"}");
	CHECK_VALUE((rb_subclass(&r, PA_VF_TRUNCATED, "NNN"), rb_ucs1(&r, "v")),
		    "NNN...('v')",
		    "{\"type\":\"str\",\"typename\":\"NNN\","
		    "\"typename_truncated\":true,\"value\":\"v\"}");
	CHECK_VALUE((rb_subclass(&r, PA_VF_TRUNCATED, ""), rb_float(&r, 2.0)),
		    "...(2.0)",
		    "{\"type\":\"float\",\"typename\":\"\",\"typename_truncated\":true,"
		    "\"value\":2.0}");
	/* plain values keep their forms */
	CHECK_VALUE(rb_ucs1(&r, "abc"), "'abc'", "\"abc\"");
	CHECK_VALUE(rb_pylong(&r, 0, 1, five, 1), "5", "5");
	CHECK_VALUE(rb_float(&r, 1.5), "1.5", "1.5");
	CHECK_VALUE((rb_seq(&r, PA_T_TUPLE, 0, 1), rb_int(&r, 1), rb_end(&r)),
		    "(1,)", "[1]");
}

/* Hand-made trees (not from the decoder): a PA_T_SUBCLASS without its
 * value, and too deep a one, still give one token and valid JSON. */
static void test_subclass_handmade(void **state)
{
	struct rec_value kid = { .tag = PA_T_STR_UCS1, .len = 1,
				 .data = (const uint8_t *)"v" };
	struct rec_value v = { .tag = PA_T_SUBCLASS, .len = 1,
			       .data = (const uint8_t *)"S" };
	struct sb b = { .p = vbuf, .size = sizeof(vbuf) };

	(void)state;
	format__repr(vbuf, sizeof(vbuf), &v);
	assert_string_equal(vbuf, "<S object>");
	format__json_value(vbuf, sizeof(vbuf), &v);
	assert_string_equal(vbuf, "{\"type\":\"object\",\"typename\":\"S\"}");
	v.nchildren = 1;
	v.children = &kid;
	repr_value(&b, &v, FORMAT_DEPTH_MAX);
	sb_finish(&b);
	assert_string_equal(vbuf, "<S object>");
	b = (struct sb){ .p = vbuf, .size = sizeof(vbuf) };
	json_value(&b, &v, FORMAT_DEPTH_MAX);
	sb_finish(&b);
	assert_string_equal(vbuf, "{\"type\":\"object\",\"typename\":\"S\"}");
}

static void test_event_marks(void **state)
{
	static const uint16_t n2[] = { 'e', 0x202e };
	struct format_opts t = { 0 }, j = { .json = true };
	struct pa_event h;
	const char *s;

	(void)state;
	/* 2 of 5 args delivered */
	rb_start(&r, PA_SRC_SYS_AUDIT, PA_EV_ARGS_TRUNCATED, 2);
	rb_str(&r, "ev");
	rb_int(&r, 1);
	rb_int(&r, 2);
	h = rb_get_hdr(&r);
	h.total_args = 5;
	rb_set_hdr(&r, &h);
	decode_ok();
	s = line(&t, NULL);
	assert_non_null(strstr(s, " ev arg0=1 arg1=2 ...(+3 more args)\n"));
	s = line(&j, NULL);
	assert_non_null(strstr(s, "\"args\":{\"arg0\":1,\"arg1\":2},"
			"\"probe\":\"sys_audit\",\"truncated\":true,"
			"\"total_args\":5,\"process\":{"));

	/* record full, count unknown */
	rb_start(&r, PA_SRC_VALIST, PA_EV_REC_FULL, 1);
	rb_str(&r, "ev");
	rb_none(&r);
	decode_ok();
	assert_non_null(strstr(line(&t, NULL), " ev arg0=None ...(truncated)\n"));
	assert_non_null(strstr(line(&j, NULL),
		"\"probe\":\"sys_audit_tstate\",\"truncated\":true,\"process\":{"));

	/* unknown format code */
	rb_start(&r, PA_SRC_VARARGS, PA_EV_BAD_FORMAT, 0);
	rb_str(&r, "ev");
	decode_ok();
	assert_non_null(strstr(line(&t, NULL), " ev ...(truncated)\n"));
	assert_non_null(strstr(line(&j, NULL),
		"\"args\":{},\"probe\":\"PySys_Audit\",\"truncated\":true,\"process\":{"));

	/* unreadable name */
	rb_start(&r, PA_SRC_VARARGS_TS, PA_EV_NAME_UNREADABLE, 0);
	rb_unreadable(&r);
	decode_ok();
	assert_non_null(strstr(line(&t, NULL), "python3.11       <unreadable>\n"));
	assert_non_null(strstr(line(&j, NULL),
		"\"event\":null,\"args\":{},\"probe\":\"_PySys_Audit\",\"process\":{"));

	/* truncated, escaped names */
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_val(&r, PA_T_STR_UTF8, PA_VF_TRUNCATED, "op", 2);
	decode_ok();
	assert_non_null(strstr(line(&t, NULL), "python3.11       op...\n"));
	assert_non_null(strstr(line(&j, NULL),
		"\"event\":\"op\",\"args\":{},\"probe\":\"usdt\","
		"\"event_truncated\":true,\"process\":{"));
	rb_start(&r, PA_SRC_USDT, 0, 1);
	rb_str(&r, "a b\x1b[2J\n\\");
	rb_int(&r, 1);
	decode_ok();
	assert_non_null(strstr(line(&t, NULL),
			       "python3.11       a\\x20b\\x1b[2J\\n\\\\ arg0=1\n"));
	assert_non_null(strstr(line(&j, NULL),
			       "\"event\":\"a b\\u001b[2J\\u000a\\\\\""));
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_ucs2(&r, 0, n2, 2);
	decode_ok();
	assert_non_null(strstr(line(&t, NULL), "       e\\u202e\n"));
	assert_non_null(strstr(line(&j, NULL), "\"event\":\"e\\u202e\""));
}

static void test_comm(void **state)
{
	struct format_opts t = { 0 }, j = { .json = true };
	struct pa_event h;

	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_str(&r, "ev");
	h = rb_get_hdr(&r);
	memcpy(h.comm, "\x1b[31m\xff\x07 x\xc3\xa9", 12);
	rb_set_hdr(&r, &h);
	decode_ok();
	assert_string_equal(line(&t, NULL),
		"00:00:01.000000 4242    4243    \\x1b[31m\\xff\\x07\\x20x\xc3\xa9 ev\n");
	assert_non_null(strstr(line(&j, NULL),
		"\"comm\":\"\\u001b[31m\\udcff\\u0007 x\xc3\xa9\""));

	/* 16 bytes, no NUL */
	memcpy(h.comm, "abcdefghijklmnop", 16);
	rb_set_hdr(&r, &h);
	decode_ok();
	assert_string_equal(line(&t, NULL),
		"00:00:01.000000 4242    4243    abcdefghijklmnop ev\n");
	assert_non_null(strstr(line(&j, NULL), "\"comm\":\"abcdefghijklmnop\""));

	/* short, multibyte: padded by characters */
	memset(h.comm, 0, sizeof(h.comm));
	memcpy(h.comm, "\xc3\xa9t\xc3\xa9", 5);
	h.pid = 1234567;
	rb_set_hdr(&r, &h);
	decode_ok();
	assert_string_equal(line(&t, NULL),
		"00:00:01.000000 1234567 4243    \xc3\xa9t\xc3\xa9              ev\n");
}

static void test_snprintf_semantics(void **state)
{
	char small[6];
	size_t n;

	(void)state;
	start1();
	rb_str(&r, "hello world");
	decode_ok();
	memset(small, 'Z', sizeof(small));
	n = format__repr(small, sizeof(small), &ev.args[0]);
	assert_int_equal(n, 13);
	assert_string_equal(small, "'hell");
	n = format__repr(NULL, 0, &ev.args[0]);
	assert_int_equal(n, 13);
	n = format__json_value(small, 1, &ev.args[0]);
	assert_int_equal(n, 13);
	assert_string_equal(small, "");
	n = format__json_value(small, sizeof(small), &ev.args[0]);
	assert_string_equal(small, "\"hell");

	n = format__name(small, sizeof(small), &ev.name, true);
	assert_int_equal(n, 1);
	assert_string_equal(small, "x");
}

static void test_format_name(void **state)
{
	(void)state;
	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_str(&r, "os.system");
	decode_ok();
	format__name(vbuf, sizeof(vbuf), &ev.name, true);
	assert_string_equal(vbuf, "os.system");
	format__name(vbuf, sizeof(vbuf), &ev.name, false);
	assert_string_equal(vbuf, "os.system");

	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_val(&r, PA_T_STR_UTF8, 0, "a b\0\"", 5);
	decode_ok();
	format__name(vbuf, sizeof(vbuf), &ev.name, true);
	assert_string_equal(vbuf, "a\\x20b\\x00\"");
	format__name(vbuf, sizeof(vbuf), &ev.name, false);
	assert_string_equal(vbuf, "a b\\u0000\\\"");

	rb_start(&r, PA_SRC_USDT, 0, 0);
	rb_unreadable(&r);
	decode_ok();
	format__name(vbuf, sizeof(vbuf), &ev.name, true);
	assert_string_equal(vbuf, "<unreadable>");
	format__name(vbuf, sizeof(vbuf), &ev.name, false);
	assert_string_equal(vbuf, "");
}

/* ---- output validators for the worst-case and random tests ---- */

struct jp {
	const unsigned char *s;
	size_t n, i;
	int depth;
};

static bool j_value(struct jp *p);

static bool j_lit(struct jp *p, const char *lit)
{
	size_t l = strlen(lit);

	if (p->n - p->i < l || memcmp(p->s + p->i, lit, l))
		return false;
	p->i += l;
	return true;
}

static bool j_digits(struct jp *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static bool j_number(struct jp *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (!(p->i < p->n && p->s[p->i] >= '1' && p->s[p->i] <= '9') ||
		 !j_digits(p))
		return false;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!j_digits(p))
			return false;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!j_digits(p))
			return false;
	}
	return true;
}

/* Four hex digits after the u of \\u; p->i ends on the last one. */
static bool j_hex4(struct jp *p, unsigned *v)
{
	static const char hex[] = "0123456789abcdef";
	const char *h;
	int k;

	*v = 0;
	for (k = 0; k < 4; k++) {
		if (++p->i >= p->n || !p->s[p->i] ||
		    !(h = strchr(hex, p->s[p->i] | 0x20)))
			return false;
		*v = *v << 4 | (unsigned)(h - hex);
	}
	return true;
}

static bool j_string(struct jp *p)
{
	unsigned u;

	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	for (p->i++; p->i < p->n; p->i++) {
		unsigned char c = p->s[p->i];

		if (c == '"') {
			p->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (++p->i >= p->n)
			return false;
		c = p->s[p->i];
		if (strchr("\"\\/bfnrt", c))
			continue;
		if (c != 'u' || !j_hex4(p, &u))
			return false;
		/* A high surrogate escape must start a pair: jq rejects a
		 * lone one (and then stops reading the file). */
		if (u >= 0xd800 && u <= 0xdbff) {
			if (p->i + 2 >= p->n || p->s[p->i + 1] != '\\' ||
			    p->s[p->i + 2] != 'u')
				return false;
			p->i += 2;
			if (!j_hex4(p, &u) || u < 0xdc00 || u > 0xdfff)
				return false;
		}
	}
	return false;
}

static bool j_seq(struct jp *p, char close, bool object)
{
	p->i++;
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return true;
	}
	for (;;) {
		if (object) {
			if (!j_string(p) || p->i >= p->n || p->s[p->i] != ':')
				return false;
			p->i++;
		}
		if (!j_value(p) || p->i >= p->n)
			return false;
		if (p->s[p->i] == close) {
			p->i++;
			return true;
		}
		if (p->s[p->i] != ',')
			return false;
		p->i++;
	}
}

static bool j_value(struct jp *p)
{
	bool ok;

	if (p->i >= p->n || ++p->depth > 64)
		return false;
	switch (p->s[p->i]) {
	case '{':
		ok = j_seq(p, '}', true);
		break;
	case '[':
		ok = j_seq(p, ']', false);
		break;
	case '"':
		ok = j_string(p);
		break;
	case 't':
		ok = j_lit(p, "true");
		break;
	case 'f':
		ok = j_lit(p, "false");
		break;
	case 'n':
		ok = j_lit(p, "null");
		break;
	default:
		ok = j_number(p);
	}
	p->depth--;
	return ok;
}

/* A whole JSON Lines line: one object, then "\n", nothing else. */
static bool json_line_ok(const char *s, size_t n)
{
	struct jp p = { .s = (const unsigned char *)s, .n = n };

	if (!n || s[0] != '{' || !j_value(&p))
		return false;
	return p.i == n - 1 && s[p.i] == '\n';
}

/*
 * Strict UTF-8 with no control characters (C0 but the final \n, DEL,
 * C1) and none of the invisible/bidi characters.
 */
static bool clean_utf8(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, len;
	uint32_t c;

	while (i < n) {
		if (s[i] < 0x80) {
			c = s[i];
			len = 1;
		} else if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			c = s[i] & 0x1f;
			len = 2;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			c = s[i] & 0x0f;
			len = 3;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			c = s[i] & 0x07;
			len = 4;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		if ((c < 0x20 && !(c == '\n' && i == n - 1)) ||
		    (c >= 0x7f && c <= 0x9f))
			return false;
		if ((c >= 0x200b && c <= 0x200f) || c == 0x2028 ||
		    c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff ||
		    (c >= 0xe0000 && c <= 0xe007f))
			return false;
		i += len;
	}
	return n && s[n - 1] == '\n';
}

/* Format ev both ways into out; check both lines. */
static void check_both(const struct event_def *def, size_t *tlen,
		       size_t *jlen)
{
	static const struct format_opts t = { 0 }, j = { .json = true };
	FILE *f = fmemopen(out, sizeof(out), "w");
	long n;

	assert_non_null(f);
	format__event(f, &t, &(struct event_view){ .ev = &ev, .def = def });
	fflush(f);
	n = ftell(f);
	if (!clean_utf8(out, n) || memchr(out, '\n', n) != out + n - 1)
		fail_msg("bad text line: %.*s", (int)n, out);
	if (tlen)
		*tlen = n;
	rewind(f);
	format__event(f, &j, &(struct event_view){ .ev = &ev, .def = def });
	fflush(f);
	n = ftell(f);
	if (!clean_utf8(out, n) || !json_line_ok(out, n))
		fail_msg("bad JSON line: %.*s", (int)n, out);
	if (jlen)
		*jlen = n;
	fclose(f);
}

/*
 * The biggest expansions a record of PA_REC_MAX bytes can have still fit
 * in one line: no "output_truncated" fallback.
 */
static void test_worst_case(void **state)
{
	static const uint8_t c1[] = { 0x01, 0x85, 0xff };
	size_t tlen, jlen, k, i;
	static char fill[PA_REC_MAX];

	(void)state;
	for (k = 0; k < 7; k++) {
		rb_start(&r, PA_SRC_USDT, PA_EV_REC_FULL, 1);
		rb_str(&r, "");
		for (i = 0; k < 5 && r.len < PA_REC_MAX; i++) {
			switch (k) {
			case 0:
				rb_object(&r, PA_VF_TRUNCATED, "");
				break;
			case 1:
				rb_unreadable(&r);
				break;
			case 2:
				rb_none(&r);
				break;
			case 3:	/* 4 + 4 bytes each */
				if (i % 2 == 0)
					rb_pylong(&r, PA_VF_TRUNCATED,
						  UINT32_MAX, NULL, 0);
				else
					rb_unreadable(&r);
				break;
			case 4:
				rb_val(&r, PA_T_STR_UCS4, PA_VF_TRUNCATED,
				       NULL, 0);
				break;
			}
		}
		if (k < 5) {
			struct pa_event h = rb_get_hdr(&r);

			h.nargs = i;
			rb_set_hdr(&r, &h);
		} else {
			size_t n = PA_REC_MAX - r.len - 4;

			for (i = 0; i < n; i++)
				fill[i] = c1[i % 3];
			rb_val(&r, k == 5 ? PA_T_STR_UTF8 : PA_T_STR_UCS1,
			       PA_VF_TRUNCATED, fill, n);
		}
		decode_ok();
		assert_int_equal(ev.hdr.size, PA_REC_MAX);
		check_both(NULL, &tlen, &jlen);
		print_message("worst case %zu: text %zu, JSON %zu bytes\n",
			      k, tlen, jlen);
		assert_null(strstr(out, "output_truncated"));
		assert_true(jlen < 256 * 1024);
	}
}

static uint32_t rnd(void)
{
	return (uint32_t)rand() ^ ((uint32_t)rand() << 16);
}

/* Characters worth trying: controls, C1, bidi, surrogates, UTF-8 bits. */
static uint32_t rnd_cp(void)
{
	static const uint32_t hot[] = {
		0, 7, 8, 9, 10, 13, 0x1b, '\'', '"', '\\', 0x7f, 0x85, 0x9b,
		0xa0, 0xad, 0xe9, 0xff, 0x200b, 0x2028, 0x202e, 0x2066,
		0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfeff, 0xfffe, 0x1f600,
		0xe0041, 0x10ffff, 0x110000, 0xffffffff, 0x80000000,
	};

	switch (rand() % 4) {
	case 0:
		return hot[rand() % (sizeof(hot) / sizeof(hot[0]))];
	case 1:
		return 0x20 + rand() % 0x5f;
	case 2:
		return rand() % 0x10000;
	default:
		return rnd();
	}
}

static void gen_value(int depth)
{
	uint8_t tmp[64];
	uint32_t u, n, i;
	uint8_t flags = rand() % 4 ? 0 : rnd() & 0x1f;
	uint8_t tag = rand() % 19 ? 1 + rand() % 18 : PA_T_SUBCLASS;

	if (depth > 10 || r.len > PA_REC_MAX - 64)
		tag = PA_T_NONE;
	switch (tag) {
	case PA_T_INT:
	case PA_T_UINT:
	case PA_T_FLOAT:
		for (i = 0; i < 8; i++)
			tmp[i] = rand() % 3 ? rnd() : (rand() % 2 ? 0 : 0xff);
		if (tag == PA_T_FLOAT && rand() % 4 == 0) {
			double d = rand() % 2 ? NAN : -INFINITY;

			memcpy(tmp, &d, 8);
		}
		rb_val(&r, tag, flags, tmp, 8);
		return;
	case PA_T_PYLONG:
		n = rand() % 10;
		u = rand() % 3 ? n : rnd() % 100;
		memcpy(tmp, &u, 4);
		for (i = 0; i < n; i++) {
			u = rand() % 8 ? rnd() & 0x3fffffff : rnd();
			memcpy(tmp + 4 + 4 * i, &u, 4);
		}
		rb_val(&r, tag, flags, tmp, 4 + 4 * n);
		return;
	case PA_T_STR_UTF8:
	case PA_T_STR_UCS1:
	case PA_T_BYTES:
	case PA_T_OBJECT:
		n = rand() % 24;
		for (i = 0; i < n; i++) {
			if (rand() % 3 == 0) {
				tmp[i] = rnd();
			} else {
				u = rnd_cp();
				tmp[i] = u;
				/* UTF-8 of u, when it fits */
				if (u >= 0x80 && u < 0x800 && i + 1 < n) {
					tmp[i] = 0xc0 | u >> 6;
					tmp[++i] = 0x80 | (u & 0x3f);
				} else if (u >= 0x800 && u < 0x10000 &&
					   i + 2 < n) {
					tmp[i] = 0xe0 | u >> 12;
					tmp[++i] = 0x80 | ((u >> 6) & 0x3f);
					tmp[++i] = 0x80 | (u & 0x3f);
				}
			}
		}
		rb_val(&r, tag, flags, tmp, n);
		return;
	case PA_T_STR_UCS2:
		n = rand() % 12;
		for (i = 0; i < n; i++) {
			uint16_t s = rnd_cp();

			memcpy(tmp + 2 * i, &s, 2);
		}
		rb_val(&r, tag, flags, tmp, 2 * n);
		return;
	case PA_T_STR_UCS4:
		n = rand() % 12;
		for (i = 0; i < n; i++) {
			u = rnd_cp();
			memcpy(tmp + 4 * i, &u, 4);
		}
		rb_val(&r, tag, flags, tmp, 4 * n);
		return;
	case PA_T_TUPLE:
	case PA_T_LIST:
		n = rand() % 5;
		u = rand() % 4 ? n : rnd();
		rb_val(&r, tag, flags, &u, 4);
		for (i = 0; i < n; i++)
			gen_value(depth + 1);
		rb_end(&r);
		return;
	case PA_T_CODE:
		rb_val(&r, tag, flags, NULL, 0);
		gen_value(depth + 1);
		gen_value(depth + 1);
		return;
	case PA_T_SUBCLASS:	/* a hostile name, then any value */
		rb_val(&r, tag, flags, "N\x1b \xff\"", 6 - rand() % 7);
		gen_value(depth + 1);
		return;
	default:	/* NONE TRUE FALSE END UNREADABLE */
		rb_val(&r, tag == PA_T_END && rand() % 2 ? PA_T_NONE : tag,
		       flags, NULL, 0);
	}
}

static void gen_record(void)
{
	struct pa_event h;
	uint16_t nargs = rand() % 6, i;

	rb_start(&r, 1 + rand() % 5, rnd(), nargs);
	h = rb_get_hdr(&r);
	h.total_args = rand() % 2 ? nargs : rnd() % 10;
	h.ts_ns = (uint64_t)rnd() << 32 | rnd();
	for (i = 0; i < PA_COMM_LEN; i++)
		h.comm[i] = rand() % 2 ? rnd_cp() : (uint32_t)('a' + rand() % 26);
	rb_set_hdr(&r, &h);
	switch (rand() % 8) {
	case 0:
		rb_unreadable(&r);
		break;
	default:
		gen_value(0);	/* often not a str: rejected */
		if (rand() % 2) {
			r.len = sizeof(h);
			rb_val(&r, PA_T_STR_UTF8 + rand() % 4, rnd() & 1,
			       "op\xe2\x80\xae\0\x1b\xff\xfe\0\0\0", 12);
		}
	}
	for (i = 0; i < nargs; i++)
		gen_value(0);
	rb_finish(&r);
}

/*
 * The fast path copies runs of plain ASCII in one go; what ends a run
 * must come out exactly as the character-by-character path writes it,
 * whatever the run's length (0 to 40: every position in and across the
 * 8-byte words the run is scanned in) and whatever follows.
 */
static const struct {
	const char *s;		/* what ends the run (UTF-8 bytes) */
	const char *repr;	/* in a str repr, quoted with ' */
	const char *name;	/* unquoted token (event name): a space is \x20 */
	const char *esc;	/* format__escape text, quoted with " */
	const char *json;	/* inside a JSON string */
} stops[] = {
	{ "\"", "\"", "\"", "\\\"", "\\\"" },
	{ "\\", "\\\\", "\\\\", "\\\\", "\\\\" },
	{ "'", "\\'", "'", "'", "'" },
	{ " ", " ", "\\x20", " ", " " },
	{ "\n", "\\n", "\\n", "\\n", "\\u000a" },
	{ "\x1b", "\\x1b", "\\x1b", "\\x1b", "\\u001b" },
	{ "\x7f", "\\x7f", "\\x7f", "\\x7f", "\\u007f" },
	/* non-ASCII right after a run: printable, C1, bidi override */
	{ "\xc3\xa9", "\xc3\xa9", "\xc3\xa9", "\xc3\xa9", "\xc3\xa9" },
	{ "\xc2\x9b", "\\x9b", "\\x9b", "\\x9b", "\\u009b" },
	{ "\xe2\x80\xae", "\\u202e", "\\u202e", "\\u202e", "\\u202e" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80",
	  "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
	/* invalid UTF-8 right after a run: a stray continuation byte, an
	 * encoded surrogate, a sequence cut short by the next ASCII byte */
	{ "\x80", "\\x80", "\\x80", "\\x80", "\\udc80" },
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80", "\\xed\\xa0\\x80",
	  "\\xed\\xa0\\x80", "\\udced\\udca0\\udc80" },
	{ "\xe2\x80", "\\xe2\\x80", "\\xe2\\x80", "\\xe2\\x80",
	  "\\udce2\\udc80" },
};

static const char plain[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN/.-_=+~!#$%&()*,:;<>?@[]^`{|}";

static struct rec_value str_value(uint8_t tag, const char *s, size_t len)
{
	return (struct rec_value){ .tag = tag, .data = (const uint8_t *)s,
				   .len = len };
}

static void test_str_fast_path(void **state)
{
	char in[128], exp[256], got[256];
	struct rec_value v;
	size_t i, run, tail, n;

	(void)state;
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		for (run = 0; run <= 40; run++) {
			/* run plain bytes, the stop, then 0 or 9 more plain */
			for (tail = 0; tail <= 9; tail += 9) {
				n = snprintf(in, sizeof(in), "%.*s%s%.*s",
					     (int)run, plain, stops[i].s,
					     (int)tail, plain + 50);
				v = str_value(PA_T_STR_UTF8, in, n);

				snprintf(exp, sizeof(exp), "'%.*s%s%.*s'",
					 (int)run, plain, stops[i].repr,
					 (int)tail, plain + 50);
				format__repr(got, sizeof(got), &v);
				assert_string_equal(got, exp);

				snprintf(exp, sizeof(exp), "\"%.*s%s%.*s\"",
					 (int)run, plain, stops[i].json,
					 (int)tail, plain + 50);
				format__json_value(got, sizeof(got), &v);
				assert_string_equal(got, exp);

				snprintf(exp, sizeof(exp), "%.*s%s%.*s",
					 (int)run, plain, stops[i].name,
					 (int)tail, plain + 50);
				format__name(got, sizeof(got), &v, true);
				assert_string_equal(got, exp);

				snprintf(exp, sizeof(exp), "%.*s%s%.*s",
					 (int)run, plain, stops[i].esc,
					 (int)tail, plain + 50);
				format__escape(got, sizeof(got), in, n, false);
				assert_string_equal(got, exp);

				snprintf(exp, sizeof(exp), "%.*s%s%.*s",
					 (int)run, plain, stops[i].json,
					 (int)tail, plain + 50);
				format__escape(got, sizeof(got), in, n, true);
				assert_string_equal(got, exp);
				format__name(got, sizeof(got), &v, false);
				assert_string_equal(got, exp);
			}
		}
	}
}

/* latin-1 (UCS1) strs take the fast path too; UCS2 and UCS4 do not. */
static void test_str_fast_path_kinds(void **state)
{
	static const uint16_t u2[] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
				       'i', '"', 0xe9 };
	static const uint32_t u4[] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
				       'i', '\\', 0x1f600 };
	char got[256];
	struct rec_value v;

	(void)state;
	v = str_value(PA_T_STR_UCS1, "abcdefghi\xe9jk\x85l\"", 15);
	format__repr(got, sizeof(got), &v);
	assert_string_equal(got, "'abcdefghi\xc3\xa9jk\\x85l\"'");
	format__json_value(got, sizeof(got), &v);
	assert_string_equal(got, "\"abcdefghi\xc3\xa9jk\\u0085l\\\"\"");
	v = str_value(PA_T_STR_UCS2, (const char *)u2, sizeof(u2));
	format__repr(got, sizeof(got), &v);
	assert_string_equal(got, "'abcdefghi\"\xc3\xa9'");
	format__json_value(got, sizeof(got), &v);
	assert_string_equal(got, "\"abcdefghi\\\"\xc3\xa9\"");
	v = str_value(PA_T_STR_UCS4, (const char *)u4, sizeof(u4));
	format__repr(got, sizeof(got), &v);
	assert_string_equal(got, "'abcdefghi\\\\\xf0\x9f\x98\x80'");
	format__json_value(got, sizeof(got), &v);
	assert_string_equal(got, "\"abcdefghi\\\\\xf0\x9f\x98\x80\"");
}

/*
 * Long strings: a run of 5000 plain bytes, then 5000 bytes with
 * something to escape every 7 bytes; copied whole, and cut like
 * snprintf (a prefix of the whole, the whole length returned) at every
 * buffer size around the run's end.
 */
static void test_str_fast_path_long(void **state)
{
	static char in[10000], exp[20000], got[20000];
	size_t i, n = 0, size, len;
	struct rec_value v;

	(void)state;
	memset(in, 'a', 5000);
	for (i = 5000; i < sizeof(in); i++)
		in[i] = i % 7 ? 'b' : '"';
	for (i = 0; i < sizeof(in); i++) {
		if (in[i] == '"')
			exp[n++] = '\\';
		exp[n++] = in[i];
	}
	exp[n] = '\0';
	len = format__escape(got, sizeof(got), in, sizeof(in), true);
	assert_int_equal(len, n);
	assert_string_equal(got, exp);
	for (size = 4990; size < 5010; size++) {
		memset(got, 'Z', size + 8);
		len = format__escape(got, size, in, sizeof(in), true);
		assert_int_equal(len, n);
		assert_int_equal(strlen(got), size - 1);
		assert_memory_equal(got, exp, size - 1);
	}
	/* the same in a str value (len is 16 bits: 10000 fits) */
	v = str_value(PA_T_STR_UTF8, in, sizeof(in));
	len = format__json_value(got, sizeof(got), &v);
	assert_int_equal(len, n + 2);
	assert_memory_equal(got + 1, exp, n);
	/* text: a run of 5000, then \xff and a quote */
	memcpy(in + 5000, "\xff'x", 3);
	len = format__escape(got, sizeof(got), in, 5003, false);
	assert_int_equal(len, 5000 + 4 + 2);
	assert_memory_equal(got + 5000, "\\xff'x", 7);
}

/* A stream that records its writes: each must end at a line end. */
static size_t cookie_writes, cookie_bytes;

static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
	(void)c;
	assert_true(size > 0);
	assert_int_equal(buf[size - 1], '\n');
	cookie_writes++;
	cookie_bytes += size;
	return size;
}

/*
 * Block-buffered output (as pyaudit's): format__event flushes before a
 * line that does not fit in what is left of the buffer, so the stream
 * never writes a full buffer that ends inside a line.
 */
static void test_event_writes_whole_lines(void **state)
{
	/* the longest line (an argument of 699 bytes, the process object
	 * with its exec_id) fits the buffer */
	static char sbuf[1200], arg[700];
	cookie_io_functions_t io = { .write = cookie_write };
	struct format_opts o = { .json = true };
	size_t i, bytes = 0;
	FILE *f;

	(void)state;
	memset(arg, 'x', sizeof(arg));
	f = fopencookie(NULL, "w", io);
	assert_non_null(f);
	assert_int_equal(setvbuf(f, sbuf, _IOFBF, sizeof(sbuf)), 0);
	cookie_writes = cookie_bytes = 0;
	for (i = 0; i < 200; i++) {
		o.json = i % 3;
		rb_start(&r, PA_SRC_USDT, 0, 1);
		rb_str(&r, "ev");
		rb_val(&r, PA_T_STR_UTF8, 0, arg, i * 37 % sizeof(arg));
		decode_ok();
		format__event(f, &o, &(struct event_view){ .ev = &ev });
		bytes += strlen(line(&o, NULL));
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(cookie_bytes, bytes);
	assert_true(cookie_writes > 20);
}

/*
 * Random records, raw random bytes and mutations of both: never crash;
 * whatever is accepted formats to a clean text line and valid JSON.
 */
static void test_fuzz(void **state)
{
	static const struct event_def def = {
		.name = "x", .nargs = 2, .args = { "a", "b" }
	};
	static uint8_t buf[PA_REC_MAX + 16];
	size_t i, j, n, accepted = 0, tries = 200000;
	char small[9];

	(void)state;
	srand(578);
	for (i = 0; i < tries; i++) {
		gen_record();
		n = r.len < sizeof(buf) ? r.len : sizeof(buf);
		memcpy(buf, r.buf, n);
		switch (rand() % 4) {
		case 0:	/* raw random bytes after a plausible header */
			for (j = sizeof(struct pa_event); j < n; j++)
				buf[j] = rnd();
			break;
		case 1:	/* a few mutations */
			for (j = 0; j < 1 + (size_t)rand() % 3; j++)
				buf[rand() % n] = rand() % 2 ? rnd() : (uint32_t)rand() % 20;
			break;
		case 2:
			n = rand() % (n + 1);
			break;
		}
		if (record__decode(buf, n, &ev))
			continue;
		accepted++;
		check_both(i % 2 ? &def : NULL, NULL, NULL);
		for (j = 0; j < ev.nargs; j++) {
			format__repr(small, rand() % sizeof(small), &ev.args[j]);
			format__json_value(small, rand() % sizeof(small),
					   &ev.args[j]);
		}
	}
	print_message("fuzz: %zu of %zu records accepted\n", accepted, tries);
	assert_true(accepted > tries / 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_bigints),
		cmocka_unit_test(test_str_escapes),
		cmocka_unit_test(test_str_fast_path),
		cmocka_unit_test(test_str_fast_path_kinds),
		cmocka_unit_test(test_str_fast_path_long),
		cmocka_unit_test(test_event_writes_whole_lines),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_subclass),
		cmocka_unit_test(test_subclass_handmade),
		cmocka_unit_test(test_mark_at_bound),
		cmocka_unit_test(test_event_marks),
		cmocka_unit_test(test_comm),
		cmocka_unit_test(test_snprintf_semantics),
		cmocka_unit_test(test_format_name),
		cmocka_unit_test(test_process_object_kept),
		cmocka_unit_test(test_worst_case),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup_tz, NULL);
}
