/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filter.bpf.h: which events are recorded: the pid, uid, comm and cgroup
 * filters (checked before anything is read), the -e/-x globs on the event
 * name, and the per-CPU cache of verdicts on C event names. A pattern
 * with argument conditions (-e 'open:file=/etc/x*') that matches the name
 * only marks the event pending: bpf/argfilter.bpf.h decides once the
 * arguments are decoded.
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

/* Glob matching of the event name (-e, -x), or of an argument's text
 * (argfilter.bpf.h: kind 1). */
struct flt_state {
	__u32 g;		/* pattern (or condition) index */
	__s32 gp, gn, gstar, gmark, glen, nlen;
	__s32 gresult;		/* 0 no, 1 match, 2 maybe (subject cut) */
	__u8 kind;		/* 0: name vs globs[g]; 1: subj vs cond_glob[g] */
	__u8 more;		/* the subject was cut: its end is unknown */
	__u8 base_in;		/* the name alone lets the event in */
	__u32 pend_in;		/* conditional -e patterns the name matched
				 * (bits: glob_cbit - 1) */
	__u32 pend_out;		/* conditional -x patterns the name matched */
	__u8 act_sig;		/* --action: the signal to send (0: none) */
	__u8 vhit;		/* the event's name hit the verdict cache */
	__u8 name_in;		/* and the cache wrote the name's value */
};

#else /* the code */

/* Knobs set by user space between open and load. */
const volatile bool filter_pids = false;	/* only tgids in traced_pids */
const volatile bool filter_uids = false;	/* only uids in uid_filter */
const volatile bool filter_tids = false;	/* only threads in tid_filter */
const volatile bool filter_comms = false;	/* only comms in comm_filter */
const volatile bool filter_cgroups = false;	/* only under cgroup_filter */
const volatile __u32 n_globs = 0;		/* -e and -x patterns */
const volatile bool have_include = false;	/* some pattern is -e */
const volatile __u8 glob_exclude[PA_GLOBS_MAX] = {};
const volatile __u8 glob_len[PA_GLOBS_MAX] = {};
const volatile char globs[PA_GLOBS_MAX][PA_GLOB_LEN] = {};
/* Patterns with argument conditions: bit + 1 in the pending masks (0:
 * none); the conditions themselves are in argfilter.bpf.h. */
const volatile __u32 n_conds = 0;
const volatile __u8 glob_cbit[PA_GLOBS_MAX] = {};
const volatile __u8 cond_len[PA_CONDS_MAX] = {};
const volatile char cond_glob[PA_CONDS_MAX][PA_GLOB_LEN] = {};
/* --action patterns (action.bpf.h): include patterns with a signal. */
const volatile __u32 n_actions = 0;
const volatile __u8 glob_action[PA_GLOBS_MAX] = {};	/* 0: none */
const volatile __u8 cbit_action[PA_CONDPATS_MAX] = {};	/* by condition bit */

/* tgids to trace when filter_pids is set; children are added on fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PA_FILTER_IDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} uid_filter SEC(".maps");

/* -t: thread ids, as the root pid namespace numbers them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PA_FILTER_IDS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} tid_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PA_FILTER_IDS_MAX);
	__type(key, char[PA_COMM_LEN]);
	__type(value, __u8);
} comm_filter SEC(".maps");

/* cgroup v2 ids; a thread in one of them or below it passes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PA_FILTER_IDS_MAX);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_filter SEC(".maps");

/*
 * Verdicts of -e/-x on C event names, which are string literals in the
 * target's .rodata: the same link-time address is the same name in every
 * process of that file. Direct-mapped, per CPU: a hit costs one array
 * lookup instead of a string read and a glob match. The entry keeps the
 * name's bytes too (when shorter than VC_NAME_MAX): an event that goes
 * on takes its name from here, not from the process (kept even without
 * -e/-x, for that).
 */
