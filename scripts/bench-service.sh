#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `make bench-service` (and the last part of `make bench`): what tracing
# costs a real service. tests/bench/service.py serves HTTP on Debian's
# python3.11 (USDT; ThreadingHTTPServer, logging to a file, a file opened
# and JSON parsed per request, a command every 50th request), and a
# client on another Python (not traced) measures the requests per second for SVC_SECS
# seconds, under: nothing; bpftrace with an empty probe (the floor any tracer
# of these events pays); bpftrace printing each event's name; pyaudit
# --json; --json --no-source; the security profile (--profile security,
# or an -e list of security events where this pyaudit has no profiles);
# -s. Prints requests/s, the slowdown in percent, the server's CPU time
# per request (utime + stime over the requests answered: the BPF
# programs run in the server's context, so this is the tracing cost the
# service itself pays, less noisy than requests/s, which also moves with
# whatever else runs on the CPUs) and the events per request (counted by
# pyaudit -s). The server runs from a private copy
# of the executable, probed with --binary COPY: other Pythons of the
# machine are neither traced nor counted. SVC_REPS rounds, each running every
# condition once in turn (so that a change of the machine's load falls on
# all of them); the best run of each condition is kept, and the untraced
# server is measured once more at the end to show the drift.
#
# Environment: SVC_SECS (5), SVC_REPS (3), SVC_CONNS (client threads, 2),
# SVC_CONDS (some of "empty print full nosrc security summary": these only,
# with the untraced server),
# BENCH_PY311, SVC_CLIENT (a Python for the client, default a pyenv one
# or python3), BENCH_BPFTRACE, PYAUDIT, SVC_RESULT (a file to which the
# slowdowns are appended as "KEY PERCENT" lines, and "drift PERCENT":
# make bench's targets table).
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
PYAUDIT=${PYAUDIT:-$root/pyaudit}
PY311=${BENCH_PY311:-/usr/bin/python3.11}
SECS=${SVC_SECS:-5}
REPS=${SVC_REPS:-3}
CONNS=${SVC_CONNS:-2}
svc=$root/tests/bench/service.py
# Events a security profile keeps: commands, code, network, files
# changed, native code; not open, sys._getframe and the other frequent
# ones (used when pyaudit has no --profile).
SECURITY_EVENTS='subprocess.*,os.system,os.exec,os.posix_spawn,os.spawn,os.fork*,exec,compile,socket.connect,socket.bind,os.remove,os.rename,shutil.*,ctypes.*,pickle.find_class,urllib.Request'

die() { echo "bench-service: $*" >&2; exit 1; }
note() { echo "  note: $*"; }

[ "$(id -u)" = 0 ] || die "run as root (sudo make bench-service)"
[ -x "$PYAUDIT" ] || die "$PYAUDIT not built (make)"
[ -x "$PY311" ] || die "$PY311 not found"
CLIENT=${SVC_CLIENT:-$(ls -d /root/.pyenv/versions/3.1[0-3].*/bin/python3 2>/dev/null | sort -V | tail -n 1)}
[ -n "$CLIENT" ] || CLIENT=$(command -v python3)
[ "$(readlink -f "$CLIENT")" != "$(readlink -f "$PY311")" ] ||
	die "the client must run on another Python than the traced $PY311 (SVC_CLIENT)"
BPFTRACE=${BENCH_BPFTRACE:-bpftrace}
command -v "$BPFTRACE" >/dev/null || BPFTRACE=

