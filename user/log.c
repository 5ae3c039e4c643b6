// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "log.h"

int log_verbose;
bool log_json;

static void json_escape_to(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Progress (info) stays plain text: "Tracing ..." is for people. */
	if (log_json && strcmp(level, "info")) {
		fputs("{\"type\":\"log\",\"level\":\"", stderr);
		fputs(level, stderr);
		fputs("\",\"message\":\"", stderr);
		json_escape_to(stderr, msg);
		fputs("\"}\n", stderr);
	} else if (!strcmp(level, "info")) {
		fprintf(stderr, "%s\n", msg);
	} else {
		fprintf(stderr, "pyaudit: %s: %s\n", level, msg);
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
