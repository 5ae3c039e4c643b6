// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the consumer's record decoder and formatter.
 *
 * The input is a ring-buffer record (bpf/pyaudit.h), optionally followed
 * by bytes past hdr.size that choose the output options and the process
 * context:
 *   tail[0]     bit 0 -T, 1 -U, 2 -P, 3 -C, 4 a process context,
 *               5-6 the event_def (NULL, the event table as pyaudit
 *               looks it up, a small def, a def with odd and NULL names),
 *               7 a large realtime offset
 *   tail[1..]   exe, a NUL, then the command line (NUL-separated)
 * record__decode() must accept or refuse with -EINVAL; an accepted tree
 * must lie inside the record and inside ev->values. Then format__event()
 * writes the event in text and in JSON into a memory FILE, and:
 *  - JSON: exactly one line, valid UTF-8, no raw control character
 *    (C0, DEL, C1), valid JSON (a small validator below), never
 *    "output_truncated";
 *  - text: one line, then (with --stack, o.stack from the low bits of
 *    hdr.tid) only caller lines that start with four spaces; valid
 *    UTF-8, no raw control character but the newlines.
 * The frames' lines are resolved (user/consumer.c) in the line-table
 * format uid % 4 (0: unknown, then PA_LT_*).
 * format__repr(), format__json_value() and format__name() must behave
 * like snprintf: the same length whatever the buffer, a NUL-terminated
 * prefix of the full output. The whole input also goes through
 * format__escape() (log messages), with the same checks. Any violation
 * aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/consumer.h"
#include "../../user/event_table.h"
#include "../../user/format.h"
#include "../../user/record.h"
#include "fuzz.h"

#define OUT_MAX (512 * 1024)

static struct rec_event ev;
static struct proc_info pinfo;
static char full[OUT_MAX], part[OUT_MAX];

static const struct event_def def_open = {
	.name = "open", .nargs = 3, .args = { "path", "mode", "flags" },
};
static const struct event_def def_odd = {
	.name = "odd", .nargs = EVENT_ARGS_MAX,
	.args = { "a", NULL, "with space", "tab\there", "quote\"'\\",
		  "\xc3\xa9t\xc3\xa9", "\xe2\x80\xae" "bidi", "\x80\xff",
		  "", NULL, "k", "l" },
};

/* ---- the decoded tree ---------------------------------------------- */

static const uint8_t *rec_start, *rec_end;

static void check_value(const struct rec_value *v, int depth)
{
	uint32_t i;

	FUZZ_CHECK(depth <= RECORD_DEPTH_MAX + 1, "depth %d", depth);
	FUZZ_CHECK(((v->tag >= PA_T_NONE && v->tag <= PA_T_UNREADABLE) ||
		    v->tag == PA_T_SUBCLASS) && v->tag != PA_T_END,
		   "tag %u", v->tag);
	FUZZ_CHECK(v->data >= rec_start && v->data <= rec_end &&
		   v->len <= (size_t)(rec_end - v->data),
		   "value data outside the record");
	if (v->tag == PA_T_TUPLE || v->tag == PA_T_LIST || v->tag == PA_T_CODE ||
	    v->tag == PA_T_SUBCLASS) {
		FUZZ_CHECK(v->tag != PA_T_CODE || v->nchildren == 2,
			   "code with %u children", v->nchildren);
		/* a subclass: one value, of a kind that has subclasses */
		FUZZ_CHECK(v->tag != PA_T_SUBCLASS ||
			   (v->nchildren == 1 &&
			    (v->children->tag == PA_T_STR_UCS1 ||
			     v->children->tag == PA_T_STR_UCS2 ||
			     v->children->tag == PA_T_STR_UCS4 ||
			     v->children->tag == PA_T_BYTES ||
			     v->children->tag == PA_T_PYLONG ||
			     v->children->tag == PA_T_FLOAT ||
			     v->children->tag == PA_T_TUPLE ||
			     v->children->tag == PA_T_LIST ||
			     v->children->tag == PA_T_UNREADABLE)),
			   "subclass with %u children", v->nchildren);
		FUZZ_CHECK(!v->nchildren ||
			   (v->children >= ev.values &&
			    v->children + v->nchildren <= ev.values + ev.nvalues),
			   "children outside ev.values");
		for (i = 0; i < v->nchildren; i++)
			check_value(&v->children[i], depth + 1);
	} else {
		FUZZ_CHECK(!v->nchildren && !v->children, "leaf with children");
	}
}

