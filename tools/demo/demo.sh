#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of "make run": load rcumap and the demo, keep what it printed.
set -e
insmod /lib/rcumap/rcumap.ko
insmod /lib/rcumap/rcumap_demo.ko
dmesg | grep 'rcumap_demo:' | sed 's/^\[[^]]*\] //' > /out/demo.txt
rmmod rcumap_demo
rmmod rcumap
echo "rcumap unloaded cleanly" >> /out/demo.txt
