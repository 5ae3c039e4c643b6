/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * uprobe-multi links (Linux 6.6+), made with the bpf() syscall because
 * libbpf 1.1 (Debian 12) has no bpf_program__attach_uprobe_multi, and
 * the destruction of many links at once. Why: a perf-event uprobe takes
 * about 0.1 s to remove (an RCU grace period under the kernel's
 * event_mutex, so one at a time: 1,000 uprobes took 100 s to remove on
 * 6.18), while uprobe-multi links wait for their grace periods side by
 * side: 1,000 removed in 0.5 s from 128 threads (docs/performance.md).
 */
#ifndef PA_UPROBE_H
#define PA_UPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct bpf_program;

/* Load prog as a uprobe-multi program (before the object is loaded):
 * it can then be attached with uprobe__attach_multi() only. */
int uprobe__set_multi(struct bpf_program *prog);

/* One uprobe-multi link of the program prog_fd (loaded as such) at file
 * offset off of path, with cookie, in process pid (0: every process).
 * Returns the link's fd or -errno. */
int uprobe__link_create(int prog_fd, const char *path, __u64 off,
			__u64 cookie, __u32 pid);

/* Close the link fds (-1: none), many at a time (threads), and set
 * each to -1; meanwhile(ctx) runs in the calling thread while they wait
 * (the links that cannot be closed so, libbpf's perf-event ones). */
void uprobe__close_links(int *fds, size_t n, void (*meanwhile)(void *),
			 void *ctx);

#endif
