/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Times as pyaudit writes them: RFC 3339 UTC with nanoseconds in JSON
 * ("2026-11-24T17:25:01.123456789Z": events, summaries, lost records),
 * local date and time of day in text ("2026-11-24", "17:25:01").
 */
#ifndef PA_TIMEFMT_H
#define PA_TIMEFMT_H

#include <stdint.h>
#include <time.h>
#include "strbuf.h"

/*
 * "2026-11-24" and "17:25:01". The fields are never negative: a 64-bit
 * nanosecond clock spans the years 1677 to 2262.
 */
void sb_date(struct sb *b, const struct tm *tm);
void sb_time_of_day(struct sb *b, const struct tm *tm);
/* "2026-11-24T17:25:01", the UTC date and time of sec (cached). */
void utc_second(struct sb *b, time_t sec);

/* Nanoseconds since the epoch split into seconds and 0..999999999 ns
 * (rounded down: -1 ns is -1 s + 999999999 ns). */
void time_split_ns(int64_t ns, time_t *sec, long *nsec);
/* "2026-11-24T17:25:01.123456789Z", RFC 3339 UTC, for ns since the epoch. */
void sb_rfc3339(struct sb *b, int64_t ns);

#endif
