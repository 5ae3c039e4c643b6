/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small, bounds-checked ELF64 reader for target analysis. It reads the
 * file into memory (no mmap: a file truncated under us must not SIGBUS)
 * and checks every offset, size and count before use: a malformed file
 * gives an error, never a crash.
 */
#ifndef PA_ELF_H
#define PA_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_FILE_MAX (1024UL << 20)	/* refuse larger files */

struct elf_file;

int elf__open(const char *path, struct elf_file **out, char *err, size_t errlen);
/* Parse a copy of data (used by tests and the fuzzer). */
int elf__open_mem(const void *data, size_t size, struct elf_file **out,
		  char *err, size_t errlen);
void elf__close(struct elf_file *ef);

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
/* Bytes of the file image at vaddr (file-backed part only), or NULL. */
const uint8_t *elf__at_vaddr(const struct elf_file *ef, uint64_t vaddr, size_t len);
/* Is vaddr inside an executable PT_LOAD? */
bool elf__vaddr_is_exec(const struct elf_file *ef, uint64_t vaddr);

struct elf_section {
	const char *name;
	uint32_t type;		/* SHT_* */
	uint64_t flags;		/* SHF_* */
	uint64_t vaddr;
	uint64_t offset;
	uint64_t size;
	const uint8_t *data;	/* NULL for SHT_NOBITS */
};
size_t elf__section_count(const struct elf_file *ef);
int elf__section_at(const struct elf_file *ef, size_t i, struct elf_section *s);
int elf__section_by_name(const struct elf_file *ef, const char *name,
			 struct elf_section *s);

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
