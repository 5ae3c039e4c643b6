/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The host, for a fleet's central store (issue 14): its name ($NODE_NAME,
 * Kubernetes' downward API, else uname's nodename), machine id
 * (/etc/machine-id, machine-id(5)) and boot id
 * (/proc/sys/kernel/random/boot_id, random at each boot, not namespaced).
 * A {"type":"host"} record begins each output file; events carry the
 * name ("node") and exec_id the boot id's first 16 hex digits.
 */
#ifndef PA_HOST_H
#define PA_HOST_H

#include <stdint.h>
#include "strbuf.h"

struct host {
	char name[256];
	char machine_id[33];	/* "" when unreadable or malformed */
	char boot_id[37];	/* "" when unreadable */
};

/* Read it; root: prefix of the files read ("" or NULL: /), for tests. */
void host__read(struct host *h, const char *root);
/* "hostname":...,"machine_id":...,"boot_id":... (no braces) */
void host__members(struct sb *b, const struct host *h);
/* {"type":"host","time":...,<members>}\n */
void host__json(struct sb *b, int64_t time_ns, const struct host *h);

#endif
