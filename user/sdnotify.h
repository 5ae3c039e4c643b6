/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The systemd notification protocol without libsystemd (sd_notify(3),
 * NOTES: "the protocol is stable and should be considered the API"): one
 * datagram of NEWLINE-separated VAR=VALUE lines to the AF_UNIX socket
 * named by $NOTIFY_SOCKET (a leading '@': the abstract namespace); the
 * kernel attaches the sender's credentials. READY=1 once the probes are
 * attached (Type=notify), STATUS= a line for systemctl status,
 * WATCHDOG=1 every half of $WATCHDOG_USEC, STOPPING=1 at the end.
 */
#ifndef PA_SDNOTIFY_H
#define PA_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Take $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID from the
 * environment and remove them from it, so that a command pyaudit starts
 * does not speak for the service. Returns true when a socket is set.
 */
bool sdnotify__init(void);
/* Send state (e.g. "READY=1\nSTATUS=..."). 0 (also when no socket is
 * set), or -errno, warned once. */
int sdnotify__send(const char *state);
/* The watchdog's period in microseconds, 0 when none was asked for. */
uint64_t sdnotify__watchdog_usec(void);

#endif
