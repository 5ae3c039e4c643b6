# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Two forked children of one process with the same pid, their events all
raised by threads (issue 18: the 3.10 flake of exact.bats, 2 events
paired with the wrong thread). Before the hook named each image by its
start, the two children shared one image, their records interleaved by
sequence, and the comparator found 2 missing and 2 extra events (the
second child's first two). The main threads' events (their tid is the
pid) interleave whenever the first child raises more events than the
parent between the two forks: the old hook failed here every time.

Usage: PY reuse_threads.py PIDWRAP (under pyaudit, with the exact hook);
exits 3 when no child got the first one's pid in eight tries."""
import os
import subprocess
import sys
import threading


def child(n):
    def work(k):
        sys.audit('exact.thread', k, True)
        os.listdir('/')
        for i in range(30):
            sys.audit('exact.more', k, i)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for i in range(40):
        sys.audit('exact.main', n, i)
    os._exit(0)


def fork_child(n):
    pid = os.fork()
    if pid == 0:
        child(n)
    os.waitpid(pid, 0)
    return pid


first = fork_child(0)
for n in range(1, 9):
    if subprocess.run([sys.argv[1], str(first)]).returncode == 0 and \
            fork_child(n) == first:
        sys.exit(0)
print('reuse_threads.py: no child got pid %d again' % first, file=sys.stderr)
sys.exit(3)
