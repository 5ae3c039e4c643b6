/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record.bpf.h: the record being built in the per-CPU scratch space
 * (struct pa_event, then values: see pyaudit.h), and the writing of
 * values into it: fixed payloads, target memory, C strings. The head of
 * the object being decoded is read at once: its fields and short
 * payloads come from that copy (load_head, obj_u64, copy_user).
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

/* Room past PA_REC_MAX so that bounded writes never leave the buffer. */
#define BUF_SLACK		(PA_LTAB_FIRST_MAX + 64)
#define OHEAD			128	/* bytes of an object read at once */

/* The record being built (value emission, submit). */
struct rec_state {
	__u8 buf[PA_REC_MAX + BUF_SLACK];
	__u32 off;		/* write offset in buf */
	__u32 last_good;	/* offset after the last complete argument */
	__u32 nargs;		/* complete top-level arguments */
	__u8 flags;		/* PA_EV_* */
	__u8 full;		/* a value did not fit */
	__u8 depth;		/* open format groups */
};

/* The head of the object being decoded, read at once: most objects'
 * fields (and short str data) come from here. */
struct head_state {
	__u8 buf[OHEAD + 136];	/* OHEAD read; (off & 255) + 8 stays inside */
	__u64 obj;		/* the object whose head buf holds */
	__u8 ok;		/* buf holds it */
};

#else /* the code */

#define PAGE_SIZE_		4096
#define EFAULT_			14	/* the helpers' -EFAULT */

/*
 * Read the first OHEAD bytes of obj in one go (one user read costs about
 * the same for 8 or 128 bytes). It fails for an object at the very end
 * of a mapping: then every field is read on its own.
 */
static __always_inline void load_head(struct scratch *s, __u64 obj)
{
	s->head.obj = obj;
	s->head.ok = obj && !bpf_probe_read_user(s->head.buf, OHEAD, (void *)obj);
}

/* 8 bytes at obj + off, from the head when it has them. */
static __always_inline int obj_u64(struct scratch *s, __u64 obj, __u32 off,
				   __u64 *v)
{
	if (s->head.ok && obj == s->head.obj && off <= OHEAD - 8) {
		__builtin_memcpy(v, s->head.buf + (off & 255), 8);
		return 0;
	}
	return read_u64(v, obj + off);
}

/*
 * n bytes of target memory at uptr into dst: from the head when they
 * are all in it (a kernel copy), else read from the process.
 */
static __always_inline long copy_user(struct scratch *s, void *dst, __u32 n,
				      __u64 uptr)
{
	__u64 rel = uptr - s->head.obj;

	if (s->head.ok && uptr >= s->head.obj && rel <= OHEAD && n <= OHEAD - rel) {
		BOUND(rel, OHEAD);
		return bpf_probe_read_kernel(dst, n, s->head.buf + rel);
	}
	return bpf_probe_read_user(dst, n, (const void *)uptr);
}

/* ---- value emission --------------------------------------------------- */

/* A value with a fixed payload of n bytes (n is a compile-time constant). */
static __always_inline int emit_fixed(struct scratch *s, __u8 tag, __u8 flags,
				      const void *payload, __u32 n)
{
	__u32 off = s->rec.off;
	struct pa_value v = { .tag = tag, .flags = flags, .len = n };

	if (tag == PA_T_UNREADABLE)
		stat_inc(PA_STAT_UNREADABLE);
	if (off > PA_REC_MAX - sizeof(v) - n) {
		s->rec.full = 1;
		return -1;
	}
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	if (n)
		__builtin_memcpy(s->rec.buf + off + sizeof(v), payload, n);
	s->rec.off = off + sizeof(v) + n;
	return 0;
}

static __always_inline int emit_empty(struct scratch *s, __u8 tag, __u8 flags)
{
	return emit_fixed(s, tag, flags, 0, 0);
}

/*
 * Copy n bytes of target memory at uptr as the payload of one value,
 * cutting (and marking) at max bytes and at the end of the record.
 * unit: 1, 2 or 4; a cut never splits a code unit.
 */
