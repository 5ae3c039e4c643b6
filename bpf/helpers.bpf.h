/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * helpers.bpf.h: small things every concern uses: a bound the verifier
 * sees, 8-byte reads from the traced process and from buffers, the stats
 * counters, and the ownership test of the per-CPU caches.
 */
#ifndef PA_HELPERS_BPF_H
#define PA_HELPERS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PA_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * v = min(v, max), written so that the verifier sees the bound on the
 * register that is then used (the compiler's min() may test a copy).
 */
#define BOUND(v, max)							\
	asm volatile("if %[x] <= %[m] goto +1\n\t"			\
		     "%[x] = %[m]\n\t"					\
		     : [x] "+r"(v) : [m] "i"(max))

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

/* A cache entry (vcache, tcache) learnt from this event's process and
 * target; and marking one so. */
#define CACHE_MINE(e, s)	((e)->tgid == (s)->event.tgid && \
				 (e)->pstart == (s)->event.pstart && \
				 (e)->target_id_1 == (s)->event.target_id + 1)
#define CACHE_CLAIM(e, s)	do { (e)->tgid = (s)->event.tgid; \
				     (e)->pstart = (s)->event.pstart; \
				     (e)->target_id_1 = (s)->event.target_id + 1; \
				} while (0)

static __always_inline int read_u64(__u64 *dst, __u64 addr)
{
	return bpf_probe_read_user(dst, sizeof(*dst), (const void *)addr);
}

/* 8 bytes at off of a buffer holding size bytes (0 past them). */
static __always_inline __u64 buf_u64(const __u8 *b, __u32 off, __u32 size)
{
	__u64 v = 0;

	if (off <= size - 8)
		__builtin_memcpy(&v, b + (off & 255), 8);
	return v;
}

#endif /* PA_HELPERS_BPF_H */
