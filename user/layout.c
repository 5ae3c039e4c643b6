// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What pyaudit knows of the memory of each CPython version on x86-64
 * (LP64): one row per version in rows[] below; AArch64 differs in one
 * place (aarch64_runtime).
 *
 * Adding a version (say 3.16) takes:
 *  1. one ROW() per build (default, free-threaded): the object layout
 *     (OBJ), the thread-state and frame layout (FRAMES, and TLBC for
 *     free-threaded 3.14+), the line-table format (PA_LT_*), the first
 *     exported symbol of that version if executables without Py_Version
 *     must be told by it (NULL otherwise), and whether its files carry
 *     _Py_DebugOffsets (3.13+);
 *  2. if its _Py_DebugOffsets struct changed, its format (dbg_formats:
 *     the position of each group and member we read, as for 3.15).
 *     Until then a version newer than every row is traced on its own
 *     table read in the newest format, if the table passes the checks;
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
 * and 3.13.5 tarballs, configured with --disable-gil for the t builds;
 * 3.15, 3.15t: Debian's 3.15.2 headers, with -DPy_GIL_DISABLED=1 for t),
 * cross-checked against the binaries' own _Py_DebugOffsets (3.13.0,
 * 3.14.10, 3.15.2: tests/unit/test_layout.c).
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
 *  - 3.15: _PyRuntime and PyThreadState grew (interpreters.head 936,
 *          thread_id 176); FRAME_OWNED_BY_CSTACK (4) is gone, owner 3
 *          (INTERPRETER: C entry and base frames) is still skipped.
 *  - 3.13t-3.15t (free-threaded, Py_GIL_DISABLED): PyObject is 32 bytes
 *          (ob_tid, flags, mutex, gc bits, ob_ref_local, ob_ref_shared,
 *          then ob_type at +24): everything after the header moves +16.
 *  - 3.14t, 3.15t: the unicode state bit-field starts with a whole-byte
 *          `interned`, so kind/compact/ascii move to bits 8/11/12; per-
 *          thread bytecode: the frame's int32 tlbc_index (72) moves the
 *          owner to 78, the code's co_tlbc (224) co_code_adaptive to 232.
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
 * the version (PY_VERSION_HEX), free_threaded, then one group per
 * CPython struct, each starting with that struct's size, then the u64
 * offsets of its members. Groups gain members from version to version
 * (3.14 adds tlbc_index and co_tlbc, 3.15 base_frame and three more in
 * thread_state), so every later one moves: each format says where the
 * members we read are. Include/internal/pycore_runtime.h (3.13),
 * pycore_debug_offsets.h (3.14+); positions checked against the struct
 * of 3.13.18, 3.14.10 and 3.15.2 (Debian unstable's headers) and the
 * values against the binaries' tables (tests/unit/test_layout.c).
 */
enum dbg_group {
	G_RUNTIME, G_INTERP, G_TSTATE, G_FRAME, G_CODE, G_PYOBJ, G_TYPE,
	G_TUPLE, G_LIST, G_FLOAT, G_LONG, G_BYTES, G_UNICODE, G_COUNT
};

static const char *const dbg_group_name[G_COUNT] = {
	"runtime_state", "interpreter_state", "thread_state",
	"interpreter_frame", "code_object", "pyobject", "type_object",
	"tuple_object", "list_object", "float_object", "long_object",
	"bytes_object", "unicode_object",
};

struct dbg_field {
	uint16_t pos;		/* of the u64 in _Py_DebugOffsets */
	uint8_t group;		/* enum dbg_group */
	uint8_t width;		/* bytes read there; 0: where data starts */
	uint16_t field;		/* offsetof(struct pa_layout, the __u16) */
	const char *name;	/* for messages */
};

struct dbg_format {
	int minor;		/* 3.minor whose struct this is */
	uint16_t size;		/* sizeof(_Py_DebugOffsets) */
	uint16_t group[G_COUNT];	/* position of each group's size */
	const struct dbg_field *fields;
	size_t nfields;
};

#define D(pos, grp, width, fld, nm) { pos, grp, width, F(fld), nm }

static const struct dbg_field dbg_313_fields[] = {
	D(40, G_RUNTIME, 8, rt_interp_head, "interpreters_head"),
	D(64, G_INTERP, 8, interp_next, "next"),
	D(72, G_INTERP, 8, interp_threads, "threads_head"),
	D(168, G_TSTATE, 8, ts_next, "next"),
	D(184, G_TSTATE, 8, ts_frame, "current_frame"),
	D(192, G_TSTATE, 8, ts_thread_id, "thread_id"),
	D(232, G_FRAME, 8, fr_back, "previous"),
	D(240, G_FRAME, 8, fr_code, "executable"),
	D(248, G_FRAME, 8, fr_instr, "instr_ptr"),
	D(264, G_FRAME, 1, fr_owner, "owner"),
	D(280, G_CODE, 8, code_filename, "filename"),
	D(288, G_CODE, 8, code_name, "name"),
	D(296, G_CODE, 8, co_func, "qualname"),
	D(304, G_CODE, 8, co_linetable, "linetable"),
	D(312, G_CODE, 4, co_firstlineno, "firstlineno"),
	D(344, G_CODE, 0, co_code, "co_code_adaptive"),
	D(360, G_PYOBJ, 8, ob_type, "ob_type"),
	D(376, G_TYPE, 8, tp_name, "tp_name"),
	D(392, G_TYPE, 8, tp_flags, "tp_flags"),
	D(408, G_TUPLE, 0, tuple_items, "ob_item"),
	D(416, G_TUPLE, 8, ob_size, "ob_size"),
	D(432, G_LIST, 8, list_items, "ob_item"),
	D(480, G_FLOAT, 8, float_val, "ob_fval"),
	D(496, G_LONG, 8, long_tag, "lv_tag"),
	D(504, G_LONG, 0, long_digits, "ob_digit"),
	D(528, G_BYTES, 0, bytes_data, "ob_sval"),
	D(544, G_UNICODE, 4, str_state, "state"),
	D(552, G_UNICODE, 8, str_length, "length"),
	D(560, G_UNICODE, 0, str_ascii_data, "asciiobject_size"),
};

/* 3.14: interpreter_state gained code_object_generation and
 * tlbc_generation, interpreter_frame stackpointer and tlbc_index,
 * code_object co_tlbc, then set_object, llist_node, debugger_support. */
static const struct dbg_field dbg_314_fields[] = {
	D(40, G_RUNTIME, 8, rt_interp_head, "interpreters_head"),
	D(64, G_INTERP, 8, interp_next, "next"),
	D(72, G_INTERP, 8, interp_threads, "threads_head"),
	D(192, G_TSTATE, 8, ts_next, "next"),
	D(208, G_TSTATE, 8, ts_frame, "current_frame"),
	D(216, G_TSTATE, 8, ts_thread_id, "thread_id"),
	D(256, G_FRAME, 8, fr_back, "previous"),
	D(264, G_FRAME, 8, fr_code, "executable"),
	D(272, G_FRAME, 8, fr_instr, "instr_ptr"),
	D(288, G_FRAME, 1, fr_owner, "owner"),
	D(304, G_FRAME, 4, fr_tlbc, "tlbc_index"),
	D(320, G_CODE, 8, code_filename, "filename"),
	D(328, G_CODE, 8, code_name, "name"),
	D(336, G_CODE, 8, co_func, "qualname"),
	D(344, G_CODE, 8, co_linetable, "linetable"),
	D(352, G_CODE, 4, co_firstlineno, "firstlineno"),
	D(384, G_CODE, 0, co_code, "co_code_adaptive"),
	D(392, G_CODE, 8, co_tlbc, "co_tlbc"),
	D(408, G_PYOBJ, 8, ob_type, "ob_type"),
	D(424, G_TYPE, 8, tp_name, "tp_name"),
	D(440, G_TYPE, 8, tp_flags, "tp_flags"),
	D(456, G_TUPLE, 0, tuple_items, "ob_item"),
	D(464, G_TUPLE, 8, ob_size, "ob_size"),
	D(480, G_LIST, 8, list_items, "ob_item"),
	D(560, G_FLOAT, 8, float_val, "ob_fval"),
	D(576, G_LONG, 8, long_tag, "lv_tag"),
	D(584, G_LONG, 0, long_digits, "ob_digit"),
	D(608, G_BYTES, 0, bytes_data, "ob_sval"),
	D(624, G_UNICODE, 4, str_state, "state"),
	D(632, G_UNICODE, 8, str_length, "length"),
	D(640, G_UNICODE, 0, str_ascii_data, "asciiobject_size"),
};

/* 3.15: thread_state gained base_frame, last_profiled_frame(_seq) before
 * thread_id and four members after it; err_stackitem, heap_type_object
 * and compactunicodeobject_size are new: everything after moved. */
static const struct dbg_field dbg_315_fields[] = {
	D(40, G_RUNTIME, 8, rt_interp_head, "interpreters_head"),
	D(64, G_INTERP, 8, interp_next, "next"),
	D(72, G_INTERP, 8, interp_threads, "threads_head"),
	D(192, G_TSTATE, 8, ts_next, "next"),
	D(208, G_TSTATE, 8, ts_frame, "current_frame"),
	D(240, G_TSTATE, 8, ts_thread_id, "thread_id"),
	D(320, G_FRAME, 8, fr_back, "previous"),
	D(328, G_FRAME, 8, fr_code, "executable"),
	D(336, G_FRAME, 8, fr_instr, "instr_ptr"),
	D(352, G_FRAME, 1, fr_owner, "owner"),
	D(368, G_FRAME, 4, fr_tlbc, "tlbc_index"),
	D(384, G_CODE, 8, code_filename, "filename"),
	D(392, G_CODE, 8, code_name, "name"),
	D(400, G_CODE, 8, co_func, "qualname"),
	D(408, G_CODE, 8, co_linetable, "linetable"),
	D(416, G_CODE, 4, co_firstlineno, "firstlineno"),
	D(448, G_CODE, 0, co_code, "co_code_adaptive"),
	D(456, G_CODE, 8, co_tlbc, "co_tlbc"),
	D(472, G_PYOBJ, 8, ob_type, "ob_type"),
	D(488, G_TYPE, 8, tp_name, "tp_name"),
	D(504, G_TYPE, 8, tp_flags, "tp_flags"),
	D(552, G_TUPLE, 0, tuple_items, "ob_item"),
	D(560, G_TUPLE, 8, ob_size, "ob_size"),
	D(576, G_LIST, 8, list_items, "ob_item"),
	D(656, G_FLOAT, 8, float_val, "ob_fval"),
	D(672, G_LONG, 8, long_tag, "lv_tag"),
	D(680, G_LONG, 0, long_digits, "ob_digit"),
	D(704, G_BYTES, 0, bytes_data, "ob_sval"),
	D(720, G_UNICODE, 4, str_state, "state"),
	D(728, G_UNICODE, 8, str_length, "length"),
	D(736, G_UNICODE, 0, str_ascii_data, "asciiobject_size"),
	D(744, G_UNICODE, 0, str_compact_data, "compactunicodeobject_size"),
};

#define NF(a) (sizeof(a) / sizeof((a)[0]))

/* Oldest first: a version newer than all is read as the last. */
static const struct dbg_format dbg_formats[] = {
	{ 13, 584, { 24, 48, 152, 224, 272, 352, 368, 400, 424, 472, 488,
		     512, 536 }, dbg_313_fields, NF(dbg_313_fields) },
	{ 14, 760, { 24, 48, 176, 248, 312, 400, 416, 448, 472, 552, 568,
		     592, 616 }, dbg_314_fields, NF(dbg_314_fields) },
	{ 15, 888, { 24, 48, 176, 312, 376, 464, 480, 544, 568, 648, 664,
		     688, 712 }, dbg_315_fields, NF(dbg_315_fields) },
};

#define DBG_MAX 1024	/* bytes of _Py_DebugOffsets read, at most */

struct layout_row {
	int major, minor;
	bool ft;			/* free-threaded (t) build */
	const char *first_sym;		/* exported first by this version */
	bool dbg;			/* has _Py_DebugOffsets (3.13+) */
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
/* Free-threaded 3.14+: per-thread bytecode (frame tlbc_index, co_tlbc) */
#define TLBC(_fr, _co) .fr_tlbc = _fr, .co_tlbc = _co

#define ROW(maj, min, is_ft, ltab, sym, dbg, obj, frames, ...)	\
	{ maj, min, is_ft, sym, dbg, {					\
		.py_version = PY_HEX(maj, min), .ltab_format = ltab,	\
		obj, frames, ##__VA_ARGS__ } }

#define CUR PA_TS_CURRENT
#define WALK PA_TS_WALK
#define LNOTAB PA_LT_LNOTAB
#define LINETABLE PA_LT_LINETABLE
#define LOCATIONS PA_LT_LOCATIONS

/*
 * ROW(major, minor, free-threaded, line-table format, marker symbol,
 *     has _Py_DebugOffsets, OBJ(columns above), FRAMES(columns above)
 *     [, TLBC(frame tlbc_index, co_tlbc)]).
 * Default builds first, oldest first, then free-threaded builds:
 * layout__known lists them in this order.
 */
static const struct layout_row rows[] = {
	ROW(3, 8, false, LNOTAB, "PySys_Audit", false,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  104, 112),
	    FRAMES(CUR, 1368, 0,  0, 0, 0, 0,  PA_FK_LASTI, 24, 0,
		   24, 32, 104, 0, 0, 0, 112,  40, 112, 120, 0, 128)),
	ROW(3, 9, false, LNOTAB, "PyThreadState_GetFrame", false,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  104, 112),
	    FRAMES(CUR, 568, 0,  0, 0, 0, 0,  PA_FK_LASTI, 24, 0,
		   24, 32, 104, 0, 0, 0, 112,  40, 112, 120, 0, 128)),
	ROW(3, 10, false, LINETABLE, "Py_NewRef", false,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  104, 112),
	    FRAMES(CUR, 568, 0,  0, 0, 0, 0,  PA_FK_LASTI2, 24, 0,
		   24, 32, 96, 0, 0, 0, 104,  40, 112, 120, 0, 128)),
	/* code object reordered, co_qualname; _PyInterpreterFrame */
	ROW(3, 11, false, LOCATIONS, "Py_Version", false,
	    OBJ(8, 16,   24, 168,  24, 16, 0,  2, 5, 6,  16, 32, 24, 24,  16, 32, 48, 72, 56, 72,  112, 120),
	    FRAMES(CUR, 576, 0,  0, 0, 0, 0,  PA_FK_CFRAME, 56, 8,
		   48, 32, 56, 0, 0, 0, 72,  72, 128, 136, 184, 144)),
	/* wstr gone (unicode headers shrink), PyLong lv_tag; no
	 * tstate_current: walk the threads */
	ROW(3, 12, false, LOCATIONS, NULL, false,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 24, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 40,  0, 72, 8, 136,  PA_FK_CFRAME, 56, 0,
		   8, 0, 56, 70, 3, 0, 72,  68, 128, 136, 192, 144)),
	ROW(3, 13, false, LOCATIONS, "PySys_AuditTuple", true,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 24, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 632,  7264, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 70, 3, 0, 72,  68, 128, 136, 200, 144)),
	/* tuple ob_hash cache, ob_item 24 -> 32; f_executable is a tagged
	 * _PyStackRef; owner 3 and 4 are C. */
	ROW(3, 14, false, LOCATIONS, NULL, true,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 32, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 808,  7272, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 74, 3, 1, 80,  68, 128, 136, 208, 144)),
	/* objects as 3.14; the runtime and thread state grew (3.15.2);
	 * FRAME_OWNED_BY_CSTACK (4) is gone, 3 is still C */
	ROW(3, 15, false, LOCATIONS, NULL, true,
	    OBJ(8, 16,   24, 168,  24, 16, 1,  2, 5, 6,  16, 32, 32, 24,  16, 32, 40, 56, 48, 56,  112, 120),
	    FRAMES(WALK, 0, 936,  7264, 7336, 8, 176,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 74, 3, 1, 80,  68, 128, 136, 208, 144)),
	/* 32-byte PyObject header, everything +16; the frame is 3.13's,
	 * code fields +16 (co_code_adaptive +16) */
	ROW(3, 13, true, LOCATIONS, NULL, true,
	    OBJ(24, 32,  40, 184,  40, 32, 1,  2, 5, 6,  32, 48, 40, 40,  32, 48, 56, 72, 64, 72,  128, 136),
	    FRAMES(WALK, 0, 632,  7264, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 70, 3, 0, 72,  84, 144, 152, 216, 160)),
	/* as 3.13t, tuple +8 (ob_hash), unicode state bits re-laid out;
	 * frame: int32 tlbc_index at 72 pushes owner to 78; code: co_tlbc
	 * at 224 pushes co_code_adaptive to 232 */
	ROW(3, 14, true, LOCATIONS, NULL, true,
	    OBJ(24, 32,  40, 184,  40, 32, 1,  8, 11, 12,  32, 48, 48, 40,  32, 48, 56, 72, 64, 72,  128, 136),
	    FRAMES(WALK, 0, 808,  7272, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 78, 3, 1, 80,  84, 144, 152, 232, 160),
	    TLBC(72, 224)),
	/* 3.14t's objects and frames, 3.15's runtime and thread state */
	ROW(3, 15, true, LOCATIONS, NULL, true,
	    OBJ(24, 32,  40, 184,  40, 32, 1,  8, 11, 12,  32, 48, 48, 40,  32, 48, 56, 72, 64, 72,  128, 136),
	    FRAMES(WALK, 0, 936,  7264, 7336, 8, 176,  PA_FK_CURRENT, 72, 0,
		   8, 0, 56, 78, 3, 1, 80,  84, 144, 152, 232, 160),
	    TLBC(72, 224)),
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

