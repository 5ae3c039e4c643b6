// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/layout.c as a whole table: every row is consistent
 * (a frame layout and a line-table format for every build that has
 * frames), versions only move forward, and the known-versions text of
 * messages and -V is derived from the rows. The values of each row are
 * checked in tests/unit/test_target.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "user/elf.h"
#include "user/layout.h"

#define PYENV		"/root/.pyenv/versions/"
#define MINOR_MAX	40	/* scanned: 3.0 to 3.39 */

/* Every row, found by asking for every version. */
struct found {
	int minor;
	bool ft;
	struct pa_layout l;
};

static size_t scan_rows(struct found *out, size_t max)
{
	size_t n = 0;
	int ft, minor, major;

	for (ft = 0; ft < 2; ft++)
		for (major = 2; major <= 4; major++)
			for (minor = 0; minor < MINOR_MAX; minor++) {
				struct pa_layout l;

				if (layout__for_version(major, minor, ft, &l))
					continue;
				/* CPython 3 only */
				assert_int_equal(major, 3);
				assert_true(n < max);
				out[n].minor = minor;
				out[n].ft = ft;
				out[n].l = l;
				n++;
			}
	return n;
}

static void test_rows_consistent(void **state)
{
	struct found rows[2 * MINOR_MAX];
	size_t n = scan_rows(rows, 2 * MINOR_MAX), i;
	int prev_lt = 0, prev_fk = 0, prev_minor = 0;

	(void)state;
	assert_true(n >= 9);
	for (i = 0; i < n; i++) {
		const struct pa_layout *l = &rows[i].l;

		print_message("  3.%d%s: line tables %u, frames %u\n",
			      rows[i].minor, rows[i].ft ? "t" : "",
			      l->ltab_format, l->frame_kind);
		assert_int_equal(l->py_version, 0x03000000u | rows[i].minor << 16);
		assert_in_range(l->ltab_format, PA_LT_LNOTAB, PA_LT_LOCATIONS);
		/* what the target fills, never the row */
		assert_int_equal(l->dedup_sys_audit, 0);
		assert_int_equal(l->runtime, 0);
		assert_int_equal(l->site_vaddr[0], 0);
		/* per-thread bytecode: free-threaded 3.14+ only, both or
		 * neither, the frame's int32 index within what BPF reads */
		assert_int_equal(!!l->fr_tlbc, rows[i].ft && rows[i].minor >= 14);
		assert_int_equal(!!l->co_tlbc, !!l->fr_tlbc);
		assert_true(!l->fr_tlbc || l->fr_tlbc + 4 <= l->fr_read);
		assert_true(l->fr_read <= 128 && l->co_read <= 160);
		assert_in_range(l->frame_kind, PA_FK_LASTI, PA_FK_CURRENT);
		assert_in_range(l->ts_how, PA_TS_CURRENT, PA_TS_WALK);
		if (l->ts_how == PA_TS_CURRENT)
			assert_true(l->rt_tstate > 0);
		else
			assert_true(l->rt_interp_head && l->interp_threads &&
				    l->ts_next && l->ts_thread_id);
		/* what BPF reads at once holds every field it takes there */
		assert_true(l->fr_back + 8 <= l->fr_read);
		assert_true(l->fr_code + 8 <= l->fr_read);
		assert_true(l->fr_instr + 8 <= l->fr_read);
		assert_true(!l->fr_owner || l->fr_owner + 1 <= l->fr_read);
		assert_true(l->code_filename + 8 <= l->co_read);
		assert_true(l->co_func + 8 <= l->co_read);
		assert_true(l->co_linetable + 8 <= l->co_read);
		assert_true(l->co_firstlineno + 4 <= l->co_read);
		if (rows[i].ft)
			continue;
		/* formats and frame kinds only move forward */
		assert_true(rows[i].minor > prev_minor);
		assert_true(l->ltab_format >= prev_lt);
		assert_true(l->frame_kind >= prev_fk);
		prev_minor = rows[i].minor;
		prev_lt = l->ltab_format;
		prev_fk = l->frame_kind;
	}
	/* each free-threaded build has its default build's line tables,
	 * thread states and frame kind */
	for (i = 0; i < n; i++) {
		struct pa_layout l;

		if (!rows[i].ft)
			continue;
		assert_int_equal(layout__for_version(3, rows[i].minor, false, &l), 0);
		assert_int_equal(rows[i].l.ltab_format, l.ltab_format);
		assert_int_equal(rows[i].l.frame_kind, l.frame_kind);
		assert_int_equal(rows[i].l.ts_thread_id, l.ts_thread_id);
		assert_int_equal(rows[i].l.rt_interp_head, l.rt_interp_head);
	}
}

