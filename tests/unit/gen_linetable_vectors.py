#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Test vectors for user/linetable.c, from real CPython interpreters.

Regenerate tests/unit/linetable_vectors.h (from the repository root; any
of the interpreters can run the driver):

    /usr/bin/python3.11 tests/unit/gen_linetable_vectors.py \\
        -o tests/unit/linetable_vectors.h \\
        /root/.pyenv/versions/3.8.18/bin/python3.8 \\
        /root/.pyenv/versions/3.9.18/bin/python3.9 \\
        /root/.pyenv/versions/3.10.13/bin/python3.10 \\
        /root/.pyenv/versions/3.11.7/bin/python3.11 \\
        /usr/bin/python3.11 \\
        /root/.pyenv/versions/3.12.1/bin/python3.12 \\
        /root/.pyenv/versions/3.13.0/bin/python3.13

The driver runs this same file under every interpreter with --dump (which
prints JSON) and writes one C header. Under each interpreter it:

1. compiles the sample sources below (plus the samples its version can
   parse: match, except*, type parameters, and its own textwrap.py and
   shlex.py as real-world code) and walks every code object
   recursively. For each it records the minor version, co_firstlineno,
   the raw line table (co_lnotab before 3.10, else co_linetable), the
   bytecode length and the expected line of every 2-byte offset of the
   bytecode (inline caches included):
     3.8, 3.9  dis.findlinestarts(): the line of the last line start at or
               before the offset;
     3.10+     co.co_lines(): the (start, end, line) range holding the
               offset, line None -> -1.
   The expected lines are stored run-length encoded (count, line minus
   co_firstlineno); the C test expands them and checks every offset.

