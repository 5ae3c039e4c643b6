// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The command line, argp style (libbpf-tools): a doc string with
 * EXAMPLES, conventional letters, numbers checked to the last byte. */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cgroup.h"
#include "codecache.h"
#include "layout.h"
#include "log.h"
#include "opts.h"
#include "profiles.h"

#define RING_MIN (2UL * PA_REC_MAX)

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
"usual install locations; Pythons started later, also in containers, are\n"
"found as they start, by content whatever their names (--hold-new: not\n"
"even their first events are missed). Filters act in the kernel: on names\n"
"and processes before any argument is read, on arguments before the event\n"
"leaves the kernel.\n"
"\n"
"EXAMPLES:\n"
"    pyaudit                          # every Python on the host\n"
"    pyaudit -j -o /var/log/pyaudit/audit.jsonl   # JSON Lines to a file\n"
"    pyaudit -p 1234                  # one process\n"
"    pyaudit -- python3 app.py        # a command and its children\n"
"    pyaudit -e 'os.system,subprocess.Popen,os.exec,os.posix_spawn'\n"
"                                     # who runs commands\n"
"    pyaudit --profile security       # what an incident responder wants\n"
"    pyaudit --profile exec,network -x socket.getaddrinfo\n"
"    pyaudit -e 'open:file=/etc/*'    # opens of files under /etc\n"
"    pyaudit -e 'socket.connect:address.1=22'   # connects to port 22\n"
"    pyaudit --action 'os.system:command=*curl*=stop'   # freeze it there\n"
"    pyaudit -x 'import,marshal.*,object.*,exec,compile'   # less noise\n"
"    pyaudit --container 3f4e5d6c7b8a # one container\n"
"    pyaudit -s 5                     # counts per event and process\n"
"    pyaudit -e os.system --stack 5   # who called os.system, 5 frames up\n"
"    pyaudit --list 'socket.*'        # known events and their arguments\n"
"    pyaudit -e subprocess.Popen --app-frame  # the app's line behind each\n"
"    pyaudit -e open --by arg:file -d 10      # the files opened most\n"
"    pyaudit -s 5 --by app -e compile  # which app lines compile, per second\n"
"    pyaudit -e open --folded -d 10 | flamegraph.pl > open.svg\n"
"    pyaudit -j --redact              # secrets in arguments hidden\n"
"\n"
"OPTIONS:";

enum {
	OPT_BINARY = 0x100,
	OPT_RING_SIZE,
	OPT_LIST,
	OPT_CGROUP,
	OPT_CONTAINER,
	OPT_RECORD,
	OPT_RECORD_FORCE,
	OPT_STACK,
	OPT_NO_SOURCE,
	OPT_HOLD_NEW,
	OPT_TEST_WALK_TABLES,
	OPT_TEST_CODE_CACHE,
	OPT_STATS,
	OPT_USAGE,
	OPT_BY,
	OPT_FOLDED,
	OPT_APP_FRAME,
	OPT_LIB_PATH,
	OPT_REDACT,
	OPT_PROFILE,
	OPT_LIST_PROFILES,
	OPT_ACTION,
	OPT_ACTION_DRY_RUN,
	OPT_ACTION_RATE,
};

