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
};

/* Text header row (nothing in JSON mode). */
void format__header(FILE *out, const struct format_opts *o);
/* One line per event (with --stack, one more per caller in text). */
void format__event(FILE *out, const struct format_opts *o,
		   const struct event_view *v);

/* Building blocks, exposed for the unit tests. */
/*
 * The name of an event as UTF-8 (escaped for text when text is true):
 * text: escaped like the text output, without quotes (a space is \x20);
 * plain names escape to themselves, so this is also the key for
 * event_table_find(). !text: the contents of a JSON string, no quotes.
 */
size_t format__name(char *buf, size_t size, const struct rec_value *v,
		    bool text);
/*
 * Escape a message for stderr: text (spaces kept; controls, C1, bidi and
 * invalid bytes escaped) or the inside of a JSON string. Like snprintf.
 */
size_t format__escape(char *buf, size_t size, const char *s, size_t len,
		      bool json);
/* Append any value in Python repr style ('abc', b'\x00', (1,)). */
size_t format__repr(char *buf, size_t size, const struct rec_value *v);
/* Append the JSON form of a value. */
size_t format__json_value(char *buf, size_t size, const struct rec_value *v);

#endif
