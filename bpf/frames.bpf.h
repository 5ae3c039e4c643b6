/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * frames.bpf.h: where in the Python code the event was raised: the
 * current thread's thread state, then the frame chain from the innermost
 * frame outwards, each frame a PA_T_FRAME value (offset, file, function,
 * line table) after the event name, or a reference to its code object
 * when that was described before (code objects sent once, pyaudit.h).
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

/* The frame walk. */
struct frames_state {
	__u8 frbuf[264];	/* the frame being read (up to 128 bytes) */
	__u8 cobuf[264];	/* its code object (up to 160 bytes: 3.14t's
				 * co_linetable ends there) */
	__u64 next;		/* the next frame to read */
	__u64 base;		/* the bytecode the frame runs (its first
				 * instruction) */
	__u32 n;		/* frames emitted */
	__u8 error;		/* a frame could not be read */
	__u8 cut;		/* frames left out for lack of room */
	/* Code objects sent once (pyaudit.h, struct pa_frame_code): kept
	 * here, the frame walk's stack being full on 6.1. */
	__s8 cstate;		/* the frame's code object: 1 described
				 * already, 0 to describe, -1 not cached */
	__u32 tpos;		/* where its line table's value starts */
	__u32 nnew;		/* code objects this record describes */
	__u64 digest;		/* of the frame's code object */
	__u64 tlen;		/* its line table's length */
	struct pa_frame_code frc;	/* the payload being written */
	struct pa_code_key ckey;	/* this event's process; code: the
					 * frame's */
	__u64 newcode[PA_FRAMES_MAX];	/* described by this record: known */
	__u64 newdig[PA_FRAMES_MAX];	/* once it is in the ring buffer */
};

#else /* the code */

#define PA_FRAMES_ROOM		(PA_REC_MAX / 2)	/* record bytes frames may use */

/* Python frames to report per event: 0 off, 1 the innermost, 1 + N with
 * --stack N (at most PA_FRAMES_MAX). */
const volatile __u32 frames_wanted = 0;
/* Tests: walk every line table here instead of copying it. */
const volatile bool walk_all_tables = false;
/* Frames whose line table is copied (1 + --stack); the frames of a
 * deeper walk (--app-frame, --folded) have their line found here: a
 * file, a function and a line each, so that 32 fit in the record. */
const volatile __u32 frames_tabled = PA_FRAMES_MAX;
/* Send each code object's description once (pyaudit.h, PA_FR_CODE_NEW);
 * off: every frame carries it, as before. */
const volatile bool code_cache = false;

/* Bytes of a line table (a bytes object) as a PA_T_BYTES value, cut at max. */
static __always_inline int emit_table(struct scratch *s, __u64 obj, __u32 max,
				      __u32 *real_len)
{
	__u32 off = s->rec.off;
	__s64 size = 0;
	__u64 len, boff;
	__u32 room;
	struct pa_value v = { .tag = PA_T_BYTES };

	*real_len = 0;
	if (obj && obj != s->head.obj)
		load_head(s, obj);
	if (!obj || obj_u64(s, obj, s->lay.ob_size, (__u64 *)&size) || size < 0)
		return emit_empty(s, PA_T_UNREADABLE, 0);
	*real_len = size > 0xffffffffLL ? 0xffffffff : size;
	if (off > PA_REC_MAX - sizeof(v) - 8) {
		s->rec.full = 1;
		return -1;
	}
	room = PA_REC_MAX - sizeof(v) - off;
	len = size;
	if (len > max || len > room) {
		len = max < room ? max : room;
		v.flags |= PA_VF_TRUNCATED;
	}
	BOUND(len, PA_LTAB_FIRST_MAX);
	/* The bound of off, again on the register used: 6.1's verifier
	 * loses the one above when the compiler refills off from the stack
	 * (it does not tie a spilled copy to the tested register), and
	 * rejects the copy ("R1 unbounded memory access"). */
	boff = off;
	BOUND(boff, PA_REC_MAX - sizeof(v) - 8);
	if (len && copy_user(s, s->rec.buf + boff + sizeof(v), len,
			     obj + s->lay.bytes_data))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	v.len = len;
	__builtin_memcpy(s->rec.buf + boff, &v, sizeof(v));
	s->rec.off = boff + sizeof(v) + len;
	return 0;
}

