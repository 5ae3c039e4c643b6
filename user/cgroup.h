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
#include <sys/types.h>

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
/*
 * The path of cgroup v2 id below the mount whose directory mount_fd is
 * ("/system.slice/foo.service"), found by the kernfs file handle the id
 * is (open_by_handle_at(2), CAP_DAC_READ_SEARCH): the cgroup of a process
 * that is gone, while the cgroup lives. 0, or -errno.
 */
int cgroup__path_of_id(int mount_fd, uint64_t id, char *buf, size_t size);
/* The cgroup v2 id of a cgroup directory (its inode number):
 * "/sys/fs/cgroup/system.slice/foo.service" or a path relative to the
 * cgroup2 mount. 0 and -errno on error. */
int cgroup__id_of_path(const char *path, uint64_t *id);
/* A cgroup of a container, found by cgroup__find_container(). */
struct cgroup_match {
	uint64_t id;			/* cgroup v2 id (inode number) */
	char cid[CONTAINER_ID_MAX + 1];	/* the whole container id */
	const char *runtime;		/* "docker", "containerd", ... */
	uid_t deleg_uid;		/* owner of a delegated cgroup above
					 * or at it (0: root owns them all) */
	int depth;			/* levels below the mount */
	bool ignored;			/* set by cgroup__pick_container() */
	char *path;			/* below the mount, "/system.slice/..." */
};

struct cgroup_matches {
	struct cgroup_match *v;
	size_t n, cap;
	size_t skipped;			/* directories too deep to search */
};

/*
 * Every cgroup directory below root (NULL: the cgroup2 mount) whose own
 * name is a container component (docker-ID.scope, /docker/ID,
 * cri-containerd-ID.scope, kubepods' ID, crio-ID.scope, libpod-ID.scope)
 * with an id starting with id_prefix (12 to 64 hex digits). Nothing
 * below a match is searched. 0 (m->n may be 0), -EINVAL for a bad
 * prefix, or -errno; free m with cgroup__matches_free().
 */
int cgroup__find_container(const char *id_prefix, const char *root,
			   struct cgroup_matches *m);
/*
 * Decide which matches to use: when root owns a match, the matches in
 * cgroups delegated to a user (who may name a cgroup as they like) are
 * marked ignored. 0, -ENOENT when there is none, -EEXIST when the
 * matches kept name more than one container.
 */
int cgroup__pick_container(struct cgroup_matches *m);
void cgroup__matches_free(struct cgroup_matches *m);

#endif
