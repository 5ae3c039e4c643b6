#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Who raised an event (issue 14): the process object is captured while
# the process is alive (exec records, the start-up list), so that short
# one-liners gone by the time their events are written keep their exe,
# command line, working directory, start time and parent; exec_id names
# one execution, the same on all its events and another after pid reuse
# or an exec.

load common

PY311=/usr/bin/python3.11

teardown() {
	[ -n "${PA_PID:-}" ] && kill "$PA_PID" 2>/dev/null || true
	# the pods test's cgroups, deepest first (their Python has exited)
	[ -n "${P:-}" ] && [ -d "$P" ] &&
		find "$P" -depth -type d -exec rmdir {} + 2>/dev/null || true
	rm -rf "$T"
}

# one_liner MARK: a Python that raises os.system and exits at once.
one_liner() {
	"$1" -c "import os; os.system('true $2')"
}

# events_of MARK: the JSON events whose command is "true MARK", compact.
events_of() {
	jq -c --arg m "true $1" 'select(.event == "os.system" and
		(.args.command.base64 | @base64d) == $m)' "$T/out"
}

EXEC_ID_RE='^[0-9a-f]{16}-[0-9]+-[0-9]+-[0-9]+$'

@test "system-wide: twenty one-liners gone at once all keep exe, argv, cwd, start time and parent" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	local py312 i n=0 pys=("$PY311") py
	py312=$(pyenv_python 3.12) && pys+=("$py312")
	mkdir "$T/wd dir"
	start_pyaudit --json -e os.system
	cd "$T/wd dir"
	for i in $(seq 1 20); do
		py=${pys[i % ${#pys[@]}]}
		one_liner "$py" "one-liner-$i"
	done
	cd /
	sleep 0.5
	stop_pyaudit
	for i in $(seq 1 20); do
		py=${pys[i % ${#pys[@]}]}
		events_of "one-liner-$i" | jq -e --arg py "$py" --arg cwd "$T/wd dir" \
			--arg m "import os; os.system('true one-liner-$i')" --arg re "$EXEC_ID_RE" '
			.process as $p |
			($p.exe | endswith($py | split("/") | last)) and
			$p.cmdline == [$py, "-c", $m] and $p.cwd == $cwd and
			($p.start_time | test("^20[0-9-]+T[0-9:.]+Z$")) and
			($p.exec_id | test($re)) and
			($p.exec_id | split("-")[1] | tonumber) == .pid and
			($p.parent_exec_id | test($re)) and
			($p.parent.exe | test("bash$"))' >/dev/null ||
			{ echo "one-liner $i:"; events_of "one-liner-$i"; return 1; }
		n=$((n + 1))
	done
	[ "$n" = 20 ]
	# the start time is the process's, before the event
	jq -e -s '[.[] | select(.event == "os.system")] | all(.process.start_time <= .time)' "$T/out"
}

@test "-p: a process running at start-up has the same fields" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	mkdir "$T/wd"
	(cd "$T/wd" && exec "$PY311" -c 'import os, time
while not os.path.exists("go"):
    time.sleep(0.02)
os.system("true running")') &
	local py=$!
	start_pyaudit --json -e os.system -p "$py"
	touch "$T/wd/go"
	wait "$py" || true
	sleep 0.3
	stop_pyaudit
	events_of running | jq -e --arg cwd "$T/wd" --arg re "$EXEC_ID_RE" '
		.process.exe == "/usr/bin/python3.11" and .process.cwd == $cwd and
		.process.cmdline[0] == "/usr/bin/python3.11" and
		(.process.exec_id | test($re)) and (.process.parent.exe | test("bash$"))' ||
		{ cat "$T/out" "$T/err"; return 1; }
}

@test "a working directory longer than 4096 bytes: its end, marked cut" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	# 18 components of 253 bytes: 4.5 KB below $T, made and entered one
	# at a time (a whole path that long is refused by chdir)
	trace_command --json -e os.system -- "$PY311" -c 'import os, sys
os.chdir(sys.argv[1])
for i in range(18):
    n = "d%02d" % i + "x" * 250
    os.mkdir(n)
    os.chdir(n)
os.execv(sys.executable, [sys.executable, "-c", "import os; os.system(\"true deep\")"])' "$T" ||
		{ cat "$T/err"; return 1; }
	events_of deep | jq -e '.process.cwd_truncated == true and
		(.process.cwd | endswith("/d17" + ("x" * 250))) and
		(.process.cwd | length) < 4096 and (.process.exe_truncated | not)' ||
		{ cat "$T/out"; return 1; }
}

@test "a command: its children exec'd are named, with their parent's exec_id" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	trace_command --json -e os.system -- "$PY311" -c 'import subprocess, sys, os
subprocess.run([sys.executable, "-c", "import os; os.system(\"true child\")"])
os.system("true parent")' || { cat "$T/err"; return 1; }
	local child parent
	child=$(events_of child)
	parent=$(events_of parent)
	[ -n "$child" ] && [ -n "$parent" ]
	jq -e -n --argjson c "$child" --argjson p "$parent" '
		$c.process.parent_exec_id == $p.process.exec_id and
		$c.process.parent.exe == "/usr/bin/python3.11" and
		$c.process.parent.cmdline[0] == "/usr/bin/python3.11" and
		$c.process.cmdline[1:] == ["-c", "import os; os.system(\"true child\")"] and
		$c.process.exec_id != $p.process.exec_id'
}

@test "a forked child without exec: read from /proc, its parent named by parent_exec_id" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	trace_command --json -e os.system -- "$PY311" -c 'import os, time
pid = os.fork()
if pid == 0:
    os.system("true forked")
    time.sleep(1)
    os._exit(0)
os.waitpid(pid, 0)
os.system("true forker")' || { cat "$T/err"; return 1; }
	local child parent
	child=$(events_of forked)
	parent=$(events_of forker)
	jq -e -n --argjson c "$child" --argjson p "$parent" '
		$c.process.parent_exec_id == $p.process.exec_id and
		$c.process.exec_id != $p.process.exec_id and
		$c.process.parent.exe == "/usr/bin/python3.11" and
		$c.process.cmdline == $p.process.cmdline and
		($c.process.exec_id | split("-")[3]) == ($p.process.exec_id | split("-")[3])' ||
		{ echo "$child"; echo "$parent"; return 1; }
}

@test "exec_id: the same on one execution's events, another after an exec without fork" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	trace_command --json -e os.system -- "$PY311" -c 'import os, sys
os.system("true a")
os.system("true b")
os.execv(sys.executable, [sys.executable, "-c", "import os; os.system(\"true c\")"])' ||
		{ cat "$T/err"; return 1; }
	local a b c
	a=$(events_of a)
	b=$(events_of b)
	c=$(events_of c)
	jq -e -n --argjson a "$a" --argjson b "$b" --argjson c "$c" '
		$a.process.exec_id == $b.process.exec_id and
		$a.pid == $c.pid and
		$a.process.start_time == $c.process.start_time and
		$a.process.exec_id != $c.process.exec_id and
		$c.process.cmdline[1] == "-c"' ||
		{ echo "$a"; echo "$c"; return 1; }
}

# Forced reuse: as root, the init namespace's ns_last_pid set to the pid
# before the first process's, then the second one started at once.
# Another process on the machine may take the pid: several tries.
@test "exec_id: two processes of one pid (forced reuse) are told apart" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "no /proc/sys/kernel/ns_last_pid"
	start_pyaudit --json -e os.system
	"$HELPER_PY" - "$PY311" >"$T/reuse" <<'EOF'
import subprocess, sys
py = sys.argv[1]
cmd = lambda m: [py, "-c", "import os; os.system('true %s')" % m]
for t in range(30):
    a = subprocess.Popen(cmd("reuse-a-%d" % t))
    a.wait()
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(a.pid - 1))
    b = subprocess.Popen(cmd("reuse-b-%d" % t))
    b.wait()
    if a.pid == b.pid:
        print(t)
        break
