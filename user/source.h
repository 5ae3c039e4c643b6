/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where in the Python code an event was raised: the line of a PA_T_FRAME
 * value (bpf/pyaudit.h) from the line table BPF copied with it. Pure C;
 * it needs nothing from the traced process, which may be gone.
 */
#ifndef PA_SOURCE_H
#define PA_SOURCE_H

#include "record.h"

/*
 * The line of frame f (a PA_T_FRAME value with its three children) of a
 * code object whose line tables have format `format` (PA_LT_*, the
 * target's pa_layout.ltab_format, from its version's row in
 * user/layout.c). Returns 0 and sets *line (-1: the instruction has no
 * line, as CPython says for some generated code), or a negative errno
 * when the line cannot be known: -ENODATA the table or the code object
 * was unreadable, -ERANGE the table was cut by a bound before the
 * instruction, -EINVAL a malformed table or frame.
 */
int source__line(const struct rec_value *f, int format, int *line);

#endif
