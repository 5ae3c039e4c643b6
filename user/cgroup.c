// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgroups: the container id in a cgroup path, and the cgroup v2 ids
 * behind the --cgroup and --container filters.
 *
 * A cgroup path is named by whoever created the cgroup (a container
 * runtime, or the traced process itself): the parsers take any bytes
 * and trust no length they find there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_WALK_DEPTH	32
#define CONTAINER_PREFIX_MIN	12

/* ---- container ids ------------------------------------------------------ */

static bool is_hex64(const char *s, size_t len)
{
	size_t i;

	if (len != CONTAINER_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);

	return len >= pl && !memcmp(s, prefix, pl);
}

/*
 * "<prefix><64 hex>" or "<prefix><64 hex>.scope": the hex part, or NULL.
 */
static const char *scope_id(const char *s, size_t len, const char *prefix)
{
	static const char suffix[] = ".scope";
	size_t pl = strlen(prefix), sl = sizeof(suffix) - 1;

	if (!has_prefix(s, len, prefix))
		return NULL;
	s += pl;
	len -= pl;
	if (len == CONTAINER_ID_MAX + sl && !memcmp(s + CONTAINER_ID_MAX, suffix, sl))
		len = CONTAINER_ID_MAX;
	return is_hex64(s, len) ? s : NULL;
}

/* Systemd's "<slice>:<prefix>:<64 hex>" cgroup names (cgroup v1 with the
 * systemd driver, e.g. "kubepods-pod<uid>.slice:cri-containerd:<id>"). */
static const char *colon_id(const char *s, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *id;

	if (len < pl + CONTAINER_ID_MAX + 2)
		return NULL;
	id = s + len - CONTAINER_ID_MAX;
	if (id[-1] != ':' || memcmp(id - 1 - pl, prefix, pl) || id[-2 - (long)pl] != ':')
		return NULL;
	return is_hex64(id, CONTAINER_ID_MAX) ? id : NULL;
}

/*
 * The container id of one path component: comp (len bytes), its parent
 * component (plen bytes, parent NULL for the first), and whether a
 * component above starts with "kubepods".
 */
static const char *component_id(const char *comp, size_t len,
				const char *parent, size_t plen, bool kubepods,
				const char **runtime)
{
	static const struct {
		const char *prefix;
		const char *runtime;
	} scopes[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "libpod-", "podman" },	/* libpod-conmon-ID is no hex */
		{ "crio-", "cri-o" },		/* crio-conmon-ID neither */
	}, colons[] = {
		{ "cri-containerd", "containerd" },
		{ "crio", "cri-o" },
		{ "docker", "docker" },
	};
	const char *id;
	size_t i;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		id = scope_id(comp, len, scopes[i].prefix);
		if (id) {
			*runtime = scopes[i].runtime;
			return id;
		}
	}
	for (i = 0; i < sizeof(colons) / sizeof(colons[0]); i++) {
		id = colon_id(comp, len, colons[i].prefix);
		if (id) {
			*runtime = colons[i].runtime;
			return id;
		}
	}
	if (is_hex64(comp, len)) {
		/* cgroupfs drivers: /docker/ID, /kubepods/[QOS/]podUID/ID */
		if (parent && plen == 6 && !memcmp(parent, "docker", 6)) {
			*runtime = "docker";
			return comp;
		}
		if (kubepods) {
			*runtime = "containerd";
			return comp;
		}
	}
	return NULL;
}

