/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --redact: values known to carry secrets are hidden, their length kept
 * (docs/output.md, "Redaction", has the table): whole arguments by
 * event and argument name (request data and headers, environments), and
 * the password of every URL in a str or bytes value.
 */
#ifndef PA_REDACT_H
#define PA_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event_table.h"
#include "record.h"
#include "strbuf.h"

/* One row of the table: an event (exact name, or "*": any) and its
 * argument, and what it carries. */
struct redact_rule {
	const char *event;
	const char *arg;
	const char *why;
};

/* The table, for --help and the documentation's tests. */
const struct redact_rule *redact__rules(size_t *n);

/*
 * Whether argument name arg of event event is hidden whole.
 */
bool redact__hides(const char *event, const char *arg);

/*
 * Mask with '*' the password of each URL (scheme://user:PASSWORD@host)
 * in d[0, len), code units of unit bytes (1: UTF-8 or latin-1, 2, 4),
 * in place: the length is kept. Returns the code units masked.
 */
size_t redact__url_passwords(uint8_t *d, size_t len, unsigned int unit);

/*
 * The arguments of ev hidden whole (bit i: argument i), by the event's
 * definition def (NULL: none); the URL passwords of every str and bytes
 * value, containers included, masked in place: ev's values must point
 * into a copy of the record that the caller owns.
 */
uint32_t redact__event(struct rec_event *ev, const struct event_def *def);

/* A hidden value: <redacted: N bytes> (str: characters, tuple and list:
 * items; "N+" when the value was cut), or <redacted: TYPE>. */
void redact__text(struct sb *b, const struct rec_value *v);
/* {"type":"redacted","kind":"bytes","length":N} (,"length_at_least":true
 * when cut; no length for other objects). */
void redact__json(struct sb *b, const struct rec_value *v);

#endif
