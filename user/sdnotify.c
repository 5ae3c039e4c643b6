// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sd_notify without libsystemd: see sdnotify.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "log.h"
#include "sdnotify.h"

static struct sockaddr_un addr;
static socklen_t addr_len;
static uint64_t watchdog_usec;
static bool warned;

bool sdnotify__init(void)
{
	const char *e = getenv("NOTIFY_SOCKET");
	const char *w = getenv("WATCHDOG_USEC");
	const char *wp = getenv("WATCHDOG_PID");
	size_t n;

	addr_len = 0;
	watchdog_usec = 0;
	/* WATCHDOG_PID, when set, says which process the watchdog is for
	 * (sd_watchdog_enabled(3)) */
	if (w && (!wp || strtol(wp, NULL, 10) == (long)getpid()))
		watchdog_usec = strtoull(w, NULL, 10);
	if (e && *e) {
		n = strlen(e);
		/* "vsock:" and other schemes of newer systemd: not spoken */
		if ((e[0] != '/' && e[0] != '@') || n >= sizeof(addr.sun_path))
			p_warn("NOTIFY_SOCKET=%s: not an AF_UNIX socket path: "
			       "systemd is not told when pyaudit is ready", e);
		else {
			memset(&addr, 0, sizeof(addr));
			addr.sun_family = AF_UNIX;
			memcpy(addr.sun_path, e, n);
			if (addr.sun_path[0] == '@')
				addr.sun_path[0] = '\0';
			addr_len = offsetof(struct sockaddr_un, sun_path) + n;
		}
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (!addr_len)
		watchdog_usec = 0;
	return addr_len != 0;
}

int sdnotify__send(const char *state)
{
	int fd, err = 0;

	if (!addr_len)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = -errno;
	else if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
			(struct sockaddr *)&addr, addr_len) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err && !warned) {
		warned = true;
		p_warn("cannot notify systemd (NOTIFY_SOCKET): %s", strerror(-err));
	}
	return err;
}

uint64_t sdnotify__watchdog_usec(void)
{
	return watchdog_usec;
}
