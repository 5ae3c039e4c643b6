// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of user/pod.c: pod UIDs in cgroup paths, names from a
 * kubelet-shaped log tree in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "user/pod.h"

#define UID "0f3c5a4e-1b2d-4c6e-8f90-123456789abc"
#define UID_ "0f3c5a4e_1b2d_4c6e_8f90_123456789abc"
static const char CID[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static bool uid_of(const char *cg, char uid[POD_UID_LEN + 1])
{
	return pod__uid_from_cgroup(cg, strlen(cg), uid);
}

static void test_uid_forms(void **state)
{
	char uid[POD_UID_LEN + 1];

	(void)state;
	/* systemd driver, burstable and guaranteed */
	assert_true(uid_of("0::/kubepods.slice/kubepods-burstable.slice/"
			   "kubepods-burstable-pod" UID_ ".slice/"
			   "cri-containerd-abc.scope\n", uid));
	assert_string_equal(uid, UID);
	assert_true(uid_of("0::/kubepods.slice/kubepods-pod" UID_ ".slice\n", uid));
	assert_string_equal(uid, UID);
	/* cgroupfs driver; last line without a newline */
	assert_true(uid_of("0::/kubepods/besteffort/pod" UID "/0123", uid));
	assert_string_equal(uid, UID);
	assert_true(uid_of("0::/kubepods/pod" UID, uid));
	/* not kubepods, not a UID, or one cut or running on */
	assert_false(uid_of("0::/system.slice/pod" UID ".slice\n", uid));
	assert_false(uid_of("0::/kubepods/pod" UID "x/\n", uid));
	assert_false(uid_of("0::/kubepods/pod0f3c5a4e-1b2d\n", uid));
	assert_false(uid_of("0::/kubepods/xpod" UID "/\n", uid));
	assert_false(uid_of("0::/kubepods/podZf3c5a4e-1b2d-4c6e-8f90-123456789abc/\n", uid));
	assert_false(uid_of("", uid));
}

static char root[] = "/tmp/pyaudit-pod-XXXXXX";

static void mk(const char *fmt, const char *a, const char *b, bool dir)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/", root);
	snprintf(p + strlen(p), sizeof(p) - strlen(p), fmt, a, b);
	if (dir) {
		assert_int_equal(mkdir(p, 0755), 0);
		return;
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static void test_resolve(void **state)
{
	const char *cg = "0::/kubepods.slice/kubepods-besteffort.slice/"
			 "kubepods-besteffort-pod" UID_ ".slice/cri-containerd-x.scope\n";
	struct pod_cache *pc;
	struct pod_info p;
	char cmd[128];

	(void)state;
	assert_non_null(mkdtemp(root));
	mk("containers", "", "", true);
	mk("pods", "", "", true);
	pc = pod_cache__new(root);
	assert_non_null(pc);
	/* a pod with no logs yet: its UID only */
	pod_cache__resolve(pc, cg, strlen(cg), CID, &p);
	assert_string_equal(p.uid, UID);
	assert_string_equal(p.name, "");
	/* the pods directory and its one container */
	mk("pods/shop_web-7d9f_%s", UID, "", true);
	mk("pods/shop_web-7d9f_%s/nginx", UID, "", true);
	pod_cache__resolve(pc, cg, strlen(cg), CID, &p);
	assert_string_equal(p.namespace, "shop");
	assert_string_equal(p.name, "web-7d9f");
	assert_string_equal(p.container, "nginx");
	/* the container's log link names the container itself */
	mk("containers/web-7d9f_shop_side-car-%s.log", CID, "", false);
	mk("containers/web-7d9f_shop_other-%s.log", "fedcba", "", false);
	pod_cache__free(pc);	/* the pods directory's answer was kept */
	pc = pod_cache__new(root);
	assert_non_null(pc);
	pod_cache__resolve(pc, cg, strlen(cg), CID, &p);
	assert_string_equal(p.container, "side-car");
	assert_string_equal(p.namespace, "shop");
	/* cached: the tree is not read again */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/containers %s/pods", root, root);
	assert_int_equal(system(cmd), 0);
	pod_cache__resolve(pc, cg, strlen(cg), CID, &p);
	assert_string_equal(p.container, "side-car");
	/* no pod */
	pod_cache__resolve(pc, "0::/system.slice/x\n", 19, CID, &p);
	assert_string_equal(p.uid, "");
	pod_cache__free(pc);
	/* a name with '_' is not split: another CID, no names */
	mk("containers", "", "", true);
	mk("containers/a_b_c_d-%s.log", "ffff", "", false);
	pc = pod_cache__new(root);
	pod_cache__resolve(pc, cg, strlen(cg), "ffff", &p);
	assert_string_equal(p.uid, UID);
	assert_string_equal(p.name, "");
	pod_cache__free(pc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_forms),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
