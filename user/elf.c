// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Bounds-checked ELF64 little-endian reader (see elf.h).
 *
 * The whole file is read into one malloc'ed buffer. Every header, table
 * and string is validated before it is used; all multi-byte fields are
 * read with memcpy, so no unaligned access happens whatever the offsets
 * in the file say. A malformed file yields an error string.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"

#ifndef EI_NIDENT
#error "the system <elf.h> is shadowed by user/elf.h: keep user/ off the include path"
#endif

#ifndef R_AARCH64_RELATIVE
#define R_AARCH64_RELATIVE 1027
#endif

#define NT_STAPSDT	3
#define DYN_NEEDED_MAX	64

struct elf_reloc {
	uint64_t offset;
	uint64_t addend;
};

struct elf_file {
	uint8_t *data;
	size_t size;
	Elf64_Ehdr eh;

	Elf64_Phdr *ph;		/* validated copies */
	size_t phnum;
	Elf64_Shdr *sh;
	size_t shnum;
	const char **shname;	/* validated section names */

	size_t symtab, dynsym;	/* section indexes, 0 when absent */

	const char *soname;
	const char *runpath;
	const char *needed[DYN_NEEDED_MAX];
	size_t nneeded;

	struct elf_reloc *rel;	/* RELATIVE relocations, sorted */
	size_t nrel;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

/* [off, off + len) inside [0, size)? Overflow-safe. */
static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A NUL-terminated string at index idx of a table of size bytes. */
static const char *str_at(const uint8_t *tab, uint64_t size, uint64_t idx)
{
	if (!tab || idx >= size)
		return NULL;
	if (!memchr(tab + idx, '\0', size - idx))
		return NULL;
	return (const char *)tab + idx;
}

static const uint8_t *sec_data(const struct elf_file *ef, size_t i)
{
	if (i >= ef->shnum || ef->sh[i].sh_type == SHT_NOBITS ||
	    ef->sh[i].sh_type == SHT_NULL)
		return NULL;
	return ef->data + ef->sh[i].sh_offset;
}

static int parse_ehdr(struct elf_file *ef, char *err, size_t errlen)
{
	const uint8_t *d = ef->data;

	if (ef->size < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG))
		return fail(err, errlen, "not an ELF file");
	if (ef->size < sizeof(Elf64_Ehdr))
		return fail(err, errlen, "truncated ELF header");
	if (d[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "not a 64-bit ELF file");
	if (d[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "not a little-endian ELF file");
	if (d[EI_VERSION] != EV_CURRENT)
		return fail(err, errlen, "bad ELF version %u", d[EI_VERSION]);
	memcpy(&ef->eh, d, sizeof(ef->eh));
	if (ef->eh.e_machine != EM_X86_64 && ef->eh.e_machine != EM_AARCH64)
		return fail(err, errlen, "unsupported ELF machine %u",
			    ef->eh.e_machine);
	if (ef->eh.e_ehsize < sizeof(Elf64_Ehdr))
		return fail(err, errlen, "bad e_ehsize %u", ef->eh.e_ehsize);
	return 0;
}

static int parse_shdrs(struct elf_file *ef, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = &ef->eh;
	uint64_t shnum = eh->e_shnum, shstrndx = eh->e_shstrndx;
	Elf64_Shdr s0;
	const uint8_t *strtab;
	uint64_t strsz;
	size_t i;

	if (!eh->e_shoff) {
		if (eh->e_shnum)
			return fail(err, errlen, "sections without e_shoff");
		return 0;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return fail(err, errlen, "bad e_shentsize %u", eh->e_shentsize);
	if (!range_ok(eh->e_shoff, sizeof(Elf64_Shdr), ef->size))
		return fail(err, errlen, "e_shoff 0x%llx past the end of the file",
			    (unsigned long long)eh->e_shoff);
	memcpy(&s0, ef->data + eh->e_shoff, sizeof(s0));
	/* Extended numbering: the real values live in section 0. */
	if (shnum == 0)
		shnum = s0.sh_size;
	if (shstrndx == SHN_XINDEX)
		shstrndx = s0.sh_link;
	if (shnum == 0)
		return 0;
	if (shnum > (ef->size - eh->e_shoff) / sizeof(Elf64_Shdr))
		return fail(err, errlen, "%llu section headers do not fit in the file",
			    (unsigned long long)shnum);
	ef->sh = calloc(shnum, sizeof(*ef->sh));
	ef->shname = calloc(shnum, sizeof(*ef->shname));
	if (!ef->sh || !ef->shname)
		return fail(err, errlen, "out of memory");
	memcpy(ef->sh, ef->data + eh->e_shoff, shnum * sizeof(Elf64_Shdr));
	ef->shnum = shnum;

	for (i = 0; i < ef->shnum; i++) {
		const Elf64_Shdr *s = &ef->sh[i];

		if (s->sh_type == SHT_NOBITS || s->sh_type == SHT_NULL)
			continue;
		if (!range_ok(s->sh_offset, s->sh_size, ef->size))
			return fail(err, errlen,
				    "section %zu (offset 0x%llx size 0x%llx) past the end of the file",
				    i, (unsigned long long)s->sh_offset,
				    (unsigned long long)s->sh_size);
	}

	if (shstrndx == SHN_UNDEF)
		return 0;	/* no names: lookups by name find nothing */
	if (shstrndx >= ef->shnum || ef->sh[shstrndx].sh_type != SHT_STRTAB)
		return fail(err, errlen, "bad e_shstrndx %llu",
			    (unsigned long long)shstrndx);
	strtab = sec_data(ef, shstrndx);
	strsz = ef->sh[shstrndx].sh_size;
	for (i = 0; i < ef->shnum; i++) {
		ef->shname[i] = str_at(strtab, strsz, ef->sh[i].sh_name);
		if (!ef->shname[i])
			return fail(err, errlen,
				    "section %zu: name index %u not a string in the section name table",
				    i, ef->sh[i].sh_name);
	}
	return 0;
}

static int parse_phdrs(struct elf_file *ef, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = &ef->eh;
	uint64_t phnum = eh->e_phnum;
	size_t i;

	if (phnum == PN_XNUM) {
		if (!ef->shnum)
			return fail(err, errlen, "PN_XNUM without section 0");
		phnum = ef->sh[0].sh_info;
	}
	if (!phnum)
		return 0;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "bad e_phentsize %u", eh->e_phentsize);
	if (!range_ok(eh->e_phoff, 0, ef->size) ||
	    phnum > (ef->size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return fail(err, errlen, "program headers past the end of the file");
	ef->ph = calloc(phnum, sizeof(*ef->ph));
	if (!ef->ph)
		return fail(err, errlen, "out of memory");
	memcpy(ef->ph, ef->data + eh->e_phoff, phnum * sizeof(Elf64_Phdr));
	ef->phnum = phnum;

	for (i = 0; i < ef->phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type != PT_LOAD && p->p_type != PT_DYNAMIC)
			continue;
		if (!range_ok(p->p_offset, p->p_filesz, ef->size))
			return fail(err, errlen,
				    "segment %zu (offset 0x%llx size 0x%llx) past the end of the file",
				    i, (unsigned long long)p->p_offset,
				    (unsigned long long)p->p_filesz);
		if (p->p_type == PT_LOAD &&
		    (p->p_filesz > p->p_memsz ||
		     p->p_vaddr + p->p_memsz < p->p_vaddr))
			return fail(err, errlen, "segment %zu: bad sizes", i);
	}
	return 0;
}

/* A symbol table section, with its string table; 0 if it is unusable. */
static int check_symtab(struct elf_file *ef, size_t i, char *err, size_t errlen)
{
	const Elf64_Shdr *s = &ef->sh[i];
	const Elf64_Shdr *str;

	if (s->sh_entsize != sizeof(Elf64_Sym) || s->sh_size % sizeof(Elf64_Sym))
		return fail(err, errlen, "section %zu: bad symbol table entsize/size", i);
	if (s->sh_link == 0 || s->sh_link >= ef->shnum)
		return fail(err, errlen, "section %zu: bad string table link %u",
			    i, s->sh_link);
	str = &ef->sh[s->sh_link];
	if (str->sh_type != SHT_STRTAB)
		return fail(err, errlen, "section %zu: linked section is not a string table", i);
	return 0;
}

static int find_symtabs(struct elf_file *ef, char *err, size_t errlen)
{
	size_t i;
	int ret;

	for (i = 1; i < ef->shnum; i++) {
		uint32_t t = ef->sh[i].sh_type;

		if (t != SHT_SYMTAB && t != SHT_DYNSYM)
			continue;
		ret = check_symtab(ef, i, err, errlen);
		if (ret)
			return ret;
		if (t == SHT_SYMTAB && !ef->symtab)
			ef->symtab = i;
		if (t == SHT_DYNSYM && !ef->dynsym)
			ef->dynsym = i;
	}
	return 0;
}

const uint8_t *elf__at_vaddr(const struct elf_file *ef, uint64_t vaddr, size_t len)
{
	size_t i;

	if (!ef)
		return NULL;
	for (i = 0; i < ef->phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr)
			continue;
		if (!range_ok(vaddr - p->p_vaddr, len ? len : 1, p->p_filesz))
			continue;
		return ef->data + p->p_offset + (vaddr - p->p_vaddr);
	}
	return NULL;
}

int elf__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off)
{
	size_t i;

	for (i = 0; ef && i < ef->phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr ||
		    vaddr - p->p_vaddr >= p->p_filesz)
			continue;
		*off = p->p_offset + (vaddr - p->p_vaddr);
		return 0;
	}
	return -ENOENT;
}

