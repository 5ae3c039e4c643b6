# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# pyaudit: build with the system clang and libbpf 1.4 with its bpftool from
# bookworm-backports, fetched into build/static-cache (LIBBPF=system: the
# system's libbpf found by pkg-config, and its bpftool).
#   make            build ./pyaudit
#   make test       unit tests, then integration tests (root)
#   make run        build and trace every Python on the host (root)
#   make install    PREFIX=/usr/local DESTDIR=
#   make exact-long the long exact comparison with an in-process hook on
#                   every Python here (root; EXACT_PROCS=3000 per Python)
#   make vmtest     KERNEL=6.1|6.12|newest|5.10: the smoke set under a Debian
#                   kernel booted with QEMU (scripts/vmtest.sh; root;
#                   ARCH=arm64 for an emulated AArch64 machine)
#   make ARCH=arm64 cross-build for AArch64 into build/arm64/pyaudit
#                   (gcc-aarch64-linux-gnu, a sysroot of Debian's arm64
#                   -dev packages made by scripts/debarch.sh; make
#                   cross-deps installs the compiler)
#   make static     one statically linked binary with libbpf 1.4:
#                   build/static-x86_64/pyaudit (STATIC_ARCH=, CROSS_COMPILE=)
#   make image      an OCI image of it, from scratch (buildah; root)
# V=1 shows the commands; SANITIZE=1 builds user space with ASan+UBSan.

OUTPUT ?= build
CLANG ?= clang
CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
override ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
LIBBPF_MIN := 1.1.0
BPFTOOL_MIN := 7.0.0

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BIN := pyaudit
# Debian packages (kernels, the arm64 sysroot and guest root) and QEMU's
# initramfs, shared by make vmtest and cross builds.
CACHE_DIR := $(or $(VMTEST_CACHE),build/vmtest-cache)

# A cross build: its own output directory, compiler and sysroot (the
# libbpf, libelf, zlib and libc of Debian's packages for ARCH).
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_arm64 := aarch64-linux-gnu-
CROSS_x86 := x86_64-linux-gnu-
DEBARCH_arm64 := arm64
DEBARCH_x86 := amd64
CROSS ?= $(CROSS_$(ARCH))
ifeq ($(CROSS),)
$(error no cross compiler known for ARCH=$(ARCH) (x86, arm64))
endif
ifeq ($(origin CC),default)
CC := $(CROSS)gcc
endif
SYSROOT ?= $(CACHE_DIR)/sysroot-$(DEBARCH_$(ARCH))
SYSROOT_PKGS := libbpf-dev libelf-dev zlib1g-dev libzstd-dev libc6-dev
# Made when missing (a Makefile prerequisite would come too late for the
# pkg-config calls below).
ifeq ($(wildcard $(SYSROOT)/.pkgs),)
$(info   SYSROOT  $(SYSROOT): $(SYSROOT_PKGS))
$(shell VMTEST_CACHE=$(CACHE_DIR) scripts/debarch.sh $(DEBARCH_$(ARCH)) $(SYSROOT) $(SYSROOT_PKGS) >&2)
endif
PKG_CONFIG := PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) \
	PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(patsubst %-,%,$(CROSS))/pkgconfig:$(SYSROOT)/usr/share/pkgconfig \
	$(PKG_CONFIG)
CFLAGS_CROSS := --sysroot=$(SYSROOT)
LDFLAGS += --sysroot=$(SYSROOT)
OUTPUT := $(OUTPUT)/$(ARCH)
BIN := $(OUTPUT)/pyaudit
# the sysroot's libbpf (Debian 12's arm64 libbpf-dev), not the host's cache
ifneq ($(STATIC),1)
LIBBPF := system
endif
endif

