// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Writes the synthetic seeds of the fuzz corpora (run once; the outputs
 * are committed under tests/fuzz/corpus/):
 *   fuzz_target/mkelf-*   in-memory "libpython" images (tests/fixtures/mkelf.h)
 *                         in the variants the unit tests use, and tiny
 *                         hand-made ELF images (header only, one segment)
 *   fuzz_record/rec-*     valid records (tests/unit/recbuild.h) covering
 *                         every tag, flag, source and string kind, some
 *                         with a tail that turns the output options on
 *
 *   make -f tests/fuzz/fuzz.mk fuzz-corpus     (or: mkcorpus DIR)
 */
#include <elf.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fixtures/mkelf.h"
#include "../unit/recbuild.h"
#include "../../user/record.h"

static const char *outdir;

static void put(const char *sub, const char *name, const void *d, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- ELF images ---------------------------------------------------- */

static void elf(const char *name, const struct mkelf_opts *o,
		void (*patch)(uint8_t *img, size_t size))
{
	size_t size;
	uint8_t *img = mkelf(o, &size);

	if (!img)
		exit(1);
	if (patch)
		patch(img, size);
	put("fuzz_target", name, img, size);
	free(img);
}

static void endbr64(uint8_t *img, size_t size)
{
	static const uint8_t body[] = {
		0xf3, 0x0f, 0x1e, 0xfa, 0x41, 0x55, 0x41, 0x5d, 0xc3,
	};

	(void)size;
	memcpy(img + MK_SYS_AUDIT, body, sizeof(body));
}

/* The smallest images: an ELF header, then one PT_LOAD of itself. */
static void tiny(void)
{
	uint8_t buf[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 16];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	memset(buf, 0, sizeof(buf));
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	memcpy(buf, &eh, sizeof(eh));
	put("fuzz_target", "tiny-ehdr-only", buf, sizeof(eh));

	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	memcpy(buf, &eh, sizeof(eh));
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R | PF_X;
	ph.p_filesz = ph.p_memsz = sizeof(buf);
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	memcpy(buf + sizeof(eh) + sizeof(ph), "\x48\x85\xff\x74\x00\xc3\x55\x90"
	       "\xe8\x00\x00\x00\x00\xf3\x0f\x1e", 16);
	put("fuzz_target", "tiny-one-load", buf, sizeof(buf));

	/* PN_XNUM without sections, and a header that says AArch64 */
	eh.e_phnum = PN_XNUM;
	memcpy(buf, &eh, sizeof(eh));
	put("fuzz_target", "tiny-pn-xnum", buf, sizeof(eh) + sizeof(ph));
	eh.e_phnum = 1;
	eh.e_machine = EM_AARCH64;
	memcpy(buf, &eh, sizeof(eh));
	put("fuzz_target", "tiny-aarch64", buf, sizeof(buf));
}

static void elves(void)
{
	static const struct mkelf_opts lib312 = {
		.soname = "libpython3.12.so.1.0",
		.needed = "libc.so.6",
		.py_version = 0x030c01f0,
	};
	struct mkelf_opts o;

	elf("mkelf-lib312-stripped", &lib312, NULL);
	o = lib312;
	o.symtab = true;
	elf("mkelf-lib312-symtab", &o, NULL);
	o = lib312;
	o.zero_words = true;
	o.runpath = "$ORIGIN/../lib:/opt/python/lib";
	elf("mkelf-lib312-zero-words-runpath", &o, NULL);
	o = lib312;
	o.usdt = true;
	elf("mkelf-lib312-usdt", &o, NULL);
	o = lib312;
	o.tstate_push_first = true;
	o.no_addaudithook = true;
	elf("mkelf-lib312-push-first-no-table", &o, NULL);
	o = lib312;
	o.symtab = true;
	o.symtab_no_tstate = true;
	o.tstate_push_first = true;
	elf("mkelf-lib312-fallback", &o, NULL);
	elf("mkelf-lib312-endbr64", &lib312, endbr64);

	o = (struct mkelf_opts){ .soname = "libpython3.8.so.1.0" };
	elf("mkelf-lib38", &o, NULL);
	o = (struct mkelf_opts){ .type = ET_EXEC, .symtab = true };
	elf("mkelf-exe-symbols-only", &o, NULL);
	o = (struct mkelf_opts){ .dbg_version = 0x030d00f0,
				 .dbg_free_threaded = 1, .usdt = true };
	elf("mkelf-313t-debug-offsets", &o, NULL);
	o = (struct mkelf_opts){ .type = ET_EXEC, .import_pysys_audit = true,
				 .needed = "libpython3.12.so.1.0",
				 .runpath = "$ORIGIN/../lib" };
	elf("mkelf-exe-needs-libpython", &o, NULL);
	o = (struct mkelf_opts){ .import_pysys_audit = true,
				 .soname = "libpython3.7m.so.1.0" };
	elf("mkelf-lib37m", &o, NULL);
	tiny();
}

/* ---- records ------------------------------------------------------- */

static struct rb r;

/* The record so far, then tail (bytes past hdr.size: output options). */
static void rec(const char *name, const void *tail, size_t tlen)
{
	size_t len = r.len;

	rb_finish(&r);
	if (tlen)
		rb_raw(&r, tail, tlen);
	put("fuzz_record", name, r.buf, r.len);
	r.len = len;
}

static void set_comm(const char *comm)
{
	struct pa_event h = rb_get_hdr(&r);

	memset(h.comm, 0, sizeof(h.comm));
	memcpy(h.comm, comm, strlen(comm) < PA_COMM_LEN ? strlen(comm) : PA_COMM_LEN);
	rb_set_hdr(&r, &h);
}

static void set_hdr(uint8_t flags, uint32_t total_args, uint64_t ts_ns)
{
	struct pa_event h = rb_get_hdr(&r);

	h.flags = flags;
	h.total_args = total_args;
	h.ts_ns = ts_ns;
	h.auid = UINT32_MAX;
	h.sessionid = UINT32_MAX;
	rb_set_hdr(&r, &h);
}

static void records(void)
{
	static const uint32_t digits[] = { 0x3fffffff, 0x3fffffff, 0x12345678 & 0x3fffffff,
					   1, 2, 3, 4, 5 };
	static const uint16_t ucs2[] = { 'a', 0xe9, 0x202e, 0xd800, 0xdc00,
					 0xfeff, 0x85, '\'', '\\', 0x0a };
	static const uint32_t ucs4[] = { 'x', 0x1f600, 0xe0001, 0x110000,
					 0xffffffff, 0xd83d, 0x7f, 0 , 'z' };
	static const uint8_t latin1[] = { 'l', 0xe9, 0x85, 0xa0, 0xad, 0x1b, 0xff };
	static const char utf8_bad[] = "ok\xc3\xa9 \x80\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80"
				       "\xe2\x80\xae\x1b[31m\n\r\t\"\\";
	static const char tail_all[] = "\x1f/usr/bin/python3\x1b\xff\0python3\0-c\0print('\x85')";
	static const char tail_json[] = "\x70";
	static const char tail_odd[] = "\xf5/x\0a\0\0b";
	uint8_t bytes[256];
	size_t i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = i;

	/* open('/etc/hosts', 'r', 524288), as from USDT */
	rb_start(&r, PA_SRC_USDT, 0, 3);
	rb_str(&r, "open");
	rb_str(&r, "/etc/hosts");
	rb_str(&r, "r");
	rb_int(&r, 524288);
	rec("rec-open", NULL, 0);
	rec("rec-open-tail-all", tail_all, sizeof(tail_all) - 1);
	rec("rec-open-tail-json", tail_json, 1);

	/* every scalar */
	rb_start(&r, PA_SRC_SYS_AUDIT, 0, 14);
	rb_str(&r, "scalars");
	rb_none(&r);
	rb_true(&r);
	rb_false(&r);
	rb_int(&r, INT64_MIN);
	rb_uint(&r, UINT64_MAX);
	rb_float(&r, 0.1);
	rb_float(&r, -0.0);
	rb_float(&r, 1e300);
	rb_float(&r, NAN);
	rb_float(&r, -INFINITY);
	rb_float(&r, 1e-5);
	rb_pylong(&r, 0, 0, NULL, 0);
	rb_pylong(&r, PA_VF_NEGATIVE, 8, digits, 8);
	rb_pylong(&r, PA_VF_TRUNCATED, 40, digits, 2);
	rec("rec-scalars", NULL, 0);
	rec("rec-scalars-tail-odd", tail_odd, sizeof(tail_odd) - 1);

	/* every string kind, with what must be escaped */
	rb_start(&r, PA_SRC_VALIST, 0, 6);
	rb_ucs2(&r, 0, ucs2, 4);		/* the name: UCS2 */
	rb_ucs2(&r, PA_VF_TRUNCATED, ucs2, sizeof(ucs2) / 2);
	rb_ucs4(&r, 0, ucs4, sizeof(ucs4) / 4);
	rb_ucs4(&r, PA_VF_WCHAR, ucs4, sizeof(ucs4) / 4);
	rb_val(&r, PA_T_STR_UCS1, 0, latin1, sizeof(latin1));
	rb_val(&r, PA_T_STR_UTF8, PA_VF_TRUNCATED, utf8_bad, sizeof(utf8_bad) - 1);
	rb_val(&r, PA_T_BYTES, PA_VF_TRUNCATED, bytes, sizeof(bytes));
	set_comm("py\x1b[0m\xc3\xa9\x80 x");
	rec("rec-strings", NULL, 0);
	rec("rec-strings-tail-all", tail_all, sizeof(tail_all) - 1);

	/* containers: nested to the depth limit, cut, not expanded, code */
	rb_start(&r, PA_SRC_VARARGS, 0, 4);
	rb_val(&r, PA_T_STR_UCS1, PA_VF_TRUNCATED, "exec\xa0", 5);
	for (i = 0; i < RECORD_DEPTH_MAX; i++)
		rb_seq(&r, i % 2 ? PA_T_LIST : PA_T_TUPLE, 0, 1);
	rb_int(&r, 7);
	for (i = 0; i < RECORD_DEPTH_MAX; i++)
		rb_end(&r);
	rb_seq(&r, PA_T_TUPLE, PA_VF_TRUNCATED, 20);
	rb_str(&r, "a");
	rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED, 3);
	rb_end(&r);
	rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED | PA_VF_LEN_UNKNOWN, 0);
	rb_end(&r);
	rb_seq(&r, PA_T_TUPLE, 0, 0);
	rb_end(&r);
	rb_end(&r);
	rb_code(&r);
	rb_str(&r, "/tmp/x.py");
	rb_str(&r, "<module>");
	rb_seq(&r, PA_T_LIST, PA_VF_LEN_UNKNOWN, 0);
	rb_object(&r, 0, "socket.socket");
	rb_object(&r, PA_VF_CLASS | PA_VF_TRUNCATED, "Evil\x1b\xff Class");
	rb_object(&r, PA_VF_TRUNCATED, "");
	rb_unreadable(&r);
	rb_end(&r);
	set_hdr(PA_EV_ARGS_TRUNCATED, 9, 0);
	rec("rec-containers", NULL, 0);
	rec("rec-containers-tail-json", tail_json, 1);

	/* subclasses: every kind, nested, a cut and an unreadable name */
	rb_start(&r, PA_SRC_SYS_AUDIT, 0, 6);
	rb_str(&r, "sub");
	rb_subclass(&r, 0, "MyStr");
	rb_val(&r, PA_T_STR_UCS1, 0, "abc", 3);
	rb_subclass(&r, PA_VF_TRUNCATED, "Evil\x1b\xff Name");
	rb_seq(&r, PA_T_TUPLE, PA_VF_TRUNCATED, 9);
	rb_subclass(&r, 0, "B");
	rb_val(&r, PA_T_BYTES, 0, "x", 1);
	rb_end(&r);
	rb_subclass(&r, 0, "I");
	rb_pylong(&r, PA_VF_NEGATIVE, 2, digits, 2);
	rb_subclass(&r, 0, "F");
	rb_float(&r, 1.5);
	rb_subclass(&r, PA_VF_TRUNCATED, "");
	rb_unreadable(&r);
	rb_subclass(&r, 0, "L");
	rb_seq(&r, PA_T_LIST, PA_VF_NOT_EXPANDED, 3);
	rb_end(&r);
	rec("rec-subclass", NULL, 0);

	/* unreadable name, more arguments than delivered, odd time */
	rb_start(&r, PA_SRC_VARARGS_TS, 0, 1);
	rb_unreadable(&r);
	rb_unreadable(&r);
	set_hdr(PA_EV_REC_FULL | PA_EV_BAD_FORMAT | PA_EV_NAME_UNREADABLE, 30,
		UINT64_MAX);
	rec("rec-unreadable-name", NULL, 0);
	rec("rec-unreadable-name-tail-all", tail_all, sizeof(tail_all) - 1);

	/* a name pyaudit knows, with fewer names than arguments */
	rb_start(&r, PA_SRC_USDT, 0, 4);
	rb_str(&r, "socket.connect");
	rb_object(&r, 0, "socket");
	rb_seq(&r, PA_T_TUPLE, 0, 2);
	rb_str(&r, "127.0.0.1");
	rb_int(&r, 80);
	rb_end(&r);
	rb_none(&r);
	rb_val(&r, PA_T_BYTES, 0, "\0\xff", 2);
	rec("rec-socket-connect", "\x20", 1);

	/* no arguments at all */
	rb_start(&r, PA_SRC_SYS_AUDIT, 0, 0);
	rb_str(&r, "sys._getframe");
	rec("rec-no-args", NULL, 0);

	/* a big record: many small values */
	rb_start(&r, PA_SRC_SYS_AUDIT, PA_EV_REC_FULL, 1);
	rb_str(&r, "big");
	rb_seq(&r, PA_T_LIST, PA_VF_TRUNCATED, 5000);
	for (i = 0; i < 1000; i++)
		rb_object(&r, PA_VF_CLASS | PA_VF_TRUNCATED, "");
	rb_end(&r);
	rec("rec-big", NULL, 0);
}

int main(int argc, char **argv)
{
	static const char *const subs[] = { "", "/fuzz_target", "/fuzz_record" };
	char path[4096];
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", outdir, subs[i]);
		if (mkdir(path, 0755) && errno != EEXIST) {
			perror(path);
			return 1;
		}
	}
	elves();
	records();
	return 0;
}
