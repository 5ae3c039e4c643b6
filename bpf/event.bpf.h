/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * event.bpf.h: the steps every event takes, whichever program saw it:
 * begin (filters, the target's layout, the process), the name filter and
 * the process context (name_done), then submit (or count in summary
 * mode). Also the drop of the second copy of a Python-level event.
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

/* Which target and process raise the event being built. */
struct event_state {
	__u32 lay_id;		/* target id + 1 of s->lay (0: none yet) */
	__u8 source;		/* enum pa_source of the event being built */
	__u8 bias_ok;		/* bias is known */
	__u32 target_id;
	__u32 tgid;		/* the process raising the event, and */
	__u64 pstart;		/* its start time (pids are reused) */
	__u64 bias;		/* runtime address - link-time address */
	__u64 ts;		/* the thread state the probe got, or 0 */
	struct pa_summary_key skey;	/* summary mode: the count's key */
};

#else /* the code */

/* Set by user space between open and load. */
const volatile bool summary_mode = false;	/* count, no records */
/* Wake the consumer each time the unread data crosses a multiple of
 * wakeup_bytes; below the first, it polls on a timer (batching: one
 * wakeup per many events). Past lag_bytes, wake on every record
 * (wakeup_flags). */
const volatile __u64 wakeup_bytes = 0;
const volatile __u64 lag_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* resized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PA_TARGETS_MAX);
	__type(key, __u32);
	__type(value, struct pa_layout);
} layouts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct pa_summary_key);
	__type(value, __u64);
} summary SEC(".maps");

/* Summary mode, when summary is full: a count per (process, cgroup,
 * comm), name zeroed: the "(other)" rows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct pa_summary_key);
	__type(value, __u64);
} summary_other SEC(".maps");

/*
 * Python-level events are seen at sys_audit, and a second time in the
 * C-level funnel when a hook makes CPython go on. sys_audit records the
 * event-name object here per thread; the funnel drops its copy when the
 * event name it gets is that object's UTF-8 buffer (then clears it).
 * Task storage, not a hash by tid: the slot dies with its thread (a
 * reused tid starts empty), nothing is evicted, and a lookup is a
 * pointer in the task plus a per-CPU cache, cheaper than the LRU hash
 * update it replaces on every sys.audit event (kernel 5.11+: bpf
 * task storage for tracing programs).
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} pending_sys_audit SEC(".maps");

/* Events lost per process (ring buffer full): exact accounting. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} lost_by_pid SEC(".maps");

/*
 * Who the process is, for an event that goes out. Direct loads through
 * the BTF task pointer (a faulting load reads 0), not BPF_CORE_READ's
 * bpf_probe_read_kernel() per hop: six helper calls fewer per event.
 */
static __always_inline void fill_process(struct pa_event *ev)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 ugid = bpf_get_current_uid_gid();

	ev->uid = (__u32)ugid;
	ev->gid = ugid >> 32;
	ev->ppid = task->real_parent->tgid;
	ev->euid = task->cred->euid.val;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	ev->exec_seq = task->group_leader->self_exec_id;
	if (bpf_core_field_exists(task->loginuid)) {
		ev->auid = task->loginuid.val;
		ev->sessionid = task->sessionid;
	} else {
		ev->auid = (__u32)-1;
		ev->sessionid = (__u32)-1;
	}
}

/* Summary mode: count the event under (name, pid, cgroup, comm). */
static __always_inline void count_event(struct scratch *s)
{
	struct pa_event *ev = (void *)s->rec.buf;
	struct pa_summary_key *k = &s->event.skey;
	struct pa_value v;
	__u64 one = 1, *cnt;
	__u32 n;

	__builtin_memcpy(&v, s->rec.buf + sizeof(struct pa_event), sizeof(v));
	__builtin_memset(k, 0, sizeof(*k));
	n = v.len;
	if (v.tag == PA_T_UNREADABLE)
		n = 0;
	if (n > PA_SUMMARY_NAME_MAX - 1) {
		n = PA_SUMMARY_NAME_MAX - 1;
		k->name_truncated = 1;
	}
	if (v.flags & PA_VF_TRUNCATED)
		k->name_truncated = 1;
	BOUND(n, PA_SUMMARY_NAME_MAX - 1);
	if (n)
		bpf_probe_read_kernel(k->name, n, s->rec.buf + NAME_OFF);
	k->pid = ev->pid;
	k->cgroup_id = bpf_get_current_cgroup_id();
	__builtin_memcpy(k->comm, ev->comm, sizeof(k->comm));
	cnt = bpf_map_lookup_elem(&summary, k);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return;
	}
	if (!bpf_map_update_elem(&summary, k, &one, BPF_NOEXIST))
		return;
	cnt = bpf_map_lookup_elem(&summary, k);
	if (cnt) {	/* raced */
		__sync_fetch_and_add(cnt, 1);
		return;
	}
	/* The table is full (one process can fill it with made-up names):
	 * count the event in its process's "(other)" row, the same key
	 * without a name, so that no process's events go uncounted. */
	__builtin_memset(k->name, 0, sizeof(k->name));
	k->name_truncated = 0;
	stat_inc(PA_STAT_SUMMARY_OTHER);
	cnt = bpf_map_lookup_elem(&summary_other, k);
	if (!cnt && !bpf_map_update_elem(&summary_other, k, &one, BPF_NOEXIST))
		return;
	if (!cnt)
		cnt = bpf_map_lookup_elem(&summary_other, k);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		stat_inc(PA_STAT_SUMMARY_FULL);
}

