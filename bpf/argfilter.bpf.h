/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * argfilter.bpf.h: argument conditions of -e/-x ('open:file=/etc/x*'),
 * checked once the event's arguments are in the record and before it
 * leaves for the ring buffer (or is counted, in summary mode).
 *
 * Each condition globs one argument's text: a str as UTF-8, bytes as
 * they are, an int's decimal digits, None/True/False by name; a tuple or
 * list as its elements' texts joined by ':' (("10.0.0.1", 22) is
 * "10.0.0.1:22"), or one element (ARG.N). A condition is true, false or
 * unknown: unknown when the value could not be read, was not delivered
 * (the record was cut) or was cut before the pattern could decide; an
 * argument the event does not have is false. An unknown condition lets
 * an -e pattern in and never lets an -x pattern out: a value the probe
 * could not read is reported rather than hidden (docs/output.md).
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

#define AF_WALK_MAX	64	/* values walked in one tuple or list */

struct arg_state {
	__u32 argoff[PA_ARGS_MAX];	/* record offset of each argument */
	__u32 fail;		/* pending patterns with a false condition */
	__u32 unk;		/* ... with an unknown one */
	__u32 slen;		/* bytes in subj */
	__u32 uoff, unit;	/* str being converted to UTF-8 */
	__u32 woff, wk, wdepth, wskip, wres;	/* tuple walk */
	__s32 wtarget;		/* element wanted, -1: all of them */
	char dec[32];
	char subj[2 * PA_SUBJ_MAX];	/* the text the pattern sees */
};

#else /* the code */

/* Set by user space between open and load (with filter.bpf.h's). */
const volatile __u8 cond_bit[PA_CONDS_MAX] = {};	/* its pattern's bit */
const volatile __u8 cond_arg[PA_CONDS_MAX] = {};	/* top-level argument */
const volatile __u8 cond_elem[PA_CONDS_MAX] = {};	/* element + 1, 0: all */
const volatile __u8 cond_neg[PA_CONDS_MAX] = {};	/* ARG!=GLOB */

#define AF_FALSE	0
#define AF_TRUE		1
#define AF_UNKNOWN	2

static __always_inline struct pa_value value_at(struct scratch *s, __u32 off)
{
	struct pa_value v;

	__builtin_memcpy(&v, s->rec.buf + (off & (PA_REC_MAX - 1)), sizeof(v));
	return v;
}

/* Append n bytes at src (a kernel address) to the subject; past
 * PA_SUBJ_MAX the rest is cut and the subject's end unknown. */
static __always_inline void subj_put(struct scratch *s, const void *src, __u32 n)
{
	__u64 at = s->arg.slen, len = n;

	if (at >= PA_SUBJ_MAX) {
		s->flt.more = 1;
		return;
	}
	if (len > PA_SUBJ_MAX - at) {
		len = PA_SUBJ_MAX - at;
		s->flt.more = 1;
	}
	/* Bounds on the registers used (6.1 loses a mask across a spill). */
	BOUND(len, PA_SUBJ_MAX);
	BOUND(at, PA_SUBJ_MAX - 1);
	if (len && bpf_probe_read_kernel(s->arg.subj + at, len, src))
		len = 0;
	s->arg.slen = at + len;
}

static __always_inline void subj_dec(struct scratch *s, __u64 v, bool neg)
{
	__u32 i = 24;

	do {
		s->arg.dec[--i & 31] = '0' + v % 10;
		v /= 10;
	} while (v && i > 2);
	if (neg)
		s->arg.dec[--i & 31] = '-';
	subj_put(s, s->arg.dec + (i & 31), (24 - i) & 31);
}

