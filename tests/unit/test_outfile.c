// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/outfile.c: -o and --record files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user/outfile.h"

static char dir[] = "/tmp/pyaudit-test-outfile.XXXXXX";
static char err[160];

static const char *in_dir(const char *name)
{
	static char path[sizeof(dir) + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(in_dir(name), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static off_t size_of(const char *name)
{
	struct stat st;

	assert_int_equal(stat(in_dir(name), &st), 0);
	return st.st_size;
}

/* A FIFO nobody reads: the open returns at once, and blocking. */
static void test_fifo_does_not_block(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(mkfifo(in_dir("fifo"), 0600), 0);
	fd = outfile__open(in_dir("fifo"), O_WRONLY | O_APPEND | O_CREAT, 0640,
			   err, sizeof(err));
	assert_true(fd >= 0);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
}

/* A symlink is followed only when root owns it. */
static void test_symlink_owner(void **state)
{
	char target[sizeof(dir) + 32];
	int fd;

	(void)state;
	put("target", "secret\n");
	snprintf(target, sizeof(target), "%s", in_dir("target"));
	assert_int_equal(symlink(target, in_dir("link")), 0);
	fd = outfile__open(in_dir("link"), O_WRONLY | O_APPEND | O_CREAT, 0640,
			   err, sizeof(err));
	if (geteuid() == 0) {
		assert_true(fd >= 0);
		close(fd);
		return;
	}
	assert_int_equal(fd, -EPERM);
	assert_non_null(strstr(err, "symlink owned by uid"));
	assert_int_equal(size_of("target"), 7);
}

static void test_record_never_overwrites(void **state)
{
	int fd;

	(void)state;
	/* new: created */
	fd = outfile__record(in_dir("rec"), false, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "data", 4), 4);
	close(fd);
	/* holding data: refused, kept */
	assert_int_equal(outfile__record(in_dir("rec"), false, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "--record-force"));
	assert_int_equal(size_of("rec"), 4);
	/* forced: truncated */
	fd = outfile__record(in_dir("rec"), true, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(size_of("rec"), 0);
	/* empty: taken as it is */
	fd = outfile__record(in_dir("rec"), false, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
}

static int cleanup(void **state)
{
	char cmd[sizeof(dir) + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_does_not_block),
		cmocka_unit_test(test_symlink_owner),
		cmocka_unit_test(test_record_never_overwrites),
	};

	if (!mkdtemp(dir))
		return 1;
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
