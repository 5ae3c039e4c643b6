// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyaudit: trace CPython audit events (PEP 578) with eBPF.
 * Lifecycle: parse args, find targets, open, configure, load, attach,
 * start the command if any, poll the ring buffer (attaching to Pythons
 * that appear meanwhile), clean up.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "pyaudit.skel.h"
#include "consumer.h"
#include "discover.h"
#include "event_table.h"
#include "format.h"
#include "log.h"
#include "opts.h"
#include "output.h"
#include "proc.h"
#include "record.h"
#include "summary.h"
#include "target.h"

/* How long the consumer may sleep with events waiting: the bound on the
 * delay that batched wakeups add (docs/pyaudit.8, OVERHEAD). */
#define POLL_MS 50
/* A Python file noticed at mmap time: how long to look for it. */
#define NOTICE_RETRY_MS 1000
#define NOTICES_MAX 256
#define PROC_CACHE_MAX 4096

static struct opts env;
static volatile sig_atomic_t exiting;
static volatile sig_atomic_t reopen_output;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_verbose < 2)
		return 0;
	if (level != LIBBPF_DEBUG && log_verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void sig_handler(int sig)
{
	exiting = 1;
	signal(sig, SIG_DFL);	/* a second Ctrl-C kills */
}

/* SIGHUP: reopen the -o file (logrotate); without -o, a hangup ends. */
static void hup_handler(int sig)
{
	if (env.output)
		reopen_output = 1;
	else
		exiting = 1;
}

/* The reader of our pipe went away (pyaudit | head -1): end now, not at
 * the next event. */
static bool output_gone(struct output *o)
{
	struct pollfd p = { .fd = fileno(o->f), .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Root, or CAP_BPF + CAP_PERFMON (kernel 5.8+). */
static bool have_privileges(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return (data[1].effective & (1U << (CAP_BPF - 32))) &&
	       (data[1].effective & (1U << (CAP_PERFMON - 32)));
}

static int list_events(const char *glob)
{
	size_t n = event_table_count();

	for (size_t i = 0; i < n; i++) {
		const struct event_def *d = event_table_at(i);

		if (glob && fnmatch(glob, d->name, 0) != 0)
			continue;
		printf("%s", d->name);
		for (unsigned j = 0; j < d->nargs; j++)
			printf("%s%s", j ? ", " : " ", d->args[j]);
		printf("\n");
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------- */

struct notice {
	pid_t pid;
	struct pa_file_key key;
	__u64 first_ns;
};

enum { TRIED = 1, ATTACHED = 2 };

struct run {
	struct pyaudit_bpf *skel;
	struct target_list targets;
	unsigned char *attached;	/* per target: TRIED, ATTACHED */
	size_t attached_cap;
	unsigned n_attached, n_usdt, n_uprobes;
	bool system_wide;		/* attach to new Pythons as they appear */
	struct format_opts fmt;
	struct output out;
	struct proc_cache *procs;
	struct consumer consumer;	/* event records to output lines */
	size_t consumer_targets;	/* targets the consumer knows */
	int write_err;			/* first output error */
	struct notice notices[NOTICES_MAX];
	int nnotices;
};

static void handle_notice(struct run *r, const struct pa_mapped *m)
{
	if (!r->system_wide)
		return;
	if (r->nnotices == NOTICES_MAX) {
		p_warn("too many new Python files at once: process %u not "
		       "examined", m->pid);
		return;
	}
	r->notices[r->nnotices++] = (struct notice){
		.pid = m->pid,
		.key = { .dev = m->dev, .ino = m->ino },
		.first_ns = now_ns(),
	};
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	__u16 type;

	if (size < sizeof(type))
		return 0;
	memcpy(&type, data, sizeof(type));
	if (type == PA_REC_MAPPED && size >= sizeof(struct pa_mapped)) {
		struct pa_mapped m;

		memcpy(&m, data, sizeof(m));
		handle_notice(r, &m);
		return 0;
	}
	/* The target list only grows, and a target's records come after
	 * its layout was stored: tell the consumer of the new ones. */
	for (; r->consumer_targets < r->targets.n &&
	       r->consumer_targets < PA_TARGETS_MAX; r->consumer_targets++)
		consumer__set_target(&r->consumer, r->consumer_targets,
				     r->targets.v[r->consumer_targets].layout.ltab_format);
	consumer__event(&r->consumer, r->out.f, data, size);
	return 0;
}

static __u64 stat_sum(struct pyaudit_bpf *skel, __u32 idx)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 sum = 0, *vals;

	if (ncpus <= 0)
		return 0;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &idx, vals))
		for (int i = 0; i < ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

static const char *mech_name(const struct target *t)
{
	return t->mech == TARGET_MECH_USDT ? "usdt" : "uprobes";
}

static struct bpf_program *prog_for(struct pyaudit_bpf *skel, int source)
{
	switch (source) {
	case PA_SRC_SYS_AUDIT:
		return skel->progs.uprobe_sys_audit;
	case PA_SRC_VALIST:
		return skel->progs.uprobe_valist;
	case PA_SRC_VARARGS:
		return skel->progs.uprobe_varargs;
	case PA_SRC_VARARGS_TS:
		return skel->progs.uprobe_varargs_ts;
	}
	return NULL;
}

/* Every link we made, destroyed at exit (the skeleton owns only its own). */
static struct {
	struct bpf_link **v;
	size_t n, cap;
} links;

static int keep_link(struct bpf_link *l)
{
	if (links.n == links.cap) {
		size_t cap = links.cap ? links.cap * 2 : 64;
		struct bpf_link **v = realloc(links.v, cap * sizeof(*v));

		if (!v) {
			bpf_link__destroy(l);
			return -ENOMEM;
		}
		links.v = v;
		links.cap = cap;
	}
	links.v[links.n++] = l;
	return 0;
}

/* Undo the links made after mark (a target half attached is worse than
 * one not attached: it would miss events silently). */
static void drop_links(size_t mark)
{
	while (links.n > mark)
		bpf_link__destroy(links.v[--links.n]);
}

static int attach_target(struct pyaudit_bpf *skel, struct target *t, __u32 id,
			 pid_t pid)
{
	size_t mark = links.n;
	struct bpf_link *link;
	int err;

	if (t->mech == TARGET_MECH_USDT) {
		LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = id);

		link = bpf_program__attach_usdt(skel->progs.usdt_audit, pid,
						t->path, "python", "audit", &uo);
		if (!link) {
			err = -errno;
			p_warn("%s: cannot attach to the python:audit USDT probe: %s",
			       t->path, strerror(-err));
			return err;
		}
		return keep_link(link);
	}
	for (int i = 0; i < t->nsites; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = id);
		struct bpf_program *prog = prog_for(skel, t->sites[i].source);

		if (!prog)
			return -EINVAL;
		link = bpf_program__attach_uprobe_opts(prog, pid, t->path,
						       t->sites[i].file_off, &uo);
		if (!link) {
			err = -errno;
			p_warn("%s: cannot attach a uprobe at %s (offset 0x%llx): %s",
			       t->path, t->sites[i].desc,
			       (unsigned long long)t->sites[i].file_off, strerror(-err));
			drop_links(mark);
			return err;
		}
		err = keep_link(link);
		if (err) {
			drop_links(mark);
			return err;
		}
	}
	return 0;
}

static void describe_target(const struct target *t)
{
	p_info("  %s: CPython %d.%d%s (%s), %s: %s", t->path, t->py_major,
	       t->py_minor, t->free_threaded ? "t" : "",
	       t->shared_lib ? "shared library" : "executable", mech_name(t), t->why);
	for (int i = 0; i < t->nsites; i++)
		p_info("    uprobe at file offset 0x%llx: %s%s",
		       (unsigned long long)t->sites[i].file_off, t->sites[i].desc,
		       t->sites[i].single_step ? " [single-stepped: slower]" : "");
}

/* Keep r->attached[] as long as the target list. */
static int grow_attached(struct run *r)
{
	if (r->targets.n <= r->attached_cap)
		return 0;
	size_t cap = r->targets.n * 2 + 16;
	unsigned char *a = realloc(r->attached, cap * sizeof(*a));

	if (!a)
		return -ENOMEM;
	memset(a + r->attached_cap, 0, (cap - r->attached_cap) * sizeof(*a));
	r->attached = a;
	r->attached_cap = cap;
	return 0;
}

static __u64 kernel_dev(dev_t d)
{
	return ((__u64)major(d) << 20) | minor(d);
}

/* Tell the mmap watcher that this file is handled. */
static void mark_known(struct run *r, dev_t dev, ino_t ino)
{
	struct pa_file_key k = { .dev = kernel_dev(dev), .ino = ino };
	__u8 v = 2;

	bpf_map_update_elem(bpf_map__fd(r->skel->maps.known_files), &k, &v, BPF_ANY);
}

/* Store the layout of each new target and attach to it. */
static void attach_new_targets(struct run *r)
{
	if (grow_attached(r))
		return;
	for (__u32 i = 0; i < r->targets.n && i < PA_TARGETS_MAX; i++) {
		struct target *t = &r->targets.v[i];
		bool ok = false;

		if (r->attached[i])
			continue;
		r->attached[i] = TRIED;	/* never twice */
		mark_known(r, t->dev, t->ino);
		if (bpf_map_update_elem(bpf_map__fd(r->skel->maps.layouts), &i,
					&t->layout, BPF_ANY)) {
			p_warn("%s: cannot store its layout: %s", t->path, strerror(errno));
			continue;
		}
		if (log_verbose)
			describe_target(t);
		if (env.npids && !env.nbinaries) {
			/* Each process on its own: the USDT semaphore is then
			 * armed in that process only. */
			for (int j = 0; j < env.npids; j++)
				if (!attach_target(r->skel, t, i, env.pids[j]))
					ok = true;
		} else {
			ok = !attach_target(r->skel, t, i, -1);
		}
		if (!ok)
			continue;
		r->attached[i] = ATTACHED;
		r->n_attached++;
		if (t->mech == TARGET_MECH_USDT)
			r->n_usdt++;
		else
			r->n_uprobes++;
	}
}

/*
 * A process mapped a python* or libpython* file we had not seen: find it
 * in the process's maps (the notice comes before the mapping exists, so
 * retry for a while) and attach to it.
 */
static void process_notices(struct run *r)
{
	int kept = 0;

	for (int i = 0; i < r->nnotices; i++) {
		struct notice *n = &r->notices[i];
		size_t before = r->targets.n;
		bool done = false;
		int err;

		err = discover__pid(&r->targets, n->pid);
		for (size_t j = 0; j < r->targets.n; j++)
			if (kernel_dev(r->targets.v[j].dev) == n->key.dev &&
			    r->targets.v[j].ino == n->key.ino)
				done = true;
		if (r->targets.n > before) {
			attach_new_targets(r);
			for (size_t j = before; j < r->targets.n; j++)
				if (r->attached[j] == ATTACHED)
					p_info("Tracing %s (%s), found in process %d",
					       r->targets.v[j].path,
					       mech_name(&r->targets.v[j]), n->pid);
		}
		/* Attached, or analysed and rejected (reported once). */
		if (done || discover__is_rejected(&r->targets,
				makedev(n->key.dev >> 20, n->key.dev & 0xfffff),
				n->key.ino))
			continue;
		if (err == -ESRCH || now_ns() - n->first_ns > NOTICE_RETRY_MS * 1000000ULL) {
			/* Gone, or not a Python we can use: let a later
			 * process that maps it tell us again. */
			bpf_map_delete_elem(bpf_map__fd(r->skel->maps.known_files), &n->key);
			continue;
		}
		r->notices[kept++] = *n;
	}
	r->nnotices = kept;
}

static int find_targets(struct run *r)
{
	char err[512];
	int n;

	for (int i = 0; i < env.nbinaries; i++) {
		n = discover__add_path(&r->targets, env.binaries[i], err, sizeof(err));
		if (n < 0) {
			size_t len = strlen(env.binaries[i]);

			if (!strncmp(err, env.binaries[i], len))
				p_err("--binary %s", err);
			else
				p_err("--binary %s: %s", env.binaries[i], err);
			return n;
		}
	}
	for (int i = 0; i < env.npids; i++) {
		if (kill(env.pids[i], 0) && errno == ESRCH) {
			p_err("no process %d", env.pids[i]);
			return -ESRCH;
		}
		if (env.nbinaries)
			continue;	/* --binary says which file */
		n = discover__pid(&r->targets, env.pids[i]);
		if (n <= 0) {
			p_err("process %d maps no Python this tool can trace "
			      "(no python executable or libpython 3.8+ in "
			      "/proc/%d/maps): try --binary PATH", env.pids[i],
			      env.pids[i]);
			return n ? n : -ENOENT;
		}
	}
	if (env.command && !env.nbinaries) {
		n = discover__command(&r->targets, env.command[0]);
		if (n <= 0) {
			p_debug("%s: no Python found in the command's file: "
				"tracing every Python on the host, filtered to "
				"the command's processes", env.command[0]);
			discover__system(&r->targets);
			r->system_wide = true;
		}
	}
	if (!env.nbinaries && !env.npids && !env.command) {
		discover__system(&r->targets);
		r->system_wide = true;
	}
	if (!r->targets.n && !r->system_wide) {
		p_err("no Python found: name one with --binary PATH");
		return -ENOENT;
	}
	if (r->targets.n > PA_TARGETS_MAX) {
		p_warn("%zu targets found, tracing the first %d", r->targets.n,
		       PA_TARGETS_MAX);
		r->targets.n = PA_TARGETS_MAX;
	}
	return 0;
}

/* The tracepoint of the mmap watcher needs tracefs. */
static bool tracefs_ready(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events", F_OK))
		return true;
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return true;
	p_warn("tracefs is not mounted and cannot be (%s): Pythons started "
	       "later from files not yet attached will be missed", strerror(errno));
	return false;
}

/* ---- filters --------------------------------------------------------------- */

static void configure_filters(struct pyaudit_bpf *skel)
{
	struct pyaudit_bpf__rodata *ro = skel->rodata;

	ro->filter_pids = env.npids > 0 || env.command;
	ro->filter_uids = env.nuids > 0;
	ro->filter_comms = env.ncomms > 0;
	ro->filter_cgroups = env.ncgroups > 0 || env.ncontainers > 0;
	ro->summary_mode = env.summary;
	ro->n_globs = env.nglobs;
	ro->have_include = env.have_include;
	for (int i = 0; i < env.nglobs; i++) {
		memcpy((char *)ro->globs[i], env.globs[i], PA_GLOB_LEN);
		ro->glob_len[i] = strlen(env.globs[i]);
		ro->glob_exclude[i] = env.glob_exclude[i];
	}
	/* Wake the consumer when a sixteenth of the buffer waits; below
	 * that, it reads every POLL_MS. */
	ro->wakeup_bytes = env.ring_size / 16;
	ro->frames_wanted = env.no_source ? 0 : 1 + env.stack;
	ro->walk_all_tables = env.walk_all_tables;
}

static int fill_filter_maps(struct pyaudit_bpf *skel)
{
	__u8 one = 1;
	int fd;

	fd = bpf_map__fd(skel->maps.uid_filter);
	for (int i = 0; i < env.nuids; i++)
		bpf_map_update_elem(fd, &env.uids[i], &one, BPF_ANY);
	fd = bpf_map__fd(skel->maps.comm_filter);
	for (int i = 0; i < env.ncomms; i++)
		bpf_map_update_elem(fd, env.comms[i], &one, BPF_ANY);
	fd = bpf_map__fd(skel->maps.cgroup_filter);
	for (int i = 0; i < env.ncgroups; i++) {
		uint64_t id;
		int err = cgroup__id_of_path(env.cgroups[i], &id);

		if (err) {
			p_err("--cgroup %s: %s: give a cgroup v2 directory, e.g. "
			      "/sys/fs/cgroup/system.slice/app.service",
			      env.cgroups[i], strerror(-err));
			return err;
		}
		bpf_map_update_elem(fd, &id, &one, BPF_ANY);
	}
	for (int i = 0; i < env.ncontainers; i++) {
		uint64_t ids[PA_FILTER_IDS_MAX];
		int n = cgroup__ids_of_container(env.containers[i], ids,
						 PA_FILTER_IDS_MAX);

		if (n <= 0) {
			p_err("--container %s: %s", env.containers[i],
			      n == -EINVAL ? "give at least 12 hex digits of the id" :
			      "no cgroup of that container (is it running?)");
			return n ? n : -ENOENT;
		}
		for (int j = 0; j < n; j++)
			bpf_map_update_elem(fd, &ids[j], &one, BPF_ANY);
	}
	return 0;
}

/* ---- summary mode ---------------------------------------------------------- */

/* Read (and with an interval, reset) the counts, and print them. */
static int print_summary(struct run *r, bool final)
{
	int fd = bpf_map__fd(r->skel->maps.summary);
	struct pa_summary_key key, next, *prev = NULL;
	struct summary_row *rows = NULL;
	size_t n = 0, cap = 0;
	struct summary_opts so = {
		.json = env.json,
		.realtime_offset_ns = r->fmt.realtime_offset_ns,
		.now_ns = now_ns(),
		.interval_s = final ? 0 : env.summary_interval,
	};
	static __u64 lost_printed;
	bool reset = env.summary_interval > 0;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		__u64 count;

		key = next;
		prev = &key;
		if (reset ? bpf_map_lookup_and_delete_elem(fd, &key, &count)
			  : bpf_map_lookup_elem(fd, &key, &count))
			continue;
		if (n == cap) {
			struct summary_row *nr;

			cap = cap ? cap * 2 : 256;
			nr = realloc(rows, cap * sizeof(*rows));
			if (!nr)
				break;
			rows = nr;
		}
		struct summary_row *row = &rows[n++];
		const struct proc_info *pi;

		memset(row, 0, sizeof(*row));
		memcpy(row->event, key.name, PA_SUMMARY_NAME_MAX);
		row->event_truncated = key.name_truncated;
		row->pid = key.pid;
		memcpy(row->comm, key.comm, PA_COMM_LEN);
		pi = proc_cache__get(r->procs, key.pid, 0);
		if (pi)
			memcpy(row->container_id, pi->container_id, sizeof(row->container_id));
		row->count = count;
		/* After a delete, restart the walk: the key is gone. */
		if (reset)
			prev = NULL;
	}
	so.lost = stat_sum(r->skel, PA_STAT_LOST) - lost_printed;
	lost_printed += so.lost;
	err = summary__print(r->out.f, &so, rows, n);
	free(rows);
	return err;
}

/* ---- lost events ----------------------------------------------------------- */

static __u64 lost_seen;

static void report_lost(struct run *r, bool final)
{
	__u64 lost = stat_sum(r->skel, PA_STAT_LOST);

	if (final ? !lost : lost == lost_seen)
		return;
	if (env.json) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		fprintf(r->out.f, "{\"type\":\"lost\",\"time\":\"%04d-%02d-%02dT"
			"%02d:%02d:%02d.%09ldZ\",\"lost\":%llu,\"total_lost\":%llu,"
			"\"final\":%s", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec,
			(unsigned long long)(final ? lost : lost - lost_seen),
			(unsigned long long)lost, final ? "true" : "false");
		if (final) {
			/* Per process, for exact accounting. */
			int fd = bpf_map__fd(r->skel->maps.lost_by_pid);
			__u32 key, *prev = NULL;
			__u64 n;
			bool first = true;

			fputs(",\"by_pid\":{", r->out.f);
			while (!bpf_map_get_next_key(fd, prev, &key)) {
				prev = &key;
				if (bpf_map_lookup_elem(fd, &key, &n))
					continue;
				fprintf(r->out.f, "%s\"%u\":%llu", first ? "" : ",",
					key, (unsigned long long)n);
				first = false;
			}
			fputc('}', r->out.f);
			fprintf(r->out.f, ",\"lost_without_pid\":%llu",
				(unsigned long long)stat_sum(r->skel, PA_STAT_LOST_NOPID));
		}
		fputs("}\n", r->out.f);
	}
	if (final)
		p_warn("%llu events lost in all: the ring buffer was full "
		       "(a larger --ring-size, or filters, help)",
		       (unsigned long long)lost);
	else
		p_warn("%llu events lost: the ring buffer was full (try a larger "
		       "--ring-size)", (unsigned long long)(lost - lost_seen));
	lost_seen = lost;
}

