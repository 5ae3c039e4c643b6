#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Never silent, always bounded (issue 12): a flood of large events from
# an unprivileged user does not starve the main loop (signals, -d,
# SIGHUP, new Pythons, live lost reports); full tables are counted and
# told; exit stays fast with many uprobes.

load common

DEBIAN_PY=/usr/bin/python3.11

# flood: an unprivileged process (nobody) raising 31 arguments of 255
# escape characters in a loop, the worst case of the consumer's work.
flood() {
	chmod 755 "$T"
	cat >"$T/flood.py" <<'PY'
import sys
arg = "\x01" * 255
args = (arg,) * 31
while True:
    sys.audit("pyaudit.flood", *args)
PY
	chmod 644 "$T/flood.py"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 60 "$DEBIAN_PY" "$T/flood.py" &
	FLOOD_PID=$!
	sleep 0.3
}

teardown() {
	[ -n "${FLOOD_PID:-}" ] && kill "$FLOOD_PID" 2>/dev/null || true
	[ -n "${PA_PID:-}" ] && kill -9 "$PA_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$T"
}

ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for SECONDS FILE PATTERN: the pattern appears in the file in time.
wait_for() {
	local end=$(($(ms) + $1 * 1000))
	while [ "$(ms)" -lt "$end" ]; do
		grep -qa -- "$3" "$2" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "no '$3' in $2 within $1 s" >&2
	return 1
}

requires_flood() {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	command -v setpriv >/dev/null || skip "setpriv absent"
}

@test "bounds: SIGINT acts within 1 s during a flood of large events (final report), exit within 2 s" {
	requires_flood
	flood
	# A small ring: events are lost for certain, and the final lost
	# report says SIGINT has acted.
	start_pyaudit --json --ring-size 1M
	sleep 1.5
	t0=$(ms)
	kill -INT "$PA_PID"
	# The final lost report is the first thing written after the last
	# records: SIGINT has acted.
	wait_for 1 "$T/err" 'events lost in all'
	t1=$(($(ms) - t0))
	for i in $(seq 100); do kill -0 "$PA_PID" 2>/dev/null || break; sleep 0.02; done
	t=$(($(ms) - t0))
	echo "SIGINT to the final report: $t1 ms, to exit: $t ms" >&2
	! kill -0 "$PA_PID" 2>/dev/null
	PA_PID=
	[ "$t" -lt 2000 ]
}

@test "bounds: -d 2 ends within 6 s during a flood" {
	requires_flood
	flood
	t0=$(ms)
	run timeout -k 1 15 "$PYAUDIT" --json -d 2 -o "$T/out"
	t=$(($(ms) - t0))
	echo "-d 2 took $t ms" >&2
	[ "$status" = 0 ]
	[ "$t" -lt 6000 ]
}

@test "bounds: during a flood, lost events are reported live and a new Python is attached and traced" {
	requires_flood
	flood
	start_pyaudit --json --ring-size 1M
	# Live: a lost record and a warning before the end.
	wait_for 3 "$T/out" '"type":"lost","time":"[^"]*","lost":[0-9]*,"total_lost":[0-9]*,"final":false'
	wait_for 1 "$T/err" 'events lost: the ring buffer was full'
	mkdir -p "$T/fresh"
	cp "$DEBIAN_PY" "$T/fresh/python3.11"
	"$T/fresh/python3.11" -c 'import sys, time
for i in range(2000):
    sys.audit("pyaudit.fresh", i)
    if i % 100 == 0:
        time.sleep(0.05)'
	sleep 0.3
	stop_pyaudit
	grep -F "fresh/python3.11" "$T/err"
	jq_ok '.event == "pyaudit.fresh"'
}

@test "bounds: SIGHUP reopens the -o file within 1 s during a flood" {
	requires_flood
	flood
	start_pyaudit --json -o "$T/log"
	wait_for 3 "$T/log" pyaudit.flood
	mv "$T/log" "$T/log.1"
	kill -HUP "$PA_PID"
	wait_for 1 "$T/log" pyaudit.flood
	stop_pyaudit
}

PY38_LIB=/root/.pyenv/versions/3.8.18/lib/libpython3.8.so.1.0

