// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "format.h"
#include "log.h"

int log_verbose;
bool log_json;

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], esc[4096];

	/* Messages carry paths and names from traced processes and
	 * containers: escape them like event data. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	format__escape(esc, sizeof(esc), msg, strlen(msg),
		       log_json && strcmp(level, "info"));
	/* Progress (info) stays plain text: "Tracing ..." is for people. */
	if (log_json && strcmp(level, "info")) {
		fputs("{\"type\":\"log\",\"level\":\"", stderr);
		fputs(level, stderr);
		fputs("\",\"message\":\"", stderr);
		fputs(esc, stderr);
		fputs("\"}\n", stderr);
	} else if (!strcmp(level, "info")) {
		fprintf(stderr, "%s\n", esc);
	} else {
		fprintf(stderr, "pyaudit: %s: %s\n", level, esc);
	}
}

#define DEFINE_LOG(fn, level, cond)				\
	void fn(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		if (!(cond))					\
			return;					\
		va_start(ap, fmt);				\
		vlog(level, fmt, ap);				\
		va_end(ap);					\
	}

DEFINE_LOG(p_err, "error", 1)
DEFINE_LOG(p_warn, "warning", 1)
DEFINE_LOG(p_info, "info", 1)
DEFINE_LOG(p_debug, "debug", log_verbose > 0)
