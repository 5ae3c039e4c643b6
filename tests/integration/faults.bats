#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Faults: a traced process killed in a burst, target files deleted or
# replaced, pyaudit ended every way (and nothing of it left in the
# kernel afterwards), a full disk, no privileges, two instances at once.
#
# Other pyaudit instances (parallel tests) may load programs of the same
# names at any time: the kernel checks look for this pyaudit's own
# programs and links (their ids, read from /proc/PID/fdinfo while it
# runs) and for anything the kernel attributes to its PID; programs and
# links new since a snapshot are looked for only while no other pyaudit
# runs.

load common

DEBIAN_PY=/usr/bin/python3.11
# pyaudit's BPF programs. The kernel keeps 15 characters of a name;
# bpftool shows the whole name when it finds it in the BTF.
PA_PROGS='["usdt_audit","uprobe_sys_audit","uprobe_valist","uprobe_varargs","uprobe_varargs_ts","follow_fork","follow_exit","watch_mmap","watch_exec"]'
JQ_PA='def pa: .name != null and ((.name[0:15]) as $n | any($names[]; .[0:15] == $n));'

teardown() {
	local p
	for p in ${KILL_PIDS:-} ${PA_PID:-}; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "${MNT:-}" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	fi
	rm -rf "$T"
}

# ---- the kernel's view ------------------------------------------------------

# pa_progs FILE: ids of the pyaudit-named programs in bpftool's JSON.
pa_progs() {
	jq -r --argjson names "$PA_PROGS" "$JQ_PA"'.[] | select(pa) | .id' "$1" | sort
}

# links_to PROGS_FILE LINKS_JSON: ids of the links to those programs.
links_to() {
	jq -r '.[] | "\(.id) \(.prog_id // 0)"' "$2" |
		awk 'NR == FNR { p[$1] = 1; next } ($2 in p) { print $1 }' "$1" - | sort
}

# bpf_snapshot: the pyaudit-named programs, and the links to them, that
# exist before this test's pyaudit starts.
bpf_snapshot() {
	bpftool -j prog show >"$T/snap.progs.json"
	bpftool -j link show >"$T/snap.links.json"
	pa_progs "$T/snap.progs.json" >"$T/snap.progs"
	links_to "$T/snap.progs" "$T/snap.links.json" >"$T/snap.links"
}

# bpf_record PID: the programs and links pyaudit PID holds (from its
# file descriptors); it must hold some, and uprobes: perf events, or
# uprobe-multi links (libbpf 1.4 attaches USDT probes with those where the
# kernel has them, 6.6+; bpftool 7.1 names their type 12).
bpf_record() {
	local pid=$1 f n m
	: >"$T/own.progs"
	: >"$T/own.links"
	for f in /proc/"$pid"/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*//p' "$f" >>"$T/own.progs" 2>/dev/null || true
		sed -n 's/^link_id:[[:space:]]*//p' "$f" >>"$T/own.links" 2>/dev/null || true
	done
	sort -u -o "$T/own.progs" "$T/own.progs"
	sort -u -o "$T/own.links" "$T/own.links"
	n=$(bpftool -j perf show | jq --argjson p "$pid" '[.[] | select(.pid == $p and .fd_type == "uprobe")] | length')
	m=$(bpftool -j link show | jq -r '.[] | select(.type == "uprobe_multi" or .type == 12) | .id' |
		sort | comm -12 - "$T/own.links" | wc -l)
	echo "pyaudit $pid holds $(wc -l <"$T/own.progs") programs, $(wc -l <"$T/own.links") links, $n uprobe perf events, $m uprobe-multi links"
	[ -s "$T/own.progs" ] && [ -s "$T/own.links" ] && [ $((n + m)) -gt 0 ]
}

# own_prog_names: the names of the programs bpf_record found.
own_prog_names() {
	bpftool -j prog show | jq -r --slurpfile ids <(jq -R . "$T/own.progs" | jq -s 'map(tonumber)') \
		'.[] | select(.id as $i | $ids[0] | index($i)) | .name'
}

