// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the profiles (user/profiles.c): every pattern names an
 * event of the table or is a glob that matches some, its conditions
 * parse, the profiles the issue asks for exist, and all of them together
 * fit the pattern table of the kernel (PA_GLOBS_MAX).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include "../../user/argfilter.h"
#include "../../user/event_table.h"
#include "../../user/profiles.h"

static bool matches_an_event(const char *glob)
{
	for (size_t i = 0; i < event_table_count(); i++)
		if (!fnmatch(glob, event_table_at(i)->name, 0))
			return true;
	return false;
}

static void test_patterns_valid(void **state)
{
	static const char *seen[4 * PA_GLOBS_MAX];
	struct arg_filter af = { 0 };
	size_t total = 0, j;
	char err[256];

	(void)state;
	for (size_t i = 0; i < profile__count(); i++) {
		const struct profile *p = profile__at(i);

		for (const char *const *pat = p->patterns; *pat; pat++) {
			const char *spec = argfilter__spec(*pat);
			char event[PA_GLOB_LEN];

			snprintf(event, sizeof(event), "%.*s",
				 spec ? (int)(spec - 1 - *pat) : (int)strlen(*pat), *pat);
			if (!matches_an_event(event))
				fail_msg("profile %s: %s matches no known event",
					 p->name, *pat);
			if (spec && !argfilter__parse(&af, event, spec, err, sizeof(err)))
				fail_msg("profile %s: %s: %s", p->name, *pat, err);
			/* opts.c keeps one copy of a pattern */
			for (j = 0; j < total && (spec || strcmp(seen[j], *pat)); j++)
				;
			if (j == total)
				seen[total++] = *pat;
		}
	}
	/* --profile with every profile at once still fits */
	if (total > PA_GLOBS_MAX)
		fail_msg("all profiles: %zu patterns, more than %d", total,
			 PA_GLOBS_MAX);
}

static void test_wanted(void **state)
{
	static const char *const want[] = {
		"security", "exec", "network", "files", "imports", "code",
	};
	const struct profile *sec = profile__find("security");
	bool sys = false, conn = false, remove = false, hooks = false;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(profile__find(want[i]));
	assert_null(profile__find("nosuch"));
	for (const char *const *pat = sec->patterns; *pat; pat++) {
		sys |= !strcmp(*pat, "os.system");
		conn |= !strcmp(*pat, "socket.connect");
		remove |= !strcmp(*pat, "os.remove");
		hooks |= !strcmp(*pat, "sys.addaudithook");
		/* not the events every import raises */
		assert_string_not_equal(*pat, "import");
		assert_string_not_equal(*pat, "code.__new__");
		assert_string_not_equal(*pat, "marshal.loads");
	}
	assert_true(sys && conn && remove && hooks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_valid),
		cmocka_unit_test(test_wanted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
