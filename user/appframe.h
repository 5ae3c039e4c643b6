/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --app-frame: the application's own frame, the first frame (innermost
 * first) whose file is neither the standard library nor an installed
 * package, told apart by path (docs/output.md, "The application's
 * frame").
 */
#ifndef PA_APPFRAME_H
#define PA_APPFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include "record.h"

/* appframe__find's answers besides a frame index. */
#define APPFRAME_NONE	(-1)	/* every frame up to the outermost is library */
#define APPFRAME_BEYOND	(-2)	/* none among the frames read, and the walk
				 * stopped before the outermost */

struct appframe_opts {
	const char *const *lib_paths;	/* --lib-path: more library paths */
	int nlib_paths;
};

/*
 * Whether a frame's file (len bytes, not NUL-terminated) is library
 * code: a "<frozen ...>" module, a path with a site-packages or
 * dist-packages directory, a standard library directory
 * (.../lib/pythonX.Y/, lib64, free-threaded "t", the zipped stdlib
 * pythonXY.zip), or one of o's --lib-path (a glob, or a directory
 * without glob characters).
 */
bool appframe__is_lib(const char *path, size_t len,
		      const struct appframe_opts *o);

/*
 * The index in ev->frames of the application's frame, APPFRAME_NONE or
 * APPFRAME_BEYOND. frames_max: the most frames BPF walks.
 */
int appframe__find(const struct rec_event *ev, const struct appframe_opts *o,
		   unsigned int frames_max);

#endif