# libbpf (docs/design.md, "libbpf"). By default 1.4 from bookworm-backports:
# scripts/static-deps.sh unpacks its libbpf-dev (libbpf.a, the headers) and
# that suite's bpftool into DEB_CACHE, and libbpf.a is linked in (libelf
# and zlib stay the system's shared ones): the libbpf 'make test' tests is
# the one 'make static' ships. LIBBPF=system: pkg-config's libbpf (1.1+,
# Debian 12's 1.1.2) and the system's bpftool, as a distribution would build.
LIBBPF ?= backports
DEB_CACHE ?= $(OUTPUT)/static-cache
DEB_CACHE := $(DEB_CACHE)
HOST_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
HOST_DEBARCH := $(shell dpkg --print-architecture 2>/dev/null)
ifeq ($(LIBBPF),system)
BPFTOOL ?= bpftool
LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null)
LIBBPF_VERSION := $(shell $(PKG_CONFIG) --modversion libbpf 2>/dev/null)
LIBBPF_STATIC := 0
LIBBPF_DEPS :=
else
BPFTOOL ?= $(DEB_CACHE)/tools/usr/sbin/bpftool
LIBBPF_ROOT := $(DEB_CACHE)/$(HOST_DEBARCH)
LIBBPF_CFLAGS := -I$(LIBBPF_ROOT)/usr/include
LIBBPF_LIBS := $(LIBBPF_ROOT)/usr/lib/$(HOST_TRIPLET)/libbpf.a
# (recursive: read once the package is there)
LIBBPF_VERSION = $(shell sed -n 's/^Version: *//p' $(LIBBPF_ROOT)/usr/lib/$(HOST_TRIPLET)/pkgconfig/libbpf.pc 2>/dev/null)
LIBBPF_STATIC := 1
# the last file static-deps.sh makes
LIBBPF_DEPS := $(DEB_CACHE)/tools/.bpftool.done
endif

CFLAGS ?= -g -O2
CFLAGS += $(CFLAGS_CROSS) -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	  -I$(OUTPUT) -Ibpf $(LIBBPF_CFLAGS) -MMD -MP \
	  -DPYAUDIT_VERSION='"$(VERSION)"' -DLIBBPF_BUILD_VERSION='"$(LIBBPF_VERSION)"' \
	  -DPYAUDIT_LIBBPF_STATIC=$(LIBBPF_STATIC)
ifeq ($(CI),true)
CFLAGS += -Werror
endif
LDLIBS += $(LIBBPF_LIBS) -lelf -lz -lm
ifeq ($(STATIC),1)
# Set by 'make static' for its sub-make (libraries from DEB_CACHE).
LDFLAGS += -static
LDLIBS += -lzstd
endif
ifeq ($(SANITIZE),1)
ifneq ($(ARCH),$(HOST_ARCH))
$(error SANITIZE=1 is for native builds)
endif
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
OUTPUT := $(OUTPUT)/san
# The sanitized build keeps its own binary, so that ./pyaudit stays the
# normal one.
BIN := $(OUTPUT)/pyaudit
endif

# clang -target bpf does not search the host's multiarch include dirs,
# where <asm/errno.h> lives (usdt.bpf.h needs it): add them after ours.
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall \
	      -I$(OUTPUT) -Ibpf -Ivmlinux/$(ARCH) $(LIBBPF_CFLAGS) -MMD -MP \
	      $(CLANG_BPF_SYS_INCLUDES)

