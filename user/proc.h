/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process context that the BPF record does not carry: executable path,
 * command line, container id. Read from /proc once per process and
 * cached (a process is a pid plus its start time, so a reused pid is a
 * new entry). Also cgroup helpers for the --cgroup/--container filters.
 */
#ifndef PA_PROC_H
#define PA_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_CMDLINE_MAX 4096	/* bytes of /proc/PID/cmdline kept */
#define CONTAINER_ID_MAX 64	/* hex digits of a container id */

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

/*
 * Container id in one cgroup path (a line's path part of
 * /proc/PID/cgroup, e.g. "/system.slice/docker-<64 hex>.scope").
 * Recognised: docker (/docker/ID, docker-ID.scope), containerd and
 * Kubernetes (cri-containerd-ID.scope, /kubepods/.../ID), podman
 * (libpod-ID.scope, not libpod-conmon-), CRI-O (crio-ID.scope).
 * Returns true and fills id (64 hex, NUL-terminated) and runtime.
 */
bool cgroup__container_id(const char *path, char id[CONTAINER_ID_MAX + 1],
			  const char **runtime);
/* Parse /proc/PID/cgroup contents: the container id of the first line
 * that has one. Same return as cgroup__container_id. */
bool cgroup__container_id_from_file(const char *contents, size_t len,
				    char id[CONTAINER_ID_MAX + 1],
				    const char **runtime);
/* The mount point of the cgroup2 file system (from /proc/self/mountinfo,
 * one whose root is "/" if any) in buf. 0, -ENOENT when there is none,
 * -ENAMETOOLONG, or -errno. */
int cgroup__v2_mount(char *buf, size_t size);
/* The cgroup v2 id of a cgroup directory (its inode number):
 * "/sys/fs/cgroup/system.slice/foo.service" or a path relative to the
 * cgroup2 mount. 0 and -errno on error. */
int cgroup__id_of_path(const char *path, uint64_t *id);
/* The cgroup ids of every cgroup directory under the cgroup2 mount
 * whose name contains id_prefix (at least 12 hex digits of a container
 * id). Returns how many were written to ids (up to max), or -errno. */
int cgroup__ids_of_container(const char *id_prefix, uint64_t *ids, size_t max);

#endif
