#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Forked children and fresh processes (issue 18, item 3): a BPF program
# cannot fault a page in, and after fork() the child has none of the
# parent's page-table entries of read-only file mappings, so its first
# events read event names, formats and type names from absent pages; a
# fresh 3.9/3.10 has not yet faulted in the frozen bytes of its first
# marshal.loads. Every event must be named (so that -e still matches it)
# and every value must be the one the process had: the expected values
# below are checked against an in-process audit hook on each Python.

load common

EXEC_PROG='import os; pid=os.fork(); pid or os.execv("/bin/true", ["true"]); os.waitpid(pid, 0)'
LOCKF_PROG='import os,fcntl;fd=os.open("lk",os.O_RDWR|os.O_CREAT);pid=os.fork();pid or (fcntl.lockf(fd,fcntl.LOCK_SH|fcntl.LOCK_NB),os.listdir("/"),os._exit(0));os.waitpid(pid,0)'
PUTENV_PROG='import subprocess,os; subprocess.run(["true"], preexec_fn=lambda: os.putenv("FRUIT","apple"))'

EXEC_ARGS='{"path":"/bin/true","args":["true"],"env":null}'
LOCKF_ARGS='{"fd":3,"cmd":5,"len":null,"start":null,"whence":0}'
PUTENV_ARGS='{"key":{"type":"bytes","text":"FRUIT","base64":"RlJVSVQ="},"value":{"type":"bytes","text":"apple","base64":"YXBwbGU="}}'

# The Pythons here: Debian's (USDT) and pyenv's (uprobes).
all_pythons() {
	local m
	echo /usr/bin/python3.11
	for m in 3.8 3.9 3.10 3.11 3.12 3.13 3.14; do
		pyenv_python "$m" || echo "absent:$m"
	done
}

expect_equal() {
	if [ "$2" != "$3" ]; then
		printf '%s:\n  got:  %s\n  want: %s\n' "$1" "$2" "$3" >&2
		return 1
	fi
}

# No event of $T/out without its name, no value in it unreadable.
all_named_and_readable() {
	expect_equal "$1: nameless events" \
		"$(jq -s '[.[] | select(has("event") and .event == null)] | length' "$T/out")" 0
	expect_equal "$1: unreadable values" \
		"$(jq -s '[.[] | select(has("event")) | .. | objects | select(.type == "unreadable")] | length' "$T/out")" 0
}

# The args of the events named $2 in $T/out, one line each.
args_of() {
	jq -c --arg e "$1" 'select(.event == $e) | .args' "$T/out"
}

# The four reproductions on one Python.
run_fork_cases() {
	local py=$1 n
	cd "$T"

	trace_command --json --no-source -e os.exec -- "$py" -c "$EXEC_PROG" ||
		{ cat "$T/err" >&2; return 1; }
	expect_equal "$py: fork+exec with -e os.exec" \
		"$(jq -c '[.event, .args]' "$T/out")" "[\"os.exec\",$EXEC_ARGS]"

	trace_command --json --no-source -- "$py" -c "$EXEC_PROG" ||
		{ cat "$T/err" >&2; return 1; }
	all_named_and_readable "$py: fork+exec"
	expect_equal "$py: fork+exec: os.exec" "$(args_of os.exec)" "$EXEC_ARGS"

	trace_command --json --no-source -- "$py" -c "$LOCKF_PROG" ||
		{ cat "$T/err" >&2; return 1; }
	all_named_and_readable "$py: lockf in a child"
	expect_equal "$py: lockf in a child: fcntl.lockf" "$(args_of fcntl.lockf)" "$LOCKF_ARGS"
	# the child's os.listdir("/"), in the same process as its lockf
	n=$(jq -s '(map(select(.event == "fcntl.lockf")) | .[0].pid) as $c |
		map(select(.event == "os.listdir" and .args.path == "/" and .pid == $c)) | length' "$T/out")
	expect_equal "$py: lockf in a child: its os.listdir(\"/\")" "$n" 1

	trace_command --json --no-source -- "$py" -c "$PUTENV_PROG" ||
		{ cat "$T/err" >&2; return 1; }
	all_named_and_readable "$py: preexec_fn"
	expect_equal "$py: preexec_fn: os.putenv" "$(args_of os.putenv)" "$PUTENV_ARGS"

	run_marshal_case "$py"
}

# The first marshal.loads at start-up: bytes, on 3.9 and 3.10 the frozen
# importlib's (read from the process with ctypes for the comparison).
# 3.8 raises none at start-up (PyMarshal_ReadObjectFromString does not
# audit).
run_marshal_case() {
	local py=$1 got want
	"$PYAUDIT" --json --no-source -e marshal.loads -- "$py" -S -c pass >"$T/out" 2>"$T/err" 3>&- ||
		{ cat "$T/err" >&2; return 1; }
	# marshal data: its text, when it reads as UTF-8, is not the point
	got=$(head -n 1 "$T/out" | jq -c '.args.bytes | if type == "object" then del(.text) else . end')
	case $("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])') in
	3.8)
		expect_equal "$py: marshal.loads at start-up" "$got" "" ;;
	3.9 | 3.10)
		want=$("$py" -S -c '
import base64, ctypes
class Frozen(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p),
                ("code", ctypes.POINTER(ctypes.c_ubyte)), ("size", ctypes.c_int)]
f = ctypes.POINTER(Frozen).in_dll(ctypes.pythonapi, "PyImport_FrozenModules")[0]
assert f.name == b"_frozen_importlib" and f.size > 256
print(base64.b64encode(bytes(f.code[:256])).decode())')
		expect_equal "$py: marshal.loads at start-up" "$got" \
			"{\"type\":\"bytes\",\"base64\":\"$want\",\"truncated\":true}" ;;
	*)
		expect_equal "$py: marshal.loads at start-up" "$(jq -r .type <<<"$got")" bytes ;;
	esac
}

