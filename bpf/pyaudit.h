/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pyaudit wire protocol: the records the BPF programs write into the ring
 * buffer, and the per-target object layout user space hands to BPF.
 * Shared by the BPF programs (bpf/) and user space; fixed-width fields
 * only.
 *
 * A record is a struct pa_event header followed by a stream of values.
 * The first value is the event name, then come ev->nargs top-level
 * argument values. Each value is a struct pa_value header (4 bytes, no
 * alignment: read it with memcpy) followed by ->len payload bytes.
 * Containers (PA_T_TUPLE, PA_T_LIST), PA_T_CODE and PA_T_SUBCLASS are
 * followed by their children; a tuple or list ends with a PA_T_END value.
 */
#ifndef PYAUDIT_H
#define PYAUDIT_H

/* Bounds. Every one of them is enforced in BPF and marked when hit. */
#define PA_COMM_LEN		16
#define PA_NAME_MAX		128	/* bytes of an event name */
#define PA_STR_MAX		256	/* bytes of one str/bytes payload */
#define PA_TYPENAME_MAX		64	/* bytes of a type name */
#define PA_ARGS_MAX		32	/* top-level arguments of one event */
#define PA_ELEMS_MAX		16	/* elements decoded of one tuple/list */
#define PA_INT_DIGITS_MAX	8	/* 30-bit digits of one int (240 bits) */
#define PA_FMT_MAX		16	/* characters of a Py_BuildValue format */
#define PA_REC_MAX		16384	/* bytes of one record, header included */
#define PA_FRAMES_MAX		32	/* Python frames of one event: 1 + --stack,
					 * or the deeper walk of --app-frame and
					 * --folded */
#define PA_STACK_MAX		8	/* --stack N: callers with their line
					 * tables copied */
#define PA_LTAB_FIRST_MAX	4096	/* line-table bytes of the innermost frame */
#define PA_LTAB_MAX		1024	/* line-table bytes of each outer frame */
#define PA_FUNC_MAX		128	/* bytes of a function's (qual)name */
#define PA_TARGETS_MAX		512	/* target files (layouts) per run */

enum pa_rec_type {
	PA_REC_EVENT = 1,	/* struct pa_event + values */
	PA_REC_MAPPED = 2,	/* struct pa_mapped: a Python file was mapped */
	PA_REC_EXEC = 3,	/* struct pa_exec: a process executed a file */
};

/* Filters set by user space (see the const volatile knobs in BPF). */
#define PA_GLOBS_MAX		128	/* -e and -x patterns together (profiles
					 * included: --profile security is 60) */
#define PA_GLOB_LEN		64	/* bytes of one pattern, NUL included */
#define PA_CONDS_MAX		32	/* argument conditions (-e 'EVENT:ARG=GLOB') */
#define PA_CONDPATS_MAX		32	/* patterns with argument conditions */
#define PA_SUBJ_MAX		512	/* bytes of an argument's text a condition
					 * sees (more: the rest is unknown) */
#define PA_FILTER_IDS_MAX	64	/* entries of each id filter map */
#define PA_CGROUP_LEVELS_MAX	16	/* ancestors checked by --cgroup */

/* struct pa_event.action: what --action did (bpf/action.bpf.h) */
enum pa_action {
	PA_ACT_NONE = 0,
	PA_ACT_DONE = 1,	/* action_sig sent to the process */
	PA_ACT_DRY_RUN = 2,	/* --action-dry-run: would have been sent */
	PA_ACT_LIMITED = 3,	/* not sent: over the rate limit */
	PA_ACT_REFUSED = 4,	/* not sent: pyaudit itself or PID 1 */
	PA_ACT_FAILED = 5,	/* bpf_send_signal() failed */
};

/* Where the event was captured; decides how the arguments were found. */
enum pa_source {
	PA_SRC_USDT = 1,	/* python:audit USDT: name + args tuple */
	PA_SRC_SYS_AUDIT = 2,	/* sys_audit (Python-level): vectorcall args */
	PA_SRC_VALIST = 3,	/* sys_audit_tstate (3.9+): fmt + va_list */
	PA_SRC_VARARGS = 4,	/* PySys_Audit entry: fmt + varargs */
	PA_SRC_VARARGS_TS = 5,	/* _PySys_Audit entry: tstate, fmt + varargs */
};

