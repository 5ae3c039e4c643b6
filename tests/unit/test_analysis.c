// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the analysis options' pure parts: the application's
 * frame (user/appframe.c), folded stacks (user/folded.c), redaction
 * (user/redact.c), the UTF-8 check of bytes (user/escape.c) and the
 * counts by key (user/aggregate.c).
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
#include "user/aggregate.h"
#include "user/appframe.h"
#include "user/escape.h"
#include "user/folded.h"
#include "user/redact.h"

static bool lib(const char *path, const struct appframe_opts *o)
{
	return appframe__is_lib(path, strlen(path), o);
}

static void test_is_lib(void **state)
{
	static const char *const extra[] = { "/opt/vendor", "*/gen/*.py" };
	struct appframe_opts o = { .lib_paths = extra, .nlib_paths = 2 };

	(void)state;
	/* the standard library under any prefix */
	assert_true(lib("/usr/lib/python3.11/subprocess.py", NULL));
	assert_true(lib("/root/.pyenv/versions/3.12.1/lib/python3.12/urllib/request.py", NULL));
	assert_true(lib("/usr/local/lib64/python3.13t/json/decoder.py", NULL));
	assert_true(lib("/usr/lib/python311.zip/os.py", NULL));
	assert_true(lib("<frozen importlib._bootstrap>", NULL));
	/* installed packages */
	assert_true(lib("/srv/venv/lib/python3.11/site-packages/requests/api.py", NULL));
	assert_true(lib("/usr/lib/python3/dist-packages/yaml/__init__.py", NULL));
	assert_true(lib("/home/u/.local/lib/python3.12/site-packages/x.py", NULL));
	/* the application */
	assert_false(lib("/srv/app/main.py", NULL));
	assert_false(lib("/srv/lib/python/app.py", NULL));	/* no version */
	assert_false(lib("/srv/lib/pythonista/app.py", NULL));
	assert_false(lib("/tmp/lib/python3.11x/a.py", NULL));
	assert_false(lib("<string>", NULL));
	assert_false(lib("<stdin>", NULL));
	assert_false(lib("app.py", NULL));
	assert_false(lib("", NULL));
	/* --lib-path: a directory (not a prefix of a name), a glob */
	assert_true(lib("/opt/vendor/pkg/m.py", &o));
	assert_true(lib("/opt/vendor", &o));
	assert_false(lib("/opt/vendored/m.py", &o));
	assert_true(lib("/srv/app/gen/api_pb2.py", &o));
	assert_false(lib("/srv/app/main.py", &o));
}

/* Frames built by hand: file and function of each. */
struct fr {
	struct rec_value kids[3];
};

static struct rec_event ev;
static struct rec_value frames[PA_FRAMES_MAX], args[4];
static struct fr kids[PA_FRAMES_MAX];

static void set_str(struct rec_value *v, const char *s)
{
	memset(v, 0, sizeof(*v));
	v->tag = PA_T_STR_UTF8;
	v->data = (const uint8_t *)s;
	v->len = strlen(s);
}

/* An event named name raised under files[0] (innermost) ... */
static void build(const char *name, const char *const *files,
		  const char *const *funcs, int n)
{
	memset(&ev, 0, sizeof(ev));
	ev.hdr.pid = 42;
	ev.hdr.tid = 43;
	memcpy(ev.hdr.comm, "python3", 8);
	set_str(&ev.name, name);
	ev.hdr.frame_status = n ? PA_FS_OK : PA_FS_NO_FRAME;
	ev.nframes = n;
	ev.frames = frames;
	for (int i = 0; i < n; i++) {
		memset(&frames[i], 0, sizeof(frames[i]));
		frames[i].tag = PA_T_FRAME;
		frames[i].nchildren = 3;
		frames[i].children = kids[i].kids;
		set_str(&kids[i].kids[0], files[i]);
		set_str(&kids[i].kids[1], funcs[i]);
		kids[i].kids[2].tag = PA_T_BYTES;
	}
	ev.args = args;
}

static const char *const f3[] = { "/usr/lib/python3.11/subprocess.py",
				  "/srv/app/run.py", "/srv/app/main.py" };
static const char *const fn3[] = { "Popen._execute_child", "run", "<module>" };

