// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/source.c: the line of a PA_T_FRAME value, from the
 * copied line table, from BPF's own walk, and when it cannot be known;
 * and of the frames in records (record.c), their lines (consumer.c) and
 * their output (format.c).
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
#include "user/consumer.h"
#include "user/format.h"
#include "user/record.h"
#include "user/source.h"
#include "framebuild.h"

/* 3.8 lnotab: (addr +6, line +1), (addr +8, line +2). */
static const uint8_t lnotab[] = { 6, 1, 8, 2 };

static void test_copied_table(void **state)
{
	struct frame f;
	int line = 0;

	(void)state;
	make_frame(&f, 0, 10, lnotab, sizeof(lnotab), 0);
	assert_int_equal(source__line(&f.v, PA_LT_LNOTAB, &line), 0);
	assert_int_equal(line, 10);
	make_frame(&f, 6, 10, lnotab, sizeof(lnotab), 0);
	assert_int_equal(source__line(&f.v, PA_LT_LNOTAB, &line), 0);
	assert_int_equal(line, 11);
	make_frame(&f, 100, 10, lnotab, sizeof(lnotab), 0);
	assert_int_equal(source__line(&f.v, PA_LT_LNOTAB, &line), 0);
	assert_int_equal(line, 13);
}

/* A cut 3.8/3.9 table looks whole: past what was copied, unknown. */
static void test_cut_lnotab(void **state)
{
	struct frame f;
	int line = 0;

	(void)state;
	make_frame(&f, 100, 10, lnotab, sizeof(lnotab), PA_VF_TRUNCATED);
	assert_int_equal(source__line(&f.v, PA_LT_LNOTAB, &line), -ERANGE);
	make_frame(&f, 7, 10, lnotab, sizeof(lnotab), PA_VF_TRUNCATED);
	assert_int_equal(source__line(&f.v, PA_LT_LNOTAB, &line), 0);
	assert_int_equal(line, 11);
}

/* A frame that has not started says co_firstlineno, as CPython does. */
static void test_not_started(void **state)
{
	struct frame f;
	int line = 0;

	(void)state;
	make_frame(&f, -1, 42, NULL, 0, PA_VF_TRUNCATED);
	f.kids[2].tag = PA_T_UNREADABLE;
	assert_int_equal(source__line(&f.v, PA_LT_LOCATIONS, &line), 0);
	assert_int_equal(line, 42);
}

/* A table BPF walked: its line, or unknown; an unreadable code object. */
static void test_walked_and_unknown(void **state)
{
	struct frame f;
	int line = 0;

	(void)state;
	make_frame(&f, 5000, 1, NULL, 0, PA_VF_TRUNCATED);
	f.fr.flags = PA_FR_LINE;
	f.fr.line = 3003;
	assert_int_equal(source__line(&f.v, PA_LT_LOCATIONS, &line), 0);
	assert_int_equal(line, 3003);
	f.fr.flags = PA_FR_LINE_UNKNOWN;
	assert_int_equal(source__line(&f.v, PA_LT_LOCATIONS, &line), -ERANGE);
	f.fr.flags = PA_FR_CODE_UNREADABLE;
	assert_int_equal(source__line(&f.v, PA_LT_LOCATIONS, &line), -ENODATA);
	/* not a frame at all */
	f.v.tag = PA_T_CODE;
	assert_int_equal(source__line(&f.v, PA_LT_LOCATIONS, &line), -EINVAL);
}

/* A record with one frame, through the decoder and both formats. */
static size_t put_value(uint8_t *p, uint8_t tag, uint8_t flags,
			const void *data, uint16_t len)
{
	struct pa_value v = { .tag = tag, .flags = flags, .len = len };

	memcpy(p, &v, sizeof(v));
	if (len)
		memcpy(p + sizeof(v), data, len);
	return sizeof(v) + len;
}

