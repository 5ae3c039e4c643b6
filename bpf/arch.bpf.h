/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * arch.bpf.h: what differs between x86-64 and AArch64 (the build's
 * -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64): the argument registers
 * at a function's entry, where the stack arguments start, the C va_list,
 * and how a thread's pthread_self() follows from its thread pointer.
 * Everything else of the BPF side is the same on both.
 */
#ifndef PA_ARCH_BPF_H
#define PA_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)

/* SysV x86-64 ABI: rdi rsi rdx rcx r8 r9, then the stack; [rsp] is the
 * return address at entry, so the 7th argument is at rsp + 8. Variadic
 * arguments are passed the same way. */
#define PA_ARG_REGS	6
#define PA_STACK_ARGS	8

/* The x86-64 va_list (SysV ABI 3.5.7): 6 GP registers saved in
 * reg_save_area (gp_offset: 0..48 used), then overflow_arg_area. */
struct pa_va_list {
	__u32 gp_offset;
	__u32 fp_offset;
	__u64 overflow_arg_area;
	__u64 reg_save_area;
};

static __always_inline void pa_save_args(__u64 *regs, __u64 *sp, struct pt_regs *ctx)
{
	regs[0] = ctx->di;
	regs[1] = ctx->si;
	regs[2] = ctx->dx;
	regs[3] = ctx->cx;
	regs[4] = ctx->r8;
	regs[5] = ctx->r9;	/* libbpf 1.1 has no PT_REGS_PARM6 */
	*sp = ctx->sp;
}

/* The next saved register, the bytes of them left, the next stack slot. */
#define PA_VA_REG_NEXT(ap)	((ap)->reg_save_area + (ap)->gp_offset)
#define PA_VA_REG_LEFT(ap)	((ap)->gp_offset < 48 ? 48 - (ap)->gp_offset : 0)
#define PA_VA_STACK(ap)		((ap)->overflow_arg_area)

/*
 * CPython's thread_id is pthread_self(); glibc and musl on x86-64 keep
 * struct pthread at the thread pointer (TLS_TCB_AT_TP), which is the fs
 * base: pthread_self() == fsbase.
 */
#define PA_THREAD_POINTER(task)	((task)->thread.fsbase)
#define PA_IS_SELF(id, tp)	((id) == (tp))

#elif defined(__TARGET_ARCH_arm64)

/* AAPCS64: x0..x7, then the stack from sp (the return address is in x30,
 * not on the stack). On Linux (not Apple's variant) variadic arguments
 * are passed like the others. */
#define PA_ARG_REGS	8
#define PA_STACK_ARGS	0

/* The AArch64 va_list (AAPCS64 appendix B): __gr_offs is -8 * (GP
 * registers left) from __gr_top, the end of their save area; then
 * __stack. Passed to sys_audit_tstate by reference (a composite larger
 * than 16 bytes goes through a pointer to a copy). */
struct pa_va_list {
	__u64 stack;
	__u64 gr_top;
	__u64 vr_top;
	__s32 gr_offs;
	__s32 vr_offs;
};

static __always_inline void pa_save_args(__u64 *regs, __u64 *sp, struct pt_regs *ctx)
{
	const struct user_pt_regs *r = (const struct user_pt_regs *)ctx;

	regs[0] = r->regs[0];
	regs[1] = r->regs[1];
	regs[2] = r->regs[2];
	regs[3] = r->regs[3];
	regs[4] = r->regs[4];
	regs[5] = r->regs[5];
	regs[6] = r->regs[6];
	regs[7] = r->regs[7];
	*sp = r->sp;
}

#define PA_VA_REG_NEXT(ap)	((ap)->gr_top + (__s64)(ap)->gr_offs)
#define PA_VA_REG_LEFT(ap)	((ap)->gr_offs < 0 && (ap)->gr_offs >= -64 ? \
				 (__u32)-(ap)->gr_offs : 0)
#define PA_VA_STACK(ap)		((ap)->stack)

/*
 * The thread pointer is TPIDR_EL0, saved in task->thread.uw.tp_value
 * (arch/arm64/include/asm/processor.h). AArch64 is TLS_DTV_AT_TP: glibc
 * puts struct pthread just below it (sysdeps/aarch64/nptl/tls.h:
 * THREAD_SELF is (struct pthread *)__builtin_thread_pointer() - 1), and
 * musl too (TP_ADJ). So pthread_self() == tp - sizeof(struct pthread),
 * a size that differs between libc versions (glibc's
 * _thread_db_sizeof_pthread: 1856 in Debian 12's 2.36 on arm64, 1824 in
 * Debian 13's 2.41). A thread state is the current thread's when its thread_id lies
 * less than PA_PTHREAD_MAX below the thread pointer: no other thread's
 * struct pthread can be there, since below a thread's own struct is its
 * own stack (glibc allocatestack.c places the struct at the top of the
 * stack mapping, under the static TLS) or, for the main thread, the
 * block ld.so allocated for it alone.
 */
#define PA_PTHREAD_MAX		4096
#define PA_THREAD_POINTER(task)	((task)->thread.uw.tp_value)
#define PA_IS_SELF(id, tp)	((__u64)(tp) - (__u64)(id) - 1 < PA_PTHREAD_MAX)

#else
#error "pyaudit's BPF side knows x86 and arm64: build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64"
#endif

#endif /* PA_ARCH_BPF_H */
