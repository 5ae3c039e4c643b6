// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process context, cached per process: from the exec records BPF writes
 * (proc_cache__put_exec), the start-up list of running processes
 * (proc_cache__put_task), or /proc when an event's process is in
 * neither (the container id and pod from cgroup.c's and pod.c's
 * parsers).
 *
 * Everything under /proc/PID is controlled by the traced process or by
 * whoever named its cgroups, and an exec record's strings by the
 * process: every read is bounded, no length read from there is trusted,
 * and the parsers take any bytes.
 *
 * The cache: a hash table of pids (chained, power-of-two buckets; one
 * entry per process, so a reused pid has two) and a doubly-linked list
 * in order of use, most recent first; beyond max_entries the least
 * recently used entry is freed (counted). An entry keeps its strings at
 * their real length (~200 bytes plus its paths and command lines, not
 * the 24 KB of a struct proc_info); the struct proc_info that
 * proc_cache__get() returns is the cache's one buffer, filled from the
 * entry when another process is asked for. The pointer is thus valid
 * until the next call on the cache.
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

/* The strings of an entry, in its data[], in this order. */
enum { S_EXE, S_CMDLINE, S_CWD, S_PEXE, S_PCMDLINE, S_COUNT };

struct proc_entry {
	struct proc_entry *hnext;		/* hash chain */
	struct proc_entry *prev, *next;		/* use order, most recent first */
	pid_t pid;
	uint64_t start_ns;
	bool gone;
	bool cmdline_truncated;
	bool parent_cmdline_truncated;
	bool exe_truncated, cwd_truncated;
	uint8_t source;
	const char *container_runtime;
	char container_id[CONTAINER_ID_MAX + 1];
	pid_t ppid;
	uint64_t parent_start_ns;
	uint32_t parent_exec_seq;
	uint32_t exec_seq;
	uint32_t len[S_COUNT];
	bool has_pod;				/* a struct pod_info follows */
	char data[];				/* the strings (no NULs added) */
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
	struct proc_counts counts;
	struct pod_cache *pods;
	int cg_mount_fd;		/* the cgroup2 mount (-1: not opened yet,
					 * -2: none) */
	void (*refill)(void *);
	void *refill_ctx;
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

/* The container id of /proc/PID/cgroup into c->info. */
/* The container id and pod of c->cgroup_buf's len bytes, /proc/PID/cgroup
 * lines, into c->info. */
static void parse_cgroup(struct proc_cache *c, size_t len)
{
	struct proc_info *pi = &c->info;

	if (!cgroup__container_id_from_file(c->cgroup_buf, len,
					    pi->container_id,
					    &pi->container_runtime)) {
		pi->container_id[0] = '\0';
		pi->container_runtime = NULL;
	}
	pod_cache__resolve(c->pods, c->cgroup_buf, len, pi->container_id,
			   &pi->pod);
}

static void cgroup_of(struct proc_cache *c, int dfd)
{
	bool more;
	ssize_t n;

	/* One byte past the limit, to tell whether the last line is whole. */
	n = read_bounded(dfd, "cgroup", c->cgroup_buf, sizeof(c->cgroup_buf), &more);
	if (n > 0) {
		size_t len = n;

		/* A cut last line could end in a prefix of a longer name. */
		if (len > CGROUP_FILE_MAX) {
			const char *nl = memrchr(c->cgroup_buf, '\n', len);

			len = nl ? (size_t)(nl - c->cgroup_buf) : 0;
		}
		parse_cgroup(c, len);
	}
}

/*
 * An exec record's cgroup, by its id: exact at the exec, and there when
 * the process is gone by the time the record is read (the cgroup
 * outlives it while the container runs). false when the id does not
 * resolve (no cgroup2 mount, no CAP_DAC_READ_SEARCH, a cgroup removed).
 */
static bool cgroup_of_id(struct proc_cache *c, uint64_t id)
{
	char mnt[PATH_MAX];
	size_t n;

	if (!id)
		return false;
	if (c->cg_mount_fd == -1) {
		c->cg_mount_fd = -2;	/* tried once */
		if (!cgroup__v2_mount(mnt, sizeof(mnt)))
			c->cg_mount_fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->cg_mount_fd < 0)
			c->cg_mount_fd = -2;
	}
	if (c->cg_mount_fd < 0)
		return false;
	/* as a line of /proc/PID/cgroup: "0::PATH\n" */
	memcpy(c->cgroup_buf, "0::", 3);
	if (cgroup__path_of_id(c->cg_mount_fd, id, c->cgroup_buf + 3,
			       sizeof(c->cgroup_buf) - 4))
		return false;
	n = strlen(c->cgroup_buf);
	c->cgroup_buf[n++] = '\n';
	parse_cgroup(c, n);
	return true;
}

