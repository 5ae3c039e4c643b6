#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Operations files: the man page, the systemd unit, the logrotate snippet,
# the Vector and Fluent Bit examples, and `make install`. They must agree
# on one log path (the -o of the unit's ExecStart). Vector and Fluent Bit
# are not packaged in Debian 12: their files are checked statically. Only
# the last test needs root.

load common

REPO=$BATS_TEST_DIRNAME/../..
UNIT=$REPO/packaging/pyaudit.service
LOGROTATE=$REPO/packaging/pyaudit.logrotate
MANPAGE=$REPO/docs/pyaudit.8
VECTOR=$REPO/docs/vector.toml
FLUENTBIT=$REPO/docs/fluent-bit.conf
# tomllib: Python 3.11 or later.
OPS_PY=${OPS_PY:-/usr/bin/python3.11}

# not_grep ARGS...: fail, showing the lines, if grep finds something
# (a bare "! grep" would not fail a bats test unless it came last).
not_grep() {
	if grep -n "$@"; then
		echo "unexpected match: grep $*" >&2
		return 1
	fi
}

requires_ops_py() {
	[ -x "$OPS_PY" ] || skip "$OPS_PY absent (needed for tomllib)"
}

# unit_value KEY: the value of KEY= in the unit (last one wins).
unit_value() {
	sed -n "s/^$1=//p" "$UNIT" | tail -n 1
}

# The file given to -o/--output in the unit's ExecStart.
service_log_path() {
	local -a argv
	local i
	read -r -a argv <<<"$(unit_value ExecStart)"
	for ((i = 1; i < ${#argv[@]}; i++)); do
		case ${argv[i]} in
		-o | --output) echo "${argv[i + 1]}"; return 0 ;;
		--output=*) echo "${argv[i]#--output=}"; return 0 ;;
		-o?*) echo "${argv[i]#-o}"; return 0 ;;
		esac
	done
	return 1
}

# logrotate_copy [COMMAND]: a copy of the logrotate snippet for $T/log,
# its postrotate command replaced by COMMAND (by default one that leaves
# a mark): the real one would signal every pyaudit on this machine.
logrotate_copy() {
	local dir cmd=${1:-touch $T/hup}
	dir=$(dirname "$(service_log_path)")
	mkdir -p "$T/log"
	sed -e "s|$dir/|$T/log/|g" \
	    -e "s|^\([[:space:]]*\)systemctl kill .*|\1$cmd|" \
	    "$LOGROTATE" >"$T/logrotate.conf"
	not_grep -q "$dir" "$T/logrotate.conf"
	grep -qF "$cmd" "$T/logrotate.conf"
}

render_man() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$1" 2>"$T/man.err" >"$T/man.out"
}

@test "ops: the unit runs pyaudit --json -o into /var/log/pyaudit, reloads with SIGHUP, keeps BPF's capabilities" {
	run service_log_path
	[ "$status" -eq 0 ]
	[ "$output" = /var/log/pyaudit/audit.jsonl ]
	# make install's default PREFIX, rewritten by make install otherwise
	[[ "$(unit_value ExecStart)" == "/usr/local/sbin/pyaudit "* ]]
	[[ " $(unit_value ExecStart) " == *" --json "* || " $(unit_value ExecStart) " == *" -j "* ]]
	[ "$(unit_value ExecReload)" = '/bin/kill -HUP $MAINPID' ]
	# active once attached (READY=1), health in STATUS= and the log
	[ "$(unit_value Type)" = notify ]
	[[ " $(unit_value ExecStart) " == *" --stats "* ]]
	[ "$(unit_value Restart)" = on-failure ]
	[ "$(unit_value LogsDirectory)" = pyaudit ]
	local cap
	for cap in CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_SYS_ADMIN; do
		[[ " $(unit_value CapabilityBoundingSet) " == *" $cap "* ]]
		[[ " $(unit_value AmbientCapabilities) " == *" $cap "* ]]
	done
	# what would hide other processes or their files from pyaudit
	not_grep -E '^(ProtectProc=invisible|ProtectProc=noaccess|ProcSubset=pid|PrivateTmp=(yes|true)|ProtectHome=(yes|true|tmpfs)|PrivateUsers=(yes|true))' "$UNIT"
}

