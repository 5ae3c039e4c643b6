/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Finding target files: every Python on the host, the ones a process
 * maps, the one a command will run. Results are deduplicated by file
 * identity (device, inode). No popen, no ldd: /proc and ELF only.
 */
#ifndef PA_DISCOVER_H
#define PA_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "target.h"

struct fileset;

struct target_list {
	struct target *v;
	size_t n, cap;
	/* Files (in the state they were in) that were analysed and
	 * rejected: later scans skip them silently (a bad file is reported
	 * once, and analysed again only once it changed). */
	struct fileset *rejected;
};

/* Analyse path and add it unless its (dev, ino) is already there.
 * Returns 1 added, 0 duplicate, <0 error (reason in err). */
int discover__add_path(struct target_list *l, const char *path,
		       char *err, size_t errlen);
/* Every python executable / libpython mapped by a running process (read
 * through /proc/PID/root/...) plus the usual install locations. Files
 * that are not usable Pythons are skipped (reported with p_debug). */
int discover__system(struct target_list *l);
/* Only the Pythons that running processes map (the second half of
 * discover__system): 0 or -ENOMEM. */
int discover__processes(struct target_list *l);
/* The Pythons process pid executes or maps, by content, whatever their
 * names. */
int discover__pid(struct target_list *l, pid_t pid);
/*
 * A watcher's notice (bpf/watch.bpf.h): process pid executed (exec) or
 * maps the file (dev, ino). Analyse it there and add it if it is a
 * Python. 1 it is a target (now or before), 0 it is not a Python (or
 * cannot be traced: reported), -EAGAIN not mapped yet (the notice comes
 * at mmap's entry), -ESRCH the process is gone, other -errno.
 */
int discover__notice(struct target_list *l, pid_t pid, dev_t dev, ino_t ino,
		     bool exec);
/* What `argv0` will run: PATH lookup, #! interpreters (also
 * `#!/usr/bin/env python3`), and the libpython it links (DT_NEEDED via
 * RUNPATH/RPATH with $ORIGIN, LD_LIBRARY_PATH, ld.so.conf dirs, default
 * dirs). Returns the number of targets added (0: none found), or
 * -EPROTONOSUPPORT when none was and a CPython found there cannot be
 * traced (a warning said which and why). */
int discover__command(struct target_list *l, const char *argv0);
void target_list__free(struct target_list *l);

/* Does this file name look like a Python executable or a libpython? */
bool discover__is_python_name(const char *basename);

#endif
