// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Target discovery: the list of files that are Pythons worth probing,
 * filled from the install locations, the processes' maps (procmaps.c),
 * and what a command runs (exec.c) and links (ldso.c).
 *
 * Everything here reads /proc, directories and ELF headers only. Paths
 * come from hostile places (other users' home directories, containers'
 * /proc/PID/maps), so every string copy is bounded, every file is checked
 * to be a regular file before it is analysed, and a file seen through
 * /proc/PID/root must be the very inode the process maps.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "arch.h"
#include "discover.h"
#include "exec.h"
#include "fileset.h"
#include "ldso.h"
#include "log.h"
#include "path.h"
#include "procmaps.h"

struct scan {
	struct target_list *l;
	struct fileset *rejected;	/* the list's own set */
};

/*
 * Report a skipped file; err may already start with the path. Files that
 * are not Pythons we trace (not a Python, linking libpython dynamically,
 * older than 3.8) are only shown with -v; a Python that cannot be probed
 * (malformed file, no probe point, unreadable) is a warning: the user
 * expected it to be traced.
 */
static void report_skip(const char *path, const char *err, int ret)
{
	size_t n = strlen(path);
	bool quiet = ret == -ENOENT || ret == -ENOTSUP || ret == -EISDIR ||
		     ret == -ELOOP;
	void (*say)(const char *, ...) = quiet ? p_debug : p_warn;

	if (!strncmp(err, path, n) && err[n] == ':')
		say("skip %s", err);
	else
		say("skip %s: %s", path, err);
}

/*
 * Adding targets
 */

static int list_reserve(struct target_list *l)
{
	struct target *v;
	size_t cap;

	if (l->n < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 4;
	if (cap < l->cap || cap > SIZE_MAX / sizeof(*v))
		return -ENOMEM;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->cap = cap;
	return 0;
}

static bool list_has(const struct target_list *l, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].dev == dev && l->v[i].ino == ino)
			return true;
	return false;
}

/* A candidate file: where it is and who should own it. */
struct cand {
	const char *path;
	bool nofollow;		/* a user chooses the last component */
	uid_t owner;		/* the user of the process mapping it, or -1 */
};

/*
 * Open a candidate once: what is analysed is this descriptor, and attach.c
 * probes the same one (/proc/self/fd/N), so a file renamed over the path
 * after the analysis is never probed. O_NONBLOCK: a FIFO renamed over it
 * cannot block us (and is refused below). Returns the descriptor, or
 * -errno with err filled.
 */
static int open_cand(const struct cand *c, struct stat *st, char *err,
		     size_t errlen)
{
	int fd, ret;

	fd = open(c->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
		  (c->nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", ret == -ELOOP && c->nofollow ?
			 "a symlink in a directory a user controls" :
			 strerror(-ret));
		return ret;
	}
	if (fstat(fd, st)) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(-ret));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st->st_mode)) {
		/* never read FIFOs, devices or directories */
		close(fd);
		snprintf(err, errlen, "not a regular file");
		return S_ISDIR(st->st_mode) ? -EISDIR : -ENOEXEC;
	}
	return fd;
}

/* A file root did not install: fine to analyse (every read is checked),
 * but the user of -v should know whose file is probed. */
static void note_owner(const struct cand *c, const struct stat *st)
{
	bool foreign = st->st_uid != 0 && st->st_uid != c->owner;
	bool writable = st->st_mode & (S_IWGRP | S_IWOTH);

	if (foreign || writable)
		p_debug("%s: owned by uid %u%s, mode %04o: analysed as hostile",
			c->path, (unsigned)st->st_uid,
			c->owner != (uid_t)-1 && foreign ?
			" (not root, not the process's user)" : "",
			(unsigned)(st->st_mode & 07777));
}

/*
 * discover__add_path, with an optional set of files already rejected:
 * those give -EALREADY without being analysed (or reported) again, and
 * files rejected now are added to it.
 */