/*
 * Start an event: the cheap filters, then the scratch record. Only what
 * the name filter needs is set up here; the rest waits until the name
 * has passed (name_done), so that a filtered-out event costs little.
 */
static __always_inline struct scratch *begin(__u32 target_id, __u8 source,
					     __u64 ip)
{
	struct pa_layout *lay;
	struct scratch *s;
	__u64 site;

	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (filter_pids && !bpf_map_lookup_elem(&traced_pids, &tgid))
		return NULL;
	if (!filters_pass())
		return NULL;
	s = get_scratch();
	if (!s)
		return NULL;
	/* User space writes a target's layout once, before attaching to
	 * it, and never reuses a target id: a copy stays good. */
	if (s->event.lay_id != target_id + 1) {
		lay = bpf_map_lookup_elem(&layouts, &target_id);
		if (!lay)
			return NULL;
		s->lay = *lay;
		s->event.lay_id = target_id + 1;
	}
	s->event.source = source;
	s->event.target_id = target_id;
	s->event.tgid = tgid;
	/* the boot clock, as /proc/PID/stat's start time: the monotonic
	 * start_time stops during a suspend (kernel/fork.c, 5.5+) */
	s->event.pstart = task->group_leader->start_boottime;
	site = s->lay.site_vaddr[source & 7];
	s->event.bias = s->lay.link_bias ? 0 : ip - site;
	s->event.bias_ok = site != 0 || s->lay.link_bias;
	s->rec.off = sizeof(struct pa_event);
	s->head.obj = 0;	/* memory may have changed since the last event */
	s->head.ok = 0;
	s->rec.nargs = 0;
	s->rec.flags = 0;
	s->rec.full = 0;
	s->rec.depth = 0;
	if (n_conds) {
		s->flt.pend_in = 0;
		s->flt.pend_out = 0;
		s->flt.base_in = 1;
	}
	if (n_actions)
		s->flt.act_sig = 0;
	return s;
}

/*
 * After the name: filter on it (unless the cache gave the verdict:
 * verdict 1), count it in summary mode. Returns false when the event
 * ends here. ts: the thread state when the probe has it, else 0.
 * pending: sys_audit's name object, to drop the funnel's copy.
 */
static __always_inline bool name_done(struct scratch *s, int verdict,
				      __u64 vkey, __u64 ts, __u64 pending)
{
	struct pa_event *ev = (void *)s->rec.buf;
	__u64 pid_tgid;

	s->rec.last_good = s->rec.off;
	/* An unreadable name is no verdict on the name's address: the next
	 * event there may read it. A name passed without a look at the
	 * cache (no -e/-x) is kept there for the next event. */
	if (verdict < 0) {
		verdict = name_passes(s);
		if (s->rec.buf[sizeof(struct pa_event)] != PA_T_UNREADABLE)
			cache_verdict(s, vkey, verdict);
	} else if (vkey && !s->flt.vhit &&
		   s->rec.buf[sizeof(struct pa_event)] != PA_T_UNREADABLE) {
		cache_verdict(s, vkey, verdict);
	}
	if (!verdict)
		return false;
	/* Who raised it: only for events that passed the filters. */
	pid_tgid = bpf_get_current_pid_tgid();
	if (pending) {
		/* sys_audit: the funnel will see this event again (a
		 * filtered-out one is filtered out there too). */
		__u64 *p = bpf_task_storage_get(&pending_sys_audit,
						bpf_get_current_task_btf(), 0,
						BPF_LOCAL_STORAGE_GET_F_CREATE);

		if (p)
			*p = pending;
	}
	ev->type = PA_REC_EVENT;
	ev->source = s->event.source;
	ev->target_id = s->event.target_id;
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->total_args = 0;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	/* Counted now, unless argument conditions decide (then counted
	 * by pa_args_pass once the arguments are read). */
	if (summary_mode && !args_pending(s)) {
		count_event(s);
		return false;
	}
	ev->ts_ns = bpf_ktime_get_ns();
	ev->start_ns = s->event.pstart;	/* read once, in begin() */
	/* An event its arguments may still drop gets the rest of its
	 * process context once they have let it in (pa_args_pass). */
	if (!args_pending(s))
		fill_process(ev);
	ev->nframes = 0;
	ev->action = PA_ACT_NONE;
	ev->action_sig = 0;
	ev->frame_status = PA_FS_OFF;
	/* An event its arguments may still drop reads its frames only
	 * once they have passed (submit): then it costs little more than
	 * one dropped by its name. */
	s->event.ts = ts;
	if (frames_wanted && !summary_mode && !args_pending(s))
		read_frames(s, ts);
	s->rec.last_good = s->rec.off;
	return true;
}

