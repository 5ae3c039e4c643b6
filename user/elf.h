/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small, bounds-checked ELF64 reader for target analysis. It reads only
 * the parts of a file it needs, with pread(2), when they are first needed
 * (no mmap: a file truncated under us must not SIGBUS; a short read makes
 * that part missing), and checks every offset, size and count before use:
 * a malformed file gives an error, never a crash.
 *
 * Pointers it hands out (section data, strings, elf__at_vaddr) stay valid
 * until elf__close. Not thread-safe: parts are read and kept on first use,
 * even through a const struct elf_file *.
 */
#ifndef PA_ELF_H
#define PA_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define ELF_FILE_MAX (1024UL << 20)	/* refuse larger files */
/* Memory one file may take (headers, sections read, the relocation index):
 * an unstripped libpython 3.13 takes about 1 MB. Beyond it, the parts that
 * do not fit are missing (symbols not found...), as in a stripped file. */
#define ELF_READ_MAX (16UL << 20)
#define ELF_SECTIONS_MAX 65536U		/* section headers accepted */
#define ELF_SEGMENTS_MAX 65536U		/* program headers accepted */

struct elf_file;

int elf__open(const char *path, struct elf_file **out, char *err, size_t errlen);
/* The same on a file already open (a regular file, checked with fstat):
 * ef reads through its own duplicate, the caller keeps fd. path only
 * names it in messages. */
int elf__open_fd(int fd, const char *path, struct elf_file **out, char *err,
		 size_t errlen);
/* Parse a copy of data (used by tests and the fuzzer). */
int elf__open_mem(const void *data, size_t size, struct elf_file **out,
		  char *err, size_t errlen);
void elf__close(struct elf_file *ef);
/* fstat(2) of the file descriptor ef reads (-ENOENT for an image). */
int elf__stat(const struct elf_file *ef, struct stat *st);

uint16_t elf__type(const struct elf_file *ef);		/* ET_EXEC, ET_DYN */
uint16_t elf__machine(const struct elf_file *ef);	/* EM_X86_64 ... */

/* .symtab first, then .dynsym. 0 or -ENOENT. */
int elf__find_symbol(const struct elf_file *ef, const char *name,
		     uint64_t *vaddr, uint64_t *size);
/* Only .dynsym (exported symbols). */
int elf__find_dynsym(const struct elf_file *ef, const char *name,
		     uint64_t *vaddr, uint64_t *size);
bool elf__has_symtab(const struct elf_file *ef);

/* Virtual address -> file offset through the PT_LOAD that holds it. */
int elf__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off);
/* Bytes of the file image at vaddr (file-backed part only), or NULL. Each
 * call on a file reads them into memory kept until elf__close: for small
 * or repeated reads, elf__read_vaddr. */
const uint8_t *elf__at_vaddr(const struct elf_file *ef, uint64_t vaddr, size_t len);
/* Copy len bytes of the file image at vaddr into buf: 0, -ENOENT (not all
 * file-backed in one PT_LOAD) or -EIO (the file shrank). */
int elf__read_vaddr(const struct elf_file *ef, uint64_t vaddr, void *buf,
		    size_t len);
/* Is vaddr inside an executable PT_LOAD? */
bool elf__vaddr_is_exec(const struct elf_file *ef, uint64_t vaddr);

struct elf_section {
	const char *name;
	size_t index;
	uint32_t type;		/* SHT_* */
	uint64_t flags;		/* SHF_* */
	uint64_t vaddr;
	uint64_t offset;
	uint64_t size;
	const uint8_t *data;	/* NULL for SHT_NOBITS, or when unreadable */
};
size_t elf__section_count(const struct elf_file *ef);
int elf__section_at(const struct elf_file *ef, size_t i, struct elf_section *s);
int elf__section_by_name(const struct elf_file *ef, const char *name,
			 struct elf_section *s);
/* The same without the contents (data is NULL, nothing is read). */
int elf__section_info(const struct elf_file *ef, size_t i, struct elf_section *s);
int elf__section_info_by_name(const struct elf_file *ef, const char *name,
			      struct elf_section *s);
/* Copy len bytes at offset off of section i's contents into buf: 0,
 * -ENOENT (no such section, no contents, out of its range) or -EIO. */
int elf__read_section(const struct elf_file *ef, size_t i, uint64_t off,
		      void *buf, size_t len);

/* Dynamic section. Strings point into the file image; NULL when absent. */
const char *elf__soname(const struct elf_file *ef);
const char *elf__runpath(const struct elf_file *ef);	/* RUNPATH, else RPATH */
size_t elf__needed(const struct elf_file *ef, const char **names, size_t max);

/* Has a SystemTap SDT note (.note.stapsdt) provider:name. */
bool elf__has_usdt(const struct elf_file *ef, const char *provider, const char *name);
/* How many such notes, and the pc (link-time address) of the first. */
size_t elf__usdt_sites(const struct elf_file *ef, const char *provider,
		       const char *name, uint64_t *first_pc);

/* R_X86_64_RELATIVE addend for the word at vaddr (0 and -ENOENT if none). */
int elf__relative_addend(const struct elf_file *ef, uint64_t vaddr, uint64_t *addend);

#endif
