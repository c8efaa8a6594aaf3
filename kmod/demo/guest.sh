#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - load rcumap_demo.ko in the test guest, keep what it printed.
#
#   tools/vm/run.sh --kernel debug --out DIR --script kmod/demo/guest.sh \
#       --module build/debug/rcumap.ko --module build/debug/rcumap_demo.ko
#
# The demo's lines of the kernel log go to /out/demo.txt (DIR/out/demo.txt
# on the host).  Exits 0 only if both modules loaded and unloaded.
set -e
GUEST_NAME=demo/guest.sh
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh
load_rcumap
load_module rcumap_demo
dmesg | grep 'rcumap_demo:' | sed 's/^\[[^]]*\] //' > /out/demo.txt
unload_module rcumap_demo
unload_module rcumap
echo "rcumap unloaded cleanly" >> /out/demo.txt