@test "ops: systemd-analyze verify accepts the unit" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze absent"
	# The program need not be installed here: point ExecStart at an
	# executable; the man page of Documentation= is found through MANPATH.
	mkdir -p "$T/man/man8"
	cp "$MANPAGE" "$T/man/man8/pyaudit.8"
	sed "s|^ExecStart=[^ ]*|ExecStart=/bin/true|" "$UNIT" >"$T/pyaudit.service"
	run env MANPATH="$T/man" systemd-analyze verify "$T/pyaudit.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ops: the man page renders without warnings and documents every option" {
	command -v man >/dev/null || skip "man absent (apt-get install man-db groff-base)"
	render_man "$MANPAGE"
	cat "$T/man.err"
	[ ! -s "$T/man.err" ]
	grep -q 'pyaudit 0.1.0' "$T/man.out"
	local s
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES 'OUTPUT FIELDS' OVERHEAD 'EXIT STATUS' FILES 'SEE ALSO'; do
		grep -q "^$s\$" "$T/man.out" || { echo "no section $s" >&2; return 1; }
	done
	local o
	for o in --pid --binary --event --exclude --uid --comm --cgroup --container \
		 --json --output -T -U -P -C --summary --duration --ring-size --list -vv -V --help; do
		grep -q -- "$o" "$T/man.out" || { echo "option $o not documented" >&2; return 1; }
	done
	grep -q 'bpftrace(8)' "$T/man.out"
	grep -q 'python3(1)' "$T/man.out"
	grep -q "$(service_log_path)" "$T/man.out"
	# Every "-" is written "\-" (outside comments and .TH): a plain "-" is
	# a hyphen, which some groff setups print as U+2010, and an option
	# copied from the page would then not work.
	not_grep -P '^(?!\.\\")(?!\.TH ).*(?<!\\)-' "$MANPAGE"
}

@test "ops: the logrotate snippet names the service's log directory and passes logrotate -d" {
	command -v logrotate >/dev/null || skip "logrotate absent (apt-get install logrotate)"
	local dir
	dir=$(dirname "$(service_log_path)")
	grep -Eq "^$dir/\*\.jsonl[[:space:]]*\{" "$LOGROTATE"
	local d
	for d in daily 'rotate 14' compress delaycompress missingok notifempty 'create 0640 root adm'; do
		grep -Eq "^[[:space:]]+$d\$" "$LOGROTATE" || { echo "no $d" >&2; return 1; }
	done
	# the service's main process, never every pyaudit on the host
	grep -q 'systemctl kill -s HUP --kill-whom=main pyaudit.service' "$LOGROTATE"
	not_grep -E 'pkill|killall' "$LOGROTATE"
	logrotate_copy
	echo '{"time":"2026-11-24T17:34:49.055621900Z","event":"x"}' >"$T/log/audit.jsonl"
	run logrotate -d -s "$T/state" "$T/logrotate.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	not_grep -i 'error' <<<"$output"
	grep -q "considering log $T/log/audit.jsonl" <<<"$output"
}

@test "ops: logrotate rotates, compresses a day late and signals (root: chown to root:adm)" {
	command -v logrotate >/dev/null || skip "logrotate absent (apt-get install logrotate)"
	[ "$(id -u)" = 0 ] || skip "needs root (create 0640 root adm)"
	getent group adm >/dev/null || skip "no adm group here"
	logrotate_copy
	echo '{"n":1}' >"$T/log/audit.jsonl"
	logrotate -f -s "$T/state" "$T/logrotate.conf"
	[ -e "$T/hup" ]
	[ "$(cat "$T/log/audit.jsonl.1")" = '{"n":1}' ]
	[ "$(stat -c '%a %U %G %s' "$T/log/audit.jsonl")" = '640 root adm 0' ]
	echo '{"n":2}' >>"$T/log/audit.jsonl"
	rm "$T/hup"
	logrotate -f -s "$T/state" "$T/logrotate.conf"
	[ -e "$T/hup" ]
	[ "$(cat "$T/log/audit.jsonl.1")" = '{"n":2}' ]
	[ "$(gzip -dc "$T/log/audit.jsonl.2.gz")" = '{"n":1}' ]
}

