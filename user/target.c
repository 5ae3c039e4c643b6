// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Target analysis (see target.h): which CPython a file is, which object
 * layout it uses, and where its audit events can be probed.
 *
 * With a python:audit USDT note, one probe on a nop sees everything.
 * Without one, uprobes go on:
 *  - sys_audit, the static C function behind Python's sys.audit(): it
 *    sees Python-level events before the "is anybody listening" check,
 *    which drops them in every other function (should_audit() in
 *    Python/sysmodule.c, which sys_audit itself calls before anything
 *    else; 3.9+ route sys.audit() around PySys_Audit);
 *  - the C-level funnel: PySys_Audit on 3.8 (it does everything there),
 *    sys_audit_tstate on 3.9+ (both PySys_Audit and the hidden
 *    _PySys_Audit call it).
 * Stripped builds hide both static functions; they are found through the
 * sys module's method table (sys_methods in Python/sysmodule.c lists
 * "addaudithook" right before "audit") and through the call inside
 * PySys_Audit.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "elf.h"
#include "insn_arm64.h"
#include "layout.h"
#include "log.h"
#include "target.h"

#ifndef EI_NIDENT
#error "the system <elf.h> is shadowed by user/elf.h: keep user/ off the include path"
#endif

#define METH_FASTCALL		0x80
#define PYMETHODDEF_SIZE	32	/* ml_name, ml_meth, ml_flags, ml_doc */
#define CALL_SCAN_MAX		4096	/* bytes of PySys_Audit searched */
#define CALL_SCAN_NOSIZE	256	/* ... when its symbol has no size */

static const uint8_t TEST_RDI_RDI[3] = { 0x48, 0x85, 0xff };
static const uint8_t ENDBR64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- instructions ------------------------------------------------- */

static bool is_jcc(const uint8_t *b, size_t len, const char **name)
{
	uint8_t cc;

	if (len >= 1 && b[0] >= 0x70 && b[0] <= 0x7f)
		cc = b[0] & 0xf;
	else if (len >= 2 && b[0] == 0x0f && b[1] >= 0x80 && b[1] <= 0x8f)
		cc = b[1] & 0xf;
	else
		return false;
	if (name)
		*name = cc == 4 ? "je" : cc == 5 ? "jne" : "jcc";
	return true;
}

bool target__insn_emulated(const uint8_t *b, size_t len, char *name,
			   size_t namelen)
{
	static const char *const regs[16] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	const char *n = NULL;
	bool emu = true;
	char buf[32];

	if (!len) {
		snprintf(name, namelen, "nothing");
		return false;
	}
	if (b[0] >= 0x50 && b[0] <= 0x57) {
		snprintf(buf, sizeof(buf), "push %%%s", regs[b[0] - 0x50]);
		n = buf;
	} else if (len >= 2 && b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57) {
		snprintf(buf, sizeof(buf), "push %%%s", regs[8 + b[1] - 0x50]);
		n = buf;
	} else if (b[0] == 0x90 || (len >= 2 && b[0] == 0x66 && b[1] == 0x90) ||
		   (len >= 2 && b[0] == 0x0f && b[1] == 0x1f)) {
		n = "nop";
	} else if (is_jcc(b, len, &n)) {
		;
	} else if (b[0] == 0xeb || b[0] == 0xe9) {
		n = "jmp";
	} else if (b[0] == 0xe8) {
		n = "call";
	} else {
		/* Everything else is single-stepped out of line. */
		emu = false;
		if (len >= 3 && !memcmp(b, TEST_RDI_RDI, 3))
			n = "test %rdi,%rdi";
		else if (len >= 3 && b[0] == 0x48 && b[1] == 0x81 && b[2] == 0xec)
			n = "sub $imm32,%rsp";
		else if (len >= 3 && b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xec)
			n = "sub $imm8,%rsp";
		else if (len >= 2 && (b[0] & 0xf0) == 0x40 && b[1] >= 0xb8 &&
			 b[1] <= 0xbf)
			n = "movabs";
		else if (len >= 4 && !memcmp(b, ENDBR64, 4))
			n = "endbr64";
		else if (len >= 3)
			snprintf(buf, sizeof(buf), "insn %02x %02x %02x",
				 b[0], b[1], b[2]), n = buf;
		else
			snprintf(buf, sizeof(buf), "insn %02x", b[0]), n = buf;
	}
	if (name && namelen)
		snprintf(name, namelen, "%s", n);
	return emu;
}