/* ---- the current thread's thread state ---------------------------------- */

struct walk_ctx {
	__u64 interp;
	__u64 ts;
	__u64 found;
	__u64 tp;		/* the thread's thread pointer */
	__u8 failed;		/* a read failed: the answer is unknown */
};

/*
 * One step of the walk over interpreters and their threads (3.12+). A
 * thread state's thread_id is pthread_self(), which follows from the
 * thread pointer (PA_IS_SELF, arch.bpf.h): the same in every pid
 * namespace, unlike native_thread_id (the tid as the container sees it).
 */
static long walk_cb(__u32 i, void *ctx)
{
	struct walk_ctx *w = ctx;
	struct scratch *s = get_scratch();
	__u64 id = 0;

	if (!s)
		return 1;
	if (!w->ts) {
		if (!w->interp)
			return 1;
		if (read_u64(&w->interp, w->interp + s->lay.interp_next) ||
		    (w->interp &&
		     read_u64(&w->ts, w->interp + s->lay.interp_threads))) {
			w->failed = 1;
			return 1;
		}
		return w->interp ? 0 : 1;
	}
	if (read_u64(&id, w->ts + s->lay.ts_thread_id)) {
		w->failed = 1;
		return 1;
	}
	if (PA_IS_SELF(id, w->tp)) {
		w->found = w->ts;
		return 1;
	}
	if (read_u64(&w->ts, w->ts + s->lay.ts_next)) {
		w->failed = 1;
		return 1;
	}
	return 0;
}

/* The thread state found by the last walk, per thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} thread_ts SEC(".maps");

#define WALK_STEPS 1024		/* thread states looked at, at most */

/*
 * The thread state of the current thread: *ts, and 0; -ENOENT when it
 * has none (no Python code runs in it), -EIO when it cannot be known.
 */
static __always_inline int current_tstate(struct scratch *s, __u64 *ts)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct walk_ctx w = {};
	__u64 rt, id = 0, *cached;

	*ts = 0;
	if (!s->event.bias_ok || !s->lay.runtime)
		return -EIO;
	rt = s->lay.runtime + s->event.bias;
	if (s->lay.ts_how == PA_TS_CURRENT) {
		if (read_u64(ts, rt + s->lay.rt_tstate))
			return -EIO;
		return *ts ? 0 : -ENOENT;
	}
	if (s->lay.ts_how != PA_TS_WALK)
		return -EIO;
	w.tp = PA_THREAD_POINTER(task);
	/* Last time's answer, if it still holds (one read). */
	cached = bpf_task_storage_get(&thread_ts, task, 0, 0);
	if (cached && *cached && !read_u64(&id, *cached + s->lay.ts_thread_id) &&
	    PA_IS_SELF(id, w.tp)) {
		*ts = *cached;
		return 0;
	}
	if (read_u64(&w.interp, rt + s->lay.rt_interp_head) ||
	    (w.interp && read_u64(&w.ts, w.interp + s->lay.interp_threads)))
		return -EIO;
	if (!w.interp)
		return -ENOENT;
	bpf_loop(WALK_STEPS, walk_cb, &w, 0);
	if (!w.found)
		return w.failed || w.ts ? -EIO : -ENOENT;
	*ts = w.found;
	cached = bpf_task_storage_get(&thread_ts, task, 0,
				      BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (cached)
		*cached = w.found;
	return 0;
}

/* ---- code objects sent once ---------------------------------------------- */

