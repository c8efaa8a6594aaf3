#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - rcumap's whole test suite, run by "make check" and CI.
#
# Builds the guest kernels (cached) and the modules, lints, then runs every
# KUnit suite in the debug guest (KASAN, lockdep, kmemleak, ...) and in the
# kcsan guest, the kselftest-harness tests of /dev/rcumap in the debug
# guest (with librcumap's tests and example), the maps built in user space
# under TSan, ASan and libFuzzer, and rcumapctl's tests and demo, and the
# packaging (tools/pkg/check.sh: make
# install, make dist, DKMS, modprobe and device permissions in the debug
# guest).  A guest run whose kernel log shows any report fails.  Each
# build, lint and guest run counts as one test, each KUnit case (each
# parameter of a parameterised case) and each TAP test as one more; a
# skipped case counts as failed.  The last line is "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. tools/vm/lib.sh

out=$top/out/check
passed=0
failed=0
failures=()

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"; }

# check NAME CMD...: run one check, its output indented.
check() {
	local name=$1 log
	shift
	log=$out/$(tr -c 'a-zA-Z0-9_.-' _ <<<"$name").log
	if "$@" >"$log" 2>&1; then
		ok "$name"
	else
		sed 's/^/    /' "$log" | tail -n 60
		not_ok "$name"
	fi
}

# The modules must build with W=1 and without a single warning.
build() {
	make -s modules VARIANT="$1" 2>&1 | tee /dev/stderr |
		{ ! grep -E '(warning|error):'; }
	[ -f "build/$1/rcumap.ko" ] && [ -f "build/$1/rcumap_kunit.ko" ]
}

# tap NAME FILE: add the ok / not ok lines of a TAP file to the totals;
# a skipped test counts as failed.
tap() {
	local p f
	p=$(grep -cE '^ok [0-9]+' "$2" | head -n 1)
	f=$(grep -cE '^not ok [0-9]+|^ok [0-9]+.*# *SKIP' "$2" | head -n 1)
	p=$((p - $(grep -cE '^ok [0-9]+.*# *SKIP' "$2")))
	passed=$((passed + p))
	failed=$((failed + f))
	echo "  $1: $p passed, $f failed"
	grep -E '^not ok [0-9]+|^ok [0-9]+.*# *SKIP' "$2" | sed 's/^/    /'
	[ "$f" = 0 ] || failures+=("$f test(s) in $1")
	[ $((p + f)) -gt 0 ] || not_ok "$1: no results"
}