EOF
	sleep 0.5
	stop_pyaudit
	local t
	t=$(cat "$T/reuse")
	[ -n "$t" ] || skip "no pid came up again in 30 tries (a busy machine)"
	local a b
	a=$(events_of "reuse-a-$t")
	b=$(events_of "reuse-b-$t")
	jq -e -n --argjson a "$a" --argjson b "$b" '
		$a.pid == $b.pid and
		$a.process.exec_id != $b.process.exec_id and
		($a.process.cmdline[2] | test("reuse-a")) and
		($b.process.cmdline[2] | test("reuse-b"))' ||
		{ echo "$a"; echo "$b"; return 1; }
}

# ---- hosts and Kubernetes pods -----------------------------------------------

@test "host: a host record begins the -o file; events carry the node; stats the host" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	NODE_NAME=node-7.example trace_command --json --stats 0 -o "$T/log" -e os.system -- \
		"$PY311" -c 'import os; os.system("true host")' || { cat "$T/err"; return 1; }
	head -n 1 "$T/log" | jq -e --arg b "$(cat /proc/sys/kernel/random/boot_id)" '
		.type == "host" and .hostname == "node-7.example" and .boot_id == $b and
		(.machine_id == null or (.machine_id | test("^[0-9a-f]{32}$")))'
	jq -e -s --arg b "$(tr -d - </proc/sys/kernel/random/boot_id | cut -c1-16)" '
		[.[] | select(.event)] | length == 1 and
		(.[0].node == "node-7.example") and (.[0].process.exec_id | startswith($b))' \
		<(grep '"event"' "$T/log")
	tail -n 1 "$T/log" | jq -e '.type == "stats" and .host.hostname == "node-7.example"'
}