static void check_tree(void)
{
	uint32_t i;

	FUZZ_CHECK(ev.nargs == ev.hdr.nargs, "nargs %u, header %u", ev.nargs,
		   ev.hdr.nargs);
	FUZZ_CHECK(ev.nvalues <= RECORD_VALUES_MAX, "nvalues %u", ev.nvalues);
	FUZZ_CHECK(ev.name.tag == PA_T_UNREADABLE ||
		   (ev.name.tag >= PA_T_STR_UTF8 && ev.name.tag <= PA_T_STR_UCS4),
		   "name tag %u", ev.name.tag);
	check_value(&ev.name, 0);
	FUZZ_CHECK(!ev.nargs || (ev.args >= ev.values &&
				 ev.args + ev.nargs <= ev.values + ev.nvalues),
		   "args outside ev.values");
	for (i = 0; i < ev.nargs; i++)
		check_value(&ev.args[i], 0);
}

/* ---- output checks ------------------------------------------------- */

static bool cp_ok(uint32_t c, size_t off, void *arg)
{
	size_t last = *(size_t *)arg;

	return !fuzz_is_control(c) || (c == '\n' && off == last);
}

/* One line, valid UTF-8, no raw control character but the final \n. */
static void check_line(const char *what, const char *s, size_t len)
{
	size_t last = len - 1, bad;

	FUZZ_CHECK(len > 0 && s[len - 1] == '\n', "%s: not one line: '%.*s'",
		   what, (int)len, s);
	FUZZ_CHECK(!memchr(s, '\n', len - 1), "%s: more than one line: '%.*s'",
		   what, (int)len, s);
	bad = fuzz_utf8_check((const uint8_t *)s, len, cp_ok, &last);
	FUZZ_CHECK(bad == len, "%s: bad UTF-8 or raw control at byte %zu (0x%02x): '%.*s'",
		   what, bad, bad < len ? (uint8_t)s[bad] : 0, (int)len, s);
}

/* Text: the event's line, then only "    "-indented caller lines. */
static void check_text(const char *s, size_t len)
{
	const char *nl;
	size_t n;

	for (n = 0; len; n++) {
		nl = memchr(s, '\n', len);
		FUZZ_CHECK(nl, "text: no final newline: '%.*s'", (int)len, s);
		FUZZ_CHECK(!n || !strncmp(s, "    ", 4),
			   "text: a line that is not a caller: '%.*s'",
			   (int)(nl + 1 - s), s);
		check_line("text", s, nl + 1 - s);
		len -= nl + 1 - s;
		s = nl + 1;
	}
	FUZZ_CHECK(n, "text: empty");
}

/* A JSON validator (RFC 8259 syntax), enough to reject broken output. */
struct jp {
	const char *s, *end;
};

static void jws(struct jp *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' ||
				 *p->s == '\r'))
		p->s++;
}

static bool jlit(struct jp *p, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, lit, n))
		return false;
	p->s += n;
	return true;
}

static bool jdigits(struct jp *p)
{
	const char *start = p->s;

	while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
		p->s++;
	return p->s > start;
}

static bool jnumber(struct jp *p)
{
	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s < p->end && *p->s == '0')
		p->s++;
	else if (!jdigits(p))
		return false;
	if (p->s < p->end && *p->s == '.') {
		p->s++;
		if (!jdigits(p))
			return false;
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (!jdigits(p))
			return false;
	}
	return true;
}

static bool jstring(struct jp *p)
{
	int i;

	if (p->s >= p->end || *p->s != '"')
		return false;
	p->s++;
	while (p->s < p->end) {
		unsigned char c = *p->s++;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (p->s >= p->end)
			return false;
		c = *p->s++;
		if (c == 'u') {
			for (i = 0; i < 4; i++, p->s++)
				if (p->s >= p->end || !strchr("0123456789abcdefABCDEF", *p->s) ||
				    !*p->s)
					return false;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return false;
		}
	}
	return false;
}

static bool jvalue(struct jp *p, int depth)
{
	bool first = true;
	char close;

	if (depth > 64)
		return false;
	jws(p);
	if (p->s >= p->end)
		return false;
	switch (*p->s) {
	case '"':
		return jstring(p);
	case 't':
		return jlit(p, "true");
	case 'f':
		return jlit(p, "false");
	case 'n':
		return jlit(p, "null");
	case '{':
	case '[':
		close = *p->s == '{' ? '}' : ']';
		p->s++;
		for (;;) {
			jws(p);
			if (p->s < p->end && *p->s == close && first) {
				p->s++;
				return true;
			}
			if (close == '}') {
				if (!jstring(p))
					return false;
				jws(p);
				if (p->s >= p->end || *p->s++ != ':')
					return false;
			}
			if (!jvalue(p, depth + 1))
				return false;
			jws(p);
			if (p->s >= p->end)
				return false;
			if (*p->s == close) {
				p->s++;
				return true;
			}
			if (*p->s++ != ',')
				return false;
			first = false;
		}
	default:
		return jnumber(p);
	}
}

