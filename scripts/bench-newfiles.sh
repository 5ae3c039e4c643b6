#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `make bench-newfiles`: what finding Pythons by content costs (issue 12):
# every file a process executes or maps executable is noticed by BPF once
# per state and checked by user space. Root; prints only, asserts
# nothing; docs/performance.md has the figures of a run. Under three
# conditions measured in the same run: no pyaudit; pyaudit system-wide
# (events filtered out, so only the watchers work); pyaudit --hold-new.
#  1. A known file: microseconds per spawn and wait of /bin/true.
#  2. New files: the same for NEW distinct copies of /bin/true, each run
#     once, and pyaudit's CPU time per new file (user + system).
#  3. Attach delay: a fresh copy of an interpreter, raising an event
#     every millisecond from its start: how long after the exec the first
#     event pyaudit delivers was raised, and how many were raised before.
# Environment: NEWFILES_N (copies per condition, 300), NEWFILES_KNOWN
# (spawns of the known file, 2000), NEWFILES_PY (/usr/bin/python3.11),
# NEWFILES_RUNS (interpreter copies per condition, 5), PYAUDIT.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
PYAUDIT=${PYAUDIT:-$root/pyaudit}
N=${NEWFILES_N:-300}
KNOWN=${NEWFILES_KNOWN:-2000}
PY=${NEWFILES_PY:-/usr/bin/python3.11}
RUNS=${NEWFILES_RUNS:-5}
loop=$root/build/bench/execloop

die() { echo "bench-newfiles: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (BPF): run it as root or with sudo"
[ -x "$loop" ] || die "$loop missing: run make bench-newfiles"
[ -x "$PY" ] || die "$PY missing: set NEWFILES_PY"

tmp=$(mktemp -d /tmp/pyaudit-newfiles.XXXXXX)
pa=
cleanup() { [ -n "$pa" ] && kill -INT "$pa" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

start_pyaudit() {	# $1: name of the condition, then pyaudit's options
	local name=$1
	shift
	"$PYAUDIT" --json "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pa=$!
	for _ in $(seq 200); do
		grep -qE '^Tracing|waits' "$tmp/$name.err" && return 0
		kill -0 "$pa" 2>/dev/null || break
		sleep 0.05
	done
	cat "$tmp/$name.err" >&2
	die "pyaudit $* did not start"
}

stop_pyaudit() {
	[ -n "$pa" ] || return 0
	kill -INT "$pa"
	wait "$pa"
	pa=
}

cpu_ns() {	# CPU time of a process's threads, in nanoseconds
	cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { print s }'
}

# One condition: $1 name, then pyaudit's options ("none": no pyaudit).
run_condition() {
	local name=$1 dir=$tmp/$1 t0 t1 i
	shift
	mkdir -p "$dir"
	for i in $(seq "$N"); do cp /bin/true "$dir/t$i"; done
	[ "$name" = none ] || start_pyaudit "$name" "$@"
	known[$name]=$("$loop" "$KNOWN" /bin/true)
	[ -n "$pa" ] && t0=$(cpu_ns "$pa")
	new[$name]=$("$loop" 1 "$dir"/t*)
	if [ -n "$pa" ]; then
		t1=$(cpu_ns "$pa")
		cpu[$name]=$(awk -v a="$t0" -v b="$t1" -v n="$N" \
			'BEGIN { printf "%.0f", (b - a) / 1e3 / n }')
	else
		cpu[$name]=-
	fi
	delay[$name]=-
	[ "$name" = none ] || attach_delay "$name"
	stop_pyaudit
}

# Fresh interpreter copies raising bench.delay every millisecond.
attach_delay() {
	local name=$1 i d=$tmp/$1/py out
	for i in $(seq "$RUNS"); do
		mkdir -p "$d$i"
		cp "$PY" "$d$i/python3"
		"$d$i/python3" -c '
import sys, time
t0 = int(sys.argv[1])
for n in range(200):
    sys.audit("bench.delay", sys.argv[2], n, time.time_ns() - t0)
    time.sleep(0.001)' "$(date +%s%N)" "$i"
	done
	sleep 0.3
	out=$(jq -rs --argjson runs "$RUNS" '
		[range(1; $runs + 1) | tostring] as $ids |
		[$ids[] as $i | [.[] | select(.event == "bench.delay" and .args.arg0 == $i)] |
		 if length == 0 then null else .[0] end] |
		"\(map(select(. != null)) | length)/\($runs) traced; first event raised " +
		"\(map(select(. != null) | .args.arg2 / 1e6 | floor) | sort | .[length / 2 | floor]) ms " +
		"after exec (median), after \(map(select(. != null) | .args.arg1) | sort | .[length / 2 | floor]) missed"' \
		"$tmp/$name.out")
	delay[$name]=$out
}

declare -A known new cpu delay
echo "bench-newfiles: $N new files and $KNOWN spawns of a known one per condition; kernel $(uname -r)"
run_condition none
run_condition pyaudit -e bench.delay
run_condition hold -e bench.delay --hold-new

printf '\n%-22s %14s %14s %16s\n' condition "known us/spawn" "new us/spawn" "pyaudit us/new"
for c in none pyaudit hold; do
	printf '%-22s %14s %14s %16s\n' "$c" "${known[$c]}" "${new[$c]}" "${cpu[$c]}"
done
awk -v a="${known[none]}" -v b="${known[pyaudit]}" -v c="${known[hold]}" \
	-v d="${new[none]}" -v e="${new[pyaudit]}" -v f="${new[hold]}" 'BEGIN {
	printf "\nratios against no pyaudit: known file %.2f (pyaudit), %.2f (--hold-new); new file %.2f (pyaudit), %.2f (--hold-new)\n",
		b / a, c / a, e / d, f / d }'
echo
echo "attach delay of a new interpreter copy ($PY):"
echo "  pyaudit:    ${delay[pyaudit]}"
echo "  --hold-new: ${delay[hold]}"
