#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A/B of two pyaudit binaries on the event path (root; about 20 s a
# round): for each round, Python and condition, the old binary then the
# new one, each attached to private copies of Debian's python3.11
# (USDT) and of a pyenv libpython (uprobes), running the loops of
# tests/bench/loop.py. Interleaved, so that a machine whose load changes
# (other jobs) skews both alike; the BPF programs' own time per run
# (bpf_stats, as scripts/profile-bpf.sh) is what load skews least.
#
# Usage: scripts/profile-ab.sh OLD NEW [ROUNDS [CONDITION...]]
# Conditions: filtered (-e nothing.matches), argrej (an argument
# condition that rejects), summary (-s), nosrc (--no-source), full.
# Prints one line per run, then the medians: added ns per iteration over
# the untraced loop, and BPF ns per run, old and new.
# Environment: PROFILE_N (iterations, 100000), BENCH_PY311, BENCH_PYENV.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
die() { echo "profile-ab: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 OLD NEW [ROUNDS [CONDITION...]]"
A=$1 B=$2 R=${3:-3}
shift $(($# < 3 ? $# : 3))
conds=("$@")
[ ${#conds[@]} -eq 0 ] && conds=(filtered argrej summary nosrc)
[ "$(id -u)" = 0 ] || die "run as root"
for b in "$A" "$B"; do
	[ -x "$b" ] || die "$b is not an executable"
done
for t in bpftool jq awk; do
	command -v $t >/dev/null || die "$t not found"
done
N=${PROFILE_N:-100000}
PY311=${BENCH_PY311:-/usr/bin/python3.11}
# shellcheck disable=SC2012
pyenv_dir=${BENCH_PYENV:-$(ls -d /root/.pyenv/versions/3.1[23].* 2>/dev/null | sort -V | head -n 1)}
[ -n "$pyenv_dir" ] || die "no pyenv 3.12/3.13 (set BENCH_PYENV)"
ver=$(basename "$pyenv_dir" | cut -d. -f1-2)
loop=$PWD/tests/bench/loop.py
tmp=$(mktemp -d /tmp/pyaudit-ab.XXXXXX)
out=$tmp/runs
. scripts/bench-lib.sh
bpf_stats_session "$tmp"

declare -A args=(
	[filtered]="--json -e nothing.matches"
	[argrej]="--json -e builtins.id:arg0=zzz -e bench.ev:arg0=zzz"
	[summary]="-s"
	[nosrc]="--json --no-source"
	[full]="--json"
)

cp "$PY311" "$tmp/py311" || die "cannot copy $PY311"
mkdir -p "$tmp/lib"
cp "$pyenv_dir/lib/libpython$ver.so.1.0" "$tmp/lib/" || die "no libpython$ver.so.1.0 in $pyenv_dir"
declare -A file=([usdt]=$tmp/py311 [uprobes]=$tmp/lib/libpython$ver.so.1.0)
run_py() {
	local p=$1
	shift
	if [ "$p" = usdt ]; then
		"$tmp/py311" "$@"
	else
		LD_LIBRARY_PATH=$tmp/lib "$pyenv_dir/bin/python$ver" "$@"
	fi
}

echo "pyaudit A/B, $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "old: $A; new: $B; $R rounds of $N iterations; usdt: $PY311, uprobes: $pyenv_dir"
for r in $(seq "$R"); do
	for p in usdt uprobes; do
		for l in c py; do echo "U $r $p - $l $(run_py $p "$loop" $l "$N" 2)"; done
		for c in "${conds[@]}"; do
			for bin in old new; do
				exe=$A
				[ $bin = new ] && exe=$B
				# shellcheck disable=SC2086
				start_tracer pyaudit 0 "${file[$p]}" /dev/null "$tmp/err" \
					"$exe" ${args[$c]} --binary "${file[$p]}" || continue
				for l in c py; do
					before=$(bpf_totals)
					v=$(run_py $p "$loop" $l "$N" 2)
					after=$(bpf_totals)
					echo "$bin $r $p $c $l $v $before $after" | awk '{
						r = $9 - $7; t = $10 - $8
						printf "%s %s %s %s %s %s %d %.1f\n", $1, $2, $3, $4, $5, $6, r, r ? t / r : 0 }'
				done
				stop_tracer
			done
		done
	done
done | tee "$out"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk '
function med(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[i] > a[j]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "U" { k = $3 " " $5; un[k, ++nu[k]] = $6; next }
{ k = $3 " " $4 " " $5; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
  kb = $1 " " k; lv[kb, ++n[kb]] = $6; bv[kb, n[kb]] = $8 }
END {
	printf "%-8s %-9s %-9s %9s %9s %9s %9s\n", "probe", "mode", "loop", "added", "added", "bpf ns", "bpf ns"
	printf "%-8s %-9s %-9s %9s %9s %9s %9s\n", "", "", "", "old", "new", "old", "new"
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, f, " "); uk = f[1] " " f[3]
		m = nu[uk]; for (j = 1; j <= m; j++) x[j] = un[uk, j]; u = med(x, m)
		for (b = 0; b < 2; b++) {
			bn = b ? "new" : "old"; kb = bn " " k; m = n[kb]
			for (j = 1; j <= m; j++) x[j] = lv[kb, j]; L[bn] = med(x, m) - u
			for (j = 1; j <= m; j++) x[j] = bv[kb, j]; P[bn] = med(x, m)
		}
		printf "%-8s %-9s %-9s %9.1f %9.1f %9.1f %9.1f\n", f[1], f[2], f[3] == "c" ? "id(x)" : "sys.audit", L["old"], L["new"], P["old"], P["new"]
	}
}' "$out"
