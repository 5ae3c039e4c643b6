// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Summary mode output: a sorted table of counts per (event, process,
 * container), in text or JSON.
 *
 * Text:
 *
 *   --- 17:25:05 (last 5s) ---        (or "--- totals ---" at exit)
 *     COUNT PID     COMM             CONTAINER    EVENT
 *        42 123     python3          0123456789ab open
 *   (3 events lost)
 *
 *   COUNT is right-aligned, as wide as the largest count (at least 7).
 *   CONTAINER (the 12-character short id, - when none) is only there
 *   when some row has a container id. Event names and COMM are escaped
 *   as in the event output (escape.c, unquoted); a cut event name ends in
 *   "...". Without rows: the title and "(no events)", no header.
 *
 * JSON (one line):
 *
 *   {"type":"summary","time":"2026-11-24T17:25:05.123456789Z",
 *    "interval_s":5,"final":false,"rows":[{"event":"open","pid":123,
 *    "comm":"python3","container_id":"<64 hex>","count":42}],"lost":0}
 *
 *   container_id is left out when empty, "event_truncated":true is added
 *   after "event" when the name was cut. Strings are escaped by the JSON
 *   rules of the event output (escape.c: invalid bytes as \udcXX).
 *
 * Each print is built in memory (the string buffer, measured by a first
 * pass) and written with one fwrite().
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "escape.h"
#include "jsonw.h"
#include "strbuf.h"
#include "summary.h"

/* The EVENT of a row that counts the names that did not fit. */
#define OTHER_ROW "(other)"
#include "timefmt.h"

#define COUNT_WIDTH_MIN 7
#define CONTAINER_SHORT 12
/* Escaped forms: at most 6 output bytes (\udcXX) per input byte, + "..." */
#define ESC_MAX (6 * (PA_SUMMARY_NAME_MAX + 1) + 8)

static int row_cmp(const void *pa, const void *pb)
{
	const struct summary_row *a = pa, *b = pb;
	int r;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	r = strncmp(a->event, b->event, sizeof(a->event));
	if (r)
		return r;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	/* the rest only makes the order deterministic */
	if (a->event_truncated != b->event_truncated)
		return a->event_truncated ? 1 : -1;
	r = strncmp(a->comm, b->comm, sizeof(a->comm));
	if (r)
		return r;
	return strncmp(a->container_id, b->container_id,
		       sizeof(a->container_id));
}

/*
 * A raw C string (at most max bytes) escaped for text into buf: an
 * unquoted token, "..." appended when truncated.
 */
static const char *esc(char *buf, size_t size, const char *s, size_t max,
		       bool truncated)
{
	struct sb b = { .p = buf, .size = size };

	text_chars(&b, s, strnlen(s, max), PA_T_STR_UTF8, 0, 0);
	if (truncated)
		sb_puts(&b, "...");
	sb_finish(&b);
	return buf;
}

/* s, then spaces to width terminal columns, then one space. */
static void put_padded(struct sb *b, const char *s, size_t width)
{
	size_t cols = utf8_columns(s);

	sb_puts(b, s);
	for (; cols < width; cols++)
		sb_putc(b, ' ');
	sb_putc(b, ' ');
}

/* Wall-clock time of this print, in ns since the epoch. */
static int64_t print_time_ns(const struct summary_opts *o)
{
	return (int64_t)(o->now_ns + (uint64_t)o->realtime_offset_ns);
}

static double interval(const struct summary_opts *o)
{
	return isfinite(o->interval_s) && o->interval_s > 0 ? o->interval_s : 0;
}

static void print_title(struct sb *b, const struct summary_opts *o)
{
	struct tm tm;
	time_t sec;
	long nsec;

	if (interval(o) == 0) {
		sb_puts(b, "--- totals ---\n");
		return;
	}
	time_split_ns(print_time_ns(o), &sec, &nsec);
	sb_puts(b, "--- ");
	if (localtime_r(&sec, &tm))
		sb_time_of_day(b, &tm);
	else
		sb_puts(b, "??:??:??");
	sb_puts(b, " (last ");
	sb_double_g(b, interval(o), 6);
	sb_puts(b, "s) ---\n");
}

void summary__title(struct sb *b, const struct summary_opts *o)
{
	print_title(b, o);
}

