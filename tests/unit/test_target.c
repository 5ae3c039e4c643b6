// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/target.c and user/layout.c: the layout table, the
 * probe-site instruction classifier, synthetic targets built in memory
 * (tests/fixtures/mkelf.h), and the real CPython builds of this machine
 * where present (skipped, with the path, where absent).
 */
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

#include "user/elf.h"
#include "user/layout.h"
#include "user/target.h"
#include "tests/fixtures/mkelf.h"

#define PY311_EXE	"/usr/bin/python3.11"
#define PY311_SO	"/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"
#define PYENV		"/root/.pyenv/versions/"

static bool present(const char *path)
{
	if (!access(path, R_OK))
		return true;
	print_message("skipping: %s is absent\n", path);
	return false;
}

static uint8_t *read_all(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	*size = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	*size = got;
	return buf;
}

/* Write img to a new temporary file; its name goes to path. */
static void write_tmp(const uint8_t *img, size_t size, char path[64])
{
	int fd;

	strcpy(path, "/tmp/pa-test-target-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, size), (ssize_t)size);
	close(fd);
}

/* Analyse a synthetic image through a temporary file. */
static int analyze_img(const uint8_t *img, size_t size, struct target *t,
		       char *err, size_t errlen)
{
	char path[64];
	int ret;

	write_tmp(img, size, path);
	ret = target__analyze(path, t, err, errlen);
	unlink(path);
	return ret;
}

static int analyze_opts(const struct mkelf_opts *o, struct target *t,
			char *err, size_t errlen)
{
	size_t size;
	uint8_t *img = mkelf(o, &size);
	int ret;

	assert_non_null(img);
	ret = analyze_img(img, size, t, err, errlen);
	free(img);
	return ret;
}

static void expect_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		print_message("\"%s\" does not contain \"%s\"\n", s, needle);
	assert_non_null(strstr(s, needle));
}

static void print_target(const struct target *t)
{
	int i;

	print_message("  %s: CPython %d.%d%s hex 0x%08x, %s, %s\n", t->path,
		      t->py_major, t->py_minor, t->free_threaded ? "t" : "",
		      t->py_version_hex,
		      t->mech == TARGET_MECH_USDT ? "USDT" : "uprobes",
		      t->shared_lib ? "shared library" : "executable");
	for (i = 0; i < t->nsites; i++)
		print_message("    site 0x%llx (file offset 0x%llx) source %u %s: %s\n",
			      (unsigned long long)t->sites[i].vaddr,
			      (unsigned long long)t->sites[i].file_off,
			      t->sites[i].source,
			      t->sites[i].single_step ? "single-stepped" : "emulated",
			      t->sites[i].desc);
}

/* ---- layouts ------------------------------------------------------- */

static void test_layout_table(void **state)
{
	static const struct {
		int minor;
		bool ft;
	} known[] = {
		{ 8, false }, { 9, false }, { 10, false }, { 11, false },
		{ 12, false }, { 13, false }, { 14, false }, { 15, false },
		{ 13, true }, { 14, true }, { 15, true },
	};
	struct pa_layout l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(layout__for_version(3, known[i].minor,
						     known[i].ft, &l), 0);
		assert_int_equal(l.py_version, 0x03000000u | known[i].minor << 16);
		assert_int_equal(l.dedup_sys_audit, 0);
		/* sizes every version agrees on, relative to the header */
		assert_int_equal(l.ob_size, l.ob_type + 8);
		assert_int_equal(l.tp_name, l.ob_size + 8);
		assert_int_equal(l.tp_flags, l.tp_name + 144);
		assert_int_equal(l.float_val, l.ob_size);
		assert_int_equal(l.bytes_data, l.ob_size + 16);
		assert_int_equal(l.list_items, l.ob_size + 8);
		assert_int_equal(l.long_tag, l.ob_size);
		assert_int_equal(l.long_digits, l.ob_size + 8);
		assert_int_equal(l.str_length, l.ob_size);
		assert_int_equal(l.str_state, l.ob_size + 16);
		assert_int_equal(l.long_lv_tag, known[i].minor >= 12);
	}

	assert_int_equal(layout__for_version(3, 7, false, &l), -ENOTSUP);
	assert_int_equal(layout__for_version(3, 16, false, &l), -ENOTSUP);
	assert_int_equal(layout__for_version(2, 7, false, &l), -ENOTSUP);
	assert_int_equal(layout__for_version(4, 0, false, &l), -ENOTSUP);
	assert_int_equal(layout__for_version(3, 12, true, &l), -ENOTSUP);

	/* 3.8: the oldest */
	layout__for_version(3, 8, false, &l);
	assert_int_equal(l.ob_type, 8);
	assert_int_equal(l.tuple_items, 24);
	assert_int_equal(l.str_ascii_data, 48);
	assert_int_equal(l.str_compact_data, 72);
	assert_int_equal(l.str_utf8, 56);
	assert_int_equal(l.str_legacy_data, 72);
	assert_int_equal(l.code_filename, 104);
	assert_int_equal(l.code_name, 112);
	assert_int_equal(l.str_kind_shift, 2);
	assert_int_equal(l.str_compact_bit, 5);
	assert_int_equal(l.str_ascii_bit, 6);
	/* 3.11: code object reordered */
	layout__for_version(3, 11, false, &l);
	assert_int_equal(l.code_filename, 112);
	assert_int_equal(l.code_name, 120);
	assert_int_equal(l.str_ascii_data, 48);
	/* 3.12: no wstr */
	layout__for_version(3, 12, false, &l);
	assert_int_equal(l.str_ascii_data, 40);
	assert_int_equal(l.str_compact_data, 56);
	assert_int_equal(l.str_utf8, 48);
	assert_int_equal(l.str_legacy_data, 56);
	assert_int_equal(l.tuple_items, 24);
	/* 3.14: tuple ob_hash */
	layout__for_version(3, 14, false, &l);
	assert_int_equal(l.tuple_items, 32);
	assert_int_equal(l.py_version, 0x030e0000);
	/* 3.13t: 32-byte header */
	layout__for_version(3, 13, true, &l);
	assert_int_equal(l.ob_type, 24);
	assert_int_equal(l.tp_flags, 184);
	assert_int_equal(l.tuple_items, 40);
	assert_int_equal(l.str_ascii_data, 56);
	assert_int_equal(l.str_compact_data, 72);
	assert_int_equal(l.str_utf8, 64);
	assert_int_equal(l.code_filename, 128);
	assert_int_equal(l.code_name, 136);
	assert_int_equal(l.str_kind_shift, 2);
	/* 3.14t: unicode state bits moved */
	layout__for_version(3, 14, true, &l);
	assert_int_equal(l.tuple_items, 48);
	assert_int_equal(l.str_kind_shift, 8);
	assert_int_equal(l.str_compact_bit, 11);
	assert_int_equal(l.str_ascii_bit, 12);
}

