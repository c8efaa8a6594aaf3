#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-fuzz.sh BUILD_DIR OUT_DIR SECONDS - run the libFuzzer targets (hash,
# LRU hash, per-CPU hash, ptab) side by side for SECONDS each.  Each starts from the seed corpus in corpus/<map>/
# and from what earlier runs found (OUT_DIR/<map>/corpus); a crash leaves
# its input in OUT_DIR/<map>/.  Each target counts as one test; the last
# line is "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
out=$2
seconds=$3

export ASAN_OPTIONS="detect_leaks=0 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

declare -A pid
for map in hash lru percpu ptab; do
	mkdir -p "$out/$map/corpus"
	"$build/fuzz_$map" "$out/$map/corpus" "$here/corpus/$map" \
		-max_total_time="$seconds" -max_len=1024 -timeout=30 \
		-detect_leaks=0 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$out/$map/" >"$out/$map/log" 2>&1 &
	pid[$map]=$!
done

passed=0
failed=0
for map in hash lru percpu ptab; do
	if wait "${pid[$map]}"; then
		passed=$((passed + 1))
		echo "ok   fuzz_$map: $(grep -o 'stat::number_of_executed_units: [0-9]*' \
			"$out/$map/log" | grep -o '[0-9]*$') inputs in $seconds s"
	else
		failed=$((failed + 1))
		grep -v -e '^#' -e '^INFO' "$out/$map/log" | tail -n 40 | sed 's/^/    /'
		echo "FAIL fuzz_$map: see $out/$map/"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
