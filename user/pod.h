/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kubernetes pods without the API server (issue 14): the pod UID from a
 * process's cgroup path as the kubelet names it (systemd driver:
 * kubepods-<qos>-pod<uid, '-' as '_'>.slice; cgroupfs driver:
 * /kubepods/<qos>/pod<uid>), then the namespace, pod and container names
 * from the kubelet's log directory on the node:
 *   <root>/containers/<pod>_<namespace>_<container>-<container id>.log
 *   <root>/pods/<namespace>_<pod>_<uid>/<container>/<restarts>.log
 * (kubernetes pkg/kubelet/kuberuntime legacy.go logSymlink, helpers.go
 * BuildPodLogsDirectory). Pod, namespace and container names are DNS
 * labels and subdomains: none holds '_', so the split is unambiguous.
 * The root is /var/log, or $PYAUDIT_KUBELET_LOG_ROOT (tests, a node
 * whose logs are elsewhere). Results are cached per container.
 */
#ifndef PA_POD_H
#define PA_POD_H

#include <stdbool.h>
#include <stddef.h>
#include "cgroup.h"

#define POD_UID_LEN 36

struct pod_info {
	char uid[POD_UID_LEN + 1];	/* "" when not in a pod */
	char namespace[64];		/* DNS label: 63 at most */
	char name[254];			/* DNS subdomain: 253 at most */
	char container[64];
};

/* The pod UID in /proc/PID/cgroup contents (any line); true if found. */
bool pod__uid_from_cgroup(const char *contents, size_t len,
			  char uid[POD_UID_LEN + 1]);

struct pod_cache;

/* root: the kubelet's log root (NULL: $PYAUDIT_KUBELET_LOG_ROOT or
 * /var/log). NULL when out of memory. */
struct pod_cache *pod_cache__new(const char *root);
void pod_cache__free(struct pod_cache *pc);
/*
 * The pod of a process whose cgroup file holds contents and whose
 * container id is cid ("" when none): out->uid[0] is 0 when it is not in
 * a pod; the names are "" when the log directory does not have them.
 */
void pod_cache__resolve(struct pod_cache *pc, const char *contents,
			size_t len, const char *cid, struct pod_info *out);

#endif
