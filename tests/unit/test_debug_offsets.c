// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/layout.c's reading of _Py_DebugOffsets on real
 * interpreters: the table each file carries agrees with the hand-written
 * row of its version, what the table says is what is used, a table that
 * fails a check is not used (and a version never seen is then refused,
 * saying why), and a version never seen is traced on its table.
 *
 * Files: the host's pyenv 3.13.0 libpython; Debian unstable's 3.14.10
 * and 3.15.2 libpython and static executables, extracted from their
 * binary packages (libpython3.1x, python3.1x-minimal) under
 * $PYAUDIT_SID (default /tmp/apt-sid: x14, x15, m14, m15); free-threaded
 * builds under $PYAUDIT_PYTHONS (default /var/cache/pyaudit-pythons).
 * An absent file is skipped, saying so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user/elf.h"
#include "user/layout.h"
#include "user/target.h"

#define PYENV "/root/.pyenv/versions/"

struct real {
	const char *path;	/* under sid when relative */
	int minor;
	bool ft;
};

static const struct real reals[] = {
	{ PYENV "3.13.0/lib/libpython3.13.so.1.0", 13, false },
	{ "x14/usr/lib/x86_64-linux-gnu/libpython3.14.so.1.0", 14, false },
	{ "m14/usr/bin/python3.14", 14, false },
	{ "x15/usr/lib/x86_64-linux-gnu/libpython3.15.so.1.0", 15, false },
	{ "m15/usr/bin/python3.15", 15, false },
};

#define LIB315 "x15/usr/lib/x86_64-linux-gnu/libpython3.15.so.1.0"
#define LIB313 PYENV "3.13.0/lib/libpython3.13.so.1.0"

static void real_path(const char *p, char *out, size_t len)
{
	const char *sid = getenv("PYAUDIT_SID");

	if (p[0] == '/')
		snprintf(out, len, "%s", p);
	else
		snprintf(out, len, "%s/%s", sid ? sid : "/tmp/apt-sid", p);
}

