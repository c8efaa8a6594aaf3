#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the KUnit run in "make check": the suites run while
# rcumap_kunit.ko loads; their results are saved before it is unloaded,
# and both modules must unload cleanly.
set -e
insmod /lib/rcumap/rcumap.ko
insmod /lib/rcumap/rcumap_kunit.ko ${RCUMAP_KUNIT_ARGS:-}
/init --save-kunit
rmmod rcumap_kunit
rmmod rcumap
