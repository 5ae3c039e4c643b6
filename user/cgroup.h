/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cgroups: the container id in a process's cgroup path, and the cgroup
 * v2 ids of a directory or a container (the --cgroup and --container
 * filters).
 */
#ifndef PA_CGROUP_H
#define PA_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTAINER_ID_MAX 64	/* hex digits of a container id */

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
