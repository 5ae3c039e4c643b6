/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* /proc/PID/maps: parsing, walking, reaching the mapped files. */
#ifndef PA_PROCMAPS_H
#define PA_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What the kernel appends to the name of a file deleted since mapped. */
#define PROCMAPS_DELETED " (deleted)"

struct maps_entry {
	unsigned long start, end, offset;
	char perms[5];
	unsigned dev_major, dev_minor;
	unsigned long inode;
	const char *path;	/* points into the line; "" when anonymous */
};

/* Parse one line (without its newline). 0, or -EINVAL. */
int procmaps__parse_line(char *line, struct maps_entry *e);
/* Does pid see the file system as we do (same mount namespace and
 * root)? Then its paths are ours, and stay valid after it exits. */
bool procmaps__same_root(pid_t pid);
/*
 * Call fn for each executable mapping of a file (an absolute path) in
 * pid's maps, until fn returns non-zero; lines too long or malformed
 * are skipped. Returns fn's non-zero return, 0 at the end, or -errno:
 * -ESRCH when the process is gone (before or while reading), -EIO,
 * -ENOMEM.
 */
int procmaps__each_code(pid_t pid, int (*fn)(void *ctx, struct maps_entry *e),
			void *ctx);
/*
 * A path to the very file mapped at e (its inode), for a process that
 * sees our root (sameroot) or through /proc/PID/root, else (a file
 * deleted, a memfd, another file renamed over the path) through
 * /proc/PID/map_files. 0 with path filled; -ESTALE not reachable
 * (p_debug), -ENAMETOOLONG. A deleted file's e->path loses its suffix.
 */
int procmaps__reach(pid_t pid, bool sameroot, struct maps_entry *e,
		    char *path, size_t size);

#endif
