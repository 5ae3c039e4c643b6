/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process context that the BPF record does not carry: executable path,
 * command line, container id. Read from /proc once per process and
 * cached (a process is a pid plus its start time, so a reused pid is a
 * new entry).
 */
#ifndef PA_PROC_H
#define PA_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cgroup.h"

#define PROC_CMDLINE_MAX 4096	/* bytes of /proc/PID/cmdline kept */

struct proc_info {
	pid_t pid;
	uint64_t start_ns;		/* task start time, from the record */
	bool gone;			/* /proc/PID was gone when first looked at */
	char exe[4096];			/* readlink /proc/PID/exe ("" if unknown) */
	size_t cmdline_len;		/* bytes in cmdline (NUL-separated args) */
	char cmdline[PROC_CMDLINE_MAX];
	bool cmdline_truncated;
	char container_id[CONTAINER_ID_MAX + 1];	/* "" when none */
	const char *container_runtime;	/* "docker", "containerd", "podman", "cri-o", or NULL */
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
/* Forget a process (it exited). */
void proc_cache__drop(struct proc_cache *c, pid_t pid);
/* For tests: read from another root than /proc. */
void proc_cache__set_root(struct proc_cache *c, const char *proc_root);

#endif
