# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# libFuzzer targets (docs/fuzzing.md). Included by the top-level Makefile,
# or used alone: make -f tests/fuzz/fuzz.mk fuzz-smoke
#
#   make fuzz-build    build/fuzz/fuzz_<name> for every target
#   make fuzz-smoke    each target on its corpus for FUZZ_SMOKE_TIME seconds
#                      (20: about 1.5 minutes in all); fails on any crash
#   make fuzz-long     each target for FUZZ_LONG_TIME seconds (600),
#                      FUZZ_JOBS (2) at a time; logs in build/fuzz/long/
#   make fuzz-corpus   rewrite the synthetic seeds (tests/fuzz/mkcorpus.c)
#
# clang with its libFuzzer runtime (Debian: clang-14 and libclang-rt-14-dev).
# user/*.c are compiled here with the same flags as the targets, into
# build/fuzz/obj/ and build/fuzz/libpyaudit-fuzz.a (not the Makefile's
# objects).

# Keep the including Makefile's default goal (all); alone, fuzz-build.
fuzz_saved_goal := $(if $(filter 1,$(words $(MAKEFILE_LIST))),fuzz-build,$(.DEFAULT_GOAL))

FUZZ_CC ?= clang
FUZZ_OUT ?= build/fuzz
FUZZ_SMOKE_TIME ?= 20
FUZZ_LONG_TIME ?= 600
FUZZ_JOBS ?= 2
FUZZ_CFLAGS ?= -g -O1 -fsanitize=fuzzer,address,undefined \
	       -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS_ALL := $(FUZZ_CFLAGS) -Wall -Wextra -Wno-unused-parameter \
		   -std=gnu11 -D_GNU_SOURCE -MMD -MP
FUZZ_LDLIBS := -lm

FUZZ_TARGETS := target procmaps cgroup record
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))

# Every user/*.c but the command line and the BPF skeleton's users
# (main.c, opts.c, attach.c, filters.c: libbpf), in one archive: each
# target pulls in what it needs, its user/*.c and theirs, whatever these
# dependencies become.
FUZZ_USER_OBJS := $(patsubst user/%.c,$(FUZZ_OUT)/obj/%.o,\
		  $(filter-out user/main.c user/opts.c user/attach.c user/filters.c,\
		  $(wildcard user/*.c)))
FUZZ_LIB := $(FUZZ_OUT)/libpyaudit-fuzz.a

.PHONY: fuzz-build fuzz-smoke fuzz-long fuzz-corpus fuzz-check-tools fuzz-clean

fuzz-build: $(FUZZ_BINS)

$(FUZZ_OUT)/obj:
	@mkdir -p $@

fuzz-check-tools: | $(FUZZ_OUT)/obj
	@command -v $(FUZZ_CC) >/dev/null || { echo "$(FUZZ_CC) not found: apt-get install clang" >&2; exit 1; }
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	  $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(FUZZ_OUT)/obj/check-tools 2>/dev/null || \
	  { echo "$(FUZZ_CC) -fsanitize=fuzzer does not link: apt-get install libclang-rt-14-dev" >&2; exit 1; }

$(FUZZ_OUT)/obj/%.o: user/%.c | $(FUZZ_OUT)/obj fuzz-check-tools
	@printf '  %-8s %s\n' FUZZ-CC $@
	@$(FUZZ_CC) $(FUZZ_CFLAGS_ALL) -c $< -o $@

$(FUZZ_OUT)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c | $(FUZZ_OUT)/obj fuzz-check-tools
	@printf '  %-8s %s\n' FUZZ-CC $@
	@$(FUZZ_CC) $(FUZZ_CFLAGS_ALL) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_USER_OBJS)
	@printf '  %-8s %s\n' FUZZ-AR $@
	@rm -f $@
	@$(AR) rcs $@ $^

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/fuzz_%.o $(FUZZ_LIB)
	@printf '  %-8s %s\n' FUZZ-LD $@
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $^ $(FUZZ_LDLIBS) -o $@

fuzz-smoke: $(FUZZ_BINS)
	@FUZZ_OUT=$(FUZZ_OUT) tests/fuzz/run.sh smoke $(FUZZ_SMOKE_TIME) 1 $(FUZZ_TARGETS)

fuzz-long: $(FUZZ_BINS)
	@FUZZ_OUT=$(FUZZ_OUT) tests/fuzz/run.sh long $(FUZZ_LONG_TIME) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# The synthetic seeds; the real ELF files and the text seeds are kept as
# they are.
fuzz-corpus: | $(FUZZ_OUT)/obj
	@$(FUZZ_CC) -g -O1 -Wall -Wextra -std=gnu11 -D_GNU_SOURCE \
	  tests/fuzz/mkcorpus.c -o $(FUZZ_OUT)/mkcorpus -lm
	@$(FUZZ_OUT)/mkcorpus tests/fuzz/corpus

fuzz-clean:
	rm -rf $(FUZZ_OUT)

-include $(wildcard $(FUZZ_OUT)/obj/*.d)

.DEFAULT_GOAL := $(fuzz_saved_goal)
