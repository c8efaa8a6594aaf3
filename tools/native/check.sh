#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the native build's whole test suite ("make -C tools/native
# check"): the functional and stress tests plain, under ThreadSanitizer and
# under AddressSanitizer + UBSan, then FUZZ_SECONDS (60) of each fuzzer.
# Every build, test program and fuzzer run counts as one test; the last
# line is "N passed, N failed".  Logs go to out/native/check/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${OUT:-$top/out/native}/check
make="make --no-print-directory -C $here"
passed=0
failed=0
failures=()

rm -rf "$out"
mkdir -p "$out"
start=$SECONDS

# step NAME CMD...: run a step whose own last line is "N passed, N failed".
step() {
	local name=$1 log=$out/$1.log last
	shift
	echo "---- $name"
	"$@" >"$log" 2>&1
	grep -E '^(ok  |FAIL) ' "$log"
	last=$(tail -n 1 "$log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		[ "${BASH_REMATCH[2]}" = 0 ] && return
		failures+=("$name: see $log")
	else
		failed=$((failed + 1))
		failures+=("$name: no result, see $log")
	fi
	grep -v -E '^(ok|#)' "$log" | tail -n 40 | sed 's/^/    /'
}

# build VARIANT: one test per variant.
build() {
	local log=$out/build-$1.log
	if $make -j2 "build-$1" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   build ($1)"
		return 0
	fi
	failed=$((failed + 1))
	failures+=("build ($1): see $log")
	tail -n 30 "$log" | sed 's/^/    /'
	echo "FAIL build ($1)"
	return 1
}

build debug && step test $make test
build tsan && step tsan $make tsan
build asan && step asan $make asan
build fuzz && step fuzz-short $make fuzz-short FUZZ_SECONDS="${FUZZ_SECONDS:-60}"

echo "---- took $((SECONDS - start)) s"
for f in "${failures[@]}"; do
	echo "failed: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