/*
 * The code objects of each process image whose description (file,
 * function, whole line table) a record delivered to user space, with
 * the digest they had then. An LRU: a process that makes code objects
 * without end pushes out old ones, which are described again when they
 * come back. User space deletes the entries it forgets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PA_CODES_MAX);
	__type(key, struct pa_code_key);
	__type(value, __u64);
} code_known SEC(".maps");

static __always_inline __u64 cc_mix(__u64 h, __u64 w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/*
 * Whether the code object of the frame being walked (its head in
 * s->frames.cobuf, its line table's in s->head) was described already:
 * 1 yes, 0 no (s->frames.digest and tlen are set to describe it), -1
 * not to be cached (no readable table, or one longer than a record
 * copies). lined: the frame's line was found here (PA_FR_LINE or
 * PA_FR_LINE_UNKNOWN): its file and function are all it needs, and it
 * describes no table. Bit 0 of the digest kept says whether the
 * description had the table.
 *
 * The address alone does not name a code object: one freed and another
 * made at the same address (pymalloc hands back the last freed block
 * first, so exec(compile(...)) in a loop does this at every turn, and
 * the new one's table, names and file may well sit where the old ones'
 * did) must not take the old one's lines. The digest covers what the
 * consumer's answer depends on and the head already holds: the pointers
 * to the file, the function and the table, co_firstlineno, the code's
 * size, and the table itself: its length and its bytes up to the end of
 * the head (80 to 96 bytes: a short table whole). Two tables of the same
 * length that differ only past those bytes, each at the same address in
 * turn, with the same names at the same addresses, are told apart by
 * nothing here: the line_cache of walked tables (linetable.bpf.h) makes
 * the same bet with 16 bytes.
 */
__noinline int pa_code_check(__u64 code, __u32 lined)
{
	struct scratch *s = get_scratch();
	const struct pa_layout *l;
	__u64 h, tab, tlen = 0, w, *known;
	__u32 crd, i, off;

	if (!s)
		return -1;
	l = &s->lay;
	crd = l->co_read;
	BOUND(crd, 160);
	tab = buf_u64(s->frames.cobuf, l->co_linetable, crd);
	if (!tab || !s->head.ok || s->head.obj != tab ||
	    obj_u64(s, tab, l->ob_size, &tlen) ||
	    (!lined && tlen > PA_LTAB_FIRST_MAX))
		return -1;
	h = cc_mix(0x243f6a8885a308d3ULL, tab);
	h = cc_mix(h, buf_u64(s->frames.cobuf, l->code_filename, crd));
	h = cc_mix(h, buf_u64(s->frames.cobuf, l->co_func, crd));
	h = cc_mix(h, buf_u64(s->frames.cobuf, l->code_name, crd));
	h = cc_mix(h, buf_u64(s->frames.cobuf, l->co_firstlineno, crd) & 0xffffffffULL);
	h = cc_mix(h, buf_u64(s->frames.cobuf, l->ob_size, crd));
	h = cc_mix(h, tlen);
	for (i = 0; i < OHEAD / 8; i++) {
		off = l->bytes_data + 8 * i;
		if (off > OHEAD - 8 || 8 * i >= tlen)
			break;
		BOUND(off, OHEAD - 8);	/* the test above, on this register */
		__builtin_memcpy(&w, s->head.buf + off, 8);
		if (tlen - 8 * i < 8)	/* the bytes past the table's end */
			w &= (1ULL << (8 * (tlen - 8 * i))) - 1;
		h = cc_mix(h, w);
	}
	h = lined ? h & ~1ULL : h | 1;
	s->frames.digest = h;
	s->frames.tlen = tlen;
	s->frames.ckey.code = code;
	known = bpf_map_lookup_elem(&code_known, &s->frames.ckey);
	return known && (*known | 1) == (h | 1) && (lined || (*known & 1)) ? 1 : 0;
}

/*
 * The record that described this event's new code objects is in the
 * ring buffer (submit, event.bpf.h): they are known from now on. Not
 * before: a description lost with its record would leave references the
 * consumer cannot resolve.
 */
