// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the /proc/PID/maps parser (user/procmaps.c) on normal
 * and hostile lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../user/procmaps.h"

/*
 * procmaps__parse_line
 */

static void test_maps_file(void **state)
{
	char line[] = "7f1c2a600000-7f1c2a7a5000 r-xp 00028000 fe:01 1442059"
		      "                    /usr/lib/x86_64-linux-gnu/libc.so.6";
	struct maps_entry e;

	(void)state;
	assert_int_equal(procmaps__parse_line(line, &e), 0);
	assert_true(e.start == 0x7f1c2a600000UL);
	assert_true(e.end == 0x7f1c2a7a5000UL);
	assert_string_equal(e.perms, "r-xp");
	assert_true(e.offset == 0x28000UL);
	assert_int_equal(e.dev_major, 0xfe);
	assert_int_equal(e.dev_minor, 1);
	assert_true(e.inode == 1442059UL);
	assert_string_equal(e.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

static void test_maps_anon(void **state)
{
	char l1[] = "7f16a49b8000-7f16a4a7c000 rw-p 00000000 00:00 0 ";
	char l2[] = "7f16a49b8000-7f16a4a7c000 rw-s 00000000 00:00 0";
	char l3[] = "556c04ca7000-556c04cc8000 rw-p 00000000 00:00 0"
		    "                          [heap]";
	char l4[] = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
		    "                  [vsyscall]\n";
	struct maps_entry e;

	(void)state;
	assert_int_equal(procmaps__parse_line(l1, &e), 0);
	assert_string_equal(e.path, "");
	assert_true(e.inode == 0);
	assert_int_equal(procmaps__parse_line(l2, &e), 0);
	assert_string_equal(e.path, "");
	assert_string_equal(e.perms, "rw-s");
	assert_int_equal(procmaps__parse_line(l3, &e), 0);
	assert_string_equal(e.path, "[heap]");
	assert_int_equal(procmaps__parse_line(l4, &e), 0);
	assert_string_equal(e.path, "[vsyscall]");
	assert_true(e.end == 0xffffffffff601000UL);
	assert_string_equal(e.perms, "--xp");
}

static void test_maps_deleted_and_spaces(void **state)
{
	char l1[] = "00400000-00452000 r-xp 00000000 08:02 173521 "
		    "/usr/bin/python3.11 (deleted)";
	char l2[] = "00400000-00452000 r-xp 00000000 08:02 173521      "
		    "/opt/my app/lib/libpython3.12.so.1.0";
	char l3[] = "00400000-00452000 r-xp 00000000 103:0a 4294967296000 "
		    "/a b  c /d e";
	struct maps_entry e;

	(void)state;
	assert_int_equal(procmaps__parse_line(l1, &e), 0);
	assert_string_equal(e.path, "/usr/bin/python3.11 (deleted)");
	assert_int_equal(procmaps__parse_line(l2, &e), 0);
	assert_string_equal(e.path, "/opt/my app/lib/libpython3.12.so.1.0");
	assert_int_equal(procmaps__parse_line(l3, &e), 0);
	assert_string_equal(e.path, "/a b  c /d e");
	assert_int_equal(e.dev_major, 0x103);
	assert_int_equal(e.dev_minor, 0xa);
	assert_true(e.inode == 4294967296000UL);
}

static void test_maps_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		" ",
		"\n",
		"hello world",
		"00400000",
		"00400000-",
		"00400000-00452000",
		"00400000-00452000 ",
		"00400000-00452000 r-x",
		"00400000-00452000 r-xp",
		"00400000-00452000 r-xp 00000000",
		"00400000-00452000 r-xp 00000000 08",
		"00400000-00452000 r-xp 00000000 08:",
		"00400000-00452000 r-xp 00000000 08:02",
		"00400000-00452000 r-xp 00000000 08:02 ",
		"00400000-00452000 r-xp 00000000 08:02 x /p",
		"00400000-00452000 r-xp 00000000 08:02 12/p",
		"00400000-00452000 r-xp 00000000 08:02 -12 /p",
		"00400000-00452000 r-xp 00000000 08:02 +12 /p",
		"00400000-00452000 rwzp 00000000 08:02 1 /p",
		"00400000-00452000 r-xq 00000000 08:02 1 /p",
		"00400000-00452000 r-xpp 00000000 08:02 1 /p",
		"00400000-00452000 r-x 00000000 08:02 1 /p",
		"00400000-00452000  r-xp 00000000 08:02 1 /p",
		"0x400000-00452000 r-xp 00000000 08:02 1 /p",
		" 00400000-00452000 r-xp 00000000 08:02 1 /p",
		"-00400000-00452000 r-xp 00000000 08:02 1 /p",
		"00400000-+00452000 r-xp 00000000 08:02 1 /p",
		"00400000--00452000 r-xp 00000000 08:02 1 /p",
		"00400000:00452000 r-xp 00000000 08:02 1 /p",
		"00452000-00400000 r-xp 00000000 08:02 1 /p",
		"g0400000-00452000 r-xp 00000000 08:02 1 /p",
		"00400000-00452000 r-xp 0000000g 08:02 1 /p",
		"00400000-00452000 r-xp 00000000 08-02 1 /p",
		"00400000-00452000 r-xp 00000000 0g:02 1 /p",
		"00400000-00452000 r-xp 00000000 08:02:03 1 /p",
		"00400000-00452000 r-xp 00000000 123456789:02 1 /p",
		"10000000000000000-20000000000000000 r-xp 0 08:02 1 /p",
		"00400000-00452000 r-xp 00000000 08:02 99999999999999999999999 /p",
		"00400000-00452000 r-xp 00000000 08:02 18446744073709551616 /p",
		"00400000-00452000\tr-xp 00000000 08:02 1 /p",
		"00400000-00452000 r-xp 00000000 08:02 1\t/p",
	};
	struct maps_entry e;
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		if (procmaps__parse_line(buf, &e) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
	assert_int_equal(procmaps__parse_line(NULL, &e), -EINVAL);
	snprintf(buf, sizeof(buf), "00400000-00452000 r-xp 0 08:02 1 /p");
	assert_int_equal(procmaps__parse_line(buf, NULL), -EINVAL);
}

/* Every prefix of a valid line: no crash, and accepted only once the
 * inode is complete. */
static void test_maps_truncated(void **state)
{
	const char *full = "7f1c2a600000-7f1c2a7a5000 r-xp 00028000 fe:01 "
			   "1442059     /usr/lib/libpython3.11.so.1.0";
	size_t inode_end = strlen("7f1c2a600000-7f1c2a7a5000 r-xp 00028000 "
				  "fe:01 1442059");
	size_t inode_start = inode_end - strlen("1442059");
	size_t len, n = strlen(full);
	struct maps_entry e;
	char *buf;

	(void)state;
	for (len = 0; len <= n; len++) {
		int ret;

		/* an exact-size heap copy, so ASan catches any overread */
		buf = malloc(len + 1);
		assert_non_null(buf);
		memcpy(buf, full, len);
		buf[len] = '\0';
		ret = procmaps__parse_line(buf, &e);
		/* a line cut inside the inode is still a valid line */
		assert_int_equal(ret, len > inode_start ? 0 : -EINVAL);
		if (len >= inode_end)
			assert_true(e.inode == 1442059UL);
		free(buf);
	}
}

static void test_maps_long_lines(void **state)
{
	const char *prefix = "00400000-00452000 r-xp 00000000 08:02 173521 ";
	size_t n = 10 * 1024, plen = strlen(prefix);
	struct maps_entry e;
	char *buf;

	(void)state;
	buf = malloc(n + 1);
	assert_non_null(buf);

	/* garbage */
	memset(buf, 'A', n);
	buf[n] = '\0';
	assert_int_equal(procmaps__parse_line(buf, &e), -EINVAL);

	/* a 10 KB number */
	memset(buf, '0', n);
	assert_int_equal(procmaps__parse_line(buf, &e), -EINVAL);

	/* all spaces */
	memset(buf, ' ', n);
	assert_int_equal(procmaps__parse_line(buf, &e), -EINVAL);

	/* a valid line with a 10 KB path: the parser takes it (the reader
	 * of /proc/PID/maps skips lines longer than its buffer) */
	memcpy(buf, prefix, plen);
	buf[plen] = '/';
	memset(buf + plen + 1, 'p', n - plen - 1);
	assert_int_equal(procmaps__parse_line(buf, &e), 0);
	assert_int_equal(strlen(e.path), n - plen);

	/* padding of 10 KB before the path */
	memcpy(buf, prefix, plen);
	memset(buf + plen, ' ', n - plen - 2);
	memcpy(buf + n - 2, "/x", 2);
	assert_int_equal(procmaps__parse_line(buf, &e), 0);
	assert_string_equal(e.path, "/x");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_file),
		cmocka_unit_test(test_maps_anon),
		cmocka_unit_test(test_maps_deleted_and_spaces),
		cmocka_unit_test(test_maps_garbage),
		cmocka_unit_test(test_maps_truncated),
		cmocka_unit_test(test_maps_long_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