#define ACTION_RATE_DEFAULT 10

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Targets:", 1 },
	{ "pid", 'p', "PID", 0, "Trace this process only (repeatable)", 1 },
	{ "binary", OPT_BINARY, "PATH", 0,
	  "Trace this python executable or libpython (repeatable); combines "
	  "with -p and with a command", 1 },
	{ "hold-new", OPT_HOLD_NEW, NULL, 0,
	  "Stop (SIGSTOP) a process that executes or maps a file not seen "
	  "before until that file is checked and, if it is a Python, "
	  "probed, then continue it: not even its first event is missed. "
	  "System-wide only; a parent shell sees its job stopped for that "
	  "time (see pyaudit(8))", 1 },
	{ NULL, 0, NULL, 0, "Filters (in the kernel):", 2 },
	{ "event", 'e', "GLOB[,GLOB...]", 0,
	  "Only events whose name matches a glob (* and ?), e.g. 'os.*'; "
	  "'EVENT:ARG=GLOB[:ARG=GLOB]' also on its arguments (a name from "
	  "--list, argN, ARG.N for one element of a tuple; != for not), e.g. "
	  "'open:file=/etc/*', 'socket.connect:address=*:22': the last "
	  "pattern of its -e, commas included", 2 },
	{ "exclude", 'x', "GLOB[,GLOB...]", 0,
	  "Not the events whose name (and arguments, as with -e) match; "
	  "wins over -e", 2 },
	{ "profile", OPT_PROFILE, "NAME[,NAME]", 0,
	  "The events of a profile, as -e patterns: security, exec, "
	  "network, files, imports, code (--list-profiles); security also "
	  "turns on --redact", 2 },
	{ "action", OPT_ACTION, "EVENT[:ARG=GLOB]=stop|kill|signal:SIG", 0,
	  "Send a signal to the process raising a matching event, from the "
	  "probe, before CPython goes on (repeatable; patterns as -e): stop "
	  "(SIGSTOP: inspect it, then kill -CONT), kill (SIGKILL) or any "
	  "signal. Not pyaudit, not PID 1, only within -p/-u/--container/"
	  "the command; the event is reported with \"action\" (see "
	  "docs/security.md)", 2 },
	{ "action-dry-run", OPT_ACTION_DRY_RUN, NULL, 0,
	  "Report what --action would do, and do nothing", 2 },
	{ "action-rate", OPT_ACTION_RATE, "N", 0,
	  "At most N actions a second in all (default 10); the others are "
	  "reported as rate-limited and counted", 2 },
	{ "uid", 'u', "UID", 0, "Only processes of this user id (repeatable)", 2 },
	{ "tid", 't', "TID", 0,
	  "Only this thread (its id as the host sees it; repeatable)", 2 },
	{ "comm", 'n', "NAME", 0,
	  "Only threads with this name (comm, 15 bytes; repeatable)", 2 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Only processes in this cgroup v2 directory or below it", 2 },
	{ "container", OPT_CONTAINER, "ID", 0,
	  "Only this container (its id, or at least 12 hex digits of it)", 2 },
	{ NULL, 0, NULL, 0, "Output:", 3 },
	{ "json", 'j', NULL, 0, "One JSON object per event (JSON Lines)", 3 },
	{ "output", 'o', "FILE", 0,
	  "Append to FILE; reopen it on SIGHUP (for logrotate)", 3 },
	{ NULL, 'T', NULL, 0, "Date and time in the TIME column", 3 },
	{ NULL, 'U', NULL, 0, "A UID column", 3 },
	{ NULL, 'P', NULL, 0, "A PPID column", 3 },
	{ NULL, 'C', NULL, 0, "A CONTAINER column", 3 },
	{ "stack", OPT_STACK, "N", 0,
	  "Also the N Python frames that called the one raising each event "
	  "(0-8): a \"stack\" array in JSON, indented lines in text", 3 },
	{ "no-source", OPT_NO_SOURCE, NULL, 0,
	  "Not the Python file, line and function raising each event (read "
	  "by default; this saves its cost, see OVERHEAD in pyaudit(8))", 3 },
	{ "summary", 's', "INTERVAL", OPTION_ARG_OPTIONAL,
	  "Count events per name and process in the kernel; print the table "
	  "every INTERVAL seconds and at exit (only at exit without "
	  "INTERVAL, or with 0): -s 5, -s5 or --summary=5", 3 },
	{ "by", OPT_BY, "KEY[,KEY]", 0,
	  "With -s (implied): count by these keys: event, pid, comm, "
	  "container (counted in the kernel), source (FILE:LINE), app (the "
	  "application's frame), arg:NAME (an argument's value); rates per "
	  "second with an INTERVAL", 3 },
	{ "folded", OPT_FOLDED, NULL, 0,
	  "At exit, the Python stacks of the events in the folded format of "
	  "flame graphs (outermost frame first, the event name last, then "
	  "the count): pyaudit -e open --folded -d 10 | flamegraph.pl", 3 },
	{ "app-frame", OPT_APP_FRAME, NULL, 0,
	  "Also the application's frame: the first one outside the standard "
	  "library and site-packages (up to 32 frames deep): \"app\" in JSON, "
	  "[app FILE:LINE in FUNC] in text", 3 },
	{ "lib-path", OPT_LIB_PATH, "PATH", 0,
	  "With --app-frame: frames under this directory (or matching this "
	  "glob) are library code too (repeatable)", 3 },
	{ "redact", OPT_REDACT, NULL, 0,
	  "Hide values known to carry secrets, keeping their length: "
	  "http.client.send data, urllib.Request data and headers, env "
	  "mappings, os.putenv values, passwords in URLs (pyaudit(8)); on "
	  "with --profile security", 3 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 3 },
	{ "stats", OPT_STATS, "N", 0,
	  "Health every N seconds and at exit (0: only at exit): targets, "
	  "probes, events, lost events, new Pythons: a {\"type\":\"stats\"} "
	  "record with --json, a line on stderr otherwise", 3 },
	{ "ring-size", OPT_RING_SIZE, "BYTES", 0,
	  "Ring buffer size, a power of 2 from 32k to 1G (default 8M; k/M/G "
	  "suffixes)", 3 },
	{ "list", OPT_LIST, "GLOB", OPTION_ARG_OPTIONAL,
	  "List the known events and their argument names, and exit", 3 },
	{ "list-profiles", OPT_LIST_PROFILES, NULL, 0,
	  "List the profiles and their events, and exit", 3 },
	{ "record", OPT_RECORD, "FILE", 0,
	  "Also write the raw ring-buffer records to FILE (a 4-byte length, "
	  "then the record), for replaying in benchmarks and bug reports; "
	  "never overwrites a file holding data", 3 },
	{ "record-force", OPT_RECORD_FORCE, NULL, 0,
	  "Let --record overwrite (truncate) an existing file", 3 },
	/* tests/integration/source.bats: BPF's line-table walk on every frame */
	{ "test-walk-line-tables", OPT_TEST_WALK_TABLES, NULL, OPTION_HIDDEN,
	  NULL, 3 },
	/* tests/integration/source.bats: the consumer's code-object
	 * descriptions bounded to ENTRIES and BYTES (0: not kept, every
	 * frame describes its code object) */
	{ "test-code-cache", OPT_TEST_CODE_CACHE, "ENTRIES[,BYTES]",
	  OPTION_HIDDEN, NULL, 3 },
	{ NULL, 0, NULL, 0, "Other:", 4 },
	{ "verbose", 'v', NULL, 0,
	  "Say which targets were found and how each is probed; twice: "
	  "libbpf's debug output too", 4 },
	{ NULL, 'V', NULL, 0, "Print the version, libbpf's and the features", 4 },
	{ "help", 'h', NULL, 0, "Show this help", 4 },
	/* argp's errors say "Try `pyaudit --help' or `pyaudit --usage'" */
	{ "usage", OPT_USAGE, NULL, 0, "Show a short usage message", 4 },
	{},
};