# A kubelet's layout: the pod's cgroup (systemd driver) and container
# scope, made for real under the cgroup2 mount, a Python moved into it;
# the kubelet's log directory in $T (PYAUDIT_KUBELET_LOG_ROOT).
@test "pods: namespace, pod, uid and container from a kubelet-shaped cgroup and log tree" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	local cg uid=7c9e6679-7425-40de-944b-e07fc1f90ae7 \
		cid=5eed0c0ffee0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829bb
	cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$cg" ] || skip "no cgroup2 mount"
	P="$cg/pyaudit-test-$$"
	local leaf="$P/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid//-/_}.slice/cri-containerd-$cid.scope"
	mkdir -p "$leaf" || skip "cannot create a cgroup under $cg"
	local logs=$T/var/log
	mkdir -p "$logs/pods/shop_web-5d8f9_$uid/app" "$logs/containers"
	touch "$logs/pods/shop_web-5d8f9_$uid/app/0.log"
	ln -s "$logs/pods/shop_web-5d8f9_$uid/app/0.log" "$logs/containers/web-5d8f9_shop_app-$cid.log"
	PYAUDIT_KUBELET_LOG_ROOT=$logs start_pyaudit --json -e os.system
	sh -c "echo \$\$ > '$leaf/cgroup.procs' && exec '$PY311' -c 'import os; os.system(\"true pod\")'"
	sleep 0.3
	stop_pyaudit
	find "$P" -depth -type d -exec rmdir {} + 2>/dev/null || true
	events_of pod | jq -e --arg uid "$uid" --arg cid "$cid" '
		.process.pod == {"uid": $uid, "namespace": "shop", "name": "web-5d8f9", "container": "app"} and
		.process.container_id == $cid' ||
		{ cat "$T/out"; return 1; }
}

# ---- health: --stats and systemd's notification socket -------------------

@test "--stats 1: stats records every second and at exit; their counters match what was delivered" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	start_pyaudit --json --stats 1 -e os.system
	local i
	for i in 1 2 3; do
		one_liner "$PY311" "stats-$i"
	done
	sleep 2.5
	stop_pyaudit
	jq -e -s '[.[] | select(.type == "stats" and .final == false)] | length >= 2' "$T/out"
	jq -e -s '[.[] | select(.type == "stats")] | last |
		.final == true and .targets_attached >= 1 and .probes >= .targets_attached and
		.attach_failures == 0 and .lost.ring_full == 0 and
		.processes.exec_records >= 3 and (.uptime_s > 2)' "$T/out"
	# events: the records BPF wrote, each written as a line here
	jq -e -s '([.[] | select(.event)] | length) as $n |
		([.[] | select(.type == "stats")] | last | .events) == $n and $n >= 3' "$T/out" ||
		{ cat "$T/out"; return 1; }
}

@test "--stats: under a burst into a small ring, delivered plus lost is every event raised" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	# pyaudit (the parent) is stopped during the burst: its consumer
	# cannot keep up, whatever the machine's speed, and the ring fills
	trace_command --json --stats 0 --ring-size 32k -e pyaudit.burst -- "$PY311" -c '
import os, signal, sys
os.kill(os.getppid(), signal.SIGSTOP)
try:
    for i in range(20000):
        sys.audit("pyaudit.burst", i, "x" * 200)
finally:
    os.kill(os.getppid(), signal.SIGCONT)' || { cat "$T/err"; return 1; }
	jq -e -s '([.[] | select(.event == "pyaudit.burst")] | length) as $n |
		([.[] | select(.type == "stats")] | last) as $s |
		([.[] | select(.type == "lost")] | last | .total_lost // 0) as $l |
		$s.final and $s.events == $n and $s.lost.ring_full == $l and
		$n + $l == 20000 and $l > 0' "$T/out" ||
		{ jq -c 'select(.type)' "$T/out"; grep -c pyaudit.burst "$T/out"; return 1; }
}

@test "--stats 0 in text: one stats line on stderr at exit" {
	requires_root
	requires_python "$PY311" "Debian's $PY311"
	trace_command --stats 0 -e os.system -- "$PY311" -c 'import os; os.system("true")' ||
		{ cat "$T/err"; return 1; }
	[ "$(grep -c '^stats: .* targets attached .*final$' "$T/err")" = 1 ] || { cat "$T/err"; return 1; }
	grep -q '^stats: 1 targets attached (.*), 1 events, 0 lost' "$T/err"
	# and an interval that is not a number is refused
	run "$PYAUDIT" --stats soon -d 1
	[ "$status" = 64 ]
}