tmp=$(mktemp -d /tmp/pyaudit-service.XXXXXX)
tracer_pid=
server_pid=
cleanup() {
	[ -n "$tracer_pid" ] && stop_tracer
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. scripts/bench-lib.sh
PY311_ORIG=$PY311
PY311=$tmp/$(basename "$PY311")
cp "$PY311_ORIG" "$PY311" || die "cannot copy $PY311_ORIG"

if "$PYAUDIT" --help 2>&1 | grep -q -- '--profile'; then
	security=(--profile security)
	security_label="pyaudit --profile security"
else
	security=(-e "$SECURITY_EVENTS")
	security_label="pyaudit -e SECURITY_EVENTS"
fi
bt_print="usdt:$PY311:python:audit { printf(\"%s\\n\", str(arg0)); }"
# the floor: a probe that does nothing, what any tracer of these events pays
bt_empty="usdt:$PY311:python:audit { }"

# One server run under the current tracer: requests/s, or "fail". The
# server starts after the tracer (it is traced from its first event).
measure() {
	local out port rps j
	rm -rf "$tmp/data" "$tmp/cpu" "$tmp/ticks"
	mkdir "$tmp/data"
	: >"$tmp/port"
	"$PY311" "$svc" serve "$tmp/data" >"$tmp/port" 2>"$tmp/server.err" &
	server_pid=$!
	echo "$server_pid" >>"$tmp/server_pids"
	port=
	for ((j = 0; j < 100; j++)); do
		port=$(awk '$1 == "port" { print $2 }' "$tmp/port")
		[ -n "$port" ] && break
		sleep 0.05
	done
	if [ -n "$port" ]; then
		out=$("$CLIENT" "$svc" client "$port" "$SECS" "$CONNS" 2>"$tmp/client.err")
	fi
	# the server's CPU time (utime + stime, its exited threads
	# included: the tracer's BPF programs run in its context), in ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$server_pid/stat" >"$tmp/ticks" 2>/dev/null
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
	rps=$(awk '$1 == "requests" && $6 == 0 { print $4 }' <<<"${out:-}")
	if [ -z "$rps" ]; then
		echo "bench-service: no answer from the server: ${out:-} $(head -c 300 "$tmp/server.err" "$tmp/client.err")" >&2
		echo fail
		return
	fi
	awk '$1 == "requests" { print $2 }' <<<"$out" >>"$tmp/nreq"
	# CPU microseconds per request
	awk -v n="$(awk '$1 == "requests" { print $2 }' <<<"$out")" -v hz="$(getconf CLK_TCK)" \
		'{ if (n > 0) printf "%.1f\n", $1 * 1e6 / hz / n }' "$tmp/ticks" >"$tmp/cpu"
	echo "$rps"
}

declare -A rps cpu	# best requests/s, lowest server CPU µs per request
row() { # key label
	local v=${rps[$1]:-} base=${rps[untraced]:-} c=${cpu[$1]:--} cb=${cpu[untraced]:--}
	[[ " ${conds[*]} " == *" $1 "* ]] || return 0	# not run (SVC_CONDS)
	case "$v$base" in
	*fail* | '') printf '  %-36s %10s %10s\n' "$2" "${v:--}" - ;;
	*) awk -v v="$v" -v b="$base" -v l="$2" -v c="$c" -v cb="$cb" 'BEGIN {
		printf "  %-36s %10.1f %9.1f%%", l, v, (b - v) * 100 / b
		if (c != "-" && cb != "-" && cb > 0)
			printf " %9.1f %9.1f%%", c, (c - cb) * 100 / cb
		printf "\n" }'
	   # for make bench's targets table
	   if [ -n "${SVC_RESULT:-}" ]; then
		awk -v k="$1" -v v="$v" -v b="$base" -v c="$c" -v cb="$cb" 'BEGIN {
			printf "%s %.1f\n", k, (b - v) * 100 / b
			if (c != "-" && cb != "-" && cb > 0)
				printf "%s_cpu %.1f\n", k, (c - cb) * 100 / cb }' >>"$SVC_RESULT"
	   fi ;;
	esac
}

