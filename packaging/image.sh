#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Build pyaudit's OCI image from scratch with buildah: the static binary
# (make static), the man page, and the copyright files of what it links
# (glibc, libbpf, libelf, zlib, zstd: their licences ask for them). No
# base image, no registry, no shell: the image runs pyaudit and nothing
# else. It reaches the host's files through /proc/PID/root (hostPID), so
# it needs no Python, no libraries and no /etc of its own (no NSS: the
# static glibc never loads it, see docs/design.md); without /etc/localtime
# the text output's times are UTC, as JSON's always are.
#
#   packaging/image.sh BINARY NAME:TAG [DEB_CACHE]
#     BINARY        the statically linked pyaudit
#     NAME:TAG      the image's name in local storage (root: /var/lib/containers)
#     DEB_CACHE  where make static unpacked its packages (their
#                   copyright files); default build/static-cache
#
# 'make image' runs it (for an arm64 binary: IMAGE_ARCH=arm64, the OCI
# architecture, and STRIP=aarch64-linux-gnu-strip).
# Export with: podman save -o pyaudit.tar NAME:TAG
set -euo pipefail

BIN=${1:?usage: image.sh BINARY NAME:TAG [DEB_CACHE]}
NAME=${2:?usage: image.sh BINARY NAME:TAG [DEB_CACHE]}
CACHE=${3:-build/static-cache}
HERE=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "image: $*" >&2; exit 1; }
command -v buildah >/dev/null ||
	die "buildah not found: run scripts/install-deps.sh image (as root)"
[ -x "$BIN" ] || die "$BIN missing: run make static first"
# A dynamically linked binary would not start in an empty image.
if readelf -lW "$BIN" | grep -q INTERP; then
	die "$BIN is dynamically linked: use make static's"
fi
version=$("$BIN" -V | sed -n 's/^pyaudit //p')
libbpf=$("$BIN" -V | sed -n 's/^libbpf \([0-9.]*\) (built against \([0-9.]*\).*/\2/p')
[ -n "$version" ] || die "$BIN -V says no version"

STAGE=$(mktemp -d)
ctr=
cleanup() {
	[ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true
	rm -rf "$STAGE"
}
trap cleanup EXIT

# The files, laid out as in the image.
# Without its debug information (700 KB); BINARY keeps it.
install -D -m 0755 "$BIN" "$STAGE/usr/sbin/pyaudit"
"${STRIP:-strip}" "$STAGE/usr/sbin/pyaudit"
install -D -m 0644 "$HERE/docs/pyaudit.8" "$STAGE/usr/share/man/man8/pyaudit.8"
for d in "$CACHE"/*/usr/share/doc/*/ /usr/share/doc/libc6/; do
	[ -r "$d/copyright" ] || continue
	case $d in */tools/*) continue ;; esac
	install -D -m 0644 "$d/copyright" \
		"$STAGE/usr/share/doc/$(basename "$d")/copyright"
done
# Mount points the manifest and the tests use, and the log directory
# (the empty /tmp keeps tools that expect one quiet).
mkdir -p "$STAGE/sys/kernel/btf" "$STAGE/sys/kernel/tracing" \
	"$STAGE/sys/kernel/debug" "$STAGE/sys/fs/cgroup" "$STAGE/var/log/pyaudit" \
	"$STAGE/proc" "$STAGE/tmp"
chmod 1777 "$STAGE/tmp"

ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$STAGE/" / >/dev/null
buildah config \
	--arch "${IMAGE_ARCH:-$(dpkg --print-architecture)}" \
	--entrypoint '["/usr/sbin/pyaudit"]' \
	--cmd '["--json", "-o", "/var/log/pyaudit/audit.jsonl"]' \
	--workingdir / \
	--env PATH=/usr/sbin \
	--stop-signal SIGTERM \
	--label org.opencontainers.image.title=pyaudit \
	--label org.opencontainers.image.description="CPython audit events (PEP 578) of every Python on the host, with eBPF" \
	--label org.opencontainers.image.version="$version" \
	--label org.opencontainers.image.licenses="LGPL-2.1 OR BSD-2-Clause" \
	--label io.github.pyaudit.libbpf="$libbpf" \
	"$ctr"
buildah commit --quiet --rm "$ctr" "$NAME" >/dev/null
ctr=
echo "image: $NAME ($(buildah images --format '{{.Size}}' "$NAME" | head -n 1))"
