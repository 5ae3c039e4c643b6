# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A long mixed workload for the exact comparison (issue 18): every kind of
audit event and argument, in many short-lived processes (forked children,
fresh interpreters started every way CPython can, children that exec).

Usage: PYAUDIT_EXACT_OUT=FILE PYTHONPATH=tests/exact/hook \\
           PY mixed.py [--procs N] [--seed S] [--reuse N]
       PY mixed.py --child SEED       (one fresh process's share of work)
--reuse N: N times, a child's pid is given to the next child too
(build/tests/pidwrap, path in $PYAUDIT_EXACT_PIDWRAP).
Every Python process of the run installs tests/exact/hook/exact_hook.py's
hook (sitecustomize), which records what it sees to FILE; compare.py then
matches pyaudit's JSON with it. Standard library only; CPython 3.8+.
"""
import collections
import ctypes
import ctypes.util
import enum
import fcntl
import glob
import marshal
import os
import pickle
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import warnings

# 3.12+ warns at a fork after threads; the threads have ended by then.
warnings.simplefilter('ignore', DeprecationWarning)

try:
    import exact_hook
    exact_hook.install()       # when run without the sitecustomize
except ImportError:
    pass

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
TMP = os.environ.get('PYAUDIT_EXACT_TMP') or tempfile.gettempdir()


# ---- values of every kind ----------------------------------------------

class S(str):
    pass


class B(bytes):
    pass


class I(int):
    pass


class F(float):
    pass


class T(tuple):
    pass


class L(list):
    pass


class Color(enum.IntEnum):
    RED = 1


Point = collections.namedtuple('Point', 'x y')


class Plain:
    pass


class ÉtéKlass:     # a non-ASCII class name
    pass


def nest(depth, leaf=1):
    v = leaf
    for _ in range(depth):
        v = (v,)
    return v


def strings():
    out = ['', 'a', 'text', 'nul\x00inside', 'ctl\n\r\t\x1b[31m\x7f',
           '\u00e9\u00ff', '\u20ac\u4e2d\u6587\u202e', '\U0001F600\U0010FFFF',
           '\ud800', '\udc80', '\udfff', '\ud83d\ude00', 'x\ud800y',
           '\udcff\udc80', 'mixed a\u00e9\u4e2d\U0001F600']
    # each storage kind at, below and above 256 bytes of its storage
    for ch, size in (('a', 1), ('\u00e9', 1), ('\u4e2d', 2),
                     ('\U0001F600', 4)):
        n = 256 // size
        out += [ch * (n - 1), ch * n, ch * (n + 1), ch * (3 * n)]
    out.append('a' * 255 + '\u4e2d')        # widened at the very end
    out.append('\u00e9' * 100 + 'a' * 300)
    return out


def byteses():
    return [b'', b'x', b'by\x00tes\xff', bytes(range(256)), b'y' * 255,
            b'y' * 256, b'y' * 257, b'z' * 1000]


def ints():
    return [0, 1, -1, 255, 256, -5, 2**30 - 1, 2**30, 2**31, 2**62, 2**63,
            2**64, -(2**64), 2**100, 2**239, -(2**239), 2**240, 2**241,
            10**100, -(10**300)]


def floats():
    return [0.0, -0.0, 1.5, -2.25, 0.1, 1 / 3, 1e16, 1e-320, 5e-324,
            1.7976931348623157e308, float('nan'), float('inf'),
            float('-inf'), 123456789012345680.0, 2.0**70]


def containers():
    return [(), [], (1,), [1, 'a'], (1, (2, (3, (4,)))), [[]], [()],
            tuple(range(15)), list(range(16)), tuple(range(17)),
            list(range(100)), [[1] * 20, (2,) * 3],
            nest(5), [nest(3, 'leaf')] * 17,
            ('s', b'b', 1, 2.5, None, True, [1.5, float('nan')]),
            [strings()[-3], b'x' * 300, 2**300]]


def objects(code):
    return [int, type, Plain, ÉtéKlass, Plain(), code, sys, ...,
            NotImplemented, bytearray(b'ab'), memoryview(b'cd'), {1, 2},
            frozenset(), {'k': 'v'}, 3 + 4j, range(3), slice(1, 2), print,
            nest, Color, threading.Lock(), ctypes.c_int(3)]


def subclasses():
    return [S('sub'), S('\u4e2d' * 200), B(b'sub'), I(7), I(2**100), F(2.5),
            T((1, 2)), L([3, 4]), Color.RED, Point(1, 2), os.stat('/'),
            (S('in'), T((S('deep'),)))]


def audit_values(rng):
    code = compile('x = 1', '<exact>', 'exec')
    groups = [strings(), byteses(), ints(), floats(), containers(),
              objects(code), subclasses()]
    for g in groups:
        # in pieces, and all at once (more than the 32 arguments)
        i = 0
        while i < len(g):
            n = rng.randint(1, 6)
            sys.audit('exact.values', *g[i:i + n])
            i += n
        sys.audit('exact.many', *g)
    sys.audit('exact.none')
    sys.audit('exact.args40', *range(40))
    sys.audit('exact.\u00e9v\u00e9nement.\u4e2d', 'name', None, True, False)
    sys.audit('e' * 127, 1)
    sys.audit('E' * 200, 2)


# ---- C-level events ----------------------------------------------------

def files(rng, d):
    p = os.path.join(d, 'f\u00e9-%d.txt' % rng.randint(0, 99))
    with open(p, 'w') as f:
        f.write('hello\n')
    with open(p, 'rb'):
        pass
    with open(os.fsencode(p), 'a+', buffering=1):
        pass
    fd = os.open(p, os.O_RDONLY)
    with open(fd, 'r', closefd=False):
        pass
    os.close(fd)
    fd = os.open(os.fsencode(p), os.O_RDWR | os.O_APPEND)
    os.close(fd)
    long = os.path.join(d, 'L' * rng.choice((40, 200, 250)))
    with open(long, 'w'):
        pass
    os.listdir(d)
    os.listdir(os.fsencode(d))
    fd = os.open(d, os.O_RDONLY)
    os.listdir(fd)
    with os.scandir(fd) as it:
        list(it)
    os.close(fd)
    with os.scandir(d) as it:
        list(it)
    with os.scandir(os.fsencode(d)) as it:
        list(it)
    glob.glob(os.path.join(d, '*.txt'))
    glob.glob(os.path.join(d, '**'), recursive=True)
    os.chmod(p, 0o600)
    os.utime(p)
    os.truncate(p, 3)
    q = p + '.2'
    os.rename(p, q)
    os.link(q, p)
    os.symlink(q, p + '.lnk')
    shutil.copyfile(q, p + '.3')
    shutil.copymode(q, p + '.3')
    shutil.copystat(q, p + '.3')
    shutil.move(p + '.3', p + '.4')
    os.mkdir(os.path.join(d, 'sub'))
    os.rmdir(os.path.join(d, 'sub'))
    for n in os.listdir(d):
        os.remove(os.path.join(d, n))
    with open(__file__, 'rb') as f:
        marshal.loads(marshal.dumps((1, 'two', b'3', 4.0, [5])))
        f.read(10)


def sockets(rng):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(('127.0.0.1', 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    cli = socket.socket()
    cli.connect(('127.0.0.1', port))
    conn, _ = srv.accept()
    cli.close()
    conn.close()
    srv.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b'x', ('127.0.0.1', 9))
    u.close()
    socket.getaddrinfo('127.0.0.1', 80, proto=socket.IPPROTO_TCP)
    socket.gethostname()
    socket.gethostbyname('127.0.0.1')
    try:
        socket.gethostbyaddr('127.0.0.1')
    except OSError:
        pass
    a, b = socket.socketpair()
    a.close()
    b.close()
    un = socket.socket(socket.AF_UNIX)
    try:
        un.connect('\0exact-abstract-%d' % rng.randint(0, 9))
    except OSError:
        pass
    un.close()


def code_events(rng):
    c = compile('y = [i * 2 for i in range(3)]', '<exact-%d>' % rng.randint(0, 9), 'exec')
    exec(c)
    exec('z = 1')
    eval(compile(b'1 + 2', 'b\u00e9.py', 'eval'))
    c.replace(co_name='renamed')
    try:
        sys._getframe(0)
    except Exception:
        pass
    import types
    types.FunctionType(c, {})


def misc(rng, d):
    lib = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
    lib.getpid()
    buf = ctypes.create_string_buffer(b'ctypes', 10)
    ctypes.string_at(ctypes.addressof(buf), 6)
    wbuf = ctypes.create_unicode_buffer('w\u00e9')
    ctypes.wstring_at(ctypes.addressof(wbuf), 2)
    os.putenv('EXACT_FRUIT', 'apple\u00e9')
    os.unsetenv('EXACT_FRUIT')
    os.environ['EXACT_X'] = 'y'
    del os.environ['EXACT_X']
    p = os.path.join(d, 'lock')
    fd = os.open(p, os.O_RDWR | os.O_CREAT)
    fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        fcntl.ioctl(fd, 0x541B, b'\0' * 4)     # FIONREAD
    except OSError:
        pass
    os.close(fd)
    os.remove(p)
    pickle.loads(pickle.dumps([Point(1, 2), Color.RED, {'a': 1}]))
    marshal.loads(marshal.dumps({'k': (1, 2.5, b'v')}))
    import mmap
    m = mmap.mmap(-1, 4096)
    m.close()
    import urllib.request
    with urllib.request.urlopen('file://' + os.path.abspath(__file__)):
        pass
    t = tempfile.mkdtemp(dir=d)
    fd, name = tempfile.mkstemp(dir=t, suffix='\u00e9')
    os.close(fd)
    shutil.make_archive(os.path.join(d, 'arch'), 'tar', t)
    shutil.rmtree(t)
    os.remove(os.path.join(d, 'arch.tar'))
    try:
        import sqlite3
        con = sqlite3.connect(':memory:')
        con.execute('select 1')
        con.close()
    except ImportError:
        pass
    import resource
    lim = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, lim)
    os.kill(os.getpid(), 0)
    os.chdir(d)
    os.chdir(HERE)
    sys._getframe(1) if rng.random() < 0.5 else None
    import gc
    gc.get_referrers(Plain)
    sys.setprofile(None)
    sys.settrace(None)
    Plain.attr = 1
    del Plain.attr
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: None

    class Boom:
        def __del__(self):
            raise ValueError('unraisable')
    Boom()
    sys.unraisablehook = old


def threads(rng, d):
    def work(k):
        sys.audit('exact.thread', k, threading.get_ident() > 0)
        os.listdir(d)
        code_events(random.Random(k))
        sys.audit('exact.thread.values', *strings()[:5])
    ts = [threading.Thread(target=work, args=(i,)) for i in range(rng.randint(2, 3))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


ACTIONS = [
    lambda rng, d: audit_values(rng),
    files, lambda rng, d: sockets(rng), lambda rng, d: code_events(rng),
    misc, threads,
]


def some_work(rng, d, n):
    for _ in range(n):
        rng.choice(ACTIONS)(rng, d)


# ---- processes ---------------------------------------------------------

def child_env():
    env = dict(os.environ)
    return env


def mod_name(rng):
    return 'm' * rng.randint(1, 80)


FAILURES = []


def check(status, what):
    if status:
        FAILURES.append('%s: wait status %d' % (what, status))


def fresh(rng, d):
    """A fresh interpreter, started one of the ways there are."""
    seed = str(rng.randint(0, 10**9))
    how = rng.randrange(9)
    script = os.path.abspath(__file__)
    if how == 0:
        subprocess.run([PY, script, '--child', seed], check=True)
    elif how == 1:
        subprocess.run([PY, '-c', 'import sys; sys.audit("exact.c", %s)' % seed],
                       check=True)
    elif how == 2:
        # -m with module names of every length (wide strings, issue 18)
        name = mod_name(rng)
        with open(os.path.join(d, name + '.py'), 'w') as f:
            f.write('import sys\nsys.audit("exact.module", __name__)\n')
        env = child_env()
        env['PYTHONPATH'] = env.get('PYTHONPATH', '') + os.pathsep + d
        subprocess.run([PY, '-m', name], check=True, env=env)
        os.remove(os.path.join(d, name + '.py'))
    elif how == 3:
        # a script of any name length
        name = os.path.join(d, '@s' + 'x' * rng.randint(0, 120) + '.py')
        with open(name, 'w') as f:
            f.write('import os\nos.listdir(%r)\n' % d)
        subprocess.run([PY, name], check=True)
        os.remove(name)
    elif how == 4:
        pid = os.posix_spawn(PY, [PY, script, '--child', seed], os.environ)
        check(os.waitpid(pid, 0)[1], 'posix_spawn')
    elif how == 5:
        os.system('%s -c "import os; os.listdir(\'/\')" >/dev/null' % PY)
    elif how == 6:
        subprocess.run([PY, script, '--child', seed], check=True,
                       preexec_fn=lambda: os.putenv('FRUIT', 'apple'))
    elif how == 7:
        # a fork that raises events, then execs a fresh interpreter
        pid = os.fork()
        if pid == 0:
            try:
                sys.audit('exact.before.exec', seed)
                os.listdir(d)
                os.execv(PY, [PY, script, '--child', seed])
            finally:
                os._exit(1)
        check(os.waitpid(pid, 0)[1], 'fork and exec')
    else:
        # an uncaught exception (sys.excepthook)
        subprocess.run([PY, '-c', 'import os; os.listdir("/"); raise ValueError("exact")'],
                       stderr=subprocess.DEVNULL)


def forked(rng, d, depth=0, how=None):
    """A forked child: events, then one of: exit, exec /bin/true, exec a
    Python (how 2), fork again. Returns the child's pid."""
    seed = rng.randint(0, 10**9)
    pid = os.fork()
    if pid:
        check(os.waitpid(pid, 0)[1], 'forked child')
        return pid
    code = 0
    try:
        crng = random.Random(seed)
        end = crng.randrange(6)
        end = end if how is None else how
        if end == 0:
            # right after fork: the first events touch pages the child has
            # not mapped yet (issue 18, item 3)
            fd = os.open(os.path.join(d, 'lk'), os.O_RDWR | os.O_CREAT)
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            os.listdir('/')
            os.close(fd)
        some_work(crng, d, crng.randint(1, 3))
        if end == 1:
            os.execv('/bin/true', ['true'])
        elif end == 2:
            os.execve(PY, [PY, os.path.abspath(__file__), '--child', str(seed)],
                      dict(os.environ))
        elif end == 3 and depth < 2:
            forked(crng, d, depth + 1)
        elif end == 4:
            sys.stdout.flush()
    except BaseException:
        code = 1
        import traceback
        traceback.print_exc()
    os._exit(code)


REUSED = []


def reuse(rng, d, k):
    """A pid that comes back within a run: a forked child (that execs a
    Python when k is a multiple of 3), then pidwrap makes its pid the next
    one, and the next child (forked, or a fresh interpreter when k is odd)
    gets it: long runs on a busy machine do this by chance (11 to 57
    reused pids in 3000 processes). Another process may take the pid
    first: eight tries."""
    first = forked(rng, d, how=2 if k % 3 == 0 else None)
    for _ in range(8):
        if subprocess.run([os.environ['PYAUDIT_EXACT_PIDWRAP'],
                           str(first)]).returncode:
            continue
        if k % 2:
            p = subprocess.Popen([PY, '-c', 'import sys; sys.audit("exact.reused", %d)' % k])
            check(p.wait(), 'fresh, reused pid')
            pid = p.pid
        else:
            pid = forked(rng, d)
        if pid == first:
            REUSED.append(pid)
            return


def child(seed):
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix='exact-c-', dir=TMP)
    try:
        some_work(rng, d, rng.randint(1, 3))
    finally:
        shutil.rmtree(d)


