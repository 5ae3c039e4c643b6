// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A record's way through the consumer: see consumer.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate.h"
#include "consumer.h"
#include "event_table.h"
#include "log.h"
#include "outfile.h"
#include "redact.h"
#include "source.h"

int consumer__init(struct consumer *c, const struct format_opts *fmt,
		   struct proc_cache *procs)
{
	memset(c, 0, sizeof(*c));
	c->fmt = fmt;
	c->procs = procs;
	c->proc_get = proc_cache__get;
	c->rec = malloc(sizeof(*c->rec));
	c->lines = calloc(1, sizeof(*c->lines));
	c->codes = calloc(1, sizeof(*c->codes));
	if (!c->rec || !c->lines || !c->codes ||
	    codecache__init(c->codes, CODECACHE_ENTRIES, CODECACHE_BYTES))
		return -ENOMEM;
	return 0;
}

void consumer__free(struct consumer *c)
{
	if (c->record)
		fclose(c->record);
	c->record = NULL;
	free(c->rec);
	c->rec = NULL;
	free(c->copy);
	c->copy = NULL;
	if (c->lines)
		linecache__free(c->lines);
	free(c->lines);
	c->lines = NULL;
	if (c->codes)
		codecache__free(c->codes);
	free(c->codes);
	c->codes = NULL;
}

int consumer__record_to(struct consumer *c, const char *path, bool force)
{
	char why[160];
	int fd = outfile__record(path, force, why, sizeof(why));

	if (fd < 0) {
		p_err("--record %s: %s", path, why);
		return fd;
	}
	c->record = fdopen(fd, "w");
	if (!c->record) {
		fd = -errno;
		p_err("--record %s: %s", path, strerror(-fd));
		return fd;
	}
	return 0;
}

void consumer__set_target(struct consumer *c, uint32_t target_id,
			  int ltab_format)
{
	if (target_id < PA_TARGETS_MAX)
		c->ltab_format[target_id] = ltab_format;
}

/*
 * --record: the record as it came, before decoding, so that a replay
 * sees what the consumer saw, malformed records included.
 */
static void keep(struct consumer *c, const void *data, size_t size)
{
	uint32_t len = size;

	if (fwrite(&len, sizeof(len), 1, c->record) != 1 ||
	    fwrite(data, 1, size, c->record) != size) {
		p_warn("--record: write failed: %s: no more records kept",
		       strerror(errno));
		fclose(c->record);
		c->record = NULL;
	}
}

const void *consumer__next_kept(const void *buf, size_t size, size_t *off,
				uint32_t *len)
{
	const uint8_t *p = buf;

	if (*off > size || size - *off < sizeof(*len))
		return NULL;
	memcpy(len, p + *off, sizeof(*len));
	if (*len > size - *off - sizeof(*len))
		return NULL;
	*off += sizeof(*len) + *len;
	return p + *off - *len;
}

void consumer__lines(struct linecache *cache, const struct rec_event *ev,
		     int ltab_format, int lines[PA_FRAMES_MAX])
{
	uint32_t i;
	int line, r;

	for (i = 0; i < ev->nframes && i < PA_FRAMES_MAX; i++) {
		r = cache ? linecache__line(cache, &ev->frames[i], ltab_format, &line)
			  : source__line(&ev->frames[i], ltab_format, &line);
		lines[i] = r || line < 0 ? FORMAT_LINE_UNKNOWN : line;
	}
}

int consumer__event(struct consumer *c, FILE *out, const void *data,
		    size_t size)
{
	const struct rec_event *ev = c->rec;
	struct event_view v = { .ev = ev };
	char name[PA_NAME_MAX + 1];
	const char *cname;
	uint32_t target;

	if (c->record)
		keep(c, data, size);
	/* --redact changes values in place: never in the ring buffer's
	 * pages (read-only), in a copy (a record is PA_REC_MAX at most) */
	if (c->fmt->redact) {
		if (!c->copy && !(c->copy = malloc(PA_REC_MAX)))
			return -ENOMEM;
		if (size > PA_REC_MAX)
			size = PA_REC_MAX;
		memcpy(c->copy, data, size);
		data = c->copy;
	}
	if (record__decode(data, size, c->rec)) {
		if (c->bad_records++ == 0)
			p_warn("malformed record from BPF (size %zu): skipped", size);
		return -EINVAL;
	}
	/* Before anything can drop the event: its descriptions are needed
	 * by the references of the events after it. */
	codecache__event(c->codes, c->rec);
	target = ev->hdr.target_id;
	consumer__lines(c->lines, ev,
			target < PA_TARGETS_MAX ? c->ltab_format[target] : 0,
			v.lines);
	cname = record__name_ascii(&ev->name, name, sizeof(name));
	if (cname)
		v.def = event_table_find(cname);
	if (c->fmt->redact)
		v.redacted = redact__event(c->rec, v.def);
	if (c->fmt->app_frame)
		v.app = appframe__find(ev, c->app, PA_FRAMES_MAX);
	/* Read from /proc on first use: only when it is shown. */
	if (c->fmt->json || c->fmt->col_container || c->agg)
		v.proc = c->proc_get(c->procs, ev->hdr.pid, ev->hdr.start_ns);
	if (c->agg)
		aggregate__event(c->agg, &v);
	else
		format__event(out, c->fmt, &v);
	return 0;
}
