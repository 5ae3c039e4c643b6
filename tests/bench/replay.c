// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The consumer's throughput without the kernel: replay records kept by
 * `pyaudit --record FILE` through consumer__event (user/consumer.c), what
 * pyaudit does for each record in JSON mode (decode, the line of each
 * frame, name lookup in the events table, process context from the
 * cache, format one JSON line), for a few seconds on one core.
 *
 * By default the output is what pyaudit writes to: user/output.c's
 * block-buffered stream, flushed after each batch of records. Under load
 * pyaudit's poll returns a batch when the ring buffer holds its wakeup
 * mark (a sixteenth of --ring-size: 512 KiB by default), so a batch here
 * is the records up to that many bytes.
 *
 * Usage: replay [-t SECONDS] [-c CPU] [-w BYTES] [-l | -b] [-o FILE]
 *               [-p VERSIONS] RECORDS
 *   -t  how long to run (default 3)
 *   -c  pin to this CPU (default: stay where the scheduler puts us)
 *   -w  bytes of records per batch (default 524288)
 *   -l  line-buffered output, one write(2) per event (pyaudit before
 *       its output was block-buffered)
 *   -b  block-buffered output flushed only at the end: the cost of
 *       formatting alone
 *   -o  append the output there instead of /dev/null (to look at it)
 *   -p  the CPython version of each target of the recording, by target
 *       id (the order in which pyaudit found them), comma-separated; the
 *       last one stands for the rest (default 3.11: make bench records
 *       on /usr/bin/python3.11). It gives the line-table format of the
 *       frames, as the target's layout does in pyaudit.
 * Prints one line: events/s, MB/s, bytes per event, records, rounds,
 * seconds, the mode, then the CPU time used and events per CPU second
 * (on a busy machine other processes take part of the pinned CPU: the
 * first figure is then below what the code does on a core of its own).
 *
 * The traced processes are gone at replay time, so the cache's entries
 * are empty; the JSON "process" object then gets a typical exe and
 * command line instead (typical_proc), so that lines are as long as live
 * ones.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "user/consumer.h"
#include "user/output.h"
#include "user/proc.h"
#include "user/layout.h"

#define USAGE "usage: %s [-t SECONDS] [-c CPU] [-w BYTES] [-l | -b] [-o FILE] " \
	      "[-p VERSIONS] RECORDS\n"

enum mode { AS_PYAUDIT, LINE_BUFFERED, UNFLUSHED };

struct rec {
	const void *data;
	uint32_t size;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int64_t realtime_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (int64_t)(rt.tv_sec - mono.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - mono.tv_nsec);
}

static unsigned char *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 1 << 20;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*size = n;
	return buf;
}

static const struct proc_info *typical_proc(struct proc_cache *c, pid_t pid,
					    uint64_t start_ns)
{
	/* gen: as a cache's entry, the same for each event of the
	 * process (format.c keeps its process object's text) */
	static const struct proc_info typical = {
		.gen = 1,
		.exe = "/usr/bin/python3.11",
		.cmdline = "/usr/bin/python3.11\0/srv/app/manage.py\0runworker\0--queue\0default",
		.cmdline_len = sizeof("/usr/bin/python3.11\0/srv/app/manage.py\0runworker\0--queue\0default"),
	};
	const struct proc_info *pi = proc_cache__get(c, pid, start_ns);

	return pi->gone ? &typical : pi;
}

