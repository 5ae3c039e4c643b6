// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Object layouts of CPython 3.8-3.14 on x86-64 (LP64), one row per
 * version. Every number is an offsetof/sizeof compiled against that
 * version's own headers (research notes §8.1, §8.2), cross-checked for
 * 3.13 and 3.14 against the targets' _Py_DebugOffsets (§9.3).
 *
 * What moved, and when:
 *  - 3.11: PyCodeObject was reordered: co_filename 104 -> 112,
 *          co_name 112 -> 120.
 *  - 3.12: PyASCIIObject lost wstr and PyCompactUnicodeObject lost
 *          wstr_length: ASCII data 48 -> 40, compact data 72 -> 56,
 *          utf8 56 -> 48, legacy data pointer 72 -> 56.
 *          PyLongObject: ob_size became long_value.lv_tag (sign in bits
 *          0-1, digit count in bits 3+); digits stay at +24.
 *  - 3.14: PyTupleObject gained a cached ob_hash at +24, so ob_item
 *          moved 24 -> 32.
 *  - 3.13t/3.14t (free-threaded, Py_GIL_DISABLED): PyObject is 32 bytes
 *          (ob_tid, flags, mutex, gc bits, ob_ref_local, ob_ref_shared,
 *          then ob_type at +24): everything after the header moves +16.
 *  - 3.14t only: the unicode state bit-field starts with a whole-byte
 *          `interned`, so kind/compact/ascii move to bits 8/11/12.
 * Debug builds (Py_DEBUG) share the release layout since 3.8.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "target.h"

struct layout_row {
	int major, minor;
	bool ft;		/* free-threaded (t) build */
	struct pa_layout l;
};

#define PY_HEX(maj, min) (((uint32_t)(maj) << 24) | ((uint32_t)(min) << 16))

/*
 * Columns: ob_type ob_size | tp_name tp_flags | long: digits tag lv_tag |
 * unicode state bits: kind compact ascii | float bytes tuple list |
 * unicode: length state ascii_data compact_data utf8 legacy_data |
 * code: filename name
 */
#define ROW(maj, min, is_ft, _ob_type, _ob_size, _tp_name, _tp_flags,	\
	    _digits, _tag, _lv, _kind, _compact, _ascii, _float, _bytes,	\
	    _tuple, _list, _slen, _sstate, _sascii, _scompact, _sutf8,	\
	    _slegacy, _cofile, _coname)					\
	{ maj, min, is_ft, {						\
		.py_version = PY_HEX(maj, min),				\
		.ob_type = _ob_type, .ob_size = _ob_size,		\
		.tp_name = _tp_name, .tp_flags = _tp_flags,		\
		.long_digits = _digits, .long_tag = _tag,		\
		.long_lv_tag = _lv, .str_kind_shift = _kind,		\
		.str_compact_bit = _compact, .str_ascii_bit = _ascii,	\
		.float_val = _float, .bytes_data = _bytes,		\
		.tuple_items = _tuple, .list_items = _list,		\
		.str_length = _slen, .str_state = _sstate,		\
		.str_ascii_data = _sascii, .str_compact_data = _scompact,	\
		.str_utf8 = _sutf8, .str_legacy_data = _slegacy,	\
		.code_filename = _cofile, .code_name = _coname,		\
	} }

static const struct layout_row rows[] = {
	/*         ob   ob  | tp   tp  | long      | state  | flt byt tup lst | str                    | code     */
	/*         type size| name flg | dig tag lv| k  c  a|                 | len st asc cmp utf leg | file name*/
	ROW(3, 8,  false,
		   8,  16,   24, 168,   24, 16, 0,   2, 5, 6,  16, 32, 24, 24,   16, 32, 48, 72, 56, 72,   104, 112),
	ROW(3, 9,  false,
		   8,  16,   24, 168,   24, 16, 0,   2, 5, 6,  16, 32, 24, 24,   16, 32, 48, 72, 56, 72,   104, 112),
	ROW(3, 10, false,
		   8,  16,   24, 168,   24, 16, 0,   2, 5, 6,  16, 32, 24, 24,   16, 32, 48, 72, 56, 72,   104, 112),
	/* 3.11: code object reordered */
	ROW(3, 11, false,
		   8,  16,   24, 168,   24, 16, 0,   2, 5, 6,  16, 32, 24, 24,   16, 32, 48, 72, 56, 72,   112, 120),
	/* 3.12: wstr gone (unicode headers shrink), PyLong lv_tag */
	ROW(3, 12, false,
		   8,  16,   24, 168,   24, 16, 1,   2, 5, 6,  16, 32, 24, 24,   16, 32, 40, 56, 48, 56,   112, 120),
	ROW(3, 13, false,
		   8,  16,   24, 168,   24, 16, 1,   2, 5, 6,  16, 32, 24, 24,   16, 32, 40, 56, 48, 56,   112, 120),
	/* 3.14: tuple ob_hash cache, ob_item 24 -> 32 */
	ROW(3, 14, false,
		   8,  16,   24, 168,   24, 16, 1,   2, 5, 6,  16, 32, 32, 24,   16, 32, 40, 56, 48, 56,   112, 120),
	/* 3.13t: 32-byte PyObject header, everything +16 */
	ROW(3, 13, true,
		  24,  32,   40, 184,   40, 32, 1,   2, 5, 6,  32, 48, 40, 40,   32, 48, 56, 72, 64, 72,   128, 136),
	/* 3.14t: as 3.13t, tuple +8 (ob_hash), unicode state bits re-laid out */
	ROW(3, 14, true,
		  24,  32,   40, 184,   40, 32, 1,   8, 11, 12, 32, 48, 48, 40,  32, 48, 56, 72, 64, 72,   128, 136),
};

