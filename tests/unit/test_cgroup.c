// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of the --container match (user/cgroup.c): a cgroup matches
 * only by its own name as a container component, on a directory tree
 * made under /tmp (cgroup__find_container takes its root).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user/cgroup.h"

static const char ID[] =
	"5eed0c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829aa";
/* the same first 12 digits as ID */
static const char ID2[] =
	"5eed0c0ffee0ffffffffffffffffffffffffffffffffffffffffffffffffff01";
#define NOBODY 65534

static int rm_cb(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int tree_setup(void **state)
{
	char tmpl[] = "/tmp/pyaudit-cgroup-XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return -1;
	*state = strdup(dir);
	return *state ? 0 : -1;
}

static int tree_teardown(void **state)
{
	if (*state)
		nftw(*state, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

/* mkdir -p ROOT/REL, REL built from fmt. */
static void mk(const char *root, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX];
	va_list ap;
	size_t i, rl;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	rl = strlen(root);
	assert_true(rl + 1 + strlen(rel) < sizeof(path));
	memcpy(path, root, rl);
	path[rl] = '/';
	strcpy(path + rl + 1, rel);
	for (i = rl + 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		mkdir(path, 0755);
		path[i] = '/';
	}
	assert_int_equal(mkdir(path, 0755), 0);
}

static void test_decoys(void **state)
{
	const char *root = *state;
	struct cgroup_matches m;
	char want[PATH_MAX];
	int i;

	for (i = 1; i <= 70; i++)
		mk(root, "decoy%.12s-%d", ID, i);
	mk(root, "evil%sx", ID);
	mk(root, "%.12s", ID);
	mk(root, "%s", ID);			/* bare, not under docker/kubepods */
	mk(root, "docker-%.12s.scope", ID);	/* not 64 digits */
	mk(root, "pyaudit-docker-%s.scope", ID);
	mk(root, "docker-%s.scope.bak", ID);
	mk(root, "libpod-conmon-%s", ID);
	mk(root, "sub/x%s/docker", ID);
	mk(root, "r7/docker-%s.scope", ID);

	assert_int_equal(cgroup__find_container("5EED0C0FFEE0", root, &m), 0);
	assert_int_equal(m.n, 1);
	snprintf(want, sizeof(want), "/r7/docker-%s.scope", ID);
	assert_string_equal(m.v[0].path, want);
	assert_string_equal(m.v[0].cid, ID);
	assert_string_equal(m.v[0].runtime, "docker");
	assert_int_equal(m.v[0].depth, 2);
	assert_int_equal(cgroup__pick_container(&m), 0);
	assert_false(m.v[0].ignored);
	cgroup__matches_free(&m);

	/* digits from inside the id are no prefix */
	assert_int_equal(cgroup__find_container(ID + 1, root, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(cgroup__pick_container(&m), -ENOENT);
	cgroup__matches_free(&m);
}

static void test_forms(void **state)
{
	static const struct {
		const char *fmt, *runtime;
	} forms[] = {
		{ "system.slice/docker-%s.scope", "docker" },
		{ "docker/%s", "docker" },
		{ "kubepods/burstable/pod1/%s", "containerd" },
		{ "kubepods.slice/kubepods-pod1.slice/cri-containerd-%s.scope", "containerd" },
		{ "machine.slice/crio-%s.scope", "cri-o" },
		{ "machine.slice/libpod-%s.scope", "podman" },
	};
	const char *root = *state;
	struct cgroup_matches m;
	char sub[PATH_MAX];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/f%zu", root, i);
		assert_int_equal(mkdir(sub, 0755), 0);
		mk(sub, forms[i].fmt, ID);
		/* nothing below a match is searched */
		mk(sub, "x/docker-%s.scope/docker-%s.scope", ID, ID);
		assert_int_equal(cgroup__find_container(ID, sub, &m), 0);
		assert_int_equal(m.n, 2);
		for (size_t j = 0; j < m.n; j++)
			assert_string_equal(m.v[j].cid, ID);
		assert_true(!strcmp(m.v[0].runtime, forms[i].runtime) ||
			    !strcmp(m.v[1].runtime, forms[i].runtime));
		cgroup__matches_free(&m);
	}
}

static void test_ambiguous(void **state)
{
	const char *root = *state;
	struct cgroup_matches m;

	mk(root, "docker-%s.scope", ID);
	mk(root, "a/docker-%s.scope", ID);	/* one container, two cgroups */
	assert_int_equal(cgroup__find_container(ID, root, &m), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(cgroup__pick_container(&m), 0);
	cgroup__matches_free(&m);

	mk(root, "crio-%s.scope", ID2);
	assert_int_equal(cgroup__find_container("5eed0c0ffee0", root, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(cgroup__pick_container(&m), -EEXIST);
	cgroup__matches_free(&m);
	assert_int_equal(cgroup__find_container("5eed0c0ffee0f", root, &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].cid, ID2);
	cgroup__matches_free(&m);
}

/* A directory chowned to a user: what systemd's Delegate= does. */
static void test_delegated(void **state)
{
	const char *root = *state;
	struct cgroup_matches m;
	char user[PATH_MAX];

	if (geteuid())
		skip();
	snprintf(user, sizeof(user), "%s/user@%d.service", root, NOBODY);
	assert_int_equal(mkdir(user, 0755), 0);
	assert_int_equal(chown(user, NOBODY, NOBODY), 0);
	mk(root, "user@%d.service/app.slice/docker-%s.scope", NOBODY, ID);

	/* only under the delegated cgroup: kept, with its uid */
	assert_int_equal(cgroup__find_container(ID, root, &m), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.v[0].deleg_uid, NOBODY);
	assert_int_equal(cgroup__pick_container(&m), 0);
	assert_false(m.v[0].ignored);
	cgroup__matches_free(&m);

	/* a root-owned one wins, also over another id the user chose */
	mk(root, "system.slice/docker-%s.scope", ID);
	mk(root, "user@%d.service/docker-%s.scope", NOBODY, ID2);
	assert_int_equal(cgroup__find_container("5eed0c0ffee0", root, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(cgroup__pick_container(&m), 0);
	for (size_t i = 0; i < m.n; i++) {
		assert_int_equal(m.v[i].ignored, m.v[i].deleg_uid != 0);
		if (!m.v[i].ignored)
			assert_string_equal(m.v[i].cid, ID);
	}
	cgroup__matches_free(&m);
}

/* Two root-owned ids: an error, and a user's cgroup met after them is
 * still marked ignored (the caller lists only the others). */
static void test_pick_order(void **state)
{
	struct cgroup_match v[3] = {};
	struct cgroup_matches m = { .v = v, .n = 3, .cap = 3 };

	(void)state;
	strcpy(v[0].cid, ID);
	strcpy(v[1].cid, ID2);
	strcpy(v[2].cid, ID);
	v[2].deleg_uid = NOBODY;
	assert_int_equal(cgroup__pick_container(&m), -EEXIST);
	assert_false(v[0].ignored);
	assert_false(v[1].ignored);
	assert_true(v[2].ignored);
	m.n = 0;
	assert_int_equal(cgroup__pick_container(&m), -ENOENT);
}

static void test_bad(void **state)
{
	struct cgroup_matches m;

	(void)state;
	assert_int_equal(cgroup__find_container(ID, "/tmp", NULL), -EINVAL);
	assert_int_equal(cgroup__find_container(NULL, "/tmp", &m), -EINVAL);
	cgroup__matches_free(&m);
	assert_int_equal(cgroup__find_container("5eed0c0ffee", "/tmp", &m), -EINVAL);
	assert_int_equal(cgroup__find_container("docker-5eed0c0ffee0", "/tmp", &m), -EINVAL);
	assert_int_equal(cgroup__find_container(ID, "/nonexistent-pyaudit", &m), -ENOENT);
	cgroup__matches_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decoys, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_forms, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_delegated, tree_setup, tree_teardown),
		cmocka_unit_test(test_pick_order),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