#define VCACHE_SIZE 256
#define VC_NAME_MAX 64
struct vcache_entry {
	__u64 addr;		/* link-time address of the name */
	__u64 pstart;		/* the process (start time, tgid): a process
				 * may rewrite its own .rodata, so a verdict
				 * only holds for the process it came from */
	__u32 tgid;
	__u32 target_id_1;	/* target id + 1 (0: empty) */
	__u32 verdict;
	__u32 pend_in, pend_out;	/* struct flt_state's, for this name */
	__u32 base_in;
	__u32 act_sig;
	__u32 name_len;		/* bytes of name (0: not kept) */
	char name[VC_NAME_MAX];	/* the name's value, as emit_cstr wrote it */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VCACHE_SIZE);
	__type(key, __u32);
	__type(value, struct vcache_entry);
} vcache SEC(".maps");

/* The name left the verdict to argument conditions (argfilter.bpf.h). */
static __always_inline bool args_pending(struct scratch *s)
{
	return n_conds && (s->flt.pend_in | s->flt.pend_out);
}

/* uid, tid, comm and cgroup filters: cheap, before anything is read. */
static __always_inline bool filters_pass(void)
{
	if (filter_uids) {
		__u32 uid = (__u32)bpf_get_current_uid_gid();

		if (!bpf_map_lookup_elem(&uid_filter, &uid))
			return false;
	}
	if (filter_tids) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		if (!bpf_map_lookup_elem(&tid_filter, &tid))
			return false;
	}
	if (filter_comms) {
		char comm[PA_COMM_LEN] = {};

		bpf_get_current_comm(comm, sizeof(comm));
		if (!bpf_map_lookup_elem(&comm_filter, comm))
			return false;
	}
	if (filter_cgroups) {
		bool found = false;

		/* The thread's cgroup or one of its ancestors. */
		for (int level = 0; level < PA_CGROUP_LEVELS_MAX; level++) {
			__u64 id = bpf_get_current_ancestor_cgroup_id(level);

			if (!id)
				break;
			if (bpf_map_lookup_elem(&cgroup_filter, &id)) {
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

/* The condition pattern being matched ends with '*'. */
static __always_inline bool pc_last_star(struct scratch *s)
{
	__u32 last = (s->flt.glen - 1) & (PA_GLOB_LEN - 1);

	return s->flt.kind && cond_glob[s->flt.g & (PA_CONDS_MAX - 1)][last] == '*';
}

static long glob_step(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	__u32 g;
	char pc = 0, nc = 0;

	if (!s)
		return 1;
	g = s->flt.g & (PA_GLOBS_MAX - 1);
	if (s->flt.gp >= 0 && s->flt.gp < s->flt.glen)
		pc = s->flt.kind ?
		     cond_glob[g & (PA_CONDS_MAX - 1)][s->flt.gp & (PA_GLOB_LEN - 1)] :
		     globs[g][s->flt.gp & (PA_GLOB_LEN - 1)];
	if (s->flt.gn >= 0 && s->flt.gn < s->flt.nlen)
		nc = s->flt.kind ? s->arg.subj[s->flt.gn & (PA_SUBJ_MAX - 1)] :
		     s->rec.buf[(NAME_OFF + s->flt.gn) & (PA_REC_MAX - 1)];
	if (s->flt.gn < s->flt.nlen) {
		if (s->flt.gp < s->flt.glen && (pc == '?' || pc == nc)) {
			s->flt.gp++;
			s->flt.gn++;
		} else if (s->flt.gp < s->flt.glen && pc == '*') {
			s->flt.gstar = s->flt.gp++;
			s->flt.gmark = s->flt.gn;
		} else if (s->flt.gstar >= 0) {
			s->flt.gp = s->flt.gstar + 1;
			s->flt.gn = ++s->flt.gmark;
		} else {
			s->flt.gresult = 0;
			return 1;
		}
	} else if (s->flt.gp < s->flt.glen && pc == '*') {
		s->flt.gp++;
	} else {
		s->flt.gresult = s->flt.gp >= s->flt.glen;
		/* A cut subject matched to its end: only a pattern ending in
		 * '*' is sure to match the whole value. */
		if (s->flt.more && !(s->flt.gresult && s->flt.glen > 0 &&
				     s->flt.gp == s->flt.glen && pc_last_star(s)))
			s->flt.gresult = 2;
		return 1;
	}
	return 0;
}

/*
 * Match pattern g of glen bytes (kind 0: globs[g] against the name; 1:
 * cond_glob[g] against the argument's text) into s->flt.gresult; the
 * caller sets nlen and more. loops bounds the steps: (subject + 1) *
 * pattern + pattern, the single-star backtracking's worst case.
 */
static __always_inline void glob_run(struct scratch *s, __u32 g, __u8 kind,
				     __s32 glen, __u32 loops)
{
	s->flt.g = g;
	s->flt.kind = kind;
	s->flt.gp = 0;
	s->flt.gn = 0;
	s->flt.gstar = -1;
	s->flt.gmark = 0;
	s->flt.glen = glen;
	s->flt.gresult = 0;
	bpf_loop(loops, glob_step, NULL, 0);
}

static long glob_cb(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	int *verdict = ctx;
	__u32 g = i & (PA_GLOBS_MAX - 1);

	if (!s || i >= n_globs)
		return 1;
	/* An include pattern cannot change a verdict already "in" (but
	 * it may carry an action). */
	if (!glob_exclude[g] && *verdict && !glob_action[g])
		return 0;
	s->flt.more = 0;
	glob_run(s, g, 0, glob_len[g], (PA_NAME_MAX + 1) * PA_GLOB_LEN + PA_GLOB_LEN);
	if (s->flt.gresult && glob_cbit[g]) {
		/* Its arguments decide (argfilter.bpf.h). */
		if (glob_exclude[g])
			s->flt.pend_out |= 1U << ((glob_cbit[g] - 1) & 31);
		else
			s->flt.pend_in |= 1U << ((glob_cbit[g] - 1) & 31);
		return 0;
	}
	if (s->flt.gresult) {
		if (glob_exclude[g]) {
			s->flt.pend_in = 0;
			s->flt.act_sig = 0;
			*verdict = 0;
			return 1;	/* excluded: final */
		}
		*verdict = 1;
		if (!s->flt.act_sig)
			s->flt.act_sig = glob_action[g];
	}
	return 0;
}

/* Can some pattern match a name that starts with c0? One that starts
 * with a literal character other than c0 cannot. */
static __always_inline bool glob_may_start(char c0)
{
	char p0;

	for (__u32 i = 0; i < PA_GLOBS_MAX; i++) {
		if (i >= n_globs)
			break;
		p0 = globs[i][0];
		if (p0 == '*' || p0 == '?' || p0 == c0)
			return true;
	}
	return false;
}

/* -e/-x on the event name, which starts the record's values. */
static __always_inline bool name_passes(struct scratch *s)
{
	struct pa_value v;
	int verdict = !have_include;
	bool maybe = false;
	char c0;

	if (!n_globs)
		return true;
	__builtin_memcpy(&v, s->rec.buf + sizeof(struct pa_event), sizeof(v));
	if (v.tag != PA_T_STR_UTF8 && v.tag != PA_T_STR_UCS1)
		s->flt.nlen = 0;	/* UCS2/4 names only match patterns like "*" */
	else
		s->flt.nlen = v.len > PA_NAME_MAX ? PA_NAME_MAX : v.len;
	/*
	 * A pattern that starts with a literal character other than the
	 * name's first cannot match it: when no pattern can, the verdict
	 * is known without the matching loop (most names, most of the time).
	 */
	c0 = s->flt.nlen ? s->rec.buf[NAME_OFF] : 0;
	maybe = glob_may_start(c0);
	if (maybe)
		bpf_loop(n_globs, glob_cb, &verdict, 0);
	if (n_conds) {
		/* In by the name alone, or pending on its arguments. */
		s->flt.base_in = verdict;
		if (!verdict && s->flt.pend_in)
			verdict = 1;
		if (!verdict)
			s->flt.pend_out = 0;
	}
	if (!verdict)
		stat_inc(PA_STAT_FILTERED);
	return verdict;
}

/*
 * The name value of a cache entry into the record, where emit_cstr
 * would have put it (the first value).
 */
static __always_inline void vcache_name_out(struct scratch *s,
					    struct vcache_entry *e)
{
	struct pa_value *v = (void *)(s->rec.buf + sizeof(struct pa_event));
	__u32 n = e->name_len;

	BOUND(n, VC_NAME_MAX - 1);
	if (!n || bpf_probe_read_kernel(s->rec.buf + NAME_OFF, n, e->name))
		return;
	v->tag = PA_T_STR_UTF8;
	v->flags = 0;
	v->len = n;
	s->rec.off = NAME_OFF + n;
	s->flt.name_in = 1;
}

/*
 * sys_audit's name object obj, a str whose head is loaded: filtered out
 * by its first character alone (name_passes' first test: some -e, and
 * no pattern can start with it), before it is copied into the record? Only for a non-empty compact ASCII str, whose
 * first byte is in the head (CPython 3.3+, Objects/unicodeobject.c:
 * such data follows the header). Global: the program's own frame heads
 * the deepest chain.
 */
__noinline int pa_name_obj_out(__u64 obj)
{
	struct scratch *s = get_scratch();
	__u64 length = 0, st = 0;
	__u32 off;

	/* With -x alone, a name no pattern matches is in. */
	if (!s || !have_include || !obj || !s->head.ok || s->head.obj != obj)
		return 0;
	if (obj_u64(s, obj, s->lay.str_length, &length) || !length ||
	    obj_u64(s, obj, s->lay.str_state, &st) ||
	    !((st >> s->lay.str_compact_bit) & 1) ||
	    !((st >> s->lay.str_ascii_bit) & 1))
		return 0;
	off = s->lay.str_ascii_data;
	if (off >= OHEAD || glob_may_start(s->head.buf[off & (OHEAD - 1)]))
		return 0;
	stat_inc(PA_STAT_FILTERED);
	return 1;
}

/*
 * The verdict of -e/-x on a C event name at uptr, from the cache:
 * 1 pass, 0 filtered out, -1 unknown (match it). *key is where to store
 * the verdict once known (0: not cacheable). On a hit that passes, the
 * name's value may come with it (s->flt.name_in: do not read it).
 */
static __always_inline int cached_verdict(struct scratch *s, __u64 uptr,
					  __u64 *key)
{
	struct vcache_entry *e;
	__u64 a;
	__u32 idx;

	*key = 0;
	s->flt.vhit = 0;
	s->flt.name_in = 0;
	if (!s->event.bias_ok)
		return n_globs ? -1 : 1;
	a = uptr - s->event.bias;
	if (a < s->lay.ro_lo || a >= s->lay.ro_hi)
		return n_globs ? -1 : 1;
	*key = a;
	idx = ((a >> 3) ^ (a >> 11)) & (VCACHE_SIZE - 1);
	e = bpf_map_lookup_elem(&vcache, &idx);
	if (!e || e->addr != a || !CACHE_MINE(e, s))
		return n_globs ? -1 : 1;
	s->flt.vhit = 1;
	if (e->verdict && e->name_len)
		vcache_name_out(s, e);
	if (n_conds) {
		s->flt.pend_in = e->pend_in;
		s->flt.pend_out = e->pend_out;
		s->flt.base_in = e->base_in;
	}
	if (n_actions)
		s->flt.act_sig = e->act_sig;
	if (!e->verdict)
		stat_inc(PA_STAT_FILTERED);
	return e->verdict;
}

/* Keep the event's name value (read by emit_cstr) in entry e when it is
 * whole, UTF-8 and short. */
static __always_inline void cache_name(struct scratch *s,
				       struct vcache_entry *e)
{
	struct pa_value *v = (void *)(s->rec.buf + sizeof(struct pa_event));
	__u32 n = v->len;

	e->name_len = 0;
	if (v->tag != PA_T_STR_UTF8 || v->flags || !n || n >= VC_NAME_MAX)
		return;
	BOUND(n, VC_NAME_MAX - 1);
	if (!bpf_probe_read_kernel(e->name, n, s->rec.buf + NAME_OFF))
		e->name_len = n;
}

static __always_inline void cache_verdict(struct scratch *s, __u64 key,
					  int verdict)
{
	struct vcache_entry *e;
	__u32 idx;

	if (!key)
		return;
	idx = ((key >> 3) ^ (key >> 11)) & (VCACHE_SIZE - 1);
	e = bpf_map_lookup_elem(&vcache, &idx);
	if (!e)
		return;
	e->addr = key;
	CACHE_CLAIM(e, s);
	e->verdict = verdict;
	e->pend_in = s->flt.pend_in;
	e->pend_out = s->flt.pend_out;
	e->base_in = s->flt.base_in;
	e->act_sig = s->flt.act_sig;
	cache_name(s, e);
}

#endif /* PA_SCRATCH_PARTS */
