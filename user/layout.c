// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What pyaudit knows of the memory of each CPython version on x86-64
 * (LP64): one row per version in rows[] below; AArch64 differs in one
 * place (aarch64_runtime).
 *
 * Adding a version (say 3.15) takes:
 *  1. one ROW(): the object layout (OBJ), the thread-state and frame
 *     layout (FRAMES; NO_FRAMES for a free-threaded build), the
 *     line-table format (PA_LT_*), the first exported symbol of that
 *     version if executables without Py_Version must be told by it (NULL
 *     otherwise), and its _Py_DebugOffsets description (below): NULL
 *     before 3.13, DBG_UNREAD when its fields are not read;
 *  2. if the file's _Py_DebugOffsets are to be read, the positions of
 *     the fields in that version's struct (as dbg_313 for 3.13);
 *  3. its tests: the row's values in tests/unit/test_target.c
 *     (test_layout_table) and, when a pyenv build exists, its case in
 *     pyenv_cases there; the known-versions text, -V and the consistency
 *     checks (tests/unit/test_layout.c) follow from the row.
 * Only a new frame kind (PA_FK_*, read by BPF) or a new line-table format
 * (PA_LT_*, read by BPF's walk and user/linetable.c) needs code elsewhere.
 * Two other concerns keep per-version facts of their own: where to probe
 * (user/target.c: PySys_Audit is 3.8's funnel, sys_audit_tstate 3.9's
 * on) and the events' argument names (user/event_table.c).
 *
 * Every number is an offsetof/sizeof compiled against that version's own
 * headers (3.8-3.13: the released headers; 3.14, 3.13t, 3.14t: the 3.14.0
 * and 3.13.5 tarballs, configured with --disable-gil for the t builds),
 * cross-checked for 3.13.0 and 3.14.0 against the binaries' own
 * _Py_DebugOffsets.
 *
 * What moved, and when:
 *  - 3.10: PyFrameObject.f_lasti counts code units, not bytes (PEP 626),
 *          and co_linetable replaces co_lnotab.
 *  - 3.11: PyCodeObject was reordered: co_filename 104 -> 112,
 *          co_name 112 -> 120, co_qualname at 128; frames are
 *          _PyInterpreterFrame, reached through tstate->cframe; the
 *          locations table replaces co_linetable's pairs (gh-88116).
 *  - 3.12: PyASCIIObject lost wstr and PyCompactUnicodeObject lost
 *          wstr_length: ASCII data 48 -> 40, compact data 72 -> 56,
 *          utf8 56 -> 48, legacy data pointer 72 -> 56.
 *          PyLongObject: ob_size became long_value.lv_tag (sign in bits
 *          0-1, digit count in bits 3+); digits stay at +24.
 *          _PyRuntime.gilstate.tstate_current is gone: the current
 *          thread is found by walking the interpreters' threads.
 *  - 3.13: tstate->current_frame replaces the cframe; f_executable
 *          replaces f_code; _Py_DebugOffsets starts .PyRuntime.
 *  - 3.14: PyTupleObject gained a cached ob_hash at +24, so ob_item
 *          moved 24 -> 32; f_executable is a tagged _PyStackRef; the
 *          owner byte moved 70 -> 74 and owner 3 became INTERPRETER.
 *  - 3.13t/3.14t (free-threaded, Py_GIL_DISABLED): PyObject is 32 bytes
 *          (ob_tid, flags, mutex, gc bits, ob_ref_local, ob_ref_shared,
 *          then ob_type at +24): everything after the header moves +16.
 *  - 3.14t only: the unicode state bit-field starts with a whole-byte
 *          `interned`, so kind/compact/ascii move to bits 8/11/12.
 * Debug builds (Py_DEBUG) share the release layout since 3.8.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "elf.h"
#include "layout.h"

#define PY_HEX(maj, min) (((uint32_t)(maj) << 24) | ((uint32_t)(min) << 16))
#define F(field) offsetof(struct pa_layout, field)

/*
 * _Py_DebugOffsets (3.13+): _PyRuntime.debug_offsets, at offset 0 of
 * _PyRuntime, which starts the .PyRuntime section: the cookie "xdebugpy",
 * the version (PY_VERSION_HEX), free_threaded, then one sub-struct per
 * CPython struct, of u64 offsets. The sub-structs change from version to
 * version (3.14 inserts members in the middle), so each version says
 * where in it the fields we read are.
 */
struct dbg_field {
	uint16_t pos;		/* of the u64 in _Py_DebugOffsets */
	uint16_t field;		/* offsetof(struct pa_layout, the __u16) */
};

struct dbg_overlay {
	const struct dbg_field *fields;	/* NULL: the struct is not read */
	size_t nfields;
	size_t size;		/* bytes of the struct to read */
};

/*
 * 3.13: Include/internal/pycore_runtime.h, checked on 3.13.0 (whose
 * values are the 3.13 row's).
 */
static const struct dbg_field dbg_313_fields[] = {
	{ 40, F(rt_interp_head) },	/* runtime_state.interpreters_head */
	{ 64, F(interp_next) },		/* interpreter_state.next */
	{ 72, F(interp_threads) },	/* interpreter_state.threads_head */
	{ 168, F(ts_next) },		/* thread_state.next (176 is
					 * .interp) */
	{ 184, F(ts_frame) },		/* thread_state.current_frame */
	{ 192, F(ts_thread_id) },	/* thread_state.thread_id */
	{ 232, F(fr_back) },		/* interpreter_frame.previous */
	{ 240, F(fr_code) },		/* interpreter_frame.executable */
	{ 248, F(fr_instr) },		/* interpreter_frame.instr_ptr */
	{ 264, F(fr_owner) },		/* interpreter_frame.owner */
	{ 280, F(code_filename) },	/* code_object.filename */
	{ 296, F(co_func) },		/* code_object.qualname */
	{ 304, F(co_linetable) },	/* code_object.linetable */
	{ 312, F(co_firstlineno) },	/* code_object.firstlineno */
	{ 344, F(co_code) },		/* code_object.co_code_adaptive */
};

static const struct dbg_overlay dbg_313 = {
	dbg_313_fields, sizeof(dbg_313_fields) / sizeof(dbg_313_fields[0]), 352,
};
/* The file has _Py_DebugOffsets, but its row is used as it is. */
static const struct dbg_overlay dbg_unread = { NULL, 0, 0 };
#define DBG_313		(&dbg_313)
#define DBG_UNREAD	(&dbg_unread)

struct layout_row {
	int major, minor;
	bool ft;			/* free-threaded (t) build */
	const char *first_sym;		/* exported first by this version */
	const struct dbg_overlay *dbg;	/* NULL: no _Py_DebugOffsets */
	struct pa_layout l;
};

/*
 * OBJ columns: ob_type ob_size | tp_name tp_flags | long: digits tag
 * lv_tag | unicode state bits: kind compact ascii | float bytes tuple
 * list | unicode: length state ascii_data compact_data utf8 legacy_data
 * | code: filename name
 */
#define OBJ(_ob_type, _ob_size, _tp_name, _tp_flags, _digits, _tag, _lv,	\
	    _kind, _compact, _ascii, _float, _bytes, _tuple, _list, _slen,	\
	    _sstate, _sascii, _scompact, _sutf8, _slegacy, _cofile, _coname)	\
	.ob_type = _ob_type, .ob_size = _ob_size,			\
	.tp_name = _tp_name, .tp_flags = _tp_flags,			\
	.long_digits = _digits, .long_tag = _tag, .long_lv_tag = _lv,	\
	.str_kind_shift = _kind, .str_compact_bit = _compact,		\
	.str_ascii_bit = _ascii, .float_val = _float,			\
	.bytes_data = _bytes, .tuple_items = _tuple,			\
	.list_items = _list, .str_length = _slen, .str_state = _sstate,	\
	.str_ascii_data = _sascii, .str_compact_data = _scompact,	\
	.str_utf8 = _sutf8, .str_legacy_data = _slegacy,		\
	.code_filename = _cofile, .code_name = _coname

