/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Profiles: curated sets of -e patterns (--profile, --list-profiles).
 * Data: user/profiles.c.
 */
#ifndef PA_PROFILES_H
#define PA_PROFILES_H

#include <stdio.h>

struct profile {
	const char *name;
	const char *doc;		/* one line: what it answers */
	const char *const *patterns;	/* -e patterns, NULL-terminated */
};

/* Exact lookup by name; NULL when there is no such profile. */
const struct profile *profile__find(const char *name);
/* Iteration (unit tests). */
size_t profile__count(void);
const struct profile *profile__at(size_t i);
/* Each profile, its patterns, and the known events each glob matches. */
void profile__list(FILE *out);
/* The profile names, comma-separated, for error messages. */
const char *profile__names(void);

#endif