/* struct pa_event.flags */
#define PA_EV_ARGS_TRUNCATED	0x01	/* more arguments than were delivered */
#define PA_EV_REC_FULL		0x02	/* record hit PA_REC_MAX */
#define PA_EV_BAD_FORMAT	0x04	/* unknown format code: args stop there */
#define PA_EV_NAME_UNREADABLE	0x08
#define PA_EV_FRAMES_CUT	0x10	/* more Python frames than were delivered
					 * (the record had no room for them) */
#define PA_EV_FRAMES_LAST	0x20	/* the frames follow the arguments: they
					 * were read once argument conditions
					 * had passed (bpf/argfilter.bpf.h) */

/* struct pa_event.frame_status: whether the Python frames that raised
 * the event (where in the Python code) follow the name */
enum pa_frame_status {
	PA_FS_OFF = 0,		/* not asked for (--no-source) */
	PA_FS_OK = 1,		/* nframes PA_T_FRAME values follow the name */
	PA_FS_NO_FRAME = 2,	/* the thread runs no Python code right now */
	PA_FS_UNREADABLE = 3,	/* thread state or frame could not be read */
	PA_FS_UNSUPPORTED = 4,	/* this build's layout is not known */
};

struct pa_event {
	__u16 type;		/* PA_REC_EVENT */
	__u16 size;		/* bytes of the whole record */
	__u8 source;		/* enum pa_source */
	__u8 flags;		/* PA_EV_* */
	__u16 nargs;		/* top-level values delivered after the name */
	__u64 ts_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 cgroup_id;	/* cgroup v2 id of the thread */
	__u64 start_ns;		/* process start, CLOCK_BOOTTIME ns (the
				 * leader's start_boottime): pid + start_ns
				 * name a process even when pids are reused */
	__u32 total_args;	/* top-level arguments the event had (if known) */
	__u32 target_id;	/* index of the target file (user space table) */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 ppid;		/* tgid of the real parent */
	__u32 uid;
	__u32 euid;
	__u32 gid;
	__u32 auid;		/* login uid (audit), 4294967295 when unset */
	__u32 sessionid;	/* audit session id */
	char comm[PA_COMM_LEN];
	__u8 frame_status;	/* enum pa_frame_status */
	__u8 nframes;		/* PA_T_FRAME values after the name */
	__u8 action;		/* enum pa_action: --action on this event */
	__u8 action_sig;	/* the signal of that action */
	__u32 exec_seq;		/* the leader's self_exec_id (low 32 bits):
				 * +1 at each execve, so that exec_id tells
				 * apart the images one pid runs in turn */
	/* followed by values: the name, nframes frames, then the arguments */
};

/*
 * A process executed or mapped executable a file that user space has not
 * seen in this state (its identity and pa_file_seen), whatever its name:
 * user space checks its content, and analyses and attaches to it if it
 * is a Python (issue 12: a renamed interpreter must not escape).
 */
struct pa_mapped {
	__u16 type;		/* PA_REC_MAPPED */
	__u16 size;
	__u32 pid;
	__u64 dev;		/* kernel dev_t: major << 20 | minor */
	__u64 ino;
	__u32 flags;		/* PA_MAPPED_* */
	__u32 pad;
	char name[32];		/* the file's base name */
};

/*
 * A process executed a file (sched_process_exec, bpf/identity.bpf.h):
 * who it is, captured while it is alive, so that its events still name
 * it when it is gone by the time they are written. Followed by exe_len
 * bytes of the executable's path, cwd_len of the working directory and
 * args_len of the argument vector (NUL-separated, as /proc/PID/cmdline).
 */
#define PA_PATH_MAX	4096	/* bytes of a path walked in BPF, NUL excluded */
#define PA_EXEC_ARGS_MAX 4096	/* bytes of the argument vector */
#define PA_EXEC_ARGS_CUT 0x01	/* argv was longer than PA_EXEC_ARGS_MAX */
#define PA_EXEC_EXE_CUT	0x02	/* the exe path's walk did not finish */
#define PA_EXEC_CWD_CUT	0x04	/* the cwd's walk did not finish */
#define PA_EXEC_ARGS_UNREADABLE 0x08

