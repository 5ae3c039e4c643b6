// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* -s --by and --folded: counts by chosen keys (aggregate.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "aggregate.h"
#include "escape.h"
#include "folded.h"
#include "jsonw.h"
#include "log.h"
#include "redact.h"
#include "timefmt.h"
#include "values.h"

/* Fields of a key are joined by this byte, which both escapings write
 * as an escape sequence, never raw. */
#define SEP '\x1f'
#define KEY_MAX 16384		/* bytes of one key: a longer one is cut */
#define COL_MAX 60		/* text columns of a key column but the last */
#define CONTAINER_SHORT 12

static const struct {
	const char *name;
	enum agg_kind kind;
} kinds[] = {
	{ "event", AGG_EVENT }, { "pid", AGG_PID }, { "comm", AGG_COMM },
	{ "container", AGG_CONTAINER }, { "source", AGG_SOURCE },
	{ "app", AGG_APP },
};

int agg__parse_by(const char *s, struct agg_by *by, char *why, size_t size)
{
	const char *p = s;

	while (*p) {
		size_t n = strcspn(p, ","), i;
		struct agg_key k = { 0 };
		bool ok = false;

		if (!n) {
			p++;
			continue;
		}
		if (by->n == AGG_KEYS_MAX) {
			snprintf(why, size, "at most %d keys", AGG_KEYS_MAX);
			return -EINVAL;
		}
		if (n > 4 && !strncmp(p, "arg:", 4)) {
			if (n - 4 >= AGG_ARG_NAME_MAX) {
				snprintf(why, size, "argument name longer than %d bytes",
					 AGG_ARG_NAME_MAX - 1);
				return -EINVAL;
			}
			k.kind = AGG_ARG;
			memcpy(k.arg, p + 4, n - 4);
			ok = true;
		}
		for (i = 0; !ok && i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strlen(kinds[i].name) == n && !strncmp(p, kinds[i].name, n)) {
				k.kind = kinds[i].kind;
				ok = true;
			}
		if (!ok) {
			snprintf(why, size, "unknown key '%.*s' (event, pid, comm, "
				 "container, source, app, arg:NAME)", (int)n, p);
			return -EINVAL;
		}
		by->k[by->n++] = k;
		p += n;
	}
	if (!by->n) {
		snprintf(why, size, "no key");
		return -EINVAL;
	}
	return 0;
}

bool agg__has(const struct agg_by *by, enum agg_kind kind)
{
	for (int i = 0; i < by->n; i++)
		if (by->k[i].kind == kind)
			return true;
	return false;
}

bool agg__in_kernel(const struct agg_by *by)
{
	for (int i = 0; i < by->n; i++)
		if (by->k[i].kind > AGG_CONTAINER)
			return false;
	return true;
}

/* ---- the table ----------------------------------------------------------- */

struct entry {
	char *key;		/* NULL: free slot */
	size_t len;
	uint64_t hash;
	uint64_t count;
};

struct aggregate {
	struct agg_by by;
	bool folded, json;
	size_t rows_max, n, cap;	/* cap: a power of 2 */
	struct entry *v;
	uint64_t dropped, dropped_told;
	char key[KEY_MAX];
};

struct aggregate *aggregate__new(const struct agg_by *by, bool folded,
				 bool json, size_t rows_max)
{
	struct aggregate *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (by)
		a->by = *by;
	a->folded = folded;
	a->json = json;
	a->rows_max = rows_max;
	a->cap = 1024;
	a->v = calloc(a->cap, sizeof(*a->v));
	if (!a->v) {
		free(a);
		return NULL;
	}
	return a;
}

static void clear(struct aggregate *a)
{
	for (size_t i = 0; i < a->cap; i++) {
		free(a->v[i].key);
		a->v[i].key = NULL;
	}
	a->n = 0;
}

void aggregate__free(struct aggregate *a)
{
	if (!a)
		return;
	clear(a);
	free(a->v);
	free(a);
}

