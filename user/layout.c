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

int layout__for_version(int major, int minor, bool free_threaded,
			struct pa_layout *l)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].major == major && rows[i].minor == minor &&
		    rows[i].ft == free_threaded) {
			*l = rows[i].l;
			return 0;
		}
	}
	memset(l, 0, sizeof(*l));
	return -ENOTSUP;
}
