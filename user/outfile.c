// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Output files named on the command line: see outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/*
 * O_NONBLOCK: opening a FIFO for writing blocks until a reader comes; with
 * it, no reader gives ENXIO, and a FIFO opened read-write never blocks
 * (fifo(7): Linux-specific). Writes then block as usual once O_NONBLOCK
 * is cleared, which a signal interrupts (no SA_RESTART).
 */
static int try_open(const char *path, int flags, mode_t mode)
{
	int base = flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int fd = open(path, base, mode);

	if (fd < 0 && errno == ENXIO)
		fd = open(path, (base & ~O_ACCMODE) | O_RDWR, mode);
	return fd < 0 ? -errno : fd;
}

int outfile__open(const char *path, int flags, mode_t mode, char *err,
		  size_t errlen)
{
	struct stat ln, again;
	int fd;

	err[0] = '\0';
	fd = try_open(path, flags | O_NOFOLLOW, mode);
	if (fd == -ELOOP && !lstat(path, &ln) && S_ISLNK(ln.st_mode)) {
		if (ln.st_uid != 0) {
			snprintf(err, errlen, "a symlink owned by uid %u, not "
				 "root: not followed (name the file itself)",
				 (unsigned)ln.st_uid);
			return -EPERM;
		}
		/* Root's own link; still root's after the open? */
		fd = try_open(path, flags, mode);
		if (fd >= 0 && (lstat(path, &again) || again.st_ino != ln.st_ino ||
				again.st_dev != ln.st_dev)) {
			close(fd);
			snprintf(err, errlen, "replaced while opened");
			return -EAGAIN;
		}
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(-fd));
		return fd;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		fd = -errno;
		snprintf(err, errlen, "%s", strerror(-fd));
	}
	return fd;
}

int outfile__record(const char *path, bool force, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = outfile__open(path, O_WRONLY | O_CREAT | O_EXCL, 0600, err, errlen);
	if (fd != -EEXIST)
		return fd;
	fd = outfile__open(path, O_WRONLY, 0, err, errlen);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || !st.st_size)
		return fd;
	if (!force) {
		close(fd);
		snprintf(err, errlen, "exists and holds %lld bytes: remove it, "
			 "or add --record-force to overwrite it",
			 (long long)st.st_size);
		return -EEXIST;
	}
	if (ftruncate(fd, 0)) {
		int ret = -errno;

		snprintf(err, errlen, "cannot truncate it: %s", strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}
