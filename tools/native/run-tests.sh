#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh VARIANT BUILD_DIR STRESS_SECONDS - run the native tests of
# one build variant (debug, tsan, asan, or cov for coverage.sh): the shim's tests, the KUnit
# suites of kunit/ (one program per file, KTAP output, each stress case
# running STRESS_SECONDS / 3) and the stress programs.  Each program
# counts as one test; the last line is "N passed, N failed".
set -uo pipefail
variant=$1
dir=$2/$variant
seconds=$3

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(dirname "$0")/tsan.supp ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1 abort_on_error=0 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

passed=0
failed=0
run() {
	local name=$1 start=$SECONDS
	shift
	echo "---- $variant: $name $*"
	if "$dir/$name" "$@"; then
		passed=$((passed + 1))
		echo "ok   $variant: $name ($((SECONDS - start)) s)"
	else
		failed=$((failed + 1))
		echo "FAIL $variant: $name"
	fi
}

ms=$((seconds * 1000 / 3))
run test_shim
run hash_kunit stress_ms=$ms
run hash_resize_kunit resize_stress_ms=$ms resize_worker_ms=$((2 * ms))
run hash_lru_kunit lru_stress_ms=$ms
run hash_percpu_kunit percpu_stress_ms=$ms
run ptab_kunit ptab_stress_ms=$ms
run hash_bulk_kunit
run stress_hash "$seconds"
run stress_resize "$seconds"
run stress_ptab "$seconds"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