static int parse_ulong(const char *s, unsigned long *out, bool suffixes)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *s == '-' || *s == ' ')
		return -EINVAL;
	if (suffixes && *end) {
		const char *units = "kKmMgG", *u = strchr(units, *end);
		int shift = u ? 10 * (1 + (int)(u - units) / 2) : 0;

		if (!shift || v > (ULONG_MAX >> shift))
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

#ifndef PYAUDIT_LIBBPF_STATIC
#define PYAUDIT_LIBBPF_STATIC 0
#endif

/* -s: seconds, or 0 for the table at exit only. */
static int parse_interval(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= 0) || *out > 1e7)
		return -EINVAL;
	return 0;
}

static void print_version(void)
{
	char known[128];

	printf("pyaudit %s\n", PYAUDIT_VERSION);
	/* The version of the libbpf running (the libbpf.a linked in, or the
	 * shared library loaded with LIBBPF=system), then the headers the
	 * program and its skeleton were built with.
	 */
	printf("libbpf %u.%u (built against %s, %s)\n", libbpf_major_version(),
	       libbpf_minor_version(), LIBBPF_BUILD_VERSION,
	       PYAUDIT_LIBBPF_STATIC ? "linked statically" : "shared library");
	/* cpython-3.8-3.14: the versions user/layout.c has a row for */
	printf("features: usdt uprobes sys_audit-method-table-scan "
	       "kernel-filters summary new-process-watch containers json "
	       "cpython-%s\n", layout__known(known, sizeof(known), 0));
}