/*
 * FRAMES columns, for the source location of events: how the thread
 * state is found | _PyRuntime: tstate_current interpreters.head |
 * interpreter: next threads.head, thread state: next thread_id
 * (pthread_self) | frame kind, ts->frame (or cframe, current_frame),
 * cframe->current_frame | frame: back code instr owner, owner to skip
 * from, tagged f_executable, bytes to read | code: firstlineno
 * func (co_qualname 3.11+, co_name before) linetable first-insn, bytes to
 * read.
 */
#define FRAMES(_how, _rt_ts, _rt_head, _i_next, _i_threads, _ts_next,	\
	       _ts_tid, _kind, _ts_frame, _cf_frame, _back, _code, _instr,	\
	       _owner, _skip, _tagged, _fr_read, _first, _func, _ltab,	\
	       _insn, _co_read)						\
	.ts_how = _how, .rt_tstate = _rt_ts, .rt_interp_head = _rt_head,	\
	.interp_next = _i_next, .interp_threads = _i_threads,		\
	.ts_next = _ts_next, .ts_thread_id = _ts_tid,			\
	.frame_kind = _kind, .ts_frame = _ts_frame,			\
	.cframe_frame = _cf_frame, .fr_back = _back, .fr_code = _code,	\
	.fr_instr = _instr, .fr_owner = _owner, .owner_skip = _skip,	\
	.exec_tagged = _tagged, .fr_read = _fr_read,			\
	.co_firstlineno = _first, .co_func = _func,			\
	.co_linetable = _ltab, .co_code = _insn, .co_read = _co_read
