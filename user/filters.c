// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF configuration of the filters. A filter that is off costs
 * nothing in BPF: its .rodata flag is a constant the verifier prunes on.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pyaudit.skel.h"
#include "cgroup.h"
#include "filters.h"
#include "log.h"

void filters__configure(struct pyaudit_bpf *skel, const struct opts *o)
{
	struct pyaudit_bpf__rodata *ro = skel->rodata;

	ro->filter_pids = o->npids > 0 || o->command;
	ro->filter_uids = o->nuids > 0;
	ro->filter_comms = o->ncomms > 0;
	ro->filter_cgroups = o->ncgroups > 0 || o->ncontainers > 0;
	ro->summary_mode = o->summary;
	ro->n_globs = o->nglobs;
	ro->have_include = o->have_include;
	for (int i = 0; i < o->nglobs; i++) {
		memcpy((char *)ro->globs[i], o->globs[i], PA_GLOB_LEN);
		ro->glob_len[i] = strlen(o->globs[i]);
		ro->glob_exclude[i] = o->glob_exclude[i];
	}
	/* Wake the consumer when a sixteenth of the buffer waits; below
	 * that, it reads at its poll period (main.c, POLL_MS). */
	ro->wakeup_bytes = o->ring_size / 16;
	ro->frames_wanted = o->no_source ? 0 : 1 + o->stack;
	ro->walk_all_tables = o->walk_all_tables;
}

static int fill_cgroups(int fd, const struct opts *o)
{
	__u8 one = 1;

	for (int i = 0; i < o->ncgroups; i++) {
		uint64_t id;
		int err = cgroup__id_of_path(o->cgroups[i], &id);

		if (err) {
			p_err("--cgroup %s: %s: give a cgroup v2 directory, e.g. "
			      "/sys/fs/cgroup/system.slice/app.service",
			      o->cgroups[i], strerror(-err));
			return err;
		}
		bpf_map_update_elem(fd, &id, &one, BPF_ANY);
	}
	for (int i = 0; i < o->ncontainers; i++) {
		uint64_t ids[PA_FILTER_IDS_MAX];
		int n = cgroup__ids_of_container(o->containers[i], ids,
						 PA_FILTER_IDS_MAX);

		if (n <= 0) {
			p_err("--container %s: %s", o->containers[i],
			      n == -EINVAL ? "give at least 12 hex digits of the id" :
			      "no cgroup of that container (is it running?)");
			return n ? n : -ENOENT;
		}
		for (int j = 0; j < n; j++)
			bpf_map_update_elem(fd, &ids[j], &one, BPF_ANY);
	}
	return 0;
}

int filters__fill_maps(struct pyaudit_bpf *skel, const struct opts *o)
{
	__u8 one = 1;
	int fd;

	fd = bpf_map__fd(skel->maps.uid_filter);
	for (int i = 0; i < o->nuids; i++)
		bpf_map_update_elem(fd, &o->uids[i], &one, BPF_ANY);
	fd = bpf_map__fd(skel->maps.comm_filter);
	for (int i = 0; i < o->ncomms; i++)
		bpf_map_update_elem(fd, o->comms[i], &one, BPF_ANY);
	return fill_cgroups(bpf_map__fd(skel->maps.cgroup_filter), o);
}

void filters__trace_pids(struct pyaudit_bpf *skel, const struct opts *o,
			 pid_t child)
{
	__u8 one = 1;
	int fd = bpf_map__fd(skel->maps.traced_pids);

	for (int i = 0; i < o->npids; i++)
		bpf_map_update_elem(fd, &o->pids[i], &one, BPF_ANY);
	if (child > 0)
		bpf_map_update_elem(fd, &child, &one, BPF_ANY);
}