@test "ops: Vector config parses, reads the service's log and parses each line as JSON" {
	requires_ops_py
	run "$OPS_PY" - "$VECTOR" "$(service_log_path)" <<'EOF'
import fnmatch, re, sys, tomllib

path, log = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
cfg = tomllib.loads(text)

sources = cfg["sources"]
files = {k: v for k, v in sources.items() if v["type"] == "file"}
assert len(files) == 1, files
(src_id, src), = files.items()
assert any(fnmatch.fnmatchcase(log, g) for g in src["include"]), (src["include"], log)
# logrotate's renamed and compressed files are not read again
for rotated in (log + ".1", log + ".2.gz"):
    assert not any(fnmatch.fnmatchcase(rotated, g) for g in src["include"]), rotated

remaps = {k: v for k, v in cfg["transforms"].items() if v["type"] == "remap"}
assert len(remaps) == 1, remaps
(remap_id, remap), = remaps.items()
assert remap["inputs"] == [src_id], remap["inputs"]
code = [l.split("#")[0].strip() for l in remap["source"].splitlines()]
assert ". = parse_json!(.message)" in code, code
# nothing dropped: no filter, no abort, failed parses pass through
assert remap.get("drop_on_error", False) is False
assert remap.get("drop_on_abort", True) is False
assert not any(re.match(r"(abort|del\(\.\)|filter)", l) for l in code), code
assert not any(v["type"] == "filter" for v in cfg["transforms"].values())

sinks = cfg["sinks"]
console = [s for s in sinks.values() if s["type"] == "console"]
assert len(console) == 1 and console[0]["encoding"]["codec"] == "json", sinks
for s in sinks.values():
    assert s["inputs"] == [remap_id], s

# The commented sinks are valid TOML once uncommented, and read the remap.
blocks, cur = [], None
for line in text.splitlines():
    m = re.match(r"^# (\[sinks\.\w+\])$", line)
    if m:
        cur = [m.group(1)]
        blocks.append(cur)
    elif cur is not None and line.startswith("# ") and not line.startswith("# #"):
        cur.append(line[2:])
    elif cur is not None and not line.startswith("# #"):
        cur = None
assert {b[0] for b in blocks} >= {"[sinks.elasticsearch]", "[sinks.http]"}, blocks
for b in blocks:
    extra = tomllib.loads("\n".join(b))
    (kind, sink), = extra["sinks"].items()
    assert sink["type"] == kind and sink["inputs"] == [remap_id], sink
print("ok")
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

@test "ops: Fluent Bit tails the service's log with a JSON parser that reads pyaudit's time" {
	requires_ops_py
	run "$OPS_PY" - "$FLUENTBIT" "$(service_log_path)" "$REPO/docs/output.md" <<'EOF'
import fnmatch, json, os, re, sys

conf, log, output_md = sys.argv[1:4]

def sections(path):
    """Fluent Bit's classic format: [SECTION] then 'Key value' lines."""
    out = []
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            out.append((m.group(1).upper(), {}))
            continue
        assert raw[0] in " \t", f"{path}: key outside a section: {raw!r}"
        key, _, value = line.partition(" ")
        assert out and value.strip(), f"{path}: {raw!r}"
        out[-1][1][key.lower()] = value.strip()
    return out

secs = sections(conf)
service = [s for n, s in secs if n == "SERVICE"]
assert len(service) == 1
parsers_file = os.path.join(os.path.dirname(conf), service[0]["parsers_file"])
parsers = {s["name"]: s for n, s in sections(parsers_file) if n == "PARSER"}

inputs = [s for n, s in secs if n == "INPUT"]
assert len(inputs) == 1, inputs
inp = inputs[0]
assert inp["name"] == "tail"
assert fnmatch.fnmatchcase(log, inp["path"]), (inp["path"], log)
assert not fnmatch.fnmatchcase(log + ".2.gz", inp["path"])
assert inp["db"].startswith("/"), inp
assert int(inp["rotate_wait"]) > 0, inp

parser = parsers[inp["parser"]]
assert parser["format"] == "json", parser
assert parser["time_key"] == "time", parser
assert parser.get("time_keep", "off").lower() in ("on", "true"), parser
# The time format must match pyaudit's "time" (docs/output.md's example).
sample = re.search(r'^\s*(\{"time".*\})$', open(output_md).read(), re.M).group(1)
t = json.loads(sample)["time"]
conv = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%H": r"\d{2}",
        "%M": r"\d{2}", "%S": r"\d{2}", "%L": r"\d{1,9}", "%z": r"(Z|[+-]\d{4})"}
rx = "".join(conv.get(tok, re.escape(tok))
             for tok in re.findall(r"%[A-Za-z]|.", parser["time_format"]))
assert re.fullmatch(rx, t), (parser["time_format"], t)

outputs = [s for n, s in secs if n == "OUTPUT"]
assert any(o["name"] == "stdout" for o in outputs), outputs
for o in outputs:
    assert fnmatch.fnmatchcase(inp["tag"], o["match"]), (o, inp["tag"])
assert re.search(r"^#\s*\[OUTPUT\]\s*\n#\s+Name\s+forward$",
                 open(conf).read(), re.M), "no commented forward output"
print("ok")
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

@test "ops: make install DESTDIR=... PREFIX=/usr installs the program, man page, unit and logrotate snippet" {
	local root=$T/root
	run make -C "$REPO" install DESTDIR="$root" PREFIX=/usr
	echo "$output"
	[ "$status" -eq 0 ]
	[ -x "$root/usr/sbin/pyaudit" ]
	[ "$(stat -c %a "$root/usr/sbin/pyaudit")" = 755 ]
	local f
	for f in usr/share/man/man8/pyaudit.8 usr/lib/systemd/system/pyaudit.service etc/logrotate.d/pyaudit; do
		[ -f "$root/$f" ] || { echo "$f not installed" >&2; return 1; }
		[ "$(stat -c %a "$root/$f")" = 644 ]
	done
	cmp "$MANPAGE" "$root/usr/share/man/man8/pyaudit.8"
	cmp "$LOGROTATE" "$root/etc/logrotate.d/pyaudit"
	# the unit names the installed program, nothing else changed
	grep -qx 'ExecStart=/usr/sbin/pyaudit --profile security --json --stats 60 -o /var/log/pyaudit/audit.jsonl' \
		"$root/usr/lib/systemd/system/pyaudit.service"
	diff <(sed 's|/usr/local/sbin/pyaudit|/usr/sbin/pyaudit|' "$UNIT") \
		"$root/usr/lib/systemd/system/pyaudit.service"
	# nothing else installed
	[ "$(cd "$root" && find . -type f | sort | tr '\n' ' ')" = \
	  "./etc/logrotate.d/pyaudit ./usr/lib/systemd/system/pyaudit.service ./usr/sbin/pyaudit ./usr/share/man/man8/pyaudit.8 " ]
	if command -v systemd-analyze >/dev/null; then
		# the installed unit, its ExecStart pointing into DESTDIR
		sed "s|^ExecStart=/usr/sbin/pyaudit|ExecStart=$root/usr/sbin/pyaudit|" \
			"$root/usr/lib/systemd/system/pyaudit.service" >"$T/pyaudit.service"
		run env MANPATH="$root/usr/share/man" systemd-analyze verify "$T/pyaudit.service"
		echo "$output"
		[ "$status" -eq 0 ]
	fi
}

@test "ops: the logrotate snippet rotates a running pyaudit -o log; no event lost (root)" {
	requires_root
	command -v logrotate >/dev/null || skip "logrotate absent (apt-get install logrotate)"
	getent group adm >/dev/null || skip "no adm group here"
	local py=/usr/bin/python3.11
	requires_python "$py" "Debian's $py"
	mkdir -p "$T/log"
	echo '{"previous":"line"}' >"$T/log/audit.jsonl"
	start_pyaudit --json -o "$T/log/audit.jsonl" --binary "$py" -e 'pyaudit.ops.*'
	"$py" -c 'import sys; sys.audit("pyaudit.ops.before", 1)'
	sleep 0.5
	# as logrotate would run it, the signal going to this pyaudit only
	logrotate_copy "kill -HUP $PA_PID"
	logrotate -f -s "$T/state" "$T/logrotate.conf"
	sleep 0.3
	kill -0 "$PA_PID"
	"$py" -c 'import sys; sys.audit("pyaudit.ops.after", 2)'
	sleep 0.5
	stop_pyaudit
	cat "$T/err"
	# appended after what was there; then the file logrotate created
	[ "$(head -n 1 "$T/log/audit.jsonl.1")" = '{"previous":"line"}' ]
	[ "$(jq -r 'select(.event != null) | .event' "$T/log/audit.jsonl.1")" = pyaudit.ops.before ]
	[ "$(jq -r 'select(.event != null) | .event' "$T/log/audit.jsonl")" = pyaudit.ops.after ]
	# each file begins with the host record (issue 14)
	[ "$(head -n 1 "$T/log/audit.jsonl" | jq -r .type)" = host ]
	[ "$(stat -c '%a %U %G' "$T/log/audit.jsonl")" = '640 root adm' ]
	# nothing on stdout with -o
	[ ! -s "$T/out" ]
}
