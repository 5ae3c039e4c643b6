# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A realistic mix of audit events, recorded by scripts/bench.sh
(pyaudit --record) and replayed through the formatter by replay.c:
files opened, renamed and removed, directories listed, sockets, code
compiled and run, commands started, and application events with str,
int, float, bytes, list, tuple and dict arguments.

Usage: workload.py [ROUNDS]
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
d = tempfile.mkdtemp(prefix="pyaudit-bench-")
try:
    for i in range(rounds):
        p = os.path.join(d, f"data-{i % 20}.json")
        with open(p, "w") as f:
            f.write('{"x": 1}')
        with open(p, "rb") as f:
            f.read()
        os.rename(p, p + ".old")
        os.remove(p + ".old")
        os.listdir(d)
        sys.audit("myapp.login", "alice", i, ["x", b"y", 3.5])
        sys.audit("myapp.query", "SELECT * FROM orders WHERE id = %s",
                  (i, "pending"), {"user": "alice"})
        exec(compile(f"v = {i} * 2", "<config>", "exec"), {})
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", 0))
        finally:
            s.close()
        os.putenv("BENCH_ROUND", str(i))
        if i % 100 == 0:
            subprocess.run(["/bin/true"], check=True)
            shutil.copyfile(__file__, os.path.join(d, "copy.py"))
finally:
    shutil.rmtree(d)
