/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * action.bpf.h: --action, a signal to the process raising a matching
 * event, sent from the probe itself (bpf_send_signal: the process, any of
 * its threads) before CPython goes on with the action the event is about:
 * the probe runs in the raising thread, and the signal is acted on when
 * that thread returns to user space from the probe's trap.
 *
 * Which events: the -e/-x machinery (filter.bpf.h, argfilter.bpf.h) with
 * patterns that carry a signal. An action needs every condition of its
 * pattern true: an unknown value (unreadable, cut) never triggers one.
 * Never pyaudit itself nor PID 1; the process filters (-p, -u,
 * --container, the command's tree) were applied in begin(). At most
 * action_rate actions a second in all, counted.
 */
#ifdef PA_SCRATCH_PARTS
#else /* the code */

/* Set by user space between open and load. */
const volatile bool action_dry_run = false;	/* report, do nothing */
const volatile __u32 action_rate = 0;		/* actions a second, at most */
const volatile __u32 self_tgid = 0;	/* pyaudit: never acted on, never
					 * held (watch.bpf.h) */

struct action_window {
	__u64 start_ns;		/* this second's start */
	__u64 n;		/* actions in it */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct action_window);
} action_window SEC(".maps");

/* One more action this second? Racy across CPUs by a few at most. */
static __always_inline bool action_allowed(void)
{
	__u32 zero = 0;
	struct action_window *w = bpf_map_lookup_elem(&action_window, &zero);
	__u64 now = bpf_ktime_get_ns();

	if (!w)
		return false;
	if (now - w->start_ns >= 1000000000ULL) {
		w->start_ns = now;
		w->n = 0;
	}
	if (w->n >= action_rate)
		return false;
	__sync_fetch_and_add(&w->n, 1);
	return true;
}

/*
 * The signal of the first action pattern whose conditions all held,
 * once pa_args_pass has run (fail and unk hold its verdicts).
 */
static __always_inline void action_from_conds(struct scratch *s)
{
	__u32 acts = s->flt.pend_in & ~s->arg.fail & ~s->arg.unk;

	for (int b = 0; b < PA_CONDPATS_MAX; b++) {
		if (s->flt.act_sig)
			break;
		if ((acts >> b) & 1)
			s->flt.act_sig = cbit_action[b];
	}
}

/* Act on the event in the record (s->flt.act_sig), and say so in it. */
__noinline int pa_act(void)
{
	struct scratch *s = get_scratch();
	struct pa_event *ev;

	if (!s || !s->flt.act_sig)
		return 0;
	ev = (void *)s->rec.buf;
	ev->action_sig = s->flt.act_sig;
	if (s->event.tgid == self_tgid || s->event.tgid == 1) {
		ev->action = PA_ACT_REFUSED;
	} else if (!action_allowed()) {
		ev->action = PA_ACT_LIMITED;
		stat_inc(PA_STAT_ACT_LIMITED);
	} else if (action_dry_run) {
		ev->action = PA_ACT_DRY_RUN;
		stat_inc(PA_STAT_ACT_DRY_RUN);
	} else if (bpf_send_signal(s->flt.act_sig)) {
		ev->action = PA_ACT_FAILED;
		stat_inc(PA_STAT_ACT_FAILED);
	} else {
		ev->action = PA_ACT_DONE;
		stat_inc(PA_STAT_ACT_DONE);
	}
	return 0;
}

#endif /* PA_SCRATCH_PARTS */
