// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What a command runs: the file execvp(3) finds for its name (a name
 * with a slash is a path, else PATH is searched) and, for a script, the
 * interpreter of its #! line as the kernel's binfmt_script reads it (the
 * first BINPRM_BUF_SIZE bytes; the rest of the line after the
 * interpreter is one argument), with `#!/usr/bin/env PROG` looked up in
 * PATH in turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "path.h"

#define DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"
#define SHEBANG_MAX	256	/* BINPRM_BUF_SIZE */
#define SHEBANG_DEPTH	4

static bool is_exec_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* Like execvp: a name with a slash is a path, else search PATH. */
static int resolve_cmd(const char *name, char *out, size_t outlen)
{
	const char *path, *p, *colon;

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/'))
		return path__fmt(out, outlen, "%s", name);
	path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (p = path;; p = colon + 1) {
		int len;

		colon = p + strcspn(p, ":");
		len = (int)(colon - p);
		/* an empty element is the current directory */
		if (!path__fmt(out, outlen, "%.*s%s%s", len, p,
			      len ? "/" : "", name) && is_exec_file(out))
			return 0;
		if (!*colon)
			break;
	}
	return -ENOENT;
}

/* Read the #! line of path. 1 and interp/arg filled (arg may be ""), 0
 * not a script, <0 error. */
static int read_shebang(const char *path, char *interp, size_t ilen,
			char *arg, size_t alen)
{
	char buf[SHEBANG_MAX + 1], *p, *q, *nl;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOEXEC;
	}
	do {
		n = read(fd, buf, SHEBANG_MAX);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	nl = memchr(buf, '\n', n);
	if (nl)
		*nl = '\0';
	if (memchr(buf, '\0', nl ? (size_t)(nl - buf) : (size_t)n))
		return -ENOEXEC;	/* NUL in the #! line */
	p = buf + 2;
	p += strspn(p, " \t");
	q = p + strcspn(p, " \t");
	if (p == q)
		return -ENOEXEC;
	if (*q)
		*q++ = '\0';
	q += strspn(q, " \t");
	/* the kernel passes the rest as one argument, trailing blanks cut */
	n = strlen(q);
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\r'))
		q[--n] = '\0';
	if (path__fmt(interp, ilen, "%s", p) || path__fmt(arg, alen, "%s", q))
		return -ENAMETOOLONG;
	return 1;
}

/*
 * The program `env ARG` runs. Without -S the kernel hands env the whole
 * rest of the #! line as one argument; we take its first word anyway.
 * Options and NAME=VALUE assignments are skipped; -u and -C take an
 * argument.
 */
static int env_program(char *arg, char *out, size_t outlen)
{
	char *tok, *save = NULL;
	bool skip_next = false;

	for (tok = strtok_r(arg, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (skip_next) {
			skip_next = false;
			continue;
		}
		if (!strncmp(tok, "--split-string=", 15))
			tok += 15;
		else if (!strncmp(tok, "-S", 2) && tok[2] != '-')
			tok += 2;		/* -S, -Spython3 */
		if (!*tok)
			continue;
		if (!strcmp(tok, "-u") || !strcmp(tok, "-C") ||
		    !strcmp(tok, "--unset") || !strcmp(tok, "--chdir")) {
			skip_next = true;
			continue;
		}
		if (tok[0] == '-' || strchr(tok, '='))
			continue;
		return resolve_cmd(tok, out, outlen);
	}
	return -ENOENT;
}

int exec__resolve(const char *argv0, char *path, size_t size)
{
	char interp[PATH_MAX], arg[SHEBANG_MAX];
	int depth, ret;

	ret = resolve_cmd(argv0, path, size);
	if (ret) {
		p_debug("%s: not found", argv0);
		return -ENOENT;
	}
	for (depth = 0;; depth++) {
		ret = read_shebang(path, interp, sizeof(interp), arg,
				   sizeof(arg));
		if (ret < 0) {
			p_debug("%s: %s", path, strerror(-ret));
			return ret;
		}
		if (!ret)
			return 0;
		if (depth == SHEBANG_DEPTH) {
			p_debug("%s: too many levels of #!", argv0);
			return -ELOOP;
		}
		if (!strcmp(path__base(interp), "env") && arg[0])
			ret = env_program(arg, path, size);
		else
			ret = path__fmt(path, size, "%s", interp);
		if (ret) {
			p_debug("%s: interpreter %s not found", argv0, interp);
			return -ENOENT;
		}
	}
}
