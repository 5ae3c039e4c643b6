#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The Python frame of each event: "source" {file, line, function}
# in JSON, --stack N callers, the " at FILE:LINE in FUNC" text suffix,
# --no-source, and "source": null for an event raised with no Python frame.
#
# source_main.py and source_mod.py raise events from known frames; each
# raising line ends with '# @src:CASE QUALNAME [3.N+:QUALNAME2]', and the
# line of the K-th caller of CASE's frame with '# @src:CASE.K QUALNAME'.
# Expected lines come from those markers (grep -n), never from numbers
# written here. 'source_main.py --selfcheck' checks the markers against
# Python's own frames (sys._getframe in an audit hook) on any version.

load common

# The scripts by a canonical absolute path: Python 3.8 keeps a relative
# script path relative in co_filename, and the module is imported from
# the script's directory.
SRC_DIR=$(cd "$BATS_TEST_DIRNAME" && pwd -P)
SRC_MAIN=$SRC_DIR/source_main.py
SRC_MOD=$SRC_DIR/source_mod.py
NOPATH=/nonexistent-pyaudit-src
SRC_EVENTS=(-e 'pyaudit.src.*' -e open -e os.listdir -e cpython.run_file)

# Every case with a marker of its own, and the caller chains checked
# with --stack 3.
SRC_CASES=(module mod_import nested open method listdir lambda lambda_in listcomp
	   mod mod_listdir generator coroutine thread chain multiline end)
SRC_STACK_CASES=(module nested open method listdir lambda mod mod_listdir generator
		 coroutine chain end)
# src_base CASE: the case whose caller markers CASE's event has (the
# same frame raises both).
src_base() {
	case $1 in
	open) echo nested ;;
	mod_listdir) echo mod ;;
	*) echo "$1" ;;
	esac
}

