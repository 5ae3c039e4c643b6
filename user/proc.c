// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process context from /proc, cached per process, and cgroup helpers.
 *
 * Everything under /proc/PID is controlled by the traced process or by
 * whoever named its cgroups: every read is bounded, no length read from
 * there is trusted, and the parsers take any bytes.
 *
 * The cache: a hash table of pids (chained, power-of-two buckets) and a
 * doubly-linked list in order of use, most recent first; beyond
 * max_entries the least recently used entry is freed. An entry keeps
 * its strings at their real length (a process costs ~150 bytes plus its
 * exe path and command line, not the 8 KB of a struct proc_info); the
 * struct proc_info that proc_cache__get() returns is the cache's one
 * buffer, filled from the entry when another process is asked for. The
 * pointer is thus valid until the next call on the cache.
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

#include "proc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define PROC_ROOT_DEFAULT	"/proc"
#define CGROUP_FILE_MAX		(64 * 1024)	/* bytes of /proc/PID/cgroup read */
#define HASH_BITS_MIN		4
#define HASH_BITS_MAX		20
#define CGROUP_WALK_DEPTH	32
#define CONTAINER_PREFIX_MIN	12

struct proc_entry {
	struct proc_entry *hnext;		/* hash chain */
	struct proc_entry *prev, *next;		/* use order, most recent first */
	pid_t pid;
	uint64_t start_ns;
	bool gone;
	bool cmdline_truncated;
	const char *container_runtime;
	char container_id[CONTAINER_ID_MAX + 1];
	size_t exe_len;
	size_t cmdline_len;
	char data[];				/* exe, then cmdline (no NULs added) */
};

struct proc_cache {
	struct proc_entry **buckets;
	unsigned int hash_bits;
	struct proc_entry *head, *tail;
	size_t n, max;
	char *root;
	/* The entry whose context is in info (NULL: none, or info holds an
	 * uncached read). */
	const struct proc_entry *shown;
	struct proc_info info;
	char cgroup_buf[CGROUP_FILE_MAX + 1];
};

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

/* ---- reading /proc/PID -------------------------------------------------- */

/* Read up to size bytes of dirfd/name; *more tells whether there was
 * more. Returns the byte count, or -errno when the file would not open. */
static ssize_t read_bounded(int dirfd, const char *name, char *buf,
			    size_t size, bool *more)
{
	size_t got = 0;
	ssize_t n;
	char extra;
	int fd;

	*more = false;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	if (got == size) {
		do
			n = read(fd, &extra, 1);
		while (n < 0 && errno == EINTR);
		*more = n > 0;
	}
	close(fd);
	return got;
}

/* Fill c->info (zeroed by the caller) for pid from c->root. */
static void read_proc(struct proc_cache *c, pid_t pid)
{
	struct proc_info *pi = &c->info;
	char path[PATH_MAX];
	ssize_t n;
	bool more;
	int dfd;

	if (pid <= 0) {
		pi->gone = true;
		return;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%d", c->root, (int)pid) >= sizeof(path))
		return;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		pi->gone = errno == ENOENT || errno == ESRCH;
		return;
	}

	n = readlinkat(dfd, "exe", pi->exe, sizeof(pi->exe) - 1);
	pi->exe[n > 0 ? n : 0] = '\0';

	n = read_bounded(dfd, "cmdline", pi->cmdline, sizeof(pi->cmdline), &more);
	pi->cmdline_len = n > 0 ? n : 0;
	pi->cmdline_truncated = more;

	/* One byte past the limit, to tell whether the last line is whole. */
	n = read_bounded(dfd, "cgroup", c->cgroup_buf, sizeof(c->cgroup_buf), &more);
	if (n > 0) {
		size_t len = n;

		/* A cut last line could end in a prefix of a longer name. */
		if (len > CGROUP_FILE_MAX) {
			const char *nl = memrchr(c->cgroup_buf, '\n', len);

			len = nl ? (size_t)(nl - c->cgroup_buf) : 0;
		}
		if (!cgroup__container_id_from_file(c->cgroup_buf, len,
						    pi->container_id,
						    &pi->container_runtime)) {
			pi->container_id[0] = '\0';
			pi->container_runtime = NULL;
		}
	}
	close(dfd);
}

/* ---- the cache ---------------------------------------------------------- */

static size_t bucket_of(const struct proc_cache *c, pid_t pid)
{
	return ((uint32_t)pid * 0x9e3779b1u) >> (32 - c->hash_bits);
}

