#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Issue 12, item 6: --container matches the container's own cgroup by
# its id as a whole path component. Real cgroup v2 directories made under
# the cgroup2 mount, real Pythons moved into them through cgroup.procs,
# and uid 65534 for a user's delegated cgroup (a directory chowned to
# them, what systemd does for user@UID.service).
load common

DEBIAN_PY=/usr/bin/python3.11
NOBODY=65534
# Fixed ids, unlikely to be a real container's.
ID=5eed0c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829aa
ID2=5eed0c0ffee0ffffffffffffffffffffffffffffffffffffffffffffffffff01

container_setup() {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	command -v setpriv >/dev/null || skip "setpriv absent"
	CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$CG" ] || skip "no cgroup2 mount"
	P="$CG/pyaudit-test-$$"
	mkdir "$P" || skip "cannot create a cgroup under $CG"
}

teardown() {
	[ -n "${PA_PID:-}" ] && kill "$PA_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	# Deepest first; the Pythons have exited, so every cgroup is empty.
	[ -n "${P:-}" ] && [ -d "$P" ] &&
		find "$P" -depth -type d -exec rmdir {} + 2>/dev/null || true
	rm -rf "$T"
}

# py_in DIR TAG [USER]: a Python in cgroup DIR (as uid 65534 if USER is
# given) raising pyaudit.cg with TAG.
py_in() {
	local drop=
	[ -z "${3:-}" ] || drop="setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups"
	sh -c "echo \$\$ > '$1/cgroup.procs' && exec $drop '$DEBIAN_PY' -c 'import sys, time; sys.audit(\"pyaudit.cg\", \"$2\"); time.sleep(0.3)'"
}

# trace_pythons PREFIX "DIR TAG [user]"...: pyaudit --container PREFIX
# while one Python runs in each DIR (no spaces in DIR or TAG).
trace_pythons() {
	local prefix=$1 spec
	shift
	start_pyaudit --json --container "$prefix" -e pyaudit.cg
	for spec in "$@"; do
		# shellcheck disable=SC2086 # split on purpose
		py_in $spec
	done
	sleep 0.3
	stop_pyaudit
}

count_tag() {
	jq -s "map(select(.event == \"pyaudit.cg\" and .args.arg0 == \"$1\")) | length" "$T/out"
}

@test "--container: 70 decoy cgroups holding the id's digits do not push the real container out" {
	container_setup
	for i in $(seq 1 70); do
		mkdir "$P/decoy${ID:0:12}-$i"
	done
	# The kernel lists a cgroup's children in the order of their names'
	# hashes (kernfs): "r7" comes after 68 of these decoys, so main's
	# substring walk (64 at most) never reached the real container.
	mkdir -p "$P/r7/docker-$ID.scope"
	trace_pythons "${ID:0:12}" \
		"$P/r7/docker-$ID.scope real" \
		"$P/decoy${ID:0:12}-1 decoy"
	[ "$(count_tag real)" = 1 ]
	[ "$(count_tag decoy)" = 0 ]
	jq_ok ".args.arg0 == \"real\" and .process.container_id == \"$ID\""
}

@test "--container: names holding the id in another form are not let in" {
	container_setup
	mkdir "$P/evil${ID}x" "$P/${ID:0:12}" "$P/$ID" "$P/docker-${ID:0:12}.scope" \
		"$P/docker-$ID.scope"
	trace_pythons "${ID:0:12}" \
		"$P/docker-$ID.scope real" \
		"$P/evil${ID}x evil" \
		"$P/${ID:0:12} prefix" \
		"$P/$ID bare" \
		"$P/docker-${ID:0:12}.scope short"
	[ "$(count_tag real)" = 1 ]
	for tag in evil prefix bare short; do
		[ "$(count_tag $tag)" = 0 ] || { echo "decoy $tag let in" >&2; false; }
	done
}

@test "--container: the other runtimes' forms match (containerd, cri-o, podman, /docker/ID, kubepods)" {
	container_setup
	mkdir -p "$P/cri-containerd-$ID.scope" "$P/kubepods/burstable/pod1/$ID2"
	# ID and ID2 share 12 digits: 16 tell them apart
	trace_pythons "${ID:0:16}" \
		"$P/cri-containerd-$ID.scope containerd" \
		"$P/kubepods/burstable/pod1/$ID2 other"
	[ "$(count_tag containerd)" = 1 ]
	[ "$(count_tag other)" = 0 ]
	for form in "crio-$ID.scope" "libpod-$ID.scope" "docker/$ID"; do
		find "$P" -depth -mindepth 1 -type d -exec rmdir {} +
		mkdir -p "$P/$form"
		trace_pythons "${ID:0:12}" "$P/$form $form"
		[ "$(count_tag "$form")" = 1 ] || { echo "$form not matched" >&2; false; }
	done
	find "$P" -depth -mindepth 1 -type d -exec rmdir {} +
	mkdir -p "$P/kubepods/burstable/pod1/$ID2"
	trace_pythons "${ID2:0:16}" \
		"$P/kubepods/burstable/pod1/$ID2 kube"
	[ "$(count_tag kube)" = 1 ]
}

@test "--container: a user's decoy in a delegated cgroup is reported, and a root-owned match wins over it" {
	container_setup
	mkdir "$P/user@$NOBODY.service"
	chown $NOBODY "$P/user@$NOBODY.service"
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		mkdir "$P/user@$NOBODY.service/docker-$ID.scope"
	# Only the decoy: accepted (a rootless container looks the same),
	# but reported with its uid.
	trace_pythons "${ID:0:12}" \
		"$P/user@$NOBODY.service/docker-$ID.scope rootless user"
	grep -q "delegated to uid $NOBODY" "$T/err"
	[ "$(count_tag rootless)" = 1 ]
	# With the real, root-owned container: the decoy is ignored, said so.
	mkdir "$P/docker-$ID.scope"
	trace_pythons "${ID:0:12}" \
		"$P/docker-$ID.scope real" \
		"$P/user@$NOBODY.service/docker-$ID.scope decoy user"
	grep -q "ignored .*user@$NOBODY.service/docker-$ID.scope.*delegated to uid $NOBODY" "$T/err"
	[ "$(count_tag real)" = 1 ]
	[ "$(count_tag decoy)" = 0 ]
}

@test "--container: a prefix of two containers is an error that lists them" {
	container_setup
	mkdir "$P/docker-$ID.scope" "$P/docker-$ID2.scope"
	run "$PYAUDIT" --container "${ID:0:12}" -d 1
	[ "$status" = 1 ]
	[[ "$output" == *"more than one container"* ]]
	[[ "$output" == *"$ID"* ]]
	[[ "$output" == *"$ID2"* ]]
	# more digits choose one
	"$PYAUDIT" --container "${ID:0:13}" -d 0.2 >/dev/null 2>"$T/err" ||
		{ cat "$T/err" >&2; false; }
}

@test "--container: more cgroups of one container than the filter holds is an error, not a silent cut" {
	container_setup
	for i in $(seq 1 65); do
		mkdir -p "$P/s$i/docker-$ID.scope"
	done
	run "$PYAUDIT" --container "${ID:0:12}" -d 1
	[ "$status" = 1 ]
	[[ "$output" == *"not added to the cgroup filter"* ]]
}
