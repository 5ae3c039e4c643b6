// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/elf.c: synthetic images with known contents, real
 * files where present (skipped, with the path, where absent), malformed
 * inputs, and a fixed-seed mutation fuzzer. Run under
 * -fsanitize=address,undefined.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/elf.h"
#include "tests/fixtures/mkelf.h"

static uint64_t rng_state;
static uint64_t rng(void);

#define PY311_EXE	"/usr/bin/python3.11"
#define PY311_SO	"/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"
#define PYENV313	"/root/.pyenv/versions/3.13.0/lib/libpython3.13.so.1.0"
#define BIN_TRUE	"/bin/true"

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

static struct elf_file *open_ok(const uint8_t *img, size_t size)
{
	struct elf_file *ef = NULL;
	char err[256];
	int ret = elf__open_mem(img, size, &ef, err, sizeof(err));

	if (ret)
		print_message("unexpected error: %s\n", err);
	assert_int_equal(ret, 0);
	assert_non_null(ef);
	return ef;
}

static void open_bad(const uint8_t *img, size_t size, const char *why)
{
	struct elf_file *ef = (struct elf_file *)1;
	char err[256] = "";
	int ret = elf__open_mem(img, size, &ef, err, sizeof(err));

	if (!ret)
		print_message("accepted a malformed image: %s\n", why);
	assert_int_equal(ret, -ENOEXEC);
	assert_null(ef);
	assert_true(err[0] != '\0');
}

static const struct mkelf_opts full_opts = {
	.soname = "libpython3.12.so.1.0",
	.needed = "libc.so.6",
	.runpath = "/opt/py/lib",
	.symtab = true,
	.usdt = true,
	.py_version = 0x030c01f0,
};

/* ---- a synthetic image with known contents ------------------------ */

static void test_synthetic(void **state)
{
	struct elf_file *ef;
	struct elf_section s;
	const char *names[4];
	const uint8_t *p;
	uint64_t v, sz, off;
	size_t size;
	uint8_t *img = mkelf(&full_opts, &size);

	(void)state;
	ef = open_ok(img, size);
	assert_int_equal(elf__type(ef), ET_DYN);
	assert_int_equal(elf__machine(ef), EM_X86_64);
	assert_true(elf__has_symtab(ef));

	/* .symtab first (locals), then .dynsym */
	assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, &sz), 0);
	assert_int_equal(v, MK_SYS_AUDIT);
	assert_int_equal(sz, 9);
	assert_int_equal(elf__find_symbol(ef, "sys_audit_tstate", &v, NULL), 0);
	assert_int_equal(v, MK_SYS_AUDIT_TSTATE);
	assert_int_equal(elf__find_dynsym(ef, "sys_audit", &v, &sz), -ENOENT);
	assert_int_equal(elf__find_dynsym(ef, "PySys_Audit", &v, &sz), 0);
	assert_int_equal(v, MK_PYSYS_AUDIT);
	assert_int_equal(elf__find_symbol(ef, "Py_Version", &v, &sz), 0);
	assert_int_equal(v, MK_PY_VERSION);
	assert_int_equal(sz, 8);
	assert_int_equal(elf__find_symbol(ef, "nope", &v, &sz), -ENOENT);
	assert_int_equal(elf__find_symbol(ef, "", &v, &sz), -ENOENT);

	/* sections */
	assert_true(elf__section_count(ef) >= 10);
	assert_int_equal(elf__section_by_name(ef, ".text", &s), 0);
	assert_int_equal(s.vaddr, MK_TEXT);
	assert_int_equal(s.offset, MK_TEXT);
	assert_true(s.flags & SHF_EXECINSTR);
	assert_int_equal(s.type, SHT_PROGBITS);
	assert_ptr_not_equal(s.data, NULL);
	assert_int_equal(s.data[MK_SYS_AUDIT - MK_TEXT], 0x41);
	assert_int_equal(elf__section_by_name(ef, ".bss", &s), -ENOENT);
	assert_int_equal(elf__section_at(ef, 0, &s), 0);
	assert_int_equal(s.type, SHT_NULL);
	assert_null(s.data);
	assert_int_equal(elf__section_at(ef, elf__section_count(ef), &s), -ENOENT);

	/* dynamic */
	assert_string_equal(elf__soname(ef), "libpython3.12.so.1.0");
	assert_string_equal(elf__runpath(ef), "/opt/py/lib");
	assert_int_equal(elf__needed(ef, names, 4), 1);
	assert_string_equal(names[0], "libc.so.6");
	assert_int_equal(elf__needed(ef, names, 0), 1);

	/* address mapping */
	assert_int_equal(elf__vaddr_to_offset(ef, MK_SYS_AUDIT, &off), 0);
	assert_int_equal(off, MK_SYS_AUDIT);
	assert_int_equal(elf__vaddr_to_offset(ef, 0x3800, &off), -ENOENT); /* bss */
	assert_int_equal(elf__vaddr_to_offset(ef, 0x10000, &off), -ENOENT);
	p = elf__at_vaddr(ef, MK_PY_VERSION, 8);
	assert_non_null(p);
	memcpy(&v, p, 8);
	assert_int_equal(v, 0x030c01f0);
	assert_non_null(elf__at_vaddr(ef, 0x2ff8, 8));
	assert_null(elf__at_vaddr(ef, 0x2ffc, 8));	/* crosses filesz */
	assert_null(elf__at_vaddr(ef, UINT64_MAX - 2, 8));
	assert_true(elf__vaddr_is_exec(ef, MK_TEXT));
	assert_true(elf__vaddr_is_exec(ef, 0x1fff));
	assert_false(elf__vaddr_is_exec(ef, 0x2000));
	assert_false(elf__vaddr_is_exec(ef, MK_RODATA));

	/* USDT */
	assert_true(elf__has_usdt(ef, "python", "audit"));
	assert_false(elf__has_usdt(ef, "python", "line"));
	assert_false(elf__has_usdt(ef, "pytho", "audit"));
	assert_false(elf__has_usdt(ef, "python", "audi"));

	/* relocations */
	assert_int_equal(elf__relative_addend(ef, MK_DATA + 0x80, &v), 0);
	assert_int_equal(v, MK_STR_SYS_AUDIT + 4);
	assert_int_equal(elf__relative_addend(ef, MK_DATA + 0x88, &v), 0);
	assert_int_equal(v, MK_SYS_AUDIT);
	assert_int_equal(elf__relative_addend(ef, MK_DATA + 0x90, &v), -ENOENT);
	assert_int_equal(v, 0);
	assert_int_equal(elf__relative_addend(ef, 0, &v), -ENOENT);

	elf__close(ef);
	free(img);
}

