#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The smoke set that scripts/vmtest.sh runs on other kernels (make vmtest
# KERNEL=6.1): pyaudit loads, Debian's python3.11 (USDT) and the pyenv
# 3.12 and 3.13 (uprobes) give C-level and Python-level events with their
# values and source locations, -e filters, and pyaudit exits cleanly. It
# also runs on the host as part of the integration tests (quickly).

load common

# The traced script: each event at a known line of f().
write_script() {
	cat >"$T/vmsmoke.py" <<'EOF'
import os, subprocess, sys
def f(d):
    open(os.path.join(d, 'x.txt'), 'w').close()
    subprocess.run(['/bin/true', 'vmsmoke-arg'])
    sys.audit('vmsmoke.event', 42, 'h\u00e9llo', b'b\x00', (1, 'a'), None)
f(sys.argv[1])
sys.exit(0)
EOF
}

# smoke PYTHON: events with values and source, then a filter.
smoke() {
	local py=$1 S=$T/vmsmoke.py
	write_script
	echo "kernel $(uname -r), $py" >&2
	trace_command --json -- "$py" "$S" "$T"
	[ -s "$T/out" ] || { cat "$T/err" >&2; return 1; }
	# a C-level event with its values and where it was raised
	jq_ok ".event == \"open\" and (.args.file | strings | endswith(\"/x.txt\")) and .args.mode == \"w\" and .source == {\"file\": \"$S\", \"line\": 3, \"function\": \"f\"}"
	# Python-level events: from the standard library, and sys.audit()
	jq_ok ".event == \"subprocess.Popen\" and .args.args == [\"/bin/true\", \"vmsmoke-arg\"] and .args.executable == \"/bin/true\""
	jq_ok ".event == \"vmsmoke.event\" and [.args[]] == [42, \"h\u00e9llo\", {\"type\": \"bytes\", \"text\": \"b\\u0000\", \"base64\": \"YgA=\"}, [1, \"a\"], null] and .source == {\"file\": \"$S\", \"line\": 5, \"function\": \"f\"}"
	# who raised it, from the exec record (identity.bpf.h: the path
	# walks and argv read in the kernel)
	jq_ok ".event == \"vmsmoke.event\" and .process.cmdline[1:] == [\"$S\", \"$T\"] and (.process.exe | startswith(\"/\")) and .process.cwd == \"$PWD\" and (.process.exec_id | test(\"^[0-9a-f]{16}-[0-9]+-[0-9]+-[0-9]+$\")) and (.process.parent_exec_id | type) == \"string\""
	# no event twice
	[ "$(jq -s 'map(select(.event == "vmsmoke.event")) | length' "$T/out")" = 1 ]
	# a filter: only the matching events
	trace_command --json -e 'vmsmoke.*' -- "$py" "$S" "$T"
	[ "$(jq -s 'map(select(.event == "vmsmoke.event")) | length' "$T/out")" = 1 ]
	jq -e -s 'all(.event | startswith("vmsmoke."))' "$T/out" >/dev/null
	# argument conditions, checked in BPF: the frames read after them
	trace_command --json -e 'vmsmoke.event:arg0=4?:arg3.1=a:arg2=b*' -e 'open:file=*/x.txt' \
		--action 'vmsmoke.event:arg0=42=kill' --action-dry-run -- "$py" "$S" "$T"
	jq_ok ".event == \"vmsmoke.event\" and .source.line == 5 and .action == \"would-kill\""
	jq_ok ".event == \"open\" and .source.line == 3"
	[ "$(jq -s 'map(select(.event != "vmsmoke.event" and .event != "open")) | length' "$T/out")" = 0 ]
	trace_command --json -e 'vmsmoke.event:arg1=h*llo' -x 'vmsmoke.event:arg3=1:a' -- "$py" "$S" "$T"
	[ "$(jq -s 'length' "$T/out")" = 0 ]
	# text output
	trace_command -e 'vmsmoke.*' -- "$py" "$S" "$T"
	grep -F "vmsmoke.event arg0=42 arg1='héllo' arg2=b'b\\x00' arg3=(1, 'a') arg4=None at $S:5 in f" "$T/out"
	! grep -Ei 'error|warning' "$T/err"
	# the deeper frame walk (--app-frame, --folded: 32 frames, lines
	# found in BPF) and the thread filter load and run on this kernel
	trace_command --json --app-frame -e subprocess.Popen -- "$py" "$S" "$T"
	jq_ok ".event == \"subprocess.Popen\" and .app == {\"file\": \"$S\", \"line\": 4, \"function\": \"f\"}"
	trace_command --folded -e 'vmsmoke.*' -- "$py" "$S" "$T"
	grep -qx "<module> ($S:6);f ($S:5);vmsmoke.event 1" "$T/out" || { cat "$T/out" "$T/err" >&2; return 1; }
	trace_command --json -t 1 -e 'vmsmoke.*' -- "$py" "$S" "$T"
	[ ! -s "$T/out" ]
}

@test "vmsmoke: pyaudit loads and exits with the command's status" {
	requires_root
	run "$PYAUDIT" -e nothing.at.all -- /bin/sh -c 'exit 3'
	[ "$status" = 3 ] || { echo "$output" >&2; return 1; }
}