bool elf__vaddr_is_exec(const struct elf_file *ef, uint64_t vaddr)
{
	size_t i;

	for (i = 0; ef && i < ef->phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type == PT_LOAD && (p->p_flags & PF_X) &&
		    vaddr >= p->p_vaddr && vaddr - p->p_vaddr < p->p_memsz)
			return true;
	}
	return false;
}

/* The dynamic string table: DT_STRTAB through PT_LOAD, else .dynstr. */
static const uint8_t *dyn_strtab(const struct elf_file *ef, uint64_t strtab,
				 uint64_t strsz, size_t dynsec, uint64_t *size)
{
	struct elf_section s;
	const uint8_t *p;

	if (strtab && strsz && strsz <= ef->size) {
		p = elf__at_vaddr(ef, strtab, strsz);
		if (p) {
			*size = strsz;
			return p;
		}
	}
	if (dynsec && ef->sh[dynsec].sh_link < ef->shnum &&
	    ef->sh[ef->sh[dynsec].sh_link].sh_type == SHT_STRTAB) {
		size_t l = ef->sh[dynsec].sh_link;

		*size = ef->sh[l].sh_size;
		return sec_data(ef, l);
	}
	if (!elf__section_by_name(ef, ".dynstr", &s) && s.data &&
	    s.type == SHT_STRTAB) {
		*size = s.size;
		return s.data;
	}
	return NULL;
}