# bpf_clean PID: nothing of pyaudit PID is left; prints what is.
bpf_clean() {
	local pid=$1
	bpftool -j prog show >"$T/now.progs.json"
	bpftool -j link show >"$T/now.links.json"
	jq -r '.[].id' "$T/now.progs.json" | sort >"$T/now.progs"
	jq -r '.[].id' "$T/now.links.json" | sort >"$T/now.links"
	{
		# its own programs and links, by id
		comm -12 "$T/now.progs" "$T/own.progs" | sed 's/^/program /'
		comm -12 "$T/now.links" "$T/own.links" | sed 's/^/link /'
		# anything the kernel still attributes to its PID
		bpftool -j perf show | jq -r --argjson p "$pid" '.[] | select(.pid == $p) | "perf event \(.)"'
		jq -r --argjson p "$pid" '.[] | select(any((.pids // [])[]; .pid == $p)) | "held by the pid: \(.)"' \
			"$T/now.progs.json" "$T/now.links.json"
		# libbpf's legacy (tracefs) uprobes are named libbpf_PID_...
		cat /sys/kernel/tracing/uprobe_events /sys/kernel/debug/tracing/uprobe_events \
			2>/dev/null | grep "libbpf_${pid}_" || true
		# with no other pyaudit running: nothing pyaudit's that the
		# snapshot did not have
		if ! pgrep -x pyaudit >/dev/null; then
			pa_progs "$T/now.progs.json" >"$T/now.pa"
			comm -13 "$T/snap.progs" "$T/now.pa" | sed 's/^/new program /'
			links_to "$T/now.pa" "$T/now.links.json" | comm -13 "$T/snap.links" - | sed 's/^/new link /'
		fi
	} >"$T/left"
	cat "$T/left"
	[ ! -s "$T/left" ]
}

# bpf_released PID: the kernel frees what a dead process held
# asynchronously: wait for it, up to 10 s.
bpf_released() {
	local i
	for i in $(seq 1 50); do
		bpf_clean "$1" >/dev/null && return 0
		sleep 0.2
	done
	echo "left in the kernel by pyaudit $1:" >&2
	cat "$T/left" >&2
	return 1
}

# ---- processes ----------------------------------------------------------------

