# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""mapdiff.py FILE: map FILE executable, as a process using it would,
and print the offsets where the mapped bytes differ from the file's:
where a uprobe's breakpoint (0xcc) was placed in it."""
import mmap
import sys

with open(sys.argv[1], "rb") as f:
    data = f.read()
    m = mmap.mmap(f.fileno(), 0, mmap.MAP_PRIVATE,
                  mmap.PROT_READ | mmap.PROT_EXEC)
    mapped = m[:]
    m.close()
diff = []
for page in range(0, len(data), 4096):
    if data[page:page + 4096] != mapped[page:page + 4096]:
        diff += ["0x%x:%02x" % (i, mapped[i])
                 for i in range(page, min(page + 4096, len(data)))
                 if data[i] != mapped[i]]
print(" ".join(diff))