uint64_t aggregate__dropped(const struct aggregate *a)
{
	return a->dropped;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct entry *slot(struct entry *v, size_t cap, const char *key,
			  size_t len, uint64_t h)
{
	size_t i = h & (cap - 1);

	while (v[i].key && (v[i].hash != h || v[i].len != len ||
			    memcmp(v[i].key, key, len)))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static int grow(struct aggregate *a)
{
	size_t cap = a->cap * 2;
	struct entry *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->cap; i++)
		if (a->v[i].key)
			*slot(v, cap, a->v[i].key, a->v[i].len, a->v[i].hash) = a->v[i];
	free(a->v);
	a->v = v;
	a->cap = cap;
	return 0;
}

static void add(struct aggregate *a, const char *key, size_t len, uint64_t count)
{
	uint64_t h = fnv1a(key, len);
	struct entry *e = slot(a->v, a->cap, key, len, h);

	if (e->key) {
		e->count += count;
		return;
	}
	if (a->n >= a->rows_max || (2 * (a->n + 1) > a->cap && grow(a))) {
		a->dropped += count;
		return;
	}
	e = slot(a->v, a->cap, key, len, h);
	e->key = malloc(len ? len : 1);
	if (!e->key) {
		a->dropped += count;
		return;
	}
	memcpy(e->key, key, len);
	e->len = len;
	e->hash = h;
	e->count = count;
	a->n++;
}

/* ---- the keys of an event ------------------------------------------------ */

static void str_field(struct sb *b, bool json, const char *s, size_t len)
{
	if (json)
		sb_putc(b, '"');
	if (json)
		json_chars(b, s, len, PA_T_STR_UTF8, 0);
	else
		text_chars(b, s, len, PA_T_STR_UTF8, 0, 0);
	if (json)
		sb_putc(b, '"');
}

static void none_field(struct sb *b, bool json)
{
	sb_puts(b, json ? "null" : "-");
}

/* "FILE:LINE" of frame i of v, or none. */
static void where_field(struct sb *b, bool json, const struct event_view *v,
			int i)
{
	const struct rec_value *file;

	if (i < 0 || (uint32_t)i >= v->ev->nframes || !v->ev->frames ||
	    v->ev->frames[i].nchildren < 1 || !v->ev->frames[i].children ||
	    !is_str(v->ev->frames[i].children[0].tag)) {
		none_field(b, json);
		return;
	}
	file = &v->ev->frames[i].children[0];
	if (json) {
		sb_putc(b, '"');
		json_chars(b, file->data, file->len, file->tag, file->flags);
	} else {
		text_chars(b, file->data, file->len, file->tag, file->flags, '\'');
	}
	if (file->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
	sb_putc(b, ':');
	if (v->lines[i] < 0)
		sb_putc(b, '?');
	else
		sb_i64(b, v->lines[i]);
	if (json)
		sb_putc(b, '"');
}

/* The index of argument name of v's event (its name in the events
 * table, or argN), or -1. */
static int arg_index(const struct event_view *v, const char *name)
{
	char tmp[16];

	for (uint32_t i = 0; i < v->ev->nargs; i++) {
		if (v->def && i < v->def->nargs && i < EVENT_ARGS_MAX &&
		    v->def->args[i] && !strcmp(v->def->args[i], name))
			return i;
		snprintf(tmp, sizeof(tmp), "arg%u", i);
		if (!strcmp(tmp, name))
			return i;
	}
	return -1;
}

static void arg_field(struct sb *b, bool json, const struct event_view *v,
		      const char *name)
{
	int i = arg_index(v, name);
	const struct rec_value *val;

	if (i < 0 || !v->ev->args) {
		none_field(b, json);
		return;
	}
	val = &v->ev->args[i];
	if (i < 32 && (v->redacted & (1u << i)))
		json ? redact__json(b, val) : redact__text(b, val);
	else
		json ? json_value(b, val, 0) : repr_value(b, val, 0);
}

static void event_field(struct sb *b, const struct aggregate *a,
			const struct agg_key *k, const struct event_view *v)
{
	const struct rec_event *ev = v->ev;
	const char *cid;

	switch (k->kind) {
	case AGG_EVENT:
		if (!a->json) {
			name_text(b, &ev->name);
		} else if (is_str(ev->name.tag)) {
			sb_putc(b, '"');
			json_chars(b, ev->name.data, ev->name.len, ev->name.tag,
				   ev->name.flags);
			sb_putc(b, '"');
		} else {
			none_field(b, true);
		}
		break;
	case AGG_PID:
		sb_u64(b, ev->hdr.pid);
		break;
	case AGG_COMM:
		str_field(b, a->json, ev->hdr.comm, strnlen(ev->hdr.comm, PA_COMM_LEN));
		break;
	case AGG_CONTAINER:
		cid = v->proc ? v->proc->container_id : "";
		if (!cid[0])
			none_field(b, a->json);
		else
			str_field(b, a->json, cid, a->json ? strlen(cid) :
				  strnlen(cid, CONTAINER_SHORT));
		break;
	case AGG_SOURCE:
		where_field(b, a->json, v, 0);
		break;
	case AGG_APP:
		where_field(b, a->json, v, v->app);
		break;
	case AGG_ARG:
		arg_field(b, a->json, v, k->arg);
		break;
	case AGG_STACK:
		break;
	}
}

void aggregate__event(struct aggregate *a, const struct event_view *v)
{
	struct sb b = { .p = a->key, .size = sizeof(a->key) };

	if (a->folded) {
		folded__stack(&b, v, PA_FRAMES_MAX);
	} else {
		for (int i = 0; i < a->by.n; i++) {
			if (i)
				sb_putc(&b, SEP);
			event_field(&b, a, &a->by.k[i], v);
		}
	}
	add(a, a->key, b.len < sizeof(a->key) ? b.len : sizeof(a->key) - 1, 1);
}

/* A row of the kernel's summary maps (keys event, pid, comm, container). */
static void row_field(struct sb *b, const struct aggregate *a,
		      const struct agg_key *k, const struct summary_row *r)
{
	switch (k->kind) {
	case AGG_EVENT:
		if (r->other) {
			str_field(b, a->json, "(other)", 7);
			break;
		}
		if (a->json)
			sb_putc(b, '"');
		if (a->json)
			json_chars(b, r->event, strnlen(r->event, sizeof(r->event)),
				   PA_T_STR_UTF8, 0);
		else
			text_chars(b, r->event, strnlen(r->event, sizeof(r->event)),
				   PA_T_STR_UTF8, 0, 0);
		if (r->event_truncated)
			sb_puts(b, "...");
		if (a->json)
			sb_putc(b, '"');
		break;
	case AGG_PID:
		sb_u64(b, r->pid);
		break;
	case AGG_COMM:
		str_field(b, a->json, r->comm, strnlen(r->comm, PA_COMM_LEN));
		break;
	case AGG_CONTAINER:
		if (!r->container_id[0])
			none_field(b, a->json);
		else
			str_field(b, a->json, r->container_id,
				  a->json ? strlen(r->container_id) :
				  strnlen(r->container_id, CONTAINER_SHORT));
		break;
	default:
		none_field(b, a->json);
	}
}

static void add_rows(struct aggregate *a, const struct summary_row *rows,
		     size_t n)
{
	for (size_t r = 0; r < n; r++) {
		struct sb b = { .p = a->key, .size = sizeof(a->key) };

		for (int i = 0; i < a->by.n; i++) {
			if (i)
				sb_putc(&b, SEP);
			row_field(&b, a, &a->by.k[i], &rows[r]);
		}
		add(a, a->key, b.len < sizeof(a->key) ? b.len : sizeof(a->key) - 1,
		    rows[r].count);
	}
}

/* ---- printing ------------------------------------------------------------ */

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *x = *(const struct entry *const *)pa;
	const struct entry *y = *(const struct entry *const *)pb;
	size_t n = x->len < y->len ? x->len : y->len;
	int r;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	r = memcmp(x->key, y->key, n);
	return r ? r : (x->len > y->len) - (x->len < y->len);
}

/* Field i of key e (between separators): *len bytes at the result. */
static const char *field(const struct entry *e, int i, size_t *len)
{
	const char *p = e->key, *end = e->key + e->len, *q;

	for (; i > 0 && p < end; i--) {
		q = memchr(p, SEP, end - p);
		p = q ? q + 1 : end;
	}
	q = memchr(p, SEP, end - p);
	*len = (q ? q : end) - p;
	return p;
}

static double interval(const struct summary_opts *o)
{
	return isfinite(o->interval_s) && o->interval_s > 0 ? o->interval_s : 0;
}

static const char *key_title(const struct agg_key *k, char *buf, size_t size)
{
	size_t i;

	if (k->kind == AGG_ARG) {
		snprintf(buf, size, "arg:%s", k->arg);
		return buf;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == k->kind)
			return kinds[i].name;
	return "?";
}

static void print_text(struct aggregate *a, struct sb *b,
		       const struct summary_opts *so, struct entry **rows,
		       size_t n, uint64_t dropped)
{
	size_t width[AGG_KEYS_MAX] = { 0 }, len, c, i;
	char title[AGG_ARG_NAME_MAX + 8], up[AGG_ARG_NAME_MAX + 8];
	bool rate = interval(so) > 0;
	int count_w = 7, k;
	struct sb digits = { 0 };

	summary__title(b, so);
	if (n)
		sb_u64(&digits, rows[0]->count);
	if ((int)digits.len > count_w)
		count_w = digits.len;
	for (k = 0; k < a->by.n; k++) {
		width[k] = strlen(key_title(&a->by.k[k], title, sizeof(title)));
		for (i = 0; i < n; i++) {
			const char *f = field(rows[i], k, &len);

			c = utf8_columns_n(f, len);
			if (c > width[k])
				width[k] = c > COL_MAX ? COL_MAX : c;
		}
	}
	if (n) {
		sb_puts_right(b, "COUNT", count_w);
		if (rate)
			sb_puts(b, "   RATE/s");
		for (k = 0; k < a->by.n; k++) {
			const char *t = key_title(&a->by.k[k], title, sizeof(title));

			for (i = 0; t[i] && i < sizeof(up) - 1; i++)
				up[i] = t[i] >= 'a' && t[i] <= 'z' ? t[i] - 32 : t[i];
			up[i] = '\0';
			sb_putc(b, ' ');
			if (k + 1 < a->by.n)
				sb_puts_left(b, up, width[k]);
			else
				sb_puts(b, up);
		}
		sb_putc(b, '\n');
	}
	for (i = 0; i < n; i++) {
		sb_u64_right(b, rows[i]->count, count_w);
		if (rate) {
			char r[32];

			snprintf(r, sizeof(r), "%9.2f", rows[i]->count / interval(so));
			sb_puts(b, r);
		}
		for (k = 0; k < a->by.n; k++) {
			const char *f = field(rows[i], k, &len);

			sb_putc(b, ' ');
			sb_putn(b, f, len);
			for (c = utf8_columns_n(f, len); k + 1 < a->by.n && c < width[k]; c++)
				sb_putc(b, ' ');
		}
		sb_putc(b, '\n');
	}
	if (so->lost) {
		sb_putc(b, '(');
		sb_u64(b, so->lost);
		sb_puts(b, " events lost)\n");
	}
	if (dropped) {
		sb_putc(b, '(');
		sb_u64(b, dropped);
		sb_puts(b, " events not counted: the table of ");
		sb_u64(b, a->rows_max);
		sb_puts(b, " keys was full)\n");
	}
	if (!n)
		sb_puts(b, "(no events)\n");
}

static void print_json(struct aggregate *a, struct sb *b,
		       const struct summary_opts *so, struct entry **rows,
		       size_t n, uint64_t dropped)
{
	struct jw j = { .b = b };
	char title[AGG_ARG_NAME_MAX + 8];
	size_t i, len;
	int k;

	jw_begin_object(&j);
	jw_key(&j, "type");
	jw_string(&j, "summary");
	jw_key(&j, "time");
	jw_time_ns(&j, (int64_t)(so->now_ns + (uint64_t)so->realtime_offset_ns));
	jw_key(&j, "interval_s");
	jw_double(&j, interval(so));
	jw_key(&j, "final");
	jw_bool(&j, interval(so) == 0);
	jw_key(&j, "by");
	jw_begin_array(&j);
	for (k = 0; k < a->by.n; k++)
		jw_string(&j, key_title(&a->by.k[k], title, sizeof(title)));
	jw_end_array(&j);
	jw_key(&j, "rows");
	jw_begin_array(&j);
	for (i = 0; i < n; i++) {
		jw_begin_object(&j);
		for (k = 0; k < a->by.n; k++) {
			const char *f = field(rows[i], k, &len);

			jw_key(&j, key_title(&a->by.k[k], title, sizeof(title)));
			sb_putn(b, f, len);
			j.sep = true;
		}
		jw_key(&j, "count");
		jw_u64(&j, rows[i]->count);
		if (interval(so) > 0) {
			jw_key(&j, "rate");
			jw_double(&j, rows[i]->count / interval(so));
		}
		jw_end_object(&j);
	}
	jw_end_array(&j);
	jw_key(&j, "lost");
	jw_u64(&j, so->lost);
	if (so->not_counted || dropped) {
		jw_key(&j, "not_counted");
		jw_u64(&j, so->not_counted + dropped);
	}
	jw_end_object(&j);
	sb_putc(b, '\n');
}

/* Folded: "STACK COUNT" per line, by stack (any order does for the
 * tools; this one is stable). */
static int stack_cmp(const void *pa, const void *pb)
{
	const struct entry *x = *(const struct entry *const *)pa;
	const struct entry *y = *(const struct entry *const *)pb;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->key, y->key, n);

	return r ? r : (x->len > y->len) - (x->len < y->len);
}

