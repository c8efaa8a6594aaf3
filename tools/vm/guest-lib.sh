# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# guest-lib.sh - what the guest scripts share (busybox sh).
#
# tools/vm/initramfs.sh ships this file as /lib/rcumap/guest-lib.sh; a
# script that run.sh runs as /test.sh sources it first:
#   GUEST_NAME=fuzz/guest.sh
#   . /lib/rcumap/guest-lib.sh
#
#   say MSG...            a line "GUEST_NAME: MSG" on the console
#   now                   seconds since boot, from /proc/uptime
#   load_module NAME [PARAM...]
#                         insmod /lib/rcumap/NAME.ko with PARAMs
#   load_rcumap           rcumap.ko, then wait for devtmpfs to make
#                         /dev/rcumap
#   unload_module NAME    rmmod NAME; it must be gone from /sys/module
# Each says what failed and returns non-zero if it did.

say() { echo "${GUEST_NAME:-guest}: $*"; }

now() { cut -d" " -f1 /proc/uptime; }

load_module() {
	_name=$1
	shift
	insmod "/lib/rcumap/$_name.ko" "$@" && return 0
	say "insmod $_name.ko failed"
	return 1
}

load_rcumap() {
	load_module rcumap || return 1
	# devtmpfs makes the node; give it up to 5 s.
	_i=0
	while [ ! -c /dev/rcumap ] && [ "$_i" -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -c /dev/rcumap ] && return 0
	say "no /dev/rcumap after insmod"
	return 1
}

unload_module() {
	if ! rmmod "$1"; then
		say "rmmod $1 failed"
		return 1
	fi
	if [ -e "/sys/module/$1" ]; then
		say "rmmod $1: still loaded"
		return 1
	fi
	say "rmmod $1: ok"
}