__noinline int pa_codes_known(void)
{
	struct scratch *s = get_scratch();
	__u32 i;

	if (!s)
		return 0;
	for (i = 0; i < PA_FRAMES_MAX && i < s->frames.nnew; i++) {
		s->frames.ckey.code = s->frames.newcode[i];
		bpf_map_update_elem(&code_known, &s->frames.ckey,
				    &s->frames.newdig[i], BPF_ANY);
	}
	s->frames.nnew = 0;
	return 0;
}

/* The frame just written describes its code object: known once the
 * record is out (pa_codes_known). */
static __always_inline void code_described(struct scratch *s, __u64 code)
{
	s->frames.newcode[s->frames.nnew & (PA_FRAMES_MAX - 1)] = code;
	s->frames.newdig[s->frames.nnew & (PA_FRAMES_MAX - 1)] = s->frames.digest;
	s->frames.nnew++;
}

/* A PA_T_FRAME value whose payload is a struct pa_frame_code. */
static __always_inline int emit_code_frame(struct scratch *s,
					   const struct pa_frame *fr, __u64 code)
{
	s->frames.frc.fr = *fr;
	s->frames.frc.code = code;
	return emit_fixed(s, PA_T_FRAME, 0, &s->frames.frc,
			  sizeof(s->frames.frc));
}

/* ---- the frame walk ------------------------------------------------------ */

#define PA_TLBC_MAX	(1 << 16)	/* threads' bytecode copies, at most */

/*
 * Free-threaded 3.14+: a frame whose tlbc_index is not 0 runs its
 * thread's copy of the bytecode, entries[tlbc_index] of the code's
 * co_tlbc array ({ Py_ssize_t size; char *entries[]; }), entry 0 being
 * the code object's own (_PyFrame_GetBytecode, Include/internal/
 * pycore_interpframe.h; CPython's own reader, Modules/_remote_debugging/
 * code_objects.c, does the same). Sets s->frames.base, already the code
 * object's own bytecode, to the copy; 0 when it cannot be read. Its own
 * frame: not on pa_frame_step's deepest chain (the line-table walk).
 */
static __noinline int pa_frame_tlbc(struct scratch *s, __u64 code)
{
	__s32 idx = 0;
	__u64 arr = 0, n = 0;

	__builtin_memcpy(&idx, s->frames.frbuf + (s->lay.fr_tlbc & 127), 4);
	if (!idx)
		return 0;
	if (idx < 0 || idx >= PA_TLBC_MAX ||
	    read_u64(&arr, code + s->lay.co_tlbc) || !arr ||
	    read_u64(&n, arr) || (__u64)idx >= n ||
	    read_u64(&arr, arr + 8 + 8 * (__u64)idx)) {
		s->frames.base = 0;
		return 0;
	}
	/* a null entry: not copied yet, the thread runs the main copy */
	if (arr)
		s->frames.base = arr;
	return 0;
}

/*
 * One frame (s->frames.next): skip it (a C shim) or emit it; then go to
 * its caller. 1: stop.
 */