echo
echo "== a real service: tests/bench/service.py on a copy of $PY311_ORIG (USDT), client on $CLIENT"
echo "  $CONNS client threads, a new connection per request, ${SECS} s per run, the best of $REPS rounds"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A cmd=(
	[full]="$PYAUDIT --json --binary $PY311"
	[nosrc]="$PYAUDIT --json --no-source --binary $PY311"
	[summary]="$PYAUDIT -s --binary $PY311"
)
conds=(untraced full nosrc security summary)
[ -n "$BPFTRACE" ] && conds=(untraced empty print full nosrc security summary)
# SVC_CONDS: a subset, for more rounds of fewer conditions
# shellcheck disable=SC2206
[ -n "${SVC_CONDS:-}" ] && conds=(untraced ${SVC_CONDS//untraced/})

# run_cond COND: one run of the server under COND's tracer; sets rps[COND]
# to the best so far.
run_cond() {
	local c=$1 v ok=0
	case $c in
	untraced) ok=1 ;;
	print) start_tracer bpftrace 1 "$PY311" /dev/null "$tmp/bt.err" \
		"$BPFTRACE" --unsafe -o /dev/null -e "$bt_print" && ok=1 ;;
	empty) start_tracer bpftrace 1 "$PY311" /dev/null "$tmp/bt.err" \
		"$BPFTRACE" -o /dev/null -e "$bt_empty" && ok=1 ;;
	security) start_tracer pyaudit 0 "$PY311" "$tmp/sec.out" "$tmp/pa.err" \
		"$PYAUDIT" --json "${security[@]}" --binary "$PY311" && ok=1 ;;
	summary) : >"$tmp/server_pids"; : >"$tmp/nreq"
		# shellcheck disable=SC2086
		start_tracer pyaudit 0 "$PY311" "$tmp/sum.out" "$tmp/pa.err" ${cmd[$c]} && ok=1 ;;
	*)	# shellcheck disable=SC2086
		start_tracer pyaudit 0 "$PY311" /dev/null "$tmp/pa.err" ${cmd[$c]} && ok=1 ;;
	esac
	[ $ok = 1 ] || return
	v=$(measure)
	if [ "$c" = summary ]; then
		cp "$tmp/server_pids" "$tmp/sum_pids"
		cp "$tmp/nreq" "$tmp/sum_nreq"
	fi
	[ -n "$tracer_pid" ] && stop_tracer
	grep -q lost "$tmp/pa.err" 2>/dev/null && [ "$c" != untraced ] && [ "$c" != print ] && [ "$c" != empty ] &&
		note "$c: $(grep lost "$tmp/pa.err" | tail -n 1)"
	: >"$tmp/pa.err"
	[ "$v" = fail ] && { rps[$c]=${rps[$c]:-fail}; return; }
	# the lowest CPU time per request of the condition's runs
	local u
	u=$(cat "$tmp/cpu" 2>/dev/null)
	if [ -n "$u" ]; then
		case ${cpu[$c]:-} in
		'') cpu[$c]=$u ;;
		*) cpu[$c]=$(awk -v a="$u" -v b="${cpu[$c]}" 'BEGIN { print (a < b) ? a : b }') ;;
		esac
	fi
	case ${rps[$c]:-} in
	'' | fail) rps[$c]=$v ;;
	*) rps[$c]=$(awk -v a="$v" -v b="${rps[$c]}" 'BEGIN { print (a > b) ? a : b }') ;;
	esac
}

for ((r = 0; r < REPS; r++)); do
	for c in "${conds[@]}"; do
		run_cond "$c"
	done
done
# the baseline once more, at the end: shown, not kept (a fourth try
# would favour it over the others)
end_rps=$(measure)

printf '  %-36s %10s %10s %9s %10s\n' "" "requests/s" "slowdown" "CPU µs/r" "CPU added"
row untraced "untraced"
row empty "bpftrace empty probe (the floor)"
row print "bpftrace printf event name"
row full "pyaudit --json"
row nosrc "pyaudit --json --no-source"
row security "$security_label"
row summary "pyaudit -s"
echo "  untraced again at the end: $end_rps requests/s (the rows' spread on this machine)"
[ -n "${SVC_RESULT:-}" ] && [ "$end_rps" != fail ] && [ -n "${rps[untraced]:-}" ] &&
	awk -v v="$end_rps" -v b="${rps[untraced]}" 'BEGIN { printf "drift %.1f\n", (b - v) * 100 / b }' >>"$SVC_RESULT"
[ "$security_label" = "pyaudit --profile security" ] ||
	note "this pyaudit has no --profile: the security condition is -e $SECURITY_EVENTS"
[ -s "$tmp/sec.out" ] && echo "  $security_label: $(wc -l <"$tmp/sec.out") events written in its last run"
if [ -s "$tmp/sum.out" ]; then
	# events per request, from the last -s run: the server's events
	# (its own pid; other Pythons of the machine are left out)
	nreq=$(awk '{ s += $1 } END { print s + 0 }' "$tmp/sum_nreq")
	awk 'NR == FNR { p[$1] = 1; next } $1 ~ /^[0-9]+$/ && ($2 in p) { n[$4] += $1; t += $1 }
		END { for (e in n) print n[e], e; print t + 0, "TOTAL" }' "$tmp/sum_pids" "$tmp/sum.out" |
		sort -rn >"$tmp/sum.top"
	total=$(awk '$2 == "TOTAL" { print $1 }' "$tmp/sum.top")
	echo "  pyaudit -s counted $total events of the server for $nreq requests ($(awk -v t="$total" -v n="$nreq" 'BEGIN { printf "%.1f", n ? t / n : 0 }') per request, start-up included); the most frequent:"
	grep -v TOTAL "$tmp/sum.top" | head -n 8 | awk '{ printf "    %9d  %s\n", $1, $2 }'
fi
