// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The JSON writer (jsonw.h). */
#include <string.h>
#include "escape.h"
#include "jsonw.h"
#include "timefmt.h"

/* Before a value or a key: a comma after an earlier one. */
static void jw_sep(struct jw *j)
{
	if (j->sep)
		sb_putc(j->b, ',');
	j->sep = true;
}

static void jw_open(struct jw *j, char c)
{
	jw_sep(j);
	sb_putc(j->b, c);
	j->sep = false;
}

static void jw_close(struct jw *j, char c)
{
	sb_putc(j->b, c);
	j->sep = true;
}

void jw_begin_object(struct jw *j)
{
	jw_open(j, '{');
}

void jw_end_object(struct jw *j)
{
	jw_close(j, '}');
}

void jw_begin_array(struct jw *j)
{
	jw_open(j, '[');
}

void jw_end_array(struct jw *j)
{
	jw_close(j, ']');
}

void jw_key(struct jw *j, const char *key)
{
	jw_sep(j);
	json_cstr(j->b, key);
	sb_putc(j->b, ':');
	j->sep = false;		/* the value follows without a comma */
}

void jw_key_u64(struct jw *j, uint64_t key)
{
	jw_sep(j);
	sb_putc(j->b, '"');
	sb_u64(j->b, key);
	sb_puts(j->b, "\":");
	j->sep = false;
}

void jw_string_n(struct jw *j, const char *s, size_t max)
{
	jw_sep(j);
	sb_putc(j->b, '"');
	json_chars(j->b, s, strnlen(s, max), PA_T_STR_UTF8, 0);
	sb_putc(j->b, '"');
}

void jw_string(struct jw *j, const char *s)
{
	jw_string_n(j, s, SIZE_MAX);
}

void jw_u64(struct jw *j, uint64_t v)
{
	jw_sep(j);
	sb_u64(j->b, v);
}

void jw_bool(struct jw *j, bool v)
{
	jw_sep(j);
	sb_puts(j->b, v ? "true" : "false");
}

void jw_double(struct jw *j, double v)
{
	jw_sep(j);
	sb_double_g(j->b, v, 15);
}

void jw_time_ns(struct jw *j, int64_t ns)
{
	jw_sep(j);
	sb_putc(j->b, '"');
	sb_rfc3339(j->b, ns);
	sb_putc(j->b, '"');
}
