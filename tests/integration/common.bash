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

# usdt_and_uprobe_pythons: Debian's python3.11 (USDT) and the newest
# pyenv 3.12 or 3.13 (uprobes), those present, one a line.
usdt_and_uprobe_pythons() {
	local p v
	[ -x /usr/bin/python3.11 ] && echo /usr/bin/python3.11
	for v in 3.12 3.13; do
		p=$(pyenv_python $v) && { echo "$p"; return; }
	done
	return 0
}

requires_python() {
	[ -n "$1" ] && [ -x "$1" ] || skip "$2 absent on this machine"
}

# The CPythons scripts/build-pythons.sh provides (built from Debian
# unstable's source packages, or unstable's own binaries run in a private
# mount namespace): $PYAUDIT_PYTHONS/interpreters.tsv, one tab-separated
# row each: name, ok|skip, kind, free-threaded 0|1, version, command, note,
# and the file with the probes (executable or libpython).
PYAUDIT_PYTHONS=${PYAUDIT_PYTHONS:-/var/cache/pyaudit-pythons}
BUILT_TSV=$PYAUDIT_PYTHONS/interpreters.tsv

# Known failures on a provided interpreter, "NAME:TEST" each; TEST is
# events, source, pidns, targets, hostile or hostile-source (the key each
# suite gives requires_built, built_commands or layouts_fail). Such a
# test skips, or its loop leaves the interpreter out, saying "issue 13:
# layouts". Empty since pyaudit knows the 3.14, 3.15 and free-threaded
# layouts; for the next CPython whose layout is not known yet.
ISSUE13_LAYOUTS=()

# built_binary COMMAND: the file with the probes of the provided
# interpreter COMMAND (for --binary: attached before it starts); fails
# for any other command.
built_binary() {
	awk -F'\t' -v c="$1" '$2 == "ok" && $6 == c { print $8; f = 1 } END { exit !f }' \
		"$BUILT_TSV" 2>/dev/null
}

# built_commands TEST: the commands of the provided interpreters, one a
# line, for a test that loops over every Python; those whose NAME:TEST is
# in ISSUE13_LAYOUTS are left out, saying so on the terminal (fd 3). The
# embedding programs (kind embed) are not among them: they take a file
# and no Python option.
built_commands() {
	local name status kind cmd
	[ -r "$BUILT_TSV" ] || return 0
	while IFS=$'\t' read -r name status kind _ _ cmd _; do
		[ "$status" = ok ] && [ "$kind" != embed ] || continue
		if layouts_fail "$name" "$1"; then
			echo "# $1: CPython $name left out (issue 13: layouts)" >&3
			continue
		fi
		echo "$cmd"
	done <"$BUILT_TSV"
}

# requires_built NAME TEST: BUILT_PY (the command), BUILT_BIN (the file
# with the probes, for --binary), BUILT_KIND (source|debian-root|embed),
# BUILT_FT (1 when free-threaded) and BUILT_VERSION of the provided
# interpreter NAME, or the test skips naming it and why it
# is absent, or naming issue 13 when NAME:TEST is in ISSUE13_LAYOUTS.
requires_built() {
	local name=$1 test=$2 row status note
	[ -r "$BUILT_TSV" ] ||
		skip "CPython $name absent: scripts/build-pythons.sh has not run (no $BUILT_TSV)"
	row=$(awk -F'\t' -v n="$name" '$1 == n' "$BUILT_TSV")
	[ -n "$row" ] || skip "CPython $name absent: not in $BUILT_TSV (run scripts/build-pythons.sh)"
	IFS=$'\t' read -r _ status BUILT_KIND BUILT_FT BUILT_VERSION BUILT_PY note BUILT_BIN <<<"$row"
	[ "$status" = ok ] || skip "CPython $name absent: $note"
	[ -x "$BUILT_PY" ] || skip "CPython $name absent: $BUILT_PY is gone (run scripts/build-pythons.sh)"
	! layouts_fail "$name" "$test" ||
		skip "issue 13: layouts (CPython $name $BUILT_VERSION: $test fails on main)"
}

# layouts_fail NAME TEST: NAME:TEST is in ISSUE13_LAYOUTS.
layouts_fail() {
	local e
	for e in "${ISSUE13_LAYOUTS[@]}"; do
		[ "$e" = "$1:$2" ] && return 0
	done
	return 1
}

# Run pyaudit on a command; output in $T/out, errors in $T/err. Options
# in TRACE_OPTS come first (a test of a provided interpreter: --binary).
TRACE_OPTS=()
trace_command() {
	"$PYAUDIT" "${TRACE_OPTS[@]}" "$@" >"$T/out" 2>"$T/err" 3>&-
}

# Start pyaudit in the background and wait until it says "Tracing"
# (TRACE_OPTS first, as for trace_command).
start_pyaudit() {
	# The parent greps at once, maybe before the child's redirection
	# truncates $T/err: a "Tracing" left by an earlier pyaudit of the
	# same test would pass for this one's before it attached, and the
	# test's first events would be raised untraced.
	rm -f "$T/err"
	"$PYAUDIT" "${TRACE_OPTS[@]}" "$@" >"$T/out" 2>"$T/err" 3>&- &
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