static void test_find(void **state)
{
	static const char *const libs[] = { "/usr/lib/python3.11/a.py",
					    "/usr/lib/python3.11/b.py" };

	(void)state;
	build("subprocess.Popen", f3, fn3, 3);
	assert_int_equal(appframe__find(&ev, NULL, PA_FRAMES_MAX), 1);
	build("open", f3 + 1, fn3 + 1, 2);
	assert_int_equal(appframe__find(&ev, NULL, PA_FRAMES_MAX), 0);
	/* every frame library code: none, or beyond when the walk stopped */
	build("open", libs, fn3, 2);
	assert_int_equal(appframe__find(&ev, NULL, PA_FRAMES_MAX), APPFRAME_NONE);
	assert_int_equal(appframe__find(&ev, NULL, 2), APPFRAME_BEYOND);
	ev.hdr.flags = PA_EV_FRAMES_CUT;
	assert_int_equal(appframe__find(&ev, NULL, PA_FRAMES_MAX), APPFRAME_BEYOND);
	build("open", NULL, NULL, 0);
	assert_int_equal(appframe__find(&ev, NULL, PA_FRAMES_MAX), APPFRAME_NONE);
}

static char buf[4096];

static const char *folded(const struct event_view *v, unsigned int max)
{
	struct sb b = { .p = buf, .size = sizeof(buf) };

	folded__stack(&b, v, max);
	sb_finish(&b);
	return buf;
}

