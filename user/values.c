// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Values (values.h): the repr and JSON forms of decoded values, exact
 * where Python's repr is: a big int is converted through base 10**9
 * limbs, a float takes the fewest digits that read back as the same
 * double, laid out like float.__repr__.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "escape.h"
#include "values.h"

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

/* The type name of a PA_T_SUBCLASS for text: escaped, unquoted, "..."
 * when cut (or unreadable: then empty). */
static void subclass_name_text(struct sb *b, const struct rec_value *v)
{
	text_chars(b, v->data, v->data ? v->len : 0, PA_T_STR_UTF8, 0, 0);
	if (v->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
}

void repr_value(struct sb *b, const struct rec_value *v, int depth)
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
	case PA_T_SUBCLASS:
		if (!has_kids(v, 1) || depth >= FORMAT_DEPTH_MAX)
			break;
		subclass_name_text(b, v);
		sb_putc(b, '(');
		repr_value(b, &v->children[0], depth + 1);
		sb_putc(b, ')');
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
	if (v->tag == PA_T_SUBCLASS) {	/* hand-made, without its value */
		sb_putc(b, '<');
		subclass_name_text(b, v);
		sb_puts(b, " object>");
		return;
	}
	sb_puts(b, "<bad value ");
	sb_u64(b, v->tag);
	sb_putc(b, '>');
}

/*
 * The head of a value's object form, {"type":"KIND", and for the value of
 * a subclass (sub: its PA_T_SUBCLASS, else NULL) its type name:
 * ,"typename":"NAME" (,"typename_truncated":true when cut).
 */
static void json_head(struct sb *b, const char *kind,
		      const struct rec_value *sub)
{
	sb_puts(b, "{\"type\":\"");
	sb_puts(b, kind);
	sb_putc(b, '"');
	if (!sub)
		return;
	sb_puts(b, ",\"typename\":\"");
	json_chars(b, sub->data, sub->data ? sub->len : 0, PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
	if (sub->flags & PA_VF_TRUNCATED)
		sb_puts(b, ",\"typename_truncated\":true");
}

static void json_container(struct sb *b, const struct rec_value *v,
			   const struct rec_value *sub, int depth)
{
	uint32_t i, n = v->children ? v->nchildren : 0;
	bool cut = container_cut(v);

	if (depth >= FORMAT_DEPTH_MAX) {
		n = 0;
		cut = true;
	}
	if (cut || sub) {
		json_head(b, v->tag == PA_T_TUPLE ? "tuple" : "list", sub);
		if (cut && !(v->flags & PA_VF_LEN_UNKNOWN)) {
			sb_puts(b, ",\"length\":");
			sb_u64(b, v->real_len);
		}
		sb_puts(b, ",\"items\":");
	}
	sb_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			sb_putc(b, ',');
		json_value(b, &v->children[i], depth + 1);
	}
	sb_putc(b, ']');
	if (cut)
		sb_puts(b, ",\"truncated\":true");
	if (cut || sub)
		sb_putc(b, '}');
}

/*
 * ,"text":"..." for bytes that read as UTF-8 (os.system's command, a
 * bytes path), so that jq can test them; a cut value's text ends before
 * a character the bound cut short. base64 follows either way.
 */
static void bytes_text_json(struct sb *b, const struct rec_value *v)
{
	size_t n = utf8_text_len(v->data, v->data ? v->len : 0,
				 v->flags & PA_VF_TRUNCATED);

	if (n == SIZE_MAX)
		return;
	sb_puts(b, ",\"text\":\"");
	json_chars(b, v->data, n, PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
}

/*
 * A value in its JSON form; sub: the PA_T_SUBCLASS whose value v is, or
 * NULL. A subclass's value always takes its kind's object form, the one
 * a cut value of the plain kind has (value, items, base64 ...), with the
 * type name after "type".
 */
static void json_value_sub(struct sb *b, const struct rec_value *v,
			   const struct rec_value *sub, int depth)
{
	bool cut = v->flags & PA_VF_TRUNCATED;
	int64_t i64;
	uint64_t u64;
	double d;

	if (is_str(v->tag)) {
		if (cut || sub) {
			json_head(b, "str", sub);
			sb_puts(b, ",\"value\":");
		}
		sb_putc(b, '"');
		json_chars(b, v->data, v->len, v->tag, v->flags);
		sb_putc(b, '"');
		if (cut)
			sb_puts(b, ",\"truncated\":true");
		if (cut || sub)
			sb_putc(b, '}');
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
		if (isfinite(d) && !sub) {
			float_repr(b, d);
		} else {
			json_head(b, "float", sub);
			sb_puts(b, isfinite(d) ? ",\"value\":" : ",\"value\":\"");
			float_repr(b, d);
			sb_puts(b, isfinite(d) ? "}" : "\"}");
		}
		return;
	case PA_T_PYLONG:
		if (pylong_exact(v) && !sub) {
			pylong_decimal(b, v);
		} else if (pylong_exact(v)) {
			json_head(b, "int", sub);
			sb_puts(b, ",\"value\":");
			pylong_decimal(b, v);
			sb_putc(b, '}');
		} else {
			json_head(b, "int", sub);
			sb_puts(b, ",\"truncated\":true,\"digits30\":");
			sb_u64(b, pylong_ndigits(v));
			sb_putc(b, '}');
		}
		return;
	case PA_T_BYTES:
		json_head(b, "bytes", sub);
		bytes_text_json(b, v);
		sb_puts(b, ",\"base64\":\"");
		if (v->data)
			base64(b, v->data, v->len);
		sb_putc(b, '"');
		if (cut)
			sb_puts(b, ",\"truncated\":true");
		sb_putc(b, '}');
		return;
	case PA_T_TUPLE:
	case PA_T_LIST:
		json_container(b, v, sub, depth);
		return;
	case PA_T_SUBCLASS:
		if (has_kids(v, 1) && depth < FORMAT_DEPTH_MAX) {
			json_value_sub(b, &v->children[0], v, depth + 1);
		} else {	/* hand-made, without its value */
			json_head(b, "object", v);
			sb_putc(b, '}');
		}
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
		json_head(b, "unreadable", sub);
		sb_putc(b, '}');
		return;
	}
	sb_puts(b, "null");
}

void json_value(struct sb *b, const struct rec_value *v, int depth)
{
	json_value_sub(b, v, NULL, depth);
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

void name_text(struct sb *b, const struct rec_value *v)
{
	if (!is_str(v->tag)) {
		sb_puts(b, "<unreadable>");
		return;
	}
	text_chars(b, v->data, v->len, v->tag, v->flags, 0);
	if (v->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
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
