#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh [KERNELRELEASE...] - "make dkms-check": DKMS for real, as
# root, for each kernel given or else each one in /lib/modules that has
# its headers (a build link): the tarball of HEAD unpacked in
# /usr/src/rcumap-VERSION, then dkms add, build, install, modinfo -k
# finds it under updates/dkms, dkms remove --all, and nothing is left in
# the DKMS tree, /usr/src or /lib/modules.  Runs depmod for each kernel
# (as dkms does) and may make DKMS's signing key in /var/lib/dkms.
# Refuses to run if rcumap is already known to DKMS.  Nothing is loaded.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tools/vm/lib.sh

[ "$(id -u)" = 0 ] || die "run as root: dkms install writes /lib/modules"
command -v dkms >/dev/null || die "no dkms: apt-get install dkms (or make deps)"
version=$(cat VERSION)
src=/usr/src/rcumap-$version

kernels=("$@")
if [ ${#kernels[@]} = 0 ]; then
	for b in /lib/modules/*/build; do
		[ -e "$b/Makefile" ] && kernels+=("$(basename "$(dirname "$b")")")
	done
fi
[ ${#kernels[@]} -gt 0 ] || die "no kernel headers in /lib/modules/*/build: apt-get install linux-headers-amd64"
[ -z "$(dkms status rcumap 2>/dev/null)" ] || die "DKMS already has rcumap: $(dkms status rcumap)"
[ ! -e "$src" ] || die "$src exists already"

tmp=$(mktemp -d)
cleanup() {
	dkms remove "rcumap/$version" --all >/dev/null 2>&1
	rm -rf "$src" "$tmp"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; }
# t NAME CMD...: one check, its output kept in $tmp/log.
t() {
	local name=$1
	shift
	if "$@" >"$tmp/log" 2>&1; then ok "$name"; else sed 's/^/    /' "$tmp/log" | tail -n 30; not_ok "$name"; fi
}

make -s dist DISTDIR="$tmp" >/dev/null || die "make dist failed"
tar -xJf "$tmp/rcumap-$version.tar.xz" -C /usr/src || die "cannot unpack into /usr/src"
t "dkms add rcumap/$version" dkms add "rcumap/$version"
for k in "${kernels[@]}"; do
	t "dkms build ($k)" dkms build "rcumap/$version" -k "$k"
	t "dkms install ($k)" dkms install "rcumap/$version" -k "$k"
	t "modinfo -k $k rcumap: updates/dkms, version $version" sh -c \
		"modinfo -k '$k' -n rcumap | grep -q '/updates/dkms/rcumap.ko' &&
		 [ \"\$(modinfo -k '$k' -F version rcumap)\" = '$version' ]"
done
dkms status rcumap
t "dkms remove --all" dkms remove "rcumap/$version" --all
for k in "${kernels[@]}"; do
	t "no rcumap.ko left for $k" sh -c "! find '/lib/modules/$k/' -name 'rcumap.ko*' | grep -q ."
done
t "DKMS has no rcumap left" sh -c '[ -z "$(dkms status rcumap)" ]'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