static void test_synthetic_minimal(void **state)
{
	struct mkelf_opts o = { .import_pysys_audit = true };
	struct elf_file *ef;
	const char *names[2];
	uint64_t v;
	size_t size;
	uint8_t *img = mkelf(&o, &size);

	(void)state;
	ef = open_ok(img, size);
	assert_false(elf__has_symtab(ef));
	/* an imported (undefined) symbol is not found */
	assert_int_equal(elf__find_symbol(ef, "PySys_Audit", &v, NULL), -ENOENT);
	assert_int_equal(elf__find_dynsym(ef, "PySys_Audit", &v, NULL), -ENOENT);
	assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, NULL), -ENOENT);
	assert_null(elf__soname(ef));
	assert_null(elf__runpath(ef));
	assert_int_equal(elf__needed(ef, names, 2), 0);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);
}

/* DT_RPATH is used when there is no DT_RUNPATH. */
static void test_rpath(void **state)
{
	struct mkelf_opts o = { .runpath = "/x" };
	struct elf_file *ef;
	Elf64_Dyn d;
	size_t size, i;
	uint8_t *img = mkelf(&o, &size);

	(void)state;
	for (i = 0; i < 8; i++) {
		memcpy(&d, img + MK_DYNAMIC + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_RUNPATH) {
			d.d_tag = DT_RPATH;
			memcpy(img + MK_DYNAMIC + i * sizeof(d), &d, sizeof(d));
		}
	}
	ef = open_ok(img, size);
	assert_string_equal(elf__runpath(ef), "/x");
	elf__close(ef);
	free(img);
}

/* ---- real files ---------------------------------------------------- */

static void test_bin_true(void **state)
{
	struct elf_file *ef;
	struct elf_section s;
	const char *names[16];
	char err[256];
	size_t n, i;
	bool libc = false;

	(void)state;
	if (!present(BIN_TRUE))
		skip();
	assert_int_equal(elf__open(BIN_TRUE, &ef, err, sizeof(err)), 0);
	assert_int_equal(elf__machine(ef), EM_X86_64);
	assert_int_equal(elf__section_by_name(ef, ".text", &s), 0);
	assert_true(elf__vaddr_is_exec(ef, s.vaddr));
	n = elf__needed(ef, names, 16);
	for (i = 0; i < n && i < 16; i++)
		libc |= !strcmp(names[i], "libc.so.6");
	assert_true(libc);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
}

static void test_debian_exe(void **state)
{
	struct elf_file *ef;
	const uint8_t *p;
	char err[256];
	uint64_t v, sz;
	uint32_t hex;

	(void)state;
	if (!present(PY311_EXE))
		skip();
	assert_int_equal(elf__open(PY311_EXE, &ef, err, sizeof(err)), 0);
	assert_int_equal(elf__type(ef), ET_EXEC);
	assert_false(elf__has_symtab(ef));	/* stripped */
	assert_null(elf__soname(ef));
	assert_true(elf__has_usdt(ef, "python", "audit"));
	assert_true(elf__has_usdt(ef, "python", "function__entry"));
	assert_int_equal(elf__find_dynsym(ef, "PySys_Audit", &v, &sz), 0);
	assert_true(elf__vaddr_is_exec(ef, v));
	assert_int_equal(elf__find_symbol(ef, "Py_Version", &v, &sz), 0);
	p = elf__at_vaddr(ef, v, 4);
	assert_non_null(p);
	memcpy(&hex, p, 4);
	print_message("%s: Py_Version 0x%08x\n", PY311_EXE, hex);
	assert_int_equal(hex >> 16, 0x030b);
	assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, &sz), -ENOENT);
	elf__close(ef);
}

