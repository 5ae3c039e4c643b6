#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `make bench`: what pyaudit costs, in one run (root; about 80 s on a
# 2-vCPU VM). Prints only, asserts nothing; docs/performance.md has the
# figures of a run and explains them.
#
#  1. ns per iteration of a Python loop raising one event per iteration,
#     for a C-level event (id(x): builtins.id) and a Python-level one
#     (sys.audit("bench.ev", "s", 1)), in a fresh process per loop (best
#     of 3 repetitions inside it), on Debian's python3.11 (USDT) and on a
#     pyenv 3.12/3.13 without USDT (uprobes), under: nothing; bpftrace
#     counting at the same probe site (an empty probe); bpftrace printing
#     the event name; pyaudit --json; pyaudit with the event filtered out
#     in BPF (-e nothing.matches); pyaudit with the event rejected by an
#     argument condition in BPF (-e 'builtins.id:id=x'); pyaudit -s.
#     Then the added cost of
#     each over the untraced loop, and the ratios of the added costs.
#  2. The consumer alone: records kept by --record from a realistic
#     workload, replayed through user/consumer.c as pyaudit runs it
#     (decoding, line of each frame, JSON formatting) on one core.
#  3. Time from start to the "Tracing" line, for -- COMMAND and for
#     system-wide mode (median of 5).
#  4. pyaudit's peak RSS (VmHWM) in system-wide mode and in full capture
#     just after the loops.
#  5. scripts/bench-service.sh (BENCH_SERVICE=0: not run): requests per
#     second of an HTTP service on the standard library, untraced and
#     traced, and the slowdown in percent.
#
# The pyenv library is probed in a copy without the local symbols
# sys_audit and sys_audit_tstate (objcopy --strip-symbol; code and file
# offsets unchanged, checked below), which every condition of that column
# uses through LD_LIBRARY_PATH: Debian's bpftrace 0.17 is built without
# instruction-boundary checks and refuses a probe inside a known function
# (sys_audit_tstate+3) even with --unsafe, but attaches a raw file offset
# that no symbol covers.
#
# Environment: BENCH_N (iterations, default 300000), BENCH_REPS (3),
# BENCH_PY311 (/usr/bin/python3.11), BENCH_WAIT (seconds to wait for
# other tracers of the same file to go away, 60), BENCH_PYENV (a pyenv
# version directory, default the newest 3.12.x/3.13.x under /root/.pyenv),
# BENCH_BPFTRACE (bpftrace; its conditions are skipped when it is not
# there), PYAUDIT.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
PYAUDIT=${PYAUDIT:-$root/pyaudit}
N=${BENCH_N:-300000}
REPS=${BENCH_REPS:-3}
PY311=${BENCH_PY311:-/usr/bin/python3.11}
WAIT=${BENCH_WAIT:-60}
build=$root/build/bench
loop=$root/tests/bench/loop.py

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "  note: $*"; }

[ "$(id -u)" = 0 ] || die "run as root (sudo make bench)"
[ -x "$PYAUDIT" ] || die "$PYAUDIT not built (make)"
for t in bpftool cc objcopy readelf awk; do
	command -v $t >/dev/null || die "$t not found"
done
[ -x "$PY311" ] || die "$PY311 not found"
BPFTRACE=${BENCH_BPFTRACE:-bpftrace}
command -v "$BPFTRACE" >/dev/null || BPFTRACE=

tmp=$(mktemp -d /tmp/pyaudit-bench.XXXXXX)
tracer_pid=
cleanup() {
	[ -n "$tracer_pid" ] && stop_tracer
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t_start=$(date +%s)

# ---- helpers ----------------------------------------------------------

# probes_on, my_offsets, others_on, start_tracer, stop_tracer
. scripts/bench-lib.sh

mkdir -p "$build"
cflags=(-O2 -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE -I. -Ibpf)
make --no-print-directory build/bench/replay >/dev/null ||
	die "cannot build tests/bench/replay.c"
cc "${cflags[@]}" tests/bench/startup.c -o "$build/startup" ||
	die "cannot build tests/bench/startup.c"

vm_hwm_mb() {
	awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

# run_loop KIND: ns per iteration of loop.py KIND with the current runner.
run_loop() {
	"${runner[@]}" "$loop" "$1" "$N" "$REPS" 2>/dev/null || echo "fail"
}

fmt() { # a number with one decimal, or "-", or "fail"
	case $1 in
	'' | -) printf '%s' - ;;
	fail) printf '%s' fail ;;
	*) awk -v x="$1" 'BEGIN { printf "%.1f", x }' ;;
	esac
}

