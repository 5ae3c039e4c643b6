#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Hostile input from traced processes: terminal escapes, strings that are
# not valid Unicode, huge and self-referencing values, hostile type and
# event names, a list mutated while it is decoded, forged objects, and
# malformed files named like Pythons. Each case runs on Debian's
# python3.11 (USDT) and on the newest pyenv 3.13 or 3.12 (uprobes). The
# output must stay valid (JSON Lines that jq reads, text without a raw
# control byte), escaped, marked where it was cut, and pyaudit must go on
# tracing and exit 0 on SIGINT.

load common

DEBIAN_PY=/usr/bin/python3.11

# A raw control byte: C0 but \t and \n, DEL, C1 (as UTF-8), U+202E.
RAW_CONTROL='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae'

teardown() {
	[ -n "${PA_PID:-}" ] && kill "$PA_PID" 2>/dev/null || true
	[ -n "${MNT:-}" ] && rmdir "$MNT" 2>/dev/null || true
	rm -rf "$T"
}

# use_python usdt|uprobes|built:NAME: PY is the Python of that mechanism,
# or the interpreter NAME scripts/build-pythons.sh provides (attached
# before it starts: --binary), or skip.
use_python() {
	case $1 in
	built:*)
		requires_built "${1#built:}" hostile
		PY=$BUILT_PY
		TRACE_OPTS=(--binary "$BUILT_BIN")
		;;
	usdt)
		PY=$DEBIAN_PY
		requires_python "$PY" "Debian's $DEBIAN_PY (USDT)"
		;;
	uprobes)
		PY=$(pyenv_python 3.13) || PY=$(pyenv_python 3.12) || PY=
		requires_python "$PY" "CPython 3.13 or 3.12 (pyenv, uprobes)"
		;;
	esac
}

# not_grep ARGS...: fail, showing the lines, if grep finds something (a
# bare "! grep" does not fail a bats test unless it comes last).
not_grep() {
	if grep "$@"; then
		echo "unexpected match: grep $*" >&2
		return 1
	fi
}

# no_raw_control FILE: not one raw control byte in FILE.
no_raw_control() {
	if LC_ALL=C grep -naP "$RAW_CONTROL" "$1" | cat -v | head -n 5 | grep .; then
		echo "raw control bytes in $1" >&2
		return 1
	fi
}

# json_valid FILE: every line is JSON that jq reads, with no raw control.
json_valid() {
	jq -e . "$1" >/dev/null || { echo "invalid JSON in $1" >&2; return 1; }
	no_raw_control "$1"
}

# json_run SCRIPT: pyaudit --json on the whole host in the background,
# SCRIPT run by $PY (HPID is its pid), then a normal event from another
# process. pyaudit must still run, deliver that event, exit 0 on SIGINT,
# and have written valid JSON Lines.
json_run() {
	start_pyaudit --json
	"$PY" "$1" &
	HPID=$!
	wait "$HPID"
	after_event
}

# stop_after PYTHON: PYTHON raises the normal event that must still
# arrive (pid APID), then pyaudit, still running, gets SIGINT; AFTER_RC
# is its exit status.
stop_after() {
	AFTER_RC=0
	"$1" -c 'import sys, os; sys.audit("pyaudit.hostile.after", os.getpid())' &
	APID=$!
	wait "$APID"
	sleep 0.3
	kill -0 "$PA_PID" || { echo "pyaudit is gone" >&2; cat -v "$T/err" >&2; return 1; }
	kill -INT "$PA_PID"
	wait "$PA_PID" || AFTER_RC=$?
	PA_PID=
}

# after_event: the normal event that must still arrive, then SIGINT.
after_event() {
	stop_after "$PY" || return 1
	[ "$AFTER_RC" = 0 ] || { echo "pyaudit exited $AFTER_RC" >&2; cat -v "$T/err" >&2; return 1; }
	json_valid "$T/out"
	# (on failure, pyaudit's log: lost counts, targets found late)
	jq_ok ".event == \"pyaudit.hostile.after\" and .pid == $APID" ||
		{ cat -v "$T/err" >&2; return 1; }
}

