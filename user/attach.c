// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attaching to targets. A target is attached whole or not at all: a
 * target with some of its uprobes missing would lose events silently,
 * so the links of a failed target are destroyed again (drop_links).
 * Each target is tried once; its index in the list is the BPF cookie
 * and the key of its layout in the layouts map.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pyaudit.skel.h"
#include "attach.h"
#include "kfeatures.h"
#include "caps.h"
#include "fileset.h"
#include "hold.h"
#include "log.h"
#include "uprobe.h"

/* A Python file noticed at mmap time: how long to look for it. */
#define NOTICE_RETRY_MS 1000

enum { TRIED = 1, ATTACHED = 2 };

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

static int grow_links(struct attach *a)
{
	size_t cap = a->links.cap ? a->links.cap * 2 : 64;
	struct bpf_link **v = realloc(a->links.v, cap * sizeof(*v));
	int *fds;

	if (!v)
		return -ENOMEM;
	a->links.v = v;
	fds = realloc(a->links.fds, cap * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	a->links.fds = fds;
	a->links.cap = cap;
	return 0;
}

/* Keep libbpf's link l, or (l NULL) the uprobe-multi link fd. */
static int keep_link(struct attach *a, struct bpf_link *l, int fd)
{
	if (a->links.n == a->links.cap && grow_links(a)) {
		if (l)
			bpf_link__destroy(l);
		else
			close(fd);
		return -ENOMEM;
	}
	a->links.v[a->links.n] = l;
	a->links.fds[a->links.n++] = l ? -1 : fd;
	return 0;
}

struct drop {
	struct attach *a;
	size_t mark;
};

/* libbpf's links after mark, one by one: the kernel removes perf-event
 * uprobes one at a time anyway, and libbpf's USDT links share state. */
static void destroy_libbpf_links(void *ctx)
{
	struct drop *d = ctx;

	for (size_t i = d->mark; i < d->a->links.n; i++) {
		bpf_link__destroy(d->a->links.v[i]);	/* NULL: nothing */
		d->a->links.v[i] = NULL;
	}
}

/* Undo the links made after mark: the uprobe-multi ones all at once
 * (uprobe.h), libbpf's meanwhile. */
static void drop_links(struct attach *a, size_t mark)
{
	struct drop d = { .a = a, .mark = mark };

	if (a->links.n <= mark)
		return;
	uprobe__close_links(a->links.fds + mark, a->links.n - mark,
			    destroy_libbpf_links, &d);
	a->links.n = mark;
}

/* One uprobe: a uprobe-multi link where the kernel has them. file is
 * the analysed descriptor's name (probe_path()), never t->path. */
static int attach_uprobe(struct attach *a, struct bpf_program *prog,
			 const char *file, const struct target_site *site,
			 __u32 id, pid_t pid)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = id);
	struct bpf_link *link;
	int fd;

	if (a->multi) {
		fd = uprobe__link_create(bpf_program__fd(prog), file,
					 site->file_off, id, pid > 0 ? pid : 0);
		return fd < 0 ? fd : keep_link(a, NULL, fd);
	}
	link = bpf_program__attach_uprobe_opts(prog, pid, file,
					       site->file_off, &uo);
	if (!link)
		return -errno;
	return keep_link(a, link, -1);
}

/*
 * The name libbpf and the kernel open to probe t: the descriptor that was
 * analysed (/proc/self/fd/N), never t->path, which a user may have
 * renamed another file (a symlink to libc, a FIFO) over since. The kernel
 * resolves the name again: insist that it gives the inode analysed.
 */
static int probe_path(const struct target *t, char *buf, size_t len)
{
	struct stat st;

	if (t->fd < 0)
		return -EBADF;
	snprintf(buf, len, "/proc/self/fd/%d", t->fd);
	if (stat(buf, &st))
		return -errno;
	if (st.st_dev != t->dev || st.st_ino != t->ino)
		return -ESTALE;
	return 0;
}

/* A probe refused for lack of privilege: say which capability. */
static void note_denied(struct attach *a, int err)
{
	char missing[64];

	if (err != -EPERM && err != -EACCES)
		return;
	if (!a->denied && caps__missing(true, missing, sizeof(missing)))
		p_err("creating probes needs %s, which this process lacks: "
		      "run as root with all capabilities", missing);
	a->denied = true;
}

