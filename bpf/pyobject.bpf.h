/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pyobject.bpf.h: Python objects as values: str (in its own code units),
 * bytes, int (30-bit digits), bool, float, None, code, tuple and list
 * (one level deep at the top, scalars below), a subclass of one of
 * those (but bool) as its type name then its value, any other object as
 * its type name; the per-CPU cache of static types; the arguments array
 * of an event.
 *
 * Included twice by bpf/pyaudit.bpf.c (one compilation unit): with
 * PA_SCRATCH_PARTS for this concern's part of struct scratch, then
 * for the code.
 */
#ifdef PA_SCRATCH_PARTS

/* Decoding objects: a type's head and name (pa_classify_type), and the
 * object pointers of the arguments (emit_args_array). */
struct obj_state {
	char tname[PA_TYPENAME_MAX];	/* a type's name */
	char bname[8];		/* a base's name (pa_float_base) */
	__u64 tp_name;		/* pa_classify_type's results: tp_name, */
	long name_r;		/* what reading tname returned, */
	__u32 sub;		/* enum type_sub */
	__u8 thead[264];	/* a type object's head, up to tp_flags */
	__u64 argv[PA_ARGS_MAX];	/* the arguments' objects */
	/*
	 * emit_object()'s results for pa_emit_arg() and pa_emit_elem()
	 * (one level below), here rather than on their stacks: Debian
	 * 12's 6.1 verifier rounds each frame to 32 bytes and allows 512
	 * for the deepest chain of calls, which these two are on.
	 */
	struct obj_out { __u64 items, len; int kind; __u32 l32; } arg_out, elem_out;
	/* emit_object()'s own: an argument's is done before its
	 * elements' start */
	struct { __u64 type, name, key; } eo;
};

#else /* the code */

/* Py_TPFLAGS_*_SUBCLASS (Include/object.h): the same bits in every
 * CPython 3.x. */
#define TPF_LONG_SUBCLASS	(1UL << 24)
#define TPF_LIST_SUBCLASS	(1UL << 25)
#define TPF_TUPLE_SUBCLASS	(1UL << 26)
#define TPF_BYTES_SUBCLASS	(1UL << 27)
#define TPF_UNICODE_SUBCLASS	(1UL << 28)
#define TPF_TYPE_SUBCLASS	(1UL << 31)
#define TPF_HEAPTYPE		(1UL << 9)
/* The value kinds that have a subclass bit (bool, int's subclass, is
 * told apart by its name). */
#define TPF_VALUE_SUBCLASS	(TPF_LONG_SUBCLASS | TPF_LIST_SUBCLASS | \
				 TPF_TUPLE_SUBCLASS | TPF_BYTES_SUBCLASS | \
				 TPF_UNICODE_SUBCLASS)
/* PyTypeObject.tp_base follows tp_flags by 11 pointers (tp_doc ..
 * tp_getset) in every CPython 3.x, free-threaded builds included. */
#define TP_BASE_AFTER_FLAGS	88
/* Bases walked to find float under a float subclass. */
#define FLOAT_BASES_MAX		4

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
	__u32 sub;		/* enum type_sub */
};

/* Whether a type is its kind's own type (str) or a subclass (a class
 * MyStr(str), a structseq for tuple): a subclass value carries its type
 * name (PA_T_SUBCLASS). */
enum type_sub {
	TSUB_EXACT,
	TSUB_SUB,
	TSUB_UNKNOWN,		/* learnt by type_is_str: classify again */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCACHE_SIZE);
	__type(key, __u32);
	__type(value, struct tcache_entry);
} tcache SEC(".maps");

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

/*
 * A type name read with bpf_probe_read_user_str() returning r. A full
 * buffer (r == PA_TYPENAME_MAX) holds PA_TYPENAME_MAX - 1 bytes: the name
 * is cut only when the byte after them is not its NUL.
 */
static __always_inline int emit_typename(struct scratch *s, __u8 flags,
					 __u64 name, long r)
{
	__u64 n = r - 1;
	__u8 more = 0;

	/* Unreadable, that byte counts as more: the mark errs on the safe
	 * side. */
	if (r >= PA_TYPENAME_MAX)
		n = bpf_probe_read_user(&more, 1, (const void *)(name + PA_TYPENAME_MAX - 1)) ||
		    more ? PA_TYPENAME_MAX : PA_TYPENAME_MAX - 1;
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
		e->sub = TSUB_UNKNOWN;
	}
	return true;
}

/*
 * Is a type with one of the TPF_VALUE_SUBCLASS bits a subclass? The
 * kind's own type (str ...) derives from object, which has none of the
 * bits, while a subclass's tp_base is the kind's type or another
 * subclass (CPython's best_base picks the base with the most derived
 * layout, Objects/typeobject.c). One read, of tp_base's flags, which sit
 * in written (so copied on fork) memory even for static types.
 */
