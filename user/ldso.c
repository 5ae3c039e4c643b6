// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The libraries an ELF file links (DT_NEEDED), found the way glibc's
 * ld.so searches: DT_RUNPATH/DT_RPATH with $ORIGIN expanded,
 * LD_LIBRARY_PATH, the directories of /etc/ld.so.conf (with its include
 * lines), then the default directories. ld.so.cache is not read: the
 * directories it was built from are.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch.h"
#include "elf.h"
#include "ldso.h"
#include "log.h"
#include "path.h"

#define NEEDED_MAX	128
#define LDCONF_DEPTH	3

/* A growable list of unique strings. */
struct strv {
	char **v;
	size_t n, cap;
};

static int strv_add(struct strv *s, const char *str)
{
	size_t i;
	char *dup;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v;

		if (cap < s->cap || cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	dup = strdup(str);
	if (!dup)
		return -ENOMEM;
	s->v[s->n++] = dup;
	return 0;
}

static void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* Skip the rest of a line too long for the buffer. */
static void drain_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

static int ldconf_parse(struct strv *dirs, const char *file, int depth);

static int ldconf_include(struct strv *dirs, const char *conf,
			  const char *pattern, int depth)
{
	char full[PATH_MAX];
	glob_t g;
	size_t i;
	int ret = 0;

	if (pattern[0] != '/') {
		/* relative to the including file's directory */
		const char *slash = strrchr(conf, '/');
		int dlen = slash ? (int)(slash - conf) : 0;

		if (path__fmt(full, sizeof(full), "%.*s/%s", dlen, conf,
			     pattern))
			return 0;
		pattern = full;
	}
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !ret; i++)
		ret = ldconf_parse(dirs, g.gl_pathv[i], depth + 1);
	globfree(&g);
	return ret;
}

/* Directories of an ld.so.conf file, following include lines. */
static int ldconf_parse(struct strv *dirs, const char *file, int depth)
{
	char line[PATH_MAX + 64];
	int ret = 0;
	FILE *f;

	if (depth > LDCONF_DEPTH)
		return 0;
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line, *e;
		size_t n = strlen(line);

		if (n && line[n - 1] != '\n' && !feof(f)) {
			drain_line(f);
			continue;
		}
		p[strcspn(p, "#\n")] = '\0';
		p += strspn(p, " \t");
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*p)
			continue;
		if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
			char *tok, *save = NULL;

			for (tok = strtok_r(p + 8, " \t", &save); tok && !ret;
			     tok = strtok_r(NULL, " \t", &save))
				ret = ldconf_include(dirs, file, tok, depth);
			continue;
		}
		if (!strncmp(p, "hwcap", 5) && (p[5] == ' ' || p[5] == '\t'))
			continue;
		if (p[0] != '/')
			continue;
		p[strcspn(p, "=")] = '\0';	/* old "dir=TYPE" form */
		ret = strv_add(dirs, p);
	}
	fclose(f);
	return ret;
}

/* Add each element of a ':' separated list, with $ORIGIN expanded. */
static int add_path_list(struct strv *dirs, const char *list,
			 const char *origin)
{
	const char *p, *colon;
	char dir[PATH_MAX];
	int ret;

	if (!list)
		return 0;
	for (p = list;; p = colon + 1) {
		size_t len, o = 0;
		const char *q;
		bool ok = true;

		colon = p + strcspn(p, ":");
		len = colon - p;
		for (q = p; q < colon && ok;) {
			size_t tl = 0;

			if (origin && !strncmp(q, "$ORIGIN", 7) &&
			    (q + 7 > colon || !(isalnum((unsigned char)q[7]) ||
						q[7] == '_')))
				tl = 7;
			else if (origin && (size_t)(colon - q) >= 9 &&
				 !strncmp(q, "${ORIGIN}", 9))
				tl = 9;
			if (tl) {
				size_t ol = strlen(origin);

				if (o + ol >= sizeof(dir)) {
					ok = false;
					break;
				}
				memcpy(dir + o, origin, ol);
				o += ol;
				q += tl;
				continue;
			}
			if (o + 1 >= sizeof(dir)) {
				ok = false;
				break;
			}
			dir[o++] = *q++;
		}
		dir[o] = '\0';
		if (ok && len && dir[0]) {
			ret = strv_add(dirs, dir);
			if (ret)
				return ret;
		}
		if (!*colon)
			break;
	}
	return 0;
}

static int search_dirs(const char *runpath, const char *origin,
		       struct strv *dirs)
{
	static const char *const defaults[] = {
		"/lib/" PA_MULTIARCH, "/usr/lib/" PA_MULTIARCH,
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	size_t i;
	int ret;

	ret = add_path_list(dirs, runpath, origin);
	if (!ret)
		ret = add_path_list(dirs, getenv("LD_LIBRARY_PATH"), NULL);
	if (!ret)
		ret = ldconf_parse(dirs, "/etc/ld.so.conf", 0);
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]) && !ret; i++)
		ret = strv_add(dirs, defaults[i]);
	return ret;
}

/* Where name resolves: a name with a slash is a path, else the first
 * regular file of that name in dirs. 0, or -ENOENT. */
static int find_needed(const char *name, const struct strv *dirs,
		       char *out, size_t size)
{
	struct stat st;
	size_t i;

	if (strchr(name, '/')) {
		if (!stat(name, &st) && S_ISREG(st.st_mode) &&
		    !path__fmt(out, size, "%s", name))
			return 0;
		return -ENOENT;
	}
	for (i = 0; i < dirs->n; i++) {
		if (path__fmt(out, size, "%s/%s", dirs->v[i], name))
			continue;
		if (!stat(out, &st) && S_ISREG(st.st_mode))
			return 0;
	}
	return -ENOENT;
}

/* $ORIGIN: the directory of the file itself, symlinks resolved. */
static void origin_of(const char *path, char real[PATH_MAX])
{
	char *slash;

	if (!realpath(path, real))
		snprintf(real, PATH_MAX, "%s", path);
	slash = strrchr(real, '/');
	if (slash)
		*(slash == real ? slash + 1 : slash) = '\0';
	else
		snprintf(real, PATH_MAX, ".");
}

int ldso__each_needed(const char *path, const char *prefix,
		      int (*fn)(void *ctx, const char *lib), void *ctx)
{
	char err[256], real[PATH_MAX], lib[PATH_MAX];
	const char *names[NEEDED_MAX];
	size_t i, n, plen = strlen(prefix);
	struct strv dirs = { 0 };
	struct elf_file *ef;
	int ret = 0, added = 0;

	if (elf__open(path, &ef, err, sizeof(err))) {
		p_debug("%s: %s", path, err);
		return 0;
	}
	n = elf__needed(ef, names, NEEDED_MAX);
	if (n > NEEDED_MAX)
		n = NEEDED_MAX;
	for (i = 0; i < n; i++)
		if (names[i] && !strncmp(names[i], prefix, plen))
			break;
	if (i == n)
		goto out;
	origin_of(path, real);
	ret = search_dirs(elf__runpath(ef), real, &dirs);
	for (i = 0; i < n && !ret; i++) {
		if (!names[i] || strncmp(names[i], prefix, plen))
			continue;
		if (find_needed(names[i], &dirs, lib, sizeof(lib))) {
			p_debug("%s: not found", names[i]);
			continue;
		}
		ret = fn(ctx, lib);
		if (ret > 0) {
			added += ret;
			ret = 0;
		}
	}
out:
	strv_free(&dirs);
	elf__close(ef);
	return ret < 0 ? ret : added;
}
