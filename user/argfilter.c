// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Argument conditions: "EVENT:ARG=GLOB[:ARG=GLOB...]". ARG is the
 * argument's name in the event table (user/event_table.c) or argN, with
 * .N for one element of a tuple or list (address.1: the port of
 * socket.connect's (host, port)); ARG!=GLOB holds when ARG=GLOB is false
 * (and is unknown when that is). A ':' followed by a name and '=' starts
 * the next condition; any other ':' belongs to the glob (address=*:22).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "argfilter.h"
#include "event_table.h"

const char *argfilter__spec(const char *pattern)
{
	const char *c = strchr(pattern, ':');

	return c ? c + 1 : NULL;
}

/* Length of "NAME[.N]=" or "NAME[.N]!=" at p (a condition's start),
 * or 0. */
static size_t cond_head(const char *p)
{
	const char *q = p;

	if (!isalpha((unsigned char)*q) && *q != '_')
		return 0;
	while (isalnum((unsigned char)*q) || *q == '_')
		q++;
	if (*q == '.') {
		if (!isdigit((unsigned char)*++q))
			return 0;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q == '!' && q[1] == '=')
		return (size_t)(q - p) + 2;
	return *q == '=' ? (size_t)(q - p) + 1 : 0;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* "argN" or a name of the event's arguments: its index, or -1. */
static int arg_index(const char *event, const char *name, size_t len,
		     char *err, size_t errlen)
{
	const struct event_def *d;
	char *end;
	long n;

	if (len > 3 && !strncmp(name, "arg", 3) && isdigit((unsigned char)name[3])) {
		n = strtol(name + 3, &end, 10);
		if (end == name + len && n < PA_ARGS_MAX)
			return (int)n;
		snprintf(err, errlen, "arg%.*s: arguments are arg0 to arg%d",
			 (int)(len - 3), name + 3, PA_ARGS_MAX - 1);
		return -1;
	}
	if (has_wildcard(event)) {
		snprintf(err, errlen, "'%.*s' names an argument of one event: "
			 "give the event's exact name, not '%s', or use argN",
			 (int)len, name, event);
		return -1;
	}
	d = event_table_find(event);
	if (!d) {
		snprintf(err, errlen, "%s is not in the event table (pyaudit "
			 "--list): name its arguments arg0, arg1 ...", event);
		return -1;
	}
	for (unsigned int i = 0; i < d->nargs; i++)
		if (strlen(d->args[i]) == len && !strncmp(d->args[i], name, len))
			return (int)i;
	{
		char names[160] = "";
		size_t used = 0;

		for (unsigned int i = 0; i < d->nargs && used < sizeof(names); i++)
			used += snprintf(names + used, sizeof(names) - used, "%s%s",
					 i ? ", " : "", d->args[i]);
		snprintf(err, errlen, "%s has no argument '%.*s' (its arguments: %s)",
			 event, (int)len, name, d->nargs ? names : "none");
	}
	return -1;
}

static int add_cond(struct arg_filter *af, const char *event, const char *p,
		    size_t head, size_t glen, char *err, size_t errlen)
{
	struct arg_cond *c = &af->v[af->n];
	bool neg = head >= 2 && p[head - 2] == '!';
	size_t alen = head - 1 - neg;	/* "NAME[.N]" */
	const char *dot = memchr(p, '.', alen);
	size_t nlen = dot ? (size_t)(dot - p) : alen;
	int idx;

	if (af->n == PA_CONDS_MAX) {
		snprintf(err, errlen, "more than %d argument conditions",
			 PA_CONDS_MAX);
		return -1;
	}
	if (glen >= PA_GLOB_LEN) {
		snprintf(err, errlen, "the glob of %.*s is longer than %d bytes",
			 (int)alen, p, PA_GLOB_LEN - 1);
		return -1;
	}
	idx = arg_index(event, p, nlen, err, errlen);
	if (idx < 0)
		return -1;
	memset(c, 0, sizeof(*c));
	c->bit = af->npats;
	c->arg = idx;
	c->neg = neg;
	if (dot) {
		long e = strtol(dot + 1, NULL, 10);

		if (e >= PA_ELEMS_MAX) {
			snprintf(err, errlen, "%.*s: elements are .0 to .%d (the "
				 "ones decoded)", (int)alen, p, PA_ELEMS_MAX - 1);
			return -1;
		}
		c->elem = e + 1;
	}
	memcpy(c->glob, p + head, glen);
	af->n++;
	return 0;
}

int argfilter__parse(struct arg_filter *af, const char *event,
		     const char *spec, char *err, size_t errlen)
{
	int first = af->n;
	const char *p = spec;

	if (af->npats == PA_CONDPATS_MAX) {
		snprintf(err, errlen, "more than %d patterns with argument "
			 "conditions", PA_CONDPATS_MAX);
		return 0;
	}
	while (*p) {
		size_t head = cond_head(p);
		const char *end = p + head;

		if (!head) {
			snprintf(err, errlen, "'%s': give ARG=GLOB, ARG being an "
				 "argument's name (pyaudit --list %s) or argN",
				 p, event);
			af->n = first;
			return 0;
		}
		/* The glob runs to the next ":NAME=" or the end. */
		while (*end && !(*end == ':' && cond_head(end + 1)))
			end++;
		if (add_cond(af, event, p, head, end - p - head, err, errlen)) {
			af->n = first;
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	if (af->n == first) {
		snprintf(err, errlen, "no condition after '%s:'", event);
		return 0;
	}
	return ++af->npats;
}

int argfilter__glob(const char *pat, const char *s, size_t n, bool more)
{
	size_t plen = strlen(pat), p = 0, i = 0, mark = 0;
	long star = -1;

	while (i < n) {
		if (p < plen && (pat[p] == '?' || pat[p] == s[i])) {
			p++;
			i++;
		} else if (p < plen && pat[p] == '*') {
			star = p++;
			mark = i;
		} else if (star >= 0) {
			p = star + 1;
			i = ++mark;
		} else {
			return 0;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	if (!more)
		return p >= plen;
	/* the text was cut: only a pattern ending in '*' that matched all
	 * of it is sure to match the whole value */
	return p >= plen && plen && pat[plen - 1] == '*' ? 1 : 2;
}
