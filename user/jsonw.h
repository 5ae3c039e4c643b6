/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small JSON writer on the string buffer, for the records that are not
 * events (summaries, lost events): objects, arrays, keys, strings,
 * numbers, booleans and times, with the commas placed for the caller.
 * Strings are escaped by escape.c, so every record pyaudit writes follows
 * the same JSON rules. The event line, the hot path, writes its fixed
 * keys with sb_puts() instead.
 *
 *	struct jw j = { .b = &b };
 *
 *	jw_begin_object(&j);
 *	jw_key(&j, "type");
 *	jw_string(&j, "lost");
 *	jw_key(&j, "lost");
 *	jw_u64(&j, 3);
 *	jw_end_object(&j);		// {"type":"lost","lost":3}
 */
#ifndef PA_JSONW_H
#define PA_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "strbuf.h"

struct jw {
	struct sb *b;
	bool sep;	/* a value was written at this level: a comma first */
};

void jw_begin_object(struct jw *j);
void jw_end_object(struct jw *j);
void jw_begin_array(struct jw *j);
void jw_end_array(struct jw *j);
/* "key": (key is a C string, escaped) */
void jw_key(struct jw *j, const char *key);
/* "123": a number as a key (JSON keys are strings) */
void jw_key_u64(struct jw *j, uint64_t key);
/* A C string, escaped (invalid UTF-8 as \udcXX). */
void jw_string(struct jw *j, const char *s);
/* At most max bytes of s (up to a NUL), escaped. */
void jw_string_n(struct jw *j, const char *s, size_t max);
void jw_u64(struct jw *j, uint64_t v);
void jw_bool(struct jw *j, bool v);
/* v as printf's %.15g: integral values without a point ("5", "0.25"). */
void jw_double(struct jw *j, double v);
/* "2026-11-24T17:25:01.123456789Z" for ns since the epoch (RFC 3339). */
void jw_time_ns(struct jw *j, int64_t ns);

#endif
