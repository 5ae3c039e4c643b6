/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c): an
 * invariant check that aborts (libFuzzer reports the input as a crash),
 * and byte-level checks of formatted output.
 */
#ifndef PA_FUZZ_H
#define PA_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Not assert(): it must hold in every build, NDEBUG or not. */
#define FUZZ_CHECK(cond, ...) do {					\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant violated: %s: ",	\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/*
 * Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
 * Returns the offset of the first bad byte, or len when all is valid;
 * each code point goes to cp_cb (may be NULL) with its offset.
 */
static inline size_t fuzz_utf8_check(const uint8_t *s, size_t len,
				     bool (*cp_cb)(uint32_t cp, size_t off, void *arg),
				     void *arg)
{
	size_t i = 0;

	while (i < len) {
		uint8_t b = s[i], lo = 0x80, hi = 0xbf;
		uint32_t c;
		size_t n, k;

		if (b < 0x80) {
			n = 0;
			c = b;
		} else if (b >= 0xc2 && b <= 0xdf) {
			n = 1;
			c = b & 0x1f;
		} else if (b >= 0xe0 && b <= 0xef) {
			n = 2;
			c = b & 0x0f;
			if (b == 0xe0)
				lo = 0xa0;
			else if (b == 0xed)
				hi = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			n = 3;
			c = b & 0x07;
			if (b == 0xf0)
				lo = 0x90;
			else if (b == 0xf4)
				hi = 0x8f;
		} else {
			return i;
		}
		if (len - i < n + 1)
			return i;
		for (k = 1; k <= n; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				return i;
			lo = 0x80;
			hi = 0xbf;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if (cp_cb && !cp_cb(c, i, arg))
			return i;
		i += n + 1;
	}
	return len;
}

/* A control character: C0, DEL, C1 (U+0080-U+009F). */
static inline bool fuzz_is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

#endif