added() { # traced untraced
	[ -n "$1" ] && [ "$1" != fail ] && [ -n "$2" ] || { echo -; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'
}

ratio() { # num den
	case "$1$2" in *-* | '' | *fail*) echo -; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else printf "%.2f", a / b }'
}

verdict() { # value op limit -> met / not met
	[ "$1" = - ] && { echo "n/a"; return; }
	awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
		ok = (op == "<=") ? v <= l : (op == "<") ? v < l : v >= l
		print ok ? "met" : "NOT MET" }'
}

declare -A res	# res[py,cond,loop] = ns per iteration
declare -A info	# misc figures
targets=()	# lines of the final targets table
conds=(untraced empty print full nosrc filtered argfilter summary)
declare -A cond_name=(
	[untraced]="untraced"
	[empty]="bpftrace empty probe (count)"
	[print]="bpftrace printf event name"
	[full]="pyaudit --json"
	[nosrc]="pyaudit --json --no-source"
	[filtered]="pyaudit -e nothing.matches"
	[argfilter]="pyaudit -e 'id:id=x' (rejects)"
	[summary]="pyaudit -s"
)

# ---- machine ----------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "pyaudit benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) vCPU, $cpu, kernel $(uname -r), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
rev=$(git rev-parse --short HEAD 2>/dev/null) && { git diff --quiet HEAD -- bpf user 2>/dev/null || rev="$rev+changes"; }
echo "pyaudit: $("$PYAUDIT" -V 2>&1 | head -n 1)${rev:+ (git $rev)}; bpftrace: $([ -n "$BPFTRACE" ] && "$BPFTRACE" --version 2>&1 || echo none)"
[ -n "$BPFTRACE" ] || note "bpftrace not found (apt-get install bpftrace): no empty-probe and printf conditions, no ratios"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
busy=$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk '$1 >= 20 { printf "%s(%s %s%%) ", $3, $2, $1 }')
[ -n "$busy" ] && note "busy processes: $busy(figures are noisier)"
echo "loops: N=$N iterations, best of $REPS repetitions in one process, ns per iteration"

# ---- per-Python measurements -------------------------------------------

