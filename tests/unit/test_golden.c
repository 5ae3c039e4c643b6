// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The consumer's output, byte for byte: the records of
 * tests/fixtures/golden/records.bin formatted under several option sets
 * must give exactly the files beside them (their README says how they
 * were made). Guards every change of the record pipeline and the output
 * layer against a difference a user would see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "user/consumer.h"
#include "user/format.h"
#include "user/proc.h"

#define DIR "tests/fixtures/golden/"

/* Target ids of the recording (the order of its --binary options: 3.11,
 * 3.8, 3.9, 3.10, 3.12, 3.13): their line-table formats. */
static const int formats[] = { PA_LT_LOCATIONS, PA_LT_LNOTAB, PA_LT_LNOTAB,
			       PA_LT_LINETABLE, PA_LT_LOCATIONS,
			       PA_LT_LOCATIONS };

static unsigned char *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open (run from the source tree)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return buf;
}

/* The processes are gone at replay time: a made-up context instead. */
static const struct proc_info *made_up_proc(struct proc_cache *c, pid_t pid,
					    uint64_t start_ns)
{
	static const struct proc_info pi = {
		.exe = "/usr/bin/py\"thon\x1b",
		.cmdline_len = 15,
		.cmdline = "python3\0app.py\0",
		.container_id = "0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef",
		.container_runtime = "docker",
		.cwd = "/srv/\"app\"\n",
		.ppid = 7,
		.parent_start_ns = 1234567890123,
		.parent_exec_seq = 2,
		.parent_exe = "/bin/ba\x7fsh",
		.parent_cmdline_len = 11,
		.parent_cmdline = "bash\0-c\0x\xff\0",
	};

	return pid % 3 == 0 ? &pi : NULL;
}

/* Replay every record through the consumer into a memory stream, as
 * pyaudit's ring-buffer callback does. */
static char *replay(const struct format_opts *o, size_t *outlen)
{
	struct consumer c;
	size_t n, off = 0, nrec = 0, i;
	unsigned char *b = load(DIR "records.bin", &n);
	const void *rec;
	char *out = NULL;
	FILE *f = open_memstream(&out, outlen);
	uint32_t len;

	assert_non_null(f);
	assert_int_equal(consumer__init(&c, o, NULL), 0);
	c.proc_get = made_up_proc;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		consumer__set_target(&c, i, formats[i]);
	format__header(f, o);
	while ((rec = consumer__next_kept(b, n, &off, &len))) {
		assert_int_equal(consumer__event(&c, f, rec, len), 0);
		nrec++;
	}
	assert_int_equal(off, n);
	assert_int_equal(nrec, 981);
	consumer__free(&c);
	fclose(f);
	free(b);
	return out;
}

static void check(const char *expected_file, const struct format_opts *o)
{
	size_t elen, glen, i, line = 1;
	unsigned char *exp = load(expected_file, &elen);
	char *got = replay(o, &glen);
	FILE *w;

	/* PYAUDIT_GOLDEN_UPDATE=1: write what is printed now, for a change
	 * of the output made on purpose (review the diff) */
	if (getenv("PYAUDIT_GOLDEN_UPDATE")) {
		w = fopen(expected_file, "wb");
		assert_non_null(w);
		assert_int_equal(fwrite(got, 1, glen, w), glen);
		fclose(w);
	}

	for (i = 0; i < elen && i < glen && (unsigned char)got[i] == exp[i]; i++)
		if (exp[i] == '\n')
			line++;
	if (i != elen || i != glen)
		fail_msg("%s: differs at line %zu (byte %zu; %zu bytes expected, "
			 "%zu got)", expected_file, line, i, elen, glen);
	free(got);
	free(exp);
}

static const int64_t rt_offset = 1764700000000000000LL;
/* exec_id's boot part, and CLOCK_REALTIME - CLOCK_BOOTTIME */
static const char boot_id[] = "0123456789abcdef";
static const int64_t boot_offset = 1764690000000000000LL;

static void test_text(void **state)
{
	struct format_opts o = { .realtime_offset_ns = rt_offset };

	(void)state;
	check(DIR "text.txt", &o);
}

static void test_text_columns_stack(void **state)
{
	struct format_opts o = {
		.realtime_offset_ns = rt_offset, .abs_time = true,
		.col_uid = true, .col_ppid = true, .col_container = true,
		.stack = 3,
	};

	(void)state;
	check(DIR "text-columns-stack3.txt", &o);
}

static void test_json(void **state)
{
	struct format_opts o = { .json = true, .realtime_offset_ns = rt_offset,
				 .boot_id = boot_id,
				 .boot_offset_ns = boot_offset };

	(void)state;
	check(DIR "json.jsonl", &o);
}

static void test_json_stack(void **state)
{
	struct format_opts o = { .json = true, .realtime_offset_ns = rt_offset,
				 .stack = 3, .boot_id = boot_id,
				 .boot_offset_ns = boot_offset };

	(void)state;
	check(DIR "json-stack3.jsonl", &o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_columns_stack),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_stack),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
