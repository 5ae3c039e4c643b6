/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --hold-new: processes stopped by the watchers (bpf/watch.bpf.h) at a
 * file not seen before are continued by pyaudit once the file is handled
 * (attach.c). This is the guard for the other case: a watchdog process
 * that outlives pyaudit and continues every process still held when
 * pyaudit ends in any way (a crash, SIGKILL), so that no process of the
 * host is left stopped because pyaudit was there.
 */
#ifndef PA_HOLD_H
#define PA_HOLD_H

#include <sys/types.h>

/* Start the watchdog over the held_pids map (fd): 0 or -errno. */
int hold__start_watchdog(int held_fd);
/* Continue one process held for a notice and forget it. */
void hold__release(int held_fd, pid_t pid);
/* Continue every process in the map (and empty it); the number. */
int hold__release_all(int held_fd);

#endif
