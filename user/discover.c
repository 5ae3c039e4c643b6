// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Target discovery: which files are Pythons worth probing.
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
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discover.h"
#include "elf.h"
#include "log.h"

#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"
#define DELETED_SUFFIX	" (deleted)"
#define MAPS_LINE_MAX	(PATH_MAX + 256)
#define SHEBANG_MAX	256	/* BINPRM_BUF_SIZE */
#define SHEBANG_DEPTH	4
#define NEEDED_MAX	128
#define LDCONF_DEPTH	3

/* File identities already rejected, so that a file mapped by hundreds of
 * processes is analysed (and reported) once. */
struct fid {
	dev_t dev;
	ino_t ino;
};

struct idset {
	struct fid *v;
	size_t n, cap;
};

/* The public name of the rejected set kept in a target_list. */
struct discover_idset {
	struct idset set;
};

struct scan {
	struct target_list *l;
	struct idset *rejected;		/* the list's own set */
};

/* A growable list of unique strings. */
struct strv {
	char **v;
	size_t n, cap;
};

static bool idset_has(const struct idset *s, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].dev == dev && s->v[i].ino == ino)
			return true;
	return false;
}

static int idset_add(struct idset *s, dev_t dev, ino_t ino)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct fid *v;

		if (cap < s->cap || cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].dev = dev;
	s->v[s->n].ino = ino;
	s->n++;
	return 0;
}

static void idset_free(struct idset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int strv_add(struct strv *s, const char *str)
{
	size_t i;
	char *dup;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v;

		if (cap < s->cap || cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	dup = strdup(str);
	if (!dup)
		return -ENOMEM;
	s->v[s->n++] = dup;
	return 0;
}

static void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* snprintf that reports truncation as -ENAMETOOLONG. */
static int __attribute__((format(printf, 3, 4)))
path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

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
	bool quiet = ret == -ENOENT || ret == -ENOTSUP || ret == -EISDIR;
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

/*
 * discover__add_path, with an optional set of files already rejected:
 * those give -EALREADY without being analysed (or reported) again, and
 * files rejected now are added to it.
 */
static int add_path(struct target_list *l, struct idset *rejected,
		    const char *path, char *err, size_t errlen)
{
	char ebuf[256];
	struct target *t;
	struct stat st;
	int ret;

	if (!err || !errlen) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	err[0] = '\0';
	if (!l || !path || !*path) {
		snprintf(err, errlen, "no path");
		return -EINVAL;
	}
	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		/* never open FIFOs, devices or directories */
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
		snprintf(err, errlen, "not a regular file");
		return ret;
	}
	if (list_has(l, st.st_dev, st.st_ino))
		return 0;
	if (rejected && idset_has(rejected, st.st_dev, st.st_ino)) {
		snprintf(err, errlen, "already rejected");
		return -EALREADY;
	}
	ret = list_reserve(l);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	t = &l->v[l->n];
	memset(t, 0, sizeof(*t));
	ret = target__analyze(path, t, err, errlen);
	if (ret < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-ret));
		if (rejected && idset_add(rejected, st.st_dev, st.st_ino))
			return -ENOMEM;
		return ret;
	}
	if (!t->path[0])
		snprintf(t->path, sizeof(t->path), "%s", path);
	if (!t->dev && !t->ino) {
		t->dev = st.st_dev;
		t->ino = st.st_ino;
	} else if (list_has(l, t->dev, t->ino)) {
		/* replaced under us by a file we already have */
		return 0;
	}
	l->n++;
	return 1;
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
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	if (l->rejected) {
		idset_free(&l->rejected->set);
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
 * /proc/PID/maps
 */

/* A number of at most maxdigits digits, nothing else: strtoul alone would
 * also take leading blanks, a sign and a 0x prefix. */
static int parse_num(char **pp, unsigned long *out, int base, size_t maxdigits)
{
	char *p = *pp, *end;
	unsigned long v;
	size_t n = 0;

	while (base == 16 ? isxdigit((unsigned char)p[n]) :
			    isdigit((unsigned char)p[n]))
		n++;
	if (!n || n > maxdigits)
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, base);
	if (errno || end != p + n)
		return -EINVAL;
	*out = v;
	*pp = end;
	return 0;
}