/* The whole file, or NULL (skipped, saying so). */
static uint8_t *slurp(const char *p, size_t *size)
{
	char path[512];
	uint8_t *buf;
	FILE *f;
	long n;

	real_path(p, path, sizeof(path));
	f = fopen(path, "rb");
	if (!f) {
		print_message("skipping: %s is absent\n", path);
		return NULL;
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return buf;
}

static struct elf_file *open_img(const uint8_t *img, size_t size)
{
	struct elf_file *ef;
	char err[256];

	assert_int_equal(elf__open_mem(img, size, &ef, err, sizeof(err)), 0);
	return ef;
}

/* The file offset of .PyRuntime (where _Py_DebugOffsets starts). */
static uint64_t dbg_off(const uint8_t *img, size_t size)
{
	struct elf_file *ef = open_img(img, size);
	struct elf_section sec;

	assert_int_equal(elf__section_info_by_name(ef, ".PyRuntime", &sec), 0);
	elf__close(ef);
	return sec.offset;
}

static uint64_t get64(const uint8_t *img, uint64_t off)
{
	uint64_t v;

	memcpy(&v, img + off, 8);
	return v;
}

static void put64(uint8_t *img, uint64_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

/* Fields of two layouts that differ, printed; their count. */
static int diff_layouts(const struct pa_layout *a, const struct pa_layout *b)
{
	const uint8_t *x = (const void *)a, *y = (const void *)b;
	int n = 0;

	for (size_t i = 0; i < sizeof(*a); i++)
		if (x[i] != y[i]) {
			print_message("  byte %zu of struct pa_layout: %u vs %u\n",
				      i, x[i], y[i]);
			n++;
		}
	return n;
}

/*
 * Every real file's table passes the checks, is used (why is empty) and
 * agrees with the hand-written row on every offset it gives.
 */
static void test_tables_match_rows(void **state)
{
	struct pa_layout l, row;
	struct elf_file *ef;
	char why[256];
	uint8_t *img;
	size_t size;
	int seen = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		img = slurp(reals[i].path, &size);
		if (!img)
			continue;
		ef = open_img(img, size);
		assert_int_equal(layout__for_file(ef, 3, reals[i].minor,
						  reals[i].ft, &l, why,
						  sizeof(why)), 0);
		if (why[0])
			print_message("%s: %s\n", reals[i].path, why);
		assert_string_equal(why, "");
		assert_int_equal(layout__for_version(3, reals[i].minor,
						     reals[i].ft, &row), 0);
		assert_int_equal(diff_layouts(&l, &row), 0);
		print_message("  3.%d%s %s: _Py_DebugOffsets version 0x%08llx agrees with the row\n",
			      reals[i].minor, reals[i].ft ? "t" : "",
			      reals[i].path,
			      (unsigned long long)get64(img, dbg_off(img, size) + 8));
		elf__close(ef);
		free(img);
		seen++;
	}
	print_message("  %d files checked\n", seen);
}

/* What the file's table says wins over the row; a table failing a check
 * is not used, and -v says why. */
static void test_table_is_used(void **state)
{
	struct pa_layout l, row;
	struct elf_file *ef;
	uint8_t *img;
	char why[256];
	size_t size;
	uint64_t d;

	(void)state;
	img = slurp(LIB315, &size);
	if (!img)
		return;
	d = dbg_off(img, size);
	assert_int_equal(layout__for_version(3, 15, false, &row), 0);
	/* thread_state.thread_id (3.15: position 240) says 184 */
	assert_int_equal(get64(img, d + 240), 176);
	put64(img, d + 240, 184);
	ef = open_img(img, size);
	assert_int_equal(layout__for_file(ef, 3, 15, false, &l, why, sizeof(why)), 0);
	assert_int_equal(l.ts_thread_id, 184);
	l.ts_thread_id = row.ts_thread_id;
	assert_int_equal(diff_layouts(&l, &row), 0);
	elf__close(ef);

	/* code_object.qualname past what BPF reads of a code object: the
	 * objects are still traced, source locations are off */
	put64(img, d + 400, 200);
	ef = open_img(img, size);
	assert_int_equal(layout__for_file(ef, 3, 15, false, &l, why, sizeof(why)), 0);
	assert_int_equal(l.co_func, 200);
	assert_int_equal(l.frame_kind, 0);
	elf__close(ef);
	put64(img, d + 400, 128);

	/* pyobject.size 24: not a CPython header; the row is used */
	put64(img, d + 464, 24);
	ef = open_img(img, size);
	assert_int_equal(layout__for_file(ef, 3, 15, false, &l, why, sizeof(why)), 0);
	assert_string_equal(why, "_Py_DebugOffsets not used: pyobject.size 24, expected 16");
	assert_int_equal(diff_layouts(&l, &row), 0);
	elf__close(ef);
	free(img);
}

/* A copy of a libpython whose Py_Version, _Py_DebugOffsets version and
 * SONAME say v (3.1N); NULL when absent. */
static uint8_t *as_version(const char *p, uint32_t v, size_t *size,
			   uint64_t *d)
{
	struct elf_file *ef;
	uint64_t sym, off;
	uint8_t *img, *at;
	char so[16];
	int n = 0;

	img = slurp(p, size);
	if (!img)
		return NULL;
	/* "libpython3.1N.so" in .dynstr: the same length */
	snprintf(so, sizeof(so), "%02u", (v >> 16) & 0xff);
	for (at = img; (at = memmem(at, *size - (at - img), "libpython3.1", 12));
	     at += 12) {
		if (memcmp(at + 13, ".so", 3))
			continue;
		at[11] = so[0];
		at[12] = so[1];
		n++;
	}
	assert_true(n > 0);
	*d = dbg_off(img, *size);
	put64(img, *d + 8, v);
	ef = open_img(img, *size);
	assert_int_equal(elf__find_dynsym(ef, "Py_Version", &sym, NULL), 0);
	assert_int_equal(elf__vaddr_to_offset(ef, sym, &off), 0);
	elf__close(ef);
	put64(img, off, v);
	return img;
}

static int analyze_img(const uint8_t *img, size_t size, struct target *t,
		       char *err, size_t errlen)
{
	struct elf_file *ef = open_img(img, size);
	int ret = target__analyze_elf(ef, "libpython3.16.so", t, err, errlen);

	elf__close(ef);
	return ret;
}

/* A target for a copy of p saying 3.16.0a1 (NULL when p is absent). */
static struct target *as_316(const char *p, uint8_t **img, size_t *size,
			     uint64_t *d)
{
	struct target *t;

	*img = as_version(p, 0x031000a1, size, d);
	if (!*img)
		return NULL;
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	return t;
}

/*
 * A version never seen (3.16.0a1, a copy of 3.15.2 saying so) is traced
 * on its table, with one warning naming it; with a table that fails a
 * check, it is refused, saying which.
 */
static void test_unseen_version(void **state)
{
	struct pa_layout row;
	struct target *t;
	char err[512];
	uint8_t *img;
	size_t size;
	uint64_t d;

	(void)state;
	t = as_316(LIB315, &img, &size, &d);
	if (!t)
		return;
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), 0);
	assert_int_equal(t->py_minor, 16);
	assert_int_equal(t->py_version_hex, 0x031000a1);
	assert_string_equal(t->warning,
			    "libpython3.16.so: CPython 3.16 is newer than pyaudit knows (3.8-3.15): traced with the offsets its _Py_DebugOffsets gives (read as 3.15's) and 3.15's for the rest");
	assert_int_equal(t->mech, TARGET_MECH_USDT);
	/* the table is 3.15's: so is every offset */
	assert_int_equal(layout__for_version(3, 15, false, &row), 0);
	assert_int_equal(t->layout.py_version, 0x03100000);
	assert_int_equal(t->layout.frame_kind, PA_FK_CURRENT);
	assert_int_equal(t->layout.ts_thread_id, row.ts_thread_id);
	assert_int_equal(t->layout.rt_interp_head, row.rt_interp_head);
	assert_int_equal(t->layout.co_code, row.co_code);
	assert_int_equal(t->layout.str_compact_data, row.str_compact_data);

	/* each check, failing, refuses it and says why */
	put64(img, d + 472, 0);		/* pyobject.ob_type */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_string_equal(err, "libpython3.16.so: CPython 3.16: not traced: newer than pyaudit knows (3.8-3.15), and its _Py_DebugOffsets, read as 3.15's, fails a check: pyobject.ob_type 0, expected 8");
	put64(img, d + 472, 8);
	put64(img, d + 384, 5000);	/* code_object.filename */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "fails a check: code_object.filename 5000 is not a member of a 216-byte struct"));
	put64(img, d + 384, 113);	/* misaligned */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "code_object.filename 113 is not a member"));
	put64(img, d + 384, 112);
	put64(img, d + 24, 1000);	/* runtime_state.size */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "runtime_state.size 1000, but .PyRuntime is 346568 bytes"));
	put64(img, d + 24, 346568);
	put64(img, d + 368, 72);	/* tlbc_index in a default build */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "interpreter_frame.tlbc_index 72 in a default build"));
	put64(img, d + 368, 0);
	put64(img, d + 312, 0);		/* interpreter_frame.size */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "interpreter_frame.size 0 is not a struct size"));
	put64(img, d + 312, 88);
	memcpy(img + d, "ydebugpy", 8);
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	memcpy(img + d, "xdebugpy", 8);
	/* restored: traced again */
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), 0);
	free(img);
	free(t);
}

