// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Kubernetes pods from cgroup paths and kubelet's log names: see pod.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pod.h"

#define POD_ROOT_DEFAULT "/var/log"
#define POD_CACHE_SIZE 256	/* containers remembered */

struct pod_slot {
	char cid[CONTAINER_ID_MAX + 1];	/* key ("": the slot is free) */
	char uid[POD_UID_LEN + 1];	/* and the pod it was looked up in */
	struct pod_info info;
};

struct pod_cache {
	char *root;
	struct pod_slot *slots;
	size_t next;			/* replaced next, in turn */
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* 8-4-4-4-12 hex digits, the dashes spelt '-' or (systemd) '_'. */
static bool uid_at(const char *p, size_t left, char uid[POD_UID_LEN + 1])
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t i, d = 0;

	if (left < POD_UID_LEN)
		return false;
	for (i = 0; i < POD_UID_LEN; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (p[i] != '-' && p[i] != '_')
				return false;
			uid[i] = '-';
			d++;
		} else if (is_hex(p[i])) {
			uid[i] = p[i];
		} else {
			return false;
		}
	}
	/* the component ends there: ".slice", '/', or the line's end */
	if (left > POD_UID_LEN && p[i] != '.' && p[i] != '/' && p[i] != '\n')
		return false;
	uid[POD_UID_LEN] = '\0';
	return true;
}

bool pod__uid_from_cgroup(const char *contents, size_t len,
			  char uid[POD_UID_LEN + 1])
{
	const char *p = contents, *end = contents + len;

	if (!memmem(contents, len, "kubepods", 8))
		return false;
	/* "pod" at a component's start (cgroupfs) or after '-' (systemd) */
	while ((p = memmem(p, end - p, "pod", 3))) {
		if (p > contents && (p[-1] == '/' || p[-1] == '-') &&
		    uid_at(p + 3, end - p - 3, uid))
			return true;
		p += 3;
	}
	return false;
}

struct pod_cache *pod_cache__new(const char *root)
{
	struct pod_cache *pc = calloc(1, sizeof(*pc));

	if (!pc)
		return NULL;
	if (!root)
		root = getenv("PYAUDIT_KUBELET_LOG_ROOT");
	pc->root = strdup(root && *root ? root : POD_ROOT_DEFAULT);
	pc->slots = calloc(POD_CACHE_SIZE, sizeof(*pc->slots));
	if (!pc->root || !pc->slots) {
		pod_cache__free(pc);
		return NULL;
	}
	return pc;
}

void pod_cache__free(struct pod_cache *pc)
{
	if (!pc)
		return;
	free(pc->root);
	free(pc->slots);
	free(pc);
}

/* Split s (n bytes) at '_' into exactly three fields of the sizes given. */
static bool split3(const char *s, size_t n, char *a, size_t asz, char *b,
		   size_t bsz, char *c, size_t csz)
{
	const char *u1 = memchr(s, '_', n), *u2;
	size_t la, lb, lc;

	if (!u1)
		return false;
	u2 = memchr(u1 + 1, '_', s + n - u1 - 1);
	if (!u2 || memchr(u2 + 1, '_', s + n - u2 - 1))
		return false;
	la = u1 - s;
	lb = u2 - u1 - 1;
	lc = s + n - u2 - 1;
	if (!la || !lb || !lc || la >= asz || lb >= bsz || lc >= csz)
		return false;
	memcpy(a, s, la);
	a[la] = '\0';
	memcpy(b, u1 + 1, lb);
	b[lb] = '\0';
	memcpy(c, u2 + 1, lc);
	c[lc] = '\0';
	return true;
}

/* <root>/containers/<pod>_<namespace>_<container>-<cid>.log */
static bool from_containers(const struct pod_cache *pc, const char *cid,
			    struct pod_info *out)
{
	char path[PATH_MAX], suffix[CONTAINER_ID_MAX + 8];
	size_t sl, n;
	struct dirent *d;
	bool found = false;
	DIR *dir;

	if (!cid[0])
		return false;
	snprintf(path, sizeof(path), "%s/containers", pc->root);
	sl = snprintf(suffix, sizeof(suffix), "-%s.log", cid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		n = strlen(d->d_name);
		if (n <= sl || strcmp(d->d_name + n - sl, suffix))
			continue;
		found = split3(d->d_name, n - sl, out->name, sizeof(out->name),
			       out->namespace, sizeof(out->namespace),
			       out->container, sizeof(out->container));
	}
	closedir(dir);
	return found;
}

/* <root>/pods/<namespace>_<pod>_<uid>, and its one container directory */
static void from_pods(const struct pod_cache *pc, struct pod_info *out)
{
	char path[PATH_MAX], uid[POD_UID_LEN + 1], last[64] = "";
	struct dirent *d;
	size_t n, ndirs = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/pods", pc->root);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		n = strlen(d->d_name);
		if (n <= POD_UID_LEN + 1 || strcmp(d->d_name + n - POD_UID_LEN, out->uid))
			continue;
		if (split3(d->d_name, n, out->namespace, sizeof(out->namespace),
			   out->name, sizeof(out->name), uid, sizeof(uid)))
			break;
	}
	closedir(dir);
	if (!out->name[0] || out->container[0])
		return;
	snprintf(path, sizeof(path), "%s/pods/%s_%s_%s", pc->root,
		 out->namespace, out->name, out->uid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_type == DT_DIR && d->d_name[0] != '.' &&
		    strlen(d->d_name) < sizeof(last)) {
			strcpy(last, d->d_name);
			ndirs++;
		}
	closedir(dir);
	if (ndirs == 1)
		strcpy(out->container, last);
}

void pod_cache__resolve(struct pod_cache *pc, const char *contents,
			size_t len, const char *cid, struct pod_info *out)
{
	struct pod_slot *s = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!pc || !pod__uid_from_cgroup(contents, len, out->uid))
		return;
	for (i = 0; cid[0] && i < POD_CACHE_SIZE; i++)
		if (!strcmp(pc->slots[i].cid, cid) &&
		    !strcmp(pc->slots[i].uid, out->uid)) {
			*out = pc->slots[i].info;
			return;
		}
	from_containers(pc, cid, out);
	if (!out->name[0])
		from_pods(pc, out);
	/* Remembered only once named: the logs may come after the exec. */
	if (!cid[0] || !out->name[0])
		return;
	s = &pc->slots[pc->next++ % POD_CACHE_SIZE];
	strcpy(s->cid, cid);
	strcpy(s->uid, out->uid);
	s->info = *out;
}
