#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the installed rcumap in the test guest: modprobe, device
# permissions, the installed rcumapctl.
#
# Runs as /test.sh under tools/vm/init (busybox sh, as root, devtmpfs, no
# udev), with the tree of "make install DESTDIR=STAGE" plus "depmod -b
# STAGE" unpacked in the guest's root (run.sh --tree STAGE), and
# /bin/open_as (tools/pkg/open_as.c) and /bin/librcumap-example.
# tools/pkg/check.sh runs it.
#
# From the kernel command line: RCUMAP_VERSION, what modinfo must say, and
# RCUMAP_PREFIX, the PREFIX of the install (default /usr/local).
#
# Checks, one "ok"/"FAIL" line each: busybox modprobe finds rcumap through
# modules.dep; the default node is 0600 root:root and refuses uid 1000;
# dev_mode=0660 with the group that udev's GROUP= would set lets a member
# of the group in (primary or supplementary) and keeps others out;
# options in /etc/modprobe.d apply; a dev_mode with bits outside 0666
# makes the load fail; the installed rcumapctl works; the librcumap example
# built with pkg-config against the installed library (/bin/librcumap-example)
# works; modprobe -r unloads.
# Exits 1 if any check failed.

prefix=${RCUMAP_PREFIX:-/usr/local}
failed=0

say() { echo "pkg/guest.sh: $*"; }
ok() { say "ok   $*"; }
fail() { say "FAIL $*"; failed=1; }

# expect WHAT CMD...: CMD must succeed.
expect() {
	what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

# refuse WHAT CMD...: CMD must fail.
refuse() {
	what=$1
	shift
	if "$@"; then fail "$what"; else ok "$what"; fi
}

wait_node() {
	i=0
	while [ ! -c /dev/rcumap ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/rcumap ]
}

# node MODE UID GID: /dev/rcumap exists with that mode and owner.
node() {
	wait_node || return 1
	set -- "$1" "$2" "$3" "$(stat -c '%a %u %g' /dev/rcumap)"
	say "/dev/rcumap: mode, uid, gid $4"
	[ "$4" = "$1 $2 $3" ]
}

unload() {
	expect "modprobe -r rcumap" modprobe -r rcumap
	refuse "rcumap is gone" test -e /sys/module/rcumap
}

rel=$(uname -r)
say "kernel $rel, $(ls /lib/modules/"$rel"/extra/ 2>&1)"
expect "modules.dep names extra/rcumap.ko" \
	grep -q '^extra/rcumap.ko:' "/lib/modules/$rel/modules.dep"

# 1. The defaults: root only.
expect "modprobe rcumap" modprobe rcumap
expect "default node: 0600 root:root" node 600 0 0
expect "modinfo version ${RCUMAP_VERSION:-?}" \
	test "$(cat /sys/module/rcumap/version)" = "${RCUMAP_VERSION:-?}"
expect "root opens it" /bin/open_as 0 0 /dev/rcumap
/bin/open_as 1000 1000 /dev/rcumap
expect "uid 1000 gets EACCES" test $? = 1

ctl=$prefix/sbin/rcumapctl
if [ -x "$ctl" ]; then
	out=$("$ctl" create hash key 8 value 8 entries 16 -- update 1 42 -- lookup 1 2>&1)
	say "rcumapctl: $out"
	case $out in
	*42*) ok "installed $ctl makes and reads a map" ;;
	*) fail "installed $ctl makes and reads a map" ;;
	esac
else
	fail "$ctl is not installed"
fi
# The library's example, linked (statically: the guest has no libc) with
# what pkg-config says of the installed librcumap.
out=$(/bin/librcumap-example 2>&1)
rc=$?
say "librcumap-example: $out"
expect "the example built against the installed librcumap runs" test "$rc" = 0
unload

# 2. dev_mode=0660 and a group on the node, as udev's rule would set it.
expect "modprobe rcumap dev_mode=0660" modprobe rcumap dev_mode=0660
expect "node: 0660 root:root" node 660 0 0
chgrp 1000 /dev/rcumap
expect "node: 0660 root:1000 after chgrp" node 660 0 1000
expect "uid 1001 in gid 1000 opens it" /bin/open_as 1001 1000 /dev/rcumap
expect "uid 1001 with supplementary gid 1000 opens it" \
	/bin/open_as 1001 1001,1000 /dev/rcumap
/bin/open_as 1002 1002 /dev/rcumap
expect "uid 1002 outside the group gets EACCES" test $? = 1
unload

# 3. Options from modprobe.d; then a mode the module must refuse.
mkdir -p /etc/modprobe.d
echo "options rcumap dev_mode=0666" >/etc/modprobe.d/rcumap.conf
expect "modprobe rcumap (modprobe.d: dev_mode=0666)" modprobe rcumap
expect "node: 0666 root:root" node 666 0 0
expect "uid 1002 opens it" /bin/open_as 1002 1002 /dev/rcumap
unload
rm /etc/modprobe.d/rcumap.conf
refuse "modprobe rcumap dev_mode=0700 fails" modprobe rcumap dev_mode=0700
refuse "no /dev/rcumap after it" test -e /dev/rcumap

say "exit $failed"
exit $failed