struct pa_exec {
	__u16 type;		/* PA_REC_EXEC */
	__u16 size;		/* bytes of the whole record */
	__u16 exe_len;
	__u16 cwd_len;
	__u32 args_len;
	__u32 flags;		/* PA_EXEC_* */
	__u32 pid;		/* tgid */
	__u32 ppid;		/* tgid of the real parent at the exec */
	__u32 uid, euid, gid, auid, sessionid;	/* after the exec (setuid) */
	__u32 exec_seq;		/* self_exec_id after this exec */
	__u32 parent_exec_seq;
	__u32 pad;
	__u64 start_ns;		/* start_boottime of the process */
	__u64 parent_start_ns;	/* and of its parent */
	__u64 cgroup_id;
	__u64 ts_ns;		/* CLOCK_MONOTONIC of the exec */
};

/* The start-up list of running processes (iter/task): one per process. */
struct pa_task {
	__u32 pid;
	__u32 ppid;
	__u32 exec_seq;
	__u32 parent_exec_seq;
	__u64 start_ns;		/* start_boottime */
	__u64 parent_start_ns;
};

#define PA_HELD_MAX	4096	/* --hold-new: processes held at once */
#define PA_MAPPED_EXEC	1	/* the process executed it (sched_process_exec) */
#define PA_MAPPED_HELD	2	/* --hold-new: the process was sent SIGSTOP */

/* Key of the known_files map: a file user space has handled. */
struct pa_file_key {
	__u64 dev;		/* kernel dev_t */
	__u64 ino;
};

/* Value of the known_files map: the file's state when it was seen. A
 * file rewritten in place (same inode) changes ctime and is noticed
 * again: a user cannot run a harmless file, then copy a Python over it
 * and run that unseen. */
struct pa_file_seen {
	__u64 size;
	__s64 ctime_sec;
	__u32 ctime_nsec;	/* without flag bits (multigrain, 6.13) */
	__u32 pad;
};

/*
 * The ro_pages map: a copy of the .rodata of each target file and of its
 * extension modules that raise events, made by user space at attach time
 * (user/rocopy.c), one page of the file per entry. BPF reads it when the
 * process's own page is not present (bpf/rocopy.bpf.h).
 */
#define PA_RO_PAGE		4096
#define PA_RO_PAGES_MAX		8192	/* 32 MiB in all (0.7 to 2 MiB per
					 * Python here), allocated as filled */
struct pa_ro_key {
	__u64 dev;		/* kernel dev_t of the file */
	__u64 ino;
	__u64 page;		/* file offset / PA_RO_PAGE */
};

struct pa_ro_page {
	__u32 lo, hi;		/* b[lo, hi) is .rodata, the rest is not */
	__u8 b[PA_RO_PAGE];
};

/* Summary mode: one count per (event name, process, cgroup). */
#define PA_SUMMARY_NAME_MAX	64
struct pa_summary_key {
	char name[PA_SUMMARY_NAME_MAX];	/* zero-padded, cut at 63 bytes */
	__u32 pid;
	__u32 name_truncated;
	__u64 cgroup_id;
	char comm[PA_COMM_LEN];
};

/* Counters of the stats map (per CPU), read by user space. */
enum pa_stat {
	PA_STAT_EVENTS,		/* records written */
	PA_STAT_LOST,		/* ring buffer full: record dropped */
	PA_STAT_DUPLICATES,	/* Python-level copies dropped */
	PA_STAT_INVALID,	/* sys.audit() without a str name: no event */
	PA_STAT_FILTERED,	/* events dropped by a filter */
	PA_STAT_SUMMARY_FULL,	/* summary and summary_other full: not counted */
	PA_STAT_MAPPED_LOST,	/* new-file notices lost (notices ring full) */
	PA_STAT_LOST_NOPID,	/* lost, and lost_by_pid was full */
	PA_STAT_RO_COPY,	/* reads the process could not give, served
				 * from the copy of .rodata (ro_pages) */
	PA_STAT_UNREADABLE,	/* values written as PA_T_UNREADABLE */
	PA_STAT_SUMMARY_OTHER,	/* summary full: counted in an (other) row */
	PA_STAT_HELD,		/* --hold-new: processes stopped at a new file */
	PA_STAT_HOLD_FULL,	/* --hold-new: held_pids full, not held */
	PA_STAT_EXECS,		/* exec records written */
	PA_STAT_EXEC_LOST,	/* exec records lost (execs ring full) */
	PA_STAT_ARG_FILTERED,	/* events dropped by an argument condition */
	PA_STAT_ACT_DONE,	/* --action: signals sent */
	PA_STAT_ACT_DRY_RUN,	/* --action-dry-run: signals not sent */
	PA_STAT_ACT_LIMITED,	/* --action: not sent, over the rate limit */
	PA_STAT_ACT_FAILED,	/* --action: bpf_send_signal() failed */
	PA_STAT_MAX,
};