/* Free-threaded builds: their events say "unsupported" for a location. */
#define NO_FRAMES .frame_kind = 0

#define ROW(maj, min, is_ft, ltab, sym, dbg, obj, frames)		\
	{ maj, min, is_ft, sym, dbg, {					\
		.py_version = PY_HEX(maj, min), .ltab_format = ltab,	\
		obj, frames } }

#define CUR PA_TS_CURRENT
#define WALK PA_TS_WALK
#define LNOTAB PA_LT_LNOTAB
#define LINETABLE PA_LT_LINETABLE
#define LOCATIONS PA_LT_LOCATIONS

/*
 * ROW(major, minor, free-threaded, line-table format, marker symbol,
 *     _Py_DebugOffsets description, OBJ(columns above), FRAMES(columns
 *     above) or NO_FRAMES).
 * Default builds first, oldest first, then free-threaded builds:
 * layout__known lists them in this order.
 */
static const struct layout_row rows[] = {
	ROW(3, 8, false, LNOTAB, "PySys_Audit", NULL,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  104, 112),
	    FRAMES(CUR, 1368, 0,  0, 0, 0, 0,  PA_FK_LASTI, 24, 0,
		   24, 32, 104, 0, 0, 0, 112,  40, 112, 120, 0, 128)),
	ROW(3, 9, false, LNOTAB, "PyThreadState_GetFrame", NULL,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  104, 112),
	    FRAMES(CUR, 568, 0,  0, 0, 0, 0,  PA_FK_LASTI, 24, 0,
		   24, 32, 104, 0, 0, 0, 112,  40, 112, 120, 0, 128)),
	ROW(3, 10, false, LINETABLE, "Py_NewRef", NULL,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  104, 112),
	    FRAMES(CUR, 568, 0,  0, 0, 0, 0,  PA_FK_LASTI2, 24, 0,
		   24, 32, 96, 0, 0, 0, 104,  40, 112, 120, 0, 128)),
	/* code object reordered, co_qualname; _PyInterpreterFrame */
	ROW(3, 11, false, LOCATIONS, "Py_Version", NULL,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  112, 120),
	    FRAMES(CUR, 576, 0,  0, 0, 0, 0,  PA_FK_CFRAME, 56, 8,
		   48, 32, 56, 0, 0, 0, 72,  72, 128, 136, 184, 144)),
	/* wstr gone (unicode headers shrink), PyLong lv_tag; no
	 * tstate_current: walk the threads */
	ROW(3, 12, false, LOCATIONS, NULL, NULL,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 24, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 40,  0, 72, 8, 136,  PA_FK_CFRAME, 56, 0,
		   8, 0, 56, 70, 3, 0, 72,  68, 128, 136, 192, 144)),
	ROW(3, 13, false, LOCATIONS, "PySys_AuditTuple", DBG_313,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 24, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 632,  7264, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 70, 3, 0, 72,  68, 128, 136, 200, 144)),
	/* tuple ob_hash cache, ob_item 24 -> 32; f_executable is a tagged
	 * _PyStackRef; owner 3 and 4 are C. _Py_DebugOffsets reordered:
	 * the row is used as it is. */
	ROW(3, 14, false, LOCATIONS, NULL, DBG_UNREAD,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 32, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 808,  7272, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 74, 3, 1, 80,  68, 128, 136, 208, 144)),
	/* 32-byte PyObject header, everything +16 */
	ROW(3, 13, true, LOCATIONS, NULL, DBG_UNREAD,
	    OBJ(24, 32,  40, 184,  40, 32, 1,  2, 5, 6,  32, 48, 40, 40,  32, 48, 56, 72, 64, 72,  128, 136),
	    NO_FRAMES),
	/* as 3.13t, tuple +8 (ob_hash), unicode state bits re-laid out */
	ROW(3, 14, true, LOCATIONS, NULL, DBG_UNREAD,
	    OBJ(24, 32,  40, 184,  40, 32, 1,  8, 11, 12,  32, 48, 48, 40,  32, 48, 56, 72, 64, 72,  128, 136),
	    NO_FRAMES),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const struct layout_row *find_row(int major, int minor, bool ft)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].major == major && rows[i].minor == minor &&
		    rows[i].ft == ft)
			return &rows[i];
	return NULL;
}

