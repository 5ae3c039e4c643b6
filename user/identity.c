// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Who a process is: see identity.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "identity.h"
#include "log.h"

int identity__boot_prefix(const char *uuid, char out[BOOT_ID_HEX + 1])
{
	int i = 0;

	for (; *uuid && i < BOOT_ID_HEX; uuid++) {
		if ((*uuid >= '0' && *uuid <= '9') || (*uuid >= 'a' && *uuid <= 'f'))
			out[i++] = *uuid;
		else if (*uuid != '-')
			break;
	}
	if (i < BOOT_ID_HEX)
		memset(out, '0', BOOT_ID_HEX);
	out[BOOT_ID_HEX] = '\0';
	return i == BOOT_ID_HEX ? 0 : -EINVAL;
}

void identity__exec_id(struct sb *b, const char *boot, pid_t pid,
		       uint64_t start_ns, uint32_t exec_seq)
{
	sb_puts(b, boot);
	sb_putc(b, '-');
	sb_u64(b, (uint32_t)pid);
	sb_putc(b, '-');
	sb_u64(b, start_ns);
	sb_putc(b, '-');
	sb_u64(b, exec_seq);
}
