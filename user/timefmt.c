// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Times as pyaudit writes them (timefmt.h). */
#include <stdbool.h>
#include <string.h>
#include "timefmt.h"

void sb_date(struct sb *b, const struct tm *tm)
{
	sb_u64_zero(b, tm->tm_year + 1900, 4);
	sb_putc(b, '-');
	sb_u64_zero(b, tm->tm_mon + 1, 2);
	sb_putc(b, '-');
	sb_u64_zero(b, tm->tm_mday, 2);
}

void sb_time_of_day(struct sb *b, const struct tm *tm)
{
	sb_u64_zero(b, tm->tm_hour, 2);
	sb_putc(b, ':');
	sb_u64_zero(b, tm->tm_min, 2);
	sb_putc(b, ':');
	sb_u64_zero(b, tm->tm_sec, 2);
}

/*
 * "2026-11-24T17:25:01", the UTC date and time of sec. Events come many
 * to a second: the text of the last second is kept (gmtime_r takes a
 * lock in glibc).
 */
void utc_second(struct sb *b, time_t sec)
{
	static time_t last_sec;
	static char last[sizeof("2026-11-24T17:25:01")];
	static bool have_last;
	struct sb t = { .p = last, .size = sizeof(last) };
	struct tm tm;

	if (!have_last || sec != last_sec) {
		if (!gmtime_r(&sec, &tm))
			memset(&tm, 0, sizeof(tm));
		sb_date(&t, &tm);
		sb_putc(&t, 'T');
		sb_time_of_day(&t, &tm);
		sb_finish(&t);
		last_sec = sec;
		have_last = true;
	}
	sb_putn(b, last, sizeof(last) - 1);
}

void time_split_ns(int64_t ns, time_t *sec, long *nsec)
{
	int64_t s = ns / 1000000000, r = ns % 1000000000;

	if (r < 0) {
		r += 1000000000;
		s--;
	}
	*sec = s;
	*nsec = r;
}

void sb_rfc3339(struct sb *b, int64_t ns)
{
	time_t sec;
	long nsec;

	time_split_ns(ns, &sec, &nsec);
	utc_second(b, sec);
	sb_putc(b, '.');
	sb_u64_zero(b, nsec, 9);
	sb_putc(b, 'Z');
}
