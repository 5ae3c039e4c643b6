// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of user/rocopy.c: the pages of a copy of .rodata (which
 * bytes of each page are .rodata, at both ends and in the middle), a
 * full map, and the copy of a real file's .rodata.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "user/elf.h"
#include "user/rocopy.h"

#define PAGES_MAX 8

struct fake_map {
	struct pa_ro_key k[PAGES_MAX];
	struct pa_ro_page pg[PAGES_MAX];
	size_t n;
	size_t room;		/* puts that succeed */
};

static int put(void *ctx, const struct pa_ro_key *k, const struct pa_ro_page *pg)
{
	struct fake_map *m = ctx;

	if (m->n >= m->room || m->n >= PAGES_MAX)
		return -1;
	m->k[m->n] = *k;
	m->pg[m->n] = *pg;
	m->n++;
	return 0;
}

/* .rodata from file offset 0x1ff0, 0x1020 bytes: the last 16 bytes of
 * page 1, all of page 2, the first 16 of page 3. */
static void test_pages(void **state)
{
	static struct fake_map m;
	uint8_t data[0x1020];
	struct ro_copy c = {
		.dev = 7, .ino = 42, .off = 0x1ff0, .size = sizeof(data),
		.data = data,
	};
	size_t total = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	m.room = PAGES_MAX;
	assert_int_equal(rocopy__store(&c, put, &m, &total), 3);
	assert_int_equal(total, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(m.k[i].dev, 7);
		assert_int_equal(m.k[i].ino, 42);
		assert_int_equal(m.k[i].page, 1 + i);
	}
	assert_int_equal(m.pg[0].lo, 0xff0);
	assert_int_equal(m.pg[0].hi, PA_RO_PAGE);
	assert_memory_equal(m.pg[0].b + 0xff0, data, 0x10);
	assert_int_equal(m.pg[0].b[0xfef], 0);	/* not .rodata: not copied */
	assert_int_equal(m.pg[1].lo, 0);
	assert_int_equal(m.pg[1].hi, PA_RO_PAGE);
	assert_memory_equal(m.pg[1].b, data + 0x10, PA_RO_PAGE);
	assert_int_equal(m.pg[2].lo, 0);
	assert_int_equal(m.pg[2].hi, 0x10);
	assert_memory_equal(m.pg[2].b, data + 0x1010, 0x10);
	assert_int_equal(m.pg[2].b[0x10], 0);
}

/* One page exactly, and a map with room for fewer pages than there are. */
static void test_one_page_and_full(void **state)
{
	static struct fake_map m;
	static uint8_t data[3 * PA_RO_PAGE];
	struct ro_copy c = { .off = PA_RO_PAGE, .size = PA_RO_PAGE, .data = data };
	size_t total = 0;

	(void)state;
	m.room = PAGES_MAX;
	assert_int_equal(rocopy__store(&c, put, &m, &total), 1);
	assert_int_equal(total, 1);
	assert_int_equal(m.k[0].page, 1);
	assert_int_equal(m.pg[0].lo, 0);
	assert_int_equal(m.pg[0].hi, PA_RO_PAGE);

	memset(&m, 0, sizeof(m));
	m.room = 2;
	c.size = sizeof(data);
	assert_int_equal(rocopy__store(&c, put, &m, &total), 2);
	assert_int_equal(total, 3);

	c.data = NULL;		/* no copy: nothing */
	assert_int_equal(rocopy__store(&c, put, &m, &total), 0);
	assert_int_equal(total, 0);
}

/* The copy of a real file is its .rodata, byte for byte. */
static void test_read_real_file(void **state)
{
	static const char *paths[] = {
		"/usr/bin/python3.11",
		"/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0",
	};
	int done = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct elf_file *ef = NULL;
		struct elf_section sec;
		struct ro_copy c;
		uint8_t *want;
		int fd;

		if (elf__open(paths[i], &ef, NULL, 0))
			continue;
		assert_int_equal(elf__section_info_by_name(ef, ".rodata", &sec), 0);
		assert_int_equal(rocopy__read(ef, &c), 0);
		assert_int_equal(c.off, sec.offset);
		assert_int_equal(c.size, sec.size);
		assert_non_null(c.data);
		want = malloc(sec.size);
		assert_non_null(want);
		fd = open(paths[i], O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, want, sec.size, sec.offset), sec.size);
		close(fd);
		assert_memory_equal(c.data, want, sec.size);
		free(want);
		rocopy__free(&c);
		assert_null(c.data);
		elf__close(ef);
		done++;
	}
	if (!done)
		skip();
}

/* An image (no file descriptor) has no copy. */
static void test_image_has_none(void **state)
{
	struct elf_file *ef = NULL;
	struct ro_copy c;
	uint8_t *img;
	size_t size;
	FILE *f;

	(void)state;
	f = fopen("/usr/bin/python3.11", "rb");
	if (!f)
		skip();
	img = malloc(64 << 20);
	assert_non_null(img);
	size = fread(img, 1, 64 << 20, f);
	fclose(f);
	assert_int_equal(elf__open_mem(img, size, &ef, NULL, 0), 0);
	assert_int_not_equal(rocopy__read(ef, &c), 0);
	assert_null(c.data);
	elf__close(ef);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_one_page_and_full),
		cmocka_unit_test(test_read_real_file),
		cmocka_unit_test(test_image_has_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
