// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the target-file analysis on arbitrary bytes.
 *
 * The input is an ELF image. It goes through elf__open_mem() and, when
 * that accepts it, through everything target analysis does with a file:
 * symbol lookups, sections, the USDT note, the dynamic section, address
 * translation, R_X86_64_RELATIVE addends, the stripped-build scans, the
 * probe-site instruction classifier and target__analyze_elf() itself.
 * Besides ASan/UBSan, a few invariants of the API are checked (see
 * FUZZ_CHECK below); a violation aborts.
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../../user/elf.h"
#include "../../user/layout.h"
#include "../../user/log.h"
#include "../../user/target.h"
#include "fuzz.h"

/* Touch the first and last byte of [p, p + len): ASan checks both. */
static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t len)
{
	if (!p || !len)
		return;
	sink ^= p[0];
	sink ^= p[len - 1];
}

static void check_str(const char *s)
{
	if (s)
		sink ^= (uint8_t)strlen(s);
}

/* The accessors agree on vaddr, and what they return is readable. */
static void check_vaddr(const struct elf_file *ef, uint64_t v)
{
	const uint8_t *p1 = elf__at_vaddr(ef, v, 1);
	const uint8_t *p16 = elf__at_vaddr(ef, v, 16);
	uint64_t off = 0, addend = 0;
	int ret = elf__vaddr_to_offset(ef, v, &off);

	FUZZ_CHECK(!p1 == !!ret, "vaddr 0x%llx: at_vaddr %p, vaddr_to_offset %d",
		   (unsigned long long)v, (const void *)p1, ret);
	FUZZ_CHECK(!p16 || p1, "vaddr 0x%llx: 16 bytes but not 1",
		   (unsigned long long)v);
	touch(p1, 1);
	touch(p16, 16);
	{
		/* the copying read agrees with the pointer */
		uint8_t b[16];
		int r1 = elf__read_vaddr(ef, v, b, 1), r16 = elf__read_vaddr(ef, v, b, 16);

		FUZZ_CHECK(!r16 == !!p16 && (!p16 || !memcmp(b, p16, 16)),
			   "vaddr 0x%llx: read_vaddr(16) %d vs at_vaddr %p",
			   (unsigned long long)v, r16, (const void *)p16);
		FUZZ_CHECK(!r1 == !!p1, "vaddr 0x%llx: read_vaddr(1) %d vs at_vaddr %p",
			   (unsigned long long)v, r1, (const void *)p1);
	}
	/* 0 length means 1 byte */
	FUZZ_CHECK(elf__at_vaddr(ef, v, 0) == p1, "vaddr 0x%llx: len 0 vs 1",
		   (unsigned long long)v);
	sink ^= elf__vaddr_is_exec(ef, v);
	ret = elf__relative_addend(ef, v, &addend);
	FUZZ_CHECK(ret == 0 || (ret == -ENOENT && addend == 0),
		   "relative_addend %d addend 0x%llx", ret,
		   (unsigned long long)addend);
}

static void check_symbols(const struct elf_file *ef)
{
	static const char *const names[] = {
		"PySys_Audit", "_PySys_Audit", "sys_audit", "sys_audit_tstate",
		"_PyRuntime", "Py_Version", "PySys_AuditTuple", "Py_NewRef",
		"PyThreadState_GetFrame", "main", "",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t v = 0, sz = 0, dv = 0, dsz = 0;
		int r = elf__find_symbol(ef, names[i], &v, &sz);
		int rd = elf__find_dynsym(ef, names[i], &dv, &dsz);

		FUZZ_CHECK(r == 0 || r == -ENOENT, "find_symbol %d", r);
		FUZZ_CHECK(rd == 0 || rd == -ENOENT, "find_dynsym %d", rd);
		/* .symtab then .dynsym: a dynsym hit is a symbol hit */
		FUZZ_CHECK(rd || !r, "%s in .dynsym but not found", names[i]);
		FUZZ_CHECK(elf__find_symbol(ef, names[i], NULL, NULL) == r,
			   "find_symbol with NULL outputs differs");
		if (!r) {
			check_vaddr(ef, v);
			touch(elf__at_vaddr(ef, v, sz < 4096 ? sz : 4096),
			      sz < 4096 ? sz : 4096);
		}
		if (!rd && dv != v)
			check_vaddr(ef, dv);
	}
	sink ^= elf__has_symtab(ef);
}