__noinline int pa_frame_step(void)
{
	struct scratch *s = get_scratch();
	const struct pa_layout *l;
	struct pa_frame fr = {};
	__u64 code, instr, back, fn, name, tab;
	__u32 rd, crd, pos, max;
	__u64 tlen = 0;
	__u8 owner;

	if (!s)
		return 1;
	if (!s->frames.next || s->frames.n >= frames_wanted || s->frames.n >= PA_FRAMES_MAX)
		return 1;
	if (s->rec.off > PA_FRAMES_ROOM - 1024) {
		s->frames.cut = 1;	/* no room for another frame's names */
		return 1;
	}
	l = &s->lay;
	rd = l->fr_read;
	BOUND(rd, 128);
	if (rd < 8 || bpf_probe_read_user(s->frames.frbuf, rd, (void *)s->frames.next)) {
		s->frames.error = 1;
		return 1;
	}
	code = buf_u64(s->frames.frbuf, l->fr_code, rd);
	back = buf_u64(s->frames.frbuf, l->fr_back, rd);
	instr = buf_u64(s->frames.frbuf, l->fr_instr, rd);
	s->frames.next = back;
	if (l->owner_skip) {
		owner = s->frames.frbuf[l->fr_owner & 255];
		if (owner >= l->owner_skip)
			return 0;	/* a C entry frame, not Python code */
	}
	if (l->exec_tagged)
		code &= ~7ULL;
	switch (l->frame_kind) {
	case PA_FK_LASTI:
		fr.offset = (__s32)instr;
		break;
	case PA_FK_LASTI2:
		fr.offset = (__s32)instr < 0 ? -1 : 2 * (__s32)instr;
		break;
	default:
		/* prev_instr/instr_ptr - first instruction, in bytes */
		s->frames.base = code + l->co_code;
		if (l->fr_tlbc && l->co_tlbc)
			pa_frame_tlbc(s, code);
		fr.offset = s->frames.base && instr >= s->frames.base &&
			    instr - s->frames.base < (1ULL << 30) ?
			    (__s32)(instr - s->frames.base) : -1;
	}
	crd = l->co_read;
	BOUND(crd, 160);
	if (!code || crd < 8 ||
	    bpf_probe_read_user(s->frames.cobuf, crd, (void *)code)) {
		fr.flags |= PA_FR_CODE_UNREADABLE;
		fn = name = tab = 0;
	} else {
		fn = buf_u64(s->frames.cobuf, l->code_filename, crd);
		name = buf_u64(s->frames.cobuf, l->co_func, crd);
		tab = buf_u64(s->frames.cobuf, l->co_linetable, crd);
		if (l->co_firstlineno <= crd - 4)
			__builtin_memcpy(&fr.firstlineno,
					 s->frames.cobuf + (l->co_firstlineno & 255), 4);
	}
	pos = s->rec.off + sizeof(struct pa_value);	/* where the payload goes */
	/* A table longer than its bound is walked here; offset < 0 needs
	 * none (co_firstlineno). */
	max = s->frames.n ? PA_LTAB_MAX : PA_LTAB_FIRST_MAX;
	if (tab)
		load_head(s, tab);	/* its size, and a short table whole */
	/* Frames take at most half the record: the arguments keep the rest,
	 * and a table that does not fit is walked here instead. */
	if (tab && fr.offset >= 0 && !obj_u64(s, tab, l->ob_size, &tlen) &&
	    (tlen > max || s->rec.off + tlen > PA_FRAMES_ROOM || walk_all_tables ||
	     s->frames.n >= frames_tabled) &&
	    tlen < (1ULL << 31)) {
		fr.table_len = tlen;
		walked_line(s, &fr, code, tab, tlen);
	}
	/* A line found here goes in the frame (PA_FR_LINE): a reference
	 * then needs only the file and the function. */
	s->frames.cstate = code_cache && tab ?
			   pa_code_check(code, fr.flags & (PA_FR_LINE |
							   PA_FR_LINE_UNKNOWN)) : -1;
	if (s->frames.cstate > 0) {
		fr.flags |= PA_FR_CODE_REF;
		fr.table_len = s->frames.tlen;
		if (emit_code_frame(s, &fr, code))
			return 1;
		s->frames.n++;
		s->rec.last_good = s->rec.off;
		return 0;
	}
	if (!s->frames.cstate) {
		fr.flags |= PA_FR_CODE_NEW;
		if (emit_code_frame(s, &fr, code))
			return 1;
	} else if (emit_fixed(s, PA_T_FRAME, 0, &fr, sizeof(fr))) {
		return 1;
	}
	if (pa_emit_str(fn, PA_STR_MAX) || pa_emit_str(name, PA_FUNC_MAX))
		return 1;
	if (fr.flags & (PA_FR_LINE | PA_FR_LINE_UNKNOWN)) {
		if (emit_empty(s, PA_T_BYTES, PA_VF_TRUNCATED))
			return 1;
		if (!s->frames.cstate)	/* described: file and function */
			code_described(s, code);
		s->frames.n++;
		s->rec.last_good = s->rec.off;
		return 0;
	}
	s->frames.tpos = s->rec.off;
	if (emit_table(s, tab, max, &fr.table_len))
		return 1;
	/* A description is one with the whole table, as read for the
	 * digest: else the frame describes nothing (the consumer checks
	 * the same). */
	if (!s->frames.cstate) {
		if (s->rec.buf[s->frames.tpos & (PA_REC_MAX - 1)] == PA_T_BYTES &&
		    !(s->rec.buf[(s->frames.tpos + 1) & (PA_REC_MAX - 1)] &
		      PA_VF_TRUNCATED) && fr.table_len == s->frames.tlen)
			code_described(s, code);
		else
			fr.flags &= ~PA_FR_CODE_NEW;
	}
	/* The table's real length, known only now, into that payload (and
	 * the flags, which may have lost PA_FR_CODE_NEW). */
	if (pos < PA_REC_MAX - sizeof(fr)) {
		__builtin_memcpy(s->rec.buf + (pos & (PA_REC_MAX - 1)) +
				 offsetof(struct pa_frame, table_len),
				 &fr.table_len, 4);
		__builtin_memcpy(s->rec.buf + (pos & (PA_REC_MAX - 1)) +
				 offsetof(struct pa_frame, flags),
				 &fr.flags, 4);
	}
	s->frames.n++;
	s->rec.last_good = s->rec.off;
	return 0;
}