/*
 * A wakeup is an irq_work, a self-interrupt raised by the record's
 * commit (bpf_ringbuf_commit, kernel/bpf/ringbuf.c); in a VM its APIC
 * write traps to the hypervisor, 20 to 29 % of a traced loop's time
 * when every record past the first mark asked for one. So: one wakeup
 * each time the unread data crosses a multiple of wakeup_bytes (a
 * consumer asleep is woken once per such step, and one awake needs
 * none: the ring's poll is level-triggered, ringbuf_map_poll_kern).
 * Past lag_bytes the consumer is behind, not asleep: it was preempted
 * (docs/performance.md, "Wakeups and the consumer"), and a wakeup on
 * every record is kept there for its cost: it slows the traced thread
 * while the consumer catches up, the only back-pressure a ring buffer
 * has; without it the ring filled and events were lost. size: the
 * record's; the ring adds an 8-byte header and rounds to 8
 * (__bpf_ringbuf_reserve).
 */
static __always_inline __u64 wakeup_flags(__u32 size)
{
	__u64 avail;

	if (!wakeup_bytes)
		return 0;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail >= lag_bytes ||
	    avail / wakeup_bytes != (avail + ((size + 15) & ~7U)) / wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

__noinline int pa_args_pass(void);	/* argfilter.bpf.h */
__noinline int pa_act(void);		/* action.bpf.h */

static __always_inline void submit(struct scratch *s)
{
	struct pa_event *ev = (void *)s->rec.buf;
	__u32 size;

	if (s->rec.full || s->rec.depth) {
		/* Cut back to the last complete argument. */
		s->rec.off = s->rec.last_good;
		s->rec.flags |= s->rec.full ? PA_EV_REC_FULL : PA_EV_BAD_FORMAT;
	}
	if (args_pending(s)) {
		if (!pa_args_pass())
			return;
		if (frames_wanted) {
			s->rec.full = 0;
			read_frames(s, s->event.ts);
			s->rec.flags |= PA_EV_FRAMES_LAST;
		}
	}
	/* Before the record leaves: it says what was done. */
	if (n_actions && s->flt.act_sig)
		pa_act();
	size = s->rec.off;
	if (size > PA_REC_MAX)
		size = PA_REC_MAX;
	ev->size = size;
	ev->nargs = s->rec.nargs;
	ev->flags = s->rec.flags;
	if (ev->total_args < s->rec.nargs)
		ev->total_args = s->rec.nargs;
	if (size < sizeof(*ev))
		return;
	if (bpf_ringbuf_output(&events, s->rec.buf, size, wakeup_flags(size))) {
		__u64 one = 1, *n = bpf_map_lookup_elem(&lost_by_pid, &ev->pid);

		stat_inc(PA_STAT_LOST);
		if (!n && bpf_map_update_elem(&lost_by_pid, &ev->pid, &one, BPF_NOEXIST))
			n = bpf_map_lookup_elem(&lost_by_pid, &ev->pid);	/* raced */
		else if (!n)
			return;
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			stat_inc(PA_STAT_LOST_NOPID);	/* the map is full */
	}
	else {
		stat_inc(PA_STAT_EVENTS);
		/* the code objects it describes are known from now on */
		if (ev->frame_status == PA_FS_OK && s->frames.nnew)
			pa_codes_known();
	}
}

/*
 * A Python-level event that sys_audit already reported comes to the
 * funnel as _PySys_Audit(ts, event, "O", args), event being the UTF-8
 * buffer of the name object sys_audit got (recorded in
 * pending_sys_audit): drop that copy.
 */
static __always_inline bool is_duplicate(struct scratch *s, __u64 event,
					 __u64 fmt)
{
	__u64 *pending, str, utf8 = 0, a;

	if (!s->lay.dedup_sys_audit)
		return false;
	/* A C literal (os.system ...) is never a copy: whatever a process
	 * does to its memory, such an event cannot be dropped here. */
	a = event - s->event.bias;
	if (s->event.bias_ok && a >= s->lay.ro_lo && a < s->lay.ro_hi)
		return false;
	pending = bpf_task_storage_get(&pending_sys_audit,
				       bpf_get_current_task_btf(), 0, 0);
	if (!pending || !*pending)
		return false;
	str = *pending;
	if (event != str + s->lay.str_ascii_data &&
	    (read_u64(&utf8, str + s->lay.str_utf8) || !utf8 || event != utf8))
		return false;
	/* The copy is _PySys_Audit(ts, event, "O", args), and only that
	 * (s->va.fmt is free until handle_fmt_event: 3 bytes tell "O"). */
	if (pa_read_user(fmt, 3, RO_STR | RO_FMT) != 2 || s->va.fmt[0] != 'O')
		return false;
	*pending = 0;
	stat_inc(PA_STAT_DUPLICATES);
	return true;
}

#endif /* PA_SCRATCH_PARTS */