/* Up to 16 file-backed bytes at vaddr. */
static size_t insn_bytes(const struct elf_file *ef, uint64_t vaddr, uint8_t *buf)
{
	size_t len;

	for (len = 16; len > 0; len--) {
		int ret = elf__read_vaddr(ef, vaddr, buf, len);

		if (!ret)
			return len;
		if (ret != -ENOENT)
			break;	/* unreadable: no shorter read does better */
	}
	memset(buf, 0, 16);
	return 0;
}

/* The site's description; the site itself is t->sites[t->nsites]. */
static int add_site_at(struct target *t, const struct elf_file *ef,
		       uint64_t fn, uint64_t at, const char *fname,
		       uint8_t source, bool emu, const char *what,
		       const char *how, const char *note, char *err,
		       size_t errlen)
{
	struct target_site *s = &t->sites[t->nsites];

	memset(s, 0, sizeof(*s));
	if (elf__vaddr_to_offset(ef, at, &s->file_off))
		return errf(err, errlen, -ESRCH,
			    "%s: %s at 0x%llx has no file offset", t->path, fname,
			    (unsigned long long)at);
	s->vaddr = at;
	s->source = source;
	s->single_step = !emu;
	snprintf(s->desc, sizeof(s->desc), "%s+0x%llx (%s) %s%s%s", fname,
		 (unsigned long long)(at - fn), what, how, note ? "; " : "",
		 note ? note : "");
	t->nsites++;
	return 0;
}

/*
 * AArch64: the probe goes on the function's first instruction (4-byte
 * aligned), usually paciasp, bti c, stp or sub sp: single-stepped, the
 * argument registers untouched. One the kernel rejects
 * (insn_arm64.c) cannot take a uprobe: say so rather than fail at attach.
 */
static int add_site_a64(struct target *t, const struct elf_file *ef,
			uint64_t fn, const char *fname, uint8_t source,
			const char *how, const char *note, char *err,
			size_t errlen)
{
	enum a64_probe p;
	char iname[48], what[96];
	uint32_t insn;

	if (fn & 3)
		return errf(err, errlen, -ESRCH,
			    "%s: %s at 0x%llx is not 4-byte aligned: not an AArch64 function",
			    t->path, fname, (unsigned long long)fn);
	if (elf__read_vaddr(ef, fn, &insn, sizeof(insn)))
		return errf(err, errlen, -ESRCH, "%s: %s at 0x%llx cannot be read",
			    t->path, fname, (unsigned long long)fn);
	p = insn_arm64__probe(insn, iname, sizeof(iname));
	if (p == A64_REJECTED)
		return errf(err, errlen, -ESRCH,
			    "%s: %s starts with %s (0x%08x), on which the kernel accepts no uprobe",
			    t->path, fname, iname, insn);
	snprintf(what, sizeof(what), "%s: %s", iname,
		 p == A64_SIMULATED ? "simulated" : "single-stepped");
	return add_site_at(t, ef, fn, fn, fname, source, p == A64_SIMULATED,
			   what, how, note, err, errlen);
}

/*
 * Put a probe on function fn (entry vaddr). A uprobe on an instruction
 * the kernel must single-step costs ~6x one it emulates (measured on
 * 3.11.7 and 3.12.1: ~3.9 us with PySys_Audit's `sub`, ~0.7 us with `push`),
 * so when the entry is single-stepped but leaves every register the
 * arguments live in untouched, the probe moves past it:
 *  - test %rdi,%rdi followed by a jcc: probe the jcc (+3);
 *  - endbr64 followed by an emulated instruction: probe that (+4).
 */
