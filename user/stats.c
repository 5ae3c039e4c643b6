// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The statistics the BPF side keeps, read back: summary-mode counts and
 * lost events.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aggregate.h"
#include "jsonw.h"
#include "log.h"
#include "stats.h"

__u64 stats__sum(const struct stats *s, __u32 idx)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 sum = 0, *vals;

	if (ncpus <= 0)
		return 0;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(s->stats_fd, &idx, vals))
		for (int i = 0; i < ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

static void fill_row(struct summary_row *row, const struct pa_summary_key *key,
		     __u64 count, struct proc_cache *procs, bool other)
{
	const struct proc_info *pi;

	memset(row, 0, sizeof(*row));
	memcpy(row->event, key->name, PA_SUMMARY_NAME_MAX);
	row->event_truncated = key->name_truncated;
	row->other = other;
	row->pid = key->pid;
	memcpy(row->comm, key->comm, PA_COMM_LEN);
	pi = proc_cache__get(procs, key->pid, 0);
	if (pi)
		memcpy(row->container_id, pi->container_id, sizeof(row->container_id));
	row->count = count;
}

struct rows {
	struct summary_row *v;
	size_t n, cap;
};

/* Append the counts of one summary map (deleted when reset). */
static void read_rows(struct rows *rs, int fd, bool reset, bool other,
		      struct proc_cache *procs)
{
	struct pa_summary_key key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		__u64 count;

		key = next;
		prev = &key;
		if (reset ? bpf_map_lookup_and_delete_elem(fd, &key, &count)
			  : bpf_map_lookup_elem(fd, &key, &count))
			continue;
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 256;
			struct summary_row *nr = realloc(rs->v, cap * sizeof(*nr));

			if (!nr)
				break;
			rs->v = nr;
			rs->cap = cap;
		}
		fill_row(&rs->v[rs->n++], &key, count, procs, other);
		/* After a delete, restart the walk: the key is gone. */
		if (reset)
			prev = NULL;
	}
}

/* What a counter has grown by since *told, which it then becomes. */
static __u64 news(const struct stats *s, __u32 idx, __u64 *told)
{
	__u64 now = stats__sum(s, idx), d = now - *told;

	*told = now;
	return d;
}

int stats__print_summary(struct stats *s, FILE *out, struct proc_cache *procs,
			 struct summary_opts *so, bool reset)
{
	struct rows rs = { 0 };
	int err;

	read_rows(&rs, s->summary_fd, reset, false, procs);
	read_rows(&rs, s->summary_other_fd, reset, true, procs);
	so->lost = news(s, PA_STAT_LOST, &s->lost_summarised);
	so->not_counted = news(s, PA_STAT_SUMMARY_FULL, &s->full_summarised);
	err = so->agg ? aggregate__print(so->agg, out, so, rs.v, rs.n)
		      : summary__print(out, so, rs.v, rs.n);
	free(rs.v);
	return err;
}

/*
 * The tables that fill: told when their counters grow, at most once a
 * second while running (a flood would repeat it every batch), and in
 * all at exit.
 */
static const struct {
	__u32 idx;
	const char *what;
} table_counters[STATS_TABLES] = {
	{ PA_STAT_SUMMARY_OTHER, "events counted in (other) rows: the summary "
	  "table is full (16384 names and processes; one process raising "
	  "many names can fill it)" },
	{ PA_STAT_SUMMARY_FULL, "events not counted: the summary table and "
	  "its (other) rows are full" },
	{ PA_STAT_MAPPED_LOST, "notices of new files lost (the notices ring "
	  "was full): a Python started then is untraced until a process "
	  "executes or maps its file again" },
	{ PA_STAT_HOLD_FULL, "processes not held at a new file (--hold-new): "
	  "4096 were held already; their first events may be missed" },
};

void stats__report_tables(struct stats *s, __u64 now_ns, bool final)
{
	if (!final && now_ns - s->tables_warned_ns < 1000000000ULL)
		return;
	s->tables_warned_ns = now_ns;
	for (int i = 0; i < STATS_TABLES; i++) {
		__u64 n = stats__sum(s, table_counters[i].idx);

		if (final ? !n : n == s->tables_warned[i])
			continue;
		p_warn("%llu %s%s", (unsigned long long)(final ? n : n - s->tables_warned[i]),
		       table_counters[i].what, final ? ", in all" : "");
		s->tables_warned[i] = n;
	}
}