# bench_python KEY LABEL FILE NPROBES: the six conditions for one Python;
# uses runner[], bt_empty, bt_print, and appends to the results.
bench_python() {
	local key=$1 label=$2 file=$3 nprobes=$4 c l v o hwm
	echo
	echo "== $label"
	o=$(others_on "$file")
	if [ -n "$o" ]; then
		note "other processes have probes on $file: $o; waiting up to $WAIT s for them to end"
		for ((i = 0; i < WAIT; i++)); do
			sleep 1
			o=$(others_on "$file")
			[ -z "$o" ] && break
		done
		[ -n "$o" ] && { note "STILL PROBED BY $o: these figures include their cost"; info[$key,contaminated]=$o; }
	fi

	for l in c py; do res[$key,untraced,$l]=$(run_loop $l); done

	# bpftrace, count only
	if [ -n "$BPFTRACE" ] && start_tracer bpftrace "$nprobes" "$file" "$tmp/bt.out" "$tmp/bt.err" \
		"$BPFTRACE" --unsafe -o "$tmp/bt.out" -e "$bt_empty"; then
		info[$key,sites_bt]=$(my_offsets "$file")
		for l in c py; do res[$key,empty,$l]=$(run_loop $l); done
		stop_tracer
		# the counts it prints at exit: every iteration must have fired
		local counts
		counts=$(grep -E '^@' "$tmp/bt.out" | paste -sd ' ')
		info[$key,empty_counts]=$counts
		if ! awk -v min=$((REPS * N)) '/^@/ { if ($2 < min) bad = 1; n++ } END { exit !(n && !bad) }' "$tmp/bt.out"; then
			note "the empty probe did not fire for every iteration: $counts"
			res[$key,empty,c]=fail res[$key,empty,py]=fail
		fi
	fi

	# bpftrace printing the event name, to /dev/null
	if [ -n "$BPFTRACE" ] && start_tracer bpftrace "$nprobes" "$file" /dev/null "$tmp/bt.err" \
		"$BPFTRACE" --unsafe -o /dev/null -e "$bt_print"; then
		for l in c py; do res[$key,print,$l]=$(run_loop $l); done
		stop_tracer
	fi

	# pyaudit, full capture
	if start_tracer pyaudit 0 "$file" /dev/null "$tmp/pa.err" \
		"$PYAUDIT" --json --binary "$file"; then
		info[$key,sites_pa]=$(my_offsets "$file")
		for l in c py; do res[$key,full,$l]=$(run_loop $l); done
		hwm=$(vm_hwm_mb "$tracer_pid")
		info[$key,hwm_full]=$hwm
		stop_tracer
		if grep -q 'lost' "$tmp/pa.err"; then
			info[$key,lost]=$(grep 'lost' "$tmp/pa.err" | tail -n 1)
			note "pyaudit --json: ${info[$key,lost]}"
		fi
	fi

	# pyaudit, full capture without the Python frame: the frame's cost
	if start_tracer pyaudit 0 "$file" /dev/null "$tmp/pa.err" \
		"$PYAUDIT" --json --no-source --binary "$file"; then
		for l in c py; do res[$key,nosrc,$l]=$(run_loop $l); done
		stop_tracer
	fi

	# pyaudit, the event filtered out in BPF
	if start_tracer pyaudit 0 "$file" /dev/null "$tmp/pa.err" \
		"$PYAUDIT" --json --binary "$file" -e nothing.matches; then
		for l in c py; do res[$key,filtered,$l]=$(run_loop $l); done
		stop_tracer
	fi

	# pyaudit, the event rejected in BPF by an argument condition (its
	# arguments decoded, its frames not read): check that it rejected
	if start_tracer pyaudit 0 "$file" "$tmp/af.out" "$tmp/pa.err" \
		"$PYAUDIT" --json -v --binary "$file" -e 'builtins.id:id=x' -e 'bench.ev:arg0=x'; then
		for l in c py; do res[$key,argfilter,$l]=$(run_loop $l); done
		stop_tracer
		[ -s "$tmp/af.out" ] && note "the argument condition let events through"
		info[$key,argfilter_dropped]=$(sed -n 's/ events dropped in the kernel by argument conditions$//p' "$tmp/pa.err")
	fi

	# pyaudit, summary mode: check that it counted every iteration
	if start_tracer pyaudit 0 "$file" "$tmp/sum.out" "$tmp/pa.err" \
		"$PYAUDIT" -s --binary "$file"; then
		for l in c py; do res[$key,summary,$l]=$(run_loop $l); done
		stop_tracer
		local nid nev
		nid=$(awk '$4 == "builtins.id" { s += $1 } END { print s + 0 }' "$tmp/sum.out")
		nev=$(awk '$4 == "bench.ev" { s += $1 } END { print s + 0 }' "$tmp/sum.out")
		info[$key,summary_counts]="builtins.id=$nid bench.ev=$nev"
		if [ "$nid" -lt $((REPS * N)) ] || [ "$nev" -lt $((REPS * N)) ]; then
			note "pyaudit -s did not count every iteration: builtins.id=$nid bench.ev=$nev"
		fi
	fi

	# the baseline again: the lower of the two
	for l in c py; do
		v=$(run_loop $l)
		if [ "$v" != fail ] && [ "${res[$key,untraced,$l]}" != fail ]; then
			res[$key,untraced,$l]=$(awk -v a="$v" -v b="${res[$key,untraced,$l]}" 'BEGIN { print (a < b) ? a : b }')
		fi
	done

	print_table "$key"
}

