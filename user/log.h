/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One error style for the whole tool: p_err, p_warn, p_info, p_debug. */
#ifndef PA_LOG_H
#define PA_LOG_H

#include <stdbool.h>

extern int log_verbose;		/* -v count */
extern bool log_json;		/* errors as JSON records on stderr */

void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