void stats__lost_json(struct sb *b, int64_t time_ns, __u64 lost,
		      __u64 total, bool final, const struct stats_pid_lost *by_pid,
		      size_t n, __u64 lost_without_pid)
{
	struct jw j = { .b = b };

	jw_begin_object(&j);
	jw_key(&j, "type");
	jw_string(&j, "lost");
	jw_key(&j, "time");
	jw_time_ns(&j, time_ns);
	jw_key(&j, "lost");
	jw_u64(&j, lost);
	jw_key(&j, "total_lost");
	jw_u64(&j, total);
	jw_key(&j, "final");
	jw_bool(&j, final);
	if (final) {
		jw_key(&j, "by_pid");
		jw_begin_object(&j);
		for (size_t i = 0; i < n; i++) {
			jw_key_u64(&j, by_pid[i].pid);
			jw_u64(&j, by_pid[i].lost);
		}
		jw_end_object(&j);
		jw_key(&j, "lost_without_pid");
		jw_u64(&j, lost_without_pid);
	}
	jw_end_object(&j);
	sb_putc(b, '\n');
}

/*
 * The counts per process of the final record, for exact accounting: the
 * whole map (max_entries of lost_by_pid in bpf/pyaudit.bpf.c), read once
 * so that the record's two passes see the same entries.
 */
#define LOST_BY_PID_MAX 16384

static size_t read_lost_by_pid(const struct stats *s,
			       struct stats_pid_lost *v, size_t max)
{
	__u32 key, *prev = NULL;
	size_t n = 0;
	__u64 lost;

	while (n < max && !bpf_map_get_next_key(s->lost_by_pid_fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(s->lost_by_pid_fd, &key, &lost))
			continue;
		v[n++] = (struct stats_pid_lost){ .pid = key, .lost = lost };
	}
	return n;
}

static void write_lost_record(const struct stats *s, FILE *out, __u64 lost,
			      __u64 total, bool final)
{
	struct stats_pid_lost *by_pid = NULL;
	struct timespec ts;
	struct sb b = { 0 };
	size_t n = 0;
	int64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (final) {
		by_pid = calloc(LOST_BY_PID_MAX, sizeof(*by_pid));
		if (by_pid)
			n = read_lost_by_pid(s, by_pid, LOST_BY_PID_MAX);
	}
	/* One pass to measure, one to write: a single fwrite per record. */
	stats__lost_json(&b, now, lost, total, final, by_pid, n,
			 stats__sum(s, PA_STAT_LOST_NOPID));
	b.size = b.len + 1;
	b.len = 0;
	b.p = malloc(b.size);
	if (b.p) {
		stats__lost_json(&b, now, lost, total, final, by_pid, n,
				 stats__sum(s, PA_STAT_LOST_NOPID));
		fwrite(b.p, 1, b.len, out);
		free(b.p);
	}
	free(by_pid);
}

void stats__report_reads(const struct stats *s)
{
	__u64 unreadable = stats__sum(s, PA_STAT_UNREADABLE);
	__u64 copied = stats__sum(s, PA_STAT_RO_COPY);

	if (unreadable)
		p_info("%llu values could not be read from the traced processes "
		       "(printed as unreadable: docs/output.md)",
		       (unsigned long long)unreadable);
	if (log_verbose && stats__sum(s, PA_STAT_ARG_FILTERED))
		p_info("%llu events dropped in the kernel by argument conditions",
		       (unsigned long long)stats__sum(s, PA_STAT_ARG_FILTERED));
	if (log_verbose && copied)
		p_info("%llu reads the processes could not give came from the "
		       "copy of .rodata (forked children, start-up)",
		       (unsigned long long)copied);
}

void stats__report_actions(const struct stats *s, bool dry_run)
{
	p_info("--action: %llu signals sent, %llu not sent (dry run), %llu "
	       "not sent over the rate limit, %llu failed%s",
	       (unsigned long long)stats__sum(s, PA_STAT_ACT_DONE),
	       (unsigned long long)stats__sum(s, PA_STAT_ACT_DRY_RUN),
	       (unsigned long long)stats__sum(s, PA_STAT_ACT_LIMITED),
	       (unsigned long long)stats__sum(s, PA_STAT_ACT_FAILED),
	       dry_run ? " (--action-dry-run: nothing was done)" : "");
}

void stats__report_lost(struct stats *s, FILE *out, bool json, bool final)
{
	__u64 lost = stats__sum(s, PA_STAT_LOST);

	if (final ? !lost : lost == s->lost_warned)
		return;
	if (json)
		write_lost_record(s, out, final ? lost : lost - s->lost_warned,
				  lost, final);
	if (final)
		p_warn("%llu events lost in all: the ring buffer was full "
		       "(a larger --ring-size, or filters, help)",
		       (unsigned long long)lost);
	else
		p_warn("%llu events lost: the ring buffer was full (try a larger "
		       "--ring-size)", (unsigned long long)(lost - s->lost_warned));
	s->lost_warned = lost;
}
