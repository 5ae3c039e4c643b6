/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Text and JSON Lines output of decoded events. Everything that comes
 * from a traced process is escaped: no control byte reaches a terminal,
 * and JSON stays valid for any input bytes.
 */
#ifndef PA_FORMAT_H
#define PA_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "record.h"
#include "event_table.h"
#include "proc.h"

/*
 * format__event writes lines shorter than this (newline included),
 * cutting one that would not fit.
 */
#define FORMAT_LINE_MAX (256 * 1024)

struct format_opts {
	bool json;
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	/* text columns */
	bool abs_time;			/* -T: date and time in TIME */
	bool col_uid;			/* -U */
	bool col_ppid;			/* -P */
	bool col_container;		/* -C */
	/* context of the event being formatted (may be NULL): JSON
	 * "process" object, text CONTAINER column */
	const struct proc_info *proc;
	/* source location: the line-table format of the event's target
	 * (PA_LT_*), and --stack N (a "stack" key in JSON) */
	int ltab_format;
	unsigned int stack;
};

/* Text header row (nothing in JSON mode). */
void format__header(FILE *out, const struct format_opts *o);
/* One line per event; def may be NULL (names become arg0, arg1...). */
void format__event(FILE *out, const struct format_opts *o,
		   const struct rec_event *ev, const struct event_def *def);

/* The building blocks (format__name, format__escape, format__repr,
 * format__json_value) are declared by the output layer's headers. */
#include "escape.h"
#include "values.h"

#endif
