// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The AArch64 instructions a uprobe can go on (see insn_arm64.h). The
 * kernel decides in arm_probe_decode_insn() (arch/arm64/kernel/probes/
 * decode-insn.c): an instruction that is "steppable" runs from the XOL
 * slot; branches and PC-relative address computations, which would
 * misbehave there, are simulated; the rest is rejected and the uprobe
 * cannot be registered:
 *  - loads of PC-relative literals (LDR/LDRSW/PRFM literal: the 6.12
 *    kernel no longer simulates LDR literal for uprobes, "arm64: probes:
 *    Remove broken LDR (literal) uprobe support"),
 *  - exclusive and ordered loads/stores (the exclusive monitor is lost
 *    across the single-step exception),
 *  - MSR, MRS, exception generation (SVC, BRK ...), ERET, and hints
 *    other than NOP, BTI and the pointer-authentication ones.
 * Encodings: Arm ARM C4.1 and arch/arm64/include/asm/insn.h.
 */
#include <stdio.h>

#include "insn_arm64.h"

struct a64_form {
	uint32_t mask, value;
	enum a64_probe how;
	const char *name;
};

static const struct a64_form forms[] = {
	{ 0xfc000000, 0x14000000, A64_SIMULATED, "b" },
	{ 0xfc000000, 0x94000000, A64_SIMULATED, "bl" },
	{ 0xff000010, 0x54000000, A64_SIMULATED, "b.cond" },
	{ 0x7e000000, 0x34000000, A64_SIMULATED, "cbz/cbnz" },
	{ 0x7e000000, 0x36000000, A64_SIMULATED, "tbz/tbnz" },
	{ 0xfffffc1f, 0xd61f0000, A64_SIMULATED, "br" },
	{ 0xfffffc1f, 0xd63f0000, A64_SIMULATED, "blr" },
	{ 0xfffffc1f, 0xd65f0000, A64_SIMULATED, "ret" },
	{ 0x1f000000, 0x10000000, A64_SIMULATED, "adr/adrp" },
	{ 0xbf000000, 0x18000000, A64_REJECTED, "ldr (literal)" },
	{ 0xff000000, 0x98000000, A64_REJECTED, "ldrsw (literal)" },
	{ 0xff000000, 0xd8000000, A64_REJECTED, "prfm (literal)" },
	{ 0x3f000000, 0x08000000, A64_REJECTED, "exclusive or ordered load/store" },
	{ 0xff000000, 0xd4000000, A64_REJECTED, "exception generation (svc, brk ...)" },
	{ 0xffffffff, 0xd69f03e0, A64_REJECTED, "eret" },
	{ 0xfff8f01f, 0xd500401f, A64_REJECTED, "msr (immediate)" },
	{ 0xfff00000, 0xd5100000, A64_REJECTED, "msr" },
	{ 0xfff00000, 0xd5300000, A64_REJECTED, "mrs" },
	/* the frame set-up a function starts with, named for the log */
	{ 0xffc003e0, 0xa98003e0, A64_STEPPED, "stp (pre-index, sp)" },
	{ 0xff8003ff, 0xd10003ff, A64_STEPPED, "sub sp, sp, #imm" },
};

/* HINT #imm (CRm:op2) that single-step safely (aarch64_insn_is_steppable_hint) */
static const char *steppable_hint(uint32_t imm)
{
	switch (imm) {
	case 0x00: return "nop";
	case 0x07: return "xpaclri";
	case 0x08: return "pacia1716";
	case 0x0a: return "pacib1716";
	case 0x18: return "paciaz";
	case 0x19: return "paciasp";
	case 0x1a: return "pacibz";
	case 0x1b: return "pacibsp";
	case 0x20: return "bti";
	case 0x22: return "bti c";
	case 0x24: return "bti j";
	case 0x26: return "bti jc";
	default: return NULL;
	}
}

enum a64_probe insn_arm64__probe(uint32_t insn, char *name, size_t namelen)
{
	const char *hint;
	size_t i;

	if ((insn & 0xfffff01f) == 0xd503201f) {
		hint = steppable_hint((insn >> 5) & 0x7f);
		if (hint) {
			snprintf(name, namelen, "%s", hint);
			return A64_STEPPED;
		}
		snprintf(name, namelen, "hint #%u", (insn >> 5) & 0x7f);
		return A64_REJECTED;
	}
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if ((insn & forms[i].mask) == forms[i].value) {
			snprintf(name, namelen, "%s", forms[i].name);
			return forms[i].how;
		}
	}
	snprintf(name, namelen, "insn %08x", insn);
	return A64_STEPPED;
}

bool insn_arm64__branch(uint32_t insn, uint64_t pc, uint64_t *tgt)
{
	int64_t off;

	if ((insn & 0x7c000000) != 0x14000000)	/* B 0x14..., BL 0x94... */
		return false;
	off = (int64_t)((uint64_t)(insn & 0x03ffffff) << 38) >> 36;	/* imm26 * 4 */
	*tgt = pc + (uint64_t)off;
	return true;
}

/* A prologue instruction that leaves x0 alone: the steppable hints
 * (paciasp, bti c ...), stores of registers relative to sp, mov x29, sp
 * and copies of x0 into another register. */
static bool keeps_x0(uint32_t insn)
{
	char name[48];

	if ((insn & 0xfffff01f) == 0xd503201f)
		return insn_arm64__probe(insn, name, sizeof(name)) == A64_STEPPED;
	if ((insn & 0xfe4003e0) == 0xa80003e0)	/* stp xA, xB, [sp, #imm](!) */
		return true;
	if ((insn & 0xffc003e0) == 0xf90003e0)	/* str xA, [sp, #imm] */
		return true;
	if (insn == 0x910003fd)			/* mov x29, sp */
		return true;
	if ((insn & 0xff8003ff) == 0xd10003ff)	/* sub sp, sp, #imm */
		return true;
	/* mov xN, x0 (orr xN, xzr, x0), N != 0 */
	return (insn & 0xffffffe0) == 0xaa0003e0 && (insn & 0x1f);
}

bool insn_arm64__tests_x0_first(const uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((w[i] & 0xff00001f) == 0xb4000000)	/* cbz x0, label */
			return true;
		if (!keeps_x0(w[i]))
			return false;
	}
	return false;
}