/*
 * Thread state and frames (cpython-audit.md §8.3, §11.1, §11.3), for the
 * source location of events. Free-threaded builds have none (yet): their
 * events say "unsupported" instead of a location.
 *
 * Columns: how the thread state is found | _PyRuntime offsets |
 * interpreter and thread-state offsets (thread_id: pthread_self) | frame kind, ts->frame,
 * cframe->current_frame | frame: back code instr owner, owner to skip
 * from, bytes to read | code: firstlineno func linetable first-insn,
 * bytes to read.
 */
struct frame_row {
	int minor;
	uint8_t ts_how;
	uint16_t rt_tstate, rt_interp_head;
	uint16_t interp_next, interp_threads, ts_next, ts_thread_id;
	uint8_t frame_kind;
	uint16_t ts_frame, cframe_frame;
	uint16_t fr_back, fr_code, fr_instr, fr_owner;
	uint8_t owner_skip, exec_tagged;
	uint16_t fr_read;
	uint16_t co_firstlineno, co_func, co_linetable, co_code, co_read;
};

#define CUR PA_TS_CURRENT
#define WALK PA_TS_WALK
static const struct frame_row frame_rows[] = {
	/* minor how  rt: tstate head | interp: next threads ts: next tid |
	 * kind            frame cframe | back code instr owner skip tag read |
	 * code: first func table insn read */
	{ 8,  CUR,  1368, 0,   0,    0,    0, 0,    PA_FK_LASTI,   24, 0,
	  24, 32, 104, 0,  0, 0, 112,   40,  112, 120, 0,   128 },
	{ 9,  CUR,  568,  0,   0,    0,    0, 0,    PA_FK_LASTI,   24, 0,
	  24, 32, 104, 0,  0, 0, 112,   40,  112, 120, 0,   128 },
	{ 10, CUR,  568,  0,   0,    0,    0, 0,    PA_FK_LASTI2,  24, 0,
	  24, 32, 96,  0,  0, 0, 104,   40,  112, 120, 0,   128 },
	/* 3.11: co_qualname appears; frames are _PyInterpreterFrame */
	{ 11, CUR,  576,  0,   0,    0,    0, 0,    PA_FK_CFRAME,  56, 8,
	  48, 32, 56,  0,  0, 0, 72,    72,  128, 136, 184, 144 },
	/* 3.12: no tstate_current: walk the threads */
	{ 12, WALK, 0,    40,  0,    72,   8, 136,  PA_FK_CFRAME,  56, 0,
	  8,  0,  56,  70, 3, 0, 72,    68,  128, 136, 192, 144 },
	{ 13, WALK, 0,    632, 7264, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
	  8,  0,  56,  70, 3, 0, 72,    68,  128, 136, 200, 144 },
	/* 3.14: f_executable is a tagged _PyStackRef; owner 3 and 4 are C */
	{ 14, WALK, 0,    808, 7272, 7344, 8, 152,  PA_FK_CURRENT, 72, 0,
	  8,  0,  56,  74, 3, 1, 80,    68,  128, 136, 208, 144 },
};
#undef CUR
#undef WALK

static void frame_layout(int minor, struct pa_layout *l)
{
	const struct frame_row *r;
	size_t i;

	for (i = 0; i < sizeof(frame_rows) / sizeof(frame_rows[0]); i++) {
		r = &frame_rows[i];
		if (r->minor != minor)
			continue;
		l->ts_how = r->ts_how;
		l->rt_tstate = r->rt_tstate;
		l->rt_interp_head = r->rt_interp_head;
		l->interp_next = r->interp_next;
		l->interp_threads = r->interp_threads;
		l->ts_next = r->ts_next;
		l->ts_thread_id = r->ts_thread_id;
		l->frame_kind = r->frame_kind;
		l->ts_frame = r->ts_frame;
		l->cframe_frame = r->cframe_frame;
		l->fr_back = r->fr_back;
		l->fr_code = r->fr_code;
		l->fr_instr = r->fr_instr;
		l->fr_owner = r->fr_owner;
		l->owner_skip = r->owner_skip;
		l->exec_tagged = r->exec_tagged;
		l->fr_read = r->fr_read;
		l->co_firstlineno = r->co_firstlineno;
		l->co_func = r->co_func;
		l->co_linetable = r->co_linetable;
		l->co_code = r->co_code;
		l->co_read = r->co_read;
		return;
	}
}

/* The line-table format: PEP 626 (3.10) and the locations table (3.11,
 * gh-88116) replaced co_lnotab. */
static uint8_t ltab_format(int minor)
{
	if (minor <= 9)
		return PA_LT_LNOTAB;
	return minor == 10 ? PA_LT_LINETABLE : PA_LT_LOCATIONS;
}

int layout__for_version(int major, int minor, bool free_threaded,
			struct pa_layout *l)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].major == major && rows[i].minor == minor &&
		    rows[i].ft == free_threaded) {
			*l = rows[i].l;
			l->ltab_format = ltab_format(minor);
			if (!free_threaded)
				frame_layout(minor, l);
			return 0;
		}
	}
	memset(l, 0, sizeof(*l));
	return -ENOTSUP;
}
