/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Attaching: the targets the options name, the probes on each (USDT or
 * uprobes, a target attached whole or not at all), and the Pythons
 * found at run time, when a process executes or maps a file not seen
 * before, whatever its name (system-wide tracing).
 */
#ifndef PA_ATTACH_H
#define PA_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"
#include "discover.h"
#include "opts.h"

/* Notices waiting for their mapping: as many as the notices ring holds */
#define NOTICES_MAX 4096
/* Slots of the target table (PA_TARGETS_MAX) that files found by
 * scanning install locations, and mapped by no process, never take:
 * kept for Pythons that start later. */
#define TARGETS_RESERVED 64

struct pyaudit_bpf;
struct bpf_link;

/* A file a process executed or mapped, to be looked at in the process. */
struct notice {
	pid_t pid;
	struct pa_file_key key;
	__u64 first_ns;		/* CLOCK_MONOTONIC of the notice */
	bool exec;		/* executed: /proc/PID/exe */
	bool held;		/* stopped by the watcher: continue it */
};

struct attach {
	struct pyaudit_bpf *skel;	/* loaded */
	struct target_list *targets;
	const pid_t *pids;		/* attach in these processes only */
	int npids;
	bool system_wide;		/* attach to new Pythons as they appear */
	unsigned char *attached;	/* per target: TRIED, ATTACHED */
	size_t attached_cap;
	unsigned n_attached, n_usdt, n_uprobes;
	unsigned n_untraced;		/* Python files left out: table full */
	unsigned n_failed;		/* targets no probe could be attached to */
	bool denied;			/* an attach refused for privilege */
	struct notice *notices;		/* NOTICES_MAX, on first use */
	int nnotices;
	__u64 n_noticed;		/* notices of new files */
	__u64 n_notices_dropped;	/* not examined: too many at once */
	bool exiting;			/* notices: only continue the held */
	bool multi;			/* uprobes as uprobe-multi links */
	struct {			/* every link made, destroyed at the end */
		struct bpf_link **v;	/* libbpf's (USDT, perf uprobes), */
		int *fds;		/* or a uprobe-multi link (v[i] NULL) */
		size_t n, cap;
	} links;
};

/* Fill l with the targets the options name (--binary, -p, the command,
 * else every Python on the host) and set up a. 0, or -errno with the
 * error reported. */
int attach__find_targets(struct attach *a, struct target_list *l,
			 const struct opts *o);
/* Can the mmap watcher's tracepoint be attached (tracefs mounted, or
 * mountable)? A warning when not. */
bool attach__tracefs_ready(void);
/* Before the load: make the uprobe programs uprobe-multi ones where the
 * kernel has them (kfeatures__uprobe_multi). */
void attach__prepare(struct attach *a, struct pyaudit_bpf *skel);
/* Store each target's layout in skel and attach to it (after load). */
void attach__targets(struct attach *a, struct pyaudit_bpf *skel);
/* One info line: the targets attached and their mechanisms. */
void attach__report(const struct attach *a, bool command);
/* A new Python file was mapped (a PA_REC_MAPPED record), at now_ns. */
void attach__notice(struct attach *a, const struct pa_mapped *m, __u64 now_ns);
/* Look for the noticed files in their processes and attach to them;
 * a notice is retried for a while, the mapping may not exist yet. */
void attach__process_notices(struct attach *a, __u64 now_ns);
/* At exit, once the watchers are detached: continue every process still
 * held (--hold-new), and handle later notices only so. */
void attach__release_notices(struct attach *a);
/* At exit: how many Python files were left out (the table was full). */
void attach__report_untraced(const struct attach *a);
/* Destroy every link (before the skeleton) and free a. */
void attach__free(struct attach *a);

#endif
