/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * -s --by KEY[,KEY] and --folded: events counted by keys of their own
 * choosing, in a bounded table (what does not fit is counted as not
 * counted), printed sorted every interval and at exit. Keys the kernel
 * already counts by (event, pid, comm, container) come from the BPF
 * summary maps; the others (source, app, arg:NAME, the folded stack)
 * from the records, counted here.
 */
#ifndef PA_AGGREGATE_H
#define PA_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "format.h"
#include "summary.h"

enum agg_kind {
	AGG_EVENT,
	AGG_PID,
	AGG_COMM,
	AGG_CONTAINER,
	AGG_SOURCE,	/* FILE:LINE of the frame raising the event */
	AGG_APP,	/* FILE:LINE of the application's frame */
	AGG_ARG,	/* arg:NAME, the argument's value */
	AGG_STACK,	/* --folded: the folded stack */
};

#define AGG_KEYS_MAX	4
#define AGG_ARG_NAME_MAX 32
#define AGG_ROWS_MAX	65536	/* distinct keys kept */

struct agg_key {
	enum agg_kind kind;
	char arg[AGG_ARG_NAME_MAX];	/* AGG_ARG: the argument's name */
};

struct agg_by {
	struct agg_key k[AGG_KEYS_MAX];
	int n;
};

/*
 * Parse "event,arg:path" into by (appended to what it holds). 0, or
 * -EINVAL with why said in why.
 */
int agg__parse_by(const char *s, struct agg_by *by, char *why, size_t size);
/* Whether the kernel counts by every key of by (no record needed). */
bool agg__in_kernel(const struct agg_by *by);
/* Whether some key of by is kind. */
bool agg__has(const struct agg_by *by, enum agg_kind kind);

struct aggregate;

/* A table counting by by (or the folded stack when folded), keys in
 * JSON form when json. NULL: out of memory. */
struct aggregate *aggregate__new(const struct agg_by *by, bool folded,
				 bool json, size_t rows_max);
void aggregate__free(struct aggregate *a);
/* Count one event. */
void aggregate__event(struct aggregate *a, const struct event_view *v);
/* Count the kernel's rows (summary maps) and print the table: text (a
 * title, COUNT, RATE/s in interval mode, one column per key) or one JSON
 * line {"type":"summary",...,"by":[...],"rows":[{KEY:...,"count":N,
 * "rate":R}],"lost":N,"not_counted":N}; folded: "STACK COUNT" lines.
 * Emptied after printing when so->interval_s > 0. 0 or -errno. */
int aggregate__print(struct aggregate *a, FILE *out,
		     const struct summary_opts *so,
		     const struct summary_row *rows, size_t n);
/* Events not counted since the start (the table was full). */
uint64_t aggregate__dropped(const struct aggregate *a);

#endif