/* ---- instruction classifier ---------------------------------------- */

static bool emulated(const char *bytes, size_t len, const char *name)
{
	char n[48];
	bool emu = target__insn_emulated((const uint8_t *)bytes, len, n, sizeof(n));

	if (name)
		assert_string_equal(n, name);
	return emu;
}

static void test_classifier(void **state)
{
	(void)state;
	assert_true(emulated("\x55", 1, "push %rbp"));
	assert_true(emulated("\x50", 1, "push %rax"));
	assert_true(emulated("\x57", 1, "push %rdi"));
	assert_true(emulated("\x41\x57", 2, "push %r15"));
	assert_true(emulated("\x41\x55", 2, "push %r13"));
	assert_true(emulated("\x90", 1, "nop"));
	assert_true(emulated("\x66\x90", 2, "nop"));
	assert_true(emulated("\x0f\x1f\x44\x00\x00", 5, "nop"));
	assert_true(emulated("\x74\x05", 2, "je"));
	assert_true(emulated("\x75\x05", 2, "jne"));
	assert_true(emulated("\x7f\x05", 2, "jcc"));
	assert_true(emulated("\x0f\x84\x00\x01\x00\x00", 6, "je"));
	assert_true(emulated("\x0f\x8f\x00\x01\x00\x00", 6, "jcc"));
	assert_true(emulated("\xeb\x05", 2, "jmp"));
	assert_true(emulated("\xe9\x00\x01\x00\x00", 5, "jmp"));
	assert_true(emulated("\xe8\x00\x01\x00\x00", 5, "call"));

	assert_false(emulated("\x48\x85\xff", 3, "test %rdi,%rdi"));
	assert_false(emulated("\x48\x81\xec\xd8\x00\x00\x00", 7, "sub $imm32,%rsp"));
	assert_false(emulated("\x48\x83\xec\x08", 4, "sub $imm8,%rsp"));
	assert_false(emulated("\x48\xb9\xff\xff\xff\xff\xff\xff\xff\x7f", 10,
			      "movabs"));
	assert_false(emulated("\xf3\x0f\x1e\xfa", 4, "endbr64"));
	assert_false(emulated("\x48\x89\xe5", 3, "insn 48 89 e5"));
	assert_false(emulated("\x41\x58", 2, NULL));	/* pop %r8 */
	assert_false(emulated("\x40\x55", 2, NULL));	/* REX without B */
	assert_false(emulated("\x41", 1, NULL));	/* cut short */
	assert_false(emulated("\x0f", 1, NULL));
	assert_false(emulated("", 0, NULL));
}

/* ---- synthetic targets --------------------------------------------- */

static const struct mkelf_opts lib312 = {
	.soname = "libpython3.12.so.1.0",
	.needed = "libc.so.6",
	.py_version = 0x030c01f0,
};

