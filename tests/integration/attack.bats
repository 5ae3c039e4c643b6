#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Issue 12: what a hostile unprivileged local user tries against pyaudit
# running as root: swapping the file between analysis and attach, FIFOs
# where files are expected, symlinks where output goes; and pyaudit
# failing loudly, never leaving a command to run untraced.
load common

DEBIAN_PY=/usr/bin/python3.11
LIBC=/lib/x86_64-linux-gnu/libc.so.6
NOBODY=65534

as_user() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"
}

requires_user_tools() {
	command -v setpriv >/dev/null || skip "setpriv absent"
	command -v cc >/dev/null || skip "no C compiler for the planted file"
	[ -r "$LIBC" ] || skip "$LIBC absent"
}

# A directory of the unprivileged user (what a pyenv under their home
# is), and a root-owned copy of libc: the root file the attacker aims at
# (a copy, so that a pyaudit that loses does not break the host's libc).
attack_setup() {
	chmod 755 "$T"
	mkdir -m 755 "$T/root"
	cp "$LIBC" "$T/root/libc.so.6"
	cc -O0 -fno-toplevel-reorder -shared -fPIC \
		-Wl,-soname,libpython3.12.so.1.0 \
		-o "$T/fake.so" "$BATS_TEST_DIRNAME/fakepy.c"
	chmod 644 "$T/fake.so"
}

# swap_attempt PLANT KIND [WHEN]: the user plants PLANT as a libpython in
# their directory and watches it; as soon as pyaudit closes it after its
# analysis (WHEN=close, the default) or opens it (WHEN=open: during the
# analysis), the user renames KIND (a symlink to the libc copy, or a
# FIFO) over it. pyaudit is given the user's file with --binary; waits at most
# 5 s for "Tracing" or an exit, and sets STARTED (0 or 1) and ELAPSED.
swap_attempt() {
	local plant=$1 kind=$2 when=${3:-close} name=libpython3.12.so.1.0 i t0
	rm -rf "$T/u"
	mkdir "$T/u"
	chown $NOBODY:$NOBODY "$T/u"
	as_user cp "$plant" "$T/u/$name"
	if [ "$kind" = fifo ]; then
		as_user mkfifo "$T/u/.swap"
	else
		as_user ln -s "$T/root/libc.so.6" "$T/u/.swap"
	fi
	as_user "$HELPER_PY" "$BATS_TEST_DIRNAME/swap.py" "$T/u/$name" \
		"$T/u/.swap" "$when" >"$T/swap.out" 2>&1 3>&- &
	SW_PID=$!
	for i in $(seq 1 100); do
		grep -q ready "$T/swap.out" && break
		sleep 0.05
	done
	rm -f "$T/out" "$T/err"	# no "Tracing" of the attempt before
	t0=$(date +%s%N)
	"$PYAUDIT" -v --binary "$T/u/$name" >"$T/out" 2>"$T/err" 3>&- &
	PA_PID=$!
	STARTED=0
	for i in $(seq 1 100); do
		grep -q '^Tracing' "$T/err" 2>/dev/null && STARTED=1 && break
		kill -0 "$PA_PID" 2>/dev/null || { STARTED=1; break; }
		sleep 0.05
	done
	ELAPSED=$((($(date +%s%N) - t0) / 1000000))
	# the swap comes at the close: after the attach once fixed
	for i in $(seq 1 40); do
		grep -q swapped "$T/swap.out" && break
		sleep 0.05
	done
}

# The user's watcher first: pyaudit's exit closes the file, which would
# set off a late swap.
end_attempt() {
	kill "$SW_PID" 2>/dev/null || true
	wait "$SW_PID" 2>/dev/null || true
	kill -INT "$PA_PID" 2>/dev/null || true
	kill -KILL "$PA_PID" 2>/dev/null || true
	wait "$PA_PID" 2>/dev/null || true
	PA_PID=
}

@test "a file swapped for libc between analysis and attach: no probe lands in libc" {
	requires_root
	requires_user_tools
	attack_setup
	local n won=0 when
	for n in 1 2 3 4 5 6; do
		when=close
		[ $((n % 2)) = 0 ] && when=open
		swap_attempt "$T/fake.so" link "$when"
		[ "$STARTED" = 1 ]
		grep -q '^Tracing 1 target' "$T/err"
		# a file of another user than root: said under -v
		grep -q "owned by uid $NOBODY.*analysed as hostile" "$T/err"
		# the attack did run in every attempt
		grep -q swapped "$T/swap.out"
		# what a process mapping the libc copy executes: any byte
		# that differs from the file is a breakpoint of a uprobe
		d=$("$HELPER_PY" "$BATS_TEST_DIRNAME/mapdiff.py" "$T/root/libc.so.6")
		end_attempt
		if [ -n "$d" ]; then
			echo "attempt $n (swap at $when): uprobes in the libc copy at $d" >&2
			won=$((won + 1))
		fi
	done
	[ "$won" = 0 ]
}

@test "a FIFO swapped in for a USDT Python does not block start-up" {
	requires_root
	requires_user_tools
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	chmod 755 "$T"
	mkdir -m 755 "$T/root"
	for n in 1 2; do
		swap_attempt "$DEBIAN_PY" fifo
		end_attempt
		echo "attempt $n: started=$STARTED in $ELAPSED ms" >&2
		[ "$STARTED" = 1 ]
		[ "$ELAPSED" -lt 5000 ]
		grep -q '^Tracing 1 target' "$T/err"
	done
}

@test "a FIFO as --binary is refused at once" {
	requires_root
	mkfifo "$T/python3.12"
	run timeout 10 "$PYAUDIT" --binary "$T/python3.12" -d 1
	[ "$status" = 1 ]
	[[ "$output" == *"not a regular file"* ]]
}