/* One code unit of a str at s->arg.uoff, as UTF-8. */
static long ucs_step(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	__u32 off, cp = 0;
	__u8 u[4];
	__u32 n;

	if (!s)
		return 1;
	off = (s->arg.uoff + i * s->arg.unit) & (PA_REC_MAX - 1);
	if (s->arg.unit == 1)
		cp = s->rec.buf[off];
	else if (s->arg.unit == 2)
		cp = *(__u16 *)(s->rec.buf + off);
	else
		__builtin_memcpy(&cp, s->rec.buf + off, 4);
	if (cp < 0x80) {
		u[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = 0xc0 | (cp >> 6);
		u[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = 0xe0 | (cp >> 12);
		u[1] = 0x80 | ((cp >> 6) & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | ((cp >> 18) & 0x07);
		u[1] = 0x80 | ((cp >> 12) & 0x3f);
		u[2] = 0x80 | ((cp >> 6) & 0x3f);
		u[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	subj_put(s, u, n);
	return s->arg.slen >= PA_SUBJ_MAX;
}

/* A Python int of up to 64 bits, in decimal; a larger one is unknown. */
static __always_inline int subj_pylong(struct scratch *s, __u32 off,
				       struct pa_value v)
{
	__u32 total = 0, d[3] = {};
	__u32 n = v.len / 4;
	__u64 x;

	__builtin_memcpy(&total, s->rec.buf + (off & (PA_REC_MAX - 1)), 4);
	if (n < 1 || total != n - 1 || total > 3)
		return AF_UNKNOWN;
	if (total > 0)
		__builtin_memcpy(&d[0], s->rec.buf + ((off + 4) & (PA_REC_MAX - 1)), 4);
	if (total > 1)
		__builtin_memcpy(&d[1], s->rec.buf + ((off + 8) & (PA_REC_MAX - 1)), 4);
	if (total > 2)
		__builtin_memcpy(&d[2], s->rec.buf + ((off + 12) & (PA_REC_MAX - 1)), 4);
	if (d[2] >= 16)		/* 2 * 30 + 4 bits is all a __u64 holds */
		return AF_UNKNOWN;
	x = d[0] | (__u64)d[1] << 30 | (__u64)d[2] << 60;
	subj_dec(s, x, v.flags & PA_VF_NEGATIVE);
	return AF_TRUE;
}

/*
 * Append the text of the scalar value at off: AF_TRUE (it has a text),
 * AF_FALSE (it has none: float, object), AF_UNKNOWN (unreadable).
 */
static __always_inline int subj_value(struct scratch *s, __u32 off)
{
	struct pa_value v = value_at(s, off);
	__u32 pl = off + sizeof(v);
	__s64 i64 = 0;

	/* a subclass: its base value; a code object: its file name
	 * (exec:code_object=<*> is code made at run time, not a module's) */
	if (v.tag == PA_T_SUBCLASS || v.tag == PA_T_CODE) {
		off = pl + v.len;
		v = value_at(s, off);
		pl = off + sizeof(v);
	}
	if (v.flags & PA_VF_TRUNCATED)
		s->flt.more = 1;
	switch (v.tag) {
	case PA_T_STR_UTF8:
	case PA_T_BYTES:
		subj_put(s, s->rec.buf + (pl & (PA_REC_MAX - 1)), v.len);
		return AF_TRUE;
	case PA_T_STR_UCS1:
	case PA_T_STR_UCS2:
	case PA_T_STR_UCS4:
		s->arg.uoff = pl;
		s->arg.unit = v.tag == PA_T_STR_UCS1 ? 1 :
			      v.tag == PA_T_STR_UCS2 ? 2 : 4;
		bpf_loop(v.len / s->arg.unit, ucs_step, NULL, 0);
		return AF_TRUE;
	case PA_T_INT:
	case PA_T_UINT:
		__builtin_memcpy(&i64, s->rec.buf + (pl & (PA_REC_MAX - 1)), 8);
		if (v.tag == PA_T_INT && i64 < 0)
			subj_dec(s, -(__u64)i64, true);
		else
			subj_dec(s, i64, false);
		return AF_TRUE;
	case PA_T_PYLONG:
		return subj_pylong(s, pl, v);
	case PA_T_NONE:
		subj_put(s, "None", 4);
		return AF_TRUE;
	case PA_T_TRUE:
		subj_put(s, "True", 4);
		return AF_TRUE;
	case PA_T_FALSE:
		subj_put(s, "False", 5);
		return AF_TRUE;
	case PA_T_UNREADABLE:
		return AF_UNKNOWN;
	default:
		return AF_FALSE;
	}
}

/*
 * One value of a tuple or list being walked: its elements' texts joined
 * by ':', or the one element wanted. Nested containers are skipped
 * (an element that is one is unknown: its elements are not delivered).
 */
static long walk_step(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	struct pa_value v;
	int r;

	if (!s)
		return 1;
	if (s->arg.woff + sizeof(v) > s->rec.off) {
		s->arg.wres = AF_UNKNOWN;	/* cut before its end */
		return 1;
	}
	v = value_at(s, s->arg.woff);
	if (v.tag == PA_T_SUBCLASS) {
		/* its base value follows, in the same place */
		s->arg.woff += sizeof(v) + v.len;
		return 0;
	}
	if (s->arg.wskip || s->arg.wdepth) {
		/* inside an element: a code object's two names, or a
		 * nested container's values */
		if (v.tag == PA_T_TUPLE || v.tag == PA_T_LIST)
			s->arg.wdepth++;
		else if (v.tag == PA_T_END && s->arg.wdepth)
			s->arg.wdepth--;
		else if (!s->arg.wdepth)
			s->arg.wskip--;
		s->arg.woff += sizeof(v) + v.len;
		if (!s->arg.wskip && !s->arg.wdepth)
			s->arg.wk++;
		return 0;
	}
	if (v.tag == PA_T_END)
		return 1;		/* the end of the walked container */
	if (s->arg.wtarget < 0 && s->arg.wk)
		subj_put(s, ":", 1);
	if (v.tag == PA_T_TUPLE || v.tag == PA_T_LIST) {
		r = AF_UNKNOWN;
		s->arg.wdepth = 1;
	} else if (v.tag == PA_T_CODE) {
		r = AF_FALSE;
		s->arg.wskip = 2;
	} else {
		r = AF_TRUE;
		if (s->arg.wtarget < 0 || s->arg.wtarget == s->arg.wk)
			r = subj_value(s, s->arg.woff);
	}
	if (s->arg.wtarget == s->arg.wk) {
		s->arg.wres = r;
		return 1;
	}
	if (s->arg.wtarget < 0 && r == AF_UNKNOWN) {
		s->arg.wres = AF_UNKNOWN;
		return 1;
	}
	s->arg.woff += sizeof(v) + v.len;
	if (!s->arg.wskip && !s->arg.wdepth)
		s->arg.wk++;
	return 0;
}

/* The text of a tuple or list at off (its header v) into subj. */
static __always_inline int subj_container(struct scratch *s, __u32 off,
					  struct pa_value v, __u32 elem)
{
	if (v.flags & PA_VF_NOT_EXPANDED)
		return AF_UNKNOWN;
	s->arg.woff = off + sizeof(v) + v.len;
	s->arg.wk = 0;
	s->arg.wdepth = 0;
	s->arg.wskip = 0;
	s->arg.wtarget = (__s32)elem - 1;
	s->arg.wres = elem ? AF_FALSE : AF_TRUE;	/* no such element */
	bpf_loop(AF_WALK_MAX, walk_step, NULL, 0);
	if (v.flags & PA_VF_TRUNCATED) {
		/* more elements than were delivered */
		if (elem && s->arg.wres == AF_FALSE)
			return AF_UNKNOWN;
		s->flt.more = 1;
	}
	return s->arg.wres;
}

/* Condition c on this event: AF_TRUE, AF_FALSE or AF_UNKNOWN. */
__noinline int pa_cond_eval(__u32 c)
{
	struct scratch *s = get_scratch();
	struct pa_value v;
	__u32 arg, off;
	int r;

	if (!s)
		return AF_UNKNOWN;
	c &= PA_CONDS_MAX - 1;	/* only a mask: a test is lost on a spill */
	arg = cond_arg[c];
	if (arg >= s->rec.nargs || arg >= PA_ARGS_MAX) {
		/* not delivered: cut, or the event has no such argument */
		if (s->rec.flags & (PA_EV_ARGS_TRUNCATED | PA_EV_REC_FULL |
				    PA_EV_BAD_FORMAT) ||
		    arg < ((struct pa_event *)s->rec.buf)->total_args)
			return AF_UNKNOWN;
		return AF_FALSE;
	}
	off = s->arg.argoff[arg];
	v = value_at(s, off);
	if (v.tag == PA_T_SUBCLASS) {
		off += sizeof(v) + v.len;
		v = value_at(s, off);
	}
	s->arg.slen = 0;
	s->flt.more = 0;
	if (v.tag == PA_T_TUPLE || v.tag == PA_T_LIST)
		r = subj_container(s, off, v, cond_elem[c]);
	else if (cond_elem[c])
		r = v.tag == PA_T_UNREADABLE ? AF_UNKNOWN : AF_FALSE;
	else
		r = subj_value(s, off);
	if (r != AF_TRUE)
		return r;
	s->flt.nlen = s->arg.slen;
	glob_run(s, c, 1, cond_len[c], (PA_SUBJ_MAX + 1) * PA_GLOB_LEN + PA_GLOB_LEN);
	return s->flt.gresult;
}

static long cond_cb(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	__u32 c = i & (PA_CONDS_MAX - 1), bit;
	int r;

	if (!s || i >= n_conds)
		return 1;
	bit = 1U << (cond_bit[c] & 31);
	if (!((s->flt.pend_in | s->flt.pend_out) & bit) || (s->arg.fail & bit))
		return 0;
	r = pa_cond_eval(c);
	if (cond_neg[c] && r != AF_UNKNOWN)
		r = r == AF_TRUE ? AF_FALSE : AF_TRUE;
	if (r == AF_FALSE)
		s->arg.fail |= bit;
	else if (r == AF_UNKNOWN)
		s->arg.unk |= bit;
	return 0;
}

/*
 * The argument conditions an event's name left pending. Returns 1 when
 * the event goes to the ring buffer. A global function: its stack is
 * not the programs' (which head the deepest chain of calls).
 */
__noinline int pa_args_pass(void)
{
	struct scratch *s = get_scratch();
	bool pass;

	if (!s)
		return 0;
	s->arg.fail = 0;
	s->arg.unk = 0;
	bpf_loop(n_conds, cond_cb, NULL, 0);
	pass = s->flt.base_in || (s->flt.pend_in & ~s->arg.fail);
	if (s->flt.pend_out & ~s->arg.fail & ~s->arg.unk)
		pass = false;
	if (!pass) {
		stat_inc(PA_STAT_ARG_FILTERED);
		return 0;
	}
	if (n_actions)
		action_from_conds(s);
	if (summary_mode) {
		count_event(s);
		return 0;
	}
	fill_process((void *)s->rec.buf);	/* deferred by name_done */
	return 1;
}

#endif /* PA_SCRATCH_PARTS */