static void test_synthetic_stripped(void **state)
{
	struct target t;
	char err[256];

	(void)state;
	assert_int_equal(analyze_opts(&lib312, &t, err, sizeof(err)), 0);
	print_target(&t);
	assert_int_equal(t.py_major, 3);
	assert_int_equal(t.py_minor, 12);
	assert_int_equal(t.py_version_hex, 0x030c01f0);
	assert_false(t.free_threaded);
	assert_true(t.shared_lib);
	assert_int_equal(t.mech, TARGET_MECH_UPROBES);
	assert_int_equal(t.layout.py_version, 0x030c0000);
	assert_int_equal(t.layout.str_ascii_data, 40);
	assert_int_equal(t.layout.dedup_sys_audit, 1);
	assert_true(t.ino != 0);
	assert_int_equal(t.nsites, 2);

	assert_int_equal(t.sites[0].vaddr, MK_SYS_AUDIT);
	assert_int_equal(t.sites[0].file_off, MK_SYS_AUDIT);
	assert_int_equal(t.sites[0].source, PA_SRC_SYS_AUDIT);
	assert_false(t.sites[0].single_step);
	assert_string_equal(t.sites[0].desc,
			    "sys_audit+0x0 (push %r13: emulated) found in the sys method table");

	assert_int_equal(t.sites[1].vaddr, MK_SYS_AUDIT_TSTATE + 3);
	assert_int_equal(t.sites[1].source, PA_SRC_VALIST);
	assert_false(t.sites[1].single_step);
	assert_string_equal(t.sites[1].desc,
			    "sys_audit_tstate+0x3 (je after test %rdi,%rdi: emulated) found as the call in PySys_Audit");
	expect_contains(t.why, "sys_audit_tstate");
}

static void test_synthetic_symbols(void **state)
{
	struct mkelf_opts o = lib312;
	struct target t;
	char err[256];

	(void)state;
	o.symtab = true;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nsites, 2);
	assert_int_equal(t.sites[0].vaddr, MK_SYS_AUDIT);
	expect_contains(t.sites[0].desc, "found by symbol");
	assert_int_equal(t.sites[1].vaddr, MK_SYS_AUDIT_TSTATE + 3);
	assert_string_equal(t.sites[1].desc,
			    "sys_audit_tstate+0x3 (je after test %rdi,%rdi: emulated) found by symbol");
}

/* lld style: the pointer words are 0, the values only in the relocations */
static void test_synthetic_zero_words(void **state)
{
	struct mkelf_opts o = lib312;
	struct elf_file *ef;
	struct target t;
	char err[256];
	uint64_t v;
	size_t size;
	uint8_t *img;

	(void)state;
	o.zero_words = true;
	img = mkelf(&o, &size);
	assert_int_equal(elf__open_mem(img, size, &ef, err, sizeof(err)), 0);
	assert_int_equal(target__find_sys_audit_by_table(ef, &v), 0);
	assert_int_equal(v, MK_SYS_AUDIT);
	elf__close(ef);
	assert_int_equal(analyze_img(img, size, &t, err, sizeof(err)), 0);
	assert_int_equal(t.sites[0].vaddr, MK_SYS_AUDIT);
	free(img);

	/* neither words nor relocations: nothing to find */
	img = mkelf(&o, &size);
	memset(img + MK_RELA, 0, 8 * sizeof(Elf64_Rela));
	assert_int_equal(elf__open_mem(img, size, &ef, err, sizeof(err)), 0);
	assert_int_equal(target__find_sys_audit_by_table(ef, &v), -ENOENT);
	elf__close(ef);
	free(img);
}

static void test_synthetic_no_sys_audit(void **state)
{
	struct mkelf_opts o = lib312;
	struct target t;
	char err[256];

	(void)state;
	o.no_addaudithook = true;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ESRCH);
	expect_contains(err, "cannot find sys.audit's C function: Python-level events would be missed");
}

static void test_synthetic_usdt(void **state)
{
	struct mkelf_opts o = lib312;
	struct target t;
	char err[256];

	(void)state;
	o.usdt = true;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.mech, TARGET_MECH_USDT);
	assert_int_equal(t.nsites, 0);
	assert_int_equal(t.layout.dedup_sys_audit, 0);
	assert_string_equal(t.why,
			    "python:audit USDT note: one probe on a nop sees every C-level and Python-level event (arming it makes every process using this file build the argument tuple of every event)");
}

/* sys_audit_tstate not found: PySys_Audit (and _PySys_Audit if named) */
static void test_synthetic_fallback(void **state)
{
	struct mkelf_opts o = lib312;
	struct target t;
	char err[256];

	(void)state;
	o.tstate_push_first = true;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	print_target(&t);
	assert_int_equal(t.nsites, 2);
	assert_int_equal(t.sites[1].vaddr, MK_PYSYS_AUDIT);
	assert_int_equal(t.sites[1].source, PA_SRC_VARARGS);
	assert_false(t.sites[1].single_step);	/* push %rbp */
	expect_contains(t.sites[1].desc, "PySys_Audit+0x0 (push %rbp: emulated) exported");
	expect_contains(t.sites[1].desc, "import, exec of __main__");
	expect_contains(t.why, "missed");

	o.symtab = true;
	o.symtab_no_tstate = true;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	print_target(&t);
	assert_int_equal(t.nsites, 3);
	assert_int_equal(t.sites[1].vaddr, MK_PYSYS_AUDIT);
	assert_null(strstr(t.sites[1].desc, "missed"));
	assert_int_equal(t.sites[2].vaddr, MK__PYSYS_AUDIT);
	assert_int_equal(t.sites[2].source, PA_SRC_VARARGS_TS);
	assert_true(t.sites[2].single_step);	/* sub $0xd8,%rsp */
	assert_string_equal(t.sites[2].desc,
			    "_PySys_Audit+0x0 (sub $imm32,%rsp: single-stepped) found by symbol");

	/* by symbol, entry not a test: probe the entry */
	o.symtab_no_tstate = false;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nsites, 2);
	assert_int_equal(t.sites[1].vaddr, MK_SYS_AUDIT_TSTATE);
	assert_string_equal(t.sites[1].desc,
			    "sys_audit_tstate+0x0 (push %r15: emulated) found by symbol");
}