/* -p 3.11,3.8: the line-table format of each target id. */
static int set_targets(struct consumer *c, const char *versions)
{
	struct pa_layout l;
	uint32_t id = 0;
	const char *p = versions;
	char *end;
	long minor;

	for (;;) {
		if (strncmp(p, "3.", 2))
			return -1;
		minor = strtol(p + 2, &end, 10);
		if (end == p + 2 || (*end && *end != ',') ||
		    layout__for_version(3, minor, false, &l))
			return -1;
		consumer__set_target(c, id++, l.ltab_format);
		if (!*end)
			break;
		p = end + 1;
	}
	for (; id < PA_TARGETS_MAX; id++)
		consumer__set_target(c, id, l.ltab_format);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = 3;
	int cpu = -1, opt;
	enum mode mode = AS_PYAUDIT;
	size_t batch_bytes = 512 * 1024, batch = 0;
	const char *outpath = "/dev/null", *versions = "3.11";
	struct output output;
	unsigned char *file;
	size_t fsize, off = 0, nrecs = 0, cap = 0;
	struct rec *recs = NULL;
	const void *data;
	uint32_t len;
	struct consumer cons;
	struct proc_cache *procs;
	struct format_opts fo = { .json = true };
	uint64_t events = 0, rounds = 0, t0, t, deadline, cpu0;
	FILE *out;

	while ((opt = getopt(argc, argv, "t:c:w:lbo:p:")) != -1) {
		switch (opt) {
		case 't': seconds = atof(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'w': batch_bytes = strtoull(optarg, NULL, 0); break;
		case 'l': mode = LINE_BUFFERED; break;
		case 'b': mode = UNFLUSHED; break;
		case 'o': outpath = optarg; break;
		case 'p': versions = optarg; break;
		default:
			fprintf(stderr, USAGE, argv[0]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, USAGE, argv[0]);
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "replay: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
	}
	file = load(argv[optind], &fsize);
	if (!file) {
		fprintf(stderr, "replay: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	/* Index the event records (mapped-file notices are not output). */
	while ((data = consumer__next_kept(file, fsize, &off, &len))) {
		uint16_t type;

		if (len < sizeof(type))
			continue;
		memcpy(&type, data, sizeof(type));
		if (type != PA_REC_EVENT)
			continue;
		if (nrecs == cap) {
			struct rec *nr;

			cap = cap ? cap * 2 : 4096;
			nr = realloc(recs, cap * sizeof(*recs));
			if (!nr)
				return 1;
			recs = nr;
		}
		recs[nrecs++] = (struct rec){ data, len };
	}
	if (!nrecs) {
		fprintf(stderr, "replay: no event records in %s\n", argv[optind]);
		return 1;
	}
	procs = proc_cache__new(4096);
	if (!procs || consumer__init(&cons, &fo, procs) ||
	    output__open(&output, outpath)) {
		fprintf(stderr, "replay: %s\n", strerror(errno));
		return 1;
	}
	cons.proc_get = typical_proc;
	if (set_targets(&cons, versions)) {
		fprintf(stderr, "replay: -p %s: give CPython versions 3.8 to 3.14, "
			"comma-separated\n", versions);
		return 2;
	}
	out = output.f;
	if (mode == LINE_BUFFERED)
		setvbuf(out, NULL, _IOLBF, 0);
	fo.realtime_offset_ns = realtime_offset_ns();

	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now_ns();
	deadline = t0 + (uint64_t)(seconds * 1e9);
	do {
		for (size_t i = 0; i < nrecs; i++) {
			if (consumer__event(&cons, out, recs[i].data, recs[i].size))
				continue;
			events++;
			/* as pyaudit's poll loop after each batch */
			batch += recs[i].size;
			if (mode == AS_PYAUDIT && batch >= batch_bytes) {
				output__flush(&output);
				batch = 0;
			}
		}
		rounds++;
		t = now_ns();
	} while (t < deadline);
	output__flush(&output);
	{
		double secs = (t - t0) / 1e9;
		double cpu_secs = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1e9;
		char *mbuf = NULL;
		size_t msize = 0;
		FILE *m = open_memstream(&mbuf, &msize);
		double bytes;

		/* Every round writes the same lines: measure one in memory
		 * (/dev/null does not count). */
		for (size_t i = 0; m && i < nrecs; i++)
			consumer__event(&cons, m, recs[i].data, recs[i].size);
		if (m)
			fclose(m);
		bytes = (double)msize * rounds;
		free(mbuf);
		printf("%.0f events/s %.1f MB/s %.0f bytes/event %zu records %llu rounds %.2f s %s; "
		       "%.2f s CPU, %.0f events per CPU second%s\n",
		       events / secs, bytes / secs / 1e6, events ? bytes / events : 0,
		       nrecs, (unsigned long long)rounds, secs,
		       mode == AS_PYAUDIT ? "block-buffered, flushed per batch" :
		       mode == LINE_BUFFERED ? "line-buffered" : "block-buffered, unflushed",
		       cpu_secs, cpu_secs > 0 ? events / cpu_secs : 0,
		       cons.bad_records ? " (some records malformed)" : "");
	}
	output__close(&output);
	consumer__free(&cons);
	proc_cache__free(procs);
	free(recs);
	free(file);
	return cons.bad_records ? 1 : 0;
}
