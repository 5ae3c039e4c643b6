// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the audit events table (user/event_table.c). Besides
 * spot checks of well-known events, the whole table is checked for the
 * invariants the lookup relies on (strcmp order, no duplicates), so an
 * entry added in the wrong place fails here instead of silently becoming
 * unfindable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include "../../user/event_table.h"

/* Look an event up and compare its argument names with want[0..n-1]. */
static void check_args(const char *name, const char *const *want, unsigned n)
{
	const struct event_def *def = event_table_find(name);
	unsigned i;

	if (!def)
		fail_msg("event %s not in the table", name);
	assert_string_equal(def->name, name);
	assert_int_equal(def->nargs, n);
	for (i = 0; i < n; i++)
		assert_string_equal(def->args[i], want[i]);
}

#define CHECK_ARGS(name, ...)						\
	check_args(name, (const char *const[]){ __VA_ARGS__ },		\
		   sizeof((const char *const[]){ __VA_ARGS__ }) /		\
		   sizeof(const char *))

static void check_no_args(const char *name)
{
	const struct event_def *def = event_table_find(name);

	if (!def)
		fail_msg("event %s not in the table", name);
	assert_int_equal(def->nargs, 0);
}

static void test_open(void **state)
{
	(void)state;
	/* The docs table says "file"; the newer io/os docs say "path". */
	CHECK_ARGS("open", "file", "mode", "flags");
}

static void test_subprocess_popen(void **state)
{
	(void)state;
	CHECK_ARGS("subprocess.Popen", "executable", "args", "cwd", "env");
}

static void test_socket_connect(void **state)
{
	(void)state;
	CHECK_ARGS("socket.connect", "self", "address");
}

static void test_os_system(void **state)
{
	(void)state;
	CHECK_ARGS("os.system", "command");
}

static void test_compile_exec(void **state)
{
	(void)state;
	CHECK_ARGS("compile", "source", "filename");
	CHECK_ARGS("exec", "code_object");
}

static void test_import(void **state)
{
	(void)state;
	CHECK_ARGS("import", "module", "filename", "sys.path",
		   "sys.meta_path", "sys.path_hooks");
}

static void test_glob(void **state)
{
	(void)state;
	CHECK_ARGS("glob.glob", "pathname", "recursive");
	CHECK_ARGS("glob.glob/2", "pathname", "recursive", "root_dir",
		   "dir_fd");
}

/* Events missing from the docs table, and names that changed. */
static void test_undocumented_and_renamed(void **state)
{
	(void)state;
	CHECK_ARGS("_posixsubprocess.fork_exec", "exec_list", "args", "env");
	CHECK_ARGS("_thread.start_joinable_thread", "function", "daemon",
		   "handle");
	CHECK_ARGS("ctypes.PyObj_FromPtr", "obj");
	CHECK_ARGS("cpython.PyConfig_Set", "name", "value");
	CHECK_ARGS("cpython.remote_debugger_script", "script_path");
	CHECK_ARGS("sys.remote_exec", "pid", "script_path");
	CHECK_ARGS("pathlib.Path.walk", "self", "on_error", "follow_symlinks");
	CHECK_ARGS("sys._getframemodulename", "depth");
	CHECK_ARGS("sys.monitoring.register_callback", "func");
	CHECK_ARGS("time.sleep", "secs");
	CHECK_ARGS("shutil.rmtree", "path", "dir_fd");
	CHECK_ARGS("ctypes.string_at", "address", "size");
	CHECK_ARGS("code.__new__", "code", "filename", "name", "argcount",
		   "posonlyargcount", "kwonlyargcount", "nlocals",
		   "stacksize", "flags");
	/* Both the raised and the documented spelling resolve. */
	check_no_args("sys.set_asyncgen_hook_firstiter");
	check_no_args("sys.set_asyncgen_hook_finalizer");
	check_no_args("sys.set_asyncgen_hooks_firstiter");
	check_no_args("sys.set_asyncgen_hooks_finalizer");
}

static void test_no_args(void **state)
{
	(void)state;
	check_no_args("os.fork");
	check_no_args("sys.addaudithook");
	check_no_args("cpython.run_stdin");
	check_no_args("marshal.load");
}

