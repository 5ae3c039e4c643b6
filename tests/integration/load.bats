#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Load with exact accounting (tests/load/load.sh, short runs): for every
# worker, events delivered + events reported lost == events raised.

load common

LOAD=$BATS_TEST_DIRNAME/../load/load.sh

requires_load_python() {
	[ -x /usr/bin/python3.11 ] || [ -n "$(pyenv_python 3.12)" ] || [ -n "$(pyenv_python 3.13)" ] ||
		skip "no /usr/bin/python3.11 nor pyenv 3.12/3.13"
}

@test "load: 8 workers for 5 s, delivered + lost == raised for each" {
	requires_root
	requires_load_python
	run env PYAUDIT="$PYAUDIT" "$LOAD" -n 8 -d 5 -D "$T"
	echo "$output"
	[ "$status" = 0 ]
	grep -q '^accounting exact' <<<"$output"
	[ "$(grep -cE '^ +[0-9]+ +[0-9]+ .* ok$' <<<"$output")" = 8 ]
}

@test "load: a small ring buffer loses events, and every loss is counted" {
	requires_root
	requires_load_python
	run env PYAUDIT="$PYAUDIT" "$LOAD" -n 4 -d 3 -r 65536 -D "$T"
	echo "$output"
	[ "$status" = 0 ]
	grep -q '^accounting exact' <<<"$output"
	# losses there were
	lost=$(awk '$1 == "total" { print $4 }' <<<"$output")
	[ "$lost" -gt 0 ]
}
