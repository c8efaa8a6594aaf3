#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [--quiet] - install the Debian 12 packages rcumap's build, guest
# and tests need, if any is missing.  Idempotent: with everything present
# it only checks.
set -euo pipefail

pkgs=(
	build-essential bc bison flex cpio gzip xz-utils kmod perl python3
	libelf-dev libssl-dev dwarves	# kernel build
	linux-source-6.1		# guest kernel source, kunit.py, checkpatch
	qemu-system-x86 busybox-static	# the guest
	sparse				# make lint
	jq				# rcumapctl's JSON output tests
	spin				# model/: the Promela models
	liburcu-dev libjemalloc-dev	# tools/native: the maps in user space
	clang libclang-rt-14-dev llvm-14 # tools/native: sanitizers, libFuzzer
	lcov				# tools/native: make coverage
	valgrind gnuplot-nox		# tools/native: callgrind, plots
	dkms				# tools/pkg: the DKMS build check
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} = 0 ]; then
	[ "${1:-}" = --quiet ] || echo "deps: everything is installed"
	exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
	--no-install-recommends "${missing[@]}"
