// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyaudit BPF side: capture CPython audit events and decode their
 * arguments from the traced process's memory into ring-buffer records
 * (format: pyaudit.h). Four entry points, one per way an event can be
 * seen (see docs/design.md):
 *
 *   usdt_audit          python:audit USDT: event name + args tuple
 *   uprobe_sys_audit    sys_audit(): Python-level sys.audit() calls
 *   uprobe_valist       sys_audit_tstate(ts, event, fmt, va_list), 3.9+
 *   uprobe_varargs*     PySys_Audit(event, fmt, ...) (3.8, fallback)
 *
 * The attach cookie is the target id: it selects the object layout of the
 * target file's CPython version (filled once by user space at attach
 * time). Every read of target memory may fail; a failed read becomes a
 * PA_T_UNREADABLE value and the event is still delivered.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "pyaudit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Type flag bits: identical in every CPython 3.x (tp_flags). */
#define TPF_LONG_SUBCLASS	(1UL << 24)
#define TPF_LIST_SUBCLASS	(1UL << 25)
#define TPF_TUPLE_SUBCLASS	(1UL << 26)
#define TPF_BYTES_SUBCLASS	(1UL << 27)
#define TPF_UNICODE_SUBCLASS	(1UL << 28)
#define TPF_TYPE_SUBCLASS	(1UL << 31)

/* Room past PA_REC_MAX so that bounded writes never leave the buffer. */
#define BUF_SLACK		(PA_LTAB_FIRST_MAX + 64)
#define OHEAD			128	/* bytes of an object read at once */
#define LT_CHUNK		256	/* line-table bytes read at once */
#define PA_FRAMES_ROOM		(PA_REC_MAX / 2)	/* record bytes frames may use */
#define PAGE_SIZE_		4096

/* Knobs set by user space between open and load. */
const volatile bool filter_pids = false;	/* only tgids in traced_pids */
const volatile bool filter_uids = false;	/* only uids in uid_filter */
const volatile bool filter_comms = false;	/* only comms in comm_filter */
const volatile bool filter_cgroups = false;	/* only under cgroup_filter */
const volatile bool summary_mode = false;	/* count, no records */
const volatile __u32 n_globs = 0;		/* -e and -x patterns */
const volatile bool have_include = false;	/* some pattern is -e */
const volatile __u8 glob_exclude[PA_GLOBS_MAX] = {};
const volatile __u8 glob_len[PA_GLOBS_MAX] = {};
const volatile char globs[PA_GLOBS_MAX][PA_GLOB_LEN] = {};
/* Wake the consumer when this much is waiting; below it, the consumer
 * polls on a timer (batching: one wakeup per many events). */
const volatile __u64 wakeup_bytes = 0;
/* Python frames to report per event: 0 off, 1 the innermost, 1 + N with
 * --stack N (at most PA_FRAMES_MAX). */
const volatile __u32 frames_wanted = 0;
/* Tests: walk every line table here instead of copying it. */
const volatile bool walk_all_tables = false;

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct pa_summary_key);
	__type(value, __u64);
} summary SEC(".maps");

/* Files user space has seen (attached or rejected), and files it was
 * told about: the mmap watcher stays quiet about them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct pa_file_key);
	__type(value, __u8);
} known_files SEC(".maps");

/*
 * Python-level events are seen at sys_audit, and a second time in the
 * C-level funnel when a hook makes CPython go on. sys_audit records the
 * event-name object here per thread; the funnel drops its copy when the
 * event name it gets is that object's UTF-8 buffer.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} pending_sys_audit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PA_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Events lost per process (ring buffer full): exact accounting. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} lost_by_pid SEC(".maps");

/*
 * Verdicts of -e/-x on C event names, which are string literals in the
 * target's .rodata: the same link-time address is the same name in every
 * process of that file. Direct-mapped, per CPU: a hit costs one array
 * lookup instead of a string read and a glob match.
 */
#define VCACHE_SIZE 256
struct vcache_entry {
	__u64 addr;		/* link-time address of the name */
	__u64 pstart;		/* the process (start time, tgid): a process
				 * may rewrite its own .rodata, so a verdict
				 * only holds for the process it came from */
	__u32 tgid;
	__u32 target_id_1;	/* target id + 1 (0: empty) */
	__u32 verdict;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VCACHE_SIZE);
	__type(key, __u32);
	__type(value, struct vcache_entry);
} vcache SEC(".maps");

/*
 * Kinds of the static types in the target file's image (int, str,
 * NoneType ...), by link-time address: static types are never freed, so
 * the address is the type in every process of that file. Direct-mapped,
 * per CPU. Spares a type's flags and name reads for most objects.
 */
enum type_kind {
	TK_UNKNOWN,
	TK_STR, TK_BYTES, TK_INT, TK_BOOL, TK_FLOAT, TK_NONE, TK_TUPLE,
	TK_LIST, TK_CODE, TK_CLASS, TK_OTHER,
};
#define TCACHE_SIZE 256
struct tcache_entry {
	__u64 addr;
	__u64 pstart;		/* the process it was learnt from: a process
				 * can rewrite its own static types */
	__u32 tgid;
	__u32 target_id_1;	/* target id + 1 (0: empty) */
	__u32 kind;		/* enum type_kind */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCACHE_SIZE);
	__type(key, __u32);
	__type(value, struct tcache_entry);
} tcache SEC(".maps");

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
	__u8 buf[OHEAD + 136];
	__u64 obj;		/* the object whose head buf holds */
	__u8 ok;		/* buf holds it */
};

/* Which target and process raise the event being built. */
struct event_state {
	__u32 lay_id;		/* target id + 1 of s->lay (0: none yet) */
	__u8 source;		/* enum pa_source of the event being built */
	__u8 bias_ok;		/* bias is known */
	__u32 target_id;
	__u32 tgid;		/* the process raising the event, and */
	__u64 pstart;		/* its start time (pids are reused) */
	__u64 bias;		/* runtime address - link-time address */
	struct pa_summary_key skey;	/* summary mode: the count's key */
};

/* Python objects. */
struct obj_state {
	char tname[PA_TYPENAME_MAX];	/* a type's name */
	__u8 thead[264];	/* a type object's head, up to tp_flags */
	__u64 argv[PA_ARGS_MAX];	/* the arguments' objects */
};

