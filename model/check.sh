#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - check the Promela models of rcumap's protocols with spin.
#
# For each model, the real protocol must pass an exhaustive safety search
# and every deliberately broken variant must be rejected:
#   hash.pml   real; -DBROKEN_FREE (no grace period); -DBROKEN_PUBLISH
#              (publish before the bucket is filled)
#   ptab.pml   real; -DBROKEN_PUT (ring put without cmpxchg);
#              -DBROKEN_TAKE (ring take without xchg)
# Prints one "ok"/"FAIL" line per run and "N passed, N failed" last.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# verify MODEL WANT [DEFINE]: WANT is "pass" or "reject".
verify() {
	local model=$1 want=$2 def=${3:-} out errors
	(
		cd "$work" && rm -f pan pan.* &&
		spin -a $def "$here/$model.pml" >spin.log 2>&1 &&
		gcc -O2 -DSAFETY -o pan pan.c >>spin.log 2>&1 &&
		./pan -m200000 >pan.log 2>&1
	)
	out=$(cat "$work/pan.log" 2>/dev/null)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' <<<"$out" | head -n 1)
	if [ -z "$errors" ]; then
		echo "FAIL $model ${def:-(real)}: spin did not run"
		cat "$work/spin.log"
		failed=$((failed + 1))
	elif grep -q 'max search depth too small' <<<"$out"; then
		echo "FAIL $model ${def:-(real)}: search depth too small"
		failed=$((failed + 1))
	elif { [ "$want" = pass ] && [ "$errors" = 0 ]; } ||
	     { [ "$want" = reject ] && [ "$errors" != 0 ]; }; then
		echo "ok   $model ${def:-(real)}: errors: $errors, as expected" \
			"($(sed -n 's/^ *\([0-9e.+]*\) states, stored.*/\1/p' <<<"$out") states)"
		passed=$((passed + 1))
	else
		echo "FAIL $model ${def:-(real)}: errors: $errors, want $want"
		grep -m 3 'assertion violated\|pan:' <<<"$out"
		failed=$((failed + 1))
	fi
}

verify hash pass
verify hash reject -DBROKEN_FREE
verify hash reject -DBROKEN_PUBLISH
verify ptab pass
verify ptab reject -DBROKEN_PUT
verify ptab reject -DBROKEN_TAKE
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
