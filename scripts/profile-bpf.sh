#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `make profile`: where the time of a traced event goes (root; about
# 40 s). For Debian's python3.11 (USDT) and a pyenv 3.12/3.13 (uprobes),
# and for pyaudit --json, --json --no-source, -e nothing.matches and -s:
#
#  - the loop of tests/bench/loop.py (id(x) and sys.audit), ns per
#    iteration, and what it adds to the untraced loop;
#  - the BPF program's own run time per run (kernel.bpf_stats_enabled,
#    run_time_ns / run_cnt of the programs pyaudit attached to the file,
#    from /proc/PID/fdinfo and `bpftool prog show`): the rest of the
#    added cost is the trap and the uprobe machinery, what an empty
#    probe costs;
#  - the consumer's CPU time per event (perf stat -e task-clock on the
#    pyaudit process while the loop runs; it runs on the other CPU);
#  - with PROFILE_PERF=1 (default), `perf record` of the id(x) loop
#    under full capture: the kernel and BPF symbols the traced process
#    spends its time in (the BPF programs run in its context).
#
# The Pythons run from private copies (the executable; the pyenv
# libpython through LD_LIBRARY_PATH), probed with --binary COPY: no other
# process on the machine maps them, so the run counts and times are the
# loop's alone, and other tracers of the originals do not slow it.
#
# Prints only. bpf_stats itself adds two clock reads per run (some 20 to
# 40 ns): the BPF figures here are a little higher than in `make bench`.
# Environment: PROFILE_N (iterations, 100000), PROFILE_REPS (3), BENCH_PY311, BENCH_PYENV,
# PROFILE_PERF, PYAUDIT.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
PYAUDIT=${PYAUDIT:-$root/pyaudit}
N=${PROFILE_N:-100000}
REPS=${PROFILE_REPS:-3}
PY311=${BENCH_PY311:-/usr/bin/python3.11}
PERF=${PROFILE_PERF:-1}
loop=$root/tests/bench/loop.py

die() { echo "profile: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo make profile)"
[ -x "$PYAUDIT" ] || die "$PYAUDIT not built (make)"
for t in bpftool jq awk; do
	command -v $t >/dev/null || die "$t not found"
done
command -v perf >/dev/null || { PERF=0; echo "note: perf not found: no consumer CPU time, no perf record"; }

tmp=$(mktemp -d /tmp/pyaudit-profile.XXXXXX)
. scripts/bench-lib.sh
bpf_stats_session "$tmp"

# consumer_ms FILE: the task-clock of `perf stat -x,` output, in ms.
consumer_ms() {
	awk -F, '$3 == "task-clock" || $3 ~ /^task-clock/ { print $1 }' "$1" | head -n 1
}

declare -A cond_args=(
	[full]="--json"
	[nosrc]="--json --no-source"
	[filtered]="--json -e nothing.matches"
	[summary]="-s"
)
conds=(full nosrc filtered summary)

# profile_python LABEL FILE RUNNER...
profile_python() {
	local label=$1 file=$2 c l base v before after pstat runs ns cms
	shift 2
	local runner=("$@")
	declare -A untraced
	echo
	echo "== $label"
	for l in c py; do untraced[$l]=$("${runner[@]}" "$loop" $l "$N" "$REPS" 2>/dev/null); done
	printf '  %-10s %-9s %9s %9s %10s %10s %11s %12s\n' mode loop ns/iter added "bpf runs" "bpf ns/run" "other ns" "consumer ns"
	for c in "${conds[@]}"; do
		# shellcheck disable=SC2086
		start_tracer pyaudit 0 "$file" /dev/null "$tmp/pa.err" \
			"$PYAUDIT" ${cond_args[$c]} --binary "$file" || continue
		for l in c py; do
			before=$(bpf_totals)
			pstat=
			if [ "$PERF" = 1 ]; then
				perf stat -x, -e task-clock -p "$tracer_pid" -o "$tmp/pstat" 2>/dev/null &
				pstat=$!
				sleep 0.2
			fi
			v=$("${runner[@]}" "$loop" $l "$N" "$REPS" 2>/dev/null)
			if [ -n "$pstat" ]; then
				sleep 0.2	# the consumer drains the ring
				kill -INT "$pstat"
				wait "$pstat"
				cms=$(consumer_ms "$tmp/pstat")
			fi
			after=$(bpf_totals)
			read -r runs ns < <(awk -v a="$after" -v b="$before" 'BEGIN {
				split(a, x, " "); split(b, y, " "); print x[1] - y[1], x[2] - y[2] }')
			awk -v m="$c" -v l="$([ $l = c ] && echo 'id(x)' || echo sys.audit)" \
				-v v="$v" -v b="${untraced[$l]}" -v r="$runs" -v ns="$ns" -v cms="${cms:-}" 'BEGIN {
				add = v - b; pr = r ? ns / r : 0
				cons = (cms != "" && r) ? sprintf("%.0f", cms * 1e6 / r) : "-"
				printf "  %-10s %-9s %9.1f %9.1f %10d %10.1f %11.1f %12s\n", m, l, v, add, r, pr, add - pr, cons }'
		done
		stop_tracer
	done
	# the baseline again: the lower of the two (the figures above used the first)
	for l in c py; do
		v=$("${runner[@]}" "$loop" $l "$N" "$REPS" 2>/dev/null)
		untraced[$l]="${untraced[$l]} (after: $v)"
	done
	echo "  untraced: id(x) ${untraced[c]} ns, sys.audit ${untraced[py]} ns per iteration"

	[ "$PERF" = 1 ] || return 0
	start_tracer pyaudit 0 "$file" /dev/null "$tmp/pa.err" "$PYAUDIT" --json --binary "$file" || return 0
	perf record -q -o "$tmp/perf.data" -- "${runner[@]}" "$loop" c "$N" 1 >/dev/null 2>&1
	stop_tracer
	echo "  perf record of the id(x) loop under pyaudit --json: its symbols, kernel and BPF included (self time)"
	perf report -q -i "$tmp/perf.data" --sort sym --stdio --no-children 2>/dev/null |
		awk 'NF && $1 ~ /%$/ { $2 = ""; sub(/^ +/, ""); printf "    %s\n", $0; if (++n == 18) exit }'
}