static void test_debian_so(void **state)
{
	struct elf_file *ef;
	char err[256];
	uint64_t v, off;

	(void)state;
	if (!present(PY311_SO))
		skip();
	assert_int_equal(elf__open(PY311_SO, &ef, err, sizeof(err)), 0);
	assert_int_equal(elf__type(ef), ET_DYN);
	assert_string_equal(elf__soname(ef), "libpython3.11.so.1.0");
	assert_true(elf__has_usdt(ef, "python", "audit"));
	assert_false(elf__has_usdt(ef, "python", "nosuchprobe"));
	assert_int_equal(elf__find_dynsym(ef, "PySys_Audit", &v, NULL), 0);
	assert_int_equal(elf__vaddr_to_offset(ef, v, &off), 0);
	elf__close(ef);
}

static void test_pyenv_313(void **state)
{
	struct elf_file *ef;
	char err[256];
	uint64_t v, sz;

	(void)state;
	if (!present(PYENV313))
		skip();
	assert_int_equal(elf__open(PYENV313, &ef, err, sizeof(err)), 0);
	assert_true(elf__has_symtab(ef));
	assert_false(elf__has_usdt(ef, "python", "audit"));
	assert_string_equal(elf__soname(ef), "libpython3.13.so.1.0");
	assert_string_equal(elf__runpath(ef), "/root/.pyenv/versions/3.13.0/lib");
	assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, &sz), 0);
	assert_int_equal(v, 0x2a62d0);		/* nm: sys_audit of 3.13.0 */
	assert_int_equal(sz, 379);
	/* the sys module's method table entry {"audit", sys_audit}, whose
	 * pointers are R_X86_64_RELATIVE relocations in a shared library */
	assert_int_equal(elf__relative_addend(ef, 0x515ba0, &v), 0);
	assert_int_equal(v, 0x39e6bf);
	assert_int_equal(elf__relative_addend(ef, 0x515ba8, &v), 0);
	assert_int_equal(v, 0x2a62d0);
	elf__close(ef);
}

static void test_open_errors(void **state)
{
	struct elf_file *ef;
	char err[256];

	(void)state;
	assert_int_equal(elf__open("/nonexistent/pyaudit", &ef, err, sizeof(err)),
			 -ENOENT);
	assert_null(ef);
	assert_non_null(strstr(err, "/nonexistent/pyaudit"));
	assert_int_equal(elf__open("/", &ef, err, sizeof(err)), -ENOEXEC);
	assert_null(ef);
	if (present("/etc/passwd")) {
		assert_int_equal(elf__open("/etc/passwd", &ef, err, sizeof(err)),
				 -ENOEXEC);
		assert_non_null(strstr(err, "not an ELF file"));
	}
	/* an empty file */
	{
		char path[] = "/tmp/pa-test-elf-XXXXXX";
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(elf__open(path, &ef, err, sizeof(err)), -ENOEXEC);
		unlink(path);
	}
}

/* ---- malformed inputs ---------------------------------------------- */

static uint8_t *fresh(size_t *size)
{
	uint8_t *img = mkelf(&full_opts, size);

	assert_non_null(img);
	return img;
}

static void set_shdr(uint8_t *img, const char *name, size_t field_off,
		     uint64_t val, size_t width)
{
	size_t at = mk_shdr_off(img, name);

	assert_true(at != 0);
	memcpy(img + at + field_off, &val, width);
}

#define SH_SET(img, name, field, val) \
	set_shdr(img, name, offsetof(Elf64_Shdr, field), (val), \
		 sizeof(((Elf64_Shdr *)0)->field))
#define EH_SET(img, field, val) do {					\
		__typeof__(((Elf64_Ehdr *)0)->field) _v = (val);	\
		memcpy(img + offsetof(Elf64_Ehdr, field), &_v, sizeof(_v)); \
	} while (0)

