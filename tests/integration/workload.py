# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Raise a known set of audit events, for pyaudit's integration tests.

Usage: PYAUDIT_HOOK_OUT=FILE workload.py
With PYAUDIT_HOOK_OUT set, an in-process audit hook records every event it sees from
its installation until the 'pyaudit.test.end' marker, and writes them to
HOOK_OUT as JSON Lines in pyaudit's JSON value conventions, so that the
test can compare the two views of the same process.
Runs on CPython 3.8+ with the standard library only.
"""
import base64
import ctypes
import ctypes.util
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

hook_out = os.environ.get('PYAUDIT_HOOK_OUT')
seen = []
recording = [True]


KINDS = ((str, "str"), (bytes, "bytes"), (int, "int"), (float, "float"),
         (tuple, "tuple"), (list, "list"))


def subclass_json(v, depth):
    """A subclass's value: its kind's object form with "typename" (see
    docs/output.md), or None when v's type is no such subclass."""
    for kind, name in KINDS:
        if isinstance(v, kind) and type(v) is not kind \
                and not isinstance(v, bool):
            plain = to_json(kind(v), depth)
            head = {"type": name, "typename": type(v).__name__}
            if isinstance(plain, dict):
                plain.pop("type")
                return {**head, **plain}
            if name in ("tuple", "list"):
                return {**head, "items": plain}
            return {**head, "value": plain}
    return None


def to_json(v, depth=0):
    """pyaudit's JSON form of a value (see docs/output.md)."""
    sub = subclass_json(v, depth)
    if sub is not None:
        return sub
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v != v or v in (float('inf'), float('-inf')):
            return {"type": "float", "value": repr(v)}
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return {"type": "bytes", "base64": base64.b64encode(v).decode()}
    if isinstance(v, (tuple, list)):
        if depth >= 2 and len(v):
            return {"type": "tuple" if isinstance(v, tuple) else "list",
                    "length": len(v), "items": [], "truncated": True}
        return [to_json(x, depth + 1) for x in v]
    if isinstance(v, type):
        return {"type": "class", "name": v.__name__}
    if type(v).__name__ == 'code':
        return {"type": "code", "filename": v.co_filename, "name": v.co_name}
    return {"type": "object", "typename": type(v).__name__}


def hook(event, args):
    if recording[0]:
        seen.append({"event": event,
                     "args": [to_json(a, 1) for a in args]})
        if event == 'pyaudit.test.end':
            recording[0] = False


if hook_out:
    sys.addaudithook(hook)

tmp = tempfile.mkdtemp(prefix='pyaudit-test-')
src = os.path.join(tmp, 'src.txt')

# C-level events
with open(src, 'w') as f:
    f.write('hello\n')
os.listdir(tmp)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
port = srv.getsockname()[1]
cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
cli.connect(('127.0.0.1', port))
cli.close()
srv.close()
code = compile('x = 6 * 7', '<pyaudit-test>', 'exec')
exec(code)
ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')

# Python-level events
subprocess.Popen(['/bin/true', 'pyaudit-argv-1', 'arg two']).wait()
shutil.copyfile(src, os.path.join(tmp, 'dst.txt'))
glob.glob(os.path.join(tmp, '*.nothing'))

# A custom event with every type
sys.audit('pyaudit.test.types', 'text', b'by\x00tes', 42, -7, 2**100,
          -(2**64), 1.5, True, False, None, (1, 'a'), [2, 'b'],
          'h\u00e9llo w\u00f6rld', '\u4e2d\u6587', '\U0001F600', 0)


# Subclasses of str, bytes, int, float, tuple, list, and a structseq:
# their values with their type names (the hook writes them the same way)
class MyStr(str):
    pass


class MyTuple(tuple):
    pass


sys.audit('pyaudit.test.subclass', MyStr('abc'), MyTuple((1, MyStr('x'))),
          type('MyBytes', (bytes,), {})(b'y'), type('MyInt', (int,), {})(-3),
          type('MyFloat', (float,), {})(0.25), type('MyList', (list,), {})([]),
          os.stat_result(tuple(range(10))))


class Hostile:
    pass


sys.audit('pyaudit.test.objects', int, Hostile(), Hostile, code)
sys.audit('pyaudit.test.end', os.getpid())
recording[0] = False

shutil.rmtree(tmp)
if hook_out:
    with open(hook_out, 'w') as f:
        for e in seen:
            f.write(json.dumps(e) + '\n')
