# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Helpers for pyaudit's bats tests.

PYAUDIT=${PYAUDIT:-$BATS_TEST_DIRNAME/../../pyaudit}
BUILD=${BUILD:-$BATS_TEST_DIRNAME/../../build}
WORKLOAD=$BATS_TEST_DIRNAME/workload.py
COMPARE=$BATS_TEST_DIRNAME/compare.py
# A Python for the test's own helpers (not a traced one).
HELPER_PY=${HELPER_PY:-/usr/bin/python3}

requires_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (BPF programs and uprobes)"
}

# pyenv_python MINOR: the newest pyenv interpreter of that minor version.
pyenv_python() {
	local minor=$1 p
	p=$(ls -d /root/.pyenv/versions/"$minor".* 2>/dev/null | grep -E "/$minor\.[0-9]+$" | sort -V | tail -n 1)
	[ -n "$p" ] && [ -x "$p/bin/python$minor" ] && echo "$p/bin/python$minor"
}

requires_python() {
	[ -n "$1" ] && [ -x "$1" ] || skip "$2 absent on this machine"
}

# Run pyaudit on a command; output in $T/out, errors in $T/err.
trace_command() {
	"$PYAUDIT" "$@" >"$T/out" 2>"$T/err" 3>&-
}

# Start pyaudit in the background and wait until it says "Tracing".
start_pyaudit() {
	"$PYAUDIT" "$@" >"$T/out" 2>"$T/err" 3>&- &
	PA_PID=$!
	local i
	for i in $(seq 1 200); do
		grep -q '^Tracing' "$T/err" 2>/dev/null && return 0
		kill -0 "$PA_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "pyaudit did not start:" >&2
	cat "$T/err" >&2
	return 1
}

stop_pyaudit() {
	kill -INT "$PA_PID" 2>/dev/null || true
	wait "$PA_PID" || true
}

# jq_ok FILTER: some event in $T/out satisfies FILTER.
jq_ok() {
	if ! jq -e -s "map(select($1)) | length > 0" "$T/out" >/dev/null; then
		echo "no event matches: $1" >&2
		return 1
	fi
}

setup() {
	T=$(mktemp -d /tmp/pyaudit-bats.XXXXXX)
}

teardown() {
	# (CONT: a test may have stopped it)
	[ -n "${PA_PID:-}" ] && kill "$PA_PID" 2>/dev/null && kill -CONT "$PA_PID" 2>/dev/null || true
	rm -rf "$T"
}
