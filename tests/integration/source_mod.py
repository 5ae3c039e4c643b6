# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The imported module of source_main.py (pyaudit's source-frame tests).

Each line that raises an event ends with a marker, see source_main.py.
"""
import os
import sys

NOPATH = "/nonexistent-pyaudit-src"

sys.audit("pyaudit.src.mod_import", "import")  # @src:mod_import <module>


def mod_func():
    sys.audit("pyaudit.src.mod", "mod")  # @src:mod mod_func
    try:
        os.listdir(NOPATH + "/mod_listdir")  # @src:mod_listdir mod_func
    except OSError:
        pass
