// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The string buffer's primitives that are not on the per-value hot path
 * (see strbuf.h): padding, hex, UTF-8 encoding, %g.
 */
#include <stdio.h>
#include "strbuf.h"

/* Decimal digits of v, as printf's %llu would write them. */
void sb_u64(struct sb *b, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof(tmp);
	char *p;

	if (v < 10) {
		sb_putc(b, '0' + v);
		return;
	}
	do {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	} while (v);
	/* most often there is room: copy the digits without a call */
	if (b->len + sizeof(tmp) < b->size) {
		p = b->p + b->len;
		for (size_t i = n; i < sizeof(tmp); i++)
			*p++ = tmp[i];
		b->len += sizeof(tmp) - n;
	} else {
		sb_putn(b, tmp + n, sizeof(tmp) - n);
	}
}

/* As printf's %lld. */
void sb_i64(struct sb *b, int64_t v)
{
	if (v < 0) {
		sb_putc(b, '-');
		sb_u64(b, -(uint64_t)v);
	} else {
		sb_u64(b, v);
	}
}

/* v with leading zeros to at least width digits, as printf's %0*llu. */
void sb_u64_zero(struct sb *b, uint64_t v, int width)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	} while (v || (int)(sizeof(tmp) - n) < width);
	sb_putn(b, tmp + n, sizeof(tmp) - n);
}

static void sb_spaces(struct sb *b, size_t n)
{
	while (n--)
		sb_putc(b, ' ');
}

void sb_u64_left(struct sb *b, uint64_t v, int width)
{
	size_t start = b->len;

	sb_u64(b, v);
	while (b->len - start < (size_t)width)
		sb_putc(b, ' ');
}

/* Decimal digits in v (1 for 0). */
static int u64_digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

void sb_u64_right(struct sb *b, uint64_t v, int width)
{
	int n = u64_digits(v);

	if (n < width)
		sb_spaces(b, width - n);
	sb_u64(b, v);
}

void sb_puts_left(struct sb *b, const char *s, int width)
{
	size_t n = strlen(s);

	sb_putn(b, s, n);
	if (n < (size_t)width)
		sb_spaces(b, width - n);
}

void sb_puts_right(struct sb *b, const char *s, int width)
{
	size_t n = strlen(s);

	if (n < (size_t)width)
		sb_spaces(b, width - n);
	sb_putn(b, s, n);
}

void sb_double_g(struct sb *b, double d, int prec)
{
	char tmp[64];
	int n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);

	if (n > 0)
		sb_putn(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static const char hexdig[] = "0123456789abcdef";

void sb_hex(struct sb *b, const char *prefix, uint32_t v, int n)
{
	sb_puts(b, prefix);
	while (n--)
		sb_putc(b, hexdig[(v >> (4 * n)) & 0xf]);
}

void sb_utf8(struct sb *b, uint32_t c)
{
	if (c < 0x80) {
		sb_putc(b, c);
	} else if (c < 0x800) {
		sb_putc(b, 0xc0 | (c >> 6));
		sb_putc(b, 0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		sb_putc(b, 0xe0 | (c >> 12));
		sb_putc(b, 0x80 | ((c >> 6) & 0x3f));
		sb_putc(b, 0x80 | (c & 0x3f));
	} else {
		sb_putc(b, 0xf0 | (c >> 18));
		sb_putc(b, 0x80 | ((c >> 12) & 0x3f));
		sb_putc(b, 0x80 | ((c >> 6) & 0x3f));
		sb_putc(b, 0x80 | (c & 0x3f));
	}
}
