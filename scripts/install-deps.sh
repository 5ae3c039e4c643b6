#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian 12 packages pyaudit needs to build and test, when
# some are missing. Quick and silent when everything is there.
# 'install-deps.sh vmtest': what scripts/vmtest.sh needs (make vmtest).
# 'install-deps.sh arm64': the AArch64 cross compiler (make ARCH=arm64;
# the arm64 libraries come from Debian's packages, unpacked by
# scripts/debarch.sh, not installed) and QEMU for make vmtest ARCH=arm64.
# Groups add up: 'install-deps.sh vmtest arm64'.
# 'install-deps.sh image': what make image and tests/integration/image.bats
# need (buildah builds the image from scratch, rootful podman runs it with
# runc: crun refuses hosts whose cgroup v2 hierarchy has controllers while
# v1 is mounted too; file and strace for static.bats's checks).
# 'install-deps.sh pythons': what scripts/build-pythons.sh needs to build
# CPython from Debian's source packages (dpkg-source, the libraries of
# the stdlib's extension modules the tests use, dtrace for --with-dtrace).
set -euo pipefail

pkgs=(make gcc libc6-dev clang llvm pkg-config libbpf-dev bpftool
      libelf-dev zlib1g-dev libcmocka-dev bats bats-assert bats-support jq
      python3.11 libpython3.11 libpython3.11-dev procps util-linux
      logrotate man-db groff-base libclang-rt-14-dev valgrind bpftrace)
if [ $# -gt 0 ]; then
	pkgs=()
	for group; do
		case $group in
		vmtest)	pkgs+=(qemu-system-x86 busybox-static xz-utils zstd apt dpkg bats jq) ;;
		arm64)	pkgs+=(gcc-aarch64-linux-gnu qemu-system-arm apt dpkg clang llvm bpftool) ;;
		image)	pkgs+=(buildah podman runc conmon file python3-yaml strace) ;;
		pythons) pkgs+=(apt dpkg-dev debian-archive-keyring xz-utils make gcc libc6-dev
				systemtap-sdt-dev libffi-dev zlib1g-dev libssl-dev libbz2-dev
				liblzma-dev libsqlite3-dev libreadline-dev uuid-dev util-linux) ;;
		*)	echo "install-deps.sh: unknown group $group (vmtest, arm64, image, pythons)" >&2; exit 64 ;;
		esac
	done
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
	echo "missing packages: ${missing[*]} (this script knows Debian's apt-get only)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "missing packages: ${missing[*]}: run as root (sudo) to install them" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