/* The format of 3.minor's _Py_DebugOffsets: its own, else the newest
 * older one (a version newer than pyaudit knows). */
static const struct dbg_format *dbg_format_for(int minor)
{
	const struct dbg_format *f = NULL;
	size_t i;

	for (i = 0; i < NF(dbg_formats); i++)
		if (dbg_formats[i].minor <= minor)
			f = &dbg_formats[i];
	return f;
}

static uint64_t dbg_u64(const uint8_t *d, size_t pos)
{
	uint64_t v;

	memcpy(&v, d + pos, sizeof(v));
	return v;
}

#define GROUP_MAX	(1u << 20)	/* no CPython struct described is larger */

/*
 * Check the table d (f->size bytes, of a file whose .PyRuntime section
 * is rt_size bytes) and overlay its offsets on l. Returns 0, or -EINVAL
 * with the first check that failed in why. The checks are CPython's own
 * reader's (Modules/_remote_debugging/debug_offsets_validation.h: every
 * group's size non-zero, every member inside its struct and aligned to
 * its type) and what holds in every build: _PyRuntime fills .PyRuntime,
 * the object header is 16 bytes (32 free-threaded) ending with ob_type,
 * and per-thread bytecode (tlbc) exists exactly in free-threaded builds.
 */
static int dbg_apply(const struct dbg_format *f, const uint8_t *d,
		     uint64_t rt_size, bool ft, struct pa_layout *l,
		     char *why, size_t whylen)
{
	uint64_t gsize[G_COUNT], v, obsize;
	const struct dbg_field *fd;
	uint16_t v16;
	size_t i;

	for (i = 0; i < G_COUNT; i++) {
		gsize[i] = dbg_u64(d, f->group[i]);
		if (!gsize[i] || gsize[i] > GROUP_MAX) {
			snprintf(why, whylen, "%s.size %llu is not a struct size",
				 dbg_group_name[i], (unsigned long long)gsize[i]);
			return -EINVAL;
		}
	}
	if (dbg_u64(d, 16) != ft) {
		snprintf(why, whylen, "free_threaded %llu, the build says %d",
			 (unsigned long long)dbg_u64(d, 16), ft);
		return -EINVAL;
	}
	if (gsize[G_RUNTIME] > rt_size || rt_size - gsize[G_RUNTIME] >= 64) {
		snprintf(why, whylen,
			 "runtime_state.size %llu, but .PyRuntime is %llu bytes",
			 (unsigned long long)gsize[G_RUNTIME],
			 (unsigned long long)rt_size);
		return -EINVAL;
	}
	obsize = gsize[G_PYOBJ];
	if (obsize != (ft ? 32 : 16)) {
		snprintf(why, whylen, "pyobject.size %llu, expected %d",
			 (unsigned long long)obsize, ft ? 32 : 16);
		return -EINVAL;
	}
	for (i = 0; i < f->nfields; i++) {
		fd = &f->fields[i];
		v = dbg_u64(d, fd->pos);
		if (fd->field == F(fr_tlbc) || fd->field == F(co_tlbc)) {
			if (!v != !ft) {
				snprintf(why, whylen, "%s.%s %llu in a%s build",
					 dbg_group_name[fd->group], fd->name,
					 (unsigned long long)v,
					 ft ? " free-threaded" : " default");
				return -EINVAL;
			}
			if (!v)
				goto store;
		}
		if (v > UINT16_MAX || v + fd->width > gsize[fd->group] ||
		    (fd->width > 1 && v % fd->width)) {
			snprintf(why, whylen,
				 "%s.%s %llu is not a member of a %llu-byte struct",
				 dbg_group_name[fd->group], fd->name,
				 (unsigned long long)v,
				 (unsigned long long)gsize[fd->group]);
			return -EINVAL;
		}
store:
		v16 = (uint16_t)v;
		memcpy((uint8_t *)l + fd->field, &v16, sizeof(v16));
	}
	if (l->ob_type != obsize - 8) {
		snprintf(why, whylen, "pyobject.ob_type %u, expected %llu",
			 l->ob_type, (unsigned long long)(obsize - 8));
		return -EINVAL;
	}
	return 0;
}

