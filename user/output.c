// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "output.h"

/*
 * An earlier writer may have stopped in the middle of a line (a full
 * disk, a kill): end that line, or the first record appended now would
 * be glued to it, and both lost to a JSON reader.
 */
static void end_partial_line(int fd, const char *path)
{
	struct stat st, rst;
	int rfd;
	char c;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (rfd < 0)
		return;
	if (!fstat(rfd, &rst) && rst.st_dev == st.st_dev && rst.st_ino == st.st_ino &&
	    pread(rfd, &c, 1, st.st_size - 1) == 1 && c != '\n') {
		if (write(fd, "\n", 1) == 1)
			p_warn("%s ended in the middle of a line (an earlier "
			       "write was cut short): line ended", path);
		else
			p_warn("%s ends in a partial line: %s", path, strerror(errno));
	}
	close(rfd);
}

static FILE *open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	FILE *f;

	if (fd < 0) {
		p_err("cannot open %s for appending: %s", path, strerror(errno));
		return NULL;
	}
	end_partial_line(fd, path);
	f = fdopen(fd, "a");
	if (!f) {
		p_err("cannot open %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	/* Whole lines reach the file at once: a reader never sees half. */
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int output__open(struct output *o, const char *path)
{
	o->path = path;
	if (!path) {
		o->f = stdout;
		setvbuf(stdout, NULL, _IOLBF, 0);
		return 0;
	}
	o->f = open_append(path);
	return o->f ? 0 : -EIO;
}

int output__reopen(struct output *o)
{
	FILE *f;
	int err;

	if (!o->path)
		return 0;
	err = output__flush(o);
	f = open_append(o->path);
	if (!f)
		return -EIO;
	fclose(o->f);
	o->f = f;
	p_debug("reopened %s", o->path);
	return err;
}

int output__flush(struct output *o)
{
	if (fflush(o->f) || ferror(o->f)) {
		int err = errno ? errno : EIO;

		clearerr(o->f);
		return -err;
	}
	return 0;
}

void output__close(struct output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	else if (o->f)
		fflush(o->f);
	o->f = NULL;
}