static void parse_dynamic(struct elf_file *ef)
{
	const uint8_t *dyn = NULL, *str;
	uint64_t dynsz = 0, strtab = 0, strsz = 0, tabsz = 0;
	uint64_t soname = UINT64_MAX, runpath = UINT64_MAX, rpath = UINT64_MAX;
	uint64_t needed[DYN_NEEDED_MAX];
	size_t nneeded = 0, dynsec = 0, i, n;

	for (i = 0; i < ef->phnum; i++) {
		if (ef->ph[i].p_type == PT_DYNAMIC) {
			dyn = ef->data + ef->ph[i].p_offset;
			dynsz = ef->ph[i].p_filesz;
			break;
		}
	}
	for (i = 1; i < ef->shnum; i++) {
		if (ef->sh[i].sh_type == SHT_DYNAMIC) {
			dynsec = i;
			if (!dyn) {
				dyn = sec_data(ef, i);
				dynsz = ef->sh[i].sh_size;
			}
			break;
		}
	}
	if (!dyn)
		return;

	n = dynsz / sizeof(Elf64_Dyn);
	for (i = 0; i < n; i++) {
		const uint8_t *e = dyn + i * sizeof(Elf64_Dyn);
		int64_t tag = (int64_t)rd64(e);
		uint64_t val = rd64(e + 8);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_STRTAB:
			strtab = val;
			break;
		case DT_STRSZ:
			strsz = val;
			break;
		case DT_SONAME:
			soname = val;
			break;
		case DT_RUNPATH:
			runpath = val;
			break;
		case DT_RPATH:
			rpath = val;
			break;
		case DT_NEEDED:
			if (nneeded < DYN_NEEDED_MAX)
				needed[nneeded++] = val;
			break;
		}
	}

	str = dyn_strtab(ef, strtab, strsz, dynsec, &tabsz);
	if (!str)
		return;
	if (soname != UINT64_MAX)
		ef->soname = str_at(str, tabsz, soname);
	if (runpath != UINT64_MAX)
		ef->runpath = str_at(str, tabsz, runpath);
	else if (rpath != UINT64_MAX)
		ef->runpath = str_at(str, tabsz, rpath);
	for (i = 0; i < nneeded; i++) {
		const char *s = str_at(str, tabsz, needed[i]);

		if (s)
			ef->needed[ef->nneeded++] = s;
	}
}

