/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * arch.h: the architecture pyaudit is built for, which is the one of
 * the Pythons it can trace (its BPF programs read that architecture's
 * registers): x86-64 or AArch64.
 */
#ifndef PYAUDIT_ARCH_H
#define PYAUDIT_ARCH_H

#include <elf.h>

#if defined(__x86_64__)
#define PA_NATIVE_EM		EM_X86_64
#define PA_NATIVE_NAME		"x86-64"
#define PA_MULTIARCH		"x86_64-linux-gnu"	/* Debian's lib dirs */
#elif defined(__aarch64__)
#define PA_NATIVE_EM		EM_AARCH64
#define PA_NATIVE_NAME		"AArch64"
#define PA_MULTIARCH		"aarch64-linux-gnu"
#else
#error "pyaudit is built for x86-64 or AArch64"
#endif

#endif
