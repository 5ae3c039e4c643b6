#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Measure how long after its exec a Python that pyaudit had not seen
# (a fresh copy of an interpreter, new inode) is traced in system-wide
# mode: the time from exec to the first event pyaudit delivers, for a
# process raising an event every millisecond. Root. Usage:
#   scripts/measure-attach-delay.sh [PYTHON] [RUNS]
set -euo pipefail
py=${1:-/usr/bin/python3.11}
runs=${2:-5}
pyaudit=${PYAUDIT:-$(dirname "$0")/../pyaudit}
tmp=$(mktemp -d /tmp/pyaudit-delay.XXXXXX)
trap 'kill $pa 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$pyaudit" --json -e 'pyaudit.delay' >"$tmp/out" 2>"$tmp/err" &
pa=$!
for _ in $(seq 100); do grep -q '^Tracing' "$tmp/err" && break; sleep 0.05; done

for i in $(seq "$runs"); do
	mkdir -p "$tmp/py$i"
	cp "$py" "$tmp/py$i/python3"
	t0=$(date +%s%N)
	"$tmp/py$i/python3" -c '
import sys, time
t0 = int(sys.argv[1])
end = time.time() + 2
n = 0
while time.time() < end:
    sys.audit("pyaudit.delay", sys.argv[2], n, time.time_ns() - t0)
    n += 1
    time.sleep(0.001)' "$t0" "$i"
done
sleep 0.5
kill -INT $pa
wait $pa || true
for i in $(seq "$runs"); do
	jq -s -r --arg i "$i" '[.[] | select(.event == "pyaudit.delay" and .args.arg0 == $i)] |
		if length == 0 then "run \($i): no event traced" else
		"run \($i): first event traced \(.[0].args.arg2 / 1e6 | floor) ms after exec (event #\(.[0].args.arg1))" end' "$tmp/out"
done
