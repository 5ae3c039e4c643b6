// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --hold-new: continuing held processes, and the watchdog (hold.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "../bpf/pyaudit.h"
#include "hold.h"
#include "log.h"

void hold__release(int held_fd, pid_t pid)
{
	__u32 key = (__u32)pid;

	if (kill(pid, SIGCONT) && errno != ESRCH)
		p_warn("cannot continue process %d held at a new file: %s "
		       "(kill -CONT %d)", (int)pid, strerror(errno), (int)pid);
	bpf_map_delete_elem(held_fd, &key);
}

int hold__release_all(int held_fd)
{
	__u32 key, next;
	int n = 0;

	/* Deleting while iterating restarts the walk: take the first key
	 * each time. Bounded by the map's size, plus some for races. */
	for (int i = 0; i < 2 * PA_HELD_MAX &&
			!bpf_map_get_next_key(held_fd, NULL, &next); i++) {
		key = next;
		kill((pid_t)key, SIGCONT);
		bpf_map_delete_elem(held_fd, &key);
		n++;
	}
	return n;
}

/* Close every descriptor but a and b:
 * the watchdog must hold no BPF link, or the watchers would outlive
 * pyaudit and stop processes that nobody continues. */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	DIR *d;

#ifdef SYS_close_range
	if (!syscall(SYS_close_range, 0, lo - 1, 0) &&
	    (hi == lo + 1 || !syscall(SYS_close_range, lo + 1, hi - 1, 0)) &&
	    !syscall(SYS_close_range, hi + 1, ~0U, 0))
		return;
#endif
	d = opendir("/proc/self/fd");
	if (!d)
		_exit(1);	/* cannot be sure: better no watchdog */
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != lo && fd != hi && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

int hold__start_watchdog(int held_fd)
{
	int p[2], i;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid > 0) {		/* pyaudit keeps the write end until it ends */
		close(p[0]);
		return 0;
	}
	/* The watchdog: survives Ctrl-C and systemd's SIGTERM to the
	 * group, waits for pyaudit's end (EOF), then continues what is
	 * still held. */
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP && i != SIGCHLD)
			signal(i, SIG_IGN);
	close(p[1]);
	close_others(p[0], held_fd);
	setsid();	/* out of pyaudit's process group: kill -- -PGID */
	prctl(PR_SET_NAME, "pyaudit-hold", 0, 0, 0);
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	hold__release_all(held_fd);
	_exit(0);
}