int layout__for_version(int major, int minor, bool free_threaded,
			struct pa_layout *l)
{
	const struct layout_row *r = find_row(major, minor, free_threaded);

	if (!r) {
		memset(l, 0, sizeof(*l));
		return -ENOTSUP;
	}
	*l = r->l;
	return 0;
}

/*
 * Overlay the fields of the file's _Py_DebugOffsets (d, o->size bytes)
 * on l. Values past what BPF reads of a frame or a code object at once
 * turn the source location off for the file.
 */
static void apply_overlay(const struct dbg_overlay *o, const uint8_t *d,
			  struct pa_layout *l)
{
	uint64_t v;
	uint16_t v16;
	size_t i;

	for (i = 0; i < o->nfields; i++) {
		memcpy(&v, d + o->fields[i].pos, sizeof(v));
		if (v > UINT16_MAX) {
			l->frame_kind = 0;
			return;
		}
		v16 = (uint16_t)v;
		memcpy((uint8_t *)l + o->fields[i].field, &v16, sizeof(v16));
	}
	if (l->fr_back + 8 > l->fr_read || l->fr_code + 8 > l->fr_read ||
	    l->fr_instr + 8 > l->fr_read || l->fr_owner + 1 > l->fr_read ||
	    l->code_filename + 8 > l->co_read || l->co_func + 8 > l->co_read ||
	    l->co_linetable + 8 > l->co_read || l->co_firstlineno + 4 > l->co_read)
		l->frame_kind = 0;
}

