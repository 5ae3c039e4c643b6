/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Line numbers from the line tables of CPython code objects, by format
 * (PA_LT_*; which version has which format is its row in user/layout.c).
 * Pure C: the table comes from a record (a copy made by BPF, possibly cut
 * short by a bound), so it is never trusted and never read past its length.
 *
 * Three formats (Objects/lnotab_notes.txt up to 3.10, Objects/locations.md
 * in 3.11-3.13, InternalDocs/code_objects.md in 3.14):
 *   LNOTAB      3.8, 3.9 co_lnotab: (address increment u8, line
 *               increment s8) pairs; the last line runs to the end of
 *               the bytecode.
 *   LINETABLE   3.10 co_linetable (PEP 626): (length in bytes u8, line
 *               delta s8) pairs, each covering the next `length` bytes;
 *               line delta -128 means "no line" for that range.
 *   LOCATIONS   3.11+ the locations table (co_linetable): entries of a
 *               first byte 1CCCCLLL (code C, L + 1 code units of 2 bytes)
 *               and column/line varints; code 15 means "no location".
 *
 * Which offset to pass (checked against live frames by
 * tests/unit/test_linetable.c, vectors from gen_linetable_vectors.py).
 * In every version it is the byte offset of the frame's current
 * instruction from the start of the bytecode, i.e. what Python's
 * frame.f_lasti returns (frame_getlasti in Objects/frameobject.c), which
 * is what CPython itself looks up for frame.f_lineno and tracebacks:
 *   3.8, 3.9    PyFrameObject.f_lasti, as is (already bytes).
 *   3.10        2 * PyFrameObject.f_lasti (the field counts code units).
 *   3.11, 3.12  _PyInterpreterFrame.prev_instr - _PyCode_CODE(code), in
 *               bytes: prev_instr - (code + co_code), co_code being the
 *               first instruction's offset in the version's row of
 *               user/layout.c (184 on 3.11, 192 on 3.12). Do not add 2:
 *               prev_instr points at the CALL (or, during a
 *               Python-to-Python call, at its last inline cache unit;
 *               caches share the CALL's entry, so the same line).
 *   3.13+       _PyInterpreterFrame.instr_ptr - _PyCode_CODE(code), in
 *               bytes: instr_ptr - (code + co_code), 200 on 3.13, 208 on
 *               3.14 (3.14t: relative to the thread-local bytecode copy).
 *               The 3.14 offsets come from the 3.14.0 headers: no 3.14
 *               interpreter ran the tests, which check its table format
 *               with 3.13's.
 * A negative difference (a frame that has not started: f_lasti -1, or
 * prev_instr one unit before the code) is not an offset: CPython reports
 * co_firstlineno for it, and so should the caller, without calling this.
 *
 * Truncated tables: a LINETABLE or LOCATIONS table (3.10+) covers the
 * whole bytecode, so an offset past the bytes present gives -ERANGE
 * (table ended between two entries) or -EINVAL (it ended inside the
 * entry that was needed). An LNOTAB co_lnotab (3.8, 3.9) has no end: a table cut between two pairs looks whole,
 * and its last line would be reported for every later offset. A caller
 * that copied a shortened co_lnotab must treat a line for an offset at or
 * beyond the sum of the copied address increments as unknown.
 */
#ifndef PA_LINETABLE_H
#define PA_LINETABLE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"

/*
 * Line of the instruction at byte offset `offset` (bytes from the start of
 * the bytecode) of a code object whose line tables have the given format
 * (PA_LT_*, the target's pa_layout.ltab_format), from its line table bytes
 * (co_lnotab for 3.8-3.9, co_linetable for 3.10+) and co_firstlineno.
 * Returns 0 and sets *line (may be -1 when the instruction has no line,
 * e.g. 3.10 "no line" or 3.11+ code 15), or -EINVAL for a
 * malformed/truncated table (or an unknown format, or a NULL line),
 * -ERANGE when the offset is beyond the table (e.g. the table was
 * truncated by a bound): never reads past len. *line is left alone on
 * error.
 */
int linetable__line(int format, const uint8_t *table, size_t len,
		    int firstlineno, uint32_t offset, int *line);

#endif /* PA_LINETABLE_H */
