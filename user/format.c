// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Text and JSON Lines output of decoded events: values in Python repr
 * style or as JSON, every byte from a traced process escaped, and each
 * event as one line (format.h). docs/output.md describes the output and
 * tests/unit/test_format.c and test_golden.c pin it down.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"
#include "identity.h"
#include "redact.h"

/* The output layer: the string buffer, escaping, values, times. */
#include "escape.h"
#include "strbuf.h"
#include "timefmt.h"
#include "values.h"

/* What --action did: "stopped", "killed", "signalled:TERM",
 * "would-stop" ... (docs/output.md); NULL when nothing. */
static const char *action_name(const struct pa_event *h, char *buf, size_t size)
{
	const char *sig = sigabbrev_np(h->action_sig);
	const char *what = h->action_sig == SIGSTOP ? "stop" :
			   h->action_sig == SIGKILL ? "kill" : "signal";

	switch (h->action) {
	case PA_ACT_DONE:
		if (h->action_sig == SIGSTOP)
			return "stopped";
		if (h->action_sig == SIGKILL)
			return "killed";
		snprintf(buf, size, "signalled:%s", sig ? sig : "?");
		return buf;
	case PA_ACT_DRY_RUN:
		snprintf(buf, size, "would-%s%s%s", what,
			 h->action_sig == SIGSTOP || h->action_sig == SIGKILL ? "" : ":",
			 h->action_sig == SIGSTOP || h->action_sig == SIGKILL ? "" :
			 sig ? sig : "?");
		return buf;
	case PA_ACT_LIMITED:
		return "rate-limited";
	case PA_ACT_REFUSED:
		return "refused";
	case PA_ACT_FAILED:
		return "failed";
	default:
		return NULL;
	}
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
	time_split_ns((int64_t)(ev->hdr.ts_ns + (uint64_t)o->realtime_offset_ns),
		      sec, nsec);
}

/* ---- the head of an event: text columns and JSON members ----------------- */

/*
 * The fields before the event name, described once: the text columns
 * (titled by format__header, each padded to its width in characters and
 * followed by a space) and the first members of a JSON line. The two
 * forms show them in different orders (text_columns(), json_head[]), and
 * some in one form only: JSON has the parent and the container in its
 * "process" object.
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
	sb_putc(b, '"');
	/* unsigned arithmetic: a hostile ts_ns cannot overflow */
	sb_rfc3339(b, (int64_t)(v->ev->hdr.ts_ns +
				(uint64_t)o->realtime_offset_ns));
	sb_putc(b, '"');
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
	[HF_TID] = { "TID", 7, JSON_KEY("tid"), tid_any, tid_any },
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
	cols[n++] = HF_TID;
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
	size_t end = b->len < b->size ? b->len : b->size - 1;

	return start < end ? utf8_columns_n(b->p + start, end - start) : 0;
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

/* --app-frame: " [app FILE:LINE in FUNC]", " [app none]" when every
 * frame is library code, " [app beyond N frames]" when the walk stopped
 * first. */