static int add_cand(struct target_list *l, struct fileset *rejected,
		    const struct cand *c, char *err, size_t errlen)
{
	struct file_state fs;
	char ebuf[256];
	struct target *t;
	struct stat st;
	int fd, ret;

	if (!err || !errlen) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	err[0] = '\0';
	if (!l || !c->path || !*c->path) {
		snprintf(err, errlen, "no path");
		return -EINVAL;
	}
	fd = open_cand(c, &st, err, errlen);
	if (fd < 0)
		return fd;
	ret = 0;
	if (list_has(l, st.st_dev, st.st_ino))
		goto out;
	file_state__from_stat(&st, &fs);
	if (rejected && fileset__has(rejected, &fs)) {
		snprintf(err, errlen, "already rejected");
		ret = -EALREADY;
		goto out;
	}
	ret = list_reserve(l);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	note_owner(c, &st);
	t = &l->v[l->n];
	memset(t, 0, sizeof(*t));
	ret = target__analyze_fd(fd, c->path, t, err, errlen);
	if (ret < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-ret));
		/* full: only later analyses repeated (counted) */
		if (rejected && fileset__add(rejected, &fs) == -ENOMEM)
			ret = -ENOMEM;
		goto out;
	}
	t->fd = fd;		/* attach.c closes it once attached */
	l->n++;
	/* traced, but on a version never seen: once per file, as added */
	if (t->warning[0])
		p_warn("%s", t->warning);
	return 1;
out:
	close(fd);
	return ret;
}

static int add_path(struct target_list *l, struct fileset *rejected,
		    const char *path, char *err, size_t errlen)
{
	struct cand c = { .path = path, .owner = (uid_t)-1 };

	return add_cand(l, rejected, &c, err, errlen);
}

int discover__add_path(struct target_list *l, const char *path,
		       char *err, size_t errlen)
{
	return add_path(l, NULL, path, err, errlen);
}

