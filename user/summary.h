/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Summary mode: counts per event name and process (and container),
 * kept in a BPF map, printed as a sorted table every interval and at
 * exit, in text or JSON.
 */
#ifndef PA_SUMMARY_H
#define PA_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"

struct summary_row {
	char event[PA_SUMMARY_NAME_MAX + 1];	/* NUL-terminated, raw bytes */
	bool event_truncated;
	bool other;			/* the "(other)" row: event is "" */
	uint32_t pid;
	char comm[PA_COMM_LEN + 1];
	char container_id[65];		/* "" when none */
	uint64_t count;			/* in this interval */
};

struct aggregate;

struct summary_opts {
	bool json;
	int64_t realtime_offset_ns;	/* for the JSON time */
	uint64_t now_ns;		/* CLOCK_MONOTONIC of this print */
	double interval_s;		/* 0: the final table at exit */
	uint64_t lost;			/* events lost in this interval */
	uint64_t not_counted;		/* the summary tables were full */
	struct aggregate *agg;		/* -s --by, --folded: rows counted
					 * by these keys (aggregate.h) */
};

/*
 * Sort rows in place (count descending, then event, then pid) and print
 * them: text: a title line "--- HH:MM:SS (last 5s) ---" or
 * "--- totals ---", then "COUNT PID COMM CONTAINER EVENT" columns
 * (CONTAINER only when some row has one; names and comm escaped as in
 * escape.c; "(other)" for an other row: the events of names that did not
 * fit in the table), "(N events lost)" when lost, "(N events not
 * counted ...)" when not_counted, "(no events)" without rows;
 * JSON: one line {"type":"summary","time":...,"interval_s":5,
 * "final":false,"rows":[{"event":...,"pid":...,"comm":...,
 * "container_id":...,"count":N}, ...],"lost":N} (container_id left out
 * when empty, "event_truncated":true for a cut name; an other row is
 * "event":"(other)","other":true; "not_counted":N after "lost" when not
 * zero).
 * The whole print is written with one fwrite() and flushed.
 * Returns 0, or -errno when the write failed (-ENOMEM: out of memory).
 */
int summary__print(FILE *out, const struct summary_opts *o,
		   struct summary_row *rows, size_t n);
/* The title line of a print (text): "--- totals ---" or
 * "--- HH:MM:SS (last 5s) ---". */
struct sb;
void summary__title(struct sb *b, const struct summary_opts *o);

#endif
