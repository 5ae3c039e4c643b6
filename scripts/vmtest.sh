#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Boot a Debian kernel under QEMU and run one test command inside it, the
# way virtme does: the host's root is shared read-only over 9p, a small
# busybox initramfs loads the virtio/9p modules of the kernel package,
# mounts the root, proc, sys, debugfs, tracefs, bpffs, cgroup2 and tmpfs
# over /tmp /run /var/tmp, runs the command in the current directory and
# powers off. The command's exit status comes back through a shared
# directory and is this script's.
#
#   KERNEL=6.1|6.12|newest|5.10   which Debian kernel (default 6.1): the
#                                 newest package of Debian 12's 6.1, of
#                                 Debian 12's 6.12, of any suite here, of
#                                 Debian 11's 5.10 (VMTEST_REFRESH=1 looks
#                                 again)
#   ARCH=x86_64|arm64             guest architecture: x86_64 shares this
#                                 machine's root; arm64 boots a root of
#                                 Debian's arm64 packages (cached) under
#                                 qemu-system-aarch64 -M virt
#   VMTEST_SUITE=bookworm|trixie  the Debian release of an arm64 guest's
#                                 root (python3.11 or python3.13)
#   VMTEST_CMD='...'              the command (default: the smoke set)
#   VMTEST_CACHE=dir              downloads and initramfs (build/vmtest-cache)
#   VMTEST_ACCEL=tcg|kvm          tcg by default (this host's nested KVM
#                                 cannot run stock kernels)
#   The console of the last run is kept in $VMTEST_CACHE/last-KERNEL-ARCH.log.
#   VMTEST_MEM=2G VMTEST_SMP=2 VMTEST_TIMEOUT=900 (seconds) VMTEST_LOGLEVEL=3
#                                 (7: the kernel's warnings with their traces)
#
# Kernels come from Debian's archive through `apt-get download` with a
# private apt configuration under the cache (bookworm and its backports
# and security updates, bullseye for 5.10, trixie and trixie-backports for
# the newest); nothing is installed into the system and the system's
# sources are untouched. A second run downloads nothing.
#
# Exit status: the command's; 2 when the VM cannot be set up (a tool or
# a package missing), 3 when the guest gave no status (it crashed or
# VMTEST_TIMEOUT passed: see the console log).
set -euo pipefail

KERNEL=${KERNEL:-6.1}
GUEST_PKGS=()
ARCH=${ARCH:-x86_64}
CACHE=${VMTEST_CACHE:-build/vmtest-cache}
ACCEL=${VMTEST_ACCEL:-tcg}
MEM=${VMTEST_MEM:-2G}
SMP=${VMTEST_SMP:-2}
TIMEOUT=${VMTEST_TIMEOUT:-900}
CMD=${VMTEST_CMD:-PYAUDIT=$PWD/pyaudit BUILD=$PWD/build bats tests/integration/vmsmoke.bats}
MIRROR=${VMTEST_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${VMTEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "vmtest: $*" >&2; exit 2; }
say() { echo "vmtest: $*" >&2; }

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# ---- per architecture ---------------------------------------------------

case $ARCH in
x86_64|amd64)
	ARCH=x86_64 DEBARCH=amd64 FLAVOUR=amd64
	QEMU=qemu-system-x86_64
	QEMU_MACHINE=(-M q35)
	QEMU_CPU=max CONSOLE=ttyS0
	# Modules the guest needs, when the kernel has them as modules.
	MODS=(virtio_pci 9pnet_virtio 9p virtio_rng)
	;;
arm64|aarch64)
	ARCH=arm64 DEBARCH=arm64 FLAVOUR=arm64
	QEMU=qemu-system-aarch64
	QEMU_MACHINE=(-M virt)
	# pauth-impdef: QEMU's cheap pointer authentication (the
	# architected one costs TCG much more)
	QEMU_CPU=max,pauth-impdef=on CONSOLE=ttyAMA0
	MODS=(virtio_mmio virtio_pci 9pnet_virtio 9p virtio_rng)
	# This host's root is x86_64: the guest's is made of Debian's arm64
	# packages (about 60 MB unpacked), with the cross-built pyaudit in
	# the work tree (make ARCH=arm64).
	# VMTEST_SUITE=trixie: Debian 13's packages, whose Python is 3.13
	case ${VMTEST_SUITE:-bookworm} in
	bookworm) GUEST_PKGS=(python3.11 libelf1) ;;
	trixie)	GUEST_PKGS=(python3.13 libelf1t64) ;;	# (the 64-bit time_t renames)
	*)	die "unknown VMTEST_SUITE=$VMTEST_SUITE (bookworm, trixie)" ;;
	esac
	GUEST_PKGS+=(busybox-static libbpf1 zlib1g bash jq bats)
	;;
