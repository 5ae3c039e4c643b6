#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The long exact comparison (issue 18) on every interpreter here, two at a
# time: tests/exact/run.sh with PROCS processes each, then one table.
# Usage: tests/exact/long.sh PROCS OUTDIR     (make exact-long)
# EXACT_KEEP=1 keeps each run's JSON (gigabytes; a failed run's is kept
# anyway). Exits 1 when a difference of a kind not in tests/exact/known-defects
# (or a failed run) was found.
set -u
procs=$1
out=$(mkdir -p "$2" && cd "$2" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
HELPER_PY=${HELPER_PY:-/usr/bin/python3}
export PYAUDIT=${PYAUDIT:-$here/../../pyaudit} HELPER_PY
allow=$(sed 's/#.*//' "$here/known-defects" | xargs | tr ' ' ,)
pys=()
[ "${EXACT_DEBIAN:-1}" = 1 ] && [ -x /usr/bin/python3.11 ] && pys+=(/usr/bin/python3.11)
# EXACT_MINORS="3.8 3.9" (and EXACT_DEBIAN=0) for a part of them
for m in ${EXACT_MINORS:-3.8 3.9 3.10 3.11 3.12 3.13 3.14}; do
	p=$(ls -d /root/.pyenv/versions/"$m".* 2>/dev/null | grep -E "/$m\.[0-9]+$" | sort -V | tail -n 1)
	if [ -n "$p" ] && [ -x "$p/bin/python$m" ]; then
		pys+=("$p/bin/python$m")
	else
		echo "skipped: CPython $m absent (/root/.pyenv/versions/$m.*)"
	fi
done
mkdir -p "$out"
echo "exact-long: ${#pys[@]} interpreters, $procs processes each, in $out"
printf '%s\n' "${pys[@]}" | xargs -P 2 -I{} sh -c '
	d="$1/$(echo "$2" | tr / _)"
	"$3/run.sh" "$2" "$4" "$d" --allow "$5" >"$d.log" 2>&1
	echo $? >"$d.rc"
	# gigabytes of JSON: kept with EXACT_KEEP=1, or when the run failed
	# (a rare difference is found from them, not from the examples)
	[ -n "${EXACT_KEEP:-}" ] || [ "$(cat "$d.rc")" != 0 ] ||
		rm -f "$d/pyaudit.jsonl" "$d/hook.jsonl"
	echo "done: $2 (status $(cat "$d.rc"))"' sh "$out" {} "$here" "$procs" "$allow"
rc=0
figs=()
for py in "${pys[@]}"; do
	d="$out/$(echo "$py" | tr / _)"
	echo
	# the figures, without the examples of each difference (in $d.log)
	grep -v '^      \|^  [a-z_]*: ' "$d.log"
	[ "$(cat "$d.rc")" = 0 ] || rc=1
	[ -s "$d/figures.json" ] && figs+=("$d/figures.json")
done
echo
[ ${#figs[@]} -gt 0 ] && "$HELPER_PY" "$here/table.py" "${figs[@]}"
exit $rc
