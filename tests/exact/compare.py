# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Compare pyaudit's JSON Lines with the exact hook's records (issue 18).

Usage: compare.py [--allow KIND,KIND...] [--label NAME] [--json FILE]
                  PYAUDIT_JSONL HOOK_JSONL
Per process and per thread, in order, matches every event the in-process
hook (tests/exact/hook/exact_hook.py) saw with pyaudit's, and every value
with pyaudit's form of it, knowing pyaudit's documented bounds
(docs/output.md): a value cut WITH the mark is fine when the real value
starts with what pyaudit printed and was over the bound. Prints the
figures and the first differences of each kind; exits 1 when there is a
difference of a kind not in --allow (the known defects), 2 on bad input.

A pid reused during a run (the pid space wraps in long runs on a busy
machine: pid_max 32768 here) holds several processes: the hook gives each
image its process's start ("ps"), which tells them apart, and an exec'd
image from a new process (compare_pid). The workload can force such reuse
(mixed.py --reuse).

Difference kinds:
  missing, extra          an event only the hook, or only pyaudit, saw
  fork_nameless           "event": null in a forked child (issue 18 item 3)
  nameless                "event": null elsewhere
  fork_unreadable         {"type":"unreadable"} in a forked child (item 3)
  unreadable              {"type":"unreadable"} elsewhere
  wide_str_cut            a str of a wide-string C event (open,
                          cpython.run_*) cut without the mark, or cut
                          with it though within the bound (item 1)
  str_cut_unmarked        any other str or bytes cut without the mark
  complete_marked_cut     a complete str marked truncated (item 2)
  other_marked_cut        another complete value marked truncated
  cut_early               marked cut, but shorter than any bound
  subclass_type           a subclass printed as its base type, or as an
                          object without its value (item 4)
  arg_count               another number of arguments
  value_TYPE              any other difference, by the hook's type
"""
import base64
import calendar
import collections
import json
import os
import re
import shutil
import sys
import tempfile
import time

STR_BOUND = 256          # bytes of a str's storage, or of bytes
ELEM_BOUND = 16          # elements decoded of a tuple or list
ARG_BOUND = 32           # top-level arguments
INT_BITS = 240
WIDE_EVENTS = ('open', 'cpython.run_module', 'cpython.run_file',
               'cpython.run_command', 'cpython.run_startup')
LOOKAHEAD = 64
# Slack on a process's start ("ps"): a fresh image's is /proc's starttime,
# floored to 10 ms ticks, never after the fork image's (taken just after
# the fork); a pid comes back only after a turn of the pid space (32768
# forks or more: a few tenths of a second at least).
START_SLACK_NS = 20 * 10**6
# raised while the interpreter is finalized, after Python hooks stop
FINAL_EVENTS = ('cpython.PyInterpreterState_Clear',
                'cpython._PySys_ClearAuditHooks')


def storage_size(s):
    """Bytes per character of CPython's storage of s (PEP 393), from the
    surrogateescape'd form: lone surrogates are 2-byte characters."""
    raw = s.encode('utf-8', 'surrogateescape').decode('utf-8', 'surrogatepass')
    m = max(map(ord, raw)) if raw else 0
    return raw, 1 if m < 256 else 2 if m < 65536 else 4


class Diff(Exception):
    """kind: see above; shape: 'marked_complete' (marked truncated while
    complete), 'cut_unmarked' (cut without the mark) or None."""
    def __init__(self, kind, why='', shape=None):
        Exception.__init__(self, kind)
        self.kind = kind
        self.why = why
        self.shape = shape


def hook_type(h):
    if isinstance(h, dict):
        return h.get('type', 'dict')
    if isinstance(h, bool) or h is None:
        return 'bool' if h is not None else 'none'
    return {int: 'int', float: 'float', str: 'str'}.get(type(h), 'other')


def same_float(a, b):
    if not isinstance(a, (int, float)) or isinstance(a, bool):
        return False
    a, b = float(a), float(b)
    return a == b and (a != 0 or repr(a) == repr(b))


def same_name(p, h):
    return p == h or (isinstance(p, str) and
                      p.split('.')[-1] == h.split('.')[-1])


