#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Profiles (--profile, --list-profiles) and argument conditions checked
# in the kernel (-e/-x 'EVENT:ARG=GLOB'), on a USDT Python (Debian's
# python3.11) and a uprobe one (pyenv 3.12/3.13): the events each lets
# through, the count of events the kernel dropped by their arguments,
# and the values a condition cannot decide.

load common

# The traced script: one of each kind of event a profile selects, and
# sys.audit() events with every kind of argument.
write_script() {
	cat >"$T/f.py" <<'EOF'
import os, socket, sys
d = sys.argv[1]
os.system('true')                                   # exec
s = socket.socket()
try:
    s.connect(('127.0.0.1', 9))                     # network
except OSError:
    pass
s.close()
open(os.path.join(d, 'w.txt'), 'w').close()         # files (written)
open(os.path.join(d, 'w.txt')).close()              # files (read)
os.remove(os.path.join(d, 'w.txt'))                 # files (removed)
import json                                         # imports
exec(compile('x = 1', '<f>', 'exec'))               # code
# arguments of every kind, 5 to keep and 7 to drop by -e 'f.ev:arg0=keep*'
for i in range(5):
    sys.audit('f.ev', 'keep-%d' % i, i)
for i in range(7):
    sys.audit('f.ev', 'drop-%d' % i, i)
sys.audit('f.bytes', b'curl http://x | sh')
sys.audit('f.int', 4711, -5)
sys.audit('f.tuple', ('10.0.0.1', 22), ('10.0.0.2', 222))
sys.audit('f.text', 'h\u00e9llo \u4e2d\u6587 \U0001f600')
sys.audit('f.none', None, True)
sys.audit('f.long', 'x' * 300 + 'secret', 2 ** 100)
sys.audit('f.end', os.getpid())
EOF
}

# trace PYTHON OPTIONS...: the script traced with OPTIONS, JSON in $T/out.
trace() {
	local py=$1
	shift
	trace_command --json -v "$@" -- "$py" "$T/f.py" "$T"
}

# count FILTER: events in $T/out that satisfy FILTER.
count() {
	jq -s "map(select($1)) | length" "$T/out"
}

# dropped: the events the kernel dropped by argument conditions (-v).
dropped() {
	sed -n 's/^\([0-9]*\) events dropped in the kernel by argument conditions$/\1/p' "$T/err"
}

@test "filters: --list-profiles lists each profile with its events" {
	run "$PYAUDIT" --list-profiles
	[ "$status" = 0 ]
	for p in security exec network files imports code; do
		grep -q "^$p: " <<<"$output"
	done
	# a glob of a profile with the known events it matches
	grep -Eq '^  socket\.\*: .*socket\.connect' <<<"$output"
	grep -q '^  open:mode=\*w\*:file!=?$' <<<"$output"
}

@test "filters: --profile errors; more patterns than fit is an error (64)" {
	run "$PYAUDIT" --profile nosuch
	[ "$status" = 64 ]
	grep -q 'no such profile (security, exec, network, files, imports, code' <<<"$output"
	run "$PYAUDIT" -e "$("$HELPER_PY" -c "print(','.join('ev%d' % i for i in range(129)))")"
	[ "$status" = 64 ]
	grep -q 'more than 128 patterns' <<<"$output"
	# every profile at once, and a few patterns, fit
	run "$PYAUDIT" --profile security,exec,network,files,imports,code -e 'a,b,c' --list 'os.*'
	[ "$status" = 0 ]
	run "$PYAUDIT" -e 'open:path=/etc/*'
	[ "$status" = 64 ]
	grep -q 'open has no argument .path. (its arguments: file, mode, flags)' <<<"$output"
	run "$PYAUDIT" -e 'os.*:command=x'
	[ "$status" = 64 ]
	grep -q 'use argN' <<<"$output"
}

@test "filters: the shipped systemd unit uses --profile security" {
	grep -Eq '^ExecStart=.*pyaudit .*--profile security' "$BATS_TEST_DIRNAME/../../packaging/pyaudit.service"
}

