#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Production hosts: Pythons that appear later, other mount namespaces,
# dlopen, filters both ways, summary, -o rotation, -d, lost events.

load common

DEBIAN_PY=/usr/bin/python3.11
DEBIAN_LIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0

# A copy of Debian's interpreter in a place no scan looks at, so that
# only the exec/mmap watcher can find it.
fresh_python() {
	mkdir -p "$T/fresh"
	cp "$DEBIAN_PY" "$T/fresh/python3.11"
	echo "$T/fresh/python3.11"
}

@test "a Python installed after pyaudit started is found and traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	start_pyaudit --json
	py=$(fresh_python)
	# The watcher attaches while the process starts; raise events for a
	# while and check that the later ones arrive.
	"$py" -c 'import sys, os, time
for i in range(30):
    sys.audit("pyaudit.fresh", i, os.getpid())
    time.sleep(0.05)'
	sleep 0.3
	stop_pyaudit
	grep -F "fresh/python3.11" "$T/err"
	jq_ok '.event == "pyaudit.fresh" and .args.arg0 == 29'
}

@test "a Python that exists only in another mount namespace is traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	command -v unshare >/dev/null || skip "unshare absent"
	start_pyaudit --json
	# A private tmpfs, visible only inside the new mount namespace, holds
	# a copy of the interpreter.
	unshare -m --propagation private sh -c '
		mkdir -p /mnt/pyaudit-ns && mount -t tmpfs tmpfs /mnt/pyaudit-ns &&
		cp '"$DEBIAN_PY"' /mnt/pyaudit-ns/python3.11 &&
		/mnt/pyaudit-ns/python3.11 -c "import sys, os, time
for i in range(30):
    sys.audit(\"pyaudit.ns\", i, os.getpid())
    time.sleep(0.05)"'
	sleep 0.3
	stop_pyaudit
	[ ! -e /mnt/pyaudit-ns/python3.11 ]	# not visible from here
	grep -E "/proc/[0-9]+/root/mnt/pyaudit-ns/python3.11" "$T/err"
	jq_ok '.event == "pyaudit.ns" and .args.arg0 == 29'
}

@test "a libpython loaded with dlopen after start is traced" {
	requires_root
	[ -e "$DEBIAN_LIB" ] || skip "Debian's libpython3.11.so.1.0 absent"
	[ -x "$BUILD/tests/dlopen" ] || skip "dlopen helper not built"
	mkdir -p "$T/lib"
	cp "$DEBIAN_LIB" "$T/lib/libpython3.11.so.1.0"
	start_pyaudit --json
	"$BUILD/tests/dlopen" "$T/lib/libpython3.11.so.1.0" \
		'import sys, os; sys.audit("pyaudit.dlopen", os.getpid())' 500
	sleep 0.3
	stop_pyaudit
	grep -F "$T/lib/libpython3.11.so.1.0" "$T/err"
	jq_ok '.event == "pyaudit.dlopen" and .pid == .args.arg0'
}

# filter_run FILTER...: run a script raising known events under a filter.
filter_run() {
	trace_command --json "$@" -- "$DEBIAN_PY" -c '
import os, sys
sys.audit("pyaudit.f.one", 1)
sys.audit("pyaudit.f.two", 2)
sys.audit("other.event", 3)
os.listdir("/")'
}

count_of() {
	jq -s "map(select(.event == \"$1\")) | length" "$T/out"
}

@test "-e and -x filter event names, both ways" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	filter_run -e 'pyaudit.f.*'
	[ "$(count_of pyaudit.f.one)" = 1 ]
	[ "$(count_of pyaudit.f.two)" = 1 ]
	[ "$(count_of other.event)" = 0 ]
	[ "$(count_of os.listdir)" = 0 ]
	[ "$(jq -s 'map(select(.event != null and (.event | startswith("pyaudit.f.") | not))) | length' "$T/out")" = 0 ]

	filter_run -e 'pyaudit.f.*,os.listdir' -x '*.two'
	[ "$(count_of pyaudit.f.one)" = 1 ]
	[ "$(count_of pyaudit.f.two)" = 0 ]
	[ "$(count_of os.listdir)" -ge 1 ]

	filter_run -x 'import,open,exec,marshal.*,pyaudit.f.one'
	[ "$(count_of pyaudit.f.one)" = 0 ]
	[ "$(count_of import)" = 0 ]
	[ "$(count_of pyaudit.f.two)" = 1 ]
	[ "$(count_of other.event)" = 1 ]
}

