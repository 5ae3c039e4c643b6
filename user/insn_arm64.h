/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * insn_arm64.h: how the arm64 kernel runs a uprobe placed on one AArch64
 * instruction (arch/arm64/kernel/probes/decode-insn.c, 6.1 to 6.12).
 */
#ifndef PYAUDIT_INSN_ARM64_H
#define PYAUDIT_INSN_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum a64_probe {
	A64_SIMULATED,	/* branches, adr/adrp: simulated, no single step */
	A64_STEPPED,	/* copied to the XOL slot and single-stepped */
	A64_REJECTED,	/* the kernel refuses a uprobe there */
};

/* What happens to a uprobe on insn (little-endian word); name gets a
 * short description ("bl", "paciasp", "ldxr/stxr ..."). */
enum a64_probe insn_arm64__probe(uint32_t insn, char *name, size_t namelen);

/* B or BL at pc: its target in *tgt, and true. */
bool insn_arm64__branch(uint32_t insn, uint64_t pc, uint64_t *tgt);

/*
 * Does the code w[0..n) test its first argument (x0) against 0 (cbz x0)
 * within its prologue, before anything could have changed x0? What a
 * function that starts with "if (!ts) return ..." compiles to, as
 * CPython's sys_audit_tstate (3.9+) does.
 */
bool insn_arm64__tests_x0_first(const uint32_t *w, size_t n);

#endif
