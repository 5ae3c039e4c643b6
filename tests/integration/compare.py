# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Compare pyaudit's JSON Lines with an in-process hook's record.

Usage: compare.py PYAUDIT_JSONL HOOK_JSONL PID
Takes pyaudit's events of PID from its 'sys.addaudithook' event to the
'pyaudit.test.end' marker, and checks that they are the hook's events,
in the same order, none missing or doubled, with agreeing values (a value
pyaudit marks truncated must be a prefix of the real one).
Exit 0 when they agree; prints the first difference otherwise.
"""
import json
import sys


def agree(p, h):
    """Does pyaudit's value p agree with the hook's value h?"""
    if isinstance(p, dict) and "typename" in p and p.get("type") != "object":
        # a subclass's value: the hook has type(v).__name__, pyaudit
        # tp_name (module.name for a static type)
        if not isinstance(h, dict) or \
                p["typename"].split(".")[-1] != h.get("typename"):
            return False
        p = {k: x for k, x in p.items() if k != "typename"}
        h = {k: x for k, x in h.items() if k != "typename"}
        if h.get("truncated") or p.get("type") in ("bytes", "unreadable"):
            return agree(p, h)
        hv = h.get("items", h.get("value"))
        if p.get("truncated"):
            return agree(p, hv)
        return agree(p.get("items", p.get("value")), hv)
    if isinstance(p, dict):
        t = p.get("type")
        if t in ("tuple", "list") and p.get("truncated"):
            items = p.get("items", [])
            return (isinstance(h, list) and p.get("length") == len(h) and
                    all(agree(a, b) for a, b in zip(items, h)))
        if isinstance(h, dict) and h.get("type") in ("tuple", "list"):
            return p.get("length") == h.get("length")
        if t == "str" and p.get("truncated"):
            return isinstance(h, str) and h.startswith(p["value"])
        if t == "bytes" and isinstance(h, dict) and h.get("type") == "bytes":
            if p.get("truncated"):
                import base64
                return base64.b64decode(h["base64"]).startswith(
                    base64.b64decode(p["base64"]))
            return p["base64"] == h["base64"]
        if t == "int" and p.get("truncated"):
            return isinstance(h, int) and abs(h).bit_length() > 200
        if t == "object" and isinstance(h, dict) and h.get("type") == "object":
            return p["typename"].split(".")[-1] == h["typename"]
        if t == "class" and isinstance(h, dict) and h.get("type") == "class":
            return p["name"].split(".")[-1] == h["name"]
        if t == "code":
            return isinstance(h, dict) and h.get("type") == "code" and \
                p.get("filename") == h.get("filename") and \
                p.get("name") == h.get("name")
        return p == h
    if isinstance(p, list):
        return isinstance(h, list) and len(p) == len(h) and \
            all(agree(a, b) for a, b in zip(p, h))
    if isinstance(p, float) or isinstance(h, float):
        return p == h
    return p == h and type(p) == type(h)


def main():
    pa_path, hook_path, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pa = []
    with open(pa_path) as f:
        for line in f:
            e = json.loads(line)
            if e.get("pid") == pid and "event" in e:
                pa.append(e)
    names = [e["event"] for e in pa]
    if "sys.addaudithook" not in names:
        print("pyaudit did not see sys.addaudithook")
        return 1
    pa = pa[names.index("sys.addaudithook") + 1:]
    end = [i for i, e in enumerate(pa) if e["event"] == "pyaudit.test.end"]
    if not end:
        print("pyaudit did not see the end marker")
        return 1
    pa = pa[:end[0] + 1]
    with open(hook_path) as f:
        hook = [json.loads(line) for line in f]
    for i, (p, h) in enumerate(zip(pa, hook)):
        if p["event"] != h["event"]:
            print("event %d: pyaudit %s, hook %s" % (i, p["event"], h["event"]))
            return 1
        pargs = list(p["args"].values())
        if p.get("truncated") or len(pargs) != len(h["args"]):
            if not p.get("truncated"):
                print("event %d %s: %d args from pyaudit, %d from the hook" %
                      (i, p["event"], len(pargs), len(h["args"])))
                return 1
        for j, (a, b) in enumerate(zip(pargs, h["args"])):
            if not agree(a, b):
                print("event %d %s arg %d: pyaudit %r, hook %r" %
                      (i, p["event"], j, a, b))
                return 1
    if len(pa) != len(hook):
        print("pyaudit saw %d events, the hook %d" % (len(pa), len(hook)))
        return 1
    print("agree: %d events" % len(pa))
    return 0


sys.exit(main())