# src_marker CASE: set M_FILE, M_LINE, M_FUNC (the function name this
# Python reports: co_qualname on 3.11+, co_name, the qualname's last
# dotted component, before) from CASE's marker; PY_MINOR must be set.
# Returns 1 when CASE has no marker.
src_marker() {
	local case=$1 f hits hit n=0 spec qn over since
	for f in "$SRC_MAIN" "$SRC_MOD"; do
		hits=$(grep -n -F -- "# @src:$case " "$f" | grep -v -E '^[0-9]+:[[:space:]]*#') || continue
		while IFS= read -r hit; do
			n=$((n + 1))
			M_FILE=$f
			M_LINE=${hit%%:*}
			spec=${hit##*"# @src:$case "}
		done <<<"$hits"
	done
	[ "$n" -le 1 ] || { echo "marker $case: $n lines" >&2; return 2; }
	[ "$n" = 1 ] || return 1
	read -r qn over <<<"$spec"
	if [ -n "$over" ]; then
		since=${over%%+:*}
		since=${since#3.}
		[ "$PY_MINOR" -ge "$since" ] && qn=${over#*+:}
	fi
	[ "$PY_MINOR" -ge 11 ] || qn=${qn##*.}
	M_FUNC=$qn
}

# src_frame CASE: the expected {file, line, function} JSON of CASE's marker.
src_frame() {
	src_marker "$1" || return 1
	jq -n -c --arg f "$M_FILE" --argjson l "$M_LINE" --arg fn "$M_FUNC" \
		'{file: $f, line: $l, function: $fn}'
}

# src_stack CASE N: the expected JSON array of CASE's first N callers: the
# markers CASE.1, CASE.2, ... and, after a caller in main(), the <module>
# frame that calls main() (marker end.1), the outermost frame.
src_stack() {
	local case=$1 max=$2 base k=1 frames=() fr last_func=
	base=$(src_base "$case")
	while [ ${#frames[@]} -lt "$max" ] && fr=$(src_frame "$base.$k"); do
		frames+=("$fr")
		src_marker "$base.$k"
		last_func=$M_FUNC
		k=$((k + 1))
	done
	if [ ${#frames[@]} -lt "$max" ] && [ "$last_func" = main ]; then
		frames+=("$(src_frame end.1)")
	fi
	[ ${#frames[@]} = 0 ] && echo '[]' && return 0
	printf '%s\n' "${frames[@]}" | jq -s -c .
}

# src_select CASE: the jq condition selecting CASE's event.
src_select() {
	case $1 in
	open) echo ".event == \"open\" and .args.file == \"$NOPATH/open\"" ;;
	listdir | mod_listdir) echo ".event == \"os.listdir\" and .args.path == \"$NOPATH/$1\"" ;;
	*) echo ".event == \"pyaudit.src.$1\"" ;;
	esac
}

# src_one CASE: CASE's event from $T/out (compact JSON); exactly one.
src_one() {
	local sel n
	sel=$(src_select "$1")
	n=$(jq -s "map(select($sel)) | length" "$T/out")
	[ "$n" = 1 ] || { echo "$1: $n events match $sel" >&2; return 1; }
	jq -c "select($sel)" "$T/out"
}

# expect_equal WHAT GOT WANT: equal as JSON values, else say both.
expect_equal() {
	if ! jq -n -e --argjson g "$2" --argjson w "$3" '$g == $w' >/dev/null; then
		echo "$1:" >&2
		echo "  got:  $2" >&2
		echo "  want: $3" >&2
		return 1
	fi
}

# py_setup PYTHON: PY, PY_MINOR, THREADING_PY (threading.py as it imports it).
py_setup() {
	PY=$1
	PY_MINOR=$("$PY" -c 'import sys; print(sys.version_info[1])')
	THREADING_PY=$("$PY" -B -c 'import threading; print(threading.__file__)')
}

# check_source_json: $T/out is pyaudit --json (no --stack) of source_main.py.
check_source_json() {
	local case ev want bad=0
	[ -s "$T/out" ] || { echo "no output" >&2; cat "$T/err" >&2; return 1; }
	src_one end >/dev/null || { cat "$T/err" >&2; return 1; }
	for case in "${SRC_CASES[@]}"; do
		ev=$(src_one "$case") || { bad=1; continue; }
		want=$(src_frame "$case") || { echo "no marker for $case" >&2; return 1; }
		expect_equal "$case: source" "$(jq -c .source <<<"$ev")" "$want" || bad=1
	done
	# the thread's event comes from another thread of the process
	ev=$(src_one thread) && jq -e '.tid == .args.arg0 and .tid != .pid' <<<"$ev" >/dev/null ||
		{ echo "thread: tid: $ev" >&2; bad=1; }
	# raised before the script's first frame: no Python frame
	ev=$(jq -c "select(.event == \"cpython.run_file\" and (.args.filename | if type == \"object\" then .value else . end) == \"$SRC_MAIN\")" "$T/out")
	[ -n "$ev" ] || { echo "no cpython.run_file event" >&2; bad=1; }
	[ -z "$ev" ] || expect_equal "cpython.run_file: source" "$(jq -c .source <<<"$ev")" null || bad=1
	# every event (start-up ones too) has a source, an object or null;
	# none has a stack
	if ! jq -e -s 'all(has("source") and (.source == null or (.source | type) == "object"))' "$T/out" >/dev/null; then
		echo "events whose source is neither an object nor null:" >&2
		jq -r -s 'map(select((has("source") and (.source == null or (.source | type) == "object")) | not))
			| "  \(length) of them, e.g. event \(.[0].event): source \(.[0].source | tojson)"' "$T/out" >&2
		bad=1
	fi
	jq -e -s 'all(has("stack") | not)' "$T/out" >/dev/null || { echo "a stack without --stack" >&2; bad=1; }
	return $bad
}

# check_source_stack: $T/out is pyaudit --json --stack 3 of source_main.py.
check_source_stack() {
	local case ev bad=0 got want
	[ -s "$T/out" ] || { echo "no output" >&2; cat "$T/err" >&2; return 1; }
	for case in "${SRC_STACK_CASES[@]}"; do
		ev=$(src_one "$case") || { bad=1; continue; }
		expect_equal "$case: source (--stack 3)" "$(jq -c .source <<<"$ev")" "$(src_frame "$case")" || bad=1
		expect_equal "$case: stack" "$(jq -c .stack <<<"$ev")" "$(src_stack "$case" 3)" || bad=1
	done
	# a thread's callers are in threading.py (their lines depend on the version)
	ev=$(src_one thread) || return 1
	got=$(jq -c '[.stack[]? | {file, function, line: (.line | type)}]' <<<"$ev")
	if [ "$PY_MINOR" -ge 11 ]; then
		want='["Thread.run","Thread._bootstrap_inner","Thread._bootstrap"]'
	else
		want='["run","_bootstrap_inner","_bootstrap"]'
	fi
	want=$(jq -n -c --arg f "$THREADING_PY" --argjson fn "$want" '[$fn[] | {file: $f, function: ., line: "number"}]')
	expect_equal "thread: stack" "$got" "$want" || bad=1
	return $bad
}

# check_source_text: $T/out is pyaudit's text output with --stack 3.
check_source_text() {
	local line next i case
	[ -s "$T/out" ] || { echo "no output" >&2; cat "$T/err" >&2; return 1; }
	# chain: the event line, then its 3 callers, then no more caller lines
	src_marker chain
	line=$(grep -n -F "pyaudit.src.chain arg0=4 at $M_FILE:$M_LINE in $M_FUNC" "$T/out") ||
		{ echo "no chain line ending in ' at $M_FILE:$M_LINE in $M_FUNC':" >&2; grep -F pyaudit.src.chain "$T/out" >&2; return 1; }
	[ "$(grep -c -F 'pyaudit.src.chain ' "$T/out")" = 1 ]
	[[ "$line" == *" in $M_FUNC" ]] || { echo "chain: text after the function: $line" >&2; return 1; }
	line=${line%%:*}
	for i in 1 2 3; do
		src_marker "chain.$i"
		next=$(sed -n "$((line + i))p" "$T/out")
		[ "$next" = "    at $M_FILE:$M_LINE in $M_FUNC" ] ||
			{ echo "chain caller $i: got '$next', want '    at $M_FILE:$M_LINE in $M_FUNC'" >&2; return 1; }
	done
	next=$(sed -n "$((line + 4))p" "$T/out")
	[[ "$next" != "    at "* ]] || { echo "a 4th caller line with --stack 3: $next" >&2; return 1; }
	# C-level events, a method, the imported module
	text_line_ends open "open file='$NOPATH/open' mode='r' flags="
	text_line_ends method "pyaudit.src.method arg0='world'"
	text_line_ends mod_listdir "os.listdir path='$NOPATH/mod_listdir'"
	# no Python frame
	line=$(grep -F " cpython.run_file filename='$SRC_MAIN'" "$T/out") ||
		{ echo "no cpython.run_file line" >&2; return 1; }
	[[ "$line" == *" at <no Python frame>" ]] ||
		{ echo "cpython.run_file: got '$line', want it to end with ' at <no Python frame>'" >&2; return 1; }
}

# text_line_ends CASE TEXT: the one line with TEXT ends with CASE's
# ' at FILE:LINE in FUNC'.
text_line_ends() {
	local line
	src_marker "$1"
	line=$(grep -F " $2" "$T/out") || { echo "$1: no line with '$2'" >&2; return 1; }
	[ "$(wc -l <<<"$line")" = 1 ] || { echo "$1: more than one line with '$2'" >&2; return 1; }
	[[ "$line" == *" at $M_FILE:$M_LINE in $M_FUNC" ]] ||
		{ echo "$1: got '$line', want it to end with ' at $M_FILE:$M_LINE in $M_FUNC'" >&2; return 1; }
}

# run_source PYTHON: JSON, JSON with --stack 3, text with --stack 3.
run_source() {
	py_setup "$1"
	trace_command --json "${SRC_EVENTS[@]}" -- "$PY" -B "$SRC_MAIN" ||
		{ echo "pyaudit --json failed:" >&2; cat "$T/err" >&2; return 1; }
	check_source_json
	trace_command --json --stack 3 "${SRC_EVENTS[@]}" -- "$PY" -B "$SRC_MAIN" ||
		{ echo "pyaudit --json --stack 3 failed:" >&2; cat "$T/err" >&2; return 1; }
	check_source_stack
	trace_command --stack 3 "${SRC_EVENTS[@]}" -- "$PY" -B "$SRC_MAIN" ||
		{ echo "pyaudit --stack 3 failed:" >&2; cat "$T/err" >&2; return 1; }
	check_source_text
	# the same lines when BPF walks every line table (the path of
	# tables too long to copy) instead of user space
	trace_command --json --stack 3 --test-walk-line-tables "${SRC_EVENTS[@]}" -- "$PY" -B "$SRC_MAIN" ||
		{ echo "pyaudit --test-walk-line-tables failed:" >&2; cat "$T/err" >&2; return 1; }
	check_source_stack
	long_tables
}

# long_tables: events deep in a module body and in a function whose line
# tables are far longer than what a record holds (4096 and 1024 bytes):
# BPF walks those tables, and the lines must still be exact.
long_tables() {
	"$PY" - "$T/long.py" <<'EOF'
import sys
out = ["import sys", "def big():"]
out += ["    x%d = %d * 3 + len(sys.argv)" % (i, i) for i in range(3000)]
out += ["    sys.audit('pyaudit.src.long_func', 1)  # @long:func",
        "def caller():",
        "    big()  # @long:caller"]
out += ["y%d = %d * 3 + len(sys.argv)" % (i, i) for i in range(3000)]
out += ["caller()  # @long:module", "sys.audit('pyaudit.src.long_module', 2)  # @long:event"]
out += ["for i in range(5):", "    sys.audit('pyaudit.src.long_loop', i)  # @long:loop"]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
	local want_func want_caller want_module want_event
	want_func=$(grep -n '# @long:func' "$T/long.py" | cut -d: -f1)
	want_caller=$(grep -n '# @long:caller' "$T/long.py" | cut -d: -f1)
	want_module=$(grep -n '# @long:module' "$T/long.py" | cut -d: -f1)
	want_event=$(grep -n '# @long:event' "$T/long.py" | cut -d: -f1)
	trace_command --json --stack 2 -e 'pyaudit.src.long_*' -- "$PY" -B "$T/long.py" ||
		{ cat "$T/err" >&2; return 1; }
	expect_equal "long_func: lines" \
		"$(jq -c 'select(.event == "pyaudit.src.long_func") | [.source.line] + [.stack[].line]' "$T/out")" \
		"[$want_func,$want_caller,$want_module]"
	expect_equal "long_module: line" \
		"$(jq -c 'select(.event == "pyaudit.src.long_module") | .source.line' "$T/out")" "$want_event"
	# the same frame again and again: the walked line comes from BPF's
	# cache after the first event, and must not change
	local w
	w=$(grep -n '# @long:loop' "$T/long.py" | cut -d: -f1)
	expect_equal "long_loop: lines" \
		"$(jq -c -s '[.[] | select(.event == "pyaudit.src.long_loop") | .source.line]' "$T/out")" \
		"[$w,$w,$w,$w,$w]"
}

@test "source: the markers of source_main.py agree with Python's frames (selfcheck, every Python here)" {
	local py found=0
	for py in /usr/bin/python3.11 $(for m in 3.8 3.9 3.10 3.11 3.12 3.13 3.14; do pyenv_python $m; done) \
		  $(built_commands selfcheck); do
		[ -x "$py" ] || continue
		found=1
		"$py" -B "$SRC_MAIN" --selfcheck
	done
	[ "$found" = 1 ] || skip "no Python 3.8+ on this machine"
}

@test "source: Debian /usr/bin/python3.11 (USDT)" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	run_source /usr/bin/python3.11
}

@test "source: Debian libpython3.11.so.1.0 through an embedding program (USDT)" {
	requires_root
	[ -e /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 ] || skip "Debian's libpython3.11.so.1.0 absent on this machine"
	[ -x "$BUILD/tests/embed311" ] || skip "embedding program not built (libpython3.11-dev absent)"
	run_embed_source "$BUILD/tests/embed311" /usr/bin/python3.11
}

# run_embed_source PROGRAM PYTHON: an embedding program that runs
# source_main.py with PYTHON's libpython (no cpython.run_file there: the
# program runs the file itself); JSON with --stack 3, the cases outside
# SRC_STACK_CASES, and the same when BPF walks the line tables.
run_embed_source() {
	local case
	py_setup "$2"
	PYTHONDONTWRITEBYTECODE=1 trace_command --json --stack 3 "${SRC_EVENTS[@]}" -- "$1" "$SRC_MAIN" ||
		{ cat "$T/err" >&2; return 1; }
	check_source_stack
	for case in lambda_in listcomp mod_import multiline; do
		expect_equal "$case: source" "$(src_one "$case" | jq -c .source)" "$(src_frame "$case")"
	done
	PYTHONDONTWRITEBYTECODE=1 trace_command --json --stack 3 --test-walk-line-tables "${SRC_EVENTS[@]}" -- "$1" "$SRC_MAIN" ||
		{ cat "$T/err" >&2; return 1; }
	check_source_stack
}

@test "source: CPython 3.8 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.8) || true
	requires_python "$py" "CPython 3.8 (/root/.pyenv/versions/3.8.*)"
	run_source "$py"
}

@test "source: CPython 3.9 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.9) || true
	requires_python "$py" "CPython 3.9 (/root/.pyenv/versions/3.9.*)"
	run_source "$py"
}

@test "source: CPython 3.10 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.10) || true
	requires_python "$py" "CPython 3.10 (/root/.pyenv/versions/3.10.*)"
	run_source "$py"
}

@test "source: CPython 3.11 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.11) || true
	requires_python "$py" "CPython 3.11 (/root/.pyenv/versions/3.11.*)"
	run_source "$py"
}

@test "source: CPython 3.12 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.12) || true
	requires_python "$py" "CPython 3.12 (/root/.pyenv/versions/3.12.*)"
	run_source "$py"
}

@test "source: CPython 3.13 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.13) || true
	requires_python "$py" "CPython 3.13 (/root/.pyenv/versions/3.13.*)"
	run_source "$py"
}

