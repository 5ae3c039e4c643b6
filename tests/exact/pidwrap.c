// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pidwrap PID: fork (and reap) until the kernel has handed out the last
 * free pid below PID (the pids between are in use: the caller itself, as
 * a rule), so that the caller's next fork most likely gets PID again. The exact comparison (issue 18, tests/exact/mixed.py --reuse)
 * forces with it what long runs on a busy machine do by chance: a pid
 * reused by a later child of the same process. The kernel hands out pids
 * in turn (alloc_pid, idr_alloc_cyclic) up to kernel.pid_max: a turn is
 * pid_max forks at most (about 2 s here with vfork).
 *
 * Exits 0 when that pid came up, 1 when it did not within two
 * turns (another process took it, or PID is the first of a turn), 2 on a
 * usage or fork error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long n = 0;

	if (!f)
		return 4194304;		/* PID_MAX_LIMIT on 64-bit */
	if (fscanf(f, "%ld", &n) != 1 || n <= 0)
		n = 4194304;
	fclose(f);
	return n;
}

/* Are pids p+1 .. target-1 all in use? /proc/N is there for a thread
 * id too (not listed, but found). */
static int in_use_up_to(long p, long target)
{
	char path[32];

	if (p >= target || target - p > 64)
		return 0;
	for (long q = p + 1; q < target; q++) {
		snprintf(path, sizeof(path), "/proc/%ld", q);
		if (access(path, F_OK))
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	long target, turns, i;
	char *end;
	pid_t p;

	if (argc != 2) {
		fprintf(stderr, "usage: pidwrap PID\n");
		return 2;
	}
	target = strtol(argv[1], &end, 10);
	if (*end || target < 2) {
		fprintf(stderr, "pidwrap: %s: not a pid\n", argv[1]);
		return 2;
	}
	turns = 2 * pid_max();
	for (i = 0; i < turns; i++) {
		/* vfork: no copy of the page tables, a few µs a pid */
		p = vfork();
		if (p < 0) {
			fprintf(stderr, "pidwrap: fork: %s\n", strerror(errno));
			return 2;
		}
		if (!p)
			_exit(0);
		waitpid(p, NULL, 0);
		if (in_use_up_to(p, target))
			return 0;
	}
	return 1;
}
