#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Load test with exact accounting.
#
# Starts pyaudit (JSON, -e 'pyaudit.load.*', -o FILE), runs N Python
# workers for D seconds, each raising sys.audit('pyaudit.load.ev', i) as
# fast as it can, stops pyaudit with SIGINT, and checks for every worker:
# delivered + lost (the final lost record's by_pid) == raised, exactly,
# with distinct sequence numbers. Prints a table; exits 1 on a mismatch.
#
# Workers alternate between Debian's /usr/bin/python3.11 (USDT) and the
# pyenv 3.12 and 3.13 interpreters (uprobes) that are present.
#
# usage: tests/load/load.sh [-n WORKERS] [-d SECONDS] [-r RING_SIZE]
#                           [-a] [-k] [-D DIR]
#   -n  workers (default 8)         -d  seconds of load (default 30)
#   -r  pyaudit --ring-size         -a  trace every Python (system-wide)
#                                       instead of --binary per interpreter
#   -k  keep the run's directory    -D  where to make it (default $TMPDIR
#                                       or /tmp)
# PYAUDIT: the program (default: the repository's ./pyaudit).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PYAUDIT=${PYAUDIT:-$here/../../pyaudit}
HELPER_PY=${HELPER_PY:-/usr/bin/python3}
workers=8 duration=30 ring="" all=0 keep=0 base=${TMPDIR:-/tmp}

usage() { sed -n '14,21s/^# \{0,1\}//p' "$0" >&2; exit 64; }
while getopts n:d:r:akD:h opt; do
	case $opt in
	n) workers=$OPTARG ;;
	d) duration=$OPTARG ;;
	r) ring=$OPTARG ;;
	a) all=1 ;;
	k) keep=1 ;;
	D) base=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $workers =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ ]] || usage
[ "$(id -u)" = 0 ] || { echo "load.sh: needs root" >&2; exit 1; }
[ -x "$PYAUDIT" ] || { echo "load.sh: no pyaudit at $PYAUDIT (make)" >&2; exit 1; }

# The interpreters: "PROGRAM LABEL TARGET" (TARGET: the file to trace).
pythons=()
[ -x /usr/bin/python3.11 ] && pythons+=("/usr/bin/python3.11 3.11-usdt /usr/bin/python3.11")
for minor in 3.12 3.13; do
	d=""
	for v in /root/.pyenv/versions/"$minor".*; do
		[[ $v =~ /$minor\.[0-9]+$ && -x $v/bin/python$minor ]] && d=$(printf '%s\n%s\n' "$d" "$v" | sort -V | tail -n 1)
	done
	[ -n "$d" ] || continue
	lib=$d/lib/libpython$minor.so.1.0
	[ -e "$lib" ] || lib=$d/bin/python$minor	# a static build
	pythons+=("$d/bin/python$minor $minor-uprobes $lib")
done
[ ${#pythons[@]} -gt 0 ] || { echo "load.sh: no Python to run (/usr/bin/python3.11, pyenv 3.12/3.13)" >&2; exit 1; }

dir=$(mktemp -d "$base/pyaudit-load.XXXXXX")
pa_pid="" worker_pids=()
cleanup() {
	local p
	for p in "${worker_pids[@]}" $pa_pid; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ $keep = 1 ]; then
		echo "kept $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

args=(--json -e 'pyaudit.load.*' -o "$dir/audit.jsonl")
[ -n "$ring" ] && args+=(--ring-size "$ring")
if [ $all = 0 ]; then
	for p in "${pythons[@]}"; do
		read -r _ _ target <<<"$p"
		args+=(--binary "$target")
	done
fi
"$PYAUDIT" "${args[@]}" 2>"$dir/err" &
pa_pid=$!
for _ in $(seq 1 400); do
	grep -q '^Tracing' "$dir/err" && break
	kill -0 "$pa_pid" 2>/dev/null || break
	sleep 0.05
done
if ! grep -q '^Tracing' "$dir/err"; then
	echo "load.sh: pyaudit did not start:" >&2
	cat "$dir/err" >&2
	exit 1
fi
grep '^Tracing' "$dir/err" | head -n 1
echo "$workers workers for $duration s, ring ${ring:-default (8M)}; run directory $dir"

for ((i = 0; i < workers; i++)); do
	read -r py label _ <<<"${pythons[i % ${#pythons[@]}]}"
	"$py" "$here/worker.py" "$dir/count.$i" "$duration" "$dir/go" &
	worker_pids+=($!)
	echo "$label" >"$dir/label.$i"
done
sleep 0.5	# let them start: they wait for the go file
touch "$dir/go"

status=0
for ((i = 0; i < workers; i++)); do
	wait "${worker_pids[i]}" || { echo "load.sh: worker $i failed" >&2; status=1; }
done
worker_pids=()
[ $status = 0 ] || exit 1

# pyaudit's CPU time and peak RSS: sampled from /proc until it is gone
# (the last sample is taken at most 50 ms before it ends).
clk=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pa_pid/status")
ticks=$(cpu_ticks "$pa_pid")
kill -INT "$pa_pid"
while t=$(cpu_ticks "$pa_pid") && [ -n "$t" ]; do
	ticks=$t
	r=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pa_pid/status" 2>/dev/null) && [ -n "$r" ] && rss=$r
	[ "$(sed 's/.*) //' "/proc/$pa_pid/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] && break
	sleep 0.05
done
pa_status=0
wait "$pa_pid" || pa_status=$?
pa_pid=""
if [ $pa_status != 0 ]; then
	echo "load.sh: pyaudit exited with $pa_status:" >&2
	cat "$dir/err" >&2
	exit 1
fi
grep -v '^Tracing' "$dir/err" >&2 || true

: >"$dir/workers"
for ((i = 0; i < workers; i++)); do
	read -r pid raised <"$dir/count.$i"
	echo "$pid $(cat "$dir/label.$i") $raised" >>"$dir/workers"
done
cpu=$(awk -v t="$ticks" -v c="$clk" 'BEGIN { printf "%.2f", t / c }')
echo
"$HELPER_PY" "$here/check.py" "$dir/audit.jsonl" "$dir/workers" "$duration" "$cpu" "$rss"
