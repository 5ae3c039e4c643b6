// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The line of a frame: see source.h. */
#include <errno.h>
#include <string.h>
#include "linetable.h"
#include "source.h"

/*
 * An LNOTAB table (co_lnotab, 3.8 and 3.9) has no end marker: a copy cut by a bound looks
 * whole. Its lines are only right for offsets before the sum of the
 * address increments that were copied (linetable.h).
 */
static bool lnotab_covers(const uint8_t *t, size_t len, uint32_t offset)
{
	uint64_t addr = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		addr += t[i];
	return offset < addr;
}

int source__line(const struct rec_value *f, int format, int *line)
{
	const struct rec_value *table;
	struct pa_frame fr;
	int r;

	if (!f || f->tag != PA_T_FRAME || f->len != sizeof(fr) ||
	    f->nchildren != 3 || !f->children)
		return -EINVAL;
	memcpy(&fr, f->data, sizeof(fr));
	if (fr.flags & PA_FR_CODE_UNREADABLE)
		return -ENODATA;
	/* A long table BPF walked itself. */
	if (fr.flags & PA_FR_LINE) {
		*line = fr.line;
		return 0;
	}
	if (fr.flags & PA_FR_LINE_UNKNOWN)
		return -ERANGE;
	/* Not started yet (f_lasti -1, or before the first instruction):
	 * CPython says co_firstlineno. */
	if (fr.offset < 0) {
		*line = fr.firstlineno;
		return 0;
	}
	table = &f->children[2];
	if (table->tag != PA_T_BYTES)
		return -ENODATA;
	r = linetable__line(format, table->data, table->len, fr.firstlineno,
			    (uint32_t)fr.offset, line);
	if (r == -ERANGE || (r == -EINVAL && (table->flags & PA_VF_TRUNCATED)))
		return -ERANGE;
	if (r)
		return r;
	if (format == PA_LT_LNOTAB && (table->flags & PA_VF_TRUNCATED) &&
	    !lnotab_covers(table->data, table->len, (uint32_t)fr.offset))
		return -ERANGE;
	return 0;
}
