/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watch.bpf.h: new Pythons: a process maps a file whose name looks like a
 * Python's (python*, libpython*) that user space has not seen: one
 * PA_REC_MAPPED record, so that user space attaches to it at once.
 */
#ifndef PA_WATCH_BPF_H
#define PA_WATCH_BPF_H

/* Files user space has seen (attached or rejected), and files it was
 * told about: the mmap watcher stays quiet about them. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct pa_file_key);
	__type(value, __u8);
} known_files SEC(".maps");

/* The notices have a ring of their own: a flood of large events that
 * fills the events ring must not make user space miss a new Python
 * (issue 12, item 3). A notice is 64 bytes: this holds 4096. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} notices SEC(".maps");

#define PROT_EXEC_ 0x4

/* "python" anywhere in the name: python3.12, libpython3.12.so.1.0,
 * a renamed copy such as app-python3. */
static __always_inline bool name_has_python(const char *n)
{
	for (int i = 0; i < 32 - 6; i++) {
		if (!n[i])
			return false;
		if (n[i] == 'p' && n[i + 1] == 'y' && n[i + 2] == 't' &&
		    n[i + 3] == 'h' && n[i + 4] == 'o' && n[i + 5] == 'n')
			return true;
	}
	return false;
}

/* Tell user space about f once if its name looks like a Python. */
static __always_inline void notify_file(struct file *f)
{
	struct pa_file_key key = {};
	struct pa_mapped m = {};
	const unsigned char *dname;
	__u8 one = 1;

	if (!f)
		return;
	dname = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(m.name, sizeof(m.name), dname) <= 0)
		return;
	if (!name_has_python(m.name))
		return;
	key.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(f, f_inode, i_ino);
	if (bpf_map_lookup_elem(&known_files, &key))
		return;
	/* Once: user space replaces the mark with its verdict. */
	bpf_map_update_elem(&known_files, &key, &one, BPF_NOEXIST);
	m.type = PA_REC_MAPPED;
	m.size = sizeof(m);
	m.pid = bpf_get_current_pid_tgid() >> 32;
	m.dev = key.dev;
	m.ino = key.ino;
	if (bpf_ringbuf_output(&notices, &m, sizeof(m), BPF_RB_FORCE_WAKEUP)) {
		bpf_map_delete_elem(&known_files, &key);
		stat_inc(PA_STAT_MAPPED_LOST);
	}
}

#endif /* PA_WATCH_BPF_H */
