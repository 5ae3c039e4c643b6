# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The timed loop of scripts/bench.sh: ns per iteration of a loop that
raises one audit event per iteration.

Usage: loop.py c|py N [REPS]
  c   id(x): the C-level event builtins.id (PySys_Audit in the interpreter)
  py  sys.audit("bench.ev", "s", 1): a Python-level event
Prints the best of REPS (default 3) repetitions, in ns per iteration.
With BENCH_SHOW_LIB set, also prints the libpython this process maps
(on stderr), so that the caller can check which file was probed.
"""
import os
import sys
import time


def c_loop(n, id=id, x=object()):
    for _ in range(n):
        id(x)


def py_loop(n, audit=sys.audit):
    for _ in range(n):
        audit("bench.ev", "s", 1)


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    loop = {"c": c_loop, "py": py_loop}[kind]
    if os.environ.get("BENCH_SHOW_LIB"):
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "libpython" in line}
        print("maps:", " ".join(sorted(libs)) or "(none)", file=sys.stderr)
    loop(1000)          # warm up
    best = None
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        loop(n)
        dt = time.perf_counter_ns() - t0
        best = dt if best is None else min(best, dt)
    print(f"{best / n:.1f}")


main()