@test "source: CPython 3.14 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.14) || true
	requires_python "$py" "CPython 3.14 (/root/.pyenv/versions/3.14.*)"
	run_source "$py"
}

# The interpreters scripts/build-pythons.sh provides (common.bash,
# requires_built), attached before they start (--binary), as the pyenv
# ones are.
run_built_source() {
	requires_root
	requires_built "$1" source
	TRACE_OPTS=(--binary "$BUILT_BIN")
	run_source "$BUILT_PY"
}

@test "source: CPython 3.13t (built: free-threaded, shared libpython, uprobes)" {
	run_built_source 3.13t
}

@test "source: CPython 3.13 --with-dtrace (built: static libpython, USDT)" {
	run_built_source 3.13-dtrace
}

@test "source: CPython 3.14 (built --with-dtrace, or Debian unstable's python3.14: USDT)" {
	run_built_source 3.14
}

@test "source: CPython 3.14t (built: free-threaded, shared libpython, uprobes)" {
	run_built_source 3.14t
}

@test "source: CPython 3.15 (built --with-dtrace, or Debian unstable's python3.15: USDT)" {
	run_built_source 3.15
}

@test "source: CPython 3.15 --enable-shared (built: uprobes)" {
	run_built_source 3.15-shared
}

@test "source: CPython 3.15t (built: free-threaded, shared libpython, uprobes)" {
	run_built_source 3.15t
}

