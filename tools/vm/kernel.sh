#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh VARIANT - make sure the guest kernel VARIANT (debug, kcsan, ...)
# is built and print its build directory (an O= tree usable as KDIR).
# kernel.sh --path VARIANT - only print where that directory is (or will be).
#
# The kernel is tinyconfig plus config/base.config plus config/VARIANT.config,
# built from Debian's linux-source-6.1 tarball into
# $RCUMAP_CACHE/kernel/VARIANT-<hash>, where <hash> covers the fragments and
# the source package version.  A finished build is reused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --path ]; then
	kernel_dir "${2:?usage: kernel.sh --path VARIANT}"
	exit 0
fi
variant=${1:?usage: kernel.sh [--path] VARIANT}
[ -f "$RCUMAP_VM/config/$variant.config" ] || die "no config/$variant.config"
[ -f "$RCUMAP_SRC_TARBALL" ] || die "$RCUMAP_SRC_TARBALL missing: run 'make deps'"

out=$(kernel_dir "$variant")
if [ -f "$out/.rcumap-done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$RCUMAP_CACHE"
exec 9>"$RCUMAP_CACHE/.lock"
flock 9

src=$(source_dir)
if [ ! -f "$src/.rcumap-unpacked" ]; then
	msg "unpacking $RCUMAP_SRC_TARBALL into $src"
	rm -rf "$src" && mkdir -p "$src"
	tar -xf "$RCUMAP_SRC_TARBALL" -C "$src" --strip-components=1
	touch "$src/.rcumap-unpacked"
fi

if [ ! -f "$out/.rcumap-done" ]; then
	jobs=$(nproc)
	log="$out.log"
	msg "building the $variant guest kernel in $out (-j$jobs, log $log)"
	rm -rf "$out" && mkdir -p "$out"
	start=$(date +%s)
	make -s -C "$src" O="$out" tinyconfig >"$log" 2>&1
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m .config \
		"$RCUMAP_VM/config/base.config" \
		"$RCUMAP_VM/config/$variant.config") >>"$log" 2>&1
	make -C "$src" O="$out" olddefconfig >>"$log" 2>&1
	# Every fragment line must survive olddefconfig: a silently dropped
	# option would leave a checker switched off.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) opt=${line%%=*}
			grep -q "^$opt=" "$out/.config" && { msg "$line was not honoured"; bad=1; } ;;
		CONFIG_*) grep -qx -- "$line" "$out/.config" || { msg "$line was not honoured"; bad=1; } ;;
		esac
	done < <(cat "$RCUMAP_VM/config/base.config" "$RCUMAP_VM/config/$variant.config")
	[ $bad = 0 ] || die "config fragment not honoured (see $out/.config)"
	make -C "$src" O="$out" -j"$jobs" bzImage modules 2>&1 |
		tee -a "$log" |
		awk -v v="$variant" '/^  [A-Z]+/ { n++; if (n % 250 == 0) { printf "  [kernel:%s] %5d steps, at %s\n", v, n, $2; fflush() } }
		     /error:/ { print; fflush() }' >&2
	[ "${PIPESTATUS[0]}" = 0 ] || die "kernel build failed, see $log"
	touch "$out/.rcumap-done"
	msg "built the $variant kernel in $(( $(date +%s) - start )) s"
fi
echo "$out"
