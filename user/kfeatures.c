// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kfeatures.c: the kernel's BPF features pyaudit needs, probed at
 * start-up, so that a kernel without them gets a message naming them
 * rather than libbpf's "failed to create map: Invalid argument".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kfeatures.h"
#include "uprobe.h"

struct feature {
	int map;		/* a map type, or -1 */
	int helper;		/* a helper for kprobe programs, or -1 */
	const char *name;	/* with the mainline release that added it */
	int tp_btf;		/* 1: BTF-typed raw tracepoint programs */
};

static const struct feature features[] = {
	{ BPF_MAP_TYPE_RINGBUF, -1, "ring buffer maps (Linux 5.8)", 0 },
	{ BPF_MAP_TYPE_TASK_STORAGE, -1, "task storage maps (5.11)", 0 },
	{ -1, BPF_FUNC_probe_read_user, "bpf_probe_read_user (5.5)", 0 },
	{ -1, BPF_FUNC_get_current_task_btf, "bpf_get_current_task_btf (5.11)", 0 },
	{ -1, BPF_FUNC_task_storage_get, "bpf_task_storage_get in tracing programs (5.11)", 0 },
	{ -1, BPF_FUNC_get_attach_cookie, "bpf_get_attach_cookie (5.15)", 0 },
	{ -1, BPF_FUNC_loop, "bpf_loop (5.17)", 0 },
	{ -1, -1, "tp_btf programs at sched_process_exec (5.5)", 1 },
};

/*
 * The tp_btf programs (fork, exit and exec of a process) are
 * BPF_PROG_TYPE_TRACING programs attached to a BTF-described raw
 * tracepoint (5.5). libbpf 1.1's helper probes cannot try that type (it
 * needs an attach target), so load "return 0" at the tracepoint
 * sched_process_exec: 1 when the kernel takes it, 0 when it refuses it,
 * -1 when the probe cannot tell (no vmlinux BTF to name the target: the
 * caller already says so).
 */
static int probe_tp_btf(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = BPF_TRACE_RAW_TP);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id, fd;

	if (!vmlinux)
		return -1;
	id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_process_exec",
				    BTF_KIND_TYPEDEF);
	btf__free(vmlinux);
	if (id <= 0)
		return 0;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int kfeatures__missing(char *buf, size_t size)
{
	size_t i, len = 0;
	int n = 0, r;

	if (size)
		buf[0] = 0;
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature *f = &features[i];

		if (f->tp_btf)
			r = probe_tp_btf();
		else if (f->map >= 0)
			r = libbpf_probe_bpf_map_type(f->map, NULL);
		else
			r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, f->helper, NULL);
		if (r != 0)	/* 1: there; < 0: the probe cannot tell */
			continue;
		n++;
		if (len < size)
			len += snprintf(buf + len, size - len, "%s%s",
					n > 1 ? ", " : "", f->name);
	}
	return n;
}

/*
 * uprobe-multi links (Linux 6.6; their pid filter was fixed in 6.7,
 * which makes a bad pid EINVAL before the path is looked at): a
 * program of that attach type on "/" must fail with EBADF (the path is
 * not a regular file), and with pid -1 with EINVAL. Anything else: no.
 * PYAUDIT_NO_UPROBE_MULTI=1 says no, to try the fallback.
 */
bool kfeatures__uprobe_multi(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, lo,
		    .expected_attach_type = (enum bpf_attach_type)48);
	const char *no = getenv("PYAUDIT_NO_UPROBE_MULTI");
	int prog, bad_path, bad_pid;

	if (no && *no && strcmp(no, "0"))
		return false;
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &lo);
	if (prog < 0)
		return false;
	bad_path = uprobe__link_create(prog, "/", 0, 0, 0);
	bad_pid = uprobe__link_create(prog, "/", 0, 0, (__u32)-1);
	if (bad_path >= 0)
		close(bad_path);
	if (bad_pid >= 0)
		close(bad_pid);
	close(prog);
	return bad_path == -EBADF && bad_pid == -EINVAL;
}
