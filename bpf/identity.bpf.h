/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * identity.bpf.h: who a process is, captured while it is alive (issue
 * 14). At each exec (sched_process_exec) a PA_REC_EXEC record with the
 * executable's path, the working directory, the argument vector, the
 * credentials after the exec and the parent's identity; and at start-up
 * a list of the running processes with their exact start times (iter/task),
 * whose paths and arguments user space reads from /proc. A process that
 * lives 10 ms is thus named by its events even when it is gone by the
 * time they are written.
 *
 * Not on the events' chain of calls: the exec program and the iterator
 * have frames of their own, and their buffers are in idscratch.
 */
#ifndef PA_IDENTITY_BPF_H
#define PA_IDENTITY_BPF_H

/* The exec records have a ring of their own: a flood of events must not
 * cost a process its identity. A record is ~100 bytes plus its paths and
 * arguments: 1 MiB holds thousands. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} execs SEC(".maps");

/*
 * A path is built backwards, from its last component, into path[i]: it
 * ends at PA_PATH_MAX and starts at the walk's off. The 256 bytes past
 * the end let the verifier accept a write of up to 255 bytes (NAME_MAX)
 * at an offset masked to PA_PATH_MAX - 1.
 */
#define PATH_BUF (PA_PATH_MAX + 256)
#define OUT_MAX (sizeof(struct pa_exec) + 2 * PA_PATH_MAX + PA_EXEC_ARGS_MAX)

/*
 * The state of one path walk, in the map and not on the stack: values
 * loaded from a map are unknown to the verifier, so that its states of
 * bpf_loop's callback converge at once (with the offset on the stack,
 * 6.18's verifier follows every iteration: "8193 jumps is too complex").
 */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *mnt;
	struct dentry *root_dentry;	/* the task's root (chroot, container) */
	struct vfsmount *root_mnt;
	__u32 off;			/* the path starts at path[which][off] */
	__u32 which;
	__u32 cut;			/* the walk did not finish */
};

struct id_scratch {
	struct path_walk walk;
	char path[2][PATH_BUF];
	__u8 out[OUT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct id_scratch);
} idscratch SEC(".maps");

/* Components and mount crossings of one path: a 4096-byte path has at
 * most 2048 components. */
#define PATH_STEPS_MAX 4096

/*
 * One step of a d_path() done by hand: bpf_d_path() is refused in
 * tp_btf programs (bpf_d_path_allowed(), kernel/trace/bpf_trace.c,
 * 5.10-6.18: iterators, sleepable LSM hooks and a few attach points
 * only). At the root of a mount, cross to where it is mounted; stop at
 * the task's root or at the root of its mount namespace (a mount that
 * is its own parent), as fs/d_path.c's prepend_path() does.
 */
