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
#include "appframe.h"

/*
 * format__event writes lines shorter than this (newline included),
 * cutting one that would not fit.
 */
#define FORMAT_LINE_MAX (256 * 1024)

/* The output options of a run: the same for every event. */
struct format_opts {
	bool json;
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	/* text columns */
	bool abs_time;			/* -T: date and time in TIME */
	bool col_uid;			/* -U */
	bool col_ppid;			/* -P */
	bool col_container;		/* -C */
	unsigned int stack;		/* --stack N: the callers too */
	/* identity (user/identity.h): exec_id's boot part (NULL: zeros),
	 * and CLOCK_REALTIME - CLOCK_BOOTTIME for the start times */
	const char *boot_id;
	int64_t boot_offset_ns;
	const char *node;		/* the host's name, "node" (NULL: none) */
	bool app_frame;			/* --app-frame: event_view.app */
	bool redact;			/* --redact: values with secrets hidden */
};

/* event_view.lines[i] when the line of frame i is not known. */
#define FORMAT_LINE_UNKNOWN (-1)

/*
 * One event, decoded and resolved (user/consumer.c): everything
 * format__event writes besides the options.
 */
struct event_view {
	const struct rec_event *ev;
	const struct event_def *def;	/* NULL: arguments are arg0, arg1... */
	const struct proc_info *proc;	/* NULL: no process context (JSON
					 * "process" object, CONTAINER) */
	int lines[PA_FRAMES_MAX];	/* line of ev->frames[i], or
					 * FORMAT_LINE_UNKNOWN */
	int app;			/* --app-frame: the index of the
					 * application's frame, or APPFRAME_NONE,
					 * APPFRAME_BEYOND (appframe.h) */
	uint32_t redacted;		/* --redact: bit i, argument i hidden */
};

/* Text header row (nothing in JSON mode). */
void format__header(FILE *out, const struct format_opts *o);
/* One line per event (with --stack, one more per caller in text). */
void format__event(FILE *out, const struct format_opts *o,
		   const struct event_view *v);

/* The building blocks (format__name, format__escape, format__repr,
 * format__json_value) are declared by the output layer's headers. */
#include "escape.h"
#include "values.h"

#endif