/* The frame walk. */
struct frames_state {
	__u8 frbuf[264];	/* the frame being read (up to 128 bytes) */
	__u8 cobuf[264];	/* its code object (up to 160 bytes) */
	__u64 next;		/* the next frame to read */
	__u32 n;		/* frames emitted */
	__u8 error;		/* a frame could not be read */
	__u8 cut;		/* frames left out for lack of room */
};

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
	__u8 format;		/* PA_FK_* of the frame kind */
};

/* Glob matching of the event name (-e, -x). */
struct flt_state {
	__u32 g;		/* pattern index */
	__s32 gp, gn, gstar, gmark, glen, nlen;
	__s32 gresult;
};

/* The varargs of a Py_BuildValue format. */
struct va_state {
	char fmt[2 * PA_FMT_MAX];	/* zero-filled past the format */
	__u64 regs[6];		/* rdi rsi rdx rcx r8 r9 at the probe */
	__u64 sp;
	__u32 vnext;		/* next argument register/slot index */
	__u32 gp_offset;	/* va_list */
	__u64 overflow_area;
	__u64 reg_save_area;
	__u8 valist;
};

struct scratch {
	struct rec_state rec;
	struct pa_layout lay;
	struct event_state event;
	struct head_state head;
	struct obj_state obj;
	struct frames_state frames;
	struct ltab_state ltab;
	struct flt_state flt;
	struct va_state va;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/*
 * v = min(v, max), written so that the verifier sees the bound on the
 * register that is then used (the compiler's min() may test a copy).
 */
#define BOUND(v, max)							\
	asm volatile("if %[x] <= %[m] goto +1\n\t"			\
		     "%[x] = %[m]\n\t"					\
		     : [x] "+r"(v) : [m] "i"(max))

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* A cache entry (vcache, tcache) learnt from this event's process and
 * target; and marking one so. */
#define CACHE_MINE(e, s)	((e)->tgid == (s)->event.tgid && \
				 (e)->pstart == (s)->event.pstart && \
				 (e)->target_id_1 == (s)->event.target_id + 1)
#define CACHE_CLAIM(e, s)	do { (e)->tgid = (s)->event.tgid; \
				     (e)->pstart = (s)->event.pstart; \
				     (e)->target_id_1 = (s)->event.target_id + 1; \
				} while (0)

static __always_inline int read_u64(__u64 *dst, __u64 addr)
{
	return bpf_probe_read_user(dst, sizeof(*dst), (const void *)addr);
}

/* 8 bytes at off of a buffer holding size bytes (0 past them). */
static __always_inline __u64 buf_u64(const __u8 *b, __u32 off, __u32 size)
{
	__u64 v = 0;

	if (off <= size - 8)
		__builtin_memcpy(&v, b + (off & 255), 8);
	return v;
}

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
	if (len && copy_user(s, s->rec.buf + off + sizeof(v), len, uptr))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	v.tag = tag;
	v.flags = flags;
	v.len = len;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	s->rec.off = off + sizeof(v) + len;
	return 0;
}

/* A NUL-terminated C string (event names, 's', 'y'). */
static __always_inline int emit_cstr(struct scratch *s, __u8 tag, __u64 uptr, __u32 max)
{
	__u32 off = s->rec.off;
	__u32 room;
	__u64 cap;
	long r;
	struct pa_value v = { .tag = tag };

	if (off > PA_REC_MAX - sizeof(v) - 8) {
		s->rec.full = 1;
		return -1;
	}
	room = PA_REC_MAX - sizeof(v) - off;
	cap = max < room ? max : room;
	BOUND(cap, PA_STR_MAX);
	/* One byte more than kept: tells a cut from a string of cap bytes. */
	r = bpf_probe_read_user_str(s->rec.buf + off + sizeof(v), cap + 1,
				    (const void *)uptr);
	if (r <= 0)
		return emit_empty(s, PA_T_UNREADABLE, 0);
	r -= 1;			/* the NUL */
	if (r >= cap) {
		r = cap;
		v.flags |= PA_VF_TRUNCATED;
	}
	v.len = r;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	s->rec.off = off + sizeof(v) + (r & (PA_STR_MAX * 2 - 1));
	return 0;
}

/*
 * A Python str object, delivered in its own code units: its fields and,
 * when short, its data come from its head (loaded here unless the caller
 * just did).
 */
static __always_inline int emit_pystr(struct scratch *s, __u64 obj, __u32 max)
{
	const struct pa_layout *l = &s->lay;
	__u64 length = 0, data, st = 0;
	__u32 state, kind;
	__u8 tag;

	if (obj && obj != s->head.obj)
		load_head(s, obj);
	if (!obj || obj_u64(s, obj, l->str_length, &length) ||
	    obj_u64(s, obj, l->str_state, &st))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	state = (__u32)st;
	kind = (state >> l->str_kind_shift) & 7;
	if ((state >> l->str_compact_bit) & 1) {
		if ((state >> l->str_ascii_bit) & 1)
			data = obj + l->str_ascii_data;
		else
			data = obj + l->str_compact_data;
	} else if (obj_u64(s, obj, l->str_legacy_data, &data) || !data) {
		return emit_empty(s, PA_T_UNREADABLE, 0);
	}
	switch (kind) {
	case 1:
		tag = PA_T_STR_UCS1;
		break;
	case 2:
		tag = PA_T_STR_UCS2;
		break;
	case 4:
		tag = PA_T_STR_UCS4;
		break;
	default:
		return emit_empty(s, PA_T_UNREADABLE, 0);
	}
	if (length > (1UL << 40))	/* nonsense: a hostile or torn object */
		return emit_empty(s, PA_T_UNREADABLE, 0);
	return emit_user(s, tag, 0, data, length * kind, max, kind);
}

/*
 * Global functions are verified once per program, however many call
 * sites they have; static inline code is verified again at each one (and
 * start-up time is mostly the verifier's).
 */
__noinline int pa_emit_str(__u64 obj, __u32 max)
{
	struct scratch *s = get_scratch();

	return s ? emit_pystr(s, obj, max) : -1;
}

static __always_inline int emit_pybytes(struct scratch *s, __u64 obj)
{
	__s64 size = 0;

	if (obj_u64(s, obj, s->lay.ob_size, (__u64 *)&size) || size < 0)
		return emit_empty(s, PA_T_UNREADABLE, 0);
	return emit_user(s, PA_T_BYTES, 0, obj + s->lay.bytes_data, size,
			 PA_STR_MAX, 1);
}

