/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The audit events table: argument names of every event CPython 3.8-3.15
 * raises (the documented table plus the events it lacks). Data only:
 * user/event_table.c.
 */
#ifndef PA_EVENT_TABLE_H
#define PA_EVENT_TABLE_H

#include <stddef.h>

#define EVENT_ARGS_MAX 12

struct event_def {
	const char *name;		/* "open" */
	unsigned nargs;			/* names in args[] */
	const char *args[EVENT_ARGS_MAX];	/* "path", "mode", "flags" */
	const char *versions;		/* "3.8+", "3.13+", "3.8-3.12" */
	const char *doc;		/* one line: what raises it, or NULL */
};

/* Exact lookup by event name; NULL when the event is not in the table. */
const struct event_def *event_table_find(const char *name);
/* Iteration in name order, for --list. */
size_t event_table_count(void);
const struct event_def *event_table_at(size_t i);

#endif