# Suites the sources define: each must report, or it counts as failed.
suites=$(sed -n 's/^[[:space:]]*\.name = "\(rcumap_[a-z_]*\)",$/\1/p' kunit/*.c | sort)

kunit() {
	local v=$1 s summary
	local dir=$out/kunit-$v
	echo "---- KUnit in the $v guest"
	# About 280 s alone on a 2-core host (2026-12-08); twice that and
	# more on a busy one.
	if tools/vm/run.sh --kernel "$v" --out "$dir" --script kunit/guest.sh --mem 1024 \
		--timeout 1200 \
		--module "build/$v/rcumap.ko" --module "build/$v/rcumap_kunit.ko"; then
		ok "guest run ($v): no kernel reports, modules unload"
	else
		not_ok "guest run ($v): see $dir"
	fi
	for s in $suites; do
		[ -f "$dir/kunit/$s.ktap" ] || not_ok "KUnit suite $s ($v): no results"
	done
	summary=$(RCUMAP_KSRC=$(source_dir) python3 tools/vm/kunit-summary.py "$dir")
	echo "$summary" | sed '$d'
	set -- $(tail -n 1 <<<"$summary")
	if [ "${1:-}" != KUNIT ]; then
		not_ok "KUnit results ($v): unreadable"
		return
	fi
	passed=$((passed + $2))
	failed=$((failed + $3 + $4))
	[ "$3" = 0 ] || failures+=("$3 KUnit case(s) in the $v guest")
	[ "$4" = 0 ] || failures+=("$4 KUnit case(s) skipped in the $v guest")
}

rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

tools/vm/deps.sh --quiet || { echo "0 passed, 1 failed"; exit 1; }
for v in debug kcsan; do
	tools/vm/kernel.sh "$v" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
done

check "build (debug kernel, W=1)" build debug
check "build (kcsan kernel, W=1)" build kcsan
check "lint (checkpatch --strict, sparse)" tools/lint.sh "$(kernel_dir debug)"
kunit debug
kunit kcsan

# torture VARIANT [APPEND]: rcumap_torture.ko in a guest: every CPU on a
# random mix of all operations of both maps, then the differential check
# against reference maps.  insmod fails on any mismatch.
torture() {
	echo "---- torture and differential check in the $1 guest"
	if tools/vm/run.sh --kernel "$1" --mem 1024 --out "$out/torture-$1" \
		--script kmod/torture/guest.sh --module "build/$1/rcumap.ko" \
		--module "build/$1/rcumap_torture.ko" --append "${2:-}"; then
		ok "torture + differential ($1 guest)"
	else
		not_ok "torture + differential ($1 guest): see $out/torture-$1"
	fi
	grep -h 'rcumap_torture: \(diff\|PASS\|FAIL\)' "$out/torture-$1/out/torture.txt" 2>/dev/null |
		sed 's/^\[[^]]*\] /    /'
}

# 20 s of torture, then 10^6 differential operations on each map.
torture debug "RCUMAP_TORTURE_DURATION=20 RCUMAP_TORTURE_DIFF_OPS=1000000"
torture kcsan "RCUMAP_TORTURE_DURATION=20 RCUMAP_TORTURE_DIFF_OPS=1000000"

echo "---- ioctl fuzzer in the debug guest (and an unprivileged uid refused)"
if make -s -C tools/fuzz O="$top/build/fuzz" >"$out/fuzz-build.log" 2>&1 &&
	tools/vm/run.sh --kernel debug --mem 1024 --out "$out/fuzz" \
		--script tools/fuzz/guest.sh --module build/debug/rcumap.ko \
		--bin build/fuzz/rcumap_ioctl_fuzz; then
	ok "ioctl fuzzer (debug guest)"
else
	not_ok "ioctl fuzzer (debug guest): see $out/fuzz"
fi
grep -h 'PASS\|FAIL' "$out/fuzz/out/fuzz.txt" "$out/fuzz/out/as-uid.txt" "$out/fuzz/out/charge.txt" 2>/dev/null | sed 's/^/    /'

# librcumap on the host: it builds without a warning, and its shared
# library exports what librcumap.map says, each call declared and in the
# man page.
librcumap() {
	make -s -C tools/lib/rcumap O="$top/build/librcumap" clean &&
	make -s -C tools/lib/rcumap O="$top/build/librcumap" 2>&1 | tee /dev/stderr |
		{ ! grep -E '(warning|error):'; } &&
	make -s -C tools/lib/rcumap O="$top/build/librcumap" check
}

echo "---- librcumap on the host"
check "librcumap: -Wall -Wextra clean, exports = librcumap.map = rcumap.h = librcumap.3" librcumap

echo "---- selftests of /dev/rcumap and librcumap in the debug guest"
st=$top/build/selftests
# One binary per concern (selftests/Makefile's TESTS), then the rest.
st_tests=$(make -s -C selftests KSRC="$(source_dir)" print-tests)
[ -n "$st_tests" ] || not_ok "selftests: make print-tests named no binary"
if make -s -C selftests KSRC="$(source_dir)" O="$st" >"$out/selftests-build.log" 2>&1; then
	st_bins=()
	for t in $st_tests rcumap_fail_nth librcumap_test librcumap-example; do
		st_bins+=(--bin "$st/$t")
	done
	if tools/vm/run.sh --kernel debug --mem 1024 --out "$out/selftests" \
		--script selftests/guest.sh --module build/debug/rcumap.ko \
		"${st_bins[@]}"; then
		ok "selftests guest run: no kernel reports, nothing leaked, rmmod works"
	else
		not_ok "selftests guest run: see $out/selftests"
	fi
	for t in $st_tests rcumap_fail_nth librcumap_test; do
		touch "$out/selftests/out/$t.tap" 2>/dev/null
		tap "$t" "$out/selftests/out/$t.tap"
	done
	check "librcumap example (Documentation/librcumap-example.c) in the debug guest" \
		grep -qx 'exit 0' "$out/selftests/out/librcumap-example.txt"
	sed 's/^/    /' "$out/selftests/out/librcumap-example.txt" 2>/dev/null
else
	sed 's/^/    /' "$out/selftests-build.log" | tail -n 30
	not_ok "selftests build"
fi

echo "---- the maps in user space (tools/native): tests, TSan, ASan, fuzzing"
make -s -C tools/native check >"$out/native.log" 2>&1
set -- $(tail -n 1 "$out/native.log")
if [ "${2:-}" = passed, ] && [ "${4:-}" = failed ]; then
	passed=$((passed + $1))
	failed=$((failed + $3))
	grep -E '^(ok|FAIL|not ok)' "$out/native.log" | grep -v '^ok' | sed 's/^/    /'
	echo "  native: $1 passed, $3 failed"
	[ "$3" = 0 ] || failures+=("$3 native test(s), see $out/native.log")
else
	tail -n 30 "$out/native.log" | sed 's/^/    /'
	not_ok "native tests: no summary, see $out/native.log"
fi

echo "---- the Promela models (spin): real protocols pass, broken ones are rejected"
model/check.sh >"$out/model.log" 2>&1
set -- $(tail -n 1 "$out/model.log")
if [ "${2:-}" = passed, ] && [ "${4:-}" = failed ]; then
	passed=$((passed + $1))
	failed=$((failed + $3))
	sed '$d; s/^/    /' "$out/model.log"
	[ "$3" = 0 ] || failures+=("$3 model check(s), see $out/model.log")
else
	tail -n 20 "$out/model.log" | sed 's/^/    /'
	not_ok "model check: no summary, see $out/model.log"
fi

echo "---- rcumapctl, host side (stand-in device)"
make -s -C tools/rcumapctl check O="$top/build/rcumapctl" >"$out/rcumapctl.tap" 2>&1
tap "rcumapctl tests" "$out/rcumapctl.tap"

echo "---- rcumapctl demo in the debug guest"
if make -s -C tools/rcumapctl O="$top/build/rcumapctl" >"$out/rcumapctl-build.log" 2>&1 &&
	tools/vm/run.sh --kernel debug --mem 1024 --out "$out/demo" \
		--script tools/rcumapctl/demo.sh --module build/debug/rcumap.ko \
		--bin build/rcumapctl/rcumapctl; then
	ok "rcumapctl demo (debug guest)"
else
	not_ok "rcumapctl demo (debug guest): see $out/demo"
fi

echo "---- packaging: make install, make dist, DKMS (host), modprobe and permissions (debug guest)"
pkg=$out/pkg
check "make install DESTDIR=, depmod -b, make uninstall" tools/pkg/check.sh install "$pkg"
check "make dist: reproducible, the files of HEAD" tools/pkg/check.sh dist "$pkg"
check "dist tarball built by dkms (private tree, debug kernel)" tools/pkg/check.sh dkms "$pkg"
check "installed tree in the debug guest: modprobe, dev_mode, group access, rcumapctl" \
	tools/pkg/check.sh guest "$pkg"

echo "---- took $(($(date +%s) - start)) s"
for f in "${failures[@]}"; do
	echo "failed: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