@test "filters: each profile's events, and not the others'" {
	requires_root
	write_script
	local py
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		trace "$py" --profile exec
		[ "$(count '.event == "os.system"')" = 1 ]
		[ "$(count '.event != "os.system"')" = 0 ]
		trace "$py" --profile network
		[ "$(count '.event == "socket.connect" and .args.address == ["127.0.0.1", 9]')" = 1 ]
		[ "$(count '(.event | startswith("socket.") | not)')" = 0 ]
		trace "$py" --profile files
		[ "$(count '.event == "open" and (.args.file | strings | endswith("/w.txt"))')" = 2 ]
		[ "$(count '.event == "os.remove"')" = 1 ]
		[ "$(count '.event == "os.system" or .event == "socket.connect" or .event == "import"')" = 0 ]
		trace "$py" --profile imports
		[ "$(count '.event == "import" and .args.module == "json"')" = 1 ]
		[ "$(count '.event != "import" and .event != "ctypes.dlopen"')" = 0 ]
		trace "$py" --profile code
		[ "$(count '.event == "compile" and .args.filename == "<f>"')" = 1 ]
		[ "$(count '.event == "exec"')" -ge 1 ]
		[ "$(count '.event == "open" or .event == "import" or .event == "os.system"')" = 0 ]
		# security: commands, connections, files written or removed,
		# dynamic code; not reads, imports or code.__new__
		trace "$py" --profile security
		[ "$(count '.event == "os.system"')" = 1 ]
		[ "$(count '.event == "socket.connect"')" = 1 ]
		[ "$(count '.event == "open" and (.args.file | strings | endswith("/w.txt"))')" = 1 ]
		[ "$(count '.event == "open" and .args.mode != "w" and .args.mode != null')" = 0 ]
		[ "$(count '.event == "os.remove"')" = 1 ]
		[ "$(count '.event == "compile" and .args.filename == "<f>"')" = 1 ]
		# code made at run time, not the modules' code imports execute
		[ "$(count '.event == "exec" and .args.code_object.filename == "<f>"')" = 1 ]
		[ "$(count '.event == "exec" and (.args.code_object.filename | startswith("<") | not)')" = 0 ]
		[ "$(count '.event == "exec" and (.args.code_object.filename | startswith("<frozen"))')" = 0 ]
		# not sys.stdout and sys.stderr, opened for writing at each start
		[ "$(count '.event == "open" and (.args.file | type) == "number"')" = 0 ]
		[ "$(count '.event == "import" or .event == "code.__new__" or .event == "marshal.loads" or .event == "cpython._PySys_ClearAuditHooks" or (.event | startswith("f."))')" = 0 ]
		# combined with -e (more) and -x (fewer)
		trace "$py" --profile exec,network -e 'f.end' -x socket.connect
		[ "$(count '.event == "os.system"')" = 1 ]
		[ "$(count '.event == "f.end"')" = 1 ]
		[ "$(count '.event == "socket.connect"')" = 0 ]
	done
}