/* One pattern of -e, -x or a profile: an event glob, maybe with
 * argument conditions after a ':'. */
static void add_pattern(struct argp_state *state, struct opts *o,
			const char *g, bool exclude)
{
	const char *spec = argfilter__spec(g);
	size_t n = spec ? (size_t)(spec - 1 - g) : strlen(g);
	char err[256];
	int bit = 0;

	/* The same event glob twice (profiles overlap): once is enough. */
	for (int i = 0; !spec && i < o->nglobs; i++)
		if (!o->glob_cbit[i] && o->glob_exclude[i] == exclude &&
		    !strcmp(o->globs[i], g)) {
			/* an --action's pattern first, then the same -e */
			o->have_include |= !exclude;
			return;
		}
	if (o->nglobs == PA_GLOBS_MAX)
		argp_error(state, "more than %d patterns with -e, -x and "
			   "--profile: use fewer, or broader globs ('os.*')",
			   PA_GLOBS_MAX);
	if (n >= PA_GLOB_LEN || !n)
		argp_error(state, "'%s': give an event glob of 1 to %d bytes",
			   g, PA_GLOB_LEN - 1);
	memcpy(o->globs[o->nglobs], g, n);
	o->globs[o->nglobs][n] = '\0';
	if (spec) {
		bit = argfilter__parse(&o->conds, o->globs[o->nglobs], spec,
				       err, sizeof(err));
		if (!bit)
			argp_error(state, "%s %s: %s", exclude ? "-x" : "-e", g, err);
	}
	o->glob_cbit[o->nglobs] = bit;
	o->glob_exclude[o->nglobs++] = exclude;
	if (!exclude)
		o->have_include = true;
}

/* stop, kill, signal:SIG (a number or a name, SIG optional): the signal,
 * or 0. */
static int action_signal(const char *a)
{
	const char *name;
	char *end;
	long n;

	if (!strcmp(a, "stop"))
		return SIGSTOP;
	if (!strcmp(a, "kill"))
		return SIGKILL;
	if (strncmp(a, "signal:", 7))
		return 0;
	a += 7;
	if (!strncasecmp(a, "SIG", 3))
		a += 3;
	n = strtol(a, &end, 10);
	if (end != a && !*end)
		return n > 0 && n < SIGRTMIN ? (int)n : 0;
	for (int s = 1; s < SIGRTMIN; s++) {
		name = sigabbrev_np(s);
		if (name && !strcasecmp(name, a))
			return s;
	}
	return 0;
}

/*
 * --action EVENT[:ARG=GLOB...]=ACTION: an include pattern that carries a
 * signal, and does not restrict the events reported (without -e, all
 * still are).
 */
static void add_action(struct argp_state *state, struct opts *o, char *arg)
{
	char *eq = strrchr(arg, '=');
	bool had_include = o->have_include;
	int sig, n = o->nglobs;

	sig = eq ? action_signal(eq + 1) : 0;
	if (!sig)
		argp_error(state, "--action %s: give EVENT[:ARG=GLOB]=stop, =kill "
			   "or =signal:SIG (a signal name or number)", arg);
	*eq = '\0';
	add_pattern(state, o, arg, false);
	if (o->nglobs == n) {
		/* the same glob already given by -e: it carries the action */
		for (n = 0; n < o->nglobs && strcmp(o->globs[n], arg); n++)
			;
	}
	o->glob_action[n] = sig;
	o->have_include = had_include;
	o->nactions++;
	*eq = '=';
}

