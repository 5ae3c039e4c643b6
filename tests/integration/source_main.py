# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Raise audit events from known Python frames, for pyaudit's source tests.

Usage: source_main.py [--selfcheck]
       PYAUDIT_SRC_SELFCHECK=1 EMBEDDING_PROGRAM source_main.py

Every line that raises an event (here and in source_mod.py) ends with a
marker comment (after code on the same line):

    # @src:CASE QUALNAME [3.N+:QUALNAME2]

CASE names the event: 'pyaudit.src.CASE' for sys.audit() events, and for
the C-level events 'open' and 'os.listdir' the last component of the
(nonexistent, so unique) path under NOPATH. QUALNAME is the co_qualname of
the function executing that line; from 3.N on, QUALNAME2 instead (list
comprehensions are inlined into their function from 3.12 on). The
function name pyaudit reports is co_qualname on 3.11+, co_name before,
which is the last dotted component of the qualname.

A marker 'CASE.K' is on the line where the K-th caller of CASE's frame is
(the line of the call in progress): 'CASE.1' calls the frame of CASE.

With --selfcheck, an in-process audit hook installed before anything is
raised compares sys._getframe(1) of each event (and its callers) with the
markers, prints each mismatch and exits 1; it also checks, in a child
interpreter, that the start-up 'cpython.run_file' event has no Python
frame. Without it, the script just raises the events, for pyaudit.

