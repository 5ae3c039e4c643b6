/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command gate: the command after "--" is forked at once (so that
 * its pid can be filtered on) but waits on a pipe until the probes are
 * attached, so that its first events are not missed.
 */
#ifndef PA_GATE_H
#define PA_GATE_H

#include <sys/types.h>

/* Fork argv, held at the gate. The child's pid, or -1 (reported). */
pid_t gate__start(char **argv);
/* Let the command run (once; later calls do nothing). */
void gate__release(void);
/* pyaudit failed: a command still at the gate exits 127 without running,
 * one already released is sent SIGTERM (never left running untraced);
 * then reaped. */
void gate__abort(pid_t child);
/* pyaudit's exit code for the command's wait status: its own exit
 * code, or 128 + the signal that ended it. */
int gate__exit_code(int status, int otherwise);

#endif