print_table() {
	local key=$1 c l base sep
	printf '  %-30s %9s %9s   %9s %9s\n' "" "id(x)" "added" "sys.audit" "added"
	for c in "${conds[@]}"; do
		printf '  %-30s' "${cond_name[$c]}"
		sep=' '
		for l in c py; do
			base=${res[$key,untraced,$l]:-}
			if [ "$c" = untraced ]; then
				printf '%s%9s %9s' "$sep" "$(fmt "$base")" -
			else
				printf '%s%9s %9s' "$sep" "$(fmt "${res[$key,$c,$l]:-}")" "$(added "${res[$key,$c,$l]:-}" "$base")"
			fi
			sep='   '
		done
		echo
	done
	echo "  ratios of added costs             id(x) sys.audit   target"
	# the targets of issue 16 (ratios to the empty probe's added cost)
	ratio_row "$key" "pyaudit --json / empty probe" full empty "<=" 2.0
	ratio_row "$key" "pyaudit --json / bpftrace printf" full print "<=" 0.3
	ratio_row "$key" "pyaudit --no-source / empty probe" nosrc empty "<=" 1.3
	ratio_row "$key" "pyaudit --no-source / bpftrace printf" nosrc print "<=" 0.3
	ratio_row "$key" "pyaudit -e (filtered) / empty" filtered empty "<=" 1.05
	ratio_row "$key" "rejected by argument / empty probe" argfilter empty "<=" 1.05
	ratio_row "$key" "pyaudit -s / empty probe" summary empty "<=" 1.2
	ratio_row "$key" "rejected by argument / by name" argfilter filtered "" ""
	echo "  probed file offsets (bpftool perf list): bpftrace ${info[$key,sites_bt]:-?}; pyaudit ${info[$key,sites_pa]:-?}"
	[ -n "${info[$key,empty_counts]:-}" ] && echo "  bpftrace empty probe counts: ${info[$key,empty_counts]}"
	[ -n "${info[$key,summary_counts]:-}" ] && echo "  pyaudit -s counted: ${info[$key,summary_counts]}"
	[ -n "${info[$key,argfilter_dropped]:-}" ] && echo "  rejected by argument conditions in the kernel: ${info[$key,argfilter_dropped]}"
	[ -n "${info[$key,hwm_full]:-}" ] && echo "  pyaudit --json peak RSS after the loops: ${info[$key,hwm_full]} MB"
	return 0
}

ratio_row() { # key label num den op limit
	local key=$1 label=$2 num=$3 den=$4 op=$5 lim=$6 l r rs=() v all=met
	for l in c py; do
		r=$(ratio "$(added "${res[$key,$num,$l]:-}" "${res[$key,untraced,$l]:-}")" \
			"$(added "${res[$key,$den,$l]:-}" "${res[$key,untraced,$l]:-}")")
		rs+=("$r")
		if [ -n "$op" ]; then
			v=$(verdict "$r" "$op" "$lim")
			targets+=("$(printf '%-11s %-42s %-7s %-8s %s' "${info[$key,short]}" "$label ($l)" "$op $lim" "$r" "$v")")
			[ "$v" = met ] || all=$v
		fi
	done
	if [ -n "$op" ]; then
		printf '  %-32s %6s %9s   %-7s %s\n' "$label" "${rs[0]}" "${rs[1]}" "$op $lim" "$all"
	else
		printf '  %-32s %6s %9s\n' "$label" "${rs[0]}" "${rs[1]}"
	fi
}

# (a) Debian's python3.11: the python:audit USDT probe.
runner=("$PY311")
info[py311,short]="3.11 usdt"
bt_empty="usdt:$PY311:python:audit { @c = count(); }"
bt_print="usdt:$PY311:python:audit { printf(\"%s\\n\", str(arg0)); }"
bench_python py311 "$("$PY311" -c 'import platform; print("CPython", platform.python_version())'), $PY311 (USDT python:audit)" "$PY311" 1

# (b) a pyenv Python without USDT: uprobes at pyaudit's own sites.
pyenv_dir=${BENCH_PYENV:-$(ls -d /root/.pyenv/versions/3.1[23].* 2>/dev/null | grep -E '/3\.1[23]\.[0-9]+$' | sort -V | tail -n 1)}
pyenv_ok=
if [ -z "$pyenv_dir" ]; then
	echo
	echo "== pyenv 3.12/3.13: skipped (no /root/.pyenv/versions/3.12.* or 3.13.*)"
else
	ver=$(basename "$pyenv_dir" | cut -d. -f1-2)
	pybin=$pyenv_dir/bin/python$ver
	lib=$pyenv_dir/lib/libpython$ver.so.1.0
	if [ ! -x "$pybin" ] || [ ! -e "$lib" ]; then
		echo
		echo "== pyenv $ver: skipped ($pybin or $lib missing: a static build?)"
	else
		pyenv_ok=1
	fi
