// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyaudit BPF side: capture CPython audit events and decode their
 * arguments from the traced process's memory into ring-buffer records
 * (format: pyaudit.h). Four entry points, one per way an event can be
 * seen (see docs/design.md):
 *
 *   usdt_audit          python:audit USDT: event name + args tuple
 *   uprobe_sys_audit    sys_audit(): Python-level sys.audit() calls
 *   uprobe_valist       sys_audit_tstate(ts, event, fmt, va_list), 3.9+
 *   uprobe_varargs*     PySys_Audit(event, fmt, ...) (3.8, fallback)
 *
 * The attach cookie is the target id: it selects the object layout of the
 * target file's CPython version (filled once by user space at attach
 * time). Every read of target memory may fail; a failed read becomes a
 * PA_T_UNREADABLE value and the event is still delivered.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "pyaudit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "helpers.bpf.h"
#include "arch.bpf.h"

/*
 * One compilation unit, split by concern into bpf/<concern>.bpf.h:
 *
 *   helpers      bounds, 8-byte reads, the stats counters
 *   rocopy       reads that fall back on a copy of the target's .rodata
 *   record       the record buffer and writing values into it
 *   pyobject     str, bytes, int, float, containers ...; the type cache
 *   linetable    long line tables walked in BPF (twin of user/linetable.c)
 *   frames       thread state and the frame walk
 *   filter       pid/uid/comm/cgroup filters, -e/-x globs, verdict cache
 *   event        begin, the name, process context, submit
 *   argfilter    -e/-x conditions on arguments ('open:file=/etc/x*')
 *   action       --action: a signal to the raising process, from the probe
 *   buildvalue   Py_BuildValue formats and their varargs
 *   watch        files that look like Pythons, mapped by any process
 *   identity     who a process is: exec records, the start-up list
 *
 * One unit keeps the skeleton and the Makefile simple and lets the
 * compiler inline across concerns; the global functions (pa_emit_str,
 * pa_emit_arg, pa_emit_elem, pa_ro_read, pa_lt_step, pa_frame_step) stay
 * global, so that the verifier checks each once per program, not at
 * every call site.
 *
 * The state of an event being built lives in one per-CPU struct scratch
 * (too big for the 512-byte BPF stack), made of one part per concern.
 * Each part is defined next to its code: a concern's header is included
 * twice, first with PA_SCRATCH_PARTS for its part, then for its code.
 */
#define PA_SCRATCH_PARTS
#include "rocopy.bpf.h"
#include "record.bpf.h"
#include "event.bpf.h"
#include "pyobject.bpf.h"
#include "frames.bpf.h"
#include "linetable.bpf.h"
#include "filter.bpf.h"
#include "argfilter.bpf.h"
#include "buildvalue.bpf.h"
#undef PA_SCRATCH_PARTS