@test "-u filters by user id, both ways" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	command -v setpriv >/dev/null || skip "setpriv absent"
	start_pyaudit --json -u 65534 -e 'pyaudit.uid'
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.uid", "nobody")'
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.uid", "root")'
	sleep 0.3
	stop_pyaudit
	jq_ok '.event == "pyaudit.uid" and .args.arg0 == "nobody" and .uid == 65534'
	[ "$(jq -s 'map(select(.args.arg0 == "root")) | length' "$T/out")" = 0 ]
}

@test "--comm filters by thread name, both ways" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	mkdir -p "$T/bin"
	cp "$DEBIAN_PY" "$T/bin/pyaudit-comm"
	start_pyaudit --json --binary "$DEBIAN_PY" --binary "$T/bin/pyaudit-comm" --comm pyaudit-comm -e 'pyaudit.comm'
	"$T/bin/pyaudit-comm" -c 'import sys; sys.audit("pyaudit.comm", "yes")'
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.comm", "no")'
	sleep 0.3
	stop_pyaudit
	jq_ok '.event == "pyaudit.comm" and .args.arg0 == "yes" and .comm == "pyaudit-comm"'
	[ "$(jq -s 'map(select(.args.arg0 == "no")) | length' "$T/out")" = 0 ]
}

# A cgroup v2 directory named like a container, and a Python inside it.
cgroup2_root() {
	awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

@test "--cgroup and --container filter by cgroup, both ways" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	root=$(cgroup2_root)
	[ -n "$root" ] || skip "no cgroup2 mount"
	id=$(printf '%064x' $$)
	id=${id:0:52}feedfacecafe
	cg="$root/docker-$id.scope"
	[ ! -e "$cg" ] || rmdir "$cg"
	mkdir "$cg" || skip "cannot create a cgroup under $root"
	run_in_cgroup() {
		sh -c "echo \$\$ > '$cg/cgroup.procs' && exec '$DEBIAN_PY' -c 'import sys, time; sys.audit(\"pyaudit.cg\", \"$1\"); time.sleep(0.5)'"
	}
	for opt in "--cgroup $cg" "--container ${id:0:16}"; do
		start_pyaudit --json $opt -e 'pyaudit.cg'
		run_in_cgroup inside
		"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.cg", "outside")'
		sleep 0.3
		stop_pyaudit
		jq_ok '.event == "pyaudit.cg" and .args.arg0 == "inside"'
		[ "$(jq -s 'map(select(.args.arg0 == "outside")) | length' "$T/out")" = 0 ]
	done
	jq_ok ".process.container_id == \"$id\""
	rmdir "$cg"
}

@test "-p filters by process (and a command by its descendants)" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	# -p is covered in targets.bats; here: another Python running at the
	# same time as a traced command is not reported.
	"$DEBIAN_PY" -c 'import sys, time
for i in range(40):
    sys.audit("pyaudit.bystander"); time.sleep(0.05)' &
	bystander=$!
	trace_command --json -- "$DEBIAN_PY" -c 'import sys, time
for i in range(10):
    sys.audit("pyaudit.traced"); time.sleep(0.05)'
	wait $bystander
	[ "$(count_of pyaudit.traced)" = 10 ]
	[ "$(count_of pyaudit.bystander)" = 0 ]
}

@test "a command's process that execs from a thread other than its main one is still traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	# The exec kills the main thread (the process's leader) and the
	# process goes on under its pid: pyaudit forgot it there and lost
	# everything the new program raised.
	trace_command --json -- "$DEBIAN_PY" -c 'import os, sys, threading
