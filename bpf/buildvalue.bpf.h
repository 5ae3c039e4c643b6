/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * buildvalue.bpf.h: the arguments of C-level events, given as a
 * Py_BuildValue format and its varargs (PySys_Audit, _PySys_Audit) or
 * va_list (sys_audit_tstate, 3.9+), by the calling convention of
 * arch.bpf.h (x86-64 SysV or AArch64 AAPCS64).
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

/*
 * A C wide string ('u'): up to WIDE_UNITS wchar_t read at once, and the
 * narrow copies made while looking for its end (pa_emit_wide).
 */
#define WIDE_UNITS	(PA_STR_MAX + 1)	/* one more than can be kept:
						 * tells a cut from a fit */
#define WIDE_BYTES	(4 * WIDE_UNITS)
struct wide_state {
	__u32 w[WIDE_UNITS];	/* the wchar_t units (UTF-32 on Linux) */
	__u8 n1[PA_STR_MAX];	/* the first ones as latin-1 */
	__u16 n2[PA_STR_MAX / 2];	/* ... as UCS-2 */
	__u32 len;		/* units before the first 0 (or all) */
	__u32 max;		/* greatest code point among them */
	__u8 nul;		/* the 0 was found */
};

/* The varargs of a Py_BuildValue format. */
struct va_state {
	char fmt[2 * PA_FMT_MAX];	/* zero-filled past the format */
	__u64 regs[PA_ARG_REGS];	/* the argument registers at the probe */
	__u64 sp;
	__u32 vnext;		/* next argument register/slot index */
	__u32 reg_left;		/* va_list: bytes of saved registers left */
	__u64 stack_next;	/* va_list: the next stack argument */
	__u64 reg_next;		/* va_list: the next saved register */
	__u8 valist;
	struct wide_state wide;	/* a 'u' argument being decoded */
	struct pa_va_list ap;	/* the va_list as read (arch.bpf.h) */
};

#else /* the code */

/* The next vararg, from the va_list or from registers and the stack. */
static __always_inline int next_vararg(struct scratch *s, __u64 *val)
{
	__u32 i;

	if (s->va.valist) {
		/* va_list: the saved argument registers, then the stack. */
		if (s->va.reg_left >= 8) {
			if (read_u64(val, s->va.reg_next))
				return -1;
			s->va.reg_next += 8;
			s->va.reg_left -= 8;
			return 0;
		}
		if (read_u64(val, s->va.stack_next))
			return -1;
		s->va.stack_next += 8;
		return 0;
	}
	i = s->va.vnext++;
	if (i < PA_ARG_REGS) {
		*val = s->va.regs[i & 7];
		return 0;
	}
	return read_u64(val, s->va.sp + PA_STACK_ARGS + 8 * (i - PA_ARG_REGS));
}

/* pa_emit_wide's length of a wide string that ends at its first 0 */
#define WIDE_NUL_ENDED	(~0ULL)

struct wide_ctx {
	__u32 counted;		/* 'u#': a 0 is a character, not the end */
};

/* One wchar_t of the copy: track the greatest code point and keep the
 * narrow copies; stop at the 0 that ends the string. */
static long wide_cb(__u32 i, void *ctx)
{
	struct wide_ctx *c = ctx;
	struct scratch *s = get_scratch();
	struct wide_state *w;
	__u32 idx = i, cp;

	if (!s)
		return 1;
	w = &s->va.wide;
	BOUND(idx, WIDE_UNITS - 1);
	cp = w->w[idx];
	if (!cp && !c->counted) {
		w->nul = 1;
		return 1;
	}
	if (cp > w->max)
		w->max = cp;
	if (idx < PA_STR_MAX)
		w->n1[idx & (PA_STR_MAX - 1)] = cp;
	if (idx < PA_STR_MAX / 2)
		w->n2[idx & (PA_STR_MAX / 2 - 1)] = cp;
	w->len = idx + 1;
	return 0;
}

/*
 * A C wide string (wchar_t *, UTF-32 on Linux; 'u' and 'u#'), as the str
 * Python makes of it: PyUnicode_FromWideChar stores the narrowest kind
 * that holds every character (Objects/unicodeobject.c, 3.3+). So the
 * value has the same form and the same bound (PA_STR_MAX bytes of the
 * str as stored: 256 latin-1, 128 UCS-2 or 64 UCS-4 characters) as the
 * same str read from an object (what USDT builds deliver). units: the
 * length ('u#'), or WIDE_NUL_ENDED. One unit more than can be kept is
 * read, across a page boundary, so that the cut is marked when and only
 * when the string is longer. (The kind is chosen from the units read: a
 * string longer than them whose widest character comes later is kept
 * narrower than Python stores it, still marked cut.)
 */