def check_str(p, h, ctx):
    """p: pyaudit's str value (a str, or the cut form)."""
    cut = isinstance(p, dict) and p.get('type') == 'str'
    pv = p['value'] if cut else p
    if not isinstance(pv, str):
        raise Diff('value_str', 'not a string')
    if pv == h:
        if cut and p.get('truncated'):
            raise Diff('complete_marked_cut', 'complete, marked cut',
                       'marked_complete')
        return 'equal'
    if not h.startswith(pv):
        raise Diff('value_str', 'different text')
    if not (cut and p.get('truncated')):
        wide = ctx['event'] in WIDE_EVENTS and ctx['probe'] != 'sys_audit'
        raise Diff('wide_str_cut' if wide else 'str_cut_unmarked',
                   'cut at %d of %d characters, no mark' % (len(pv), len(h)),
                   'cut_unmarked')
    raw, size = storage_size(h)
    kept, _ = storage_size(pv)
    # the bound is 256 bytes of storage (64 characters of wchar_t for the
    # 'u' format): never fewer than 64 characters kept
    if len(raw) * size <= STR_BOUND or len(kept) < STR_BOUND // 4:
        wide = ctx['event'] in WIDE_EVENTS and ctx['probe'] != 'sys_audit'
        raise Diff('wide_str_cut' if wide else 'cut_early', 'marked cut at %d of %d characters' %
                   (len(kept), len(raw)))
    return 'cut_marked'


def check_bytes(p, h):
    if not (isinstance(p, dict) and p.get('type') == 'bytes'):
        raise Diff('value_bytes', 'not bytes')
    pb, hb = base64.b64decode(p['base64']), base64.b64decode(h['base64'])
    if h.get('length', len(hb)) != len(hb):
        # the hook kept only the start of a long value, and its length
        if not hb.startswith(pb):
            raise Diff('value_bytes', 'different bytes')
        if not p.get('truncated'):
            raise Diff('str_cut_unmarked', 'bytes cut without the mark',
                       'cut_unmarked')
        if len(pb) < STR_BOUND:
            raise Diff('cut_early', 'bytes marked cut at %d of %d' %
                       (len(pb), h['length']))
        return 'cut_marked'
    if pb == hb:
        if p.get('truncated'):
            raise Diff('other_marked_cut', 'complete bytes marked cut',
                       'marked_complete')
        return 'equal'
    if not hb.startswith(pb):
        raise Diff('value_bytes', 'different bytes')
    if not p.get('truncated'):
        raise Diff('str_cut_unmarked', 'bytes cut without the mark',
                   'cut_unmarked')
    if len(hb) <= STR_BOUND or len(pb) < STR_BOUND:
        raise Diff('cut_early', 'bytes marked cut at %d of %d' % (len(pb), len(hb)))
    return 'cut_marked'


def check_int(p, h):
    if isinstance(p, dict) and p.get('type') == 'int' and p.get('truncated'):
        if abs(h).bit_length() <= INT_BITS:
            raise Diff('other_marked_cut', 'int of %d bits marked cut' %
                       abs(h).bit_length(), 'marked_complete')
        if p.get('digits30') != (abs(h).bit_length() + 29) // 30:
            raise Diff('value_int', 'digits30 %r' % p.get('digits30'))
        return 'cut_marked'
    if isinstance(p, bool) or not isinstance(p, int) or p != h:
        raise Diff('value_int', 'different int')
    return 'equal'


def check_seq(p, h, ctx, depth):
    items = h['items']
    if isinstance(p, list):
        pitems, cut = p, False
    elif isinstance(p, dict) and p.get('type') in ('tuple', 'list') and \
            'items' in p:
        pitems, cut = p['items'], p.get('truncated', False)
        if p.get('length') != len(items):
            raise Diff('value_' + h['type'], 'length %r, real %d' %
                       (p.get('length'), len(items)))
    else:
        raise Diff('value_' + h['type'], 'not a sequence')
    if not cut:
        if len(pitems) != len(items):
            raise Diff('value_' + h['type'], '%d elements, real %d' %
                       (len(pitems), len(items)))
    elif depth >= 2:
        # below the arguments' level: only the length (docs/output.md)
        if pitems:
            raise Diff('value_' + h['type'], 'items below the depth bound')
        if not items:
            raise Diff('other_marked_cut', 'empty container marked cut',
                       'marked_complete')
    elif len(pitems) != min(len(items), ELEM_BOUND) or len(items) <= ELEM_BOUND:
        if len(items) <= ELEM_BOUND:
            raise Diff('other_marked_cut', '%d elements marked cut' %
                       len(items), 'marked_complete')
        raise Diff('cut_early', '%d of %d elements' % (len(pitems), len(items)))
    result = 'cut_marked' if cut else 'equal'
    for a, b in zip(pitems, items):
        if check(a, b, ctx, depth + 1) == 'cut_marked':
            result = 'cut_marked'
    return result