/* Digits and sign of an int: 3.12 replaced ob_size with lv_tag. */
static __always_inline int pylong_shape(struct scratch *s, __u64 obj,
					__u64 *ndigits, bool *neg)
{
	__u64 tag = 0;

	if (obj_u64(s, obj, s->lay.long_tag, &tag))
		return -1;
	if (s->lay.long_lv_tag) {
		*neg = (tag & 3) == 2;
		*ndigits = tag >> 3;
	} else {
		__s64 size = (__s64)tag;

		*neg = size < 0;
		*ndigits = size < 0 ? -size : size;
	}
	return 0;
}

static __always_inline int emit_pylong(struct scratch *s, __u64 obj)
{
	__u32 off = s->rec.off;
	__u64 nd = 0, n;
	__u32 total;
	bool neg = false;
	struct pa_value v = { .tag = PA_T_PYLONG };

	if (pylong_shape(s, obj, &nd, &neg))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	if (off > PA_REC_MAX - sizeof(v) - 4 - PA_INT_DIGITS_MAX * 4) {
		s->rec.full = 1;
		return -1;
	}
	total = nd > 0xffffffffULL ? 0xffffffff : nd;
	n = nd;
	if (nd > PA_INT_DIGITS_MAX) {
		n = PA_INT_DIGITS_MAX;
		v.flags |= PA_VF_TRUNCATED;
	}
	BOUND(n, PA_INT_DIGITS_MAX);
	if (n && copy_user(s, s->rec.buf + off + sizeof(v) + 4, n * 4,
			   obj + s->lay.long_digits))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	if (neg)
		v.flags |= PA_VF_NEGATIVE;
	v.len = 4 + n * 4;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	__builtin_memcpy(s->rec.buf + off + sizeof(v), &total, 4);
	s->rec.off = off + sizeof(v) + 4 + n * 4;
	return 0;
}

static __always_inline bool tname_is(const char *t, const char *want, int n)
{
	for (int i = 0; i < n; i++)
		if (t[i] != want[i])
			return false;
	return true;
}

/* A type name read with bpf_probe_read_user_str() returning r: a full
 * buffer means the name was cut. */
static __always_inline int emit_typename(struct scratch *s, __u8 flags,
					 __u64 name, long r)
{
	__u64 n = r >= PA_TYPENAME_MAX ? PA_TYPENAME_MAX : r - 1;

	return emit_user(s, PA_T_OBJECT, flags, name, n, PA_TYPENAME_MAX - 1, 1);
}

enum obj_kind { OBJ_SCALAR, OBJ_TUPLE, OBJ_LIST };

/* The cache slot of a type at a link-time address inside the image, or
 * NULL (not cacheable). */
static __always_inline struct tcache_entry *tcache_slot(struct scratch *s,
							 __u64 type, __u64 *key)
{
	__u64 a = type - s->event.bias;
	__u32 idx;

	*key = 0;
	if (!s->event.bias_ok || a < s->lay.img_lo || a >= s->lay.img_hi)
		return NULL;
	*key = a;
	idx = ((a >> 4) ^ (a >> 12)) & (TCACHE_SIZE - 1);
	return bpf_map_lookup_elem(&tcache, &idx);
}

/* Is type str (or a subclass)? From the type cache, else its flags. */
static __always_inline bool type_is_str(struct scratch *s, __u64 type)
{
	struct tcache_entry *e;
	__u64 key, flags = 0;

	e = tcache_slot(s, type, &key);
	if (e && key && e->addr == key && CACHE_MINE(e, s))
		return e->kind == TK_STR;
	if (read_u64(&flags, type + s->lay.tp_flags) ||
	    !(flags & TPF_UNICODE_SUBCLASS))
		return false;
	if (e && key) {
		e->addr = key;
		CACHE_CLAIM(e, s);
		e->kind = TK_STR;
	}
	return true;
}

/*
 * What a type is, from its flags and name: one read of the type's head
 * (tp_name .. tp_flags) and one of its name. *name gets tp_name, and
 * s->obj.tname its first bytes.
 */
static __always_inline int classify_type(struct scratch *s, __u64 type,
					 __u64 *name, long *r)
{
	const struct pa_layout *l = &s->lay;
	char *t = s->obj.tname;
	__u32 rd = l->tp_flags + 8;
	__u64 flags;

	BOUND(rd, 256);
	if (rd < 16 || bpf_probe_read_user(s->obj.thead, rd, (void *)type))
		return TK_UNKNOWN;
	flags = buf_u64(s->obj.thead, l->tp_flags, rd);
	*name = buf_u64(s->obj.thead, l->tp_name, rd);
	if (flags & TPF_UNICODE_SUBCLASS)
		return TK_STR;
	if (flags & TPF_BYTES_SUBCLASS)
		return TK_BYTES;
	if (flags & TPF_TUPLE_SUBCLASS)
		return TK_TUPLE;
	if (flags & TPF_LIST_SUBCLASS)
		return TK_LIST;
	if (flags & TPF_TYPE_SUBCLASS)
		return TK_CLASS;
	__builtin_memset(t, 0, 16);
	*r = bpf_probe_read_user_str(t, PA_TYPENAME_MAX, (void *)*name);
	if (*r <= 0)
		return TK_UNKNOWN;
	if (flags & TPF_LONG_SUBCLASS)
		return tname_is(t, "bool", 5) ? TK_BOOL : TK_INT;
	if (tname_is(t, "float", 6))
		return TK_FLOAT;
	if (tname_is(t, "NoneType", 9))
		return TK_NONE;
	if (tname_is(t, "code", 5))
		return TK_CODE;
	return TK_OTHER;
}

/*
 * Emit one object. A tuple or list is not emitted: its kind, items and
 * length are returned so that the caller can decide how deep to go.
 */
