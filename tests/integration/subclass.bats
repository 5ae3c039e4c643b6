#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Subclasses keep their type (issue 18): a str, bytes, int, float, tuple
# or list subclass (a structseq too) is written with its type name and its
# value, exactly, in JSON and in text, on every Python here; plain values
# keep their forms; sys.unraisablehook's unraisable argument (3.8+) is a
# structseq.

load common

SCRIPT=$BATS_TEST_DIRNAME/subclass.py

# args EVENT: the raw args of EVENT in $T/out (JSON): the bytes pyaudit
# wrote, not jq's reformatting (jq rounds big ints).
json_args() {
	sed -n "s/.*\"event\":\"$1\",\"args\":\(.*\),\"probe\":.*/\1/p" "$T/out"
}

# text_args EVENT: what follows "EVENT " on EVENT's text line.
text_args() {
	sed -n "s/^.* $1 //p" "$T/out"
}

# expect WHAT GOT WANT: exact equality, both shown when they differ.
expect() {
	[ "$2" = "$3" ] && return 0
	printf '%s differs:\n got: %s\nwant: %s\n' "$1" "$2" "$3" >&2
	return 1
}

check_version() {
	local py=$1
	trace_command --json --no-source -e 'pyaudit.test.*' -e sys.unraisablehook -- "$py" "$SCRIPT"
	[ -s "$T/out" ] || { cat "$T/err" >&2; return 1; }
	expect "JSON sub" "$(json_args pyaudit.test.sub)" \
'{"arg0":{"type":"str","typename":"MyStr","value":"abc"},"arg1":{"type":"bytes","typename":"MyBytes","text":"x","base64":"eA=="},"arg2":{"type":"int","typename":"MyInt","value":5},"arg3":{"type":"float","typename":"MyFloat","value":1.5},"arg4":{"type":"tuple","typename":"MyTuple","items":[1,2]},"arg5":{"type":"list","typename":"MyList","items":[3]},"arg6":{"type":"tuple","typename":"time.struct_time","items":[1970,1,1,0,0,0,3,1,0]},"arg7":"abc","arg8":{"type":"bytes","text":"x","base64":"eA=="},"arg9":5,"arg10":1.5,"arg11":[1,2],"arg12":[3],"arg13":true,"arg14":null}'
	expect "JSON sub2" "$(json_args pyaudit.test.sub2)" \
'{"arg0":[{"type":"str","typename":"MyStr","value":"e"},{"type":"int","typename":"MyInt","value":-1267650600228229401496703205376}],"arg1":[{"type":"tuple","typename":"MyTuple","items":[]}],"arg2":{"type":"str","typename":"MyStr2","value":"é中"},"arg3":{"type":"float","typename":"MyFloat2","value":"nan"},"arg4":{"type":"str","typename":"MyStr","value":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","truncated":true},"arg5":{"type":"str","typename":"My Str","value":"q"},"arg6":{"type":"str","typename":"NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN","typename_truncated":true,"value":"v"},"arg7":{"type":"int","typename":"bool","value":1},"arg8":{"type":"list","typename":"MyList","length":20,"items":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],"truncated":true}}'
	expect "JSON unraisable" "$(json_args sys.unraisablehook)" \
'{"hook":{"type":"object","typename":"builtin_function_or_method"},"unraisable":{"type":"tuple","typename":"UnraisableHookArgs","items":[{"type":"class","name":"ValueError"},{"type":"object","typename":"ValueError"},{"type":"object","typename":"traceback"},null,{"type":"object","typename":"function"}]}}'
	jq -e . "$T/out" >/dev/null

	trace_command --no-source -e 'pyaudit.test.*' -e sys.unraisablehook -- "$py" "$SCRIPT"
	expect "text sub" "$(text_args pyaudit.test.sub)" \
"arg0=MyStr('abc') arg1=MyBytes(b'x') arg2=MyInt(5) arg3=MyFloat(1.5) arg4=MyTuple((1, 2)) arg5=MyList([3]) arg6=time.struct_time((1970, 1, 1, 0, 0, 0, 3, 1, 0)) arg7='abc' arg8=b'x' arg9=5 arg10=1.5 arg11=(1, 2) arg12=[3] arg13=True arg14=None"
	expect "text sub2" "$(text_args pyaudit.test.sub2)" \
"arg0=[MyStr('e'), MyInt(-1267650600228229401496703205376)] arg1=(MyTuple(()),) arg2=MyStr2('é中') arg3=MyFloat2(nan) arg4=MyStr('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'...) arg5=My\\x20Str('q') arg6=NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN...('v') arg7=bool(1) arg8=MyList([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, ...])"
	expect "text unraisable" "$(text_args sys.unraisablehook)" \
"hook=<builtin_function_or_method object> unraisable=UnraisableHookArgs((<class ValueError>, <ValueError object>, <traceback object>, None, <function object>))"
}

@test "Debian /usr/bin/python3.11 (USDT)" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	check_version /usr/bin/python3.11
}

@test "CPython 3.8 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.8) || true
	requires_python "$py" "pyenv's CPython 3.8"
	check_version "$py"
}

@test "CPython 3.9 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.9) || true
	requires_python "$py" "pyenv's CPython 3.9"
	check_version "$py"
}

@test "CPython 3.10 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.10) || true
	requires_python "$py" "pyenv's CPython 3.10"
	check_version "$py"
}

@test "CPython 3.11 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.11) || true
	requires_python "$py" "pyenv's CPython 3.11"
	check_version "$py"
}

@test "CPython 3.12 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.12) || true
	requires_python "$py" "pyenv's CPython 3.12"
	check_version "$py"
}

@test "CPython 3.13 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.13) || true
	requires_python "$py" "pyenv's CPython 3.13"
	check_version "$py"
}

@test "CPython 3.14 (pyenv, uprobes)" {
	requires_root
	py=$(pyenv_python 3.14) || true
	requires_python "$py" "pyenv's CPython 3.14"
	check_version "$py"
}
