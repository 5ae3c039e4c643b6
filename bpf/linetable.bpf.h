/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * linetable.bpf.h: a line table too long to copy into the record is
 * walked here, up to the frame's offset; the BPF twin of
 * user/linetable.c, with the same rules and the same checks. Lines found
 * are cached per process and code object.
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

#define LT_CHUNK		256	/* line-table bytes read at once */

/* A long line table walked in BPF. */
struct ltab_state {
	__u8 chunk[LT_CHUNK];
	__u64 base;		/* the table's bytes in the process */
	__u32 len;		/* its length */
	__u32 pos;		/* next byte to decode */
	__u32 cstart;		/* table position of chunk[0] */
	__u32 clen;		/* bytes in chunk */
	__u64 addr;		/* bytecode bytes covered so far */
	__u32 target;		/* the offset whose line is wanted */
	__s64 line;
	__s32 result;
	__u8 state;		/* LT_RUNNING, LT_FOUND, LT_ERROR */
};

#else /* the code */

enum { LT_RUNNING, LT_FOUND, LT_ERROR };

/* The next byte of the table (refilling chunk), -1 at its end, -2
 * when it cannot be read. */
static __noinline int lt_byte(struct scratch *s)
{
	__u32 pos, rel, n;

	if (!s)
		return -2;
	pos = s->ltab.pos;
	if (pos >= s->ltab.len)
		return -1;
	rel = pos - s->ltab.cstart;
	if (pos < s->ltab.cstart || rel >= s->ltab.clen) {
		n = s->ltab.len - pos;
		if (n > LT_CHUNK)
			n = LT_CHUNK;
		BOUND(n, LT_CHUNK);
		if (n < 1 || bpf_probe_read_user(s->ltab.chunk, n,
						 (void *)(s->ltab.base + pos)))
			return -2;
		s->ltab.cstart = pos;
		s->ltab.clen = n;
		rel = 0;
	}
	s->ltab.pos = pos + 1;
	return s->ltab.chunk[rel & (LT_CHUNK - 1)];
}

/* A byte inside a 3.11+ location entry: bit 7 clear (set starts the
 * next entry). */
static __noinline int lt_cont(struct scratch *s)
{
	int b = lt_byte(s);

	return b < 0 || (b & 0x80) ? -1 : b;
}

/* Varint of the locations table: 6-bit chunks, bit 6 = more. */
static __noinline int lt_varint(struct scratch *s, __u32 *val)
{
	__u32 v = 0;
	int b, k;

	for (k = 0; k < 6; k++) {
		b = lt_cont(s);
		if (b < 0)
			return -1;
		if (k == 5 && (b & 63) > 3)
			return -1;	/* past 32 bits, as linetable.c */
		v |= (__u32)(b & 63) << (6 * k);
		if (!(b & 64)) {
			*val = v;
			return 0;
		}
	}
	return -1;
}

static __always_inline long lt_found(struct scratch *s, __s32 line)
{
	s->ltab.result = line;
	s->ltab.state = LT_FOUND;
	return 1;
}

/* Lines stay in the int range (CPython's), as linetable.c checks. */
static __always_inline bool lt_line_ok(struct scratch *s)
{
	return s->ltab.line >= -(1LL << 31) && s->ltab.line <= (1LL << 31) - 1;
}

static __always_inline long lt_error(struct scratch *s)
{
	s->ltab.state = LT_ERROR;
	return 1;
}

/*
 * One entry of a line table, by the rules of user/linetable.c (see
 * there). Each returns 0 to go on, 1 when the walk ends (found or error).
 *
 * co_lnotab, 3.8 and 3.9 (Objects/lnotab_notes.txt): pairs of (unsigned
 * bytecode-offset increment, signed line increment).
 */
static __always_inline int lnotab_step(struct scratch *s)
{
	int a, b;

	a = lt_byte(s);
	if (a == -1)	/* the last line runs to the end */
		return lt_found(s, (__s32)s->ltab.line);
	if (a < 0)
		return lt_error(s);
	s->ltab.addr += a;
	if (s->ltab.addr > s->ltab.target)
		return lt_found(s, (__s32)s->ltab.line);
	b = lt_byte(s);
	if (b < 0)
		return lt_error(s);
	s->ltab.line += (__s8)b;
	return lt_line_ok(s) ? 0 : lt_error(s);
}

/* co_linetable, 3.10 (PEP 626, Objects/lnotab_notes.txt of 3.10): pairs
 * of (bytes covered, signed line delta), -128 = no line. */
static __always_inline int linetable310_step(struct scratch *s)
{
	int a, b;

	a = lt_byte(s);
	b = lt_byte(s);
	if (a < 0 || b < 0)
		return lt_error(s);
	s->ltab.addr += a;
	if (b != 0x80)
		s->ltab.line += (__s8)b;
	if (!lt_line_ok(s))
		return lt_error(s);
	if (s->ltab.target < s->ltab.addr)
		return lt_found(s, b == 0x80 ? -1 : (__s32)s->ltab.line);
	return 0;
}

/*
 * The locations table, 3.11+ (Objects/locations.md of 3.11-3.13,
 * InternalDocs/code_objects.md of 3.14): entries whose first byte has
 * bit 7 set, a code in bits 3-6 and the code units covered - 1 in bits
 * 0-2; the code says how the line changes and what follows.
 */