/* Value tags */
enum pa_tag {
	PA_T_NONE = 1,		/* len 0 */
	PA_T_TRUE = 2,		/* len 0 */
	PA_T_FALSE = 3,		/* len 0 */
	PA_T_INT = 4,		/* __s64: a C integer argument */
	PA_T_UINT = 5,		/* __u64: a C unsigned integer argument */
	PA_T_PYLONG = 6,	/* Python int: __u32 ndigits_total, then __u32
				 * 30-bit digits, least significant first;
				 * PA_VF_NEGATIVE for the sign; no digits = 0 */
	PA_T_FLOAT = 7,		/* double */
	PA_T_STR_UTF8 = 8,	/* str from a C char * (may be invalid UTF-8) */
	PA_T_STR_UCS1 = 9,	/* str, latin-1 code units */
	PA_T_STR_UCS2 = 10,	/* str, __u16 code units (host order) */
	PA_T_STR_UCS4 = 11,	/* str, __u32 code points (host order) */
	PA_T_BYTES = 12,
	PA_T_TUPLE = 13,	/* __u32 real length, then children, then END */
	PA_T_LIST = 14,		/* same as tuple */
	PA_T_END = 15,		/* len 0: ends a tuple or list */
	PA_T_CODE = 16,		/* len 0, then two values: filename, name */
	PA_T_OBJECT = 17,	/* payload: the type name (tp_name) */
	PA_T_UNREADABLE = 18,	/* target memory could not be read; len 0 */
	PA_T_FRAME = 19,	/* struct pa_frame, then three values: the
				 * file (co_filename), the function
				 * (co_qualname, co_name before 3.11) and the
				 * line table (PA_T_BYTES, maybe cut); or
				 * struct pa_frame_code, the same three
				 * values, none with PA_FR_CODE_REF */
	PA_T_SUBCLASS = 20,	/* payload: the type name (tp_name) of an
				 * object whose type is a subclass of str,
				 * bytes, int, float, tuple or list, cut
				 * (PA_VF_TRUNCATED) like PA_T_OBJECT's or
				 * empty if unreadable; then one value: the
				 * object as its base type (PA_T_STR_UCS1/2/4,
				 * BYTES, PYLONG, FLOAT, TUPLE, LIST) or
				 * PA_T_UNREADABLE */
};

/*
 * Payload of PA_T_FRAME. A line table that fits its bound is copied and
 * user space turns offset into a line (user/linetable.c: cheapest); a
 * longer one is walked in BPF up to the offset, and line says the result
 * (PA_FR_LINE), the copied table then being empty.
 */
struct pa_frame {
	__s32 offset;		/* bytes into the bytecode; < 0: not started */
	__s32 firstlineno;	/* co_firstlineno */
	__u32 table_len;	/* real length of the line table */
	__u32 flags;		/* PA_FR_* */
	__s32 line;		/* with PA_FR_LINE: the line, -1 none */
};
#define PA_FR_CODE_UNREADABLE	0x01	/* the code object could not be read */
#define PA_FR_LINE		0x02	/* line was decoded in BPF */
#define PA_FR_LINE_UNKNOWN	0x04	/* BPF could not decode it: malformed,
					 * unreadable or too long a table */
#define PA_FR_CODE_NEW		0x08	/* the payload is a struct pa_frame_code
					 * and the frame describes its code
					 * object: the consumer keeps its file,
					 * function and line table (below) */
