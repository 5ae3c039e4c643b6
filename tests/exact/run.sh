#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# One exact comparison (issue 18): trace mixed.py under pyaudit -j on one
# interpreter, with the in-process hook in every process, and compare.
# Usage: tests/exact/run.sh PYTHON PROCS OUTDIR [compare.py options]
# Env: PYAUDIT (the tool), HELPER_PY (runs compare.py), EXACT_SEED,
# EXACT_REUSE (pids to reuse on purpose, mixed.py --reuse; default 0)
# with PIDWRAP (default build/tests/pidwrap).
# Leaves OUTDIR/pyaudit.jsonl, hook.jsonl, pyaudit.err, workload.err,
# figures.txt and figures.json; exits with compare.py's status (or 3 if
# the workload or pyaudit failed).
set -u
py=$1 procs=$2
out=$(mkdir -p "$3" && cd "$3" && pwd) || exit 3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
PYAUDIT=${PYAUDIT:-$here/../../pyaudit}
HELPER_PY=${HELPER_PY:-/usr/bin/python3}
PIDWRAP=${PIDWRAP:-$here/../../build/tests/pidwrap}
reuse=${EXACT_REUSE:-0}
if [ "$reuse" != 0 ] && [ ! -x "$PIDWRAP" ]; then
	echo "$PIDWRAP: absent (EXACT_REUSE=$reuse needs it): make build/tests/pidwrap"
	exit 3
fi
mkdir -p "$out/tmp"
rm -f "$out/hook.jsonl"
start=$(date +%s)
# The workload's stderr goes to its own file: pyaudit's stderr is its log.
PYAUDIT_EXACT_OUT=$out/hook.jsonl PYAUDIT_EXACT_TMP=$out/tmp \
	PYAUDIT_EXACT_PIDWRAP=$PIDWRAP \
	PYTHONPATH=$here/hook PYTHONDONTWRITEBYTECODE=1 \
	"$PYAUDIT" -j -- /bin/sh -c 'exec "$@" 2>"$0"' "$out/workload.err" \
	"$py" "$here/mixed.py" --procs "$procs" --seed "${EXACT_SEED:-1}" \
	--reuse "$reuse" \
	>"$out/pyaudit.jsonl" 2>"$out/pyaudit.err" 3>&-
rc=$?
secs=$(($(date +%s) - start))
rmdir "$out/tmp" 2>/dev/null
if [ $rc -ne 0 ] || grep -q '^mixed.py:\|^Traceback' "$out/workload.err"; then
	echo "pyaudit or the workload failed (status $rc) on $py:"
	tail -n 20 "$out/pyaudit.err" "$out/workload.err"
	exit 3
fi
"$HELPER_PY" "$here/compare.py" --json "$out/figures.json" \
	--label "$py, $procs processes, ${secs}s" "$@" \
	"$out/pyaudit.jsonl" "$out/hook.jsonl" >"$out/figures.txt"
rc=$?
cat "$out/figures.txt"
exit $rc
