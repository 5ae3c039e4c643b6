// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "format.h"
#include "log.h"
#include "outfile.h"
#include "output.h"

/* One line always fits (see output.h). */
#define OUTPUT_BUF_SIZE FORMAT_LINE_MAX

/* stdout's buffer: stdout outlives struct output (exit flushes it). */
static char stdout_buf[OUTPUT_BUF_SIZE];

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

/* The file, block-buffered in *buf (allocated here). */
static FILE *open_append(const char *path, char **buf)
{
	char why[160];
	int fd = outfile__open(path, O_WRONLY | O_APPEND | O_CREAT, 0640, why,
			       sizeof(why));
	FILE *f;

	if (fd < 0) {
		p_err("cannot open %s for appending: %s", path, why);
		return NULL;
	}
	end_partial_line(fd, path);
	*buf = malloc(OUTPUT_BUF_SIZE);
	f = *buf ? fdopen(fd, "a") : NULL;
	if (!f) {
		p_err("cannot open %s: %s", path, strerror(errno));
		free(*buf);
		*buf = NULL;
		close(fd);
		return NULL;
	}
	/* Written in whole lines (see output.h): a reader never sees half. */
	setvbuf(f, *buf, _IOFBF, OUTPUT_BUF_SIZE);
	return f;
}

int output__open(struct output *o, const char *path)
{
	o->path = path;
	o->buf = NULL;
	if (!path) {
		o->f = stdout;
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
		return 0;
	}
	o->f = open_append(path, &o->buf);
	return o->f ? 0 : -EIO;
}

int output__reopen(struct output *o)
{
	FILE *f;
	char *buf;
	int err;

	if (!o->path)
		return 0;
	err = output__flush(o);
	f = open_append(o->path, &buf);
	if (!f)
		return -EIO;
	fclose(o->f);
	free(o->buf);
	o->f = f;
	o->buf = buf;
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
	free(o->buf);
	o->f = NULL;
	o->buf = NULL;
}