def main(argv):
    if len(argv) >= 2 and argv[0] == '--child':
        child(int(argv[1]))
        return 0
    procs, seed, reuses = 200, 1, 0
    i = 0
    while i < len(argv):
        if argv[i] == '--procs':
            procs = int(argv[i + 1])
        elif argv[i] == '--seed':
            seed = int(argv[i + 1])
        elif argv[i] == '--reuse':
            reuses = int(argv[i + 1])
        i += 2
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix='exact-', dir=TMP)
    try:
        for n in range(procs):
            r = rng.random()
            if r < 0.6:
                forked(rng, d)
            elif r < 0.9:
                fresh(rng, d)
            else:
                some_work(rng, d, 1)
            if reuses and n % max(procs // reuses, 1) == 0 and \
                    len(REUSED) < reuses:
                reuse(rng, d, n // max(procs // reuses, 1))
            sys.audit('exact.progress', n)
    finally:
        shutil.rmtree(d)
    sys.audit('exact.end', os.getpid())
    if reuses:
        # what compare.py should find (it counts pids reused by chance too)
        print('reused pids (forced): %d of %d' % (len(REUSED), reuses),
              file=sys.stderr)
    for f in FAILURES:
        print('mixed.py: ' + f, file=sys.stderr)
    return 1 if FAILURES else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
