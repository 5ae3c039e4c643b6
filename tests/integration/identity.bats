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
			($p.exec_id | split("-")[1] | tonumber) == $p.pid and
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
		$a.process.pid == $c.process.pid and
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
		$a.process.pid == $b.process.pid and
		$a.process.exec_id != $b.process.exec_id and
		($a.process.cmdline[2] | test("reuse-a")) and
		($b.process.cmdline[2] | test("reuse-b"))' ||
		{ echo "$a"; echo "$b"; return 1; }
}
