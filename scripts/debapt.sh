# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by scripts/vmtest.sh and scripts/debarch.sh: a private apt
# configuration for Debian's packages of architecture $DEBARCH under
# $CACHE/apt-$DEBARCH (bookworm and its updates, security and backports,
# bullseye for 5.10, trixie and trixie-backports), so that packages are
# downloaded, never installed, and the system's sources stay untouched.
# Needs CACHE, DEBARCH, MIRROR, SECMIRROR, die and say; sets APTDIR and
# APT_OPTS, and defines apt_update. DEBAPT_SOURCES, when set, is the whole
# sources.list instead (scripts/build-pythons.sh: unstable's deb and
# deb-src lines).

APTDIR=$CACHE/apt-$DEBARCH
mkdir -p "$APTDIR"/lists/partial "$APTDIR"/cache/archives/partial "$APTDIR"/sources.list.d
: >>"$APTDIR"/status
if [ -n "${DEBAPT_SOURCES:-}" ]; then
	printf '%s\n' "$DEBAPT_SOURCES" >"$APTDIR"/sources.list.new
else
	cat >"$APTDIR"/sources.list.new <<EOF
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm-updates main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $SECMIRROR bookworm-security main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm-backports main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bullseye main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $SECMIRROR bullseye-security main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $SECMIRROR trixie-security main
deb [arch=$DEBARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie-backports main
EOF
fi
if ! cmp -s "$APTDIR"/sources.list.new "$APTDIR"/sources.list; then
	mv "$APTDIR"/sources.list.new "$APTDIR"/sources.list
	rm -f "$APTDIR"/updated
else
	rm -f "$APTDIR"/sources.list.new
fi
APT_OPTS=(
	-o Dir::Etc::SourceList="$APTDIR/sources.list"
	-o Dir::Etc::SourceParts="$APTDIR/sources.list.d"
	-o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts="$APTDIR/sources.list.d"
	-o Dir::State="$APTDIR"
	-o Dir::State::Lists="$APTDIR/lists"
	-o Dir::State::status="$APTDIR/status"
	-o Dir::Cache="$APTDIR/cache"
	-o APT::Architecture="$DEBARCH"
	-o APT::Architectures="$DEBARCH"
	-o Debug::NoLocking=1
	-o APT::Sandbox::User=root
	-o Acquire::Languages=none
	-q
)
apt_update() {
	say "apt-get update (private configuration in $APTDIR)"
	apt-get "${APT_OPTS[@]}" update >"$APTDIR"/update.log 2>&1 ||
		{ cat "$APTDIR"/update.log >&2; die "apt-get update failed"; }
	date +%s >"$APTDIR"/updated
}