static int add_site(struct target *t, const struct elf_file *ef, uint64_t fn,
		    const char *fname, uint8_t source, const char *how,
		    const char *note, char *err, size_t errlen)
{
	uint8_t b[16] = { 0 };
	char iname[48], what[96];
	const char *jname;
	uint64_t at = fn;
	size_t len;
	bool emu;

	if (t->nsites >= TARGET_SITES_MAX)
		return errf(err, errlen, -ESRCH, "%s: too many probe sites", t->path);
	if (!elf__vaddr_is_exec(ef, fn))
		return errf(err, errlen, -ESRCH,
			    "%s: %s at 0x%llx is not in an executable segment",
			    t->path, fname, (unsigned long long)fn);
	if (elf__machine(ef) == EM_AARCH64)
		return add_site_a64(t, ef, fn, fname, source, how, note, err,
				    errlen);
	len = insn_bytes(ef, fn, b);
	emu = target__insn_emulated(b, len, iname, sizeof(iname));
	snprintf(what, sizeof(what), "%s: %s", iname,
		 emu ? "emulated" : "single-stepped");
	if (!emu && len >= 5 && !memcmp(b, TEST_RDI_RDI, 3) &&
	    is_jcc(b + 3, len - 3, &jname)) {
		at = fn + 3;
		emu = true;
		snprintf(what, sizeof(what), "%s after test %%rdi,%%rdi: emulated",
			 jname);
	} else if (!emu && len >= 5 && !memcmp(b, ENDBR64, 4) &&
		   target__insn_emulated(b + 4, len - 4, iname, sizeof(iname))) {
		at = fn + 4;
		emu = true;
		snprintf(what, sizeof(what), "%s after endbr64: emulated", iname);
	}

	return add_site_at(t, ef, fn, at, fname, source, emu, what, how, note,
			   err, errlen);
}

/* ---- finding static functions in stripped builds ------------------- */

/* Is the NUL-terminated string s at vaddr v, in an allocated non-exec section? */
static bool str_at_vaddr(const struct elf_file *ef, uint64_t v, const char *s)
{
	size_t n = strlen(s) + 1, i, cnt = elf__section_count(ef);
	struct elf_section sec;
	char buf[64];

	if (n > sizeof(buf))
		return false;
	for (i = 1; i < cnt; i++) {
		if (elf__section_info(ef, i, &sec) || sec.type == SHT_NOBITS ||
		    sec.type == SHT_NULL)
			continue;
		if (!(sec.flags & SHF_ALLOC) || (sec.flags & SHF_EXECINSTR))
			continue;
		if (v < sec.vaddr || v - sec.vaddr > sec.size ||
		    sec.size - (v - sec.vaddr) < n)
			continue;
		if (!elf__read_section(ef, i, v - sec.vaddr, buf, n) &&
		    !memcmp(buf, s, n))
			return true;
	}
	return false;
}

/*
 * A pointer word of the file image at vaddr `at`. Linkers may leave 0 in
 * the word of a PIC object and put the value only in the R_*_RELATIVE
 * relocation's addend (lld; GNU ld on AArch64).
 */
static bool read_ptr(const struct elf_file *ef, const uint8_t *p, uint64_t at,
		     uint64_t *out)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	if (!v && elf__relative_addend(ef, at, &v))
		return false;
	*out = v;
	return v != 0;
}