static void app_text(struct sb *b, const struct event_view *v)
{
	if (v->app >= 0 && (uint32_t)v->app < v->ev->nframes) {
		sb_puts(b, " [app ");
		frame_text(b, &v->ev->frames[v->app], v->lines[v->app]);
		sb_putc(b, ']');
	} else if (v->app == APPFRAME_BEYOND) {
		sb_puts(b, " [app beyond ");
		sb_u64(b, v->ev->nframes);
		sb_puts(b, " frames]");
	} else {
		sb_puts(b, " [app none]");
	}
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
	if (o->app_frame)
		app_text(b, v);
	for (i = 1; i <= o->stack && i < ev->nframes; i++) {
		sb_puts(b, "\n    at ");
		frame_text(b, &ev->frames[i], v->lines[i]);
	}
	if (o->stack && ev->nframes <= 1 + o->stack &&
	    (ev->hdr.flags & PA_EV_FRAMES_CUT))
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

/* --app-frame: ,"app":{...}, or ,"app":null and with a walk that stopped
 * before the outermost frame ,"app_beyond":true */
static void app_json(struct sb *b, const struct event_view *v)
{
	if (v->app >= 0 && (uint32_t)v->app < v->ev->nframes) {
		sb_puts(b, ",\"app\":");
		frame_json(b, &v->ev->frames[v->app], v->lines[v->app]);
		return;
	}
	sb_puts(b, ",\"app\":null");
	if (v->app == APPFRAME_BEYOND)
		sb_puts(b, ",\"app_beyond\":true");
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
	if (o->app_frame)
		app_json(b, v);
	if (!o->stack)
		return;
	sb_puts(b, ",\"stack\":[");
	for (i = 1; i <= o->stack && i < ev->nframes && ev->frames; i++) {
		if (i > 1)
			sb_putc(b, ',');
		frame_json(b, &ev->frames[i], v->lines[i]);
	}
	sb_putc(b, ']');
	if (ev->nframes <= 1 + o->stack && (ev->hdr.flags & PA_EV_FRAMES_CUT))
		sb_puts(b, ",\"stack_truncated\":true");
}

/* ---- whole lines --------------------------------------------------------- */

static void event_text(struct sb *b, const struct format_opts *o,
		       const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	char tmp[16], act[32];
	size_t i;

	head_text(b, o, v);
	name_text(b, &ev->name);
	for (i = 0; i < ev->nargs && ev->args; i++) {
		const char *n = arg_name(v->def, i, tmp, sizeof(tmp));

		sb_putc(b, ' ');
		text_chars(b, n, strlen(n), PA_T_STR_UTF8, 0, 0);
		sb_putc(b, '=');
		if (i < 32 && (v->redacted & (1u << i)))
			redact__text(b, &ev->args[i]);
		else
			repr_value(b, &ev->args[i], 0);
	}
	if (missing_args(ev)) {
		sb_puts(b, " ...(+");
		sb_u64(b, missing_args(ev));
		sb_puts(b, " more args)");
	}
	else if (args_cut(ev))
		sb_puts(b, " ...(truncated)");
	if (action_name(&ev->hdr, act, sizeof(act))) {
		sb_puts(b, " [action: ");
		sb_puts(b, action_name(&ev->hdr, act, sizeof(act)));
		sb_putc(b, ']');
	}
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

/* key and the arguments p[len] (bounded by max), with --redact's URL
 * passwords masked (NUL ends each argument) */
static void cmdline_field(struct sb *b, const struct format_opts *o,
			  const char *key, const char *p, size_t len, size_t max)
{
	static char masked[PROC_CMDLINE_MAX];

	if (len > max)
		len = max;
	if (o->redact && len <= sizeof(masked)) {
		memcpy(masked, p, len);
		redact__url_passwords((uint8_t *)masked, len, 1);
		p = masked;
	}
	sb_puts(b, key);
	cmdline_json(b, p, len);
}

static void json_str(struct sb *b, const char *key, const char *s, size_t n)
{
	sb_puts(b, key);
	sb_putc(b, '"');
	json_chars(b, s, n, PA_T_STR_UTF8, 0);
	sb_putc(b, '"');
}

/* "pod": Kubernetes, from the cgroup path and the kubelet's logs */
static void pod_json(struct sb *b, const struct pod_info *pod)
{
	sb_puts(b, ",\"pod\":{\"uid\":\"");
	sb_puts(b, pod->uid);	/* checked: hex digits and dashes */
	sb_putc(b, '"');
	if (pod->namespace[0])
		json_str(b, ",\"namespace\":", pod->namespace,
			 strnlen(pod->namespace, sizeof(pod->namespace)));
	if (pod->name[0])
		json_str(b, ",\"name\":", pod->name,
			 strnlen(pod->name, sizeof(pod->name)));
	if (pod->container[0])
		json_str(b, ",\"container\":", pod->container,
			 strnlen(pod->container, sizeof(pod->container)));
	sb_putc(b, '}');
}

/*
 * Who the process is (issue 14): its working directory, start time and
 * exec_id, and its parent at the exec, captured at the exec or at
 * start-up (user/proc.c), so present even when the process is gone.
 */
static void identity_json(struct sb *b, const struct format_opts *o,
			  const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	const struct proc_info *pi = v->proc;
	const char *boot = o->boot_id ? o->boot_id : "0000000000000000";

	if (pi && pi->cwd[0])
		json_str(b, ",\"cwd\":", pi->cwd, strnlen(pi->cwd, sizeof(pi->cwd)));
	if (pi && pi->cwd_truncated)
		sb_puts(b, ",\"cwd_truncated\":true");
	sb_puts(b, ",\"start_time\":\"");
	sb_rfc3339(b, (int64_t)(ev->hdr.start_ns + (uint64_t)o->boot_offset_ns));
	sb_puts(b, "\",\"exec_id\":\"");
	identity__exec_id(b, boot, ev->hdr.pid, ev->hdr.start_ns, ev->hdr.exec_seq);
	sb_putc(b, '"');
	if (!pi || !pi->parent_start_ns)
		return;
	sb_puts(b, ",\"parent_exec_id\":\"");
	identity__exec_id(b, boot, pi->ppid, pi->parent_start_ns,
			  pi->parent_exec_seq);
	sb_putc(b, '"');
	if (!pi->parent_exe[0] && !pi->parent_cmdline_len)
		return;
	/* its pid is in parent_exec_id */
	sb_puts(b, ",\"parent\":{");
	if (pi->parent_exe[0])
		json_str(b, "\"exe\":", pi->parent_exe,
			 strnlen(pi->parent_exe, sizeof(pi->parent_exe)));
	if (pi->parent_cmdline_len) {
		cmdline_field(b, o, pi->parent_exe[0] ? ",\"cmdline\":" :
			      "\"cmdline\":", pi->parent_cmdline,
			      pi->parent_cmdline_len, sizeof(pi->parent_cmdline));
		if (pi->parent_cmdline_truncated)
			sb_puts(b, ",\"cmdline_truncated\":true");
	}
	sb_putc(b, '}');
}

/*
 * "process": who raised the event, with field names after Tetragon's and
 * Falco's process objects. auid and sessionid are left out when unset.
 */
static void process_json_build(struct sb *b, const struct format_opts *o,
			       const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	const struct proc_info *pi = v->proc;

	/* pid, tid, uid and comm are the line's own, at its head: not
	 * repeated here (50 bytes a line, issue 14) */
	sb_puts(b, ",\"process\":{\"ppid\":");
	sb_u64(b, ev->hdr.ppid);
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
	if (pi && pi->exe[0]) {
		sb_puts(b, ",\"exe\":\"");
		json_chars(b, pi->exe, strnlen(pi->exe, sizeof(pi->exe)),
			   PA_T_STR_UTF8, 0);
		sb_putc(b, '"');
	}
	if (pi && pi->exe_truncated)
		sb_puts(b, ",\"exe_truncated\":true");
	if (pi && pi->cmdline_len) {
		cmdline_field(b, o, ",\"cmdline\":", pi->cmdline,
			      pi->cmdline_len, sizeof(pi->cmdline));
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
	if (pi && pi->pod.uid[0])
		pod_json(b, &pi->pod);
	identity_json(b, o, v);
	sb_putc(b, '}');
}

/*
 * What the process object is made of besides proc_info: the record's
 * process fields and the options that change its text.
 */
struct process_key {
	const struct proc_info *pi;
	uint64_t gen, start_ns, cgroup_id;
	const struct format_opts *o;
	const char *boot_id;
	int64_t boot_offset_ns;
	uint32_t pid, ppid, euid, gid, auid, sessionid, exec_seq;
	bool redact;
};

/*
 * The process object is the same for every event of a process (a third
 * of a line's bytes: command lines, paths, times, exec ids) and
 * consecutive events mostly come from one process: the text of the last
 * one is kept and copied while its key holds. Only for a proc_info that
 * a cache filled (gen != 0): one a caller built may change under the
 * same address.
 */
static void process_json(struct sb *b, const struct format_opts *o,
			 const struct event_view *v)
{
	static struct process_key last;
	static char text[8192];
	static size_t text_len;
	const struct rec_event *ev = v->ev;
	struct process_key k;
	size_t start = b->len;

	if (!v->proc || !v->proc->gen) {
		process_json_build(b, o, v);
		return;
	}
	memset(&k, 0, sizeof(k));	/* the padding too: memcmp */
	k.pi = v->proc;
	k.gen = v->proc->gen;
	k.start_ns = ev->hdr.start_ns;
	k.cgroup_id = ev->hdr.cgroup_id;
	k.o = o;
	k.boot_id = o->boot_id;
	k.boot_offset_ns = o->boot_offset_ns;
	k.pid = ev->hdr.pid;
	k.ppid = ev->hdr.ppid;
	k.euid = ev->hdr.euid;
	k.gid = ev->hdr.gid;
	k.auid = ev->hdr.auid;
	k.sessionid = ev->hdr.sessionid;
	k.exec_seq = ev->hdr.exec_seq;
	k.redact = o->redact;
	if (text_len && !memcmp(&k, &last, sizeof(k))) {
		sb_putn(b, text, text_len);
		return;
	}
	process_json_build(b, o, v);
	text_len = 0;
	if (b->len < b->size && b->len - start <= sizeof(text)) {
		text_len = b->len - start;
		memcpy(text, b->p + start, text_len);
		last = k;
	}
}

static void event_json(struct sb *b, const struct format_opts *o,
		       const struct event_view *v, bool no_args)
{
	const struct rec_event *ev = v->ev;
	char tmp[16], act[32];
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
		if (i < 32 && (v->redacted & (1u << i)))
			redact__json(b, &ev->args[i]);
		else
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
	if (o->node)
		json_str(b, ",\"node\":", o->node, strlen(o->node));
	if (action_name(&ev->hdr, act, sizeof(act))) {
		sb_puts(b, ",\"action\":\"");
		sb_puts(b, action_name(&ev->hdr, act, sizeof(act)));
		sb_putc(b, '"');
	}
	process_json(b, o, v);
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
