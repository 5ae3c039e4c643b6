// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A minimal embedding program for tests: runs the Python file given as
 * argv[1] in a libpython it links dynamically (as gdb or uwsgi do).
 */
#include <Python.h>

int main(int argc, char **argv)
{
	FILE *f;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.py\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	Py_Initialize();
	rc = PyRun_SimpleFileEx(f, argv[1], 1);
	if (Py_FinalizeEx() < 0)
		rc = 1;
	return rc ? 1 : 0;
}