/*
 * -e/-x: a comma-separated list of globs. A pattern with argument
 * conditions takes the rest of the argument, commas included (a path
 * or a glob may hold them). arg is left as it is: it is pyaudit's own
 * command line, which ps shows.
 */
static void add_globs(struct argp_state *state, struct opts *o, char *arg,
		      bool exclude)
{
	char one[1024];	/* a glob and its conditions */
	const char *g = arg, *comma;
	size_t n, added = 0;

	while (*g) {
		comma = strchr(g, ',');
		if (comma && memchr(g, ':', comma - g))
			comma = NULL;
		n = comma ? (size_t)(comma - g) : strlen(g);
		if (n >= sizeof(one)) {
			argp_error(state, "pattern longer than %zu bytes: %.40s...",
				   sizeof(one) - 1, g);
			return;
		}
		if (n) {
			memcpy(one, g, n);
			one[n] = '\0';
			add_pattern(state, o, one, exclude);
			added++;
		}
		if (!comma)
			break;
		g = comma + 1;
	}
	/* -e '' would trace everything: never what was meant */
	if (!added)
		argp_error(state, "-%c '%s': no pattern (give one or more "
			   "globs, e.g. -%c 'subprocess.*,socket.*')",
			   exclude ? 'x' : 'e', arg, exclude ? 'x' : 'e');
}

