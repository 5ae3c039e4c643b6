/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The capabilities pyaudit needs, named in its errors: CAP_BPF and
 * CAP_PERFMON to load its programs (kernel 5.8+; CAP_SYS_ADMIN alone does
 * too), CAP_SYS_ADMIN to create
 * uprobes (perf_event_open refuses them with EACCES without it, seen on
 * 6.18 with CAP_BPF and CAP_PERFMON held).
 */
#ifndef PA_CAPS_H
#define PA_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* Is cap (CAP_BPF ...) in our effective set? */
bool caps__have(int cap);
/* The names of the capabilities among CAP_BPF, CAP_PERFMON (load) and,
 * with probes, CAP_SYS_ADMIN that we lack, "A and B", in buf; false when
 * none is missing. */
bool caps__missing(bool probes, char *buf, size_t len);

#endif