/* BPF reads at most fr_read bytes of a frame and co_read of a code
 * object (bounded by 128 and 160 in bpf/frames.bpf.h): offsets past them
 * turn source locations off for the file. */
static void frames_fit(struct pa_layout *l)
{
	if (l->fr_back + 8 > l->fr_read || l->fr_code + 8 > l->fr_read ||
	    l->fr_instr + 8 > l->fr_read || l->fr_owner + 1 > l->fr_read ||
	    (l->fr_tlbc && l->fr_tlbc + 4 > l->fr_read) ||
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

/* The newest row of a build kind: the base of a version never seen. */
static const struct layout_row *newest_row(bool ft)
{
	const struct layout_row *best = NULL;
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].ft == ft &&
		    (!best || rows[i].l.py_version > best->l.py_version))
			best = &rows[i];
	return best;
}

/* Read the file's _Py_DebugOffsets in format f into d. */
static int dbg_read(const struct elf_file *ef, const struct dbg_format *f,
		    uint8_t *d, uint64_t *rt_size, char *why, size_t whylen)
{
	struct elf_section sec;

	if (elf__section_info_by_name(ef, ".PyRuntime", &sec)) {
		snprintf(why, whylen, "no .PyRuntime section");
		return -ENOENT;
	}
	if (sec.size < f->size || f->size > DBG_MAX ||
	    elf__read_section(ef, sec.index, 0, d, f->size)) {
		snprintf(why, whylen,
			 ".PyRuntime (%llu bytes) cannot hold the %u bytes of 3.%d's _Py_DebugOffsets",
			 (unsigned long long)sec.size, f->size, f->minor);
		return -EINVAL;
	}
	if (memcmp(d, "xdebugpy", 8)) {
		snprintf(why, whylen, "no _Py_DebugOffsets (cookie xdebugpy) at the start of .PyRuntime");
		return -EINVAL;
	}
	*rt_size = sec.size;
	return 0;
}