*)	die "unknown ARCH=$ARCH" ;;
esac

for t in "$QEMU" busybox apt-get dpkg xz; do
	command -v "$t" >/dev/null ||
		die "$t not found: run 'make vmtest-deps' (or scripts/install-deps.sh vmtest) as root"
done
# (grep without -q: under pipefail, busybox killed by SIGPIPE would fail)
busybox --list 2>/dev/null | grep -x cpio >/dev/null ||
	die "busybox has no cpio applet: install busybox-static"
BUSYBOX=$(command -v busybox)
ldd "$BUSYBOX" >/dev/null 2>&1 &&
	die "$BUSYBOX is dynamically linked: install busybox-static"

# ---- a private apt configuration -----------------------------------------

# (scripts/debapt.sh: APTDIR, APT_OPTS, apt_update)
. "$(dirname "$0")/debapt.sh"

# The binary package of the kernel asked for: its name.
pick_kernel() {
	local re
	# The generic flavour only (no -rt-, -cloud-): a name whose part
	# after the version has no '-'.
	local tail="([+][a-z0-9.~]+)?-$FLAVOUR\$"
	case $KERNEL in
	6.1)	re="^linux-image-6\.1\.0-[0-9]+$tail" ;;
	5.10)	re="^linux-image-5\.10\.0-[0-9]+$tail" ;;
	# Debian 12's 6.12 (bookworm-security or -backports), not trixie's
	6.12)	re="^linux-image-6\.12\.[0-9]+[+](deb12|bpo)[a-z0-9.~]*-$FLAVOUR\$" ;;
	newest)	re="^linux-image-[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+)?$tail" ;;
	[0-9]*)	re="^linux-image-${KERNEL//./\\.}(\.[0-9]+)?(-[0-9]+)?$tail" ;;
	*)	die "unknown KERNEL=$KERNEL (6.1, 6.12, newest, 5.10)" ;;
	esac
	apt-cache "${APT_OPTS[@]}" pkgnames linux-image- |
		grep -E "$re" | grep -vE -- '-(dbg|unsigned)$' | sort -V | tail -n 1
}

PKG=
if [ -s "$CACHE/kernel-$KERNEL-$DEBARCH" ] && [ -z "${VMTEST_REFRESH:-}" ]; then
	PKG=$(cat "$CACHE/kernel-$KERNEL-$DEBARCH")
fi
if [ -z "$PKG" ] || [ ! -e "$CACHE/kernels/$PKG/.done" ]; then
	[ -e "$APTDIR"/updated ] && [ -z "${VMTEST_REFRESH:-}" ] || apt_update
	PKG=$(pick_kernel)
	if [ -z "$PKG" ]; then
		apt_update
		PKG=$(pick_kernel)
	fi
	[ -n "$PKG" ] || die "no Debian package for KERNEL=$KERNEL"
	echo "$PKG" >"$CACHE/kernel-$KERNEL-$DEBARCH"
fi
KDIR=$CACHE/kernels/$PKG
if [ ! -e "$KDIR/.done" ]; then
	# The image package, and since Debian 13's 6.17 the packages it is
	# split into (linux-binary-*, linux-modules-*: same version).
	PKGS=("$PKG")
	for d in $(apt-cache "${APT_OPTS[@]}" show "$PKG" 2>/dev/null |
		   sed -n '1,/^$/s/^Depends: //p' | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' |
		   grep -E '^linux-(binary|modules)-'); do
		PKGS+=("$d")
	done
	mkdir -p "$CACHE/debs"
	rm -rf "$KDIR"
	mkdir -p "$KDIR"
	for p in "${PKGS[@]}"; do
		if ! ls "$CACHE"/debs/"${p}"_*.deb >/dev/null 2>&1; then
			say "downloading $p"
			(cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download "$p") ||
				die "apt-get download $p failed"
		fi
		dpkg -x "$(ls "$CACHE"/debs/"${p}"_*.deb | sort -V | tail -n 1)" "$KDIR"
	done
	# The extracted tree is the cache from now on (the .debs are
	# 60-110 MB each); its modules are pruned once the initramfs is built.
	for p in "${PKGS[@]}"; do rm -f "$CACHE"/debs/"${p}"_*.deb; done
	rm -rf "$KDIR/usr/share"
	touch "$KDIR/.done"
