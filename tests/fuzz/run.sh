#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run libFuzzer targets built by tests/fuzz/fuzz.mk (docs/fuzzing.md).
#
#   tests/fuzz/run.sh MODE SECONDS JOBS TARGET...
#
# MODE names the work directory, $FUZZ_OUT/MODE (emptied first): new
# inputs go to MODE/corpus/TARGET, the committed seeds in
# tests/fuzz/corpus/fuzz_TARGET are only read. Each target runs SECONDS
# seconds, JOBS at a time; crash inputs go to $FUZZ_OUT/artifacts/.
# Prints one line of figures per target (from libFuzzer's final lines)
# and exits 1 when any target failed (crash, leak, timeout, OOM).
set -u

mode=$1 secs=$2 jobs=$3
shift 3
out=${FUZZ_OUT:-build/fuzz}
here=tests/fuzz
work=$out/$mode

rm -rf "$work"
mkdir -p "$work/corpus" "$out/artifacts"

# Per-target options: dictionaries, and input sizes the code can see.
opts_for() {
	case $1 in
	target) echo "-dict=$here/fuzz_target.dict -max_len=65536" ;;
	procmaps) echo "-dict=$here/fuzz_procmaps.dict -max_len=4096" ;;
	cgroup) echo "-dict=$here/fuzz_cgroup.dict -max_len=4096" ;;
	record) echo "-dict=$here/fuzz_record.dict -max_len=16384" ;;
	esac
}

run_one() {
	local t=$1 rc

	mkdir -p "$work/corpus/$t"
	# shellcheck disable=SC2046
	"$out/fuzz_$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
		-error_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" $(opts_for "$t") \
		"$work/corpus/$t" "$here/corpus/fuzz_$t" >"$work/$t.log" 2>&1
	rc=$?
	echo "$rc" >"$work/$t.rc"
}

start=$(date +%s)
running=0
for t in "$@"; do
	if [ ! -x "$out/fuzz_$t" ]; then
		echo "$out/fuzz_$t: not built (make fuzz-build)" >&2
		exit 1
	fi
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "fuzz $mode: $t, ${secs}s ($work/$t.log)"
	run_one "$t" &
	running=$((running + 1))
done
wait

fail=0
printf '%-9s %12s %8s %6s %7s %14s %7s  %s\n' target runs exec/s cov ft corpus rss result
for t in "$@"; do
	log=$work/$t.log
	rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
	ft=$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$done_line")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\) .*/\1/p' <<<"$done_line")
	if [ "$rc" = 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc)"
		fail=1
	fi
	printf '%-9s %12s %8s %6s %7s %14s %6sM  %s\n' "$t" "${runs:-?}" "${eps:-?}" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "$result"
done
echo "fuzz $mode: $(( $(date +%s) - start ))s"
if [ "$fail" != 0 ]; then
	for t in "$@"; do
		[ "$(cat "$work/$t.rc" 2>/dev/null)" = 0 ] && continue
		echo "---- $t: end of $work/$t.log" >&2
		tail -n 40 "$work/$t.log" >&2
	done
	echo "crash inputs: $(ls "$out"/artifacts/ 2>/dev/null | tr '\n' ' ')" >&2
	exit 1
fi
