// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of target discovery (user/discover.c): the Python file name
 * matcher, and discovery on the real machine (processes, commands,
 * dedup). Tests that need a particular Python install skip when it is
 * absent. The /proc/PID/maps parser: test_procmaps.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../../user/discover.h"

extern char **environ;

#define PY311		"/usr/bin/python3.11"
#define PYENV312	"/root/.pyenv/versions/3.12.1/bin/python3.12"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool exists(const char *path)
{
	return !access(path, X_OK);
}

/* Is some target's path ending in suffix? */
static bool has_target(const struct target_list *l, const char *suffix)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ends_with(l->v[i].path, suffix))
			return true;
	return false;
}

/* A scratch directory, removed (one level deep) by rm_scratch. */
static char scratch[64];

static void mk_scratch(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/test_discover.XXXXXX");
	assert_non_null(mkdtemp(scratch));
}

static void rm_scratch(void)
{
	char path[PATH_MAX];
	const char *names[] = {
		"s1", "s2", "s3", "s4", "s5", "s6", "s7", "script", "fifo",
		"myapp", "python3.11", "env-S",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		unlink(path);
	}
	rmdir(scratch);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
}

/* Start prog -c 'import time; time.sleep(5)'. posix_spawn returns after
 * the exec, so the child maps its binary by then. */
/* posix_spawn returns once the child has left our memory, which is
 * before the kernel has mapped the new program: wait for that. */
static void wait_mapped(pid_t pid, const char *prog)
{
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(path, "r");
		bool found = false;

		while (f && !found && fgets(line, sizeof(line), f))
			found = strstr(line, base) != NULL;
		if (f)
			fclose(f);
		if (found)
			return;
		usleep(10000);
	}
	fail_msg("%s: never mapped in process %d", prog, (int)pid);
}