def check_subclass(p, h, ctx, depth):
    """A subclass of a value type. Until item 4 is fixed pyaudit prints
    the base value; accept any form that keeps the value and names the
    type (the fix decides the spelling)."""
    if isinstance(p, dict) and p.get('type') == 'object' and \
            same_name(p.get('typename'), h['typename']):
        raise Diff('subclass_type', '%s (a %s) printed as an object: the '
                   'value is lost' % (h['typename'], h['base']))
    if isinstance(p, dict) and any(isinstance(x, str) and
                                   same_name(x, h['typename'])
                                   for x in p.values()):
        for key in ('value', 'items', 'base64', 'base'):
            if key in p:
                try:
                    check(p[key], h['value'], ctx, depth)
                    return 'equal'
                except Diff:
                    pass
        inner = dict(p)
        for k in ('typename', 'subclass', 'class'):
            inner.pop(k, None)
        check(inner, h['value'], ctx, depth)
        return 'equal'
    try:
        check(p, h['value'], ctx, depth)
    except Diff as d:
        raise Diff(d.kind, d.why + ' (of a %s)' % h['typename'])
    raise Diff('subclass_type', '%s printed as a plain %s' %
               (h['typename'], h['base']))


def check(p, h, ctx, depth=1):
    """'equal' or 'cut_marked', or raises Diff."""
    if isinstance(p, dict) and p.get('type') == 'unreadable':
        raise Diff('fork_unreadable' if ctx['kind'] == 'fork' else 'unreadable',
                   'unreadable')
    ht = hook_type(h)
    if ht == 'str':
        return check_str(p, h, ctx)
    if ht == 'bytes':
        return check_bytes(p, h)
    if ht == 'int':
        return check_int(p, h)
    if ht == 'float':
        if not (same_float(p, h) if isinstance(h, float) else p == h):
            raise Diff('value_float', 'different float')
        return 'equal'
    if ht in ('tuple', 'list'):
        return check_seq(p, h, ctx, depth)
    if ht == 'subclass':
        return check_subclass(p, h, ctx, depth)
    if ht == 'object':
        if isinstance(p, dict) and p.get('type') == 'object' and \
                same_name(p.get('typename'), h['typename']):
            return 'equal'
    elif ht == 'class':
        if isinstance(p, dict) and p.get('type') == 'class' and \
                same_name(p.get('name'), h['name']):
            return 'equal'
    elif ht == 'code':
        if isinstance(p, dict) and p.get('type') == 'code' and \
                p.get('filename') == h['filename'] and p.get('name') == h['name']:
            return 'equal'
    elif p == h and type(p) == type(h):
        return 'equal'
    raise Diff('value_' + ht, 'different')


class Figures:
    def __init__(self):
        self.n = collections.Counter()
        self.kinds = collections.Counter()
        self.first = collections.defaultdict(list)

    def diff(self, kind, where, p, h, why=''):
        self.kinds[kind] += 1
        if len(self.first[kind]) < 3:
            self.first[kind].append((where, why, p, h))