# gone PID: the process has ended (a zombie has).
gone() {
	local st
	st=$(sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}

# reap PID SECONDS: wait for our child PID to end, its exit status in
# $EXIT; fail if it still runs after SECONDS.
reap() {
	local pid=$1 i
	for i in $(seq 1 $(($2 * 10))); do
		if gone "$pid"; then
			EXIT=0
			wait "$pid" || EXIT=$?
			return 0
		fi
		sleep 0.1
	done
	echo "process $pid still running after $2 s" >&2
	return 1
}

# end_pyaudit SIGNAL: send it, wait for pyaudit to end. $EXIT: its exit
# status, $PA_LAST: its pid.
end_pyaudit() {
	PA_LAST=$PA_PID
	kill -"$1" "$PA_PID"
	reap "$PA_PID" 30
	PA_PID=
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
	local n=$(($1 * 20)) i
	shift
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# lines_with FILE STRING N: at least N lines of FILE hold STRING.
lines_with() {
	[ "$(grep -cF -- "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

# pyenv_lib MINOR: the libpython of that pyenv interpreter.
pyenv_lib() {
	local py
	py=$(pyenv_python "$1") || return 1
	py=$(dirname "$(dirname "$py")")/lib/libpython$1.so.1.0
	[ -e "$py" ] && echo "$py"
}

# ---- traced processes and files ----------------------------------------------

@test "a traced process killed with SIGKILL in a burst: pyaudit goes on, output valid" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	local lib py="" victims="" v args=(--binary "$DEBIAN_PY")
	if lib=$(pyenv_lib 3.12); then
		py=$(pyenv_python 3.12)
		args+=(--binary "$lib")
	fi
	bpf_snapshot
	start_pyaudit --json "${args[@]}" -e 'pyaudit.burst*'
	bpf_record "$PA_PID"
	# USDT (Debian) and uprobes (pyenv): each victim raises events with
	# nested arguments as fast as it can
	for v in "$DEBIAN_PY" $py; do
		"$v" -c 'import sys
i = 0
while True:
    sys.audit("pyaudit.burst", i, "x" * 200, [1, (b"y", 2.5)], {"k": 1})
    i += 1' 3>&- &
		victims+=" $!"
	done
	KILL_PIDS=$victims
	for v in $victims; do
		wait_for 10 lines_with "$T/out" "\"pid\":$v," 2000
	done
	kill -KILL $victims
	for v in $victims; do
		reap "$v" 10
		[ "$EXIT" = 137 ]
	done
	# pyaudit is still there, and sees the events of the next processes
	kill -0 "$PA_PID"
	for v in "$DEBIAN_PY" $py; do
		"$v" -c 'import sys, os; sys.audit("pyaudit.burst.after", os.getpid())'
	done
	wait_for 5 lines_with "$T/out" '"pyaudit.burst.after"' "$([ -n "$py" ] && echo 2 || echo 1)"
	end_pyaudit INT
	[ "$EXIT" = 0 ]
	jq -c . "$T/out" >/dev/null	# every line is JSON
	for v in $victims; do
		jq_ok ".event == \"pyaudit.burst\" and .pid == $v and .args.arg0 == 1000 and .args.arg2[0] == 1 and .args.arg3.typename == \"dict\""
	done
	jq_ok '.event == "pyaudit.burst.after" and .pid == .args.arg0 and .comm == "python3.11"'
	[ -z "$py" ] || jq_ok '.event == "pyaudit.burst.after" and .pid == .args.arg0 and .comm == "python3.12"'
	bpf_released "$PA_LAST"
}

@test "target files deleted and replaced while attached: running processes stay traced, no crash" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	local d old="" p
	# a: deleted; b: another file moved over it (as package managers
	# do); c: another file copied over it (the same inode, rewritten;
	# no process runs it: that would be "Text file busy")
	for d in a b c; do
		mkdir -p "$T/$d"
		cp "$DEBIAN_PY" "$T/$d/python3.11"
	done
	printf '#!/bin/sh\necho replaced "$@"\n' >"$T/script"
	chmod +x "$T/script"
	bpf_snapshot
	start_pyaudit --json --binary "$T/a/python3.11" --binary "$T/b/python3.11" \
		--binary "$T/c/python3.11" -e 'pyaudit.file.*'
	bpf_record "$PA_PID"
	# processes running the old a and b: an event, then one more each
	# time they are told to go on
	for d in a b; do
		mkfifo "$T/go.$d"
		"$T/$d/python3.11" -c 'import sys
sys.audit("pyaudit.file.before", sys.argv[1])
with open(sys.argv[2]) as go:
    for line in go:
        sys.audit("pyaudit.file.after", sys.argv[1], line.strip())' "$d" "$T/go.$d" 3>&- &
		old+=" $!"
	done
	KILL_PIDS=$old
	exec 5>"$T/go.a" 6>"$T/go.b"
	wait_for 10 lines_with "$T/out" '"pyaudit.file.before"' 2
	echo 1 >&5
	echo 1 >&6

	rm "$T/a/python3.11"
	cp "$T/script" "$T/b/new"
	mv -f "$T/b/new" "$T/b/python3.11"
	cp "$T/script" "$T/c/python3.11"
	sleep 0.3
	kill -0 "$PA_PID"
	# the old processes are still traced
	echo 2 >&5
	echo 2 >&6
	exec 5>&- 6>&-
	for p in $old; do
		reap "$p" 10
		[ "$EXIT" = 0 ]
	done
	# the new files run, untouched
	[ "$("$T/b/python3.11" b)" = "replaced b" ]
	[ "$("$T/c/python3.11" c)" = "replaced c" ]
	# a fresh copy at the deleted path is another file: it runs too
	cp "$DEBIAN_PY" "$T/a/python3.11"
	"$T/a/python3.11" -c 'import sys; sys.audit("pyaudit.file.new", "a")'
	sleep 0.3
	kill -0 "$PA_PID"
	end_pyaudit INT
	[ "$EXIT" = 0 ]
	jq -c . "$T/out" >/dev/null
	for d in a b; do
		for n in 1 2; do
			jq_ok ".event == \"pyaudit.file.after\" and .args.arg0 == \"$d\" and .args.arg1 == \"$n\""
		done
	done
	[ "$(grep -ci error "$T/err")" = 0 ]
	bpf_released "$PA_LAST"
}

# ---- pyaudit ended every way ------------------------------------------------------

@test "ended by SIGINT (system-wide): exit 0, nothing left in the kernel" {
	requires_root
	bpf_snapshot
	start_pyaudit --json -e 'pyaudit.nothing'
	bpf_record "$PA_PID"
	# the process watchers are part of a system-wide run
	grep -q 'watching for new Pythons' "$T/err"
	end_pyaudit INT
	[ "$EXIT" = 0 ]
	bpf_released "$PA_LAST"
}

@test "ended by SIGTERM (USDT and uprobes): exit 0, nothing left in the kernel" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	local args=(--binary "$DEBIAN_PY") lib
	if lib=$(pyenv_lib 3.13); then
		args+=(--binary "$lib")
	fi
	bpf_snapshot
	start_pyaudit --json "${args[@]}" -e 'pyaudit.nothing'
	bpf_record "$PA_PID"
	end_pyaudit TERM
	[ "$EXIT" = 0 ]
	bpf_released "$PA_LAST"
}

@test "SIGHUP: without -o it ends pyaudit, with -o it reopens the file; nothing left in the kernel" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	bpf_snapshot
	start_pyaudit --json --binary "$DEBIAN_PY" -e 'pyaudit.hup'
	bpf_record "$PA_PID"
	end_pyaudit HUP
	[ "$EXIT" = 0 ]
	bpf_released "$PA_LAST"

	local log=$T/audit.jsonl
	start_pyaudit --json --binary "$DEBIAN_PY" -e 'pyaudit.hup' -o "$log"
	bpf_record "$PA_PID"
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.hup", 1)'
	wait_for 5 lines_with "$log" '"pyaudit.hup"' 1
	mv "$log" "$log.1"
	kill -HUP "$PA_PID"
	wait_for 5 test -e "$log"
	sleep 0.2
	kill -0 "$PA_PID"
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.hup", 2)'
	wait_for 5 lines_with "$log" '"pyaudit.hup"' 1
	end_pyaudit INT
	[ "$EXIT" = 0 ]
	[ "$(jq -s -c '[.[] | select(.event == "pyaudit.hup") | .args.arg0]' "$log.1")" = '[1]' ]
	[ "$(jq -s -c '[.[] | select(.event == "pyaudit.hup") | .args.arg0]' "$log")" = '[2]' ]
	bpf_released "$PA_LAST"
}