/* ---- the command ---------------------------------------------------------- */

static int go_pipe[2] = { -1, -1 };

/* Fork the command; it waits on a pipe until the probes are attached. */
static pid_t start_command(char **argv)
{
	pid_t pid;

	if (pipe2(go_pipe, O_CLOEXEC)) {
		p_err("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		p_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char c;

		close(go_pipe[1]);
		if (read(go_pipe[0], &c, 1) != 1)
			_exit(127);	/* pyaudit failed before attaching */
		execvp(argv[0], argv);
		fprintf(stderr, "pyaudit: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go_pipe[0]);
	return pid;
}

static void release_command(void)
{
	if (go_pipe[1] >= 0) {
		if (write(go_pipe[1], "g", 1) != 1)
			p_warn("cannot start the command: %s", strerror(errno));
		close(go_pipe[1]);
		go_pipe[1] = -1;
	}
}

static int64_t realtime_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (int64_t)(rt.tv_sec - mono.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - mono.tv_nsec);
}

int main(int argc, char **argv)
{
	struct run r = {};
	struct ring_buffer *rb = NULL;
	pid_t child = -1;
	int child_status = 0, err, exit_code = 1;
	__u64 start, next_summary = 0;

	opts__parse(argc, argv, &env);
	log_json = env.json;
	if (env.list)
		return list_events(env.list_glob);

	libbpf_set_print(libbpf_print);
	if (!have_privileges()) {
		p_err("needs CAP_BPF and CAP_PERFMON to load BPF programs, and "
		      "CAP_SYS_ADMIN for uprobes on many kernels: run with sudo");
		return 1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		p_err("this kernel has no BTF (/sys/kernel/btf/vmlinux): pyaudit "
		      "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.17+)");
		return 1;
	}

	r.procs = proc_cache__new(PROC_CACHE_MAX);
	if (!r.procs || consumer__init(&r.consumer, &r.fmt, r.procs)) {
		p_err("out of memory");
		goto cleanup;
	}
	if (output__open(&r.out, env.output))
		goto cleanup;
	if (env.record) {
		err = consumer__record_to(&r.consumer, env.record);
		if (err) {
			p_err("--record %s: %s", env.record, strerror(-err));
			goto cleanup;
		}
	}
	if (find_targets(&r))
		goto cleanup;

	r.skel = pyaudit_bpf__open();
	if (!r.skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	configure_filters(r.skel);
	bpf_program__set_autoload(r.skel->progs.follow_fork, env.command != NULL);
	bpf_program__set_autoload(r.skel->progs.follow_exit, env.command != NULL);
	bpf_program__set_autoload(r.skel->progs.watch_exec, r.system_wide);
	bpf_program__set_autoload(r.skel->progs.watch_mmap,
				  r.system_wide && tracefs_ready());
	bpf_map__set_max_entries(r.skel->maps.events, env.ring_size);
	err = pyaudit_bpf__load(r.skel);
	if (err) {
		p_err("cannot load the BPF programs: %s%s", strerror(-err),
		      err == -EPERM ? ": needs CAP_BPF and CAP_PERFMON, run with sudo"
				    : " (run with -vv for the verifier's log)");
		goto cleanup;
	}
	if (fill_filter_maps(r.skel))
		goto cleanup;

	if (env.command) {
		child = start_command(env.command);
		if (child < 0)
			goto cleanup;
	}
	{
		__u8 one = 1;
		int fd = bpf_map__fd(r.skel->maps.traced_pids);

		for (int i = 0; i < env.npids; i++)
			bpf_map_update_elem(fd, &env.pids[i], &one, BPF_ANY);
		if (child > 0)
			bpf_map_update_elem(fd, &child, &one, BPF_ANY);
	}

	if (log_verbose)
		p_info("Targets:");
	attach_new_targets(&r);
	if (!r.n_attached && !r.system_wide) {
		p_err("no target could be probed (see the warnings above)");
		goto cleanup;
	}
	err = pyaudit_bpf__attach(r.skel);	/* followers and watchers */
	if (err) {
		p_err("cannot attach the process watchers: %s", strerror(-err));
		goto cleanup;
	}

	r.fmt.json = env.json;
	r.fmt.realtime_offset_ns = realtime_offset_ns();
	r.fmt.abs_time = env.abs_time;
	r.fmt.stack = env.no_source ? 0 : env.stack;
	r.fmt.col_uid = env.col_uid;
	r.fmt.col_ppid = env.col_ppid;
	r.fmt.col_container = env.col_container;
	rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), handle_record, &r, NULL);
	if (!rb) {
		p_err("cannot create the ring buffer reader: %s", strerror(errno));
		goto cleanup;
	}
	/* Loading is done: give back to the kernel what it freed (libbpf's
	 * parse of the kernel BTF, target analysis) and malloc still keeps. */
	malloc_trim(0);

	{
		/* No SA_RESTART: a read of /proc that blocks (a traced process
		 * can make that happen) is interrupted, so that Ctrl-C ends us. */
		struct sigaction sa = { .sa_handler = sig_handler };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sa.sa_handler = hup_handler;
		sigaction(SIGHUP, &sa, NULL);
	}

	{
		/* One line: how many targets, and each one's mechanism. */
		char list[1024] = "";
		size_t len = 0;

		for (size_t i = 0; i < r.targets.n && len < sizeof(list); i++) {
			const char *base = strrchr(r.targets.v[i].path, '/');

			len += snprintf(list + len, sizeof(list) - len, "%s%s (%s)",
					i ? ", " : "", base ? base + 1 : r.targets.v[i].path,
					mech_name(&r.targets.v[i]));
		}
		if (len >= sizeof(list))
			strcpy(list + sizeof(list) - 5, "...");
		p_info("Tracing %u target%s (%u usdt, %u uprobes)%s%s%s. %s",
		       r.n_attached, r.n_attached == 1 ? "" : "s", r.n_usdt,
		       r.n_uprobes, len ? ": " : "", list,
		       r.system_wide ? "; watching for new Pythons" : "",
		       env.command ? "Starting the command." : "Ctrl-C to end.");
	}
	if (!env.summary)
		format__header(r.out.f, &r.fmt);
	release_command();

	exit_code = 0;
	start = now_ns();
	if (env.summary && env.summary_interval > 0)
		next_summary = start + (__u64)(env.summary_interval * 1e9);
	while (!exiting) {
		err = ring_buffer__poll(rb, POLL_MS);
		if (err >= 0)
			err = ring_buffer__consume(rb);	/* below the wakeup mark */
		if (err < 0 && err != -EINTR) {
			p_err("reading the ring buffer: %s", strerror(-err));
			exit_code = 1;
			break;
		}
		if (r.nnotices)
			process_notices(&r);
		if (reopen_output) {
			reopen_output = 0;
			if (output__reopen(&r.out)) {
				exit_code = 1;
				break;
			}
		}
		err = output__flush(&r.out);
		if (err) {
			p_err("writing to %s: %s%s", env.output ? env.output : "stdout",
			      strerror(-err), err == -ENOSPC ? ": the disk is full" : "");
			exit_code = 1;
			break;
		}
		if (output_gone(&r.out))
			break;
		if (next_summary && now_ns() >= next_summary) {
			print_summary(&r, false);
			next_summary += (__u64)(env.summary_interval * 1e9);
		}
		report_lost(&r, false);
		if (child > 0 && waitpid(child, &child_status, WNOHANG) == child) {
			child = -1;
			break;
		}
		if (env.duration > 0 && now_ns() - start >= env.duration * 1e9)
			break;
	}
	/* Deliver what is still in the buffer; flushed as a batch, so the
	 * reports below start on an empty output buffer and stay whole. */
	ring_buffer__consume(rb);
	err = output__flush(&r.out);
	if (env.summary)
		print_summary(&r, true);
	report_lost(&r, true);
	if (!err)
		err = output__flush(&r.out);
	if (err && !exit_code && !output_gone(&r.out)) {
		p_err("writing to %s: %s", env.output ? env.output : "stdout",
		      strerror(-err));
		exit_code = 1;
	}
	if (env.command && child < 0 && !exit_code) {
		if (WIFEXITED(child_status))
			exit_code = WEXITSTATUS(child_status);
		else if (WIFSIGNALED(child_status))
			exit_code = 128 + WTERMSIG(child_status);
	}

cleanup:
	if (child > 0)
		release_command();	/* pyaudit ends first: the command goes on */
	ring_buffer__free(rb);
	drop_links(0);
	free(links.v);
	pyaudit_bpf__destroy(r.skel);
	target_list__free(&r.targets);
	proc_cache__free(r.procs);
	output__close(&r.out);
	consumer__free(&r.consumer);
	free(r.attached);
	return exit_code;
}