static void test_versions(void **state)
{
	(void)state;
	assert_string_equal(event_table_find("open")->versions, "3.8+");
	assert_string_equal(event_table_find("time.sleep")->versions, "3.13+");
	assert_string_equal(event_table_find("nntplib.connect")->versions,
			    "3.8-3.12");
	assert_string_equal(event_table_find("glob.glob/2")->versions,
			    "3.10+");
	/* 3.14's and 3.15's new events (their docs tables) */
	assert_string_equal(event_table_find("sys.remote_exec")->versions, "3.14+");
	assert_string_equal(event_table_find("sys.remote_exec")->args[1], "script_path");
	assert_string_equal(event_table_find("cpython.remote_debugger_script")->args[0],
			    "script_path");
	assert_string_equal(event_table_find("cpython.PyConfig_Set")->versions, "3.14+");
	assert_string_equal(event_table_find("os._clearenv")->versions, "3.15+");
	assert_int_equal(event_table_find("os._clearenv")->nargs, 0);
	assert_string_equal(event_table_find("winreg.DeleteTree")->versions, "3.15+");
	assert_int_equal(event_table_find("winreg.DeleteTree")->nargs, 2);
	assert_string_equal(event_table_find("winreg.DeleteTree")->args[1], "sub_key");
}

static void test_unknown(void **state)
{
	(void)state;
	assert_null(event_table_find("no.such.event"));
	assert_null(event_table_find(""));
	assert_null(event_table_find(NULL));
	/* Exact match only: no prefix, suffix or case folding. */
	assert_null(event_table_find("ope"));
	assert_null(event_table_find("open "));
	assert_null(event_table_find("OPEN"));
	assert_null(event_table_find("glob.glob/3"));
	/* Before the first and after the last entry. */
	assert_null(event_table_find("\x01"));
	assert_null(event_table_find("\x7f"));
}

static void test_count(void **state)
{
	(void)state;
	assert_true(event_table_count() > 150);
	assert_non_null(event_table_at(0));
	assert_non_null(event_table_at(event_table_count() - 1));
	assert_null(event_table_at(event_table_count()));
}

static void test_sorted_unique(void **state)
{
	size_t i, n = event_table_count();

	(void)state;
	for (i = 1; i < n; i++) {
		const char *prev = event_table_at(i - 1)->name;
		const char *cur = event_table_at(i)->name;

		/* Strictly increasing: sorted and no duplicates at once. */
		if (strcmp(prev, cur) >= 0)
			fail_msg("entry %zu \"%s\" must sort after \"%s\"",
				 i, cur, prev);
	}
}

/* "3.N", "3.N+" or "3.N-3.M" with 8 <= N < M. */
static int versions_ok(const char *v)
{
	unsigned lo, hi;
	int len = 0;
	char plus;

	if (sscanf(v, "3.%u-3.%u%n", &lo, &hi, &len) == 2 &&
	    (size_t)len == strlen(v))
		return lo >= 8 && hi > lo;
	len = 0;
	if (sscanf(v, "3.%u%c%n", &lo, &plus, &len) == 2 &&
	    (size_t)len == strlen(v))
		return lo >= 8 && plus == '+';
	len = 0;
	if (sscanf(v, "3.%u%n", &lo, &len) == 1 &&
	    (size_t)len == strlen(v))
		return lo >= 8;
	return 0;
}

static void test_entries_well_formed(void **state)
{
	size_t i, n = event_table_count();

	(void)state;
	for (i = 0; i < n; i++) {
		const struct event_def *def = event_table_at(i);
		unsigned j, k;

		assert_non_null(def->name);
		assert_true(def->name[0] != '\0');
		if (def->nargs > EVENT_ARGS_MAX)
			fail_msg("%s: nargs %u > %d", def->name, def->nargs,
				 EVENT_ARGS_MAX);
		for (j = 0; j < def->nargs; j++) {
			if (!def->args[j] || !def->args[j][0])
				fail_msg("%s: args[%u] missing", def->name, j);
			for (k = 0; k < j; k++)
				if (!strcmp(def->args[k], def->args[j]))
					fail_msg("%s: args[%u] repeats %s",
						 def->name, j, def->args[j]);
		}
		/* A nargs smaller than the initialiser list is a typo too. */
		for (; j < EVENT_ARGS_MAX; j++)
			if (def->args[j])
				fail_msg("%s: args[%u] set beyond nargs %u",
					 def->name, j, def->nargs);
		if (!def->versions || !versions_ok(def->versions))
			fail_msg("%s: bad versions \"%s\"", def->name,
				 def->versions ? def->versions : "(null)");
		/* Every entry must be reachable through the binary search. */
		assert_ptr_equal(event_table_find(def->name), def);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_subprocess_popen),
		cmocka_unit_test(test_socket_connect),
		cmocka_unit_test(test_os_system),
		cmocka_unit_test(test_compile_exec),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_undocumented_and_renamed),
		cmocka_unit_test(test_no_args),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_sorted_unique),
		cmocka_unit_test(test_entries_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
