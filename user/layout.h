/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What pyaudit knows of each CPython version, in one table (layout.c):
 * the object layout, the thread-state and frame layout, the line-table
 * format, and how to read the file's own _Py_DebugOffsets. Pure user
 * space; BPF reads the result through struct pa_layout.
 */
#ifndef PA_LAYOUT_H
#define PA_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"

struct elf_file;

/*
 * The layout of CPython major.minor (free_threaded: a Py_GIL_DISABLED
 * build) as its row gives it. Returns 0, or -ENOTSUP with l zeroed when
 * the version has no row.
 */
int layout__for_version(int major, int minor, bool free_threaded,
			struct pa_layout *l);

/*
 * The layout of the file ef, CPython major.minor: its version's row,
 * with, for 3.13 and later, every offset the file's own _Py_DebugOffsets
 * gives (read in the format of its version, and checked: cookie, size,
 * every offset inside its struct; a table that fails a check leaves the
 * row as it is, and why says so). Offsets BPF could not read turn the
 * frame layout off (frame_kind 0) rather than fail.
 * A version newer than every row (3.16 and later) is traced on its
 * table alone, read in the newest format, with the newest row for what
 * the table lacks: LAYOUT_UNSEEN, why saying so, when every check
 * passes; -ENOTSUP with why otherwise, and for any other version without
 * a row. why (whylen bytes, may be NULL) has no path nor version.
 */
#define LAYOUT_UNSEEN	1
int layout__for_file(const struct elf_file *ef, int major, int minor,
		     bool free_threaded, struct pa_layout *l, char *why,
		     size_t whylen);

/*
 * The oldest PY_VERSION_HEX (major.minor) whose files carry a
 * _Py_DebugOffsets struct at the start of .PyRuntime, as the rows say.
 */
uint32_t layout__debug_offsets_since(void);

/*
 * The newest version whose marker symbol (the row's first exported
 * symbol of that version) ef defines: how executables without Py_Version
 * (3.8-3.10) tell their version. Returns 0 and sets *major, *minor, or
 * -ENOENT when ef defines none.
 */
int layout__version_by_symbols(const struct elf_file *ef, int *major,
			       int *minor);

/* layout__known: free-threaded rows too ("3.8-3.14, 3.13t, 3.14t") */
#define LAYOUT_KNOWN_FT	0x1

/*
 * The known versions as the rows say, for messages and -V: runs of
 * consecutive versions as "3.8-3.14", then with LAYOUT_KNOWN_FT each
 * free-threaded row (", 3.13t"). Returns buf (always terminated).
 */
const char *layout__known(char *buf, size_t len, unsigned int flags);

#endif /* PA_LAYOUT_H */
