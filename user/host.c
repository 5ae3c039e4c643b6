// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The host's identity: see host.h. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "host.h"
#include "jsonw.h"

/* The first line of root/path, if it is n characters of allowed. */
static void read_id(const char *root, const char *path, char *out, size_t n,
		    const char *allowed)
{
	char full[PATH_MAX], buf[64];
	ssize_t got;
	int fd;

	out[0] = '\0';
	snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < (ssize_t)n)
		return;
	if ((size_t)got > n && buf[n] != '\n')
		return;
	if (strspn(buf, allowed) < n)
		return;
	memcpy(out, buf, n);
	out[n] = '\0';
}

void host__read(struct host *h, const char *root)
{
	const char *node = getenv("NODE_NAME");
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (node && *node)
		snprintf(h->name, sizeof(h->name), "%s", node);
	else if (!uname(&u))
		snprintf(h->name, sizeof(h->name), "%s", u.nodename);
	read_id(root, "/etc/machine-id", h->machine_id, 32, "0123456789abcdef");
	read_id(root, "/proc/sys/kernel/random/boot_id", h->boot_id, 36,
		"0123456789abcdef-");
}

void host__members(struct sb *b, const struct host *h)
{
	struct jw j = { .b = b };	/* in an object opened by the caller */

	jw_key(&j, "hostname");
	jw_string(&j, h->name);
	if (h->machine_id[0]) {
		jw_key(&j, "machine_id");
		jw_string(&j, h->machine_id);
	}
	if (h->boot_id[0]) {
		jw_key(&j, "boot_id");
		jw_string(&j, h->boot_id);
	}
}

void host__json(struct sb *b, int64_t time_ns, const struct host *h)
{
	struct jw j = { .b = b };

	jw_begin_object(&j);
	jw_key(&j, "type");
	jw_string(&j, "host");
	jw_key(&j, "time");
	jw_time_ns(&j, time_ns);
	sb_putc(b, ',');
	host__members(b, h);
	sb_putc(b, '}');
	sb_putc(b, '\n');
}