echo "pyaudit profile, $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) vCPU, kernel $(uname -r)"
echo "pyaudit: $("$PYAUDIT" -V 2>&1 | head -n 1) (git $(git rev-parse --short HEAD 2>/dev/null))"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); N=$N, best of $REPS repetitions per loop"
echo "added = ns/iter - untraced; bpf ns/run: the program's own time (bpf_stats);"
echo "other ns = added - bpf ns/run: trap, uprobe/USDT dispatch (an empty probe's cost);"
echo "consumer ns: pyaudit's CPU time per event, on the other CPU"

py311=$tmp/$(basename "$PY311")
cp "$PY311" "$py311" || die "cannot copy $PY311"
profile_python "CPython $("$PY311" -c 'import platform; print(platform.python_version())'), a copy of $PY311 (USDT)" \
	"$py311" "$py311"

pyenv_dir=${BENCH_PYENV:-$(ls -d /root/.pyenv/versions/3.1[23].* 2>/dev/null | grep -E '/3\.1[23]\.[0-9]+$' | sort -V | head -n 1)}
if [ -n "$pyenv_dir" ]; then
	ver=$(basename "$pyenv_dir" | cut -d. -f1-2)
	lib=$pyenv_dir/lib/libpython$ver.so.1.0
	if [ -e "$lib" ]; then
		mkdir -p "$tmp/lib"
		cp "$lib" "$tmp/lib/" || die "cannot copy $lib"
		maps=$(LD_LIBRARY_PATH=$tmp/lib BENCH_SHOW_LIB=1 "$pyenv_dir/bin/python$ver" "$loop" c 10 1 2>&1 >/dev/null)
		[[ $maps == *"$tmp/lib/"* ]] || die "$pyenv_dir/bin/python$ver does not load the copy ($maps)"
		profile_python "CPython $(basename "$pyenv_dir"), a copy of $lib (uprobes)" \
			"$tmp/lib/$(basename "$lib")" \
			env LD_LIBRARY_PATH="$tmp/lib" "$pyenv_dir/bin/python$ver"
	else
		echo; echo "== pyenv $ver: skipped ($lib missing)"
	fi
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