static void print_folded(struct sb *b, struct entry **rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_putn(b, rows[i]->key, rows[i]->len);
		sb_putc(b, ' ');
		sb_u64(b, rows[i]->count);
		sb_putc(b, '\n');
	}
}

static void print_all(struct aggregate *a, struct sb *b,
		      const struct summary_opts *so, struct entry **rows,
		      size_t n, uint64_t dropped)
{
	if (a->folded)
		print_folded(b, rows, n);
	else if (so->json)
		print_json(a, b, so, rows, n, dropped);
	else
		print_text(a, b, so, rows, n, dropped);
}

int aggregate__print(struct aggregate *a, FILE *out,
		     const struct summary_opts *so,
		     const struct summary_row *krows, size_t nk)
{
	struct entry **rows;
	struct sb b = { 0 };
	uint64_t dropped;
	size_t n = 0, i;
	char *p = NULL;
	int err = 0;

	add_rows(a, krows, nk);
	dropped = a->dropped - a->dropped_told;
	a->dropped_told = a->dropped;
	rows = malloc((a->n ? a->n : 1) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0; i < a->cap; i++)
		if (a->v[i].key)
			rows[n++] = &a->v[i];
	qsort(rows, n, sizeof(*rows), a->folded ? stack_cmp : entry_cmp);
	/* a first pass measures, the second writes */
	print_all(a, &b, so, rows, n, dropped);
	p = malloc(b.len + 1);
	if (!p) {
		free(rows);
		return -ENOMEM;
	}
	b = (struct sb){ .p = p, .size = b.len + 1 };
	print_all(a, &b, so, rows, n, dropped);
	errno = 0;
	if (fwrite(p, 1, b.len, out) != b.len || fflush(out) || ferror(out))
		err = errno ? -errno : -EIO;
	if (a->folded && dropped)
		p_warn("--folded: %llu events not counted: the table of %zu "
		       "stacks was full", (unsigned long long)dropped, a->rows_max);
	free(p);
	free(rows);
	if (interval(so) > 0)
		clear(a);
	return err;
}
