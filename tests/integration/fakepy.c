// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A file that passes pyaudit's analysis as CPython 3.12 with uprobes
 * (built as libpython3.12.so.1.0: its SONAME gives the version; it defines
 * PySys_Audit, sys_audit and sys_audit_tstate), with its functions 256 KiB
 * into the file: inside libc's text, where an attacker would aim the
 * probes if the file could be swapped for libc between analysis and
 * attach (attack.bats). Build with -fno-toplevel-reorder.
 */
__asm__(".text\n.skip 0x40000, 0x90\n");

void PySys_Audit(void)
{
}

void sys_audit(void)
{
}

void sys_audit_tstate(void)
{
}