struct scratch {
	struct rec_state rec;		/* record.bpf.h */
	struct ro_state ro;		/* rocopy.bpf.h */
	struct pa_layout lay;		/* event.bpf.h: the target's layout */
	struct event_state event;	/* event.bpf.h */
	struct head_state head;		/* record.bpf.h */
	struct obj_state obj;		/* pyobject.bpf.h */
	struct frames_state frames;	/* frames.bpf.h */
	struct ltab_state ltab;		/* linetable.bpf.h */
	struct flt_state flt;		/* filter.bpf.h */
	struct arg_state arg;		/* argfilter.bpf.h */
	struct va_state va;		/* buildvalue.bpf.h */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* The code, each concern after those it uses. */
#include "record.bpf.h"
#include "rocopy.bpf.h"
#include "pyobject.bpf.h"
#include "linetable.bpf.h"
#include "frames.bpf.h"
#include "filter.bpf.h"
#include "event.bpf.h"
#include "action.bpf.h"
#include "argfilter.bpf.h"
#include "buildvalue.bpf.h"
#include "watch.bpf.h"
#include "identity.bpf.h"

/* ---- USDT python:audit(const char *event, PyObject *args) ------------- */

SEC("usdt")
int usdt_audit(struct pt_regs *ctx)
{
	long name = 0, args = 0;
	__u64 vkey;
	__s64 n = 0;
	struct scratch *s;
	int verdict;

	s = begin((__u32)bpf_usdt_cookie(ctx), PA_SRC_USDT, PT_REGS_IP(ctx));
	if (!s)
		return 0;
	bpf_usdt_arg(ctx, 0, &name);
	verdict = cached_verdict(s, name, &vkey);
	if (!verdict)
		return 0;
	if ((!s->flt.name_in &&
	     pa_emit_cstr(PA_T_STR_UTF8, name, PA_NAME_MAX)) ||
	    !name_done(s, verdict, vkey, 0, 0))
		return 0;
	bpf_usdt_arg(ctx, 1, &args);
	if (args)
		load_head(s, args);	/* its size and first items */
	if (!args || obj_u64(s, args, s->lay.ob_size, (__u64 *)&n) || n < 0) {
		s->rec.flags |= PA_EV_ARGS_TRUNCATED;
	} else {
		((struct pa_event *)s->rec.buf)->total_args = n;
		emit_args_array(s, args + s->lay.tuple_items, n);
	}
	submit(s);
	return 0;
}

/* ---- sys_audit(module, PyObject *const *args, Py_ssize_t nargs) -------- */

SEC("uprobe")
int uprobe_sys_audit(struct pt_regs *ctx)
{
	__u64 args = PT_REGS_PARM2(ctx);
	__u64 nargs = PT_REGS_PARM3(ctx) & ~(1ULL << 63);
	__u64 name = 0, type = 0;
	struct scratch *s;

	s = begin((__u32)bpf_get_attach_cookie(ctx), PA_SRC_SYS_AUDIT,
		  PT_REGS_IP(ctx));
	if (!s)
		return 0;
	/* sys.audit() with no name or a non-str name raises no event. */
	if (nargs >= 1 && !read_u64(&name, args))
		load_head(s, name);
	if (nargs < 1 || !name || obj_u64(s, name, s->lay.ob_type, &type) ||
	    !type || !type_is_str(s, type)) {
		stat_inc(PA_STAT_INVALID);
		return 0;
	}
	if (pa_name_obj_out(name))
		return 0;	/* no pattern can match its first character */
	if (pa_emit_str(name, PA_NAME_MAX) ||
	    !name_done(s, -1, 0, 0, s->lay.dedup_sys_audit ? name : 0))
		return 0;
	((struct pa_event *)s->rec.buf)->total_args = nargs - 1;
	emit_args_array(s, args + 8, nargs - 1);
	submit(s);
	return 0;
}

/* ---- format-driven events: PySys_Audit and sys_audit_tstate ----------- */

/*
 * The event name of a format-driven event, filtered. Returns the scratch
 * record when the event goes on, else NULL.
 */
static __always_inline struct scratch *fmt_event_begin(struct pt_regs *ctx,
							__u8 source, __u64 event,
							__u64 ts, __u64 fmt)
{
	struct scratch *s;
	__u64 vkey;
	int verdict;

	s = begin((__u32)bpf_get_attach_cookie(ctx), source, PT_REGS_IP(ctx));
	if (!s)
		return NULL;
	verdict = cached_verdict(s, event, &vkey);
	if (!verdict)
		return NULL;
	if (is_duplicate(s, event, fmt))
		return NULL;
	if ((!s->flt.name_in &&
	     pa_emit_cstr(PA_T_STR_UTF8, event, PA_NAME_MAX)) ||
	    !name_done(s, verdict, vkey, ts, 0))
		return NULL;
	return s;
}

/* sys_audit_tstate(PyThreadState *ts, const char *event, const char *fmt,
 * va_list ap): every C-level event of 3.9+ passes here. */
SEC("uprobe")
int uprobe_valist(struct pt_regs *ctx)
{
	struct scratch *s;

	/* No thread state: CPython drops the event before any hook. */
	if (!PT_REGS_PARM1(ctx))
		return 0;
	s = fmt_event_begin(ctx, PA_SRC_VALIST, PT_REGS_PARM2(ctx),
			    PT_REGS_PARM1(ctx), PT_REGS_PARM3(ctx));
	if (!s)
		return 0;
	/* Read into scratch, not onto this frame: it heads the deepest
	 * chain of calls (6.1 allows 512 bytes, each frame rounded to 32).
	 * Unreadable: no register left and no stack, so every argument is
	 * unreadable. */
	if (bpf_probe_read_user(&s->va.ap, sizeof(s->va.ap), (void *)PT_REGS_PARM4(ctx)))
		__builtin_memset(&s->va.ap, 0, sizeof(s->va.ap));
	start_valist(s);
	return handle_fmt_event(ctx, s, PT_REGS_PARM3(ctx));
}

/* PySys_Audit(const char *event, const char *fmt, ...) at entry. */
SEC("uprobe")
int uprobe_varargs(struct pt_regs *ctx)
{
	struct scratch *s;

	s = fmt_event_begin(ctx, PA_SRC_VARARGS, PT_REGS_PARM1(ctx), 0,
			    PT_REGS_PARM2(ctx));
	if (!s)
		return 0;
	s->va.valist = 0;
	save_regs(s, ctx);
	s->va.vnext = 2;
	return handle_fmt_event(ctx, s, PT_REGS_PARM2(ctx));
}

/* _PySys_Audit(PyThreadState *ts, const char *event, const char *fmt, ...) */
SEC("uprobe")
int uprobe_varargs_ts(struct pt_regs *ctx)
{
	struct scratch *s;

	if (!PT_REGS_PARM1(ctx))
		return 0;
	s = fmt_event_begin(ctx, PA_SRC_VARARGS_TS, PT_REGS_PARM2(ctx),
			    PT_REGS_PARM1(ctx), PT_REGS_PARM3(ctx));
	if (!s)
		return 0;
	s->va.valist = 0;
	save_regs(s, ctx);
	s->va.vnext = 3;
	return handle_fmt_event(ctx, s, PT_REGS_PARM3(ctx));
}

/* ---- following the descendants of a traced process -------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 cpid = BPF_CORE_READ(child, pid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (cpid != ctgid)	/* a new thread, not a new process */
		return 0;
	if (bpf_map_lookup_elem(&traced_pids, &ptgid))
		bpf_map_update_elem(&traced_pids, &ctgid, &one, BPF_ANY);
	return 0;
}

