// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/insn_arm64.c: which AArch64 instructions take a
 * uprobe, and how (arch/arm64/kernel/probes/decode-insn.c). The words
 * are the assembler's encodings (Arm ARM C6).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "user/insn_arm64.h"

struct a64_case {
	uint32_t insn;
	enum a64_probe how;
	const char *name;
};

static const struct a64_case cases[] = {
	/* what functions start with: single-stepped */
	{ 0xd503233f, A64_STEPPED, "paciasp" },
	{ 0xd503245f, A64_STEPPED, "bti c" },
	{ 0xd503201f, A64_STEPPED, "nop" },
	{ 0xa9bf7bfd, A64_STEPPED, "stp (pre-index, sp)" },	/* stp x29, x30, [sp, #-16]! */
	{ 0xd10043ff, A64_STEPPED, "sub sp, sp, #imm" },	/* sub sp, sp, #16 */
	{ 0xaa0003e1, A64_STEPPED, "insn aa0003e1" },		/* mov x1, x0 */
	{ 0xf9400000, A64_STEPPED, "insn f9400000" },		/* ldr x0, [x0] */
	/* branches and PC-relative addresses: simulated */
	{ 0x94000000, A64_SIMULATED, "bl" },
	{ 0x14000001, A64_SIMULATED, "b" },
	{ 0x54000040, A64_SIMULATED, "b.cond" },		/* b.eq .+8 */
	{ 0xb4000040, A64_SIMULATED, "cbz/cbnz" },		/* cbz x0, .+8 */
	{ 0x36000040, A64_SIMULATED, "tbz/tbnz" },
	{ 0xd65f03c0, A64_SIMULATED, "ret" },
	{ 0xd63f0020, A64_SIMULATED, "blr" },			/* blr x1 */
	{ 0x90000000, A64_SIMULATED, "adr/adrp" },		/* adrp x0, . */
	/* rejected: no uprobe there */
	{ 0x58000040, A64_REJECTED, "ldr (literal)" },		/* ldr x0, .+8 */
	{ 0xc85f7c20, A64_REJECTED, "exclusive or ordered load/store" },	/* ldxr x0, [x1] */
	{ 0xc8027c20, A64_REJECTED, "exclusive or ordered load/store" },	/* stxr w2, x0, [x1] */
	{ 0x885ffc00, A64_REJECTED, "exclusive or ordered load/store" },	/* ldaxr w0, [x0] */
	{ 0xd4000001, A64_REJECTED, "exception generation (svc, brk ...)" },	/* svc #0 */
	{ 0xd4200000, A64_REJECTED, "exception generation (svc, brk ...)" },	/* brk #0 */
	{ 0xd53b4200, A64_REJECTED, "mrs" },			/* mrs x0, nzcv */
	{ 0xd51b4200, A64_REJECTED, "msr" },			/* msr nzcv, x0 */
	{ 0xd503203f, A64_REJECTED, "hint #1" },		/* yield */
};

static void test_probe(void **state)
{
	char name[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum a64_probe how = insn_arm64__probe(cases[i].insn, name, sizeof(name));

		if (how != cases[i].how || strcmp(name, cases[i].name))
			fail_msg("0x%08x: got %d \"%s\", want %d \"%s\"", cases[i].insn,
				 how, name, cases[i].how, cases[i].name);
	}
}

/* sys_audit_tstate's first instructions in Debian's arm64 builds
 * (objdump of /usr/bin/python3.11 12 and python3.13 13) */
static const uint32_t tstate_311[] = {
	0xa9b27bfd,	/* stp x29, x30, [sp, #-224]! */
	0x910003fd,	/* mov x29, sp */
	0xa90153f3,	/* stp x19, x20, [sp, #16] */
	0xaa0003f3,	/* mov x19, x0 */
	0xb40026a0,	/* cbz x0, ... */
	0xf9400814,	/* ldr x20, [x0, #16] */
	0xb4002674,	/* cbz x20, ... */
	0xa9025bf5,	/* stp x21, x22, [sp, #32] */
};
static const uint32_t tstate_313[] = {
	0xd503233f,	/* paciasp */
	0xa9b37bfd,	/* stp x29, x30, [sp, #-208]! */
	0x910003fd,	/* mov x29, sp */
	0xa90153f3,	/* stp x19, x20, [sp, #16] */
	0xaa0003f4,	/* mov x20, x0 */
	0xb4002380,	/* cbz x0, ... */
	0xf9400813,	/* ldr x19, [x0, #16] */
	0xb4002353,	/* cbz x19, ... */
};
/* PySys_Audit's own start (3.11): x0 is reloaded before any cbz */
static const uint32_t pysys_audit_311[] = {
	0xa9b07bfd,	/* stp x29, x30, [sp, #-256]! */
	0xaa0003e8,	/* mov x8, x0 */
	0xd0002cc0,	/* adrp x0, ... */
	0x910003fd,	/* mov x29, sp */
	0x91096000,	/* add x0, x0, #0x258 */
	0x3d8017e0,	/* str q0, [sp, #80] */
	0xf9400000,	/* ldr x0, [x0] */
	0xb4000040,	/* cbz x0, ... (another value of x0 by now) */
};

static void test_tests_x0_first(void **state)
{
	uint32_t w[8];

	(void)state;
	assert_true(insn_arm64__tests_x0_first(tstate_311, 8));
	assert_true(insn_arm64__tests_x0_first(tstate_313, 8));
	assert_false(insn_arm64__tests_x0_first(pysys_audit_311, 8));
	/* the cbz x0 must come within the instructions given */
	assert_false(insn_arm64__tests_x0_first(tstate_313, 5));
	/* mov x0, x1 before it: x0 is not the first argument any more */
	memcpy(w, tstate_311, sizeof(w));
	w[3] = 0xaa0103e0;
	assert_false(insn_arm64__tests_x0_first(w, 8));
	/* cbz x1 is not a test of x0 */
	w[3] = 0xb4000041;
	assert_false(insn_arm64__tests_x0_first(w, 8));
	/* a non-steppable hint (yield) ends the prologue */
	memcpy(w, tstate_313, sizeof(w));
	w[0] = 0xd503203f;
	assert_false(insn_arm64__tests_x0_first(w, 8));
}

static void test_branch(void **state)
{
	uint64_t tgt = 0;

	(void)state;
	/* PySys_Audit+0x74 in Debian 12's arm64 python3.11:
	 * 49c888: 97ff53c6 bl 4717a0 */
	assert_true(insn_arm64__branch(0x97ff53c6, 0x49c888, &tgt));
	assert_int_equal(tgt, 0x4717a0);
	/* 4afc2c: 94000099 bl 4afe90 (python3.13) */
	assert_true(insn_arm64__branch(0x94000099, 0x4afc2c, &tgt));
	assert_int_equal(tgt, 0x4afe90);
	/* b .-4 */
	assert_true(insn_arm64__branch(0x17ffffff, 0x1000, &tgt));
	assert_int_equal(tgt, 0xffc);
	/* not branches: blr x1, ret, cbz */
	assert_false(insn_arm64__branch(0xd63f0020, 0x1000, &tgt));
	assert_false(insn_arm64__branch(0xd65f03c0, 0x1000, &tgt));
	assert_false(insn_arm64__branch(0xb4000040, 0x1000, &tgt));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_tests_x0_first),
		cmocka_unit_test(test_branch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
