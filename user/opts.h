/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The command line: what to trace, filters, output. */
#ifndef PA_OPTS_H
#define PA_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"
#include "aggregate.h"
#include "argfilter.h"

#define OPTS_LIST_MAX 64
#define EXIT_USAGE 64

struct opts {
	pid_t pids[OPTS_LIST_MAX];
	int npids;
	const char *binaries[OPTS_LIST_MAX];
	int nbinaries;
	char **command;			/* argv after "--" */
	/* filters */
	char globs[PA_GLOBS_MAX][PA_GLOB_LEN];
	bool glob_exclude[PA_GLOBS_MAX];
	int nglobs;
	bool have_include;
	unsigned char glob_cbit[PA_GLOBS_MAX];	/* its conditions' bit + 1 */
	unsigned char glob_action[PA_GLOBS_MAX];	/* --action: its signal */
	int nactions;			/* --action patterns */
	bool action_dry_run;		/* --action-dry-run */
	unsigned int action_rate;	/* --action-rate: a second, at most */
	struct arg_filter conds;	/* -e 'EVENT:ARG=GLOB' conditions */
	uid_t uids[OPTS_LIST_MAX];
	int nuids;
	pid_t tids[OPTS_LIST_MAX];	/* -t: thread ids */
	int ntids;
	char comms[OPTS_LIST_MAX][PA_COMM_LEN];
	int ncomms;
	const char *cgroups[OPTS_LIST_MAX];
	int ncgroups;
	const char *containers[OPTS_LIST_MAX];
	int ncontainers;
	/* output */
	bool json;
	const char *output;		/* -o FILE */
	bool abs_time, col_uid, col_ppid, col_container;
	bool summary;
	double summary_interval;	/* 0: only at exit */
	double duration;		/* -d: 0 = until interrupted */
	bool stats;			/* --stats: health records */
	double stats_interval;		/* 0: only at exit */
	unsigned long ring_size;
	bool list;
	const char *list_glob;
	bool list_profiles;		/* --list-profiles */
	const char *record;		/* --record FILE: raw records too */
	bool record_force;		/* --record may truncate a file */
	bool no_source;			/* --no-source: no Python frames */
	bool hold_new;			/* --hold-new: SIGSTOP at new files */
	unsigned int stack;		/* --stack N: callers of the frame */
	bool walk_all_tables;		/* tests: line tables walked in BPF */
	/* tests: the consumer's bounds of code-object descriptions
	 * (codecache.h); entries 0: every frame describes its code */
	unsigned long code_entries, code_bytes;
	/* analysis */
	bool app_frame;			/* --app-frame (or --by app) */
	const char *lib_paths[OPTS_LIST_MAX];	/* --lib-path */
	int nlib_paths;
	struct agg_by by;		/* -s --by KEY[,KEY] */
	bool folded;			/* --folded */
	bool summary_records;		/* the counts need the records: keys
					 * the kernel does not count by */
	bool redact;			/* --redact: secrets hidden */
	bool redact_by_profile;		/* ... turned on by --profile security */
};

/* Parse argv into o. Exits on --help, -V, and usage errors (64). */
void opts__parse(int argc, char **argv, struct opts *o);

#endif