/* 7f0000000000-7f0000001000 r-xp 00001000 fe:01 1234     /usr/lib/x.so */
int procmaps__parse_line(char *line, struct maps_entry *e)
{
	unsigned long major, minor;
	char *p = line;
	size_t n;

	if (!line || !e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';

	if (parse_num(&p, &e->start, 16, 16) || *p++ != '-')
		return -EINVAL;
	if (parse_num(&p, &e->end, 16, 16) || *p++ != ' ')
		return -EINVAL;
	if (e->end < e->start)
		return -EINVAL;
	if (!p[0] || !strchr("r-", p[0]) || !p[1] || !strchr("w-", p[1]) ||
	    !p[2] || !strchr("x-", p[2]) || !p[3] || !strchr("ps", p[3]) ||
	    p[4] != ' ')
		return -EINVAL;
	memcpy(e->perms, p, 4);
	e->perms[4] = '\0';
	p += 5;
	if (parse_num(&p, &e->offset, 16, 16) || *p++ != ' ')
		return -EINVAL;
	if (parse_num(&p, &major, 16, 8) || *p++ != ':' || major > UINT_MAX)
		return -EINVAL;
	if (parse_num(&p, &minor, 16, 8) || *p++ != ' ' || minor > UINT_MAX)
		return -EINVAL;
	e->dev_major = major;
	e->dev_minor = minor;
	if (parse_num(&p, &e->inode, 10, 20))
		return -EINVAL;
	if (*p && *p != ' ')
		return -EINVAL;
	/* the kernel pads with spaces up to the name column */
	while (*p == ' ')
		p++;
	e->path = p;
	return 0;
}

/*
 * Processes
 */

/* Does pid see the file system as we do? Then its paths are ours, and
 * stay valid after it exits. */
static bool same_root(pid_t pid)
{
	char a[64], b[64], p[64];
	struct stat sa, sb;
	ssize_t na, nb;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	na = readlink(p, a, sizeof(a) - 1);
	nb = readlink("/proc/self/ns/mnt", b, sizeof(b) - 1);
	if (na <= 0 || nb <= 0 || na != nb || memcmp(a, b, na))
		return false;
	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	if (stat(p, &sa) || stat("/", &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Record the outcome of one candidate of a process. */
static int pid_add(struct scan *s, const char *path, int *found, int *first_err)
{
	char err[256];
	int ret;

	ret = add_path(s->l, s->rejected, path, err, sizeof(err));
	if (ret >= 0) {
		(*found)++;
		return 0;
	}
	if (ret == -ENOMEM)
		return ret;
	if (ret != -EALREADY)
		report_skip(path, err, ret);
	if (!*first_err)
		*first_err = ret;
	return 0;
}

/* One executable mapping of a python-named file. */
static int pid_add_mapping(struct scan *s, pid_t pid, bool sameroot,
			   struct maps_entry *e, int *found, int *first_err)
{
	char path[PATH_MAX + 64];
	struct stat st;
	char *mpath = (char *)e->path;

	if (ends_with(mpath, DELETED_SUFFIX)) {
		mpath[strlen(mpath) - strlen(DELETED_SUFFIX)] = '\0';
		p_debug("skip %s (pid %d): deleted", mpath, (int)pid);
		if (!*first_err)
			*first_err = -ENOENT;
		return 0;
	}
	if (sameroot) {
		if (path_fmt(path, sizeof(path), "%s", mpath))
			return 0;
	} else if (path_fmt(path, sizeof(path), "/proc/%d/root%s", (int)pid,
			    mpath)) {
		return 0;
	}
	/*
	 * The name is only what the process mapped back then: the file may
	 * have been replaced since, or the path may go through symlinks
	 * planted in the container. Insist on the mapped inode, else take
	 * the mapping itself.
	 */
	if (stat(path, &st) || st.st_ino != e->inode) {
		snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx",
			 (int)pid, e->start, e->end);
		if (stat(path, &st)) {
			p_debug("skip %s (pid %d): not reachable", mpath,
				(int)pid);
			return 0;
		}
	}
	return pid_add(s, path, found, first_err);
}

/* A python binary under another name ("myapp"). */
static int pid_add_exe(struct scan *s, pid_t pid, bool sameroot,
		       int *found)
{
	char link[PATH_MAX], path[PATH_MAX + 64], exe[64];
	struct stat st_exe, st;
	int unused = 0;
	ssize_t n;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	if (stat(exe, &st_exe) || !S_ISREG(st_exe.st_mode))
		return 0;		/* kernel thread, zombie, gone */
	if (list_has(s->l, st_exe.st_dev, st_exe.st_ino)) {
		(*found)++;
		return 0;
	}
	if (s->rejected && idset_has(s->rejected, st_exe.st_dev, st_exe.st_ino))
		return 0;
	n = readlink(exe, link, sizeof(link) - 1);
	if (n <= 0 || link[0] != '/')
		return 0;
	link[n] = '\0';
	if (ends_with(link, DELETED_SUFFIX))
		return 0;
	if (sameroot ? path_fmt(path, sizeof(path), "%s", link) :
		       path_fmt(path, sizeof(path), "/proc/%d/root%s",
				(int)pid, link))
		return 0;
	if (stat(path, &st) || st.st_dev != st_exe.st_dev ||
	    st.st_ino != st_exe.st_ino)
		snprintf(path, sizeof(path), "%s", exe);
	/* most executables are not Pythons: no error of ours to report */
	return pid_add(s, path, found, &unused);
}

/* Skip the rest of a line too long for the buffer. */
static void drain_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

/* Returns the number of Python targets pid maps (added now or before),
 * or a negative errno: -ESRCH no such process, -ENOENT no Python. */
static int scan_pid(struct scan *s, pid_t pid)
{
	char mpath[64], *line;
	int found = 0, first_err = 0, ret = 0;
	bool saw_python = false, sameroot;
	struct maps_entry e;
	FILE *f;

	if (pid <= 0)
		return -ESRCH;
	snprintf(mpath, sizeof(mpath), "/proc/%d/maps", (int)pid);
	f = fopen(mpath, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	line = malloc(MAPS_LINE_MAX);
	if (!line) {
		fclose(f);
		return -ENOMEM;
	}
	sameroot = same_root(pid);
	while (fgets(line, MAPS_LINE_MAX, f)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n') {
			line[n - 1] = '\0';
		} else if (!feof(f)) {
			drain_line(f);
			continue;
		}
		if (procmaps__parse_line(line, &e) || !strchr(e.perms, 'x') ||
		    e.path[0] != '/')
			continue;
		{
			/* the name without " (deleted)" */
			char name[NAME_MAX + 1 + sizeof(DELETED_SUFFIX)];

			snprintf(name, sizeof(name), "%s", base_name(e.path));
			if (ends_with(name, DELETED_SUFFIX))
				name[strlen(name) - strlen(DELETED_SUFFIX)] = '\0';
			if (!discover__is_python_name(name))
				continue;
		}
		saw_python = true;
		ret = pid_add_mapping(s, pid, sameroot, &e, &found, &first_err);
		if (ret)
			goto out;
	}
	if (ferror(f) && !saw_python) {
		/* the process went away while we read */
		ret = errno == ESRCH || errno == ENOENT ? -ESRCH : -EIO;
		goto out;
	}
	if (!saw_python) {
		ret = pid_add_exe(s, pid, sameroot, &found);
		if (ret)
			goto out;
	}
	if (found)
		ret = found;
	else
		ret = first_err && first_err != -EALREADY ? first_err : -ENOENT;
out:
	free(line);
	fclose(f);
	return ret;
}

/* The list's rejected set, created on first use (NULL without memory:
 * then nothing is remembered, which only costs repeated reports). */
static struct idset *list_rejected(struct target_list *l)
{
	if (!l->rejected)
		l->rejected = calloc(1, sizeof(*l->rejected));
	return l->rejected ? &l->rejected->set : NULL;
}

bool discover__is_rejected(const struct target_list *l, dev_t dev, ino_t ino)
{
	return l && l->rejected && idset_has(&l->rejected->set, dev, ino);
}

int discover__pid(struct target_list *l, pid_t pid)
{
	struct scan s = { .l = l };

	if (!l)
		return -EINVAL;
	s.rejected = list_rejected(l);
	return scan_pid(&s, pid);
}

/*
 * System-wide
 */

enum dir_kind {
	DIR_BIN,	/* python executables */
	DIR_LIB,	/* libpython */
};

static int scan_dir(struct scan *s, const char *dir, enum dir_kind kind)
{
	char path[PATH_MAX], err[256];
	struct dirent *de;
	int pass, ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
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
			if (path_fmt(path, sizeof(path), "%s/%s", dir, name))
				continue;
			if (de->d_type == DT_UNKNOWN) {
				if (lstat(path, &st))
					continue;
				link = S_ISLNK(st.st_mode);
			} else {
				link = de->d_type == DT_LNK;
			}
			if (link != (pass == 1))
				continue;
			ret = add_path(s->l, s->rejected, path, err,
				       sizeof(err));
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

int discover__system(struct target_list *l)
{
	static const char *const bin_dirs[] = {
		"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin",
	};
	static const char *const lib_dirs[] = {
		"/usr/lib", "/usr/lib64", "/usr/local/lib",
		"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
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

static bool is_exec_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* Like execvp: a name with a slash is a path, else search PATH. */
static int resolve_cmd(const char *name, char *out, size_t outlen)
{
	const char *path, *p, *colon;

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/'))
		return path_fmt(out, outlen, "%s", name);
	path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (p = path;; p = colon + 1) {
		int len;

		colon = p + strcspn(p, ":");
		len = (int)(colon - p);
		/* an empty element is the current directory */
		if (!path_fmt(out, outlen, "%.*s%s%s", len, p,
			      len ? "/" : "", name) && is_exec_file(out))
			return 0;
		if (!*colon)
			break;
	}
	return -ENOENT;
}

/* Read the #! line of path. 1 and interp/arg filled (arg may be ""), 0
 * not a script, <0 error. */
static int read_shebang(const char *path, char *interp, size_t ilen,
			char *arg, size_t alen)
{
	char buf[SHEBANG_MAX + 1], *p, *q, *nl;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOEXEC;
	}
	do {
		n = read(fd, buf, SHEBANG_MAX);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	nl = memchr(buf, '\n', n);
	if (nl)
		*nl = '\0';
	if (memchr(buf, '\0', nl ? (size_t)(nl - buf) : (size_t)n))
		return -ENOEXEC;	/* NUL in the #! line */
	p = buf + 2;
	p += strspn(p, " \t");
	q = p + strcspn(p, " \t");
	if (p == q)
		return -ENOEXEC;
	if (*q)
		*q++ = '\0';
	q += strspn(q, " \t");
	/* the kernel passes the rest as one argument, trailing blanks cut */
	n = strlen(q);
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\r'))
		q[--n] = '\0';
	if (path_fmt(interp, ilen, "%s", p) || path_fmt(arg, alen, "%s", q))
		return -ENAMETOOLONG;
	return 1;
}

/*
 * The program `env ARG` runs. Without -S the kernel hands env the whole
 * rest of the #! line as one argument; we take its first word anyway.
 * Options and NAME=VALUE assignments are skipped; -u and -C take an
 * argument.
 */
static int env_program(char *arg, char *out, size_t outlen)
{
	char *tok, *save = NULL;
	bool skip_next = false;

	for (tok = strtok_r(arg, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (skip_next) {
			skip_next = false;
			continue;
		}
		if (!strncmp(tok, "--split-string=", 15))
			tok += 15;
		else if (!strncmp(tok, "-S", 2) && tok[2] != '-')
			tok += 2;		/* -S, -Spython3 */
		if (!*tok)
			continue;
		if (!strcmp(tok, "-u") || !strcmp(tok, "-C") ||
		    !strcmp(tok, "--unset") || !strcmp(tok, "--chdir")) {
			skip_next = true;
			continue;
		}
		if (tok[0] == '-' || strchr(tok, '='))
			continue;
		return resolve_cmd(tok, out, outlen);
	}
	return -ENOENT;
}

static int ldconf_parse(struct strv *dirs, const char *file, int depth);

static int ldconf_include(struct strv *dirs, const char *conf,
			  const char *pattern, int depth)
{
	char full[PATH_MAX];
	glob_t g;
	size_t i;
	int ret = 0;

	if (pattern[0] != '/') {
		/* relative to the including file's directory */
		const char *slash = strrchr(conf, '/');
		int dlen = slash ? (int)(slash - conf) : 0;

		if (path_fmt(full, sizeof(full), "%.*s/%s", dlen, conf,
			     pattern))
			return 0;
		pattern = full;
	}
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !ret; i++)
		ret = ldconf_parse(dirs, g.gl_pathv[i], depth + 1);
	globfree(&g);
	return ret;
}

/* Directories of an ld.so.conf file, following include lines. */
static int ldconf_parse(struct strv *dirs, const char *file, int depth)
{
	char line[PATH_MAX + 64];
	int ret = 0;
	FILE *f;

	if (depth > LDCONF_DEPTH)
		return 0;
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line, *e;
		size_t n = strlen(line);

		if (n && line[n - 1] != '\n' && !feof(f)) {
			drain_line(f);
			continue;
		}
		p[strcspn(p, "#\n")] = '\0';
		p += strspn(p, " \t");
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*p)
			continue;
		if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
			char *tok, *save = NULL;

			for (tok = strtok_r(p + 8, " \t", &save); tok && !ret;
			     tok = strtok_r(NULL, " \t", &save))
				ret = ldconf_include(dirs, file, tok, depth);
			continue;
		}
		if (!strncmp(p, "hwcap", 5) && (p[5] == ' ' || p[5] == '\t'))
			continue;
		if (p[0] != '/')
			continue;
		p[strcspn(p, "=")] = '\0';	/* old "dir=TYPE" form */
		ret = strv_add(dirs, p);
	}
	fclose(f);
	return ret;
}

/* Add each element of a ':' separated list, with $ORIGIN expanded. */
static int add_path_list(struct strv *dirs, const char *list,
			 const char *origin)
{
	const char *p, *colon;
	char dir[PATH_MAX];
	int ret;

	if (!list)
		return 0;
	for (p = list;; p = colon + 1) {
		size_t len, o = 0;
		const char *q;
		bool ok = true;

		colon = p + strcspn(p, ":");
		len = colon - p;
		for (q = p; q < colon && ok;) {
			size_t tl = 0;

			if (origin && !strncmp(q, "$ORIGIN", 7) &&
			    (q + 7 > colon || !(isalnum((unsigned char)q[7]) ||
						q[7] == '_')))
				tl = 7;
			else if (origin && (size_t)(colon - q) >= 9 &&
				 !strncmp(q, "${ORIGIN}", 9))
				tl = 9;
			if (tl) {
				size_t ol = strlen(origin);

				if (o + ol >= sizeof(dir)) {
					ok = false;
					break;
				}
				memcpy(dir + o, origin, ol);
				o += ol;
				q += tl;
				continue;
			}
			if (o + 1 >= sizeof(dir)) {
				ok = false;
				break;
			}
			dir[o++] = *q++;
		}
		dir[o] = '\0';
		if (ok && len && dir[0]) {
			ret = strv_add(dirs, dir);
			if (ret)
				return ret;
		}
		if (!*colon)
			break;
	}
	return 0;
}

static int search_dirs(const char *runpath, const char *origin,
		       struct strv *dirs)
{
	static const char *const defaults[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	size_t i;
	int ret;

	ret = add_path_list(dirs, runpath, origin);
	if (!ret)
		ret = add_path_list(dirs, getenv("LD_LIBRARY_PATH"), NULL);
	if (!ret)
		ret = ldconf_parse(dirs, "/etc/ld.so.conf", 0);
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]) && !ret; i++)
		ret = strv_add(dirs, defaults[i]);
	return ret;
}

static int add_libs(struct target_list *l, const char *path, int depth);

/* Add one found DT_NEEDED libpython. */
static int add_found(struct target_list *l, const char *path, int depth)
{
	char err[256];
	int ret;

	ret = discover__add_path(l, path, err, sizeof(err));
	if (ret >= 0 || ret == -ENOMEM)
		return ret;
	report_skip(path, err, ret);
	/* libpython3.so forwards to libpython3.X.so: look there */
	if (ret == -ENOENT && depth < 1)
		return add_libs(l, path, depth + 1);
	return 0;
}

/* Find one DT_NEEDED libpython like ld.so would, and add it. */
static int add_needed(struct target_list *l, const char *name,
		      const struct strv *dirs, int depth)
{
	char cand[PATH_MAX];
	struct stat st;
	size_t i;

	if (strchr(name, '/')) {
		if (!stat(name, &st) && S_ISREG(st.st_mode))
			return add_found(l, name, depth);
		p_debug("%s: not found", name);
		return 0;
	}
	for (i = 0; i < dirs->n; i++) {
		if (path_fmt(cand, sizeof(cand), "%s/%s", dirs->v[i], name))
			continue;
		if (!stat(cand, &st) && S_ISREG(st.st_mode))
			return add_found(l, cand, depth);
	}
	p_debug("%s: not found", name);
	return 0;
}

/* Add the libpython that the ELF file path links. Returns the number
 * added or -ENOMEM. */
static int add_libs(struct target_list *l, const char *path, int depth)
{
	char err[256], real[PATH_MAX], *slash;
	const char *names[NEEDED_MAX];
	struct strv dirs = { 0 };
	struct elf_file *ef;
	size_t i, n;
	int ret = 0, added = 0;

	if (elf__open(path, &ef, err, sizeof(err))) {
		p_debug("%s: %s", path, err);
		return 0;
	}
	n = elf__needed(ef, names, NEEDED_MAX);
	if (n > NEEDED_MAX)
		n = NEEDED_MAX;
	for (i = 0; i < n; i++)
		if (names[i] && !strncmp(names[i], "libpython", 9))
			break;
	if (i == n)
		goto out;
	/* $ORIGIN: the directory of the file itself, symlinks resolved */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	slash = strrchr(real, '/');
	if (slash)
		*(slash == real ? slash + 1 : slash) = '\0';
	else
		snprintf(real, sizeof(real), ".");
	ret = search_dirs(elf__runpath(ef), real, &dirs);
	for (i = 0; i < n && !ret; i++) {
		if (!names[i] || strncmp(names[i], "libpython", 9))
			continue;
		ret = add_needed(l, names[i], &dirs, depth);
		if (ret > 0) {
			added += ret;
			ret = 0;
		}
	}
out:
	strv_free(&dirs);
	elf__close(ef);
	return ret < 0 ? ret : added;
}

int discover__command(struct target_list *l, const char *argv0)
{
	char path[PATH_MAX], interp[PATH_MAX], arg[SHEBANG_MAX], err[256];
	int depth, ret, added = 0;

	if (!l || !argv0)
		return -EINVAL;
	ret = resolve_cmd(argv0, path, sizeof(path));
	if (ret) {
		p_debug("%s: not found", argv0);
		return -ENOENT;
	}
	for (depth = 0;; depth++) {
		ret = read_shebang(path, interp, sizeof(interp), arg,
				   sizeof(arg));
		if (ret < 0) {
			p_debug("%s: %s", path, strerror(-ret));
			return ret;
		}
		if (!ret)
			break;
		if (depth == SHEBANG_DEPTH) {
			p_debug("%s: too many levels of #!", argv0);
			return -ELOOP;
		}
		if (!strcmp(base_name(interp), "env") && arg[0])
			ret = env_program(arg, path, sizeof(path));
		else
			ret = path_fmt(path, sizeof(path), "%s", interp);
		if (ret) {
			p_debug("%s: interpreter %s not found", argv0, interp);
			return -ENOENT;
		}
	}
	ret = discover__add_path(l, path, err, sizeof(err));
	if (ret < 0 && ret != -ENOMEM)
		report_skip(path, err, ret);
	else if (ret == -ENOMEM)
		return ret;
	added += ret > 0;
	ret = add_libs(l, path, 0);
	if (ret < 0)
		return ret;
	return added + ret;
}
