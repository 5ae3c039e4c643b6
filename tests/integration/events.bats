#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every Python here: the workload's events, decoded and named, in JSON and
# in text, and the same events an in-process audit hook sees.

load common

# check_workload: $T/out holds pyaudit's JSON of a workload run.
check_workload() {
	local pid
	pid=$(jq -s -r 'map(select(.event == "pyaudit.test.end")) | .[0].args.arg0' "$T/out")
	[ -n "$pid" ] && [ "$pid" != null ] || { echo "no end marker" >&2; cat "$T/err" >&2; return 1; }
	local P=".pid == $pid"
	# C-level events
	jq_ok "$P and .event == \"open\" and (.args.file | strings | endswith(\"/src.txt\")) and .args.mode == \"w\" and (.args.flags | type) == \"number\""
	jq_ok "$P and .event == \"os.listdir\" and (.args.path | strings | startswith(\"/tmp/pyaudit-test-\"))"
	jq_ok "$P and .event == \"socket.connect\" and .args.address[0] == \"127.0.0.1\" and (.args.address[1] | type) == \"number\" and .args.self.typename != null"
	jq_ok "$P and .event == \"compile\" and .args.source == {\"type\":\"bytes\",\"text\":\"x = 6 * 7\",\"base64\":\"eCA9IDYgKiA3\"} and .args.filename == \"<pyaudit-test>\""
	jq_ok "$P and .event == \"exec\" and .args.code_object.type == \"code\" and .args.code_object.filename == \"<pyaudit-test>\" and .args.code_object.name == \"<module>\""
	jq_ok "$P and .event == \"ctypes.dlopen\" and (.args.name | tostring | contains(\"libc.so\"))"
	# Python-level events
	jq_ok "$P and .event == \"subprocess.Popen\" and .args.args == [\"/bin/true\", \"pyaudit-argv-1\", \"arg two\"] and .args.executable == \"/bin/true\""
	jq_ok "$P and .event == \"shutil.copyfile\" and (.args.src | strings | endswith(\"/src.txt\")) and (.args.dst | strings | endswith(\"/dst.txt\"))"
	jq_ok "$P and .event == \"glob.glob\" and (.args.pathname | strings | endswith(\"/*.nothing\")) and .args.recursive == false"
	# every type, non-ASCII strings, negative and large ints
	jq_ok "$P and .event == \"pyaudit.test.types\" and ([.args[]] == [\"text\", {\"type\":\"bytes\",\"text\":\"by\\u0000tes\",\"base64\":\"YnkAdGVz\"}, 42, -7, 1267650600228229401496703205376, -18446744073709551616, 1.5, true, false, null, [1, \"a\"], [2, \"b\"], \"h\u00e9llo w\u00f6rld\", \"\u4e2d\u6587\", \"\ud83d\ude00\", 0])"
	jq_ok "$P and .event == \"pyaudit.test.objects\" and ([.args[]] == [{\"type\":\"class\",\"name\":\"int\"}, {\"type\":\"object\",\"typename\":\"Hostile\"}, {\"type\":\"class\",\"name\":\"Hostile\"}, {\"type\":\"code\",\"filename\":\"<pyaudit-test>\",\"name\":\"<module>\"}])"
	# no event twice
	[ "$(jq -s "map(select($P and .event == \"pyaudit.test.types\")) | length" "$T/out")" = 1 ]
	[ "$(jq -s "map(select($P and .event == \"subprocess.Popen\" and .args.args[1] == \"pyaudit-argv-1\")) | length" "$T/out")" = 1 ]
}

# run_version PYTHON [pyaudit options]: JSON, text, and the hook comparison.
run_version() {
	local py=$1
	shift
	PYAUDIT_HOOK_OUT=$T/hook.jsonl trace_command --json "$@" -- "$py" "$WORKLOAD"
	[ -s "$T/out" ] || { cat "$T/err" >&2; return 1; }
	check_workload
	pid=$(jq -s -r 'map(select(.event == "pyaudit.test.end")) | .[0].args.arg0' "$T/out")
	"$HELPER_PY" "$COMPARE" "$T/out" "$T/hook.jsonl" "$pid"
	# text output of the same workload
	trace_command "$@" -- "$py" "$WORKLOAD"
	grep -E "^[0-9:.]+ +[0-9]+ +[0-9]+ +\S+ +open file='/tmp/pyaudit-test-[^']*/src.txt' mode='w' flags=[0-9]+" "$T/out"
	grep -F "subprocess.Popen executable='/bin/true' args=['/bin/true', 'pyaudit-argv-1', 'arg two'] cwd=None env=None" "$T/out"
	grep -F "pyaudit.test.types arg0='text' arg1=b'by\\x00tes' arg2=42 arg3=-7 arg4=1267650600228229401496703205376 arg5=-18446744073709551616 arg6=1.5 arg7=True arg8=False arg9=None arg10=(1, 'a') arg11=[2, 'b'] arg12='héllo wörld' arg13='中文' arg14='😀' arg15=0" "$T/out"
}

@test "Debian /usr/bin/python3.11 (static libpython, USDT)" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	run_version /usr/bin/python3.11
	grep -q 'usdt' "$T/err" || true
}

@test "Debian libpython3.11.so.1.0 through an embedding program (USDT)" {
	requires_root
	[ -e /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 ] || skip "Debian's libpython3.11.so.1.0 absent on this machine"
	[ -x "$BUILD/tests/embed311" ] || skip "embedding program not built (libpython3.11-dev absent)"
	run_version "$BUILD/tests/embed311"
}

@test "CPython 3.8 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.8) || true
	requires_python "$py" "CPython 3.8 (/root/.pyenv/versions/3.8.*)"
	run_version "$py"
}

@test "CPython 3.9 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.9) || true
	requires_python "$py" "CPython 3.9 (/root/.pyenv/versions/3.9.*)"
	run_version "$py"
}

@test "CPython 3.10 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.10) || true
	requires_python "$py" "CPython 3.10 (/root/.pyenv/versions/3.10.*)"
	run_version "$py"
}