# listen_notify SOCKET: collect the datagrams sent to the UNIX socket
# SOCKET ("@name": abstract) into $T/notify, one per line, "|" for "\n",
# until STOPPING=1 (LISTENER: its pid).
listen_notify() {
	cat >"$T/listen.py" <<'EOF'
import socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path[0] == "@" else path)
open(out + ".ready", "w").close()
s.settimeout(15)
with open(out, "w", buffering=1) as f:
    while True:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        f.write(m.replace("\n", "|") + "\n")
        if "STOPPING=1" in m:
            break
EOF
	"$HELPER_PY" "$T/listen.py" "$1" "$T/notify" &
	LISTENER=$!
	local i
	for i in $(seq 1 100); do
		[ -e "$T/notify.ready" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "systemd notification (NOTIFY_SOCKET): READY once attached, STATUS, WATCHDOG, STOPPING; not passed to the command" {
	requires_root
	listen_notify "$T/sock"
	NOTIFY_SOCKET=$T/sock WATCHDOG_USEC=200000 \
		trace_command --json -e os.system -- sh -c \
		'echo "[$NOTIFY_SOCKET][$WATCHDOG_USEC]" >"$0"; sleep 1.2' "$T/child-env" ||
		{ cat "$T/err"; return 1; }
	wait "$LISTENER"
	cat "$T/notify"
	head -n 1 "$T/notify" | grep -q '^READY=1|MAINPID=[0-9]*$'
	grep -q '^STATUS=stats: [0-9]* targets attached ' "$T/notify"
	# every half of WATCHDOG_USEC: about 12 in 1.2 s
	[ "$(grep -c '^WATCHDOG=1$' "$T/notify")" -ge 3 ]
	tail -n 1 "$T/notify" | grep -q '^STOPPING=1$'
	grep -q 'final' "$T/notify"
	[ "$(cat "$T/child-env")" = "[][]" ]
}

@test "systemd notification: an abstract socket (@name); a WATCHDOG_PID of another process asks for no watchdog" {
	requires_root
	local name="@pyaudit-bats-$$-$RANDOM"
	listen_notify "$name"
	NOTIFY_SOCKET=$name WATCHDOG_USEC=100000 WATCHDOG_PID=1 \
		trace_command -e os.system -d 1 || { cat "$T/err"; return 1; }
	wait "$LISTENER"
	cat "$T/notify"
	grep -q '^READY=1' "$T/notify"
	! grep -q 'WATCHDOG=1' "$T/notify"
}

@test "systemd: a Type=notify unit is active only once pyaudit has attached" {
	requires_root
	[ "$(cat /proc/1/comm)" = systemd ] || skip "systemd is not PID 1 here: no unit to run"
	local unit=pyaudit-bats-$$
	systemd-run --unit="$unit" -p Type=notify --collect "$PYAUDIT" -e os.system -d 30
	# systemd-run returns once the unit is active: pyaudit has attached
	systemctl is-active "$unit"
	journalctl -u "$unit" --no-pager | grep -q 'Tracing'
	systemctl stop "$unit"
}

# ---- operations faults (issue 14) ------------------------------------------

@test "ops: -e and -x leave pyaudit's command line as given (ps shows the commas)" {
	requires_root
	start_pyaudit -e 'subprocess.Popen,socket.connect' -x 'os.*,,' -d 5
	local args
	args=$(tr '\0' ' ' <"/proc/$PA_PID/cmdline")
	stop_pyaudit
	[[ "$args" == *" -e subprocess.Popen,socket.connect -x os.*,, "* ]] ||
		{ echo "cmdline: $args"; return 1; }
}

@test "ops: usage errors exit 64: -e '', -x ',', --container zz, --cgroup /nope, --stats x" {
	local a
	for a in "-e|" "-x|," "--container|zz" "--container|0123456789ab-" "--cgroup|/nope" "--stats|x"; do
		run "$PYAUDIT" "${a%%|*}" "${a#*|}" -d 1
		echo "$a: $status: $output"
		[ "$status" = 64 ]
		[[ "$output" == *"${a%%|*}"* ]]
	done
}

@test "ops: --list GLOB matching nothing exits 1 and says so; the --usage argp names works" {
	run "$PYAUDIT" --list 'nomatch*'
	[ "$status" = 1 ]
	[[ "$output" == *"nomatch*: no known event matches"* ]]
	run "$PYAUDIT" --list 'os.sys*'
	[ "$status" = 0 ]
	[ "$output" = "os.system command (3.8+)" ]
	# the hint of every usage error names --usage: it works
	run "$PYAUDIT" --bogus
	[ "$status" = 64 ]
	[[ "$output" == *"--usage"* ]]
	run "$PYAUDIT" --usage
	[ "$status" = 0 ]
	[[ "$output" == "Usage: pyaudit "* ]]
}