static __always_inline int emit_object(struct scratch *s, __u64 obj, int *kind,
				       __u64 *items, __u64 *len)
{
	const struct pa_layout *l = &s->lay;
	__u64 type = 0, name = 0, key;
	struct tcache_entry *e;
	int tk = TK_UNKNOWN;
	char *t = s->obj.tname;
	long r = 0;

	*kind = OBJ_SCALAR;
	load_head(s, obj);
	if (!obj || obj_u64(s, obj, l->ob_type, &type) || !type)
		return emit_empty(s, PA_T_UNREADABLE, 0);
	e = tcache_slot(s, type, &key);
	if (e && e->addr == key && CACHE_MINE(e, s))
		tk = e->kind;
	if (tk == TK_UNKNOWN || tk == TK_OTHER) {
		/* TK_OTHER needs the name anyway: classify again. */
		tk = classify_type(s, type, &name, &r);
		if (tk == TK_UNKNOWN)
			return emit_empty(s, PA_T_UNREADABLE, 0);
		if (e && key) {
			e->addr = key;
			CACHE_CLAIM(e, s);
			e->kind = tk;
		}
	}
	switch (tk) {
	case TK_STR:
		return emit_pystr(s, obj, PA_STR_MAX);
	case TK_BYTES:
		return emit_pybytes(s, obj);
	case TK_TUPLE:
	case TK_LIST: {
		__s64 size = 0;

		if (obj_u64(s, obj, l->ob_size, (__u64 *)&size) || size < 0)
			return emit_empty(s, PA_T_UNREADABLE, 0);
		*len = size;
		if (tk == TK_TUPLE) {
			*kind = OBJ_TUPLE;
			*items = obj + l->tuple_items;
		} else {
			*kind = OBJ_LIST;
			if (obj_u64(s, obj, l->list_items, items))
				*items = 0;
		}
		return 0;
	}
	case TK_CLASS:
		/* A class: its own name says more than "type". */
		if (obj_u64(s, obj, l->tp_name, &name))
			return emit_empty(s, PA_T_UNREADABLE, 0);
		r = bpf_probe_read_user_str(t, PA_TYPENAME_MAX, (void *)name);
		if (r <= 0)
			return emit_empty(s, PA_T_UNREADABLE, 0);
		return emit_typename(s, PA_VF_CLASS, name, r);
	case TK_BOOL: {
		__u64 nd = 0;
		bool neg;

		if (pylong_shape(s, obj, &nd, &neg))
			return emit_empty(s, PA_T_UNREADABLE, 0);
		return emit_empty(s, nd ? PA_T_TRUE : PA_T_FALSE, 0);
	}
	case TK_INT:
		return emit_pylong(s, obj);
	case TK_FLOAT: {
		__u64 bits = 0;

		if (obj_u64(s, obj, l->float_val, &bits))
			return emit_empty(s, PA_T_UNREADABLE, 0);
		return emit_fixed(s, PA_T_FLOAT, 0, &bits, 8);
	}
	case TK_NONE:
		return emit_empty(s, PA_T_NONE, 0);
	case TK_CODE: {
		__u64 fn = 0, nm = 0;

		if (emit_empty(s, PA_T_CODE, 0))
			return -1;
		obj_u64(s, obj, l->code_filename, &fn);
		obj_u64(s, obj, l->code_name, &nm);
		if (pa_emit_str(fn, PA_STR_MAX))
			return -1;
		return pa_emit_str(nm, PA_STR_MAX);
	}
	default:
		/* Anything else: its type name. */
		return emit_typename(s, 0, name, r);
	}
}

struct elems_ctx {
	__u64 items;		/* PyObject ** */
};

/* An element of a container below the top level: scalars, no deeper. */
__noinline int pa_emit_elem(__u64 obj)
{
	struct scratch *s = get_scratch();
	__u64 items = 0, len = 0;
	int kind;

	if (!s || emit_object(s, obj, &kind, &items, &len))
		return -1;
	if (kind != OBJ_SCALAR) {
		__u32 l32 = len > 0xffffffffULL ? 0xffffffff : len;

		if (emit_fixed(s, kind == OBJ_TUPLE ? PA_T_TUPLE : PA_T_LIST,
			       len ? PA_VF_NOT_EXPANDED : 0, &l32, 4) ||
		    emit_empty(s, PA_T_END, 0))
			return -1;
	}
	return 0;
}

/*
 * bpf_loop callbacks are verified again and again until their states
 * converge: their bodies call global functions (verified once).
 */
static long elem_cb(__u32 i, void *ctx)
{
	struct elems_ctx *c = ctx;
	struct scratch *s = get_scratch();
	__u64 obj = 0;

	if (!s)
		return 1;
	if (read_u64(&obj, c->items + 8 * (__u64)i))
		return emit_empty(s, PA_T_UNREADABLE, 0) ? 1 : 0;
	return pa_emit_elem(obj) ? 1 : 0;
}

/* A container whose elements are decoded: header, elements, END. */
static __always_inline int emit_container(struct scratch *s, int kind,
					  __u64 items, __u64 len)
{
	struct elems_ctx c = { .items = items };
	__u32 hdr = s->rec.off, n;
	__u32 l32 = len > 0xffffffffULL ? 0xffffffff : len;
	__u8 flags = 0;

	n = len > PA_ELEMS_MAX ? PA_ELEMS_MAX : len;
	if (len > PA_ELEMS_MAX)
		flags |= PA_VF_TRUNCATED;
	if (!items && len) {
		flags |= PA_VF_NOT_EXPANDED;
		n = 0;
	}
	if (emit_fixed(s, kind == OBJ_TUPLE ? PA_T_TUPLE : PA_T_LIST, flags,
		       &l32, 4))
		return -1;
	if (n)
		bpf_loop(n, elem_cb, &c, 0);
	if (s->rec.full)
		return -1;
	(void)hdr;
	return emit_empty(s, PA_T_END, 0);
}

/* One top-level argument: containers are decoded one level deep. */
__noinline int pa_emit_arg(__u64 obj)
{
	struct scratch *s = get_scratch();
	__u64 items = 0, len = 0;
	int kind;

	if (!s || emit_object(s, obj, &kind, &items, &len))
		return -1;
	if (kind != OBJ_SCALAR)
		return emit_container(s, kind, items, len);
	return 0;
}

static __always_inline void arg_done(struct scratch *s)
{
	s->rec.nargs++;
	s->rec.last_good = s->rec.off;
}

struct args_ctx {
	__u64 items;		/* PyObject ** of the arguments */
	__u8 have_argv;		/* s->obj.argv holds them all */
};

static long arg_cb(__u32 i, void *ctx)
{
	struct args_ctx *c = ctx;
	struct scratch *s = get_scratch();
	__u64 obj = 0;
	int err = 0;

	if (!s)
		return 1;
	if (c->have_argv)
		obj = s->obj.argv[i & (PA_ARGS_MAX - 1)];
	else
		err = read_u64(&obj, c->items + 8 * (__u64)i);
	if (err) {
		if (emit_empty(s, PA_T_UNREADABLE, 0))
			return 1;
	} else if (pa_emit_arg(obj)) {
		return 1;
	}
	arg_done(s);
	return 0;
}