static void check_sections(const struct elf_file *ef)
{
	static const char *const names[] = {
		".data", ".data.rel.ro", ".data.rel.local", ".PyRuntime",
		".note.stapsdt", ".dynstr", ".dynsym", ".text", ".rodata",
		".symtab", "",
	};
	size_t i, n = elf__section_count(ef);
	struct elf_section s;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(!elf__section_at(ef, i, &s), "section_at %zu of %zu", i, n);
		FUZZ_CHECK(s.name, "section %zu without a name string", i);
		check_str(s.name);
		FUZZ_CHECK(!s.data || s.type != SHT_NOBITS,
			   "NOBITS section %zu with data", i);
		touch(s.data, s.size);
		{
			/* info: the same without data; copying reads agree */
			struct elf_section si;
			uint8_t b[8];
			size_t k = s.size < sizeof(b) ? s.size : sizeof(b);
			int r = elf__read_section(ef, i, s.size - k, b, k);

			FUZZ_CHECK(!elf__section_info(ef, i, &si) && !si.data &&
				   si.index == i && si.size == s.size &&
				   si.type == s.type && si.name == s.name,
				   "section_info %zu", i);
			FUZZ_CHECK(!r == !!s.data &&
				   (!s.data || !memcmp(b, s.data + s.size - k, k)),
				   "read_section %zu: %d, data %p", i, r,
				   (const void *)s.data);
			FUZZ_CHECK(elf__read_section(ef, i, s.size, b, 1) == -ENOENT,
				   "read_section %zu past its end", i);
		}
		if (i < 64 && (s.flags & SHF_ALLOC))
			check_vaddr(ef, s.vaddr);
	}
	FUZZ_CHECK(elf__section_at(ef, n, &s) == -ENOENT, "section_at past the end");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int r = elf__section_by_name(ef, names[i], &s);

		FUZZ_CHECK(r == 0 || r == -ENOENT, "section_by_name %d", r);
		if (!r) {
			FUZZ_CHECK(!strcmp(s.name, names[i]), "section_by_name %s gave %s",
				   names[i], s.name);
			touch(s.data, s.size);
		}
	}
}

static void check_dynamic(const struct elf_file *ef)
{
	const char *needed[80];
	size_t n, i;

	check_str(elf__soname(ef));
	check_str(elf__runpath(ef));
	n = elf__needed(ef, needed, 80);
	FUZZ_CHECK(n <= 64, "%zu DT_NEEDED kept", n);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(needed[i], "DT_NEEDED %zu is NULL", i);
		check_str(needed[i]);
	}
	/* max smaller than the count: the count still comes back */
	FUZZ_CHECK(elf__needed(ef, needed, 1) == n, "needed(max 1) count");
	sink ^= elf__has_usdt(ef, "python", "audit");
	sink ^= elf__has_usdt(ef, "python", "function__entry");
	sink ^= elf__has_usdt(ef, "", "");
}

static void check_scans(const struct elf_file *ef)
{
	static const uint8_t test_rdi[3] = { 0x48, 0x85, 0xff };
	uint64_t v = 0;
	const uint8_t *p;

	if (!target__find_sys_audit_by_table(ef, &v)) {
		FUZZ_CHECK(elf__vaddr_is_exec(ef, v),
			   "sys_audit by table at 0x%llx, not executable",
			   (unsigned long long)v);
		check_vaddr(ef, v);
	}
	if (!target__find_sys_audit_tstate_by_call(ef, &v)) {
		FUZZ_CHECK(elf__vaddr_is_exec(ef, v),
			   "sys_audit_tstate by call at 0x%llx, not executable",
			   (unsigned long long)v);
		p = elf__at_vaddr(ef, v, 3);
		FUZZ_CHECK(p && !memcmp(p, test_rdi, 3),
			   "sys_audit_tstate by call at 0x%llx: no test %%rdi,%%rdi",
			   (unsigned long long)v);
	}
}

/* The instruction classifier on the first bytes of the input. */
static void check_insn(const uint8_t *data, size_t size)
{
	static const size_t namelens[] = { 0, 1, 5, 48 };
	char name[48];
	size_t len, k;

	for (len = 0; len <= 16 && len <= size; len += len < 5 ? 1 : 11) {
		for (k = 0; k < sizeof(namelens) / sizeof(namelens[0]); k++) {
			size_t nl = namelens[k];

			memset(name, 'X', sizeof(name));
			/* namelen 0: no buffer at all */
			target__insn_emulated(data, len, nl ? name : NULL, nl);
			if (nl)
				FUZZ_CHECK(memchr(name, '\0', nl),
					   "insn name not terminated in %zu bytes", nl);
		}
	}
}

/*
 * The layout of an analysed file is its version's row (user/layout.c),
 * with at most the file's own _Py_DebugOffsets over the frame fields,
 * which must then fit in what BPF reads at once, or be turned off.
 */
