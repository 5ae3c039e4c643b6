// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A minimal embedding program for tests: runs the Python code given as
 * argv[1] in a libpython it links dynamically (as gdb or uwsgi do).
 */
#include <Python.h>

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CODE\n", argv[0]);
		return 2;
	}
	Py_Initialize();
	rc = PyRun_SimpleString(argv[1]);
	if (Py_FinalizeEx() < 0)
		rc = 1;
	return rc ? 1 : 0;
}
