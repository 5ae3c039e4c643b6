#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Regenerate user/event_table.c's events[] from CPython sources or docs.

    scripts/gen-event-table.py [--table user/event_table.c] [--write]
                               3.15=SOURCE [3.14=SOURCE ...]

SOURCE is one of:
  - a CPython source tree: every `.. audit-event:: NAME ARGS` directive
    of Doc/ (and the "raised internally" table of
    Doc/library/audit_events.rst), every PySys_Audit/_PySys_Audit/
    PySys_AuditTuple call of its C files and every sys.audit call of Lib/
    (the complete list of what that version raises);
  - that version's built docs page library/audit_events.html (from the
    python3.X-doc package: only the documented events).

For each version given, an event found there gets that version in its
.versions; a version given as a source tree is complete, so an event of the
table it does not raise stops before it (docs alone never remove one).
Versions not given keep what the table says. Documented argument names of
the newest version given replace the table's (a change is reported); new
events are added in place (the table stays sorted) with the docs' names
(none for undocumented ones: pyaudit then prints arg0=...) and a .doc
saying where they were found: review those. Without --write, the new events[] is printed to stdout and a summary
to stderr; with --write, the table's file is rewritten. A run with nothing
new leaves the file byte for byte as it was.
"""
import argparse
import html
import os
import re
import sys

ENTRY = re.compile(
    r'\t\{ \.name = "(?P<name>[^"]+)", \.nargs = (?P<nargs>\d+), '
    r'\.versions = "(?P<versions>[^"]+)",\n'
    r'(?:\t  \.args = \{ (?P<args>.*?) \},\n)?'
    r'\t  \.doc = "(?P<doc>(?:[^"\\]|\\.)*)" \},\n', re.S)


def parse_table(text):
    start = text.index('static const struct event_def events[] = {\n')
    start += len('static const struct event_def events[] = {\n')
    end = text.index('\n};\n', start) + 1
    body = text[start:end]
    entries, pos = [], 0
    for m in ENTRY.finditer(body):
        if m.start() != pos:
            sys.exit('cannot parse the table near: %r' % body[pos:pos + 80])
        pos = m.end()
        args = re.findall(r'"([^"]*)"', m.group('args') or '')
        entries.append({'name': m.group('name'), 'args': args,
                        'versions': m.group('versions'),
                        'doc': m.group('doc')})
    if pos != len(body):
        sys.exit('cannot parse the table near: %r' % body[pos:pos + 80])
    return text[:start], entries, text[end:]


def col(s):
    """Display width with tabs of 8."""
    w = 0
    for c in s:
        w = (w // 8 + 1) * 8 if c == '\t' else w + 1
    return w


def emit(e):
    out = '\t{ .name = "%s", .nargs = %d, .versions = "%s",\n' % (
        e['name'], len(e['args']), e['versions'])
    if e['args']:
        line = '\t  .args = { '
        for i, a in enumerate(e['args']):
            tok = '"%s"' % a + (', ' if i + 1 < len(e['args']) else ' },')
            if col(line + tok.rstrip()) > 80 and not line.endswith('{ '):
                out += line.rstrip() + '\n'
                line = '\t\t    '
            line += tok
        out += line + '\n'
    out += '\t  .doc = "%s" },\n' % e['doc']
    return out


# ---- versions -------------------------------------------------------------

def parse_versions(v, known):
    """'3.8+', '3.8-3.12', '3.13' -> set of minors (open end: up to known)."""
    m = re.fullmatch(r'3\.(\d+)\+', v)
    if m:
        return set(range(int(m.group(1)), known + 1)), True
    m = re.fullmatch(r'3\.(\d+)-3\.(\d+)', v)
    if m:
        return set(range(int(m.group(1)), int(m.group(2)) + 1)), False
    m = re.fullmatch(r'3\.(\d+)', v)
    if m:
        return {int(m.group(1))}, False
    sys.exit('bad versions %r' % v)


def format_versions(minors, open_end, newest):
    lo, hi = min(minors), max(minors)
    if open_end and hi >= newest:
        return '3.%d+' % lo
    return '3.%d' % lo if lo == hi else '3.%d-3.%d' % (lo, hi)


# ---- sources ----------------------------------------------------------------

DIRECTIVE = re.compile(r'^\s*\.\. audit-event:: (\S+)(.*)$', re.M)
C_CALL = re.compile(r'\b(?:_?PySys_Audit|PySys_AuditTuple)\(\s*(?:[^,"]+,\s*)?"([^"]+)"')
PY_CALL = re.compile(r'\bsys\.audit\(\s*["\']([^"\']+)["\']')


def doc_args(s):
    s = s.strip()
    s = re.sub(r'\s+(?:\S+\.(?:html|rst)\S*|\S+#\S+)$', '', s)  # trailing ref
    if not s or s == '""':
        return []
    return [a.strip() for a in s.split(',') if a.strip()]


def from_html(path):
    text = open(path, encoding='utf-8').read()
    events = {}
    for row in re.findall(r'<tr class="row-(?:odd|even)">(.*?)</tr>', text, re.S):
        cells = re.findall(r'<td>(.*?)</td>', row, re.S)
        if len(cells) < 2:
            continue
        strip = lambda s: html.unescape(re.sub(r'<[^>]+>', '', s)).strip()
        name = strip(cells[0])
        args = re.sub(r'\s+', ' ', strip(cells[1]))
        events[name] = {'args': doc_args(args), 'documented': True,
                        'where': 'docs'}
    return events, False


def from_tree(root):
    events = {}
    for d, _, files in os.walk(os.path.join(root, 'Doc')):
        for f in files:
            if f.endswith('.rst'):
                text = open(os.path.join(d, f), encoding='utf-8',
                            errors='replace').read()
                for m in DIRECTIVE.finditer(text):
                    events[m.group(1)] = {'args': doc_args(m.group(2)),
                                          'documented': True, 'where': 'docs'}
                if f == 'audit_events.rst':
                    for m in re.finditer(r'^\s*\|\s*(\S+)\s*\|\s*(.*?)\s*\|\s*$',
                                         text, re.M):
                        if '.' in m.group(1) or m.group(1) in ('open', 'exec', 'compile'):
                            events.setdefault(m.group(1), {
                                'args': doc_args(m.group(2)),
                                'documented': True, 'where': 'docs'})
    for sub, pat, ext in (('Modules', C_CALL, '.c'), ('Python', C_CALL, '.c'),
                          ('Objects', C_CALL, '.c'), ('Parser', C_CALL, '.c'),
                          ('PC', C_CALL, '.c'), ('Lib', PY_CALL, '.py')):
        for d, dirs, files in os.walk(os.path.join(root, sub)):
            dirs[:] = [x for x in dirs if x not in ('test', 'tests', 'idlelib')]
            for f in files:
                if not f.endswith(ext):
                    continue
                p = os.path.join(d, f)
                text = open(p, encoding='utf-8', errors='replace').read()
                for m in pat.finditer(text):
                    rel = os.path.relpath(p, root)
                    e = events.setdefault(m.group(1), {
                        'args': None, 'documented': False, 'where': rel})
                    if e['where'] == 'docs':
                        e['where'] = rel
    return events, True


def load(spec):
    ver, _, path = spec.partition('=')
    m = re.fullmatch(r'3\.(\d+)', ver)
    if not m or not path:
        sys.exit('expected 3.N=SOURCE, got %r' % spec)
    if os.path.isdir(path):
        events, complete = from_tree(path)
    else:
        events, complete = from_html(path)
    if not events:
        sys.exit('%s: no audit event found' % path)
    return int(m.group(1)), events, complete


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--table', default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'user', 'event_table.c'))
    ap.add_argument('--write', action='store_true')
    ap.add_argument('sources', nargs='+', metavar='3.N=SOURCE')
    o = ap.parse_args()

    text = open(o.table, encoding='utf-8').read()
    head, entries, tail = parse_table(text)
    srcs = sorted((load(s) for s in o.sources), key=lambda x: x[0])
    newest = srcs[-1][0]
    known = max([newest] + [max(parse_versions(e['versions'], 0)[0] or {0})
                            for e in entries])
    by_name = {e['name']: e for e in entries}
    notes = []

    for e in entries:
        e['minors'], e['open'] = parse_versions(e['versions'], known)
    for minor, events, complete in srcs:
        for name, ev in events.items():
            e = by_name.get(name)
            if not e:
                doc = ('C-level, %s' % ev['where'] if ev['where'].endswith('.c')
                       else 'Python-level, %s' % ev['where']
                       if ev['where'].endswith('.py') else 'documented')
                e = {'name': name, 'args': [], 'minors': set(), 'open': True,
                     'doc': doc + '; added by scripts/gen-event-table.py: review'}
                entries.append(e)
                by_name[name] = e
                notes.append('new: %s (3.%d)' % (name, minor))
            e['minors'].add(minor)
            if minor == newest and ev['documented'] and ev['args'] is not None \
                    and ev['args'] != e['args'] and e['args'] == []:
                e['args'] = ev['args']
            elif minor == newest and ev['documented'] and ev['args'] \
                    and ev['args'] != e['args']:
                notes.append('%s: docs of 3.%d say (%s), the table (%s): kept'
                             % (name, minor, ', '.join(ev['args']),
                                ', '.join(e['args'])))
        if complete:
            for e in entries:
                if e['name'] not in events and minor in e['minors'] \
                        and '/' not in e['name']:
                    e['minors'].discard(minor)
                    e['minors'] = {m for m in e['minors'] if m < minor}
                    e['open'] = False
                    notes.append('gone in 3.%d: %s' % (minor, e['name']))
    for e in entries:
        if not e['minors']:
            sys.exit('%s: no version left' % e['name'])
        e['versions'] = format_versions(e['minors'], e['open'],
                                        max(newest, known))
    entries.sort(key=lambda e: e['name'].encode())
    body = ''.join(emit(e) for e in entries)
    out = head + body + tail
    for n in notes:
        print(n, file=sys.stderr)
    if o.write:
        if out != text:
            open(o.table, 'w', encoding='utf-8').write(out)
        print('%s: %d events, %d notes%s' % (o.table, len(entries), len(notes),
              '' if out != text else ', unchanged'), file=sys.stderr)
    else:
        sys.stdout.write(body)


if __name__ == '__main__':
    main()
