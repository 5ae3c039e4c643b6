#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# From a flood to an answer (issue 15): the application's frame
# (--app-frame), counts by key (-s --by), flame-graph stacks (--folded),
# redaction (--redact), bytes with their text in JSON, the thread filter
# (-t) and its column, on the USDT python (Debian's 3.11) and uprobe ones
# (pyenv 3.12, 3.13).

load common

# The Pythons of this file: Debian's (USDT), pyenv's (uprobes).
pythons() {
	local p
	[ -x /usr/bin/python3.11 ] && echo /usr/bin/python3.11
	for m in 3.12 3.13; do
		p=$(pyenv_python "$m") && echo "$p"
	done
	return 0
}

# line FILE MARK: the number of the line of FILE that holds "# MARK".
line() {
	grep -n "# $2\$" "$1" | cut -d: -f1
}

requires_pythons() {
	requires_root
	[ -n "$(pythons)" ] || skip "no Python of this file on this machine"
}

# The app and a package of its own in a site-packages directory: the
# app's frame is the app's line, whether the event comes from the
# standard library (subprocess, urllib through http.client and socket:
# 14 frames deep) or from the package.
write_app() {
	local site=$T/venv/lib/python3.99/site-packages
	mkdir -p "$site/mypkg" "$T/vendor"
	cat >"$site/mypkg/__init__.py" <<'EOF2'
import sys
def go(x):
    return helper(x)
def helper(x):
    sys.audit("analysis.pkg", x)
EOF2
	cat >"$T/vendor/vend.py" <<'EOF2'
import sys
def call():
    sys.audit("analysis.vendor")
EOF2
	cat >"$T/app.py" <<'EOF2'
import http.server, subprocess, sys, threading, urllib.request
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import mypkg, vend
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
def main():
    subprocess.run(["/bin/true"])  # @app:run
    mypkg.go(1)  # @app:pkg
    urllib.request.urlopen("http://127.0.0.1:%d/" % srv.server_port).read()  # @app:url
    vend.call()  # @app:vendor
main()
EOF2
}

@test "analysis: --app-frame is the app's line, through the standard library and a site-packages package" {
	requires_pythons
	write_app
	local S=$T/app.py site=$T/venv/lib/python3.99/site-packages py
	for py in $(pythons); do
		trace_command --json --app-frame --lib-path "$T/vendor" \
			-e 'subprocess.Popen,analysis.*,socket.connect' -- "$py" "$S" "$site" "$T/vendor"
		app() { echo "{\"file\": \"$S\", \"line\": $(line "$S" "$1"), \"function\": \"main\"}"; }
		# the event's own frame is library code; app is the app's line
		jq_ok ".event == \"subprocess.Popen\" and (.source.file | test(\"/lib/python3[.][0-9]+/subprocess.py\$\")) and .app == $(app @app:run)" ||
			{ cat "$T/err" >&2; return 1; }
		jq_ok ".event == \"analysis.pkg\" and .source.file == \"$site/mypkg/__init__.py\" and .app == $(app @app:pkg)"
		jq_ok ".event == \"socket.connect\" and (.source.file | endswith(\"/socket.py\")) and .app == $(app @app:url)"
		jq_ok ".event == \"analysis.vendor\" and .app == $(app @app:vendor)"
		# the --stack callers are still the ones asked for (none)
		jq -e -s 'all(has("stack") | not)' "$T/out" >/dev/null
		# text: the suffix
		trace_command --app-frame -e 'analysis.pkg' -- "$py" "$S" "$site" "$T/vendor"
		grep -qF "at $site/mypkg/__init__.py:5 in helper [app $S:$(line "$S" @app:pkg) in main]" "$T/out" ||
			{ cat "$T/out" "$T/err" >&2; return 1; }
	done
}

write_loop() {
	cat >"$T/loop.py" <<'EOF2'
import sys
def a():
    for i in range(7):
        sys.audit("analysis.loop", i % 2)  # @loop:a
def b():
    for i in range(5):
        sys.audit("analysis.loop", "five")  # @loop:b
a()
b()
EOF2
}