static void print_text(struct sb *b, const struct summary_opts *o,
		       const struct summary_row *rows, size_t n)
{
	char buf[ESC_MAX];
	struct sb digits = { 0 };
	bool containers = false;
	uint64_t max = 0;
	int width = COUNT_WIDTH_MIN;
	size_t i;

	print_title(b, o);
	for (i = 0; i < n; i++) {
		if (rows[i].count > max)
			max = rows[i].count;
		if (rows[i].container_id[0])
			containers = true;
	}
	sb_u64(&digits, max);	/* only counts */
	if (digits.len > (size_t)width)
		width = digits.len;

	if (n) {
		sb_puts_right(b, "COUNT", width);
		sb_putc(b, ' ');
		sb_puts_left(b, "PID", 7);
		sb_putc(b, ' ');
		sb_puts_left(b, "COMM", 16);
		sb_putc(b, ' ');
		if (containers) {
			sb_puts_left(b, "CONTAINER", CONTAINER_SHORT);
			sb_putc(b, ' ');
		}
		sb_puts(b, "EVENT\n");
	}
	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];

		sb_u64_right(b, r->count, width);
		sb_putc(b, ' ');
		sb_u64_left(b, r->pid, 7);
		sb_putc(b, ' ');
		put_padded(b, esc(buf, sizeof(buf), r->comm, PA_COMM_LEN, false),
			   PA_COMM_LEN);
		if (containers)
			put_padded(b, r->container_id[0] ?
				   esc(buf, sizeof(buf), r->container_id,
				       CONTAINER_SHORT, false) : "-",
				   CONTAINER_SHORT);
		sb_puts(b, r->other ? OTHER_ROW :
			esc(buf, sizeof(buf), r->event, sizeof(r->event),
			    r->event_truncated));
		sb_putc(b, '\n');
	}
	if (o->lost) {
		sb_putc(b, '(');
		sb_u64(b, o->lost);
		sb_puts(b, " events lost)\n");
	}
	if (o->not_counted) {
		sb_putc(b, '(');
		sb_u64(b, o->not_counted);
		sb_puts(b, " events not counted: the summary table and its "
			   "(other) rows were full)\n");
	}
	if (!n)
		sb_puts(b, "(no events)\n");
}

static void print_json(struct sb *b, const struct summary_opts *o,
		       const struct summary_row *rows, size_t n)
{
	struct jw j = { .b = b };
	size_t i;

	jw_begin_object(&j);
	jw_key(&j, "type");
	jw_string(&j, "summary");
	jw_key(&j, "time");
	jw_time_ns(&j, print_time_ns(o));
	jw_key(&j, "interval_s");
	jw_double(&j, interval(o));
	jw_key(&j, "final");
	jw_bool(&j, interval(o) == 0);
	jw_key(&j, "rows");
	jw_begin_array(&j);
	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];

		jw_begin_object(&j);
		jw_key(&j, "event");
		if (r->other)
			jw_string(&j, OTHER_ROW);
		else
			jw_string_n(&j, r->event, sizeof(r->event));
		if (r->other) {
			jw_key(&j, "other");
			jw_bool(&j, true);
		}
		if (r->event_truncated) {
			jw_key(&j, "event_truncated");
			jw_bool(&j, true);
		}
		jw_key(&j, "pid");
		jw_u64(&j, r->pid);
		jw_key(&j, "comm");
		jw_string_n(&j, r->comm, PA_COMM_LEN);
		if (r->container_id[0]) {
			jw_key(&j, "container_id");
			jw_string_n(&j, r->container_id, sizeof(r->container_id));
		}
		jw_key(&j, "count");
		jw_u64(&j, r->count);
		jw_end_object(&j);
	}
	jw_end_array(&j);
	jw_key(&j, "lost");
	jw_u64(&j, o->lost);
	if (o->not_counted) {
		jw_key(&j, "not_counted");
		jw_u64(&j, o->not_counted);
	}
	jw_end_object(&j);
	sb_putc(b, '\n');
}

static void print_all(struct sb *b, const struct summary_opts *o,
		      const struct summary_row *rows, size_t n)
{
	if (o->json)
		print_json(b, o, rows, n);
	else
		print_text(b, o, rows, n);
}

int summary__print(FILE *out, const struct summary_opts *o,
		   struct summary_row *rows, size_t n)
{
	struct sb b = { 0 };
	char *p;
	int err = 0;

	if (n)
		qsort(rows, n, sizeof(*rows), row_cmp);

	/* a first pass measures, the second writes */
	print_all(&b, o, rows, n);
	p = malloc(b.len + 1);
	if (!p)
		return -ENOMEM;
	b = (struct sb){ .p = p, .size = b.len + 1 };
	print_all(&b, o, rows, n);

	errno = 0;
	if (fwrite(p, 1, b.len, out) != b.len || fflush(out) || ferror(out))
		err = errno ? -errno : -EIO;
	free(p);
	return err;
}
