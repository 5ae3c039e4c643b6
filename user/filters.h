/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The filters of the command line, handed to the BPF programs: the
 * constants in .rodata before loading, the maps after.
 */
#ifndef PA_FILTERS_H
#define PA_FILTERS_H

#include <sys/types.h>
#include "opts.h"

struct pyaudit_bpf;

/* Set the .rodata knobs (between open and load): which filters are on,
 * the event globs, summary mode, frames wanted, the wakeup mark. */
void filters__configure(struct pyaudit_bpf *skel, const struct opts *o);
/* Fill the uid, comm and cgroup filter maps (after load). 0, or -errno
 * with the error reported. */
int filters__fill_maps(struct pyaudit_bpf *skel, const struct opts *o);
/* Trace the -p processes and the command's (child > 0); their children
 * are added by the BPF fork follower. */
void filters__trace_pids(struct pyaudit_bpf *skel, const struct opts *o,
			 pid_t child);

#endif
