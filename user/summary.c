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
 *   as in the event output (format__name()); a cut event name ends in
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
 *   rules of format.c (invalid bytes as \udcXX).
 *
 * Each print is built in memory and written with one fwrite().
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"
#include "summary.h"

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
 * Escape a raw C string (at most max bytes) into buf: text (an unquoted
 * token, "..." appended when truncated) or JSON string contents.
 */
static const char *esc(char *buf, size_t size, const char *s, size_t max,
		       bool truncated, bool text)
{
	struct rec_value v = {
		.tag = PA_T_STR_UTF8,
		.flags = truncated ? PA_VF_TRUNCATED : 0,
		.data = (const uint8_t *)s,
	};

	v.len = strnlen(s, max);
	format__name(buf, size, &v, text);
	return buf;
}

/* Terminal columns of UTF-8 text: its lead bytes. */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((uint8_t)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void put_padded(FILE *m, const char *s, size_t width)
{
	size_t cols = columns(s);

	fputs(s, m);
	for (; cols < width; cols++)
		fputc(' ', m);
	fputc(' ', m);
}

/* Wall-clock time of this print, split into seconds and nanoseconds. */
static void print_time(const struct summary_opts *o, time_t *sec, long *nsec)
{
	int64_t ns = (int64_t)(o->now_ns + (uint64_t)o->realtime_offset_ns);
	int64_t s = ns / 1000000000, r = ns % 1000000000;

	if (r < 0) {
		r += 1000000000;
		s--;
	}
	*sec = s;
	*nsec = r;
}

static double interval(const struct summary_opts *o)
{
	return isfinite(o->interval_s) && o->interval_s > 0 ? o->interval_s : 0;
}

static void print_text(FILE *m, const struct summary_opts *o,
		       const struct summary_row *rows, size_t n)
{
	char buf[ESC_MAX];
	bool containers = false;
	uint64_t max = 0;
	int width = COUNT_WIDTH_MIN, digits;
	struct tm tm;
	time_t sec;
	long nsec;
	size_t i;

	if (interval(o) == 0) {
		fputs("--- totals ---\n", m);
	} else {
		print_time(o, &sec, &nsec);
		if (localtime_r(&sec, &tm))
			fprintf(m, "--- %02d:%02d:%02d", tm.tm_hour, tm.tm_min,
				tm.tm_sec);
		else
			fputs("--- ??:??:??", m);
		fprintf(m, " (last %gs) ---\n", interval(o));
	}

	for (i = 0; i < n; i++) {
		if (rows[i].count > max)
			max = rows[i].count;
		if (rows[i].container_id[0])
			containers = true;
	}
	digits = snprintf(buf, sizeof(buf), "%" PRIu64, max);
	if (digits > width)
		width = digits;

	if (n) {
		fprintf(m, "%*s %-7s %-16s ", width, "COUNT", "PID", "COMM");
		if (containers)
			fprintf(m, "%-*s ", CONTAINER_SHORT, "CONTAINER");
		fputs("EVENT\n", m);
	}
	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];

		fprintf(m, "%*" PRIu64 " %-7u ", width, r->count, r->pid);
		put_padded(m, esc(buf, sizeof(buf), r->comm, PA_COMM_LEN,
				  false, true), PA_COMM_LEN);
		if (containers) {
			if (r->container_id[0])
				esc(buf, sizeof(buf), r->container_id,
				    CONTAINER_SHORT, false, true);
			else
				strcpy(buf, "-");
			put_padded(m, buf, CONTAINER_SHORT);
		}
		fputs(esc(buf, sizeof(buf), r->event, sizeof(r->event),
			  r->event_truncated, true), m);
		fputc('\n', m);
	}
	if (o->lost)
		fprintf(m, "(%" PRIu64 " events lost)\n", o->lost);
	if (!n)
		fputs("(no events)\n", m);
}

static void print_json(FILE *m, const struct summary_opts *o,
		       const struct summary_row *rows, size_t n)
{
	char buf[ESC_MAX];
	struct tm tm;
	time_t sec;
	long nsec;
	size_t i;

	print_time(o, &sec, &nsec);
	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	fprintf(m, "{\"type\":\"summary\",\"time\":"
		"\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, nsec);
	fprintf(m, ",\"interval_s\":%.15g,\"final\":%s,\"rows\":[",
		interval(o), interval(o) == 0 ? "true" : "false");
	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];

		fprintf(m, "%s{\"event\":\"%s\"", i ? "," : "",
			esc(buf, sizeof(buf), r->event, sizeof(r->event),
			    false, false));
		if (r->event_truncated)
			fputs(",\"event_truncated\":true", m);
		fprintf(m, ",\"pid\":%u,\"comm\":\"%s\"", r->pid,
			esc(buf, sizeof(buf), r->comm, PA_COMM_LEN, false,
			    false));
		if (r->container_id[0])
			fprintf(m, ",\"container_id\":\"%s\"",
				esc(buf, sizeof(buf), r->container_id,
				    sizeof(r->container_id), false, false));
		fprintf(m, ",\"count\":%" PRIu64 "}", r->count);
	}
	fprintf(m, "],\"lost\":%" PRIu64 "}\n", o->lost);
}

int summary__print(FILE *out, const struct summary_opts *o,
		   struct summary_row *rows, size_t n)
{
	char *p = NULL;
	size_t len = 0;
	FILE *m;
	int err = 0;

	if (n)
		qsort(rows, n, sizeof(*rows), row_cmp);

	m = open_memstream(&p, &len);
	if (!m)
		return -errno;
	if (o->json)
		print_json(m, o, rows, n);
	else
		print_text(m, o, rows, n);
	if (ferror(m))
		err = -ENOMEM;
	if (fclose(m) && !err)
		err = errno ? -errno : -ENOMEM;
	if (err) {
		free(p);
		return err;
	}

	errno = 0;
	if (fwrite(p, 1, len, out) != len || fflush(out) || ferror(out))
		err = errno ? -errno : -EIO;
	free(p);
	return err;
}
