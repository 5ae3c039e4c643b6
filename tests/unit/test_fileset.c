// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/fileset.c: the set of file states discovery keeps. */
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
#include "user/fileset.h"

static struct file_state st(dev_t dev, ino_t ino, off_t size, int64_t sec,
			    uint32_t nsec)
{
	struct file_state s = {
		.dev = dev, .ino = ino, .size = size,
		.ctime_sec = sec, .ctime_nsec = nsec,
	};

	return s;
}

/* A state is found only whole: another size or ctime is another state. */
static void test_whole_state(void **state)
{
	struct fileset set = { 0 };
	struct file_state a = st(8, 42, 1000, 1700000000, 5);
	struct file_state b;

	(void)state;
	assert_false(fileset__has(&set, &a));
	assert_int_equal(fileset__add(&set, &a), 0);
	assert_true(fileset__has(&set, &a));
	assert_int_equal(fileset__add(&set, &a), 0);	/* once */
	assert_int_equal(set.n, 1);
	b = a;
	b.size++;
	assert_false(fileset__has(&set, &b));
	b = a;
	b.ctime_nsec++;
	assert_false(fileset__has(&set, &b));
	b = a;
	b.ctime_sec++;
	assert_false(fileset__has(&set, &b));
	b = a;
	b.dev++;
	assert_false(fileset__has(&set, &b));
	fileset__free(&set);
	assert_int_equal(set.n, 0);
}

/* Grows past many rehashes and keeps every state; full at FILESET_MAX,
 * counted. */
static void test_grow_and_bound(void **state)
{
	struct fileset set = { 0 };
	size_t i;

	(void)state;
	for (i = 1; i <= FILESET_MAX; i++) {
		struct file_state s = st(1 + (dev_t)(i % 3), (ino_t)i, (off_t)i, 7, 0);

		assert_int_equal(fileset__add(&set, &s), 0);
	}
	for (i = 1; i <= FILESET_MAX; i += 97) {
		struct file_state s = st(1 + (dev_t)(i % 3), (ino_t)i, (off_t)i, 7, 0);

		assert_true(fileset__has(&set, &s));
	}
	struct file_state more = st(9, 1, 1, 1, 1);

	assert_int_equal(fileset__add(&set, &more), -ENOSPC);
	assert_int_equal(set.dropped, 1);
	assert_false(fileset__has(&set, &more));
	fileset__free(&set);
}

/* From stat(2): a file rewritten in place (same inode) is a new state. */
static void test_from_stat_rewrite(void **state)
{
	char path[] = "/tmp/pyaudit-test-fileset.XXXXXX";
	struct fileset set = { 0 };
	struct file_state a, b;
	struct stat s1, s2;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "one", 3), 3);
	assert_int_equal(fstat(fd, &s1), 0);
	file_state__from_stat(&s1, &a);
	assert_int_equal(fileset__add(&set, &a), 0);
	usleep(20000);		/* a ctime later, whatever the granularity */
	assert_int_equal(pwrite(fd, "two", 3, 0), 3);
	assert_int_equal(fstat(fd, &s2), 0);
	assert_int_equal(s1.st_ino, s2.st_ino);
	file_state__from_stat(&s2, &b);
	assert_false(fileset__has(&set, &b));
	assert_true(fileset__has(&set, &a));
	close(fd);
	unlink(path);
	fileset__free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_state),
		cmocka_unit_test(test_grow_and_bound),
		cmocka_unit_test(test_from_stat_rewrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
