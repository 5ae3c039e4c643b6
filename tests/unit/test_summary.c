// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/summary.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "user/summary.h"

/* 2025-11-24T17:25:05Z, plus 123456789 ns of monotonic time */
#define T_SEC 1764005105LL
#define NOW_NS 123456789ULL

static char *out;	/* output of the last print() (open_memstream) */
static size_t out_len;

static const char cid_a[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char cid_b[] =
	"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

static struct summary_opts opts(bool json, double interval_s, uint64_t lost)
{
	struct summary_opts o = {
		.json = json,
		.realtime_offset_ns = T_SEC * 1000000000LL,
		.now_ns = NOW_NS,
		.interval_s = interval_s,
		.lost = lost,
	};

	return o;
}

static struct summary_row row(const char *event, uint32_t pid,
			      const char *comm, const char *cid, uint64_t count)
{
	struct summary_row r;

	memset(&r, 0, sizeof(r));
	strncpy(r.event, event, sizeof(r.event) - 1);
	r.pid = pid;
	strncpy(r.comm, comm, sizeof(r.comm) - 1);
	strncpy(r.container_id, cid, sizeof(r.container_id) - 1);
	r.count = count;
	return r;
}

static const char *print(const struct summary_opts *o,
			 struct summary_row *rows, size_t n)
{
	FILE *f;

	free(out);
	out = NULL;
	f = open_memstream(&out, &out_len);
	assert_non_null(f);
	assert_int_equal(summary__print(f, o, rows, n), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(out), out_len);
	return out;
}

/* ---- output hygiene: valid UTF-8, no control characters ---- */

/* Length of the valid UTF-8 sequence at s (strict), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t left, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 1;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 2;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 3;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (left < n + 1)
		return 0;
	for (i = 1; i <= n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return n + 1;
}

/* No C0 but \n, no DEL, no C1, no bidi controls; valid UTF-8. */
static void assert_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), k;
	uint32_t c;

	while (left) {
		k = utf8_len(p, left, &c);
		assert_int_not_equal(k, 0);
		assert_true(c == '\n' || (c >= 0x20 && c != 0x7f));
		assert_false(c >= 0x80 && c <= 0x9f);
		assert_false(c >= 0x202a && c <= 0x202e);
		assert_false(c >= 0x2066 && c <= 0x2069);
		p += k;
		left -= k;
	}
}

/* ---- a tiny strict JSON checker ---- */

struct js {
	const char *p;
	int depth;
};

static bool js_value(struct js *j);

static void js_ws(struct js *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool js_hex4(const char *p)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return false;
	return true;
}

static bool js_string(struct js *j)
{
	const unsigned char *p = (const unsigned char *)j->p;
	uint32_t c;
	size_t k;

	if (*p++ != '"')
		return false;
	for (;;) {
		if (*p == '"')
			break;
		if (*p < 0x20)	/* also the terminating NUL */
			return false;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (!js_hex4((const char *)p + 1))
					return false;
				p += 5;
			} else if (*p && strchr("\"\\/bfnrt", *p)) {
				p++;
			} else {
				return false;
			}
			continue;
		}
		k = utf8_len(p, strlen((const char *)p), &c);
		if (!k)
			return false;
		p += k;
	}
	j->p = (const char *)p + 1;
	return true;
}

static bool js_number(struct js *j)
{
	const char *p = j->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return true;
}