struct proc_cache *proc_cache__new(size_t max_entries)
{
	struct proc_cache *c;
	unsigned int bits = HASH_BITS_MIN;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (!max_entries)
		max_entries = 1;
	while (bits < HASH_BITS_MAX && ((size_t)1 << bits) < max_entries)
		bits++;
	c->hash_bits = bits;
	c->max = max_entries;
	c->buckets = calloc((size_t)1 << bits, sizeof(*c->buckets));
	c->root = strdup(PROC_ROOT_DEFAULT);
	if (!c->buckets || !c->root) {
		free(c->buckets);
		free(c->root);
		free(c);
		return NULL;
	}
	return c;
}

static void lru_unlink(struct proc_cache *c, struct proc_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_front(struct proc_cache *c, struct proc_entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	else
		c->tail = e;
	c->head = e;
}

/* The hash chain link that points to pid's entry (or the chain's end). */
static struct proc_entry **find_link(struct proc_cache *c, pid_t pid)
{
	struct proc_entry **link = &c->buckets[bucket_of(c, pid)];

	while (*link && (*link)->pid != pid)
		link = &(*link)->hnext;
	return link;
}

static void entry_remove(struct proc_cache *c, struct proc_entry **link)
{
	struct proc_entry *e = *link;

	*link = e->hnext;
	lru_unlink(c, e);
	if (c->shown == e)
		c->shown = NULL;
	c->n--;
	free(e);
}

void proc_cache__free(struct proc_cache *c)
{
	struct proc_entry *e, *next;

	if (!c)
		return;
	for (e = c->head; e; e = next) {
		next = e->next;
		free(e);
	}
	free(c->buckets);
	free(c->root);
	free(c);
}

/* An entry holding what c->info holds. */
static struct proc_entry *entry_of_info(const struct proc_info *pi)
{
	size_t exe_len = strnlen(pi->exe, sizeof(pi->exe) - 1);
	struct proc_entry *e;

	e = malloc(sizeof(*e) + exe_len + pi->cmdline_len);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->pid = pi->pid;
	e->start_ns = pi->start_ns;
	e->gone = pi->gone;
	e->cmdline_truncated = pi->cmdline_truncated;
	e->container_runtime = pi->container_runtime;
	memcpy(e->container_id, pi->container_id, sizeof(e->container_id));
	e->exe_len = exe_len;
	e->cmdline_len = pi->cmdline_len;
	memcpy(e->data, pi->exe, exe_len);
	memcpy(e->data + exe_len, pi->cmdline, pi->cmdline_len);
	return e;
}

static void show(struct proc_cache *c, const struct proc_entry *e)
{
	struct proc_info *pi = &c->info;

	if (c->shown == e)
		return;
	memset(pi, 0, sizeof(*pi));
	pi->pid = e->pid;
	pi->start_ns = e->start_ns;
	pi->gone = e->gone;
	memcpy(pi->exe, e->data, e->exe_len);
	pi->cmdline_len = e->cmdline_len;
	memcpy(pi->cmdline, e->data + e->exe_len, e->cmdline_len);
	pi->cmdline_truncated = e->cmdline_truncated;
	memcpy(pi->container_id, e->container_id, sizeof(pi->container_id));
	pi->container_runtime = e->container_runtime;
	c->shown = e;
}

const struct proc_info *proc_cache__get(struct proc_cache *c, pid_t pid,
					uint64_t start_ns)
{
	static const struct proc_info nothing = { .gone = true };
	struct proc_entry **link, *e;

	if (!c)
		return &nothing;
	link = find_link(c, pid);
	e = *link;
	/* start_ns 0: the caller does not know it, any entry of pid will do. */
	if (e && (e->start_ns == start_ns || !start_ns)) {
		if (c->head != e) {
			lru_unlink(c, e);
			lru_push_front(c, e);
		}
		show(c, e);
		return &c->info;
	}
	if (e)				/* the pid was reused */
		entry_remove(c, link);

	c->shown = NULL;
	memset(&c->info, 0, sizeof(c->info));
	read_proc(c, pid);
	c->info.pid = pid;
	c->info.start_ns = start_ns;

	e = entry_of_info(&c->info);
	if (!e)
		return &c->info;	/* not cached, but still an answer */
	while (c->n >= c->max && c->tail)
		entry_remove(c, find_link(c, c->tail->pid));
	link = &c->buckets[bucket_of(c, pid)];
	e->hnext = *link;
	*link = e;
	lru_push_front(c, e);
	c->n++;
	c->shown = e;
	return &c->info;
}

void proc_cache__drop(struct proc_cache *c, pid_t pid)
{
	struct proc_entry **link;

	if (!c)
		return;
	link = find_link(c, pid);
	if (*link)
		entry_remove(c, link);
}

void proc_cache__set_root(struct proc_cache *c, const char *proc_root)
{
	char *root;

	if (!c)
		return;
	root = strdup(proc_root ? proc_root : PROC_ROOT_DEFAULT);
	if (!root)
		return;
	free(c->root);
	c->root = root;
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
