# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A load worker: raise sys.audit("pyaudit.load.ev", i) for i = 0, 1, ...
as fast as possible for DURATION seconds, then write "PID COUNT" to
COUNT_FILE. Starts when GO_FILE exists, so that the workers run together.

usage: worker.py COUNT_FILE DURATION GO_FILE
"""
import os
import sys
import time


def main():
    count_file, duration, go_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    while not os.path.exists(go_file):
        time.sleep(0.001)
    audit = sys.audit
    clock = time.monotonic
    end = clock() + duration
    i = 0
    while True:
        for _ in range(256):
            audit("pyaudit.load.ev", i)
            i += 1
        if clock() >= end:
            break
    tmp = count_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{os.getpid()} {i}\n")
    os.rename(tmp, count_file)


if __name__ == "__main__":
    main()