static long path_step(__u64 i, void *ctx)
{
	struct dentry *d, *parent;
	struct vfsmount *vm;
	struct mount *m, *mp;
	const unsigned char *name;
	struct id_scratch *s;
	struct path_walk *w;
	__u32 zero = 0, len, off;

	s = bpf_map_lookup_elem(&idscratch, &zero);
	if (!s)
		return 1;
	w = &s->walk;
	d = w->dentry;
	vm = w->mnt;	/* no CO-RE access through w */
	if (d == w->root_dentry && vm == w->root_mnt) {
		w->cut = 0;
		return 1;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (d == BPF_CORE_READ(vm, mnt_root) || d == parent) {
		m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
		mp = BPF_CORE_READ(m, mnt_parent);
		if (mp == m || !mp) {
			w->cut = 0;
			return 1;
		}
		w->dentry = BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = (void *)mp + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	len = BPF_CORE_READ(d, d_name.len) & 0xff;	/* NAME_MAX 255 */
	name = BPF_CORE_READ(d, d_name.name);
	/* Keep a byte for the '/' and one so that the path is < 4096. */
	if (len + 2 > w->off) {
		w->cut = 1;
		return 1;
	}
	off = w->off - len;
	/* Bound len again at the call: 6.12's verifier loses its unsigned
	 * bound through the comparison above ("R2 unbounded memory
	 * access"); 6.1 and 6.18 keep it. */
	barrier_var(len);
	len &= 0xff;
	bpf_probe_read_kernel(&s->path[w->which & 1][off & (PA_PATH_MAX - 1)],
			      len, name);
	off--;
	s->path[w->which & 1][off & (PA_PATH_MAX - 1)] = '/';
	w->off = off;
	w->dentry = parent;
	return 0;
}

/* The path of (dentry, mnt) as the task sees it, in path[which]: its
 * length (< PA_PATH_MAX); *cut when the walk did not finish. */
static __always_inline __u32 walk_path(struct id_scratch *s, __u32 which,
				       struct dentry *dentry,
				       struct vfsmount *mnt,
				       struct fs_struct *fs, __u32 *cut)
{
	struct path_walk *w = &s->walk;
	__u32 off;

	if (!dentry || !mnt)
		return 0;
	w->dentry = dentry;
	w->mnt = mnt;
	w->root_dentry = BPF_CORE_READ(fs, root.dentry);
	w->root_mnt = BPF_CORE_READ(fs, root.mnt);
	w->off = PA_PATH_MAX;
	w->which = which;
	w->cut = 1;	/* until a root is reached */
	bpf_loop(PATH_STEPS_MAX, path_step, NULL, 0);
	off = w->off;
	if (off >= PA_PATH_MAX) {		/* the root itself */
		off = PA_PATH_MAX - 1;
		s->path[which & 1][off] = '/';
	}
	*cut = w->cut;
	return (PA_PATH_MAX - off) & (PA_PATH_MAX - 1);
}

/* Copy a walked path after the record's fields; returns its length. */
static __always_inline __u32 put_path(struct id_scratch *s, __u32 at,
				      __u32 which, __u32 len)
{
	len &= PA_PATH_MAX - 1;
	at &= 2 * PA_PATH_MAX - 1;
	bpf_probe_read_kernel(&s->out[sizeof(struct pa_exec) + at], len,
			      &s->path[which & 1][(PA_PATH_MAX - len) &
						  (PA_PATH_MAX - 1)]);
	return len;
}

/* The argument vector, arg_start to arg_end of the new mm (just copied
 * there by copy_strings(): resident). */
static __always_inline __u32 put_args(struct id_scratch *s, __u32 at,
				      struct task_struct *p, __u32 *flags)
{
	__u64 start = BPF_CORE_READ(p, mm, arg_start);
	__u64 end = BPF_CORE_READ(p, mm, arg_end);
	__u64 len = end > start ? end - start : 0;

	if (len > PA_EXEC_ARGS_MAX) {
		len = PA_EXEC_ARGS_MAX;
		*flags |= PA_EXEC_ARGS_CUT;
	}
	BOUND(len, PA_EXEC_ARGS_MAX);
	at &= 2 * PA_PATH_MAX - 1;
	if (len && bpf_probe_read_user(&s->out[sizeof(struct pa_exec) + at],
				       len, (void *)start)) {
		*flags |= PA_EXEC_ARGS_UNREADABLE;
		return 0;
	}
	return len;
}

static __always_inline void fill_creds(struct pa_exec *e, struct task_struct *p)
{
	struct task_struct *pl = BPF_CORE_READ(p, real_parent, group_leader);

	e->pid = BPF_CORE_READ(p, tgid);
	e->ppid = BPF_CORE_READ(pl, tgid);
	e->uid = BPF_CORE_READ(p, cred, uid.val);
	e->euid = BPF_CORE_READ(p, cred, euid.val);
	e->gid = BPF_CORE_READ(p, cred, gid.val);
	e->auid = (__u32)-1;
	e->sessionid = (__u32)-1;
	if (bpf_core_field_exists(p->loginuid)) {
		e->auid = BPF_CORE_READ(p, loginuid.val);
		e->sessionid = BPF_CORE_READ(p, sessionid);
	}
	/* de_thread() gave the exec'ing thread the leader's start times */
	e->start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	e->exec_seq = BPF_CORE_READ(p, group_leader, self_exec_id);
	e->parent_start_ns = BPF_CORE_READ(pl, start_boottime);
	e->parent_exec_seq = BPF_CORE_READ(pl, self_exec_id);
}

/* sched_process_exec: p is current, after begin_new_exec() (new mm,
 * creds and comm; fs/exec.c exec_binprm()). */
static __always_inline void exec_identity(struct task_struct *p,
					  struct linux_binprm *bprm)
{
	struct fs_struct *fs = BPF_CORE_READ(p, fs);
	struct pa_exec *e;
	struct id_scratch *s;
	__u32 zero = 0, exe_len, cwd_len, args_len, cut = 0, size;

	if (filter_pids) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		if (!bpf_map_lookup_elem(&traced_pids, &tgid))
			return;
	}
	s = bpf_map_lookup_elem(&idscratch, &zero);
	if (!s)
		return;
	e = (void *)s->out;
	__builtin_memset(e, 0, sizeof(*e));
	e->type = PA_REC_EXEC;
	fill_creds(e, p);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->ts_ns = bpf_ktime_get_ns();
	/* bprm->file: the file run last (the interpreter of a #! script) */
	exe_len = walk_path(s, 0, BPF_CORE_READ(bprm, file, f_path.dentry),
			    BPF_CORE_READ(bprm, file, f_path.mnt), fs, &cut);
	if (cut)
		e->flags |= PA_EXEC_EXE_CUT;
	cut = 0;
	cwd_len = walk_path(s, 1, BPF_CORE_READ(fs, pwd.dentry),
			    BPF_CORE_READ(fs, pwd.mnt), fs, &cut);
	if (cut)
		e->flags |= PA_EXEC_CWD_CUT;
	exe_len = put_path(s, 0, 0, exe_len);
	cwd_len = put_path(s, exe_len, 1, cwd_len);
	args_len = put_args(s, exe_len + cwd_len, p, &e->flags);
	e->exe_len = exe_len;
	e->cwd_len = cwd_len;
	e->args_len = args_len;
	size = sizeof(*e) + exe_len + cwd_len + args_len;
	BOUND(size, OUT_MAX);
	e->size = size;
	if (bpf_ringbuf_output(&execs, s->out, size, 0))
		stat_inc(PA_STAT_EXEC_LOST);
	else
		stat_inc(PA_STAT_EXECS);
}

/* Start-up: every process running, with what /proc cannot give (the
 * start time in ns, not 10 ms ticks; the exec sequence). */
static __always_inline void task_identity(struct seq_file *seq,
					  struct task_struct *t)
{
	struct task_struct *pl;
	struct pa_task r = {};

	if (BPF_CORE_READ(t, pid) != BPF_CORE_READ(t, tgid))
		return;		/* one line per process: its leader */
	pl = BPF_CORE_READ(t, real_parent, group_leader);
	r.pid = BPF_CORE_READ(t, tgid);
	r.ppid = BPF_CORE_READ(pl, tgid);
	r.start_ns = BPF_CORE_READ(t, start_boottime);
	r.exec_seq = BPF_CORE_READ(t, self_exec_id);
	r.parent_start_ns = BPF_CORE_READ(pl, start_boottime);
	r.parent_exec_seq = BPF_CORE_READ(pl, self_exec_id);
	bpf_seq_write(seq, &r, sizeof(r));
}

#endif /* PA_IDENTITY_BPF_H */
