// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --app-frame: the application's own frame (appframe.h). */
#include <fnmatch.h>
#include <string.h>
#include "appframe.h"
#include "escape.h"
#include "strbuf.h"

/* A file name read as text, at most this many bytes looked at. */
#define APPFRAME_PATH_MAX 1024

static const char *find_n(const char *s, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(s + i, what, n))
			return s + i;
	return NULL;
}

/*
 * .../lib/python3.11/, lib64, 3.13t/ (free-threaded), python311.zip/:
 * the standard library under any prefix (sysconfig's "stdlib" and
 * "platstdlib" paths on POSIX, CPython 3.8-3.15), whatever the prefix
 * (/usr, /usr/local, pyenv, a venv's base, a container's root).
 */
static bool stdlib_dir(const char *s, size_t len)
{
	static const char *const heads[] = { "/lib/python", "/lib64/python" };

	for (size_t h = 0; h < 2; h++) {
		const char *p = s, *end = s + len;

		while ((p = find_n(p, end - p, heads[h]))) {
			const char *q = p + strlen(heads[h]);

			p++;
			if (q >= end || *q < '0' || *q > '9')
				continue;
			while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
				q++;
			if (q < end && *q == 't')
				q++;
			if (q < end && *q == '/')
				return true;
			if (end - q >= 5 && !memcmp(q, "zip/", 4) && q[-1] == '.')
				return true;
		}
	}
	return false;
}

static bool user_lib(const char *path, const struct appframe_opts *o)
{
	for (int i = 0; o && i < o->nlib_paths; i++) {
		const char *g = o->lib_paths[i];
		size_t n = strlen(g);

		if (strpbrk(g, "*?[")) {
			if (!fnmatch(g, path, 0))
				return true;
			continue;
		}
		/* a directory: what is below it */
		while (n > 1 && g[n - 1] == '/')
			n--;
		if (!strncmp(path, g, n) && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

bool appframe__is_lib(const char *path, size_t len,
		      const struct appframe_opts *o)
{
	char tmp[APPFRAME_PATH_MAX + 1];

	if (len && path[0] == '<')
		return len >= 8 && !memcmp(path, "<frozen ", 8);
	if (find_n(path, len, "/site-packages/") ||
	    find_n(path, len, "/dist-packages/") || stdlib_dir(path, len))
		return true;
	if (len > APPFRAME_PATH_MAX)
		len = APPFRAME_PATH_MAX;
	memcpy(tmp, path, len);
	tmp[len] = '\0';
	return user_lib(tmp, o);
}

/* A frame's file as UTF-8 text (invalid bytes escaped: never a match). */
static bool frame_is_lib(const struct rec_value *f,
			 const struct appframe_opts *o)
{
	const struct rec_value *file;
	char buf[4 * APPFRAME_PATH_MAX];
	struct sb b = { .p = buf, .size = sizeof(buf) };
	size_t n;

	if (!f->children || f->nchildren < 2)
		return true;	/* nothing to tell: not the application */
	file = &f->children[0];
	if (!is_str(file->tag))
		return true;
	text_chars(&b, file->data, file->len, file->tag, file->flags, '\'');
	n = sb_finish(&b);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return appframe__is_lib(buf, n, o);
}

int appframe__find(const struct rec_event *ev, const struct appframe_opts *o,
		   unsigned int frames_max)
{
	uint32_t i;

	if (ev->hdr.frame_status != PA_FS_OK || !ev->frames)
		return APPFRAME_NONE;
	for (i = 0; i < ev->nframes; i++)
		if (!frame_is_lib(&ev->frames[i], o))
			return i;
	if ((ev->hdr.flags & PA_EV_FRAMES_CUT) || ev->nframes >= frames_max)
		return APPFRAME_BEYOND;
	return APPFRAME_NONE;
}
