# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The in-process side of the exact comparison: an audit hook that writes
every event it sees, with the exact value of every argument, in pyaudit's
JSON value conventions (docs/output.md), unbounded (the comparator knows
pyaudit's bounds).

install() opens $PYAUDIT_EXACT_OUT (O_APPEND: every process of a run
writes its lines there, one os.write per line) and adds the hook. It is
called by sitecustomize.py in every fresh interpreter that has this
directory on PYTHONPATH, so the hook also sees cpython.run_command,
cpython.run_module and cpython.run_file; a forked child keeps the hook and
the descriptor, and starts a new "image" (os.register_at_fork).

One line per event:
  {"pid", "tid", "img", "kind": "fresh"|"fork", "t": monotonic ns at the
   image's start, "ps": the process's start (CLOCK_REALTIME ns: what tells
   apart the processes of a pid reused during a run, and an exec'd image
   from a new process), "seq", "rt": time.time_ns(), "event",
   "args": [...]}
The hook uses nothing that raises an audit event (os.write, json, base64,
os.getpid, threading.get_native_id), and takes its sequence number first,
so an event raised inside another's hook is numbered after it, as pyaudit
sees it. Standard library only; CPython 3.8+.
"""
import base64
import itertools
import json
import os
import sys
import threading
import time

_TPFLAGS_HEAPTYPE = 1 << 9
BYTES_KEPT = 1024
_fd = [-1]
# (pid, image id, "fresh" or "fork", monotonic ns at the image's start,
# process start in CLOCK_REALTIME ns), replaced whole: one store, atomic
# between threads
_cur = [(0, '', 'fresh', 0, 0)]
_seq = itertools.count()


def _str(s):
    # A lone surrogate is written as the surrogateescape of its three
    # UTF-8-style bytes (docs/output.md), like pyaudit does.
    return s.encode('utf-8', 'surrogatepass').decode('utf-8', 'surrogateescape')


def _tp_name(t):
    """A guess at tp_name: static types say module.name; the comparator
    accepts the last component too (heap types from PyType_FromSpec)."""
    mod = getattr(t, '__module__', None)
    name = getattr(t, '__name__', '?')
    if isinstance(mod, str) and mod != 'builtins' and \
            not (t.__flags__ & _TPFLAGS_HEAPTYPE):
        return mod + '.' + name
    return name


_BASES = ((bool, 'bool'), (int, 'int'), (float, 'float'), (str, 'str'),
          (bytes, 'bytes'), (tuple, 'tuple'), (list, 'list'))


def to_json(v, depth=1):
    """Exact JSON form of v; containers fully, at any depth. depth 1 is an
    argument of the event."""
    t = type(v)
    if v is None or t is bool:
        return v
    if t is int:
        return v
    if t is float:
        if v != v or v in (float('inf'), float('-inf')):
            return {"type": "float", "value": repr(v)}
        return v
    if t is str:
        return _str(v)
    if t is bytes:
        if len(v) > BYTES_KEPT:
            # marshal.loads passes whole .pyc files: pyaudit shows 256
            # bytes, so the first BYTES_KEPT and the length are enough
            return {"type": "bytes", "length": len(v),
                    "base64": base64.b64encode(v[:BYTES_KEPT]).decode()}
        return {"type": "bytes", "base64": base64.b64encode(v).decode()}
    if t is tuple or t is list:
        return {"type": t.__name__,
                "items": [to_json(x, depth + 1) for x in v]}
    if isinstance(v, type):
        return {"type": "class", "name": _tp_name(v)}
    if t.__name__ == 'code' and hasattr(v, 'co_filename'):
        return {"type": "code", "filename": _str(v.co_filename),
                "name": _str(v.co_name)}
    for base, name in _BASES:
        if isinstance(v, base):
            # A subclass of a value type: its base value and its type
            # (issue 18, item 4).
            return {"type": "subclass", "typename": _tp_name(t),
                    "base": name, "value": to_json(base(v) if base is not bool
                                                   else bool(v), depth)}
    return {"type": "object", "typename": _tp_name(t)}


def _fork_image():
    """A forked child's image, named by its own start: two children of one
    process that get the same pid (the pid space wrapped between them)
    must not share an image (their records would be merged)."""
    pid = os.getpid()
    t = time.monotonic_ns()
    _cur[0] = (pid, '%d.fork.%d' % (pid, t), 'fork', t, time.time_ns())
    return _cur[0]


def _proc_start_ns():
    """This process's start as CLOCK_REALTIME ns: proc(5)'s starttime
    (field 22 of /proc/self/stat, clock ticks since boot, CLOCK_BOOTTIME),
    the same for every image an exec makes of the process. Read before
    the hook is added: the open is not the hook's to see."""
    try:
        with open('/proc/self/stat', 'rb') as f:
            stat = f.read()
        ticks = int(stat[stat.rindex(b')') + 2:].split()[19])
        boot = time.time_ns() - time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        return boot + ticks * 10**9 // os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return 0


def _hook(event, args):
    # next() on a count is one C call: atomic between threads
    seq = next(_seq)
    pid = os.getpid()
    cur = _cur[0]
    if cur[0] != pid:
        # A fork that ran no at-fork callbacks (os.fork runs them, and
        # _posixsubprocess before a preexec_fn): a new image here.
        cur = _fork_image()
    try:
        vals = [to_json(a) for a in args]
    except Exception as exc:  # never break the traced program
        vals = [{"type": "hook_error", "error": repr(exc)}]
    rec = {"pid": pid, "tid": threading.get_native_id(), "img": cur[1],
           "kind": cur[2], "t": cur[3], "ps": cur[4], "seq": seq, "rt": time.time_ns(),
           "event": _str(event), "args": vals}
    try:
        os.write(_fd[0], (json.dumps(rec) + '\n').encode())
    except OSError:
        pass


def install():
    path = os.environ.get('PYAUDIT_EXACT_OUT')
    if not path or _fd[0] >= 0:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    if fd < 100:
        # Out of the way of programs that dup2 onto low descriptors.
        fd2 = os.dup2(fd, 100 + fd) if hasattr(os, 'dup2') else fd
        os.close(fd)
        fd = fd2
    # Inherited by forked children; exec'd interpreters open it again.
    os.set_inheritable(fd, False)
    _fd[0] = fd
    t = time.monotonic_ns()
    _cur[0] = (os.getpid(), '%d.%d' % (os.getpid(), t), 'fresh', t,
               _proc_start_ns())
    # in the child, before it raises any event or starts a thread
    os.register_at_fork(after_in_child=_fork_image)
    sys.addaudithook(_hook)
