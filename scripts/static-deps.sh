#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Fetch what 'make static' links: libbpf 1.4 from bookworm-backports
# (libbpf-dev ships libbpf.a and the headers its usdt.bpf.h and skeletons
# must match), libelf, zlib and zstd (bookworm's libelf.a calls zstd), all
# as Debian packages unpacked into a cache, plus bpftool 7.5 from
# bookworm-backports to generate the skeleton. Nothing is installed into
# the system and the system's apt sources are untouched: apt runs with a
# private configuration (APT_CONFIG) whose state lives in the cache.
#
#   static-deps.sh CACHE DEBARCH
#     CACHE    directory for apt's state, the .debs and the unpacked trees
#     DEBARCH  Debian architecture of the libraries (amd64, arm64)
#
# Prints nothing when the cache is complete. Afterwards:
#   CACHE/DEBARCH/usr/include, CACHE/DEBARCH/usr/lib/<triplet>/lib*.a
#   CACHE/tools/usr/sbin/bpftool   (the build machine's architecture)
# Exit status: 0, or 2 when a tool or a package is missing.
set -euo pipefail

CACHE=${1:?usage: static-deps.sh CACHE DEBARCH}
DEBARCH=${2:?usage: static-deps.sh CACHE DEBARCH}
MIRROR=${STATIC_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${STATIC_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# The suites are named, not the versions (the archive keeps only the
# newest): a cache, once filled, keeps its versions; an empty one gets
# the newest backport (libbpf-dev 1:1.4.6-1~bpo12+1 and bpftool
# 7.5.0+6.12.95-1~bpo12+1 when this was written).
LIBS=(libbpf-dev/bookworm-backports libelf-dev zlib1g-dev libzstd-dev)
TOOLS=(bpftool/bookworm-backports)

die() { echo "static-deps: $*" >&2; exit 2; }
for t in apt-get dpkg dpkg-deb; do
	command -v "$t" >/dev/null || die "$t not found (Debian's apt and dpkg are needed)"
done
BUILDARCH=$(dpkg --print-architecture)
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# One apt state per target architecture (its lists and the build
# machine's, for bpftool), so that switching does not refetch the lists.
APTDIR=$CACHE/apt-$DEBARCH
mkdir -p "$APTDIR"/lists/partial "$APTDIR"/archives/partial "$APTDIR"/parts
: >>"$APTDIR"/status
ARCHS=$BUILDARCH
[ "$DEBARCH" = "$BUILDARCH" ] || ARCHS="$BUILDARCH,$DEBARCH"
KEY=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r $KEY ] || die "$KEY missing: apt-get install debian-archive-keyring"
{
	for s in bookworm bookworm-updates bookworm-backports; do
		echo "deb [arch=$ARCHS signed-by=$KEY] $MIRROR $s main"
	done
	echo "deb [arch=$ARCHS signed-by=$KEY] $SECMIRROR bookworm-security main"
} >"$APTDIR"/sources.list.new
cat >"$APTDIR"/apt.conf <<EOF
Dir::Etc::SourceList "$APTDIR/sources.list";
Dir::Etc::SourceParts "$APTDIR/parts";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$APTDIR/parts";
Dir::State "$APTDIR";
Dir::State::Lists "$APTDIR/lists";
Dir::State::status "$APTDIR/status";
Dir::Cache "$APTDIR";
Dir::Cache::Archives "$APTDIR/archives";
APT::Architecture "$BUILDARCH";
APT::Architectures { $(echo "\"$ARCHS\"" | sed 's/,/"; "/g'); };
Debug::NoLocking "1";
APT::Sandbox::User "root";
Acquire::Languages "none";
quiet "1";
EOF
export APT_CONFIG=$APTDIR/apt.conf
if ! cmp -s "$APTDIR"/sources.list.new "$APTDIR"/sources.list; then
	mv "$APTDIR"/sources.list.new "$APTDIR"/sources.list
	rm -f "$APTDIR"/updated
else
	rm -f "$APTDIR"/sources.list.new
fi
if [ ! -e "$APTDIR"/updated ]; then
	echo "static-deps: apt-get update (private configuration in $APTDIR)" >&2
	apt-get update >"$APTDIR"/update.log 2>&1 ||
		{ cat "$APTDIR"/update.log >&2; die "apt-get update failed"; }
	touch "$APTDIR"/updated
fi

# Download PKG[/SUITE] for ARCH and unpack it into DEST (once).
unpack() {
	local spec=$1 arch=$2 dest=$3 name=${1%%/*} deb
	[ -e "$dest/.$name.done" ] && return 0
	mkdir -p "$CACHE/debs" "$dest"
	(cd "$CACHE/debs" && apt-get download "$name:$arch${spec#"$name"}") >&2 ||
		die "apt-get download $name:$arch${spec#"$name"} failed"
	deb=$(ls -t "$CACHE"/debs/"${name}"_*_"$arch".deb | head -n 1)
	dpkg -x "$deb" "$dest"
	dpkg-deb -f "$deb" Version >"$dest/.$name.done"
}
for p in "${LIBS[@]}"; do
	unpack "$p" "$DEBARCH" "$CACHE/$DEBARCH"
done
for p in "${TOOLS[@]}"; do
	unpack "$p" "$BUILDARCH" "$CACHE/tools"
done
