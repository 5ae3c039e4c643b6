/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * insn_arm64.h: how the arm64 kernel runs a uprobe placed on one AArch64
 * instruction (arch/arm64/kernel/probes/decode-insn.c, 6.1 to 6.12).
 */
#ifndef PYAUDIT_INSN_ARM64_H
#define PYAUDIT_INSN_ARM64_H

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

#endif
