/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Copies of the .rodata of the Python files (the target itself, and the
 * extension modules next to it that raise audit events) for the BPF
 * side to read when a process's own page is not present: after fork()
 * the child has none of the parent's page-table entries of a read-only
 * file mapping (mm/memory.c, vma_needs_copy()), and a fresh process has
 * not yet faulted in what it is about to read. See bpf/rocopy.bpf.h.
 *
 * A copy is keyed by the file (device, inode) and the page of the file
 * offset, and each page says which of its bytes are .rodata: the BPF side
 * finds the file and offset of an address from the process's mapping.
 */
#ifndef PA_ROCOPY_H
#define PA_ROCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/pyaudit.h"

struct elf_file;
struct target;

struct ro_copy {
	__u64 dev;		/* kernel dev_t (major << 20 | minor) */
	__u64 ino;
	uint64_t off;		/* file offset of .rodata */
	uint64_t size;
	uint8_t *data;		/* size bytes; NULL: no copy */
};

/*
 * Copy ef's .rodata, through ef's own file descriptor (never the path
 * again: it may name another file by now). 0, or -errno (no .rodata,
 * an image, too large, unreadable): then c->data is NULL.
 */
int rocopy__read(const struct elf_file *ef, struct ro_copy *c);
void rocopy__free(struct ro_copy *c);

/* Stores one page (the ro_pages map): 0, or non-zero when it did not. */
typedef int (*rocopy_put_fn)(void *ctx, const struct pa_ro_key *k,
			     const struct pa_ro_page *pg);

/* The page entries of c, each given to put: how many were stored;
 * *total gets how many there are. */
size_t rocopy__store(const struct ro_copy *c, rocopy_put_fn put, void *ctx,
		     size_t *total);

/*
 * The extension modules of t's Python (lib-dynload next to it) that
 * raise audit events of their own (fcntl, _socket, mmap ...): their
 * .rodata pages given to put. Adds the pages stored and all pages.
 */
void rocopy__extensions(const struct target *t, rocopy_put_fn put, void *ctx,
			size_t *stored, size_t *total);

#endif
