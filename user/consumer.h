/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A record's way through the consumer, from the ring buffer to one
 * output line: kept (--record), decoded (record.h), its frames' code
 * objects kept or looked up (codecache.h), resolved (the line of each
 * frame, from the line-table format of the record's target: source.h), enriched (the event's definition from the events table,
 * the process context), formatted (format.h). pyaudit's ring-buffer
 * callback, the replay benchmark and the golden test all go through
 * consumer__event.
 */
#ifndef PA_CONSUMER_H
#define PA_CONSUMER_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "codecache.h"
#include "format.h"
#include "linecache.h"
#include "proc.h"
#include "record.h"

struct consumer {
	const struct format_opts *fmt;	/* the run's, read at each event */
	struct proc_cache *procs;	/* not owned: the summary uses it too */
	/*
	 * Where the process context comes from: proc_cache__get. The
	 * replay benchmark and the golden test put their own (the
	 * processes they replay are gone).
	 */
	const struct proc_info *(*proc_get)(struct proc_cache *c, pid_t pid,
					    uint64_t start_ns);
	FILE *record;			/* --record: the raw records kept */
	struct rec_event *rec;		/* decode buffer (large: on the heap) */
	uint8_t *copy;			/* --redact: the record, changed here */
	const struct appframe_opts *app;	/* --app-frame: library paths */
	struct aggregate *agg;		/* -s --by, --folded: events counted,
					 * not written (not owned) */
	struct linecache *lines;	/* frame lines seen (on the heap) */
	struct codecache *codes;	/* code objects described (on the heap) */
	unsigned long bad_records;
	uint8_t ltab_format[PA_TARGETS_MAX];	/* per target id: PA_LT_*, 0
						 * unknown (no lines) */
};

/* fmt and procs stay the caller's. 0, or -ENOMEM. */
int consumer__init(struct consumer *c, const struct format_opts *fmt,
		   struct proc_cache *procs);
/* Free what c owns (and close the --record file); c may be all zero. */
void consumer__free(struct consumer *c);
/* --record: keep each raw record in the file at path (outfile__record:
 * an existing record is overwritten only with force). 0, or -errno,
 * reported. */
int consumer__record_to(struct consumer *c, const char *path, bool force);
/* The line-table format (PA_LT_*, the target's pa_layout.ltab_format)
 * of the code objects of target target_id. */
void consumer__set_target(struct consumer *c, uint32_t target_id,
			  int ltab_format);
/*
 * One event record of the ring buffer to one line on out. 0, or -EINVAL
 * for a malformed record (counted in bad_records, the first one reported).
 */
int consumer__event(struct consumer *c, FILE *out, const void *data,
		    size_t size);

/*
 * The line of each frame of ev, or FORMAT_LINE_UNKNOWN (format.h),
 * through cache when not NULL (the same lines, faster).
 */
void consumer__lines(struct linecache *cache, const struct rec_event *ev,
		     int ltab_format, int lines[PA_FRAMES_MAX]);
/*
 * The next record of a --record file read into buf[0, size) (a 4-byte
 * length in host order, then the record), from *off on: sets *len and
 * advances *off past it. NULL at the end (*off == size) or at a record
 * cut short.
 */
const void *consumer__next_kept(const void *buf, size_t size, size_t *off,
				uint32_t *len);

#endif