static int rel_cmp(const void *a, const void *b)
{
	const struct elf_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int index_relocs(struct elf_file *ef, char *err, size_t errlen)
{
	uint32_t relative = ef->eh.e_machine == EM_AARCH64 ?
			    R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	size_t i, j, total = 0;

	for (i = 1; i < ef->shnum; i++) {
		const Elf64_Shdr *s = &ef->sh[i];

		if (s->sh_type != SHT_RELA)
			continue;
		if (s->sh_entsize != sizeof(Elf64_Rela) ||
		    s->sh_size % sizeof(Elf64_Rela))
			return fail(err, errlen, "section %zu: bad RELA entsize/size", i);
		total += s->sh_size / sizeof(Elf64_Rela);
	}
	if (!total)
		return 0;
	ef->rel = calloc(total, sizeof(*ef->rel));
	if (!ef->rel)
		return fail(err, errlen, "out of memory");
	for (i = 1; i < ef->shnum; i++) {
		const Elf64_Shdr *s = &ef->sh[i];
		const uint8_t *d = sec_data(ef, i);

		if (s->sh_type != SHT_RELA || !d)
			continue;
		for (j = 0; j < s->sh_size / sizeof(Elf64_Rela); j++) {
			const uint8_t *r = d + j * sizeof(Elf64_Rela);
			uint64_t info = rd64(r + 8);

			if (ELF64_R_TYPE(info) != relative)
				continue;
			ef->rel[ef->nrel].offset = rd64(r);
			ef->rel[ef->nrel].addend = rd64(r + 16);
			ef->nrel++;
		}
	}
	qsort(ef->rel, ef->nrel, sizeof(*ef->rel), rel_cmp);
	return 0;
}

int elf__open_mem(const void *data, size_t size, struct elf_file **out,
		  char *err, size_t errlen)
{
	struct elf_file *ef;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (size > ELF_FILE_MAX)
		return fail(err, errlen, "file larger than %lu MiB",
			    ELF_FILE_MAX >> 20);
	ef = calloc(1, sizeof(*ef));
	if (!ef)
		return fail(err, errlen, "out of memory");
	/* One spare byte: a zero-size malloc may return NULL. */
	ef->data = malloc(size + 1);
	if (!ef->data) {
		free(ef);
		return fail(err, errlen, "out of memory");
	}
	if (size)
		memcpy(ef->data, data, size);
	ef->size = size;

	ret = parse_ehdr(ef, err, errlen);
	if (!ret)
		ret = parse_shdrs(ef, err, errlen);
	if (!ret)
		ret = parse_phdrs(ef, err, errlen);
	if (!ret)
		ret = find_symtabs(ef, err, errlen);
	if (!ret)
		ret = index_relocs(ef, err, errlen);
	if (ret) {
		elf__close(ef);
		return ret;
	}
	parse_dynamic(ef);
	*out = ef;
	return 0;
}

int elf__open(const char *path, struct elf_file **out, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		fail(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		fail(err, errlen, "%s: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > ELF_FILE_MAX) {
		close(fd);
		return fail(err, errlen, "%s: larger than %lu MiB", path,
			    ELF_FILE_MAX >> 20);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	/* The file may shrink (or grow) under us: use what read() gives. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			fail(err, errlen, "%s: read: %s", path, strerror(-ret));
			free(buf);
			close(fd);
			return ret;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);

	ret = elf__open_mem(buf, got, out, err, errlen);
	free(buf);
	if (ret && err && errlen) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	return ret;
}

void elf__close(struct elf_file *ef)
{
	if (!ef)
		return;
	free(ef->data);
	free(ef->ph);
	free(ef->sh);
	free(ef->shname);
	free(ef->rel);
	free(ef);
}

uint16_t elf__type(const struct elf_file *ef)
{
	return ef->eh.e_type;
}

uint16_t elf__machine(const struct elf_file *ef)
{
	return ef->eh.e_machine;
}

bool elf__has_symtab(const struct elf_file *ef)
{
	return ef->symtab != 0;
}

static int lookup(const struct elf_file *ef, size_t sec, const char *name,
		  uint64_t *vaddr, uint64_t *size)
{
	const Elf64_Shdr *s, *strs;
	const uint8_t *syms, *str;
	size_t i, n;

	if (!sec)
		return -ENOENT;
	s = &ef->sh[sec];
	strs = &ef->sh[s->sh_link];
	syms = sec_data(ef, sec);
	str = sec_data(ef, s->sh_link);
	if (!syms || !str)
		return -ENOENT;
	n = s->sh_size / sizeof(Elf64_Sym);
	for (i = 1; i < n; i++) {
		Elf64_Sym sym;
		const char *sname;
		int type;

		memcpy(&sym, syms + i * sizeof(sym), sizeof(sym));
		type = ELF64_ST_TYPE(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF ||
		    (type != STT_FUNC && type != STT_OBJECT))
			continue;
		sname = str_at(str, strs->sh_size, sym.st_name);
		if (!sname || strcmp(sname, name))
			continue;
		if (vaddr)
			*vaddr = sym.st_value;
		if (size)
			*size = sym.st_size;
		return 0;
	}
	return -ENOENT;
}

int elf__find_symbol(const struct elf_file *ef, const char *name,
		     uint64_t *vaddr, uint64_t *size)
{
	if (!lookup(ef, ef->symtab, name, vaddr, size))
		return 0;
	return lookup(ef, ef->dynsym, name, vaddr, size);
}

int elf__find_dynsym(const struct elf_file *ef, const char *name,
		     uint64_t *vaddr, uint64_t *size)
{
	return lookup(ef, ef->dynsym, name, vaddr, size);
}

size_t elf__section_count(const struct elf_file *ef)
{
	return ef->shnum;
}

int elf__section_at(const struct elf_file *ef, size_t i, struct elf_section *s)
{
	const Elf64_Shdr *h;

	if (i >= ef->shnum)
		return -ENOENT;
	h = &ef->sh[i];
	s->name = ef->shname[i] ? ef->shname[i] : "";
	s->type = h->sh_type;
	s->flags = h->sh_flags;
	s->vaddr = h->sh_addr;
	s->offset = h->sh_offset;
	s->size = h->sh_size;
	s->data = sec_data(ef, i);
	return 0;
}

int elf__section_by_name(const struct elf_file *ef, const char *name,
			 struct elf_section *s)
{
	size_t i;

	for (i = 1; i < ef->shnum; i++) {
		if (ef->shname[i] && !strcmp(ef->shname[i], name))
			return elf__section_at(ef, i, s);
	}
	return -ENOENT;
}

const char *elf__soname(const struct elf_file *ef)
{
	return ef->soname;
}

const char *elf__runpath(const struct elf_file *ef)
{
	return ef->runpath;
}

size_t elf__needed(const struct elf_file *ef, const char **names, size_t max)
{
	size_t i;

	for (i = 0; i < ef->nneeded && i < max; i++)
		names[i] = ef->needed[i];
	return ef->nneeded;
}

/* One SDT note's descriptor: 3 addresses, then provider\0name\0args\0. */
static bool stapsdt_match(const uint8_t *desc, uint64_t descsz,
			  const char *provider, const char *name)
{
	const char *prov, *pname;
	uint64_t off = 3 * sizeof(uint64_t);

	if (descsz < off)
		return false;
	prov = str_at(desc, descsz, off);
	if (!prov)
		return false;
	off += strlen(prov) + 1;
	pname = str_at(desc, descsz, off);
	if (!pname)
		return false;
	return !strcmp(prov, provider) && !strcmp(pname, name);
}

bool elf__has_usdt(const struct elf_file *ef, const char *provider, const char *name)
{
	return elf__usdt_sites(ef, provider, name, NULL) > 0;
}

size_t elf__usdt_sites(const struct elf_file *ef, const char *provider,
		       const char *name, uint64_t *first_pc)
{
	size_t i, n = 0;

	for (i = 1; i < ef->shnum; i++) {
		const uint8_t *d = sec_data(ef, i);
		uint64_t size = ef->sh[i].sh_size, off = 0;

		if (ef->sh[i].sh_type != SHT_NOTE || !d || !ef->shname[i] ||
		    strcmp(ef->shname[i], ".note.stapsdt"))
			continue;
		while (size - off >= 12) {
			uint32_t namesz = rd32(d + off);
			uint32_t descsz = rd32(d + off + 4);
			uint32_t type = rd32(d + off + 8);
			uint64_t nameoff = off + 12;
			uint64_t descoff = nameoff + (((uint64_t)namesz + 3) & ~3ULL);
			uint64_t next = descoff + (((uint64_t)descsz + 3) & ~3ULL);

			if (descoff > size || !range_ok(descoff, descsz, size))
				break;	/* lying sizes: stop at this note */
			if (type == NT_STAPSDT && namesz == sizeof("stapsdt") &&
			    !memcmp(d + nameoff, "stapsdt", sizeof("stapsdt")) &&
			    stapsdt_match(d + descoff, descsz, provider, name)) {
				if (!n++ && first_pc)
					*first_pc = rd64(d + descoff);
			}
			if (next > size)
				break;
			off = next;
		}
	}
	return n;
}

int elf__relative_addend(const struct elf_file *ef, uint64_t vaddr, uint64_t *addend)
{
	size_t lo = 0, hi = ef->nrel;

	*addend = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ef->rel[mid].offset < vaddr) {
			lo = mid + 1;
		} else if (ef->rel[mid].offset > vaddr) {
			hi = mid;
		} else {
			*addend = ef->rel[mid].addend;
			return 0;
		}
	}
	return -ENOENT;
}
