#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - run the /dev/rcumap selftests inside the test guest.
#
# Runs as /test.sh under tools/vm/init (busybox sh, as root), e.g.
#   tools/vm/run.sh --kernel debug --out DIR --script selftests/guest.sh \
#       --module rcumap.ko --bin rcumap_lengths --bin rcumap_dev ... \
#       --bin rcumap_fail_nth --bin librcumap_test --bin librcumap-example
# (one --bin for each of "make -s -C selftests print-tests", see
# tools/check.sh).
#
# Loads /lib/rcumap/rcumap.ko, checks that an open file of /dev/rcumap keeps
# it from being removed, runs every /bin/rcumap_* test binary (the
# Makefile's TESTS, then rcumap_fail_nth) and /bin/librcumap_test (each
# binary's TAP output, stderr included, goes to /out/NAME.tap and to the
# console) and the library's example /bin/librcumap-example (its output
# and "exit N" to /out/librcumap-example.txt), then unloads the module.
# Exits non-zero if the module did not load, unloaded while in use or did
# not unload at the end, a test binary exited non-zero or did not end with
# "N passed, 0 failed", or the example failed.

GUEST_NAME=guest.sh
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh

failed=0

# run NAME: one selftest binary; 0 if it passed.
run() {
	name=$1
	tap=/out/$name.tap
	if [ ! -x "/bin/$name" ]; then
		say "$name: missing from /bin"
		return 1
	fi
	say "running $name"
	start=$(now)
	"/bin/$name" >"$tap" 2>&1
	rc=$?
	end=$(now)
	cat "$tap"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tap" | tail -n 1)
	say "$name: exit $rc, '${summary:-no summary line}', $start -> $end s"
	[ "$rc" -eq 0 ] || return 1
	case $summary in
	*" passed, 0 failed") ;;
	*) return 1 ;;
	esac
	# The summary must be the last line the binary wrote.
	[ "$(tail -n 1 "$tap")" = "$summary" ]
}

load_rcumap || exit 1

# An open file of the device pins the module.
if exec 3<>/dev/rcumap; then
	if rmmod rcumap 2>/dev/null; then
		say "rmmod rcumap succeeded with /dev/rcumap open"
		failed=1
		load_rcumap || exit 1
	else
		say "rmmod with /dev/rcumap open refused: ok"
	fi
	exec 3>&-
else
	say "cannot open /dev/rcumap"
	failed=1
fi

# The tests of the device, one binary per concern (selftests/Makefile's
# TESTS, in name order), then the fail-nth sweep and librcumap's tests.
tests=
for b in /bin/rcumap_*; do
	[ -x "$b" ] && [ "$b" != /bin/rcumap_fail_nth ] && tests="$tests ${b#/bin/}"
done
if [ -z "$tests" ]; then
	say "no /bin/rcumap_* test binaries"
	failed=1
fi
for t in $tests rcumap_fail_nth librcumap_test; do
	run "$t" || failed=1
done

# The example of Documentation/librcumap-example.c: it checks its own
# results and exits 0 if they are right.
say "running librcumap-example"
/bin/librcumap-example >/out/librcumap-example.txt 2>&1
rc=$?
echo "exit $rc" >>/out/librcumap-example.txt
cat /out/librcumap-example.txt
[ "$rc" -eq 0 ] || failed=1

# Every map file is closed now: the module must go.
unload_module rcumap || failed=1

say "exit $failed"
exit $failed
