// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Loads a libpython with dlopen() after start (as uwsgi or a plugin host
 * does), then runs Python code in it: dlopen LIBPYTHON CODE [DELAY_MS].
 * It waits DELAY_MS before running the code so that a tracer that attaches
 * on mmap has time to do so.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	void (*init)(void);
	int (*run)(const char *);
	int (*fini)(void);
	void *h;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s LIBPYTHON CODE [DELAY_MS]\n", argv[0]);
		return 2;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 2;
	}
	if (argc > 3)
		usleep(atoi(argv[3]) * 1000);
	init = (void (*)(void))dlsym(h, "Py_Initialize");
	run = (int (*)(const char *))dlsym(h, "PyRun_SimpleString");
	fini = (int (*)(void))dlsym(h, "Py_FinalizeEx");
	if (!init || !run || !fini) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 2;
	}
	init();
	rc = run(argv[2]);
	fini();
	return rc ? 1 : 0;
}