def run():
    os.execv(sys.executable, [sys.executable, "-c", "import sys; sys.audit(\"pyaudit.after_exec\")"])
t = threading.Thread(target=run)
t.start()
t.join()'
	[ "$(count_of pyaudit.after_exec)" = 1 ]
	[ "$(count_of os.exec)" = 1 ]
	# the same process: the exec'ing thread took the leader's pid
	[ "$(jq -s '[.[] | select(.event == "os.exec" or .event == "pyaudit.after_exec") | .pid] | unique | length' "$T/out")" = 1 ]
}

@test "summary counts equal the events raised" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	trace_command --json -s -- "$DEBIAN_PY" -c 'import sys
for i in range(1234):
    sys.audit("pyaudit.sum.a", i)
for i in range(77):
    sys.audit("pyaudit.sum.b")'
	[ "$(jq -s 'map(select(.type == "summary" and .final)) | length' "$T/out")" = 1 ]
	[ "$(jq -s '[.[] | select(.type == "summary") | .rows[] | select(.event == "pyaudit.sum.a") | .count] | add' "$T/out")" = 1234 ]
	[ "$(jq -s '[.[] | select(.type == "summary") | .rows[] | select(.event == "pyaudit.sum.b") | .count] | add' "$T/out")" = 77 ]
	# no per-event records in summary mode
	[ "$(jq -s 'map(select(.event != null)) | length' "$T/out")" = 0 ]
	# text: a table with the counts
	trace_command -s -- "$DEBIAN_PY" -c 'import sys
for i in range(321):
    sys.audit("pyaudit.sum.c")'
	grep -E '^ *321 +[0-9]+ +python3.11 +pyaudit.sum.c$' "$T/out"
}

@test "-o appends and reopens on SIGHUP: rotation loses no line" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	log=$T/audit.jsonl
	start_pyaudit --json -o "$log" -e 'pyaudit.seq'
	"$DEBIAN_PY" -c 'import sys, time
for i in range(400):
    sys.audit("pyaudit.seq", i)
    time.sleep(0.005)' &
	writer=$!
	sleep 0.6
	mv "$log" "$log.1"
	kill -HUP "$PA_PID"
	wait $writer
	sleep 0.3
	stop_pyaudit
	[ -s "$log.1" ] && [ -s "$log" ]
	# every sequence number exactly once across the two files
	[ "$(cat "$log.1" "$log" | jq -s '[.[] | select(.event == "pyaudit.seq") | .args.arg0] | sort == [range(400)]')" = true ]
}

@test "-d stops after its duration" {
	requires_root
	run timeout 30 "$PYAUDIT" -d 1 -e nothing
	[ "$status" = 0 ]
}

@test "lost events are counted and reported with a tiny ring buffer" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	start_pyaudit --json --ring-size 32768 -e 'pyaudit.flood'
	# The consumer is stopped while the process floods: the ring buffer
	# must overflow, whatever the speed of this machine.
	kill -STOP "$PA_PID"
	"$DEBIAN_PY" -c 'import sys, os
print(os.getpid())
for i in range(2000):
    sys.audit("pyaudit.flood", i, "x" * 200)' >"$T/pid"
	kill -CONT "$PA_PID"
	sleep 0.5
	stop_pyaudit
	pid=$(cat "$T/pid")
	grep -q 'events lost' "$T/err"
	lost=$(jq -s --arg p "$pid" 'map(select(.type == "lost" and .final)) | .[0].by_pid[$p]' "$T/out")
	delivered=$(jq -s --argjson p "$pid" 'map(select(.event == "pyaudit.flood" and .pid == $p)) | length' "$T/out")
	[ "$lost" -gt 0 ]
	[ "$delivered" -gt 0 ]
	# nothing silent: every event raised is delivered or counted lost
	[ $((delivered + lost)) -eq 2000 ]
}