def compare_event(fig, p, h, img):
    ctx = {'event': h['event'], 'probe': p.get('probe'), 'kind': img['kind']}
    where = 'pid %d tid %d (%s) %s' % (h['pid'], h['tid'], img['kind'], h['event'])
    pargs = list(p.get('args', {}).values())
    hargs = h['args']
    fig.n['values'] += len(hargs)
    if p.get('event') is None:
        fig.n['nameless'] += 1
        fig.diff('fork_nameless' if img['kind'] == 'fork' else 'nameless',
                 where, p, h, 'event null')
        fig.n['values_in_nameless'] += len(hargs)
        return
    if len(pargs) != len(hargs):
        ok = p.get('truncated') and len(hargs) > ARG_BOUND and \
            len(pargs) == ARG_BOUND and p.get('total_args') == len(hargs)
        if not ok:
            fig.diff('arg_count', where, p.get('args'), hargs,
                     '%d args, real %d' % (len(pargs), len(hargs)))
    for i, (a, b) in enumerate(zip(pargs, hargs)):
        fig.n['compared'] += 1
        if isinstance(a, dict) and a.get('type') == 'unreadable':
            fig.n['unreadable'] += 1
        try:
            r = check(a, b, ctx)
            fig.n[r] += 1
        except Diff as d:
            fig.n['different'] += 1
            if d.shape:
                fig.n[d.shape] += 1
            fig.diff(d.kind, '%s arg %d' % (where, i), a, b, d.why)


def align(fig, P, H, img):
    """Match hook records H with pyaudit events P (one thread, in order,
    to their ends)."""
    i = j = 0
    while j < len(H):
        if i >= len(P):
            for h in H[j:]:
                fig.n['missing'] += 1
                fig.diff('missing', 'pid %d (%s)' % (h['pid'], img['kind']),
                         None, h['event'])
            break
        pn, hn = P[i].get('event'), H[j]['event']
        if P[i].get('event_truncated') and isinstance(pn, str) and \
                hn.startswith(pn) and pn != hn:
            fig.n['event_name_cut'] += 1
            if len(hn.encode('utf-8', 'surrogateescape')) <= 128:
                fig.diff('other_marked_cut', 'pid %d' % H[j]['pid'], pn, hn,
                         'complete event name marked cut')
            pn = hn
        if pn == hn or pn is None:
            fig.n['matched'] += 1
            compare_event(fig, P[i], H[j], img)
            i, j = i + 1, j + 1
            continue
        dp = next((d for d in range(1, LOOKAHEAD)
                   if i + d < len(P) and P[i + d].get('event') == hn), None)
        dh = next((d for d in range(1, LOOKAHEAD)
                   if j + d < len(H) and H[j + d]['event'] == pn), None)
        # a tie: pyaudit missing an event is likelier than adding one
        if dp is not None and (dh is None or dp < dh):
            for e in P[i:i + dp]:
                fig.n['extra'] += 1
                fig.diff('extra', 'pid %d' % e['pid'], e.get('event'), None)
            i += dp
        elif dh is not None:
            for h in H[j:j + dh]:
                fig.n['missing'] += 1
                fig.diff('missing', 'pid %d (%s)' % (h['pid'], img['kind']),
                         None, h['event'])
            j += dh
        else:
            fig.n['missing'] += 1
            fig.n['extra'] += 1
            fig.diff('missing', 'pid %d' % H[j]['pid'], pn, hn)
            fig.diff('extra', 'pid %d' % H[j]['pid'], pn, hn)
            i, j = i + 1, j + 1
    while i < len(P) and P[-1].get('event') in FINAL_EVENTS:
        P = P[:-1]
        fig.n['uncovered'] += 1
    for e in P[i:]:
        fig.n['extra'] += 1
        fig.diff('extra', 'pid %d' % e['pid'], e.get('event'), None)


def compare_process(fig, P, images):
    """P: pyaudit's events of one process, in order; images: the hook's
    images of it (a forked child, exec'd interpreters) in order."""
    i = 0
    for k, img in enumerate(images):
        last = k == len(images) - 1
        if img['kind'] == 'fresh':
            # the hook starts after its own sys.addaudithook
            n = next((d for d in range(i, len(P))
                      if P[d].get('event') == 'sys.addaudithook'), None)
            if n is None:
                fig.n['missing'] += len(img['recs'])
                fig.diff('missing', 'pid %d' % img['recs'][0]['pid'],
                         None, 'no sys.addaudithook: %d events' % len(img['recs']))
                continue
            fig.n['uncovered'] += n + 1 - i
            i = n + 1
        if last:
            n = len(P)
        else:
            # an image that exec'd: its events are those before its last
            # one (os.exec: the workload execs once its threads ended)
            end = max(h['rt'] for h in img['recs'])
            n = next((d for d in range(i, len(P)) if time_ns(P[d]) > end),
                     len(P))
        # Thread by thread: between threads the orders may differ (a
        # thread can lose the GIL on entering the hook, after pyaudit's
        # probe and before its sequence number).
        by_tid = collections.defaultdict(list)
        for h in img['recs']:
            by_tid[h['tid']].append(h)
        rest = collections.defaultdict(list)
        for e in P[i:n]:
            rest[e.get('tid')].append(e)
        for tid in set(by_tid) | set(rest):
            align(fig, rest.get(tid, []), by_tid.get(tid, []), img)
        i = n
    fig.n['uncovered'] += len(P) - i