# in_planted_ns N SCRIPT ARGS...: run SCRIPT (bash, ARGS as $0...) in a
# private mount namespace
# where /opt/cI/lib (I = 1..N) each show a copy of pyenv's libpython3.8:
# N files that discovery finds by scanning (/opt/*/lib), with N
# distinct (device, inode) pairs (one overlay mount each) but one copy
# on disk.
in_planted_ns() {
	[ -e "$PY38_LIB" ] || skip "pyenv 3.8 absent"
	command -v unshare >/dev/null || skip "unshare absent"
	mkdir -p "$T/lower" "$T/empty"
	cp "$PY38_LIB" "$T/lower/"
	unshare -m --propagation private bash -c '
		set -e
		mount -t tmpfs tmpfs /opt
		for i in $(seq '"$1"'); do
			mkdir -p /opt/c$i/lib
			mount -t overlay overlay -o lowerdir='"$T/lower:$T/empty"' /opt/c$i/lib
		done
		'"$2" "${@:3}"
}

@test "bounds: exit within 2 s with about 1,000 uprobes attached" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	# A process maps all of them (files in use come before the room
	# kept for later Pythons): about 500 targets of 2 uprobes each.
	cat >"$T/mapper.py" <<'PY'
import glob, mmap, os, sys, time
keep = []
for p in glob.glob("/opt/c*/lib/libpython3.8.so.1.0"):
    fd = os.open(p, os.O_RDONLY)
    keep.append(mmap.mmap(fd, 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC))
    os.close(fd)
print(len(keep), flush=True)
time.sleep(60)
PY
	in_planted_ns 495 '
		"'"$DEBIAN_PY"'" "$1/mapper.py" >"$1/mapped" &
		mapper=$!
		for i in $(seq 100); do [ -s "$1/mapped" ] && break; sleep 0.05; done
		"$0" -v >"$1/out" 2>"$1/err" &
		pid=$!
		for i in $(seq 600); do grep -q "^Tracing" "$1/err" && break; sleep 0.05; done
		t0=$(date +%s%N)
		kill -INT $pid
		for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
		echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$1/ms"
		kill -9 $pid $mapper 2>/dev/null || true
		wait $pid || true' "$PYAUDIT" "$T"
	n=$(grep -c "uprobe at file offset" "$T/err")
	echo "$n uprobes, exit after SIGINT: $(cat "$T/ms") ms" >&2
	[ "$n" -ge 1000 ]
	[ "$(cat "$T/ms")" -lt 2000 ]
}

@test "bounds: 600 planted Pythons do not push out a Python started later; what is left out is told" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	mkdir -p "$T/fresh"
	cp "$DEBIAN_PY" "$T/fresh/python3.11"
	in_planted_ns 600 '
		"$0" --json >"$1/out" 2>"$1/err" &
		pid=$!
		for i in $(seq 600); do grep -q "Tracing" "$1/err" && break; sleep 0.05; done
		"$1/fresh/python3.11" -c "import sys, time
for i in range(30):
    sys.audit(\"pyaudit.later\", i)
    time.sleep(0.05)"
		sleep 0.3
		kill -INT $pid
		wait $pid || true' "$PYAUDIT" "$T"
	grep -F 'Python files found in install locations are not traced' "$T/err"
	grep -F 'Python files were not traced: the target table' "$T/err"
	grep -F "fresh/python3.11" "$T/err"
	jq_ok '.event == "pyaudit.later" and .args.arg0 == 29'
}

@test "bounds: a full summary table keeps counting every process (an (other) row) and says so, live and at exit" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	# Only these events: a Python's start-up events would blur the count.
	start_pyaudit -s --json -e 'pyaudit.*'
	# One process fills the table with 20,000 made-up names...
	"$DEBIAN_PY" -c 'import sys
for i in range(20000):
    sys.audit("pyaudit.name%d" % i)'
	wait_for 3 "$T/err" 'events counted in (other) rows: the summary table is full'
	# ... another raises 100 events afterwards.
	"$DEBIAN_PY" -c 'import os, sys
print(os.getpid(), flush=True)
for i in range(100):
    sys.audit("pyaudit.victim", i)' >"$T/victim"
	sleep 0.3
	stop_pyaudit
	victim=$(cat "$T/victim")
	summary=$(grep '"type":"summary"' "$T/out" | tail -n 1)
	echo "$summary" | jq -e --argjson p "$victim" \
		'[.rows[] | select(.pid == $p) | .count] | add == 100'
	echo "$summary" | jq -e --argjson p "$victim" \
		'[.rows[] | select(.pid == $p and .other == true and .event == "(other)")] | length == 1'
	grep -F 'events counted in (other) rows' "$T/err" | grep -F 'in all'
}
