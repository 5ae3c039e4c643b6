# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Installs the exact-comparison audit hook in every fresh interpreter that
# has tests/exact/hook on PYTHONPATH and $PYAUDIT_EXACT_OUT set, before
# the command, module or file runs (site imports this module during
# start-up, before cpython.run_*).
import exact_hook

exact_hook.install()