def time_ns(e):
    """pyaudit's RFC 3339 time (UTC, nanoseconds) as ns since the epoch."""
    t = e.get('time', '')
    sec = calendar.timegm(time.strptime(t[:19], '%Y-%m-%dT%H:%M:%S'))
    frac = t[20:-1] if len(t) > 20 else ''
    return sec * 10**9 + int((frac + '000000000')[:9] or 0)


def new_process(prev, img):
    """Is img the first image of another process with a reused pid?"""
    if img['kind'] == 'fork':
        return True     # a fork makes a new pid: never an exec'd image
    # an exec'd image keeps its process's start (a pid can come back
    # within a second when pidwraps run side by side)
    return img['ps'] - prev['ps'] > START_SLACK_NS


def compare_pid(fig, P, images):
    """P: pyaudit's events of one pid, in order; images: the hook's
    images of that pid in order, of one process or, when the pid was
    reused during the run, of several."""
    procs = [[images[0]]]
    for prev, img in zip(images, images[1:]):
        if new_process(prev, img):
            procs.append([img])
        else:
            procs[-1].append(img)
    fig.n['pid_reused'] += len(procs) - 1
    for k, imgs in enumerate(procs[:-1]):
        # this process's events: those before the next one started
        cut = procs[k + 1][0]['ps'] - START_SLACK_NS
        n = next((d for d, e in enumerate(P) if time_ns(e) > cut), len(P))
        compare_process(fig, P[:n], imgs)
        P = P[n:]
    compare_process(fig, P, procs[-1])


PID_RE = re.compile(rb'"pid": ?(\d+)')
BUCKETS = 64


def parse(line, path):
    try:
        return json.loads(line.decode('utf-8', 'surrogateescape'))
    except ValueError:
        raise SystemExit('%s: not JSON: %.200r' % (path, line))


def split(path, tmp, tag):
    """Both files can hold millions of events: spread their lines over
    BUCKETS files by pid, so that one bucket at a time is in memory."""
    outs = [open(os.path.join(tmp, '%s.%d' % (tag, b)), 'wb')
            for b in range(BUCKETS)]
    other = []
    with open(path, 'rb') as f:
        for line in f:
            m = PID_RE.search(line)
            if m:
                outs[int(m.group(1)) % BUCKETS].write(line)
            elif line.strip():
                other.append(line)
    for o in outs:
        o.close()
    return other


def load_bucket(fig, tmp, b, paths):
    pa = collections.defaultdict(list)
    with open(os.path.join(tmp, 'pa.%d' % b), 'rb') as f:
        for line in f:
            e = parse(line, paths[0])
            if 'type' in e:
                continue
            # what the comparison does not use, out of memory
            e.pop('process', None)
            e.pop('source', None)
            e.pop('stack', None)
            fig.n['pyaudit_events'] += 1
            if e.get('event') is None:
                fig.n['pyaudit_nameless'] += 1
            for v in e.get('args', {}).values():
                fig.n['pyaudit_values'] += 1
                if isinstance(v, dict) and v.get('type') == 'unreadable':
                    fig.n['pyaudit_unreadable'] += 1
            pa[e['pid']].append(e)
    imgs = collections.OrderedDict()
    with open(os.path.join(tmp, 'hook.%d' % b), 'rb') as f:
        for line in f:
            h = parse(line, paths[1])
            fig.n['hook_events'] += 1
            img = imgs.setdefault(h['img'], {'kind': h['kind'], 't': h['t'],
                                             'ps': h['ps'], 'pid': h['pid'],
                                             'recs': []})
            img['recs'].append(h)
    return pa, imgs