@test "analysis: -s --by counts exactly: source and arg:NAME from the records, event and pid in the kernel" {
	requires_pythons
	write_loop
	local S=$T/loop.py py la lb
	la=$(line "$S" @loop:a)
	lb=$(line "$S" @loop:b)
	for py in $(pythons); do
		trace_command --json -s --by source,arg:arg0 -e 'analysis.*' -- "$py" "$S"
		rows=$(jq -c '.rows' "$T/out")
		[ "$rows" = "[{\"source\":\"$S:$lb\",\"arg:arg0\":\"five\",\"count\":5},{\"source\":\"$S:$la\",\"arg:arg0\":0,\"count\":4},{\"source\":\"$S:$la\",\"arg:arg0\":1,\"count\":3}]" ] ||
			{ echo "$py: $rows" >&2; cat "$T/err" >&2; return 1; }
		# --by alone implies -s; these keys are counted in the kernel
		trace_command --json --by event -e 'analysis.*' -- "$py" "$S"
		[ "$(jq -c '[.by, .rows]' "$T/out")" = '[["event"],[{"event":"analysis.loop","count":12}]]' ]
		# text
		trace_command -s --by source -e 'analysis.*' -- "$py" "$S"
		grep -qE "^ +7 $S:$la\$" "$T/out" && grep -qE "^ +5 $S:$lb\$" "$T/out" ||
			{ cat "$T/out" >&2; return 1; }
	done
}

@test "analysis: -s INTERVAL --by gives rates per second" {
	requires_pythons
	py=$(pythons | head -n 1)
	cat >"$T/rate.py" <<'EOF2'
import sys, time
end = time.monotonic() + 3
while time.monotonic() < end:
    sys.audit("analysis.rate")
    time.sleep(0.01)
EOF2
	trace_command --json -s 1 --by event -e 'analysis.*' -- "$py" "$T/rate.py"
	# each interval's rate is its count over 1 s
	jq -e -s 'map(select(.final == false)) | length >= 2 and all(.[].rows[]; .rate == .count and .count > 20)' "$T/out" >/dev/null ||
		{ cat "$T/out" "$T/err" >&2; return 1; }
	# the counts of all prints add up to the events raised (one per loop)
	[ "$(jq -s '[.[].rows[].count] | add' "$T/out")" -gt 60 ]
}

@test "analysis: --folded lines parse, outermost frame first, and sum to the events raised" {
	requires_pythons
	write_loop
	local S=$T/loop.py py
	for py in $(pythons); do
		trace_command --folded -e 'analysis.*' -- "$py" "$S"
		# every line: STACK COUNT, the event the leaf
		grep -vqE '^.+;analysis\.loop [0-9]+$' "$T/out" && { cat "$T/out" >&2; return 1; }
		[ "$(awk '{ s += $NF } END { print s }' "$T/out")" = 12 ]
		grep -qxF "<module> ($S:8);a ($S:$(line "$S" @loop:a));analysis.loop 7" "$T/out"
		grep -qxF "<module> ($S:9);b ($S:$(line "$S" @loop:b));analysis.loop 5" "$T/out" ||
			{ cat "$T/out" >&2; return 1; }
	done
	# a usage error with -j
	run "$PYAUDIT" --folded -j -- "$py" -c pass
	[ "$status" = 64 ]
}

write_secrets() {
	cat >"$T/secrets.py" <<'EOF2'
import http.client, http.server, os, subprocess, sys, threading, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers()
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
req = b"GET / HTTP/1.0\r\nAuthorization: Bearer SECRET-TOKEN-123\r\n\r\n"
c = http.client.HTTPConnection("127.0.0.1", srv.server_port)
c.send(req)
c.close()
subprocess.run(["/bin/true"], env={"API_TOKEN": "SECRET-TOKEN-123"})
os.putenv("API_TOKEN", "SECRET-TOKEN-123")
sys.audit("analysis.url", "postgres://alice:SECRET-PW@db.example:5432/x")
open(sys.argv[1], "w").write("%d\n" % len(req))
time.sleep(0.5)  # alive while pyaudit reads its command line
EOF2
}