static void test_folded(void **state)
{
	static const char *const odd[] = { "/a;b/x y.py", "/m\n.py" };
	static const char *const oddfn[] = { "f;g", "<module>" };
	struct event_view v = { .ev = &ev, .lines = { 1772, 7, 3 } };

	(void)state;
	build("subprocess.Popen", f3, fn3, 3);
	assert_string_equal(folded(&v, PA_FRAMES_MAX),
		"<module> (/srv/app/main.py:3);run (/srv/app/run.py:7);"
		"Popen._execute_child (/usr/lib/python3.11/subprocess.py:1772);"
		"subprocess.Popen");
	/* stopped before the outermost frame: a root that says so */
	assert_string_equal(folded(&v, 3),
		"[...];<module> (/srv/app/main.py:3);run (/srv/app/run.py:7);"
		"Popen._execute_child (/usr/lib/python3.11/subprocess.py:1772);"
		"subprocess.Popen");
	/* ';' never splits a frame, controls escaped, unknown line */
	build("ev;x", odd, oddfn, 2);
	v.lines[0] = -1;
	v.lines[1] = 2;
	assert_string_equal(folded(&v, PA_FRAMES_MAX),
		"<module> (/m\\n.py:2);f\\x3bg (/a\\x3bb/x y.py:?);ev\\x3bx");
	build("open", NULL, NULL, 0);
	assert_string_equal(folded(&v, PA_FRAMES_MAX), "[no Python frame];open");
	/* a buffer too small is cut, never overrun */
	{
		char small[12];
		struct sb b = { .p = small, .size = sizeof(small) };

		build("ev;x", odd, oddfn, 2);
		folded__stack(&b, &v, PA_FRAMES_MAX);
		assert_true(b.len > sizeof(small));
		sb_finish(&b);
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
}

static size_t mask(char *s, unsigned int unit)
{
	return redact__url_passwords((uint8_t *)s, strlen(s), unit);
}

static void test_url_passwords(void **state)
{
	char a[] = "postgres://alice:s3cr@t@db:5432/x and https://bob:pw@h/?q=1";
	char b[] = "https://user@host/ http://h:8080/ mailto:x@y ftp://:p@h";
	char c[] = "://a:b@c";
	char d[] = "http://a:b";
	uint16_t u2[] = { 'h', ':', '/', '/', 'u', ':', 'p', 'w', '@', 'h' };

	(void)state;
	assert_int_equal(mask(a, 1), 8);
	assert_string_equal(a, "postgres://alice:******@db:5432/x and "
			       "https://bob:**@h/?q=1");
	/* no password: a user only, a port, no authority */
	assert_int_equal(mask(b, 1), 1);
	assert_string_equal(b, "https://user@host/ http://h:8080/ mailto:x@y ftp://:*@h");
	assert_int_equal(mask(c, 1), 1);
	assert_string_equal(c, "://a:*@c");
	assert_int_equal(mask(d, 1), 0);
	/* UCS-2 code units */
	assert_int_equal(redact__url_passwords((uint8_t *)u2, sizeof(u2), 2), 2);
	assert_int_equal(u2[6], '*');
	assert_int_equal(u2[7], '*');
	assert_int_equal(u2[8], '@');
	assert_int_equal(redact__url_passwords((uint8_t *)u2, sizeof(u2), 3), 0);
}

static void test_redact_event(void **state)
{
	static const struct event_def send = { .name = "http.client.send",
					       .nargs = 2, .args = { "self", "data" } };
	static const struct event_def popen = { .name = "subprocess.Popen",
		.nargs = 4, .args = { "executable", "args", "cwd", "env" } };
	char url[] = "http://u:hunter2@h/";
	char data[] = "GET / HTTP/1.1\r\nAuthorization: Bearer abc\r\n";
	struct sb b = { .p = buf, .size = sizeof(buf) };

	(void)state;
	assert_true(redact__hides("http.client.send", "data"));
	assert_true(redact__hides("os.exec", "env"));
	assert_true(redact__hides("os.putenv", "value"));
	assert_false(redact__hides("os.putenv", "key"));
	assert_false(redact__hides("open", "path"));

	build("http.client.send", NULL, NULL, 0);
	ev.nargs = 2;
	args[0].tag = PA_T_OBJECT;
	set_str(&args[1], data);
	args[1].tag = PA_T_BYTES;
	assert_int_equal(redact__event(&ev, &send), 2);
	redact__json(&b, &args[1]);
	sb_finish(&b);
	assert_string_equal(buf, "{\"type\":\"redacted\",\"kind\":\"bytes\",\"length\":43}");
	b.len = 0;
	args[1].flags = PA_VF_TRUNCATED;
	redact__text(&b, &args[1]);
	sb_finish(&b);
	assert_string_equal(buf, "<redacted bytes: 43+ bytes>");

	/* env None stays; a URL password in another argument is masked */
	build("subprocess.Popen", NULL, NULL, 0);
	ev.nargs = 4;
	set_str(&args[0], url);
	args[1].tag = PA_T_NONE;
	args[2].tag = PA_T_NONE;
	memset(&args[3], 0, sizeof(args[3]));
	args[3].tag = PA_T_NONE;
	assert_int_equal(redact__event(&ev, &popen), 0);
	assert_string_equal(url, "http://u:*******@h/");
	args[3].tag = PA_T_OBJECT;
	assert_int_equal(redact__event(&ev, &popen), 8);
	/* an unknown event: only URLs */
	assert_int_equal(redact__event(&ev, NULL), 0);
}

static void test_utf8_text(void **state)
{
	(void)state;
	assert_int_equal(utf8_text_len("abc", 3, false), 3);
	assert_int_equal(utf8_text_len("", 0, false), 0);
	assert_int_equal(utf8_text_len("a\0b", 3, false), 3);
	assert_int_equal(utf8_text_len("\xc3\xa9", 2, false), 2);
	assert_int_equal(utf8_text_len("\xf0\x9f\x98\x80", 4, false), 4);
	assert_int_equal(utf8_text_len("\xff", 1, false), SIZE_MAX);
	assert_int_equal(utf8_text_len("\xc0\x80", 2, false), SIZE_MAX);
	assert_int_equal(utf8_text_len("\xed\xa0\x80", 3, false), SIZE_MAX);
	assert_int_equal(utf8_text_len("\xf4\x90\x80\x80", 4, false), SIZE_MAX);
	/* a character cut short at the end: text only for a cut value */
	assert_int_equal(utf8_text_len("a\xf0\x9f\x98", 4, false), SIZE_MAX);
	assert_int_equal(utf8_text_len("a\xf0\x9f\x98", 4, true), 1);
	assert_int_equal(utf8_text_len("a\xf0\x9f" "a", 4, true), SIZE_MAX);
	assert_int_equal(utf8_text_len("a\x80", 2, true), SIZE_MAX);
	assert_int_equal(utf8_text_len(NULL, 0, false), 0);
}

static void test_parse_by(void **state)
{
	struct agg_by by = { 0 };
	char why[128];

	(void)state;
	assert_int_equal(agg__parse_by("event,arg:path", &by, why, sizeof(why)), 0);
	assert_int_equal(by.n, 2);
	assert_int_equal(by.k[0].kind, AGG_EVENT);
	assert_int_equal(by.k[1].kind, AGG_ARG);
	assert_string_equal(by.k[1].arg, "path");
	assert_false(agg__in_kernel(&by));
	by.n = 0;
	assert_int_equal(agg__parse_by("pid,,comm,container", &by, why, sizeof(why)), 0);
	assert_true(agg__in_kernel(&by));
	assert_int_equal(agg__parse_by("app", &by, why, sizeof(why)), 0);
	assert_true(agg__has(&by, AGG_APP));
	assert_int_equal(agg__parse_by("source", &by, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "at most 4"));
	by.n = 0;
	assert_int_equal(agg__parse_by("line", &by, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown key 'line'"));
	assert_int_equal(agg__parse_by("arg:", &by, why, sizeof(why)), -EINVAL);
	assert_int_equal(agg__parse_by(",", &by, why, sizeof(why)), -EINVAL);
}

static char *out;
static size_t out_len;

static void print(struct aggregate *a, const struct summary_opts *so,
		  const struct summary_row *rows, size_t n)
{
	FILE *f;

	free(out);
	f = open_memstream(&out, &out_len);
	assert_non_null(f);
	assert_int_equal(aggregate__print(a, f, so, rows, n), 0);
	fclose(f);
}

static void test_aggregate(void **state)
{
	static const struct event_def open_def = { .name = "open", .nargs = 1,
						   .args = { "path" } };
	struct summary_opts so = { .interval_s = 2 };
	struct event_view v = { .ev = &ev, .def = &open_def, .lines = { 1772, 7, 3 } };
	struct agg_by by = { 0 };
	char why[64];
	struct aggregate *a;
	int i;

	(void)state;
	assert_int_equal(agg__parse_by("source,arg:path", &by, why, sizeof(why)), 0);
	a = aggregate__new(&by, false, false, 2);
	assert_non_null(a);
	build("open", f3, fn3, 3);
	ev.nargs = 1;
	set_str(&args[0], "/etc/hosts");
	for (i = 0; i < 5; i++)
		aggregate__event(a, &v);
	set_str(&args[0], "/etc/passwd");
	aggregate__event(a, &v);
	/* a third key: no room in a table of 2 */
	v.lines[0] = 1;
	aggregate__event(a, &v);
	print(a, &so, NULL, 0);
	assert_string_equal(out,
		"--- 00:00:00 (last 2s) ---\n"
		"  COUNT   RATE/s SOURCE                                 ARG:PATH\n"
		"      5     2.50 /usr/lib/python3.11/subprocess.py:1772 '/etc/hosts'\n"
		"      1     0.50 /usr/lib/python3.11/subprocess.py:1772 '/etc/passwd'\n"
		"(1 events not counted: the table of 2 keys was full)\n");
	assert_int_equal(aggregate__dropped(a), 1);
	/* emptied by an interval's print */
	so.interval_s = 0;
	print(a, &so, NULL, 0);
	assert_string_equal(out, "--- totals ---\n(no events)\n");
	aggregate__free(a);

	/* JSON, and the kernel's rows counted by a key they have */
	by.n = 0;
	assert_int_equal(agg__parse_by("event", &by, why, sizeof(why)), 0);
	a = aggregate__new(&by, false, true, 16);
	{
		struct summary_row rows[2] = {
			{ .event = "open", .pid = 1, .count = 3 },
			{ .event = "open", .pid = 2, .count = 4 },
		};

		so.json = true;
		so.lost = 2;
		print(a, &so, rows, 2);
	}
	assert_string_equal(out,
		"{\"type\":\"summary\",\"time\":\"1970-01-01T00:00:00.000000000Z\","
		"\"interval_s\":0,\"final\":true,\"by\":[\"event\"],\"rows\":"
		"[{\"event\":\"open\",\"count\":7}],\"lost\":2}\n");
	aggregate__free(a);

	/* folded: STACK COUNT, counts summed per stack */
	a = aggregate__new(NULL, true, false, 16);
	v.lines[0] = 1772;
	for (i = 0; i < 3; i++)
		aggregate__event(a, &v);
	build("open", f3 + 1, fn3 + 1, 2);
	aggregate__event(a, &v);
	so.json = false;
	print(a, &so, NULL, 0);
	assert_string_equal(out,
		"<module> (/srv/app/main.py:3);run (/srv/app/run.py:7);"
		"Popen._execute_child (/usr/lib/python3.11/subprocess.py:1772);open 3\n"
		"<module> (/srv/app/main.py:7);run (/srv/app/run.py:1772);open 1\n");
	aggregate__free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_lib),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_url_passwords),
		cmocka_unit_test(test_redact_event),
		cmocka_unit_test(test_utf8_text),
		cmocka_unit_test(test_parse_by),
		cmocka_unit_test(test_aggregate),
	};
	int ret;

	setenv("TZ", "UTC", 1);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(out);
	return ret;
}
