/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rocopy.bpf.h: reads of target memory that fall back, when the page is
 * not present, on a copy of the .rodata of the Python files that user
 * space made at attach time (the ro_pages map, user/rocopy.c).
 *
 * Why: a BPF program at a probe cannot fault a page in. After fork(),
 * Linux copies no page-table entry of a file mapping without anonymous
 * pages (mm/memory.c, vma_needs_copy(): no anon_vma), so the child's
 * .rodata pages of the interpreter (C event names, Py_BuildValue format
 * strings, type names such as "int" or "NoneType") are absent until the
 * child touches them; and a fresh process has not yet faulted in the
 * .rodata it is about to read (3.9, 3.10: the frozen importlib bytes that
 * the first marshal.loads event carries). .rodata never changes, so
 * its bytes in the file are the bytes the process has.
 *
 * Every read of target memory that may hit .rodata (event names, format
 * strings, type names, str and bytes payloads) is a pa_read_user(); the
 * copy is looked at only when the process read failed.
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

#define RO_FILL_MAX	(PA_STR_MAX + 8)	/* bytes of one fallback read */

/* pa_read_user()'s where: a C string, and the buffer it goes to (else
 * the offset in the record). */
#define RO_STR		(1U << 31)
#define RO_TNAME	(1U << 30)	/* s->obj.tname */
#define RO_FMT		(1U << 29)	/* s->va.fmt */
#define RO_OFF_MASK	(2 * PA_REC_MAX - 1)

/* Defined with this concern's code, used from record.bpf.h on. */
long pa_read_user(__u64 uptr, __u32 n, __u32 where);

struct ro_state {
	/* Two page pieces of at most RO_FILL_MAX each (the verifier does
	 * not see that they add up to RO_FILL_MAX), and the NUL. */
	__u8 buf[2 * RO_FILL_MAX + 8];
	struct pa_ro_key key;
	__u64 uptr;		/* the request: read n bytes at uptr */
	__u64 off;		/* uptr's offset in its file */
	__u32 n;
	__u32 where;		/* RO_* */
	__u32 first, rest;	/* bytes from the first page, the next */
	long ret;		/* what the process read returned */
};

#else /* the code */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PA_RO_PAGES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* only what the targets have */
	__type(key, struct pa_ro_key);
	__type(value, struct pa_ro_page);
} ro_pages SEC(".maps");

/* The mapping of s->ro.uptr: its file and the offset there, into
 * s->ro.key and s->ro.off (ino 0: not a file mapping). In scratch, not
 * on the stack (see ro_fill). */
static long ro_vma_cb(struct task_struct *task, struct vm_area_struct *vma,
		      void *data)
{
	struct scratch *s = get_scratch();
	struct file *f = BPF_CORE_READ(vma, vm_file);

	if (!s || !f)
		return 0;
	s->ro.key.ino = BPF_CORE_READ(f, f_inode, i_ino);
	s->ro.key.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	s->ro.off = s->ro.uptr - BPF_CORE_READ(vma, vm_start) +
		    (BPF_CORE_READ(vma, vm_pgoff) << 12);
	return 0;
}

/*
 * Up to ro.n bytes of the copy of .rodata at the process address ro.uptr
 * into ro.buf, followed by a NUL. Returns the bytes copied (fewer than
 * ro.n at the end of .rodata), or -1: not in a copy. The file and offset
 * come from the process's mapping (bpf_find_vma), so that the .rodata of
 * the extension modules (fcntl, _socket ...) is found as well as the
 * interpreter's. The request is in s->ro, not in registers:
 * pa_read_user() runs at the bottom of the deepest calls, where every
 * byte of stack counts.
 */
static __always_inline long ro_fill(struct scratch *s)
{
	struct pa_ro_page *pg;
	__u64 off, first, rest;

	s->ro.key.ino = 0;
	if (bpf_find_vma(bpf_get_current_task_btf(), s->ro.uptr, ro_vma_cb,
			 NULL, 0) || !s->ro.key.ino)
		return -1;
	s->ro.key.page = s->ro.off / PA_RO_PAGE;
	off = s->ro.off & (PA_RO_PAGE - 1);
	pg = bpf_map_lookup_elem(&ro_pages, &s->ro.key);
	if (!pg || off < pg->lo || off >= pg->hi)
		return -1;
	first = pg->hi - off;
	if (first > s->ro.n)
		first = s->ro.n;
	s->ro.rest = s->ro.n - first;
	s->ro.first = first;
	BOUND(first, RO_FILL_MAX);
	if (bpf_probe_read_kernel(s->ro.buf, first, pg->b + off))
		return -1;
	if (s->ro.rest && pg->hi == PA_RO_PAGE) {
		/* The read goes on into the next page. */
		s->ro.key.page++;
		pg = bpf_map_lookup_elem(&ro_pages, &s->ro.key);
		first = s->ro.first;
		rest = s->ro.rest;
		if (pg && rest > pg->hi)
			rest = pg->hi;
		BOUND(first, RO_FILL_MAX);
		BOUND(rest, RO_FILL_MAX);
		if (!pg || pg->lo ||
		    bpf_probe_read_kernel(s->ro.buf + first, rest, pg->b))
			rest = 0;
		s->ro.rest = rest;
	} else {
		s->ro.rest = 0;
	}
	first = s->ro.first + s->ro.rest;
	BOUND(first, 2 * RO_FILL_MAX);
	s->ro.buf[first] = 0;
	stat_inc(PA_STAT_RO_COPY);
	return first;
}

/* The buffer of s->ro.where, and s->ro.n bounded to it. */
static __always_inline void *ro_dst(struct scratch *s, __u32 *n)
{
	__u32 where = s->ro.where, off = where & RO_OFF_MASK, m = s->ro.n;

	if (where & RO_TNAME) {
		BOUND(m, PA_TYPENAME_MAX);
		*n = m;
		return s->obj.tname;
	}
	if (where & RO_FMT) {
		BOUND(m, PA_FMT_MAX);
		*n = m;
		return s->va.fmt;
	}
	BOUND(off, PA_REC_MAX);
	BOUND(m, RO_FILL_MAX);
	*n = m;
	return s->rec.buf + off;
}

/*
 * n bytes of target memory at uptr into the buffer where says: with
 * RO_STR as bpf_probe_read_user_str() (returns the same), else as
 * copy_user() (0 or < 0). When the process cannot give them and they
 * are in .rodata, from the copy. A global function that takes the
 * place of the one helper call at each caller: the callers (deep in the
 * value decoding) grow neither in instructions nor in stack.
 */
__noinline long pa_read_user(__u64 uptr, __u32 n, __u32 where)
{
	struct scratch *s = get_scratch();
	void *dst;
	long r;

	if (!s)
		return -1;
	s->ro.uptr = uptr;
	s->ro.n = n;
	s->ro.where = where;
	dst = ro_dst(s, &n);
	if (where & RO_STR) {
		r = bpf_probe_read_user_str(dst, n, (const void *)uptr);
		if (r > 0)
			return r;
	} else {
		r = copy_user(s, dst, n, uptr);
		if (!r)
			return 0;
	}
	s->ro.ret = r;
	r = ro_fill(s);
	if (r <= 0)
		return s->ro.ret;
	dst = ro_dst(s, &n);
	if (s->ro.where & RO_STR)
		return bpf_probe_read_kernel_str(dst, n, s->ro.buf);
	if (r != n)
		return s->ro.ret;
	return bpf_probe_read_kernel(dst, n, s->ro.buf);
}

#endif /* PA_SCRATCH_PARTS */
