#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh BUILD_DIR OUT_DIR STRESS_SECONDS - line and branch coverage
# of the maps (kmod/hash.c, hash_lru.c, hash_percpu.c, ptab.c) in the
# native build, from running the tests of run-tests.sh (the KUnit suites
# of kunit/ and the stress programs) built with gcov instrumentation in
# BUILD_DIR/cov ("make -C tools/native coverage").  Writes OUT_DIR/maps.info (lcov), OUT_DIR/html/ and
# OUT_DIR/summary.txt, a table per file with the targets (95% of lines,
# 85% of branches); exits non-zero only if a program fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1/cov
out=$2
seconds=$3
rc="--rc lcov_branch_coverage=1"
files=(hash.c hash_lru.c hash_percpu.c ptab.c)

rm -rf "$out"
mkdir -p "$out"
lcov -q --zerocounters -d "$dir"

failed=0
if ! "$here/run-tests.sh" cov "$1" "$seconds" >"$out/tests.log" 2>&1; then
	echo "FAIL coverage: a test failed, see $out/tests.log"
	failed=1
fi
grep -E '^(ok  |FAIL) ' "$out/tests.log"

lcov -q $rc --capture -d "$dir" -o "$out/all.info" 2>"$out/lcov.log"
lcov -q $rc --extract "$out/all.info" "${files[@]/#/*/kmod/}" \
	-o "$out/maps.info" 2>>"$out/lcov.log"
genhtml -q $rc --legend -o "$out/html" "$out/maps.info" \
	>>"$out/lcov.log" 2>&1

# The per-file figures from the tracefile's LF/LH/BRF/BRH records.
{
printf "coverage of the native build, %s (targets: lines >= 95%%, branches >= 85%%)\n" \
	"$(date -u +%Y-%m-%d)"
printf "%-14s %8s %14s %8s %14s\n" file lines "" branches ""
awk '
/^SF:/ { n = split($0, p, "/"); file = p[n] }
/^LF:/ { lf[file] = substr($0, 4) }
/^LH:/ { lh[file] = substr($0, 4) }
/^BRF:/ { bf[file] = substr($0, 5) }
/^BRH:/ { bh[file] = substr($0, 5) }
END {
	for (f in lf) {
		l = lf[f] ? 100 * lh[f] / lf[f] : 100
		b = bf[f] ? 100 * bh[f] / bf[f] : 100
		printf "%-14s %7.1f%% %6d of %5d %7.1f%% %6d of %5d%s\n", f, l, lh[f], lf[f], b, bh[f], bf[f], (l < 95 || b < 85) ? "  below target" : ""
	}
}' "$out/maps.info" | sort -k1,1
} | tee "$out/summary.txt"
echo "html: $out/html/index.html"
exit $failed