/* A CET build: endbr64 first, the probe goes on the push after it. */
static void test_synthetic_endbr64(void **state)
{
	static const uint8_t body[] = {
		0xf3, 0x0f, 0x1e, 0xfa,		/* endbr64 */
		0x41, 0x55,			/* push %r13 */
		0x41, 0x5d,			/* pop %r13 */
		0xc3,
	};
	struct target t;
	char err[256];
	size_t size;
	uint8_t *img = mkelf(&lib312, &size);

	(void)state;
	memcpy(img + MK_SYS_AUDIT, body, sizeof(body));
	assert_int_equal(analyze_img(img, size, &t, err, sizeof(err)), 0);
	assert_int_equal(t.sites[0].vaddr, MK_SYS_AUDIT + 4);
	assert_int_equal(t.sites[0].file_off, MK_SYS_AUDIT + 4);
	assert_false(t.sites[0].single_step);
	assert_string_equal(t.sites[0].desc,
			    "sys_audit+0x4 (push %r13 after endbr64: emulated) found in the sys method table");

	/* endbr64 then something single-stepped: stay at the entry */
	img[MK_SYS_AUDIT + 4] = 0x48;
	img[MK_SYS_AUDIT + 5] = 0x89;
	img[MK_SYS_AUDIT + 6] = 0xe5;
	assert_int_equal(analyze_img(img, size, &t, err, sizeof(err)), 0);
	assert_int_equal(t.sites[0].vaddr, MK_SYS_AUDIT);
	assert_true(t.sites[0].single_step);
	assert_string_equal(t.sites[0].desc,
			    "sys_audit+0x0 (endbr64: single-stepped) found in the sys method table");
	free(img);
}

static void test_synthetic_versions(void **state)
{
	struct mkelf_opts o = { 0 };
	struct target t;
	char err[256];

	(void)state;
	/* 3.8 by SONAME: PySys_Audit is the C-level funnel */
	o.soname = "libpython3.8.so.1.0";
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.py_minor, 8);
	assert_int_equal(t.py_version_hex, 0x03080000);
	assert_int_equal(t.nsites, 2);
	assert_int_equal(t.sites[1].vaddr, MK_PYSYS_AUDIT);
	assert_int_equal(t.sites[1].source, PA_SRC_VARARGS);

	/* debug build SONAME */
	o.soname = "libpython3.10d.so.1.0";
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.py_minor, 10);
	assert_false(t.free_threaded);

	/* static executable, nothing but PySys_Audit: 3.8 by symbols */
	o.soname = NULL;
	o.type = ET_EXEC;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.py_minor, 8);
	assert_false(t.shared_lib);

	/* Py_Version in an executable */
	o.py_version = 0x030b04f0;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.py_minor, 11);
	assert_int_equal(t.py_version_hex, 0x030b04f0);

	/* _Py_DebugOffsets, free-threaded 3.14 */
	o.py_version = 0;
	o.dbg_version = 0x030e00f0;
	o.dbg_free_threaded = 1;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_int_equal(t.py_minor, 14);
	assert_int_equal(t.py_version_hex, 0x030e00f0);
	assert_true(t.free_threaded);
	assert_int_equal(t.layout.ob_type, 24);
	assert_int_equal(t.layout.str_kind_shift, 8);
	/* ... with an unusable free_threaded word: only the version counts */
	o.dbg_free_threaded = 0x1234;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_false(t.free_threaded);

	/* free-threaded SONAME */
	o = (struct mkelf_opts){ .soname = "libpython3.13t.so.1.0",
				 .py_version = 0x030d01f0 };
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), 0);
	assert_true(t.free_threaded);
	assert_int_equal(t.layout.ob_type, 24);
	assert_int_equal(t.layout.tuple_items, 40);
	o.soname = "libpython3.12t.so.1.0";
	o.py_version = 0x030c01f0;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -EPROTONOSUPPORT);
	/* the known versions, as the rows of user/layout.c say them */
	expect_contains(err, ": CPython 3.12t: not traced: no object layout for it (known: 3.8-3.15, 3.13t, 3.14t, 3.15t)");

	/* too new, and no _Py_DebugOffsets to trace it on */
	o = (struct mkelf_opts){ .py_version = 0x031000a1 };
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -EPROTONOSUPPORT);
	expect_contains(err, ": CPython 3.16: not traced: newer than pyaudit knows (3.8-3.15), and its _Py_DebugOffsets, read as 3.15's, fails a check: no .PyRuntime section");
	/* a Py_Version that is no CPython 3 version: refused, loudly */
	o = (struct mkelf_opts){ .py_version = 0x040000a1 };
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -EPROTONOSUPPORT);
	expect_contains(err, "Py_Version is unreadable");

	/* sources disagree */
	o = (struct mkelf_opts){ .soname = "libpython3.11.so.1.0",
				 .py_version = 0x030c01f0 };
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -EPROTONOSUPPORT);
	expect_contains(err, "disagrees");
}

