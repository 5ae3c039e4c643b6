#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Issue 12, item 7: Pythons found by content, not by name. A user who
# renames an interpreter, runs it from a memfd or a deleted file, or
# rewrites a file already seen, is traced all the same when the Python
# starts after pyaudit; --hold-new holds a process at a new file until
# the file is checked, so not even its first event is missed.
load common

DEBIAN_PY=/usr/bin/python3.11
NOBODY=65534

AS_USER=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)

as_user() {
	"${AS_USER[@]}" "$@"
}

# A directory of the unprivileged user.
user_dir() {
	command -v setpriv >/dev/null || skip "setpriv absent"
	chmod 755 "$T"
	mkdir -m 755 "$T/u"
	chown $NOBODY:$NOBODY "$T/u"
}

# sysexit MARK: Python code that sleeps a little (pyaudit attaches while
# the process runs; --hold-new is the test without the sleep), then
# raises os.system with the command "echo MARK".
sysexit() {
	echo "import os, time; time.sleep(0.5); os.system('echo $1')"
}

# event_of MARK: some os.system event carries "echo MARK" (bytes, base64).
event_of() {
	jq_ok ".event == \"os.system\" and (.args.command.base64 | @base64d) == \"echo $1\""
}

@test "a renamed copy of an interpreter started after pyaudit is traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's python3.11"
	user_dir
	start_pyaudit --json -e os.system
	as_user cp "$DEBIAN_PY" "$T/u/app"
	run as_user "$T/u/app" -c "$(sysexit renamed)"
	[ "$output" = renamed ]
	sleep 0.3
	stop_pyaudit
	cat "$T/err"
	event_of renamed
	jq_ok '.comm == "app" and .source.file == "<string>"'
	grep -q "^Tracing $T/u/app (usdt), found in process" "$T/err"
}

@test "a renamed libpython (uprobes) started after pyaudit is traced" {
	requires_root
	local py
	py=$(pyenv_python 3.12)
	requires_python "$py" "pyenv 3.12"
	mkdir -m 755 "$T/lib"
	cp "$(dirname "$py")/../lib/libpython3.12.so.1.0" "$T/lib/libfoo.so"
	start_pyaudit --json -e os.system
	# ld.so takes the preloaded file for libpython3.12.so.1.0: its SONAME
	LD_PRELOAD=$T/lib/libfoo.so "$py" -c "$(sysexit libfoo)"
	sleep 0.3
	stop_pyaudit
	cat "$T/err"
	event_of libfoo
	jq_ok '.probe != "usdt" and .source.file == "<string>"'
	grep -q "^Tracing $T/lib/libfoo.so (uprobes), found in process" "$T/err"
}

@test "an interpreter executed from a memfd is traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's python3.11"
	user_dir
	cat >"$T/u/memfd.py" <<-EOF
	import os
	fd = os.memfd_create("anon", 0)
	with open("$DEBIAN_PY", "rb") as f:
	    os.write(fd, f.read())
	os.execv(f"/proc/self/fd/{fd}", ["anon", "-c", "$(sysexit memfd)"])
	EOF
	start_pyaudit --json -e os.system
	run as_user "$DEBIAN_PY" "$T/u/memfd.py"
	[ "$output" = memfd ]
	sleep 0.3
	stop_pyaudit
	cat "$T/err"
	event_of memfd
	grep -qE "^Tracing /proc/[0-9]+/exe \(usdt\), found in process" "$T/err"
}

@test "an interpreter deleted as it starts is traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's python3.11"
	user_dir
	start_pyaudit --json -e os.system
	as_user cp "$DEBIAN_PY" "$T/u/gone"
	run as_user "$T/u/gone" -c "import os; os.unlink('$T/u/gone'); $(sysexit deleted)"
	[ "$output" = deleted ]
	[ ! -e "$T/u/gone" ]
	sleep 0.3
	stop_pyaudit
	cat "$T/err"
	event_of deleted
}

@test "a file seen as harmless, then rewritten in place as a Python, is traced" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's python3.11"
	user_dir
	start_pyaudit --json -e os.system
	as_user cp /bin/true "$T/u/tool"
	as_user "$T/u/tool"
	sleep 0.5		# checked and found not a Python
	local ino
	ino=$(stat -c %i "$T/u/tool")
	# same inode, new content: only its size and ctime tell
	as_user sh -c "cat '$DEBIAN_PY' >'$T/u/tool'"
	[ "$(stat -c %i "$T/u/tool")" = "$ino" ]
	run as_user "$T/u/tool" -c "$(sysexit inplace)"
	[ "$output" = inplace ]
	sleep 0.3
	stop_pyaudit
	cat "$T/err"
	event_of inplace
}

@test "--hold-new: the first event of a new interpreter is never missed" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's python3.11"
	user_dir
	start_pyaudit --json -e os.system --hold-new
	local i
	for i in 1 2 3 4 5; do
		as_user cp "$DEBIAN_PY" "$T/u/py$i"
		# the event comes at once: before any attach could, unheld
		run timeout 10 "${AS_USER[@]}" "$T/u/py$i" -c "import os; os.system('echo first$i')"
		[ "$status" = 0 ]
		[ "$output" = "first$i" ]
	done
	# a new file that is not a Python: held, checked, continued
	as_user cp /bin/true "$T/u/notpy"
	run timeout 10 "${AS_USER[@]}" "$T/u/notpy"
	[ "$status" = 0 ]
	stop_pyaudit
	cat "$T/err"
	for i in 1 2 3 4 5; do
		event_of "first$i"
	done
	grep -qE -- "--hold-new: [1-9][0-9]* processes were held at a new file" "$T/err"
}

@test "--hold-new is for system-wide tracing only" {
	run "$PYAUDIT" --hold-new -p 1 -d 0.1
	[ "$status" = 64 ]
	[[ "$output" == *"system-wide"* ]]
	run "$PYAUDIT" --hold-new -- true
	[ "$status" = 64 ]
}

@test "--hold-new: a process held when pyaudit is killed is continued, and nothing is held after" {
	requires_root
	start_pyaudit --json -e os.system --hold-new
	cp /bin/true "$T/held"
	cp /bin/true "$T/after"
	# every program this test runs while pyaudit is stopped has run
	# once before: then it is known, not held
	sleep 0.01
	local i state
	kill -STOP "$PA_PID"
	"$T/held" &
	local job=$!
	# builtins only (and sleep, known): anything new would be held
	for i in {1..50}; do
		read -r _ _ state _ <"/proc/$job/stat" || true
		[ "$state" = T ] && break
		sleep 0.1
	done
	echo "state of the process that runs a new file: $state"
	# pyaudit dies without a word: its watchdog continues the process
	kill -KILL "$PA_PID"
	wait "$PA_PID" || true
	PA_PID=
	[ "$state" = T ]
	for i in {1..50}; do
		kill -0 "$job" 2>/dev/null || break
		sleep 0.1
	done
	run wait "$job"
	[ "$status" = 0 ]
	# and the watchdog kept no watcher alive: a new file runs at once
	run timeout 5 "$T/after"
	[ "$status" = 0 ]
}
