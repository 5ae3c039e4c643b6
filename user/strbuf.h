/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The string buffer every output line is built in (events, summaries,
 * log messages): like snprintf, it never writes past its size and counts
 * what would have been written, so a caller can size a second pass or
 * tell that a line was cut. The byte and string appenders are static
 * inline here, as they were in format.c: they are the consumer's hot path
 * (about 2 million JSON events per second on one core). The decimal
 * writers are calls, as they were too: inlined at their many call sites,
 * they made the replay bench slower.
 */
#ifndef PA_STRBUF_H
#define PA_STRBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* snprintf-like output buffer: len counts what would have been written. */
struct sb {
	char *p;
	size_t size;
	size_t len;
};

static inline void sb_putc(struct sb *b, char c)
{
	if (b->len + 1 < b->size)
		b->p[b->len] = c;
	b->len++;
}

static inline void sb_putn(struct sb *b, const char *s, size_t n)
{
	size_t room = 0;

	if (b->len + 1 < b->size)
		room = b->size - 1 - b->len;
	if (room)
		memcpy(b->p + b->len, s, n < room ? n : room);
	b->len += n;
}

/* Inlined: the length of a string literal is then known when compiling. */
static inline __attribute__((always_inline)) void sb_puts(struct sb *b,
							  const char *s)
{
	sb_putn(b, s, strlen(s));
}

/* Decimal digits of v, as printf's %llu would write them. */
void sb_u64(struct sb *b, uint64_t v);
/* As printf's %lld. */
void sb_i64(struct sb *b, int64_t v);
/* v with leading zeros to at least width digits, as printf's %0*llu. */
void sb_u64_zero(struct sb *b, uint64_t v, int width);

/* v then spaces to width columns, as printf's %-*llu. */
void sb_u64_left(struct sb *b, uint64_t v, int width);
/* Spaces then v to width columns, as printf's %*llu. */
void sb_u64_right(struct sb *b, uint64_t v, int width);
/* s then spaces to width bytes, as printf's %-*s. */
void sb_puts_left(struct sb *b, const char *s, int width);
/* Spaces then s to width bytes, as printf's %*s. */
void sb_puts_right(struct sb *b, const char *s, int width);
/* d as printf's %.*g with prec digits ("5", "0.25", "1e+300"). */
void sb_double_g(struct sb *b, double d, int prec);

/* NUL-terminate (cutting when full); the length that was wanted. */
static inline size_t sb_finish(struct sb *b)
{
	if (b->size)
		b->p[b->len < b->size ? b->len : b->size - 1] = '\0';
	return b->len;
}

/* "\x1b", "\u202e", "\U000e0001", "\udc80": prefix then n hex digits. */
void sb_hex(struct sb *b, const char *prefix, uint32_t v, int n);
/* The UTF-8 encoding of code point c (no checks: c <= 0x1fffff). */
void sb_utf8(struct sb *b, uint32_t c);

#endif
