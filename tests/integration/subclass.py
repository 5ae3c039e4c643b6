# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Raise audit events whose arguments are subclasses of str, bytes, int,
float, tuple and list (and structseqs), next to plain values, for
subclass.bats. Runs on CPython 3.8+ with the standard library only."""
import sys
import time


class MyStr(str):
    pass


class MyBytes(bytes):
    pass


class MyInt(int):
    pass


class MyFloat(float):
    pass


class MyTuple(tuple):
    pass


class MyList(list):
    pass


class MyStr2(MyStr):
    pass


class MyFloat2(MyFloat):
    pass


class bool(int):
    """An int subclass named bool: not the bool value kind."""


sys.audit('pyaudit.test.sub', MyStr('abc'), MyBytes(b'x'), MyInt(5),
          MyFloat(1.5), MyTuple((1, 2)), MyList([3]), time.gmtime(0),
          'abc', b'x', 5, 1.5, (1, 2), [3], True, None)
sys.audit('pyaudit.test.sub2', [MyStr('e'), MyInt(-2**100)], (MyTuple(),),
          MyStr2('\u00e9\u4e2d'), MyFloat2(float('nan')), MyStr('a' * 300),
          type('My Str', (str,), {})('q'), type('N' * 70, (str,), {})('v'),
          bool(1), MyList(range(20)))


class A:
    def __del__(self):
        raise ValueError('boom')


a = A()
del a
