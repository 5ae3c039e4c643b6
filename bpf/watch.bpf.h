/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watch.bpf.h: new Pythons. A process executes, or maps executable, a
 * file that user space has not seen in its current state: one
 * PA_REC_MAPPED notice, whatever the file's name, so that user space
 * checks its content and attaches to it at once if it is a Python. A
 * renamed copy of an interpreter, a memfd or a deleted file is found like
 * any other (issue 12, item 7). With --hold-new the process is stopped
 * (SIGSTOP) until user space has handled the notice and continues it.
 */
#ifndef PA_WATCH_BPF_H
#define PA_WATCH_BPF_H

/* Files user space has seen (attached or rejected), and files it was
 * told about, with their state then: the watchers stay quiet about them
 * until the file changes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct pa_file_key);
	__type(value, struct pa_file_seen);
} known_files SEC(".maps");

/* The notices have a ring of their own: a flood of large events that
 * fills the events ring must not make user space miss a new Python
 * (issue 12, item 3). A notice is 72 bytes: this holds over 3,000. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} notices SEC(".maps");

/* --hold-new: the processes stopped and not yet continued, so that
 * pyaudit's watchdog (user/hold.c) continues them if pyaudit dies. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PA_HELD_MAX);
	__type(key, __u32);		/* tgid */
	__type(value, __u64);		/* bpf_ktime_get_ns() of the stop */
} held_pids SEC(".maps");

const volatile bool hold_new = false;	/* --hold-new */
/* self_tgid (action.bpf.h): pyaudit, never held */

#define PROT_EXEC_ 0x4
#define SIGSTOP_ 19
#define SIGCONT_ 18

/* The inode's ctime moved between kernels: a timespec64 i_ctime up to
 * 6.5, __i_ctime in 6.6-6.10, i_ctime_sec and i_ctime_nsec since 6.11. */
struct inode___ctime65 {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

struct inode___ctime66 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

static __always_inline void file_state(struct inode *in,
				       struct pa_file_seen *s)
{
	struct inode___ctime65 *i65 = (void *)in;
	struct inode___ctime66 *i66 = (void *)in;

	s->size = BPF_CORE_READ(in, i_size);
	if (bpf_core_field_exists(in->i_ctime_sec)) {
		s->ctime_sec = BPF_CORE_READ(in, i_ctime_sec);
		s->ctime_nsec = BPF_CORE_READ(in, i_ctime_nsec);
	} else if (bpf_core_field_exists(i66->__i_ctime)) {
		s->ctime_sec = BPF_CORE_READ(i66, __i_ctime.tv_sec);
		s->ctime_nsec = BPF_CORE_READ(i66, __i_ctime.tv_nsec);
	} else {
		s->ctime_sec = BPF_CORE_READ(i65, i_ctime.tv_sec);
		s->ctime_nsec = BPF_CORE_READ(i65, i_ctime.tv_nsec);
	}
	/* 6.13's multigrain timestamps keep a flag in the top bit;
	 * nanoseconds need 30 bits */
	s->ctime_nsec &= 0x3fffffff;
}

static __always_inline bool same_state(const struct pa_file_seen *a,
				       const struct pa_file_seen *b)
{
	return a->size == b->size && a->ctime_sec == b->ctime_sec &&
	       a->ctime_nsec == b->ctime_nsec;
}

/* --hold-new: stop the current process. Recorded first, so that it is
 * continued whatever happens to pyaudit; and the stop comes before the
 * notice, since user space continues the process when it is done with
 * the notice. Not held when the record cannot be made (counted). */
static __always_inline bool hold(__u32 tgid)
{
	__u64 t = bpf_ktime_get_ns();

	if (bpf_map_update_elem(&held_pids, &tgid, &t, BPF_ANY)) {
		stat_inc(PA_STAT_HOLD_FULL);
		return false;
	}
	if (bpf_send_signal(SIGSTOP_)) {
		bpf_map_delete_elem(&held_pids, &tgid);
		return false;
	}
	return true;
}

/* Tell user space about f once per state of the file. */
static __always_inline void notify_file(struct file *f, __u32 flags)
{
	struct pa_file_key key = {};
	struct pa_file_seen now = {}, *seen;
	struct pa_mapped m = {};
	const unsigned char *dname;
	struct inode *in;
	bool held = false;

	if (!f)
		return;
	in = BPF_CORE_READ(f, f_inode);
	if (!in)
		return;
	key.dev = BPF_CORE_READ(in, i_sb, s_dev);
	key.ino = BPF_CORE_READ(in, i_ino);
	file_state(in, &now);
	seen = bpf_map_lookup_elem(&known_files, &key);
	if (seen && same_state(seen, &now))
		return;
	/* Once: user space replaces the mark when it handles the file. */
	bpf_map_update_elem(&known_files, &key, &now, BPF_ANY);
	m.type = PA_REC_MAPPED;
	m.size = sizeof(m);
	m.pid = bpf_get_current_pid_tgid() >> 32;
	m.dev = key.dev;
	m.ino = key.ino;
	m.flags = flags;
	dname = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(m.name, sizeof(m.name), dname);
	if (hold_new && m.pid != 1 && m.pid != self_tgid)
		held = hold(m.pid);
	if (held)
		m.flags |= PA_MAPPED_HELD;
	if (bpf_ringbuf_output(&notices, &m, sizeof(m), BPF_RB_FORCE_WAKEUP)) {
		bpf_map_delete_elem(&known_files, &key);
		stat_inc(PA_STAT_MAPPED_LOST);
		/* nobody would continue it: a SIGCONT discards the
		 * pending stop */
		if (held) {
			bpf_send_signal(SIGCONT_);
			bpf_map_delete_elem(&held_pids, &m.pid);
		}
		return;
	}
	if (held)
		stat_inc(PA_STAT_HELD);
}

#endif /* PA_WATCH_BPF_H */
