// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Copies of .rodata for the BPF side: see rocopy.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "elf.h"
#include "rocopy.h"
#include "target.h"

/* Extension modules looked at in one lib-dynload (3.13 has about 70). */
#define EXT_MODULES_MAX 256

int rocopy__read(const struct elf_file *ef, struct ro_copy *c)
{
	struct elf_section sec;
	struct stat st;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = elf__stat(ef, &st);
	if (ret)
		return ret;
	ret = elf__section_info_by_name(ef, ".rodata", &sec);
	if (ret)
		return ret;
	if (!sec.size || sec.size > (uint64_t)PA_RO_PAGES_MAX * PA_RO_PAGE)
		return -E2BIG;
	c->data = malloc(sec.size);
	if (!c->data)
		return -ENOMEM;
	ret = elf__read_section(ef, sec.index, 0, c->data, sec.size);
	if (ret) {
		rocopy__free(c);
		return ret;
	}
	/* As the kernel keeps it (MKDEV), what BPF reads from the inode. */
	c->dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
	c->ino = st.st_ino;
	c->off = sec.offset;
	c->size = sec.size;
	return 0;
}

void rocopy__free(struct ro_copy *c)
{
	free(c->data);
	c->data = NULL;
}

size_t rocopy__store(const struct ro_copy *c, rocopy_put_fn put, void *ctx,
		     size_t *total)
{
	uint64_t first, last, end = c->off + c->size;
	struct pa_ro_page *pg;
	size_t stored = 0;

	*total = 0;
	if (!c->data || !c->size)
		return 0;
	pg = malloc(sizeof(*pg));
	if (!pg)
		return 0;
	first = c->off / PA_RO_PAGE;
	last = (end - 1) / PA_RO_PAGE;
	*total = last - first + 1;
	for (uint64_t p = first; p <= last; p++) {
		uint64_t lo = p * PA_RO_PAGE, hi = lo + PA_RO_PAGE;
		struct pa_ro_key k = { .dev = c->dev, .ino = c->ino, .page = p };

		if (lo < c->off)
			lo = c->off;
		if (hi > end)
			hi = end;
		memset(pg, 0, sizeof(*pg));
		pg->lo = lo % PA_RO_PAGE;
		pg->hi = hi - p * PA_RO_PAGE;
		memcpy(pg->b + pg->lo, c->data + (lo - c->off), hi - lo);
		if (put(ctx, &k, pg))
			break;
		stored++;
	}
	free(pg);
	return stored;
}

/* Does this extension module call PySys_Audit (it names it)? */
static bool raises_events(const struct elf_file *ef)
{
	static const char want[] = "PySys_Audit";
	struct elf_section sec;

	if (elf__section_by_name(ef, ".dynstr", &sec) || !sec.data)
		return false;
	return memmem(sec.data, sec.size, want, sizeof(want)) != NULL;
}

/* Where t's extension modules are: <prefix>/lib/pythonX.Y/lib-dynload,
 * from the libpython in <prefix>/lib or the python in <prefix>/bin. */
static int dynload_dir(const struct target *t, char *buf, size_t len)
{
	const char *slash = strrchr(t->path, '/');
	int n;

	if (!slash)
		return -ENOENT;
	n = snprintf(buf, len, "%.*s/%spython%d.%d/lib-dynload",
		     (int)(slash - t->path), t->path,
		     t->shared_lib ? "" : "../lib/", t->py_major, t->py_minor);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool is_extension(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && !strcmp(name + n - 3, ".so") && name[0] != '.';
}

void rocopy__extensions(const struct target *t, rocopy_put_fn put, void *ctx,
			size_t *stored, size_t *total)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	int seen = 0;
	DIR *d;

	if (dynload_dir(t, dir, sizeof(dir)))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && seen < EXT_MODULES_MAX) {
		struct elf_file *ef = NULL;
		struct ro_copy c;
		size_t n = 0;

		if (!is_extension(de->d_name))
			continue;
		seen++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* elf__open takes regular files only, and reads, no more. */
		if (elf__open(path, &ef, NULL, 0))
			continue;
		if (raises_events(ef) && !rocopy__read(ef, &c)) {
			*stored += rocopy__store(&c, put, ctx, &n);
			*total += n;
			rocopy__free(&c);
		}
		elf__close(ef);
	}
	closedir(d);
}