static void test_malformed_headers(void **state)
{
	uint8_t zero = 0, *img;
	size_t size, n;

	(void)state;
	open_bad(&zero, 0, "empty");
	img = fresh(&size);
	for (n = 1; n < sizeof(Elf64_Ehdr); n++)
		open_bad(img, n, "truncated header");
	free(img);

	img = fresh(&size);
	img[EI_CLASS] = ELFCLASS32;
	open_bad(img, size, "32-bit");
	free(img);
	img = fresh(&size);
	img[EI_DATA] = ELFDATA2MSB;
	open_bad(img, size, "big-endian");
	free(img);
	img = fresh(&size);
	img[1] = 'F';
	open_bad(img, size, "bad magic");
	free(img);
	img = fresh(&size);
	EH_SET(img, e_machine, EM_386);
	open_bad(img, size, "i386");
	free(img);

	/* AArch64 parses */
	{
		struct mkelf_opts o = full_opts;
		struct elf_file *ef;

		o.machine = EM_AARCH64;
		img = mkelf(&o, &size);
		ef = open_ok(img, size);
		assert_int_equal(elf__machine(ef), EM_AARCH64);
		elf__close(ef);
		free(img);
	}

	/* e_shoff */
	img = fresh(&size);
	EH_SET(img, e_shoff, size);
	open_bad(img, size, "e_shoff at the end");
	EH_SET(img, e_shoff, size - 10);
	open_bad(img, size, "e_shoff straddling the end");
	EH_SET(img, e_shoff, UINT64_MAX - 10);
	open_bad(img, size, "e_shoff overflowing");
	EH_SET(img, e_shoff, 0);
	open_bad(img, size, "e_shoff 0 with sections");
	free(img);

	/* e_shnum, e_shentsize, e_shstrndx */
	img = fresh(&size);
	EH_SET(img, e_shnum, 0xffff);
	open_bad(img, size, "e_shnum huge");
	free(img);
	img = fresh(&size);
	EH_SET(img, e_shnum, 0);	/* extended numbering: section 0 sh_size */
	memcpy(img + MK_SHOFF + offsetof(Elf64_Shdr, sh_size),
	       &(uint64_t){ UINT64_MAX / 2 }, 8);
	open_bad(img, size, "extended e_shnum huge");
	free(img);
	img = fresh(&size);
	EH_SET(img, e_shentsize, 32);
	open_bad(img, size, "e_shentsize");
	free(img);
	img = fresh(&size);
	EH_SET(img, e_shstrndx, 200);
	open_bad(img, size, "e_shstrndx out of range");
	EH_SET(img, e_shstrndx, 1);	/* .dynsym is not a string table */
	open_bad(img, size, "e_shstrndx not a string table");
	free(img);

	/* program headers */
	img = fresh(&size);
	EH_SET(img, e_phnum, 0xfff0);
	open_bad(img, size, "e_phnum huge");
	free(img);
	img = fresh(&size);
	EH_SET(img, e_phoff, size - 8);
	open_bad(img, size, "e_phoff near the end");
	EH_SET(img, e_phoff, UINT64_MAX - 8);
	open_bad(img, size, "e_phoff overflowing");
	free(img);
	img = fresh(&size);
	EH_SET(img, e_phentsize, 16);
	open_bad(img, size, "e_phentsize");
	free(img);
	img = fresh(&size);
	{
		Elf64_Phdr ph;
		size_t at = sizeof(Elf64_Ehdr) + 2 * sizeof(ph);	/* RW load */

		memcpy(&ph, img + at, sizeof(ph));
		ph.p_filesz = size;
		memcpy(img + at, &ph, sizeof(ph));
		open_bad(img, size, "PT_LOAD past the end");
		ph.p_filesz = 0x100;
		ph.p_memsz = 0x10;
		memcpy(img + at, &ph, sizeof(ph));
		open_bad(img, size, "p_filesz > p_memsz");
		ph.p_memsz = UINT64_MAX;
		memcpy(img + at, &ph, sizeof(ph));
		open_bad(img, size, "p_vaddr + p_memsz overflowing");
	}
	free(img);
}

static void test_malformed_sections(void **state)
{
	struct elf_file *ef;
	uint64_t v;
	uint8_t *img;
	size_t size;

	(void)state;
	img = fresh(&size);
	SH_SET(img, ".text", sh_offset, size);
	open_bad(img, size, "section offset past the end");
	free(img);
	img = fresh(&size);
	SH_SET(img, ".text", sh_size, UINT64_MAX - 0x800);
	open_bad(img, size, "section size overflowing");
	free(img);
	img = fresh(&size);
	SH_SET(img, ".note.stapsdt", sh_size, size);
	open_bad(img, size, "note section past the end");
	free(img);

	/* a NOBITS section may claim anything */
	img = fresh(&size);
	SH_SET(img, ".data", sh_type, SHT_NOBITS);
	SH_SET(img, ".data", sh_offset, UINT64_MAX);
	ef = open_ok(img, size);
	elf__close(ef);
	free(img);

	/* symbol tables */
	img = fresh(&size);
	SH_SET(img, ".symtab", sh_entsize, 16);
	open_bad(img, size, "symtab entsize");
	free(img);
	img = fresh(&size);
	SH_SET(img, ".symtab", sh_size, 24 * 3 + 5);
	open_bad(img, size, "symtab size not a multiple");
	free(img);
	img = fresh(&size);
	SH_SET(img, ".symtab", sh_link, 99);
	open_bad(img, size, "symtab link out of range");
	free(img);
	img = fresh(&size);
	SH_SET(img, ".symtab", sh_link, 5);	/* .text */
	open_bad(img, size, "symtab link not a string table");
	free(img);
	img = fresh(&size);
	SH_SET(img, ".rela.dyn", sh_entsize, 16);
	open_bad(img, size, "rela entsize");
	free(img);

	/* string table without a NUL: the strings in it are not strings */
	img = fresh(&size);
	{
		size_t at = mk_shdr_off(img, ".strtab");
		Elf64_Shdr sh;

		memcpy(&sh, img + at, sizeof(sh));
		memset(img + sh.sh_offset, 'x', sh.sh_size);
		ef = open_ok(img, size);
		assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, NULL), -ENOENT);
		/* .dynsym still works */
		assert_int_equal(elf__find_symbol(ef, "PySys_Audit", &v, NULL), 0);
		elf__close(ef);
	}
	free(img);
	img = fresh(&size);
	{
		/* the runpath is the last .dynstr string: drop its NUL */
		size_t at = mk_shdr_off(img, ".dynstr");
		Elf64_Shdr sh;

		memcpy(&sh, img + at, sizeof(sh));
		img[sh.sh_offset + sh.sh_size - 1] = 'x';
		ef = open_ok(img, size);
		assert_string_equal(elf__runpath(ef) ? "set" : "null", "null");
		elf__close(ef);
	}
	free(img);
	img = fresh(&size);
	{
		size_t at = mk_shdr_off(img, ".shstrtab");
		Elf64_Shdr sh;

		memcpy(&sh, img + at, sizeof(sh));
		memset(img + sh.sh_offset, 'x', sh.sh_size);
		open_bad(img, size, "section names without NUL");
	}
	free(img);
	/* a symbol name index past its string table */
	img = fresh(&size);
	{
		Elf64_Sym sym;

		memcpy(&sym, img + MK_SYMTAB + 24, sizeof(sym));
		sym.st_name = 0xfffffff0;
		memcpy(img + MK_SYMTAB + 24, &sym, sizeof(sym));
		ef = open_ok(img, size);
		assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, NULL), -ENOENT);
		elf__close(ef);
	}
	free(img);
}

