#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The OCI image (make image) run by rootful podman with exactly the
# capabilities, mounts and security settings of
# packaging/kubernetes/pyaudit-daemonset.yaml (manifest_args.py reads
# them from the manifest): it traces a Python started on the host and one
# running in another container whose root file system has its own copy of
# Debian's python3.11. Skipped without podman/buildah
# (scripts/install-deps.sh image installs them).

load common

ROOT=$BATS_TEST_DIRNAME/../..
MANIFEST=$ROOT/packaging/kubernetes/pyaudit-daemonset.yaml

setup_file() {
	command -v podman >/dev/null && command -v buildah >/dev/null ||
		skip "podman or buildah absent: scripts/install-deps.sh image"
	[ "$(id -u)" = 0 ] || skip "needs root (rootful podman, BPF)"
	/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
		skip "python3-yaml absent: scripts/install-deps.sh image"
	# The image the manifest names, built by make image.
	IMAGE=$(/usr/bin/python3 "$BATS_TEST_DIRNAME/manifest_args.py" "$MANIFEST" |
		sed -n '/^--$/{n;p;q}')
	export IMAGE
	# (not the sub-make of a SANITIZE=1 run: its MAKEFLAGS would carry over)
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory OUTPUT="$BUILD" CI=true \
		IMAGE="$IMAGE" image >"$BATS_FILE_TMPDIR/make.log" 2>&1 || true
	podman_opts
	export PODMAN_OPTS
	export CTR_ROOT=$BUILD/image-test/python-root
	python_root "$CTR_ROOT"
}

# Options for this machine's podman, not the container's privileges:
# crun refuses a host with cgroup v1 controllers and a v2 hierarchy that
# has some too (hybrid), runc does not; and a root without
# CAP_SYS_RESOURCE cannot let podman raise the containers' rlimits (podman
# lowers its own RLIMIT_NPROC to 32768 first).
podman_opts() {
	PODMAN_OPTS=
	if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && command -v runc >/dev/null; then
		PODMAN_OPTS="--runtime=runc"
	fi
	local eff
	eff=$(awk '/^CapEff/{print $2}' /proc/self/status)
	if (( (0x$eff >> 24) % 2 == 0 )); then
		PODMAN_OPTS+=" --ulimit-nofile=$(ulimit -Hn) --ulimit-nproc=32768"
	fi
}

# podman run with this machine's options (see podman_opts).
prun() {
	local global=() run=()
	for o in $PODMAN_OPTS; do
		case $o in
		--runtime=*) global+=("$o") ;;
		--ulimit-nofile=*) run+=("--ulimit=nofile=${o#*=}:${o#*=}") ;;
		--ulimit-nproc=*) run+=("--ulimit=nproc=${o#*=}:${o#*=}") ;;
		esac
	done
	podman "${global[@]}" run "${run[@]}" "$@"
}