static __always_inline bool type_is_sub(struct scratch *s, __u64 type,
					__u64 flags)
{
	__u64 base = 0, bflags = 0;
	__u32 off = s->lay.tp_flags + TP_BASE_AFTER_FLAGS;

	if (read_u64(&base, type + off) || !base ||
	    read_u64(&bflags, base + s->lay.tp_flags))
		return flags & TPF_HEAPTYPE;	/* str & co. are static */
	return bflags & flags & TPF_VALUE_SUBCLASS;
}

/*
 * Does float sit among the bases of a type (class MyFloat(float))?
 * float has no subclass bit: walk tp_base up to the first static type of
 * the interpreter's own file (where float lives, and which no static
 * type of that file but float itself could be under) and compare its
 * name. Global: verified once.
 */
__noinline int pa_float_base(__u64 type)
{
	struct scratch *s = get_scratch();
	__u64 base = 0, name = 0, a;
	char *nm;

	if (!s || !s->event.bias_ok)
		return 0;
	for (int i = 0; i < FLOAT_BASES_MAX; i++) {
		if (read_u64(&base, type + s->lay.tp_flags + TP_BASE_AFTER_FLAGS) ||
		    !base)
			return 0;
		a = base - s->event.bias;
		if (a >= s->lay.img_lo && a < s->lay.img_hi) {
			nm = s->obj.bname;
			__builtin_memset(nm, 0, sizeof(s->obj.bname));
			if (read_u64(&name, base + s->lay.tp_name) ||
			    bpf_probe_read_user_str(nm, sizeof(s->obj.bname),
						    (void *)name) <= 0)
				return 0;
			return tname_is(nm, "float", 6);
		}
		type = base;
	}
	return 0;
}

/*
 * What a type is, from its flags and name: one read of the type's head
 * (tp_name .. tp_flags) and one of its name. s->obj.tp_name gets tp_name,
 * s->obj.tname its first bytes (s->obj.name_r: what the read returned),
 * s->obj.sub whether the type is a subclass of its kind's type (then the
 * name is read). Global, its results in the scratch space: it keeps the
 * stack of emit_object's callers (at most 512 bytes in all) small.
 */
__noinline int pa_classify_type(__u64 type)
{
	struct scratch *s = get_scratch();
	const struct pa_layout *l;
	__u64 flags, *name;
	__u32 rd, *sub;
	long *r;
	char *t;
	int tk = TK_UNKNOWN;

	if (!s)
		return TK_UNKNOWN;
	l = &s->lay;
	t = s->obj.tname;
	name = &s->obj.tp_name;
	r = &s->obj.name_r;
	sub = &s->obj.sub;
	rd = l->tp_flags + 8;
	*sub = TSUB_EXACT;
	*r = 0;
	BOUND(rd, 256);
	if (rd < 16 || bpf_probe_read_user(s->obj.thead, rd, (void *)type))
		return TK_UNKNOWN;
	flags = buf_u64(s->obj.thead, l->tp_flags, rd);
	*name = buf_u64(s->obj.thead, l->tp_name, rd);
	if (flags & TPF_UNICODE_SUBCLASS)
		tk = TK_STR;
	else if (flags & TPF_BYTES_SUBCLASS)
		tk = TK_BYTES;
	else if (flags & TPF_TUPLE_SUBCLASS)
		tk = TK_TUPLE;
	else if (flags & TPF_LIST_SUBCLASS)
		tk = TK_LIST;
	else if (flags & TPF_TYPE_SUBCLASS)
		return TK_CLASS;
	else if (flags & TPF_LONG_SUBCLASS)
		tk = TK_INT;
	if (tk != TK_UNKNOWN) {
		if (!type_is_sub(s, type, flags))
			return tk;	/* str itself: no name needed */
		*sub = TSUB_SUB;
	}
	__builtin_memset(t, 0, 16);
	*r = pa_read_user(*name, PA_TYPENAME_MAX, RO_STR | RO_TNAME);
	if (tk == TK_INT && !(flags & TPF_HEAPTYPE)) {
		/* bool is int's static subclass, and a value of its own */
		if (*r <= 0)
			return TK_UNKNOWN;
		if (tname_is(t, "bool", 5)) {
			*sub = TSUB_EXACT;
			return TK_BOOL;
		}
	}
	if (tk != TK_UNKNOWN)
		return tk;	/* a subclass, its name read or not */
	if (*r <= 0)
		return TK_UNKNOWN;
	if (!(flags & TPF_HEAPTYPE) && tname_is(t, "float", 6))
		return TK_FLOAT;
	if (tname_is(t, "NoneType", 9))
		return TK_NONE;
	if (tname_is(t, "code", 5))
		return TK_CODE;
	if (pa_float_base(type)) {
		*sub = TSUB_SUB;
		return TK_FLOAT;
	}
	return TK_OTHER;
}

