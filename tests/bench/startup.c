// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Time from the start of a tracer until its ready line on stderr (a line
 * that begins with PREFIX), for scripts/bench.sh.
 *
 * Usage: startup [-i] [-w MS] [-T TIMEOUT_MS] PREFIX -- COMMAND [ARGS...]
 *   -i  once the line is seen, wait MS milliseconds (-w, default 0), read
 *       the tracer's peak RSS (VmHWM) and send it SIGINT
 *   -T  give up after this long without the line (default 30000)
 * The command's stdout goes to /dev/null; its stderr is read here.
 * Prints: "ready_ms=R exit_ms=E hwm_kb=H status=S", where exit_ms is the
 * time from the ready line (or from SIGINT with -i) to the command's end
 * and hwm_kb is 0 without -i; then the ready line itself. Exits 1 when
 * the line never came.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long vm_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	int opt, interrupt = 0, fds[2], status = 0;
	long wait_ms = 0, timeout_ms = 30000, hwm = 0;
	const char *prefix;
	char buf[65536], line[1024] = "";
	size_t have = 0;
	double t0, t_ready = -1, t_mark = -1, t_end;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+iw:T:")) != -1) {
		switch (opt) {
		case 'i': interrupt = 1; break;
		case 'w': wait_ms = atol(optarg); break;
		case 'T': timeout_ms = atol(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		goto usage;
	prefix = argv[optind];
	if (pipe2(fds, O_CLOEXEC))
		return 1;

	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(fds[1], 2);
		execvp(argv[optind + 2], argv + optind + 2);
		_exit(127);
	}
	close(fds[1]);

	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		double left = t_ready < 0 ? timeout_ms - (now_ms() - t0) : 60000;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			fprintf(stderr, "startup: no line starting with '%s' after %ld ms\n",
				prefix, timeout_ms);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return 1;
		}
		if (t_ready >= 0)
			have = 0;	/* after the line: drain */
		n = read(fds[0], buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (t_ready >= 0)
			continue;
		have += n;
		buf[have] = 0;
		/* complete lines: is one of them the ready line? */
		for (char *l = buf, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
			if (!strncmp(l, prefix, strlen(prefix))) {
				t_ready = now_ms();
				snprintf(line, sizeof(line), "%.*s", (int)(nl - l), l);
				break;
			}
			if (!nl[1]) {
				have = 0;
				break;
			}
		}
		/* keep a partial line, unless it fills the buffer */
		if (t_ready < 0 && have) {
			char *last = strrchr(buf, '\n');

			if (last) {
				have -= last + 1 - buf;
				memmove(buf, last + 1, have + 1);
			}
			if (have >= sizeof(buf) - 1)
				have = 0;
		}
		if (t_ready >= 0) {
			t_mark = t_ready;
			if (interrupt) {
				if (wait_ms)
					usleep(wait_ms * 1000);
				hwm = vm_hwm_kb(pid);
				t_mark = now_ms();
				kill(pid, SIGINT);
			}
		}
	}
	waitpid(pid, &status, 0);
	t_end = now_ms();
	if (t_ready < 0) {
		fprintf(stderr, "startup: the command ended without a line starting with '%s'\n",
			prefix);
		return 1;
	}
	printf("ready_ms=%.1f exit_ms=%.1f hwm_kb=%ld status=%d\n", t_ready - t0,
	       t_end - t_mark, hwm,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	printf("%s\n", line);
	return 0;
usage:
	fprintf(stderr, "usage: startup [-i] [-w MS] [-T TIMEOUT_MS] PREFIX -- COMMAND [ARGS...]\n");
	return 2;
}
