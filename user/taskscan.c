// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The processes running at start-up, from the task iterator
 * (identity.bpf.h): identity__scan (identity.h). Its own file, apart
 * from identity.c's pure functions, because it needs libbpf (the fuzz
 * targets link identity.c's exec_id without libbpf).
 */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "identity.h"

int identity__scan(struct bpf_link *iter, struct proc_cache *c)
{
	struct pa_task t;
	size_t got = 0;
	int fd, n = 0;
	ssize_t r;

	if (!iter)
		return -ENOENT;
	fd = bpf_iter_create(bpf_link__fd(iter));
	if (fd < 0)
		return -errno;
	/* bpf_seq_write() writes whole records; a read may end mid-record */
	for (;;) {
		r = read(fd, (char *)&t + got, sizeof(t) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
		if (got < sizeof(t))
			continue;
		got = 0;
		proc_cache__put_task(c, &t);
		n++;
	}
	if (r < 0)
		n = -errno;
	close(fd);
	return n;
}
