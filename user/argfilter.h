/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Argument conditions of -e/-x patterns ('open:file=/etc/x*'): parsed
 * and resolved against the event table here, checked in BPF
 * (bpf/argfilter.bpf.h).
 */
#ifndef PA_ARGFILTER_H
#define PA_ARGFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"

struct arg_cond {
	unsigned int bit;	/* its pattern's bit in the pending masks */
	unsigned int arg;	/* top-level argument, from 0 */
	unsigned int elem;	/* element + 1 of a tuple or list, 0: all */
	bool neg;		/* ARG!=GLOB */
	char glob[PA_GLOB_LEN];
};

struct arg_filter {
	struct arg_cond v[PA_CONDS_MAX];
	int n;			/* conditions */
	int npats;		/* patterns with conditions */
};

/*
 * The conditions spec ("file=/etc/x*", "address.1=22:arg0=*") of a
 * pattern whose event glob is event, as the conditions of one more
 * pattern. Returns its bit + 1, or 0 with a message in err.
 */
int argfilter__parse(struct arg_filter *af, const char *event,
		     const char *spec, char *err, size_t errlen);

/* Where the conditions of "EVENT:ARG=GLOB" start (after the ':'), or
 * NULL: the first ':' of the pattern. */
const char *argfilter__spec(const char *pattern);

/*
 * The glob of a condition (* and ?) against n bytes of text, as BPF
 * matches it: 1 match, 0 none; with more (the text was cut), 2 when the
 * rest could decide.
 */
int argfilter__glob(const char *pat, const char *s, size_t n, bool more);

#endif
