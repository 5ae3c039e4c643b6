// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Text and JSON Lines output of decoded events.
 *
 * Output format
 * =============
 *
 * Text (one line per event, after the header row from format__header):
 *
 *   TIME            PID     COMM             EVENT ARGS
 *   17:25:01.123456 4242    python3.11       open path='/etc/hosts' mode='r' flags=524288
 *
 *   TIME is the local time HH:MM:SS.uuuuuu, PID is left-aligned in 7
 *   columns, COMM in 16 columns; then the event name and one name=value
 *   pair per argument, separated by single spaces. Argument names come
 *   from the event table (def->args[i]); without a def, or past its
 *   names, an argument is called arg<i> (arg0, arg1...).
 *
 *   Values are written like Python's repr():
 *     str        'abc' (always single quotes, see escaping below)
 *     bytes      b'abc\x00'
 *     int        exact decimal, also for big ints (-1267650600228229401496703205376)
 *     float      shortest repr that round-trips: 0.1, 5.0, 1e+300, -0.0,
 *                1e-05, inf, -inf, nan
 *     bool/None  True False None
 *     tuple      (1, 'a')  (1,)  ()
 *     list       [1, 'a']  []
 *     code       <code 'name' file 'filename'>
 *     other      <TYPENAME object>
 *     a class    <class NAME> (PA_VF_CLASS)
 *     unreadable <unreadable>   (target memory could not be read)
 *   Cut values: a truncated str/bytes gets ... after the closing quote
 *   ('abc'...), a truncated tuple/list gets a last ... element
 *   ([1, 2, ...], (1, ...), [...] when nothing was decoded), a container
 *   that was not expanded (depth limit) is [...3 items] / (...1 item)
 *   (or [...] when its length is unknown), a truncated type name is
 *   <TYPENAME... object>, an int with more than PA_INT_DIGITS_MAX digits
 *   is <int: N digits, truncated> (N 30-bit digits), a truncated event
 *   name ends in ... . When the event had more arguments than were
 *   delivered, the line ends with " ...(+N more args)", or with
 *   " ...(truncated)" when the count is unknown or the record was cut
 *   (PA_EV_ARGS_TRUNCATED, PA_EV_REC_FULL, PA_EV_BAD_FORMAT).
 *   An unreadable event name is shown as <unreadable>.
 *
 *   Escaping (text): str contents are escaped like Python's repr:
 *   \\ \' \n \r \t; other characters that are not printable as \xNN
 *   (below U+0100), \uNNNN (below U+10000) or \UNNNNNNNN, lowercase hex.
 *   "Not printable" is: C0 controls, DEL, C1 controls (U+0080-U+009F),
 *   no-break and other non-ASCII spaces, soft hyphen, the format (Cf)
 *   characters (zero-width U+200B-U+200F, bidi controls U+202A-U+202E
 *   and U+2066-U+2069, U+2060-U+206F, U+FEFF, tags U+E0000-U+E007F...),
 *   U+2028/U+2029, Hangul fillers, surrogates, private use, noncharacters
 *   and anything above U+10FFFF. Unassigned code points are not known to
 *   pyaudit and are kept. Everything else is written as UTF-8.
 *   Kinds: UCS1 is latin-1, UCS2 is host-order u16 code units (a
 *   surrogate is a code point of its own: '\ud800'), UCS4 is u32 code
 *   points (PA_VF_WCHAR: ends at the first 0). A str from a C char *
 *   (PA_T_STR_UTF8) may be invalid UTF-8: each invalid byte is \xNN.
 *   The event name, COMM, argument names and type names are written
 *   without quotes with the same escaping, plus a space as \x20 so that
 *   each stays one token. bytes use Python's bytes repr (\xNN for all
 *   but printable ASCII). No raw control character (C0, DEL, C1) from a
 *   record can reach the output.
 *
 * JSON Lines (one object per line):
 *
 *   {"time":"2026-11-24T17:25:01.123456789Z","pid":1,"tid":1,"uid":0,
 *    "comm":"python3","event":"open","args":{"path":"/etc/hosts",
 *    "mode":"r","flags":524288},"source":"usdt"}
 *
 *   time is RFC 3339 UTC with 9 fractional digits (hdr.ts_ns +
 *   realtime_offset_ns). source is one of "usdt", "sys_audit",
 *   "sys_audit_tstate", "PySys_Audit", "_PySys_Audit". event is null when
 *   the name could not be read. After source, optional members:
 *   "truncated":true when arguments were cut (same conditions as the
 *   text marker), "total_args":N when the event had N > nargs arguments,
 *   "event_truncated":true when the name was cut, "output_truncated":true
 *   in the (never expected) case the line did not fit FORMAT_LINE_MAX:
 *   then args is {}.
 *   Values:
 *     str        "..." ; truncated: {"type":"str","value":"...","truncated":true}
 *     int        a number with the exact decimal digits, big ints too;
 *                truncated: {"type":"int","truncated":true,"digits30":N}
 *     float      a number (Python repr digits: 0.1, 5.0, 1e+300, -0.0);
 *                nan/inf: {"type":"float","value":"nan"|"inf"|"-inf"}
 *     bool/None  true false null
 *     tuple/list an array; truncated or not expanded:
 *                {"type":"tuple"|"list","length":N,"items":[...],"truncated":true}
 *                ("length" left out when unknown)
 *     bytes      {"type":"bytes","base64":"..."} (+ "truncated":true)
 *     code       {"type":"code","filename":<value>,"name":<value>}
 *     other      {"type":"object","typename":"..."} (+ "truncated":true)
 *     a class    {"type":"class","name":"..."} (+ "truncated":true)
 *     unreadable {"type":"unreadable"}
 *   Escaping (JSON strings): " and \ as \" \\; every control character
 *   (C0, DEL, C1) and every other "not printable" character of the text
 *   rules as \u00XX / \uXXXX (a surrogate pair of escapes above U+FFFF);
 *   a lone surrogate of a UCS2/UCS4 str as the \udcXX escapes of its
 *   three UTF-8-style bytes (U+D800 is \udced\udca0\udc80: a lone high
 *   surrogate escape would make jq reject the line and stop reading the
 *   file; s.encode('utf-8', 'surrogateescape').decode('utf-8',
 *   'surrogatepass') gives it back); an invalid byte of a PA_T_STR_UTF8 str
 *   (and of COMM and type names) as \udcXX, Python's surrogateescape
 *   convention (bytes.decode('utf-8', 'surrogateescape') gives the bytes
 *   back); a UCS4 code point above U+10FFFF as \ufffd. The output is
 *   valid UTF-8 and valid JSON for any record record__decode accepted.
 *
 * Each line is built in memory and written with one fwrite() so that
 * lines never interleave. A record of PA_REC_MAX bytes expands to at most
 * ~15x in JSON (a truncated empty type name: 4 bytes become 59), so
 * FORMAT_LINE_MAX (256 KiB) always suffices; should it not, a JSON line
 * is rewritten without its args and a text line is cut at a character
 * boundary and ends in " ...(line truncated)". On a block-buffered
 * stream, a line that does not fit in what is left of the buffer is
 * preceded by a flush, so that the stream's writes end at line ends
 * (pyaudit's output buffer holds FORMAT_LINE_MAX: see user/output.c).
 */
#include <errno.h>
#include <math.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"
#include "source.h"

/* The output layer: the string buffer, escaping, values, times. */
#include "escape.h"
#include "strbuf.h"
#include "timefmt.h"
#include "values.h"

void format__header(FILE *out, const struct format_opts *o)
{
	if (o && o->json)
		return;
	fprintf(out, "%-*s ", o && o->abs_time ? 26 : 15, "TIME");
	if (o && o->col_uid)
		fprintf(out, "%-6s ", "UID");
	fprintf(out, "%-7s ", "PID");
	if (o && o->col_ppid)
		fprintf(out, "%-7s ", "PPID");
	fprintf(out, "%-16s ", "COMM");
	if (o && o->col_container)
		fprintf(out, "%-12s ", "CONTAINER");
	fprintf(out, "%s %s\n", "EVENT", "ARGS");
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
static void frame_text(struct sb *b, const struct format_opts *o,
		       const struct rec_value *f)
{
	const struct rec_value *file = &f->children[0], *fn = &f->children[1];
	int line;

	if (is_str(file->tag))
		text_chars(b, file->data, file->len, file->tag, file->flags, 0);
	else
		sb_putc(b, '?');
	if (file->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
	if (source__line(f, o->ltab_format, &line) || line < 0) {
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
			const struct rec_event *ev)
{
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
	frame_text(b, o, &ev->frames[0]);
	for (i = 1; o->stack && i < ev->nframes; i++) {
		sb_puts(b, "\n    at ");
		frame_text(b, o, &ev->frames[i]);
	}
	if (o->stack && (ev->hdr.flags & PA_EV_FRAMES_CUT))
		sb_puts(b, "\n    ...(more frames, no room in the record)");
}

/* {"file":...,"line":N,"function":...}; null for what is unknown. */
static void frame_json(struct sb *b, const struct format_opts *o,
		       const struct rec_value *f)
{
	const struct rec_value *file = &f->children[0], *fn = &f->children[1];
	int line;

	sb_puts(b, "{\"file\":");
	if (is_str(file->tag)) {
		sb_putc(b, '"');
		json_chars(b, file->data, file->len, file->tag, file->flags);
		sb_putc(b, '"');
	} else {
		sb_puts(b, "null");
	}
	if (source__line(f, o->ltab_format, &line) || line < 0) {
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
			const struct rec_event *ev)
{
	uint32_t i;

	switch (ev->hdr.frame_status) {
	case PA_FS_OK:
		if (!ev->nframes || !ev->frames)
			return;
		sb_puts(b, ",\"source\":");
		frame_json(b, o, &ev->frames[0]);
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
		frame_json(b, o, &ev->frames[i]);
	}
	sb_putc(b, ']');
	if (ev->hdr.flags & PA_EV_FRAMES_CUT)
		sb_puts(b, ",\"stack_truncated\":true");
}

static void event_text(struct sb *b, const struct format_opts *o,
		       const struct rec_event *ev, const struct event_def *def)
{
	char cbuf[PA_COMM_LEN * 4 + 1], tmp[16];
	struct sb cb = { .p = cbuf, .size = sizeof(cbuf) };
	struct tm tm;
	time_t sec;
	long nsec;
	size_t i, cols = 0;

	event_time(o, ev, &sec, &nsec);
	if (!localtime_r(&sec, &tm)) {
		sb_puts(b, o->abs_time ? "?\?\?\?-?\?-?\? ?\?:?\?:?\?.?\?\?\?\?\? "
				       : "?\?:?\?:?\?.?\?\?\?\?\? ");
	} else {
		if (o->abs_time) {
			sb_date(b, &tm);
			sb_putc(b, ' ');
		}
		sb_time_of_day(b, &tm);
		sb_putc(b, '.');
		sb_u64_zero(b, nsec / 1000, 6);
		sb_putc(b, ' ');
	}
	if (o->col_uid) {
		sb_u64_left(b, ev->hdr.uid, 6);
		sb_putc(b, ' ');
	}
	sb_u64_left(b, ev->hdr.pid, 7);
	sb_putc(b, ' ');
	if (o->col_ppid) {
		sb_u64_left(b, ev->hdr.ppid, 7);
		sb_putc(b, ' ');
	}

	text_chars(&cb, ev->hdr.comm, strnlen(ev->hdr.comm, PA_COMM_LEN),
		   PA_T_STR_UTF8, 0, 0);
	sb_finish(&cb);
	sb_puts(b, cbuf);
	for (i = 0; cbuf[i]; i++)	/* columns: UTF-8 lead bytes */
		if (((uint8_t)cbuf[i] & 0xc0) != 0x80)
			cols++;
	for (; cols < PA_COMM_LEN; cols++)
		sb_putc(b, ' ');
	sb_putc(b, ' ');
	if (o->col_container) {
		/* the short form: 12 hex digits, or - */
		const char *id = o->proc ? o->proc->container_id : "";
		size_t n;

		if (!id[0])
			id = "-";
		n = strnlen(id, 12);
		sb_putn(b, id, n);
		for (; n < 12; n++)
			sb_putc(b, ' ');
		sb_putc(b, ' ');
	}

	name_text(b, &ev->name);
	for (i = 0; i < ev->nargs && ev->args; i++) {
		const char *n = arg_name(def, i, tmp, sizeof(tmp));

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
	source_text(b, o, ev);
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
static void process_json(struct sb *b, const struct format_opts *o,
			 const struct rec_event *ev)
{
	const struct proc_info *pi = o->proc;

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
		       const struct rec_event *ev, const struct event_def *def,
		       bool no_args)
{
	char tmp[16];
	time_t sec;
	long nsec;
	uint32_t i;

	event_time(o, ev, &sec, &nsec);
	sb_puts(b, "{\"time\":\"");
	utc_second(b, sec);
	sb_putc(b, '.');
	sb_u64_zero(b, nsec, 9);
	sb_puts(b, "Z\",\"pid\":");
	sb_u64(b, ev->hdr.pid);
	sb_puts(b, ",\"tid\":");
	sb_u64(b, ev->hdr.tid);
	sb_puts(b, ",\"uid\":");
	sb_u64(b, ev->hdr.uid);
	sb_puts(b, ",\"comm\":\"");
	json_chars(b, ev->hdr.comm, strnlen(ev->hdr.comm, PA_COMM_LEN),
		   PA_T_STR_UTF8, 0);
	sb_puts(b, "\",\"event\":");
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
		json_cstr(b, arg_name(def, i, tmp, sizeof(tmp)));
		sb_putc(b, ':');
		json_value(b, &ev->args[i], 0);
	}
	sb_puts(b, "},\"probe\":\"");
	sb_puts(b, source_name(ev->hdr.source));
	sb_putc(b, '"');
	source_json(b, o, ev);
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
	process_json(b, o, ev);
	sb_puts(b, "}\n");
}

void format__event(FILE *out, const struct format_opts *o,
		   const struct rec_event *ev, const struct event_def *def)
{
	static char line[FORMAT_LINE_MAX];
	struct sb b = { .p = line, .size = sizeof(line) };
	static const char cut[] = " ...(line truncated)\n";
	size_t n;

	if (o->json) {
		event_json(&b, o, ev, def, false);
		if (b.len >= b.size) {
			b.len = 0;
			event_json(&b, o, ev, def, true);
		}
	} else {
		event_text(&b, o, ev, def);
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
