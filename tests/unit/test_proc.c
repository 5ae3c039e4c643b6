// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/proc.c and user/cgroup.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "user/cgroup.h"
#include "user/proc.h"

static const char *argv0;

static const char A[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char B[] =
	"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
#define UUID "0f3c5a4e-1b2d-4c6e-8f90-123456789abc"

/* ---- helpers --------------------------------------------------------------- */

static char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return s;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *read_all(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_non_null(buf);
	assert_true(fd >= 0);
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	close(fd);
	*len = n;
	return buf;
}

static int rm_cb(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	return remove(path);
}

/* A fake proc root in a temporary directory, removed by the teardown. */
static int fake_setup(void **state)
{
	char tmpl[] = "/tmp/pyaudit-proc-XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return -1;
	*state = strdup(dir);
	return *state ? 0 : -1;
}

static int fake_teardown(void **state)
{
	if (*state)
		nftw(*state, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

/* root/PID, with a cmdline of len bytes unless data is NULL. */
static char *fake_pid(const char *root, int pid, const void *cmdline, size_t len)
{
	char *dir = xasprintf("%s/%d", root, pid), *f;

	if (mkdir(dir, 0755))
		assert_int_equal(errno, EEXIST);
	if (cmdline) {
		f = xasprintf("%s/cmdline", dir);
		write_file(f, cmdline, len);
		free(f);
	}
	return dir;
}

static void fake_file(const char *root, int pid, const char *name,
		      const void *data, size_t len)
{
	char *f = xasprintf("%s/%d/%s", root, pid, name);

	write_file(f, data, len);
	free(f);
}

static void fake_cmdline(const char *root, int pid, const char *s)
{
	fake_file(root, pid, "cmdline", s, strlen(s) + 1);
}

static void assert_cmdline(const struct proc_info *pi, const char *s)
{
	assert_int_equal(pi->cmdline_len, strlen(s) + 1);
	assert_memory_equal(pi->cmdline, s, strlen(s) + 1);
}

/* cgroup__container_id(), with the answer checked for form. */
static bool cid(const char *path, char id[CONTAINER_ID_MAX + 1],
		const char **rt)
{
	bool ok;

	memset(id, 'X', CONTAINER_ID_MAX + 1);
	*rt = NULL;
	ok = cgroup__container_id(path, id, rt);
	if (ok) {
		assert_int_equal(strlen(id), CONTAINER_ID_MAX);
		assert_non_null(*rt);
	}
	return ok;
}

static void assert_cid(const char *path, const char *want, const char *rt_want)
{
	char id[CONTAINER_ID_MAX + 1];
	const char *rt;

	if (!cid(path, id, &rt))
		fail_msg("no container id in %s", path);
	assert_string_equal(id, want);
	assert_string_equal(rt, rt_want);
}

static void assert_no_cid(const char *path)
{
	char id[CONTAINER_ID_MAX + 1];
	const char *rt;

	if (cid(path, id, &rt))
		fail_msg("container id %s (%s) in %s", id, rt, path);
}

static void assert_file_cid(const char *contents, size_t len,
			    const char *want, const char *rt_want)
{
	char id[CONTAINER_ID_MAX + 1];
	const char *rt = NULL;
	bool ok = cgroup__container_id_from_file(contents, len, id, &rt);

	if (!want) {
		assert_false(ok);
		return;
	}
	assert_true(ok);
	assert_string_equal(id, want);
	assert_string_equal(rt, rt_want);
}

/* ---- container ids of paths ---------------------------------------------- */

static void test_cid_docker(void **state)
{
	char *p;

	p = xasprintf("/system.slice/docker-%s.scope", A);
	assert_cid(p, A, "docker");
	free(p);
	p = xasprintf("/docker/%s", A);
	assert_cid(p, A, "docker");
	free(p);
	/* docker in docker: the innermost */
	p = xasprintf("/docker/%s/docker/%s", A, B);
	assert_cid(p, B, "docker");
	free(p);
	/* systemd in the container: its own cgroups below the scope */
	p = xasprintf("/system.slice/docker-%s.scope/init.scope", A);
	assert_cid(p, A, "docker");
	free(p);
	p = xasprintf("docker-%s.scope", A);
	assert_cid(p, A, "docker");
	free(p);
	/* Kubernetes with dockershim */
	p = xasprintf("/kubepods.slice/kubepods-pod" UUID ".slice/docker-%s.scope", A);
	assert_cid(p, A, "docker");
	free(p);
}

static void test_cid_containerd(void **state)
{
	char *p;

	p = xasprintf("/kubepods/besteffort/pod" UUID "/%s", A);
	assert_cid(p, A, "containerd");
	free(p);
	p = xasprintf("/kubepods/pod" UUID "/%s", B);
	assert_cid(p, B, "containerd");
	free(p);
	p = xasprintf("/kubepods.slice/kubepods-burstable.slice/"
		      "kubepods-burstable-pod" UUID ".slice/cri-containerd-%s.scope", A);
	assert_cid(p, A, "containerd");
	free(p);
	/* cgroup v1 with the systemd driver: slice:prefix:id */
	p = xasprintf("/system.slice/containerd.service/kubepods-besteffort-pod"
		      UUID ".slice:cri-containerd:%s", A);
	assert_cid(p, A, "containerd");
	free(p);
}

static void test_cid_podman(void **state)
{
	char *p;

	p = xasprintf("/machine.slice/libpod-%s.scope", A);
	assert_cid(p, A, "podman");
	free(p);
	p = xasprintf("/user.slice/user-1000.slice/user@1000.service/user.slice/"
		      "libpod-%s.scope/container", B);
	assert_cid(p, B, "podman");
	free(p);
	/* cgroupfs driver */
	p = xasprintf("/libpod_parent/libpod-%s", A);
	assert_cid(p, A, "podman");
	free(p);
	/* conmon, the monitor process, is not the container */
	p = xasprintf("/machine.slice/libpod-conmon-%s.scope", A);
	assert_no_cid(p);
	free(p);
}

static void test_cid_crio(void **state)
{
	char *p;

	p = xasprintf("/kubepods.slice/kubepods-besteffort.slice/"
		      "kubepods-besteffort-pod" UUID ".slice/crio-%s.scope", A);
	assert_cid(p, A, "cri-o");
	free(p);
	p = xasprintf("crio-%s.scope", B);
	assert_cid(p, B, "cri-o");
	free(p);
	p = xasprintf("/kubepods.slice/crio-conmon-%s.scope", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/kubepods.slice/x.slice:crio:%s", A);
	assert_cid(p, A, "cri-o");
	free(p);
}

static void test_cid_rejected(void **state)
{
	char upper[65], *p;
	char id[CONTAINER_ID_MAX + 1];
	const char *rt;

	strcpy(upper, A);
	upper[10] = 'A';
	p = xasprintf("/docker/%s", upper);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/system.slice/docker-%s.scope", upper);
	assert_no_cid(p);
	free(p);
	/* 63 and 65 hex digits */
	p = xasprintf("/docker/%.63s", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/docker/%s0", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/system.slice/docker-%.63s.scope", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/system.slice/docker-%s0.scope", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/kubepods/pod" UUID "/%s1", A);
	assert_no_cid(p);
	free(p);
	/* trailing bytes, other suffixes, no prefix */
	p = xasprintf("/system.slice/docker-%s.scopex", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/system.slice/docker-%s.slice", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/system.slice/dockerd-%s.scope", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/system.slice/x:docker-%s.scope", A);
	assert_no_cid(p);
	free(p);
	/* a bare id needs a docker parent or kubepods above */
	p = xasprintf("/%s", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/actions_job/%s", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/notdocker/%s", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("/kubepods/pod" UUID "/%s.scope", A);
	assert_no_cid(p);
	free(p);
	/* kubepods must be above, not the component itself */
	p = xasprintf("/x/kubepods%s", A);
	assert_no_cid(p);
	free(p);
	/* the colon form needs both colons */
	p = xasprintf("/x.slice:cri-containerd%s", A);
	assert_no_cid(p);
	free(p);
	p = xasprintf("cri-containerd:%s", A);
	assert_no_cid(p);
	free(p);
	assert_no_cid("");
	assert_no_cid("/");
	assert_no_cid("//////");
	assert_no_cid("/system.slice/cron.service");
	assert_no_cid("/docker/");
	assert_no_cid("docker-.scope");
	assert_false(cgroup__container_id(NULL, id, &rt));
	/* runtime may be NULL */
	p = xasprintf("/docker/%s", A);
	assert_true(cgroup__container_id(p, id, NULL));
	assert_string_equal(id, A);
	free(p);
}

/* Random paths from an alphabet that makes near misses likely. */
static void test_cid_garbage(void **state)
{
	static const char *pieces[] = {
		"/", "docker", "docker-", ".scope", "libpod-", "conmon-", "crio-",
		"cri-containerd-", ":", "kubepods", "pod", "0123456789abcdef",
		"0123456789abcdef0123456789abcdef", "\xff", "\n", "A", ".",
	};
	char buf[512], id[CONTAINER_ID_MAX + 1];
	const char *rt;
	unsigned int seed = 12345;
	int i, j, hits = 0;

	for (i = 0; i < 20000; i++) {
		size_t n = 0;
		int k = rand_r(&seed) % 24;

		for (j = 0; j < k; j++) {
			const char *s = pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(s);

			if (n + l >= sizeof(buf))
				break;
			memcpy(buf + n, s, l);
			n += l;
		}
		buf[n] = '\0';
		if (cgroup__container_id(buf, id, &rt)) {
			hits++;
			assert_int_equal(strlen(id), CONTAINER_ID_MAX);
			assert_int_equal(strspn(id, "0123456789abcdef"), CONTAINER_ID_MAX);
			assert_non_null(strstr(buf, id));
		}
		assert_false(cgroup__container_id_from_file(buf, n, id, &rt) &&
			     strspn(id, "0123456789abcdef") != CONTAINER_ID_MAX);
	}
	/* Random bytes, from_file not NUL-terminated: ASan checks the reads. */
	for (i = 0; i < 2000; i++) {
		size_t n = rand_r(&seed) % 300;
		char *p = malloc(n ? n : 1);

		assert_non_null(p);
		for (j = 0; j < (int)n; j++)
			p[j] = (char)rand_r(&seed);
		cgroup__container_id_from_file(p, n, id, &rt);
		free(p);
	}
	(void)hits;
}

/* ---- /proc/PID/cgroup contents ------------------------------------------- */

static void test_cid_file(void **state)
{
	char *s, *line;
	size_t n;

	/* cgroup v2 */
	s = xasprintf("0::/system.slice/docker-%s.scope\n", A);
	assert_file_cid(s, strlen(s), A, "docker");
	free(s);
	/* cgroup v1, no final newline */
	s = xasprintf("12:pids:/docker/%s\n11:memory:/docker/%s\n"
		      "1:name=systemd:/docker/%s", A, A, A);
	assert_file_cid(s, strlen(s), A, "docker");
	free(s);
	/* hybrid: the first line that has one */
	s = xasprintf("13:cpu:/\n12:memory:/kubepods/burstable/pod" UUID "/%s\n"
		      "0::/system.slice/docker-%s.scope\n", A, B);
	assert_file_cid(s, strlen(s), A, "containerd");
	free(s);
	/* ':' in the path */
	s = xasprintf("0::/a:b:c/libpod-%s.scope\n", B);
	assert_file_cid(s, strlen(s), B, "podman");
	free(s);
	s = xasprintf("1:name=systemd:/system.slice/containerd.service/"
		      "kubepods-pod" UUID ".slice:cri-containerd:%s\n", A);
	assert_file_cid(s, strlen(s), A, "containerd");
	free(s);
	/* the id must be in the path, not the controllers */
	s = xasprintf("1:docker-%s.scope:/\n", A);
	assert_file_cid(s, strlen(s), NULL, NULL);
	free(s);
	/* lines without two colons are skipped */
	s = xasprintf("/docker/%s\n0:/docker/%s\n0::/docker/%s\n", A, A, B);
	assert_file_cid(s, strlen(s), B, "docker");
	free(s);
	/* not NUL-terminated: len ends in the id */
	s = xasprintf("0::/docker/%s0000\n", A);
	assert_file_cid(s, strlen("0::/docker/") + 64, A, "docker");
	assert_file_cid(s, strlen("0::/docker/") + 63, NULL, NULL);
	free(s);
	/* a NUL in the middle of a line ends nothing */
	s = xasprintf("0::/docker/%s\n", A);
	s[3] = '\0';
	assert_file_cid(s, strlen(s + 4) + 4, NULL, NULL);
	free(s);
	s = xasprintf("0::/x/docker/%s\n", A);
	s[4] = '\0';
	assert_file_cid(s, strlen(s + 5) + 5, A, "docker");
	free(s);
	/* nothing */
	assert_file_cid("", 0, NULL, NULL);
	assert_file_cid("0::/\n", 5, NULL, NULL);
	assert_file_cid("\n\n\n:::\n", 7, NULL, NULL);
	assert_false(cgroup__container_id_from_file(NULL, 10, (char[65]){ 0 }, NULL));

	/* a 100 KB line, with and without an id at its end */
	n = 100 * 1024;
	line = malloc(n + 200);
	assert_non_null(line);
	memcpy(line, "0::", 3);
	for (size_t i = 3; i < n; i += 2)
		memcpy(line + i, "/x", 2);
	memcpy(line + n, "/docker-", 8);
	memcpy(line + n + 8, A, 64);
	memcpy(line + n + 72, ".scope\n", 7);
	assert_file_cid(line, n + 79, A, "docker");
	assert_file_cid(line, n, NULL, NULL);
	/* one 100 KB component */
	memset(line + 4, 'a', n - 4);
	assert_file_cid(line, n, NULL, NULL);
	free(line);
}

/* ---- the cache on this very process -------------------------------------- */

static void test_self(void **state)
{
	struct proc_cache *c = proc_cache__new(16);
	const struct proc_info *pi;
	char exe[PATH_MAX], id[CONTAINER_ID_MAX + 1];
	const char *rt = NULL;
	ssize_t n;
	size_t len;
	char *cg;
	bool has_id;

	assert_non_null(c);
	/* /proc/PID/exe, as the cache reads it (under valgrind /proc/self/exe
	 * is the emulated client, /proc/PID/exe the real tool) */
	char link[64];

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)getpid());
	n = readlink(link, exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	cg = read_all("/proc/self/cgroup", &len);
	has_id = cgroup__container_id_from_file(cg, len, id, &rt);
	free(cg);

	pi = proc_cache__get(c, getpid(), 0);
	assert_non_null(pi);
	assert_int_equal(pi->pid, getpid());
	assert_false(pi->gone);
	/* under valgrind, exe and cmdline are valgrind's: nothing to compare */
	if (strstr(pi->exe, "/valgrind/")) {
		proc_cache__free(c);
		skip();
	}
	assert_string_equal(pi->exe, exe);
	assert_true(pi->cmdline_len > strlen(argv0));
	assert_false(pi->cmdline_truncated);
	/* argv[0] is the first argument, NUL-terminated */
	assert_memory_equal(pi->cmdline, argv0, strlen(argv0) + 1);
	/* whatever containers the host has, the same answer as the file's */
	if (has_id) {
		assert_string_equal(pi->container_id, id);
		assert_string_equal(pi->container_runtime, rt);
	} else {
		assert_string_equal(pi->container_id, "");
		assert_null(pi->container_runtime);
	}

	/* cached: the same answer, from another root */
	proc_cache__set_root(c, "/nonexistent-pyaudit");
	pi = proc_cache__get(c, getpid(), 0);
	assert_false(pi->gone);
	assert_string_equal(pi->exe, exe);
	assert_memory_equal(pi->cmdline, argv0, strlen(argv0) + 1);
	proc_cache__free(c);
}

static void test_gone(void **state)
{
	struct proc_cache *c = proc_cache__new(16);
	const struct proc_info *pi;

	assert_non_null(c);
	/* no pid is ever INT_MAX (PID_MAX_LIMIT is 4M) */
	pi = proc_cache__get(c, INT_MAX, 42);
	assert_true(pi->gone);
	assert_int_equal(pi->pid, INT_MAX);
	assert_int_equal(pi->start_ns, 42);
	assert_string_equal(pi->exe, "");
	assert_int_equal(pi->cmdline_len, 0);
	assert_false(pi->cmdline_truncated);
	assert_string_equal(pi->container_id, "");
	assert_null(pi->container_runtime);
	/* pids that cannot be */
	assert_true(proc_cache__get(c, 0, 1)->gone);
	assert_true(proc_cache__get(c, -1, 1)->gone);
	/* a NULL cache still answers */
	assert_true(proc_cache__get(NULL, getpid(), 1)->gone);
	proc_cache__drop(NULL, 1);
	proc_cache__set_root(NULL, "/");
	proc_cache__free(NULL);
	proc_cache__free(c);
}

/* ---- the cache on a fake proc root ---------------------------------------- */

static void test_fake_root(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(16);
	static const char args[] = "python3\0-c\0print(1)\0\0x";
	const struct proc_info *pi;
	char *big, *dir, *link, *cg, target[4001];

	assert_non_null(c);
	proc_cache__set_root(c, root);

	/* 10000 bytes of command line: 4096 kept */
	big = malloc(10000);
	assert_non_null(big);
	for (int i = 0; i < 10000; i++)
		big[i] = i % 7 ? 'a' + i % 26 : '\0';
	free(fake_pid(root, 100, big, 10000));
	pi = proc_cache__get(c, 100, 1);
	assert_false(pi->gone);
	assert_int_equal(pi->cmdline_len, PROC_CMDLINE_MAX);
	assert_true(pi->cmdline_truncated);
	assert_memory_equal(pi->cmdline, big, PROC_CMDLINE_MAX);
	/* no exe link, no cgroup file */
	assert_string_equal(pi->exe, "");
	assert_string_equal(pi->container_id, "");
	assert_null(pi->container_runtime);

	/* exactly PROC_CMDLINE_MAX bytes: not truncated */
	free(fake_pid(root, 101, big, PROC_CMDLINE_MAX));
	pi = proc_cache__get(c, 101, 1);
	assert_int_equal(pi->cmdline_len, PROC_CMDLINE_MAX);
	assert_false(pi->cmdline_truncated);
	free(big);

	/* NULs inside, kept as they are; an exe link; a docker cgroup */
	dir = fake_pid(root, 102, args, sizeof(args) - 1);
	link = xasprintf("%s/exe", dir);
	assert_int_equal(symlink("/usr/bin/python3 (deleted)", link), 0);
	free(link);
	cg = xasprintf("12:memory:/docker/%s\n0::/system.slice/docker-%s.scope\n", A, A);
	fake_file(root, 102, "cgroup", cg, strlen(cg));
	free(cg);
	pi = proc_cache__get(c, 102, 7);
	assert_false(pi->gone);
	assert_int_equal(pi->cmdline_len, sizeof(args) - 1);
	assert_memory_equal(pi->cmdline, args, sizeof(args) - 1);
	assert_false(pi->cmdline_truncated);
	assert_string_equal(pi->exe, "/usr/bin/python3 (deleted)");
	assert_string_equal(pi->container_id, A);
	assert_string_equal(pi->container_runtime, "docker");
	free(dir);

	/* an empty command line, a long exe link */
	dir = fake_pid(root, 103, "", 0);
	memset(target, 'e', sizeof(target) - 1);
	target[0] = '/';
	target[sizeof(target) - 1] = '\0';
	link = xasprintf("%s/exe", dir);
	assert_int_equal(symlink(target, link), 0);
	free(link);
	free(dir);
	pi = proc_cache__get(c, 103, 1);
	assert_false(pi->gone);
	assert_int_equal(pi->cmdline_len, 0);
	assert_string_equal(pi->exe, target);

	/* cmdline a symlink (not in a real /proc): not followed */
	dir = fake_pid(root, 104, NULL, 0);
	link = xasprintf("%s/cmdline", dir);
	assert_int_equal(symlink("/proc/self/cmdline", link), 0);
	free(link);
	free(dir);
	pi = proc_cache__get(c, 104, 1);
	assert_false(pi->gone);
	assert_int_equal(pi->cmdline_len, 0);

	/* a pid that is not there: gone, and cached as such */
	pi = proc_cache__get(c, 105, 1);
	assert_true(pi->gone);
	free(fake_pid(root, 105, "new", 4));
	pi = proc_cache__get(c, 105, 1);
	assert_true(pi->gone);
	assert_int_equal(pi->cmdline_len, 0);

	/* a cached process: /proc is not read again */
	fake_cmdline(root, 102, "changed");
	pi = proc_cache__get(c, 102, 7);
	assert_memory_equal(pi->cmdline, args, sizeof(args) - 1);
	assert_string_equal(pi->container_id, A);

	/* after drop, it is */
	proc_cache__drop(c, 102);
	proc_cache__drop(c, 102);
	proc_cache__drop(c, 9999);
	pi = proc_cache__get(c, 102, 7);
	assert_cmdline(pi, "changed");
	assert_string_equal(pi->container_id, A);
	proc_cache__free(c);
}

/* Hostile cgroup files: long, ids past the read limit, a cut line. */
static void test_fake_cgroup(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(16);
	const struct proc_info *pi;
	size_t n = 200 * 1024, pos;
	char *buf, *s;

	assert_non_null(c);
	proc_cache__set_root(c, root);
	buf = malloc(n + 200);
	assert_non_null(buf);

	/* an id on the first line, 200 KB of lines after it */
	s = xasprintf("0::/docker/%s\n", B);
	pos = strlen(s);
	memcpy(buf, s, pos);
	free(s);
	while (pos < n) {
		memcpy(buf + pos, "1:x:/y\n", 7);
		pos += 7;
	}
	free(fake_pid(root, 200, "a", 2));
	fake_file(root, 200, "cgroup", buf, pos);
	pi = proc_cache__get(c, 200, 1);
	assert_string_equal(pi->container_id, B);

	/* an id only far past the read limit: not seen, no harm */
	memset(buf, '\n', n);
	s = xasprintf("0::/docker/%s\n", B);
	memcpy(buf + n, s, strlen(s));
	free(fake_pid(root, 201, "a", 2));
	fake_file(root, 201, "cgroup", buf, n + strlen(s));
	free(s);
	pi = proc_cache__get(c, 201, 1);
	assert_false(pi->gone);
	assert_string_equal(pi->container_id, "");

	/*
	 * A line cut by the read limit (64 KiB, and one byte more to see
	 * whether the line ends there) right after 64 hex digits: the whole
	 * line has 68, which is no id, so the cut one must not count.
	 */
	memset(buf, '\n', n);
	pos = 64 * 1024 + 1 - 11 - 64;
	memcpy(buf + pos, "0::/docker/", 11);
	memcpy(buf + pos + 11, A, 64);
	memcpy(buf + pos + 75, "abcd\n", 5);
	free(fake_pid(root, 202, "a", 2));
	fake_file(root, 202, "cgroup", buf, n);
	pi = proc_cache__get(c, 202, 1);
	assert_string_equal(pi->container_id, "");
	/* a line that ends right at the limit is whole: found */
	memset(buf, '\n', n);
	pos = 64 * 1024 - 11 - 64;
	memcpy(buf + pos, "0::/docker/", 11);
	memcpy(buf + pos + 11, A, 64);
	free(fake_pid(root, 203, "a", 2));
	fake_file(root, 203, "cgroup", buf, n);
	pi = proc_cache__get(c, 203, 1);
	assert_string_equal(pi->container_id, A);

	/* binary garbage */
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	free(fake_pid(root, 204, buf, n));
	fake_file(root, 204, "cgroup", buf, n);
	pi = proc_cache__get(c, 204, 1);
	assert_false(pi->gone);
	assert_true(pi->cmdline_truncated);
	free(buf);
	proc_cache__free(c);
}

static void assert_v(struct proc_cache *c, int pid, const char *v)
{
	char want[32];
	const struct proc_info *pi = proc_cache__get(c, pid, 1000 + pid);

	snprintf(want, sizeof(want), "%s-%d", v, pid);
	assert_false(pi->gone);
	assert_int_equal(pi->pid, pid);
	assert_int_equal(pi->start_ns, 1000 + pid);
	assert_cmdline(pi, want);
}

static void set_all(const char *root, const char *v)
{
	char s[32];

	for (int pid = 1; pid <= 10; pid++) {
		snprintf(s, sizeof(s), "%s-%d", v, pid);
		fake_cmdline(root, pid, s);
	}
}

static void test_lru(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(4);
	int pid;

	assert_non_null(c);
	proc_cache__set_root(c, root);
	for (pid = 1; pid <= 10; pid++)
		free(fake_pid(root, pid, NULL, 0));
	set_all(root, "v1");
	for (pid = 1; pid <= 10; pid++)
		assert_v(c, pid, "v1");
	/* cached, most recent first: 10 9 8 7 */
	set_all(root, "v2");
	assert_v(c, 7, "v1");		/* 7 10 9 8 */
	assert_v(c, 9, "v1");		/* 9 7 10 8 */
	assert_v(c, 10, "v1");		/* 10 9 7 8 */
	assert_v(c, 8, "v1");		/* 8 10 9 7 */
	assert_v(c, 1, "v2");		/* 1 8 10 9, 7 out */
	assert_v(c, 7, "v2");		/* 7 1 8 10, 9 out */
	set_all(root, "v3");
	assert_v(c, 10, "v1");		/* 10 7 1 8 */
	assert_v(c, 8, "v1");		/* 8 10 7 1 */
	assert_v(c, 1, "v2");		/* 1 8 10 7 */
	assert_v(c, 9, "v3");		/* 9 1 8 10, 7 out */
	assert_v(c, 7, "v3");		/* 7 9 1 8, 10 out */
	assert_v(c, 1, "v2");		/* 1 7 9 8 */
	assert_v(c, 8, "v1");		/* 8 1 7 9 */
	assert_v(c, 10, "v3");		/* 10 8 1 7, 9 out */
	/* drop makes room: nothing else is evicted */
	proc_cache__drop(c, 1);		/* 10 8 7 */
	set_all(root, "v4");
	assert_v(c, 2, "v4");		/* 2 10 8 7 */
	assert_v(c, 7, "v3");
	assert_v(c, 8, "v1");
	assert_v(c, 10, "v3");
	assert_v(c, 2, "v4");
	proc_cache__free(c);

	/* max_entries 1 and 0 (taken as 1) */
	for (size_t max = 0; max <= 1; max++) {
		c = proc_cache__new(max);
		assert_non_null(c);
		proc_cache__set_root(c, root);
		set_all(root, "v5");
		assert_v(c, 3, "v5");
		set_all(root, "v6");
		assert_v(c, 3, "v5");
		assert_v(c, 4, "v6");
		assert_v(c, 3, "v6");
		proc_cache__free(c);
	}
}

/* gen changes whenever the struct is refilled (format.c keeps the
 * process object's text under it), and only then; never 0, never the
 * same in two caches. */
static void test_gen(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(4), *d = proc_cache__new(4);
	uint64_t g1, g2, g3;

	assert_non_null(c);
	assert_non_null(d);
	proc_cache__set_root(c, root);
	proc_cache__set_root(d, root);
	for (int pid = 1; pid <= 10; pid++)	/* set_all's */
		free(fake_pid(root, pid, NULL, 0));
	set_all(root, "v1");
	g1 = proc_cache__get(c, 1, 1001)->gen;
	assert_int_not_equal(g1, 0);
	assert_int_equal(proc_cache__get(c, 1, 1001)->gen, g1);	/* as shown */
	g2 = proc_cache__get(c, 2, 1002)->gen;
	assert_int_not_equal(g2, g1);
	g3 = proc_cache__get(c, 1, 1001)->gen;			/* shown again */
	assert_int_not_equal(g2, 0);
	assert_int_not_equal(g3, 0);
	assert_int_not_equal(g3, g1);
	assert_int_not_equal(g3, g2);
	assert_v(c, 1, "v1");
	assert_int_not_equal(proc_cache__get(d, 1, 1001)->gen, g3);
	proc_cache__drop(c, 1);				/* read again */
	set_all(root, "v2");
	assert_int_not_equal(proc_cache__get(c, 1, 1001)->gen, g3);
	assert_v(c, 1, "v2");
	proc_cache__free(c);
	proc_cache__free(d);
}

/* Many pids through a small table: chains, evictions, drops. */
static void test_many(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(64);
	char s[32];
	int pid;

	assert_non_null(c);
	proc_cache__set_root(c, root);
	for (pid = 1; pid <= 300; pid++) {
		free(fake_pid(root, pid, NULL, 0));
		snprintf(s, sizeof(s), "p-%d", pid);
		fake_cmdline(root, pid, s);
	}
	for (int round = 0; round < 3; round++) {
		for (pid = 1; pid <= 300; pid++) {
			const struct proc_info *pi = proc_cache__get(c, pid, 7);

			snprintf(s, sizeof(s), "p-%d", pid);
			assert_cmdline(pi, s);
			if (pid % 3 == 0)
				proc_cache__drop(c, pid - 1);
		}
	}
	proc_cache__free(c);
}

static void test_pid_reuse(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(8);
	const struct proc_info *pi;

	assert_non_null(c);
	proc_cache__set_root(c, root);
	free(fake_pid(root, 5, "v1", 3));
	pi = proc_cache__get(c, 5, 111);
	assert_cmdline(pi, "v1");
	fake_cmdline(root, 5, "v2");
	pi = proc_cache__get(c, 5, 111);
	assert_cmdline(pi, "v1");
	/* another process with the same pid */
	pi = proc_cache__get(c, 5, 222);
	assert_int_equal(pi->start_ns, 222);
	assert_cmdline(pi, "v2");
	/* start_ns unknown: the cached one */
	fake_cmdline(root, 5, "v3");
	pi = proc_cache__get(c, 5, 0);
	assert_int_equal(pi->start_ns, 222);
	assert_cmdline(pi, "v2");
	/* the first process's entry stays, for its events written late */
	pi = proc_cache__get(c, 5, 111);
	assert_cmdline(pi, "v1");
	/* first seen with start_ns 0, then with the real one: read again */
	free(fake_pid(root, 6, "w1", 3));
	pi = proc_cache__get(c, 6, 0);
	assert_int_equal(pi->start_ns, 0);
	assert_cmdline(pi, "w1");
	fake_cmdline(root, 6, "w2");
	pi = proc_cache__get(c, 6, 333);
	assert_cmdline(pi, "w2");
	fake_cmdline(root, 6, "w3");
	pi = proc_cache__get(c, 6, 333);
	assert_cmdline(pi, "w2");
	pi = proc_cache__get(c, 6, 0);
	assert_cmdline(pi, "w2");
	/* the pid's other entry is untouched by all this */
	pi = proc_cache__get(c, 5, 111);
	assert_cmdline(pi, "v1");
	proc_cache__free(c);
}

/* ---- exec records and the start-up list --------------------------------- */

/* An exec record as BPF writes it (bpf/identity.bpf.h). */
static size_t make_exec(uint8_t *buf, pid_t pid, uint64_t start, pid_t ppid,
			uint64_t pstart, const char *exe, const char *cwd,
			const void *args, size_t args_len)
{
	struct pa_exec e = {
		.type = PA_REC_EXEC, .pid = pid, .ppid = ppid,
		.start_ns = start, .parent_start_ns = pstart,
		.exec_seq = 3, .parent_exec_seq = 1,
		.exe_len = strlen(exe), .cwd_len = strlen(cwd),
		.args_len = args_len,
	};
	size_t n = sizeof(e);

	e.size = sizeof(e) + e.exe_len + e.cwd_len + args_len;
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + n, exe, e.exe_len);
	n += e.exe_len;
	memcpy(buf + n, cwd, e.cwd_len);
	n += e.cwd_len;
	memcpy(buf + n, args, args_len);
	return n + args_len;
}

static void test_exec_records(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(4);
	static uint8_t buf[sizeof(struct pa_exec) + 3 * 4096];
	const struct proc_info *pi;
	struct proc_counts n;
	size_t len;

	assert_non_null(c);
	proc_cache__set_root(c, root);	/* empty: the processes are gone */
	/* the parent, then its child: the child's entry has its parent's */
	len = make_exec(buf, 10, 1000, 1, 5, "/bin/sh", "/", "sh\0-c\0x\0", 9);
	assert_int_equal(proc_cache__put_exec(c, buf, len), 0);
	len = make_exec(buf, 11, 2000, 10, 1000, "/usr/bin/python3.11",
			"/home/u", "python3\0-c\0pass\0", 16);
	assert_int_equal(proc_cache__put_exec(c, buf, len), 0);
	pi = proc_cache__get(c, 11, 2000);
	assert_false(pi->gone);
	assert_int_equal(pi->source, PROC_SRC_EXEC);
	assert_string_equal(pi->exe, "/usr/bin/python3.11");
	assert_string_equal(pi->cwd, "/home/u");
	assert_int_equal(pi->cmdline_len, 16);
	assert_memory_equal(pi->cmdline, "python3\0-c\0pass\0", 16);
	assert_int_equal(pi->ppid, 10);
	assert_int_equal(pi->parent_start_ns, 1000);
	assert_int_equal(pi->parent_exec_seq, 1);
	assert_string_equal(pi->parent_exe, "/bin/sh");
	assert_int_equal(pi->parent_cmdline_len, 9);
	assert_memory_equal(pi->parent_cmdline, "sh\0-c\0x\0", 9);
	/* another process of pid 11 does not replace the first one's */
	len = make_exec(buf, 11, 3000, 10, 1000, "/bin/true", "/", "", 0);
	assert_int_equal(proc_cache__put_exec(c, buf, len), 0);
	assert_string_equal(proc_cache__get(c, 11, 2000)->exe, "/usr/bin/python3.11");
	assert_string_equal(proc_cache__get(c, 11, 3000)->exe, "/bin/true");
	/* malformed: short, lengths past the record, a wrong type */
	assert_int_equal(proc_cache__put_exec(c, buf, sizeof(struct pa_exec) - 1),
			 -EINVAL);
	assert_int_equal(proc_cache__put_exec(c, buf, len - 1), -EINVAL);
	((struct pa_exec *)buf)->exe_len = 4096;
	assert_int_equal(proc_cache__put_exec(c, buf, sizeof(buf)), -EINVAL);
	((struct pa_exec *)buf)->exe_len = 9;
	((struct pa_exec *)buf)->type = PA_REC_EVENT;
	assert_int_equal(proc_cache__put_exec(c, buf, len), -EINVAL);
	/* a full cache drops the least recently used, counted */
	for (int i = 0; i < 6; i++) {
		len = make_exec(buf, 100 + i, 1, 1, 0, "/x", "/", "x\0", 2);
		assert_int_equal(proc_cache__put_exec(c, buf, len), 0);
	}
	proc_cache__counts(c, &n);
	assert_int_equal(n.execs, 9);
	assert_int_equal(n.evicted, 5);
	proc_cache__free(c);
}

/* The start-up list: /proc read under the exact start time, and a
 * process whose stat ticks are another's is gone. */
static void test_put_task(void **state)
{
	const char *root = *state;
	struct proc_cache *c = proc_cache__new(8);
	struct pa_task t = { .pid = 20, .ppid = 1, .start_ns = 123456789012,
			     .parent_start_ns = 0 };
	const struct proc_info *pi;
	/* ticks 12345 = 123456789012 ns / 10 ms; comm with ") (" in it */
	static const char stat[] = "20 (a) (b) S 1 20 20 0 -1 4194560 1 0 0 0 "
				   "0 0 0 0 20 0 1 0 12345 100 1\n";

	assert_non_null(c);
	proc_cache__set_root(c, root);
	free(fake_pid(root, 20, "py\0", 3));
	fake_file(root, 20, "stat", stat, sizeof(stat) - 1);
	proc_cache__put_task(c, &t);
	proc_cache__set_root(c, "/nonexistent-pyaudit");
	pi = proc_cache__get(c, 20, 123456789012);
	assert_int_equal(pi->source, PROC_SRC_SCAN);
	assert_cmdline(pi, "py");
	assert_int_equal(pi->ppid, 1);
	/* another start time: /proc/20 is not that process */
	proc_cache__set_root(c, root);
	t.start_ns = 99990000000;
	proc_cache__put_task(c, &t);
	pi = proc_cache__get(c, 20, 99990000000);
	assert_true(pi->gone);
	assert_int_equal(pi->cmdline_len, 0);
	proc_cache__free(c);
}

/* ---- cgroup v2 ------------------------------------------------------------ */

static void test_cgroup_id_of_path(void **state)
{
	char mnt[PATH_MAX];
	struct stat st;
	uint64_t id = 0;
	char *p;
	int err;

	err = cgroup__v2_mount(mnt, sizeof(mnt));
	if (err == -ENOENT)
		skip();
	assert_int_equal(err, 0);
	assert_int_equal(mnt[0], '/');
	assert_int_equal(stat(mnt, &st), 0);
	assert_int_equal(cgroup__v2_mount(mnt, 2), -ENAMETOOLONG);
	assert_int_equal(cgroup__v2_mount(mnt, sizeof(mnt)), 0);

	/* "/" is the mount's root */
	assert_int_equal(cgroup__id_of_path("/", &id), 0);
	assert_int_equal(id, st.st_ino);
	id = 0;
	assert_int_equal(cgroup__id_of_path(mnt, &id), 0);
	assert_int_equal(id, st.st_ino);
	p = xasprintf("%s/", mnt);
	id = 0;
	assert_int_equal(cgroup__id_of_path(p, &id), 0);
	assert_int_equal(id, st.st_ino);
	free(p);

	assert_int_equal(cgroup__id_of_path("/pyaudit-no/such/cgroup", &id), -ENOENT);
	assert_int_equal(cgroup__id_of_path("pyaudit-no-such-cgroup", &id), -ENOENT);
	/* a directory, but not a cgroup */
	assert_int_equal(cgroup__id_of_path("/etc", &id), -ENOENT);
	/* not a directory */
	assert_int_equal(cgroup__id_of_path("/cgroup.procs", &id), -ENOTDIR);
	p = xasprintf("%s/cgroup.procs", mnt);
	assert_int_equal(cgroup__id_of_path(p, &id), -ENOTDIR);
	free(p);
	assert_int_equal(cgroup__id_of_path("", &id), -EINVAL);
	assert_int_equal(cgroup__id_of_path(NULL, &id), -EINVAL);
	assert_int_equal(cgroup__id_of_path("/", NULL), -EINVAL);
}

/* cgroup__find_container() and cgroup__pick_container(): how many
 * cgroups are kept (up to max in ids), or -errno. */
static int ids_of_container(const char *prefix, uint64_t *ids, size_t max)
{
	struct cgroup_matches m;
	size_t n = 0;
	int err;

	err = cgroup__find_container(prefix, NULL, &m);
	if (!err)
		err = cgroup__pick_container(&m);
	for (size_t i = 0; !err && i < m.n; i++)
		if (!m.v[i].ignored && n < max)
			ids[n++] = m.v[i].id;
	cgroup__matches_free(&m);
	return err ? err : (int)n;
}

static void test_cgroup_ids_bad(void **state)
{
	uint64_t ids[4];
	char long_id[70];

	assert_int_equal(ids_of_container(NULL, ids, 4), -EINVAL);
	assert_int_equal(ids_of_container("", ids, 4), -EINVAL);
	assert_int_equal(ids_of_container("0123456789a", ids, 4), -EINVAL);
	assert_int_equal(ids_of_container("0123456789ag", ids, 4), -EINVAL);
	assert_int_equal(ids_of_container("docker-01234567", ids, 4), -EINVAL);
	assert_int_equal(ids_of_container("0123456789ab/", ids, 4), -EINVAL);
	assert_int_equal(ids_of_container("../../etc/passwd", ids, 4), -EINVAL);
	snprintf(long_id, sizeof(long_id), "%s0", A);
	assert_int_equal(ids_of_container(long_id, ids, 4), -EINVAL);
}

/* A cgroup of our own (root and a writable cgroup2 mount, else skipped):
 * found by path, relative path and container id prefix. */
static int own_cgroup_teardown(void **state)
{
	if (*state)
		rmdir(*state);
	free(*state);
	*state = NULL;
	return 0;
}

static void test_cgroup_own(void **state)
{
	char mnt[PATH_MAX], hex[CONTAINER_ID_MAX + 1], upper[20], *dir, *rel;
	uint64_t id, ids[4];
	struct stat st;
	unsigned int seed = (unsigned int)getpid() ^ (unsigned int)time(NULL);

	if (cgroup__v2_mount(mnt, sizeof(mnt)))
		skip();
	for (int i = 0; i < CONTAINER_ID_MAX; i++)
		hex[i] = "0123456789abcdef"[rand_r(&seed) % 16];
	hex[CONTAINER_ID_MAX] = '\0';
	dir = xasprintf("%s/docker-%s.scope", mnt, hex);
	if (mkdir(dir, 0755)) {
		free(dir);
		skip();
	}
	*state = dir;
	assert_int_equal(stat(dir, &st), 0);

	assert_int_equal(cgroup__id_of_path(dir, &id), 0);
	assert_int_equal(id, st.st_ino);
	rel = dir + strlen(mnt);	/* "/docker-..." */
	id = 0;
	assert_int_equal(cgroup__id_of_path(rel, &id), 0);
	assert_int_equal(id, st.st_ino);
	id = 0;
	assert_int_equal(cgroup__id_of_path(rel + 1, &id), 0);
	assert_int_equal(id, st.st_ino);

	assert_int_equal(ids_of_container(hex, ids, 4), 1);
	assert_int_equal(ids[0], st.st_ino);
	memset(ids, 0, sizeof(ids));
	/* digits from the middle of the id are no prefix of it */
	assert_int_equal(ids_of_container(hex + 30, ids, 4), -ENOENT);
	for (int i = 0; i < 12; i++)
		upper[i] = hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i];
	upper[12] = '\0';
	memset(ids, 0, sizeof(ids));
	assert_int_equal(ids_of_container(upper, ids, 4), 1);
	assert_int_equal(ids[0], st.st_ino);

	/* and back from the id to the path (an exec record's cgroup) */
	{
		char path[PATH_MAX];
		int mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		assert_true(mfd >= 0);
		assert_int_equal(cgroup__path_of_id(mfd, st.st_ino, path,
						    sizeof(path)), 0);
		assert_string_equal(path, rel);
		assert_int_equal(cgroup__path_of_id(mfd, 1, path, sizeof(path)), 0);
		assert_string_equal(path, "/");
		assert_true(cgroup__path_of_id(mfd, 0xfffffffffffULL, path,
					       sizeof(path)) < 0);
		close(mfd);
	}

	/* gone: none */
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(ids_of_container(hex, ids, 4), -ENOENT);
	assert_int_equal(cgroup__id_of_path(dir, &id), -ENOENT);
}

static void test_cgroup_ids_none(void **state)
{
	uint64_t ids[4];
	char mnt[PATH_MAX];

	if (cgroup__v2_mount(mnt, sizeof(mnt)))
		skip();
	/* no container has this id */
	assert_int_equal(ids_of_container("dead0000beef0000feed0000cafe", ids, 4),
			 -ENOENT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cid_docker),
		cmocka_unit_test(test_cid_containerd),
		cmocka_unit_test(test_cid_podman),
		cmocka_unit_test(test_cid_crio),
		cmocka_unit_test(test_cid_rejected),
		cmocka_unit_test(test_cid_garbage),
		cmocka_unit_test(test_cid_file),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_gone),
		cmocka_unit_test_setup_teardown(test_fake_root, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_cgroup, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_lru, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_many, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_pid_reuse, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_exec_records, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_put_task, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_gen, fake_setup, fake_teardown),
		cmocka_unit_test(test_cgroup_id_of_path),
		cmocka_unit_test(test_cgroup_ids_bad),
		cmocka_unit_test_teardown(test_cgroup_own, own_cgroup_teardown),
		cmocka_unit_test(test_cgroup_ids_none),
	};

	argv0 = argc > 0 ? argv[0] : "";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