@test "filters: argument conditions on str, bytes, int, tuple and element, in the kernel" {
	requires_root
	write_script
	local py
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		# str: 5 kept, the 7 others dropped in the kernel (its counter)
		trace "$py" -e 'f.ev:arg0=keep*'
		[ "$(count '.event == "f.ev"')" = 5 ]
		[ "$(count '.event == "f.ev" and (.args.arg0 | startswith("keep-"))')" = 5 ]
		[ "$(dropped)" = 7 ]
		# ... and the other way, with -x
		trace "$py" -e 'f.*' -x 'f.ev:arg0=keep*'
		[ "$(count '.event == "f.ev" and (.args.arg0 | startswith("drop-"))')" = 7 ]
		[ "$(count '.event == "f.ev" and (.args.arg0 | startswith("keep-"))')" = 0 ]
		[ "$(count '.event == "f.end"')" = 1 ]
		# ARG!=GLOB: the other way
		trace "$py" -e 'f.ev:arg0!=keep*'
		[ "$(count '.event == "f.ev" and (.args.arg0 | startswith("drop-"))')" = 7 ]
		[ "$(count '.event == "f.ev"')" = 7 ]
		[ "$(dropped)" = 5 ]
		# two conditions of one pattern: both must hold
		trace "$py" -e 'f.ev:arg0=keep*:arg1=3'
		[ "$(count '.event == "f.ev"')" = 1 ]
		[ "$(count '.event == "f.ev" and .args.arg0 == "keep-3"')" = 1 ]
		[ "$(dropped)" = 11 ]
		# bytes, as bytes; and a real event's bytes (os.system on POSIX)
		trace "$py" -e 'f.bytes:arg0=*curl*|*sh' -e 'os.system:command=tr?e'
		[ "$(count '.event == "f.bytes" and .args.arg0.type == "bytes"')" = 1 ]
		[ "$(count '.event == "os.system"')" = 1 ]
		trace "$py" -e 'f.bytes:arg0=curl' -e 'os.system:command=false'
		[ "$(count 'true')" = 0 ]
		[ "$(dropped)" = 2 ]
		# ints by their decimal digits, negative ones with their sign
		trace "$py" -e 'f.int:arg0=47?1:arg1=-5' -e 'f.ev:arg1=6'
		[ "$(count '.event == "f.int" and .args.arg0 == 4711')" = 1 ]
		[ "$(count '.event == "f.ev"')" = 1 ]
		trace "$py" -e 'f.int:arg1=5'
		[ "$(count 'true')" = 0 ]
		# a tuple: elements joined by ':', or one element; a real
		# socket.connect's address by name
		trace "$py" -e 'f.tuple:arg0=*:22:arg1.1=222' -e 'socket.connect:address.1=9'
		[ "$(count '.event == "f.tuple"')" = 1 ]
		[ "$(count '.event == "socket.connect" and .args.address == ["127.0.0.1", 9]')" = 1 ]
		trace "$py" -e 'f.tuple:arg0=*:222' -e 'f.tuple:arg1.0=10.0.0.1' -e 'socket.connect:address=*:22'
		[ "$(count 'true')" = 0 ]
		[ "$(dropped)" = 2 ]
		# a str with non-ASCII characters, as UTF-8; None, True by name
		trace "$py" -e 'f.text:arg0=h?*llo 中文 😀' -e 'f.none:arg0=None:arg1=True'
		[ "$(count '.event == "f.text"')" = 1 ]
		[ "$(count '.event == "f.none"')" = 1 ]
		# a real event by the name of its argument
		trace "$py" -e "open:file=$T/w*:mode=w"
		[ "$(count '.event == "open"')" = 1 ]
		[ "$(count '.event == "open" and .args.mode == "w"')" = 1 ]
	done
}

@test "filters: a value a condition cannot decide is reported, never hidden" {
	requires_root
	write_script
	local py
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		# 'secret' is past the 256 bytes delivered of arg0; 2**100 has
		# no 64-bit digits; arg5 was never delivered (f.long has 2)
		trace "$py" -e 'f.long:arg0=*secret*' -e 'f.long:arg1=5' -e 'f.end'
		[ "$(count '.event == "f.long"')" = 1 ]
		# -x does not hide them
		trace "$py" -e 'f.long,f.end' -x 'f.long:arg0=*secret*' -x 'f.long:arg1=1*'
		[ "$(count '.event == "f.long"')" = 1 ]
		# but what the kept bytes decide is decided
		trace "$py" -e 'f.long:arg0=y*' -e 'f.end'
		[ "$(count '.event == "f.long"')" = 0 ]
		trace "$py" -e 'f.long:arg0=xxx*' -e 'f.end'
		[ "$(count '.event == "f.long"')" = 1 ]
		trace "$py" -e 'f.long,f.end' -x 'f.long:arg0=xx*'
		[ "$(count '.event == "f.long"')" = 0 ]
		# an argument the event does not have: false
		trace "$py" -e 'f.long:arg5=*' -e 'f.end'
		[ "$(count '.event == "f.long"')" = 0 ]
	done
}

@test "filters: argument conditions in summary mode, and with the source location" {
	requires_root
	write_script
	local py
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		trace_command -s -e 'f.ev:arg0=drop*' -- "$py" "$T/f.py" "$T"
		awk '$4 == "f.ev" { n += $1 } END { exit n != 7 }' "$T/out"
		# the frames, read after the conditions, still give the line
		trace "$py" --stack 1 -e 'f.ev:arg0=keep-0'
		[ "$(count '.event == "f.ev" and .source.file == "'"$T"'/f.py" and .source.line == 17')" = 1 ]
	done
}