@test "SIGPIPE: pyaudit | head -1 ends promptly, idle or busy; nothing left in the kernel" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	# pyaudit ARGS... | head -n 1, pyaudit's pid and exit status in files
	cat >"$T/pipe.sh" <<'EOF'
pidf=$1
shift
{ echo "$BASHPID" >"$pidf"; exec "$@" 2>/dev/null; } | head -n 1
echo "${PIPESTATUS[0]}" >"$pidf.status"
EOF
	bpf_snapshot

	# idle (text: the header line is all head reads)
	run timeout 30 bash "$T/pipe.sh" "$T/pid" "$PYAUDIT" --binary "$DEBIAN_PY" -e 'pyaudit.pipe'
	[ "$status" = 0 ]
	[[ "$output" == "TIME "* ]]
	[[ "$(cat "$T/pid.status")" =~ ^(0|141)$ ]]
	: >"$T/own.progs"
	: >"$T/own.links"
	bpf_released "$(cat "$T/pid")"

	# busy: events keep coming after head has gone
	"$DEBIAN_PY" -c 'import sys, time
end = time.monotonic() + 25
while time.monotonic() < end:
    sys.audit("pyaudit.pipe", "x" * 100)
    time.sleep(0.001)' 3>&- &
	KILL_PIDS=$!
	run timeout 30 bash "$T/pipe.sh" "$T/pid" "$PYAUDIT" --json --binary "$DEBIAN_PY" -e 'pyaudit.pipe'
	[ "$status" = 0 ]
	[ "$(jq -r .event <<<"$output")" = pyaudit.pipe ]
	# SIGPIPE, or a write error: EPIPE
	[[ "$(cat "$T/pid.status")" =~ ^(0|1|141)$ ]]
	bpf_released "$(cat "$T/pid")"

	# the reader goes away while pyaudit has nothing to write: it still
	# notices (here its programs are known by id)
	mkfifo "$T/pipe"
	{ head -n 1 >"$T/first"; wait_for 20 test -e "$T/go"; } <"$T/pipe" 3>&- &
	local reader=$!
	rm -f "$T/err"	# no "Tracing" of an earlier pyaudit (common.bash)
	"$PYAUDIT" --binary "$DEBIAN_PY" -e 'pyaudit.nothing' >"$T/pipe" 2>"$T/err" 3>&- &
	PA_PID=$!
	wait_for 10 grep -q '^Tracing' "$T/err"
	bpf_record "$PA_PID"
	touch "$T/go"
	reap "$reader" 30
	[[ "$(cat "$T/first")" == "TIME "* ]]
	PA_LAST=$PA_PID
	reap "$PA_PID" 30
	PA_PID=
	[[ "$EXIT" =~ ^(0|141)$ ]]
	bpf_released "$PA_LAST"
}

