// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyaudit: trace CPython audit events (PEP 578) with eBPF.
 * Lifecycle: parse args, find targets, open, configure, load, attach,
 * start the command if any, poll the ring buffer, clean up.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "pyaudit.skel.h"
#include "discover.h"
#include "event_table.h"
#include "format.h"
#include "log.h"
#include "record.h"
#include "target.h"

#define EXIT_USAGE 64

static struct env {
	pid_t pids[64];
	int npids;
	const char *binaries[64];
	int nbinaries;
	char **command;		/* argv after "--" */
	bool json;
	bool list;
	const char *list_glob;
	unsigned long ring_size;
} env = {
	.ring_size = 8UL << 20,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "pyaudit " PYAUDIT_VERSION;
const char *argp_program_bug_address = "the project's issue tracker";

static const char doc[] =
"Trace CPython audit events (PEP 578) with eBPF, from outside the traced\n"
"processes: nothing to install in them, no restart.\n"
"\n"
"USAGE: pyaudit [OPTIONS] [-- COMMAND [ARGS...]]\n"
"\n"
"With no target option, every Python on the host is traced: each python\n"
"executable and libpython that a running process maps, and those in the\n"
"usual install locations; processes started later from those files are\n"
"traced too.\n"
"\n"
"EXAMPLES:\n"
"    pyaudit                      # every Python on the host\n"
"    pyaudit -j > audit.jsonl     # the same, as JSON Lines\n"
"    pyaudit -p 1234              # one process\n"
"    pyaudit -- python3 app.py    # a command and its children\n"
"    pyaudit --binary /opt/py/lib/libpython3.12.so.1.0\n"
"\n"
"OPTIONS:";

enum {
	OPT_BINARY = 0x100,
	OPT_RING_SIZE,
	OPT_LIST,
};

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace this process only (repeatable)", 0 },
	{ "binary", OPT_BINARY, "PATH", 0,
	  "Trace this python executable or libpython (repeatable); combines "
	  "with -p and with a command", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per event (JSON Lines)", 0 },
	{ "verbose", 'v', NULL, 0,
	  "Say which targets were found and how each is probed; twice: "
	  "libbpf's debug output too", 0 },
	{ "ring-size", OPT_RING_SIZE, "BYTES", 0,
	  "Ring buffer size, a power of 2 (default 8M; k/M suffixes)", 0 },
	{ "list", OPT_LIST, "GLOB", OPTION_ARG_OPTIONAL,
	  "List the known events and their argument names, and exit", 0 },
	{ NULL, 'V', NULL, 0, "Print the version, libbpf's and the features", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};

static int parse_ulong(const char *s, unsigned long *out, bool suffixes)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	if (suffixes && (*end == 'k' || *end == 'K'))
		v <<= 10, end++;
	else if (suffixes && (*end == 'm' || *end == 'M'))
		v <<= 20, end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static void print_version(void)
{
	printf("pyaudit %s\n", PYAUDIT_VERSION);
	printf("libbpf %u.%u (built against %s)\n", libbpf_major_version(),
	       libbpf_minor_version(), LIBBPF_BUILD_VERSION);
	printf("features: usdt uprobe sys_audit-method-table-scan json "
	       "cpython-3.8-3.14\n");
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	unsigned long v;

	switch (key) {
	case 'p':
		if (parse_ulong(arg, &v, false) || !v || v > 0x7fffffff) {
			fprintf(stderr, "pyaudit: invalid PID: %s\n", arg);
			argp_usage(state);
		}
		if (env.npids == (int)(sizeof(env.pids) / sizeof(env.pids[0])))
			argp_error(state, "too many -p options");
		env.pids[env.npids++] = v;
		break;
	case OPT_BINARY:
		if (env.nbinaries == (int)(sizeof(env.binaries) / sizeof(env.binaries[0])))
			argp_error(state, "too many --binary options");
		env.binaries[env.nbinaries++] = arg;
		break;
	case 'j':
		env.json = true;
		break;
	case 'v':
		log_verbose++;
		break;
	case OPT_RING_SIZE:
		if (parse_ulong(arg, &v, true) || v < 4096 || (v & (v - 1)))
			argp_error(state, "--ring-size: a power of 2, at least 4096: %s", arg);
		env.ring_size = v;
		break;
	case OPT_LIST:
		env.list = true;
		env.list_glob = arg;
		break;
	case 'V':
		print_version();
		exit(0);
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		/* The command and its arguments: everything from here on. */
		env.command = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_verbose < 2)
		return 0;
	if (level == LIBBPF_INFO && log_verbose < 1)
		return 0;
	if (level == LIBBPF_WARN && log_verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void sig_handler(int sig)
{
	exiting = 1;
	signal(sig, SIG_DFL);	/* a second Ctrl-C kills */
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

/* ---- events ------------------------------------------------------------- */

struct run {
	struct pyaudit_bpf *skel;
	struct target_list targets;
	struct format_opts fmt;
	struct rec_event *rec;		/* decode buffer (large: on the heap) */
	unsigned long bad_records;
};

/* The event name as a C string, for the table lookup (ASCII only). */
static const char *name_cstr(const struct rec_value *v, char *buf, size_t size)
{
	size_t n;

	if (v->tag != PA_T_STR_UTF8 && v->tag != PA_T_STR_UCS1)
		return NULL;
	n = v->len < size - 1 ? v->len : size - 1;
	for (size_t i = 0; i < n; i++) {
		if (!v->data[i] || v->data[i] >= 0x80)
			return NULL;
		buf[i] = v->data[i];
	}
	buf[n] = 0;
	return buf;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	const struct event_def *def = NULL;
	char name[PA_NAME_MAX + 1];
	const char *cname;

	if (record__decode(data, size, r->rec)) {
		if (r->bad_records++ == 0)
			p_warn("malformed record from BPF (size %zu): skipped", size);
		return 0;
	}
	cname = name_cstr(&r->rec->name, name, sizeof(name));
	if (cname)
		def = event_table_find(cname);
	format__event(stdout, &r->fmt, r->rec, def);
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

/* ---- targets and attaching ------------------------------------------------ */

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

static int attach_target(struct pyaudit_bpf *skel, struct target *t, __u32 id,
			 pid_t pid)
{
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
		return 0;
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

static int find_targets(struct run *r)
{
	char err[512];
	int n;

	for (int i = 0; i < env.nbinaries; i++) {
		n = discover__add_path(&r->targets, env.binaries[i], err, sizeof(err));
		if (n < 0) {
			p_err("%s: %s", env.binaries[i], err);
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
		if (n < 0) {
			p_err("process %d maps no Python this tool can trace "
			      "(no python executable or libpython 3.8+ found in "
			      "/proc/%d/maps): try --binary PATH", env.pids[i],
			      env.pids[i]);
			return n;
		}
	}
	if (env.command && !env.nbinaries) {
		n = discover__command(&r->targets, env.command[0]);
		if (n <= 0) {
			p_debug("%s: no Python found in the command's file: "
				"tracing every Python on the host, filtered to "
				"the command's processes", env.command[0]);
			discover__system(&r->targets);
		}
	}
	if (!env.nbinaries && !env.npids && !env.command)
		discover__system(&r->targets);
	if (!r->targets.n) {
		p_err("no Python found: no running process maps a python "
		      "executable or libpython 3.8+, and none is in the usual "
		      "install locations; name one with --binary PATH");
		return -ENOENT;
	}
	return 0;
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
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
	};
	struct run r = {};
	struct ring_buffer *rb = NULL;
	pid_t child = -1;
	int child_status = 0, err, exit_code = 1;
	unsigned attached = 0, n_usdt = 0, n_uprobes = 0;
	__u64 lost_seen = 0;

	err = argp_parse(&argp, argc, argv, ARGP_NO_HELP | ARGP_IN_ORDER, NULL, NULL);
	if (err)
		return EXIT_USAGE;
	log_json = env.json;
	if (env.list)
		return list_events(env.list_glob);

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);

	if (!have_privileges()) {
		p_err("needs CAP_BPF and CAP_PERFMON to load BPF programs and "
		      "attach uprobes: run with sudo");
		return 1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		p_err("this kernel has no BTF (/sys/kernel/btf/vmlinux): pyaudit "
		      "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.8+)");
		return 1;
	}

	r.rec = malloc(sizeof(*r.rec));
	if (!r.rec) {
		p_err("out of memory");
		return 1;
	}
	if (find_targets(&r))
		goto cleanup;
	if (r.targets.n > PA_TARGETS_MAX) {
		p_warn("%zu targets found, tracing the first %d", r.targets.n,
		       PA_TARGETS_MAX);
		r.targets.n = PA_TARGETS_MAX;
	}

	r.skel = pyaudit_bpf__open();
	if (!r.skel) {
		p_err("cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	r.skel->rodata->filter_pids = env.npids > 0 || env.command;
	bpf_program__set_autoload(r.skel->progs.follow_fork, env.command != NULL);
	bpf_program__set_autoload(r.skel->progs.follow_exit, env.command != NULL);
	bpf_map__set_max_entries(r.skel->maps.events, env.ring_size);
	err = pyaudit_bpf__load(r.skel);
	if (err) {
		p_err("cannot load the BPF programs: %s%s", strerror(-err),
		      err == -EPERM ? ": needs CAP_BPF and CAP_PERFMON, run with sudo"
				    : " (run with -vv for the verifier's log)");
		goto cleanup;
	}

	for (__u32 i = 0; i < r.targets.n; i++) {
		if (bpf_map_update_elem(bpf_map__fd(r.skel->maps.layouts), &i,
					&r.targets.v[i].layout, BPF_ANY)) {
			p_err("cannot store the layout of %s: %s",
			      r.targets.v[i].path, strerror(errno));
			goto cleanup;
		}
	}

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
	for (__u32 i = 0; i < r.targets.n; i++) {
		struct target *t = &r.targets.v[i];
		int ok = 0;

		if (log_verbose)
			describe_target(t);
		if (env.npids && !env.nbinaries) {
			/* Probe each process on its own: the USDT semaphore
			 * is then armed in that process only. */
			for (int j = 0; j < env.npids; j++)
				if (!attach_target(r.skel, t, i, env.pids[j]))
					ok = 1;
		} else {
			ok = !attach_target(r.skel, t, i, -1);
		}
		if (ok) {
			attached++;
			if (t->mech == TARGET_MECH_USDT)
				n_usdt++;
			else
				n_uprobes++;
		}
	}
	if (!attached) {
		p_err("no target could be probed (see the warnings above)");
		goto cleanup;
	}
	err = pyaudit_bpf__attach(r.skel);	/* the fork/exit followers */
	if (err) {
		p_err("cannot attach the process followers: %s", strerror(-err));
		goto cleanup;
	}

	r.fmt.json = env.json;
	r.fmt.realtime_offset_ns = realtime_offset_ns();
	rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), handle_event, &r, NULL);
	if (!rb) {
		p_err("cannot create the ring buffer reader: %s", strerror(errno));
		goto cleanup;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	signal(SIGPIPE, SIG_DFL);

	{
		/* One line: how many targets, and each one's mechanism. */
		char list[1024] = "";
		size_t len = 0;

		for (__u32 i = 0; i < r.targets.n && len < sizeof(list); i++) {
			const char *base = strrchr(r.targets.v[i].path, '/');

			len += snprintf(list + len, sizeof(list) - len, "%s%s (%s)",
					i ? ", " : "", base ? base + 1 : r.targets.v[i].path,
					mech_name(&r.targets.v[i]));
		}
		if (len >= sizeof(list))
			strcpy(list + sizeof(list) - 5, "...");
		p_info("Tracing %u target%s (%u usdt, %u uprobes): %s. %s", attached,
		       attached == 1 ? "" : "s", n_usdt, n_uprobes, list,
		       env.command ? "Starting the command." : "Ctrl-C to end.");
	}
	format__header(stdout, &r.fmt);
	release_command();

	exit_code = 0;
	while (!exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			p_err("reading the ring buffer: %s", strerror(-err));
			exit_code = 1;
			break;
		}
		if (child > 0) {
			pid_t w = waitpid(child, &child_status, WNOHANG);

			if (w == child) {
				child = -1;
				break;
			}
		}
		{
			__u64 lost = stat_sum(r.skel, PA_STAT_LOST);

			if (lost != lost_seen) {
				p_warn("%llu events lost: the ring buffer was full "
				       "(try a larger --ring-size)",
				       (unsigned long long)(lost - lost_seen));
				lost_seen = lost;
			}
		}
	}
	/* Deliver what is still in the buffer. */
	ring_buffer__consume(rb);
	{
		__u64 lost = stat_sum(r.skel, PA_STAT_LOST);

		if (lost)
			p_warn("%llu events lost in all (ring buffer full)",
			       (unsigned long long)lost);
	}
	if (env.command && child < 0) {
		if (WIFEXITED(child_status))
			exit_code = WEXITSTATUS(child_status);
		else if (WIFSIGNALED(child_status))
			exit_code = 128 + WTERMSIG(child_status);
	}

cleanup:
	if (child > 0) {
		/* pyaudit ends first: let the command go on untraced. */
		release_command();
	}
	ring_buffer__free(rb);
	pyaudit_bpf__destroy(r.skel);
	target_list__free(&r.targets);
	free(r.rec);
	return exit_code;
}
