#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh - pack the guest's initramfs (a gzip'd newc cpio).
#
#   initramfs.sh OUT.cpio.gz [--module X.ko]... [--bin FILE]... [--tree DIR]...
#                --script SCRIPT
#
# The archive holds busybox-static as /bin/busybox (applet links are made
# by /init at boot), tools/vm/init as /init, SCRIPT as /test.sh,
# tools/vm/guest-lib.sh (what every SCRIPT sources) as
# /lib/rcumap/guest-lib.sh, every --module under /lib/rcumap/ (their load
# order is written to /lib/rcumap/order, one name a line), every --bin
# under /bin/ and the contents of every --tree DIR from the root down
# (e.g. a "make install DESTDIR=DIR" staging tree, for modprobe).
# /dev/console comes from the kernel's own built-in initramfs.
set -euo pipefail
# shellcheck source=tools/vm/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { die "usage: initramfs.sh OUT.cpio.gz [--module X.ko]... [--bin FILE]... [--tree DIR]... --script SCRIPT"; }

[ $# -ge 1 ] || usage
out=$1
shift
modules=()
bins=()
trees=()
script=
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--module) modules+=("$2") ;;
	--bin) bins+=("$2") ;;
	--tree) trees+=("$2") ;;
	--script) script=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ -n "$script" ] || usage

busybox=$(command -v busybox) || die "busybox not found: apt-get install busybox-static"
# The guest has no libc: a dynamic busybox would not run there.
if file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
	die "$busybox is dynamically linked: apt-get install busybox-static"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib/rcumap,dev,proc,sys,tmp,out}
install -m 0755 "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$RCUMAP_VM/init" "$stage/init"
install -m 0755 "$script" "$stage/test.sh"
install -m 0644 "$RCUMAP_VM/guest-lib.sh" "$stage/lib/rcumap/guest-lib.sh"

: >"$stage/lib/rcumap/order"
for m in "${modules[@]}"; do
	[ -f "$m" ] || die "no such module: $m"
	name=${m##*/}
	[ ! -e "$stage/lib/rcumap/$name" ] || die "module $name given twice"
	install -m 0644 "$m" "$stage/lib/rcumap/$name"
	echo "$name" >>"$stage/lib/rcumap/order"
done
for b in "${bins[@]}"; do
	[ -f "$b" ] || die "no such file: $b"
	install -m 0755 "$b" "$stage/bin/${b##*/}"
done
for t in "${trees[@]}"; do
	[ -d "$t" ] || die "no such directory: $t"
	cp -a "$t/." "$stage/"
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