/* Every item of an array of objects becomes a top-level argument. */
static __always_inline void emit_args_array(struct scratch *s, __u64 items, __u64 n)
{
	struct args_ctx c = { .items = items };
	__u32 len;

	if (n > PA_ARGS_MAX) {
		s->rec.flags |= PA_EV_ARGS_TRUNCATED;
		n = PA_ARGS_MAX;
	}
	/* All the pointers in one read (from the tuple's head if loaded);
	 * one by one if that fails. */
	len = n * 8;
	BOUND(len, PA_ARGS_MAX * 8);
	c.have_argv = len && !copy_user(s, s->obj.argv, len, items);
	if (n)
		bpf_loop(n, arg_cb, &c, 0);
}

/* ---- where in the Python code: thread state and frames (issue 6) ------ */

/* Bytes of a line table (a bytes object) as a PA_T_BYTES value, cut at max. */
static __always_inline int emit_table(struct scratch *s, __u64 obj, __u32 max,
				      __u32 *real_len)
{
	__u32 off = s->rec.off;
	__s64 size = 0;
	__u64 len;
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
	if (len && copy_user(s, s->rec.buf + off + sizeof(v), len,
			     obj + s->lay.bytes_data))
		return emit_empty(s, PA_T_UNREADABLE, 0);
	v.len = len;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	s->rec.off = off + sizeof(v) + len;
	return 0;
}


struct walk_ctx {
	__u64 interp;
	__u64 ts;
	__u64 found;
	__u64 fsbase;		/* the thread's pthread_self() */
	__u8 failed;		/* a read failed: the answer is unknown */
};