static void test_malformed_dynamic(void **state)
{
	struct elf_file *ef;
	Elf64_Dyn d;
	uint8_t *img;
	size_t size, i;

	(void)state;
	/* DT_STRTAB pointing nowhere: fall back to .dynstr */
	img = fresh(&size);
	for (i = 0; i < 8; i++) {
		memcpy(&d, img + MK_DYNAMIC + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_STRTAB)
			d.d_un.d_val = 0xdead0000;
		if (d.d_tag == DT_STRSZ)
			d.d_un.d_val = UINT64_MAX;
		memcpy(img + MK_DYNAMIC + i * sizeof(d), &d, sizeof(d));
	}
	ef = open_ok(img, size);
	assert_string_equal(elf__soname(ef), "libpython3.12.so.1.0");
	elf__close(ef);
	free(img);

	/* string indexes past the table */
	img = fresh(&size);
	for (i = 0; i < 8; i++) {
		memcpy(&d, img + MK_DYNAMIC + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_SONAME || d.d_tag == DT_NEEDED ||
		    d.d_tag == DT_RUNPATH)
			d.d_un.d_val = UINT64_MAX - 1;
		memcpy(img + MK_DYNAMIC + i * sizeof(d), &d, sizeof(d));
	}
	ef = open_ok(img, size);
	assert_null(elf__soname(ef));
	assert_null(elf__runpath(ef));
	assert_int_equal(elf__needed(ef, NULL, 0), 0);
	elf__close(ef);
	free(img);

	/* no DT_NULL: the table just ends */
	img = fresh(&size);
	memset(img + MK_DYNAMIC, 0x7f, 0x100);
	ef = open_ok(img, size);
	assert_null(elf__soname(ef));
	elf__close(ef);
	free(img);
}

static void test_malformed_stapsdt(void **state)
{
	struct elf_file *ef;
	uint8_t *img;
	size_t size;
	const size_t note2 = MK_NOTE + 20;	/* our note, after a GNU one */

	(void)state;
	/* descsz lying: far past the section */
	img = fresh(&size);
	memcpy(img + note2 + 4, &(uint32_t){ 0xffffffff }, 4);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);

	/* namesz lying */
	img = fresh(&size);
	memcpy(img + note2, &(uint32_t){ 0xfffffff0 }, 4);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);

	/* the first note lying hides the second */
	img = fresh(&size);
	memcpy(img + MK_NOTE + 4, &(uint32_t){ 0x7ffffff0 }, 4);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);

	/* descsz too small for the three addresses */
	img = fresh(&size);
	memcpy(img + note2 + 4, &(uint32_t){ 20 }, 4);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);

	/* descsz cutting the strings: "python\0aud" */
	img = fresh(&size);
	memcpy(img + note2 + 4, &(uint32_t){ 24 + 10 }, 4);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);

	/* wrong type, wrong owner */
	img = fresh(&size);
	memcpy(img + note2 + 8, &(uint32_t){ 1 }, 4);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);
	img = fresh(&size);
	memcpy(img + note2 + 12, "stapsdX", 7);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);

	/* section size cutting the note short */
	img = fresh(&size);
	SH_SET(img, ".note.stapsdt", sh_size, 20 + 30);
	ef = open_ok(img, size);
	assert_false(elf__has_usdt(ef, "python", "audit"));
	elf__close(ef);
	free(img);
}

static void test_size_limit(void **state)
{
	struct elf_file *ef;
	char err[128];
	uint8_t b = 0;

	(void)state;
	/* rejected on the size alone, before the data is touched */
	assert_int_equal(elf__open_mem(&b, ELF_FILE_MAX + 1, &ef, err, sizeof(err)),
			 -ENOEXEC);
	assert_null(ef);
}

/* ---- files read on demand ----------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = mix(h, b[i]);
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return s ? mix_bytes(h, s, strlen(s) + 1) : mix(h, 0x5a5a);
}

/*
 * Everything the reader answers about ef, as one number: a file read on
 * demand (elf__open) must answer as its image in memory (elf__open_mem).
 * With all_data, the whole contents of every section too.
 */
