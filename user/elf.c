// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Bounds-checked ELF64 little-endian reader (see elf.h).
 *
 * A file is read piecemeal with pread(2), when a part is first needed:
 * the headers and the dynamic section at open, symbol tables, notes and
 * other sections on first use (kept until elf__close), small reads
 * (instructions, a version word) straight into the caller's buffer. What
 * is allocated for one file is bounded (ELF_READ_MAX). Every header,
 * table and string is validated before it is used; all multi-byte fields
 * are read with memcpy, so no unaligned access happens whatever the
 * offsets in the file say. A malformed file yields an error string.
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
#define RELA_BLOCK	256	/* relocations read at a time */

struct elf_reloc {
	uint64_t offset;
	uint64_t addend;
};

/* A piece of the file read into memory; freed by elf__close. */
struct elf_chunk {
	struct elf_chunk *next;
	uint8_t data[];
};

enum { SEC_UNREAD, SEC_READ, SEC_UNREADABLE };

struct elf_file {
	int fd;			/* the file, read on demand; -1 for an image */
	uint8_t *mem;		/* the image (elf__open_mem), or NULL */
	uint64_t size;		/* of the file when opened, or of the image */
	uint64_t budget;	/* bytes that may still be allocated for it */
	Elf64_Ehdr eh;

	Elf64_Phdr *ph;		/* validated copies */
	size_t phnum;
	Elf64_Shdr *sh;
	size_t shnum;
	const char **shname;	/* validated section names */
	const uint8_t **sdata;	/* file: contents of section i once read */
	uint8_t *sstate;	/* file: SEC_* of section i */
	struct elf_chunk *chunks;	/* what was read from the file */

	size_t symtab, dynsym;	/* section indexes, 0 when absent */

	const char *soname;
	const char *runpath;
	const char *needed[DYN_NEEDED_MAX];
	size_t nneeded;

	bool rel_indexed;	/* built on the first elf__relative_addend */
	struct elf_reloc *rel;	/* RELATIVE relocations, sorted */
	size_t nrel;
};

/*
 * The lazily filled parts (sections read, the relocation index) change
 * behind a const pointer: the object is always allocated by elf__open*,
 * never const itself. Not thread-safe, like the rest of the reader.
 */
static struct elf_file *mut(const struct elf_file *ef)
{
	return (struct elf_file *)ef;
}

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

/* Take n bytes of the budget; false (and nothing taken) when it is short. */
static bool charge(struct elf_file *ef, uint64_t n)
{
	if (n > ef->budget)
		return false;
	ef->budget -= n;
	return true;
}

/*
 * Copy [off, off + len) of the file into buf. The range is inside
 * ef->size (checked by the caller); a file that shrank since it was
 * opened gives -EIO, never a fault.
 */