/*
 * The start time (field 22, clock ticks of the boot clock: USER_HZ 100
 * on x86-64 and arm64) and the parent (field 4) of /proc/PID/stat,
 * parsed after the last ')' (comm may hold any byte). -1 when unknown.
 */
static int read_stat(int dfd, unsigned long long *ticks, pid_t *ppid)
{
	char buf[1024], *p;
	unsigned long long v;
	int field;
	ssize_t n;
	bool more;

	n = read_bounded(dfd, "stat", buf, sizeof(buf) - 1, &more);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	/* p is at field 2's end: " S ppid ..." */
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field == 4 || field == 22) {
			v = strtoull(p, NULL, 10);
			if (field == 4)
				*ppid = (pid_t)v;
			else
				*ticks = v;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

/* Ticks of /proc/PID/stat (kernel: nsec_to_clock_t(start_boottime)). */
#define NS_PER_TICK 10000000ULL

/* Fill c->info (zeroed by the caller) for pid from c->root. start_ns:
 * the process meant (0: any); another process now under pid is "gone". */
static void read_proc(struct proc_cache *c, pid_t pid, uint64_t start_ns)
{
	struct proc_info *pi = &c->info;
	unsigned long long ticks = 0;
	char path[PATH_MAX];
	pid_t ppid = 0;
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
	/* The pid may be another process's by now: then the one meant is
	 * gone (a tree without stat files, the tests', is not checked). */
	if (!read_stat(dfd, &ticks, &ppid)) {
		if (start_ns && ticks != start_ns / NS_PER_TICK) {
			pi->gone = true;
			close(dfd);
			return;
		}
		pi->ppid = ppid;
	}

	n = readlinkat(dfd, "exe", pi->exe, sizeof(pi->exe) - 1);
	pi->exe[n > 0 ? n : 0] = '\0';
	n = readlinkat(dfd, "cwd", pi->cwd, sizeof(pi->cwd) - 1);
	pi->cwd[n > 0 ? n : 0] = '\0';

	n = read_bounded(dfd, "cmdline", pi->cmdline, sizeof(pi->cmdline), &more);
	pi->cmdline_len = n > 0 ? n : 0;
	pi->cmdline_truncated = more;

	cgroup_of(c, dfd);
	close(dfd);
}

/* Exec records: the container of a live process. */
static void read_cgroup(struct proc_cache *c, pid_t pid)
{
	char path[PATH_MAX];
	int dfd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%d", c->root, (int)pid) >= sizeof(path))
		return;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	cgroup_of(c, dfd);
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
	c->pods = pod_cache__new(NULL);
	c->cg_mount_fd = -1;
	if (!c->buckets || !c->root || !c->pods) {
		pod_cache__free(c->pods);
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

/*
 * The hash chain link that points to (pid, start_ns)'s entry, or the
 * chain's end. start_ns 0: the first entry of pid, the one most recently
 * put (entries go in at the chain's head).
 */
static struct proc_entry **find_link(struct proc_cache *c, pid_t pid,
				     uint64_t start_ns)
{
	struct proc_entry **link = &c->buckets[bucket_of(c, pid)];

	while (*link && ((*link)->pid != pid ||
			 (start_ns && (*link)->start_ns != start_ns)))
		link = &(*link)->hnext;
	return link;
}

/* The link to e itself. */
static struct proc_entry **link_of(struct proc_cache *c,
				   const struct proc_entry *e)
{
	struct proc_entry **link = &c->buckets[bucket_of(c, e->pid)];

	while (*link && *link != e)
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
	pod_cache__free(c->pods);
	if (c->cg_mount_fd >= 0)
		close(c->cg_mount_fd);
	free(c);
}

/* An entry holding what c->info holds. */
static struct proc_entry *entry_of_info(const struct proc_info *pi)
{
	const char *str[S_COUNT] = { pi->exe, pi->cmdline, pi->cwd,
				     pi->parent_exe, pi->parent_cmdline };
	uint32_t len[S_COUNT] = {
		strnlen(pi->exe, sizeof(pi->exe) - 1), pi->cmdline_len,
		strnlen(pi->cwd, sizeof(pi->cwd) - 1),
		strnlen(pi->parent_exe, sizeof(pi->parent_exe) - 1),
		pi->parent_cmdline_len,
	};
	struct proc_entry *e;
	size_t total = 0, i;

	for (i = 0; i < S_COUNT; i++)
		total += len[i];
	e = malloc(sizeof(*e) + total + (pi->pod.uid[0] ? sizeof(pi->pod) : 0));
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->pid = pi->pid;
	e->start_ns = pi->start_ns;
	e->gone = pi->gone;
	e->source = pi->source;
	e->cmdline_truncated = pi->cmdline_truncated;
	e->parent_cmdline_truncated = pi->parent_cmdline_truncated;
	e->exe_truncated = pi->exe_truncated;
	e->cwd_truncated = pi->cwd_truncated;
	e->container_runtime = pi->container_runtime;
	memcpy(e->container_id, pi->container_id, sizeof(e->container_id));
	e->ppid = pi->ppid;
	e->parent_start_ns = pi->parent_start_ns;
	e->parent_exec_seq = pi->parent_exec_seq;
	e->exec_seq = pi->exec_seq;
	for (i = 0, total = 0; i < S_COUNT; i++) {
		e->len[i] = len[i];
		memcpy(e->data + total, str[i], len[i]);
		total += len[i];
	}
	e->has_pod = pi->pod.uid[0] != '\0';
	if (e->has_pod)
		memcpy(e->data + total, &pi->pod, sizeof(pi->pod));
	return e;
}

/* proc_info.gen: one sequence for every cache */
static uint64_t info_gen;

static void show(struct proc_cache *c, const struct proc_entry *e)
{
	struct proc_info *pi = &c->info;
	char *str[S_COUNT] = { pi->exe, pi->cmdline, pi->cwd, pi->parent_exe,
			       pi->parent_cmdline };
	size_t off = 0, i;

	if (c->shown == e)
		return;
	memset(pi, 0, sizeof(*pi));
	pi->gen = ++info_gen;
	pi->pid = e->pid;
	pi->start_ns = e->start_ns;
	pi->gone = e->gone;
	pi->source = e->source;
	for (i = 0; i < S_COUNT; i++) {
		memcpy(str[i], e->data + off, e->len[i]);
		off += e->len[i];
	}
	if (e->has_pod)
		memcpy(&pi->pod, e->data + off, sizeof(pi->pod));
	pi->cmdline_len = e->len[S_CMDLINE];
	pi->parent_cmdline_len = e->len[S_PCMDLINE];
	pi->cmdline_truncated = e->cmdline_truncated;
	pi->parent_cmdline_truncated = e->parent_cmdline_truncated;
	pi->exe_truncated = e->exe_truncated;
	pi->cwd_truncated = e->cwd_truncated;
	memcpy(pi->container_id, e->container_id, sizeof(pi->container_id));
	pi->container_runtime = e->container_runtime;
	pi->ppid = e->ppid;
	pi->parent_start_ns = e->parent_start_ns;
	pi->parent_exec_seq = e->parent_exec_seq;
	pi->exec_seq = e->exec_seq;
	c->shown = e;
}

/* Cache what c->info holds, replacing an entry of the same process. */
static void put_info(struct proc_cache *c)
{
	struct proc_entry **link, *e;

	c->info.gen = ++info_gen;
	link = find_link(c, c->info.pid, c->info.start_ns);
	if (*link)
		entry_remove(c, link);
	e = entry_of_info(&c->info);
	c->shown = NULL;
	if (!e)
		return;		/* not cached, but still an answer */
	while (c->n >= c->max && c->tail) {
		entry_remove(c, link_of(c, c->tail));
		c->counts.evicted++;
	}
	link = &c->buckets[bucket_of(c, e->pid)];
	e->hnext = *link;
	*link = e;
	lru_push_front(c, e);
	c->n++;
	c->shown = e;
}

/* The parent's exe and command line into pi, from its entry e. */
static void parent_from(struct proc_info *pi, const struct proc_entry *e)
{
	memcpy(pi->parent_exe, e->data, e->len[S_EXE]);
	memcpy(pi->parent_cmdline, e->data + e->len[S_EXE], e->len[S_CMDLINE]);
	pi->parent_cmdline_len = e->len[S_CMDLINE];
	pi->parent_cmdline_truncated = e->cmdline_truncated;
}

/* Read from /proc: a process that forked without exec (a multiprocessing
 * worker) or whose exec record was lost. Its parent, when the cache
 * knows it (exec record, start-up list), gives parent_exec_id and the
 * parent's exe and cmdline. */
static void known_parent(struct proc_cache *c)
{
	struct proc_info *pi = &c->info;
	struct proc_entry *e;

	if (pi->ppid <= 0)
		return;
	e = *find_link(c, pi->ppid, 0);
	if (!e || e->gone || e->source == PROC_SRC_READ)
		return;
	pi->parent_start_ns = e->start_ns;
	pi->parent_exec_seq = e->exec_seq;
	parent_from(pi, e);
}

const struct proc_info *proc_cache__get(struct proc_cache *c, pid_t pid,
					uint64_t start_ns)
{
	static const struct proc_info nothing = { .gone = true };
	struct proc_entry **link, *e;

	if (!c)
		return &nothing;
	link = find_link(c, pid, start_ns);
	if (!*link && c->refill) {
		c->refill(c->refill_ctx);	/* exec records waiting */
		link = find_link(c, pid, start_ns);
	}
	e = *link;
	if (e) {
		if (c->head != e) {
			lru_unlink(c, e);
			lru_push_front(c, e);
		}
		show(c, e);
		return &c->info;
	}
	c->shown = NULL;
	memset(&c->info, 0, sizeof(c->info));
	read_proc(c, pid, start_ns);
	c->info.pid = pid;
	c->info.start_ns = start_ns;
	c->info.source = PROC_SRC_READ;
	c->counts.read++;
	if (c->info.gone)
		c->counts.gone++;
	else
		known_parent(c);
	put_info(c);
	return &c->info;
}

/*
 * The parent's context into c->info's parent fields: from the cache, or
 * from /proc when /proc/PPID is still that process (its start ticks).
 */
static void fill_parent(struct proc_cache *c, pid_t ppid, uint64_t pstart)
{
	struct proc_info *pi = &c->info;
	struct proc_entry *e = *find_link(c, ppid, pstart);

	if (e && !e->gone) {
		parent_from(pi, e);
		return;
	}
	/* read_proc fills info: keep ours aside (on the heap: 16 KB) */
	struct proc_info *mine = malloc(sizeof(*mine));

	if (!mine)
		return;
	memcpy(mine, pi, sizeof(*mine));
	memset(pi, 0, sizeof(*pi));
	read_proc(c, ppid, pstart);
	if (!pi->gone) {
		memcpy(mine->parent_exe, pi->exe, sizeof(pi->exe));
		memcpy(mine->parent_cmdline, pi->cmdline, pi->cmdline_len);
		mine->parent_cmdline_len = pi->cmdline_len;
		mine->parent_cmdline_truncated = pi->cmdline_truncated;
	}
	memcpy(pi, mine, sizeof(*pi));
	free(mine);
}

/* Copy n bytes of a record's string into dst of size (NUL-terminated). */
static void rec_str(char *dst, size_t size, const char *src, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int proc_cache__put_exec(struct proc_cache *c, const void *rec, size_t size)
{
	struct proc_info *pi;
	struct pa_exec e;
	const char *p;

	if (!c || size < sizeof(e))
		return -EINVAL;
	memcpy(&e, rec, sizeof(e));
	/* From BPF, but checked like anything read: lengths within size */
	if (e.type != PA_REC_EXEC || e.exe_len >= PA_PATH_MAX ||
	    e.cwd_len >= PA_PATH_MAX || e.args_len > PA_EXEC_ARGS_MAX ||
	    sizeof(e) + e.exe_len + e.cwd_len + e.args_len > size)
		return -EINVAL;
	p = (const char *)rec + sizeof(e);
	pi = &c->info;
	c->shown = NULL;
	memset(pi, 0, sizeof(*pi));
	pi->pid = e.pid;
	pi->start_ns = e.start_ns;
	pi->source = PROC_SRC_EXEC;
	rec_str(pi->exe, sizeof(pi->exe), p, e.exe_len);
	rec_str(pi->cwd, sizeof(pi->cwd), p + e.exe_len, e.cwd_len);
	pi->cmdline_len = e.args_len < sizeof(pi->cmdline) ? e.args_len
							   : sizeof(pi->cmdline);
	memcpy(pi->cmdline, p + e.exe_len + e.cwd_len, pi->cmdline_len);
	pi->cmdline_truncated = (e.flags & PA_EXEC_ARGS_CUT) != 0;
	pi->exe_truncated = (e.flags & PA_EXEC_EXE_CUT) != 0;
	pi->cwd_truncated = (e.flags & PA_EXEC_CWD_CUT) != 0;
	pi->ppid = e.ppid;
	pi->parent_start_ns = e.parent_start_ns;
	pi->parent_exec_seq = e.parent_exec_seq;
	pi->exec_seq = e.exec_seq;
	/* The container: from the cgroup it executed in, or /proc */
	if (!cgroup_of_id(c, e.cgroup_id))
		read_cgroup(c, e.pid);
	fill_parent(c, e.ppid, e.parent_start_ns);
	c->counts.execs++;
	put_info(c);
	return 0;
}

void proc_cache__put_task(struct proc_cache *c, const struct pa_task *t)
{
	if (!c)
		return;
	c->shown = NULL;
	memset(&c->info, 0, sizeof(c->info));
	read_proc(c, t->pid, t->start_ns);
	if (c->info.gone)
		return;
	c->info.pid = t->pid;
	c->info.start_ns = t->start_ns;
	c->info.source = PROC_SRC_SCAN;
	c->info.ppid = t->ppid;
	c->info.parent_start_ns = t->parent_start_ns;
	c->info.parent_exec_seq = t->parent_exec_seq;
	c->info.exec_seq = t->exec_seq;
	fill_parent(c, t->ppid, t->parent_start_ns);
	c->counts.scanned++;
	put_info(c);
}

void proc_cache__set_refill(struct proc_cache *c, void (*fn)(void *), void *ctx)
{
	if (!c)
		return;
	c->refill = fn;
	c->refill_ctx = ctx;
}

void proc_cache__counts(const struct proc_cache *c, struct proc_counts *out)
{
	if (c)
		*out = c->counts;
	else
		memset(out, 0, sizeof(*out));
}

void proc_cache__drop(struct proc_cache *c, pid_t pid)
{
	struct proc_entry **link;

	if (!c)
		return;
	link = find_link(c, pid, 0);
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
