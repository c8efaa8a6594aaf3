#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh KDIR - checkpatch --strict and sparse over rcumap's C sources.
# Prints every finding; exits 1 if there was any.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/vm/lib.sh"
kdir=${1:?usage: lint.sh KDIR}
cd "$top"

files=$(ls kmod/*.[ch] kmod/*/*.[ch] kunit/*.[ch] include/linux/*.h \
	include/uapi/linux/*.h 2>/dev/null)
status=0

checkpatch=$kdir/source/scripts/checkpatch.pl
[ -f "$checkpatch" ] || checkpatch=$(source_dir)/scripts/checkpatch.pl
[ -f "$checkpatch" ] || die "no checkpatch.pl in $kdir or $(source_dir)"
echo "lint: checkpatch --strict"
# shellcheck disable=SC2086
if ! perl "$checkpatch" --strict --no-tree --no-summary --terse -f $files; then
	status=1
fi

echo "lint: sparse (C=2) and W=1"
build=$top/build/lint
rm -rf "$build" && mkdir -p "$build"
# shellcheck disable=SC2086
tar -cf - Kbuild $files | tar -xf - -C "$build"
out=$(make -C "$kdir" M="$build" C=2 W=1 modules 2>&1)
findings=$(grep -E '(warning|error):' <<<"$out" | grep -v '^WARNING: modpost')
if [ -n "$findings" ]; then
	echo "$findings"
	status=1
elif ! grep -q CHECK <<<"$out"; then
	echo "lint: sparse did not run"
	status=1
fi
[ $status = 0 ] && echo "lint: clean"
exit $status