static long frame_cb(__u32 i, void *ctx)
{
	return pa_frame_step() ? 1 : 0;
}

/*
 * The Python frames executing when the event was raised: the innermost
 * one, then its callers, as PA_T_FRAME values after the name. ts is the
 * thread state when the probe got it as an argument, else 0.
 */
static __always_inline void read_frames(struct scratch *s, __u64 ts)
{
	struct pa_event *ev = (void *)s->rec.buf;
	const struct pa_layout *l = &s->lay;
	__u64 frame = 0;

	s->frames.nnew = 0;
	if (!l->frame_kind) {
		ev->frame_status = PA_FS_UNSUPPORTED;
		return;
	}
	if (!ts) {
		int err = current_tstate(s, &ts);

		if (err) {
			ev->frame_status = !s->event.bias_ok || !l->runtime ?
					   PA_FS_UNSUPPORTED :
					   err == -ENOENT ? PA_FS_NO_FRAME :
					   PA_FS_UNREADABLE;
			return;
		}
	}
	if (read_u64(&frame, ts + l->ts_frame) ||
	    (l->frame_kind == PA_FK_CFRAME && frame &&
	     read_u64(&frame, frame + l->cframe_frame))) {
		ev->frame_status = PA_FS_UNREADABLE;
		return;
	}
	s->frames.next = frame;
	s->frames.n = 0;
	s->frames.ckey.start_ns = ev->start_ns;
	s->frames.ckey.pid = ev->pid;
	s->frames.ckey.exec_seq = ev->exec_seq;
	s->frames.error = 0;
	s->frames.cut = 0;
	bpf_loop(PA_FRAMES_MAX + 8, frame_cb, NULL, 0);
	if (s->rec.full)
		s->frames.cut = 1;
	s->rec.off = s->rec.last_good;
	s->rec.full = 0;
	if (s->frames.cut && s->frames.next)
		s->rec.flags |= PA_EV_FRAMES_CUT;
	ev->nframes = s->frames.n;
	if (s->frames.n)
		ev->frame_status = PA_FS_OK;
	else
		ev->frame_status = s->frames.error ? PA_FS_UNREADABLE : PA_FS_NO_FRAME;
}

#endif /* PA_SCRATCH_PARTS */