/*
 * One step of the walk over interpreters and their threads (3.12+). A
 * thread state's thread_id is pthread_self(), which on x86-64 is the
 * thread's fs base: the same in every pid namespace, unlike
 * native_thread_id (the tid as the container sees it).
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
	if (id == w->fsbase) {
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
	w.fsbase = task->thread.fsbase;
	/* Last time's answer, if it still holds (one read). */
	cached = bpf_task_storage_get(&thread_ts, task, 0, 0);
	if (cached && *cached && !read_u64(&id, *cached + s->lay.ts_thread_id) &&
	    id == w.fsbase) {
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

/* ---- line tables too long to copy: walked here ------------------------- */

enum { LT_RUNNING, LT_FOUND, LT_ERROR };

/* The next byte of the table (refilling lt_chunk), -1 at its end, -2
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
 * One entry of a line table, the rules of user/linetable.c (see there):
 * 3.8/3.9 lnotab pairs, 3.10 linetable pairs, 3.11+ location entries.
 */
__noinline int pa_lt_step(void)
{
	struct scratch *s = get_scratch();
	__s64 delta = 0;
	__u32 u = 0, unused;
	int a, b, code;

	if (!s)
		return 1;
	if (s->ltab.format == PA_FK_LASTI) {
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
	if (s->ltab.format == PA_FK_LASTI2) {
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
		s->ltab.pos--;	/* the next entry's first byte: in lt_chunk */
	if (code != 15)
		s->ltab.line += delta;
	if (!lt_line_ok(s))
		return lt_error(s);
	if (s->ltab.target < s->ltab.addr)
		return lt_found(s, code == 15 ? -1 : (__s32)s->ltab.line);
	return 0;
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
	s->ltab.format = s->lay.frame_kind;
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

/*
 * One frame (s->frames.next): skip it (a C shim) or emit it; then go to its
 * caller. 1: stop.
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
		fr.offset = instr >= code + l->co_code &&
			    instr - (code + l->co_code) < (1ULL << 30) ?
			    (__s32)(instr - (code + l->co_code)) : -1;
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
	    (tlen > max || s->rec.off + tlen > PA_FRAMES_ROOM || walk_all_tables) &&
	    tlen < (1ULL << 31)) {
		fr.table_len = tlen;
		walked_line(s, &fr, code, tab, tlen);
	}
	if (emit_fixed(s, PA_T_FRAME, 0, &fr, sizeof(fr)))
		return 1;
	if (pa_emit_str(fn, PA_STR_MAX) || pa_emit_str(name, PA_FUNC_MAX))
		return 1;
	if (fr.flags & (PA_FR_LINE | PA_FR_LINE_UNKNOWN)) {
		if (emit_empty(s, PA_T_BYTES, PA_VF_TRUNCATED))
			return 1;
		s->frames.n++;
		s->rec.last_good = s->rec.off;
		return 0;
	}
	if (emit_table(s, tab, max, &fr.table_len))
		return 1;
	/* The table's real length, known only now, into that payload. */
	if (pos < PA_REC_MAX - sizeof(fr))
		__builtin_memcpy(s->rec.buf + (pos & (PA_REC_MAX - 1)) +
				 offsetof(struct pa_frame, table_len),
				 &fr.table_len, 4);
	s->frames.n++;
	s->rec.last_good = s->rec.off;
	return 0;
}

/*
 * The Python frames executing when the event was raised: the innermost
 * one, then its callers, as PA_T_FRAME values after the name. ts is the
 * thread state when the probe got it as an argument, else 0.
 */

static long frame_cb(__u32 i, void *ctx)
{
	return pa_frame_step() ? 1 : 0;
}

static __always_inline void read_frames(struct scratch *s, __u64 ts)
{
	struct pa_event *ev = (void *)s->rec.buf;
	const struct pa_layout *l = &s->lay;
	__u64 frame = 0;

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

/* ---- filters and process context -------------------------------------- */

/* uid, comm and cgroup filters: cheap, before anything is read. */
static __always_inline bool filters_pass(void)
{
	if (filter_uids) {
		__u32 uid = (__u32)bpf_get_current_uid_gid();

		if (!bpf_map_lookup_elem(&uid_filter, &uid))
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

static __always_inline void fill_process(struct pa_event *ev)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 ugid = bpf_get_current_uid_gid();

	ev->uid = (__u32)ugid;
	ev->gid = ugid >> 32;
	ev->ppid = BPF_CORE_READ(task, real_parent, tgid);
	ev->euid = BPF_CORE_READ(task, cred, euid.val);
	ev->cgroup_id = bpf_get_current_cgroup_id();
	if (bpf_core_field_exists(task->loginuid)) {
		ev->auid = BPF_CORE_READ(task, loginuid.val);
		ev->sessionid = BPF_CORE_READ(task, sessionid);
	} else {
		ev->auid = (__u32)-1;
		ev->sessionid = (__u32)-1;
	}
}

/* The event name's bytes in the record (ASCII/latin-1/UTF-8 names). */
#define NAME_OFF (sizeof(struct pa_event) + sizeof(struct pa_value))

static long glob_step(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	__u32 g;
	char pc = 0, nc = 0;

	if (!s)
		return 1;
	g = s->flt.g & (PA_GLOBS_MAX - 1);
	if (s->flt.gp >= 0 && s->flt.gp < s->flt.glen)
		pc = globs[g][s->flt.gp & (PA_GLOB_LEN - 1)];
	if (s->flt.gn >= 0 && s->flt.gn < s->flt.nlen)
		nc = s->rec.buf[(NAME_OFF + s->flt.gn) & (PA_REC_MAX - 1)];
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
		return 1;
	}
	return 0;
}

static long glob_cb(__u32 i, void *ctx)
{
	struct scratch *s = get_scratch();
	int *verdict = ctx;
	__u32 g = i & (PA_GLOBS_MAX - 1);

	if (!s || i >= n_globs)
		return 1;
	/* An include pattern cannot change a verdict already "in". */
	if (!glob_exclude[g] && *verdict)
		return 0;
	s->flt.g = g;
	s->flt.gp = 0;
	s->flt.gn = 0;
	s->flt.gstar = -1;
	s->flt.gmark = 0;
	s->flt.glen = glob_len[g];
	s->flt.gresult = 0;
	bpf_loop((PA_NAME_MAX + 1) * PA_GLOB_LEN + PA_GLOB_LEN, glob_step, NULL, 0);
	if (s->flt.gresult) {
		if (glob_exclude[g]) {
			*verdict = 0;
			return 1;	/* excluded: final */
		}
		*verdict = 1;
	}
	return 0;
}

/* -e/-x on the event name, which starts the record's values. */
static __always_inline bool name_passes(struct scratch *s)
{
	struct pa_value v;
	int verdict = !have_include;
	bool maybe = false;
	char c0, p0;
	__u32 i;

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
	for (i = 0; i < PA_GLOBS_MAX; i++) {
		if (i >= n_globs)
			break;
		p0 = globs[i][0];
		if (p0 == '*' || p0 == '?' || p0 == c0) {
			maybe = true;
			break;
		}
	}
	if (maybe)
		bpf_loop(n_globs, glob_cb, &verdict, 0);
	if (!verdict)
		stat_inc(PA_STAT_FILTERED);
	return verdict;
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
	if (bpf_map_update_elem(&summary, k, &one, BPF_NOEXIST)) {
		cnt = bpf_map_lookup_elem(&summary, k);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
		else
			stat_inc(PA_STAT_SUMMARY_FULL);
	}
}

/* ---- records ---------------------------------------------------------- */

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
	s->event.pstart = task->group_leader->start_time;
	site = s->lay.site_vaddr[source & 7];
	s->event.bias = ip - site;
	s->event.bias_ok = site != 0;
	s->rec.off = sizeof(struct pa_event);
	s->head.obj = 0;	/* memory may have changed since the last event */
	s->head.ok = 0;
	s->rec.nargs = 0;
	s->rec.flags = 0;
	s->rec.full = 0;
	s->rec.depth = 0;
	return s;
}

/*
 * The verdict of -e/-x on a C event name at uptr, from the cache:
 * 1 pass, 0 filtered out, -1 unknown (match it). *key is where to store
 * the verdict once known (0: not cacheable).
 */
static __always_inline int cached_verdict(struct scratch *s, __u64 uptr,
					  __u64 *key)
{
	struct vcache_entry *e;
	__u64 a;
	__u32 idx;

	*key = 0;
	if (!n_globs)
		return 1;
	if (!s->event.bias_ok)
		return -1;
	a = uptr - s->event.bias;
	if (a < s->lay.ro_lo || a >= s->lay.ro_hi)
		return -1;
	*key = a;
	idx = ((a >> 3) ^ (a >> 11)) & (VCACHE_SIZE - 1);
	e = bpf_map_lookup_elem(&vcache, &idx);
	if (!e || e->addr != a || !CACHE_MINE(e, s))
		return -1;
	if (!e->verdict)
		stat_inc(PA_STAT_FILTERED);
	return e->verdict;
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
}

static __always_inline void read_frames(struct scratch *s, __u64 ts);

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
	if (verdict < 0) {
		verdict = name_passes(s);
		cache_verdict(s, vkey, verdict);
	}
	if (!verdict)
		return false;
	/* Who raised it: only for events that passed the filters. */
	pid_tgid = bpf_get_current_pid_tgid();
	if (pending) {
		/* sys_audit: the funnel will see this event again (a
		 * filtered-out one is filtered out there too). */
		__u32 tid = (__u32)pid_tgid;

		bpf_map_update_elem(&pending_sys_audit, &tid, &pending, BPF_ANY);
	}
	ev->type = PA_REC_EVENT;
	ev->source = s->event.source;
	ev->target_id = s->event.target_id;
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->total_args = 0;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	if (summary_mode) {
		count_event(s);
		return false;
	}
	ev->ts_ns = bpf_ktime_get_ns();
	ev->start_ns = s->event.pstart;	/* read once, in begin() */
	fill_process(ev);
	ev->nframes = 0;
	ev->frame_status = PA_FS_OFF;
	if (frames_wanted)
		read_frames(s, ts);
	s->rec.last_good = s->rec.off;
	return true;
}

static __always_inline __u64 wakeup_flags(void)
{
	if (!wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(struct scratch *s)
{
	struct pa_event *ev = (void *)s->rec.buf;
	__u32 size;

	if (s->rec.full || s->rec.depth) {
		/* Cut back to the last complete argument. */
		s->rec.off = s->rec.last_good;
		s->rec.flags |= s->rec.full ? PA_EV_REC_FULL : PA_EV_BAD_FORMAT;
	}
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
	if (bpf_ringbuf_output(&events, s->rec.buf, size, wakeup_flags())) {
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
	else
		stat_inc(PA_STAT_EVENTS);
}

/* ---- USDT python:audit(const char *event, PyObject *args) ------------- */

SEC("usdt")
int usdt_audit(struct pt_regs *ctx)
{
	long name = 0, args = 0;
	__u64 vkey;
	__s64 n = 0;
	struct scratch *s;
	int verdict;

	s = begin((__u32)bpf_usdt_cookie(ctx), PA_SRC_USDT, PT_REGS_IP(ctx));
	if (!s)
		return 0;
	bpf_usdt_arg(ctx, 0, &name);
	verdict = cached_verdict(s, name, &vkey);
	if (!verdict)
		return 0;
	if (emit_cstr(s, PA_T_STR_UTF8, name, PA_NAME_MAX) ||
	    !name_done(s, verdict, vkey, 0, 0))
		return 0;
	bpf_usdt_arg(ctx, 1, &args);
	if (args)
		load_head(s, args);	/* its size and first items */
	if (!args || obj_u64(s, args, s->lay.ob_size, (__u64 *)&n) || n < 0) {
		s->rec.flags |= PA_EV_ARGS_TRUNCATED;
	} else {
		((struct pa_event *)s->rec.buf)->total_args = n;
		emit_args_array(s, args + s->lay.tuple_items, n);
	}
	submit(s);
	return 0;
}

/* ---- sys_audit(module, PyObject *const *args, Py_ssize_t nargs) -------- */

SEC("uprobe")
int uprobe_sys_audit(struct pt_regs *ctx)
{
	__u64 args = PT_REGS_PARM2(ctx);
	__u64 nargs = PT_REGS_PARM3(ctx) & ~(1ULL << 63);
	__u64 name = 0, type = 0;
	struct scratch *s;

	s = begin((__u32)bpf_get_attach_cookie(ctx), PA_SRC_SYS_AUDIT,
		  PT_REGS_IP(ctx));
	if (!s)
		return 0;
	/* sys.audit() with no name or a non-str name raises no event. */
	if (nargs >= 1 && !read_u64(&name, args))
		load_head(s, name);
	if (nargs < 1 || !name || obj_u64(s, name, s->lay.ob_type, &type) ||
	    !type || !type_is_str(s, type)) {
		stat_inc(PA_STAT_INVALID);
		return 0;
	}
	if (pa_emit_str(name, PA_NAME_MAX) ||
	    !name_done(s, -1, 0, 0, s->lay.dedup_sys_audit ? name : 0))
		return 0;
	((struct pa_event *)s->rec.buf)->total_args = nargs - 1;
	emit_args_array(s, args + 8, nargs - 1);
	submit(s);
	return 0;
}

/* ---- format-driven events: PySys_Audit and sys_audit_tstate ----------- */

/* The next vararg, from the va_list or from registers and the stack. */
static __always_inline int next_vararg(struct scratch *s, __u64 *val)
{
	__u32 i;

	if (s->va.valist) {
		/* x86-64 va_list: 6 GP registers saved, then the stack. */
		if (s->va.gp_offset < 48) {
			if (read_u64(val, s->va.reg_save_area + s->va.gp_offset))
				return -1;
			s->va.gp_offset += 8;
			return 0;
		}
		if (read_u64(val, s->va.overflow_area))
			return -1;
		s->va.overflow_area += 8;
		return 0;
	}
	i = s->va.vnext++;
	if (i < 6) {
		*val = s->va.regs[i & 7];
		return 0;
	}
	/* [rsp] is the return address at function entry. */
	return read_u64(val, s->va.sp + 8 * (i - 5));
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
		/* wchar_t * (UTF-32 on Linux); its length is unknown: read to
		 * the end of the page at most, user space stops at the 0. */
		if (next == '#') {
			next_vararg(s, &n);
			r = a ? emit_user(s, PA_T_STR_UCS4, 0, a, n * 4, PA_STR_MAX, 4)
			      : emit_empty(s, PA_T_NONE, 0);
		} else if (!a) {
			r = emit_empty(s, PA_T_NONE, 0);
		} else {
			n = PAGE_SIZE_ - (a & (PAGE_SIZE_ - 1));
			r = emit_user(s, PA_T_STR_UCS4, PA_VF_WCHAR, a, n,
				      PA_STR_MAX, 4);
		}
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
	r = fmt ? bpf_probe_read_user_str(s->va.fmt, PA_FMT_MAX, (void *)fmt) : 1;
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

/*
 * A Python-level event that sys_audit already reported comes to the
 * funnel as _PySys_Audit(ts, event, "O", args), event being the UTF-8
 * buffer of the name object sys_audit got (recorded in
 * pending_sys_audit): drop that copy.
 */
static __always_inline bool is_duplicate(struct scratch *s, __u64 event,
					 __u64 fmt)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *pending, str, utf8 = 0, a;
	char f[2] = {};

	if (!s->lay.dedup_sys_audit)
		return false;
	/* A C literal (os.system ...) is never a copy: whatever a process
	 * does to its memory, such an event cannot be dropped here. */
	a = event - s->event.bias;
	if (s->event.bias_ok && a >= s->lay.ro_lo && a < s->lay.ro_hi)
		return false;
	pending = bpf_map_lookup_elem(&pending_sys_audit, &tid);
	if (!pending)
		return false;
	str = *pending;
	if (event != str + s->lay.str_ascii_data &&
	    (read_u64(&utf8, str + s->lay.str_utf8) || !utf8 || event != utf8))
		return false;
	/* The copy is _PySys_Audit(ts, event, "O", args), and only that. */
	if (bpf_probe_read_user(f, sizeof(f), (void *)fmt) || f[0] != 'O' || f[1])
		return false;
	bpf_map_delete_elem(&pending_sys_audit, &tid);
	stat_inc(PA_STAT_DUPLICATES);
	return true;
}

/*
 * The event name of a format-driven event, filtered. Returns the scratch
 * record when the event goes on, else NULL.
 */
static __always_inline struct scratch *fmt_event_begin(struct pt_regs *ctx,
							__u8 source, __u64 event,
							__u64 ts, __u64 fmt)
{
	struct scratch *s;
	__u64 vkey;
	int verdict;

	s = begin((__u32)bpf_get_attach_cookie(ctx), source, PT_REGS_IP(ctx));
	if (!s)
		return NULL;
	verdict = cached_verdict(s, event, &vkey);
	if (!verdict)
		return NULL;
	if (is_duplicate(s, event, fmt))
		return NULL;
	if (emit_cstr(s, PA_T_STR_UTF8, event, PA_NAME_MAX) ||
	    !name_done(s, verdict, vkey, ts, 0))
		return NULL;
	return s;
}

static __always_inline void save_regs(struct scratch *s, struct pt_regs *ctx)
{
	s->va.regs[0] = ctx->di;
	s->va.regs[1] = ctx->si;
	s->va.regs[2] = ctx->dx;
	s->va.regs[3] = ctx->cx;
	s->va.regs[4] = ctx->r8;
	s->va.regs[5] = ctx->r9;	/* libbpf 1.1 has no PT_REGS_PARM6 */
	s->va.sp = ctx->sp;
}

/* sys_audit_tstate(PyThreadState *ts, const char *event, const char *fmt,
 * va_list ap): every C-level event of 3.9+ passes here. */
SEC("uprobe")
int uprobe_valist(struct pt_regs *ctx)
{
	struct scratch *s;
	struct {
		__u32 gp_offset;
		__u32 fp_offset;
		__u64 overflow_arg_area;
		__u64 reg_save_area;
	} ap = {};

	/* No thread state: CPython drops the event before any hook. */
	if (!PT_REGS_PARM1(ctx))
		return 0;
	s = fmt_event_begin(ctx, PA_SRC_VALIST, PT_REGS_PARM2(ctx),
			    PT_REGS_PARM1(ctx), PT_REGS_PARM3(ctx));
	if (!s)
		return 0;
	s->va.valist = 1;
	if (bpf_probe_read_user(&ap, sizeof(ap), (void *)PT_REGS_PARM4(ctx)))
		ap.gp_offset = 48, ap.overflow_arg_area = 0;
	s->va.gp_offset = ap.gp_offset;
	s->va.overflow_area = ap.overflow_arg_area;
	s->va.reg_save_area = ap.reg_save_area;
	return handle_fmt_event(ctx, s, PT_REGS_PARM3(ctx));
}

/* PySys_Audit(const char *event, const char *fmt, ...) at entry. */
SEC("uprobe")
int uprobe_varargs(struct pt_regs *ctx)
{
	struct scratch *s;

	s = fmt_event_begin(ctx, PA_SRC_VARARGS, PT_REGS_PARM1(ctx), 0,
			    PT_REGS_PARM2(ctx));
	if (!s)
		return 0;
	s->va.valist = 0;
	save_regs(s, ctx);
	s->va.vnext = 2;
	return handle_fmt_event(ctx, s, PT_REGS_PARM2(ctx));
}

/* _PySys_Audit(PyThreadState *ts, const char *event, const char *fmt, ...) */
SEC("uprobe")
int uprobe_varargs_ts(struct pt_regs *ctx)
{
	struct scratch *s;

	if (!PT_REGS_PARM1(ctx))
		return 0;
	s = fmt_event_begin(ctx, PA_SRC_VARARGS_TS, PT_REGS_PARM2(ctx),
			    PT_REGS_PARM1(ctx), PT_REGS_PARM3(ctx));
	if (!s)
		return 0;
	s->va.valist = 0;
	save_regs(s, ctx);
	s->va.vnext = 3;
	return handle_fmt_event(ctx, s, PT_REGS_PARM3(ctx));
}

/* ---- following the descendants of a traced process -------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(follow_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 cpid = BPF_CORE_READ(child, pid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (cpid != ctgid)	/* a new thread, not a new process */
		return 0;
	if (bpf_map_lookup_elem(&traced_pids, &ptgid))
		bpf_map_update_elem(&traced_pids, &ctgid, &one, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(follow_exit, struct task_struct *task)
{
	__u32 pid = BPF_CORE_READ(task, pid);
	__u32 tgid = BPF_CORE_READ(task, tgid);

	if (pid == tgid)
		bpf_map_delete_elem(&traced_pids, &tgid);
	return 0;
}

/* ---- new Pythons: a process maps a python* or libpython* file ---------- */

#define PROT_EXEC_ 0x4

/* "python" anywhere in the name: python3.12, libpython3.12.so.1.0,
 * a renamed copy such as app-python3. */
static __always_inline bool name_has_python(const char *n)
{
	for (int i = 0; i < 32 - 6; i++) {
		if (!n[i])
			return false;
		if (n[i] == 'p' && n[i + 1] == 'y' && n[i + 2] == 't' &&
		    n[i + 3] == 'h' && n[i + 4] == 'o' && n[i + 5] == 'n')
			return true;
	}
	return false;
}

/* Tell user space about f once if its name looks like a Python. */
static __always_inline void notify_file(struct file *f)
{
	struct pa_file_key key = {};
	struct pa_mapped m = {};
	const unsigned char *dname;
	__u8 one = 1;

	if (!f)
		return;
	dname = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(m.name, sizeof(m.name), dname) <= 0)
		return;
	if (!name_has_python(m.name))
		return;
	key.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(f, f_inode, i_ino);
	if (bpf_map_lookup_elem(&known_files, &key))
		return;
	/* Once: user space replaces the mark with its verdict. */
	bpf_map_update_elem(&known_files, &key, &one, BPF_NOEXIST);
	m.type = PA_REC_MAPPED;
	m.size = sizeof(m);
	m.pid = bpf_get_current_pid_tgid() >> 32;
	m.dev = key.dev;
	m.ino = key.ino;
	if (bpf_ringbuf_output(&events, &m, sizeof(m), BPF_RB_FORCE_WAKEUP)) {
		bpf_map_delete_elem(&known_files, &key);
		stat_inc(PA_STAT_MAPPED_LOST);
	}
}

/*
 * mmap(addr, len, prot, flags, fd, off) of an executable mapping: how
 * ld.so maps libpython, at start or at dlopen(). A tracepoint, not a
 * kprobe or fentry, so it works on kernels without either; it fires only
 * for mmap.
 */
SEC("tracepoint/syscalls/sys_enter_mmap")
int watch_mmap(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	unsigned long prot = ctx->args[2];
	long fd = (long)ctx->args[4];
	struct file **fdarr, *f = NULL;
	unsigned int max_fds;

	if (!(prot & PROT_EXEC_) || fd < 0)
		return 0;
	max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	if (fd >= max_fds)
		return 0;
	fdarr = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fdarr[fd]))
		return 0;
	notify_file(f);
	return 0;
}

/* exec of a python executable: the kernel maps it without mmap(2). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(watch_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	notify_file(BPF_CORE_READ(bprm, file));
	return 0;
}