@test "vmsmoke: Debian /usr/bin/python3.11 (USDT)" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	smoke /usr/bin/python3.11
	grep -q 'usdt' "$T/err" || "$PYAUDIT" -v -e x -- /usr/bin/python3.11 -c pass 2>&1 | grep -q usdt
}

# A copy of Debian's python3.11 whose USDT note is renamed away (the
# note's owner "stapsdt" and the section ".note.stapsdt"): the uprobe
# path on the one Python every architecture here has. Made by that
# Python itself (the arm64 guest has no objcopy).
python_without_usdt() {
	local py=$1 out=$2
	"$py" - "$py" "$out" <<'EOF'
import os, sys
data = open(sys.argv[1], 'rb').read()
n = data.count(b'stapsdt\0')
if n < 2:
    sys.exit('%s: no USDT note found (%d)' % (sys.argv[1], n))
open(sys.argv[2], 'wb').write(data.replace(b'stapsdt\0', b'nostdtx\0'))
os.chmod(sys.argv[2], 0o755)
EOF
}

# smoke_without_usdt PYTHON: the smoke set on PYTHON's copy without the note.
smoke_without_usdt() {
	local py=$1 copy=$T/${1##*/}
	requires_python "$py" "Debian's $py"
	python_without_usdt "$py" "$copy"
	"$PYAUDIT" -v -e x -- "$copy" -c pass >"$T/sites" 2>&1 || { cat "$T/sites" >&2; return 1; }
	grep -q 'uprobe' "$T/sites" || { cat "$T/sites" >&2; return 1; }
	! grep -q 'usdt' "$T/sites"
	smoke "$copy"
}

@test "vmsmoke: Debian python3.11 without its USDT note (uprobes)" {
	requires_root
	smoke_without_usdt /usr/bin/python3.11
}

# Debian 13's (make vmtest ARCH=arm64 VMTEST_SUITE=trixie): 3.12+ find
# the thread state by walking the threads, by the thread pointer.
@test "vmsmoke: Debian /usr/bin/python3.13 (USDT)" {
	requires_root
	requires_python /usr/bin/python3.13 "Debian's /usr/bin/python3.13"
	smoke /usr/bin/python3.13
}

@test "vmsmoke: Debian python3.13 without its USDT note (uprobes)" {
	requires_root
	smoke_without_usdt /usr/bin/python3.13
}

# pyenv's Pythons are x86_64 builds: an arm64 guest (make vmtest
# ARCH=arm64) has only Debian's arm64 python3.11, tested above with and
# without its USDT note.
requires_x86_64() {
	[ "$(uname -m)" = x86_64 ] ||
		skip "$1 is an x86_64 build and this machine is $(uname -m)"
}

@test "vmsmoke: pyenv 3.12 (uprobes)" {
	requires_root
	requires_x86_64 "pyenv's 3.12"
	py=$(pyenv_python 3.12) || true
	requires_python "$py" "pyenv's 3.12"
	smoke "$py"
}

@test "vmsmoke: pyenv 3.13 (uprobes)" {
	requires_root
	requires_x86_64 "pyenv's 3.13"
	py=$(pyenv_python 3.13) || true
	requires_python "$py" "pyenv's 3.13"
	smoke "$py"
}

# On a kernel below what pyaudit needs (5.10: make vmtest KERNEL=5.10
# VMTEST_CMD='bats -f refused tests/integration/vmsmoke.bats'): exit 1
# with the missing features named, no libbpf error.
# The watchers on this kernel: a Python under another name, started
# after pyaudit, first as a file rewritten in place (its ctime, read by
# CO-RE from whichever inode field this kernel has), then held.
@test "vmsmoke: a renamed interpreter rewritten in place is found by content; --hold-new" {
	requires_root
	requires_python /usr/bin/python3.11 "Debian's /usr/bin/python3.11"
	# jq: an ELF file every test root has (a root's /bin/true may be a
	# busybox applet, which goes by its name)
	cp "$(command -v jq)" "$T/app"
	start_pyaudit --json -e 'os.system'
	"$T/app" --version
	sleep 0.5
	cat /usr/bin/python3.11 >"$T/app"
	"$T/app" -c "import os, time; time.sleep(0.5); os.system('echo inplace')"
	sleep 0.3
	stop_pyaudit
	jq_ok '.event == "os.system" and (.args.command.base64 | @base64d) == "echo inplace"'
	cp /usr/bin/python3.11 "$T/held"
	start_pyaudit --json -e 'os.system' --hold-new
	run timeout 20 "$T/held" -c "import os; os.system('echo held')"
	[ "$status" = 0 ]
	stop_pyaudit
	jq_ok '.event == "os.system" and (.args.command.base64 | @base64d) == "echo held"'
}

@test "vmsmoke: a kernel without what pyaudit needs is refused by name" {
	requires_root
	run "$PYAUDIT" -e nothing.at.all -- /bin/sh -c 'exit 3'
	[ "$status" != 3 ] || skip "this kernel ($(uname -r)) has what pyaudit needs"
	echo "$output" >&2
	[ "$status" = 1 ]
	[[ "$output" == *"pyaudit: error: this kernel ($(uname -r)) lacks BPF features pyaudit needs: "*"("*")"* ]]
	[[ "$output" != *"libbpf"* ]]
}
