#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every string exact, and marked "truncated" when and only when it was cut
# (issue 18): wide strings (wchar_t *, the 'u' format of PySys_Audit:
# cpython.run_module's module-name, and on 3.8 cpython.run_file's filename
# and open's file and mode) of every length up to and past the bound, and
# every place the mark is decided at its bound, one below and one above.

load common

CASES=$BATS_TEST_DIRNAME/strings_cases.py
STR_MAX=256		# bytes of one str as CPython stores it (docs/output.md)

# JSON value of a string argument -> [value, truncated]
JQ_SV='def sv: if type == "string" then [., false]
	elif type == "object" then [(.value // .base64 // .name // .typename), (.truncated // false)]
	else [tostring, null] end;'

# rep CHAR N: CHAR N times
rep() {
	local s=
	for ((i = 0; i < $2; i++)); do s+=$1; done
	printf '%s' "$s"
}

# expect_lines VALUE...: "VALUE<TAB>false", or cut at STR_MAX characters
# (ASCII) and true; one line each.
expect_lines() {
	local v
	for v in "$@"; do
		if [ ${#v} -gt $STR_MAX ]; then
			printf '%s\ttrue\n' "${v:0:$STR_MAX}"
		else
			printf '%s\tfalse\n' "$v"
		fi
	done
}

# check_module_names PY: python -m NAME for NAME of 1..80 characters and
# dotted names of STR_MAX-1 .. STR_MAX+1 and 300 characters, and non-ASCII
# names at the bound of their kind (latin-1, UCS-2, UCS-4 as CPython
# stores the str), all under one pyaudit.
check_module_names() {
	local py=$1 n k pkg names=() uni=()
	mkdir "$T/mods"
	for n in $(seq 1 80); do
		names+=("$(rep m "$n")")
	done
	pkg=$(rep P 200)
	mkdir "$T/mods/$pkg"
	: >"$T/mods/$pkg/__init__.py"
	for k in 54 55 56 99; do	# dotted lengths 255 256 257 300
		names+=("$pkg.$(rep m "$k")")
	done
	for n in "${names[@]}"; do
		[[ $n == *.* ]] || : >"$T/mods/$n.py"
		[[ $n == *.* ]] && : >"$T/mods/${n/./\/}.py"
	done
	printf '%s\n' "${names[@]}" >"$T/names"
	trace_command -j -e cpython.run_module -- sh -c \
		'cd "$1/mods" && while read -r n; do "$2" -m "$n" || exit 1; done <"$1/names"' \
		sh "$T" "$py"
	[ "$(wc -l <"$T/out")" = ${#names[@]} ] || { cat "$T/err" >&2; return 1; }
	jq -r "$JQ_SV"' .args["module-name"] | sv | "\(.[0])\t\(.[1])"' "$T/out" >"$T/got"
	expect_lines "${names[@]}" >"$T/want"
	diff "$T/want" "$T/got"
}

# check_module_kinds PY: dotted module names of each str kind (latin-1,
# UCS-2, UCS-4 as CPython stores the str) at its bound, one below and one
# above.
check_module_kinds() {
	local py=$1
	mkdir "$T/kmods"
	LC_ALL=C.UTF-8 "$HELPER_PY" "$CASES" modules "$T/kmods" >"$T/kinds"
	cut -f1 "$T/kinds" >"$T/names"
	cut -f2,3 "$T/kinds" >"$T/want"
	LC_ALL=C.UTF-8 trace_command -j -e cpython.run_module -- sh -c \
		'cd "$1/kmods" && while read -r n; do "$2" -m "$n" || exit 1; done <"$1/names"' \
		sh "$T" "$py"
	jq -r "$JQ_SV"' .args["module-name"] | sv | "\(.[0])\t\(.[1])"' "$T/out" >"$T/got"
	[ -s "$T/want" ]
	diff "$T/want" "$T/got"
}

# check_script_names PY ABS LENGTHS...: python PATH for scripts whose
# path, as the events give it, has each of those lengths:
# cpython.run_file's filename and the path of the script's open(.., "rb")
# (a wide string on 3.8 and 3.9). 3.8 gives the path as on the command
# line (ABS=0: relative paths, every length from 1), later ones the
# absolute path (ABS=1: lengths from that of the directory's path).
check_script_names() {
	local py=$1 abs=$2 n r prefix= paths=() dir
	shift 2
	mkdir "$T/scripts"
	dir=$(rep d 100)
	mkdir "$T/scripts/$dir"
	[ "$abs" = 1 ] && prefix=$T/scripts/
	for n in "$@"; do
		r=$((n - ${#prefix}))
		[ "$r" -ge 1 ] || continue
		if [ "$r" -le 200 ]; then
			paths+=("$(rep f "$r")")
		else
			paths+=("$dir/$(rep f $((r - 101)))")
		fi
		: >"$T/scripts/${paths[-1]}"
	done
	printf '%s\n' "${paths[@]}" >"$T/names"
	trace_command -j -e cpython.run_file,open -- sh -c \
		'cd "$1/scripts" && while read -r n; do "$2" "$n" || exit 1; done <"$1/names"' \
		sh "$T" "$py"
	expect_lines "${paths[@]/#/$prefix}" >"$T/want"
	jq -r "$JQ_SV"' select(.event == "cpython.run_file") | .args.filename | sv | "\(.[0])\t\(.[1])"' \
		"$T/out" >"$T/got"
	diff "$T/want" "$T/got"
	# open(PATH, "rb"): the interpreter reads the script
	jq -r --arg p "${prefix}" "$JQ_SV"' select(.event == "open" and (.args.mode | sv) == ["rb", false]
		and (.args.file | sv | .[0] | ltrimstr($p) | test("^[df]"))) | .args.file | sv | "\(.[0])\t\(.[1])"' \
		"$T/out" >"$T/got"
	diff "$T/want" "$T/got"
}

# check_cases PY: strings_cases.py's events against its expectations.
check_cases() {
	local py=$1
	LC_ALL=C.UTF-8 trace_command -j -e 'strtest.*,nn*,ctypes.dlsym' \
		-- "$py" "$CASES" run
	"$HELPER_PY" "$CASES" expect >"$T/want"
	# (ctypes.dlsym of the helpers strings_cases.py looks up left out)
	jq -c "$JQ_SV"' select(.event != "ctypes.dlsym" or (.args.name | sv | .[0] | startswith("s")))
		| if (.event | startswith("nn")) then ["name", .event, (.event_truncated // false)]
		elif .event == "ctypes.dlsym" then [.event] + (.args.name | sv)
		else [.event] + (.args.arg0 | sv) end' "$T/out" >"$T/got"
	diff "$T/want" "$T/got"
}

ALL_SCRIPT_LENGTHS="$(seq 1 $((STR_MAX + 4))) 300"
SOME_SCRIPT_LENGTHS="1 2 3 4 5 15 16 17 63 64 65 127 128 129 200 254 255 256 257 258 300"

# run_check WHAT VERSION
run_check() {
	local py
	requires_root
	if [ "$2" = debian ]; then
		py=/usr/bin/python3.11
		requires_python "$py" "Debian's /usr/bin/python3.11"
	else
		py=$(pyenv_python "$2") || true
		requires_python "$py" "pyenv Python $2"
	fi
	case $1 in
	modules) check_module_names "$py" ;;
	kinds) check_module_kinds "$py" ;;
	scripts)
		# 3.8 and 3.9 pass them as wide strings: every length
		case $2 in
		3.8) check_script_names "$py" 0 $ALL_SCRIPT_LENGTHS ;;
		3.9) check_script_names "$py" 1 $ALL_SCRIPT_LENGTHS ;;
		*) check_script_names "$py" 1 $SOME_SCRIPT_LENGTHS ;;
		esac
		;;
	cases) check_cases "$py" ;;
	esac
}

@test "module names 1..80 and past the bound: exact, marked only when cut: Debian 3.11 (USDT)" {
	run_check modules debian
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.8" {
	run_check modules 3.8
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.9" {
	run_check modules 3.9
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.10" {
	run_check modules 3.10
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.11" {
	run_check modules 3.11
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.12" {
	run_check modules 3.12
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.13" {
	run_check modules 3.13
}

@test "module names 1..80 and past the bound: exact, marked only when cut: 3.14" {
	run_check modules 3.14
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: Debian 3.11 (USDT)" {
	run_check kinds debian
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.8" {
	run_check kinds 3.8
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.9" {
	run_check kinds 3.9
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.10" {
	run_check kinds 3.10
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.11" {
	run_check kinds 3.11
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.12" {
	run_check kinds 3.12
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.13" {
	run_check kinds 3.13
}

@test "module names of each str kind (latin-1, UCS-2, UCS-4) at the bound: 3.14" {
	run_check kinds 3.14
}

@test "script names (cpython.run_file, open) up to and past the bound: Debian 3.11 (USDT)" {
	run_check scripts debian
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.8" {
	run_check scripts 3.8
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.9" {
	run_check scripts 3.9
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.10" {
	run_check scripts 3.10
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.11" {
	run_check scripts 3.11
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.12" {
	run_check scripts 3.12
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.13" {
	run_check scripts 3.13
}

@test "script names (cpython.run_file, open) up to and past the bound: 3.14" {
	run_check scripts 3.14
}

@test "every truncated mark at its bound, one below and one above: Debian 3.11 (USDT)" {
	run_check cases debian
}

@test "every truncated mark at its bound, one below and one above: 3.8" {
	run_check cases 3.8
}

@test "every truncated mark at its bound, one below and one above: 3.9" {
	run_check cases 3.9
}

@test "every truncated mark at its bound, one below and one above: 3.10" {
	run_check cases 3.10
}

@test "every truncated mark at its bound, one below and one above: 3.11" {
	run_check cases 3.11
}

@test "every truncated mark at its bound, one below and one above: 3.12" {
	run_check cases 3.12
}

@test "every truncated mark at its bound, one below and one above: 3.13" {
	run_check cases 3.13
}

@test "every truncated mark at its bound, one below and one above: 3.14" {
	run_check cases 3.14
}