/*
 * The rows are x86-64's; AArch64 (also LP64) lays out every object and
 * frame the same, except where a pthread type sits inline: glibc's
 * pthread_mutex_t is 48 bytes there (40 on x86-64). In 3.8-3.11 the
 * GIL's two mutexes (mutex and switch_mutex of struct
 * _gil_runtime_state, in _PyRuntime.ceval, Include/internal/
 * pycore_gil.h) come before gilstate, so tstate_current is 16 bytes on:
 * 592 for 3.11 (Debian 12's arm64 python3.11: PyThreadState_Get loads
 * _PyRuntime+0x250). 3.12+ walk from interpreters.head, before them.
 */
static void aarch64_runtime(int major, int minor, struct pa_layout *l)
{
	if (major == 3 && minor <= 11 && l->rt_tstate)
		l->rt_tstate += 2 * (48 - 40);
}

int layout__for_file(const struct elf_file *ef, int major, int minor,
		     bool free_threaded, struct pa_layout *l)
{
	const struct layout_row *r = find_row(major, minor, free_threaded);
	const struct dbg_overlay *o = r ? r->dbg : NULL;
	struct elf_section sec;
	uint8_t d[512];
	int ret;

	ret = layout__for_version(major, minor, free_threaded, l);
	if (!ret && elf__machine(ef) == EM_AARCH64)
		aarch64_runtime(major, minor, l);
	if (ret || !o || !o->fields || !l->frame_kind || o->size > sizeof(d))
		return ret;
	if (elf__section_info_by_name(ef, ".PyRuntime", &sec) ||
	    elf__read_section(ef, sec.index, 0, d, o->size) ||
	    memcmp(d, "xdebugpy", 8))
		return 0;
	apply_overlay(o, d, l);
	return 0;
}

uint32_t layout__debug_offsets_since(void)
{
	uint32_t since = UINT32_MAX;
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].dbg && rows[i].l.py_version < since)
			since = rows[i].l.py_version;
	return since;
}

int layout__version_by_symbols(const struct elf_file *ef, int *major,
			       int *minor)
{
	const struct layout_row *best = NULL;
	size_t i;

	for (i = 0; i < NROWS; i++) {
		if (!rows[i].first_sym ||
		    (best && rows[i].l.py_version <= best->l.py_version) ||
		    elf__find_symbol(ef, rows[i].first_sym, NULL, NULL))
			continue;
		best = &rows[i];
	}
	if (!best)
		return -ENOENT;
	*major = best->major;
	*minor = best->minor;
	return 0;
}

/* Append "3.8", "3.8-3.14" or "3.13t" (with sep before it) to buf. */
static size_t put_run(char *buf, size_t len, size_t at, const char *sep,
		      const struct layout_row *first,
		      const struct layout_row *last)
{
	int n;

	if (at >= len)
		return at;
	if (first == last)
		n = snprintf(buf + at, len - at, "%s%d.%d%s", sep, first->major,
			     first->minor, first->ft ? "t" : "");
	else
		n = snprintf(buf + at, len - at, "%s%d.%d-%d.%d", sep,
			     first->major, first->minor, last->major,
			     last->minor);
	return n < 0 ? at : at + (size_t)n;
}

const char *layout__known(char *buf, size_t len, unsigned int flags)
{
	const struct layout_row *first = NULL, *last = NULL, *r;
	size_t i, at = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < NROWS; i++) {
		r = &rows[i];
		if (r->ft)
			continue;
		if (last && r->major == last->major && r->minor == last->minor + 1) {
			last = r;
			continue;
		}
		if (first)
			at = put_run(buf, len, at, at ? ", " : "", first, last);
		first = last = r;
	}
	if (first)
		at = put_run(buf, len, at, at ? ", " : "", first, last);
	for (i = 0; i < NROWS && (flags & LAYOUT_KNOWN_FT); i++)
		if (rows[i].ft)
			at = put_run(buf, len, at, at ? ", " : "", &rows[i],
				     &rows[i]);
	return buf;
}