static void test_synthetic_not_targets(void **state)
{
	struct mkelf_opts o = { 0 };
	struct target t;
	char err[256];
	size_t size;
	uint8_t *img;

	(void)state;
	/* imports PySys_Audit from a libpython */
	o.import_pysys_audit = true;
	o.type = ET_DYN;
	o.needed = "libpython3.12.so.1.0";
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ENOENT);
	expect_contains(err, "links libpython dynamically: trace libpython3.12.so.1.0 instead");

	o.needed = "libpython3.7m.so.1.0";
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ENOTSUP);
	expect_contains(err, "3.7");

	o.needed = "libc.so.6";
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ENOENT);
	expect_contains(err, "does not define PySys_Audit");

	o.needed = NULL;
	o.soname = "libpython3.7m.so.1.0";
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ENOTSUP);

	/* AArch64 parses, but is refused */
	o = lib312;
	o.machine = EM_AARCH64;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ENOEXEC);
	expect_contains(err, "AArch64");
	expect_contains(err, "x86-64");

	/* relocatable object */
	o = lib312;
	o.type = ET_REL;
	assert_int_equal(analyze_opts(&o, &t, err, sizeof(err)), -ENOEXEC);

	/* not ELF, absent */
	img = (uint8_t *)strdup("#!/bin/sh\necho hello\n");
	size = strlen((char *)img);
	assert_int_equal(analyze_img(img, size, &t, err, sizeof(err)), -ENOEXEC);
	free(img);
	assert_int_equal(target__analyze("/nonexistent/python", &t, err,
					 sizeof(err)), -ENOENT);
}

/* ---- real binaries ------------------------------------------------- */

struct pyenv_case {
	const char *ver;	/* pyenv version directory */
	int minor;
	uint32_t hex;		/* 0: from SONAME only (3.8-3.10) */
	uint64_t sys_audit;	/* link-time address, read from the symbol table */
};

static const struct pyenv_case pyenv_cases[] = {
	{ "3.8.18", 8, 0, 0x1bf180 },
	{ "3.9.18", 9, 0, 0x1e9740 },
	{ "3.10.13", 10, 0, 0x204750 },
	{ "3.11.7", 11, 0x030b07f0, 0x2a5da0 },
	{ "3.12.1", 12, 0x030c01f0, 0x2ea340 },
	{ "3.13.0", 13, 0x030d00f0, 0x2a62d0 },
};

