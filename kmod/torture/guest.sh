#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - run rcumap_torture.ko inside the test guest.
#
# Runs as /test.sh under tools/vm/init (busybox sh, as root), e.g.
#   tools/vm/run.sh --kernel debug --mem 1024 --out DIR \
#       --script kmod/torture/guest.sh \
#       --module rcumap.ko --module rcumap_torture.ko \
#       [--append "RCUMAP_TORTURE_DURATION=600 RCUMAP_TORTURE_DIFF_OPS=10000000"]
#
# The module's parameters come from the environment, which the kernel
# fills from the words of its command line that it does not know:
#   RCUMAP_TORTURE_DURATION  seconds of torture        (module default)
#   RCUMAP_TORTURE_THREADS   torture workers           (module default)
#   RCUMAP_TORTURE_DIFF_OPS  differential ops per map  (module default)
#   RCUMAP_TORTURE_SEED      random seed               (random)
# insmod runs the whole test and fails if it found a mismatch.  When
# module init fails, busybox insmod tries again (init_module() after
# finit_module()): the test then runs twice, and the second run may pass.
# So the verdict comes from the log, not from insmod: every summary line
# must say PASS and no mismatch may be reported.  The module's lines of
# the kernel log go to /out/torture.txt.  Exits 0 only if both modules
# loaded, the test passed and both modules unloaded; run.sh then scans
# the kernel log for reports.

GUEST_NAME=torture/guest.sh
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh

params=
[ -n "${RCUMAP_TORTURE_DURATION:-}" ] &&
	params="$params duration=$RCUMAP_TORTURE_DURATION"
[ -n "${RCUMAP_TORTURE_THREADS:-}" ] &&
	params="$params threads=$RCUMAP_TORTURE_THREADS"
[ -n "${RCUMAP_TORTURE_DIFF_OPS:-}" ] &&
	params="$params diff_ops=$RCUMAP_TORTURE_DIFF_OPS"
[ -n "${RCUMAP_TORTURE_SEED:-}" ] &&
	params="$params seed=$RCUMAP_TORTURE_SEED"

load_rcumap || exit 1

failed=0
say "insmod rcumap_torture.ko$params"
start=$(now)
# shellcheck disable=SC2086
if load_module rcumap_torture $params; then
	loaded=1
else
	say "the test found a mismatch"
	loaded=0
	failed=1
fi
end=$(now)
dmesg | grep 'rcumap_torture: ' >/out/torture.txt
cat /out/torture.txt
say "ran from $start to $end s"
if ! grep -q 'rcumap_torture: PASS' /out/torture.txt; then
	say "no PASS line"
	failed=1
fi
if grep -q 'rcumap_torture: \(FAIL\|mismatch\)' /out/torture.txt; then
	say "the test reported mismatches (a later run may have passed)"
	failed=1
fi

if [ "$loaded" = 1 ] && ! unload_module rcumap_torture; then
	failed=1
fi
unload_module rcumap || failed=1
say "exit $failed"
exit $failed
