#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the KUnit run in "make check": the suites run while
# rcumap_kunit.ko loads; their results are saved before it is unloaded,
# and both modules must unload cleanly.
set -e
GUEST_NAME=kunit/guest.sh
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh
load_rcumap
# shellcheck disable=SC2086
load_module rcumap_kunit ${RCUMAP_KUNIT_ARGS:-}
/init --save-kunit
unload_module rcumap_kunit
unload_module rcumap
