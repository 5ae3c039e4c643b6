// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: container ids from cgroup paths.
 *
 * The input is the contents of a /proc/PID/cgroup file
 * ("hierarchy-ID:controllers:path" lines). It goes to
 * cgroup__container_id_from_file() in a buffer of exactly its size, and
 * the result is compared with cgroup__container_id() on the path part of
 * each line (the first line with an id wins). The whole input as a C
 * string also goes to cgroup__container_id(). An id must be 64 lowercase
 * hex digits copied from the input, with one of the known runtimes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <stdlib.h>
#include <string.h>

#include "../../user/cgroup.h"
#include "fuzz.h"

static void check_id(const char *id, const char *runtime, const void *in,
		     size_t len)
{
	static const char *const runtimes[] = {
		"docker", "containerd", "podman", "cri-o",
	};
	size_t i;
	bool known = false;

	FUZZ_CHECK(strlen(id) == CONTAINER_ID_MAX, "id '%s'", id);
	for (i = 0; i < CONTAINER_ID_MAX; i++)
		FUZZ_CHECK((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'),
			   "id '%s'", id);
	FUZZ_CHECK(memmem(in, len, id, CONTAINER_ID_MAX), "id '%s' not in the input", id);
	for (i = 0; runtime && i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		known |= !strcmp(runtime, runtimes[i]);
	FUZZ_CHECK(known, "runtime '%s'", runtime ? runtime : "(null)");
}

/* The first line's id, through cgroup__container_id() (C strings). Only
 * meaningful when the input has no NUL byte. */
static bool first_line_id(const char *s, size_t len, char id[CONTAINER_ID_MAX + 1],
			  const char **runtime)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end, *c1, *c2;

		c1 = memchr(p, ':', eol - p);
		c2 = c1 ? memchr(c1 + 1, ':', eol - c1 - 1) : NULL;
		if (c2) {
			char *path = strndup(c2 + 1, eol - c2 - 1);
			bool ok;

			if (!path)
				abort();
			ok = cgroup__container_id(path, id, runtime);
			free(path);
			if (ok)
				return true;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[CONTAINER_ID_MAX + 1], id2[CONTAINER_ID_MAX + 1];
	const char *rt = NULL, *rt2 = NULL;
	char *buf, *str;
	bool ok, ok2;

	/* exactly size bytes, no NUL after them */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	ok = cgroup__container_id_from_file(buf, size, id, &rt);
	if (ok)
		check_id(id, rt, buf, size);
	FUZZ_CHECK(cgroup__container_id_from_file(buf, size, id2, NULL) == ok,
		   "result depends on the runtime pointer");
	if (!memchr(buf, '\0', size)) {
		ok2 = first_line_id(buf, size, id2, &rt2);
		FUZZ_CHECK(ok == ok2, "from_file %d, line by line %d", ok, ok2);
		FUZZ_CHECK(!ok || (!strcmp(id, id2) && rt == rt2),
			   "from_file %s (%s), line by line %s (%s)", id, rt, id2, rt2);
	}
	free(buf);

	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	rt = NULL;
	if (cgroup__container_id(str, id, &rt))
		check_id(id, rt, str, strlen(str));
	free(str);
	FUZZ_CHECK(!cgroup__container_id(NULL, id, &rt), "NULL path");
	FUZZ_CHECK(!cgroup__container_id_from_file(NULL, 0, id, &rt), "NULL file");
	return 0;
}