@test "analysis: --redact hides the secrets and keeps their length" {
	requires_pythons
	write_secrets
	local py ev='http.client.send,subprocess.Popen,os.putenv,analysis.*'
	for py in $(pythons); do
		# without --redact the secrets are there (the test can fail)
		trace_command --json -e "$ev" -- "$py" "$T/secrets.py" "$T/len" https://bob:SECRET-ARG@h/
		grep -q 'SECRET-PW' "$T/out" && grep -q 'SECRET-TOKEN-123' "$T/out"
		trace_command --json --redact -e "$ev" -- "$py" "$T/secrets.py" "$T/len" https://bob:SECRET-ARG@h/
		! grep -q 'SECRET' "$T/out" || { grep SECRET "$T/out" >&2; return 1; }
		! grep -q 'U0VDUkVU' "$T/out"	# nor in base64
		n=$(cat "$T/len")
		[ "$n" = 58 ]
		jq_ok ".event == \"http.client.send\" and .args.data == {\"type\": \"redacted\", \"kind\": \"bytes\", \"length\": $n}"
		jq_ok '.event == "os.putenv" and .args.value == {"type": "redacted", "kind": "bytes", "length": 16}'
		jq_ok '.event == "subprocess.Popen" and .args.env.type == "redacted"'
		jq_ok '.event == "analysis.url" and .args.arg0 == "postgres://alice:*********@db.example:5432/x"'
		# and in the command line of the process object
		jq_ok '.process.cmdline[-1] == "https://bob:**********@h/"'
		# text
		trace_command --redact -e "$ev" -- "$py" "$T/secrets.py" "$T/len" https://bob:SECRET-ARG@h/
		! grep -q 'SECRET' "$T/out"
		grep -qF "data=<redacted bytes: $n bytes>" "$T/out"
	done
	run "$PYAUDIT" --redact --record "$T/rec" -- "$py" -c pass
	[ "$status" = 64 ]
}

@test "analysis: bytes that read as UTF-8 carry their text in JSON" {
	requires_pythons
	for py in $(pythons); do
		trace_command --json -e os.system -- "$py" -c 'import os; os.system(b"echo caf\xc3\xa9 >/dev/null"); os.system(b"echo \xff >/dev/null")'
		jq_ok '.event == "os.system" and .args.command.text == "echo café >/dev/null" and (.args.command.base64 | @base64d) == "echo café >/dev/null"'
		jq_ok '.event == "os.system" and .args.command.type == "bytes" and (.args.command | has("text") | not)'
		# jq can select on it
		[ "$(jq -c 'select(.args.command.text // "" | test("café")) | .event' "$T/out")" = '"os.system"' ]
	done
}

@test "analysis: -t filters to one thread in the kernel; text has a TID column" {
	requires_pythons
	cat >"$T/threads.py" <<'EOF2'
import os, sys, threading, time
ready = threading.Event()
def work():
    ready.set()
    while not os.path.exists(sys.argv[1] + "/go"):
        time.sleep(0.01)
    for i in range(3):
        sys.audit("analysis.thread", "worker")
t = threading.Thread(target=work)
t.start()
ready.wait()
with open(sys.argv[1] + "/tids.tmp", "w") as f:
    f.write("%d %d\n" % (threading.get_native_id(), t.native_id))
os.rename(sys.argv[1] + "/tids.tmp", sys.argv[1] + "/tids")
while not os.path.exists(sys.argv[1] + "/go"):
    time.sleep(0.01)
for i in range(3):
    sys.audit("analysis.thread", "main")
t.join()
EOF2
	for py in $(pythons); do
		rm -f "$T/go" "$T/tids"
		"$py" "$T/threads.py" "$T" &
		local pid=$! i
		for i in $(seq 1 200); do [ -s "$T/tids" ] && break; sleep 0.05; done
		read -r main worker <"$T/tids"
		start_pyaudit -j -p "$pid" -t "$worker" -e 'analysis.*'
		touch "$T/go"
		wait "$pid"
		stop_pyaudit
		[ "$(jq -s -c "map([.tid, .args.arg0]) | unique" "$T/out")" = "[[$worker,\"worker\"]]" ] ||
			{ cat "$T/out" "$T/err" >&2; return 1; }
		[ "$(wc -l <"$T/out")" = 3 ]
	done
	# text: TID after PID
	trace_command -e 'analysis.*' -- "$py" -c 'import sys, threading; sys.audit("analysis.tid", threading.get_native_id())'
	head -n 1 "$T/out" | grep -qE '^TIME +PID +TID +COMM +EVENT ARGS$'
	grep -qE "^[0-9:.]+ +([0-9]+) +([0-9]+) +[^ ]+ +analysis.tid arg0=\\2 " "$T/out" ||
		{ cat "$T/out" >&2; return 1; }
}

@test "analysis: -n is --comm" {
	requires_pythons
	py=$(pythons | head -n 1)
	trace_command --json -n nosuchcomm -e 'analysis.*' -- "$py" -c 'import sys; sys.audit("analysis.comm")'
	[ ! -s "$T/out" ]
	trace_command --json -n "$(basename "$(readlink -f "$py")" | cut -c1-15)" -e 'analysis.*' -- "$py" -c 'import sys; sys.audit("analysis.comm")'
	jq_ok '.event == "analysis.comm"' || { cat "$T/err" >&2; return 1; }
}