# Embedding programs linked with Debian unstable's libpython, run in its
# root (scripts/build-pythons.sh), attached before they start (--binary
# names the libpython); the root's python3.1x gives the minor version and
# threading.py.
run_built_embed_source() {
	requires_root
	requires_built "$1" source
	local py=${BUILT_PY%/*}/python${BUILT_VERSION%.*}
	TRACE_OPTS=(--binary "$BUILT_BIN")
	run_embed_source "$BUILT_PY" "$py"
}

@test "source: Debian unstable's libpython3.14.so.1.0 through an embedding program (USDT)" {
	run_built_embed_source 3.14-embed
}

@test "source: Debian unstable's libpython3.15.so.1.0 through an embedding program (USDT)" {
	run_built_embed_source 3.15-embed
}

@test "source: libpython3.15.so.1.0 without symbols or USDT note through an embedding program (uprobes)" {
	run_built_embed_source 3.15-embed-stripped
}

@test "source: --no-source: no source member in JSON, no suffix in text" {
	requires_root
	local py
	py=/usr/bin/python3.11
	[ -x "$py" ] || py=$(pyenv_python 3.12) || true
	requires_python "$py" "Debian's /usr/bin/python3.11 and CPython 3.12"
	trace_command --json --no-source "${SRC_EVENTS[@]}" -- "$py" -B "$SRC_MAIN" ||
		{ cat "$T/err" >&2; return 1; }
	src_one end >/dev/null
	src_one nested >/dev/null
	jq -e -s 'length > 0 and all(has("source") | not) and all(has("stack") | not)' "$T/out" >/dev/null ||
		{ echo "a source or stack member with --no-source:" >&2; jq -c -s 'map(select(has("source") or has("stack"))) | .[0]' "$T/out" >&2; return 1; }
	trace_command --no-source "${SRC_EVENTS[@]}" -- "$py" -B "$SRC_MAIN" ||
		{ cat "$T/err" >&2; return 1; }
	grep -q -E " pyaudit\.src\.nested arg0='inner'\$" "$T/out" ||
		{ echo "text: pyaudit.src.nested line does not end with its arguments:" >&2; grep -F pyaudit.src.nested "$T/out" >&2; return 1; }
	grep -q -E " open file='$NOPATH/open' mode='r' flags=[0-9]+\$" "$T/out"
	# (a negated command would not fail a bats test)
	[ "$(grep -c -E ' at (<no Python frame>|/.*:[0-9]+ in .*)$' "$T/out")" = 0 ]
	[ "$(grep -c '^    at ' "$T/out")" = 0 ]
}

# 3.12+ find the thread state by walking the interpreter's threads: the
# match must hold in a pid namespace (a container), where the tids
# CPython records are not the host's, and in threads, also for the main
# thread while newer threads are alive (the walk goes through them).
@test "source: in a pid namespace, from threads (3.12+: the thread walk)" {
	requires_root
	command -v unshare >/dev/null || skip "unshare absent"
	local py found=0 bin
	for py in $(pyenv_python 3.12) $(pyenv_python 3.13) $(pyenv_python 3.14) $(built_commands pidns); do
		[ -x "$py" ] || continue
		found=1
		TRACE_OPTS=()
		bin=$(built_binary "$py") && TRACE_OPTS=(--binary "$bin")
		cat >"$T/ns.py" <<'PY'
import os, sys, threading
raised = threading.Barrier(5)
done = threading.Event()
def work(i):
    sys.audit("pyaudit.src.ns_thread", i)  # @ns:thread
    raised.wait()
    done.wait()
assert os.getpid() == 1
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]
raised.wait()
# the main thread is the last of the interpreter's list: the walk must
# pass the four newer threads
sys.audit("pyaudit.src.ns_alive", 8)  # @ns:alive
done.set()
[t.join() for t in ts]
sys.audit("pyaudit.src.ns_main", 9)  # @ns:main
PY
		trace_command --json -e 'pyaudit.src.ns_*' -- unshare --pid --fork "$py" "$T/ns.py" ||
			{ cat "$T/err" >&2; return 1; }
		expect_equal "$py: thread events" \
			"$(jq -c -s '[.[] | select(.event == "pyaudit.src.ns_thread") | .source] | unique' "$T/out")" \
			"[{\"file\":\"$T/ns.py\",\"line\":$(grep -n '@ns:thread' "$T/ns.py" | cut -d: -f1),\"function\":\"work\"}]"
		[ "$(jq -s '[.[] | select(.event == "pyaudit.src.ns_thread")] | length' "$T/out")" = 4 ]
		expect_equal "$py: main, four threads alive" \
			"$(jq -c 'select(.event == "pyaudit.src.ns_alive") | .source' "$T/out")" \
			"{\"file\":\"$T/ns.py\",\"line\":$(grep -n '@ns:alive' "$T/ns.py" | cut -d: -f1),\"function\":\"<module>\"}"
		expect_equal "$py: main" \
			"$(jq -c 'select(.event == "pyaudit.src.ns_main") | .source' "$T/out")" \
			"{\"file\":\"$T/ns.py\",\"line\":$(grep -n '@ns:main' "$T/ns.py" | cut -d: -f1),\"function\":\"<module>\"}"
	done
	[ "$found" = 1 ] || skip "no CPython 3.12+ (pyenv) on this machine"
}

# ---- code objects sent once (issue 16) --------------------------------------
# A frame describes its code object (file, function, line table) once per
# process image; later frames of that code object refer to it and the
# consumer gives them the description it kept (docs/design.md).

# cc_pythons: Debian's python3.11 (USDT) and a pyenv uprobe Python.
cc_pythons() {
	usdt_and_uprobe_pythons
}

# exec(compile(...)) of a different source each turn: the code object,
# its line table, its name are freed at the end of each turn and the
# next turn's often take their addresses again (pymalloc gives back the
# last block freed first); every event must have its own line and
# function, not those of an earlier code object at the same address.
@test "source: code objects sent once: exec(compile()) in a loop reusing addresses, every line right" {
	requires_root
	local py found=0 walk
	cat >"$T/cc_exec.py" <<'PY'
import sys
for i in range(300):
    k = (i * 7) % 23
    src = ("import sys\n" + "\n" * k + "sys.audit('pyaudit.src.cc_exec', %d, 0)\n"
           "def fn_%d():\n    sys.audit('pyaudit.src.cc_exec', %d, 1)\nfn_%d()\n" % (i, k % 5, i, k % 5))
    exec(compile(src, "<gen>", "exec"), {})
for j in range(3):
    sys.audit("pyaudit.src.cc_exec", -1)  # @cc:main
PY
	# and with the lines found in BPF (the frames then describe their
	# file and function only, and refer to them)
	for py in $(cc_pythons) $(cc_pythons | sed 's/$/:walk/'); do
		found=1
		walk=
		[ "${py%:walk}" = "$py" ] || { py=${py%:walk}; walk=--test-walk-line-tables; }
		trace_command --json --stats 0 $walk -e pyaudit.src.cc_exec -- "$py" "$T/cc_exec.py" ||
			{ cat "$T/err" >&2; return 1; }
		# after "import sys" and k blank lines: the module's event
		# (its line only in the table: co_firstlineno is 1 for all),
		# the def, the function's event
		expect_equal "$py: wrong lines or functions" \
			"$(jq -c -s '[.[] | select(.event == "pyaudit.src.cc_exec" and .args.arg0 >= 0) |
				(.args.arg0 * 7 % 23) as $k |
				select(.source != if .args.arg1 == 0 then
					{"file": "<gen>", "line": ($k + 2), "function": "<module>"} else
					{"file": "<gen>", "line": ($k + 4), "function": "fn_\($k % 5)"} end) |
				[.args, .source]] | .[:5]' "$T/out")" "[]"
		[ "$(jq -s '[.[] | select(.event == "pyaudit.src.cc_exec")] | length' "$T/out")" = 603 ]
		expect_equal "$py: the module's frame" \
			"$(jq -c -s '[.[] | select(.args.arg0 == -1) | .source.line] | unique' "$T/out")" \
			"[$(grep -n '@cc:main' "$T/cc_exec.py" | cut -d: -f1)]"
		# the cache was used (the module's frame at least), and every
		# reference found its description
		jq -e -s '[.[] | select(.type == "stats")] | last | .code_objects |
			.referred > 0 and .unresolved == 0 and .described < 603' "$T/out" >/dev/null ||
			{ jq -c 'select(.type == "stats") | .code_objects' "$T/out" >&2; return 1; }
	done
	[ "$found" = 1 ] || skip "neither Debian's python3.11 nor CPython 3.12/3.13 here"
}

# A consumer bound to 2 descriptions (--test-code-cache, a test option)
# evicts at nearly every new code object and tells BPF to forget it:
# the next frame of that code object describes it again, and every
# event still has its file, line and function. 150 functions: more than
# the evicted descriptions kept whatever the ring holds (64). Within a
# round the consumer lags (its references were sent before it evicted:
# kept until it has read them); between rounds it catches up, and the
# next round describes them again.
@test "source: code objects sent once: a consumer that evicts still resolves every line" {
	requires_root
	local py found=0
	{
		echo "import sys"
		for n in $(seq 0 149); do
			echo "def f$n(i): sys.audit('pyaudit.src.cc_ev', $n, i)"
		done
		echo "fs = [$(seq -s, -f 'f%g' 0 149)]"
		echo "import time"
		echo "for i in range(1500):"
		echo "    fs[(i * 7) % 150](i)"
		echo "    if i % 300 == 299: time.sleep(0.3)"
	} >"$T/cc_evict.py"
	for py in $(cc_pythons); do
		found=1
		trace_command --json --stats 0 --test-code-cache 2 -e pyaudit.src.cc_ev -- "$py" "$T/cc_evict.py" ||
			{ cat "$T/err" >&2; return 1; }
		expect_equal "$py: events" \
			"$(jq -s '[.[] | select(.event == "pyaudit.src.cc_ev")] | length' "$T/out")" 1500
		# f<n> is on line n + 2
		expect_equal "$py: wrong sources" \
			"$(jq -c -s --arg f "$T/cc_evict.py" '[.[] | select(.event == "pyaudit.src.cc_ev") |
				select(.source != {"file": $f, "line": (.args.arg0 + 2),
						   "function": "f\(.args.arg0)"}) | [.args, .source]] | .[:5]' "$T/out")" "[]"
		jq -e -s '[.[] | select(.type == "stats")] | last | .code_objects |
			.evicted > 300 and .described > 300 and .referred > 0 and
			.unresolved == 0' "$T/out" >/dev/null ||
			{ jq -c 'select(.type == "stats") | .code_objects' "$T/out" >&2; return 1; }
	done
	[ "$found" = 1 ] || skip "neither Debian's python3.11 nor CPython 3.12/3.13 here"
	# and the option's value is checked
	run "$PYAUDIT" --test-code-cache 2,zero -d 0.1
	[ "$status" = 64 ]
}

# pyaudit is stopped while a short-lived process raises its events and
# exits: the consumer reads them once it is gone, and the references
# resolve from what the records carried (nothing is read from the
# process).
@test "source: code objects sent once: a process gone before its events are read has every line" {
	requires_root
	local py found=0
	cat >"$T/cc_short.py" <<'PY'
import sys
def g(i):
    sys.audit("pyaudit.src.cc_short", i)  # @cc:short
for i in range(200):
    g(i)
PY
	for py in $(cc_pythons); do
		found=1
		trace_command --json --stats 0 -e pyaudit.src.cc_short -- "$py" -c '
import os, signal, subprocess, sys
os.kill(os.getppid(), signal.SIGSTOP)
try:
    subprocess.run([sys.executable, sys.argv[1]], check=True)
finally:
    os.kill(os.getppid(), signal.SIGCONT)' "$T/cc_short.py" || { cat "$T/err" >&2; return 1; }
		expect_equal "$py: lines" \
			"$(jq -c -s '[.[] | select(.event == "pyaudit.src.cc_short") | .source] | unique' "$T/out")" \
			"[{\"file\":\"$T/cc_short.py\",\"line\":$(grep -n '@cc:short' "$T/cc_short.py" | cut -d: -f1),\"function\":\"g\"}]"
		[ "$(jq -s '[.[] | select(.event == "pyaudit.src.cc_short")] | length' "$T/out")" = 200 ]
		jq -e -s '[.[] | select(.type == "stats")] | last | .code_objects |
			.referred >= 199 and .unresolved == 0' "$T/out" >/dev/null ||
			{ jq -c 'select(.type == "stats") | .code_objects' "$T/out" >&2; return 1; }
	done
	[ "$found" = 1 ] || skip "neither Debian's python3.11 nor CPython 3.12/3.13 here"
}

# --record keeps the records as they came, descriptions and references:
# replayed through the consumer (tests/bench/replay, which prints no
# stack), they give the same sources as pyaudit wrote live.
@test "source: code objects sent once: a --record replays to the same sources" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	[ -x "$BUILD/bench/replay" ] || skip "replay not built (make $BUILD/bench/replay)"
	cat >"$T/cc_rec.py" <<'PY'
import sys
def a(i): sys.audit("pyaudit.src.cc_rec", i)
def b(i): a(i)
for i in range(50):
    (a if i % 3 else b)(i)
PY
	trace_command --json --stack 2 --record "$T/rec" -e pyaudit.src.cc_rec -- /usr/bin/python3.11 "$T/cc_rec.py" ||
		{ cat "$T/err" >&2; return 1; }
	"$BUILD/bench/replay" -t 0 -b -o "$T/replayed" -p 3.11 "$T/rec" >/dev/null
	local live
	live=$(jq -c -s '[.[] | select(.event == "pyaudit.src.cc_rec") | .source]' "$T/out")
	[ "$(jq -s 'length' <<<"$live")" = 1 ]
	[ "$(jq 'length' <<<"$live")" = 50 ]
	expect_equal "replayed sources" \
		"$(jq -c -s '[.[] | select(.event == "pyaudit.src.cc_rec") | .source]' "$T/replayed")" \
		"$live"
	jq -e -s 'map(select(.event == "pyaudit.src.cc_rec") | .source.line != null and
		(.stack | length) >= 1 and all(.stack[]; .line != null)) | all' "$T/out" >/dev/null
}