/*
 * The PA_T_SUBCLASS value before a subclass's value: the type name read
 * by pa_classify_type (s->obj.name_r: what the read returned), copied from
 * s->obj.tname so that it cannot fail between the header and its child.
 * Cut like emit_typename's; empty and cut when it could not be read.
 */
__noinline int pa_emit_subclass(void)
{
	struct scratch *s = get_scratch();
	struct pa_value v = { .tag = PA_T_SUBCLASS };
	__u32 off, n;
	long r;

	if (!s)
		return -1;
	off = s->rec.off;
	r = s->obj.name_r;
	if (r <= 0) {
		n = 0;
		v.flags = PA_VF_TRUNCATED;
	} else if (r >= PA_TYPENAME_MAX) {
		n = PA_TYPENAME_MAX - 1;
		v.flags = PA_VF_TRUNCATED;
	} else {
		n = r - 1;
	}
	if (off > PA_REC_MAX - sizeof(v) - PA_TYPENAME_MAX) {
		s->rec.full = 1;
		return -1;
	}
	BOUND(n, PA_TYPENAME_MAX - 1);
	v.len = n;
	__builtin_memcpy(s->rec.buf + off, &v, sizeof(v));
	if (n && bpf_probe_read_kernel(s->rec.buf + off + sizeof(v), n,
				       s->obj.tname))
		return -1;
	s->rec.off = off + sizeof(v) + n;
	return 0;
}

/*
 * Emit one object. A tuple or list is not emitted: its kind, items and
 * length are returned so that the caller can decide how deep to go.
 */
static __always_inline int emit_object(struct scratch *s, __u64 obj, int *kind,
				       __u64 *items, __u64 *len)
{
	const struct pa_layout *l = &s->lay;
	__u64 *type = &s->obj.eo.type, *name = &s->obj.eo.name, *key = &s->obj.eo.key;
	struct tcache_entry *e;
	int tk = TK_UNKNOWN;
	__u32 sub = TSUB_UNKNOWN;
	long r = 0;

	*kind = OBJ_SCALAR;
	*type = *name = *key = 0;
	load_head(s, obj);
	if (!obj || obj_u64(s, obj, l->ob_type, type) || !*type)
		return emit_empty(s, PA_T_UNREADABLE, 0);
	e = tcache_slot(s, *type, key);
	if (e && e->addr == *key && CACHE_MINE(e, s)) {
		tk = e->kind;
		sub = e->sub;
	}
	if (tk == TK_UNKNOWN || tk == TK_OTHER || sub != TSUB_EXACT) {
		/* TK_OTHER and subclasses need the name anyway: classify
		 * again. */
		tk = pa_classify_type(*type);
		if (tk == TK_UNKNOWN)
			return emit_empty(s, PA_T_UNREADABLE, 0);
		sub = s->obj.sub;
		*name = s->obj.tp_name;
		r = s->obj.name_r;
		if (e && *key) {
			e->addr = *key;
			CACHE_CLAIM(e, s);
			e->kind = tk;
			e->sub = sub;
		}
	}
	if (sub == TSUB_SUB && pa_emit_subclass())
		return -1;
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
		if (obj_u64(s, obj, l->tp_name, name))
			return emit_empty(s, PA_T_UNREADABLE, 0);
		r = pa_read_user(*name, PA_TYPENAME_MAX, RO_STR | RO_TNAME);
		if (r <= 0)
			return emit_empty(s, PA_T_UNREADABLE, 0);
		return emit_typename(s, PA_VF_CLASS, *name, r);
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
		return emit_typename(s, 0, *name, r);
	}
}

struct elems_ctx {
	__u64 items;		/* PyObject ** */
};

/* An element of a container below the top level: scalars, no deeper. */
__noinline int pa_emit_elem(__u64 obj)
{
	struct scratch *s = get_scratch();
	struct obj_out *o;

	if (!s)
		return -1;
	o = &s->obj.elem_out;
	o->items = o->len = 0;
	if (emit_object(s, obj, &o->kind, &o->items, &o->len))
		return -1;
	if (o->kind != OBJ_SCALAR) {
		o->l32 = o->len > 0xffffffffULL ? 0xffffffff : o->len;
		if (emit_fixed(s, o->kind == OBJ_TUPLE ? PA_T_TUPLE : PA_T_LIST,
			       o->len ? PA_VF_NOT_EXPANDED : 0, &o->l32, 4) ||
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
	struct obj_out *o;

	if (!s)
		return -1;
	o = &s->obj.arg_out;
	o->items = o->len = 0;
	if (emit_object(s, obj, &o->kind, &o->items, &o->len))
		return -1;
	if (o->kind != OBJ_SCALAR)
		return emit_container(s, o->kind, o->items, o->len);
	return 0;
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

#endif /* PA_SCRATCH_PARTS */