void target_list__free(struct target_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		rocopy__free(&l->v[i].ro);
		target__close(&l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	if (l->rejected) {
		fileset__free(l->rejected);
		free(l->rejected);
		l->rejected = NULL;
	}
}

/*
 * Names
 */

static bool skip_digits(const char **pp)
{
	const char *p = *pp;

	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	*pp = p;
	return true;
}

/*
 * python, python3, python3.12, python3.13t, python3.12d, python3.12-dbg,
 * libpython3.12.so, libpython3.12.so.1.0, libpython3.13t.so.1.0, ...
 * Old versions (2.7, 3.7m) match too: target__analyze rejects them with
 * a reason, which is more useful than silence. libpython3.so (the stable
 * ABI forwarder, no code of its own) does not.
 */
bool discover__is_python_name(const char *name)
{
	const char *p;

	if (!name)
		return false;
	if (!strncmp(name, "libpython", 9)) {
		p = name + 9;
		if (!skip_digits(&p) || *p++ != '.' || !skip_digits(&p))
			return false;
		p += strspn(p, "dmtu");		/* ABI flags */
		if (strncmp(p, ".so", 3))
			return false;
		p += 3;
		while (*p == '.') {		/* .so.1.0 */
			p++;
			if (!skip_digits(&p))
				return false;
		}
		return !*p;
	}
	if (strncmp(name, "python", 6))
		return false;
	p = name + 6;
	if (skip_digits(&p) && *p == '.') {
		p++;
		if (!skip_digits(&p))
			return false;
		p += strspn(p, "dmtu");
	}
	return !*p || !strcmp(p, "-dbg");
}

static bool is_libpython_name(const char *name)
{
	return !strncmp(name, "libpython", 9) && discover__is_python_name(name);
}

/*
 * Processes
 */

/* Record the outcome of one candidate of a process. A file whose name
 * does not look like a Python (first_err NULL) is one of the many files
 * processes run and map: why it is not traced is said with -vv only,
 * unless it is a CPython that cannot be traced. */
static int pid_add(struct scan *s, const char *path, uid_t uid, int *found,
		   int *first_err)
{
	struct cand c = { .path = path, .owner = uid };
	char err[256];
	int ret;

	ret = add_cand(s->l, s->rejected, &c, err, sizeof(err));
	if (ret >= 0) {
		(*found)++;
		return 0;
	}
	if (ret == -ENOMEM)
		return ret;
	/* a CPython that cannot be traced is said whatever its name */
	if (ret != -EALREADY &&
	    (first_err || log_verbose > 1 || ret == -EPROTONOSUPPORT))
		report_skip(path, err, ret);
	if (first_err && !*first_err)
		*first_err = ret;
	return 0;
}

/* One process's scan of its maps. */
struct pid_scan {
	struct scan *s;
	pid_t pid;
	uid_t uid;		/* the process's (effective) user */
	bool sameroot;
	/* a notice: only the mapping of this file (dev 0: any file) */
	dev_t dev;
	ino_t ino;
	bool seen;		/* that mapping was there */
	int found, first_err, err;
};

/*
 * One executable mapping: a candidate whatever its name, since a Python
 * renamed "app" or "libfoo.so" is still one (issue 12). Its content
 * decides: target__analyze rejects other files at their first section
 * headers and symbol lookup (tens of microseconds, once per file state:
 * the rejected set). Only names that look like a Python earn a warning
 * when they cannot be traced: the user expected those to be.
 */
static int scan_mapping(void *ctx, struct maps_entry *e)
{
	/* the name without " (deleted)" */
	char name[NAME_MAX + 1 + sizeof(PROCMAPS_DELETED)];
	char path[PATH_MAX + 64];
	struct pid_scan *ps = ctx;
	int ret;

	if (ps->ino && (e->inode != ps->ino ||
			makedev(e->dev_major, e->dev_minor) != ps->dev))
		return 0;
	ps->seen = true;
	if (list_has(ps->s->l, makedev(e->dev_major, e->dev_minor), e->inode)) {
		ps->found++;
		return 0;
	}
	snprintf(name, sizeof(name), "%s", path__base(e->path));
	if (path__ends_with(name, PROCMAPS_DELETED))
		name[strlen(name) - strlen(PROCMAPS_DELETED)] = '\0';
	ret = procmaps__reach(ps->pid, ps->sameroot, e, path, sizeof(path));
	if (ret == -ENOENT && !ps->first_err)
		ps->first_err = ret;
	if (ret)
		return 0;
	ps->err = pid_add(ps->s, path, ps->uid, &ps->found,
			  discover__is_python_name(name) ? &ps->first_err : NULL);
	return ps->err;
}

/* What the process executes, through /proc/PID/exe when its path is
 * not the same file any more (deleted, a memfd, renamed, another mount
 * namespace): the file a notice of its exec was about. */
static int pid_add_exe(struct scan *s, pid_t pid, uid_t uid, bool sameroot,
		       int *found)
{
	char link[PATH_MAX], path[PATH_MAX + 64], exe[64];
	struct stat st_exe, st;
	ssize_t n;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	if (stat(exe, &st_exe))
		return -ESRCH;		/* gone (or a zombie): not seen */
	if (!S_ISREG(st_exe.st_mode))
		return 0;
	if (list_has(s->l, st_exe.st_dev, st_exe.st_ino)) {
		(*found)++;
		return 0;
	}
	n = readlink(exe, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (link[0] != '/' || path__ends_with(link, PROCMAPS_DELETED) ||
	    (sameroot ? path__fmt(path, sizeof(path), "%s", link) :
			path__fmt(path, sizeof(path), "/proc/%d/root%s",
				  (int)pid, link)) ||
	    stat(path, &st) || st.st_dev != st_exe.st_dev ||
	    st.st_ino != st_exe.st_ino)
		snprintf(path, sizeof(path), "%s", exe);
	/* most executables are not Pythons: no error of ours to report */
	return pid_add(s, path, uid, found, NULL);
}

static void pid_scan_init(struct pid_scan *ps, struct scan *s, pid_t pid)
{
	char dir[32];
	struct stat st;

	memset(ps, 0, sizeof(*ps));
	ps->s = s;
	ps->pid = pid;
	ps->uid = (uid_t)-1;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	if (!stat(dir, &st))
		ps->uid = st.st_uid;
	ps->sameroot = procmaps__same_root(pid);
}

/* scan_mapping over ps's process: 0, or the first error (ours before
 * the maps reader's). */
static int walk_maps(struct pid_scan *ps)
{
	int ret = procmaps__each_code(ps->pid, scan_mapping, ps);

	return ps->err ? ps->err : ret < 0 ? ret : 0;
}

/* Returns the number of Python targets pid maps (added now or before),
 * or a negative errno: -ESRCH no such process, -ENOENT no Python. */
static int scan_pid(struct scan *s, pid_t pid)
{
	struct pid_scan ps;
	int ret;

	if (pid <= 0)
		return -ESRCH;
	pid_scan_init(&ps, s, pid);
	ret = walk_maps(&ps);
	if (ret < 0)
		return ret;
	if (ps.found)
		return ps.found;
	return ps.first_err && ps.first_err != -EALREADY ? ps.first_err : -ENOENT;
}

/* The list's rejected set, created on first use (NULL without memory:
 * then nothing is remembered, which only costs repeated analyses). */
static struct fileset *list_rejected(struct target_list *l)
{
	if (!l->rejected)
		l->rejected = calloc(1, sizeof(*l->rejected));
	return l->rejected;
}

int discover__pid(struct target_list *l, pid_t pid)
{
	struct scan s = { .l = l };

	if (!l)
		return -EINVAL;
	s.rejected = list_rejected(l);
	return scan_pid(&s, pid);
}

int discover__notice(struct target_list *l, pid_t pid, dev_t dev, ino_t ino,
		     bool exec)
{
	struct scan s = { .l = l };
	struct pid_scan ps;
	int ret;

	if (!l || pid <= 0)
		return -EINVAL;
	s.rejected = list_rejected(l);
	pid_scan_init(&ps, &s, pid);
	/* At sched_process_exec, /proc/PID/exe is the file executed. */
	if (exec) {
		ret = pid_add_exe(&s, pid, ps.uid, ps.sameroot, &ps.found);
		if (ret < 0)
			return ret;
		return ps.found ? 1 : 0;
	}
	ps.dev = dev;
	ps.ino = ino;
	ret = walk_maps(&ps);
	if (ret < 0)
		return ret;
	if (ps.found)
		return 1;
	return ps.seen ? 0 : -EAGAIN;
}

/*
 * System-wide
 */

enum dir_kind {
	DIR_BIN,	/* python executables */
	DIR_LIB,	/* libpython */
};

/* Can a user other than root put a file in dir (a name of their choice)? */
static bool user_dir(DIR *d)
{
	struct stat st;

	if (fstat(dirfd(d), &st))
		return true;
	/* sticky or not: a user may create a name of their own there */
	return st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH));
}