Runs on CPython 3.8+ with the standard library only.
"""
import os
import sys
import threading

NOPATH = "/nonexistent-pyaudit-src"
HERE = os.path.dirname(os.path.abspath(__file__))
# Embedding programs do not put the script's directory in sys.path.
if HERE not in sys.path:
    sys.path.insert(0, HERE)

# PYAUDIT_SRC_SELFCHECK=1 does the self-check without the child interpreter
# (for embedding programs, where sys.executable is not a python).
SELFCHECK_CHILD = "--selfcheck" in sys.argv[1:]
SELFCHECK = SELFCHECK_CHILD or os.environ.get("PYAUDIT_SRC_SELFCHECK") == "1"
seen = []


def _hook(event, args):
    if event.startswith("pyaudit.src."):
        case = event[len("pyaudit.src."):]
    elif (event in ("open", "os.listdir") and args and isinstance(args[0], str)
          and args[0].startswith(NOPATH + "/")):
        case = args[0][len(NOPATH) + 1:]
    else:
        return
    frames = []
    f = sys._getframe(1)
    while f is not None and len(frames) < 8:
        code = f.f_code
        name = code.co_qualname if sys.version_info >= (3, 11) else code.co_name
        frames.append((code.co_filename, f.f_lineno, name))
        f = f.f_back
    seen.append((case, event, threading.get_native_id(), frames))


if SELFCHECK:
    sys.addaudithook(_hook)

import source_mod  # noqa: E402  (raises pyaudit.src.mod_import)


class Greeter:
    def __init__(self, name):
        self.name = name

    def hello(self):
        sys.audit("pyaudit.src.method", self.name)  # @src:method Greeter.hello

    def listdir(self):
        try:
            os.listdir(NOPATH + "/listdir")  # @src:listdir Greeter.listdir
        except OSError:
            pass


def outer():
    def middle():
        def inner():
            sys.audit("pyaudit.src.nested", "inner")  # @src:nested outer.<locals>.middle.<locals>.inner
            try:
                open(NOPATH + "/open")  # @src:open outer.<locals>.middle.<locals>.inner
            except OSError:
                pass
        inner()  # @src:nested.1 outer.<locals>.middle
    middle()  # @src:nested.2 outer


shout = lambda word: sys.audit("pyaudit.src.lambda", word)  # @src:lambda <lambda>


def gen():
    sys.audit("pyaudit.src.generator", "gen")  # @src:generator gen
    yield 1


async def coro():
    sys.audit("pyaudit.src.coroutine", "coro")  # @src:coroutine coro


def thread_body():
    sys.audit("pyaudit.src.thread", threading.get_native_id())  # @src:thread thread_body


def chain_4():
    sys.audit("pyaudit.src.chain", 4)  # @src:chain chain_4


def chain_3():
    chain_4()  # @src:chain.1 chain_3


def chain_2():
    chain_3()  # @src:chain.2 chain_2


def chain_1():
    chain_2()  # @src:chain.3 chain_1


def main():
    outer()  # @src:nested.3 main
    g = Greeter("world")
    g.hello()  # @src:method.1 main
    g.listdir()  # @src:listdir.1 main
    shout("hey")  # @src:lambda.1 main
    (lambda: sys.audit("pyaudit.src.lambda_in", "in"))()  # @src:lambda_in main.<locals>.<lambda>
    [sys.audit("pyaudit.src.listcomp", i) for i in range(1)]  # @src:listcomp main.<locals>.<listcomp> 3.12+:main
    source_mod.mod_func()  # @src:mod.1 main
    next(gen())  # @src:generator.1 main
    c = coro()
    try:
        c.send(None)  # @src:coroutine.1 main
    except StopIteration:
        pass
    t = threading.Thread(target=thread_body)
    t.start()
    t.join()
    chain_1()  # @src:chain.4 main
    sys.audit(  # @src:multiline main
        "pyaudit.src.multiline",
        "multi",
    )
    sys.audit("pyaudit.src.end", os.getpid())  # @src:end main


# ---- the self-check ---------------------------------------------------------

# Events whose callers are those of another case (same frame).
STACK_ALIAS = {"open": "nested", "mod_listdir": "mod"}


def read_markers():
    import re
    mark = "@src" + ":"  # not written whole here: this line is no marker
    rx = re.compile(r"#\s" + mark + r"([\w.]+)\s+(\S+)(?:\s+3\.(\d+)\+:(\S+))?\s*$")
    markers = {}
    for path in (os.path.abspath(__file__), source_mod.__file__):
        with open(path) as f:
            for lineno, text in enumerate(f, 1):
                if text.lstrip().startswith("#"):
                    continue  # markers follow code (this skips the docstring)
                m = rx.search(text)
                if m:
                    if m.group(1) in markers:
                        sys.exit("marker %s twice" % m.group(1))
                    markers[m.group(1)] = (path, lineno, m.group(2),
                                           m.group(3) and int(m.group(3)), m.group(4))
                elif mark in text:
                    sys.exit("%s:%d: malformed marker" % (path, lineno))
    return markers


def expected_function(qualname, since, qualname2):
    """The function name pyaudit should report on this Python."""
    if since is not None and sys.version_info[1] >= since:
        qualname = qualname2
    if sys.version_info >= (3, 11):
        return qualname
    return qualname.rsplit(".", 1)[-1]


def check_no_frame():
    """cpython.run_file, raised before the script runs, has no Python frame."""
    import subprocess
    import tempfile
    errors = []
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "sitecustomize.py"), "w") as f:
            f.write(
                "import sys\n"
                "def h(ev, args):\n"
                "    if ev == 'cpython.run_file':\n"
                "        try:\n"
                "            sys._getframe(1)\n"
                "            r = 'frame'\n"
                "        except ValueError:\n"
                "            r = 'noframe'\n"
                "        sys.stderr.write('run_file %s %s\\n' % (r, args[0]))\n"
                "sys.addaudithook(h)\n")
        child = os.path.join(d, "child.py")
        with open(child, "w") as f:
            f.write("pass\n")
        env = dict(os.environ, PYTHONPATH=d)
        p = subprocess.run([sys.executable, "-B", child], env=env,
                           stderr=subprocess.PIPE, universal_newlines=True)
        want = "run_file noframe %s" % child
        if want not in p.stderr.splitlines():
            errors.append("cpython.run_file: want %r, child said %r" % (want, p.stderr))
    return errors


def selfcheck():
    markers = read_markers()
    errors = []
    by_case = {}
    for case, event, tid, frames in seen:
        by_case.setdefault(case, []).append((event, tid, frames))
    cases = sorted(k for k in markers if "." not in k)
    nframes = 0
    for case in cases:
        got = by_case.get(case, [])
        if len(got) != 1:
            errors.append("%s: seen %d times" % (case, len(got)))
            continue
        event, tid, frames = got[0]
        base = STACK_ALIAS.get(case, case)
        want = [markers[case]]
        k = 1
        while "%s.%d" % (base, k) in markers:
            want.append(markers["%s.%d" % (base, k)])
            k += 1
        for i, (path, line, qn, since, qn2) in enumerate(want):
            exp = (path, line, expected_function(qn, since, qn2))
            nframes += 1
            if i >= len(frames):
                errors.append("%s frame %d: missing, want %s:%d in %s" % ((case, i) + exp))
            elif frames[i] != exp:
                errors.append("%s frame %d: got %s:%d in %s, want %s:%d in %s"
                              % ((case, i) + frames[i] + exp))
        if case == "thread":
            import threading as th
            if tid == threading.get_native_id():
                errors.append("thread: raised in the main thread")
            qn = ["Thread.run", "Thread._bootstrap_inner", "Thread._bootstrap"]
            want_callers = [(th.__file__, expected_function(q, None, None)) for q in qn]
            got_callers = [(f[0], f[2]) for f in frames[1:4]]
            nframes += 3
            if got_callers != want_callers:
                errors.append("thread callers: got %s, want %s" % (got_callers, want_callers))
    for case in sorted(set(by_case) - set(cases)):
        errors.append("%s: no marker" % case)
    if SELFCHECK_CHILD:
        errors += check_no_frame()
    v = "%d.%d.%d" % sys.version_info[:3]
    for e in errors:
        print("selfcheck %s: %s" % (v, e))
    if errors:
        print("selfcheck %s (%s): FAILED, %d errors" % (v, sys.executable, len(errors)))
        sys.exit(1)
    print("selfcheck %s (%s): OK, %d events, %d frames%s"
          % (v, sys.executable, len(cases), nframes,
             ", cpython.run_file has no frame" if SELFCHECK_CHILD else ""))


sys.audit("pyaudit.src.module", "module")  # @src:module <module>
main()  # @src:end.1 <module>
if SELFCHECK:
    selfcheck()