__noinline int pa_emit_wide(__u64 a, __u64 units)
{
	struct scratch *s = get_scratch();
	struct wide_ctx c = { .counted = units != WIDE_NUL_ENDED };
	struct pa_value v = { .flags = 0 };
	struct wide_state *w;
	__u32 want, first, got, kind, bytes, off, room;
	const void *src;
	bool cut;

	if (!s)
		return -1;
	w = &s->va.wide;
	want = units < WIDE_UNITS ? units * 4 : WIDE_BYTES;
	BOUND(want, WIDE_BYTES);
	got = want;
	if (want && bpf_probe_read_user(w->w, want, (const void *)a)) {
		/* The next page is not mapped (or not present): what is on
		 * this one, the cut being marked below if no 0 is there. */
		first = PAGE_SIZE_ - (a & (PAGE_SIZE_ - 1));
		BOUND(first, WIDE_BYTES);
		if (first >= want || bpf_probe_read_user(w->w, first, (const void *)a))
			return emit_empty(s, PA_T_UNREADABLE, 0);
		got = first;
	}
	w->len = 0;
	w->max = 0;
	w->nul = 0;
	if (got / 4)
		bpf_loop(got / 4, wide_cb, &c, 0);

	kind = w->max < 0x100 ? 1 : w->max < 0x10000 ? 2 : 4;
	bytes = w->len * kind;
	if (c.counted)
		cut = units > w->len;
	else
		cut = !w->nul;
	if (bytes > PA_STR_MAX) {
		bytes = PA_STR_MAX;
		cut = true;
	}
	off = s->rec.off;
	if (off > PA_REC_MAX - sizeof(v) - 8) {
		s->rec.full = 1;
		return -1;
	}
	room = PA_REC_MAX - sizeof(v) - off;
	if (bytes > room) {
		bytes = room & ~(kind - 1);
		cut = true;
	}
	BOUND(bytes, PA_STR_MAX);
	src = kind == 1 ? (const void *)w->n1 :
	      kind == 2 ? (const void *)w->n2 : (const void *)w->w;
	if (bytes && bpf_probe_read_kernel(s->rec.buf + off + sizeof(v), bytes, src))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	v.tag = kind == 1 ? PA_T_STR_UCS1 :
		kind == 2 ? PA_T_STR_UCS2 : PA_T_STR_UCS4;
	if (cut)
		v.flags |= PA_VF_TRUNCATED;
	v.len = bytes;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	s->rec.off = off + sizeof(v) + bytes;
	return 0;
}

struct fmt_ctx {
	__u32 start;		/* 1 when an outer "(...)" was stripped */
};

/*
 * One character of a Py_BuildValue format. "#" lengths are Py_ssize_t
 * (PY_SSIZE_T_CLEAN in every audit call site).
 */
static long fmt_cb(__u32 i, void *ctx)
{
	struct fmt_ctx *fc = ctx;
	struct scratch *s = get_scratch();
	__u64 a = 0, n = 0;
	char c, next;
	int r = 0;
	__u32 j;

	i += fc->start;
	if (!s || i >= PA_FMT_MAX)
		return 1;
	j = i + 1;
	barrier_var(j);
	c = s->va.fmt[i & (2 * PA_FMT_MAX - 1)];
	next = s->va.fmt[j & (2 * PA_FMT_MAX - 1)];
	if (!c)
		return 1;
	if (c == '#')		/* consumed with the code before it */
		return 0;
	if (c == '(') {
		__u32 unknown = 0xffffffff;

		if (emit_fixed(s, PA_T_TUPLE, PA_VF_LEN_UNKNOWN, &unknown, 4))
			return 1;
		s->rec.depth++;
		return 0;
	}
	if (c == ')') {
		if (!s->rec.depth || emit_empty(s, PA_T_END, 0)) {
			s->rec.flags |= PA_EV_BAD_FORMAT;
			return 1;
		}
		s->rec.depth--;
		if (!s->rec.depth)
			arg_done(s);
		return 0;
	}
	if (c == ' ' || c == '\t' || c == ',' || c == ':')
		return 0;	/* separators Py_BuildValue skips */
	if (next_vararg(s, &a)) {
		r = emit_empty(s, PA_T_UNREADABLE, 0);
		if (c == 'y' || c == 'u' || c == 's')
			if (next == '#')
				next_vararg(s, &n);
		goto done;
	}
	switch (c) {
	case 'O':
	case 'S':
	case 'N':
		r = pa_emit_arg(a);
		break;
	case 's':
	case 'z':
	case 'y':
		if (next == '#') {
			next_vararg(s, &n);
			if (!a)
				r = emit_empty(s, PA_T_NONE, 0);
			else
				r = emit_user(s, c == 'y' ? PA_T_BYTES : PA_T_STR_UTF8,
					      0, a, n, PA_STR_MAX, 1);
		} else if (!a) {
			r = emit_empty(s, PA_T_NONE, 0);
		} else {
			r = emit_cstr(s, c == 'y' ? PA_T_BYTES : PA_T_STR_UTF8,
				      a, PA_STR_MAX);
		}
		break;
	case 'u':
		/* wchar_t *: the length is given ('u#') or ends at a 0. */
		if (next == '#')
			next_vararg(s, &n);
		else
			n = WIDE_NUL_ENDED;
		r = a ? pa_emit_wide(a, n) : emit_empty(s, PA_T_NONE, 0);
		break;
	case 'i':
	case 'b':
	case 'h': {
		/* Only the low 32 bits of a promoted int are defined. */
		__s64 v = (__s32)a;

		r = emit_fixed(s, PA_T_INT, 0, &v, 8);
		break;
	}
	case 'I':
	case 'B':
	case 'H': {
		__u64 v = (__u32)a;

		r = emit_fixed(s, PA_T_UINT, 0, &v, 8);
		break;
	}
	case 'C': {
		__u32 cp = (__u32)a;

		r = emit_fixed(s, PA_T_STR_UCS4, 0, &cp, 4);
		break;
	}
	case 'c': {
		__u8 b = (__u8)a;

		r = emit_fixed(s, PA_T_BYTES, 0, &b, 1);
		break;
	}
	case 'l':
	case 'L':
	case 'n':
		r = emit_fixed(s, PA_T_INT, 0, &a, 8);
		break;
	case 'k':
	case 'K':
		r = emit_fixed(s, PA_T_UINT, 0, &a, 8);
		break;
	default:
		/* d, f, D, {}, [] and anything unknown: cannot go on. */
		s->rec.flags |= PA_EV_BAD_FORMAT;
		return 1;
	}
done:
	if (r)
		return 1;
	if (!s->rec.depth)
		arg_done(s);
	return 0;
}