static void check_pyenv_lib(const struct pyenv_case *c)
{
	char path[256], err[512];
	struct elf_file *ef;
	struct target t;
	uint64_t v, sym, off;

	snprintf(path, sizeof(path), PYENV "%s/lib/libpython3.%d.so.1.0",
		 c->ver, c->minor);
	if (!present(path))
		return;
	assert_int_equal(target__analyze(path, &t, err, sizeof(err)), 0);
	print_target(&t);
	assert_int_equal(t.py_major, 3);
	assert_int_equal(t.py_minor, c->minor);
	assert_int_equal(t.py_version_hex,
			 c->hex ? c->hex : 0x03000000u | c->minor << 16);
	assert_true(t.shared_lib);
	assert_false(t.free_threaded);
	assert_int_equal(t.mech, TARGET_MECH_UPROBES);
	assert_int_equal(t.layout.dedup_sys_audit, 1);
	assert_int_equal(t.layout.py_version, 0x03000000u | c->minor << 16);
	assert_int_equal(t.nsites, 2);

	assert_int_equal(elf__open(path, &ef, err, sizeof(err)), 0);

	/* sys_audit: symbol, and the table scan agrees with it */
	assert_int_equal(elf__find_symbol(ef, "sys_audit", &sym, NULL), 0);
	assert_int_equal(sym, c->sys_audit);
	assert_int_equal(target__find_sys_audit_by_table(ef, &v), 0);
	assert_int_equal(v, c->sys_audit);
	assert_int_equal(t.sites[0].vaddr, c->sys_audit);
	assert_int_equal(elf__vaddr_to_offset(ef, c->sys_audit, &off), 0);
	assert_int_equal(t.sites[0].file_off, off);
	assert_int_equal(t.sites[0].source, PA_SRC_SYS_AUDIT);
	assert_false(t.sites[0].single_step);	/* push %r12 / %r13 */
	expect_contains(t.sites[0].desc, "found by symbol");

	if (c->minor == 8) {
		/* 3.8: PySys_Audit entry, push %r15 */
		assert_int_equal(elf__find_dynsym(ef, "PySys_Audit", &sym, NULL), 0);
		assert_int_equal(t.sites[1].vaddr, sym);
		assert_int_equal(t.sites[1].source, PA_SRC_VARARGS);
		assert_false(t.sites[1].single_step);
		expect_contains(t.sites[1].desc, "PySys_Audit+0x0 (push %r15: emulated)");
		assert_int_equal(target__find_sys_audit_tstate_by_call(ef, &v),
				 -ENOENT);
	} else {
		/* 3.9+: sys_audit_tstate+3, the je after test %rdi,%rdi */
		assert_int_equal(elf__find_symbol(ef, "sys_audit_tstate", &sym,
						  NULL), 0);
		assert_int_equal(target__find_sys_audit_tstate_by_call(ef, &v), 0);
		assert_int_equal(v, sym);
		assert_int_equal(t.sites[1].vaddr, sym + 3);
		assert_int_equal(elf__vaddr_to_offset(ef, sym + 3, &off), 0);
		assert_int_equal(t.sites[1].file_off, off);
		assert_int_equal(t.sites[1].source, PA_SRC_VALIST);
		assert_false(t.sites[1].single_step);
		assert_string_equal(t.sites[1].desc,
				    "sys_audit_tstate+0x3 (je after test %rdi,%rdi: emulated) found by symbol");
	}

	/* What source locations need: the bias's anchors, and the frame
	 * layout (for 3.13, read from the file's _Py_DebugOffsets: it must
	 * agree with layout.c's row) */
	assert_int_equal(elf__find_symbol(ef, "_PyRuntime", &sym, NULL), 0);
	assert_int_equal(t.layout.runtime, sym);
	assert_int_equal(t.layout.site_vaddr[PA_SRC_SYS_AUDIT], c->sys_audit);
	assert_true(t.layout.ro_lo && t.layout.ro_lo < t.layout.ro_hi);
	assert_true(t.layout.img_lo <= t.layout.ro_lo &&
		    t.layout.ro_hi <= t.layout.img_hi);
	assert_true(t.layout.img_lo <= sym && sym < t.layout.img_hi);
	assert_int_equal(t.layout.frame_kind,
			 c->minor <= 9 ? PA_FK_LASTI : c->minor == 10 ? PA_FK_LASTI2 :
			 c->minor <= 12 ? PA_FK_CFRAME : PA_FK_CURRENT);
	if (c->minor == 13) {
		assert_int_equal(t.layout.rt_interp_head, 632);
		assert_int_equal(t.layout.interp_next, 7264);
		assert_int_equal(t.layout.interp_threads, 7344);
		/* PyThreadState: prev at 0, next at 8, interp at 16 */
		assert_int_equal(t.layout.ts_next, 8);
		assert_int_equal(t.layout.ts_frame, 72);
		assert_int_equal(t.layout.ts_thread_id, 152);
		assert_int_equal(t.layout.fr_code, 0);
		assert_int_equal(t.layout.fr_back, 8);
		assert_int_equal(t.layout.fr_instr, 56);
		assert_int_equal(t.layout.fr_owner, 70);
		assert_int_equal(t.layout.code_filename, 112);
		assert_int_equal(t.layout.co_func, 128);
		assert_int_equal(t.layout.co_linetable, 136);
		assert_int_equal(t.layout.co_firstlineno, 68);
		assert_int_equal(t.layout.co_code, 200);
	}
	elf__close(ef);
}

static void test_pyenv_libs(void **state)
{
	size_t i;

	(void)state;
	if (!present(PYENV))
		skip();
	for (i = 0; i < sizeof(pyenv_cases) / sizeof(pyenv_cases[0]); i++)
		check_pyenv_lib(&pyenv_cases[i]);
}

static void test_pyenv_bins(void **state)
{
	char path[256], lib[256], err[512];
	struct target t;
	size_t i;

	(void)state;
	if (!present(PYENV))
		skip();
	for (i = 0; i < sizeof(pyenv_cases) / sizeof(pyenv_cases[0]); i++) {
		const struct pyenv_case *c = &pyenv_cases[i];

		snprintf(path, sizeof(path), PYENV "%s/bin/python3.%d", c->ver,
			 c->minor);
		if (!present(path))
			continue;
		assert_int_equal(target__analyze(path, &t, err, sizeof(err)),
				 -ENOENT);
		print_message("  %s\n", err);
		expect_contains(err, "links libpython dynamically: trace ");
		snprintf(lib, sizeof(lib), PYENV "%s/lib/libpython3.%d.so.1.0",
			 c->ver, c->minor);
		expect_contains(err, lib);
	}
	/* too old for audit hooks */
	if (present(PYENV "3.7.16/lib/libpython3.7m.so.1.0"))
		assert_int_equal(target__analyze(PYENV "3.7.16/lib/libpython3.7m.so.1.0",
						 &t, err, sizeof(err)), -ENOTSUP);
	if (present(PYENV "3.7.16/bin/python3.7"))
		assert_int_equal(target__analyze(PYENV "3.7.16/bin/python3.7",
						 &t, err, sizeof(err)), -ENOTSUP);
}