int target__find_sys_audit_by_table(const struct elf_file *ef, uint64_t *vaddr)
{
	static const char *const secs[] = {
		".data", ".data.rel.ro", ".data.rel.local",
	};
	struct elf_section s;
	size_t i;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		uint64_t off, name, meth, prev;

		if (elf__section_by_name(ef, secs[i], &s) || !s.data ||
		    s.size < 2 * PYMETHODDEF_SIZE)
			continue;
		/* First 8-byte aligned entry that has one before it. */
		off = ((s.vaddr + 7) & ~7ULL) - s.vaddr + PYMETHODDEF_SIZE;
		for (; off <= s.size - PYMETHODDEF_SIZE; off += 8) {
			const uint8_t *e = s.data + off;
			uint32_t flags;

			memcpy(&flags, e + 16, sizeof(flags));
			if (flags != METH_FASTCALL)
				continue;
			if (!read_ptr(ef, e, s.vaddr + off, &name) ||
			    !str_at_vaddr(ef, name, "audit"))
				continue;
			if (!read_ptr(ef, e + 8, s.vaddr + off + 8, &meth) ||
			    !elf__vaddr_is_exec(ef, meth))
				continue;
			/* sys_methods lists addaudithook right before audit */
			if (!read_ptr(ef, e - PYMETHODDEF_SIZE,
				      s.vaddr + off - PYMETHODDEF_SIZE, &prev) ||
			    !str_at_vaddr(ef, prev, "addaudithook"))
				continue;
			*vaddr = meth;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The candidates for sys_audit_tstate in PySys_Audit's code p[0..size),
 * PySys_Audit being at fn: the target of the direct call or jump at p[i]
 * when that function tests its first argument (ts) against 0 at once,
 * else 0.
 *
 * x86-64: call/jmp rel32 to a function that starts with test %rdi,%rdi.
 */
static uint64_t tstate_call_x86(const struct elf_file *ef, const uint8_t *p,
				uint64_t size, uint64_t fn, uint64_t i)
{
	uint8_t q[sizeof(TEST_RDI_RDI)];
	uint64_t tgt;
	int32_t rel;

	if (i + 5 > size || (p[i] != 0xe8 && p[i] != 0xe9))
		return 0;
	memcpy(&rel, p + i + 1, sizeof(rel));
	tgt = fn + i + 5 + (uint64_t)(int64_t)rel;
	if (!elf__vaddr_is_exec(ef, tgt) ||
	    elf__read_vaddr(ef, tgt, q, sizeof(q)) ||
	    memcmp(q, TEST_RDI_RDI, sizeof(TEST_RDI_RDI)))
		return 0;
	return tgt;
}

/*
 * AArch64: B/BL to a function whose prologue reaches cbz x0. PySys_Audit
 * builds its va_list and calls sys_audit_tstate(ts, event, fmt, &ap)
 * (Python/sysmodule.c, 3.9+); Debian's arm64 3.11 and 3.13 have that one
 * BL and no other.
 */
#define A64_PROLOGUE_MAX	8	/* instructions looked at for cbz x0 */

static uint64_t tstate_call_a64(const struct elf_file *ef, const uint8_t *p,
				uint64_t size, uint64_t fn, uint64_t i)
{
	uint32_t insn, q[A64_PROLOGUE_MAX];
	uint64_t tgt;

	if (i % 4 || i + 4 > size)
		return 0;
	memcpy(&insn, p + i, sizeof(insn));
	if (!insn_arm64__branch(insn, fn + i, &tgt) ||
	    !elf__vaddr_is_exec(ef, tgt) ||
	    elf__read_vaddr(ef, tgt, q, sizeof(q)) ||
	    !insn_arm64__tests_x0_first(q, A64_PROLOGUE_MAX))
		return 0;
	return tgt;
}

int target__find_sys_audit_tstate_by_call(const struct elf_file *ef,
					  uint64_t *vaddr)
{
	bool a64 = elf__machine(ef) == EM_AARCH64;
	uint64_t fn, size, found = 0, tgt, i;
	uint8_t p[CALL_SCAN_MAX];

	if (elf__find_dynsym(ef, "PySys_Audit", &fn, &size))
		return -ENOENT;
	if (!size)
		size = CALL_SCAN_NOSIZE;
	if (size > CALL_SCAN_MAX)
		size = CALL_SCAN_MAX;
	while (size && elf__read_vaddr(ef, fn, p, size))
		size /= 2;
	if (!size)
		return -ENOENT;
	for (i = 0; i < size; i++) {
		tgt = a64 ? tstate_call_a64(ef, p, size, fn, i) :
			    tstate_call_x86(ef, p, size, fn, i);
		if (!tgt)
			continue;
		if (found && found != tgt)
			return -ENOENT;	/* ambiguous: trust neither */
		found = tgt;
	}
	if (!found)
		return -ENOENT;
	*vaddr = found;
	return 0;
}

/* ---- versions ------------------------------------------------------ */

struct pyver {
	int major, minor;
	bool ft, debug;
};

/* "libpython3.11.so.1.0", "libpython3.13t.so", "libpython3.7m.so.1.0" */
static bool parse_libpython(const char *name, struct pyver *v)
{
	const char *p;
	int n;

	if (!name || strncmp(name, "libpython", 9))
		return false;
	memset(v, 0, sizeof(*v));
	p = name + 9;
	for (n = 0; *p >= '0' && *p <= '9' && n < 3; n++)
		v->major = v->major * 10 + (*p++ - '0');
	if (!n || *p++ != '.')
		return false;
	for (n = 0; *p >= '0' && *p <= '9' && n < 3; n++)
		v->minor = v->minor * 10 + (*p++ - '0');
	if (!n)
		return false;
	for (; *p && *p != '.'; p++) {
		if (*p == 't')
			v->ft = true;
		else if (*p == 'd')
			v->debug = true;
		else if (*p != 'm' && *p != 'u')
			return false;
	}
	return !strncmp(p, ".so", 3);
}

static bool hex_valid(uint64_t hex)
{
	unsigned int level = (hex >> 4) & 0xf;

	return hex <= UINT32_MAX && (hex >> 24) == 3 &&
	       (level == 0xa || level == 0xb || level == 0xc || level == 0xf);
}

/* Py_Version (3.11+): const unsigned long PY_VERSION_HEX in .rodata. */
static bool read_py_version(const struct elf_file *ef, uint32_t *hex)
{
	uint64_t v, size;
	uint32_t val;

	if (elf__find_symbol(ef, "Py_Version", &v, &size))
		return false;
	if (size != 4 && size != 8)
		return false;
	/* little-endian: low half first */
	if (elf__read_vaddr(ef, v, &val, sizeof(val)))
		return false;
	if (!hex_valid(val))
		return false;
	*hex = val;
	return true;
}

/*
 * _Py_DebugOffsets (3.13+, the first version whose row in user/layout.c
 * describes them) at offset 0 of _PyRuntime, which starts the .PyRuntime
 * section: char cookie[8] "xdebugpy", u64 version (PY_VERSION_HEX), u64
 * free_threaded, then version-specific sub-structs (Include/internal/
 * pycore_runtime.h in 3.13, pycore_debug_offsets.h in 3.14; checked on
 * 3.13.0: the next u64 is sizeof(_PyRuntimeState)). The sub-structs are
 * read by user/layout.c.
 */
static bool read_debug_offsets(const struct elf_file *ef, uint32_t *hex, int *ft)
{
	struct elf_section s;
	uint8_t head[24];
	uint64_t ver, f;

	if (elf__section_info_by_name(ef, ".PyRuntime", &s) ||
	    elf__read_section(ef, s.index, 0, head, sizeof(head)))
		return false;
	if (memcmp(head, "xdebugpy", 8))
		return false;
	memcpy(&ver, head + 8, sizeof(ver));
	memcpy(&f, head + 16, sizeof(f));
	if (!hex_valid(ver) || ver < layout__debug_offsets_since())
		return false;
	*hex = (uint32_t)ver;
	*ft = f <= 1 ? (int)f : -1;
	return true;
}

static int find_version(const struct elf_file *ef, struct target *t,
			char *err, size_t errlen)
{
	struct pyver so = { 0 };
	bool have_so = parse_libpython(elf__soname(ef), &so);
	uint32_t pyv = 0, dbg = 0, hex = 0;
	bool have_pyv = read_py_version(ef, &pyv);
	int dbg_ft = -1;
	bool have_dbg = read_debug_offsets(ef, &dbg, &dbg_ft);
	const char *src = "?";

	if (have_pyv && have_dbg && (pyv >> 16) != (dbg >> 16))
		return errf(err, errlen, -EPROTONOSUPPORT,
			    "%s: Py_Version 0x%08x and _Py_DebugOffsets 0x%08x disagree",
			    t->path, pyv, dbg);
	if (have_pyv) {
		hex = pyv;
		src = "Py_Version";
	} else if (have_dbg) {
		hex = dbg;
		src = "_Py_DebugOffsets";
	}

	if (hex) {
		t->py_major = hex >> 24;
		t->py_minor = (hex >> 16) & 0xff;
		t->py_version_hex = hex;
		if (have_so && (so.major != t->py_major || so.minor != t->py_minor))
			return errf(err, errlen, -EPROTONOSUPPORT,
				    "%s: SONAME %s disagrees with %s 0x%08x",
				    t->path, elf__soname(ef), src, hex);
	} else if (have_so) {
		t->py_major = so.major;
		t->py_minor = so.minor;
		src = "SONAME";
	} else if (!elf__find_symbol(ef, "Py_Version", NULL, NULL)) {
		return errf(err, errlen, -EPROTONOSUPPORT,
			    "%s: Py_Version is unreadable: cannot tell 3.11 from later versions",
			    t->path);
	} else if (!layout__version_by_symbols(ef, &t->py_major,
					      &t->py_minor)) {
		/* 3.8-3.10 executables: first version of exported symbols */
		src = "exported symbols";
	} else {
		return errf(err, errlen, -EPROTONOSUPPORT,
			    "%s: no version marker among its symbols", t->path);
	}
	if (!t->py_version_hex)
		t->py_version_hex = ((uint32_t)t->py_major << 24) |
				    ((uint32_t)t->py_minor << 16);
	t->free_threaded = (have_so && so.ft) || dbg_ft == 1;
	p_debug("%s: CPython %d.%d%s (0x%08x) from %s", t->path, t->py_major,
		t->py_minor, t->free_threaded ? "t" : "", t->py_version_hex, src);
	return 0;
}

/* ---- not a target -------------------------------------------------- */

/* Where the NEEDED library probably is: a RUNPATH entry that has it. */
static void locate_needed(const char *path, const char *runpath,
			  const char *needed, char *out, size_t outlen)
{
	char rp[1024], origin[PATH_MAX], cand[PATH_MAX + 1024];
	char *dir, *save = NULL, *slash;
	size_t len;
	int n;

	snprintf(out, outlen, "%s", needed);
	if (!runpath || strlen(runpath) >= sizeof(rp) || strlen(path) >= sizeof(origin))
		return;
	strcpy(rp, runpath);
	strcpy(origin, path);
	slash = strrchr(origin, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(origin, ".");
	for (dir = strtok_r(rp, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (!strncmp(dir, "$ORIGIN", 7))
			n = snprintf(cand, sizeof(cand), "%s%s/%s", origin, dir + 7, needed);
		else if (!strncmp(dir, "${ORIGIN}", 9))
			n = snprintf(cand, sizeof(cand), "%s%s/%s", origin, dir + 9, needed);
		else if (dir[0] == '/')
			n = snprintf(cand, sizeof(cand), "%s/%s", dir, needed);
		else
			continue;
		if (n < 0 || (size_t)n >= sizeof(cand))
			continue;
		len = (size_t)n;
		if (len >= outlen || access(cand, F_OK))
			continue;
		memcpy(out, cand, len + 1);
		return;
	}
}

static bool too_old(const struct pyver *v)
{
	return v->major < 3 || (v->major == 3 && v->minor < 8);
}

static int not_a_target(const struct elf_file *ef, const struct target *t,
			char *err, size_t errlen)
{
	const char *needed[64];
	struct pyver v;
	size_t n, i;

	n = elf__needed(ef, needed, 64);
	for (i = 0; i < n && i < 64; i++) {
		char where[PATH_MAX];

		if (!parse_libpython(needed[i], &v))
			continue;
		if (too_old(&v))
			return errf(err, errlen, -ENOTSUP,
				    "%s links %s (CPython %d.%d): audit hooks need CPython 3.8+",
				    t->path, needed[i], v.major, v.minor);
		locate_needed(t->path, elf__runpath(ef), needed[i], where,
			      sizeof(where));
		return errf(err, errlen, -ENOENT,
			    "%s links libpython dynamically: trace %s instead",
			    t->path, where);
	}
	if (parse_libpython(elf__soname(ef), &v) && too_old(&v))
		return errf(err, errlen, -ENOTSUP,
			    "%s is CPython %d.%d: audit hooks (PEP 578) need CPython 3.8+",
			    t->path, v.major, v.minor);
	return errf(err, errlen, -ENOENT,
		    "%s does not define PySys_Audit: not a CPython 3.8+ interpreter or libpython",
		    t->path);
}

/* ---- probe sites --------------------------------------------------- */

static int find_sites(const struct elf_file *ef, struct target *t,
		      char *err, size_t errlen)
{
	uint64_t sa, fn;
	const char *how;
	int ret;

	/* a. sys_audit: Python-level events, before the hook check */
	if (!elf__find_symbol(ef, "sys_audit", &sa, NULL)) {
		how = "found by symbol";
	} else if (!target__find_sys_audit_by_table(ef, &sa)) {
		how = "found in the sys method table";
	} else {
		return errf(err, errlen, -ESRCH,
			    "%s: cannot find sys.audit's C function: Python-level events would be missed",
			    t->path);
	}
	ret = add_site(t, ef, sa, "sys_audit", PA_SRC_SYS_AUDIT, how, NULL,
		       err, errlen);
	if (ret)
		return ret;

	if (elf__find_dynsym(ef, "PySys_Audit", &fn, NULL) &&
	    elf__find_symbol(ef, "PySys_Audit", &fn, NULL))
		return errf(err, errlen, -ESRCH, "%s: PySys_Audit vanished", t->path);

	/* b. 3.8: every C-level event goes through PySys_Audit itself */
	if (t->py_major == 3 && t->py_minor == 8) {
		snprintf(t->why, sizeof(t->why),
			 "no python:audit USDT note: uprobes on sys_audit (Python-level events, before the hook check) and PySys_Audit (3.8: every C-level event)");
		return add_site(t, ef, fn, "PySys_Audit", PA_SRC_VARARGS,
				"exported", NULL, err, errlen);
	}

	/* c. 3.9+: sys_audit_tstate, the funnel of PySys_Audit and _PySys_Audit */
	{
		uint64_t ts;

		if (!elf__find_symbol(ef, "sys_audit_tstate", &ts, NULL))
			how = "found by symbol";
		else if (!target__find_sys_audit_tstate_by_call(ef, &ts))
			how = "found as the call in PySys_Audit";
		else
			how = NULL;
		if (how) {
			snprintf(t->why, sizeof(t->why),
				 "no python:audit USDT note: uprobes on sys_audit (Python-level events, before the hook check) and sys_audit_tstate (every C-level event)");
			return add_site(t, ef, ts, "sys_audit_tstate",
					PA_SRC_VALIST, how, NULL, err, errlen);
		}
	}

	/* Fallback: both entry points of C-level events, if we can. */
	{
		uint64_t priv;
		bool have_priv = !elf__find_symbol(ef, "_PySys_Audit", &priv, NULL);

		ret = add_site(t, ef, fn, "PySys_Audit", PA_SRC_VARARGS, "exported",
			       have_priv ? NULL :
			       "no _PySys_Audit: internal events (import, exec of __main__...) missed",
			       err, errlen);
		if (ret)
			return ret;
		if (have_priv) {
			ret = add_site(t, ef, priv, "_PySys_Audit",
				       PA_SRC_VARARGS_TS, "found by symbol", NULL,
				       err, errlen);
			if (ret)
				return ret;
		}
		snprintf(t->why, sizeof(t->why),
			 "no python:audit USDT note and no sys_audit_tstate: uprobes on sys_audit, PySys_Audit%s",
			 have_priv ? " and _PySys_Audit" :
			 " (interpreter-internal events such as import are missed)");
	}
	return 0;
}

/* ---- the analysis -------------------------------------------------- */

/* t->path is set. With stat_path, t->dev and t->ino come from fstat of
 * the descriptor ef reads. */
static void find_addresses(const struct elf_file *ef, struct target *t);

static int analyze_elf(const struct elf_file *ef, const char *path,
		       struct target *t, bool stat_path, char *err,
		       size_t errlen)
{
	const char *soname;
	char why[256];
	struct stat st;
	uint64_t pc = 0;
	size_t nnotes;
	uint16_t type;
	int ret, i;

	if (elf__machine(ef) != PA_NATIVE_EM)
		return errf(err, errlen, -ENOEXEC,
			    "%s: %s binary, and this pyaudit is built for %s: use a pyaudit built for the target's architecture",
			    path, elf__machine(ef) == EM_AARCH64 ? "AArch64" :
			    elf__machine(ef) == EM_X86_64 ? "x86-64" : "foreign",
			    PA_NATIVE_NAME);
	type = elf__type(ef);
	if (type != ET_EXEC && type != ET_DYN)
		return errf(err, errlen, -ENOEXEC,
			    "%s: not an executable or shared library (ELF type %u)",
			    path, type);
	if (stat_path) {
		/* The file read, not what path names now. */
		ret = elf__stat(ef, &st);
		if (ret)
			return errf(err, errlen, ret, "%s: %s", path, strerror(-ret));
		t->dev = st.st_dev;
		t->ino = st.st_ino;
	}
	soname = elf__soname(ef);
	t->shared_lib = type == ET_DYN && soname && !strncmp(soname, "libpython", 9);

	/* Defined, not merely imported. */
	if (elf__find_symbol(ef, "PySys_Audit", NULL, NULL))
		return not_a_target(ef, t, err, errlen);
	ret = find_version(ef, t, err, errlen);
	if (ret)
		return ret;
	ret = layout__for_file(ef, t->py_major, t->py_minor, t->free_threaded,
			       &t->layout, why, sizeof(why));
	if (ret < 0)
		return errf(err, errlen, -EPROTONOSUPPORT,
			    "%s: CPython %d.%d%s: not traced: %s", path,
			    t->py_major, t->py_minor,
			    t->free_threaded ? "t" : "", why);
	if (ret == LAYOUT_UNSEEN)
		snprintf(t->warning, sizeof(t->warning),
			 "%s: CPython %d.%d%s is %s", path, t->py_major,
			 t->py_minor, t->free_threaded ? "t" : "", why);
	else if (why[0])
		p_debug("%s: %s", path, why);

	find_addresses(ef, t);
	nnotes = elf__usdt_sites(ef, "python", "audit", &pc);
	if (nnotes) {
		t->mech = TARGET_MECH_USDT;
		t->nsites = 0;
		t->layout.dedup_sys_audit = 0;
		/* One note: the probed ip gives the bias. Several (GCC's
		 * clones of PySys_Audit/_PySys_Audit inline sys_audit_tstate,
		 * each copy with its note: Debian's python3.14 has 5): the
		 * bias is only known in a file loaded where it was linked. */
		if (nnotes == 1)
			t->layout.site_vaddr[PA_SRC_USDT] = pc;
		else if (type == ET_EXEC)
			t->layout.link_bias = 1;
		snprintf(t->why, sizeof(t->why),
			 "python:audit USDT note: one probe on a nop sees every C-level and Python-level event (arming it makes every process using this file build the argument tuple of every event)");
		return 0;
	}

	t->mech = TARGET_MECH_UPROBES;
	ret = find_sites(ef, t, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < t->nsites; i++)
		t->layout.site_vaddr[t->sites[i].source & 7] = t->sites[i].vaddr;
	t->layout.dedup_sys_audit = 1;
	return 0;
}

/*
 * Link-time addresses BPF turns into process addresses with the bias it
 * computes from the probed ip: .rodata (where C event names live, for the
 * filter's verdict cache), the whole image (static types, for the type
 * cache) and _PyRuntime (the thread state, for frames).
 * A file without them just goes without those two features.
 */
static void find_addresses(const struct elf_file *ef, struct target *t)
{
	struct elf_section sec;
	uint64_t addr = 0;

	if (!elf__section_info_by_name(ef, ".rodata", &sec) && sec.vaddr &&
	    sec.size && sec.vaddr + sec.size > sec.vaddr) {
		t->layout.ro_lo = sec.vaddr;
		t->layout.ro_hi = sec.vaddr + sec.size;
	}
	if (!elf__find_symbol(ef, "_PyRuntime", &addr, NULL) && addr)
		t->layout.runtime = addr;
	for (size_t i = 0; i < elf__section_count(ef); i++) {
		if (elf__section_info(ef, i, &sec) || !(sec.flags & SHF_ALLOC) ||
		    !sec.vaddr || sec.vaddr + sec.size < sec.vaddr)
			continue;
		if (!t->layout.img_lo || sec.vaddr < t->layout.img_lo)
			t->layout.img_lo = sec.vaddr;
		if (sec.vaddr + sec.size > t->layout.img_hi)
			t->layout.img_hi = sec.vaddr + sec.size;
	}
}

/* Reset t and err, and copy path into t->path. */
static int analyze_start(const char *path, struct target *t, char *err,
			 size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (err && errlen)
		err[0] = '\0';
	if (strlen(path) >= sizeof(t->path))
		return errf(err, errlen, -ENAMETOOLONG, "%.64s...: path too long", path);
	strcpy(t->path, path);
	t->fd = -1;
	return 0;
}

int target__analyze_elf(const struct elf_file *ef, const char *path,
			struct target *t, char *err, size_t errlen)
{
	int ret = analyze_start(path, t, err, errlen);

	if (ret)
		return ret;
	return analyze_elf(ef, path, t, false, err, errlen);
}

static int analyze_path(int fd, const char *path, struct target *t,
			bool copy_ro, char *err, size_t errlen)
{
	struct elf_file *ef = NULL;
	int ret;

	ret = analyze_start(path, t, err, errlen);
	if (ret)
		return ret;
	ret = fd >= 0 ? elf__open_fd(fd, path, &ef, err, errlen) :
			elf__open(path, &ef, err, errlen);
	if (ret)
		return ret;
	ret = analyze_elf(ef, path, t, true, err, errlen);
	/* What BPF reads when a process's page is absent, from the file
	 * just analysed: without it the target only reads less. */
	if (!ret && copy_ro)
		rocopy__read(ef, &t->ro);
	elf__close(ef);
	return ret;
}

int target__analyze(const char *path, struct target *t, char *err, size_t errlen)
{
	return analyze_path(-1, path, t, false, err, errlen);
}

int target__analyze_fd(int fd, const char *path, struct target *t, char *err,
		       size_t errlen)
{
	return analyze_path(fd, path, t, true, err, errlen);
}

void target__close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
