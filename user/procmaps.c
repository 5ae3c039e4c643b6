// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * /proc/PID/maps: its lines parsed, the executable mappings of files
 * walked, and a path that reaches the very file a process maps.
 *
 * The names in a process's maps are what it mapped back then, through
 * its own root and mount namespace (a container's): the file may have
 * been replaced or deleted since, and the path may go through symlinks
 * planted in the container. Lines are parsed strictly (the kernel's
 * show_map_vma format) and every string copy is bounded.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "path.h"
#include "procmaps.h"

#define MAPS_LINE_MAX	(PATH_MAX + 256)

/* A number of at most maxdigits digits, nothing else: strtoul alone would
 * also take leading blanks, a sign and a 0x prefix. */
static int parse_num(char **pp, unsigned long *out, int base, size_t maxdigits)
{
	char *p = *pp, *end;
	unsigned long v;
	size_t n = 0;

	while (base == 16 ? isxdigit((unsigned char)p[n]) :
			    isdigit((unsigned char)p[n]))
		n++;
	if (!n || n > maxdigits)
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, base);
	if (errno || end != p + n)
		return -EINVAL;
	*out = v;
	*pp = end;
	return 0;
}

/* 7f0000000000-7f0000001000 r-xp 00001000 fe:01 1234     /usr/lib/x.so */
int procmaps__parse_line(char *line, struct maps_entry *e)
{
	unsigned long major, minor;
	char *p = line;
	size_t n;

	if (!line || !e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';

	if (parse_num(&p, &e->start, 16, 16) || *p++ != '-')
		return -EINVAL;
	if (parse_num(&p, &e->end, 16, 16) || *p++ != ' ')
		return -EINVAL;
	if (e->end < e->start)
		return -EINVAL;
	if (!p[0] || !strchr("r-", p[0]) || !p[1] || !strchr("w-", p[1]) ||
	    !p[2] || !strchr("x-", p[2]) || !p[3] || !strchr("ps", p[3]) ||
	    p[4] != ' ')
		return -EINVAL;
	memcpy(e->perms, p, 4);
	e->perms[4] = '\0';
	p += 5;
	if (parse_num(&p, &e->offset, 16, 16) || *p++ != ' ')
		return -EINVAL;
	if (parse_num(&p, &major, 16, 8) || *p++ != ':' || major > UINT_MAX)
		return -EINVAL;
	if (parse_num(&p, &minor, 16, 8) || *p++ != ' ' || minor > UINT_MAX)
		return -EINVAL;
	e->dev_major = major;
	e->dev_minor = minor;
	if (parse_num(&p, &e->inode, 10, 20))
		return -EINVAL;
	if (*p && *p != ' ')
		return -EINVAL;
	/* the kernel pads with spaces up to the name column */
	while (*p == ' ')
		p++;
	e->path = p;
	return 0;
}

/* Does pid see the file system as we do? Then its paths are ours, and
 * stay valid after it exits. */
bool procmaps__same_root(pid_t pid)
{
	char a[64], b[64], p[64];
	struct stat sa, sb;
	ssize_t na, nb;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	na = readlink(p, a, sizeof(a) - 1);
	nb = readlink("/proc/self/ns/mnt", b, sizeof(b) - 1);
	if (na <= 0 || nb <= 0 || na != nb || memcmp(a, b, na))
		return false;
	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	if (stat(p, &sa) || stat("/", &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Skip the rest of a line too long for the buffer. */
static void drain_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

int procmaps__each_code(pid_t pid, int (*fn)(void *ctx, struct maps_entry *e),
			void *ctx)
{
	char mpath[64], *line;
	struct maps_entry e;
	int ret = 0;
	FILE *f;

	snprintf(mpath, sizeof(mpath), "/proc/%d/maps", (int)pid);
	f = fopen(mpath, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	line = malloc(MAPS_LINE_MAX);
	if (!line) {
		fclose(f);
		return -ENOMEM;
	}
	while (!ret && fgets(line, MAPS_LINE_MAX, f)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n') {
			line[n - 1] = '\0';
		} else if (!feof(f)) {
			drain_line(f);
			continue;
		}
		if (procmaps__parse_line(line, &e) || !strchr(e.perms, 'x') ||
		    e.path[0] != '/')
			continue;
		ret = fn(ctx, &e);
	}
	/* the process went away while we read */
	if (!ret && ferror(f))
		ret = errno == ESRCH || errno == ENOENT ? -ESRCH : -EIO;
	free(line);
	fclose(f);
	return ret;
}

int procmaps__reach(pid_t pid, bool sameroot, struct maps_entry *e,
		    char *path, size_t size)
{
	char *mpath = (char *)e->path;
	struct stat st;

	/* A deleted file (a memfd too) is still the process's: reach it
	 * through the mapping itself. */
	if (path__ends_with(mpath, PROCMAPS_DELETED)) {
		mpath[strlen(mpath) - strlen(PROCMAPS_DELETED)] = '\0';
		goto map_files;
	}
	if (sameroot) {
		if (path__fmt(path, size, "%s", mpath))
			return -ENAMETOOLONG;
	} else if (path__fmt(path, size, "/proc/%d/root%s", (int)pid, mpath)) {
		return -ENAMETOOLONG;
	}
	/* Insist on the mapped inode, else take the mapping itself. */
	if (!stat(path, &st) && st.st_ino == e->inode)
		return 0;
map_files:
	snprintf(path, size, "/proc/%d/map_files/%lx-%lx", (int)pid, e->start,
		 e->end);
	if (stat(path, &st)) {
		p_debug("skip %s (pid %d): not reachable", mpath, (int)pid);
		return -ESTALE;
	}
	return 0;
}