/*
 * Forget a process when its last thread exits: do_exit() decrements
 * signal->live before this tracepoint (kernel/exit.c, every kernel since
 * 2.6), so 0 there means the group is dead. Not when its leader exits:
 * an exec from another thread kills the leader (de_thread()) while the
 * process goes on under the same tgid, and lost its tracing that way.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(follow_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);

	if (!BPF_CORE_READ(task, signal, live.counter))
		bpf_map_delete_elem(&traced_pids, &tgid);
	return 0;
}

/* ---- new Pythons: a process executes or maps a file not seen --------- */

/*
 * mmap(addr, len, prot, flags, fd, off) of an executable mapping: how
 * ld.so maps libpython, at start or at dlopen(). A tracepoint, not a
 * kprobe or fentry, so it works on kernels without either; it fires only
 * for mmap.
 */
SEC("tracepoint/syscalls/sys_enter_mmap")
int watch_mmap(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	unsigned long prot = ctx->args[2];
	long fd = (long)ctx->args[4];
	struct file **fdarr, *f = NULL;
	unsigned int max_fds;

	if (!(prot & PROT_EXEC_) || fd < 0)
		return 0;
	max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	if (fd >= max_fds)
		return 0;
	fdarr = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fdarr[fd]))
		return 0;
	notify_file(f, 0);
	return 0;
}

/* exec of any file: the kernel maps it without mmap(2). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(watch_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	notify_file(BPF_CORE_READ(bprm, file), PA_MAPPED_EXEC);
	return 0;
}

/* ---- who a process is (issue 14) ------------------------------------ */

/* Every exec (or, with -p and a command, those of the traced processes):
 * its identity, kept by user space for the process's events. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_identity_prog, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	exec_identity(p, bprm);
	return 0;
}

/* Run once at start-up (bpf_iter_create): the processes already running. */
SEC("iter/task")
int task_identity_iter(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;

	if (t)
		task_identity(seq, t);
	return 0;
}
