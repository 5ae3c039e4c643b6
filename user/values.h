/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The text (Python repr) and JSON forms of one decoded value and of an
 * event name: str, bytes, int (exact, also big ints), float (shortest
 * round-trip repr), containers, code objects, other objects, with the
 * markers of a cut value. The event line (format.c) calls these for each
 * argument; docs/output.md gives the forms.
 */
#ifndef PA_VALUES_H
#define PA_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include "record.h"
#include "strbuf.h"

/* Deeper than any decoded record: guards hand-made trees only. */
#define FORMAT_DEPTH_MAX (RECORD_DEPTH_MAX + 2)

/* v as Python's repr() writes it; depth: 0 for a top-level value. */
void repr_value(struct sb *b, const struct rec_value *v, int depth);
/* v as a JSON value. */
void json_value(struct sb *b, const struct rec_value *v, int depth);
/* An event name for text: escaped, unquoted, "..." when cut,
 * <unreadable> when not a str. */
void name_text(struct sb *b, const struct rec_value *v);

/*
 * The name of an event as UTF-8 (escaped for text when text is true):
 * text: escaped like the text output, without quotes (a space is \x20);
 * plain names escape to themselves, so this is also the key for
 * event_table_find(). !text: the contents of a JSON string, no quotes.
 */
size_t format__name(char *buf, size_t size, const struct rec_value *v,
		    bool text);
/* Append any value in Python repr style ('abc', b'\x00', (1,)). */
size_t format__repr(char *buf, size_t size, const struct rec_value *v);
/* Append the JSON form of a value. */
size_t format__json_value(char *buf, size_t size, const struct rec_value *v);

#endif
