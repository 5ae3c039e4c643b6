/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Escaping of untrusted text for the terminal and for JSON strings:
 * every str kind of a record (UTF-8 that may be invalid, latin-1, UCS2,
 * UCS4), COMM, paths and log messages. Text escaping follows Python's
 * repr(); JSON escaping keeps the output valid UTF-8 and valid JSON for
 * any input bytes. docs/output.md gives the rules; the unit tests of
 * test_format.c check them. No raw control character (C0, DEL, C1) gets
 * through either.
 */
#ifndef PA_ESCAPE_H
#define PA_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "record.h"
#include "strbuf.h"

/* Whether a value tag is a str (of any kind). */
static inline bool is_str(uint8_t tag)
{
	return tag == PA_T_STR_UTF8 || tag == PA_T_STR_UCS1 ||
	       tag == PA_T_STR_UCS2 || tag == PA_T_STR_UCS4;
}

/*
 * The characters of a str payload (tag PA_T_STR_*, flags PA_VF_WCHAR),
 * escaped for text: quote is the quote character of a quoted str, or 0
 * for an unquoted token (event name, COMM...), where a space is \x20.
 */
void text_chars(struct sb *b, const void *d, size_t len, uint8_t tag,
		uint8_t flags, char quote);
/* The same, escaped as the contents of a JSON string (no quotes). */
void json_chars(struct sb *b, const void *d, size_t len, uint8_t tag,
		uint8_t flags);
/* A C string (UTF-8, maybe invalid) as a quoted JSON string. */
static inline void json_cstr(struct sb *b, const char *s)
{
	sb_putc(b, '"');
	json_chars(b, s, strlen(s), PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
}

/* Bytes of the longest prefix of d[0, len) that is strict UTF-8. */
size_t utf8_valid_prefix(const void *d, size_t len);
/*
 * Whether bytes d[0, len) read as UTF-8 text: the number of bytes that
 * do (len, or with cut, a value cut by a bound, len less the bytes of a
 * last character cut short), else SIZE_MAX.
 */
size_t utf8_text_len(const void *d, size_t len, bool cut);

/* Terminal columns of UTF-8 text: its lead bytes (one per character). */
size_t utf8_columns(const char *s);
/* The same for len bytes. */
size_t utf8_columns_n(const char *s, size_t len);

/*
 * Escape a message for stderr: text (spaces kept; controls, C1, bidi and
 * invalid bytes escaped) or the inside of a JSON string. Like snprintf.
 */
size_t format__escape(char *buf, size_t size, const char *s, size_t len,
		      bool json);

#endif