static __always_inline int emit_user(struct scratch *s, __u8 tag, __u8 flags,
				     __u64 uptr, __u64 n, __u32 max, __u32 unit)
{
	__u32 off = s->rec.off;
	__u32 room;
	__u64 len;
	struct pa_value v;

	if (off > PA_REC_MAX - sizeof(v) - 8) {
		s->rec.full = 1;
		return -1;
	}
	room = PA_REC_MAX - sizeof(v) - off;
	if (n > max) {
		n = max;
		flags |= PA_VF_TRUNCATED;
	}
	if (n > room) {
		n = room;
		flags |= PA_VF_TRUNCATED;
	}
	len = n & ~(unit - 1);
	BOUND(len, PA_STR_MAX);
	if (len && pa_read_user(uptr, len, off + sizeof(v)))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	v.tag = tag;
	v.flags = flags;
	v.len = len;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	s->rec.off = off + sizeof(v) + len;
	return 0;
}

/*
 * A NUL-terminated C string (event names, 's', 'y'), cut (and marked)
 * at max bytes when and only when it is longer.
 */
static __always_inline int emit_cstr(struct scratch *s, __u8 tag, __u64 uptr, __u32 max)
{
	__u32 off = s->rec.off;
	__u32 room;
	__u64 cap, page;
	long r;
	struct pa_value v = { .tag = tag };
	__u8 *dst;

	if (off > PA_REC_MAX - sizeof(v) - 8) {
		s->rec.full = 1;
		return -1;
	}
	room = PA_REC_MAX - sizeof(v) - off;
	cap = max < room ? max : room;
	BOUND(cap, PA_STR_MAX);
	dst = s->rec.buf + off + sizeof(v);
	/*
	 * bpf_probe_read_user_str() copies at most size - 1 bytes and counts
	 * the NUL it adds: room for cap + 1 bytes tells a string of cap
	 * bytes (r == cap + 1) from a longer one (r == cap + 2).
	 */
	r = pa_read_user(uptr, cap + 2, RO_STR | (off + sizeof(v)));
	if (r == -EFAULT_) {
		/* The string runs into a page that cannot be read (not
		 * mapped, or not present): keep what is on this one; without
		 * a NUL there it is cut. */
		page = PAGE_SIZE_ - (uptr & (PAGE_SIZE_ - 1));
		if (page < cap + 2) {
			BOUND(page, PA_STR_MAX + 1);
			r = bpf_probe_read_user_str(dst, page + 1, (const void *)uptr);
			if (r == page + 1)
				v.flags |= PA_VF_TRUNCATED;
		}
	}
	if (r <= 0)
		return emit_empty(s, PA_T_UNREADABLE, 0);
	r -= 1;			/* the NUL */
	if (r > cap) {
		r = cap;
		v.flags |= PA_VF_TRUNCATED;
	}
	v.len = r;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	s->rec.off = off + sizeof(v) + (r & (PA_STR_MAX * 2 - 1));
	return 0;
}

/*
 * emit_cstr() for the programs' own frames (the event name): a global
 * function keeps its locals off their stacks, which head the deepest
 * chain of calls (the frame and line-table walk), within the 512 bytes
 * Debian 12's 6.1 verifier allows with each frame rounded to 32.
 */
__noinline int pa_emit_cstr(__u8 tag, __u64 uptr, __u32 max)
{
	struct scratch *s = get_scratch();

	return s ? emit_cstr(s, tag, uptr, max) : -1;
}

/* A top-level argument is complete: a cut record keeps it. */
static __always_inline void arg_done(struct scratch *s)
{
	/* where it starts, for argument conditions (argfilter.bpf.h) */
	s->arg.argoff[s->rec.nargs & (PA_ARGS_MAX - 1)] = s->rec.last_good;
	s->rec.nargs++;
	s->rec.last_good = s->rec.off;
}

/* The event name's bytes in the record (ASCII/latin-1/UTF-8 names). */
#define NAME_OFF (sizeof(struct pa_event) + sizeof(struct pa_value))

#endif /* PA_SCRATCH_PARTS */