static uint64_t digest(const struct elf_file *ef, bool all_data)
{
	static const char *const syms[] = {
		"PySys_Audit", "_PySys_Audit", "sys_audit", "sys_audit_tstate",
		"Py_Version", "PySys_AuditTuple", "main", "_start", "",
	};
	uint64_t h = 0xcbf29ce484222325ULL, v, sz, off;
	struct elf_section s;
	const char *names[8];
	const uint8_t *p;
	uint8_t buf[16];
	size_t i, n;
	int ret;

	h = mix(h, elf__type(ef));
	h = mix(h, elf__machine(ef));
	h = mix(h, elf__has_symtab(ef));
	h = mix(h, elf__section_count(ef));
	for (i = 0; i < elf__section_count(ef); i++) {
		assert_int_equal(elf__section_info(ef, i, &s), 0);
		assert_null(s.data);
		assert_int_equal(s.index, i);
		h = mix_str(h, s.name);
		h = mix(h, s.type);
		h = mix(h, s.flags);
		h = mix(h, s.vaddr);
		h = mix(h, s.offset);
		h = mix(h, s.size);
		n = s.size < sizeof(buf) ? s.size : sizeof(buf);
		ret = elf__read_section(ef, i, 0, buf, n);
		h = mix(h, (uint64_t)ret);
		if (!ret)
			h = mix_bytes(h, buf, n);
		ret = elf__read_section(ef, i, s.size - n, buf, n);
		h = mix(h, (uint64_t)ret);
		if (!ret)
			h = mix_bytes(h, buf, n);
		h = mix(h, (uint64_t)elf__read_section(ef, i, s.size, buf, 1));
		if (all_data) {
			assert_int_equal(elf__section_at(ef, i, &s), 0);
			h = mix(h, !!s.data);
			if (s.data)
				h = mix_bytes(h, s.data, s.size);
		}
		ret = elf__read_vaddr(ef, s.vaddr, buf, 8);
		h = mix(h, (uint64_t)ret);
		if (!ret)
			h = mix_bytes(h, buf, 8);
		p = elf__at_vaddr(ef, s.vaddr, 8);
		assert_true(!p == !!ret);
		if (p)
			assert_memory_equal(p, buf, 8);
		ret = elf__vaddr_to_offset(ef, s.vaddr, &off);
		h = mix(h, (uint64_t)ret);
		h = mix(h, ret ? 0 : off);
		h = mix(h, elf__vaddr_is_exec(ef, s.vaddr));
		for (v = s.vaddr; v < s.vaddr + 16; v += 8) {
			uint64_t a;

			h = mix(h, (uint64_t)elf__relative_addend(ef, v, &a));
			h = mix(h, a);
		}
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		ret = elf__find_symbol(ef, syms[i], &v, &sz);
		h = mix(h, (uint64_t)ret);
		if (!ret) {
			h = mix(h, v);
			h = mix(h, sz);
			ret = elf__read_vaddr(ef, v, buf, sizeof(buf));
			h = mix(h, (uint64_t)ret);
			if (!ret)
				h = mix_bytes(h, buf, sizeof(buf));
		}
		ret = elf__find_dynsym(ef, syms[i], &v, &sz);
		h = mix(h, (uint64_t)ret);
		if (!ret)
			h = mix(mix(h, v), sz);
	}
	h = mix_str(h, elf__soname(ef));
	h = mix_str(h, elf__runpath(ef));
	n = elf__needed(ef, names, 8);
	h = mix(h, n);
	for (i = 0; i < n && i < 8; i++)
		h = mix_str(h, names[i]);
	h = mix(h, elf__has_usdt(ef, "python", "audit"));
	h = mix(h, elf__has_usdt(ef, "python", "function__entry"));
	return h;
}

