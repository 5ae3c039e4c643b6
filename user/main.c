// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyaudit: trace CPython audit events (PEP 578) with eBPF.
 * Lifecycle: parse args, find targets, open, configure, load, start the
 * command held at its gate, attach, release the command, poll the ring
 * buffer (attaching to Pythons that appear meanwhile), clean up. Each
 * step's work is in its own file: attach.c, filters.c, gate.c, stats.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "pyaudit.skel.h"
#include "aggregate.h"
#include "attach.h"
#include "caps.h"
#include "consumer.h"
#include "discover.h"
#include "event_table.h"
#include "filters.h"
#include "format.h"
#include "gate.h"
#include "health.h"
#include "host.h"
#include "hold.h"
#include "identity.h"
#include "kfeatures.h"
#include "log.h"
#include "opts.h"
#include "output.h"
#include "proc.h"
#include "profiles.h"
#include "record.h"
#include "sdnotify.h"
#include "stats.h"
#include "summary.h"
#include "target.h"

/* How long the consumer may sleep with events waiting: the bound on the
 * delay that batched wakeups add (docs/pyaudit.8, OVERHEAD). */
#define POLL_MS 50
/*
 * The most one batch of records may take before the loop looks at
 * signals, -d, SIGHUP, new Pythons and lost counts again: under a flood
 * the ring never empties, and libbpf 1.1's consume returns only when it
 * is empty or the callback fails (ring_buffer__consume_n is 1.4+).
 * With the work between batches, every one of those acts within 100 ms.
 */
#define BATCH_MS 25
#define BATCH_OVER (-EAGAIN)	/* the callback's "stop here" */
/* At exit: how long the last records may take to be written, and then
 * to be counted (those not written are told, never dropped silently). */
#define DRAIN_MS 200
#define SKIP_MS 100
#define PROC_CACHE_MAX 8192	/* processes: ~300 bytes plus their strings each */

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

/* What loading needs from the system; 0, or 1 with the reason told. */
static int check_system(void)
{
	char missing[512];

	/* Root too: a root whose capabilities were dropped (capsh, a
	 * container, a systemd unit) is told which ones. */
	if (caps__missing(false, missing, sizeof(missing))) {
		p_err("needs %s to load BPF programs (and CAP_SYS_ADMIN for "
		      "uprobes), which this process lacks: run as root with "
		      "all capabilities (sudo)", missing);
		return 1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		p_err("this kernel has no BTF (/sys/kernel/btf/vmlinux): pyaudit "
		      "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.17+)");
		return 1;
	}
	if (kfeatures__missing(missing, sizeof(missing))) {
		struct utsname u = {};

		uname(&u);
		p_err("this kernel (%s) lacks BPF features pyaudit needs: %s",
		      u.release, missing);
		return 1;
	}
	return 0;
}

