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
		     __u64 count, struct proc_cache *procs)
{
	const struct proc_info *pi;

	memset(row, 0, sizeof(*row));
	memcpy(row->event, key->name, PA_SUMMARY_NAME_MAX);
	row->event_truncated = key->name_truncated;
	row->pid = key->pid;
	memcpy(row->comm, key->comm, PA_COMM_LEN);
	pi = proc_cache__get(procs, key->pid, 0);
	if (pi)
		memcpy(row->container_id, pi->container_id, sizeof(row->container_id));
	row->count = count;
}

int stats__print_summary(struct stats *s, FILE *out, struct proc_cache *procs,
			 struct summary_opts *so, bool reset)
{
	struct pa_summary_key key, next, *prev = NULL;
	struct summary_row *rows = NULL;
	size_t n = 0, cap = 0;
	int fd = s->summary_fd;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		__u64 count;

		key = next;
		prev = &key;
		if (reset ? bpf_map_lookup_and_delete_elem(fd, &key, &count)
			  : bpf_map_lookup_elem(fd, &key, &count))
			continue;
		if (n == cap) {
			struct summary_row *nr;

			cap = cap ? cap * 2 : 256;
			nr = realloc(rows, cap * sizeof(*rows));
			if (!nr)
				break;
			rows = nr;
		}
		fill_row(&rows[n++], &key, count, procs);
		/* After a delete, restart the walk: the key is gone. */
		if (reset)
			prev = NULL;
	}
	so->lost = stats__sum(s, PA_STAT_LOST) - s->lost_summarised;
	s->lost_summarised += so->lost;
	err = summary__print(out, so, rows, n);
	free(rows);
	return err;
}

/* The final lost record's counts per process, for exact accounting. */
static void print_lost_by_pid(const struct stats *s, FILE *out)
{
	__u32 key, *prev = NULL;
	bool first = true;
	__u64 n;

	fputs(",\"by_pid\":{", out);
	while (!bpf_map_get_next_key(s->lost_by_pid_fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(s->lost_by_pid_fd, &key, &n))
			continue;
		fprintf(out, "%s\"%u\":%llu", first ? "" : ",", key,
			(unsigned long long)n);
		first = false;
	}
	fputc('}', out);
	fprintf(out, ",\"lost_without_pid\":%llu",
		(unsigned long long)stats__sum(s, PA_STAT_LOST_NOPID));
}

void stats__report_lost(struct stats *s, FILE *out, bool json, bool final)
{
	__u64 lost = stats__sum(s, PA_STAT_LOST);

	if (final ? !lost : lost == s->lost_warned)
		return;
	if (json) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		fprintf(out, "{\"type\":\"lost\",\"time\":\"%04d-%02d-%02dT"
			"%02d:%02d:%02d.%09ldZ\",\"lost\":%llu,\"total_lost\":%llu,"
			"\"final\":%s", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec,
			(unsigned long long)(final ? lost : lost - s->lost_warned),
			(unsigned long long)lost, final ? "true" : "false");
		if (final)
			print_lost_by_pid(s, out);
		fputs("}\n", out);
	}
	if (final)
		p_warn("%llu events lost in all: the ring buffer was full "
		       "(a larger --ring-size, or filters, help)",
		       (unsigned long long)lost);
	else
		p_warn("%llu events lost: the ring buffer was full (try a larger "
		       "--ring-size)", (unsigned long long)(lost - s->lost_warned));
	s->lost_warned = lost;
}