fi
if [ -n "$pyenv_ok" ]; then
	libdir=$tmp/lib
	mkdir -p "$libdir"
	copy=$libdir/$(basename "$lib")
	objcopy --strip-symbol=sys_audit --strip-symbol=sys_audit_tstate "$lib" "$copy" ||
		die "objcopy $lib failed"
	# The loaded segments must be byte for byte the same.
	end=0
	while read -r off size; do
		((off + size > end)) && end=$((off + size))
	done < <(readelf -lW "$lib" | awk '$1 == "LOAD" { print $2, $5 }')
	cmp -s -i 64 -n $((end - 64)) "$lib" "$copy" || die "the copy of $lib differs in its loaded segments"
	sites() { "$PYAUDIT" -v --binary "$1" -- /bin/true 2>&1 | sed -n 's/.*uprobe at file offset \(0x[0-9a-f]*\): \([a-z_]*+0x[0-9a-f]*\) .*/\2 \1/p'; }
	orig_sites=$(sites "$lib")
	copy_sites=$(sites "$copy")
	off_c=$(awk '$1 ~ /^sys_audit_tstate\+/ { print $2 }' <<<"$copy_sites")
	off_py=$(awk '$1 == "sys_audit+0x0" { print $2 }' <<<"$copy_sites")
	if [ -z "$off_c" ] || [ -z "$off_py" ]; then
		echo
		echo "== pyenv $ver: skipped (pyaudit -v shows no sys_audit_tstate and sys_audit+0x0 sites: $copy_sites)"
		pyenv_ok=
	elif [ "$orig_sites" != "$copy_sites" ]; then
		die "pyaudit probes the copy elsewhere: '$orig_sites' vs '$copy_sites'"
	fi
fi
if [ -n "$pyenv_ok" ]; then
	runner=(env LD_LIBRARY_PATH="$libdir" "$pybin")
	maps=$(BENCH_SHOW_LIB=1 "${runner[@]}" "$loop" c 10 1 2>&1 >/dev/null)
	[[ $maps == *"$copy"* ]] || die "$pybin does not load the copy $copy ($maps)"
	# str data of a compact ASCII str: 40 bytes in 3.12+, 48 before
	stroff=40
	info[pyenv,short]="$ver uprobe"
	bt_empty="uprobe:$copy:$off_c { @c_level = count(); } uprobe:$copy:$off_py { @py_level = count(); }"
	bt_print="uprobe:$copy:$off_c { printf(\"%s\\n\", str(arg1)); } uprobe:$copy:$off_py { printf(\"%s\\n\", str(*(uint64*)arg1 + $stroff)); }"
	echo
	echo "pyenv $ver: probe sites (pyaudit -v): $(paste -sd ' ' <<<"$copy_sites")"
	bench_python pyenv "CPython $("$pybin" -c 'import platform; print(platform.python_version())'), $lib (uprobes; a copy without two local symbols, see above)" "$copy" 2
fi

# ---- the consumer alone ------------------------------------------------

echo
echo "== consumer: records replayed through user/consumer.c (decoding, lines, JSON), no kernel"
"$PYAUDIT" --record "$tmp/records" --json -- "$PY311" tests/bench/workload.py 1000 >/dev/null 2>"$tmp/rec.err" ||
	{ note "recording failed:"; sed 's/^/    /' "$tmp/rec.err"; }
grep -q lost "$tmp/rec.err" && note "$(grep lost "$tmp/rec.err")"
if [ -s "$tmp/records" ]; then
	echo "  records: $(du -h "$tmp/records" | cut -f1) from tests/bench/workload.py on $PY311"
	# the least busy CPU's number is not knowable in advance: pin to the last
	lastcpu=$(($(nproc) - 1))
	line=$("$build/replay" -t 3 -c "$lastcpu" "$tmp/records")
	echo "  as pyaudit writes (block-buffered, flushed per batch):     $line"
	info[replay_eps]=$(awk '{ print $1 }' <<<"$line")
	line=$("$build/replay" -t 2 -c "$lastcpu" -b "$tmp/records")
	echo "  block-buffered, unflushed (formatting alone):              $line"
	info[replay_eps_block]=$(awk '{ print $1 }' <<<"$line")
	v=$(verdict "${info[replay_eps]}" ">=" 2400000)
	targets+=("$(printf '%-11s %-42s %-7s %-8s %s' consumer "JSON events/s, one core" ">= 2.4M" "$(awk -v x="${info[replay_eps]}" 'BEGIN { printf "%.2fM", x / 1e6 }')" "$v")")
fi

# ---- start-up time -----------------------------------------------------