static int src_read(const struct elf_file *ef, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!range_ok(off, len, ef->size))
		return -ERANGE;
	if (ef->mem) {
		if (len)
			memcpy(buf, ef->mem + off, len);
		return 0;
	}
	while (len) {
		ssize_t n = pread(ef->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;	/* an error, or the file shrank */
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * len bytes at file offset off, in memory that lives as long as ef: a
 * pointer into the image, or a piece of the file read now (charged to
 * the budget). NULL when out of range, over budget or unreadable.
 */
static const uint8_t *get(const struct elf_file *cef, uint64_t off, uint64_t len)
{
	struct elf_file *ef = mut(cef);
	struct elf_chunk *c;

	if (!range_ok(off, len, ef->size))
		return NULL;
	if (ef->mem)
		return ef->mem + off;
	/* One spare byte: a zero-size malloc may return NULL. */
	if (!charge(ef, len + sizeof(*c) + 16))
		return NULL;
	c = malloc(sizeof(*c) + (size_t)len + 1);
	if (!c)
		return NULL;
	if (src_read(ef, off, c->data, (size_t)len)) {
		free(c);
		return NULL;
	}
	c->next = ef->chunks;
	ef->chunks = c;
	return c->data;
}

/* The contents of section i, read on first use. */
static const uint8_t *sec_data(const struct elf_file *cef, size_t i)
{
	struct elf_file *ef = mut(cef);

	if (i >= ef->shnum || ef->sh[i].sh_type == SHT_NOBITS ||
	    ef->sh[i].sh_type == SHT_NULL)
		return NULL;
	if (ef->mem)
		return ef->mem + ef->sh[i].sh_offset;
	if (ef->sstate[i] == SEC_UNREAD) {
		ef->sdata[i] = get(ef, ef->sh[i].sh_offset, ef->sh[i].sh_size);
		ef->sstate[i] = ef->sdata[i] ? SEC_READ : SEC_UNREADABLE;
	}
	return ef->sdata[i];
}

static int parse_ehdr(struct elf_file *ef, char *err, size_t errlen)
{
	uint8_t d[sizeof(Elf64_Ehdr)];

	if (ef->size < EI_NIDENT || src_read(ef, 0, d, EI_NIDENT) ||
	    memcmp(d, ELFMAG, SELFMAG))
		return fail(err, errlen, "not an ELF file");
	if (ef->size < sizeof(Elf64_Ehdr) || src_read(ef, 0, d, sizeof(d)))
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
	if (src_read(ef, eh->e_shoff, &s0, sizeof(s0)))
		return fail(err, errlen, "cannot read the section headers");
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
	if (shnum > ELF_SECTIONS_MAX)
		return fail(err, errlen, "%llu section headers: more than %u",
			    (unsigned long long)shnum, ELF_SECTIONS_MAX);
	if (!charge(ef, shnum * (sizeof(*ef->sh) + sizeof(*ef->shname) +
				 sizeof(*ef->sdata) + sizeof(*ef->sstate))))
		return fail(err, errlen, "%llu section headers: over the memory budget",
			    (unsigned long long)shnum);
	ef->sh = calloc(shnum, sizeof(*ef->sh));
	ef->shname = calloc(shnum, sizeof(*ef->shname));
	ef->sdata = calloc(shnum, sizeof(*ef->sdata));
	ef->sstate = calloc(shnum, sizeof(*ef->sstate));
	if (!ef->sh || !ef->shname || !ef->sdata || !ef->sstate)
		return fail(err, errlen, "out of memory");
	if (src_read(ef, eh->e_shoff, ef->sh, shnum * sizeof(Elf64_Shdr)))
		return fail(err, errlen, "cannot read the section headers");
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
	if (!strtab)
		return fail(err, errlen, "cannot read the section name table (%llu bytes)",
			    (unsigned long long)strsz);
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
	if (phnum > ELF_SEGMENTS_MAX)
		return fail(err, errlen, "%llu program headers: more than %u",
			    (unsigned long long)phnum, ELF_SEGMENTS_MAX);
	if (!charge(ef, phnum * sizeof(*ef->ph)))
		return fail(err, errlen, "%llu program headers: over the memory budget",
			    (unsigned long long)phnum);
	ef->ph = calloc(phnum, sizeof(*ef->ph));
	if (!ef->ph)
		return fail(err, errlen, "out of memory");
	if (src_read(ef, eh->e_phoff, ef->ph, phnum * sizeof(Elf64_Phdr)))
		return fail(err, errlen, "cannot read the program headers");
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

/* File offset of [vaddr, vaddr + len) in the first PT_LOAD whose file
 * image holds all of it (len 0 counts as 1). */
static int vaddr_range(const struct elf_file *ef, uint64_t vaddr, size_t len,
		       uint64_t *off)
{
	size_t i;

	for (i = 0; ef && i < ef->phnum; i++) {
		const Elf64_Phdr *p = &ef->ph[i];

		if (p->p_type != PT_LOAD || vaddr < p->p_vaddr)
			continue;
		if (!range_ok(vaddr - p->p_vaddr, len ? len : 1, p->p_filesz))
			continue;
		*off = p->p_offset + (vaddr - p->p_vaddr);
		return 0;
	}
	return -ENOENT;
}

const uint8_t *elf__at_vaddr(const struct elf_file *ef, uint64_t vaddr, size_t len)
{
	uint64_t off;

	if (vaddr_range(ef, vaddr, len, &off))
		return NULL;
	return get(ef, off, len ? len : 1);
}

int elf__read_vaddr(const struct elf_file *ef, uint64_t vaddr, void *buf,
		    size_t len)
{
	uint64_t off;

	if (vaddr_range(ef, vaddr, len, &off))
		return -ENOENT;
	return src_read(ef, off, buf, len) ? -EIO : 0;
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
			dyn = get(ef, ef->ph[i].p_offset, ef->ph[i].p_filesz);
			dynsz = dyn ? ef->ph[i].p_filesz : 0;
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

/* At open: the RELA sections are well formed (their contents are only
 * read by index_relocs, on the first elf__relative_addend). */
static int check_relocs(struct elf_file *ef, char *err, size_t errlen)
{
	size_t i;

	for (i = 1; i < ef->shnum; i++) {
		const Elf64_Shdr *s = &ef->sh[i];

		if (s->sh_type != SHT_RELA)
			continue;
		if (s->sh_entsize != sizeof(Elf64_Rela) ||
		    s->sh_size % sizeof(Elf64_Rela))
			return fail(err, errlen, "section %zu: bad RELA entsize/size", i);
	}
	return 0;
}

/*
 * The sorted R_*_RELATIVE relocations of every RELA section, read a
 * block at a time. An index that does not fit the budget, or a section
 * that cannot be read, leaves out what it would have added: lookups
 * then find nothing there, as for a file without relocations.
 */
static void index_relocs(struct elf_file *ef)
{
	uint32_t relative = ef->eh.e_machine == EM_AARCH64 ?
			    R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	uint8_t block[RELA_BLOCK * sizeof(Elf64_Rela)];
	uint64_t total = 0;
	size_t i, j;

	ef->rel_indexed = true;
	for (i = 1; i < ef->shnum; i++)
		if (ef->sh[i].sh_type == SHT_RELA)
			total += ef->sh[i].sh_size / sizeof(Elf64_Rela);
	if (!total || !charge(ef, total * sizeof(*ef->rel)))
		return;
	ef->rel = calloc(total, sizeof(*ef->rel));
	if (!ef->rel)
		return;
	for (i = 1; i < ef->shnum; i++) {
		const Elf64_Shdr *s = &ef->sh[i];
		uint64_t n = s->sh_size / sizeof(Elf64_Rela), done;

		if (s->sh_type != SHT_RELA)
			continue;
		for (done = 0; done < n; done += j) {
			size_t k = n - done < RELA_BLOCK ? n - done : RELA_BLOCK;

			if (src_read(ef, s->sh_offset + done * sizeof(Elf64_Rela),
				     block, k * sizeof(Elf64_Rela)))
				break;
			for (j = 0; j < k; j++) {
				const uint8_t *r = block + j * sizeof(Elf64_Rela);
				uint64_t info = rd64(r + 8);

				if (ELF64_R_TYPE(info) != relative)
					continue;
				ef->rel[ef->nrel].offset = rd64(r);
				ef->rel[ef->nrel].addend = rd64(r + 16);
				ef->nrel++;
			}
		}
	}
	qsort(ef->rel, ef->nrel, sizeof(*ef->rel), rel_cmp);
}

static int parse(struct elf_file *ef, char *err, size_t errlen)
{
	int ret;

	ret = parse_ehdr(ef, err, errlen);
	if (!ret)
		ret = parse_shdrs(ef, err, errlen);
	if (!ret)
		ret = parse_phdrs(ef, err, errlen);
	if (!ret)
		ret = find_symtabs(ef, err, errlen);
	if (!ret)
		ret = check_relocs(ef, err, errlen);
	if (!ret)
		parse_dynamic(ef);
	return ret;
}

static struct elf_file *new_file(void)
{
	struct elf_file *ef = calloc(1, sizeof(*ef));

	if (ef) {
		ef->fd = -1;
		ef->budget = ELF_READ_MAX;
	}
	return ef;
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
	ef = new_file();
	if (!ef)
		return fail(err, errlen, "out of memory");
	/* One spare byte: a zero-size malloc may return NULL. */
	ef->mem = malloc(size + 1);
	if (!ef->mem) {
		free(ef);
		return fail(err, errlen, "out of memory");
	}
	if (size)
		memcpy(ef->mem, data, size);
	ef->size = size;

	ret = parse(ef, err, errlen);
	if (ret) {
		elf__close(ef);
		return ret;
	}
	*out = ef;
	return 0;
}

int elf__open_fd(int fd, const char *path, struct elf_file **out, char *err,
		 size_t errlen)
{
	struct elf_file *ef;
	struct stat st;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (fstat(fd, &st)) {
		ret = -errno;
		fail(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > ELF_FILE_MAX)
		return fail(err, errlen, "%s: larger than %lu MiB", path,
			    ELF_FILE_MAX >> 20);
	ef = new_file();
	if (!ef)
		return fail(err, errlen, "%s: out of memory", path);
	/* Our own descriptor of the same open file: the caller keeps fd. */
	ef->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (ef->fd < 0) {
		ret = -errno;
		free(ef);
		fail(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	/* Read on demand; a file that shrinks under us reads short (-EIO,
	 * the data is then missing), one that grows is seen at this size. */
	ef->size = (uint64_t)st.st_size;

	ret = parse(ef, err, errlen);
	if (ret) {
		elf__close(ef);
		if (err && errlen) {
			char tmp[256];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "%s: %s", path, tmp);
		}
		return ret;
	}
	*out = ef;
	return 0;
}

int elf__open(const char *path, struct elf_file **out, char *err, size_t errlen)
{
	int fd, ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		fail(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = elf__open_fd(fd, path, out, err, errlen);
	close(fd);
	return ret;
}

int elf__stat(const struct elf_file *ef, struct stat *st)
{
	if (!ef || ef->fd < 0)
		return -ENOENT;
	return fstat(ef->fd, st) ? -errno : 0;
}

void elf__close(struct elf_file *ef)
{
	struct elf_chunk *c, *next;

	if (!ef)
		return;
	if (ef->fd >= 0)
		close(ef->fd);
	for (c = ef->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(ef->mem);
	free(ef->ph);
	free(ef->sh);
	free(ef->shname);
	free(ef->sdata);
	free(ef->sstate);
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

static int section_fill(const struct elf_file *ef, size_t i,
			struct elf_section *s, bool data)
{
	const Elf64_Shdr *h;

	if (i >= ef->shnum)
		return -ENOENT;
	h = &ef->sh[i];
	s->name = ef->shname[i] ? ef->shname[i] : "";
	s->index = i;
	s->type = h->sh_type;
	s->flags = h->sh_flags;
	s->vaddr = h->sh_addr;
	s->offset = h->sh_offset;
	s->size = h->sh_size;
	s->data = data ? sec_data(ef, i) : NULL;
	return 0;
}

static size_t section_index(const struct elf_file *ef, const char *name)
{
	size_t i;

	for (i = 1; i < ef->shnum; i++) {
		if (ef->shname[i] && !strcmp(ef->shname[i], name))
			return i;
	}
	return 0;
}

int elf__section_at(const struct elf_file *ef, size_t i, struct elf_section *s)
{
	return section_fill(ef, i, s, true);
}

int elf__section_info(const struct elf_file *ef, size_t i, struct elf_section *s)
{
	return section_fill(ef, i, s, false);
}

int elf__section_by_name(const struct elf_file *ef, const char *name,
			 struct elf_section *s)
{
	size_t i = section_index(ef, name);

	return i ? section_fill(ef, i, s, true) : -ENOENT;
}

int elf__section_info_by_name(const struct elf_file *ef, const char *name,
			      struct elf_section *s)
{
	size_t i = section_index(ef, name);

	return i ? section_fill(ef, i, s, false) : -ENOENT;
}

int elf__read_section(const struct elf_file *ef, size_t i, uint64_t off,
		      void *buf, size_t len)
{
	const Elf64_Shdr *h;

	if (i >= ef->shnum)
		return -ENOENT;
	h = &ef->sh[i];
	if (h->sh_type == SHT_NOBITS || h->sh_type == SHT_NULL ||
	    !range_ok(off, len, h->sh_size))
		return -ENOENT;
	return src_read(ef, h->sh_offset + off, buf, len) ? -EIO : 0;
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
		const uint8_t *d;
		uint64_t size = ef->sh[i].sh_size, off = 0;

		/* the name first: only this section is read */
		if (ef->sh[i].sh_type != SHT_NOTE || !ef->shname[i] ||
		    strcmp(ef->shname[i], ".note.stapsdt"))
			continue;
		d = sec_data(ef, i);
		if (!d)
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
	size_t lo, hi;

	*addend = 0;
	if (!ef->rel_indexed)
		index_relocs(mut(ef));
	lo = 0;
	hi = ef->nrel;
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