#define PA_FR_CODE_REF		0x10	/* the payload is a struct pa_frame_code
					 * of a code object already described:
					 * no children follow */
#define PA_LTAB_ENTRIES_MAX	32768	/* entries BPF walks in one table */

/*
 * Code objects sent once (issue 16). A frame whose line table is copied
 * describes its code object once per process image: PA_FR_CODE_NEW,
 * the payload followed by the file, the function and the whole table as
 * any frame's; BPF then keeps the code object in the code_known map
 * (bpf/frames.bpf.h), but only once the record carrying the description
 * is in the ring buffer. Later frames of that code object are
 * PA_FR_CODE_REF, with no children: the consumer (user/codecache.c)
 * gives them the description it kept. A frame whose line BPF found
 * (PA_FR_LINE, PA_FR_LINE_UNKNOWN: the line is in the payload) needs
 * only the file and the function: it describes those (its table is
 * empty, cut, as always), and refers to any description; a frame that
 * copies its table refers only to one that had the table. Unreadable
 * code objects stay struct pa_frame with their three children, as in
 * records made before.
 */
struct pa_frame_code {
	struct pa_frame fr;
	__u32 pad;
	__u64 code;		/* the code object's address in the process */
};

/* Key of the code_known map, and of the consumer's descriptions: a code
 * object of one process image (pid reuse and exec change the key). */
struct pa_code_key {
	__u64 code;
	__u64 start_ns;		/* struct pa_event.start_ns */
	__u32 pid;		/* tgid */
	__u32 exec_seq;		/* struct pa_event.exec_seq */
};
#define PA_CODES_MAX		65536	/* entries of the code_known map */

/* struct pa_value.flags */
#define PA_VF_TRUNCATED		0x01	/* payload or children were cut */
#define PA_VF_NEGATIVE		0x02	/* PA_T_PYLONG sign */
#define PA_VF_NOT_EXPANDED	0x04	/* container below the depth limit */
#define PA_VF_LEN_UNKNOWN	0x08	/* container: real length unknown */
#define PA_VF_WCHAR		0x10	/* STR_UCS4 from a C wchar_t * ('u'):
					 * ends at the first 0 code point */
#define PA_VF_CLASS		0x20	/* PA_T_OBJECT that is a class: the
					 * payload is the class's own name */

struct pa_value {
	__u8 tag;		/* enum pa_tag */
	__u8 flags;		/* PA_VF_* */
	__u16 len;		/* payload bytes that follow */
};

/*
 * Object layout of one target's CPython, filled by user space from the
 * version found in the target file (user/layout.c) and read by BPF at
 * each event through the attach cookie. Offsets are in bytes.
 */
struct pa_layout {
	__u32 py_version;	/* PY_VERSION_HEX of major.minor, e.g. 0x030b0000 */
	__u16 ob_type;
	__u16 ob_size;		/* PyVarObject.ob_size */
	__u16 tp_name;
	__u16 tp_flags;
	__u16 long_digits;	/* first digit of a PyLongObject */
	__u16 long_tag;		/* ob_size (<3.12) or lv_tag (3.12+) */
	__u8 long_lv_tag;	/* 1: 3.12+ lv_tag encoding */
	__u8 str_kind_shift;	/* state bit of kind (3 bits) */
	__u8 str_compact_bit;
	__u8 str_ascii_bit;
	__u16 float_val;
	__u16 bytes_data;
	__u16 tuple_items;
	__u16 list_items;	/* PyObject ** */
	__u16 str_length;
	__u16 str_state;
	__u16 str_ascii_data;	/* compact ASCII: data follows the header */
	__u16 str_compact_data;	/* compact non-ASCII */
	__u16 str_utf8;		/* cached UTF-8 pointer (char *) */
	__u16 str_legacy_data;	/* non-compact: data pointer */
	__u16 code_filename;
	__u16 code_name;
	__u8 dedup_sys_audit;	/* 1: sys_audit and a C-level funnel are both
				 * probed, drop the funnel's copy of
				 * Python-level events */
	__u8 ltab_format;	/* PA_LT_*: the code objects' line tables
				 * (0: unknown), read by BPF's walk and by
				 * user/linetable.c alike */
	__u8 link_bias;		/* 1: the file is loaded at its link-time
				 * addresses (ET_EXEC): bias 0 whichever
				 * of its probe sites fired */
	__u8 pad[1];

