/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Target analysis: given one file (a python executable or a libpython),
 * find its CPython version, its object layout, and where to probe it.
 * Pure user space, no BPF: tested on fixtures and on real binaries.
 */
#ifndef PA_TARGET_H
#define PA_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"
#include "rocopy.h"

enum target_mech {
	TARGET_MECH_USDT = 1,	/* python:audit note: libbpf attaches by name */
	TARGET_MECH_UPROBES = 2,	/* uprobes at target->sites */
};

#define TARGET_SITES_MAX 4

struct target_site {
	uint64_t vaddr;		/* where the probe goes, link-time address */
	uint64_t file_off;	/* the same as a file offset (what uprobes take) */
	uint8_t source;		/* enum pa_source: which BPF program */
	bool single_step;	/* the kernel single-steps this instruction */
	char desc[160];		/* "sys_audit_tstate+0x3 (je: emulated), by symbol" */
};

struct target {
	char path[PATH_MAX];	/* as we open it (may be under /proc/PID/root) */
	dev_t dev;
	ino_t ino;
	/* The descriptor analysed, kept open until the target is attached
	 * through it (/proc/self/fd/N), so that a file renamed over path
	 * meanwhile is never probed; -1 when closed. */
	int fd;
	bool shared_lib;	/* libpython (ET_DYN with a SONAME) */
	int py_major, py_minor;
	uint32_t py_version_hex;	/* full when the file says, else major.minor */
	bool free_threaded;
	enum target_mech mech;
	struct target_site sites[TARGET_SITES_MAX];
	int nsites;
	char why[256];		/* why this mechanism, for -v */
	/* Traced, but the user should know: a version pyaudit has never
	 * seen, on its _Py_DebugOffsets ("" when none). */
	char warning[512];
	struct pa_layout layout;
	/* Its .rodata, read at analysis through the file analysed
	 * (target__analyze), until attach stores it in the ro_pages map. */
	struct ro_copy ro;
};

/*
 * Analyse path. Returns 0 and fills t, or a negative errno with a one-line
 * reason in err: -ENOEXEC not ELF / not x86-64, -ENOENT not a Python
 * (no PySys_Audit), -ENOTSUP a Python older than 3.8 (audit hooks need
 * 3.8), -EPROTONOSUPPORT a CPython 3.8+ pyaudit cannot trace (no layout
 * for its version, or a version never seen whose _Py_DebugOffsets fail a
 * check: err names the file, the version and the reason), -ESRCH no
 * usable probe point.
 */
int target__analyze(const char *path, struct target *t, char *err, size_t errlen);
/*
 * The same on a file the caller opened (fd, a regular file; path names
 * it in t->path and messages and is not opened again), and a copy of its
 * .rodata in t->ro (rocopy.h), read through the same descriptor; the
 * caller frees it (rocopy__free). t->dev and t->ino are fd's: what is
 * attached later must be this file (attach.c attaches through fd).
 */
int target__analyze_fd(int fd, const char *path, struct target *t, char *err,
		       size_t errlen);

/* Close t->fd (once the target is attached, or given up). */
void target__close(struct target *t);

struct elf_file;

/*
 * The same analysis of a file already opened (elf__open, elf__open_mem):
 * path only names it in t->path and in messages, and is not opened nor
 * stat'ed (t->dev and t->ino stay 0). ef stays the caller's. Used by
 * target__analyze and by the fuzzer (tests/fuzz/fuzz_target.c).
 */
int target__analyze_elf(const struct elf_file *ef, const char *path,
			struct target *t, char *err, size_t errlen);

/*
 * The pieces of target__analyze exposed for tests. Both return 0 and the
 * link-time address, or -ENOENT.
 *
 * target__find_sys_audit_by_table: the static sys_audit found through
 * the sys module's PyMethodDef table ({"audit", sys_audit, METH_FASTCALL}
 * right after {"addaudithook", ...}), without symbols.
 *
 * target__find_sys_audit_tstate_by_call: the static sys_audit_tstate
 * (3.9+) as the target of the call/jmp inside exported PySys_Audit that
 * starts with test %rdi,%rdi (AArch64: the B/BL to a function whose
 * prologue has cbz x0).
 */
int target__find_sys_audit_by_table(const struct elf_file *ef, uint64_t *vaddr);
int target__find_sys_audit_tstate_by_call(const struct elf_file *ef,
					  uint64_t *vaddr);

/*
 * Does the kernel emulate (rather than single-step out of line) a uprobe
 * on the x86-64 instruction starting at insn[0..len)? Fills name with a
 * short description of the instruction ("push", "sub $imm,%rsp", ...).
 */
bool target__insn_emulated(const uint8_t *insn, size_t len, char *name,
			   size_t namelen);

#endif