/* The GNU build-id, as hex, or "" */
static void build_id(const struct elf_file *ef, char *out, size_t outlen)
{
	struct elf_section s;
	size_t i;

	out[0] = '\0';
	if (elf__section_by_name(ef, ".note.gnu.build-id", &s) || !s.data ||
	    s.size < 16 + 20)
		return;
	for (i = 0; i < 20 && 2 * i + 2 < outlen; i++)
		sprintf(out + 2 * i, "%02x", s.data[16 + i]);
}

/*
 * Debian's stripped sys_audit, found through the method table. The
 * addresses depend on the exact package build: checked exactly for the
 * builds we know, structurally (an executable function starting with
 * push %r13, as sys_audit starts in Debian's 3.11 builds) for the others.
 */
static void check_debian_table(const char *path)
{
	static const struct {
		const char *build_id;
		uint64_t sys_audit;
	} known[] = {
		/* 3.11.2-6+deb12u6 */
		{ "571d98e01096d5c1c32420d229a6731a0a50d2a0", 0x5fd800 },
		{ "9c43ffefa67ac31d2070c69c46db6d8ced25b942", 0x2c18d0 },
		/* 3.11.2-6+deb12u9 */
		{ "c561f3aa7232f2bd6ac6d56bd475f1c154a00486", 0x66b3a0 },
		{ "dc7ea6fdad516ee27906e1c1fa87c48af65bc294", 0x2c1a70 },
	};
	struct elf_file *ef;
	const uint8_t *p;
	char err[256], id[64];
	uint64_t v;
	size_t i;

	assert_int_equal(elf__open(path, &ef, err, sizeof(err)), 0);
	assert_int_equal(target__find_sys_audit_by_table(ef, &v), 0);
	build_id(ef, id, sizeof(id));
	print_message("  %s (build-id %s): sys_audit at 0x%llx by the method table\n",
		      path, id, (unsigned long long)v);
	assert_true(elf__vaddr_is_exec(ef, v));
	p = elf__at_vaddr(ef, v, 2);
	assert_non_null(p);
	assert_int_equal(p[0], 0x41);	/* push %r13 */
	assert_int_equal(p[1], 0x55);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(id, known[i].build_id))
			assert_int_equal(v, known[i].sys_audit);
	}
	elf__close(ef);
}

static void test_debian_exe(void **state)
{
	struct target t;
	char err[512];

	(void)state;
	if (!present(PY311_EXE))
		skip();
	assert_int_equal(target__analyze(PY311_EXE, &t, err, sizeof(err)), 0);
	print_target(&t);
	assert_int_equal(t.py_major, 3);
	assert_int_equal(t.py_minor, 11);
	assert_int_equal(t.py_version_hex >> 16, 0x030b);
	assert_true((t.py_version_hex & 0xff00) >= 0x0200);	/* 3.11.2+ */
	assert_int_equal(t.mech, TARGET_MECH_USDT);
	assert_int_equal(t.nsites, 0);
	assert_false(t.shared_lib);
	assert_int_equal(t.layout.dedup_sys_audit, 0);
	assert_int_equal(t.layout.py_version, 0x030b0000);
	check_debian_table(PY311_EXE);
}

static void test_debian_so(void **state)
{
	struct elf_file *ef;
	struct target t;
	char err[512];
	uint64_t v, sym;

	(void)state;
	if (!present(PY311_SO))
		skip();
	assert_int_equal(target__analyze(PY311_SO, &t, err, sizeof(err)), 0);
	print_target(&t);
	assert_int_equal(t.py_minor, 11);
	assert_int_equal(t.py_version_hex >> 16, 0x030b);
	assert_int_equal(t.mech, TARGET_MECH_USDT);
	assert_true(t.shared_lib);
	check_debian_table(PY311_SO);

	/* sys_audit_tstate: the call in PySys_Audit */
	assert_int_equal(elf__open(PY311_SO, &ef, err, sizeof(err)), 0);
	assert_int_equal(target__find_sys_audit_tstate_by_call(ef, &v), 0);
	assert_int_equal(elf__find_dynsym(ef, "PySys_Audit", &sym, NULL), 0);
	assert_true(v != sym);
	print_message("  %s: sys_audit_tstate at 0x%llx\n", PY311_SO,
		      (unsigned long long)v);
	elf__close(ef);
}

/*
 * Debian's files with their USDT note hidden (section type changed):
 * what a stripped build without --with-dtrace would get.
 */
static int analyze_without_usdt(const char *path, struct target *t, char *err,
				size_t errlen)
{
	size_t size, at;
	uint8_t *img = read_all(path, &size);
	uint32_t type = SHT_PROGBITS;
	int ret;

	assert_non_null(img);
	at = mk_shdr_off(img, ".note.stapsdt");
	assert_true(at != 0);
	memcpy(img + at + offsetof(Elf64_Shdr, sh_type), &type, sizeof(type));
	ret = analyze_img(img, size, t, err, errlen);
	free(img);
	return ret;
}