def compare_bucket(fig, pa, imgs):
    per_pid = collections.defaultdict(list)
    for img in imgs.values():
        img['recs'].sort(key=lambda h: h['seq'])
        per_pid[img['pid']].append(img)
    fig.n['processes'] += len(per_pid)
    fig.n['images'] += len(imgs)
    fig.n['fork_images'] += sum(1 for i in imgs.values() if i['kind'] == 'fork')
    for pid, images in per_pid.items():
        images.sort(key=lambda i: i['t'])
        compare_pid(fig, pa.pop(pid, []), images)
    for pid, P in pa.items():
        # processes the hook was not in (not Python, or -I/-S)
        fig.n['uncovered'] += len(P)


def main(argv):
    allow, label, jsonout = set(), '', None
    while argv and argv[0].startswith('--'):
        opt = argv.pop(0)
        if opt == '--allow':
            allow = set(filter(None, argv.pop(0).split(',')))
        elif opt == '--label':
            label = argv.pop(0)
        elif opt == '--json':
            jsonout = argv.pop(0)
        else:
            print('unknown option ' + opt, file=sys.stderr)
            return 2
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for p in argv:
        if not os.path.isfile(p):
            print('compare.py: %s: no such file' % p, file=sys.stderr)
            return 2
    fig = Figures()
    tmp = tempfile.mkdtemp(prefix='exact-compare-',
                           dir=os.path.dirname(os.path.abspath(argv[0])))
    try:
        for line in split(argv[0], tmp, 'pa'):
            e = parse(line, argv[0])
            if e.get('type') == 'lost':
                fig.n['lost'] = max(fig.n['lost'], e.get('total_lost', 0))
        split(argv[1], tmp, 'hook')
        for b in range(BUCKETS):
            pa, imgs = load_bucket(fig, tmp, b, argv)
            compare_bucket(fig, pa, imgs)
    finally:
        shutil.rmtree(tmp)
    report(fig, label, allow)
    if jsonout:
        with open(jsonout, 'w') as f:
            json.dump({'label': label, 'figures': dict(fig.n),
                       'differences': dict(fig.kinds)}, f, sort_keys=True)
            f.write('\n')
    bad = sorted(k for k in fig.kinds if k not in allow)
    if fig.n['hook_events'] == 0 or fig.n['matched'] == 0:
        print('FAIL: nothing compared')
        return 1
    if bad:
        print('FAIL: differences of kinds not allowed: ' + ', '.join(bad))
        return 1
    return 0


def report(fig, label, allow):
    n = fig.n
    pr = print
    pr('== %s' % (label or 'exact comparison'))
    pr('processes %d (images %d, forked %d, pids reused %d); lost records %d' %
       (n['processes'], n['images'], n['fork_images'], n['pid_reused'],
        n['lost']))
    pr('events: hook %d, matched %d, missing %d, extra %d, nameless %d; '
       'pyaudit %d (%d outside the hook: start-up, other programs)' %
       (n['hook_events'], n['matched'], n['missing'], n['extra'],
        n['nameless'], n['pyaudit_events'], n['uncovered']))
    pr('values: %d, compared %d, equal %d, cut with the mark %d, different %d, '
       'unreadable %d, in nameless events %d' %
       (n['values'], n['compared'], n['equal'], n['cut_marked'],
        n['different'], n['unreadable'], n['values_in_nameless']))
    pr('marked truncated while complete %d, cut without the mark %d' %
       (n['marked_complete'], n['cut_unmarked']))
    pr('all of pyaudit\'s events: %d values, %d unreadable, %d nameless' %
       (n['pyaudit_values'], n['pyaudit_unreadable'], n['pyaudit_nameless']))
    if fig.kinds:
        pr('differences by kind: ' + ', '.join(
            '%s %d%s' % (k, c, ' (known)' if k in allow else '')
            for k, c in sorted(fig.kinds.items())))
    else:
        pr('differences by kind: none')
    for k in sorted(fig.kinds):
        for where, why, p, h in fig.first[k]:
            pr('  %s: %s: %s' % (k, where, why))
            pr('      pyaudit %s' % json.dumps(p, ensure_ascii=True)[:400])
            pr('      hook    %s' % json.dumps(h, ensure_ascii=True)[:400])


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
