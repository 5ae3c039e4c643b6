// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Text and JSON Lines output of decoded events: values in Python repr
 * style or as JSON, every byte from a traced process escaped, and each
 * event as one line (format.h). docs/output.md describes the output and
 * tests/unit/test_format.c and test_golden.c pin it down.
 */
#include <errno.h>
#include <math.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"

/* Deeper than any decoded record: guards hand-made trees only. */
#define FORMAT_DEPTH_MAX (RECORD_DEPTH_MAX + 2)

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
static void sb_u64(struct sb *b, uint64_t v)
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
static void sb_i64(struct sb *b, int64_t v)
{
	if (v < 0) {
		sb_putc(b, '-');
		sb_u64(b, -(uint64_t)v);
	} else {
		sb_u64(b, v);
	}
}

/* v with leading zeros to at least width digits, as printf's %0*llu. */
static void sb_u64_zero(struct sb *b, uint64_t v, int width)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	} while (v || (int)(sizeof(tmp) - n) < width);
	sb_putn(b, tmp + n, sizeof(tmp) - n);
}

static size_t sb_finish(struct sb *b)
{
	if (b->size)
		b->p[b->len < b->size ? b->len : b->size - 1] = '\0';
	return b->len;
}

static const char hexdig[] = "0123456789abcdef";

/* "\x1b", "\u202e", "\U000e0001", "\udc80": prefix then n hex digits. */
static void sb_hex(struct sb *b, const char *prefix, uint32_t v, int n)
{
	sb_puts(b, prefix);
	while (n--)
		sb_putc(b, hexdig[(v >> (4 * n)) & 0xf]);
}

static void sb_utf8(struct sb *b, uint32_t c)
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

/*
 * Code points that are never written raw: an approximation of the
 * complement of Python's str.isprintable() (Cc, Cf, Zs but space, Zl,
 * Zp, Cs, Co, noncharacters) plus invisible fillers.
 */
