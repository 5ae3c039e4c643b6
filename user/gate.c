// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The command gate. The child blocks in read() on a close-on-exec pipe;
 * one byte lets it exec the command, end of file (pyaudit failed before
 * attaching, its end of the pipe closed) makes it exit 127 without
 * running anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate.h"
#include "log.h"

static int go_pipe[2] = { -1, -1 };

pid_t gate__start(char **argv)
{
	pid_t pid;

	if (pipe2(go_pipe, O_CLOEXEC)) {
		p_err("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		p_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char c;

		close(go_pipe[1]);
		if (read(go_pipe[0], &c, 1) != 1)
			_exit(127);	/* pyaudit failed before attaching */
		execvp(argv[0], argv);
		fprintf(stderr, "pyaudit: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go_pipe[0]);
	return pid;
}

void gate__release(void)
{
	if (go_pipe[1] >= 0) {
		if (write(go_pipe[1], "g", 1) != 1)
			p_warn("cannot start the command: %s", strerror(errno));
		close(go_pipe[1]);
		go_pipe[1] = -1;
	}
}

void gate__abort(pid_t child)
{
	if (child <= 0)
		return;
	if (go_pipe[1] >= 0) {
		/* End of file at the gate: the child exits 127 unrun. */
		close(go_pipe[1]);
		go_pipe[1] = -1;
	} else if (!kill(child, SIGTERM)) {
		p_warn("stopping the command (pid %d): pyaudit failed, it "
		       "would run untraced", (int)child);
	}
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

int gate__exit_code(int status, int otherwise)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return otherwise;
}