/* 3.13's table read as 3.15's (a 3.13 copy saying 3.16): refused. */
static void test_unseen_old_format(void **state)
{
	struct target *t;
	char err[512];
	uint8_t *img;
	size_t size;
	uint64_t d;

	(void)state;
	t = as_316(LIB313, &img, &size, &d);
	if (!t)
		return;
	assert_int_equal(analyze_img(img, size, t, err, sizeof(err)), -EPROTONOSUPPORT);
	print_message("  %s\n", err);
	assert_non_null(strstr(err, "CPython 3.16: not traced: newer than pyaudit knows (3.8-3.15), and its _Py_DebugOffsets, read as 3.15's, fails a check: "));
	free(img);
	free(t);
}

/*
 * Debian's static python3.14 and python3.15 carry several python:audit
 * notes (inlined copies of sys_audit_tstate): the probed ip does not say
 * which, but the files are ET_EXEC, loaded where they were linked.
 */
static void test_static_several_notes(void **state)
{
	static const char *const exes[] = { "m14/usr/bin/python3.14",
					    "m15/usr/bin/python3.15" };
	char path[512], err[512];
	struct target *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	for (size_t i = 0; i < 2; i++) {
		real_path(exes[i], path, sizeof(path));
		if (access(path, R_OK)) {
			print_message("skipping: %s is absent\n", path);
			continue;
		}
		assert_int_equal(target__analyze(path, t, err, sizeof(err)), 0);
		assert_int_equal(t->mech, TARGET_MECH_USDT);
		assert_int_equal(t->layout.link_bias, 1);
		assert_int_equal(t->layout.site_vaddr[PA_SRC_USDT], 0);
		assert_true(t->layout.runtime != 0);
		assert_string_equal(t->warning, "");
	}
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_match_rows),
		cmocka_unit_test(test_table_is_used),
		cmocka_unit_test(test_unseen_version),
		cmocka_unit_test(test_unseen_old_format),
		cmocka_unit_test(test_static_several_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
