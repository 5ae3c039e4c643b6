/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kernel's BPF features pyaudit needs, probed at start-up. */
#ifndef PA_KFEATURES_H
#define PA_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Probe each map type, helper and program type the BPF programs use
 * (libbpf's feature probes, and a program loaded at a tp_btf target: a
 * tiny map or program is loaded), never guessing from the
 * kernel's version, so that distribution kernels with backports work.
 * Writes the missing ones, comma-separated, to buf; returns how many are
 * missing (0 when a probe cannot tell: the load then says why).
 */
int kfeatures__missing(char *buf, size_t size);

/* Does the kernel have uprobe-multi links with a working pid filter
 * (6.7; user/uprobe.h says why pyaudit wants them)? */
bool kfeatures__uprobe_multi(void);

#endif
