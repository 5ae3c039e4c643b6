// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The capabilities pyaudit needs (caps.h). */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"

bool caps__have(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

bool caps__missing(bool probes, char *buf, size_t len)
{
	static const struct {
		int cap;
		const char *name;
		bool probes;
	} need[] = {
		{ CAP_BPF, "CAP_BPF", false },
		{ CAP_PERFMON, "CAP_PERFMON", false },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN", true },
	};
	/* The kernel's bpf_capable() and perfmon_capable() also accept
	 * CAP_SYS_ADMIN (5.8+), as a container given only it does. */
	bool admin = caps__have(CAP_SYS_ADMIN);
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if ((need[i].probes && !probes) || admin || caps__have(need[i].cap))
			continue;
		if (n >= len)
			break;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			      n ? " and " : "", need[i].name);
	}
	return n > 0;
}