@test "a command is never run when its tracing cannot be attached" {
	requires_root
	local lib=/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0
	[ -r "$lib" ] || skip "pyenv's 3.12 ($lib) absent"
	command -v capsh >/dev/null || skip "capsh absent"
	# Perf-event uprobes (the only kind before Linux 6.6's uprobe-multi
	# links, forced here) need CAP_SYS_ADMIN: without it nothing can be
	# attached. (With uprobe-multi links CAP_BPF and CAP_PERFMON suffice.)
	PYAUDIT_NO_UPROBE_MULTI=1 run timeout 20 capsh --drop=cap_sys_admin -- -c \
		"'$PYAUDIT' --binary '$lib' -- touch '$T/ran'"
	[ "$status" = 1 ]
	[[ "$output" == *"CAP_SYS_ADMIN"* ]]
	sleep 0.5
	[ ! -e "$T/ran" ]
	# and no child left behind at the gate
	! pgrep -f "touch $T/ran"
}

@test "no probe attached for lack of privilege: exit 1 naming the capability, never blind" {
	requires_root
	command -v capsh >/dev/null || skip "capsh absent"
	# perf-event uprobes, as on kernels before 6.6: they need CAP_SYS_ADMIN
	PYAUDIT_NO_UPROBE_MULTI=1 run timeout 30 capsh --drop=cap_sys_admin -- -c "'$PYAUDIT' -d 1"
	[ "$status" = 1 ]
	[[ "$output" == *"needs CAP_SYS_ADMIN"* ]]
	[[ "$output" != *"Tracing 0 targets"* ]]
}

# plant_link NAME: a root-owned 0600 file $T/victim holding "secret", and
# the user's symlink $T/u/NAME to it.
plant_link() {
	command -v setpriv >/dev/null || skip "setpriv absent"
	chmod 755 "$T"
	printf 'secret\n' >"$T/victim"
	chmod 600 "$T/victim"
	mkdir "$T/u"
	chown $NOBODY:$NOBODY "$T/u"
	as_user ln -s "$T/victim" "$T/u/$1"
}

@test "-o on a symlink another user planted is refused; the file it names is untouched" {
	requires_root
	plant_link log
	run timeout 20 "$PYAUDIT" -o "$T/u/log" -d 0.2 -e nothing
	[ "$status" = 1 ]
	[[ "$output" == *"symlink owned by uid $NOBODY"* ]]
	[ "$(cat "$T/victim")" = secret ]
	# root's own symlinks are followed
	ln -s "$T/mine" "$T/rootlink"
	run timeout 20 "$PYAUDIT" -o "$T/rootlink" -d 0.2 -e nothing
	[ "$status" = 0 ]
	grep -q EVENT "$T/mine"
}

@test "--record on a symlink another user planted is refused; nothing is truncated" {
	requires_root
	plant_link rec
	run timeout 20 "$PYAUDIT" --record "$T/u/rec" -d 0.2 -e nothing
	[ "$status" = 1 ]
	[ "$(cat "$T/victim")" = secret ]
}

@test "--record never overwrites a file with data unless --record-force" {
	requires_root
	printf 'an earlier record\n' >"$T/rec"
	run timeout 20 "$PYAUDIT" --record "$T/rec" -d 0.2 -e nothing
	[ "$status" = 1 ]
	[[ "$output" == *"--record-force"* ]]
	[ "$(cat "$T/rec")" = "an earlier record" ]
	run timeout 20 "$PYAUDIT" --record "$T/rec" --record-force -d 0.2 -e nothing
	echo "$output"
	[ "$status" = 0 ]
	# truncated (records of other Pythons may follow)
	! grep -q "an earlier record" "$T/rec"
}

@test "-o on a FIFO without a reader: start-up does not block, -d is honoured" {
	requires_root
	mkfifo "$T/fifo"
	run timeout 20 "$PYAUDIT" -o "$T/fifo" -d 1 -e nothing
	[ "$status" = 0 ]
}

@test "--ring-size 1G, as the message offers, is taken; a ring smaller than two records is not" {
	requires_root
	run timeout 20 "$PYAUDIT" --ring-size 1G -d 0.2 -e nothing
	[ "$status" = 0 ]
	run "$PYAUDIT" --ring-size 4096 -d 0.2
	[ "$status" = 64 ]
	[[ "$output" == *"from 32k to 1G"* ]]
}

@test "-s 0 is the table at exit, never a command named 0" {
	requires_root
	run timeout 20 "$PYAUDIT" -s 0 -d 0.3 -e nothing
	[ "$status" = 0 ]
	[[ "$output" == *"totals"* ]]
	[[ "$output" != *"cannot run"* ]]
	run "$PYAUDIT" -s -1 -d 0.3
	[ "$status" = 64 ]
}

@test "system-wide with no Python found yet: says it waits, exit 0" {
	requires_root
	command -v unshare >/dev/null || skip "unshare absent"
	# A mount and pid namespace (its own /proc: no Python runs there)
	# where every Python file of the host is hidden. That a Python
	# started later is then traced is targets.bats's (not here: the
	# watcher's pids are the host's, this /proc is the namespace's).
	cat >"$T/nopy.sh" <<-SCRIPT
	set -e
	for f in /usr/bin/python3.11 /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0; do
		[ -e "\$f" ] && mount --bind /dev/null "\$f"
	done
	for d in /root/.pyenv /opt; do
		[ -d "\$d" ] && mount -t tmpfs none "\$d"
	done
	exec "$PYAUDIT" -d 1 -e nothing
	SCRIPT
	run timeout 30 unshare -mpf --mount-proc sh "$T/nopy.sh"
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *"No Python found yet: waiting"* ]]
	[[ "$output" != *"Tracing 0 targets"* ]]
}
