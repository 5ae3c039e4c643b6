// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Escaping (escape.h): iteration over the code points of each str kind,
 * the code points never written raw, and the text (Python repr) and JSON
 * forms of one code point, with a word-at-a-time fast path for runs of
 * plain ASCII, which most strings are.
 */
#include <stdint.h>
#include <string.h>
#include "escape.h"

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

void text_chars(struct sb *b, const void *d, size_t len, uint8_t tag,
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
void json_chars(struct sb *b, const void *d, size_t len, uint8_t tag,
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

size_t utf8_valid_prefix(const void *d, size_t len)
{
	struct uit it;
	uint32_t c;
	size_t good = 0;

	uit_init(&it, d, len, PA_T_STR_UTF8, 0);
	while (uit_next(&it, &c) == U_CP)
		good = it.pos;
	return good;
}

/* A lead byte and only continuation bytes after it, fewer than it
 * announces: a character cut by a bound. */
static bool utf8_cut_char(const uint8_t *s, size_t n)
{
	size_t want, i;

	if (!n || n > 3 || s[0] < 0xc2 || s[0] > 0xf4)
		return false;
	want = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	return n < want;
}

size_t utf8_text_len(const void *d, size_t len, bool cut)
{
	size_t good;

	if (!d)
		return len ? SIZE_MAX : 0;
	good = utf8_valid_prefix(d, len);
	if (good == len)
		return len;
	if (cut && utf8_cut_char((const uint8_t *)d + good, len - good))
		return good;
	return SIZE_MAX;
}

size_t utf8_columns_n(const char *s, size_t len)
{
	size_t n = 0;

	for (; len; s++, len--)
		if (((uint8_t)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t utf8_columns(const char *s)
{
	return utf8_columns_n(s, strlen(s));
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