/* cgroup__container_id() of a path that is len bytes, not a C string. */
static bool container_id_n(const char *path, size_t len,
			   char id[CONTAINER_ID_MAX + 1], const char **runtime)
{
	const char *p = path, *end = path + len, *parent = NULL;
	const char *found = NULL, *found_rt = NULL;
	size_t plen = 0;
	bool kubepods = false;

	while (p < end) {
		const char *slash, *rt = NULL, *cid;
		size_t clen;

		slash = memchr(p, '/', end - p);
		clen = (slash ? slash : end) - p;
		if (clen) {
			cid = component_id(p, clen, parent, plen, kubepods, &rt);
			if (cid) {
				found = cid;
				found_rt = rt;
			}
			if (has_prefix(p, clen, "kubepods"))
				kubepods = true;
			parent = p;
			plen = clen;
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	if (!found)
		return false;
	memcpy(id, found, CONTAINER_ID_MAX);
	id[CONTAINER_ID_MAX] = '\0';
	if (runtime)
		*runtime = found_rt;
	return true;
}

bool cgroup__container_id(const char *path, char id[CONTAINER_ID_MAX + 1],
			  const char **runtime)
{
	if (!path)
		return false;
	return container_id_n(path, strlen(path), id, runtime);
}

bool cgroup__container_id_from_file(const char *contents, size_t len,
				    char id[CONTAINER_ID_MAX + 1],
				    const char **runtime)
{
	const char *p = contents, *end;

	if (!contents)
		return false;
	end = contents + len;	/* not before the check: NULL + 0 is undefined */
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end, *c1, *c2;

		/* hierarchy-ID:controller-list:path, the path may hold ':' */
		c1 = memchr(p, ':', eol - p);
		c2 = c1 ? memchr(c1 + 1, ':', eol - c1 - 1) : NULL;
		if (c2 && container_id_n(c2 + 1, eol - c2 - 1, id, runtime))
			return true;
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}
/* ---- cgroup v2 ---------------------------------------------------------- */

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int cgroup__v2_mount(char *buf, size_t size)
{
	char *line = NULL, *fallback = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;
	int err = -ENOENT;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SRC SUPEROPTS */
	while (!found && getline(&line, &cap, f) > 0) {
		char *save = NULL, *tok, *root = NULL, *mnt = NULL;
		int field = 0;
		bool sep = false;

		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save), field++) {
			if (field == 3)
				root = tok;
			else if (field == 4)
				mnt = tok;
			else if (field > 5 && !sep && !strcmp(tok, "-"))
				sep = true;
			else if (sep)
				break;
		}
		if (!tok || strcmp(tok, "cgroup2") || !root || !mnt)
			continue;
		unescape_octal(mnt);
		if (!strcmp(root, "/")) {
			free(fallback);
			fallback = strdup(mnt);
			found = true;
		} else if (!fallback) {
			fallback = strdup(mnt);
		}
	}
	free(line);
	fclose(f);
	if (fallback) {
		err = strlen(fallback) < size ? 0 : -ENAMETOOLONG;
		if (!err)
			strcpy(buf, fallback);
		free(fallback);
	}
	return err;
}

/* 0 when path is a directory of a cgroup2 file system, else -errno. */
static int cgroup2_dir(const char *path, uint64_t *id)
{
	struct statfs sfs;
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOENT;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	return 0;
}

int cgroup__id_of_path(const char *path, uint64_t *id)
{
	char mnt[PATH_MAX], joined[PATH_MAX];
	int err;

	if (!path || !*path || !id)
		return -EINVAL;
	err = cgroup2_dir(path, id);
	if (!err || err == -ENOTDIR)
		return err;
	err = cgroup__v2_mount(mnt, sizeof(mnt));
	if (err)
		return err;
	while (*path == '/')
		path++;
	if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", mnt, path) >= sizeof(joined))
		return -ENAMETOOLONG;
	return cgroup2_dir(joined, id);
}

struct walk {
	const char *prefix;
	uint64_t *ids;
	size_t max, n;
};

/* Collect the matching directories below dfd (which walk() closes). */
static void walk(struct walk *w, int dfd, int depth)
{
	struct dirent *de;
	DIR *d;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while (w->n < w->max && (de = readdir(d))) {
		struct stat st;
		int sub;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (strstr(de->d_name, w->prefix)) {
			/* What runs below passes the BPF filter too. */
			w->ids[w->n++] = st.st_ino;
			continue;
		}
		if (depth + 1 >= CGROUP_WALK_DEPTH)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			walk(w, sub, depth + 1);
	}
	closedir(d);
}

int cgroup__ids_of_container(const char *id_prefix, uint64_t *ids, size_t max)
{
	char prefix[CONTAINER_ID_MAX + 1], mnt[PATH_MAX];
	struct walk w = { .prefix = prefix, .ids = ids, .max = max };
	size_t i, len;
	int err, dfd;

	if (!id_prefix || !ids)
		return -EINVAL;
	len = strnlen(id_prefix, CONTAINER_ID_MAX + 1);
	if (len < CONTAINER_PREFIX_MIN || len > CONTAINER_ID_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char ch = id_prefix[i];

		if (ch >= 'A' && ch <= 'F')
			ch += 'a' - 'A';
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return -EINVAL;
		prefix[i] = ch;
	}
	prefix[len] = '\0';
	if (!max)
		return -EINVAL;
	err = cgroup__v2_mount(mnt, sizeof(mnt));
	if (err)
		return err;
	dfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	walk(&w, dfd, 0);
	return w.n ? (int)w.n : -ENOENT;
}