static void test_debian_without_usdt(void **state)
{
	bool so = present(PY311_SO), exe = present(PY311_EXE);
	struct target t;
	char err[512];

	(void)state;
	if (!so && !exe)
		skip();
	if (so) {
		print_message("  %s without its USDT note:\n", PY311_SO);
		assert_int_equal(analyze_without_usdt(PY311_SO, &t, err,
						      sizeof(err)), 0);
		print_target(&t);
		assert_int_equal(t.mech, TARGET_MECH_UPROBES);
		assert_int_equal(t.layout.dedup_sys_audit, 1);
		assert_int_equal(t.nsites, 2);
		assert_int_equal(t.sites[0].source, PA_SRC_SYS_AUDIT);
		assert_false(t.sites[0].single_step);
		expect_contains(t.sites[0].desc, "sys method table");
		assert_int_equal(t.sites[1].source, PA_SRC_VALIST);
		assert_false(t.sites[1].single_step);
		assert_string_equal(t.sites[1].desc,
				    "sys_audit_tstate+0x3 (je after test %rdi,%rdi: emulated) found as the call in PySys_Audit");
	}
	if (exe) {
		/*
		 * The executable's sys_audit_tstate starts with pushes (its
		 * test %rdi,%rdi comes later): PySys_Audit is the fallback.
		 */
		print_message("  %s without its USDT note:\n", PY311_EXE);
		assert_int_equal(analyze_without_usdt(PY311_EXE, &t, err,
						      sizeof(err)), 0);
		print_target(&t);
		assert_int_equal(t.mech, TARGET_MECH_UPROBES);
		assert_int_equal(t.sites[0].source, PA_SRC_SYS_AUDIT);
		assert_false(t.sites[0].single_step);
		assert_true(t.nsites >= 2);
	}
}

/* ---- fuzzing the scans --------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static void test_fuzz_scans(void **state)
{
	struct mkelf_opts o = lib312;
	size_t size, i, found = 0;
	uint8_t *orig, *buf;

	(void)state;
	o.zero_words = true;
	orig = mkelf(&o, &size);
	buf = malloc(size);
	assert_non_null(buf);
	rng_state = 0xfeedface1234ULL;
	for (i = 0; i < 20000; i++) {
		struct elf_file *ef;
		char err[256];
		uint64_t v;
		size_t k, n = 1 + rng() % 6;

		memcpy(buf, orig, size);
		for (k = 0; k < n; k++) {
			/* headers, relocations, .data, .text, .rodata */
			static const size_t areas[][2] = {
				{ 0, 0x120 }, { MK_RELA, 0xc0 }, { MK_DATA, 0xc0 },
				{ MK_TEXT, 0x100 }, { MK_RODATA, 0x60 },
				{ MK_SHOFF, 0x300 },
			};
			size_t a = rng() % 6;
			size_t pos = areas[a][0] + rng() % areas[a][1];

			if (pos < size)
				buf[pos] = rng() % 3 ? rng() : 0;
		}
		if (elf__open_mem(buf, size, &ef, err, sizeof(err)))
			continue;
		if (!target__find_sys_audit_by_table(ef, &v))
			found++;
		target__find_sys_audit_tstate_by_call(ef, &v);
		elf__close(ef);
	}
	print_message("fuzz scans: 20000 iterations, sys_audit found %zu times\n",
		      found);
	free(buf);
	free(orig);
}

/* The whole analysis on mutated files (fewer: each is a file). */
static void test_fuzz_analyze(void **state)
{
	struct mkelf_opts o = lib312;
	size_t size, i, ok = 0;
	uint8_t *orig, *buf;

	(void)state;
	o.symtab = true;
	orig = mkelf(&o, &size);
	buf = malloc(size);
	assert_non_null(buf);
	rng_state = 0xabad1dea5ULL;
	for (i = 0; i < 1000; i++) {
		struct target t;
		char err[512];
		size_t k, n = 1 + rng() % 6;

		memcpy(buf, orig, size);
		for (k = 0; k < n; k++) {
			size_t pos = rng() % 3 ? rng() % 0x120 : rng() % size;

			buf[pos] = rng();
		}
		if (!analyze_img(buf, size, &t, err, sizeof(err)))
			ok++;
		else
			assert_true(err[0] != '\0');
	}
	print_message("fuzz analyze: 1000 iterations, %zu analysed\n", ok);
	free(buf);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_table),
		cmocka_unit_test(test_classifier),
		cmocka_unit_test(test_synthetic_stripped),
		cmocka_unit_test(test_synthetic_symbols),
		cmocka_unit_test(test_synthetic_zero_words),
		cmocka_unit_test(test_synthetic_no_sys_audit),
		cmocka_unit_test(test_synthetic_usdt),
		cmocka_unit_test(test_synthetic_fallback),
		cmocka_unit_test(test_synthetic_endbr64),
		cmocka_unit_test(test_synthetic_versions),
		cmocka_unit_test(test_synthetic_not_targets),
		cmocka_unit_test(test_pyenv_libs),
		cmocka_unit_test(test_pyenv_bins),
		cmocka_unit_test(test_debian_exe),
		cmocka_unit_test(test_debian_so),
		cmocka_unit_test(test_debian_without_usdt),
		cmocka_unit_test(test_fuzz_scans),
		cmocka_unit_test(test_fuzz_analyze),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
