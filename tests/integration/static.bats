#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make static (issue 11): one statically linked pyaudit with libbpf 1.4
# from bookworm-backports. It is built here (the first run fetches a few
# Debian packages into $BUILD/static-cache), checked to be static, to
# carry the libbpf it says, to trace Debian's python3.11 (USDT) and pyenv
# Pythons (uprobes) through the smoke set of vmsmoke.bats, and not to
# touch glibc's NSS or dlopen() anything.

load common

ROOT=$BATS_TEST_DIRNAME/../..

setup_file() {
	local arch
	arch=$(uname -m)
	export STATIC_PYAUDIT=${STATIC_PYAUDIT:-$BUILD/static-$arch/pyaudit}
	# make static is quick once the cache is there; errors show in the
	# first test.
	# (not the sub-make of a SANITIZE=1 run: its MAKEFLAGS would carry over)
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory OUTPUT="$BUILD" CI=true static \
		>"$BATS_FILE_TMPDIR/make.log" 2>&1 || true
}

requires_static() {
	[ -x "$STATIC_PYAUDIT" ] || {
		cat "$BATS_FILE_TMPDIR/make.log" >&2
		echo "make static failed: no $STATIC_PYAUDIT" >&2
		return 1
	}
}

@test "static: make static gives one statically linked executable" {
	requires_static
	if command -v file >/dev/null; then
		run file -L "$STATIC_PYAUDIT"
		echo "$output"
		[[ "$output" == *"statically linked"* ]]
	fi
	run ldd "$STATIC_PYAUDIT"
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"not a dynamic executable"* ]]
	# no program interpreter, no needed library
	! readelf -lW "$STATIC_PYAUDIT" | grep -q INTERP
	! readelf -dW "$STATIC_PYAUDIT" | grep -q NEEDED
}

@test "static: -V reports the libbpf it carries (1.4, the one built against)" {
	requires_static
	run "$STATIC_PYAUDIT" -V
	echo "$output"
	[ "$status" = 0 ]
	line=$(echo "$output" | grep '^libbpf ')
	[[ "$line" =~ ^libbpf\ ([0-9]+\.[0-9]+)\ \(built\ against\ ([0-9]+\.[0-9]+)\.[0-9]+,\ linked\ statically\)$ ]]
	# libbpf_major/minor_version() of the linked library == the headers'
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	[ "${BASH_REMATCH[1]}" = 1.4 ]
	# The default build carries the same libbpf (docs/design.md: one
	# libbpf for every build), unless built with LIBBPF=system.
	run "$PYAUDIT" -V
	[[ "$output" == *", shared library)"* ]] && return 0
	[ "$(echo "$output" | grep '^libbpf ')" = "$line" ]
}

@test "static: traces Debian's python3.11 (USDT) and pyenv Pythons (uprobes): the smoke set" {
	requires_root
	requires_static
	run env PYAUDIT="$STATIC_PYAUDIT" BUILD="$BUILD" bats --tap "$BATS_TEST_DIRNAME/vmsmoke.bats"
	echo "$output"
	[ "$status" = 0 ]
	# the interpreters were there and traced, not skipped
	echo "$output" | grep -E '^ok [0-9]+ vmsmoke: Debian /usr/bin/python3.11 \(USDT\)$'
	echo "$output" | grep -E '^ok [0-9]+ vmsmoke: pyenv 3\.1[23] \(uprobes\)$'
}

@test "static: pyaudit opens no NSS file or shared library while tracing" {
	requires_root
	requires_static
	command -v strace >/dev/null || skip "strace absent"
	# without -f: pyaudit's own process, not the traced Python
	strace -qq -o "$T/strace" -e trace=open,openat,openat2 \
		"$STATIC_PYAUDIT" -j -- /usr/bin/python3.11 -c 'import os; os.getcwd()' \
		>"$T/out" 2>"$T/err" 3>&-
	jq_ok '.event == "os.getcwd" or .event == "os.listdir" or .event == "exec"'
	grep -c . "$T/strace"
	# What NSS or a dlopen() would open first (pyaudit does open the
	# target's own libraries: it reads them as ELF files).
	! grep -E 'nsswitch|libnss|/etc/passwd|/etc/group|ld\.so\.cache|gconv' "$T/strace"
}
