#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# CPython versions pyaudit has never seen, and never staying silent:
# a copy of a real interpreter whose version marks say 3.16
# (pyversion.py) is traced on its own _Py_DebugOffsets with one warning
# when the table passes every check, and refused, saying why, when it
# does not; `pyaudit -- CMD` whose Python cannot be traced exits 1 before
# CMD runs. Also the interpreters scripts/build-pythons.sh provides
# (/var/cache/pyaudit-pythons): Debian's static 3.14/3.15 (several
# python:audit notes) and a free-threaded 3.13t, with source locations.

load common

PYENV313=/root/.pyenv/versions/3.13.0
PYTHONS=${PYAUDIT_PYTHONS:-/var/cache/pyaudit-pythons}
DEBROOT=$PYTHONS/debian-root

# A pyenv 3.13.0 whose libpython says 3.16: its 3.13 table, read in
# 3.15's format, fails a check.
make_bad316() {
	mkdir -p "$T/x/bin" "$T/x/lib"
	python3 "$BATS_TEST_DIRNAME/pyversion.py" "$PYENV313/lib/libpython3.13.so.1.0" \
		"$T/x/lib/libpython3.16.so.1.0" 16
	python3 "$BATS_TEST_DIRNAME/pyversion.py" "$PYENV313/bin/python3.13" \
		"$T/x/bin/python3.16" 16
	chmod +x "$T/x/bin/python3.16"
}

@test "a CPython never seen whose _Py_DebugOffsets fails a check: -- CMD exits 1 before CMD runs, saying file, version and why" {
	requires_root
	requires_python "$PYENV313/bin/python3.13" "pyenv 3.13.0"
	make_bad316
	# the copy runs (its code is 3.13.0's)
	run env LD_LIBRARY_PATH="$T/x/lib" PYTHONHOME="$PYENV313" \
		"$T/x/bin/python3.16" -c 'print("ran")'
	[ "$output" = ran ]
	LD_LIBRARY_PATH="$T/x/lib" PYTHONHOME="$PYENV313" \
		trace_command -- "$T/x/bin/python3.16" -c "open('$T/started', 'w')" && st=0 || st=$?
	cat "$T/err"
	[ "$st" = 1 ]
	[ ! -e "$T/started" ]
	grep -qx "pyaudit: warning: skip $T/x/lib/libpython3.16.so.1.0: CPython 3.16: not traced: newer than pyaudit knows (3.8-3.15), and its _Py_DebugOffsets, read as 3.15's, fails a check: .*" "$T/err"
	grep -qx "pyaudit: error: $T/x/bin/python3.16 runs a Python pyaudit cannot trace (warned above): not started" "$T/err"
	# once per file
	[ "$(grep -c 'libpython3.16.so.1.0' "$T/err")" = 1 ]
	[ ! -s "$T/out" ]
	# JSON mode: the same as log records
	LD_LIBRARY_PATH="$T/x/lib" PYTHONHOME="$PYENV313" \
		trace_command --json -- "$T/x/bin/python3.16" -c "open('$T/started', 'w')" && st=0 || st=$?
	[ "$st" = 1 ]
	[ ! -e "$T/started" ]
	jq -e -s 'length == 2 and .[0].type == "log" and .[0].level == "warning" and
		(.[0].message | test("^skip .*/libpython3.16.so.1.0: CPython 3.16: not traced: newer than pyaudit knows")) and
		.[1].level == "error"' "$T/err"
}

@test "a CPython never seen named by --binary and not traceable: pyaudit says why and fails" {
	requires_root
	requires_python "$PYENV313/bin/python3.13" "pyenv 3.13.0"
	make_bad316
	trace_command --binary "$T/x/lib/libpython3.16.so.1.0" -d 1 && st=0 || st=$?
	cat "$T/err"
	[ "$st" = 1 ]
	grep -qx "pyaudit: error: --binary $T/x/lib/libpython3.16.so.1.0: CPython 3.16: not traced: newer than pyaudit knows (3.8-3.15), and its _Py_DebugOffsets, read as 3.15's, fails a check: .*" "$T/err"
}

# $T/s.py: os.listdir("/") at line 3 in f, called by g at line 5, called
# at line 6 by the module; with "thread", once more in another thread.
write_script() {
	cat >"$T/s.py" <<'EOF'
import os, threading
def f():
    os.listdir("/")
def g():
    f()
g()
EOF
	[ "${1:-}" != thread ] ||
		echo 't = threading.Thread(target=g); t.start(); t.join()' >>"$T/s.py"
}