static int attach_usdt(struct attach *a, struct target *t, const char *file,
		       __u32 id, pid_t pid)
{
	LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = id);
	struct bpf_link *link;
	int err;

	link = bpf_program__attach_usdt(a->skel->progs.usdt_audit, pid,
					file, "python", "audit", &uo);
	if (!link) {
		err = -errno;
		p_warn("%s: cannot attach to the python:audit USDT probe: %s",
		       t->path, strerror(-err));
		note_denied(a, err);
		return err;
	}
	return keep_link(a, link, -1);
}

static int attach_target(struct attach *a, struct target *t, __u32 id, pid_t pid)
{
	size_t mark = a->links.n;
	char file[64];
	int err;

	err = probe_path(t, file, sizeof(file));
	if (err) {
		p_warn("%s: the file analysed cannot be reached to probe it: %s",
		       t->path, strerror(-err));
		return err;
	}
	if (t->mech == TARGET_MECH_USDT)
		return attach_usdt(a, t, file, id, pid);
	for (int i = 0; i < t->nsites; i++) {
		struct bpf_program *prog = prog_for(a->skel, t->sites[i].source);

		if (!prog)
			return -EINVAL;
		err = attach_uprobe(a, prog, file, &t->sites[i], id, pid);
		if (err) {
			p_warn("%s: cannot attach a uprobe at %s (offset 0x%llx): %s",
			       t->path, t->sites[i].desc,
			       (unsigned long long)t->sites[i].file_off, strerror(-err));
			note_denied(a, err);
			drop_links(a, mark);
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

/* Keep a->attached[] as long as the target list. */
static int grow_attached(struct attach *a)
{
	if (a->targets->n <= a->attached_cap)
		return 0;
	size_t cap = a->targets->n * 2 + 16;
	unsigned char *v = realloc(a->attached, cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	memset(v + a->attached_cap, 0, (cap - a->attached_cap) * sizeof(*v));
	a->attached = v;
	a->attached_cap = cap;
	return 0;
}

/* A device number as the kernel keeps it (MKDEV: major << 20 | minor),
 * which is what the mmap watcher reads from the inode. */
static __u64 kernel_dev(dev_t d)
{
	return ((__u64)major(d) << 20) | minor(d);
}

/* Tell the watchers that this file, in the state it has now, is
 * handled (attached): they stay quiet about it until it changes. */
static void mark_known(struct attach *a, const struct target *t)
{
	struct pa_file_key k = { .dev = kernel_dev(t->dev), .ino = t->ino };
	struct pa_file_seen v = {};
	struct stat st;

	if (t->fd < 0 || fstat(t->fd, &st))
		return;
	v.size = (__u64)st.st_size;
	v.ctime_sec = st.st_ctim.tv_sec;
	v.ctime_nsec = (__u32)st.st_ctim.tv_nsec;
	bpf_map_update_elem(bpf_map__fd(a->skel->maps.known_files), &k, &v, BPF_ANY);
}

/* Attach to target i, in each -p process or everywhere. */
static bool attach_everywhere(struct attach *a, struct target *t, __u32 i)
{
	bool ok = false;

	if (!a->npids)
		return !attach_target(a, t, i, -1);
	/* Each process on its own: the USDT semaphore is then armed in
	 * that process only. */
	for (int j = 0; j < a->npids; j++)
		if (!attach_target(a, t, i, a->pids[j]))
			ok = true;
	return ok;
}

/*
 * Store t's copy of .rodata, and those of its extension modules, in the
 * ro_pages map (bpf/rocopy.bpf.h), then free t's. Pages that do not fit
 * (the map is bounded) are told: reads they would serve say unreadable.
 */
static int put_ro_page(void *ctx, const struct pa_ro_key *k,
		       const struct pa_ro_page *pg)
{
	return bpf_map_update_elem(*(int *)ctx, k, pg, BPF_ANY);
}

static void store_ro_copies(struct attach *a, struct target *t)
{
	int fd = bpf_map__fd(a->skel->maps.ro_pages);
	size_t total = 0, stored, ext = 0, ext_total = 0;

	stored = rocopy__store(&t->ro, put_ro_page, &fd, &total);
	rocopy__free(&t->ro);
	rocopy__extensions(t, put_ro_page, &fd, &ext, &ext_total);
	if (stored < total || ext < ext_total)
		p_warn("%s: %zu of %zu .rodata pages not stored (the copy is "
		       "full): events of forked children may say unreadable",
		       t->path, total + ext_total - stored - ext,
		       total + ext_total);
	else if (log_verbose)
		p_info("    .rodata copied for processes that have not mapped "
		       "it in: %zu pages, %zu of extension modules",
		       stored, ext);
}

/* Store the layout of each new target and attach to it. */
static void attach_new_targets(struct attach *a)
{
	if (grow_attached(a))
		return;
	for (__u32 i = 0; i < a->targets->n; i++) {
		struct target *t = &a->targets->v[i];
		bool ok;

		if (a->attached[i])
			continue;
		if (a->denied)
			break;		/* said once: pyaudit ends */
		a->attached[i] = TRIED;	/* never twice */
		mark_known(a, t);
		if (i >= PA_TARGETS_MAX) {
			a->n_untraced++;
			p_warn("%s: not traced: the target table is full (%d "
			       "files; %u left out so far)", t->path,
			       PA_TARGETS_MAX, a->n_untraced);
			continue;
		}
		if (bpf_map_update_elem(bpf_map__fd(a->skel->maps.layouts), &i,
					&t->layout, BPF_ANY)) {
			p_warn("%s: cannot store its layout: %s", t->path, strerror(errno));
			a->n_failed++;
			continue;
		}
		if (log_verbose)
			describe_target(t);
		store_ro_copies(a, t);
		ok = attach_everywhere(a, t, i);
		/* Attached (the probes hold the inode) or given up. */
		target__close(t);
		if (!ok) {
			a->n_failed++;
			continue;
		}
		a->attached[i] = ATTACHED;
		a->n_attached++;
		if (t->mech == TARGET_MECH_USDT)
			a->n_usdt++;
		else
			a->n_uprobes++;
	}
}

void attach__prepare(struct attach *a, struct pyaudit_bpf *skel)
{
	static const int sources[] = {
		PA_SRC_SYS_AUDIT, PA_SRC_VALIST, PA_SRC_VARARGS, PA_SRC_VARARGS_TS,
	};

	a->multi = kfeatures__uprobe_multi();
	for (size_t i = 0; a->multi && i < sizeof(sources) / sizeof(sources[0]); i++)
		if (uprobe__set_multi(prog_for(skel, sources[i])))
			a->multi = false;
	if (!a->multi)	/* back to plain uprobes, each one */
		for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
			bpf_program__set_expected_attach_type(
				prog_for(skel, sources[i]), 0);
	p_debug("uprobes as %s", a->multi ? "uprobe-multi links"
					   : "perf-event uprobes");
}

/*
 * The files the start-up scan found not to be Pythons (those running
 * processes map): the watchers stay quiet about them while unchanged, so
 * that the first exec of a common program after start is not a notice
 * (nor, with --hold-new, a stop).
 */
static void mark_rejected_known(struct attach *a)
{
	const struct fileset *rej = a->targets->rejected;
	int fd = bpf_map__fd(a->skel->maps.known_files);

	for (size_t i = 0; rej && i < rej->cap; i++) {
		const struct file_state *f = &rej->v[i];
		struct pa_file_key k = { .dev = kernel_dev(f->dev), .ino = f->ino };
		struct pa_file_seen v = {
			.size = (__u64)f->size,
			.ctime_sec = f->ctime_sec,
			.ctime_nsec = f->ctime_nsec,
		};

		if (f->ino)
			bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	}
}

void attach__targets(struct attach *a, struct pyaudit_bpf *skel)
{
	a->skel = skel;
	if (log_verbose)
		p_info("Targets:");
	attach_new_targets(a);
	if (a->system_wide)
		mark_rejected_known(a);
}

/* A notice is done with: a process held for it runs again (--hold-new). */
static void notice_done(struct attach *a, const struct notice *n)
{
	if (n->held && a->skel)
		hold__release(bpf_map__fd(a->skel->maps.held_pids), n->pid);
}

/* Forget a file the watchers told of, so that the next process that
 * executes or maps it tells again. */
static void notice_forget(struct attach *a, const struct notice *n)
{
	bpf_map_delete_elem(bpf_map__fd(a->skel->maps.known_files), &n->key);
}

void attach__notice(struct attach *a, const struct pa_mapped *m, __u64 now_ns)
{
	struct notice n = {
		.pid = m->pid,
		.key = { .dev = m->dev, .ino = m->ino },
		.first_ns = now_ns,
		.exec = m->flags & PA_MAPPED_EXEC,
		.held = m->flags & PA_MAPPED_HELD,
	};

	a->n_noticed++;
	if (!a->notices)
		a->notices = calloc(NOTICES_MAX, sizeof(*a->notices));
	if (!a->system_wide || !a->notices || a->nnotices == NOTICES_MAX ||
	    a->exiting) {
		if (a->system_wide && !a->exiting) {
			a->n_notices_dropped++;
			p_warn("too many new files at once: process %u not "
			       "examined for a Python (%llu so far)", m->pid,
			       (unsigned long long)a->n_notices_dropped);
		}
		if (a->skel)
			notice_forget(a, &n);
		notice_done(a, &n);
		return;
	}
	a->notices[a->nnotices++] = n;
}

/*
 * A process executed or mapped a file the watchers had not seen in its
 * current state, whatever its name: look at it in that process (a
 * mapping is only there once mmap returns: retry for a while), and
 * attach if it is a Python.
 */
void attach__process_notices(struct attach *a, __u64 now_ns)
{
	struct target_list *l = a->targets;
	int kept = 0;

	for (int i = 0; i < a->nnotices; i++) {
		struct notice *n = &a->notices[i];
		size_t before = l->n;
		int ret;

		ret = discover__notice(l, n->pid,
				       makedev(n->key.dev >> 20, n->key.dev & 0xfffff),
				       n->key.ino, n->exec);
		if (l->n > before) {
			attach_new_targets(a);
			for (size_t j = before; j < l->n; j++)
				if (a->attached[j] == ATTACHED)
					p_info("Tracing %s (%s), found in process %d",
					       l->v[j].path, mech_name(&l->v[j]),
					       n->pid);
		}
		if (ret == -EAGAIN &&
		    now_ns - n->first_ns < NOTICE_RETRY_MS * 1000000ULL) {
			a->notices[kept++] = *n;
			continue;
		}
		/* Not a Python (remembered in the rejected set) or a target
		 * now: the watchers keep quiet about it while it is
		 * unchanged. Gone, or never mapped: tell again next time. */
		if (ret < 0)
			notice_forget(a, n);
		notice_done(a, n);
	}
	a->nnotices = kept;
}

void attach__release_notices(struct attach *a)
{
	a->exiting = true;
	for (int i = 0; i < a->nnotices; i++)
		notice_done(a, &a->notices[i]);
	a->nnotices = 0;
	free(a->notices);
	a->notices = NULL;
	/* and any the notices did not name (lost to a full ring) */
	if (a->skel)
		hold__release_all(bpf_map__fd(a->skel->maps.held_pids));
}

static int find_binaries(struct target_list *l, const struct opts *o)
{
	char err[512];
	int n;

	for (int i = 0; i < o->nbinaries; i++) {
		n = discover__add_path(l, o->binaries[i], err, sizeof(err));
		if (n < 0) {
			size_t len = strlen(o->binaries[i]);

			if (!strncmp(err, o->binaries[i], len))
				p_err("--binary %s", err);
			else
				p_err("--binary %s: %s", o->binaries[i], err);
			return n;
		}
	}
	return 0;
}

static int find_pids(struct target_list *l, const struct opts *o)
{
	int n;

	for (int i = 0; i < o->npids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			p_err("no process %d", o->pids[i]);
			return -ESRCH;
		}
		if (o->nbinaries)
			continue;	/* --binary says which file */
		n = discover__pid(l, o->pids[i]);
		if (n <= 0) {
			p_err("process %d maps no Python this tool can trace "
			      "(no python executable or libpython 3.8+ in "
			      "/proc/%d/maps): try --binary PATH", o->pids[i],
			      o->pids[i]);
			return n ? n : -ENOENT;
		}
	}
	return 0;
}

/* Forget the targets from index keep on. */
static void leave_out(struct target_list *l, size_t keep)
{
	for (size_t i = keep; i < l->n; i++) {
		rocopy__free(&l->v[i].ro);
		target__close(&l->v[i]);
	}
	l->n = keep;
}

/*
 * Every Python on the host: the files that running processes map come
 * first, so that a directory full of planted files cannot push them
 * out of the target table; files found only by scanning install
 * locations leave TARGETS_RESERVED slots free for Pythons that start
 * later. What is left out is counted, and told now and at exit.
 */
static void find_system(struct attach *a, struct target_list *l)
{
	size_t mapped, room = PA_TARGETS_MAX - TARGETS_RESERVED;

	a->system_wide = true;
	discover__processes(l);
	mapped = l->n;
	discover__system(l);
	if (mapped < room && l->n > room) {
		a->n_untraced += l->n - room;
		p_warn("%zu Python files found in install locations are not "
		       "traced: the target table holds %d files, of which %d "
		       "are kept for Pythons that start later (see -v for "
		       "the ones traced)", l->n - room, PA_TARGETS_MAX,
		       TARGETS_RESERVED);
		leave_out(l, room);
	}
}

/* Each target found holds its descriptor until attached: allow as many
 * as the hard limit lets us. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int attach__find_targets(struct attach *a, struct target_list *l,
			 const struct opts *o)
{
	int err;

	a->targets = l;
	raise_nofile();
	/* With --binary, -p filters events; the probes are on the file. */
	if (!o->nbinaries) {
		a->pids = o->pids;
		a->npids = o->npids;
	}
	err = find_binaries(l, o);
	if (!err)
		err = find_pids(l, o);
	if (err)
		return err;
	err = o->command && !o->nbinaries ?
	      discover__command(l, o->command[0]) : 1;
	if (err == -EPROTONOSUPPORT) {
		/* Never run a command pyaudit would silently not trace. */
		p_err("%s runs a Python pyaudit cannot trace (warned above): not started",
		      o->command[0]);
		return err;
	}
	if (err <= 0) {
		p_debug("%s: no Python found in the command's file: "
			"tracing every Python on the host, filtered to "
			"the command's processes", o->command[0]);
		find_system(a, l);
	}
	if (!o->nbinaries && !o->npids && !o->command)
		find_system(a, l);
	if (!l->n && !a->system_wide) {
		p_err("no Python found: name one with --binary PATH");
		return -ENOENT;
	}
	if (l->n > PA_TARGETS_MAX) {
		a->n_untraced += l->n - PA_TARGETS_MAX;
		p_warn("%zu targets found, tracing the first %d", l->n,
		       PA_TARGETS_MAX);
		leave_out(l, PA_TARGETS_MAX);
	}
	return 0;
}

/* The tracepoint of the mmap watcher needs tracefs. */
bool attach__tracefs_ready(void)
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

void attach__report(const struct attach *a, bool command)
{
	const struct target_list *l = a->targets;
	char list[1024] = "";
	size_t len = 0;

	for (size_t i = 0; i < l->n && len < sizeof(list); i++) {
		const char *base = strrchr(l->v[i].path, '/');

		len += snprintf(list + len, sizeof(list) - len, "%s%s (%s)",
				i ? ", " : "", base ? base + 1 : l->v[i].path,
				mech_name(&l->v[i]));
	}
	if (len >= sizeof(list))
		strcpy(list + sizeof(list) - 5, "...");
	if (!a->n_attached && a->system_wide) {
		p_info("No Python found yet: waiting for Pythons to start "
		       "(every process that maps a python or libpython file "
		       "is examined). %s", command ? "Starting the command." :
		       "Ctrl-C to end.");
		return;
	}
	p_info("Tracing %u target%s (%u usdt, %u uprobes)%s%s%s. %s",
	       a->n_attached, a->n_attached == 1 ? "" : "s", a->n_usdt,
	       a->n_uprobes, len ? ": " : "", list,
	       a->system_wide ? "; watching for new Pythons" : "",
	       command ? "Starting the command." : "Ctrl-C to end.");
}

void attach__report_untraced(const struct attach *a)
{
	const struct fileset *rej = a->targets ? a->targets->rejected : NULL;

	if (a->n_untraced)
		p_warn("%u Python files were not traced: the target table "
		       "(%d files) was full", a->n_untraced, PA_TARGETS_MAX);
	if (a->n_notices_dropped)
		p_warn("%llu processes were not examined for a Python: too "
		       "many new files at once", (unsigned long long)a->n_notices_dropped);
	if (rej && rej->dropped)
		p_debug("%llu files not remembered as rejected (%d remembered): "
			"analysed again when seen again",
			(unsigned long long)rej->dropped, FILESET_MAX);
	if (log_verbose && a->system_wide)
		p_info("new files noticed at exec or mmap: %llu; files checked "
		       "and not Pythons: %zu", (unsigned long long)a->n_noticed,
		       rej ? rej->n : 0);
}

void attach__free(struct attach *a)
{
	attach__release_notices(a);
	drop_links(a, 0);
	free(a->links.v);
	free(a->links.fds);
	free(a->attached);
	a->links.v = NULL;
	a->links.fds = NULL;
	a->attached = NULL;
}
