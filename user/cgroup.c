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

/*
 * The container id of a path that is len bytes, not a C string: a
 * pointer to its 64 hex digits in path (those of the last component
 * that names a container), or NULL.
 */
static const char *path_id(const char *path, size_t len, const char **runtime)
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
	if (found && runtime)
		*runtime = found_rt;
	return found;
}

/* cgroup__container_id() of a path that is len bytes, not a C string. */
static bool container_id_n(const char *path, size_t len,
			   char id[CONTAINER_ID_MAX + 1], const char **runtime)
{
	const char *found = path_id(path, len, runtime);

	if (!found)
		return false;
	memcpy(id, found, CONTAINER_ID_MAX);
	id[CONTAINER_ID_MAX] = '\0';
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

/* include/linux/exportfs.h: a kernfs node's handle is its 64-bit id */
#define FILEID_KERNFS_ 0xfe

int cgroup__path_of_id(int mount_fd, uint64_t id, char *buf, size_t size)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t),
			.handle_type = FILEID_KERNFS_ } };
	char self[64], mnt[PATH_MAX];
	ssize_t n, m;
	int fd;

	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(mount_fd, &h.fh, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, buf, size - 1);
	close(fd);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", mount_fd);
	m = readlink(self, mnt, sizeof(mnt) - 1);
	if (n <= 0 || m <= 0)
		return -EIO;
	buf[n] = '\0';
	/* below the mount: drop its path (the mount's own cgroup is "/") */
	if (n < m || memcmp(buf, mnt, m) || (buf[m] != '/' && buf[m] != '\0'))
		return -EXDEV;
	memmove(buf, buf + m, n - m + 1);
	if (!buf[0])
		strcpy(buf, "/");
	return 0;
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

/*
 * The --container walk. A directory matches when its own name is a
 * container component (path_id(), the same parser as the output's
 * container column) whose id starts with the prefix: a name merely
 * holding the hex digits ("evil<id>x", "<12 hex>") never does. Nothing
 * below a match is searched (it passes the BPF filter through its
 * ancestor). There is no cap on matches: the caller decides.
 */
struct walk {
	const char *prefix;
	size_t plen;
	struct cgroup_matches *m;
	char path[PATH_MAX];	/* below the mount, "/a/b" ("" at the top) */
	int err;
};

static int add_match(struct walk *w, const struct stat *st, const char *id,
		     const char *runtime, uid_t deleg, int depth)
{
	struct cgroup_match *cm;

	if (w->m->n == w->m->cap) {
		size_t cap = w->m->cap ? 2 * w->m->cap : 8;
		void *v = realloc(w->m->v, cap * sizeof(*cm));

		if (!v)
			return -ENOMEM;
		w->m->v = v;
		w->m->cap = cap;
	}
	cm = &w->m->v[w->m->n];
	memset(cm, 0, sizeof(*cm));
	cm->path = strdup(w->path);
	if (!cm->path)
		return -ENOMEM;
	cm->id = st->st_ino;
	memcpy(cm->cid, id, CONTAINER_ID_MAX);
	cm->runtime = runtime;
	cm->deleg_uid = deleg;
	cm->depth = depth;
	w->m->n++;
	return 0;
}

/*
 * Collect the matches below dfd (which walk() closes), at depth (the
 * mount is 0). deleg is the owner of the highest directory above that
 * root does not own (0: none): systemd chowns a delegated cgroup (e.g.
 * user@UID.service) to its user, who may then mkdir any name below it.
 */
static void walk(struct walk *w, int dfd, int depth, uid_t deleg)
{
	size_t base = strlen(w->path);
	struct dirent *de;
	DIR *d;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while (!w->err && (de = readdir(d))) {
		const char *id, *rt = NULL;
		uid_t owner;
		struct stat st;
		size_t nlen;
		int sub;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		nlen = strlen(de->d_name);
		if (base + 1 + nlen >= sizeof(w->path)) {
			w->m->skipped++;
			continue;
		}
		w->path[base] = '/';
		memcpy(w->path + base + 1, de->d_name, nlen + 1);
		owner = deleg ? deleg : st.st_uid;
		id = path_id(w->path, base + 1 + nlen, &rt);
		if (id && id > w->path + base &&
		    !memcmp(id, w->prefix, w->plen)) {
			w->err = add_match(w, &st, id, rt, owner, depth + 1);
		} else if (depth + 1 >= CGROUP_WALK_DEPTH) {
			w->m->skipped++;
		} else {
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk(w, sub, depth + 1, owner);
		}
		w->path[base] = '\0';
	}
	closedir(d);
}

int cgroup__find_container(const char *id_prefix, const char *root,
			   struct cgroup_matches *m)
{
	char prefix[CONTAINER_ID_MAX + 1], mnt[PATH_MAX];
	struct walk *w;
	size_t i, len;
	int err, dfd;

	if (!m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (!id_prefix)
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
	if (!root) {
		err = cgroup__v2_mount(mnt, sizeof(mnt));
		if (err)
			return err;
		root = mnt;
	}
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	w = calloc(1, sizeof(*w));
	if (!w) {
		close(dfd);
		return -ENOMEM;
	}
	w->prefix = prefix;
	w->plen = len;
	w->m = m;
	walk(w, dfd, 0, 0);
	err = w->err;
	free(w);
	if (err)
		cgroup__matches_free(m);
	return err;
}

int cgroup__pick_container(struct cgroup_matches *m)
{
	bool rooted = false;
	const char *first = NULL;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!m->v[i].deleg_uid)
			rooted = true;
	/* all marked before any -EEXIST: the caller lists the kept ones */
	for (i = 0; i < m->n; i++)
		m->v[i].ignored = rooted && m->v[i].deleg_uid;
	for (i = 0; i < m->n; i++) {
		struct cgroup_match *cm = &m->v[i];

		if (cm->ignored)
			continue;
		if (!first)
			first = cm->cid;
		else if (strcmp(first, cm->cid))
			return -EEXIST;
	}
	return m->n ? 0 : -ENOENT;
}

void cgroup__matches_free(struct cgroup_matches *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
