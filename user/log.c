// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * p_err and friends: one line on stderr per message, in text or (errors,
 * warnings and debug messages with --json) as a JSON record. Built in
 * the string buffer and written with one fputs, so that a line is whole.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "escape.h"
#include "log.h"
#include "strbuf.h"

int log_verbose;
bool log_json;

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], esc[4096], line[sizeof(esc) + 64];
	struct sb b = { .p = line, .size = sizeof(line) };
	/* Progress (info) stays plain text: "Tracing ..." is for people. */
	bool info = !strcmp(level, "info"), json = log_json && !info;

	/* Messages carry paths and names from traced processes and
	 * containers: escape them like event data. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	format__escape(esc, sizeof(esc), msg, strlen(msg), json);
	if (json) {
		sb_puts(&b, "{\"type\":\"log\",\"level\":\"");
		sb_puts(&b, level);
		sb_puts(&b, "\",\"message\":\"");
		sb_puts(&b, esc);
		sb_puts(&b, "\"}\n");
	} else {
		if (!info) {
			sb_puts(&b, "pyaudit: ");
			sb_puts(&b, level);
			sb_puts(&b, ": ");
		}
		sb_puts(&b, esc);
		sb_putc(&b, '\n');
	}
	sb_finish(&b);
	fputs(line, stderr);
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
