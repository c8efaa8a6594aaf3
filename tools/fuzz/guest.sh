#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - run the /dev/rcumap ioctl fuzzer inside the test guest.
#
# Runs as /test.sh under tools/vm/init (busybox sh, as root), e.g.
#   tools/vm/run.sh --kernel debug --out DIR --script tools/fuzz/guest.sh \
#       --module rcumap.ko --bin rcumap_ioctl_fuzz \
#       [--append "RCUMAP_FUZZ_SECONDS=600 RCUMAP_FUZZ_SEED=1234"]
#
# From the environment (the kernel passes on the words of its command line
# that it does not know):
#   RCUMAP_FUZZ_SECONDS  how long to fuzz (default 20)
#   RCUMAP_FUZZ_SEED     the seed (default: the fuzzer picks and prints one)
#   RCUMAP_FUZZ_THREADS  fuzzing threads (default 4)
#   RCUMAP_FUZZ_VERBOSE  if set, -v: also print the slowest call of each
#                        ioctl on each map type
#   RCUMAP_FUZZ_CHARGE_CHECK=MAPS  then check, in a memory cgroup of its
#                        own, that MAPS maps are charged to it however they
#                        were built (default 1000; 0 skips it), see
#                        Documentation/rcumap-reliability.rst
#
# Loads rcumap.ko with its default device mode, checks that the device is
# 0600 and that uid 1000 is refused (EACCES), fuzzes, then unloads the
# module: every file the fuzzer opened must be closed by then.  The
# fuzzer's output goes to /out/fuzz.txt.  Exits 0 only if all of that
# passed; run.sh then scans the kernel log (KASAN, lockdep, kmemleak...).

GUEST_NAME=fuzz/guest.sh
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh

failed=0
load_rcumap || exit 1

mode=$(stat -c %a /dev/rcumap)
if [ "$mode" = 600 ]; then
	say "/dev/rcumap has mode 600: ok"
else
	say "/dev/rcumap has mode $mode, want 600"
	failed=1
fi
if /bin/rcumap_ioctl_fuzz --as-uid 1000 >/out/as-uid.txt 2>&1; then
	cat /out/as-uid.txt
else
	cat /out/as-uid.txt
	say "an unprivileged uid was not refused"
	failed=1
fi

args="-t ${RCUMAP_FUZZ_SECONDS:-20} -j ${RCUMAP_FUZZ_THREADS:-4}"
[ -n "${RCUMAP_FUZZ_SEED:-}" ] && args="$args -s $RCUMAP_FUZZ_SEED"
[ -n "${RCUMAP_FUZZ_VERBOSE:-}" ] && args="$args -v"
say "rcumap_ioctl_fuzz $args"
# shellcheck disable=SC2086
/bin/rcumap_ioctl_fuzz $args >/out/fuzz.txt 2>&1
rc=$?
cat /out/fuzz.txt
if [ $rc != 0 ] || ! tail -n 1 /out/fuzz.txt | grep -q '^fuzz: PASS'; then
	say "the fuzzer failed (exit $rc)"
	failed=1
fi

RCUMAP_FUZZ_CHARGE_CHECK=${RCUMAP_FUZZ_CHARGE_CHECK:-1000}
if [ "$RCUMAP_FUZZ_CHARGE_CHECK" != 0 ]; then
	cg=/sys/fs/cgroup
	mkdir -p $cg
	mount -t cgroup2 none $cg 2>/dev/null
	echo +memory >$cg/cgroup.subtree_control
	mkdir -p $cg/rcumap-charge
	# shellcheck disable=SC2016
	if sh -c 'echo $$ >'"$cg/rcumap-charge/cgroup.procs"'; exec /bin/rcumap_ioctl_fuzz --charge-check '"$RCUMAP_FUZZ_CHARGE_CHECK" \
		>/out/charge.txt 2>&1; then
		cat /out/charge.txt
	else
		cat /out/charge.txt
		say "maps are not fully charged to their memory cgroup"
		failed=1
	fi
fi

if ! unload_module rcumap; then
	say "a file or a map was left behind"
	failed=1
fi
say "exit $failed"
exit $failed
