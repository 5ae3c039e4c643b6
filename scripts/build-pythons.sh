#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Provide the CPythons the integration tests need and Debian 12 lacks, in
# a cache directory that later runs reuse (a warm run takes seconds):
#
#   3.13t        --disable-gil --enable-shared   free-threaded, uprobes
#   3.13-dtrace  --with-dtrace                    static libpython, USDT
#   3.14         --with-dtrace                    static libpython, USDT
#   3.14t        --disable-gil --enable-shared
#   3.15         --with-dtrace
#   3.15-shared  --enable-shared                  uprobes
#   3.15t        --disable-gil --enable-shared
#
# and, from Debian unstable's binary packages (below), embedding programs
# (tests/integration/embed.c) linked with Debian's shared libpython:
#
#   3.14-embed           libpython3.14.so.1.0           USDT (Debian's is
#   3.15-embed           libpython3.15.so.1.0           --with-dtrace)
#   3.15-embed-stripped  a copy of it without symbols    uprobes
#                        and without its USDT note
#
# Each is built from Debian unstable's source package (`apt-get source`
# through a private apt configuration under the cache, scripts/debapt.sh;
# the system's sources are untouched): the newest version whose files the
# mirror serves, then the next older one; the upstream tree, without
# Debian's patches. Plain ./configure options, no
# PGO or LTO, OPT=-O1, `nice -n 10 make -j2`, installed with altinstall
# into $CACHE/NAME.
#
# When no source version of 3.14 or 3.15 downloads (the mirror lists them
# and answers 404 for their files), 3.14 and 3.15 fall back to Debian
# unstable's own binary packages (python3.14, python3.15: static
# executables with the python:audit USDT probe), unpacked with dpkg-deb
# into $CACHE/debian-root. They need unstable's glibc, newer than the
# host's, so $CACHE/debian-root/bin/python3.1x runs them in a private mount
# namespace whose /usr is that root's (unshare + bind mount; the rest of
# the host's tree, /tmp and the tests included, stays visible). For
# pyaudit such a Python is a container's Python: it finds the files
# through /proc/PID/root.
#
# The embedding programs are compiled here, against the root's headers
# (libpython3.1x-dev), and run in the root the same way
# ($CACHE/debian-root/bin/NAME FILE.py): a program linked with the
# host's older glibc runs with the root's newer one, and the root's
# ld.so.cache finds its libpython3.1x.so.1.0. The stripped copy is
# $CACHE/debian-root/fs/usr/lib/pyaudit-stripped/libpython3.15.so.1.0,
# which 3.15-embed-stripped finds through its run path.
#
# $CACHE/interpreters.tsv lists, one row each, tab-separated:
#   name  status(ok|skip)  kind(source|debian-root|embed|-)  free_threaded(0|1)
#   version  command  note (the configure options, or why it was skipped)
#   binary (the file with the probes: the executable, or the libpython of
#   a shared build; for pyaudit --binary)
# tests/integration/common.bash reads it (PYAUDIT_PYTHONS).
#
#   PYAUDIT_PYTHONS=dir      the cache (default /var/cache/pyaudit-pythons)
#   PYAUDIT_PYTHONS_ONLY="3.13t 3.15"   provide only these names
#   PYAUDIT_PYTHONS_REFRESH=1           update the package lists now (they
#                                       are otherwise updated once a day)
#   PYAUDIT_PYTHONS_MIRROR=url          (default http://deb.debian.org/debian)
#
# Exit status 0 when every interpreter is provided or skipped with its
# reason in interpreters.tsv; 2 when the cache cannot be set up.
set -euo pipefail

