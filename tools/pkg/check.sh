#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh STEP DIR - the packaging checks that tools/check.sh runs, one
# STEP at a time, each against the debug guest kernel and in DIR (kept
# between steps: "guest" needs "install"'s tree, "dkms" needs "dist"'s
# tarball).  Each exits 0 if it passed and says why not otherwise.
#
#   install  make install DESTDIR=DIR/stage puts every file where it
#            belongs, modinfo says the VERSION, depmod -b finds the module,
#            pkg-config --cflags --libs rcumap builds and links
#            Documentation/librcumap-example.c against the staged
#            librcumap (shared, and static for the guest step);
#            make uninstall in a second staging tree leaves no file behind
#   dist     make dist, twice: the same bytes, rcumap-VERSION/ on top, and
#            exactly the files git ls-files lists for HEAD
#   dkms     the tarball, unpacked, added to a private DKMS tree (no root,
#            nothing outside DIR) and built there by dkms for the debug
#            guest kernel: dkms.conf works and the tarball is complete
#   guest    the staged tree in the debug guest: tools/pkg/guest.sh
#            (modprobe, dev_mode, group access, the installed rcumapctl,
#            the example linked against the installed librcumap)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tools/vm/lib.sh
. tools/vm/lib.sh

step=${1:?usage: check.sh install|dist|dkms|guest DIR}
dir=${2:?usage: check.sh install|dist|dkms|guest DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
kdir=$(kernel_dir debug)
version=$(cat VERSION)
lib_version=$(sed -n 's/^VERSION\t:= //p' tools/lib/rcumap/Makefile)
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
[ -n "$release" ] || die "no UTS_RELEASE in $kdir"

bad=0
fail() { echo "FAIL: $*"; bad=1; }

# The calls of librcumap, as its version script exports them.
lib_calls() {
	sed -n 's/^[[:space:]]*\(rcumap_[a-z0-9_]*\);$/\1/p' tools/lib/rcumap/librcumap.map
}

# Every regular file make install puts in DESTDIR (PREFIX /usr/local).
installed() {
	{
		cat <<-EOS
		lib/modules/$release/extra/rcumap.ko
		usr/local/include/linux/rcumap.h
		usr/local/include/rcumap/rcumap.h
		usr/local/lib/librcumap.a
		usr/local/lib/librcumap.so.$lib_version
		usr/local/lib/pkgconfig/rcumap.pc
		usr/local/lib/udev/rules.d/60-rcumap.rules
		usr/local/sbin/rcumapctl
		usr/local/share/man/man3/librcumap.3
		usr/local/share/man/man8/rcumapctl.8
		usr/local/src/rcumap-$version/$release/Module.symvers
		usr/local/src/rcumap-$version/include/linux/rcumap_hash.h
		usr/local/src/rcumap-$version/include/linux/rcumap_ptab.h
		EOS
		lib_calls | sed 's|^|usr/local/share/man/man3/|; s|$|.3|'
	} | LC_ALL=C sort
}

# The staged librcumap through pkg-config, as a program would use it: the
# example built against the shared library (which it must then load from
# the stage) and, for the guest step, statically.
check_librcumap() {
	local stage=$1 lib=$1/usr/local/lib bin=$top/build/pkg pc
	local env=(PKG_CONFIG_LIBDIR="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage")
	[ "$(readlink "$lib/librcumap.so.0")" = "librcumap.so.$lib_version" ] ||
		fail "librcumap.so.0 does not link to librcumap.so.$lib_version"
	[ "$(readlink "$lib/librcumap.so")" = librcumap.so.0 ] ||
		fail "librcumap.so does not link to librcumap.so.0"
	pc=$(env "${env[@]}" pkg-config --modversion rcumap) || { fail "pkg-config rcumap"; return; }
	[ "$pc" = "$lib_version" ] || fail "pkg-config says version $pc, want $lib_version"
	mkdir -p "$bin"
	# shellcheck disable=SC2046
	gcc -Wall -Wextra -o "$bin/librcumap-example-shared" Documentation/librcumap-example.c \
		$(env "${env[@]}" pkg-config --cflags --libs rcumap) ||
		{ fail "the example does not build with pkg-config --cflags --libs rcumap"; return; }
	readelf -d "$bin/librcumap-example-shared" | grep -q 'NEEDED.*\[librcumap\.so\.0\]' ||
		fail "the example does not need librcumap.so.0"
	LD_LIBRARY_PATH=$lib ldd "$bin/librcumap-example-shared" |
		grep -q "librcumap.so.0 => $lib/librcumap.so.0" ||
		fail "the example does not load the staged librcumap.so.0"
	# shellcheck disable=SC2046
	gcc -static -Wall -Wextra -o "$bin/librcumap-example" Documentation/librcumap-example.c \
		$(env "${env[@]}" pkg-config --static --cflags --libs rcumap) ||
		fail "the example does not link statically with pkg-config --static"
}

step_install() {
	local stage=$dir/stage again=$dir/stage-uninstall got
	rm -rf "$stage" "$again"
	make -s install DESTDIR="$stage" || { fail "make install"; return; }
	got=$(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
	if [ "$got" != "$(installed)" ]; then
		fail "make install put these files:"
		diff <(installed) <(echo "$got") || true
	fi
	[ -x "$stage/usr/local/sbin/rcumapctl" ] || fail "rcumapctl is not executable"
	got=$(modinfo -F version "$stage/lib/modules/$release/extra/rcumap.ko")
	[ "$got" = "$version" ] || fail "modinfo version '$got', want '$version'"
	got=$(modinfo -F vermagic "$stage/lib/modules/$release/extra/rcumap.ko")
	[ "${got%% *}" = "$release" ] || fail "vermagic '$got', want $release"
	cmp -s include/uapi/linux/rcumap.h "$stage/usr/local/include/linux/rcumap.h" ||
		fail "the UAPI header differs"
	grep -q rcumap_hash_ "$stage/usr/local/src/rcumap-$version/$release/Module.symvers" ||
		fail "Module.symvers has no rcumap_hash_* export"
	# As a packager would, then what modprobe reads.
	depmod -b "$stage" "$release" 2>/dev/null || fail "depmod -b"
	grep -qx 'extra/rcumap.ko:' "$stage/lib/modules/$release/modules.dep" ||
		fail "modules.dep does not name extra/rcumap.ko"
	check_librcumap "$stage"
	echo "staged in $stage:"
	installed | sed 's/^/  /'

	make -s install DESTDIR="$again" >/dev/null || { fail "make install (2)"; return; }
	make -s uninstall DESTDIR="$again" || fail "make uninstall"
	got=$(cd "$again" && find . ! -type d)
	[ -z "$got" ] || fail "make uninstall left: $got"
}

step_dist() {
	local tar=$dir/rcumap-$version.tar.xz top files
	rm -rf "$dir/again" && mkdir -p "$dir/again"
	make -s dist DISTDIR="$dir" >/dev/null || { fail "make dist"; return; }
	make -s dist DISTDIR="$dir/again" >/dev/null || { fail "make dist (2)"; return; }
	cmp "$tar" "$dir/again/rcumap-$version.tar.xz" || fail "two make dist differ"
	top=$(tar -tJf "$tar" | cut -d/ -f1 | sort -u)
	[ "$top" = "rcumap-$version" ] || fail "top directories: $top"
	files=$(tar -tJf "$tar" | grep -v '/$' | sed "s|^rcumap-$version/||" | LC_ALL=C sort)
	if [ "$files" != "$(git ls-tree -r --name-only HEAD | LC_ALL=C sort)" ]; then
		fail "the tarball's files are not git ls-tree HEAD's:"
		diff <(git ls-tree -r --name-only HEAD | LC_ALL=C sort) <(echo "$files") || true
	fi
	echo "$tar: $(stat -c %s "$tar") bytes, $(echo "$files" | wc -l) files, sha256 $(sha256sum <"$tar" | cut -c1-16)"
}

step_dkms() {
	local tar=$dir/rcumap-$version.tar.xz d=$dir/dkms ko got
	[ -f "$tar" ] || { fail "no $tar: run the dist step first"; return; }
	command -v dkms >/dev/null || { fail "no dkms: run make deps"; return; }
	rm -rf "$d" && mkdir -p "$d/src" "$d/tree" "$d/lib"
	tar -xJf "$tar" -C "$d/src"
	local opts=(--sourcetree "$d/src" --dkmstree "$d/tree" --installtree "$d/lib")
	dkms add "${opts[@]}" "rcumap/$version" || { fail "dkms add"; return; }
	# No signing: it would want a key under /var/lib/dkms (and make one).
	sign_file=/nonexistent dkms build "${opts[@]}" "rcumap/$version" \
		-k "$release" --kernelsourcedir "$kdir" ||
		{ fail "dkms build"; cat "$d/tree/rcumap/$version/build/make.log" 2>/dev/null; return; }
	dkms status "${opts[@]}" rcumap
	ko=$d/tree/rcumap/$version/$release/x86_64/module/rcumap.ko
	[ -f "$ko" ] || { fail "dkms built no $ko"; return; }
	got=$(modinfo -F version "$ko")
	[ "$got" = "$version" ] || fail "modinfo version '$got', want '$version'"
	got=$(sed -n 's|^ *LD \[M\] *.*/||p' "${ko%/module/*}/log/make.log" | grep '\.ko$')
	[ "$got" = rcumap.ko ] || fail "dkms built $got, want rcumap.ko alone"
	modinfo -F sig_id "$ko" | grep -q . && fail "dkms signed the module"
	return 0
}

step_guest() {
	local stage=$dir/stage bin=$top/build/pkg
	[ -f "$stage/lib/modules/$release/modules.dep" ] ||
		{ fail "no staged tree: run the install step first"; return; }
	mkdir -p "$bin"
	gcc -static -O2 -Wall -Wextra -o "$bin/open_as" tools/pkg/open_as.c ||
		{ fail "open_as build"; return; }
	[ -x "$bin/librcumap-example" ] ||
		{ fail "no $bin/librcumap-example: run the install step first"; return; }
	tools/vm/run.sh --kernel debug --mem 512 --timeout 300 --out "$dir/guest" \
		--script tools/pkg/guest.sh --tree "$stage" --bin "$bin/open_as" \
		--bin "$bin/librcumap-example" \
		--append "RCUMAP_VERSION=$version" || fail "guest run, see $dir/guest"
	grep -h '^pkg/guest.sh: \(ok\|FAIL\)' "$dir/guest/test.log" 2>/dev/null || true
}

case $step in
install) step_install ;;
dist) step_dist ;;
dkms) step_dkms ;;
guest) step_guest ;;
*) die "unknown step $step" ;;
esac
exit $bad