static bool js_seq(struct js *j, char close, bool object)
{
	j->p++;
	js_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		js_ws(j);
		if (object) {
			if (!js_string(j))
				return false;
			js_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!js_value(j))
			return false;
		js_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool js_value(struct js *j)
{
	bool ok;

	js_ws(j);
	if (++j->depth > 64)
		return false;
	switch (*j->p) {
	case '{':
		ok = js_seq(j, '}', true);
		break;
	case '[':
		ok = js_seq(j, ']', false);
		break;
	case '"':
		ok = js_string(j);
		break;
	case 't':
		ok = !strncmp(j->p, "true", 4);
		j->p += ok ? 4 : 0;
		break;
	case 'f':
		ok = !strncmp(j->p, "false", 5);
		j->p += ok ? 5 : 0;
		break;
	case 'n':
		ok = !strncmp(j->p, "null", 4);
		j->p += ok ? 4 : 0;
		break;
	default:
		ok = js_number(j);
	}
	j->depth--;
	return ok;
}

/* s is exactly one JSON value followed by one newline. */
static void assert_json_line(const char *s)
{
	struct js j = { .p = s };
	size_t len = strlen(s);

	assert_true(len > 1);
	assert_int_equal(s[len - 1], '\n');
	assert_ptr_equal(strchr(s, '\n'), s + len - 1);
	assert_true(js_value(&j));
	assert_string_equal(j.p, "\n");
	assert_clean(s);
}

static void test_json_checker(void **state)
{
	struct js j;
	static const char *bad[] = {
		"{\"a\":1,}", "[1 2]", "\"\x01\"", "\"\\x41\"", "\"\xff\"",
		"01", "{\"a\"}", "[", "\"\\u12\"", "tru",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = (struct js){ .p = bad[i] };
		assert_false(js_value(&j) && *j.p == '\0');
	}
	assert_json_line("{\"a\":[1,-2.5e+3,true,null,\"\\u00e9\xc3\xa9\"]}\n");
}

/* ---- tests ---- */

static void setup_tz(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_sort_order(void **state)
{
	struct summary_row rows[] = {
		row("open", 20, "py", "", 5),
		row("exec", 30, "py", "", 7),
		row("open", 10, "py", "", 5),
		row("compile", 10, "py", "", 5),
		row("open", 5, "py", "", 9),
		row("\xff", 1, "py", "", 5),	/* bytes compare unsigned */
		row("import", 1, "py", "", 0),
	};
	struct summary_opts o = opts(false, 0, 0);

	print(&o, rows, 7);
	assert_int_equal(rows[0].count, 9);
	assert_int_equal(rows[1].count, 7);
	assert_string_equal(rows[2].event, "compile");
	assert_string_equal(rows[3].event, "open");
	assert_int_equal(rows[3].pid, 10);
	assert_string_equal(rows[4].event, "open");
	assert_int_equal(rows[4].pid, 20);
	assert_string_equal(rows[5].event, "\xff");
	assert_string_equal(rows[6].event, "import");
	/* the output follows the same order */
	assert_string_equal(out,
		"--- totals ---\n"
		"  COUNT PID     COMM             EVENT\n"
		"      9 5       py               open\n"
		"      7 30      py               exec\n"
		"      5 10      py               compile\n"
		"      5 10      py               open\n"
		"      5 20      py               open\n"
		"      5 1       py               \\xff\n"
		"      0 1       py               import\n");
}

static void test_text_columns(void **state)
{
	struct summary_row rows[] = {
		row("open", 123, "python3", "", 42),
		row("socket.connect", 4194304, "python3.11-long", "", 3),
	};
	struct summary_opts o = opts(false, 5, 0);

	setup_tz();
	print(&o, rows, 2);
	assert_string_equal(out,
		"--- 17:25:05 (last 5s) ---\n"
		"  COUNT PID     COMM             EVENT\n"
		"     42 123     python3          open\n"
		"      3 4194304 python3.11-long  socket.connect\n");
	assert_clean(out);

	/* a count wider than 7 digits widens the column */
	rows[0].count = 123456789012ULL;
	o = opts(false, 0.5, 0);
	print(&o, rows, 2);
	assert_string_equal(out,
		"--- 17:25:05 (last 0.5s) ---\n"
		"       COUNT PID     COMM             EVENT\n"
		"123456789012 123     python3          open\n"
		"           3 4194304 python3.11-long  socket.connect\n");
}

static void test_text_containers(void **state)
{
	struct summary_row rows[] = {
		row("open", 1, "python3", cid_a, 2),
		row("exec", 2, "sh", "", 1),
		row("import", 3, "python3", cid_b, 10),
	};
	struct summary_opts o = opts(false, 0, 0);

	print(&o, rows, 3);
	assert_string_equal(out,
		"--- totals ---\n"
		"  COUNT PID     COMM             CONTAINER    EVENT\n"
		"     10 3       python3          fedcba987654 import\n"
		"      2 1       python3          0123456789ab open\n"
		"      1 2       sh               -            exec\n");
}

static void test_json(void **state)
{
	struct summary_row rows[] = {
		row("open", 123, "python3", "", 42),
		row("import", 7, "py\"\\", cid_a, 43),
	};
	struct summary_opts o = opts(true, 5, 0);
	char exp[1024];

	print(&o, rows, 2);
	assert_json_line(out);
	snprintf(exp, sizeof(exp),
		 "{\"type\":\"summary\",\"time\":\"2025-11-24T17:25:05.123456789Z\","
		 "\"interval_s\":5,\"final\":false,\"rows\":["
		 "{\"event\":\"import\",\"pid\":7,\"comm\":\"py\\\"\\\\\","
		 "\"container_id\":\"%s\",\"count\":43},"
		 "{\"event\":\"open\",\"pid\":123,\"comm\":\"python3\","
		 "\"count\":42}],\"lost\":0}\n", cid_a);
	assert_string_equal(out, exp);

	/* final, with a cut name */
	rows[0].event_truncated = true;
	o = opts(true, 0, 0);
	print(&o, rows, 2);
	assert_json_line(out);
	assert_non_null(strstr(out, "\"interval_s\":0,\"final\":true,"));
	assert_non_null(strstr(out, "{\"event\":\"import\","
				    "\"event_truncated\":true,\"pid\":7,"));
	assert_null(strstr(out, "import..."));
	/* only the cut row is marked */
	assert_null(strstr(strstr(out, "truncated") + 1, "truncated"));
}

static void test_escaping(void **state)
{
	struct summary_row rows[] = {
		row("\x1b[2J", 1, "a b\x1b", "", 3),
		row("\xff", 2, "\xe2\x80\xae" "evil", "", 2),
		row("x\xe2\x80\xae" "y\x7f\xc2\x85\t\n\\", 3, "\xc3\xa9t\xc3\xa9",
		    "", 1),
	};
	struct summary_opts o = opts(false, 0, 0);

	print(&o, rows, 3);
	assert_clean(out);
	assert_string_equal(out,
		"--- totals ---\n"
		"  COUNT PID     COMM             EVENT\n"
		"      3 1       a\\x20b\\x1b       \\x1b[2J\n"
		"      2 2       \\u202eevil       \\xff\n"
		"      1 3       \xc3\xa9t\xc3\xa9              "
		"x\\u202ey\\x7f\\x85\\t\\n\\\\\n");

	/* a cut name ends in ... in text */
	rows[0].event_truncated = true;
	print(&o, rows, 1);
	assert_non_null(strstr(out, " \\x1b[2J...\n"));

	o = opts(true, 5, 0);
	print(&o, rows, 3);
	assert_json_line(out);
	assert_non_null(strstr(out, "{\"event\":\"\\u001b[2J\","
				    "\"event_truncated\":true,\"pid\":1,"
				    "\"comm\":\"a b\\u001b\""));
	assert_non_null(strstr(out, "{\"event\":\"\\udcff\",\"pid\":2,"
				    "\"comm\":\"\\u202eevil\""));
	assert_non_null(strstr(out, "{\"event\":\"x\\u202ey\\u007f\\u0085"
				    "\\u0009\\u000a\\\\\",\"pid\":3,"
				    "\"comm\":\"\xc3\xa9t\xc3\xa9\""));
}

static void test_unterminated(void **state)
{
	struct summary_row r;
	struct summary_opts o = opts(false, 0, 0);

	/* every array full, no NUL anywhere: nothing is read past them */
	memset(&r, 'A', sizeof(r));
	r.event_truncated = false;
	r.other = false;
	r.pid = 9;
	r.count = 1;
	print(&o, &r, 1);
	assert_clean(out);
	o = opts(true, 0, 0);
	print(&o, &r, 1);
	assert_json_line(out);
}

static void test_zero_rows(void **state)
{
	struct summary_opts o = opts(false, 0, 0);

	assert_string_equal(print(&o, NULL, 0), "--- totals ---\n(no events)\n");
	setup_tz();
	o = opts(false, 2, 0);
	assert_string_equal(print(&o, NULL, 0),
			    "--- 17:25:05 (last 2s) ---\n(no events)\n");
	o = opts(true, 2, 0);
	print(&o, NULL, 0);
	assert_json_line(out);
	assert_string_equal(out,
		"{\"type\":\"summary\",\"time\":\"2025-11-24T17:25:05.123456789Z\","
		"\"interval_s\":2,\"final\":false,\"rows\":[],\"lost\":0}\n");
}

static void test_lost(void **state)
{
	struct summary_row rows[] = { row("open", 1, "py", "", 4) };
	struct summary_opts o = opts(false, 0, 17);

	assert_string_equal(print(&o, rows, 1),
		"--- totals ---\n"
		"  COUNT PID     COMM             EVENT\n"
		"      4 1       py               open\n"
		"(17 events lost)\n");
	assert_string_equal(print(&o, NULL, 0),
		"--- totals ---\n(17 events lost)\n(no events)\n");
	o = opts(true, 0, 17);
	print(&o, rows, 1);
	assert_json_line(out);
	assert_non_null(strstr(out, "],\"lost\":17}\n"));
}

/* A full table: (other) rows and the events not counted, both forms;
 * a real event named "(other)" is not an other row in JSON. */
static void test_other_rows(void **state)
{
	struct summary_row rows[] = {
		row("", 5, "victim", "", 100),
		row("(other)", 6, "liar", "", 3),
	};
	struct summary_opts o = opts(false, 0, 0);

	rows[0].other = true;
	o.not_counted = 7;
	assert_string_equal(print(&o, rows, 2),
		"--- totals ---\n"
		"  COUNT PID     COMM             EVENT\n"
		"    100 5       victim           (other)\n"
		"      3 6       liar             (other)\n"
		"(7 events not counted: the summary table and its (other) "
		"rows were full)\n");
	o = opts(true, 0, 0);
	o.not_counted = 7;
	print(&o, rows, 2);
	assert_json_line(out);
	assert_non_null(strstr(out, "{\"event\":\"(other)\",\"other\":true,"
				    "\"pid\":5,\"comm\":\"victim\",\"count\":100}"));
	assert_non_null(strstr(out, "{\"event\":\"(other)\",\"pid\":6,"));
	assert_non_null(strstr(out, "],\"lost\":0,\"not_counted\":7}\n"));
}

static void test_json_negative_offset(void **state)
{
	/* monotonic time larger than the (negative) offset: still sane */
	struct summary_opts o = opts(true, 1, 0);

	o.realtime_offset_ns = -1;
	o.now_ns = 0;
	print(&o, NULL, 0);
	assert_json_line(out);
	assert_non_null(strstr(out, "\"time\":\"1969-12-31T23:59:59.999999999Z\""));
}

static void test_write_failure(void **state)
{
	struct summary_row rows[] = {
		row("open", 1, "py", "", 4),
		row("exec", 2, "py", "", 3),
	};
	struct summary_opts o = opts(false, 0, 0);
	static char vbuf[8];
	FILE *f = fopen("/dev/full", "w");
	int ret;

	if (!f)
		skip();
	assert_int_equal(setvbuf(f, vbuf, _IOFBF, sizeof(vbuf)), 0);
	ret = summary__print(f, &o, rows, 2);
	assert_true(ret < 0);
	assert_int_equal(ret, -ENOSPC);
	fclose(f);

	/* a short print that fits the buffer fails at the flush */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	assert_int_equal(setvbuf(f, NULL, _IOFBF, 4096), 0);
	o = opts(true, 0, 0);
	assert_int_equal(summary__print(f, &o, NULL, 0), -ENOSPC);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_sort_order),
		cmocka_unit_test(test_text_columns),
		cmocka_unit_test(test_text_containers),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_zero_rows),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_other_rows),
		cmocka_unit_test(test_json_negative_offset),
		cmocka_unit_test(test_write_failure),
	};
	int ret;

	setup_tz();
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(out);
	return ret;
}
