// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Byte offset -> line number in CPython's line tables (3.8+), by format
 * (PA_LT_*, the version's row in user/layout.c). The formats are
 * described in user/linetable.h; the lookup rules follow CPython's own
 * (PyCode_Addr2Line in 3.8/3.9, _PyCode_CheckLineNumber in 3.10+).
 *
 * Addresses are summed in 64 bits and lines in 64 bits checked against
 * the int range after every step, so no table, however long or hostile,
 * overflows anything. Real tables never leave the int range: CPython
 * stores lines as int.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include "linetable.h"

static int add_line(int64_t *line, int64_t delta)
{
	/* |delta| < 2^32 and |*line| <= 2^31: no int64 overflow. */
	*line += delta;
	if (*line < INT_MIN || *line > INT_MAX)
		return -EINVAL;
	return 0;
}

/*
 * 3.8/3.9 co_lnotab (Objects/lnotab_notes.txt): from address 0 and
 * co_firstlineno, add each pair's address increment; stop as soon as the
 * address passes the offset, else add the (signed) line increment. Large
 * jumps span several pairs, which this sums like any others.
 */
static int lnotab_line(const uint8_t *t, size_t len, int first,
		       uint32_t offset, int *line)
{
	int64_t l = first;
	uint64_t addr = 0;
	size_t i;

	for (i = 0; i < len; i += 2) {
		addr += t[i];
		if (addr > offset)
			break;
		/* The pair is needed, but its line byte was cut off. */
		if (i + 1 >= len)
			return -EINVAL;
		if (add_line(&l, (int8_t)t[i + 1]))
			return -EINVAL;
	}
	*line = (int)l;
	return 0;
}

/*
 * 3.10 co_linetable (PEP 626, Objects/lnotab_notes.txt of 3.10): each pair
 * covers the next `length` bytes. Empty ranges (length 0) only carry line
 * deltas too large for one byte. A range's line is the running line after
 * its own delta, or none when its delta is -128 (which leaves the running
 * line unchanged).
 */
static int linetable310_line(const uint8_t *t, size_t len, int first,
			     uint32_t offset, int *line)
{
	int64_t l = first;
	uint64_t end = 0;
	size_t i;

	for (i = 0; i < len; i += 2) {
		if (i + 1 >= len)
			return -EINVAL;
		end += t[i];
		if (t[i + 1] != 0x80 && add_line(&l, (int8_t)t[i + 1]))
			return -EINVAL;
		if (offset < end) {
			*line = t[i + 1] == 0x80 ? -1 : (int)l;
			return 0;
		}
	}
	return -ERANGE;
}

/* Codes of the first byte of a 3.11+ location entry. */
enum {
	LOC_ONE_LINE0 = 10,
	LOC_ONE_LINE2 = 12,
	LOC_NO_COLUMNS = 13,
	LOC_LONG = 14,
	LOC_NONE = 15,
};

/*
 * A byte that continues the current entry: present and with bit 7 clear
 * (bit 7 starts the next entry).
 */
static bool entry_byte(const uint8_t *t, size_t len, size_t pos)
{
	return pos < len && !(t[pos] & 0x80);
}

/*
 * Unsigned varint of the locations table: 6-bit chunks, least significant
 * first, bit 6 set on all but the last. CPython writes unsigned int
 * values, so at most six chunks and 32 bits; anything longer is malformed
 * (and would overflow CPython's own reader).
 */
static int read_varint(const uint8_t *t, size_t len, size_t *pos,
		       uint32_t *val)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (!entry_byte(t, len, *pos) || shift > 30)
			return -EINVAL;
		b = t[(*pos)++];
		v |= (uint64_t)(b & 63) << shift;
		shift += 6;
	} while (b & 64);
	if (v > UINT32_MAX)
		return -EINVAL;
	*val = (uint32_t)v;
	return 0;
}

/* Signed varint: the low bit is the sign, the rest the magnitude. */
static int read_svarint(const uint8_t *t, size_t len, size_t *pos,
			int64_t *val)
{
	uint32_t u;

	if (read_varint(t, len, pos, &u))
		return -EINVAL;
	*val = u & 1 ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
	return 0;
}

/*
 * 3.11+ locations table (Objects/locations.md, InternalDocs/
 * code_objects.md in 3.14). Each entry covers (low 3 bits + 1) code units;
 * its start line is a delta from the previous entry's start line (the
 * first from co_firstlineno); code 15 has no line and leaves the running
 * line alone. An entry is used only when every byte of it is present and
 * it has exactly the bytes its code calls for.
 */
static int locations_line(const uint8_t *t, size_t len, int first,
			  uint32_t offset, int *line)
{
	int64_t l = first, delta;
	uint64_t end = 0;
	size_t pos = 0;
	unsigned int code;
	uint32_t unused;
	uint8_t b;

	while (pos < len) {
		b = t[pos++];
		if (!(b & 0x80))
			return -EINVAL;
		code = (b >> 3) & 15;
		end += 2 * ((b & 7) + 1);
		delta = 0;
		if (code == LOC_NONE) {
			/* No more bytes. */
		} else if (code == LOC_LONG) {
			/* line delta, end line delta, column + 1, end + 1 */
			if (read_svarint(t, len, &pos, &delta) ||
			    read_varint(t, len, &pos, &unused) ||
			    read_varint(t, len, &pos, &unused) ||
			    read_varint(t, len, &pos, &unused))
				return -EINVAL;
		} else if (code == LOC_NO_COLUMNS) {
			if (read_svarint(t, len, &pos, &delta))
				return -EINVAL;
		} else if (code >= LOC_ONE_LINE0 && code <= LOC_ONE_LINE2) {
			/* Line delta in the code, then column and end column. */
			delta = code - LOC_ONE_LINE0;
			if (!entry_byte(t, len, pos) ||
			    !entry_byte(t, len, pos + 1))
				return -EINVAL;
			pos += 2;
		} else {
			/* Short forms 0-9: same line, one byte of columns. */
			if (!entry_byte(t, len, pos))
				return -EINVAL;
			pos++;
		}
		if (entry_byte(t, len, pos))
			return -EINVAL;		/* bytes left over in the entry */
		if (add_line(&l, delta))
			return -EINVAL;
		if (offset < end) {
			*line = code == LOC_NONE ? -1 : (int)l;
			return 0;
		}
	}
	return -ERANGE;
}

int linetable__line(int format, const uint8_t *table, size_t len,
		    int firstlineno, uint32_t offset, int *line)
{
	if (!line || (!table && len))
		return -EINVAL;
	switch (format) {
	case PA_LT_LNOTAB:
		return lnotab_line(table, len, firstlineno, offset, line);
	case PA_LT_LINETABLE:
		return linetable310_line(table, len, firstlineno, offset, line);
	case PA_LT_LOCATIONS:
		return locations_line(table, len, firstlineno, offset, line);
	default:
		return -EINVAL;
	}
}
