#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Regenerate vmlinux/<arch>/vmlinux.h from a kernel's BTF.
# The header is checked in so that the build does not depend on the
# build host's kernel; CO-RE relocates field offsets at load time.
#
#   gen-vmlinux-h.sh [BTF]     this machine's architecture, from BTF
#                              (default /sys/kernel/btf/vmlinux)
#   gen-vmlinux-h.sh arm64 [IMAGE]
#                              vmlinux/arm64 from the BTF inside an arm64
#                              kernel Image (default: Debian 12's 6.12
#                              arm64 kernel as make vmtest ARCH=arm64
#                              KERNEL=6.12 unpacked it under VMTEST_CACHE,
#                              else the package the checked-in header
#                              came from, through scripts/debarch.sh)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
btf=${1:-/sys/kernel/btf/vmlinux}
tmp=

# The .BTF section inside a raw kernel Image (arm64's vmlinuz is not an
# ELF file): the header (magic 0xeb9f, version 1, hdr_len 24) whose types
# are large, cut at hdr_len + str_off + str_len (include/uapi/linux/btf.h).
btf_from_image() {
	img=$1 out=$2
	for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" | cut -d: -f1); do
		# shellcheck disable=SC2046
		set -- $(od -An -tu4 -j $((off + 8)) -N 16 "$img")
		type_len=$2 str_off=$3 str_len=$4
		[ "$type_len" -gt 1000000 ] || continue
		tail -c +$((off + 1)) "$img" | head -c $((24 + str_off + str_len)) >"$out"
		return 0
	done
	return 1
}

if [ "$btf" = arm64 ] && [ "$arch" != arm64 ]; then
	arch=arm64
	img=${2:-}
	cache=${VMTEST_CACHE:-build/vmtest-cache}
	[ -n "$img" ] ||
		img=$(ls "$cache"/kernels/linux-image-6.12.*+deb12-arm64/boot/vmlinuz-* 2>/dev/null |
		      sort -V | tail -n 1)
	if [ -z "$img" ]; then
		kdir=$cache/kernels/btf-arm64
		pkg=linux-image-6.12.118+deb12-arm64
		"$dir/debarch.sh" arm64 "$kdir" --no-deps "$pkg" ||
			{ echo "$0: cannot get $pkg: give an arm64 kernel Image, or run make vmtest ARCH=arm64 KERNEL=6.12 first" >&2; exit 1; }
		img=$(ls "$kdir"/boot/vmlinuz-*)
	fi
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	btf_from_image "$img" "$tmp" || { echo "$0: no BTF found in $img" >&2; exit 1; }
	btf=$tmp
elif [ "$btf" = arm64 ]; then
	btf=${2:-/sys/kernel/btf/vmlinux}
fi
out=$dir/../vmlinux/$arch/vmlinux.h
[ -r "$btf" ] || { echo "$0: $btf not readable: a kernel with CONFIG_DEBUG_INFO_BTF is needed" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -l < "$out") lines)"
