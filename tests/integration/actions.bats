#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# --action (issue 17): a signal sent from the probe to the process that
# raises a matching event, before CPython goes on with the action: on a
# USDT Python (Debian's python3.11) and a uprobe one (pyenv 3.12/3.13).

load common

write_scripts() {
	# os.system's command would create MARKER
	cat >"$T/system.py" <<'EOF'
import os, sys
os.system('touch ' + sys.argv[1])
open(sys.argv[1] + '.after', 'w').close()
EOF
	# opens plain files, then a secret one, then DONE; its pid first
	cat >"$T/opener.py" <<'EOF'
import os, sys
d = sys.argv[1]
with open(os.path.join(d, 'pid'), 'w') as f:
    f.write(str(os.getpid()))
for i in range(3):
    open(os.path.join(d, 'plain%d' % i), 'w').close()
open(os.path.join(d, 'my-secret'), 'w').close()
open(os.path.join(d, 'DONE'), 'w').close()
EOF
	# a loop of events, each to be signalled with SIGUSR1 (handled)
	cat >"$T/loop.py" <<'EOF'
import signal, sys
got = []
signal.signal(signal.SIGUSR1, lambda *a: got.append(1))
for i in range(50):
    sys.audit('act.loop', i)
sys.audit('act.end', len(got))
EOF
}

# state PID: the state letter in /proc/PID/stat (after the comm).
state() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1
}

@test "actions: kill at os.system: no shell is started, the process dies of SIGKILL" {
	requires_root
	write_scripts
	local py st
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		rm -f "$T/MARKER" "$T/MARKER.after"
		st=0
		trace_command --json -e os.system --action 'os.system=kill' -- "$py" "$T/system.py" "$T/MARKER" || st=$?
		[ "$st" = 137 ]
		[ ! -e "$T/MARKER" ]
		[ ! -e "$T/MARKER.after" ]
		jq_ok '.event == "os.system" and .action == "killed" and (.args.command.base64 | @base64d | endswith("/MARKER"))'
		grep -q -- '--action: 1 signals sent, 0 not sent (dry run)' "$T/err"
	done
}

@test "actions: stop at open of a secret: stopped before the open, continues after SIGCONT" {
	requires_root
	write_scripts
	local py pid i s
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		rm -f "$T"/plain* "$T/my-secret" "$T/DONE" "$T/pid"
		start_pyaudit --json -e "open:file=$T/*" --action 'open:file=*secret*=stop' -- "$py" "$T/opener.py" "$T"
		s=
		for i in $(seq 1 100); do
			pid=$(cat "$T/pid" 2>/dev/null) || true
			[ -n "$pid" ] && s=$(state "$pid") && [ "$s" = T ] && break
			sleep 0.05
		done
		[ "$s" = T ]
		# stopped at the event: the plain files opened, not the secret
		[ -e "$T/plain2" ]
		[ ! -e "$T/my-secret" ]
		sleep 0.3
		[ "$(state "$pid")" = T ]
		[ ! -e "$T/my-secret" ]
		kill -CONT "$pid"
		wait "$PA_PID"
		[ -e "$T/my-secret" ]
		[ -e "$T/DONE" ]
		jq_ok '.event == "open" and (.args.file | strings | endswith("/my-secret")) and .action == "stopped"'
		# the other events: reported, not acted on
		[ "$(jq -s 'map(select(.action)) | length' "$T/out")" = 1 ]
		[ "$(jq -s 'map(select(.event == "open" and (.args.file | strings | endswith("/DONE")))) | length' "$T/out")" = 1 ]
	done
}

@test "actions: a non-matching argument is not acted on" {
	requires_root
	write_scripts
	local py st
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		rm -f "$T"/plain* "$T/my-secret" "$T/DONE"
		st=0
		trace_command --json -e "open:file=$T/*" --action 'open:file=*nothere*=kill' -- "$py" "$T/opener.py" "$T" || st=$?
		[ "$st" = 0 ]
		[ -e "$T/DONE" ]
		[ "$(jq -s 'map(select(.event == "open" and (.args.file | strings | endswith(".py") | not))) | length' "$T/out")" = 6 ]
		[ "$(jq -s 'map(select(.action)) | length' "$T/out")" = 0 ]
		grep -q -- '--action: 0 signals sent' "$T/err"
	done
}

