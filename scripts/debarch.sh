#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Unpack Debian packages of another architecture (and what they depend
# on) into a directory, without installing anything: a private apt
# configuration under the cache (scripts/debapt.sh), `apt-get download`,
# `dpkg -x`. What the arm64 cross build
# (its sysroot), scripts/gen-vmlinux-h.sh (a kernel's BTF) and
# scripts/vmtest.sh ARCH=arm64 (the guest's root) are made of. The
# system's apt sources and dpkg database are untouched.
#
#   debarch.sh DEBARCH DEST [--no-deps] PKG...
#
#   DEST is made again when the package list changed (DEST/.pkgs); a
#   second run with the same list does nothing. The closure is the one
#   apt computes for an empty system, without Recommends.
#   VMTEST_CACHE=dir   where the apt state and the .debs live
#                      (build/vmtest-cache), shared with scripts/vmtest.sh
#   DEBARCH_SUITE=s    the Debian release whose versions are taken
#                      (bookworm; trixie)
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 DEBARCH DEST [--no-deps] PKG..." >&2; exit 64; }
DEBARCH=$1 DEST=$2
shift 2
DEPS=1
if [ "$1" = --no-deps ]; then
	DEPS=0
	shift
fi
CACHE=${VMTEST_CACHE:-build/vmtest-cache}
SUITE=${DEBARCH_SUITE:-bookworm}
MIRROR=${VMTEST_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${VMTEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "debarch: $*" >&2; exit 2; }
say() { echo "debarch: $*" >&2; }
for t in apt-get apt-cache dpkg; do
	command -v "$t" >/dev/null || die "$t not found (Debian's apt and dpkg are needed)"
done
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

want=$(printf '%s\n' "$SUITE" "$DEPS" "$@")
if [ -e "$DEST/.pkgs" ] && [ "$(cat "$DEST/.pkgs")" = "$want" ]; then
	exit 0
fi

. "$(dirname "$0")/debapt.sh"
[ -e "$APTDIR"/updated ] || apt_update

# The packages with their closure, as apt would install them on an empty
# system (the suite's versions, not the newest of any suite here).
if [ "$DEPS" = 1 ]; then
	mapfile -t PKGS < <(apt-get "${APT_OPTS[@]}" install -s --no-install-recommends \
				-t "$SUITE" "$@" 2>"$APTDIR/resolve.log" |
			    awk '$1 == "Inst" { v = $3; gsub(/[()]/, "", v); print $2 "=" v }')
	[ ${#PKGS[@]} -gt 0 ] || { cat "$APTDIR/resolve.log" >&2; die "cannot resolve: $*"; }
else
	PKGS=("$@")
fi

DEBS=$CACHE/debs-$DEBARCH
mkdir -p "$DEBS"
# name=version (the version apt chose, not the newest of any suite), or
# a bare name with --no-deps; the file: name_version_arch.deb, the
# epoch's colon as %3a.
deb_of() {
	local n=${1%%=*} v=
	[ "$n" = "$1" ] || v=${1#*=}
	ls "$DEBS/${n}_${v/:/%3a}"*.deb 2>/dev/null | sort -V | tail -n 1
}
missing=()
for p in "${PKGS[@]}"; do
	[ -n "$(deb_of "$p")" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "debarch: downloading ${#missing[@]} packages ($DEBARCH)" >&2
	(cd "$DEBS" && apt-get "${APT_OPTS[@]}" download "${missing[@]}") ||
		die "apt-get download failed"
fi
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
for p in "${PKGS[@]}"; do
	f=$(deb_of "$p")
	[ -n "$f" ] || die "$p: no .deb in $DEBS after the download"
	dpkg -x "$f" "$DEST.tmp"
done
printf '%s\n' "$want" >"$DEST.tmp/.pkgs"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "debarch: $DEST: ${#PKGS[@]} packages, $(du -sh "$DEST" | cut -f1)" >&2