/* A memfd holding the image, and its path. */
static int memfd_with(const uint8_t *img, size_t size, char *path, size_t pathlen)
{
	int fd = memfd_create("pa-test-elf", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(pwrite(fd, img, size, 0), (ssize_t)size);
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* elf__open and elf__open_mem agree: on the synthetic image (every byte
 * of every section), and on the real files (without reading them whole). */
static void test_file_matches_image(void **state)
{
	static const char *const real[] = {
		BIN_TRUE, PY311_EXE, PY311_SO, PYENV313,
	};
	struct elf_file *ef, *em;
	char path[64], err[256];
	size_t size, i;
	uint8_t *img = fresh(&size);
	int fd = memfd_with(img, size, path, sizeof(path));

	(void)state;
	assert_int_equal(elf__open(path, &ef, err, sizeof(err)), 0);
	em = open_ok(img, size);
	assert_true(digest(ef, true) == digest(em, true));
	elf__close(ef);
	elf__close(em);
	close(fd);
	free(img);

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		if (!present(real[i]))
			continue;
		img = read_all(real[i], &size);
		assert_non_null(img);
		assert_int_equal(elf__open(real[i], &ef, err, sizeof(err)), 0);
		em = open_ok(img, size);
		assert_true(digest(ef, false) == digest(em, false));
		elf__close(ef);
		elf__close(em);
		free(img);
	}
}

/* A file that shrinks after elf__open: what is left to read is missing,
 * nothing faults (no mmap, so no SIGBUS). */
static void test_file_truncated(void **state)
{
	static const size_t cuts[] = { 0, 0x100, MK_TEXT + 8, MK_SYMTAB + 8, MK_NOTE };
	struct elf_file *ef;
	struct elf_section s;
	char path[64], err[256];
	uint8_t buf[16];
	uint64_t v;
	size_t size, i;
	uint8_t *img = fresh(&size);

	(void)state;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		int fd = memfd_with(img, size, path, sizeof(path));

		assert_int_equal(elf__open(path, &ef, err, sizeof(err)), 0);
		/* read at open: the headers and the dynamic section */
		assert_string_equal(elf__soname(ef), "libpython3.12.so.1.0");
		assert_int_equal(ftruncate(fd, (off_t)cuts[i]), 0);
		/* each part is missing once the cut is before its end */
		assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, NULL),
				 cuts[i] < MK_STRTAB ? -ENOENT : 0);
		assert_int_equal(elf__read_vaddr(ef, MK_SYS_AUDIT, buf, 4),
				 cuts[i] < MK_SYS_AUDIT + 4 ? -EIO : 0);
		assert_true(!elf__at_vaddr(ef, MK_SYS_AUDIT, 4) ==
			    (cuts[i] < MK_SYS_AUDIT + 4));
		assert_int_equal(elf__relative_addend(ef, MK_DATA + 0x80, &v),
				 cuts[i] < MK_RODATA ? -ENOENT : 0);
		assert_int_equal(elf__has_usdt(ef, "python", "audit"),
				 cuts[i] > MK_NOTE);
		assert_int_equal(elf__section_by_name(ef, ".text", &s), 0);
		assert_true(!s.data == (cuts[i] < MK_DATA));
		assert_int_equal(elf__read_section(ef, s.index, 0, buf, 4),
				 cuts[i] < MK_TEXT + 4 ? -EIO : 0);
		(void)digest(ef, true);
		elf__close(ef);
		close(fd);
	}
	free(img);
}

/* Sections larger than the memory budget, in a large sparse file: open
 * reads the headers only; those sections are not read (their lookups fail
 * as in a stripped file), the others still work. */
static void test_file_budget(void **state)
{
	const uint64_t big = 900ULL << 20;
	const uint64_t rela = (ELF_READ_MAX / 16 + 1) * sizeof(Elf64_Rela);
	struct elf_file *ef;
	char path[64], err[256];
	uint64_t v;
	size_t size;
	uint8_t *img = fresh(&size);
	int fd;

	(void)state;
	SH_SET(img, ".symtab", sh_offset, 1ULL << 20);
	SH_SET(img, ".symtab", sh_size, (ELF_READ_MAX / 24 + 1) * 24);
	SH_SET(img, ".rela.dyn", sh_offset, 1ULL << 28);
	SH_SET(img, ".rela.dyn", sh_size, rela);
	fd = memfd_with(img, size, path, sizeof(path));
	assert_int_equal(ftruncate(fd, (off_t)big), 0);	/* sparse */
	assert_int_equal(elf__open(path, &ef, err, sizeof(err)), 0);
	assert_true(elf__has_symtab(ef));
	assert_int_equal(elf__find_symbol(ef, "sys_audit", &v, NULL), -ENOENT);
	assert_int_equal(elf__find_symbol(ef, "PySys_Audit", &v, NULL), 0);
	assert_int_equal(v, MK_PYSYS_AUDIT);
	assert_int_equal(elf__relative_addend(ef, MK_DATA + 0x80, &v), -ENOENT);
	assert_true(elf__has_usdt(ef, "python", "audit"));
	assert_string_equal(elf__soname(ef), "libpython3.12.so.1.0");
	elf__close(ef);
	close(fd);
	free(img);
}

/* The mutation fuzzer below through files: the same answers as in memory. */
static void test_fuzz_file_vs_image(void **state)
{
	size_t size, i, k, opened = 0;
	uint8_t *orig = fresh(&size), *buf = malloc(size);
	char path[64], err[256];
	int fd = memfd_with(orig, size, path, sizeof(path));

	(void)state;
	assert_non_null(buf);
	rng_state = 0xf11eba5edULL;
	for (i = 0; i < 3000; i++) {
		struct elf_file *ef = NULL, *em = NULL;
		size_t len = size;
		int rf, rm;

		memcpy(buf, orig, size);
		for (k = 0; k < 1 + rng() % 6; k++) {
			uint64_t r = rng();
			size_t pos = r % 3 ? MK_SHOFF + rng() % (size - MK_SHOFF)
					   : rng() % size;

			buf[pos] = r % 2 ? (uint8_t)rng() : buf[pos] ^ (1u << (rng() % 8));
		}
		if (rng() % 16 == 0)
			len = rng() % size;
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
		rf = elf__open(path, &ef, err, sizeof(err));
		rm = elf__open_mem(buf, len, &em, err, sizeof(err));
		assert_int_equal(rf, rm);
		if (!rf) {
			assert_true(digest(ef, true) == digest(em, true));
			opened++;
		}
		elf__close(ef);
		elf__close(em);
	}
	print_message("fuzz file vs image: %zu iterations, %zu parsed\n", i, opened);
	close(fd);
	free(buf);
	free(orig);
}