@test "ended by SIGKILL (system-wide, and with a command): nothing left in the kernel" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	bpf_snapshot
	start_pyaudit --json -e 'pyaudit.nothing'
	bpf_record "$PA_PID"
	end_pyaudit KILL
	[ "$EXIT" = 137 ]
	bpf_released "$PA_LAST"

	# a command: the fork and exit followers too
	start_pyaudit --json -e 'pyaudit.nothing' -- "$DEBIAN_PY" -c 'import time; time.sleep(60)'
	bpf_record "$PA_PID"
	own_prog_names | grep -qx follow_fork
	own_prog_names | grep -qx follow_exit
	local child
	child=$(pgrep -P "$PA_PID")
	KILL_PIDS=$child
	end_pyaudit KILL
	[ "$EXIT" = 137 ]
	bpf_released "$PA_LAST"
	# the command is not pyaudit's to end
	kill -0 "$child"
}

# ---- resources and privileges -------------------------------------------------------

@test "-o on a full disk: an error naming the file and ENOSPC, exit 1, no hang" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	mkdir -p "$T/small"
	mount -t tmpfs -o size=64k tmpfs "$T/small" || skip "cannot mount a tmpfs"
	MNT=$T/small
	local log=$T/small/audit.jsonl
	bpf_snapshot
	start_pyaudit --json --binary "$DEBIAN_PY" -e 'pyaudit.fill' -o "$log"
	bpf_record "$PA_PID"
	# about 1 MB of records for 64 KiB
	"$DEBIAN_PY" -c 'import sys