static size_t build_record(uint8_t *buf, uint8_t status, uint8_t nframes,
			   uint8_t ev_flags)
{
	struct pa_event ev = {
		.type = PA_REC_EVENT, .source = PA_SRC_SYS_AUDIT, .nargs = 0,
		.pid = 7, .tid = 7, .frame_status = status, .nframes = nframes,
		.flags = ev_flags,
	};
	struct pa_frame fr = { .offset = 6, .firstlineno = 10,
			       .table_len = sizeof(lnotab) };
	size_t off = sizeof(ev);
	uint8_t i;

	memcpy(ev.comm, "python3", 8);
	off += put_value(buf + off, PA_T_STR_UTF8, 0, "myapp.x", 7);
	for (i = 0; i < nframes; i++) {
		off += put_value(buf + off, PA_T_FRAME, 0, &fr, sizeof(fr));
		off += put_value(buf + off, PA_T_STR_UTF8, 0, "/a/\x1b[2J.py", 10);
		off += put_value(buf + off, PA_T_STR_UTF8, PA_VF_TRUNCATED, "C.m", 3);
		off += put_value(buf + off, PA_T_BYTES, 0, lnotab, sizeof(lnotab));
	}
	ev.size = off;
	memcpy(buf, &ev, sizeof(ev));
	return off;
}

static char *format(const struct rec_event *ev, bool json, unsigned int stack)
{
	static char out[8192];
	struct format_opts o = { .json = json, .stack = stack };
	struct event_view v = { .ev = ev };
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	consumer__lines(NULL, ev, PA_LT_LNOTAB, v.lines);
	format__event(f, &o, &v);
	fputc('\0', f);
	fclose(f);
	return out;
}

static void test_record_and_output(void **state)
{
	static struct rec_event ev;
	uint8_t buf[2048];
	size_t n;
	char *s;

	(void)state;
	n = build_record(buf, PA_FS_OK, 2, PA_EV_FRAMES_CUT);
	assert_int_equal(record__decode(buf, n, &ev), 0);
	assert_int_equal(ev.nframes, 2);
	s = format(&ev, true, 3);
	assert_non_null(strstr(s, ",\"source\":{\"file\":\"/a/\\u001b[2J.py\",\"line\":11,\"function\":\"C.m\",\"function_truncated\":true}"));
	assert_non_null(strstr(s, ",\"stack\":[{\"file\""));
	assert_non_null(strstr(s, "],\"stack_truncated\":true"));
	s = format(&ev, false, 3);
	assert_non_null(strstr(s, " at /a/\\x1b[2J.py:11 in C.m...\n    at /a/\\x1b[2J.py:11 in C.m...\n    ...(more frames"));
	/* no frame, and the option off */
	n = build_record(buf, PA_FS_NO_FRAME, 0, 0);
	assert_int_equal(record__decode(buf, n, &ev), 0);
	assert_non_null(strstr(format(&ev, true, 0), ",\"source\":null"));
	assert_non_null(strstr(format(&ev, false, 0), " at <no Python frame>\n"));
	n = build_record(buf, PA_FS_OFF, 0, 0);
	assert_int_equal(record__decode(buf, n, &ev), 0);
	assert_null(strstr(format(&ev, true, 0), "\"source\""));
	assert_null(strstr(format(&ev, false, 0), " at "));
}

/* Frames where they may not be: rejected. */
static void test_record_rejects(void **state)
{
	static struct rec_event ev;
	uint8_t buf[2048];
	struct pa_event h;
	size_t n;

	(void)state;
	/* frames with a status other than OK, OK without frames */
	n = build_record(buf, PA_FS_NO_FRAME, 1, 0);
	assert_int_equal(record__decode(buf, n, &ev), -EINVAL);
	n = build_record(buf, PA_FS_OK, 0, 0);
	assert_int_equal(record__decode(buf, n, &ev), -EINVAL);
	/* more frames than the bound, an unknown status */
	n = build_record(buf, PA_FS_OK, 1, 0);
	memcpy(&h, buf, sizeof(h));
	h.nframes = PA_FRAMES_MAX + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(record__decode(buf, n, &ev), -EINVAL);
	h.nframes = 1;
	h.frame_status = PA_FS_UNSUPPORTED + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(record__decode(buf, n, &ev), -EINVAL);
	/* a frame counted as an argument instead */
	h.frame_status = PA_FS_OFF;
	h.nframes = 0;
	h.nargs = 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(record__decode(buf, n, &ev), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copied_table),
		cmocka_unit_test(test_cut_lnotab),
		cmocka_unit_test(test_not_started),
		cmocka_unit_test(test_walked_and_unknown),
		cmocka_unit_test(test_record_and_output),
		cmocka_unit_test(test_record_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