static __always_inline int locations_step(struct scratch *s)
{
	__s64 delta = 0;
	__u32 u = 0, unused;
	int b, code;

	b = lt_byte(s);
	if (b < 0 || !(b & 0x80))
		return lt_error(s);
	code = (b >> 3) & 15;
	s->ltab.addr += 2 * ((b & 7) + 1);
	if (code == 13 || code == 14) {
		if (lt_varint(s, &u))
			return lt_error(s);
		delta = u & 1 ? -(__s64)(u >> 1) : (__s64)(u >> 1);
		if (code == 14 && (lt_varint(s, &unused) || lt_varint(s, &unused) ||
				   lt_varint(s, &unused)))
			return lt_error(s);
	} else if (code >= 10 && code <= 12) {
		delta = code - 10;
		if (lt_cont(s) < 0 || lt_cont(s) < 0)
			return lt_error(s);
	} else if (code < 10) {
		if (lt_cont(s) < 0)
			return lt_error(s);
	}
	/* Nothing of the entry may be left over (as linetable.c). */
	b = lt_byte(s);
	if (b == -2 || (b >= 0 && !(b & 0x80)))
		return lt_error(s);
	if (b >= 0)
		s->ltab.pos--;	/* the next entry's first byte: in chunk */
	if (code != 15)
		s->ltab.line += delta;
	if (!lt_line_ok(s))
		return lt_error(s);
	if (s->ltab.target < s->ltab.addr)
		return lt_found(s, code == 15 ? -1 : (__s32)s->ltab.line);
	return 0;
}

/* One entry, in the format of the target's layout (the key user space
 * uses too); a format this file does not know ends the walk. */
__noinline int pa_lt_step(void)
{
	struct scratch *s = get_scratch();

	if (!s)
		return 1;
	switch (s->lay.ltab_format) {
	case PA_LT_LNOTAB:
		return lnotab_step(s);
	case PA_LT_LINETABLE:
		return linetable310_step(s);
	case PA_LT_LOCATIONS:
		return locations_step(s);
	default:
		return lt_error(s);
	}
}

static long lt_cb(__u32 i, void *ctx)
{
	return pa_lt_step() ? 1 : 0;
}

/*
 * Lines of walked tables, per process and code object: a hot loop in a
 * long module body or function walks its table once, not at each event
 * (a walk of thousands of entries costs tens of microseconds). The key
 * holds what the line depends on: the code object and its table (address,
 * length, its first 16 bytes), co_firstlineno and the offset; a
 * code object freed and another made at the same address with the same
 * table is the same code, with the same lines.
 */
struct line_key {
	__u64 code;
	__u64 table;
	__u64 pstart;
	__u64 hash;		/* of the table's first 16 bytes */
	__u32 tgid;
	__u32 table_len;
	__s32 offset;
	__s32 firstlineno;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct line_key);
	__type(value, __s32);
} line_cache SEC(".maps");

/* The line of offset in a table of len bytes at table (a bytes object's
 * data): fr->line and PA_FR_LINE, or PA_FR_LINE_UNKNOWN. */
static __always_inline void walk_table(struct scratch *s, struct pa_frame *fr,
				       __u64 table, __u64 len)
{
	s->ltab.base = table;
	s->ltab.len = len > 0xffffffffULL ? 0xffffffff : len;
	s->ltab.pos = 0;
	s->ltab.cstart = 0;
	s->ltab.clen = 0;
	s->ltab.addr = 0;
	s->ltab.target = fr->offset;
	s->ltab.line = fr->firstlineno;
	s->ltab.state = LT_RUNNING;
	bpf_loop(PA_LTAB_ENTRIES_MAX, lt_cb, NULL, 0);
	if (s->ltab.state == LT_FOUND) {
		fr->line = s->ltab.result;
		fr->flags |= PA_FR_LINE;
	} else {
		fr->flags |= PA_FR_LINE_UNKNOWN;
	}
}

/* walk_table, through line_cache. tab: the bytes object, whose head is
 * loaded (its first bytes go into the key). */
static __always_inline void walked_line(struct scratch *s, struct pa_frame *fr,
					__u64 code, __u64 tab, __u64 tlen)
{
	struct line_key k = {};
	__u32 start = s->lay.bytes_data;
	__s32 *line;
	__u64 h = 0;

	/* The table's first 16 bytes (it is longer than a record holds). */
	if (s->head.ok && s->head.obj == tab)
		h = buf_u64(s->head.buf, start, OHEAD) * 0x100000001b3ULL ^
		    buf_u64(s->head.buf, start + 8, OHEAD);
	k.code = code;
	k.table = tab;
	k.pstart = s->event.pstart;
	k.hash = h;
	k.tgid = s->event.tgid;
	k.table_len = tlen;
	k.offset = fr->offset;
	k.firstlineno = fr->firstlineno;
	line = bpf_map_lookup_elem(&line_cache, &k);
	if (line) {
		fr->line = *line;
		fr->flags |= PA_FR_LINE;
		return;
	}
	walk_table(s, fr, tab + s->lay.bytes_data, tlen);
	if (fr->flags & PA_FR_LINE)
		bpf_map_update_elem(&line_cache, &k, &fr->line, BPF_ANY);
}

#endif /* PA_SCRATCH_PARTS */