echo
echo "== start to the 'Tracing' line, median of 5 (ms)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for mode in command system; do
	: >"$tmp/times"
	for i in 1 2 3 4 5; do
		if [ $mode = command ]; then
			out=$("$build/startup" Tracing -- "$PYAUDIT" -- "$PY311" -c pass)
		else
			out=$("$build/startup" -i Tracing -- "$PYAUDIT")
		fi
		sed -n 's/.*ready_ms=\([0-9.]*\) exit_ms=\([0-9.]*\).*/\1 \2/p' <<<"$out" >>"$tmp/times"
	done
	med=$(cut -d' ' -f1 "$tmp/times" | median)
	exitmed=$(cut -d' ' -f2 "$tmp/times" | median)
	all=$(cut -d' ' -f1 "$tmp/times" | paste -sd ' ')
	if [ $mode = command ]; then
		printf '  %-40s %7s   (runs: %s; command end to pyaudit exit %s)\n' \
			"pyaudit -- $PY311 -c pass" "$med" "$all" "$exitmed"
		v=$(verdict "$med" "<" 250)
		targets+=("$(printf '%-11s %-42s %-7s %-8s %s' start "to Tracing, -- COMMAND (ms)" "< 250" "$med" "$v")")
	else
		printf '  %-40s %7s   (runs: %s; SIGINT to exit %s)\n' "pyaudit (system-wide)" "$med" "$all" "$exitmed"
		info[start_system]=$med
	fi
done

# ---- memory ------------------------------------------------------------

echo
echo "== peak RSS (VmHWM)"
out=$("$build/startup" -i -w 2000 Tracing -- "$PYAUDIT")
hwm_sys=$(sed -n 's/.*hwm_kb=\([0-9]*\).*/\1/p' <<<"$out")
hwm_sys=$(awk -v k="$hwm_sys" 'BEGIN { printf "%.1f", k / 1024 }')
ntargets=$(sed -n 's/^Tracing \([0-9]*\) target.*/\1/p' <<<"$out")
echo "  system-wide, 2 s after Tracing ($ntargets targets): $hwm_sys MB"
targets+=("$(printf '%-11s %-42s %-7s %-8s %s' memory "peak RSS, system-wide (MB)" "< 40" "$hwm_sys" "$(verdict "$hwm_sys" "<" 40)")")
for key in py311 pyenv; do
	[ -n "${info[$key,hwm_full]:-}" ] || continue
	echo "  --json --binary, after the loops (${info[$key,short]}): ${info[$key,hwm_full]} MB"
	targets+=("$(printf '%-11s %-42s %-7s %-8s %s' memory "peak RSS, full capture ${info[$key,short]} (MB)" "< 40" "${info[$key,hwm_full]}" "$(verdict "${info[$key,hwm_full]}" "<" 40)")")
done

# ---- a real service ----------------------------------------------------

if [ "${BENCH_SERVICE:-1}" = 1 ]; then
	PYAUDIT=$PYAUDIT BENCH_PY311=$PY311 BENCH_BPFTRACE=${BPFTRACE:-/nonexistent} \
		SVC_RESULT=$tmp/service scripts/bench-service.sh ||
		note "scripts/bench-service.sh failed"
	# its slowdowns (percent), one "KEY VALUE" line each
	while read -r k v; do
		case $k in
		security) targets+=("$(printf '%-11s %-42s %-7s %-8s %s' service "--profile security slowdown (%)" "<= 2" "$v" "$(verdict "$v" "<=" 2)")") ;;
		empty) targets+=("$(printf '%-11s %-42s %-7s %-8s %s' service "an empty probe's slowdown (%, the floor)" "" "$v" "")") ;;
		security_cpu) targets+=("$(printf '%-11s %-42s %-7s %-8s %s' service "--profile security: server CPU added (%)" "<= 2" "$v" "$(verdict "$v" "<=" 2)")") ;;
		drift) targets+=("$(printf '%-11s %-42s %-7s %-8s %s' service "untraced rerun's drift (%, the noise)" "" "$v" "")") ;;
		esac
	done < <(cat "$tmp/service" 2>/dev/null)
fi

# ---- targets -----------------------------------------------------------

echo
echo "== targets"
printf '%-11s %-42s %-7s %-8s %s\n' python measure target value verdict
printf '%s\n' "${targets[@]}"
for key in py311 pyenv; do
	[ -n "${info[$key,contaminated]:-}" ] &&
		echo "warning: ${info[$key,short]} figures include the cost of other tracers: ${info[$key,contaminated]}"
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - t_start )) s in all"