static void check_json(const char *s, size_t len)
{
	struct jp p = { s, s + len };

	FUZZ_CHECK(len && s[0] == '{', "JSON line is no object: '%.*s'", (int)len, s);
	FUZZ_CHECK(jvalue(&p, 0), "invalid JSON at byte %zu: '%.*s'",
		   (size_t)(p.s - s), (int)len, s);
	jws(&p);
	FUZZ_CHECK(p.s == p.end, "JSON: trailing bytes at %zu: '%.*s'",
		   (size_t)(p.s - s), (int)len, s);
	/* a raw '"' right after ',' is no string content: this is the member */
	FUZZ_CHECK(!memmem(s, len, ",\"output_truncated\":true", 24),
		   "a record filled FORMAT_LINE_MAX: %zu bytes: %.*s", len,
		   (int)len, s);
}

/* snprintf behaviour of a building block: fn(buf, size, v) */
static void check_snprintf(const char *what, size_t (*fn)(char *, size_t, const void *),
			   const void *v, size_t small)
{
	size_t n = fn(full, sizeof(full), v), m;

	FUZZ_CHECK(n < sizeof(full), "%s: %zu bytes", what, n);
	FUZZ_CHECK(strlen(full) == n, "%s: length %zu, string %zu", what, n,
		   strlen(full));
	if (small > n + 1)
		small = n + 1;
	memset(part, 'X', small + 1);
	m = fn(part, small, v);
	FUZZ_CHECK(m == n, "%s: length %zu in %zu bytes, %zu in full", what, m,
		   small, n);
	FUZZ_CHECK(part[small] == 'X', "%s: wrote past %zu bytes", what, small);
	if (small) {
		FUZZ_CHECK(strlen(part) == small - 1 || small > n,
			   "%s: %zu bytes in a buffer of %zu", what, strlen(part), small);
		FUZZ_CHECK(!memcmp(part, full, strlen(part)), "%s: not a prefix", what);
	}
}

static size_t repr_fn(char *b, size_t n, const void *v)
{
	return format__repr(b, n, v);
}

static size_t json_fn(char *b, size_t n, const void *v)
{
	return format__json_value(b, n, v);
}

static size_t name_text_fn(char *b, size_t n, const void *v)
{
	return format__name(b, n, v, true);
}

static size_t name_json_fn(char *b, size_t n, const void *v)
{
	return format__name(b, n, v, false);
}

/* A value alone (not a whole line): valid UTF-8, no raw control. */
static void check_piece(const char *what, const char *s)
{
	size_t len = strlen(s), none = (size_t)-1;

	FUZZ_CHECK(fuzz_utf8_check((const uint8_t *)s, len, cp_ok, &none) == len,
		   "%s: bad UTF-8 or raw control: '%s'", what, s);
}

static size_t esc_in_len;

static size_t escape_text_fn(char *b, size_t n, const void *s)
{
	return format__escape(b, n, s, esc_in_len, false);
}

static size_t escape_json_fn(char *b, size_t n, const void *s)
{
	return format__escape(b, n, s, esc_in_len, true);
}

/* Log messages (format__escape): any bytes, text and JSON-string forms. */
static void check_escape(const uint8_t *data, size_t size)
{
	size_t small = size ? data[0] : 0;

	/* the first bytes: the escaping looks at most 4 bytes at a time, and
	 * escaping every byte of a big input would halve exec/s */
	esc_in_len = size < 64 ? size : 64;
	check_snprintf("escape text", escape_text_fn, data, small);
	check_piece("escape text", full);
	check_snprintf("escape json", escape_json_fn, data, small);
	check_piece("escape json", full);
	{
		/* the inside of a JSON string */
		size_t n = strlen(full);
		struct jp p;

		memmove(full + 1, full, n);
		full[0] = '"';
		full[n + 1] = '"';
		full[n + 2] = '\0';
		p = (struct jp){ full, full + n + 2 };
		FUZZ_CHECK(jstring(&p) && p.s == p.end, "escape json: '%s'", full);
	}
}

