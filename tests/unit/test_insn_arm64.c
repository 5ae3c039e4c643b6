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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