@test "actions: --action-dry-run acts on nothing and says what it would have done" {
	requires_root
	write_scripts
	local py st
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		rm -f "$T/MARKER" "$T/MARKER.after"
		st=0
		trace_command --json --action 'os.system=kill' --action-dry-run -- "$py" "$T/system.py" "$T/MARKER" || st=$?
		[ "$st" = 0 ]
		[ -e "$T/MARKER" ]
		[ -e "$T/MARKER.after" ]
		jq_ok '.event == "os.system" and .action == "would-kill"'
		# without -e, every event is still reported
		jq_ok '.event == "open" and (.action | not)'
		# with -e (given after --action), only those
		trace_command --json --action 'os.system=kill' --action-dry-run -e os.system -- "$py" "$T/system.py" "$T/MARKER"
		[ "$(jq -s 'map(select(.event != "os.system")) | length' "$T/out")" = 0 ]
		jq_ok '.event == "os.system" and .action == "would-kill"'
		grep -q -- '--action: 0 signals sent, 1 not sent (dry run)' "$T/err"
	done
}

@test "actions: the rate limit holds under a loop" {
	requires_root
	write_scripts
	local py
	for py in $(usdt_and_uprobe_pythons); do
		echo "== $py" >&2
		trace_command --json -e 'act.*' --action 'act.loop=signal:USR1' --action-rate 3 -- "$py" "$T/loop.py"
		[ "$(jq -s 'map(select(.event == "act.loop")) | length' "$T/out")" = 50 ]
		[ "$(jq -s 'map(select(.action == "signalled:USR1")) | length' "$T/out")" = 3 ]
		[ "$(jq -s 'map(select(.action == "rate-limited")) | length' "$T/out")" = 47 ]
		# the process got the signal (SIGUSR1 handled, some may merge)
		jq_ok '.event == "act.end" and .args.arg0 >= 1'
		grep -q -- '--action: 3 signals sent, 0 not sent (dry run), 47 not sent over the rate limit' "$T/err"
	done
}

@test "actions: never outside the filters: a Python not in the command's tree" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's python3.11"
	write_scripts
	local st
	# the same interpreter, started outside pyaudit's command, runs
	# os.system while pyaudit acts on os.system in its command
	cat >"$T/outside.py" <<'EOF'
import os, sys, time
while not os.path.exists(sys.argv[1] + '.go'):
    time.sleep(0.02)
os.system('touch ' + sys.argv[1])
EOF
	/usr/bin/python3.11 "$T/outside.py" "$T/OUTSIDE" 3>&- &
	local out=$!
	cat >"$T/inside.py" <<EOF
import os, time
open('$T/OUTSIDE.go', 'w').close()
for i in range(100):
    if os.path.exists('$T/OUTSIDE'):
        break
    time.sleep(0.02)
os.system('touch $T/INSIDE')
EOF
	st=0
	trace_command --json -e os.system --action 'os.system=kill' -- /usr/bin/python3.11 "$T/inside.py" || st=$?
	wait "$out"
	[ -e "$T/OUTSIDE" ]
	[ ! -e "$T/INSIDE" ]
	[ "$st" = 137 ]
	[ "$(jq -s 'map(select(.event == "os.system")) | length' "$T/out")" = 1 ]
}

@test "actions: usage errors" {
	run "$PYAUDIT" --action 'os.system=explode'
	[ "$status" = 64 ]
	grep -q 'give EVENT\[:ARG=GLOB\]=stop, =kill or =signal:SIG' <<<"$output"
	run "$PYAUDIT" --action 'os.system=kill' -s
	[ "$status" = 64 ]
	run "$PYAUDIT" --action-dry-run
	[ "$status" = 64 ]
	run "$PYAUDIT" --action 'os.system=signal:NOSUCH'
	[ "$status" = 64 ]
}