/* The text layout__known should give, built from the scanned rows. */
static void expected_known(const struct found *rows, size_t n, bool ft,
			   char *buf, size_t len)
{
	size_t i, at = 0, j;

	buf[0] = '\0';
	for (i = 0; i < n; i = j) {
		if (rows[i].ft) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n && !rows[j].ft &&
		     rows[j].minor == rows[j - 1].minor + 1; j++)
			;
		at += snprintf(buf + at, len - at, "%s3.%d", at ? ", " : "",
			       rows[i].minor);
		if (j - 1 > i)
			at += snprintf(buf + at, len - at, "-3.%d",
				       rows[j - 1].minor);
	}
	for (i = 0; i < n && ft; i++)
		if (rows[i].ft)
			at += snprintf(buf + at, len - at, "%s3.%dt",
				       at ? ", " : "", rows[i].minor);
}

static void test_known_text(void **state)
{
	struct found rows[2 * MINOR_MAX];
	size_t n = scan_rows(rows, 2 * MINOR_MAX);
	char got[128], want[128], small[6];

	(void)state;
	expected_known(rows, n, true, want, sizeof(want));
	assert_string_equal(layout__known(got, sizeof(got), LAYOUT_KNOWN_FT),
			    want);
	expected_known(rows, n, false, want, sizeof(want));
	assert_string_equal(layout__known(got, sizeof(got), 0), want);
	/* What users see today (target.c's message, -V's feature) */
	assert_string_equal(layout__known(got, sizeof(got), LAYOUT_KNOWN_FT),
			    "3.8-3.15, 3.13t, 3.14t, 3.15t");
	assert_string_equal(layout__known(got, sizeof(got), 0), "3.8-3.15");
	/* cut short, still terminated */
	assert_string_equal(layout__known(small, sizeof(small), 0), "3.8-3");
	assert_ptr_equal(layout__known(small, 0, 0), small);
}

static void test_debug_offsets_since(void **state)
{
	struct pa_layout l;

	(void)state;
	/* _Py_DebugOffsets appeared in 3.13 (Include/internal/pycore_runtime.h) */
	assert_int_equal(layout__debug_offsets_since(), 0x030d0000);
	assert_int_equal(layout__for_version(3, 13, false, &l), 0);
}

/* The marker symbols tell the pyenv libraries' versions. */
static void test_version_by_symbols(void **state)
{
	static const struct {
		const char *lib;
		int minor;
	} cases[] = {
		{ "3.8.18/lib/libpython3.8.so.1.0", 8 },
		{ "3.9.18/lib/libpython3.9.so.1.0", 9 },
		{ "3.10.13/lib/libpython3.10.so.1.0", 10 },
		{ "3.11.7/lib/libpython3.11.so.1.0", 11 },
		/* 3.12 exports no new marker: 3.11's Py_Version is newest */
		{ "3.12.1/lib/libpython3.12.so.1.0", 11 },
		{ "3.13.0/lib/libpython3.13.so.1.0", 13 },
	};
	char path[256], err[256];
	struct elf_file *ef;
	int major, minor;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), PYENV "%s", cases[i].lib);
		if (access(path, R_OK)) {
			print_message("skipping: %s is absent\n", path);
			continue;
		}
		assert_int_equal(elf__open(path, &ef, err, sizeof(err)), 0);
		assert_int_equal(layout__version_by_symbols(ef, &major, &minor), 0);
		assert_int_equal(major, 3);
		assert_int_equal(minor, cases[i].minor);
		elf__close(ef);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_consistent),
		cmocka_unit_test(test_known_text),
		cmocka_unit_test(test_debug_offsets_since),
		cmocka_unit_test(test_version_by_symbols),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