	/*
	 * Link-time addresses. In a process, address = link-time address +
	 * bias, and bias = the probed ip - site_vaddr[source] (0: unknown,
	 * then nothing below is used).
	 */
	__u64 site_vaddr[8];	/* indexed by enum pa_source */
	__u64 ro_lo, ro_hi;	/* .rodata: C event names there never change */
	__u64 img_lo, img_hi;	/* the file's allocated sections: static
				 * types there are never freed */
	__u64 runtime;		/* _PyRuntime */

	/*
	 * Thread state and frames: CPython's internal structures
	 * (Include/internal/pycore_runtime.h, pycore_interp.h,
	 * pycore_frame.h, Include/cpython/pystate.h), not ABI-stable even
	 * within a patch series (3.13.0 and 3.13.5 differ in size); 3.13+
	 * publish their offsets in _Py_DebugOffsets.
	 */
	__u8 ts_how;		/* PA_TS_*: how to find the current thread */
	__u8 frame_kind;	/* PA_FK_*: 0 = no frame support */
	__u8 owner_skip;	/* skip frames with owner >= this (0: none) */
	__u8 exec_tagged;	/* 3.14: f_executable carries tag bits */
	__u16 rt_tstate;	/* _PyRuntime.gilstate.tstate_current */
	__u16 rt_interp_head;	/* _PyRuntime.interpreters.head */
	__u16 interp_next;
	__u16 interp_threads;	/* PyInterpreterState.threads.head */
	__u16 ts_next;
	__u16 ts_thread_id;	/* PyThreadState.thread_id (pthread_self) */
	__u16 ts_frame;		/* ->frame, ->cframe or ->current_frame */
	__u16 cframe_frame;	/* _PyCFrame.current_frame (PA_FK_CFRAME) */
	__u16 fr_back;		/* f_back / previous */
	__u16 fr_code;		/* f_code / f_executable */
	__u16 fr_instr;		/* f_lasti (int) / prev_instr / instr_ptr */
	__u16 fr_owner;		/* owner byte (3.12+) */
	__u16 fr_read;		/* bytes of a frame to read at once */
	__u16 co_firstlineno;
	__u16 co_func;		/* co_qualname (3.11+), co_name before */
	__u16 co_linetable;	/* co_lnotab (3.8, 3.9), co_linetable */
	__u16 co_code;		/* first instruction (3.11+) */
	__u16 co_read;		/* bytes of a code object to read at once */
	/*
	 * Free-threaded 3.14+: per-thread bytecode (TLBC). A frame whose
	 * int32 tlbc_index (at fr_tlbc) is not 0 runs a copy of the code
	 * object's bytecode, entries[tlbc_index] of the _PyCodeArray at
	 * co_tlbc (Include/internal/pycore_interpframe.h,
	 * _PyFrame_GetBytecode). 0: no TLBC.
	 */
	__u16 fr_tlbc;
	__u16 co_tlbc;
};

/* pa_layout.ltab_format: the line-table format of a CPython version */
#define PA_LT_LNOTAB	1	/* co_lnotab, byte offsets (3.8, 3.9) */
#define PA_LT_LINETABLE	2	/* co_linetable, 3.10 (PEP 626) */
#define PA_LT_LOCATIONS	3	/* co_linetable location table (3.11+) */

/* pa_layout.ts_how */
#define PA_TS_CURRENT	1	/* *(_PyRuntime + rt_tstate), 3.8-3.11 */
#define PA_TS_WALK	2	/* interpreters and threads, native_thread_id */

/* pa_layout.frame_kind */
#define PA_FK_LASTI	1	/* PyFrameObject: f_lasti in bytes (3.8, 3.9) */
#define PA_FK_LASTI2	2	/* PyFrameObject: f_lasti in code units (3.10) */
#define PA_FK_CFRAME	3	/* ts->cframe->current_frame, prev_instr */
#define PA_FK_CURRENT	4	/* ts->current_frame, instr_ptr (3.13+) */

#endif /* PYAUDIT_H */