static void add_profiles(struct argp_state *state, struct opts *o, char *arg)
{
	char names[256], *save = NULL, *name;
	const struct profile *p;

	/* a copy: strtok_r writes NULs, and arg is what ps shows */
	if (snprintf(names, sizeof(names), "%s", arg) >= (int)sizeof(names))
		argp_error(state, "--profile %.40s...: too long", arg);
	for (name = strtok_r(names, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		p = profile__find(name);
		if (!p)
			argp_error(state, "--profile %s: no such profile (%s; "
				   "see --list-profiles)", name, profile__names());
		for (const char *const *pat = p->patterns; *pat; pat++)
			add_pattern(state, o, *pat, false);
		/* issue 15: the security profile's output hides secrets */
		if (!strcmp(p->name, "security"))
			o->redact = o->redact_by_profile = true;
	}
}

/* --by, --folded, --app-frame, --redact with the rest. */
static void check_analysis(struct argp_state *state, struct opts *o)
{
	if (agg__has(&o->by, AGG_APP))
		o->app_frame = true;
	if (o->no_source && (o->app_frame || o->folded ||
			     agg__has(&o->by, AGG_SOURCE)))
		argp_error(state, "--app-frame, --folded, --by source and --by app read the Python frames: they do not go with --no-source");
	if (o->folded && (o->summary || o->json))
		argp_error(state, "--folded writes stacks for flame graphs at exit: it does not go with -s, --by or -j");
	if (o->redact && o->record)
		argp_error(state, "--record keeps the records as they came, secrets included: it does not go with --redact%s",
			   o->redact_by_profile ? " (which --profile security turns on)" : "");
	o->summary_records = o->folded || (o->by.n && !agg__in_kernel(&o->by));
}

#define ADD(state, arr, n, val, what)					\
	do {								\
		if ((n) == OPTS_LIST_MAX)				\
			argp_error(state, "too many %s options", what);	\
		(arr)[(n)++] = (val);					\
	} while (0)

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	unsigned long v;

	switch (key) {
	case 'p':
		if (parse_ulong(arg, &v, false) || !v || v > 0x7fffffff)
			argp_error(state, "invalid PID: %s", arg);
		ADD(state, o->pids, o->npids, (pid_t)v, "-p");
		break;
	case OPT_BINARY:
		ADD(state, o->binaries, o->nbinaries, arg, "--binary");
		break;
	case 'e':
	case 'x':
		add_globs(state, o, arg, key == 'x');
		break;
	case OPT_PROFILE:
		add_profiles(state, o, arg);
		break;
	case OPT_LIST_PROFILES:
		o->list_profiles = true;
		break;
	case OPT_ACTION:
		add_action(state, o, arg);
		break;
	case OPT_ACTION_DRY_RUN:
		o->action_dry_run = true;
		break;
	case OPT_ACTION_RATE:
		if (parse_ulong(arg, &v, false) || !v || v > 1000000)
			argp_error(state, "--action-rate: actions a second, 1 to "
				   "1000000: %s", arg);
		o->action_rate = v;
		break;
	case 'u':
		if (parse_ulong(arg, &v, false) || v > 0xfffffffe)
			argp_error(state, "invalid UID: %s", arg);
		ADD(state, o->uids, o->nuids, (uid_t)v, "-u");
		break;
	case 't':
		if (parse_ulong(arg, &v, false) || !v || v > 0x7fffffff)
			argp_error(state, "invalid TID: %s", arg);
		ADD(state, o->tids, o->ntids, (pid_t)v, "-t");
		break;
	case 'n':
		if (o->ncomms == OPTS_LIST_MAX)
			argp_error(state, "too many --comm options");
		/* comm is 15 bytes: a longer name is cut the same way */
		strncpy(o->comms[o->ncomms], arg, PA_COMM_LEN - 1);
		o->ncomms++;
		break;
	case OPT_CGROUP: {
		uint64_t id;
		int err = cgroup__id_of_path(arg, &id);

		/* a usage error (64), as a bad PID is: not a failure (1) */
		if (err)
			argp_error(state, "--cgroup %s: %s: give a cgroup v2 "
				   "directory, e.g. /sys/fs/cgroup/system.slice/"
				   "app.service", arg, strerror(-err));
		ADD(state, o->cgroups, o->ncgroups, arg, "--cgroup");
		break;
	}
	case OPT_CONTAINER: {
		size_t n = strlen(arg);

		if (n < 12 || n > CONTAINER_ID_MAX || strspn(arg, "0123456789abcdefABCDEF") != n)
			argp_error(state, "--container %s: give 12 to %d hex "
				   "digits of the container id", arg,
				   CONTAINER_ID_MAX);
		ADD(state, o->containers, o->ncontainers, arg, "--container");
		break;
	}
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		break;
	case OPT_STACK: {
		unsigned long n;

		if (parse_ulong(arg, &n, false) || n > PA_STACK_MAX)
			argp_error(state, "--stack '%s': a number of frames, 0 to %d",
				   arg, PA_STACK_MAX);
		o->stack = n;
		break;
	}
	case OPT_NO_SOURCE:
		o->no_source = true;
		break;
	case OPT_HOLD_NEW:
		o->hold_new = true;
		break;
	case OPT_TEST_WALK_TABLES:
		o->walk_all_tables = true;
		break;
	case OPT_TEST_CODE_CACHE: {
		char num[32], *comma;

		snprintf(num, sizeof(num), "%s", arg);
		comma = strchr(num, ',');
		if (comma)
			*comma = 0;
		if (parse_ulong(num, &o->code_entries, false) ||
		    (comma && (parse_ulong(comma + 1, &o->code_bytes, true) ||
			       !o->code_bytes)))
			argp_error(state, "--test-code-cache '%s': ENTRIES[,BYTES]", arg);
		break;
	}
	case OPT_BY: {
		char why[128];

		if (agg__parse_by(arg, &o->by, why, sizeof(why)))
			argp_error(state, "--by '%s': %s", arg, why);
		o->summary = true;
		break;
	}
	case OPT_FOLDED:
		o->folded = true;
		break;
	case OPT_APP_FRAME:
		o->app_frame = true;
		break;
	case OPT_LIB_PATH:
		ADD(state, o->lib_paths, o->nlib_paths, arg, "--lib-path");
		break;
	case OPT_REDACT:
		o->redact = true;
		break;
	case OPT_RECORD:
		o->record = arg;
		break;
	case OPT_RECORD_FORCE:
		o->record_force = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'o':
		o->output = arg;
		break;
	case 'T':
		o->abs_time = true;
		break;
	case 'U':
		o->col_uid = true;
		break;
	case 'P':
		o->col_ppid = true;
		break;
	case 'C':
		o->col_container = true;
		break;
	case 's':
		o->summary = true;
		if (arg && parse_interval(arg, &o->summary_interval))
			argp_error(state, "-s: an interval in seconds (0: only "
				   "at exit): %s", arg);
		break;
	case OPT_STATS:
		if (parse_interval(arg, &o->stats_interval))
			argp_error(state, "--stats: an interval in seconds (0: "
				   "only at exit): %s", arg);
		o->stats = true;
		break;
	case 'd':
		if (parse_seconds(arg, &o->duration))
			argp_error(state, "-d: a duration in seconds: %s", arg);
		break;
	case 'v':
		log_verbose++;
		break;
	case OPT_RING_SIZE:
		/* At least two records of PA_REC_MAX: a smaller ring could
		 * never take the largest records, which would then be
		 * counted as lost to a full ring that is empty. */
		if (parse_ulong(arg, &v, true) || v < RING_MIN || (v & (v - 1)) ||
		    v > (1UL << 30))
			argp_error(state, "--ring-size: a power of 2 from %luk "
				   "to 1G (e.g. 64k, 16M, 1G): %s",
				   RING_MIN >> 10, arg);
		o->ring_size = v;
		break;
	case OPT_LIST:
		o->list = true;
		o->list_glob = arg;
		break;
	case 'V':
		print_version();
		exit(0);
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG: {
		/* "-s 5" and "--list GLOB": an optional argument given as
		 * the next word, as other tracers take an interval. */
		const char *prev = state->next >= 2 ? state->argv[state->next - 2] : "";

		/* A word that starts like a number is the interval (an
		 * invalid one is an error, never a command to run). */
		if (o->summary && !o->summary_interval &&
		    (!strcmp(prev, "-s") || !strcmp(prev, "--summary")) &&
		    (isdigit((unsigned char)arg[0]) || arg[0] == '.')) {
			if (parse_interval(arg, &o->summary_interval))
				argp_error(state, "-s: an interval in seconds "
					   "(0: only at exit): %s", arg);
			break;
		}
		if (o->list && !o->list_glob && !strcmp(prev, "--list")) {
			o->list_glob = arg;
			break;
		}
		/* The command and its arguments: everything from here on. */
		o->command = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	}
	case ARGP_KEY_END:
		if (o->npids && o->command)
			argp_error(state, "-p and a command do not go together");
		if (o->hold_new && (o->npids || o->nbinaries || o->command))
			argp_error(state, "--hold-new holds processes where Pythons are found as they start: system-wide tracing, without -p, --binary or a command");
		if (o->nactions && o->summary)
			argp_error(state, "--action reports each event it acts on: it does not go with -s");
		if (o->action_dry_run && !o->nactions)
			argp_error(state, "--action-dry-run: give --action too");
		if (o->stack && o->no_source)
			argp_error(state, "--stack shows the callers of the source location: it does not go with --no-source");
		check_analysis(state, o);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void opts__parse(int argc, char **argv, struct opts *o)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = doc,
	};

	memset(o, 0, sizeof(*o));
	o->ring_size = 8UL << 20;
	o->code_entries = CODECACHE_ENTRIES;
	o->code_bytes = CODECACHE_BYTES;
	o->action_rate = ACTION_RATE_DEFAULT;
	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, ARGP_NO_HELP | ARGP_IN_ORDER, NULL, o))
		exit(EXIT_USAGE);
}