fi
# /boot/vmlinuz-KVER, or (Debian 13's split packages) /usr/lib/modules/KVER/vmlinuz
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* "$KDIR"/usr/lib/modules/*/vmlinuz "$KDIR"/lib/modules/*/vmlinuz 2>/dev/null | head -n 1 || true)
[ -n "$VMLINUZ" ] || die "no vmlinuz in $PKG"
case $VMLINUZ in
*/boot/vmlinuz-*) KVER=${VMLINUZ##*/vmlinuz-} ;;
*) KVER=${VMLINUZ%/vmlinuz}; KVER=${KVER##*/} ;;
esac
MODDIR=$KDIR/lib/modules/$KVER
[ -d "$MODDIR/kernel" ] || MODDIR=$KDIR/usr/lib/modules/$KVER
[ -d "$MODDIR/kernel" ] || die "no modules in $PKG"

# ---- the guest's root ------------------------------------------------------

# The host's, or (another architecture) one unpacked from Debian's
# packages by scripts/debarch.sh, with busybox's applets where the
# packages have no program (coreutils, grep, sed ... for bats and the
# tests) and the directories the init mounts on.
ROOTFS=/
GUEST_BUSYBOX=$BUSYBOX
if [ ${#GUEST_PKGS[@]} -gt 0 ]; then
	ROOTFS=$CACHE/root-$DEBARCH
	[ "${VMTEST_SUITE:-bookworm}" = bookworm ] || ROOTFS=$ROOTFS-$VMTEST_SUITE
	VMTEST_CACHE=$CACHE DEBARCH_SUITE=${VMTEST_SUITE:-bookworm} \
		"$(dirname "$0")/debarch.sh" "$DEBARCH" "$ROOTFS" "${GUEST_PKGS[@]}" ||
		die "cannot make the $DEBARCH root"
	GUEST_BUSYBOX=$ROOTFS/bin/busybox
	[ -x "$GUEST_BUSYBOX" ] || die "no busybox in $ROOTFS"
	if [ ! -e "$ROOTFS/.vmtest-ready" ]; then
		# The applets of this machine's busybox-static: the same
		# Debian version as the guest's.
		for a in $("$BUSYBOX" --list-full); do
			[ -e "$ROOTFS/$a" ] || [ -L "$ROOTFS/$a" ] || {
				mkdir -p "$ROOTFS/$(dirname "$a")"
				ln -s /bin/busybox "$ROOTFS/$a"
			}
		done
		mkdir -p "$ROOTFS"/{tmp,run,var/tmp,proc,sys,dev,root,etc}
		[ -e "$ROOTFS/etc/passwd" ] || echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
		[ -e "$ROOTFS/etc/group" ] || echo 'root:x:0:' >"$ROOTFS/etc/group"
		touch "$ROOTFS/.vmtest-ready"
	fi
	# the work tree's mount point (the init cannot make it: the root is
	# shared read-only)
	mkdir -p "$ROOTFS$PWD"
fi

# ---- the initramfs -----------------------------------------------------

# A module's dependencies, from its own .modinfo (no depmod here).
mod_path() {	# name -> path under $MODDIR, or nothing (built in / absent)
	local n=${1//-/_} alt=${1//_/-}
	find "$MODDIR/kernel" \( -name "$n.ko*" -o -name "$alt.ko*" \) -print -quit
}
mod_depends() {	# path -> dependency names
	local f=$1
	case $f in
	*.xz)	xz -dc "$f" ;;
	*.zst)	zstd -qdc "$f" ;;
	*.gz)	gzip -dc "$f" ;;
	*)	cat "$f" ;;
	esac | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
}
ORDER=()
declare -A SEEN=()
add_mod() {
	local name=$1 p d
	[ -z "${SEEN[$name]:-}" ] || return 0
	SEEN[$name]=1
	p=$(mod_path "$name")
	[ -n "$p" ] || return 0
	for d in $(mod_depends "$p"); do
		add_mod "$d"
	done
	ORDER+=("$p")
}

INITRD=$CACHE/initramfs-$KVER.cpio.gz
if [ ! -s "$INITRD" ] || [ "$INITRD" -ot "$0" ]; then
	say "building $INITRD"
	for m in "${MODS[@]}"; do add_mod "$m"; done
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,modules}
	cp "$GUEST_BUSYBOX" "$tmp/bin/busybox"
	: >"$tmp/modules/order"
	for p in "${ORDER[@]}"; do
		b=${p##*/}
		case $b in
		*.xz)	xz -dc "$p" >"$tmp/modules/${b%.xz}"; b=${b%.xz} ;;
		*.zst)	zstd -qdc "$p" >"$tmp/modules/${b%.zst}"; b=${b%.zst} ;;
		*.gz)	gzip -dc "$p" >"$tmp/modules/${b%.gz}"; b=${b%.gz} ;;
		*)	cp "$p" "$tmp/modules/$b" ;;
		esac
		echo "$b" >>"$tmp/modules/order"
	done
	cat >"$tmp/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do insmod /modules/$m 2>/dev/null; done