CACHE=${PYAUDIT_PYTHONS:-/var/cache/pyaudit-pythons}
MIRROR=${PYAUDIT_PYTHONS_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=$MIRROR	# (scripts/debapt.sh needs one; unused here)
DEBARCH=amd64
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
OPT='-DNDEBUG -g -O1'
# The interpreters: name, source package, configure options.
SPECS=(
	"3.13t python3.13 --disable-gil --enable-shared"
	"3.13-dtrace python3.13 --with-dtrace"
	"3.14 python3.14 --with-dtrace"
	"3.14t python3.14 --disable-gil --enable-shared"
	"3.15 python3.15 --with-dtrace"
	"3.15-shared python3.15 --enable-shared"
	"3.15t python3.15 --disable-gil --enable-shared"
)
# What the Debian root holds: the interpreters, their shared libpython and
# headers (the embedding programs), and /bin/true and /bin/sh that the
# tests' workloads start.
ROOT_PKGS=(python3.14 python3.15 libpython3.14-dev libpython3.15-dev coreutils dash)
# The embedding programs: name, minor version, stripped (1) or not.
EMBEDS=(
	"3.14-embed 3.14 0"
	"3.15-embed 3.15 0"
	"3.15-embed-stripped 3.15 1"
)
EMBED_C=$(cd "$(dirname "$0")"/.. && pwd)/tests/integration/embed.c

die() { echo "build-pythons: $*" >&2; exit 2; }
say() { echo "build-pythons: $*" >&2; }

[ "$(id -u)" = 0 ] || die "run as root: the private apt configuration and the Debian root need it (sudo)"
for t in apt-get dpkg-source dpkg-deb make gcc objcopy unshare flock; do
	command -v $t >/dev/null || die "$t missing: run scripts/install-deps.sh pythons"
done
mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE (set PYAUDIT_PYTHONS)"
CACHE=$(cd "$CACHE" && pwd)
# One run at a time per cache (CI and a developer on the same machine).
exec 9>"$CACHE"/.lock
flock -n 9 || { say "waiting for the other run on $CACHE"; flock 9; }
LOGS=$CACHE/logs
mkdir -p "$LOGS" "$CACHE"/src

DEBAPT_SOURCES="deb [arch=$DEBARCH signed-by=$KEYRING] $MIRROR unstable main
deb-src [signed-by=$KEYRING] $MIRROR unstable main"
# (scripts/debapt.sh: APTDIR, APT_OPTS, apt_update)
. "$(dirname "$0")/debapt.sh"

lists_fresh() {
	[ -e "$APTDIR"/updated ] && [ -z "${PYAUDIT_PYTHONS_REFRESH:-}" ] &&
		[ $(($(date +%s) - $(cat "$APTDIR"/updated))) -lt 86400 ]
}

ROWS=()
row() {
	local IFS=$'\t'
	ROWS+=("$*")
}

# versions PKG: the source versions of PKG unstable lists, newest first.
versions() {
	apt-cache "${APT_OPTS[@]}" showsrc "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -rV | uniq
}

# fetch_source PKG: unpack the newest source version of PKG whose files
# download into $CACHE/src/PKG_VERSION/tree; SRC is that directory. A
# version already unpacked is reused; a version whose files 404 is noted
# in $CACHE/src/PKG.missing and the next older one is tried. Asked once
# a run per package (FETCHED).
declare -A FETCHED
fetch_source() {
	local pkg=$1 v d why
	if [ -n "${FETCHED[$pkg]:-}" ]; then
		SRC=${FETCHED[$pkg]#-}
		[ -n "$SRC" ]
		return
	fi
	FETCHED[$pkg]=-
	SRC=
	: >"$CACHE"/src/"$pkg".missing
	for v in $(versions "$pkg"); do
		d=$CACHE/src/${pkg}_$v
		if [ -e "$d"/tree/.unpacked ]; then
			SRC=$d/tree
			FETCHED[$pkg]=$SRC
			return 0
		fi
		rm -rf "$d"
		mkdir -p "$d"
		if ! (cd "$d" && apt-get "${APT_OPTS[@]}" source --download-only \
				"$pkg=$v") >"$d"/download.log 2>&1; then
			why=$(grep -m1 -oE '[0-9]{3} +[A-Za-z][A-Za-z ]*[a-z]' "$d"/download.log) ||
				why=$(tail -n 1 "$d"/download.log)
			echo "$v: $(tr -s ' ' <<<"$why")" >>"$CACHE"/src/"$pkg".missing
			rm -rf "$d"
			continue
		fi
		# Debian's patches adapt CPython to Debian's packaging (multiarch
		# paths, install schemes, link options): left out, the tree is
		# the upstream release, as pyenv and python.org build it.
		(cd "$d" && dpkg-source --no-check --skip-patches -x ./*.dsc tree) \
			>"$d"/unpack.log 2>&1 ||
			{ say "$pkg $v: dpkg-source -x failed (see $d/unpack.log)"; continue; }
		touch "$d"/tree/.unpacked
		# older versions are not needed any more
		find "$CACHE"/src -maxdepth 1 -name "${pkg}_*" ! -path "$d" -exec rm -rf {} +
		SRC=$d/tree
		FETCHED[$pkg]=$SRC
		return 0
	done
	return 1
}

# build NAME SRCDIR OPTIONS...: configure, make, altinstall into
# $CACHE/NAME; the stamp $CACHE/NAME/.built records source and options.
build() {
	local name=$1 src=$2 b=$CACHE/build/$1 p=$CACHE/$1
	shift 2
	local stamp="$src (upstream) $* OPT=$OPT"
	if [ -e "$p"/.built ] && [ "$(cat "$p"/.built)" = "$stamp" ]; then
		return 0
	fi
	say "building $name from $src ($*; 1 to 2 minutes on 2 idle cores)"
	local t0=$SECONDS
	rm -rf "$b" "$p"
	mkdir -p "$b"
	local ldflags=
	case " $* " in *" --enable-shared "*) ldflags="-Wl,-rpath,$p/lib" ;; esac
	if ! (cd "$b" &&
		"$src"/configure --prefix="$p" --without-ensurepip \
			--disable-test-modules "$@" OPT="$OPT" LDFLAGS="$ldflags" &&
		nice -n 10 make -j2 &&
		nice -n 10 make altinstall) >"$LOGS/$name.log" 2>&1; then
		rm -rf "$p"
		return 1
	fi
	rm -rf "$b"
	echo "$stamp" >"$p"/.built
	say "built $name in $((SECONDS - t0)) s"
}

# provide_source SPEC: build one interpreter of SPECS and add its row.
provide_source() {
	local name=$1 pkg=$2 ft=0 exe ver bin src
	shift 2
	local minor=${pkg#python}
	case " $* " in *" --disable-gil "*) ft=1 ;; esac
	exe=$CACHE/$name/bin/python$minor
	[ $ft = 1 ] && exe=${exe}t
	if ! fetch_source "$pkg"; then
		row "$name" skip - $ft - - "no source of $pkg downloads from $MIRROR unstable ($(paste -sd ';' "$CACHE"/src/"$pkg".missing))"
		return 1
	fi
	src=$SRC
	if ! build "$name" "$src" "$@"; then
		row "$name" skip - $ft - - "build failed: $* (see $LOGS/$name.log)"
		return 1
	fi
	ver=$("$exe" -c 'import sys; print(sys.version.split()[0])') ||
		{ row "$name" skip - $ft - - "built but $exe does not run"; return 1; }
	bin=$exe
	case " $* " in
	*" --enable-shared "*) bin=$(ls "$CACHE/$name/lib/libpython$minor"*.so.1.0) ;;
	esac
	row "$name" ok source $ft "$ver" "$exe" "${src#"$CACHE"/src/} $*" "$bin"
}

# debian_root: unpack unstable's ROOT_PKGS and their dependencies into
# $CACHE/debian-root/usr (usr-merged), with wrappers in
# $CACHE/debian-root/bin. Redone when the package versions change;
# checked once a run (ROOT_STATUS).
ROOT_STATUS=
debian_root() {
	[ -z "$ROOT_STATUS" ] || return "$ROOT_STATUS"
	ROOT_STATUS=1
	unpack_root || return 1
	ROOT_STATUS=0
}

unpack_root() {
	local r=$CACHE/debian-root want have deb
	want=$(apt-cache "${APT_OPTS[@]}" policy "${ROOT_PKGS[@]}" 2>/dev/null |
		awk '/^[^ ]/ { p = $1 } /Candidate:/ { print p, $2 }')
	have=$(cat "$r"/.built 2>/dev/null || true)
	[ -n "$want" ] && [ "$want" = "$have" ] && return 0
	say "unpacking Debian unstable's ${ROOT_PKGS[*]} into $r"
	rm -rf "$r" "$APTDIR"/cache/archives/*.deb
	mkdir -p "$r"/fs "$r"/bin
	apt-get "${APT_OPTS[@]}" -y --download-only install "${ROOT_PKGS[@]}" \
		>"$LOGS"/debian-root.log 2>&1 || return 1
	for deb in "$APTDIR"/cache/archives/*.deb; do
		dpkg-deb -x "$deb" "$r"/fs || return 1
	done
	# Merge /bin /sbin /lib* into /usr, as unstable's installed root is.
	for d in bin sbin lib lib64; do
		if [ -d "$r"/fs/$d ] && [ ! -L "$r"/fs/$d ]; then
			mkdir -p "$r"/fs/usr/$d
			cp -a "$r"/fs/$d/. "$r"/fs/usr/$d/
			rm -rf "${r:?}"/fs/$d
		fi
	done
	rm -f "$APTDIR"/cache/archives/*.deb
	# the static libpython of the -dev packages: 57 MB nothing uses
	rm -f "$r"/fs/usr/lib/python3.*/config-*/libpython3.*.a
	mkdir -p "$r"/fs/etc
	ldconfig -r "$r"/fs 2>>"$LOGS"/debian-root.log || return 1
	echo "$want" >"$r"/.built
}

# root_wrapper WRAPPER PROGRAM: write WRAPPER, which runs PROGRAM (a path
# in the root's tree, or a host path outside /usr) with the root's /usr
# (and its ld.so.cache) over the host's, in a private mount namespace;
# the same process all along (exec), so `pyaudit -- WRAPPER` traces the
# program itself.
root_wrapper() {
	local w=$1 prog=$2 r=$CACHE/debian-root
	cat >"$w".new <<EOF
#!/bin/sh
# $prog with $r/fs/usr as /usr (build-pythons.sh).
exec unshare --mount --propagation private /bin/sh -c '
	mount --bind "\$0/etc/ld.so.cache" /etc/ld.so.cache &&
	mount --bind "\$0/usr" /usr &&
	exec "$prog" "\$@"' "$r/fs" "\$@"
EOF
	chmod +x "$w".new
	mv "$w".new "$w"
}

# debian_python MINOR: the wrapper of unstable's python$MINOR; prints
# its version.
debian_python() {
	local minor=$1 r=$CACHE/debian-root w ver
	w=$r/bin/python$minor
	[ -x "$r/fs/usr/bin/python$minor" ] || return 1
	root_wrapper "$w" /usr/bin/python$minor
	ver=$("$w" -c 'import sys; print(sys.version.split()[0])') || return 1
	echo "$ver"
}

provide_debian() {
	local name=$1 minor=$2 why=$3 ver
	if debian_root && ver=$(debian_python "$minor"); then
		row "$name" ok debian-root 0 "$ver" "$CACHE/debian-root/bin/python$minor" \
			"Debian unstable's python$minor package, static, USDT (source: $why)" \
			"$CACHE/debian-root/fs/usr/bin/python$minor"
	else
		row "$name" skip - 0 - - "source: $why; Debian root failed (see $LOGS/debian-root.log)"
	fi
}

# debian_embed NAME MINOR STRIPPED: compile the embedding program
# $CACHE/debian-root/embed/NAME against the root's libpython$MINOR (its
# stripped copy when STRIPPED is 1), write its wrapper
# $CACHE/debian-root/bin/NAME, and print the version it runs and the
# libpython it loaded (/proc/self/maps, inside the root).
debian_embed() {
	local name=$1 minor=$2 stripped=$3 r=$CACHE/debian-root
	local lib=/usr/lib/x86_64-linux-gnu/libpython$minor.so.1.0
	local out=$r/embed/$name rpath= check=$r/embed/check.py
	[ -e "$r/fs$lib" ] || { echo "$lib is not in the root"; return 1; }
	[ -e "$r/fs/usr/include/python$minor/Python.h" ] ||
		{ echo "no Python.h (libpython$minor-dev) in the root"; return 1; }
	mkdir -p "$r"/embed
	if [ "$stripped" = 1 ]; then
		# No symbol table (Debian's has none already), and no USDT
		# note: an --enable-shared build without --with-dtrace as a
		# distribution strips it, which pyaudit traces with uprobes
		# it finds without symbols.
		mkdir -p "$r"/fs/usr/lib/pyaudit-stripped
		if [ ! -e "$r/fs/usr/lib/pyaudit-stripped/${lib##*/}" ]; then
			objcopy --strip-all --remove-section=.note.stapsdt "$r/fs$lib" \
				"$r/fs/usr/lib/pyaudit-stripped/${lib##*/}.new" ||
				{ echo "objcopy of $lib failed"; return 1; }
			mv "$r/fs/usr/lib/pyaudit-stripped/${lib##*/}.new" \
				"$r/fs/usr/lib/pyaudit-stripped/${lib##*/}"
		fi
		lib=/usr/lib/pyaudit-stripped/${lib##*/}
		rpath=-Wl,-rpath,${lib%/*}
	fi
	# Linked with the host's glibc (2.36 on Debian 12); what libpython
	# needs of the root's newer one (__isoc23_strtol@GLIBC_2.38...) is
	# left to the dynamic loader in the root.
	if [ ! -x "$out" ] || [ "$EMBED_C" -nt "$out" ]; then
		gcc -O1 -Wall -I"$r/fs/usr/include/python$minor" -idirafter "$r/fs/usr/include" \
			"$EMBED_C" -o "$out".new "$r/fs$lib" $rpath \
			-Wl,--allow-shlib-undefined \
			>>"$LOGS"/debian-root.log 2>&1 ||
			{ echo "cannot compile $EMBED_C against the root's libpython$minor (see $LOGS/debian-root.log)"; return 1; }
		mv "$out".new "$out"
	fi
	root_wrapper "$r/bin/$name" "$out"
	printf '%s\n' 'import sys' 'print(sys.version.split()[0])' \
		'print([l.split()[-1] for l in open("/proc/self/maps") if "/libpython" in l][0])' >"$check"
	"$r/bin/$name" "$check" | paste -sd ' ' ||
		{ echo "$r/bin/$name does not run"; return 1; }
}

# provide_embed SPEC: the row of one of EMBEDS.
provide_embed() {
	local name=$1 minor=$2 stripped=$3 r=$CACHE/debian-root out ver lib note
	if ! debian_root; then
		row "$name" skip - 0 - - "Debian root failed (see $LOGS/debian-root.log)"
		return 1
	fi
	if ! out=$(debian_embed "$name" "$minor" "$stripped"); then
		row "$name" skip - 0 - - "$out"
		return 1
	fi
	read -r ver lib <<<"$out"
	note="embedding program (tests/integration/embed.c) with Debian unstable's libpython$minor.so.1.0, USDT"
	[ "$stripped" = 0 ] || note="embedding program (tests/integration/embed.c) with a copy of Debian unstable's libpython$minor.so.1.0 without symbols or USDT note (objcopy --strip-all --remove-section=.note.stapsdt), uprobes"
	case $lib in
	/usr/lib/pyaudit-stripped/*) [ "$stripped" = 1 ] ;;
	*) [ "$stripped" = 0 ] ;;
	esac || { row "$name" skip - 0 - - "$r/bin/$name loaded $lib"; return 1; }
	row "$name" ok embed 0 "$ver" "$r/bin/$name" "$note" "$r/fs$lib"
}

# Elsewhere than x86-64 every interpreter is skipped, saying why (the
# tests then skip naming it).
NOARCH=
[ "$(uname -m)" = x86_64 ] ||
	NOARCH="this script builds for x86-64 (Debian amd64 packages); this machine is $(uname -m)"
# A failed update keeps the lists of the last one (the mirror may be
# away for a while); with none, nothing can be had.
if [ -z "$NOARCH" ] && ! lists_fresh && ! (apt_update); then
	[ -e "$APTDIR"/updated ] || die "apt-get update failed and there are no older lists"
	say "apt-get update failed: using the lists of $(date -u -d @"$(cat "$APTDIR"/updated)")"
fi

only=" ${PYAUDIT_PYTHONS_ONLY:-} "
for spec in "${SPECS[@]}"; do
	set -- $spec
	[ "$only" = "  " ] || [[ $only == *" $1 "* ]] || continue
	[ -z "$NOARCH" ] || { row "$1" skip - - - - "$NOARCH"; continue; }
	provide_source "$@" && continue
	# Only 3.14 and 3.15 have a binary stand-in; the last row says why.
	case $1 in
	3.14|3.15)
		why=${ROWS[-1]##*$'\t'}
		unset 'ROWS[-1]'
		provide_debian "$1" "$1" "$why"
		;;
	esac
done

for spec in "${EMBEDS[@]}"; do
	set -- $spec
	[ "$only" = "  " ] || [[ $only == *" $1 "* ]] || continue
	[ -z "$NOARCH" ] || { row "$1" skip - - - - "$NOARCH"; continue; }
	provide_embed "$@" || true
done

# With PYAUDIT_PYTHONS_ONLY, the other names keep their rows.
{
	printf '%s\n' "${ROWS[@]}"
	[ "$only" = "  " ] || [ ! -e "$CACHE"/interpreters.tsv ] ||
		awk -F'\t' -v only="$only" 'index(only, " " $1 " ") == 0' "$CACHE"/interpreters.tsv
} >"$CACHE"/interpreters.tsv.new
mv "$CACHE"/interpreters.tsv.new "$CACHE"/interpreters.tsv
awk -F'\t' '{ printf "build-pythons: %-12s %-4s %-11s %s %s\n", $1, $2, $3, $5, ($2 == "ok" ? $6 : $7) }' \
	"$CACHE"/interpreters.tsv >&2
