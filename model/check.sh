#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [--short | --long] [--keep DIR] - check rcumap's Promela models
# with spin.
#
# Each model (hash.pml, ptab.pml, resize.pml) is verified exhaustively in
# a few configurations, and each of its deliberately broken variants must
# be rejected:
#   hash.pml   real, with BMAX 2 and 1, and with SPLIT_READ;
#              -DBROKEN_FREE (free without a grace period),
#              -DBROKEN_PUBLISH (publish before the bucket is built),
#              -DBROKEN_DEAD_KEPT (a replace's retire lets go of the dead
#              entries it copied), -DBROKEN_DEAD_LEAK (an insert's or
#              remove's retire keeps the dead entries it dropped),
#              -DBROKEN_OBJ_FREE (the elements that leave freed without a
#              grace period) and -DBROKEN_BOUND (the bucket bound not
#              checked again under the lock)
#   ptab.pml   real; -DBROKEN_CLAIM (a slot claimed without its atomic
#              test-and-clear) and -DBROKEN_FREE (a freed slot's bit set
#              before its group counter counts it)
#   resize.pml real; -DBROKEN_MARK_FIRST (the MOVED marker stored before
#              the new buckets are published), -DBROKEN_NO_RECHECK (a
#              writer does not look at its bucket again under the lock)
#              and -DBROKEN_TBL_FREE (the old table freed without a grace
#              period)
# A real model passes only if spin explores its whole state space and
# finds no error (a search cut short by memory or depth fails); a broken
# variant passes only if spin finds an assertion violation.
#
#   --short  (default; make check) small configurations, a few seconds
#   --long   (make model) the larger ones: about ten minutes and up
#            to 8 GB of memory on a 2-core machine
# RCUMAP_MODEL_MEMLIM sets pan's memory limit in MB (default 4096).
# --keep DIR keeps the work files (pan.c, trails) in DIR.
#
# Needs spin (Debian package "spin") and gcc.  The last line is
# "N passed, N failed"; the exit code is 0 only if nothing failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=short
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--short) mode=short ;;
	--long) mode=long ;;
	--keep) keep=${2:?--keep needs a directory}; shift ;;
	*) echo "usage: check.sh [--short | --long] [--keep DIR]" >&2; exit 2 ;;
	esac
	shift
done

if ! command -v spin >/dev/null; then
	echo "check.sh: spin not found: apt-get install spin (or make deps)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
memlim=${RCUMAP_MODEL_MEMLIM:-4096}

if [ -n "$keep" ]; then
	work=$keep
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

passed=0
failed=0

# run EXPECT MODEL DEFINES...: EXPECT is "pass" (no error, search
# complete) or "fail" (an assertion violation found).
run() {
	local expect=$1 model=$2 name dir out start secs states verdict
	shift 2
	name="$model.pml${*:+ $*}"
	dir=$work/$(tr -c 'a-zA-Z0-9_.=-' _ <<<"$model $*")
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$here/$model.pml" "$dir/"
	start=$(date +%s.%N)
	if ! (cd "$dir" && spin "$@" -a "$model.pml" >spin.log 2>&1 &&
	      gcc -O2 -w -DSAFETY -DCOLLAPSE -DMEMLIM="$memlim" \
		  -o pan pan.c >gcc.log 2>&1); then
		echo "FAIL $name: spin or gcc failed"
		sed 's/^/    /' "$dir/spin.log" "$dir/gcc.log" 2>/dev/null | tail -n 20
		failed=$((failed + 1))
		return
	fi
	(cd "$dir" && ./pan -m1000000 >pan.log 2>&1)
	out=$dir/pan.log
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$out")

	# An error ends the search early: look for one first.
	if grep -qE 'errors: [1-9]' "$out"; then
		verdict="error: $(grep -m1 -E 'assertion violated|invalid end state|out of range' "$out" | sed 's/^pan:[0-9]*: *//')"
	elif grep -qE 'reached -DMEMLIM bound|max search depth too small|Search not completed' "$out"; then
		verdict="search not complete"
	elif grep -q 'errors: 0' "$out"; then
		verdict=clean
	else
		verdict="no verdict"
	fi

	if { [ "$expect" = pass ] && [ "$verdict" = clean ]; } ||
	   { [ "$expect" = fail ] && [[ $verdict == error:* ]]; }; then
		printf 'ok   %s: %s, %s states, %.1f s\n' "$name" "$verdict" \
			"${states:-?}" "$secs"
		passed=$((passed + 1))
		return
	fi
	if [ "$expect" = pass ]; then
		printf 'FAIL %s: %s, %s states, %.1f s\n' "$name" "$verdict" \
			"${states:-?}" "$secs"
		if [ -f "$dir/$model.pml.trail" ]; then
			echo "    the trail, last steps:"
			(cd "$dir" && spin "$@" -t -p -k "$model.pml.trail" \
				"$model.pml" 2>&1) | tail -n 40 | sed 's/^/    /'
		fi
	else
		printf 'FAIL %s: the broken variant passed (%s, %s states)\n' \
			"$name" "$verdict" "${states:-?}"
	fi
	failed=$((failed + 1))
}

