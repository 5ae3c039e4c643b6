// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * uprobe-multi links and their destruction in parallel (see uprobe.h).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "uprobe.h"

/* Not in Debian 12's linux/bpf.h (6.1): the values of Linux 6.6. */
#define PA_TRACE_UPROBE_MULTI 48

/* The BPF_LINK_CREATE part of union bpf_attr for uprobe-multi (6.6),
 * padded to the size of the kernel's union. */
union pa_link_attr {
	struct {
		__u32 prog_fd;
		__u32 target_fd;
		__u32 attach_type;
		__u32 flags;
		__aligned_u64 path;
		__aligned_u64 offsets;
		__aligned_u64 ref_ctr_offsets;
		__aligned_u64 cookies;
		__u32 cnt;
		__u32 flags2;	/* uprobe_multi.flags */
		__u32 pid;
	};
	__u8 pad[160];
};

/* At most this many threads close links at the same time: each waits
 * for grace periods that the others share (1,000 links: 0.54 s from
 * 128 threads on an idle VM, 2.2 s from 32; more under load). */
#define CLOSE_THREADS 512

int uprobe__set_multi(struct bpf_program *prog)
{
	return bpf_program__set_expected_attach_type(prog,
			(enum bpf_attach_type)PA_TRACE_UPROBE_MULTI);
}

int uprobe__link_create(int prog_fd, const char *path, __u64 off,
			__u64 cookie, __u32 pid)
{
	union pa_link_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.attach_type = PA_TRACE_UPROBE_MULTI;
	a.path = (__u64)(unsigned long)path;
	a.offsets = (__u64)(unsigned long)&off;
	a.cookies = (__u64)(unsigned long)&cookie;
	a.cnt = 1;
	a.pid = pid;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

struct closer {
	int *fds;
	size_t n, first, step;
};

static void *close_some(void *arg)
{
	struct closer *c = arg;

	for (size_t i = c->first; i < c->n; i += c->step) {
		if (c->fds[i] >= 0)
			close(c->fds[i]);
		c->fds[i] = -1;
	}
	return NULL;
}

void uprobe__close_links(int *fds, size_t n, void (*meanwhile)(void *),
			 void *ctx)
{
	struct closer c[CLOSE_THREADS];
	pthread_t th[CLOSE_THREADS];
	bool started[CLOSE_THREADS] = {};
	size_t nth = 0;
	pthread_attr_t attr;

	for (size_t i = 0; i < n; i++)
		nth += fds[i] >= 0;
	if (nth > CLOSE_THREADS)
		nth = CLOSE_THREADS;
	if (!nth) {
		meanwhile(ctx);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (size_t t = 0; t < nth; t++) {
		c[t] = (struct closer){ .fds = fds, .n = n, .first = t, .step = nth };
		started[t] = !pthread_create(&th[t], &attr, close_some, &c[t]);
	}
	pthread_attr_destroy(&attr);
	meanwhile(ctx);
	for (size_t t = 0; t < nth; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			close_some(&c[t]);	/* no thread: here, one by one */
	}
}