/* ---- the target ---------------------------------------------------- */

static void format_to(const struct format_opts *o, const struct event_view *v,
		      char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		abort();
	format__event(f, o, v);
	if (fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *tail;
	const struct event_def *def = NULL;
	struct format_opts o;
	struct event_view v = { .ev = &ev };
	size_t tlen, len, i, small;
	char name[PA_NAME_MAX * 4 + 1];
	uint8_t sel;
	char *out;
	int ret;

	check_escape(data, size);

	ret = record__decode(data, size, &ev);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL, "record__decode %d", ret);
		return 0;
	}
	rec_start = data;
	rec_end = data + ev.hdr.size;
	FUZZ_CHECK(ev.hdr.size <= size, "hdr.size %u > %zu", ev.hdr.size, size);
	check_tree();

	tail = data + ev.hdr.size;
	tlen = size - ev.hdr.size;
	sel = tlen ? tail[0] : 0;

	memset(&o, 0, sizeof(o));
	o.abs_time = sel & 0x01;
	o.col_uid = sel & 0x02;
	o.col_ppid = sel & 0x04;
	o.col_container = sel & 0x08;
	o.realtime_offset_ns = sel & 0x80 ? INT64_MIN / 3 : 1700000000000000000LL;
	o.stack = ev.hdr.tid & 7;
	/* 0: unknown, then PA_LT_*; the consumer's line cache gives the
	 * lines source__line() gives (twice: a miss, then a hit) */
	{
		static struct linecache cache;
		int cached[PA_FRAMES_MAX];

		consumer__lines(NULL, &ev, ev.hdr.uid % 4, v.lines);
		for (int k = 0; k < 2; k++) {
			consumer__lines(&cache, &ev, ev.hdr.uid % 4, cached);
			FUZZ_CHECK(!memcmp(cached, v.lines,
					   sizeof(int) * (ev.nframes < PA_FRAMES_MAX ?
							  ev.nframes : PA_FRAMES_MAX)),
				   "cached lines differ from source__line()");
		}
	}
	if (sel & 0x10) {
		const uint8_t *p = tail + 1, *nul;
		size_t n = tlen > 1 ? tlen - 1 : 0, e;

		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.pid = ev.hdr.pid;
		nul = memchr(p, '\0', n);
		e = nul ? (size_t)(nul - p) : n;
		if (e >= sizeof(pinfo.exe))
			e = sizeof(pinfo.exe) - 1;
		memcpy(pinfo.exe, p, e);
		if (nul) {
			n -= nul + 1 - p;
			p = nul + 1;
			pinfo.cmdline_len = n < PROC_CMDLINE_MAX ? n : PROC_CMDLINE_MAX;
			pinfo.cmdline_truncated = n > PROC_CMDLINE_MAX;
			memcpy(pinfo.cmdline, p, pinfo.cmdline_len);
		}
		/* what proc.c can produce: 64 hex digits and a known runtime */
		if (sel & 0x20) {
			memset(pinfo.container_id, 'a', CONTAINER_ID_MAX);
			pinfo.container_runtime = "docker";
		}
		v.proc = &pinfo;
	}
	switch ((sel >> 5) & 3) {
	case 1:		/* as pyaudit does (user/consumer.c) */
		if (record__name_ascii(&ev.name, name, sizeof(name)))
			def = event_table_find(name);
		break;
	case 2:
		def = &def_open;
		break;
	case 3:
		def = &def_odd;
		break;
	}

	v.def = def;
	o.json = true;
	format_to(&o, &v, &out, &len);
	check_line("json", out, len);
	check_json(out, len);
	free(out);

	o.json = false;
	format_to(&o, &v, &out, &len);
	check_text(out, len);
	free(out);

	/* building blocks, with a buffer cut somewhere */
	small = (ev.hdr.tid ^ ev.hdr.uid) % 97;
	check_snprintf("name text", name_text_fn, &ev.name, small);
	check_piece("name text", full);
	check_snprintf("name json", name_json_fn, &ev.name, small);
	check_piece("name json", full);
	for (i = 0; i < ev.nargs && i < 4; i++) {
		check_snprintf("repr", repr_fn, &ev.args[i], small + i);
		check_piece("repr", full);
		check_snprintf("json value", json_fn, &ev.args[i], small + i);
		check_piece("json value", full);
		{
			struct jp p = { full, full + strlen(full) };

			FUZZ_CHECK(jvalue(&p, 0) && p.s == p.end,
				   "invalid JSON value: '%s'", full);
		}
	}
	return 0;
}
