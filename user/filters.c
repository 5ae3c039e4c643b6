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
	ro->filter_tids = o->ntids > 0;
	ro->filter_comms = o->ncomms > 0;
	ro->filter_cgroups = o->ncgroups > 0 || o->ncontainers > 0;
	ro->summary_mode = o->summary && !o->summary_records;
	ro->n_globs = o->nglobs;
	ro->have_include = o->have_include;
	for (int i = 0; i < o->nglobs; i++) {
		memcpy((char *)ro->globs[i], o->globs[i], PA_GLOB_LEN);
		ro->glob_len[i] = strlen(o->globs[i]);
		ro->glob_exclude[i] = o->glob_exclude[i];
		ro->glob_cbit[i] = o->glob_cbit[i];
		ro->glob_action[i] = o->glob_action[i];
		if (o->glob_cbit[i])
			ro->cbit_action[o->glob_cbit[i] - 1] = o->glob_action[i];
	}
	ro->n_actions = o->nactions;
	ro->action_dry_run = o->action_dry_run;
	ro->action_rate = o->action_rate;
	ro->n_conds = o->conds.n;
	for (int i = 0; i < o->conds.n; i++) {
		const struct arg_cond *c = &o->conds.v[i];

		memcpy((char *)ro->cond_glob[i], c->glob, PA_GLOB_LEN);
		ro->cond_len[i] = strlen(c->glob);
		ro->cond_bit[i] = c->bit;
		ro->cond_arg[i] = c->arg;
		ro->cond_elem[i] = c->elem;
		ro->cond_neg[i] = c->neg;
	}
	/* Wake the consumer each time another sixteenth of the buffer
	 * waits; below the first, it reads at its poll period (main.c,
	 * POLL_MS). Past an eighth, on every record: the back-pressure
	 * (event.bpf.h, wakeup_flags). */
	ro->wakeup_bytes = o->ring_size / 16;
	ro->lag_bytes = o->ring_size / 8;
	ro->frames_wanted = o->no_source ? 0 :
			    o->app_frame || o->folded ? PA_FRAMES_MAX : 1 + o->stack;
	ro->frames_tabled = 1 + o->stack;
	ro->walk_all_tables = o->walk_all_tables;
	ro->code_cache = o->code_entries != 0;
}

static int container_error(const char *arg, struct cgroup_matches *m, int err)
{
	if (err == -EINVAL)
		p_err("--container %s: give 12 to 64 hex digits of the id", arg);
	else if (err == -ENOENT)
		p_err("--container %s: no cgroup of that container (is it "
		      "running? give the id that docker ps or crictl ps shows)", arg);
	else if (err == -EEXIST)
		p_err("--container %s: that prefix names more than one container; "
		      "give more of the id", arg);
	else
		p_err("--container %s: searching the cgroup2 tree: %s", arg,
		      strerror(-err));
	for (size_t j = 0; err == -EEXIST && j < m->n; j++)
		if (!m->v[j].ignored)
			p_err("--container %s: %s (%s) at %s", arg, m->v[j].cid,
			      m->v[j].runtime, m->v[j].path);
	return err;
}

/* One cgroup of --container ARG into the filter map, or say why not. */
static int fill_match(int fd, const char *arg, const struct cgroup_match *cm)
{
	__u8 one = 1;

	if (cm->ignored) {
		p_warn("--container %s: ignored %s: it is in a cgroup delegated "
		       "to uid %u, whose user may name a cgroup as they like; "
		       "the root-owned one is used", arg, cm->path,
		       (unsigned int)cm->deleg_uid);
		return 0;
	}
	if (cm->depth >= PA_CGROUP_LEVELS_MAX) {
		p_err("--container %s: %s is %d levels deep, below the %d that "
		      "the kernel filter checks", arg, cm->path, cm->depth,
		      PA_CGROUP_LEVELS_MAX - 1);
		return -E2BIG;
	}
	if (cm->deleg_uid)
		p_warn("--container %s: %s is in a cgroup delegated to uid %u "
		       "(a rootless container, or a cgroup that user named so)",
		       arg, cm->path, (unsigned int)cm->deleg_uid);
	if (bpf_map_update_elem(fd, &cm->id, &one, BPF_ANY)) {
		int err = -errno;

		p_err("--container %s: %s not added to the cgroup filter (%d "
		      "entries for --cgroup and --container): %s", arg, cm->path,
		      PA_FILTER_IDS_MAX, strerror(-err));
		return err;
	}
	return 0;
}

static int fill_container(int fd, const char *arg)
{
	struct cgroup_matches m;
	int err;

	err = cgroup__find_container(arg, NULL, &m);
	if (!err && m.skipped)
		p_warn("--container %s: %zu cgroup directories too deep (or "
		       "their paths too long) were not searched", arg, m.skipped);
	if (!err)
		err = cgroup__pick_container(&m);
	if (err) {
		container_error(arg, &m, err);
		cgroup__matches_free(&m);
		return err;
	}
	for (size_t j = 0; !err && j < m.n; j++)
		err = fill_match(fd, arg, &m.v[j]);
	cgroup__matches_free(&m);
	return err;
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
		if (bpf_map_update_elem(fd, &id, &one, BPF_ANY)) {
			err = -errno;
			p_err("--cgroup %s: cannot add it to the filter (%d "
			      "cgroups at most, --container matches included): "
			      "%s", o->cgroups[i], PA_FILTER_IDS_MAX, strerror(-err));
			return err;
		}
	}
	for (int i = 0; i < o->ncontainers; i++) {
		int err = fill_container(fd, o->containers[i]);

		if (err)
			return err;
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
	fd = bpf_map__fd(skel->maps.tid_filter);
	for (int i = 0; i < o->ntids; i++)
		bpf_map_update_elem(fd, &o->tids[i], &one, BPF_ANY);
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