static const struct {
	uint32_t lo, hi;
} hidden[] = {
	{ 0x0000, 0x001f },	/* C0 */
	{ 0x007f, 0x00a0 },	/* DEL, C1, no-break space */
	{ 0x00ad, 0x00ad },	/* soft hyphen */
	{ 0x0600, 0x0605 },	/* Arabic number signs (Cf) */
	{ 0x061c, 0x061c },	/* Arabic letter mark */
	{ 0x06dd, 0x06dd },
	{ 0x070f, 0x070f },
	{ 0x0890, 0x0891 },
	{ 0x08e2, 0x08e2 },
	{ 0x115f, 0x1160 },	/* Hangul fillers */
	{ 0x1680, 0x1680 },	/* Ogham space mark */
	{ 0x180e, 0x180e },	/* Mongolian vowel separator */
	{ 0x2000, 0x200f },	/* spaces, zero-width, LRM/RLM */
	{ 0x2028, 0x202f },	/* line/paragraph separators, bidi, NNBSP */
	{ 0x205f, 0x206f },	/* math space, word joiner, bidi isolates */
	{ 0x3000, 0x3000 },	/* ideographic space */
	{ 0x3164, 0x3164 },	/* Hangul filler */
	{ 0xd800, 0xf8ff },	/* surrogates, private use */
	{ 0xfdd0, 0xfdef },	/* noncharacters */
	{ 0xfeff, 0xfeff },	/* BOM, zero-width no-break space */
	{ 0xffa0, 0xffa0 },	/* halfwidth Hangul filler */
	{ 0xfff0, 0xfffb },	/* unassigned, interlinear annotation */
	{ 0x110bd, 0x110bd },
	{ 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f },	/* Egyptian hieroglyph format controls */
	{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* musical symbol format controls */
	{ 0xe0000, 0xe007f },	/* tags */
	{ 0xf0000, 0xffffffff },	/* private use planes 15-16, invalid */
};

static bool cp_hidden(uint32_t c)
{
	size_t lo = 0, hi = sizeof(hidden) / sizeof(hidden[0]);

	if ((c & 0xfffe) == 0xfffe)	/* noncharacter of any plane */
		return true;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c < hidden[mid].lo)
			hi = mid;
		else if (c > hidden[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Iteration over the characters of a str (or raw C string) payload. */
enum { U_END, U_CP, U_BYTE };
enum { K_UTF8, K_UCS1, K_UCS2, K_UCS4 };

struct uit {
	const uint8_t *d;
	size_t len, pos;
	int kind;
	bool wchar;
};

static void uit_init(struct uit *it, const void *d, size_t len, uint8_t tag,
		     uint8_t flags)
{
	it->d = d;
	it->len = d ? len : 0;
	it->pos = 0;
	it->wchar = false;
	switch (tag) {
	case PA_T_STR_UCS1:
		it->kind = K_UCS1;
		break;
	case PA_T_STR_UCS2:
		it->kind = K_UCS2;
		it->len -= it->len % 2;
		break;
	case PA_T_STR_UCS4:
		it->kind = K_UCS4;
		it->len -= it->len % 4;
		it->wchar = flags & PA_VF_WCHAR;
		break;
	default:
		it->kind = K_UTF8;
	}
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static int utf8_next(struct uit *it, uint32_t *out)
{
	const uint8_t *s = it->d + it->pos;
	size_t left = it->len - it->pos;
	uint8_t b = s[0], lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t n, i;

	if (b < 0x80) {
		*out = b;
		it->pos++;
		return U_CP;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		n = 1;
		c = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 2;
		c = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 3;
		c = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else {
		goto bad;
	}
	if (left < n + 1)
		goto bad;
	for (i = 1; i <= n; i++) {
		if (s[i] < lo || s[i] > hi)
			goto bad;
		lo = 0x80;
		hi = 0xbf;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*out = c;
	it->pos += n + 1;
	return U_CP;
bad:
	*out = b;
	it->pos++;
	return U_BYTE;
}

static int uit_next(struct uit *it, uint32_t *out)
{
	uint16_t u16;
	uint32_t u32;

	if (it->pos >= it->len)
		return U_END;
	switch (it->kind) {
	case K_UCS1:
		*out = it->d[it->pos++];
		return U_CP;
	case K_UCS2:
		memcpy(&u16, it->d + it->pos, 2);
		it->pos += 2;
		*out = u16;
		return U_CP;
	case K_UCS4:
		memcpy(&u32, it->d + it->pos, 4);
		it->pos += 4;
		if (it->wchar && u32 == 0) {
			it->pos = it->len;
			return U_END;
		}
		*out = u32;
		return U_CP;
	default:
		return utf8_next(it, out);
	}
}

/*
 * Text escaping of one code point. quote is the quote character of a
 * quoted str, or 0 for unquoted tokens (event name, comm...), where a
 * space is escaped instead.
 */
static void text_cp(struct sb *b, uint32_t c, char quote)
{
	switch (c) {
	case '\\':
		sb_puts(b, "\\\\");
		return;
	case '\n':
		sb_puts(b, "\\n");
		return;
	case '\r':
		sb_puts(b, "\\r");
		return;
	case '\t':
		sb_puts(b, "\\t");
		return;
	}
	if (quote && c == (uint32_t)quote) {
		sb_putc(b, '\\');
		sb_putc(b, quote);
	} else if (!quote && c == ' ') {
		sb_puts(b, "\\x20");
	} else if (!cp_hidden(c)) {
		sb_utf8(b, c);
	} else if (c < 0x100) {
		sb_hex(b, "\\x", c, 2);
	} else if (c < 0x10000) {
		sb_hex(b, "\\u", c, 4);
	} else {
		sb_hex(b, "\\U", c, 8);
	}
}

/* Each byte of a 64-bit word set to c. */
static uint64_t bytes_of(uint8_t c)
{
	return 0x0101010101010101ULL * c;
}

/*
 * Whether some byte of w is below n (n <= 0x80), and whether some byte
 * is 0: the word-at-a-time tests of "Bit Twiddling Hacks" (hasless,
 * haszero). Subtracting n from a byte below n borrows, which sets its
 * high bit; "& ~w" keeps bytes whose high bit was clear. The answers
 * are exact; which byte matched is not needed.
 */
static bool has_byte_below(uint64_t w, uint8_t n)
{
	return (w - bytes_of(n)) & ~w & bytes_of(0x80);
}

static bool has_zero_byte(uint64_t w)
{
	return has_byte_below(w, 1);
}

/*
 * Whether all 8 bytes at d are printable ASCII (0x20 to 0x7e) other
 * than stop1 and stop2: no byte with its high bit set, none below 0x20,
 * none equal to 0x7f, stop1 or stop2 (a byte equal to c is a 0 in
 * w ^ bytes_of(c)).
 */
static bool all_plain8(const uint8_t *d, uint8_t stop1, uint8_t stop2)
{
	uint64_t w;

	memcpy(&w, d, sizeof(w));
	return !(w & bytes_of(0x80)) && !has_byte_below(w, 0x20) &&
	       !has_zero_byte(w ^ bytes_of(0x7f)) &&
	       !has_zero_byte(w ^ bytes_of(stop1)) &&
	       !has_zero_byte(w ^ bytes_of(stop2));
}

/*
 * The fast path of escaping: how many bytes from the iterator's position
 * are printable ASCII (0x20 to 0x7e) other than the bytes stop1 and
 * stop2, and so stand for themselves in the output. 0 for UCS2 and UCS4,
 * whose code units are wider than a byte. In UTF-8 and in latin-1 a byte
 * below 0x80 is always a whole character, the same code point.
 */
static size_t uit_plain_run(const struct uit *it, uint8_t stop1,
			    uint8_t stop2)
{
	const uint8_t *d;
	size_t n, i = 0;

	if ((it->kind != K_UTF8 && it->kind != K_UCS1) || it->pos >= it->len)
		return 0;
	d = it->d + it->pos;
	n = it->len - it->pos;
	while (i + 8 <= n && all_plain8(d + i, stop1, stop2))
		i += 8;
	while (i < n && d[i] >= 0x20 && d[i] < 0x7f && d[i] != stop1 &&
	       d[i] != stop2)
		i++;
	return i;
}

/* Copy the run of plain bytes at the iterator's position (see above). */
static void copy_plain_run(struct sb *b, struct uit *it, uint8_t stop1,
			   uint8_t stop2)
{
	size_t run = uit_plain_run(it, stop1, stop2);

	if (run) {
		sb_putn(b, (const char *)it->d + it->pos, run);
		it->pos += run;
	}
}

static void text_chars(struct sb *b, const void *d, size_t len, uint8_t tag,
		       uint8_t flags, char quote)
{
	/* text_cp escapes a backslash, the quote, or unquoted a space */
	uint8_t special = quote ? quote : ' ';
	struct uit it;
	uint32_t c;
	int k;

	uit_init(&it, d, len, tag, flags);
	for (;;) {
		copy_plain_run(b, &it, '\\', special);
		k = uit_next(&it, &c);
		if (k == U_END)
			break;
		if (k == U_BYTE)
			sb_hex(b, "\\x", c, 2);
		else
			text_cp(b, c, quote);
	}
}

static void json_cp(struct sb *b, uint32_t c)
{
	if (c == '"' || c == '\\') {
		sb_putc(b, '\\');
		sb_putc(b, c);
		return;
	}
	if (c > 0x10ffff) {
		sb_puts(b, "\\ufffd");
		return;
	}
	if (c >= 0xd800 && c <= 0xdfff) {
		/*
		 * A lone surrogate: not as its own \udXXX escape, which jq,
		 * serde_json and others reject for a high one (jq then stops
		 * reading the file), but as the surrogateescape of its three
		 * UTF-8-style bytes, like an invalid byte of a C string:
		 * "\ud800" is written \udced\udca0\udc80.
		 */
		sb_hex(b, "\\udc", 0xe0 | (c >> 12), 2);
		sb_hex(b, "\\udc", 0x80 | ((c >> 6) & 0x3f), 2);
		sb_hex(b, "\\udc", 0x80 | (c & 0x3f), 2);
		return;
	}
	if (!cp_hidden(c)) {
		sb_utf8(b, c);
	} else if (c < 0x10000) {
		sb_hex(b, "\\u", c, 4);
	} else {
		c -= 0x10000;
		sb_hex(b, "\\u", 0xd800 | (c >> 10), 4);
		sb_hex(b, "\\u", 0xdc00 | (c & 0x3ff), 4);
	}
}

/* JSON string contents, without the quotes. */
static void json_chars(struct sb *b, const void *d, size_t len, uint8_t tag,
		       uint8_t flags)
{
	struct uit it;
	uint32_t c;
	int k;

	uit_init(&it, d, len, tag, flags);
	for (;;) {
		copy_plain_run(b, &it, '"', '\\');
		k = uit_next(&it, &c);
		if (k == U_END)
			break;
		if (k == U_BYTE)
			sb_hex(b, "\\udc", c, 2);
		else
			json_cp(b, c);
	}
}

static void json_cstr(struct sb *b, const char *s)
{
	sb_putc(b, '"');
	json_chars(b, s, strlen(s), PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
}

static bool is_str(uint8_t tag)
{
	return tag == PA_T_STR_UTF8 || tag == PA_T_STR_UCS1 ||
	       tag == PA_T_STR_UCS2 || tag == PA_T_STR_UCS4;
}

static void bytes_repr(struct sb *b, const uint8_t *d, size_t len)
{
	size_t i;

	sb_puts(b, "b'");
	for (i = 0; i < len; i++) {
		uint8_t c = d[i];

		if (c == '\\' || c == '\'') {
			sb_putc(b, '\\');
			sb_putc(b, c);
		} else if (c == '\n') {
			sb_puts(b, "\\n");
		} else if (c == '\r') {
			sb_puts(b, "\\r");
		} else if (c == '\t') {
			sb_puts(b, "\\t");
		} else if (c >= 0x20 && c < 0x7f) {
			sb_putc(b, c);
		} else {
			sb_hex(b, "\\x", c, 2);
		}
	}
	sb_putc(b, '\'');
}

static void base64(struct sb *b, const uint8_t *d, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = d[i] << 16 | d[i + 1] << 8 | d[i + 2];

		sb_putc(b, tab[v >> 18]);
		sb_putc(b, tab[(v >> 12) & 63]);
		sb_putc(b, tab[(v >> 6) & 63]);
		sb_putc(b, tab[v & 63]);
	}
	if (len - i == 1) {
		uint32_t v = d[i] << 16;

		sb_putc(b, tab[v >> 18]);
		sb_putc(b, tab[(v >> 12) & 63]);
		sb_puts(b, "==");
	} else if (len - i == 2) {
		uint32_t v = d[i] << 16 | d[i + 1] << 8;

		sb_putc(b, tab[v >> 18]);
		sb_putc(b, tab[(v >> 12) & 63]);
		sb_putc(b, tab[(v >> 6) & 63]);
		sb_putc(b, '=');
	}
}

/*
 * Shortest repr of a finite double that round-trips, laid out like
 * Python's float.__repr__: positional for 1e-4 <= |d| < 1e16 (with ".0"
 * when integral), else d.ddde+XX.
 */
static void float_repr(struct sb *b, double d)
{
	char tmp[48], digits[24];
	int p, nd = 0, exp, decpt, i;
	char *s, *e;

	if (isnan(d)) {
		sb_puts(b, "nan");
		return;
	}
	if (isinf(d)) {
		sb_puts(b, d < 0 ? "-inf" : "inf");
		return;
	}
	for (p = 0; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	if (!e) {		/* cannot happen */
		sb_puts(b, "nan");
		return;
	}
	exp = atoi(e + 1);
	for (s = tmp; s < e; s++) {
		if (*s >= '0' && *s <= '9' && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *s;
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (signbit(d))
		sb_putc(b, '-');
	decpt = exp + 1;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			sb_puts(b, "0.");
			for (i = decpt; i < 0; i++)
				sb_putc(b, '0');
			sb_putn(b, digits, nd);
		} else if (decpt >= nd) {
			sb_putn(b, digits, nd);
			for (i = nd; i < decpt; i++)
				sb_putc(b, '0');
			sb_puts(b, ".0");
		} else {
			sb_putn(b, digits, decpt);
			sb_putc(b, '.');
			sb_putn(b, digits + decpt, nd - decpt);
		}
	} else {
		sb_putc(b, digits[0]);
		if (nd > 1) {
			sb_putc(b, '.');
			sb_putn(b, digits + 1, nd - 1);
		}
		sb_putc(b, 'e');
		sb_putc(b, decpt - 1 < 0 ? '-' : '+');
		sb_u64_zero(b, abs(decpt - 1), 2);
	}
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A PYLONG that can be written exactly (not cut, digits within bounds). */
static bool pylong_exact(const struct rec_value *v)
{
	return !(v->flags & PA_VF_TRUNCATED) && v->len >= 4 && v->data &&
	       (v->len - 4) / 4 <= PA_INT_DIGITS_MAX;
}

static uint32_t pylong_ndigits(const struct rec_value *v)
{
	return v->len >= 4 && v->data ? get_u32(v->data) : 0;
}

/* Exact decimal of sum(digit[i] * 2**(30*i)), through base 10**9. */
static void pylong_decimal(struct sb *b, const struct rec_value *v)
{
	/* 8 digits of up to 32 bits: < 2**242 < 10**73, 9 limbs */
	uint32_t limbs[PA_INT_DIGITS_MAX + 4];
	size_t n = (v->len - 4) / 4, nl = 0, i, j;

	for (i = n; i-- > 0;) {
		uint64_t carry = get_u32(v->data + 4 + 4 * i);

		for (j = 0; j < nl; j++) {
			uint64_t t = ((uint64_t)limbs[j] << 30) + carry;

			limbs[j] = t % 1000000000u;
			carry = t / 1000000000u;
		}
		while (carry) {
			limbs[nl++] = carry % 1000000000u;
			carry /= 1000000000u;
		}
	}
	while (nl && !limbs[nl - 1])
		nl--;
	if (!nl) {
		sb_putc(b, '0');
		return;
	}
	if (v->flags & PA_VF_NEGATIVE)
		sb_putc(b, '-');
	sb_u64(b, limbs[nl - 1]);
	for (i = nl - 1; i-- > 0;)
		sb_u64_zero(b, limbs[i], 9);
}

static bool container_cut(const struct rec_value *v)
{
	if (v->flags & (PA_VF_TRUNCATED | PA_VF_NOT_EXPANDED))
		return true;
	return !(v->flags & PA_VF_LEN_UNKNOWN) && v->real_len > v->nchildren;
}

static bool has_kids(const struct rec_value *v, uint32_t n)
{
	return v->children && v->nchildren >= n;
}

static void repr_value(struct sb *b, const struct rec_value *v, int depth);

static void repr_container(struct sb *b, const struct rec_value *v, int depth)
{
	bool tuple = v->tag == PA_T_TUPLE;
	uint32_t i, n = v->children ? v->nchildren : 0;

	sb_putc(b, tuple ? '(' : '[');
	if (v->flags & PA_VF_NOT_EXPANDED) {
		sb_puts(b, "...");
		if (!(v->flags & PA_VF_LEN_UNKNOWN)) {
			sb_u64(b, v->real_len);
			sb_puts(b, v->real_len == 1 ? " item" : " items");
		}
	} else if (depth >= FORMAT_DEPTH_MAX) {
		sb_puts(b, "...");
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				sb_puts(b, ", ");
			repr_value(b, &v->children[i], depth + 1);
		}
		if (container_cut(v))
			sb_puts(b, n ? ", ..." : "...");
		else if (tuple && n == 1)
			sb_putc(b, ',');
	}
	sb_putc(b, tuple ? ')' : ']');
}

static void repr_value(struct sb *b, const struct rec_value *v, int depth)
{
	int64_t i64;
	uint64_t u64;
	double d;

	if (is_str(v->tag)) {
		sb_putc(b, '\'');
		text_chars(b, v->data, v->len, v->tag, v->flags, '\'');
		sb_putc(b, '\'');
		if (v->flags & PA_VF_TRUNCATED)
			sb_puts(b, "...");
		return;
	}
	switch (v->tag) {
	case PA_T_NONE:
		sb_puts(b, "None");
		return;
	case PA_T_TRUE:
		sb_puts(b, "True");
		return;
	case PA_T_FALSE:
		sb_puts(b, "False");
		return;
	case PA_T_INT:
		if (v->len != 8 || !v->data)
			break;
		memcpy(&i64, v->data, 8);
		sb_i64(b, i64);
		return;
	case PA_T_UINT:
		if (v->len != 8 || !v->data)
			break;
		memcpy(&u64, v->data, 8);
		sb_u64(b, u64);
		return;
	case PA_T_FLOAT:
		if (v->len != 8 || !v->data)
			break;
		memcpy(&d, v->data, 8);
		float_repr(b, d);
		return;
	case PA_T_PYLONG:
		if (pylong_exact(v))
			pylong_decimal(b, v);
		else {
			sb_puts(b, "<int: ");
			sb_u64(b, pylong_ndigits(v));
			sb_puts(b, " digits, truncated>");
		}
		return;
	case PA_T_BYTES:
		bytes_repr(b, v->data, v->data ? v->len : 0);
		if (v->flags & PA_VF_TRUNCATED)
			sb_puts(b, "...");
		return;
	case PA_T_TUPLE:
	case PA_T_LIST:
		repr_container(b, v, depth);
		return;
	case PA_T_CODE:
		if (!has_kids(v, 2) || depth >= FORMAT_DEPTH_MAX) {
			sb_puts(b, "<code>");
			return;
		}
		sb_puts(b, "<code ");
		repr_value(b, &v->children[1], depth + 1);
		sb_puts(b, " file ");
		repr_value(b, &v->children[0], depth + 1);
		sb_putc(b, '>');
		return;
	case PA_T_OBJECT:
		sb_puts(b, v->flags & PA_VF_CLASS ? "<class " : "<");
		text_chars(b, v->data, v->len, PA_T_STR_UTF8, 0, 0);
		if (v->flags & PA_VF_TRUNCATED)
			sb_puts(b, "...");
		sb_puts(b, v->flags & PA_VF_CLASS ? ">" : " object>");
		return;
	case PA_T_UNREADABLE:
		sb_puts(b, "<unreadable>");
		return;
	}
	sb_puts(b, "<bad value ");
	sb_u64(b, v->tag);
	sb_putc(b, '>');
}

static void json_value(struct sb *b, const struct rec_value *v, int depth);

static void json_container(struct sb *b, const struct rec_value *v, int depth)
{
	uint32_t i, n = v->children ? v->nchildren : 0;
	bool cut = container_cut(v);

	if (depth >= FORMAT_DEPTH_MAX) {
		n = 0;
		cut = true;
	}
	if (cut) {
		sb_puts(b, v->tag == PA_T_TUPLE ? "{\"type\":\"tuple\","
						: "{\"type\":\"list\",");
		if (!(v->flags & PA_VF_LEN_UNKNOWN)) {
			sb_puts(b, "\"length\":");
			sb_u64(b, v->real_len);
			sb_putc(b, ',');
		}
		sb_puts(b, "\"items\":");
	}
	sb_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			sb_putc(b, ',');
		json_value(b, &v->children[i], depth + 1);
	}
	sb_putc(b, ']');
	if (cut)
		sb_puts(b, ",\"truncated\":true}");
}

static void json_value(struct sb *b, const struct rec_value *v, int depth)
{
	bool cut = v->flags & PA_VF_TRUNCATED;
	int64_t i64;
	uint64_t u64;
	double d;

	if (is_str(v->tag)) {
		if (cut)
			sb_puts(b, "{\"type\":\"str\",\"value\":");
		sb_putc(b, '"');
		json_chars(b, v->data, v->len, v->tag, v->flags);
		sb_putc(b, '"');
		if (cut)
			sb_puts(b, ",\"truncated\":true}");
		return;
	}
	switch (v->tag) {
	case PA_T_NONE:
		sb_puts(b, "null");
		return;
	case PA_T_TRUE:
		sb_puts(b, "true");
		return;
	case PA_T_FALSE:
		sb_puts(b, "false");
		return;
	case PA_T_INT:
		if (v->len != 8 || !v->data)
			break;
		memcpy(&i64, v->data, 8);
		sb_i64(b, i64);
		return;
	case PA_T_UINT:
		if (v->len != 8 || !v->data)
			break;
		memcpy(&u64, v->data, 8);
		sb_u64(b, u64);
		return;
	case PA_T_FLOAT:
		if (v->len != 8 || !v->data)
			break;
		memcpy(&d, v->data, 8);
		if (isfinite(d)) {
			float_repr(b, d);
		} else {
			sb_puts(b, "{\"type\":\"float\",\"value\":\"");
			float_repr(b, d);
			sb_puts(b, "\"}");
		}
		return;
	case PA_T_PYLONG:
		if (pylong_exact(v))
			pylong_decimal(b, v);
		else {
			sb_puts(b, "{\"type\":\"int\",\"truncated\":true,"
				   "\"digits30\":");
			sb_u64(b, pylong_ndigits(v));
			sb_putc(b, '}');
		}
		return;
	case PA_T_BYTES:
		sb_puts(b, "{\"type\":\"bytes\",\"base64\":\"");
		if (v->data)
			base64(b, v->data, v->len);
		sb_putc(b, '"');
		if (cut)
			sb_puts(b, ",\"truncated\":true");
		sb_putc(b, '}');
		return;
	case PA_T_TUPLE:
	case PA_T_LIST:
		json_container(b, v, depth);
		return;
	case PA_T_CODE:
		sb_puts(b, "{\"type\":\"code\"");
		if (has_kids(v, 2) && depth < FORMAT_DEPTH_MAX) {
			sb_puts(b, ",\"filename\":");
			json_value(b, &v->children[0], depth + 1);
			sb_puts(b, ",\"name\":");
			json_value(b, &v->children[1], depth + 1);
		}
		sb_putc(b, '}');
		return;
	case PA_T_OBJECT:
		sb_puts(b, v->flags & PA_VF_CLASS ?
			   "{\"type\":\"class\",\"name\":\"" :
			   "{\"type\":\"object\",\"typename\":\"");
		json_chars(b, v->data, v->len, PA_T_STR_UTF8, 0);
		sb_putc(b, '"');
		if (cut)
			sb_puts(b, ",\"truncated\":true");
		sb_putc(b, '}');
		return;
	case PA_T_UNREADABLE:
		sb_puts(b, "{\"type\":\"unreadable\"}");
		return;
	}
	sb_puts(b, "null");
}

size_t format__repr(char *buf, size_t size, const struct rec_value *v)
{
	struct sb b = { .p = buf, .size = size };

	repr_value(&b, v, 0);
	return sb_finish(&b);
}

size_t format__json_value(char *buf, size_t size, const struct rec_value *v)
{
	struct sb b = { .p = buf, .size = size };

	json_value(&b, v, 0);
	return sb_finish(&b);
}

static void name_text(struct sb *b, const struct rec_value *v)
{
	if (!is_str(v->tag)) {
		sb_puts(b, "<unreadable>");
		return;
	}
	text_chars(b, v->data, v->len, v->tag, v->flags, 0);
	if (v->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
}

size_t format__escape(char *buf, size_t size, const char *s, size_t len,
		      bool json)
{
	struct sb b = { .p = buf, .size = size };

	if (json)
		json_chars(&b, s, len, PA_T_STR_UTF8, 0);
	else
		text_chars(&b, s, len, PA_T_STR_UTF8, 0, '"');
	return sb_finish(&b);
}

size_t format__name(char *buf, size_t size, const struct rec_value *v,
		    bool text)
{
	struct sb b = { .p = buf, .size = size };

	if (text)
		name_text(&b, v);
	else if (is_str(v->tag))
		json_chars(&b, v->data, v->len, v->tag, v->flags);
	return sb_finish(&b);
}

static const char *source_name(uint8_t source)
{
	switch (source) {
	case PA_SRC_USDT:
		return "usdt";
	case PA_SRC_SYS_AUDIT:
		return "sys_audit";
	case PA_SRC_VALIST:
		return "sys_audit_tstate";
	case PA_SRC_VARARGS:
		return "PySys_Audit";
	case PA_SRC_VARARGS_TS:
		return "_PySys_Audit";
	default:
		return "unknown";
	}
}

/*
 * "2026-11-24" and "17:25:01". The fields are never negative: a 64-bit
 * nanosecond clock spans the years 1677 to 2262.
 */
static void sb_date(struct sb *b, const struct tm *tm)
{
	sb_u64_zero(b, tm->tm_year + 1900, 4);
	sb_putc(b, '-');
	sb_u64_zero(b, tm->tm_mon + 1, 2);
	sb_putc(b, '-');
	sb_u64_zero(b, tm->tm_mday, 2);
}

static void sb_time_of_day(struct sb *b, const struct tm *tm)
{
	sb_u64_zero(b, tm->tm_hour, 2);
	sb_putc(b, ':');
	sb_u64_zero(b, tm->tm_min, 2);
	sb_putc(b, ':');
	sb_u64_zero(b, tm->tm_sec, 2);
}

/*
 * "2026-11-24T17:25:01", the UTC date and time of sec. Events come many
 * to a second: the text of the last second is kept (gmtime_r takes a
 * lock in glibc).
 */
static void utc_second(struct sb *b, time_t sec)
{
	static time_t last_sec;
	static char last[sizeof("2026-11-24T17:25:01")];
	static bool have_last;
	struct sb t = { .p = last, .size = sizeof(last) };
	struct tm tm;

	if (!have_last || sec != last_sec) {
		if (!gmtime_r(&sec, &tm))
			memset(&tm, 0, sizeof(tm));
		sb_date(&t, &tm);
		sb_putc(&t, 'T');
		sb_time_of_day(&t, &tm);
		sb_finish(&t);
		last_sec = sec;
		have_last = true;
	}
	sb_putn(b, last, sizeof(last) - 1);
}

/* Wall-clock time of the event, split into seconds and nanoseconds. */
static void event_time(const struct format_opts *o, const struct rec_event *ev,
		       time_t *sec, long *nsec)
{
	/* unsigned arithmetic: a hostile ts_ns cannot overflow */
	int64_t ns = (int64_t)(ev->hdr.ts_ns + (uint64_t)o->realtime_offset_ns);
	int64_t s = ns / 1000000000, r = ns % 1000000000;

	if (r < 0) {
		r += 1000000000;
		s--;
	}
	*sec = s;
	*nsec = r;
}

/* ---- the head of an event: text columns and JSON members ----------------- */

/*
 * The fields before the event name, described once: the text columns
 * (titled by format__header, each padded to its width in characters and
 * followed by a space) and the first members of a JSON line. The two
 * forms show them in different orders (text_columns(), json_head[]), and
 * some in one form only: JSON has the parent and the container in its
 * "process" object, and text has no thread id.
 */
enum head_field {
	HF_TIME,
	HF_UID,
	HF_PID,
	HF_TID,
	HF_PPID,
	HF_COMM,
	HF_CONTAINER,
	HF_COUNT,
};

typedef void (*head_writer)(struct sb *b, const struct format_opts *o,
			    const struct event_view *v);

struct head_desc {
	const char *title;	/* text column; NULL: JSON only */
	int width;		/* of the text column, in characters */
	const char *key;	/* JSON member name, quoted, and a colon */
	size_t key_len;
	head_writer text, json;
};

/* The key of a JSON member: "name": (NULL: text only) */
#define JSON_KEY(name) .key = "\"" name "\":", .key_len = sizeof(name) + 2

/* -T: TIME begins with the date, "2026-11-24 " */
#define DATE_COLS 11

/* HH:MM:SS.uuuuuu in local time, after the date with -T */
static void time_text(struct sb *b, const struct format_opts *o,
		      const struct event_view *v)
{
	struct tm tm;
	time_t sec;
	long nsec;

	event_time(o, v->ev, &sec, &nsec);
	if (!localtime_r(&sec, &tm)) {
		sb_puts(b, o->abs_time ? "?\?\?\?-?\?-?\? ?\?:?\?:?\?.?\?\?\?\?\?"
				       : "?\?:?\?:?\?.?\?\?\?\?\?");
		return;
	}
	if (o->abs_time) {
		sb_date(b, &tm);
		sb_putc(b, ' ');
	}
	sb_time_of_day(b, &tm);
	sb_putc(b, '.');
	sb_u64_zero(b, nsec / 1000, 6);
}

/* RFC 3339 UTC with nanoseconds */
static void time_json(struct sb *b, const struct format_opts *o,
		      const struct event_view *v)
{
	time_t sec;
	long nsec;

	event_time(o, v->ev, &sec, &nsec);
	sb_putc(b, '"');
	utc_second(b, sec);
	sb_putc(b, '.');
	sb_u64_zero(b, nsec, 9);
	sb_puts(b, "Z\"");
}

static void uid_any(struct sb *b, const struct format_opts *o,
		    const struct event_view *v)
{
	sb_u64(b, v->ev->hdr.uid);
}

static void pid_any(struct sb *b, const struct format_opts *o,
		    const struct event_view *v)
{
	sb_u64(b, v->ev->hdr.pid);
}

static void tid_any(struct sb *b, const struct format_opts *o,
		    const struct event_view *v)
{
	sb_u64(b, v->ev->hdr.tid);
}

static void ppid_any(struct sb *b, const struct format_opts *o,
		     const struct event_view *v)
{
	sb_u64(b, v->ev->hdr.ppid);
}

static void comm_text(struct sb *b, const struct format_opts *o,
		      const struct event_view *v)
{
	const char *comm = v->ev->hdr.comm;

	text_chars(b, comm, strnlen(comm, PA_COMM_LEN), PA_T_STR_UTF8, 0, 0);
}

static void comm_json(struct sb *b, const struct format_opts *o,
		      const struct event_view *v)
{
	const char *comm = v->ev->hdr.comm;

	sb_putc(b, '"');
	json_chars(b, comm, strnlen(comm, PA_COMM_LEN), PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
}

/* the short form: 12 hex digits, or - */
static void container_text(struct sb *b, const struct format_opts *o,
			   const struct event_view *v)
{
	const char *id = v->proc ? v->proc->container_id : "";

	if (!id[0])
		id = "-";
	sb_putn(b, id, strnlen(id, 12));
}

static const struct head_desc head[HF_COUNT] = {
	[HF_TIME] = { "TIME", 15, JSON_KEY("time"), time_text, time_json },
	[HF_UID] = { "UID", 6, JSON_KEY("uid"), uid_any, uid_any },
	[HF_PID] = { "PID", 7, JSON_KEY("pid"), pid_any, pid_any },
	[HF_TID] = { NULL, 0, JSON_KEY("tid"), NULL, tid_any },
	[HF_PPID] = { "PPID", 7, NULL, 0, ppid_any, NULL },
	[HF_COMM] = { "COMM", PA_COMM_LEN, JSON_KEY("comm"), comm_text, comm_json },
	[HF_CONTAINER] = { "CONTAINER", 12, NULL, 0, container_text, NULL },
};

static const enum head_field json_head[] = {
	HF_TIME, HF_PID, HF_TID, HF_UID, HF_COMM,
};

/* The text columns the options ask for, in their order. */
static size_t text_columns(const struct format_opts *o,
			   enum head_field cols[HF_COUNT])
{
	size_t n = 0;

	cols[n++] = HF_TIME;
	if (o->col_uid)
		cols[n++] = HF_UID;
	cols[n++] = HF_PID;
	if (o->col_ppid)
		cols[n++] = HF_PPID;
	cols[n++] = HF_COMM;
	if (o->col_container)
		cols[n++] = HF_CONTAINER;
	return n;
}

static size_t column_width(const struct format_opts *o, enum head_field f)
{
	return head[f].width + (f == HF_TIME && o->abs_time ? DATE_COLS : 0);
}

/* Characters (UTF-8 lead bytes) in b from byte start on. */
static size_t sb_columns(const struct sb *b, size_t start)
{
	size_t end = b->len < b->size ? b->len : b->size - 1, n = 0;

	for (; start < end; start++)
		if (((uint8_t)b->p[start] & 0xc0) != 0x80)
			n++;
	return n;
}

static void head_text(struct sb *b, const struct format_opts *o,
		      const struct event_view *v)
{
	enum head_field cols[HF_COUNT];
	size_t i, n = text_columns(o, cols), start, c, width;

	for (i = 0; i < n; i++) {
		start = b->len;
		head[cols[i]].text(b, o, v);
		width = column_width(o, cols[i]);
		for (c = sb_columns(b, start); c < width; c++)
			sb_putc(b, ' ');
		sb_putc(b, ' ');
	}
}

/* {"time":...,"comm":... (the object is left open) */
static void head_json(struct sb *b, const struct format_opts *o,
		      const struct event_view *v)
{
	size_t i;

	for (i = 0; i < sizeof(json_head) / sizeof(json_head[0]); i++) {
		const struct head_desc *f = &head[json_head[i]];

		sb_putc(b, i ? ',' : '{');
		sb_putn(b, f->key, f->key_len);
		f->json(b, o, v);
	}
}

void format__header(FILE *out, const struct format_opts *o)
{
	enum head_field cols[HF_COUNT];
	size_t i, n;

	if (o->json)
		return;
	n = text_columns(o, cols);
	for (i = 0; i < n; i++)
		fprintf(out, "%-*s ", (int)column_width(o, cols[i]),
			head[cols[i]].title);
	fputs("EVENT ARGS\n", out);
}

/* ---- the event and its arguments ----------------------------------------- */

static const char *arg_name(const struct event_def *def, uint32_t i,
			    char *tmp, size_t size)
{
	struct sb t = { .p = tmp, .size = size };

	if (def && i < def->nargs && i < EVENT_ARGS_MAX && def->args[i])
		return def->args[i];
	sb_puts(&t, "arg");
	sb_u64(&t, i);
	sb_finish(&t);
	return tmp;
}

static uint32_t missing_args(const struct rec_event *ev)
{
	return ev->hdr.total_args > ev->nargs ? ev->hdr.total_args - ev->nargs
					      : 0;
}

static bool args_cut(const struct rec_event *ev)
{
	return missing_args(ev) ||
	       (ev->hdr.flags & (PA_EV_ARGS_TRUNCATED | PA_EV_REC_FULL |
				 PA_EV_BAD_FORMAT));
}

/* ---- where in the Python code (PA_T_FRAME values) ------------------------ */

/* " FILE:LINE in FUNC", escaped; "?" for what is unknown. */
static void frame_text(struct sb *b, const struct rec_value *f, int line)
{
	const struct rec_value *file = &f->children[0], *fn = &f->children[1];

	if (is_str(file->tag))
		text_chars(b, file->data, file->len, file->tag, file->flags, 0);
	else
		sb_putc(b, '?');
	if (file->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
	if (line < 0) {
		sb_puts(b, ":?");
	} else {
		sb_putc(b, ':');
		sb_i64(b, line);
	}
	sb_puts(b, " in ");
	if (is_str(fn->tag))
		text_chars(b, fn->data, fn->len, fn->tag, fn->flags, 0);
	else
		sb_putc(b, '?');
	if (fn->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
}

/* After the arguments: " at FILE:LINE in FUNC", then one indented line
 * per caller (--stack), innermost first. */
static void source_text(struct sb *b, const struct format_opts *o,
			const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	uint32_t i;

	switch (ev->hdr.frame_status) {
	case PA_FS_OK:
		break;
	case PA_FS_NO_FRAME:
		sb_puts(b, " at <no Python frame>");
		return;
	case PA_FS_UNREADABLE:
		sb_puts(b, " at <frame unreadable>");
		return;
	case PA_FS_UNSUPPORTED:
		sb_puts(b, " at <frames unsupported for this build>");
		return;
	default:
		return;
	}
	if (!ev->nframes || !ev->frames)
		return;
	sb_puts(b, " at ");
	frame_text(b, &ev->frames[0], v->lines[0]);
	for (i = 1; o->stack && i < ev->nframes; i++) {
		sb_puts(b, "\n    at ");
		frame_text(b, &ev->frames[i], v->lines[i]);
	}
	if (o->stack && (ev->hdr.flags & PA_EV_FRAMES_CUT))
		sb_puts(b, "\n    ...(more frames, no room in the record)");
}

/* {"file":...,"line":N,"function":...}; null for what is unknown. */
static void frame_json(struct sb *b, const struct rec_value *f, int line)
{
	const struct rec_value *file = &f->children[0], *fn = &f->children[1];

	sb_puts(b, "{\"file\":");
	if (is_str(file->tag)) {
		sb_putc(b, '"');
		json_chars(b, file->data, file->len, file->tag, file->flags);
		sb_putc(b, '"');
	} else {
		sb_puts(b, "null");
	}
	if (line < 0) {
		sb_puts(b, ",\"line\":null");
	} else {
		sb_puts(b, ",\"line\":");
		sb_i64(b, line);
	}
	sb_puts(b, ",\"function\":");
	if (is_str(fn->tag)) {
		sb_putc(b, '"');
		json_chars(b, fn->data, fn->len, fn->tag, fn->flags);
		sb_putc(b, '"');
	} else {
		sb_puts(b, "null");
	}
	if (file->flags & PA_VF_TRUNCATED)
		sb_puts(b, ",\"file_truncated\":true");
	if (fn->flags & PA_VF_TRUNCATED)
		sb_puts(b, ",\"function_truncated\":true");
	sb_putc(b, '}');
}

/* ,"source":{...} and with --stack ,"stack":[{...},...] */
static void source_json(struct sb *b, const struct format_opts *o,
			const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	uint32_t i;

	switch (ev->hdr.frame_status) {
	case PA_FS_OK:
		if (!ev->nframes || !ev->frames)
			return;
		sb_puts(b, ",\"source\":");
		frame_json(b, &ev->frames[0], v->lines[0]);
		break;
	case PA_FS_NO_FRAME:
		sb_puts(b, ",\"source\":null");
		break;
	case PA_FS_UNREADABLE:
		sb_puts(b, ",\"source\":{\"error\":\"unreadable\"}");
		break;
	case PA_FS_UNSUPPORTED:
		sb_puts(b, ",\"source\":{\"error\":\"unsupported\"}");
		break;
	default:
		return;
	}
	if (!o->stack)
		return;
	sb_puts(b, ",\"stack\":[");
	for (i = 1; i < ev->nframes && ev->frames; i++) {
		if (i > 1)
			sb_putc(b, ',');
		frame_json(b, &ev->frames[i], v->lines[i]);
	}
	sb_putc(b, ']');
	if (ev->hdr.flags & PA_EV_FRAMES_CUT)
		sb_puts(b, ",\"stack_truncated\":true");
}

/* ---- whole lines --------------------------------------------------------- */

static void event_text(struct sb *b, const struct format_opts *o,
		       const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	char tmp[16];
	size_t i;

	head_text(b, o, v);
	name_text(b, &ev->name);
	for (i = 0; i < ev->nargs && ev->args; i++) {
		const char *n = arg_name(v->def, i, tmp, sizeof(tmp));

		sb_putc(b, ' ');
		text_chars(b, n, strlen(n), PA_T_STR_UTF8, 0, 0);
		sb_putc(b, '=');
		repr_value(b, &ev->args[i], 0);
	}
	if (missing_args(ev)) {
		sb_puts(b, " ...(+");
		sb_u64(b, missing_args(ev));
		sb_puts(b, " more args)");
	}
	else if (args_cut(ev))
		sb_puts(b, " ...(truncated)");
	source_text(b, o, v);
	sb_putc(b, '\n');
}

/* NUL-separated arguments as a JSON array of strings. */
static void cmdline_json(struct sb *b, const char *p, size_t len)
{
	size_t i = 0, start;
	const char *nul;
	bool first = true;

	sb_putc(b, '[');
	while (i < len) {
		start = i;
		nul = memchr(p + i, '\0', len - i);
		i = nul ? (size_t)(nul - p) : len;
		if (!first)
			sb_putc(b, ',');
		first = false;
		sb_putc(b, '"');
		json_chars(b, p + start, i - start, PA_T_STR_UTF8, 0);
		sb_putc(b, '"');
		i++;	/* the NUL */
	}
	sb_putc(b, ']');
}

/*
 * "process": who raised the event, with field names after Tetragon's and
 * Falco's process objects. auid and sessionid are left out when unset.
 */
static void process_json(struct sb *b, const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	const struct proc_info *pi = v->proc;

	sb_puts(b, ",\"process\":{\"pid\":");
	sb_u64(b, ev->hdr.pid);
	sb_puts(b, ",\"tid\":");
	sb_u64(b, ev->hdr.tid);
	sb_puts(b, ",\"ppid\":");
	sb_u64(b, ev->hdr.ppid);
	sb_puts(b, ",\"uid\":");
	sb_u64(b, ev->hdr.uid);
	sb_puts(b, ",\"euid\":");
	sb_u64(b, ev->hdr.euid);
	sb_puts(b, ",\"gid\":");
	sb_u64(b, ev->hdr.gid);
	if (ev->hdr.auid != UINT32_MAX) {
		sb_puts(b, ",\"auid\":");
		sb_u64(b, ev->hdr.auid);
	}
	if (ev->hdr.sessionid != UINT32_MAX) {
		sb_puts(b, ",\"sessionid\":");
		sb_u64(b, ev->hdr.sessionid);
	}
	sb_puts(b, ",\"comm\":\"");
	json_chars(b, ev->hdr.comm, strnlen(ev->hdr.comm, PA_COMM_LEN),
		   PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
	if (pi && pi->exe[0]) {
		sb_puts(b, ",\"exe\":\"");
		json_chars(b, pi->exe, strnlen(pi->exe, sizeof(pi->exe)),
			   PA_T_STR_UTF8, 0);
		sb_putc(b, '"');
	}
	if (pi && pi->cmdline_len) {
		sb_puts(b, ",\"cmdline\":");
		cmdline_json(b, pi->cmdline, pi->cmdline_len < sizeof(pi->cmdline) ?
				 pi->cmdline_len : sizeof(pi->cmdline));
		if (pi->cmdline_truncated)
			sb_puts(b, ",\"cmdline_truncated\":true");
	}
	sb_puts(b, ",\"cgroup_id\":");
	sb_u64(b, ev->hdr.cgroup_id);
	if (pi && pi->container_id[0]) {
		sb_puts(b, ",\"container_id\":\"");
		json_chars(b, pi->container_id, strnlen(pi->container_id,
			   sizeof(pi->container_id)), PA_T_STR_UTF8, 0);
		sb_putc(b, '"');
		if (pi->container_runtime) {
			sb_puts(b, ",\"container_runtime\":\"");
			sb_puts(b, pi->container_runtime);
			sb_putc(b, '"');
		}
	}
	sb_putc(b, '}');
}

static void event_json(struct sb *b, const struct format_opts *o,
		       const struct event_view *v, bool no_args)
{
	const struct rec_event *ev = v->ev;
	char tmp[16];
	uint32_t i;

	head_json(b, o, v);
	sb_puts(b, ",\"event\":");
	if (is_str(ev->name.tag)) {
		sb_putc(b, '"');
		json_chars(b, ev->name.data, ev->name.len, ev->name.tag,
			   ev->name.flags);
		sb_putc(b, '"');
	} else {
		sb_puts(b, "null");
	}
	sb_puts(b, ",\"args\":{");
	for (i = 0; !no_args && i < ev->nargs && ev->args; i++) {
		if (i)
			sb_putc(b, ',');
		json_cstr(b, arg_name(v->def, i, tmp, sizeof(tmp)));
		sb_putc(b, ':');
		json_value(b, &ev->args[i], 0);
	}
	sb_puts(b, "},\"probe\":\"");
	sb_puts(b, source_name(ev->hdr.source));
	sb_putc(b, '"');
	source_json(b, o, v);
	if (args_cut(ev) || no_args)
		sb_puts(b, ",\"truncated\":true");
	if (missing_args(ev)) {
		sb_puts(b, ",\"total_args\":");
		sb_u64(b, ev->hdr.total_args);
	}
	if (is_str(ev->name.tag) && (ev->name.flags & PA_VF_TRUNCATED))
		sb_puts(b, ",\"event_truncated\":true");
	if (no_args)
		sb_puts(b, ",\"output_truncated\":true");
	process_json(b, v);
	sb_puts(b, "}\n");
}

/*
 * Each line is built in memory and written with one fwrite(), so that
 * lines never interleave. A record of PA_REC_MAX bytes expands to at
 * most about 15 times its size in JSON (a truncated empty type name:
 * 4 bytes become 59), so FORMAT_LINE_MAX always suffices; should it not,
 * a JSON line is written again without its arguments and with
 * "output_truncated":true, and a text line is cut at a character
 * boundary and ends in " ...(line truncated)".
 */
void format__event(FILE *out, const struct format_opts *o,
		   const struct event_view *v)
{
	static char line[FORMAT_LINE_MAX];
	struct sb b = { .p = line, .size = sizeof(line) };
	static const char cut[] = " ...(line truncated)\n";
	size_t n;

	if (o->json) {
		event_json(&b, o, v, false);
		if (b.len >= b.size) {
			b.len = 0;
			event_json(&b, o, v, true);
		}
	} else {
		event_text(&b, o, v);
		if (b.len >= b.size) {
			/* back up to a character boundary, leave room */
			n = b.size - sizeof(cut);
			while (n && ((uint8_t)line[n] & 0xc0) == 0x80)
				n--;
			b.len = n;
			sb_puts(&b, cut);
		}
	}
	n = sb_finish(&b);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	/*
	 * A full buffer is written out wherever it ends: flush it first when
	 * the line does not fit in what is left, so that each write(2) is
	 * whole lines (a line of FORMAT_LINE_MAX always fits pyaudit's).
	 */
	if (__fpending(out) + n > __fbufsize(out))
		fflush(out);
	fwrite(line, 1, n, out);
}
