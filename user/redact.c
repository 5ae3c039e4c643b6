// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --redact: values known to carry secrets hidden (redact.h). */
#include <string.h>
#include "escape.h"
#include "redact.h"

/*
 * The arguments hidden whole. Argument names are the events table's
 * (CPython's "Audit events table"); env is a mapping (os.exec,
 * os.posix_spawn, os.spawn, subprocess.Popen: the environment given to a
 * new program, where tokens and passwords are usually passed).
 */
static const struct redact_rule rules[] = {
	{ "http.client.send", "data",
	  "the bytes sent: request line, headers (Authorization, Cookie), body" },
	{ "urllib.Request", "data", "the request body" },
	{ "urllib.Request", "headers", "the request headers (Authorization, Cookie)" },
	{ "os.putenv", "value", "a value put into the environment" },
	{ "*", "env", "the environment of a new program" },
};

const struct redact_rule *redact__rules(size_t *n)
{
	*n = sizeof(rules) / sizeof(rules[0]);
	return rules;
}

bool redact__hides(const char *event, const char *arg)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if ((!strcmp(rules[i].event, "*") || !strcmp(rules[i].event, event)) &&
		    !strcmp(rules[i].arg, arg))
			return true;
	return false;
}

static uint32_t unit_at(const uint8_t *d, size_t i, unsigned int unit)
{
	uint16_t u16;
	uint32_t u32;

	if (unit == 2) {
		memcpy(&u16, d + 2 * i, 2);
		return u16;
	}
	if (unit == 4) {
		memcpy(&u32, d + 4 * i, 4);
		return u32;
	}
	return d[i];
}

static void mask_at(uint8_t *d, size_t i, unsigned int unit)
{
	uint16_t u16 = '*';
	uint32_t u32 = '*';

	if (unit == 2)
		memcpy(d + 2 * i, &u16, 2);
	else if (unit == 4)
		memcpy(d + 4 * i, &u32, 4);
	else
		d[i] = '*';
}

/* Where a URL's authority ends (RFC 3986: at /, ? or #), or at a space,
 * a quote or a control: the text around a URL in a command line. */
static bool authority_end(uint32_t c)
{
	return c == '/' || c == '?' || c == '#' || c <= ' ' || c == '"' ||
	       c == '\'' || c == '<' || c == '>' || c == 0x7f;
}

size_t redact__url_passwords(uint8_t *d, size_t len, unsigned int unit)
{
	size_t n, i, j, end, colon, at, masked = 0;

	if (unit != 1 && unit != 2 && unit != 4)
		return 0;
	n = len / unit;
	for (i = 0; i + 3 <= n; i++) {
		if (unit_at(d, i, unit) != ':' || unit_at(d, i + 1, unit) != '/' ||
		    unit_at(d, i + 2, unit) != '/')
			continue;
		/* the authority: user:password@host:port */
		for (end = i + 3; end < n && !authority_end(unit_at(d, end, unit)); end++)
			;
		at = colon = 0;
		for (j = i + 3; j < end; j++) {
			uint32_t c = unit_at(d, j, unit);

			if (c == ':' && !colon)
				colon = j;
			else if (c == '@')
				at = j;	/* the last one: a password may hold @ */
		}
		if (at && colon && colon < at)
			for (j = colon + 1; j < at; j++) {
				mask_at(d, j, unit);
				masked++;
			}
		i = end ? end - 1 : end;
	}
	return masked;
}

static unsigned int str_unit(uint8_t tag)
{
	return tag == PA_T_STR_UCS2 ? 2 : tag == PA_T_STR_UCS4 ? 4 : 1;
}

/* Depth-first over a value and its children (bounded by the record). */
static void mask_value(struct rec_value *v, int depth)
{
	if (depth > RECORD_DEPTH_MAX + 2)
		return;
	if ((is_str(v->tag) || v->tag == PA_T_BYTES) && v->data && v->len)
		redact__url_passwords((uint8_t *)v->data, v->len, str_unit(v->tag));
	if (v->tag == PA_T_TUPLE || v->tag == PA_T_LIST ||
	    v->tag == PA_T_SUBCLASS || v->tag == PA_T_CODE)
		for (uint32_t i = 0; v->children && i < v->nchildren; i++)
			mask_value(&v->children[i], depth + 1);
}

uint32_t redact__event(struct rec_event *ev, const struct event_def *def)
{
	uint32_t hidden = 0, i;

	for (i = 0; i < ev->nargs && ev->args; i++) {
		if (def && i < def->nargs && i < EVENT_ARGS_MAX && def->args[i] &&
		    i < 32 && ev->args[i].tag != PA_T_NONE &&
		    redact__hides(def->name, def->args[i])) {
			hidden |= 1u << i;
			continue;
		}
		mask_value(&ev->args[i], 0);
	}
	return hidden;
}

static const char *kind(const struct rec_value *v)
{
	switch (v->tag) {
	case PA_T_BYTES:
		return "bytes";
	case PA_T_TUPLE:
		return "tuple";
	case PA_T_LIST:
		return "list";
	case PA_T_NONE:
		return "None";
	case PA_T_SUBCLASS:
		return v->children && v->nchildren ? kind(&v->children[0]) : "object";
	default:
		return is_str(v->tag) ? "str" : "object";
	}
}

/* A value's length (str: characters, bytes: bytes, tuple and list: items);
 * false when it has none. *cut: the value was cut, the length is a
 * lower bound. */
static bool length_of(const struct rec_value *v, uint64_t *n, bool *cut)
{
	if (v->tag == PA_T_SUBCLASS)
		return v->children && v->nchildren && length_of(&v->children[0], n, cut);
	*cut = v->flags & PA_VF_TRUNCATED;
	switch (v->tag) {
	case PA_T_BYTES:
	case PA_T_STR_UCS1:
		*n = v->len;
		return true;
	case PA_T_STR_UCS2:
		*n = v->len / 2;
		return true;
	case PA_T_STR_UCS4:
		*n = v->len / 4;
		return true;
	case PA_T_STR_UTF8:
		*n = v->data ? utf8_columns_n((const char *)v->data, v->len) : 0;
		return true;
	case PA_T_TUPLE:
	case PA_T_LIST:
		*cut = v->flags & PA_VF_LEN_UNKNOWN;
		*n = *cut ? v->nchildren : v->real_len;
		return true;
	default:
		return false;
	}
}

void redact__text(struct sb *b, const struct rec_value *v)
{
	const char *k = kind(v);
	uint64_t n;
	bool cut;

	sb_puts(b, "<redacted ");
	sb_puts(b, k);
	if (length_of(v, &n, &cut)) {
		sb_puts(b, ": ");
		sb_u64(b, n);
		if (cut)
			sb_putc(b, '+');
		sb_puts(b, !strcmp(k, "str") ? " chars" :
			   !strcmp(k, "bytes") ? " bytes" : " items");
	}
	sb_putc(b, '>');
}

void redact__json(struct sb *b, const struct rec_value *v)
{
	uint64_t n;
	bool cut;

	sb_puts(b, "{\"type\":\"redacted\",\"kind\":\"");
	sb_puts(b, kind(v));
	sb_putc(b, '"');
	if (length_of(v, &n, &cut)) {
		sb_puts(b, ",\"length\":");
		sb_u64(b, n);
		if (cut)
			sb_puts(b, ",\"length_at_least\":true");
	}
	sb_putc(b, '}');
}