/* ---- fuzzing ------------------------------------------------------- */

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static volatile unsigned int sink;

/* Use everything the reader offers, touching every byte it hands out. */
static void exercise(const struct elf_file *ef)
{
	static const char *const syms[] = {
		"PySys_Audit", "sys_audit", "Py_Version", "main", "_start",
		"sys_audit_tstate", "",
	};
	struct elf_section s;
	const char *names[8];
	const uint8_t *p;
	uint64_t v, sz, off;
	size_t i, n;

	sink += elf__type(ef) + elf__machine(ef) + elf__has_symtab(ef);
	for (i = 0; i < elf__section_count(ef); i++) {
		if (elf__section_at(ef, i, &s))
			continue;
		sink += strlen(s.name);
		if (s.data && s.size)
			sink += s.data[0] + s.data[s.size - 1];
		p = elf__at_vaddr(ef, s.vaddr, 8);
		if (p)
			sink += p[7];
		if (!elf__vaddr_to_offset(ef, s.vaddr, &off))
			sink += off;
		sink += elf__vaddr_is_exec(ef, s.vaddr);
		if (!elf__relative_addend(ef, s.vaddr, &v))
			sink += v;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (!elf__find_symbol(ef, syms[i], &v, &sz)) {
			p = elf__at_vaddr(ef, v, 1);
			sink += p ? p[0] : 0;
		}
		if (!elf__find_dynsym(ef, syms[i], &v, &sz))
			sink += v;
	}
	if (elf__soname(ef))
		sink += strlen(elf__soname(ef));
	if (elf__runpath(ef))
		sink += strlen(elf__runpath(ef));
	n = elf__needed(ef, names, 8);
	for (i = 0; i < n && i < 8; i++)
		sink += strlen(names[i]);
	sink += elf__has_usdt(ef, "python", "audit");
	sink += elf__has_usdt(ef, "libc", "setjmp");
	sink += elf__section_by_name(ef, ".text", &s);
}

static void fuzz(const uint8_t *orig, size_t size, unsigned int iters,
		 uint64_t seed, const char *what)
{
	uint8_t *buf = malloc(size);
	unsigned int i, ok = 0;
	Elf64_Ehdr eh;

	assert_non_null(buf);
	memcpy(&eh, orig, sizeof(eh));
	rng_state = seed;
	for (i = 0; i < iters; i++) {
		struct elf_file *ef;
		char err[256];
		size_t len = size, k, nmut = 1 + rng() % 8;

		memcpy(buf, orig, size);
		for (k = 0; k < nmut; k++) {
			uint64_t r = rng(), pos;

			/* aim at the headers most of the time */
			switch (r % 4) {
			case 0:
				pos = rng() % sizeof(Elf64_Ehdr);
				break;
			case 1:
				pos = eh.e_shoff + rng() % (size - eh.e_shoff);
				break;
			case 2:
				pos = eh.e_phoff + rng() % (eh.e_phnum * sizeof(Elf64_Phdr));
				break;
			default:
				pos = rng() % size;
				break;
			}
			if (pos >= size)
				continue;
			switch ((r >> 8) % 4) {
			case 0:
				buf[pos] = 0;
				break;
			case 1:
				buf[pos] = 0xff;
				break;
			case 2:
				buf[pos] ^= 1u << (rng() % 8);
				break;
			default:
				buf[pos] = rng();
				break;
			}
		}
		if (rng() % 16 == 0)
			len = rng() % size;	/* truncate */
		if (!elf__open_mem(buf, len, &ef, err, sizeof(err))) {
			exercise(ef);
			elf__close(ef);
			ok++;
		} else {
			assert_true(err[0] != '\0');
		}
	}
	print_message("fuzz %s: %u iterations, %u parsed\n", what, iters, ok);
	free(buf);
}

static void test_fuzz_bin_true(void **state)
{
	size_t size = 0;
	uint8_t *img;

	(void)state;
	if (!present(BIN_TRUE))
		skip();
	img = read_all(BIN_TRUE, &size);
	assert_non_null(img);
	fuzz(img, size, 20000, 0x5eed1234abcdULL, BIN_TRUE);
	free(img);
}

static void test_fuzz_synthetic(void **state)
{
	size_t size;
	uint8_t *img = fresh(&size);

	(void)state;
	fuzz(img, size, 20000, 0x0ddba11cafeULL, "synthetic");
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_synthetic_minimal),
		cmocka_unit_test(test_rpath),
		cmocka_unit_test(test_bin_true),
		cmocka_unit_test(test_debian_exe),
		cmocka_unit_test(test_debian_so),
		cmocka_unit_test(test_pyenv_313),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_malformed_sections),
		cmocka_unit_test(test_malformed_dynamic),
		cmocka_unit_test(test_malformed_stapsdt),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_file_matches_image),
		cmocka_unit_test(test_file_truncated),
		cmocka_unit_test(test_file_budget),
		cmocka_unit_test(test_fuzz_file_vs_image),
		cmocka_unit_test(test_fuzz_bin_true),
		cmocka_unit_test(test_fuzz_synthetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