# A root file system with its own copy (own inodes) of Debian's
# python3.11, the libraries it needs and the encodings package it imports
# at start: about 13 MB, made once.
python_root() {
	local r=$1 lib
	[ -e "$r/.done" ] && return 0
	[ -x /usr/bin/python3.11 ] || return 0
	rm -rf "$r"
	mkdir -p "$r"/usr/bin "$r"/usr/lib/python3.11/lib-dynload "$r"/lib64 \
		"$r"/tmp "$r"/proc "$r"/sys "$r"/dev
	cp /usr/bin/python3.11 "$r"/usr/bin/
	cp -r /usr/lib/python3.11/encodings /usr/lib/python3.11/os.py "$r"/usr/lib/python3.11/
	for lib in $(ldd /usr/bin/python3.11 | awk '$3 ~ /^\// {print $3}'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	cp -L /lib64/ld-linux-x86-64.so.2 "$r"/lib64/
	touch "$r/.done"
}

# A Python loop: N audit events pa.image.TAG, one every 0.2 s.
LOOP='import sys, time
for i in range(int(sys.argv[2])):
    sys.audit("pa.image." + sys.argv[1], i)
    time.sleep(0.2)'

teardown() {
	podman rm -f -t 0 --ignore pa-bats-tracer pa-bats-python >/dev/null 2>&1 || true
	[ -n "${PA_PID:-}" ] && kill "$PA_PID" 2>/dev/null || true
	rm -rf "$T"
}

requires_image() {
	podman image exists "$IMAGE" || {
		cat "$BATS_FILE_TMPDIR/make.log" >&2
		echo "make image failed: no $IMAGE" >&2
		return 1
	}
}

@test "image: make image builds the static pyaudit into an image from scratch" {
	requires_image
	# one layer, nothing but pyaudit's files
	[ "$(podman image inspect --format '{{len .RootFS.Layers}}' "$IMAGE")" = 1 ]
	[ "$(podman image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")" = '["/usr/sbin/pyaudit"]' ]
	mkdir -p "$T/fs"
	podman save --format docker-archive "$IMAGE" | tar -xf - -C "$T/fs"
	tar -tf "$T"/fs/*/layer.tar | sort >"$T/files"
	cat "$T/files"
	grep -qx 'usr/sbin/pyaudit' "$T/files"
	! grep -E '(^|/)(bin/sh|lib/.*\.so)' "$T/files"
	run prun --rm "$IMAGE" -V
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *"linked statically"* ]]
}

@test "image: with the manifest's privileges it traces a Python on the host and one in another container" {
	requires_root
	requires_image
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	[ -e "$CTR_ROOT/.done" ]
	mkdir -p "$T/log"
	mapfile -t args < <(/usr/bin/python3 "$BATS_TEST_DIRNAME/manifest_args.py" \
		"$MANIFEST" "/var/log/pyaudit=$T/log")
	echo "podman run ${args[*]}" >&2
	# The tracer, started the way the DaemonSet starts it. It is ready
	# when it traces the Pythons running on the host, or, when none runs
	# (the image holds none and sees the host's files only through
	# running processes), when it says it waits for them.
	local READY='^(Tracing [0-9]+ target|No Python found yet: waiting)'
	prun -d --name pa-bats-tracer --network=none "${args[@]}" >/dev/null
	for i in $(seq 1 200); do
		podman logs pa-bats-tracer 2>&1 | grep -Eq "$READY" && break
		[ "$(podman inspect -f '{{.State.Running}}' pa-bats-tracer)" = true ] || break
		sleep 0.1
	done
	podman logs pa-bats-tracer 2>&1 | grep -E "$READY"
	# A Python on the host and one in a container of its own, started
	# after the tracer: the tracepoint watch (tracefs) finds them.
	/usr/bin/python3.11 -c "$LOOP" host 15 &
	local host=$!
	prun --name pa-bats-python --network=none --rootfs "$CTR_ROOT" \
		/usr/bin/python3.11 -I -S -c "$LOOP" ctr 15
	wait "$host"
	ctr=$(podman inspect -f '{{.Id}}' pa-bats-python)
	podman stop -t 10 pa-bats-tracer >/dev/null
	podman logs pa-bats-tracer >"$T/err" 2>&1
	cat "$T/err"
	[ "$(podman inspect -f '{{.State.ExitCode}}' pa-bats-tracer)" = 0 ]
	cp "$T/log/audit.jsonl" "$T/out"
	jq -c 'select(.event | startswith("pa.image."))' "$T/out" >&2
	# Both traced until their end (the first event or two may come before
	# the attach: the watch's known delay).
	jq_ok '.event == "pa.image.host" and .args.arg0 == 14 and .process.exe == "/usr/bin/python3.11"'
	jq_ok ".event == \"pa.image.ctr\" and .args.arg0 == 14 and .process.container_id == \"$ctr\" and .process.container_runtime == \"podman\""
	# the container's Python is its own file, reached through /proc/PID/root
	grep -E "^Tracing /proc/[0-9]+/root/usr/bin/python3.11 \(usdt\)" "$T/err"
}
