#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run the unit test programs and the bats integration tests, and end with
# one summary line: "N passed, N failed, N skipped".
# Usage: scripts/run-tests.sh BUILD_DIR UNIT_BINARIES...
set -u
build=$1
shift
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests"
for t in "$@"; do
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)..." / "[  SKIPPED ] N test(s)"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	pass=$((pass + ${p:-0})) skip=$((skip + ${s:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ -z "$f" ]; then
		echo "FAILED: $t exited with $rc"
		fail=$((fail + 1))
	fi
done

echo "== integration tests"
if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root: run 'sudo make test'"
	fail=$((fail + 1))
else
	PYAUDIT=${PYAUDIT:-$PWD/pyaudit} BUILD=$PWD/$build bats --tap tests/integration >"$log" 2>&1
	cat "$log"
	p=$(grep -cE '^ok [0-9]+' "$log")
	s=$(grep -cE '^ok [0-9]+ .*# skip' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if ! grep -qE '^1\.\.[0-9]+' "$log"; then
		echo "FAILED: bats did not run"
		fail=$((fail + 1))
	fi
fi

echo
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
