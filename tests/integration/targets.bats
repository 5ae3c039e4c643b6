#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Target selection: system-wide, -p, --binary, a command; errors.

load common

DEBIAN_PY=/usr/bin/python3.11

@test "system-wide: Pythons started after attaching are traced (Debian USDT and pyenv uprobes)" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	start_pyaudit --json
	"$DEBIAN_PY" -c 'import sys, os; sys.audit("pyaudit.sw.debian", os.getpid())'
	py=$(pyenv_python 3.12) || true
	if [ -n "$py" ]; then
		"$py" -c 'import sys, os; sys.audit("pyaudit.sw.pyenv", os.getpid())'
	fi
	sleep 0.3
	stop_pyaudit
	grep -E '^Tracing [0-9]+ targets? \([0-9]+ usdt, [0-9]+ uprobes\)' "$T/err"
	jq_ok '.event == "pyaudit.sw.debian" and .pid == .args.arg0 and .comm == "python3.11"'
	if [ -n "$py" ]; then
		jq_ok '.event == "pyaudit.sw.pyenv" and .pid == .args.arg0'
	fi
}

# The interpreters scripts/build-pythons.sh provides are in no usual
# install location: found when a process maps them (Debian unstable's
# through /proc/PID/root, as a container's). Each waits until pyaudit says
# it traces it, then raises its event.
@test "system-wide: the provided interpreters (build-pythons.sh) are found as they start" {
	requires_root
	local py pid found=0 i
	start_pyaudit --json
	for py in $(built_commands targets); do
		found=1
		rm -f "$T/go"
		mkfifo "$T/go"
		"$py" -c "import sys, os; open('$T/go').read(); sys.audit('pyaudit.sw.built', os.getpid())" &
		pid=$!
		for i in $(seq 1 100); do
			grep -q "found in process $pid\$" "$T/err" && break
			sleep 0.05
		done
		grep "found in process $pid\$" "$T/err" ||
			{ echo "$py ($pid) not found" >&2; kill "$pid"; cat "$T/err" >&2; return 1; }
		echo go >"$T/go"
		wait "$pid"
		sleep 0.2
		jq_ok ".event == \"pyaudit.sw.built\" and .pid == $pid and .args.arg0 == $pid" ||
			{ echo "$py: no event" >&2; return 1; }
	done
	stop_pyaudit
	[ "$found" = 1 ] || skip "no interpreter provided by scripts/build-pythons.sh ($BUILT_TSV)"
}

@test "-p PID traces that process only" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	mkfifo "$T/go"
	"$DEBIAN_PY" -c "import sys, os; open('$T/go').read(); sys.audit('pyaudit.pid.target', os.getpid())" &
	target=$!
	start_pyaudit --json -p "$target"
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.pid.other")'
	echo go > "$T/go"
	wait "$target"
	sleep 0.3
	stop_pyaudit
	jq_ok ".event == \"pyaudit.pid.target\" and .pid == $target"
	run jq -s 'map(select(.event == "pyaudit.pid.other")) | length' "$T/out"
	[ "$output" = 0 ]
	run jq -s "map(select(.pid != $target and .event != null)) | length" "$T/out"
	[ "$output" = 0 ]
}

@test "--binary PATH with a command traces that file" {
	requires_root
	py=$(pyenv_python 3.11) || true
	requires_python "$py" "CPython 3.11 (pyenv)"
	lib=$(dirname "$(dirname "$py")")/lib/libpython3.11.so.1.0
	trace_command --json -v --binary "$lib" -- "$py" -c 'import sys; sys.audit("pyaudit.binary", 7)'
	grep -F "$lib" "$T/err"
	grep -E 'uprobe at file offset 0x[0-9a-f]+: sys_audit' "$T/err"
	jq_ok '.event == "pyaudit.binary" and .args.arg0 == 7'
}

@test "a command's exit status is pyaudit's, and its children are traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	run "$PYAUDIT" --json -- "$DEBIAN_PY" -c "
import subprocess, sys
subprocess.run(['$DEBIAN_PY', '-c', 'import sys, os; sys.audit(\"pyaudit.child\", os.getpid())'])
sys.exit(3)"
	[ "$status" = 3 ]
	echo "$output" | grep -q '"event":"pyaudit.child"'
}

@test "text output has a header row and escapes control characters" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	trace_command -- "$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.esc", "\x1b[2J\x1b]52;c;AAAA\x07\r\b", b"\x1b[31m")'
	head -n 1 "$T/out" | grep -E '^TIME +PID +TID +COMM +EVENT +ARGS'
	grep -F "pyaudit.esc arg0='\\x1b[2J\\x1b]52;c;AAAA\\x07\\r\\x08' arg1=b'\\x1b[31m'" "$T/out"
	! grep -q $'\x1b' "$T/out"
}

@test "errors: no such process, not a Python, bad option" {
	requires_root
	run "$PYAUDIT" -p abc
	[ "$status" = 64 ]
	run "$PYAUDIT" -p 4194000
	[ "$status" = 1 ]
	echo "$output" | grep -q 'no process 4194000'
	run "$PYAUDIT" --binary /bin/true
	[ "$status" = 1 ]
	echo "$output" | grep -q '/bin/true'
	run "$PYAUDIT" --no-such-option
	[ "$status" = 64 ]
	run "$PYAUDIT" --stack 9 -- true
	[ "$status" = 64 ]
	[[ "$output" == *"--stack '9': a number of frames, 0 to 8"* ]]
	run "$PYAUDIT" --stack 2 --no-source -- true
	[ "$status" = 64 ]
	[[ "$output" == *"does not go with --no-source"* ]]
}

@test "--list shows events with their argument names and the versions raising them; -V shows versions" {
	run "$PYAUDIT" --list
	[ "$status" = 0 ]
	echo "$output" | grep -qx 'open file, mode, flags (3.8+)'
	echo "$output" | grep -qx 'subprocess.Popen executable, args, cwd, env (3.8+)'
	echo "$output" | grep -qx 'sys.remote_exec pid, script_path (3.14+)'
	echo "$output" | grep -qx 'os._clearenv (3.15+)'
	echo "$output" | grep -qx 'nntplib.connect self, host, port (3.8-3.12)'
	run "$PYAUDIT" --list 'socket.*'
	[ "$status" = 0 ]
	! echo "$output" | grep -q '^open '
	echo "$output" | grep -q '^socket.connect self, address (3.8+)$'
	run "$PYAUDIT" -V
	[ "$status" = 0 ]
	echo "$output" | grep -q '^pyaudit '
	echo "$output" | grep -q '^libbpf 1\.'
}