echo "model: $mode mode, spin $(spin -V | sed -n 's/^Spin Version \([^ ]*\).*/\1/p'), work in $work"
if [ "$mode" = short ]; then
	run pass hash -DNREADERS=3 -DNREADS=1 -DNOPS=1
	run pass hash -DNREADERS=1 -DNREADS=2 -DNOPS=2
	run pass hash -DNREADERS=1 -DNREADS=2 -DNOPS=2 -DBMAX=1
	run pass hash -DNREADERS=1 -DNREADS=2 -DNOPS=2 -DSPLIT_READ
	run pass ptab -DNWORKERS=2 -DNROUNDS=1 -DNLOOKUPS=1
	run pass ptab -DNWORKERS=2 -DNROUNDS=2 -DNLOOKUPS=0
	run pass resize -DNREADERS=1 -DNOPS=1
else
	run pass hash -DNREADERS=3 -DNREADS=1 -DNOPS=1
	run pass hash -DNREADERS=1 -DNREADS=2 -DNOPS=2
	run pass hash -DNREADERS=1 -DNREADS=2 -DNOPS=2 -DSPLIT_READ
	run pass hash -DNREADERS=2 -DNREADS=2 -DNOPS=1
	run pass hash -DNREADERS=2 -DNREADS=1 -DNOPS=2
	run pass hash -DNREADERS=4 -DNREADS=1 -DNOPS=1
	run pass hash -DNREADERS=2 -DNREADS=1 -DNOPS=2 -DBMAX=1
	run pass ptab -DNWORKERS=2 -DNROUNDS=2 -DNLOOKUPS=2
	# About 70 million states each: more memory than the others.  (Two
	# operations per resize writer take more than 8 GB: not run.)
	memlim=$((memlim < 8192 ? 8192 : memlim))
	run pass ptab -DNWORKERS=3 -DNROUNDS=1 -DNLOOKUPS=2
	run pass resize -DNREADERS=2 -DNOPS=1
fi
run fail hash -DBROKEN_FREE
run fail hash -DBROKEN_PUBLISH
run fail hash -DBROKEN_DEAD_KEPT -DNREADERS=1 -DNREADS=1
run fail hash -DBROKEN_DEAD_LEAK -DNREADERS=1 -DNREADS=1
run fail hash -DBROKEN_OBJ_FREE
run fail hash -DBROKEN_BOUND -DBMAX=1 -DNREADERS=1 -DNREADS=1 -DNOPS=1
run fail ptab -DBROKEN_CLAIM
run fail ptab -DBROKEN_FREE
run fail resize -DBROKEN_MARK_FIRST
run fail resize -DBROKEN_NO_RECHECK
run fail resize -DBROKEN_TBL_FREE

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
