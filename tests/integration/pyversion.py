#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Copy a CPython 3.13+ executable or libpython (x86-64 ELF) saying
another version: its Py_Version, its _Py_DebugOffsets.version (at +8 of
.PyRuntime) and the "libpython3.NN" of its strings (SONAME, NEEDED) all
become 3.MINOR (two digits, so the file keeps its length); a python
executable that links libpython (no .PyRuntime) gets only its NEEDED
changed. For tests of a CPython pyaudit has never seen (3.16): the code is
the original's.

    pyversion.py SRC DST MINOR [--break FIELD_POS=VALUE]

--break writes VALUE at byte FIELD_POS of _Py_DebugOffsets (a table that
fails pyaudit's checks).
"""
import re
import struct
import sys


def sections(b):
    shoff, = struct.unpack_from('<Q', b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
    hdrs = []
    for i in range(shnum):
        o = shoff + i * shentsize
        name, typ, flags, addr, off, size, link, info, align, entsize = \
            struct.unpack_from('<IIQQQQIIQQ', b, o)
        hdrs.append(dict(name=name, type=typ, addr=addr, off=off, size=size,
                         link=link, entsize=entsize))
    strtab = hdrs[shstrndx]
    for h in hdrs:
        end = b.index(b'\0', strtab['off'] + h['name'])
        h['sname'] = b[strtab['off'] + h['name']:end].decode()
    return hdrs


def vaddr_to_off(b, vaddr):
    phoff, = struct.unpack_from('<Q', b, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', b, 0x36)
    for i in range(phnum):
        typ, flags, off, va, pa, filesz, memsz, align = \
            struct.unpack_from('<IIQQQQQQ', b, phoff + i * phentsize)
        if typ == 1 and va <= vaddr < va + filesz:
            return vaddr - va + off
    sys.exit('no PT_LOAD holds 0x%x' % vaddr)


def main():
    src, dst, minor = sys.argv[1], sys.argv[2], int(sys.argv[3])
    breaks = [a.split('=') for a in sys.argv[5:]] if sys.argv[4:5] == ['--break'] else []
    b = bytearray(open(src, 'rb').read())
    assert b[:4] == b'\x7fELF' and b[4] == 2, 'not a 64-bit ELF file'
    hdrs = sections(b)
    rt = next((h for h in hdrs if h['sname'] == '.PyRuntime'), None)
    if not rt:
        # an executable linking libpython: only its NEEDED
        old = re.search(rb'libpython3\.(\d\d)', b)
        assert old, 'neither libpython nor .PyRuntime'
        b = b.replace(old.group(0), b'libpython3.%d' % minor)
        open(dst, 'wb').write(b)
        return
    assert b[rt['off']:rt['off'] + 8] == b'xdebugpy', 'no _Py_DebugOffsets'
    old, = struct.unpack_from('<Q', b, rt['off'] + 8)
    new = (old & ~0xff0000) | (minor << 16)
    struct.pack_into('<Q', b, rt['off'] + 8, new)
    found = False
    for h in hdrs:
        if h['sname'] not in ('.dynsym', '.symtab'):
            continue
        strs = hdrs[h['link']]
        for i in range(h['size'] // 24):
            o = h['off'] + i * 24
            name, info, other, shndx, value, size = struct.unpack_from('<IBBHQQ', b, o)
            s = strs['off'] + name
            if b[s:s + 11] == b'Py_Version\0' and value:
                struct.pack_into('<Q', b, vaddr_to_off(b, value), new)
                found = True
    assert found, 'no Py_Version symbol'
    oldlib = b'libpython3.%d' % ((old >> 16) & 0xff)
    b = b.replace(oldlib, b'libpython3.%d' % minor)
    for pos, val in breaks:
        struct.pack_into('<Q', b, rt['off'] + int(pos), int(val, 0))
    open(dst, 'wb').write(b)


if __name__ == '__main__':
    main()
