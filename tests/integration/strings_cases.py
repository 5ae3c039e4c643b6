# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Every place pyaudit decides a string's "truncated" mark, at its bound,
one below and one above (strings.bats).

    strings_cases.py run     raise the events (traced by pyaudit)
    strings_cases.py expect  print what pyaudit must print, one JSON line
                             per event: [event, value, truncated]
    strings_cases.py modules DIR
                             module files in DIR whose dotted names have
                             each str kind at its bound; prints
                             "NAME<TAB>VALUE<TAB>TRUNCATED" for each

The bounds are pyaudit's (docs/output.md, bpf/pyaudit.h): 256 bytes of a
str as CPython stores it (1, 2 or 4 bytes a character) or of bytes or of a
C char * string, 128 bytes of an event name, 63 bytes of a type name.
Works on Python 3.8 and later.
"""
import base64
import ctypes
import json
import os
import sys

STR_MAX = 256
NAME_MAX = 128
TYPENAME_KEPT = 63

# (event, the value as sent, characters kept)
CASES = []
for ch, width in (("a", 1), ("\xe9", 1), ("\u0100", 2), ("\U0001f600", 4)):
    bound = STR_MAX // width
    for n in (bound - 1, bound, bound + 1):
        CASES.append(("strtest.str.%d.%d" % (ord(ch), n), ch * n, bound))
for n in (STR_MAX - 1, STR_MAX, STR_MAX + 1):
    CASES.append(("strtest.bytes.%d" % n, b"b" * n, STR_MAX))
for n in (TYPENAME_KEPT - 1, TYPENAME_KEPT, TYPENAME_KEPT + 1):
    CASES.append(("strtest.class.%d" % n, "C" * n, TYPENAME_KEPT))
    CASES.append(("strtest.object.%d" % n, "O" * n, TYPENAME_KEPT))


# C strings passed to PySys_Audit through ctypes, placed so that they
# cross a page boundary, or end at the last byte of a page whose next page
# cannot be read: (format, where, length)
PAGE = 4096
PAGE_CASES = [(fmt, where, n) for where in ("cross", "end")
              for fmt in ("s", "u")
              for n in (1, STR_MAX - 1, STR_MAX, STR_MAX + 1)]


def page_event(fmt, where, n):
    return "strtest.page.%s.%s.%d" % (fmt, where, n)


def page_value(fmt, n):
    return ("p" if fmt == "s" else "w") * n


def page_calls():
    """Raise the PAGE_CASES events from C strings in an mmap'ed buffer."""
    import mmap

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    audit = ctypes.pythonapi.PySys_Audit
    audit.restype = ctypes.c_int
    buf = mmap.mmap(-1, 2 * PAGE)
    base = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    for where in ("cross", "end"):
        if where == "end" and libc.mprotect(base + PAGE, PAGE, 0):  # PROT_NONE
            raise OSError(ctypes.get_errno(), "mprotect")
        for fmt, w, n in PAGE_CASES:
            if w != where:
                continue
            text = page_value(fmt, n) + "\0"
            data = text.encode("latin-1" if fmt == "s" else "utf-32-le")
            if where == "end":
                off = PAGE - len(data)
            else:	# the middle of the string on the boundary
                off = PAGE - len(data) // 2 // 4 * 4
            buf[off:off + len(data)] = data
            audit(page_event(fmt, where, n).encode(), fmt.encode(),
                  ctypes.c_void_p(base + off))


def expected(value, kept):
    cut = len(value) > kept
    value = value[:kept]
    if isinstance(value, bytes):
        value = base64.b64encode(value).decode()
    return value, cut


def run():
    for event, value, _ in CASES:
        if event.startswith("strtest.class."):
            value = type(value, (), {})
        elif event.startswith("strtest.object."):
            value = type(value, (), {})()
        sys.audit(event, value)
    # Event names: a C char * on USDT builds, a str object on the others.
    for n in (NAME_MAX - 1, NAME_MAX, NAME_MAX + 1):
        sys.audit("n" * n)
    page_calls()
    # ctypes.dlsym's name: a C char * ('s' of "Os") on every version.
    lib = ctypes.CDLL(None)
    for n in (STR_MAX - 1, STR_MAX, STR_MAX + 1):
        try:
            lib["s" * n]
        except AttributeError:
            pass


def expect():
    out = []
    for event, value, kept in CASES:
        out.append([event, *expected(value, kept)])
    for n in (NAME_MAX - 1, NAME_MAX, NAME_MAX + 1):
        out.append(["name", *expected("n" * n, NAME_MAX)])
    for fmt, where, n in PAGE_CASES:
        out.append([page_event(fmt, where, n),
                    *expected(page_value(fmt, n), STR_MAX)])
    for n in (STR_MAX - 1, STR_MAX, STR_MAX + 1):
        out.append(["ctypes.dlsym", *expected("s" * n, STR_MAX)])
    for line in out:
        print(json.dumps(line, ensure_ascii=False, separators=(",", ":")))


def dotted(ch, n):
    """A dotted module name of n characters: parts of 50 (file names of
    at most 200 bytes in UTF-8)."""
    parts = []
    while n > 51:
        parts.append(ch * 50)
        n -= 51
    return ".".join(parts + [ch * n])


def modules(top):
    for ch, width in (("\xe9", 1), ("\u0100", 2), ("\U0001d538", 4)):
        bound = STR_MAX // width
        for n in (bound - 1, bound, bound + 1):
            name = dotted(ch, n)
            parts = name.split(".")
            path = top
            for part in parts[:-1]:
                path = os.path.join(path, part)
                os.makedirs(path, exist_ok=True)
                open(os.path.join(path, "__init__.py"), "w").close()
            open(os.path.join(path, parts[-1] + ".py"), "w").close()
            value, cut = expected(name, bound)
            print("%s\t%s\t%s" % (name, value, "true" if cut else "false"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"]:
        run()
    elif sys.argv[1:2] == ["modules"]:
        modules(sys.argv[2])
    else:
        expect()