@test "fork: the expected values are what the process passes (in-process hook, every Python here)" {
	local py found=0 got
	# the hook first, in the same -c program, the fds of bats closed:
	# the same program and fds as traced
	local hook='import os, sys
def hook(event, args):
    if event in ("os.exec", "fcntl.lockf", "os.putenv") or (event == "os.listdir" and args[0] == "/"):
        os.write(2, ("%s %r\n" % (event, args)).encode())
sys.addaudithook(hook)
'
	cd "$T"
	for py in $(all_pythons); do
		[ -x "$py" ] || continue
		found=1
		got=$("$py" -c "$hook$EXEC_PROG" 2>&1 >/dev/null 3>&- 4>&- 5>&-)
		expect_equal "$py: os.exec" "$got" "os.exec ('/bin/true', ['true'], None)"
		got=$("$py" -c "$hook$LOCKF_PROG" 2>&1 >/dev/null 3>&- 4>&- 5>&-)
		expect_equal "$py: lockf" "$got" "fcntl.lockf (3, 5, None, None, 0)
os.listdir ('/',)"
		got=$("$py" -c "$hook$PUTENV_PROG" 2>&1 >/dev/null 3>&- 4>&- 5>&-)
		expect_equal "$py: putenv" "$got" "os.putenv (b'FRUIT', b'apple')"
	done
	[ "$found" = 1 ] || skip "no Python 3.8+ on this machine"
}

@test "fork: Debian /usr/bin/python3.11 (USDT)" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	run_fork_cases /usr/bin/python3.11
}

@test "fork: CPython 3.8 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.8) || true
	requires_python "$py" "CPython 3.8 (/root/.pyenv/versions/3.8.*)"
	run_fork_cases "$py"
}

@test "fork: CPython 3.9 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.9) || true
	requires_python "$py" "CPython 3.9 (/root/.pyenv/versions/3.9.*)"
	run_fork_cases "$py"
}

@test "fork: CPython 3.10 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.10) || true
	requires_python "$py" "CPython 3.10 (/root/.pyenv/versions/3.10.*)"
	run_fork_cases "$py"
}

@test "fork: CPython 3.11 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.11) || true
	requires_python "$py" "CPython 3.11 (/root/.pyenv/versions/3.11.*)"
	run_fork_cases "$py"
}

@test "fork: CPython 3.12 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.12) || true
	requires_python "$py" "CPython 3.12 (/root/.pyenv/versions/3.12.*)"
	run_fork_cases "$py"
}

@test "fork: CPython 3.13 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.13) || true
	requires_python "$py" "CPython 3.13 (/root/.pyenv/versions/3.13.*)"
	run_fork_cases "$py"
}

@test "fork: CPython 3.14 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.14) || true
	requires_python "$py" "CPython 3.14 (/root/.pyenv/versions/3.14.*)"
	run_fork_cases "$py"
}
