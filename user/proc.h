/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process context that the event record does not carry: executable path,
 * command line, working directory, container id, the parent's executable
 * and command line. Captured at exec by BPF (struct pa_exec records,
 * proc_cache__put_exec), listed at start-up (proc_cache__put_task), or
 * else read from /proc when first asked for; cached per process (a
 * process is a pid plus its start time, so a reused pid is a new entry,
 * and the old one stays for the old process's late events).
 */
#ifndef PA_PROC_H
#define PA_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cgroup.h"
#include "pod.h"
#include "../bpf/pyaudit.h"

#define PROC_CMDLINE_MAX 4096	/* bytes of /proc/PID/cmdline kept */

/* Where struct proc_info's context came from. */
enum proc_source {
	PROC_SRC_READ = 0,	/* /proc, when the first event was written */
	PROC_SRC_EXEC = 1,	/* the exec record (BPF, at the exec) */
	PROC_SRC_SCAN = 2,	/* /proc at start-up (running then) */
	PROC_SRC_CLONE = 3,	/* gone: its parent's, a fork without exec */
};

struct proc_info {
	pid_t pid;
	uint64_t start_ns;		/* task start time, from the record */
	/* Changes whenever the cache refills this struct, unique across
	 * caches; 0 for one that no cache filled. format.c keeps the JSON
	 * of the last process object under it. */
	uint64_t gen;
	bool gone;			/* /proc/PID was gone when first looked at */
	uint8_t source;			/* enum proc_source */
	uint32_t exec_seq;		/* its exec sequence (0: not known) */
	char exe[4096];			/* readlink /proc/PID/exe ("" if unknown) */
	size_t cmdline_len;		/* bytes in cmdline (NUL-separated args) */
	char cmdline[PROC_CMDLINE_MAX];
	bool cmdline_truncated;
	char cwd[4096];			/* working directory ("" if unknown) */
	bool exe_truncated, cwd_truncated;	/* exec record: the walk was
						 * cut, the path's end kept */
	char container_id[CONTAINER_ID_MAX + 1];	/* "" when none */
	const char *container_runtime;	/* "docker", "containerd", "podman", "cri-o", or NULL */
	struct pod_info pod;		/* Kubernetes: pod.uid "" when none */
	/* The parent at the exec (exec record, start-up list): its
	 * identity; parent_start_ns 0 when not known. */
	pid_t ppid;
	uint64_t parent_start_ns;
	uint32_t parent_exec_seq;
	char parent_exe[4096];
	size_t parent_cmdline_len;
	char parent_cmdline[PROC_CMDLINE_MAX];
	bool parent_cmdline_truncated;
};

/* Counters of the cache, for the stats records. */
struct proc_counts {
	uint64_t execs;		/* exec records taken */
	uint64_t scanned;	/* processes listed at start-up */
	uint64_t read;		/* contexts read from /proc at an event */
	uint64_t gone;		/* of those, gone by then (no context) */
	uint64_t evicted;	/* entries dropped because the cache was full */
};

struct proc_cache;

struct proc_cache *proc_cache__new(size_t max_entries);
void proc_cache__free(struct proc_cache *c);
/*
 * The context of (pid, start_ns), read from /proc (under proc_root,
 * normally "/proc") on first use and cached; least recently used entries
 * are evicted beyond max_entries. Never NULL: a process that is gone
 * gives an entry with gone set and empty strings. start_ns 0 means
 * "unknown": any cached entry of pid is returned. The result is valid
 * until the next call on c.
 */
const struct proc_info *proc_cache__get(struct proc_cache *c, pid_t pid,
					uint64_t start_ns);
/*
 * An exec record (struct pa_exec and its strings, size bytes, checked
 * here): the process's context, and its parent's from the cache or
 * /proc. Returns 0, or -EINVAL for a malformed record.
 */
int proc_cache__put_exec(struct proc_cache *c, const void *rec, size_t size);
/* A process of the start-up list: its context from /proc, kept under
 * its exact start time (the list's, not /proc's 10 ms ticks). */
void proc_cache__put_task(struct proc_cache *c, const struct pa_task *t);
/* Called when an event's process is not cached, before /proc is read:
 * pyaudit reads the exec records that are waiting (an exec record is
 * always written before its process's first event). */
void proc_cache__set_refill(struct proc_cache *c, void (*fn)(void *), void *ctx);
void proc_cache__counts(const struct proc_cache *c, struct proc_counts *out);
/* Forget a process (it exited). */
void proc_cache__drop(struct proc_cache *c, pid_t pid);
/* For tests: read from another root than /proc. */
void proc_cache__set_root(struct proc_cache *c, const char *proc_root);

#endif
