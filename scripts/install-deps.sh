#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian 12 packages pyaudit needs to build and test, when
# some are missing. Quick and silent when everything is there.
# 'install-deps.sh vmtest': what scripts/vmtest.sh needs (make vmtest).
# 'install-deps.sh image': what make image and tests/integration/image.bats
# need (buildah builds the image from scratch, rootful podman runs it with
# runc: crun refuses hosts whose cgroup v2 hierarchy has controllers while
# v1 is mounted too; file and strace for static.bats's checks).
set -euo pipefail

pkgs=(make gcc libc6-dev clang llvm pkg-config libbpf-dev bpftool
      libelf-dev zlib1g-dev libcmocka-dev bats bats-assert bats-support jq
      python3.11 libpython3.11 libpython3.11-dev procps util-linux
      logrotate man-db groff-base libclang-rt-14-dev valgrind bpftrace)
if [ "${1:-}" = vmtest ]; then
	pkgs=(qemu-system-x86 busybox-static xz-utils zstd apt dpkg bats jq)
elif [ "${1:-}" = image ]; then
	pkgs=(buildah podman runc conmon file python3-yaml strace)
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
