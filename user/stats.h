/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the BPF side counts: the per-CPU statistics (events lost when
 * the ring buffer was full, among others), the per-process lost counts,
 * and the summary-mode counts per event and process. The lost counter
 * is read here only, and how much of it has been told to the user (in
 * warnings and lost records, and in summaries) is kept here only.
 */
#ifndef PA_STATS_H
#define PA_STATS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include <stdint.h>
#include "proc.h"
#include "strbuf.h"
#include "summary.h"

struct stats {
	int stats_fd;		/* PERCPU_ARRAY of PA_STAT_* counters */
	int lost_by_pid_fd;	/* pid -> events lost */
	int summary_fd;		/* struct pa_summary_key -> count */
	int summary_other_fd;	/* the same, name zeroed: "(other)" rows */
	__u64 lost_warned;	/* lost events reported by stats__report_lost */
	__u64 lost_summarised;	/* lost events given in the summaries */
	__u64 full_summarised;	/* PA_STAT_SUMMARY_FULL given in summaries */
#define STATS_TABLES 4
	__u64 tables_warned[STATS_TABLES];	/* stats__report_tables */
	__u64 tables_warned_ns;
};

/* A counter of the stats map (PA_STAT_*), summed over the CPUs. */
__u64 stats__sum(const struct stats *s, __u32 idx);

/*
 * Read the summary counts (and delete them when reset: a summary per
 * interval) and print them with summary__print(); so gives everything
 * but the rows and the lost events of the interval. procs gives each
 * row's container. Returns summary__print()'s result.
 */
int stats__print_summary(struct stats *s, FILE *out, struct proc_cache *procs,
			 struct summary_opts *so, bool reset);

/*
 * Full tables, on stderr (a JSON log record with --json): events counted
 * in "(other)" rows or not counted (summary mode), new-file notices lost.
 * While running, what grew, at most once a second (now_ns: CLOCK_MONOTONIC);
 * final: the totals.
 */
void stats__report_tables(struct stats *s, __u64 now_ns, bool final);

/*
 * Events lost since the last report: a warning on stderr and, in JSON,
 * a {"type":"lost",...} line on out. final: the total at exit, with the
 * counts per process, printed when any event was lost at all.
 */
void stats__report_lost(struct stats *s, FILE *out, bool json, bool final);

/*
 * At exit, on stderr: how many values were unreadable (PA_STAT_UNREADABLE),
 * and with -v how many reads came from the copy of .rodata.
 */
void stats__report_reads(const struct stats *s);

/* At exit, on stderr, with --action: what the actions did (the
 * PA_STAT_ACT_* counters). */
void stats__report_actions(const struct stats *s, bool dry_run);

/* Events lost by one process (the lost_by_pid map). */
struct stats_pid_lost {
	__u32 pid;
	__u64 lost;
};

/*
 * The JSON line of a lost record, time_ns since the epoch: lost since the
 * last record, total since the start; the final record adds by_pid and
 * lost_without_pid. For the unit tests too.
 */
void stats__lost_json(struct sb *b, int64_t time_ns, __u64 lost,
		      __u64 total, bool final, const struct stats_pid_lost *by_pid,
		      size_t n, __u64 lost_without_pid);

#endif