/*
 * fmt and the varargs state (s->va.valist ...) are read only once the name
 * has passed the filters: see the callers.
 */
static __always_inline int handle_fmt_event(struct pt_regs *ctx, struct scratch *s,
					    __u64 fmt)
{
	__u64 obj = 0, type = 0, flags = 0, n = 0;
	struct fmt_ctx fc = { .start = 0 };
	__u32 len;
	long r;

	__builtin_memset(s->va.fmt, 0, sizeof(s->va.fmt));
	r = fmt ? pa_read_user(fmt, PA_FMT_MAX, RO_STR | RO_FMT) : 1;
	if (r <= 0) {
		s->rec.flags |= PA_EV_BAD_FORMAT;
		r = 1;
	} else if (r >= PA_FMT_MAX) {
		/* Longer than any audit format: decode what fits. */
		s->rec.flags |= PA_EV_ARGS_TRUNCATED;
	}
	len = (r - 1) & (PA_FMT_MAX - 1);

	/* A lone "O" holding a tuple is the argument tuple itself. */
	if (len == 1 && s->va.fmt[0] == 'O') {
		if (!next_vararg(s, &obj) && obj)
			load_head(s, obj);	/* type, size, first items */
		if (!obj || obj_u64(s, obj, s->lay.ob_type, &type) ||
		    read_u64(&flags, type + s->lay.tp_flags)) {
			emit_empty(s, PA_T_UNREADABLE, 0);
			arg_done(s);
		} else if (flags & TPF_TUPLE_SUBCLASS) {
			if (obj_u64(s, obj, s->lay.ob_size, &n) || (__s64)n < 0)
				n = 0;
			((struct pa_event *)s->rec.buf)->total_args = n;
			emit_args_array(s, obj + s->lay.tuple_items, n);
		} else if (!pa_emit_arg(obj)) {
			arg_done(s);
		}
		submit(s);
		return 0;
	}
	/* "(...)" is one tuple: its items are the arguments. */
	if (len >= 2 && s->va.fmt[0] == '(' && s->va.fmt[(len - 1) & (PA_FMT_MAX - 1)] == ')') {
		s->va.fmt[(len - 1) & (PA_FMT_MAX - 1)] = 0;
		fc.start = 1;
	}
	if (len)
		bpf_loop(PA_FMT_MAX, fmt_cb, &fc, 0);
	submit(s);
	return 0;
}

static __always_inline void save_regs(struct scratch *s, struct pt_regs *ctx)
{
	pa_save_args(s->va.regs, &s->va.sp, ctx);
}

/* The va_list read into s->va.ap, as next_vararg walks it. */
static __always_inline void start_valist(struct scratch *s)
{
	s->va.valist = 1;
	s->va.reg_next = PA_VA_REG_NEXT(&s->va.ap);
	s->va.reg_left = PA_VA_REG_LEFT(&s->va.ap);
	s->va.stack_next = PA_VA_STACK(&s->va.ap);
}

#endif /* PA_SCRATCH_PARTS */