2. runs functions that raise audit events (sys.audit, open) and call a
   Python function, and, from the audit hook or the callee, reads the
   caller frame's instruction position from raw memory with ctypes, the
   way BPF will (f_lasti in 3.8-3.10; prev_instr (3.11, 3.12) or instr_ptr (3.13+)
   minus the code's bytecode start), converts it to the byte offset that
   user/linetable.h asks for, and stores it with frame.f_lineno. These
   "call site" vectors check the offset convention against CPython itself.

Code objects whose table exceeds MAX_TABLE bytes are left out, to keep the
header small: today only the 3.10 module code of the two samples that start
a million lines down (3.10 spends two bytes per 127 lines); the count per
interpreter is written in the header.

This file must stay valid Python 3.8.
"""

import argparse
import ctypes
import importlib.util
import json
import os
import subprocess
import sys

MAX_TABLE = 4096

# ---------------------------------------------------------------------------
# Samples. Valid Python 3.8 unless listed in GATED.

BASIC = '''\
import os, sys

def empty():
    pass

def ellipsis_only():
    ...

def docstring_only():
    """Only a docstring."""

class Empty:
    pass

def decorator(fn):
    return fn

def deco_args(*a, **k):
    def wrap(fn):
        return fn
    return wrap

@decorator
@deco_args(
    1,
    key=2,
)
def decorated(x, y=3, *args, z, **kw):
    return x + y + z

class Shape(object):
    """A class body with methods."""
    sides = 0

    def __init__(self, name):
        self.name = name

    @property
    def label(self):
        return "%s/%d" % (self.name, self.sides)

    @staticmethod
    def make(*names):
        return [Shape(n) for n in names]

    @classmethod
    def count(cls, items):
        return sum(1 for i in items if isinstance(i, cls))

def comprehensions(data):
    a = [x * 2 for x in data if x]
    b = {x: y for x, y in zip(data, data[1:])}
    c = {x for x in data}
    d = list(x for x in data)
    e = [[y for y in range(x)]
         for x in data
         if x]
    return a, b, c, d, e

def lambdas(k):
    f = lambda x: x + k
    g = lambda *a, **kw: (a,
                          kw)
    return sorted([3, 1, 2], key=lambda v: -v), f, g

def exceptions(path):
    try:
        fh = open(path)
    except FileNotFoundError as e:
        return None
    except (OSError, ValueError):
        raise
    else:
        with fh:
            return fh.read()
    finally:
        pass

def nested_try():
    for i in range(3):
        try:
            try:
                if i == 1:
                    continue
                if i == 2:
                    break
            finally:
                print(i)
        except Exception:
            pass
    return i

def with_many(a, b):
    with a as x, b as y:
        pass
    with a:
        with b:
            return x, y

def generator(n):
    for i in range(n):
        yield i
    yield from range(n)
    return n

async def coroutine(obj):
    async with obj as o:
        async for item in o:
            await item
    return [x async for x in obj]

def multiline(a, b):
    total = (a +
             b *
             2)
    call = max(
        a,
        b,
        key=lambda v: (
            v
        ),
    )
    text = ("abc"
            "def"
            f"{a}"
            )
    data = {
        "a": a,
        "b": [
            b,
            b,
        ],
    }
    cond = (a
            if b
            else None)
    chained = (str(a)
               .strip()
               .upper()
               .lower())
    return total, call, text, data, cond, chained

def closures():
    x = 1
    def inner():
        nonlocal x
        x += 1
        def innermost():
            return x
        return innermost
    return inner

def control(n):
    while n > 0:
        n -= 1
        if n % 3 == 0:
            continue
        elif n % 5 == 0:
            break
    else:
        n = -1
    assert n < 100, "too big"
    del n
    global GLOBAL
    GLOBAL = 1
    return GLOBAL

def walrus(items):
    if (n := len(items)) > 3:
        return n
    return [y for x in items if (y := x)]

def star(*a, **k):
    first, *rest = a
    return print(*rest, **k, sep=""), {**k}, [*a]

def long_line(a):
    x = [@MANY@]
    return x

def many_locals():
    @LOCALS@
    return v0
'''

GATED = [
    # (minimum minor, name, source)
    (10, 'match', '''\
def matcher(cmd):
    match cmd:
        case ["go", direction]:
            return direction
        case {"x": x, **rest} if x > 0:
            return rest
        case Point(x=0, y=y) | [y]:
            return y
        case _:
            return None
'''),
    (11, 'except_star', '''\
def groups():
    try:
        raise ExceptionGroup("g", [ValueError(1)])
    except* ValueError as e:
        pass
    except* (TypeError, KeyError):
        raise
'''),
    (12, 'type_params', '''\
type Alias[T] = list[T]

def first[T](items: list[T]) -> T:
    return items[0]

class Box[T]:
    def get(self) -> T:
        return f"{"nested" + 'quotes'}"
'''),
]


def gaps_source():
    """Line deltas around every encoding boundary, both directions."""
    gaps = (1, 2, 63, 64, 126, 127, 128, 129, 254, 255, 256, 257, 1000,
            4095, 4096, 70000)
    out = ['def forward(a):']
    for g in gaps:
        out.append('    a += 1')
        out.extend([''] * g)
    out.append('    return a')
    out.append('')
    # A call spanning `g` lines: the call itself is on its first line, so
    # the table goes back by about g (3.8 restores the statement's line,
    # 3.11+ gives the call its start line).
    out.append('def backward(a, f):')
    for g in gaps:
        out.append('    a = f(a,')
        out.extend([''] * g)
        out.append('          a)')
    out.append('    return a')
    out.append('')
    # A loop body of `g` lines: 3.10+ repeat the test at the bottom.
    out.append('def loops(a):')
    for g in (127, 128, 300):
        out.append('    while a:')
        out.append('        a -= 1')
        out.extend([''] * g)
        out.append('        a -= 2')
    out.append('    return a')
    out.append('')
    return '\n'.join(out) + '\n'


def samples(minor):
    many = ', '.join(['a'] * 300)
    loc = '\n    '.join('v%d = %d' % (i, i) for i in range(300))
    basic = BASIC.replace('@MANY@', many).replace('@LOCALS@', loc)
    out = [('basic', basic), ('gaps', gaps_source())]
    # Large line numbers, through leading newlines.
    out.append(('line100000', '\n' * 99999 + basic))
    # Module code whose first line is that far from co_firstlineno
    # (1): 3.11+ line varints of 4 and 5 chunks.
    far = '''\
def far_away(a):
    return [a for a in range(a)]
'''
    out.append(('line1000000', '\n' * 999999 + far))
    out.append(('line9000000', '\n' * 8999999 + far))
    for need, name, src in GATED:
        if minor >= need:
            out.append((name, src))
    # Real code: this interpreter's own copy of two standard modules.
    for mod in ('textwrap', 'shlex'):
        path = importlib.util.find_spec(mod).origin
        with open(path, encoding='utf-8') as fh:
            out.append((mod, fh.read()))
    return out


# ---------------------------------------------------------------------------
# Expected lines.

def code_objects(co):
    yield co
    for c in co.co_consts:
        if hasattr(c, 'co_code'):
            for sub in code_objects(c):
                yield sub


def raw_table(co, minor):
    return bytes(co.co_lnotab if minor < 10 else co.co_linetable)


def expected_lines(co, minor):
    """Line of every 2-byte offset of the bytecode, -1 for none."""
    n = len(co.co_code)
    if minor < 10:
        import dis
        starts = list(dis.findlinestarts(co))
        out = []
        k = -1
        for off in range(0, n, 2):
            while k + 1 < len(starts) and starts[k + 1][0] <= off:
                k += 1
            if k < 0:
                raise SystemExit('%s: offset %d before any line start'
                                 % (co.co_name, off))
            out.append(starts[k][1])
        return out
    out = [None] * (n // 2)
    pos = 0
    for start, end, line in co.co_lines():
        if start != pos or end <= start or end > n or start % 2 or end % 2:
            raise SystemExit('%s: co_lines() range %r after %d'
                             % (co.co_name, (start, end, line), pos))
        for off in range(start, end, 2):
            out[off // 2] = -1 if line is None else line
        pos = end
    if pos != n:
        raise SystemExit('%s: co_lines() ends at %d of %d'
                         % (co.co_name, pos, n))
    return out


def rle(lines, first):
    runs = []
    for line in lines:
        rel = None if line == -1 else line - first
        if runs and runs[-1][1] == rel:
            runs[-1][0] += 1
        else:
            runs.append([1, rel])
    return runs


# ---------------------------------------------------------------------------
# Raw frame reads, x86-64: the offsets of the frame layout rows of
# user/layout.c (Include/cpython/frameobject.h up to 3.10,
# Include/internal/pycore_frame.h from 3.11).

def raw_offset(frame, minor):
    """Byte offset of the frame's instruction, from the frame's raw fields."""
    addr = id(frame)
    if minor <= 10:
        # PyFrameObject.f_lasti: bytes in 3.8/3.9, code units in 3.10.
        lasti = ctypes.c_int.from_address(addr + (104 if minor < 10 else 96))
        return lasti.value * (2 if minor == 10 else 1)
    # PyFrameObject.f_frame (+24) -> _PyInterpreterFrame.
    iframe = ctypes.c_void_p.from_address(addr + 24).value
    code_field = 32 if minor == 11 else 0
    code = ctypes.c_void_p.from_address(iframe + code_field).value
    if minor >= 14:
        code &= ~3              # _PyStackRef tag bits
    if code != id(frame.f_code):
        raise SystemExit('raw frame read: code %#x != %#x'
                         % (code, id(frame.f_code)))
    # prev_instr (3.11, 3.12) or instr_ptr (3.13+), both at +56.
    instr = ctypes.c_void_p.from_address(iframe + 56).value
    code_start = {11: 184, 12: 192, 13: 200, 14: 208}[minor]
    return instr - (code + code_start)


CALLSITES = '''\
def site_simple():
    sys.audit("pyaudit.linetest", 1)
    open(os.devnull).close()
    return probe(0)

def site_multiline(a):
    sys.audit(
        "pyaudit.linetest",
        a,
    )
    return probe(
        a,
@GAP300@
        a)

def site_far(a):
    x = a
@GAP1000@
    sys.audit("pyaudit.linetest", x)
@GAP200@
    probe(x)
    return [
        probe(x),
@GAP200@
        sys.audit("pyaudit.linetest", x)]

def site_generator(n):
    for i in range(n):
        sys.audit("pyaudit.linetest", i)
        yield probe(i)

def site_comprehension(n):
    a = [probe(i)
         for i in range(n)]
    b = {i: sys.audit("pyaudit.linetest", i) for i in range(n)}
    return a, b

def site_lambda():
    f = lambda v: probe(v)
    g = lambda v: (
        sys.audit("pyaudit.linetest", v))
    return f(1), g(2)

def site_except():
    try:
        raise ValueError
    except ValueError:
        sys.audit("pyaudit.linetest", 2)
    finally:
        probe(3)

def site_with():
    with open(os.devnull) as fh:
        probe(fh)
    return fh

def deco(fn):
    probe(fn)
    return fn

def site_decorated():
    @deco
    @deco
    def inner():
        pass
    return inner

class SiteClass:
    probe(1)
    sys.audit("pyaudit.linetest", 1)
    def method(self, v):
        return (v
                + probe(v))

def site_loop(n):
    while n:
        n -= 1
@GAP200@
        probe(n)
    return n

probe("module")
site_simple()
site_multiline(1)
site_far(1)
list(site_generator(2))
site_comprehension(2)
site_lambda()
site_except()
site_with()
site_decorated()
SiteClass().method(1)
site_loop(2)
'''


def callsite_vectors(minor):
    found = []
    state = {'on': False}

    def record(frame, kind):
        off = raw_offset(frame, minor)
        if off != frame.f_lasti:
            raise SystemExit('%s: raw offset %d != f_lasti %d'
                             % (frame.f_code.co_name, off, frame.f_lasti))
        co = frame.f_code
        line = frame.f_lineno
        expect = expected_lines(co, minor)[off // 2]
        if expect != line:
            raise SystemExit('%s: f_lineno %d, table says %d at %d'
                             % (co.co_name, line, expect, off))
        found.append({'name': co.co_name, 'kind': kind,
                      'first': co.co_firstlineno,
                      'table': raw_table(co, minor).hex(),
                      'codelen': len(co.co_code),
                      'offset': off, 'line': line})

    def hook(event, args):
        if not state['on']:
            return
        if event == 'pyaudit.linetest' or \
                (event == 'open' and args and args[0] == os.devnull):
            record(sys._getframe(1), 'audit ' + event)

    def probe(*args):
        record(sys._getframe(1), 'python call')
        return 0

    sys.addaudithook(hook)
    gap = lambda n: '\n' * (n - 1)
    src = '\n' * 4999 + CALLSITES
    for n in (200, 300, 1000):
        src = src.replace('@GAP%d@' % n, gap(n))
    code = compile(src, '<callsites>', 'exec')
    state['on'] = True
    exec(code, {'sys': sys, 'os': os, 'probe': probe,
                '__name__': 'callsites'})
    state['on'] = False
    return found


def dump():
    minor = sys.version_info[1]
    vectors = []
    skipped = 0
    for name, src in samples(minor):
        top = compile(src, '<%s>' % name, 'exec')
        for co in code_objects(top):
            table = raw_table(co, minor)
            if len(table) > MAX_TABLE:
                skipped += 1
                continue
            lines = expected_lines(co, minor)
            vectors.append({'sample': name, 'name': co.co_name,
                            'first': co.co_firstlineno,
                            'table': table.hex(),
                            'codelen': len(co.co_code),
                            'runs': rle(lines, co.co_firstlineno)})
    json.dump({'version': sys.version.split()[0], 'minor': minor,
               'executable': sys.executable, 'skipped': skipped,
               'vectors': vectors, 'callsites': callsite_vectors(minor)},
              sys.stdout)


# ---------------------------------------------------------------------------
# Coverage of the encodings, checked so that a change of samples cannot
# silently lose a case the decoder must handle.

def group(minor):
    """Versions that share a table format."""
    return '3.8-3.9' if minor < 10 else '3.10' if minor == 10 else '3.11+'


def coverage(minor, tables):
    """Counts of the interesting items in the tables of one interpreter."""
    c = {}

    def bump(key):
        c[key] = c.get(key, 0) + 1

    for t in tables:
        if minor < 10:
            for i in range(0, len(t), 2):
                d = t[i + 1] - 256 if t[i + 1] >= 128 else t[i + 1]
                if t[i] == 255:
                    bump('addr +255')
                if t[i] == 0:
                    bump('addr +0')
                if d == 127:
                    bump('line +127')
                if d == -128:
                    bump('line -128')
                if d < 0:
                    bump('line < 0')
        elif minor == 10:
            for i in range(0, len(t), 2):
                if t[i] == 0:
                    bump('empty range')
                if t[i] >= 250:
                    bump('range >= 250')
                if t[i + 1] == 128:
                    bump('no line')
                elif t[i + 1] > 128:
                    bump('line < 0')
                elif t[i + 1] == 127:
                    bump('line +127')
        else:
            i = 0
            while i < len(t):
                code = (t[i] >> 3) & 15
                bump('code %d' % code)
                if (t[i] & 7) == 7:
                    bump('8 units')
                i += 1
                if code in (13, 14):
                    if t[i] & 1:
                        bump('line < 0')
                    n = 1
                    while t[i + n - 1] & 64:
                        n += 1
                    bump('line varint x%d' % n)
                while i < len(t) and not t[i] & 128:
                    i += 1
    return c


# What every interpreter's vectors must contain, so that a change of the
# samples cannot silently drop a case the decoder must handle.
REQUIRED = {
    '3.8-3.9': ['addr +0', 'addr +255', 'line +127', 'line -128',
                'line < 0'],
    '3.10': ['empty range', 'no line', 'line < 0', 'line +127',
             'range >= 250'],
    '3.11+': ['code 0', 'code 10', 'code 11', 'code 12', 'code 13',
              'code 14', 'code 15', '8 units', 'line < 0',
              'line varint x1', 'line varint x2', 'line varint x3',
              'line varint x4', 'line varint x5'],
}


# ---------------------------------------------------------------------------
# The C header.

def wrap_string(s, indent='\t', width=72):
    """A C string literal over several lines."""
    return '\n'.join('%s"%s"' % (indent, s[i:i + width])
                     for i in range(0, max(len(s), 1), width))


def wrap_list(items, indent='\t', width=76):
    lines = []
    cur = ''
    for it in items:
        if cur and len(cur) + len(it) + 1 > width:
            lines.append(cur)
            cur = ''
        cur += it + ','
    if cur:
        lines.append(cur)
    return '\n'.join(indent + ln for ln in lines)


def write_header(dumps, path, command):
    tables = bytearray()
    table_at = {}
    runs = []
    rows = []
    sites = []
    notes = []

    def add_table(hexstr):
        t = bytes.fromhex(hexstr)
        if t not in table_at:
            table_at[t] = len(tables)
            tables.extend(t)
        return table_at[t], len(t)

    for di, d in enumerate(dumps):
        minor = d['minor']
        noff = 0
        for v in d['vectors']:
            toff, tlen = add_table(v['table'])
            rows.append('\t{ %d, %d, %d, %d, %d, %d, %d, %d },'
                        % (di, minor, v['first'], v['codelen'], toff, tlen,
                           len(runs), len(v['runs'])))
            for count, rel in v['runs']:
                runs.append('{%d,%s}'
                            % (count, 'LT_NONE' if rel is None else rel))
                noff += count
        for s in d['callsites']:
            toff, tlen = add_table(s['table'])
            sites.append('\t{ %d, %d, %d, %d, %d, %d, %d, %d },'
                         % (di, minor, s['first'], s['codelen'], toff, tlen,
                            s['offset'], s['line']))
        c = coverage(minor, [bytes.fromhex(v['table'])
                             for v in d['vectors']])
        missing = [k for k in REQUIRED[group(minor)] if k not in c]
        if missing:
            raise SystemExit('%s: the vectors lack %s'
                             % (d['version'], ', '.join(missing)))
        notes.append('%s (%s): %d code objects, %d offsets, %d call sites; '
                     '%d code objects left out (table > %d bytes); table '
                     'items: %s.'
                     % (d['version'], d['executable'], len(d['vectors']),
                        noff, len(d['callsites']), d['skipped'], MAX_TABLE,
                        ', '.join('%s x%d' % (k, c[k]) for k in sorted(c))))

    out = ['/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */',
           '/*',
           ' * Generated by tests/unit/gen_linetable_vectors.py, do not '
           'edit. Command:',
           ' *']
    # The driver and script on the first line, then -o HEADER, then one
    # interpreter a line.
    parts = [' '.join(command[:2]), ' '.join(command[2:4])] + command[4:]
    for i, a in enumerate(parts):
        out.append(' *   ' + ('  ' if i else '') + a +
                   (' \\' if i + 1 < len(parts) else ''))
    out.append(' *')
    for n in notes:
        out.extend(wrap_comment(n))
    out += [' */',
            '#ifndef LINETABLE_VECTORS_H',
            '#define LINETABLE_VECTORS_H',
            '',
            '#include <stdint.h>',
            '',
            '/* Expected line of offsets that have none. */',
            '#define LT_NONE INT32_MIN',
            '',
            'static const char *const lt_interpreters[] = {']
    for d in dumps:
        out.append('\t"%s %s",' % (d['version'], d['executable']))
    out += ['};',
            '',
            '/*',
            ' * Every line table once, in hex (two digits a byte; half the '
            'size of a',
            ' * C byte array); rows point into it by byte.',
            ' */',
            '#define LT_TABLES_LEN %d' % len(tables),
            'static const char lt_tables_hex[] =',
            wrap_string(bytes(tables).hex()) + ';',
            '',
            '/*',
            ' * Runs of { count of consecutive 2-byte offsets, line - '
            'co_firstlineno',
            ' * or LT_NONE }, from offset 0 to the end of the bytecode.',
            ' */',
            'static const int32_t lt_runs[][2] = {',
            wrap_list(runs),
            '};',
            '',
            'struct lt_vector {',
            '\tuint8_t interp;\t\t\t/* index in lt_interpreters */',
            '\tuint8_t minor;',
            '\tint32_t firstlineno;',
            '\tuint32_t codelen;\t\t/* bytes of bytecode */',
            '\tuint32_t table, table_len;\t/* bytes in lt_tables_hex */',
            '\tuint32_t runs, nruns;\t\t/* in lt_runs */',
            '};',
            '',
            'static const struct lt_vector lt_vectors[] = {']
    out += rows
    out += ['};',
            '',
            '/*',
            ' * Live frames: the byte offset computed from raw frame memory '
            'as BPF',
            ' * will (user/layout.c\'s frame layout), and the frame.f_lineno '
            'CPython',
            ' * reported for the frame at that moment.',
            ' */',
            'struct lt_callsite {',
            '\tuint8_t interp;',
            '\tuint8_t minor;',
            '\tint32_t firstlineno;',
            '\tuint32_t codelen;',
            '\tuint32_t table, table_len;',
            '\tuint32_t offset;',
            '\tint32_t line;',
            '};',
            '',
            'static const struct lt_callsite lt_callsites[] = {']
    out += sites
    out += ['};',
            '',
            '#endif /* LINETABLE_VECTORS_H */']
    with open(path, 'w') as fh:
        fh.write('\n'.join(out) + '\n')
    sys.stderr.write('%s: %d vectors, %d call sites, %d table bytes, '
                     '%d runs\n' % (path, len(rows), len(sites), len(tables),
                                    len(runs)))


def wrap_comment(text, width=78):
    """A paragraph as comment lines ' * ...', indented after the first."""
    out = []
    cur = ' *'
    for w in text.split(' '):
        if len(cur) + 1 + len(w) > width and cur.strip() != '*':
            out.append(cur)
            cur = ' *  '
        cur += ' ' + w
    out.append(cur)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dump', action='store_true',
                    help='print this interpreter\'s vectors as JSON')
    ap.add_argument('-o', '--output', help='the C header to write')
    ap.add_argument('interpreters', nargs='*')
    args = ap.parse_args()
    if args.dump:
        dump()
        return
    if not args.output or not args.interpreters:
        ap.error('need -o HEADER and at least one interpreter')
    dumps = []
    for py in args.interpreters:
        res = subprocess.run([py, os.path.abspath(__file__), '--dump'],
                             stdout=subprocess.PIPE, check=True)
        dumps.append(json.loads(res.stdout.decode()))
    command = [sys.executable, 'tests/unit/gen_linetable_vectors.py',
               '-o', args.output] + args.interpreters
    write_header(dumps, args.output, command)


if __name__ == '__main__':
    main()