static int scan_dir(struct scan *s, const char *dir, enum dir_kind kind)
{
	char path[PATH_MAX], err[256];
	struct cand c = { .path = path, .owner = (uid_t)-1 };
	struct dirent *de;
	int pass, ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	/* A user's symlink would name any file: their real files only. */
	c.nofollow = user_dir(d);
	/*
	 * Real files first, symlinks second: the dedup keeps the first
	 * name, and "python3.12" reads better than "python3", as does
	 * "libpython3.12.so.1.0" than "libpython3.12.so".
	 */
	for (pass = 0; pass < 2 && !ret; pass++) {
		rewinddir(d);
		while ((de = readdir(d))) {
			const char *name = de->d_name;
			struct stat st;
			bool link;

			if (!discover__is_python_name(name) ||
			    (kind == DIR_LIB) != is_libpython_name(name))
				continue;
			if (path__fmt(path, sizeof(path), "%s/%s", dir, name))
				continue;
			if (de->d_type == DT_UNKNOWN) {
				if (lstat(path, &st))
					continue;
				link = S_ISLNK(st.st_mode);
			} else {
				link = de->d_type == DT_LNK;
			}
			if (link != (pass == 1) || (link && c.nofollow))
				continue;
			ret = add_cand(s->l, s->rejected, &c, err, sizeof(err));
			if (ret == -ENOMEM)
				break;
			if (ret < 0 && ret != -EALREADY)
				report_skip(path, err, ret);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

static int scan_glob(struct scan *s, const char *pattern, enum dir_kind kind)
{
	glob_t g;
	size_t i;
	int ret = 0;

	if (glob(pattern, GLOB_ONLYDIR, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !ret; i++)
		ret = scan_dir(s, g.gl_pathv[i], kind);
	globfree(&g);
	return ret;
}

static int scan_procs(struct scan *s)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d) {
		p_warn("cannot read /proc: %s", strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (errno || *end || pid <= 0 || pid > INT_MAX)
			continue;
		ret = scan_pid(s, (pid_t)pid);
		if (ret == -ENOMEM)
			break;
		ret = 0;	/* gone, no Python, no access: next */
	}
	closedir(d);
	return ret;
}

int discover__processes(struct target_list *l)
{
	struct scan s = { .l = l };

	if (!l)
		return -EINVAL;
	s.rejected = list_rejected(l);
	return scan_procs(&s);
}

int discover__system(struct target_list *l)
{
	static const char *const bin_dirs[] = {
		"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin",
	};
	static const char *const lib_dirs[] = {
		"/usr/lib", "/usr/lib64", "/usr/local/lib",
		"/usr/lib/" PA_MULTIARCH, "/lib/" PA_MULTIARCH,
	};
	static const char *const bin_globs[] = {
		"/opt/*/bin",
		/* pyenv builds without --enable-shared are static */
		"/root/.pyenv/versions/*/bin",
		"/home/*/.pyenv/versions/*/bin",
	};
	static const char *const lib_globs[] = {
		"/opt/*/lib",
		"/root/.pyenv/versions/*/lib",
		"/home/*/.pyenv/versions/*/lib",
	};
	struct scan s = { .l = l };
	size_t i;
	int ret = 0;

	if (!l)
		return -EINVAL;
	s.rejected = list_rejected(l);
	/*
	 * Install locations first: a Python both installed and running
	 * keeps its stable name rather than a /proc/PID/root/ one.
	 */
	for (i = 0; i < sizeof(bin_dirs) / sizeof(bin_dirs[0]) && !ret; i++)
		ret = scan_dir(&s, bin_dirs[i], DIR_BIN);
	for (i = 0; i < sizeof(lib_dirs) / sizeof(lib_dirs[0]) && !ret; i++)
		ret = scan_dir(&s, lib_dirs[i], DIR_LIB);
	for (i = 0; i < sizeof(bin_globs) / sizeof(bin_globs[0]) && !ret; i++)
		ret = scan_glob(&s, bin_globs[i], DIR_BIN);
	for (i = 0; i < sizeof(lib_globs) / sizeof(lib_globs[0]) && !ret; i++)
		ret = scan_glob(&s, lib_globs[i], DIR_LIB);
	if (!ret)
		ret = scan_procs(&s);
	if (ret)
		return ret;
	return l->n > INT_MAX ? INT_MAX : (int)l->n;
}

/*
 * Commands
 */

struct libs {
	struct target_list *l;
	int depth;
	bool refused;		/* a CPython found cannot be traced */
};

static int add_libs(struct target_list *l, const char *path, int depth);

/* Add one DT_NEEDED libpython found. */
static int add_found(void *ctx, const char *path)
{
	struct libs *lb = ctx;
	char err[256];
	int ret;

	ret = discover__add_path(lb->l, path, err, sizeof(err));
	if (ret >= 0 || ret == -ENOMEM)
		return ret;
	report_skip(path, err, ret);
	lb->refused |= ret == -EPROTONOSUPPORT;
	/* libpython3.so forwards to libpython3.X.so: look there */
	if (ret == -ENOENT && lb->depth < 1)
		return add_libs(lb->l, path, lb->depth + 1);
	return 0;
}

/* Add the libpython that the ELF file path links. Returns the number
 * added, -ENOMEM, or -EPROTONOSUPPORT when none was and one found cannot
 * be traced. */
static int add_libs(struct target_list *l, const char *path, int depth)
{
	struct libs lb = { .l = l, .depth = depth };
	int ret = ldso__each_needed(path, "libpython", add_found, &lb);

	return !ret && lb.refused ? -EPROTONOSUPPORT : ret;
}

int discover__command(struct target_list *l, const char *argv0)
{
	char path[PATH_MAX], err[256];
	int ret, added = 0;
	bool refused;

	if (!l || !argv0)
		return -EINVAL;
	ret = exec__resolve(argv0, path, sizeof(path));
	if (ret)
		return ret;
	ret = discover__add_path(l, path, err, sizeof(err));
	if (ret < 0 && ret != -ENOMEM)
		report_skip(path, err, ret);
	else if (ret == -ENOMEM)
		return ret;
	refused = ret == -EPROTONOSUPPORT;
	added += ret > 0;
	ret = add_libs(l, path, 0);
	if (ret == -EPROTONOSUPPORT && added)
		ret = 0;
	if (ret < 0)
		return ret;
	return added + ret ? added + ret : refused ? -EPROTONOSUPPORT : 0;
}
