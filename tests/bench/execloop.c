// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * scripts/bench-newfiles.sh: spawn each program named on the command
 * line ROUNDS times in turn (posix_spawn, then wait), and print the mean
 * microseconds per spawn and wait. With distinct copies of one program,
 * each file is new the first time it runs.
 *   execloop ROUNDS PROGRAM...
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	long rounds = argc > 2 ? atol(argv[1]) : 0, n = 0;
	double t0;

	if (rounds <= 0) {
		fprintf(stderr, "usage: execloop ROUNDS PROGRAM...\n");
		return 2;
	}
	t0 = now_us();
	for (long r = 0; r < rounds; r++) {
		for (int i = 2; i < argc; i++) {
			char *args[] = { argv[i], NULL };
			pid_t pid;
			int st;

			if (posix_spawn(&pid, argv[i], NULL, NULL, args, environ) ||
			    waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
				fprintf(stderr, "execloop: %s failed\n", argv[i]);
				return 1;
			}
			n++;
		}
	}
	printf("%.1f\n", (now_us() - t0) / n);
	return 0;
}