@test "CPython 3.11 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.11) || true
	requires_python "$py" "CPython 3.11 (/root/.pyenv/versions/3.11.*)"
	run_version "$py"
}

@test "CPython 3.12 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.12) || true
	requires_python "$py" "CPython 3.12 (/root/.pyenv/versions/3.12.*)"
	run_version "$py"
}

@test "CPython 3.13 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.13) || true
	requires_python "$py" "CPython 3.13 (/root/.pyenv/versions/3.13.*)"
	run_version "$py"
}

@test "CPython 3.14 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.14) || true
	requires_python "$py" "CPython 3.14 (/root/.pyenv/versions/3.14.*)"
	run_version "$py"
}

# The interpreters scripts/build-pythons.sh provides (common.bash,
# requires_built): built from Debian unstable's source packages, or
# unstable's own python3.14 and python3.15 in a root of their own. They
# are not in the usual install locations: --binary attaches before the
# command starts, as for the pyenv ones (targets.bats covers finding them
# as they start).
run_built() {
	requires_root
	requires_built "$1" events
	run_version "$BUILT_PY" --binary "$BUILT_BIN"
}

@test "CPython 3.13t (built: free-threaded, shared libpython, uprobes)" {
	run_built 3.13t
}

@test "CPython 3.13 --with-dtrace (built: static libpython, USDT)" {
	run_built 3.13-dtrace
}

@test "CPython 3.14 (built --with-dtrace, or Debian unstable's python3.14: USDT)" {
	run_built 3.14
}

@test "CPython 3.14t (built: free-threaded, shared libpython, uprobes)" {
	run_built 3.14t
}

@test "CPython 3.15 (built --with-dtrace, or Debian unstable's python3.15: USDT)" {
	run_built 3.15
}

@test "CPython 3.15 --enable-shared (built: uprobes)" {
	run_built 3.15-shared
}

@test "CPython 3.15t (built: free-threaded, shared libpython, uprobes)" {
	run_built 3.15t
}

# Embedding programs (tests/integration/embed.c) linked with Debian
# unstable's libpython, run in its root (scripts/build-pythons.sh):
# --binary names the libpython. PROBE is what every event's "probe" says:
# usdt for Debian's libpython (--with-dtrace); sys_audit or
# sys_audit_tstate for the copy without symbols or USDT note, whose
# uprobe sites pyaudit finds in the sys method table and in PySys_Audit's
# code.
run_built_embed() {
	local name=$1 probe=$2
	run_built "$name"
	# (run_version's last output is text)
	trace_command --json --binary "$BUILT_BIN" -- "$BUILT_PY" "$WORKLOAD" ||
		{ cat "$T/err" >&2; return 1; }
	jq -e -s --arg p "$probe" 'map(select(has("event"))) | length > 0 and all(.probe | test("^(" + $p + ")$"))' "$T/out" >/dev/null ||
		{ echo "$name: probes other than $probe:" >&2; jq -r -s 'map(select(has("event")) | .probe) | unique | .[]' "$T/out" >&2; return 1; }
}

@test "Debian unstable's libpython3.14.so.1.0 through an embedding program (USDT)" {
	run_built_embed 3.14-embed usdt
}

@test "Debian unstable's libpython3.15.so.1.0 through an embedding program (USDT)" {
	run_built_embed 3.15-embed usdt
}

@test "libpython3.15.so.1.0 without symbols or USDT note through an embedding program (uprobes)" {
	run_built_embed 3.15-embed-stripped 'sys_audit|sys_audit_tstate'
	# what the row says the file is
	! readelf -S -W "$BUILT_BIN" | grep -q -E ' \.(symtab|note\.stapsdt) ' ||
		{ echo "$BUILT_BIN has a symbol table or a USDT note" >&2; return 1; }
}

@test "libpython3.15.so.1.0 without symbols or USDT note: found as the embedding program maps it in its root (--hold-new)" {
	requires_root
	requires_built 3.15-embed-stripped events
	start_pyaudit --json --hold-new -e 'pyaudit.test.*'
	run timeout 20 "$BUILT_PY" "$WORKLOAD"
	stop_pyaudit
	[ "$status" = 0 ] || { echo "$BUILT_PY failed: $output" >&2; return 1; }
	# the copy in the root, seen through the process's /proc/PID/root
	grep -q -E "^Tracing /proc/[0-9]+/root/usr/lib/pyaudit-stripped/libpython3\.15\.so\.1\.0 \(uprobes\), found in process" "$T/err" ||
		{ cat "$T/err" >&2; return 1; }
	jq_ok '.event == "pyaudit.test.types" and .probe == "sys_audit" and .args.arg0 == "text" and .args.arg4 == 1267650600228229401496703205376 and .args.arg14 == "\ud83d\ude00"'
}