set -- $(cat /proc/cmdline)
for a; do case $a in vmtest.dir=*) DIR=${a#vmtest.dir=} ;; esac; done
fail() { echo "vmtest init: $*"; poweroff -f; }
R=/newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose root $R ||
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 root $R || fail "cannot mount the root"
mount -t tmpfs tmpfs $R/run || fail "cannot mount /run"
mkdir -p $R/run/vmtest
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmtest $R/run/vmtest || fail "cannot mount the shared directory"
mount -t tmpfs tmpfs $R/tmp
mount -t tmpfs tmpfs $R/var/tmp
# The work tree, at its own path: under /tmp (a CI clone) the root's copy
# is hidden by the tmpfs above.
W=$(cat $R/run/vmtest/pwd)
mkdir -p "$R$W" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 work "$R$W" ||
	fail "cannot mount the work tree $W"
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null ||
	mount -t tracefs tracefs $R/sys/kernel/debug/tracing
mount -t bpf bpf $R/sys/fs/bpf
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup
read up idle </proc/uptime
echo "$up" >$R/run/vmtest/boot
echo "vmtest: user space after ${up}s; running: $(cat $R/run/vmtest/cmd)"
chroot $R /bin/sh -c '. /run/vmtest/env; cd "$VMTEST_PWD" && exec /bin/sh /run/vmtest/cmd' </dev/console >/dev/console 2>&1
echo $? >$R/run/vmtest/status
read up idle </proc/uptime
echo "$up" >$R/run/vmtest/end
sync
poweroff -f
EOF
	chmod +x "$tmp/init"
	(cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$tmp"
	# Keep only the modules the initramfs takes (a kernel's modules are
	# 300-800 MB): enough to build it again.
	if [ ${#ORDER[@]} -gt 0 ]; then
		printf '%s\n' "${ORDER[@]}" | sort >"$tmp.keep"
		find "$MODDIR/kernel" -type f | sort | comm -23 - "$tmp.keep" | xargs -r rm -f
		find "$MODDIR/kernel" -type d -empty -delete
		rm -f "$tmp.keep"
	fi
fi

# ---- run ---------------------------------------------------------------

RUN=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
printf '%s\n' "$CMD" >"$RUN/cmd"
printf '%s\n' "$PWD" >"$RUN/pwd"
{
	printf 'export PATH=%q\n' "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	printf 'export HOME=/root TERM=dumb LANG=C.UTF-8\n'
	printf 'export VMTEST_PWD=%q VMTEST_KERNEL=%q\n' "$PWD" "$KVER"
	printf 'export PYAUDIT_IN_VM=1\n'
} >"$RUN/env"

case $ACCEL in
tcg)	ACCEL_OPTS=(-accel tcg,thread=multi -cpu "$QEMU_CPU") ;;
kvm)	ACCEL_OPTS=(-accel kvm -cpu host) ;;
*)	die "unknown VMTEST_ACCEL=$ACCEL" ;;
esac

say "booting $PKG ($KVER) on $ARCH under $ACCEL; command: $CMD"
t0=$(date +%s.%N)
set +e
timeout "$TIMEOUT" "$QEMU" "${QEMU_MACHINE[@]}" "${ACCEL_OPTS[@]}" -m "$MEM" -smp "$SMP" \
	-nographic -no-reboot -nodefaults -serial mon:stdio \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=$CONSOLE rdinit=/init panic=-1 quiet loglevel=${VMTEST_LOGLEVEL:-3} mitigations=off" \
	-virtfs "local,path=$ROOTFS,mount_tag=root,security_model=none,multidevs=remap,readonly=on" \
	-virtfs "local,path=$RUN,mount_tag=vmtest,security_model=none" \
	-virtfs "local,path=$PWD,mount_tag=work,security_model=none,multidevs=remap,readonly=on" \
	-device virtio-rng-pci </dev/null | tee "$CACHE/last-$KERNEL-$ARCH.log"
qrc=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
if [ ! -e "$RUN/status" ]; then
	say "no exit status from the guest (qemu exited with $qrc)"
	exit 3
fi
rc=$(cat "$RUN/status")
awk -v t0="$t0" -v t1="$t1" -v b="$(cat "$RUN/boot")" -v e="$(cat "$RUN/end")" \
	-v k="$KVER" -v rc="$rc" 'BEGIN {
	printf "vmtest: %s: boot %.1fs, test %.1fs, total %.1fs (wall clock), exit status %d\n",
		k, b, e - b, t1 - t0, rc }' >&2
exit "$rc"
