# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by scripts/bench.sh, scripts/bench-service.sh and
# scripts/profile-bpf.sh: tracers started and stopped the same way in
# each. Uses and sets the caller's tracer_pid.

# Uprobes (and USDT probes) on FILE, from `bpftool perf list`: "PID OFFSET"
# per probe.
probes_on() {
	bpftool perf list 2>/dev/null |
		awk -v f="$1" '$7 == "uprobe" && $9 == f { print $2, $11 }'
}

# The file offsets our tracer probes on FILE, in hex.
my_offsets() {
	probes_on "$1" | awk -v p="$tracer_pid" '$1 == p { printf "0x%x\n", $2 }' | sort | paste -sd ' '
}

# Processes other than ours with probes on FILE (other tracers skew
# every figure of that file).
others_on() {
	probes_on "$1" | awk -v me="${tracer_pid:-0}" '$1 != me { print $1 }' | sort -u |
		while read -r p; do printf '%s(%s) ' "$p" "$(cat /proc/$p/comm 2>/dev/null)"; done
}

# start_tracer KIND NPROBES FILE OUT ERR CMD...: start a tracer, wait
# until it is ready: pyaudit prints "Tracing..." on stderr once attached;
# bpftrace prints "Attaching N probes..." before attaching (and to its -o
# file), so readiness is its NPROBES uprobes on FILE in `bpftool perf list`.
start_tracer() {
	local kind=$1 nprobes=$2 file=$3 out=$4 err=$5 i
	shift 5
	: >"$err"	# no stale ready line from the previous tracer
	"$@" >"$out" 2>"$err" &
	tracer_pid=$!
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$tracer_pid" 2>/dev/null; then
			wait "$tracer_pid"
			tracer_pid=
			echo "bench: tracer ended before it was ready: $*" >&2
			sed 's/^/    /' "$err" "$out" | grep -v RLIMIT_MEMLOCK | head -5 >&2
			return 1
		fi
		if [ "$kind" = pyaudit ]; then
			grep -q '^Tracing' "$err" && return 0
		else
			[ "$(probes_on "$file" | awk -v p="$tracer_pid" '$1 == p' | wc -l)" -ge "$nprobes" ] &&
				return 0
		fi
		sleep 0.05
	done
	echo "bench: tracer not ready after 30 s: $*" >&2
	stop_tracer
	return 1
}

# SIGINT, and wait for the end. A tracer may miss a first SIGINT (a
# background job starts with SIGINT ignored until the tracer installs
# its handler): SIGINT again every 2 s, SIGTERM after 20 s, SIGKILL
# after 30 s.
stop_tracer() {
	local i
	kill -INT "$tracer_pid" 2>/dev/null
	for ((i = 1; i <= 300; i++)); do
		sleep 0.1
		kill -0 "$tracer_pid" 2>/dev/null || break
		((i % 20 == 0 && i < 200)) && kill -INT "$tracer_pid" 2>/dev/null
		((i == 200)) && kill -TERM "$tracer_pid" 2>/dev/null
	done
	if kill -0 "$tracer_pid" 2>/dev/null; then
		echo "bench: tracer $tracer_pid still running 30 s after SIGINT: killed" >&2
		kill -KILL "$tracer_pid" 2>/dev/null
	fi
	wait "$tracer_pid"
	tracer_pid=
}

# "RUNS NS" summed over the uprobe/USDT programs (type kprobe) of our
# tracer's BPF links: from /proc/PID/fdinfo, because bpftool 7.1 lists
# neither uprobe_multi links nor their owner.
bpf_totals() {
	local id
	for id in $(grep -h '^prog_id:' /proc/"$tracer_pid"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u); do
		bpftool prog show id "$id" --json 2>/dev/null |
			jq -r 'select(.type == "kprobe") | "\(.run_cnt // 0) \(.run_time_ns // 0)"'
	done | awk '{ r += $1; t += $2 } END { print r + 0, t + 0 }'
}

# bpf_stats_session TMP: kernel.bpf_stats_enabled on until the script
# exits, then restored; at exit the tracer stopped and TMP removed.
bpf_stats_session() {
	tracer_pid=
	stats_tmp=$1
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	trap bpf_stats_cleanup EXIT
	trap 'exit 130' INT TERM
	sysctl -qw kernel.bpf_stats_enabled=1 || die "cannot set kernel.bpf_stats_enabled"
}

bpf_stats_cleanup() {
	[ -n "$tracer_pid" ] && stop_tracer
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$stats_tmp"
}
