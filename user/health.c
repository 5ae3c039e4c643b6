// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Health counters and their records: see health.h. */
#include <string.h>
#include "attach.h"
#include "health.h"
#include "host.h"
#include "jsonw.h"
#include "stats.h"

void health__gather(struct health_counts *h, const struct stats *s,
		    const struct attach *a, const struct proc_cache *procs,
		    unsigned started, double uptime_s)
{
	memset(h, 0, sizeof(*h));
	h->uptime_s = uptime_s;
	h->targets = a->n_attached;
	h->probes = a->links.n;
	h->attach_failures = a->n_failed;
	h->new_pythons = a->n_attached > started ? a->n_attached - started : 0;
	h->untraced = a->n_untraced;
	h->events = stats__sum(s, PA_STAT_EVENTS);
	h->lost_ring = stats__sum(s, PA_STAT_LOST);
	h->lost_no_pid = stats__sum(s, PA_STAT_LOST_NOPID);
	h->notices_lost = stats__sum(s, PA_STAT_MAPPED_LOST);
	h->duplicates = stats__sum(s, PA_STAT_DUPLICATES);
	h->filtered = stats__sum(s, PA_STAT_FILTERED);
	h->unreadable = stats__sum(s, PA_STAT_UNREADABLE);
	h->execs = stats__sum(s, PA_STAT_EXECS);
	h->execs_lost = stats__sum(s, PA_STAT_EXEC_LOST);
	proc_cache__counts(procs, &h->procs);
}

static void key_u64(struct jw *j, const char *key, __u64 v)
{
	jw_key(j, key);
	jw_u64(j, v);
}

void health__json(struct sb *b, int64_t time_ns, const struct host *host,
		  const struct health_counts *h)
{
	struct jw j = { .b = b };

	jw_begin_object(&j);
	jw_key(&j, "type");
	jw_string(&j, "stats");
	jw_key(&j, "time");
	jw_time_ns(&j, time_ns);
	if (host) {
		jw_key(&j, "host");
		sb_putc(b, '{');
		host__members(b, host);
		sb_putc(b, '}');
		j.sep = true;
	}
	jw_key(&j, "uptime_s");
	jw_double(&j, h->uptime_s);
	key_u64(&j, "targets_attached", h->targets);
	key_u64(&j, "probes", h->probes);
	key_u64(&j, "attach_failures", h->attach_failures);
	key_u64(&j, "new_pythons", h->new_pythons);
	key_u64(&j, "untraced_targets", h->untraced);
	key_u64(&j, "events", h->events);
	jw_key(&j, "lost");
	jw_begin_object(&j);
	key_u64(&j, "ring_full", h->lost_ring);
	key_u64(&j, "without_pid", h->lost_no_pid);
	key_u64(&j, "notices", h->notices_lost);
	key_u64(&j, "exec_records", h->execs_lost);
	jw_end_object(&j);
	key_u64(&j, "duplicates_dropped", h->duplicates);
	key_u64(&j, "filtered", h->filtered);
	key_u64(&j, "unreadable_values", h->unreadable);
	jw_key(&j, "processes");
	jw_begin_object(&j);
	key_u64(&j, "exec_records", h->execs);
	key_u64(&j, "listed_at_start", h->procs.scanned);
	key_u64(&j, "read_at_event", h->procs.read);
	key_u64(&j, "gone_at_event", h->procs.gone);
	key_u64(&j, "evicted", h->procs.evicted);
	jw_end_object(&j);
	jw_key(&j, "code_objects");
	jw_begin_object(&j);
	key_u64(&j, "described", h->codes.described);
	key_u64(&j, "referred", h->codes.resolved);
	key_u64(&j, "evicted", h->codes.evicted);
	key_u64(&j, "unresolved", h->codes.unresolved);
	jw_end_object(&j);
	jw_key(&j, "final");
	jw_bool(&j, h->final);
	jw_end_object(&j);
	sb_putc(b, '\n');
}

/* n, then what it counts */
static void count(struct sb *b, uint64_t n, const char *what)
{
	sb_u64(b, n);
	sb_puts(b, what);
}

void health__text(struct sb *b, const struct health_counts *h)
{
	sb_puts(b, "stats: ");
	count(b, h->targets, " targets attached (");
	count(b, h->probes, " probes, ");
	count(b, h->attach_failures, " failed, ");
	count(b, h->new_pythons, " new Pythons), ");
	count(b, h->events, " events, ");
	count(b, h->lost_ring, " lost (ring full), ");
	count(b, h->notices_lost, " notices lost, ");
	count(b, h->execs, " exec records (");
	count(b, h->execs_lost, " lost)");
	if (h->final)
		sb_puts(b, ", final");
}