USER_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(USER_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
TEST_HELPERS := $(OUTPUT)/tests/embed311 $(OUTPUT)/tests/dlopen $(OUTPUT)/tests/pidwrap \
	$(OUTPUT)/bench/replay
ifneq ($(ARCH),$(HOST_ARCH))
TEST_HELPERS :=		# host programs: the cross build's tests need none
endif

.DELETE_ON_ERROR:
.PHONY: all clean test test-run unit integration run install check-tools bench bench-newfiles bench-service profile deps valgrind \
	exact-long vmtest vmtest-deps cross-deps static image image-deps pythons

all: $(BIN)

check-tools: | $(LIBBPF_DEPS)
	@command -v $(CLANG) >/dev/null || { echo "clang not found: apt-get install clang llvm" >&2; exit 1; }
	@command -v $(BPFTOOL) >/dev/null || { echo "bpftool not found: apt-get install bpftool" >&2; exit 1; }
	@[ -n "$(LIBBPF_VERSION)" ] || { echo "libbpf not found ($(if $(LIBBPF_DEPS),in $(LIBBPF_ROOT): rm -rf $(DEB_CACHE) and build again,by pkg-config: apt-get install libbpf-dev))" >&2; exit 1; }
	@printf '%s\n%s\n' "$(LIBBPF_MIN)" "$(LIBBPF_VERSION)" | sort -CV || { echo "libbpf $(LIBBPF_VERSION) < $(LIBBPF_MIN)" >&2; exit 1; }
	@v=$$($(BPFTOOL) version | sed -n 's/^bpftool v\([0-9.]*\).*/\1/p'); \
	  printf '%s\n%s\n' "$(BPFTOOL_MIN)" "$$v" | sort -CV || { echo "bpftool $$v < $(BPFTOOL_MIN)" >&2; exit 1; }

$(OUTPUT) $(OUTPUT)/tests $(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(DEB_CACHE)/tools/.bpftool.done:
	$(call msg,FETCH,libbpf-dev and bpftool from bookworm-backports into $(DEB_CACHE))
	$(Q)scripts/static-deps.sh $(DEB_CACHE) $(HOST_DEBARCH)

$(OUTPUT)/pyaudit.bpf.o: bpf/pyaudit.bpf.c | $(OUTPUT) check-tools
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/pyaudit.skel.h: $(OUTPUT)/pyaudit.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name pyaudit_bpf > $@

$(OUTPUT)/main.o $(OUTPUT)/attach.o $(OUTPUT)/filters.o: $(OUTPUT)/pyaudit.skel.h

$(OUTPUT)/%.o: user/%.c | $(OUTPUT) $(LIBBPF_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(OUTPUT)/main.o $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(USER_OBJS) | $(OUTPUT)/tests $(LIBBPF_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I. -Itests/unit $(LDFLAGS) $< $(USER_OBJS) $(LDLIBS) -lcmocka -o $@

# The consumer benchmark of scripts/bench.sh: --record files replayed
# through user/consumer.c, linked with every user object as pyaudit is.
$(OUTPUT)/bench/replay: tests/bench/replay.c $(USER_OBJS) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I. $(LDFLAGS) $< $(USER_OBJS) $(LDLIBS) -o $@

# scripts/bench-newfiles.sh: spawns programs in a loop
$(OUTPUT)/bench/execloop: tests/bench/execloop.c | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall $< -o $@

# An embedding program for Debian's libpython3.11.so.1.0 (built when the
# library's development files are there).
$(OUTPUT)/tests/embed311: tests/integration/embed.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)if [ -e /usr/include/python3.11/Python.h ]; then \
	  $(CC) -O1 -I/usr/include/python3.11 $< -o $@ -lpython3.11; \
	else echo "skip $@: libpython3.11-dev absent" >&2; fi

# Unit tests only (no root needed).
$(OUTPUT)/tests/dlopen: tests/integration/dlopen.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -O1 -Wall $< -o $@ -ldl

# Makes a given pid the next one (tests/exact/mixed.py --reuse).
$(OUTPUT)/tests/pidwrap: tests/exact/pidwrap.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -O1 -Wall -Werror $< -o $@

unit: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do $$t || exit 1; done

# Integration tests only (root).
integration: $(BIN) $(TEST_HELPERS)
	$(Q)PYAUDIT=$(CURDIR)/$(BIN) BUILD=$(CURDIR)/$(OUTPUT) bats tests/integration

# valgrind over every unit test program (a normal build).
valgrind: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do \
	  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $$t >/dev/null || exit 1; \
	done; echo "valgrind: clean on $(words $(UNIT_BINS)) unit test programs"

# Install the Debian packages that are missing (root; quick when none is).
deps:
	$(Q)scripts/install-deps.sh

# The CPythons the tests need and Debian 12 lacks (3.13t, 3.14, 3.15, ...;
# scripts/build-pythons.sh), cached in $(PYAUDIT_PYTHONS); the
# integration tests find them there. A warm cache takes seconds.
PYAUDIT_PYTHONS ?= /var/cache/pyaudit-pythons
pythons:
	$(Q)scripts/install-deps.sh pythons
	$(Q)PYAUDIT_PYTHONS=$(PYAUDIT_PYTHONS) scripts/build-pythons.sh

# Boot a Debian kernel under QEMU (KERNEL=6.1|6.12|newest|5.10) with this
# machine's root shared read-only, and run VMTEST_CMD there (default:
# tests/integration/vmsmoke.bats). ARCH=arm64: the cross-built pyaudit in
# an emulated AArch64 guest whose root is made of Debian's arm64 packages
# (VMTEST_SUITE=trixie: Debian 13's). Downloads and the initramfs are
# cached in build/vmtest-cache (VMTEST_CACHE). Not part of 'make test'.
KERNEL ?= 6.1
VMTEST_ARCH := $(if $(filter arm64,$(ARCH)),arm64,x86_64)
vmtest: vmtest-deps $(BIN) $(TEST_HELPERS)
	$(Q)KERNEL=$(KERNEL) ARCH=$(VMTEST_ARCH) VMTEST_CACHE=$(CACHE_DIR) \
	  VMTEST_CMD="$${VMTEST_CMD:-PYAUDIT=$(CURDIR)/$(BIN) BUILD=$(CURDIR)/$(OUTPUT) bats --tap --timing tests/integration/vmsmoke.bats}" \
	  scripts/vmtest.sh

vmtest-deps:
	$(Q)scripts/install-deps.sh vmtest $(if $(filter arm64,$(ARCH)),arm64)

# The cross compiler for make ARCH=arm64 (and QEMU for its vmtest).
cross-deps:
	$(Q)scripts/install-deps.sh arm64

# One statically linked pyaudit for STATIC_ARCH (x86_64, or aarch64 once
# the BPF side builds for it), in $(OUTPUT)/static-$(STATIC_ARCH)/pyaudit.
# libbpf 1.4 (bookworm-backports' libbpf-dev has libbpf.a), libelf, zlib
# and zstd (bookworm's libelf.a calls it) come from Debian packages
# unpacked into DEB_CACHE by scripts/static-deps.sh; the BPF object is
# compiled against that libbpf's headers (usdt.bpf.h must match the
# libbpf that reads its spec map) and its skeleton made by bpftool 7.5
# from the same suite. glibc's libc.a is the compiler's: the host's
# libc6-dev, or for another architecture the cross toolchain's
# (CROSS_COMPILE=aarch64-linux-gnu-: gcc-aarch64-linux-gnu and
# libc6-dev-arm64-cross).
STATIC_ARCH ?= $(shell uname -m)
STATIC_OUT := $(OUTPUT)/static-$(STATIC_ARCH)
ifeq ($(STATIC_ARCH),x86_64)
STATIC_DEBARCH := amd64
STATIC_BPFARCH := x86
else ifeq ($(STATIC_ARCH),aarch64)
STATIC_DEBARCH := arm64
STATIC_BPFARCH := arm64
endif
STATIC_TRIPLET := $(STATIC_ARCH)-linux-gnu
ifneq ($(STATIC_ARCH),$(shell uname -m))
CROSS_COMPILE ?= $(STATIC_TRIPLET)-
endif
STATIC_ROOT := $(DEB_CACHE)/$(STATIC_DEBARCH)
STATIC_PC := PKG_CONFIG_LIBDIR=$(STATIC_ROOT)/usr/lib/$(STATIC_TRIPLET)/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(STATIC_ROOT) $(PKG_CONFIG)

static:
	$(Q)[ -n "$(STATIC_DEBARCH)" ] || { echo "STATIC_ARCH=$(STATIC_ARCH): x86_64 or aarch64" >&2; exit 1; }
	$(Q)scripts/static-deps.sh $(DEB_CACHE) $(STATIC_DEBARCH)
	$(Q)$(MAKE) --no-print-directory STATIC=1 SANITIZE= LIBBPF= OUTPUT=$(STATIC_OUT) \
	  DEB_CACHE=$(DEB_CACHE) \
	  BIN=$(STATIC_OUT)/pyaudit ARCH=$(STATIC_BPFARCH) CC=$(CROSS_COMPILE)gcc \
	  BPFTOOL=$(DEB_CACHE)/tools/usr/sbin/bpftool \
	  LIBBPF_CFLAGS="$$($(STATIC_PC) --cflags libbpf)" \
	  LIBBPF_LIBS="$$($(STATIC_PC) --static --libs libbpf)" \
	  LIBBPF_VERSION="$$($(STATIC_PC) --modversion libbpf)" \
	  $(STATIC_OUT)/pyaudit
	$(Q)echo "static: $(STATIC_OUT)/pyaudit"

# The OCI image of the static binary, built from scratch with buildah
# into root's local storage (no registry): localhost/pyaudit:$(VERSION),
# the name packaging/kubernetes/pyaudit-daemonset.yaml runs.
IMAGE ?= localhost/pyaudit:$(VERSION)
image: image-deps static
	$(Q)STRIP=$(CROSS_COMPILE)strip IMAGE_ARCH=$(STATIC_DEBARCH) packaging/image.sh $(STATIC_OUT)/pyaudit $(IMAGE) $(DEB_CACHE)

image-deps:
	$(Q)scripts/install-deps.sh image

# Everything, with one summary line at the end. The sub-make starts after
# deps, so that a fresh machine gets its compiler first.
test: deps
	$(Q)$(MAKE) --no-print-directory test-run

test-run: $(BIN) $(UNIT_BINS) $(TEST_HELPERS)
	$(Q)PYAUDIT=$(CURDIR)/$(BIN) scripts/run-tests.sh $(OUTPUT) $(UNIT_BINS)

# make run ARGS='-e open --app-frame': build, then run with those options.
run: deps
	$(Q)$(MAKE) --no-print-directory pyaudit
	./pyaudit $(ARGS)

# The long run of tests/integration/exact.bats's comparison (issue 18):
# thousands of processes per Python, figures in $(OUTPUT)/exact.
# EXACT_REUSE pids per Python are reused on purpose (mixed.py --reuse),
# besides those the run reuses by chance.
EXACT_PROCS ?= 3000
EXACT_REUSE ?= 4
exact-long: $(BIN) $(OUTPUT)/tests/pidwrap
	$(Q)PYAUDIT=$(CURDIR)/$(BIN) PIDWRAP=$(CURDIR)/$(OUTPUT)/tests/pidwrap \
	  EXACT_REUSE=$(EXACT_REUSE) tests/exact/long.sh $(EXACT_PROCS) $(OUTPUT)/exact

bench: pyaudit
	scripts/bench.sh

# The real-service benchmark alone (bench.sh runs it too)
bench-service: pyaudit
	scripts/bench-service.sh

# Where the time of a traced event goes: BPF run time, consumer CPU, perf
profile: pyaudit
	scripts/profile-bpf.sh

bench-newfiles: pyaudit $(OUTPUT)/bench/execloop
	scripts/bench-newfiles.sh

# The systemd unit names $(PREFIX)/sbin/pyaudit; the logrotate snippet
# goes to /etc whatever the prefix.
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/pyaudit
	install -D -m 0644 docs/pyaudit.8 $(DESTDIR)$(PREFIX)/share/man/man8/pyaudit.8
	install -D -m 0644 packaging/pyaudit.service $(DESTDIR)$(PREFIX)/lib/systemd/system/pyaudit.service
	sed -i 's|/usr/local/sbin/pyaudit|$(PREFIX)/sbin/pyaudit|' $(DESTDIR)$(PREFIX)/lib/systemd/system/pyaudit.service
	install -D -m 0644 packaging/pyaudit.logrotate $(DESTDIR)/etc/logrotate.d/pyaudit

clean:
	rm -rf $(OUTPUT) pyaudit

-include $(wildcard $(OUTPUT)/*.d)
include tests/fuzz/fuzz.mk