# text_run SCRIPT: pyaudit (text) on `$PY SCRIPT`; exit 0, no raw control.
# (--no-source: the lines end with the arguments; source.bats checks the
# source location, hostile file and function names included)
text_run() {
	trace_command --no-source -- "$PY" "$1" || { cat -v "$T/err" >&2; return 1; }
	no_raw_control "$T/out"
}

# ev NAME FILTER: an event NAME of the hostile process satisfies FILTER.
ev() {
	jq_ok ".pid == $HPID and .event == \"$1\" and ($2)"
}

# ---- strings ---------------------------------------------------------------

escapes() {
	use_python "$1"
	cat >"$T/h.py" <<'EOF'
import ctypes, sys
sys.audit("pyaudit.hostile.esc", "\x1b[2J", "\x1b]52;c;SGVsbG8=\x07", "a\rb",
          "x\x08\x08y", "\x9b31m", "\u202eevil", b"\x1b[31m\r\x08")
# the thread's name (COMM): PR_SET_NAME, with bytes that are not UTF-8
ctypes.CDLL(None).prctl(15, b"\x1b[2J\xe2\x80\xae\x9b\xff", 0, 0, 0)
sys.audit("pyaudit.hostile.comm")
EOF
	json_run "$T/h.py"
	ev pyaudit.hostile.esc '.args.arg0 == "\u001b[2J"'
	ev pyaudit.hostile.esc '.args.arg1 == "\u001b]52;c;SGVsbG8=\u0007"'
	ev pyaudit.hostile.esc '.args.arg2 == "a\rb" and .args.arg3 == "x\u0008\u0008y"'
	ev pyaudit.hostile.esc '.args.arg4 == "\u009b31m" and .args.arg5 == "\u202eevil"'
	ev pyaudit.hostile.esc '.args.arg6 == {"type":"bytes","text":"\u001b[31m\r\b","base64":"G1szMW0NCA=="}'
	grep -F '"comm":"\u001b[2J\u202e\udc9b\udcff","event":"pyaudit.hostile.comm"' "$T/out"
	ev pyaudit.hostile.comm '.process.comm == null'
	text_run "$T/h.py"
	grep -E ' \\x1b\[2J\\u202e\\x9b\\xff +pyaudit\.hostile\.comm$' "$T/out"
	grep -F 'pyaudit.hostile.esc arg0='\''\x1b[2J'\'' arg1='\''\x1b]52;c;SGVsbG8=\x07'\'' arg2='\''a\rb'\'' arg3='\''x\x08\x08y'\'' arg4='\''\x9b31m'\'' arg5='\''\u202eevil'\'' arg6=b'\''\x1b[31m\r\x08'\''' "$T/out"
}

@test "terminal escape sequences in strings (USDT)" {
	requires_root
	escapes usdt
}

@test "terminal escape sequences in strings (uprobes)" {
	requires_root
	escapes uprobes
}

unicode_nul_big() {
	use_python "$1"
	cat >"$T/h.py" <<'EOF'
import sys
sys.audit("pyaudit.hostile.sur", "\ud800", "a\udfffb\ud800", "\U0001f600\udbff")
sys.audit("pyaudit.hostile.nul", "a\x00b", b"c\x00d", "\x00")
M = 1 << 20
sys.audit("pyaudit.hostile.big", "x" * M, b"y" * M, "\u4e2d" * M, "\U0001f600" * M)
EOF
	json_run "$T/h.py"
	# Lone surrogates: the surrogateescape of their UTF-8-style bytes,
	# which gives them back exactly; never a lone high surrogate escape.
	# (jq would read them as U+FFFD: Python checks the raw line)
	"$HELPER_PY" -c '
import json, sys
ev = [e for e in map(json.loads, open(sys.argv[1]))
      if e.get("pid") == int(sys.argv[2]) and e.get("event") == "pyaudit.hostile.sur"]
assert len(ev) == 1, ev
got = [ev[0]["args"][k].encode("utf-8", "surrogateescape").decode("utf-8", "surrogatepass")
       for k in ("arg0", "arg1", "arg2")]
want = ["\ud800", "a\udfffb\ud800", "\U0001f600\udbff"]
sys.exit(0 if got == want else "%r != %r" % (got, want))' "$T/out" "$HPID"
	ev pyaudit.hostile.nul '.args.arg0 == "a\u0000b" and .args.arg2 == "\u0000"'
	ev pyaudit.hostile.nul '.args.arg1 == {"type":"bytes","text":"c\u0000d","base64":"YwBk"}'
	# 1 MiB values: cut at 256 bytes, and marked
	ev pyaudit.hostile.big '.args.arg0 == {"type":"str","value":("x" * 256),"truncated":true}'
	ev pyaudit.hostile.big '.args.arg1.truncated == true and (.args.arg1.base64 | @base64d) == ("y" * 256)'
	ev pyaudit.hostile.big '.args.arg2 == {"type":"str","value":("\u4e2d" * 128),"truncated":true}'
	ev pyaudit.hostile.big '.args.arg3 == {"type":"str","value":("\ud83d\ude00" * 64),"truncated":true}'
	text_run "$T/h.py"
	grep -F 'pyaudit.hostile.sur arg0='\''\ud800'\'' arg1='\''a\udfffb\ud800'\'' arg2='\''😀\udbff'\''' "$T/out"
	grep -F 'pyaudit.hostile.nul arg0='\''a\x00b'\'' arg1=b'\''c\x00d'\'' arg2='\''\x00'\''' "$T/out"
	LC_ALL=C.UTF-8 grep -E "pyaudit\.hostile\.big arg0='x{256}'\.\.\. arg1=b'y{256}'\.\.\. arg2='(中){128}'\.\.\. arg3='(😀){64}'\.\.\.$" "$T/out"
}

@test "lone surrogates, NUL bytes and 1 MiB strings (USDT)" {
	requires_root
	unicode_nul_big usdt
}

@test "lone surrogates, NUL bytes and 1 MiB strings (uprobes)" {
	requires_root
	unicode_nul_big uprobes
}

# ---- values ----------------------------------------------------------------

values() {
	use_python "$1"
	cat >"$T/h.py" <<'EOF'
import sys
me = [1]
me.append(me)
deep = ()
for _ in range(100):
    deep = (deep,)
sys.audit("pyaudit.hostile.containers", list(range(100000)), me, deep)
sys.audit("pyaudit.hostile.args", *range(300))
Evil = type("\x1b[31mEvil\u202e", (), {})
Long = type("N" * 10000, (), {})
sys.audit("pyaudit.hostile.types", Evil, Evil(), Long, Long())
EOF
	json_run "$T/h.py"
	ev pyaudit.hostile.containers '.args.arg0 == {"type":"list","length":100000,"items":[range(16)],"truncated":true}'
	ev pyaudit.hostile.containers '.args.arg1 == [1, {"type":"list","length":2,"items":[],"truncated":true}]'
	ev pyaudit.hostile.containers '.args.arg2 == [{"type":"tuple","length":1,"items":[],"truncated":true}]'
	ev pyaudit.hostile.args '.truncated == true and .total_args == 300 and (.args | length) == 32 and .args.arg31 == 31'
	ev pyaudit.hostile.types '.args.arg0 == {"type":"class","name":"\u001b[31mEvil\u202e"}'
	ev pyaudit.hostile.types '.args.arg1 == {"type":"object","typename":"\u001b[31mEvil\u202e"}'
	ev pyaudit.hostile.types '.args.arg2 == {"type":"class","name":("N" * 63),"truncated":true}'
	ev pyaudit.hostile.types '.args.arg3 == {"type":"object","typename":("N" * 63),"truncated":true}'
	text_run "$T/h.py"
	grep -F 'pyaudit.hostile.containers arg0=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, ...] arg1=[1, [...2 items]] arg2=((...1 item),)' "$T/out"
	grep -E 'pyaudit\.hostile\.args arg0=0 arg1=1 .* arg31=31 \.\.\.\(\+268 more args\)$' "$T/out"
	grep -E 'pyaudit\.hostile\.types arg0=<class \\x1b\[31mEvil\\u202e> arg1=<\\x1b\[31mEvil\\u202e object> arg2=<class N{63}\.\.\.> arg3=<N{63}\.\.\. object>$' "$T/out"
}

@test "a list of 100000, a list that holds itself, tuples 100 deep, 300 arguments, hostile class names (USDT)" {
	requires_root
	values usdt
}

@test "a list of 100000, a list that holds itself, tuples 100 deep, 300 arguments, hostile class names (uprobes)" {
	requires_root
	values uprobes
}

mutated() {
	use_python "$1"
	cat >"$T/h.py" <<'EOF'
import sys, threading
lst = list(range(1000))
stop = False

def mutate():
    i = 0
    while not stop:
        i += 1
        lst.append("\x1b[2J" * (i % 100))
        if i % 4 == 0:
            lst.clear()
        elif i % 4 == 1:
            lst[:] = [str(j) * 5 for j in range(1000)]
        elif i % 4 == 2:
            lst[:] = [b"\x1b]52;c;" + bytes([i % 256])] * 1000
        else:
            lst.extend([lst, "\u202e", 2 ** 300])

t = threading.Thread(target=mutate)
t.start()
for i in range(20000):
    sys.audit("pyaudit.mut", lst, i)
stop = True
t.join()
EOF
	json_run "$T/h.py"
	n=$(jq -s "map(select(.pid == $HPID and .event == \"pyaudit.mut\")) | length" "$T/out")
	echo "pyaudit.mut events: $n"
	[ "$n" -gt 0 ]
	text_run "$T/h.py"
	grep -q 'pyaudit.mut arg0=' "$T/out"
}

@test "a list mutated by another thread while 20000 events fire (USDT)" {
	requires_root
	mutated usdt
}

@test "a list mutated by another thread while 20000 events fire (uprobes)" {
	requires_root
	mutated uprobes
}

# ---- source locations ------------------------------------------------------

# A code object's file and function names are the process's to choose:
# code.replace() gives them escape sequences, and the file's own name has
# some too; a line table that lies gives no line rather than a wrong one.
source_names() {
	use_python "$1"
	local dir="$T/"$'\e[2J\u202e'"d"
	mkdir -p "$dir"
	cat >"$dir/h.py" <<'EOF'
import sys
def f():
    sys.audit("pyaudit.hostile.src", 1)
def g():
    sys.audit("pyaudit.hostile.plain", 2)
names = {"co_name": "\x1b]52;c;SGVsbG8=\x07", "co_filename": "\x1b[31mevil\u202e.py"}
if sys.version_info >= (3, 11):
    names["co_qualname"] = "\x1b[2Jq"
f.__code__ = f.__code__.replace(**names)
if sys.version_info >= (3, 10):
    g.__code__ = g.__code__.replace(co_linetable=b"\xff" * 4)
else:
    g.__code__ = g.__code__.replace(co_lnotab=b"\xff\x7f" * 4)
f()
g()
EOF
	json_run "$dir/h.py"
	ev pyaudit.hostile.src '.source.file == "\u001b[31mevil\u202e.py" and .source.line == 3'
	ev pyaudit.hostile.src '.source.function == "\u001b[2Jq" or .source.function == "\u001b]52;c;SGVsbG8=\u0007"'
	ev pyaudit.hostile.plain '.source.function == "g" and (.source.file | endswith("d/h.py"))'
	trace_command -- "$PY" "$dir/h.py" || { cat -v "$T/err" >&2; return 1; }
	no_raw_control "$T/out"
	grep -E 'pyaudit\.hostile\.src arg0=1 at \\x1b\[31mevil\\u202e\.py:3 in \\x1b(\[2Jq|\]52;c;SGVsbG8=\\x07)$' "$T/out"
	grep -E 'pyaudit\.hostile\.plain arg0=2 at .*\\x1b\[2J\\u202ed/h\.py:[0-9?]+ in g$' "$T/out"
}

@test "hostile file and function names in source locations, a lying line table (USDT)" {
	source_names usdt
}

@test "hostile file and function names in source locations, a lying line table (uprobes)" {
	source_names uprobes
}

# ---- event names -----------------------------------------------------------

names() {
	use_python "$1"
	cat >"$T/h.py" <<'EOF'
import sys
for i, name in enumerate(["E" * 10000, "", "\x1b[2J\n", "\u202e", "has space",
                          "q'uo\"te"]):
    sys.audit(name, i)
try:
    sys.audit("\ud800", 6)     # with USDT, CPython itself refuses it
except UnicodeEncodeError:
    pass
EOF
	json_run "$T/h.py"
	ev "$(printf 'E%.0s' {1..128})" '.event_truncated == true and .args.arg0 == 0'
	ev '' '.args.arg0 == 1 and .event_truncated == null'
	ev '\u001b[2J\n' '.args.arg0 == 2'
	ev '\u202e' '.args.arg0 == 3'
	ev 'has space' '.args.arg0 == 4'
	ev 'q'\''uo\"te' '.args.arg0 == 5'
	if [ "$1" = uprobes ]; then
		grep -F '"event":"\udced\udca0\udc80","args":{"arg0":6}' "$T/out"
	fi
	text_run "$T/h.py"
	grep -E ' E{128}\.\.\. arg0=0$' "$T/out"
	grep -E '^\S+ +\S+ +\S+ +\S+ +arg0=1$' "$T/out"	# no name: 4 columns, then args
	grep -F ' \x1b[2J\n arg0=2' "$T/out"
	grep -F ' \u202e arg0=3' "$T/out"
	grep -F ' has\x20space arg0=4' "$T/out"
	grep -F " q'uo\"te arg0=5" "$T/out"
	if [ "$1" = uprobes ]; then
		grep -F ' \ud800 arg0=6' "$T/out"
	fi
}

@test "event names: 10000 characters, empty, escape sequences, U+202E, spaces and quotes (USDT)" {
	requires_root
	names usdt
}

@test "event names: 10000 characters, empty, escape sequences, U+202E, spaces and quotes (uprobes)" {
	requires_root
	names uprobes
}

# ---- forged objects --------------------------------------------------------

forged() {
	use_python "$1"
	cat >"$T/h.py" <<'EOF'
# Objects laid out by hand with ctypes, whose fields lie: pyaudit reads
# them in the kernel; CPython never looks inside them here.
import ctypes, os, struct, sys, sysconfig
keep = []

def forge(raw):
    buf = ctypes.create_string_buffer(bytes(raw), len(raw))
    obj = ctypes.cast(ctypes.addressof(buf), ctypes.py_object).value
    keep.extend([buf, obj])
    return obj

REF = 1 << 30
NOWHERE = 0xdead0000
# The object header (Include/object.h): ob_refcnt, ob_type; on a
# free-threaded build (3.13t+) ob_tid, ob_flags, ob_mutex, ob_gc_bits,
# ob_ref_local (UINT32_MAX: immortal, never counted), ob_ref_shared,
# ob_type: 32 bytes.
def head(typ):
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return struct.pack("<QHBBIqQ", 0, 0, 0, 0, 0xFFFFFFFF, 0, typ)
    return struct.pack("<qQ", REF, typ)
# 3.14 caches a tuple's hash in ob_hash, before the items
# (Include/cpython/tupleobject.h): -1, not computed.
TUPLE_HASH = struct.pack("<q", -1) if sys.version_info >= (3, 14) else b""
huge_list = forge(head(id(list)) + struct.pack("<qQq", 1 << 60, NOWHERE, 0))
null_items = forge(head(id(list)) + struct.pack("<qQq", 5, 0, 0))
negative = forge(head(id(list)) + struct.pack("<qQq", -5, NOWHERE, 0))
bad_items = forge(head(id(tuple)) + struct.pack("<q", 3) + TUPLE_HASH +
                  struct.pack("<QQQ", 0, NOWHERE, 8))
no_type = forge(head(NOWHERE))
class K:
    pass
ktype = bytearray(ctypes.string_at(id(K), type.__basicsize__))
struct.pack_into("<Q", ktype, len(head(0)) + 8, NOWHERE)   # tp_name
fake_type = ctypes.create_string_buffer(bytes(ktype), len(ktype))
keep.append(fake_type)
bad_name = forge(head(ctypes.addressof(fake_type)))
sys.audit("pyaudit.hostile.forged", huge_list, null_items, negative,
          bad_items, no_type, bad_name)
sys.stdout.flush()
os._exit(0)         # never let CPython free them
EOF
	json_run "$T/h.py"
	ev pyaudit.hostile.forged '.args.arg0.truncated == true and (.args.arg0.items | length) == 16 and all(.args.arg0.items[]; . == {"type":"unreadable"})'
	ev pyaudit.hostile.forged '.args.arg1 == {"type":"list","length":5,"items":[],"truncated":true}'
	ev pyaudit.hostile.forged '.args.arg2 == {"type":"unreadable"}'
	ev pyaudit.hostile.forged '.args.arg3 == [{"type":"unreadable"},{"type":"unreadable"},{"type":"unreadable"}]'
	ev pyaudit.hostile.forged '.args.arg4 == {"type":"unreadable"} and .args.arg5 == {"type":"unreadable"}'
	text_run "$T/h.py"
	grep -F 'pyaudit.hostile.forged arg0=[<unreadable>, ' "$T/out"
	grep -F ' arg1=[...5 items] arg2=<unreadable> arg3=(<unreadable>, <unreadable>, <unreadable>) arg4=<unreadable> arg5=<unreadable>' "$T/out"
}

@test "forged objects: lying sizes, unmapped items, types and type names (USDT)" {
	requires_root
	forged usdt
}

@test "forged objects: lying sizes, unmapped items, types and type names (uprobes)" {
	requires_root
	forged uprobes
}

# ---- every case above on each interpreter build-pythons.sh provides -------

# The source-location case is left out, saying so, where the other cases
# pass but it fails on main (common.bash, ISSUE13_LAYOUTS: NAME:hostile-source).
hostile_built() {
	requires_root
	escapes "built:$1"
	unicode_nul_big "built:$1"
	values "built:$1"
	mutated "built:$1"
	if layouts_fail "$1" hostile-source; then
		echo "# source names: CPython $1 left out (issue 13: layouts)" >&3
	else
		source_names "built:$1"
	fi
	names "built:$1"
	forged "built:$1"
}

@test "every hostile case above on CPython 3.13t (built: free-threaded, uprobes)" {
	hostile_built 3.13t
}

@test "every hostile case above on CPython 3.13 --with-dtrace (built: USDT)" {
	hostile_built 3.13-dtrace
}

@test "every hostile case above on CPython 3.14 (built, or Debian unstable's: USDT)" {
	hostile_built 3.14
}

@test "every hostile case above on CPython 3.14t (built: free-threaded, uprobes)" {
	hostile_built 3.14t
}

@test "every hostile case above on CPython 3.15 (built, or Debian unstable's: USDT)" {
	hostile_built 3.15
}

@test "every hostile case above on CPython 3.15 --enable-shared (built: uprobes)" {
	hostile_built 3.15-shared
}

@test "every hostile case above on CPython 3.15t (built: free-threaded, uprobes)" {
	hostile_built 3.15t
}

# ---- malformed files named like Pythons ------------------------------------

# Writes $T/mkelf.py: mkelf.py MODE OUT, a copy of Debian's interpreter
# made malformed in one way.
write_mkelf() {
	cat >"$T/mkelf.py" <<'EOF'
import struct, sys
mode, out = sys.argv[1], sys.argv[2]
b = bytearray(open("/usr/bin/python3.11", "rb").read())

def stapsdt_notes():
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shnum, shstrndx = struct.unpack_from("<HH", b, 0x3c)
    names, = struct.unpack_from("<Q", b, shoff + shstrndx * 64 + 24)
    for i in range(shnum):
        h = shoff + i * 64
        n = struct.unpack_from("<I", b, h)[0]
        if b[names + n:].split(b"\0")[0] == b".note.stapsdt":
            off, size = struct.unpack_from("<QQ", b, h + 24)
    notes, pos = [], off
    while pos < off + size:
        namesz, descsz, _ = struct.unpack_from("<III", b, pos)
        desc = pos + 12 + ((namesz + 3) & ~3)
        prov, name = bytes(b[desc + 24:desc + descsz]).split(b"\0")[:2]
        notes.append((pos, desc, prov + b":" + name))
        pos = desc + ((descsz + 3) & ~3)
    return notes

if mode == "truncated":         # the first half: no section headers left
    b = b[:len(b) // 2]
elif mode == "shoff":           # section headers past the end, 65535 of them
    struct.pack_into("<Q", b, 0x28, len(b) + (1 << 20))
    struct.pack_into("<H", b, 0x3c, 0xffff)
elif mode == "shnum":           # 65535 section headers where a few fit
    struct.pack_into("<H", b, 0x3c, 0xffff)
elif mode == "copy":            # sound
    pass
elif mode == "note-size":       # python:audit's note is larger than its section
    audit = [n for n in stapsdt_notes() if n[2] == b"python:audit"][0]
    struct.pack_into("<I", b, audit[0] + 4, 0x7ffffff0)
elif mode == "note-last":       # the last note lies, python:audit is sound
    struct.pack_into("<I", b, stapsdt_notes()[-1][0] + 4, 0x7ffffff0)
elif mode == "note-pc":         # python:audit's probe address is nowhere
    audit = [n for n in stapsdt_notes() if n[2] == b"python:audit"][0]
    struct.pack_into("<Q", b, audit[1], 0xdead0000000)
else:
    sys.exit("mkelf.py: unknown mode " + mode)
open(out, "wb").write(b)
EOF
}

# The process that maps the files PROT_EXEC (the watcher's cue), holds
# them while pyaudit looks, then raises an event.
MAP_PY='
import mmap, os, sys, time
maps = []
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    maps.append(mmap.mmap(fd, 0, prot=mmap.PROT_READ | mmap.PROT_EXEC))
time.sleep(1.5)
sys.audit("pyaudit.hostile.mapped", os.getpid())
'

# malformed_run [--json] MODE:NAME...: pyaudit on the whole host in the
# background; in a private mount namespace, a tmpfs on $MNT holds each
# NAME made by mkelf.py MODE, and Debian's python3.11 maps them all (HPID,
# which then raises pyaudit.hostile.mapped). FILE[NAME] is the path
# pyaudit can name each file by. pyaudit is stopped with SIGINT.
malformed_run() {
	local json= spec

	if [ "$1" = --json ]; then
		json=--json
		shift
	fi
	requires_python "$DEBIAN_PY" "Debian's $DEBIAN_PY"
	command -v unshare >/dev/null || skip "unshare absent"
	MNT=$(mktemp -d /mnt/pyaudit-hostile.XXXXXX)
	write_mkelf
	start_pyaudit $json
	unshare -m --propagation private sh -c '
		mnt=$1 py=$2 helper=$3 mkelf=$4 code=$5
		shift 5
		mount -t tmpfs tmpfs "$mnt" || exit 1
		for spec; do
			f=$mnt/${spec#*:}
			mkdir -p "$(dirname "$f")" &&
			"$helper" "$mkelf" "${spec%%:*}" "$f" || exit 1
			set -- "$@" "$f"
			shift
		done
		exec "$py" -c "$code" "$@"' sh "$MNT" "$DEBIAN_PY" "$HELPER_PY" \
		"$T/mkelf.py" "$MAP_PY" "$@" &
	HPID=$!
	wait "$HPID"
	declare -gA FILE=()
	for spec in "$@"; do
		FILE[${spec#*:}]=/proc/$HPID/root$MNT/${spec#*:}
		[ ! -e "$MNT/${spec#*:}" ]	# only in that namespace
	done
	rmdir "$MNT"
	MNT=
	stop_after "$DEBIAN_PY" || return 1
	cat -v "$T/err"
	[ "$AFTER_RC" = 0 ] || { echo "pyaudit exited $AFTER_RC" >&2; return 1; }
}

# warned PATH TEXT: a JSON warning on stderr names PATH and says TEXT.
warned() {
	grep '^{' "$T/err" | jq -e -s --arg p "$1" --arg t "$2" \
		'map(select(.type == "log" and .level == "warning" and
			    (.message | contains($p)) and (.message | contains($t))))
		 | length > 0' >/dev/null || { echo "no warning about $1: $2" >&2; return 1; }
}

# still_tracing: the mapping process's own event and a later one arrived.
still_tracing() {
	json_valid "$T/out"
	jq_ok ".event == \"pyaudit.hostile.mapped\" and .pid == $HPID"
	jq_ok ".event == \"pyaudit.hostile.after\" and .pid == $APID"
}

@test "malformed files named python: truncated, section table past the end, too many section headers" {
	requires_root
	malformed_run --json truncated:python3.11 shoff:python3 shnum:libpython3.11.so.1.0
	warned "skip ${FILE[python3.11]}: " "e_shoff 0x"
	warned "skip ${FILE[python3.11]}: " "past the end of the file"
	warned "skip ${FILE[python3]}: " "e_shoff 0x"
	warned "skip ${FILE[libpython3.11.so.1.0]}: " "65535 section headers do not fit in the file"
	not_grep -F "Tracing /proc/$HPID/" "$T/err"
	still_tracing
}

@test "malformed files named python: a stapsdt note that lies about its size or its probe address" {
	requires_root
	malformed_run --json note-size:python3.11 note-last:python3 note-pc:python
	# python:audit's note runs past its section: pyaudit does not believe
	# it, and probes the file as a Python without USDT.
	grep -Fx "Tracing ${FILE[python3.11]} (uprobes), found in process $HPID" "$T/err"
	# a later note lies, python:audit's is sound: the USDT probe
	grep -Fx "Tracing ${FILE[python3]} (usdt), found in process $HPID" "$T/err"
	# the probe is nowhere in the file: the attachment fails, named
	warned "${FILE[python]}: " "cannot attach to the python:audit USDT probe"
	still_tracing
}

# Before the fix in user/main.c, process_notices() (now
# attach__process_notices() in user/attach.c) analysed the file again at
# each poll (every ~25 ms) for NOTICE_RETRY_MS, each time with a fresh
# set of rejected files, so one malformed file gave ~40 identical
# warnings; and it printed "Tracing FILE" for new targets that could not
# be attached.
@test "a malformed file is reported once, and not said to be traced when attaching failed" {
	requires_root
	malformed_run --json truncated:python3.11 note-pc:python
	n=$(grep -cF "skip ${FILE[python3.11]}: " "$T/err") || true
	echo "warnings about ${FILE[python3.11]}: $n"
	[ "$n" = 1 ]
	n=$(grep -cF "${FILE[python]}: cannot attach" "$T/err") || true
	[ "$n" = 1 ]
	not_grep -F "Tracing ${FILE[python]} " "$T/err"
	still_tracing
}

# Fails until user/log.c escapes what it writes: warnings and the
# "Tracing FILE" line hold a path from the traced process's mount
# namespace, written to stderr as it is (in JSON mode, C1 controls,
# U+202E and invalid UTF-8 stay raw too).
@test "a malformed file in a directory whose name holds escape sequences: stderr stays clean" {
	requires_root
	local dir=$'\e[2J\e]0;pwned\a\xc2\x9b31m\xe2\x80\xae\xff'
	# a warning, and a "Tracing FILE" line for the sound copy
	malformed_run "truncated:$dir/python3.11" "copy:$dir/python3"
	grep -qaF "python3.11: e_shoff" "$T/err"
	grep -qaF "python3 (usdt), found in process $HPID" "$T/err"
	no_raw_control "$T/err"
	malformed_run --json "truncated:$dir/python3.11" "copy:$dir/python3"
	grep '^{' "$T/err" >"$T/errjson"
	json_valid "$T/errjson"
	iconv -f UTF-8 -t UTF-8 "$T/errjson" >/dev/null
	grep -v '^{' "$T/err" >"$T/errtext" || true
	no_raw_control "$T/errtext"
}