static void check_layout(const struct target *t)
{
	const struct pa_layout *l = &t->layout;
	struct pa_layout row;

	FUZZ_CHECK(!layout__for_version(t->py_major, t->py_minor,
					t->free_threaded, &row),
		   "CPython %d.%d analysed without a row", t->py_major,
		   t->py_minor);
	FUZZ_CHECK(l->ltab_format == row.ltab_format, "ltab_format %u, row %u",
		   l->ltab_format, row.ltab_format);
	FUZZ_CHECK(!memcmp(l, &row, offsetof(struct pa_layout, code_filename)),
		   "object layout differs from the row");
	FUZZ_CHECK(!l->frame_kind || l->frame_kind == row.frame_kind,
		   "frame_kind %u, row %u", l->frame_kind, row.frame_kind);
	if (!l->frame_kind)
		return;
	FUZZ_CHECK(l->fr_back + 8 <= l->fr_read && l->fr_code + 8 <= l->fr_read &&
		   l->fr_instr + 8 <= l->fr_read && l->fr_owner + 1 <= l->fr_read,
		   "frame fields past fr_read %u", l->fr_read);
	FUZZ_CHECK(l->code_filename + 8 <= l->co_read &&
		   l->co_func + 8 <= l->co_read &&
		   l->co_linetable + 8 <= l->co_read &&
		   l->co_firstlineno + 4 <= l->co_read,
		   "code fields past co_read %u", l->co_read);
}

static void check_analysis(const struct elf_file *ef, size_t size)
{
	/* a path whose directory does not exist: locate_needed()'s access()
	 * calls find nothing */
	static const char path[] = "/nonexistent/pyaudit-fuzz/libpython3.12.so.1.0";
	char err[512], small[8];
	struct target t;
	int ret, i;

	memset(err, 'X', sizeof(err));
	ret = target__analyze_elf(ef, path, &t, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "err not terminated");
	FUZZ_CHECK(!strcmp(t.path, path), "t.path");
	if (ret) {
		FUZZ_CHECK(ret < 0, "analysis returned %d", ret);
		FUZZ_CHECK(err[0], "analysis failed (%d) without a reason", ret);
	} else {
		FUZZ_CHECK(t.mech == TARGET_MECH_USDT || t.mech == TARGET_MECH_UPROBES,
			   "mech %d", t.mech);
		FUZZ_CHECK(t.nsites >= 0 && t.nsites <= TARGET_SITES_MAX,
			   "nsites %d", t.nsites);
		FUZZ_CHECK(t.mech == TARGET_MECH_USDT ? t.nsites == 0 : t.nsites >= 1,
			   "mech %d with %d sites", t.mech, t.nsites);
		FUZZ_CHECK(t.why[0] && memchr(t.why, '\0', sizeof(t.why)), "why");
		FUZZ_CHECK(t.py_major == 3 && t.py_minor >= 8,
			   "analysed CPython %d.%d", t.py_major, t.py_minor);
		check_layout(&t);
		for (i = 0; i < t.nsites; i++) {
			const struct target_site *s = &t.sites[i];
			uint64_t off = 0;

			FUZZ_CHECK(!elf__vaddr_to_offset(ef, s->vaddr, &off) &&
				   off == s->file_off,
				   "site %d: vaddr 0x%llx file_off 0x%llx", i,
				   (unsigned long long)s->vaddr,
				   (unsigned long long)s->file_off);
			FUZZ_CHECK(s->file_off < size, "site %d: file_off past the end", i);
			FUZZ_CHECK(elf__vaddr_is_exec(ef, s->vaddr),
				   "site %d: not executable", i);
			FUZZ_CHECK(s->source >= PA_SRC_SYS_AUDIT &&
				   s->source <= PA_SRC_VARARGS_TS,
				   "site %d: source %u", i, s->source);
			FUZZ_CHECK(memchr(s->desc, '\0', sizeof(s->desc)),
				   "site %d: desc not terminated", i);
		}
	}
	/* The same with a tiny error buffer and with none: same result. */
	FUZZ_CHECK(target__analyze_elf(ef, path, &t, small, sizeof(small)) == ret,
		   "result depends on the error buffer");
	FUZZ_CHECK(memchr(small, '\0', sizeof(small)), "small err not terminated");
	FUZZ_CHECK(target__analyze_elf(ef, path, &t, NULL, 0) == ret,
		   "result depends on the error buffer (NULL)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_file *ef = NULL;
	char err[256];
	int ret;

	check_insn(data, size);

	memset(err, 'X', sizeof(err));
	ret = elf__open_mem(data, size, &ef, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "elf err not terminated");
	if (ret) {
		FUZZ_CHECK(ret < 0 && !ef && err[0], "elf__open_mem %d, ef %p, err '%s'",
			   ret, (void *)ef, err);
		return 0;
	}
	FUZZ_CHECK(ef, "elf__open_mem 0 without a file");
	sink ^= (uint8_t)elf__type(ef);
	sink ^= (uint8_t)elf__machine(ef);

	check_symbols(ef);
	check_sections(ef);
	check_dynamic(ef);
	check_scans(ef);
	check_vaddr(ef, 0);
	check_vaddr(ef, UINT64_MAX);
	check_analysis(ef, size);

	elf__close(ef);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_verbose = 0;	/* p_debug stays silent */
	return 0;
}
