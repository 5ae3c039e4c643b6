/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Health: what pyaudit has attached, delivered and lost, for a service
 * that must say when it has gone blind (issue 14). --stats N: a
 * {"type":"stats"} record on the output (JSON) or a line on stderr
 * (text) every N seconds, and always one at exit ("final": true); under
 * systemd the same counters in STATUS= (sdnotify.h).
 */
#ifndef PA_HEALTH_H
#define PA_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "codecache.h"
#include "proc.h"
#include "strbuf.h"

struct attach;
struct host;
struct stats;

struct health_counts {
	double uptime_s;
	unsigned targets;		/* target files attached */
	unsigned probes;		/* links (USDT, uprobes) */
	unsigned attach_failures;	/* targets no probe could go on */
	unsigned new_pythons;		/* targets attached after start-up */
	unsigned untraced;		/* left out: the target table was full */
	__u64 events;			/* records written by BPF */
	__u64 lost_ring;		/* events ring full */
	__u64 lost_no_pid;		/* of those, not counted per process */
	__u64 notices_lost;		/* new-file notices ring full */
	__u64 duplicates, filtered, unreadable;
	__u64 execs, execs_lost;	/* exec records written, lost */
	struct proc_counts procs;	/* the process cache's counters */
	struct codecache_counts codes;	/* code objects sent once */
	bool final;
};

/* The counters now; started: the targets attached at start-up. */
void health__gather(struct health_counts *h, const struct stats *s,
		    const struct attach *a, const struct proc_cache *procs,
		    unsigned started, double uptime_s);
/* {"type":"stats",...}\n; time_ns since the epoch; host: NULL or the
 * host, as a "host" object. */
void health__json(struct sb *b, int64_t time_ns, const struct host *host,
		  const struct health_counts *h);
/* One line, "stats: ..." (no newline): stderr's, and systemd's STATUS. */
void health__text(struct sb *b, const struct health_counts *h);

#endif