# Debian's python3.15 in its root, as build-pythons.sh runs it, but the
# executable a copy saying 3.16 (its stdlib is 3.15's: PYTHONHOME=/usr).
run316() {
	cat >"$T/run316" <<EOF
#!/bin/sh
exec unshare --mount --propagation private /bin/sh -c '
	mount --bind "\$0/etc/ld.so.cache" /etc/ld.so.cache &&
	mount --bind "\$0/usr" /usr &&
	PYTHONHOME=/usr exec "$T/python3.16" "\$@"' "$DEBROOT/fs" "\$@"
EOF
	chmod +x "$T/run316"
}

@test "a CPython never seen with a good _Py_DebugOffsets (Debian 3.15.2 saying 3.16): traced, one warning, exact source" {
	requires_root
	requires_python "$DEBROOT/fs/usr/bin/python3.15" "Debian's python3.15 (scripts/build-pythons.sh)"
	python3 "$BATS_TEST_DIRNAME/pyversion.py" "$DEBROOT/fs/usr/bin/python3.15" "$T/python3.16" 16
	chmod +x "$T/python3.16"
	run316
	write_script
	trace_command --json -e os.listdir --binary "$T/python3.16" -- "$T/run316" "$T/s.py"
	cat "$T/err"
	jq -e -s --arg m "$T/python3.16: CPython 3.16 is newer than pyaudit knows (3.8-3.15): traced with the offsets its _Py_DebugOffsets gives (read as 3.15's) and 3.15's for the rest" \
		'map(select(.level == "warning")) == [{type: "log", level: "warning", message: $m}]' <(grep '^{' "$T/err")
	jq -e -s --arg f "$T/s.py" 'map(select(.args.path == "/")) | length == 1 and
		.[0].source == {file: $f, line: 3, function: "f"}' "$T/out"
}

@test "Debian's static python3.14 and python3.15 (several python:audit notes): source locations and --stack" {
	requires_root
	local v n=0
	write_script
	for v in 3.14 3.15; do
		[ -x "$DEBROOT/bin/python$v" ] || { echo "# python$v absent" >&3; continue; }
		trace_command --json --stack 2 -e os.listdir \
			--binary "$DEBROOT/fs/usr/bin/python$v" -- "$DEBROOT/bin/python$v" "$T/s.py"
		cat "$T/err"
		jq -e -s --arg f "$T/s.py" 'map(select(.args.path == "/")) | length == 1 and
			.[0].source == {file: $f, line: 3, function: "f"} and
			.[0].stack == [{file: $f, line: 5, function: "g"},
				       {file: $f, line: 6, function: "<module>"}]' "$T/out"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || skip "Debian's python3.14/3.15 absent (scripts/build-pythons.sh)"
}

@test "free-threaded 3.13t: source locations and --stack in the main thread and another, no false truncated marks" {
	requires_root
	requires_python "$PYTHONS/3.13t/bin/python3.13t" "CPython 3.13t (scripts/build-pythons.sh)"
	write_script thread
	trace_command --json --stack 2 -e os.listdir -- "$PYTHONS/3.13t/bin/python3.13t" "$T/s.py"
	cat "$T/err"
	jq -e -s --arg f "$T/s.py" 'map(select(.args.path == "/")) | length == 2 and
		all(.[]; .source == {file: $f, line: 3, function: "f"} and
			.stack[0] == {file: $f, line: 5, function: "g"}) and
		(map(.tid) | unique | length == 2)' "$T/out"
	! grep '"path":"/"' "$T/out" | grep -q truncated
}

@test "3.8: cpython.run_file's wide-string filename is whole, not marked truncated" {
	requires_root
	local py=/root/.pyenv/versions/3.8.18/bin/python3.8
	requires_python "$py" "pyenv 3.8.18"
	echo 'pass' >"$T/run_file_name_of_some_length.py"
	trace_command --json -e cpython.run_file -- "$py" "$T/run_file_name_of_some_length.py"
	jq -e -s --arg f "$T/run_file_name_of_some_length.py" \
		'length == 1 and .[0].args.filename == $f' "$T/out"
}
