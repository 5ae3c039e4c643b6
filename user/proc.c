// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process context from /proc, cached per process (the container id comes
 * from cgroup.c's parser).
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
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "proc.h"

#define PROC_ROOT_DEFAULT	"/proc"
#define CGROUP_FILE_MAX		(64 * 1024)	/* bytes of /proc/PID/cgroup read */
#define HASH_BITS_MIN		4
#define HASH_BITS_MAX		20

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