static pid_t spawn_sleeper(const char *prog)
{
	char *argv[] = {
		(char *)prog, "-c", "import time; time.sleep(5)", NULL,
	};
	pid_t pid;

	assert_int_equal(posix_spawn(&pid, prog, NULL, NULL, argv, environ), 0);
	wait_mapped(pid, prog);
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/*
 * discover__is_python_name
 */

static void test_python_names(void **state)
{
	static const char *const yes[] = {
		"python", "python3", "python3.11", "python3.13t", "python3.12d",
		"python3.11-dbg", "python3-dbg", "python3.7m", "python2",
		"python2.7", "python3.14", "python3.100",
		"libpython3.11.so", "libpython3.11.so.1", "libpython3.11.so.1.0",
		"libpython3.13t.so.1.0", "libpython3.12d.so.1.0",
		"libpython3.7m.so.1.0", "libpython2.7.so.1.0",
		"libpython3.13td.so",
	};
	static const char *const no[] = {
		"", "foo", "pythonista", "python-config", "python3-config",
		"python3.11-config", "python3.", "python3.x", "python3.11.bak",
		"python3.11 (deleted)", "Python3", "xpython3", "python3.11-gdb.py",
		"libpython", "libpython3", "libpython3.so", "libpython3.11",
		"libpython3.11.a", "libpython3.11.so.", "libpython3.11.so.1.",
		"libpython3.11.so.1.0.bak", "libpython3.11.sox", "libpython3..so",
		"libpython.so", "libpython3.11x.so", "uwsgi", "python3_plugin.so",
		"libpython3.11-pyston.so", "ipython3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!discover__is_python_name(yes[i]))
			fail_msg("not matched: \"%s\"", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (discover__is_python_name(no[i]))
			fail_msg("matched: \"%s\"", no[i]);
	assert_false(discover__is_python_name(NULL));
}

/*
 * discover__add_path
 */

static void test_add_path_errors(void **state)
{
	struct target_list l = { 0 };
	char err[256], fifo[PATH_MAX];

	(void)state;
	err[0] = '\0';
	assert_int_equal(discover__add_path(&l, "/nonexistent/python3.11",
					    err, sizeof(err)), -ENOENT);
	assert_true(err[0] != '\0');
	assert_int_equal(discover__add_path(&l, "/usr/bin", err, sizeof(err)),
			 -EISDIR);
	assert_int_equal(discover__add_path(&l, "/dev/null", err, sizeof(err)),
			 -ENOEXEC);
	assert_true(discover__add_path(&l, "", err, sizeof(err)) < 0);
	/* no error buffer is fine too */
	assert_true(discover__add_path(&l, "/nonexistent", NULL, 0) < 0);

	/* a FIFO is never opened (that would block) */
	mk_scratch();
	snprintf(fifo, sizeof(fifo), "%s/fifo", scratch);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(discover__add_path(&l, fifo, err, sizeof(err)),
			 -ENOEXEC);
	rm_scratch();

	/* an ELF that is not a Python */
	err[0] = '\0';
	assert_true(discover__add_path(&l, "/bin/true", err, sizeof(err)) < 0);
	assert_true(err[0] != '\0');
	assert_int_equal(l.n, 0);
	target_list__free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

static void test_add_path_dedup(void **state)
{
	struct target_list l = { 0 };
	char err[256];
	int ret;

	(void)state;
	if (!exists(PY311))
		skip();
	ret = discover__add_path(&l, PY311, err, sizeof(err));
	if (ret < 0)
		fail_msg("%s: %s", PY311, err);
	assert_int_equal(ret, 1);
	assert_int_equal(discover__add_path(&l, PY311, err, sizeof(err)), 0);
	if (exists("/bin/python3.11"))
		assert_int_equal(discover__add_path(&l, "/bin/python3.11", err,
						    sizeof(err)), 0);
	if (exists("/usr/bin/python3"))
		assert_true(discover__add_path(&l, "/usr/bin/python3", err,
					       sizeof(err)) >= 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].path, PY311);
	assert_true(l.v[0].ino != 0);
	target_list__free(&l);
}

/*
 * discover__pid
 */

static void test_pid_self(void **state)
{
	struct target_list l = { 0 };

	(void)state;
	assert_int_equal(discover__pid(&l, getpid()), -ENOENT);
	assert_int_equal(l.n, 0);
	target_list__free(&l);
}

static void test_pid_gone(void **state)
{
	struct target_list l = { 0 };

	(void)state;
	assert_int_equal(discover__pid(&l, INT_MAX), -ESRCH);
	assert_int_equal(discover__pid(&l, 0), -ESRCH);
	assert_int_equal(discover__pid(&l, -1), -ESRCH);
	assert_int_equal(l.n, 0);
	target_list__free(&l);
}

static void test_pid_python(void **state)
{
	struct target_list l = { 0 };
	pid_t pid;
	int ret;

	(void)state;
	if (!exists(PY311))
		skip();
	pid = spawn_sleeper(PY311);
	ret = discover__pid(&l, pid);
	reap(pid);
	assert_true(ret >= 1);
	assert_true(l.n >= 1);
	assert_true(has_target(&l, "python3.11"));
	target_list__free(&l);
}

/* A python binary under another name is found through /proc/PID/exe. */
static void test_pid_renamed(void **state)
{
	struct target_list l = { 0 };
	char app[PATH_MAX];
	pid_t pid;
	int ret;

	(void)state;
	if (!exists(PY311))
		skip();
	mk_scratch();
	snprintf(app, sizeof(app), "%s/myapp", scratch);
	copy_file(PY311, app);
	pid = spawn_sleeper(app);
	ret = discover__pid(&l, pid);
	reap(pid);
	rm_scratch();
	assert_int_equal(ret, 1);
	assert_int_equal(l.n, 1);
	assert_true(has_target(&l, "/myapp"));
	target_list__free(&l);
}

/* A python whose file was deleted after it started is found all the
 * same, through its mapping (/proc/PID/map_files): deleting the file
 * must not hide the process (issue 12). */
static void test_pid_deleted(void **state)
{
	struct target_list l = { 0 };
	char py[PATH_MAX];
	pid_t pid;
	int ret;

	(void)state;
	if (!exists(PY311))
		skip();
	mk_scratch();
	snprintf(py, sizeof(py), "%s/python3.11", scratch);
	copy_file(PY311, py);
	pid = spawn_sleeper(py);
	assert_int_equal(unlink(py), 0);
	ret = discover__pid(&l, pid);
	rm_scratch();
	assert_int_equal(ret, 1);
	assert_int_equal(l.n, 1);
	assert_int_equal(strncmp(l.v[0].path, "/proc/", 6), 0);
	assert_non_null(strstr(l.v[0].path, "/map_files/"));
	/* the analysed descriptor is kept for the attach */
	assert_true(l.v[0].fd >= 0);
	reap(pid);
	target_list__free(&l);
}

/*
 * discover__system
 */

static void test_system(void **state)
{
	struct target_list l = { 0 };
	size_t i, j;
	int ret;

	(void)state;
	ret = discover__system(&l);
	assert_true(ret >= 0);
	assert_int_equal((size_t)ret, l.n);
	for (i = 0; i < l.n; i++) {
		assert_true(l.v[i].path[0] != '\0');
		for (j = 0; j < i; j++)
			assert_false(l.v[i].dev == l.v[j].dev &&
				     l.v[i].ino == l.v[j].ino);
	}
	if (exists(PY311))
		assert_true(has_target(&l, PY311));
	/* a second pass adds nothing (unless a new Python just started) */
	assert_true(discover__system(&l) >= ret);
	assert_true(l.n >= (size_t)ret);
	target_list__free(&l);
}

/*
 * discover__command
 */

static void test_command_pyenv(void **state)
{
	struct target_list l = { 0 };
	int ret;

	(void)state;
	if (!exists(PYENV312))
		skip();
	ret = discover__command(&l, PYENV312);
	assert_int_equal(ret, 1);
	assert_int_equal(l.n, 1);
	assert_true(has_target(&l, "/libpython3.12.so.1.0"));
	assert_true(l.v[0].shared_lib);
	target_list__free(&l);
}

/* Run fn with PATH set to path, then restore it. */
static int command_with_path(struct target_list *l, const char *argv0,
			     const char *path)
{
	char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	int ret;

	assert_int_equal(setenv("PATH", path, 1), 0);
	ret = discover__command(l, argv0);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	} else {
		unsetenv("PATH");
	}
	return ret;
}

static void test_command_env_script(void **state)
{
	struct target_list l = { 0 };
	char script[PATH_MAX], text[PATH_MAX];

	(void)state;
	if (!exists(PY311) || !exists("/usr/bin/env"))
		skip();
	mk_scratch();
	snprintf(script, sizeof(script), "%s/script", scratch);
	write_file(script, "#!/usr/bin/env python3.11\nprint(1)\n", 0755);
	assert_int_equal(command_with_path(&l, script, "/usr/bin"), 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].path, PY311);

	/* env -S with options, and a script found through PATH */
	snprintf(script, sizeof(script), "%s/env-S", scratch);
	write_file(script, "#!/usr/bin/env -S -i X=1 python3.11 -u -E  \n",
		   0755);
	target_list__free(&l);
	snprintf(text, sizeof(text), "%s:/usr/bin", scratch);
	assert_int_equal(command_with_path(&l, "env-S", text), 1);
	assert_string_equal(l.v[0].path, PY311);
	rm_scratch();
	target_list__free(&l);
}

static void test_command_shebang_chain(void **state)
{
	struct target_list l = { 0 };
	char path[PATH_MAX], text[PATH_MAX + 16];
	int i;

	(void)state;
	if (!exists(PY311))
		skip();
	mk_scratch();
	/* s1 -> s2 -> s3 -> s4 -> python3.11: 4 levels of #! */
	for (i = 1; i <= 4; i++) {
		snprintf(path, sizeof(path), "%s/s%d", scratch, i);
		if (i < 4)
			snprintf(text, sizeof(text), "#! %s/s%d\n", scratch,
				 i + 1);
		else
			snprintf(text, sizeof(text), "#!" PY311 " -u\n");
		write_file(path, text, 0755);
	}
	snprintf(path, sizeof(path), "%s/s1", scratch);
	assert_int_equal(discover__command(&l, path), 1);
	assert_string_equal(l.v[0].path, PY311);
	target_list__free(&l);

	/* s5 -> s6 -> s7 -> s5: a loop */
	for (i = 5; i <= 7; i++) {
		snprintf(path, sizeof(path), "%s/s%d", scratch, i);
		snprintf(text, sizeof(text), "#!%s/s%d\n", scratch,
			 i < 7 ? i + 1 : 5);
		write_file(path, text, 0755);
	}
	snprintf(path, sizeof(path), "%s/s5", scratch);
	assert_int_equal(discover__command(&l, path), -ELOOP);
	assert_int_equal(l.n, 0);
	rm_scratch();
	target_list__free(&l);
}

static void test_command_not_python(void **state)
{
	struct target_list l = { 0 };

	(void)state;
	assert_int_equal(discover__command(&l, "/bin/true"), 0);
	assert_int_equal(command_with_path(&l, "true", "/usr/bin:/bin"), 0);
	assert_int_equal(discover__command(&l, "/nonexistent/cmd"), -ENOENT);
	assert_int_equal(command_with_path(&l, "no-such-command-here",
					   "/usr/bin:/bin"), -ENOENT);
	assert_int_equal(discover__command(&l, ""), -ENOENT);
	assert_int_equal(l.n, 0);
	target_list__free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_names),
		cmocka_unit_test(test_add_path_errors),
		cmocka_unit_test(test_add_path_dedup),
		cmocka_unit_test(test_pid_self),
		cmocka_unit_test(test_pid_gone),
		cmocka_unit_test(test_pid_python),
		cmocka_unit_test(test_pid_renamed),
		cmocka_unit_test(test_pid_deleted),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_command_pyenv),
		cmocka_unit_test(test_command_env_script),
		cmocka_unit_test(test_command_shebang_chain),
		cmocka_unit_test(test_command_not_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
