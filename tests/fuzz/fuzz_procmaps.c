// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: /proc/PID/maps parsing and Python file names.
 *
 * The input is the contents of a maps file. It is cut into lines as
 * procmaps__each_code() does (fgets, then the newline removed), each
 * line goes to procmaps__parse_line() in a buffer of exactly its size,
 * and the mapped file's base name, without " (deleted)", goes to
 * discover__is_python_name(). The whole input as one C string goes to
 * both too (procmaps__parse_line() must also cope with a line that
 * still has its newline, or many).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/discover.h"
#include "../../user/procmaps.h"
#include "fuzz.h"

#define DELETED_SUFFIX " (deleted)"

static bool in_set(char c, const char *set)
{
	return c && strchr(set, c);
}

static void check_name(const char *name)
{
	const char *c;

	if (!discover__is_python_name(name))
		return;
	FUZZ_CHECK(!strncmp(name, "python", 6) || !strncmp(name, "libpython", 9),
		   "'%s' taken for a Python", name);
	/* the stable ABI forwarder is no interpreter */
	FUZZ_CHECK(strncmp(name, "libpython3.so", 13), "'%s' taken for a Python",
		   name);
	for (c = name; *c; c++)
		FUZZ_CHECK(isalnum((unsigned char)*c) || *c == '.' || *c == '-',
			   "'%s' taken for a Python (byte 0x%02x)", name,
			   (unsigned char)*c);
}

/* One line in a malloc'ed buffer of exactly its size (ASan sees overruns). */
static void parse_one(const char *src, size_t len)
{
	struct maps_entry e;
	char *line = malloc(len + 1);
	size_t n;
	int ret;

	if (!line)
		return;
	memcpy(line, src, len);
	line[len] = '\0';
	ret = procmaps__parse_line(line, &e);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "parse_line %d", ret);
	if (!ret) {
		n = strlen(line);
		FUZZ_CHECK(e.start <= e.end, "start 0x%lx > end 0x%lx", e.start, e.end);
		FUZZ_CHECK(strlen(e.perms) == 4 && in_set(e.perms[0], "r-") &&
			   in_set(e.perms[1], "w-") && in_set(e.perms[2], "x-") &&
			   in_set(e.perms[3], "ps"), "perms '%s'", e.perms);
		FUZZ_CHECK(e.path >= line && e.path <= line + n,
			   "path outside the line");
		FUZZ_CHECK(*e.path != ' ', "path starts with a space");
		FUZZ_CHECK(isxdigit((unsigned char)line[0]), "line starts with '%c'",
			   line[0]);
		/* procmaps__each_code(): executable, absolute paths */
		if (strchr(e.perms, 'x') && e.path[0] == '/') {
			const char *base = strrchr(e.path, '/') + 1;
			char name[NAME_MAX + 1 + sizeof(DELETED_SUFFIX)];
			size_t nl, sl = strlen(DELETED_SUFFIX);

			snprintf(name, sizeof(name), "%s", base);
			nl = strlen(name);
			if (nl >= sl && !strcmp(name + nl - sl, DELETED_SUFFIX))
				name[nl - sl] = '\0';
			check_name(name);
		}
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *whole;

	/* fgets() lines: a NUL inside a line ends the C string there */
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end;
		const char *nul = memchr(p, '\0', eol - p);

		parse_one(p, (nul ? nul : eol) - p);
		if (!nl)
			break;
		p = nl + 1;
	}

	whole = malloc(size + 1);
	if (!whole)
		return 0;
	memcpy(whole, data, size);
	whole[size] = '\0';
	check_name(whole);
	parse_one(whole, strlen(whole));
	free(whole);
	return 0;
}
