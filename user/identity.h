/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Who a process is (issue 14): the processes running at start-up, listed
 * by the BPF task iterator and read from /proc into the process cache;
 * the exec records come to proc_cache__put_exec through their ring. And
 * exec_id, the name of one execution of a program on a host.
 */
#ifndef PA_IDENTITY_H
#define PA_IDENTITY_H

#include <stdint.h>
#include <sys/types.h>
#include <bpf/libbpf.h>
#include "proc.h"
#include "strbuf.h"

/* Hex digits of the boot id in exec_id: 64 random bits per boot. */
#define BOOT_ID_HEX 16

/*
 * Run the task iterator link (iter/task, bpf/identity.bpf.h) once and
 * put every process it lists into c. Returns how many, or -errno.
 */
int identity__scan(struct bpf_link *iter, struct proc_cache *c);

/* The first BOOT_ID_HEX hex digits of the boot id (a UUID, host.h;
 * dashes dropped) in out; 0, or -EINVAL (out is then all zeros). */
int identity__boot_prefix(const char *uuid, char out[BOOT_ID_HEX + 1]);

/*
 * exec_id: "<boot>-<pid>-<start_ns>-<exec_seq>", the boot id's first
 * 16 hex digits, the process id, its start time (CLOCK_BOOTTIME ns, the
 * kernel's start_boottime) and its exec sequence (self_exec_id, +1 at
 * each execve). Unique on the host across pid reuse (no two processes of
 * one pid start in the same nanosecond) and across an exec without fork;
 * across reboots by the boot id.
 */
void identity__exec_id(struct sb *b, const char *boot, pid_t pid,
		       uint64_t start_ns, uint32_t exec_seq);

#endif