static int list_events(const char *glob)
{
	size_t n = event_table_count(), shown = 0;

	for (size_t i = 0; i < n; i++) {
		const struct event_def *d = event_table_at(i);

		if (glob && fnmatch(glob, d->name, 0) != 0)
			continue;
		shown++;
		printf("%s", d->name);
		for (unsigned j = 0; j < d->nargs; j++)
			printf("%s%s", j ? ", " : " ", d->args[j]);
		/* the CPython versions that raise it: "3.8+", "3.8-3.12" */
		printf(" (%s)\n", d->versions);
	}
	if (!shown) {
		p_err("--list %s: no known event matches (--list alone lists "
		      "them all; -e takes names not listed too)", glob);
		return 1;
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------- */

struct run {
	struct pyaudit_bpf *skel;
	struct target_list targets;
	struct attach att;		/* the probes, and new targets */
	struct stats stats;		/* lost events, summary counts */
	struct format_opts fmt;
	struct output out;
	struct proc_cache *procs;
	struct ring_buffer *execs;	/* exec records (identity.bpf.h) */
	char boot_id[BOOT_ID_HEX + 1];	/* exec_id's boot part */
	struct host host;
	struct consumer consumer;	/* event records to output lines */
	int code_known_fd;		/* BPF's code objects described */
	const unsigned long *ring_cons, *ring_prod;	/* the events ring's
							 * positions */
	struct appframe_opts app;	/* --app-frame, --lib-path */
	struct aggregate *agg;		/* -s --by, --folded */
	size_t consumer_targets;	/* targets the consumer knows */
	__u64 batch_end;		/* CLOCK_MONOTONIC end of this batch */
	bool skip;			/* count records, do not write them */
	__u64 skipped;			/* records counted so at exit */
	/* health (--stats, systemd) */
	__u64 start_ns;			/* CLOCK_MONOTONIC once attached */
	unsigned started_targets;	/* attached at start-up */
	bool notify;			/* NOTIFY_SOCKET was set */
};

static void handle_notice(struct run *r, const struct pa_mapped *m)
{
	attach__notice(&r->att, m, now_ns());
}

/* A new Python file was mapped: the notices ring (bpf/watch.bpf.h). */
static int handle_mapped(void *ctx, void *data, size_t size)
{
	struct pa_mapped m;
	__u16 type;

	if (size < sizeof(m))
		return 0;
	memcpy(&type, data, sizeof(type));
	memcpy(&m, data, sizeof(m));
	if (type == PA_REC_MAPPED)
		handle_notice(ctx, &m);
	return 0;
}

/* An exec record: the process's identity, for its events. */
static int handle_exec(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (proc_cache__put_exec(r->procs, data, size))
		p_debug("malformed exec record (size %zu): skipped", size);
	return 0;
}

/* The process cache misses an event's process: the exec records
 * waiting are read first (each is written before its process's first
 * event, in a ring of its own). */
static void refill_execs(void *ctx)
{
	struct run *r = ctx;

	if (r->execs)
		ring_buffer__consume(r->execs);
}

/* Stop the batch when its time is up or the loop has work to do. */
static int batch_over(const struct run *r)
{
	if (exiting || reopen_output || now_ns() >= r->batch_end)
		return BATCH_OVER;
	return 0;
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (r->skip) {
		r->skipped++;
		return now_ns() >= r->batch_end ? BATCH_OVER : 0;
	}
	if (size < sizeof(__u16))
		return batch_over(r);
	/* The target list only grows, and a target's records come after
	 * its layout was stored: tell the consumer of the new ones. */
	for (; r->consumer_targets < r->targets.n &&
	       r->consumer_targets < PA_TARGETS_MAX; r->consumer_targets++)
		consumer__set_target(&r->consumer, r->consumer_targets,
				     r->targets.v[r->consumer_targets].layout.ltab_format);
	consumer__event(&r->consumer, r->out.f, data, size);
	return batch_over(r);
}

/*
 * One bounded batch: wait up to timeout_ms for records, then read the
 * notices (all of them: they are few and small) and the events until
 * the batch's time is up. Returns 1 when the batch was cut short (more
 * is waiting), 0 when the rings were emptied, <0 on an error.
 */
static int read_batch(struct run *r, struct ring_buffer *rb, int timeout_ms)
{
	struct epoll_event ev[2];
	int err;

	if (timeout_ms &&
	    epoll_wait(ring_buffer__epoll_fd(rb), ev, 2, timeout_ms) < 0 &&
	    errno != EINTR)
		return -errno;
	r->batch_end = now_ns() + BATCH_MS * 1000000ULL;
	refill_execs(r);
	err = ring_buffer__consume(rb);
	if (err == BATCH_OVER)
		return 1;
	return err < 0 && err != -EINTR ? err : 0;
}

/* The process context is shown: the JSON process object, -C's column. */
static bool identity_wanted(void)
{
	return !env.summary && (env.json || env.col_container);
}

/* Open the BPF object, configure it for the options, load it, fill the
 * filter maps. */
static int load_bpf(struct run *r)
{
	int err;

	r->skel = pyaudit_bpf__open();
	if (!r->skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	filters__configure(r->skel, &env);
	bpf_program__set_autoload(r->skel->progs.follow_fork, env.command != NULL);
	bpf_program__set_autoload(r->skel->progs.follow_exit, env.command != NULL);
	bpf_program__set_autoload(r->skel->progs.watch_exec, r->att.system_wide);
	/* Who each process is: only where the process object is written
	 * (JSON, the -C column), not for a table of counts */
	bpf_program__set_autoload(r->skel->progs.exec_identity_prog, identity_wanted());
	bpf_program__set_autoload(r->skel->progs.task_identity_iter, identity_wanted());
	bpf_program__set_autoload(r->skel->progs.watch_mmap,
				  r->att.system_wide && attach__tracefs_ready());
	r->skel->rodata->hold_new = env.hold_new;
	r->skel->rodata->self_tgid = getpid();
	bpf_map__set_max_entries(r->skel->maps.events, env.ring_size);
	attach__prepare(&r->att, r->skel);
	err = pyaudit_bpf__load(r->skel);
	if (err) {
		p_err("cannot load the BPF programs: %s%s", strerror(-err),
		      err == -EPERM ? ": needs CAP_BPF and CAP_PERFMON, run with sudo"
				    : " (run with -vv for the verifier's log)");
		return err;
	}
	if (env.hold_new) {
		err = hold__start_watchdog(bpf_map__fd(r->skel->maps.held_pids));
		if (err) {
			p_err("--hold-new: cannot start the watchdog that "
			      "continues held processes if pyaudit dies: %s",
			      strerror(-err));
			return err;
		}
	}
	r->stats.stats_fd = bpf_map__fd(r->skel->maps.stats);
	r->stats.lost_by_pid_fd = bpf_map__fd(r->skel->maps.lost_by_pid);
	r->stats.summary_fd = bpf_map__fd(r->skel->maps.summary);
	r->stats.summary_other_fd = bpf_map__fd(r->skel->maps.summary_other);
	r->code_known_fd = bpf_map__fd(r->skel->maps.code_known);
	return filters__fill_maps(r->skel, &env);
}

/* The consumer dropped a code object's description: BPF describes it
 * again at its next frame. */
static void forget_code(void *ctx, const struct pa_code_key *key)
{
	struct run *r = ctx;

	bpf_map_delete_elem(r->code_known_fd, key);
}

/* The events ring's positions, from its first two pages (the kernel's
 * ring buffer layout: the consumer's, then the producer's position). */
static void ring_pos(void *ctx, uint64_t *consumed, uint64_t *produced)
{
	struct run *r = ctx;

	*consumed = __atomic_load_n(r->ring_cons, __ATOMIC_ACQUIRE);
	*produced = __atomic_load_n(r->ring_prod, __ATOMIC_ACQUIRE);
}

/*
 * What the consumer's code-object descriptions need from the kernel:
 * forgetting one in BPF, and the ring's positions to know when no
 * reference to an evicted one can still be in the ring. Without the
 * positions (a mapping refused) they go by their bounds alone.
 */
static void codes_connect(struct run *r)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = bpf_map__fd(r->skel->maps.events);
	void *cons, *prod;

	r->consumer.codes->forget = forget_code;
	r->consumer.codes->ctx = r;
	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	if (cons == MAP_FAILED || prod == MAP_FAILED) {
		p_debug("cannot map the ring's positions: %s", strerror(errno));
		if (cons != MAP_FAILED)
			munmap(cons, page);
		if (prod != MAP_FAILED)
			munmap(prod, page);
		return;
	}
	r->ring_cons = cons;
	r->ring_prod = prod;
	r->consumer.codes->ring_pos = ring_pos;
}

/* The probes on the targets, then the followers and watchers. */
static int attach_all(struct run *r)
{
	__u64 t0;
	int err;

	attach__targets(&r->att, r->skel);
	if (r->att.denied) {
		p_err("probes were refused for lack of privilege: not running "
		      "blind");
		return -EPERM;
	}
	/* System-wide with nothing found yet is fine: Pythons may start
	 * later (attach__report says that it waits). Found but none
	 * probed is not. */
	if (!r->att.n_attached && (!r->att.system_wide || r->targets.n)) {
		p_err("no target could be probed (see the warnings above)");
		return -ENOENT;
	}
	err = pyaudit_bpf__attach(r->skel);	/* followers and watchers */
	if (err) {
		p_err("cannot attach the process watchers: %s", strerror(-err));
		return err;
	}
	if (!identity_wanted())
		return 0;
	/* After the exec watcher: a process that executes meanwhile has an
	 * exec record, one running before is listed here. */
	t0 = now_ns();
	err = identity__scan(r->skel->links.task_identity_iter, r->procs);
	if (err < 0)
		p_warn("cannot list the running processes (%s): those that "
		       "exit before their first event is written will have "
		       "no exe nor cmdline", strerror(-err));
	else
		p_debug("%d running processes listed in %.1f ms", err,
			(now_ns() - t0) / 1e6);
	return 0;
}

static void install_signals(void)
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

static int print_summary(struct run *r, bool final)
{
	struct summary_opts so = {
		.json = env.json,
		.realtime_offset_ns = r->fmt.realtime_offset_ns,
		.now_ns = now_ns(),
		.interval_s = final ? 0 : env.summary_interval,
		.agg = r->agg,
	};

	return stats__print_summary(&r->stats, r->out.f, r->procs, &so,
				    env.summary_interval > 0);
}

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* -o FILE in JSON: a {"type":"host"} record begins each file (at start
 * and at each reopen), so that a file read alone says whose it is. */
static void write_host(struct run *r)
{
	char buf[512];
	struct sb b = { .p = buf, .size = sizeof(buf) };

	if (!env.json || !env.output)
		return;
	host__json(&b, realtime_ns(), &r->host);
	if (b.len < b.size)
		fwrite(buf, 1, b.len, r->out.f);
}

/* The health counters: a stats record (JSON) or a line on stderr with
 * --stats, and systemd's STATUS= line. */
static void report_health(struct run *r, bool final)
{
	struct health_counts h;
	struct sb b = { 0 };
	char status[512];
	struct sb st = { .p = status, .size = sizeof(status) };

	health__gather(&h, &r->stats, &r->att, r->procs, r->started_targets,
		       (now_ns() - r->start_ns) / 1e9);
	h.codes = r->consumer.codes->counts;
	h.final = final;
	if (env.stats && env.json) {
		/* one pass to measure, one to write: one fwrite a record */
		int64_t t = realtime_ns();

		health__json(&b, t, &r->host, &h);
		b.size = b.len + 1;
		b.len = 0;
		b.p = malloc(b.size);
		if (b.p) {
			health__json(&b, t, &r->host, &h);
			fwrite(b.p, 1, b.len, r->out.f);
			free(b.p);
		}
	}
	sb_puts(&st, "STATUS=");
	health__text(&st, &h);
	sb_finish(&st);
	if (env.stats && !env.json)
		p_info("%s", status + strlen("STATUS="));
	if (r->notify)
		sdnotify__send(status);
}

/*
 * Until Ctrl-C, -d, the command's end or the reader's: read the ring
 * buffer, attach to new Pythons, flush, print summaries and lost
 * events. Returns the exit code so far (1: an error, reported).
 */
static int poll_loop(struct run *r, struct ring_buffer *rb, pid_t *child,
		     int *child_status)
{
	__u64 start = now_ns(), next_summary = 0, next_stats = 0, next_wd = 0;
	__u64 wd_ns = sdnotify__watchdog_usec() * 1000 / 2, status_ns = 0;
	int err, busy = 0;

	if (env.summary && env.summary_interval > 0)
		next_summary = start + (__u64)(env.summary_interval * 1e9);
	/* systemd's STATUS line every 10 s when --stats does not say */
	if (env.stats && env.stats_interval > 0)
		status_ns = (__u64)(env.stats_interval * 1e9);
	else if (r->notify)
		status_ns = 10000000000ULL;
	if (status_ns)
		next_stats = start + status_ns;
	if (wd_ns)
		next_wd = start + wd_ns;
	while (!exiting) {
		/* Records below the wakeup mark are read after POLL_MS. */
		busy = read_batch(r, rb, busy ? 0 : POLL_MS);
		if (busy < 0) {
			p_err("reading the ring buffer: %s", strerror(-busy));
			return 1;
		}
		if (r->att.nnotices)
			attach__process_notices(&r->att, now_ns());
		if (reopen_output) {
			reopen_output = 0;
			if (output__reopen(&r->out))
				return 1;
			write_host(r);
		}
		err = output__flush(&r->out);
		if (err) {
			p_err("writing to %s: %s%s", env.output ? env.output : "stdout",
			      strerror(-err), err == -ENOSPC ? ": the disk is full" : "");
			return 1;
		}
		if (output_gone(&r->out))
			break;
		if (next_summary && now_ns() >= next_summary) {
			print_summary(r, false);
			next_summary += (__u64)(env.summary_interval * 1e9);
		}
		if (next_stats && now_ns() >= next_stats) {
			report_health(r, false);
			next_stats += status_ns;
		}
		/* every half of WatchdogSec= (sd_watchdog_enabled(3)), from
		 * the loop: a consumer that hangs gets restarted */
		if (next_wd && now_ns() >= next_wd) {
			sdnotify__send("WATCHDOG=1");
			next_wd = now_ns() + wd_ns;
		}
		stats__report_lost(&r->stats, r->out.f, env.json, false);
		stats__report_tables(&r->stats, now_ns(), false);
		if (*child > 0 && waitpid(*child, child_status, WNOHANG) == *child) {
			*child = -1;
			break;
		}
		if (env.duration > 0 && now_ns() - start >= env.duration * 1e9)
			break;
	}
	return 0;
}

/* Deliver what is still in the buffer; flushed as a batch, so the
 * reports below start on an empty output buffer and stay whole. */
static int drain(struct run *r, struct ring_buffer *rb, int exit_code)
{
	int err;

	/* No process is held from here on; those held are continued as
	 * their notices are read, and the rest after. */
	if (env.hold_new) {
		bpf_link__destroy(r->skel->links.watch_exec);
		bpf_link__destroy(r->skel->links.watch_mmap);
		r->skel->links.watch_exec = r->skel->links.watch_mmap = NULL;
		r->att.exiting = true;
	}
	/* The probes are still attached: under a flood the ring never
	 * empties. Write for DRAIN_MS, then count what is left. */
	exiting = 0;
	reopen_output = 0;
	r->batch_end = now_ns() + DRAIN_MS * 1000000ULL;
	if (ring_buffer__consume(rb) == BATCH_OVER) {
		r->skip = true;
		r->batch_end = now_ns() + SKIP_MS * 1000000ULL;
		ring_buffer__consume(rb);
		p_warn("%llu%s events still arriving at exit were not written: "
		       "pyaudit writes for %d ms after the signal",
		       (unsigned long long)r->skipped,
		       now_ns() >= r->batch_end ? " or more" : "", DRAIN_MS);
	}
	if (env.hold_new)
		attach__release_notices(&r->att);
	err = output__flush(&r->out);
	if (env.summary || env.folded)
		print_summary(r, true);
	stats__report_lost(&r->stats, r->out.f, env.json, true);
	if (env.stats || r->notify)
		report_health(r, true);
	if (r->notify)
		sdnotify__send("STOPPING=1");
	stats__report_reads(&r->stats);
	codecache__report(r->consumer.codes);
	if (env.nactions)
		stats__report_actions(&r->stats, env.action_dry_run);
	stats__report_tables(&r->stats, now_ns(), true);
	attach__report_untraced(&r->att);
	if (env.hold_new)
		p_info("--hold-new: %llu processes were held at a new file",
		       (unsigned long long)stats__sum(&r->stats, PA_STAT_HELD));
	if (!err)
		err = output__flush(&r->out);
	if (err && !exit_code && !output_gone(&r->out)) {
		p_err("writing to %s: %s", env.output ? env.output : "stdout",
		      strerror(-err));
		exit_code = 1;
	}
	return exit_code;
}

/* CLOCK_REALTIME - base: event times (CLOCK_MONOTONIC) and process
 * start times (CLOCK_BOOTTIME) as dates. */
static int64_t realtime_offset_ns(clockid_t base)
{
	struct timespec rt, b;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(base, &b);
	return (int64_t)(rt.tv_sec - b.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - b.tv_nsec);
}

int main(int argc, char **argv)
{
	struct run r = {};
	struct ring_buffer *rb = NULL;
	pid_t child = -1;
	int child_status = 0, exit_code = 1;

	opts__parse(argc, argv, &env);
	log_json = env.json;
	if (env.list)
		return list_events(env.list_glob);
	if (env.list_profiles) {
		profile__list(stdout);
		return 0;
	}
	/* before a command starts: it must not inherit NOTIFY_SOCKET */
	r.notify = sdnotify__init();

	libbpf_set_print(libbpf_print);
	if (check_system())
		return 1;

	r.procs = proc_cache__new(PROC_CACHE_MAX);
	if (!r.procs || consumer__init(&r.consumer, &r.fmt, r.procs)) {
		p_err("out of memory");
		goto cleanup;
	}
	if (env.code_entries != CODECACHE_ENTRIES || env.code_bytes != CODECACHE_BYTES) {
		codecache__free(r.consumer.codes);
		if (codecache__init(r.consumer.codes, env.code_entries,
				    env.code_bytes)) {
			p_err("out of memory");
			goto cleanup;
		}
	}
	if (output__open(&r.out, env.output))
		goto cleanup;
	host__read(&r.host, NULL);
	write_host(&r);
	if (env.by.n || env.folded) {
		r.agg = aggregate__new(&env.by, env.folded, env.json, AGG_ROWS_MAX);
		if (!r.agg) {
			p_err("out of memory");
			goto cleanup;
		}
		r.consumer.agg = r.agg;
	}
	if (env.record) {
		if (consumer__record_to(&r.consumer, env.record,
					env.record_force))
			goto cleanup;
	}
	if (attach__find_targets(&r.att, &r.targets, &env))
		goto cleanup;
	if (load_bpf(&r))
		goto cleanup;
	codes_connect(&r);
	if (env.command) {
		child = gate__start(env.command);
		if (child < 0)
			goto cleanup;
	}
	filters__trace_pids(r.skel, &env, child);
	if (attach_all(&r))
		goto cleanup;

	r.fmt.json = env.json;
	r.fmt.realtime_offset_ns = realtime_offset_ns(CLOCK_MONOTONIC);
	r.fmt.boot_offset_ns = realtime_offset_ns(CLOCK_BOOTTIME);
	if (identity__boot_prefix(r.host.boot_id, r.boot_id))
		p_warn("cannot read the boot id (/proc/sys/kernel/random/boot_id): "
		       "exec_id begins with zeros");
	r.fmt.boot_id = r.boot_id;
	r.fmt.node = r.host.name[0] ? r.host.name : NULL;
	r.fmt.abs_time = env.abs_time;
	r.fmt.stack = env.no_source ? 0 : env.stack;
	r.fmt.col_uid = env.col_uid;
	r.fmt.col_ppid = env.col_ppid;
	r.fmt.col_container = env.col_container;
	r.fmt.app_frame = env.app_frame;
	r.fmt.redact = env.redact;
	r.app.lib_paths = env.lib_paths;
	r.app.nlib_paths = env.nlib_paths;
	r.consumer.app = &r.app;
	/* The notices first: ring_buffer__consume() reads the rings in
	 * the order they were added, and a batch ends in the events. */
	r.execs = ring_buffer__new(bpf_map__fd(r.skel->maps.execs), handle_exec,
				   &r, NULL);
	if (!r.execs) {
		p_err("cannot create the exec records' reader: %s", strerror(errno));
		goto cleanup;
	}
	proc_cache__set_refill(r.procs, refill_execs, &r);
	rb = ring_buffer__new(bpf_map__fd(r.skel->maps.notices), handle_mapped, &r, NULL);
	if (rb && ring_buffer__add(rb, bpf_map__fd(r.skel->maps.events),
				   handle_record, &r)) {
		ring_buffer__free(rb);
		rb = NULL;
	}
	if (!rb) {
		p_err("cannot create the ring buffer reader: %s", strerror(errno));
		goto cleanup;
	}
	/* Loading is done: give back to the kernel what it freed (libbpf's
	 * parse of the kernel BTF, target analysis) and malloc still keeps. */
	malloc_trim(0);
	install_signals();

	attach__report(&r.att, env.command != NULL);
	if (!env.summary && !env.folded)
		format__header(r.out.f, &r.fmt);
	r.start_ns = now_ns();
	r.started_targets = r.att.n_attached;
	/* Type=notify: "active" means attached */
	if (r.notify) {
		char ready[64];

		snprintf(ready, sizeof(ready), "READY=1\nMAINPID=%d", (int)getpid());
		sdnotify__send(ready);
		report_health(&r, false);
	}
	gate__release();

	exit_code = poll_loop(&r, rb, &child, &child_status);
	exit_code = drain(&r, rb, exit_code);
	if (env.command && child < 0 && !exit_code)
		exit_code = gate__exit_code(child_status, exit_code);

cleanup:
	if (child > 0 && exit_code)
		gate__abort(child);	/* never run, nor left running, untraced */
	else if (child > 0)
		gate__release();	/* pyaudit ends first: the command goes on */
	ring_buffer__free(rb);
	ring_buffer__free(r.execs);
	attach__free(&r.att);
	pyaudit_bpf__destroy(r.skel);
	target_list__free(&r.targets);
	proc_cache__free(r.procs);
	output__close(&r.out);
	consumer__free(&r.consumer);
	aggregate__free(r.agg);
	return exit_code;
}