for i in range(2000):
    sys.audit("pyaudit.fill", i, "x" * 300)'
	# pyaudit ends by itself
	PA_LAST=$PA_PID
	reap "$PA_PID" 20
	PA_PID=
	cat "$T/err"
	[ "$EXIT" = 1 ]
	grep -F "$log" "$T/err" | grep -F 'No space left on device'
	bpf_released "$PA_LAST"
	# what was written before the last line is whole lines (the last
	# one may be cut)
	[ -s "$log" ]
	head -c "$(($(wc -c <"$log") - $(tail -n 1 "$log" | wc -c)))" "$log" | jq -c . >/dev/null
	# room again (as when systemd restarts it): the next record is a
	# line of its own, not glued to a cut one
	mount -o remount,size=4m "$MNT"
	start_pyaudit --json --binary "$DEBIAN_PY" -e 'pyaudit.fill*' -o "$log"
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.fill.again", 1)'
	wait_for 5 lines_with "$log" '"pyaudit.fill.again"' 1
	end_pyaudit INT
	[ "$EXIT" = 0 ]
	[ "$(grep -F '"pyaudit.fill.again"' "$log" | jq -r .args.arg0)" = 1 ]
	umount "$MNT"
	MNT=
}

@test "not root: exit 1 naming CAP_BPF and CAP_PERFMON" {
	requires_root
	command -v setpriv >/dev/null || skip "setpriv absent"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$PYAUDIT"
	[ "$status" = 1 ]
	echo "$output" | grep -q 'CAP_BPF and CAP_PERFMON'
	echo "$output" | grep -q 'sudo'
	# JSON mode: the same, as a JSON log record
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$PYAUDIT" --json --binary "$DEBIAN_PY"
	[ "$status" = 1 ]
	[ "$(jq -r 'select(.type == "log" and .level == "error") | .message' <<<"$output" | grep -c 'CAP_BPF and CAP_PERFMON')" = 1 ]
}

# ---- two instances ------------------------------------------------------------------

@test "two pyaudit instances at once both see the same events" {
	requires_root
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	local py="" lib args=(--binary "$DEBIAN_PY") one f npy=1
	if lib=$(pyenv_lib 3.12); then
		py=$(pyenv_python 3.12)
		args+=(--binary "$lib")
		npy=2
	fi
	# one names its files, the other traces every Python
	rm -f "$T/one.err"
	"$PYAUDIT" --json "${args[@]}" -e 'pyaudit.two.*' >"$T/one" 2>"$T/one.err" 3>&- &
	one=$!
	KILL_PIDS=$one
	wait_for 10 grep -q '^Tracing' "$T/one.err"
	start_pyaudit --json -e 'pyaudit.two.*'
	for f in "$DEBIAN_PY" $py; do
		"$f" -c 'import sys
for i in range(200):
    sys.audit("pyaudit.two.both", i)'
	done
	sleep 0.3
	kill -INT "$one"
	reap "$one" 30
	[ "$EXIT" = 0 ]
	# the other one stays armed: the USDT semaphore is counted per user
	"$DEBIAN_PY" -c 'import sys; sys.audit("pyaudit.two.later", 1)'
	[ -z "$py" ] || "$py" -c 'import sys; sys.audit("pyaudit.two.later", 1)'
	sleep 0.3
	end_pyaudit INT
	[ "$EXIT" = 0 ]
	local q='[.[] | select(.event == "pyaudit.two.both") | [.pid, .args.arg0]] | sort'
	[ "$(jq -s -c "$q" "$T/one")" = "$(jq -s -c "$q" "$T/out")" ]
	[ "$(jq -s "$q | length" "$T/out")" = $((200 * npy)) ]
	[ "$(jq -s '[.[] | select(.event == "pyaudit.two.later")] | length' "$T/out")" = "$npy" ]
	[ "$(jq -s '[.[] | select(.event == "pyaudit.two.later")] | length' "$T/one")" = 0 ]
}