int layout__for_file(const struct elf_file *ef, int major, int minor,
		     bool free_threaded, struct pa_layout *l, char *why,
		     size_t whylen)
{
	const struct layout_row *r = find_row(major, minor, free_threaded);
	const struct layout_row *base = newest_row(free_threaded);
	const struct dbg_format *f;
	uint8_t d[DBG_MAX];
	char known[128], fail[160], own[256];
	struct pa_layout t;
	uint64_t rt_size;
	bool unseen;
	int ret;

	if (why && whylen)
		why[0] = '\0';
	if (!why) {
		why = own;
		whylen = sizeof(own);
	}
	memset(l, 0, sizeof(*l));
	unseen = !r && base && major == base->major && minor > base->minor;
	if (!r && !unseen) {
		snprintf(why, whylen, "no object layout for it (known: %s)",
			 layout__known(known, sizeof(known), LAYOUT_KNOWN_FT));
		return -ENOTSUP;
	}
	t = unseen ? base->l : r->l;
	t.py_version = PY_HEX(major, minor);
	if (elf__machine(ef) == EM_AARCH64)
		aarch64_runtime(major, minor, &t);
	f = (unseen || r->dbg) ? dbg_format_for(minor) : NULL;
	if (!f) {
		*l = t;
		return 0;
	}
	ret = dbg_read(ef, f, d, &rt_size, fail, sizeof(fail));
	if (!ret)
		ret = dbg_apply(f, d, rt_size, free_threaded, &t, fail,
				sizeof(fail));
	if (ret && unseen) {
		snprintf(why, whylen,
			 "newer than pyaudit knows (%s), and its _Py_DebugOffsets, read as 3.%d's, fails a check: %s",
			 layout__known(known, sizeof(known), 0), f->minor, fail);
		return -ENOTSUP;
	}
	if (ret) {
		/* The row alone, as before 3.13 (-v tells why). */
		*l = unseen ? base->l : r->l;
		l->py_version = PY_HEX(major, minor);
		if (elf__machine(ef) == EM_AARCH64)
			aarch64_runtime(major, minor, l);
		snprintf(why, whylen, "_Py_DebugOffsets not used: %s", fail);
		return 0;
	}
	frames_fit(&t);
	*l = t;
	if (!unseen)
		return 0;
	snprintf(why, whylen,
		 "newer than pyaudit knows (%s): traced with the offsets its _Py_DebugOffsets gives (read as 3.%d's) and 3.%d%s's for the rest",
		 layout__known(known, sizeof(known), 0), f->minor, base->minor,
		 free_threaded ? "t" : "");
	return LAYOUT_UNSEEN;
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
