#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - guest side of "make run": rcumapctl on every kind of map.
#
#   run.sh --kernel debug --out DIR --script tools/rcumapctl/demo.sh \
#          --module rcumap.ko --bin rcumapctl
#
# Loads rcumap, runs rcumapctl sessions on a hash map and on a process
# table, keeps a map alive across invocations with "serve", and unloads
# the module.  The transcript (each command, and what it printed) goes to
# /out/demo.txt, which the host gets as DIR/out/demo.txt.
#
# Errors shown on purpose are marked: "! ERRNO command" in a batch file
# (rcumapctl checks that the command fails with ERRNO) and must_fail for a
# shell command.  Anything else that fails makes the script exit 1.
set -u
GUEST_NAME=demo.sh
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh
out=/out/demo.txt
failures=0
mkdir -p /out
: >"$out"

note() { printf '%s\n' "$*" >>"$out"; }

# run CMD...: one shell command of the transcript, which must succeed.
run() {
	note "\$ $*"
	"$@" >>"$out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		note "[exit $rc: FAILED]"
		failures=$((failures + 1))
	fi
}

# must_fail CMD...: one shell command of the transcript, which must fail.
must_fail() {
	note "\$ $*"
	if "$@" >>"$out" 2>&1; then
		note "[exit 0: should have failed]"
		failures=$((failures + 1))
	else
		note "[exit $?, as expected]"
	fi
}

cat >/tmp/hash.rc <<'EOF'
# A hash map of 8-byte keys and 8-byte values.
create hash key 8 value 8 entries 1024
update 1 100
update 2 200
update 3 0x300
! EEXIST update 1 111 noexist	# insert-only: 1 is there
update 1 111 exist		# replace-only
! ENOENT update 4 400 exist	# replace-only: 4 is not there
lookup 1
delete 2
! ENOENT lookup 2
! ENOENT delete 2
dump
info
EOF

{
	echo "# A hash map resized while it holds keys, and walked in order."
	echo "create hash key 4 value 4 entries 256 buckets 4"
	i=1
	while [ $i -le 64 ]; do
		echo "update $i $((i * 10))"
		i=$((i + 1))
	done
	echo "info				# 4 buckets: 16 keys a bucket"
	echo "stats				# how many keys each bucket holds"
	echo "dump ordered count 16		# the map's own order of keys"
	echo "resize 1000			# rounded up to 1024"
	echo "info"
	echo "stats				# mostly empty buckets now"
	echo "lookup 42			# every key is still there"
	echo "getnext ordered 7		# the key after 7 in that order..."
	echo "delete 7"
	echo "getnext ordered 7		# ...and still that key once 7 is gone"
	echo "! EINVAL resize 0"
	echo "! EINVAL resize 2		# 256 entries need 256 / 64 buckets"
	echo "resize 4"
	echo "dump ordered count 16		# the same order at any size"
} >/tmp/resize.rc

# A map made with resize and shrink: 256 keys in 4 buckets, then info.
{
	echo "create hash key 4 value 4 entries 4096 buckets 4 resize shrink"
	i=1
	while [ $i -le 256 ]; do
		echo "update $i $i"
		i=$((i + 1))
	done
	echo "info"
} >/tmp/auto.rc

cat >/tmp/percpu.rc <<'EOF'
# A per-CPU hash map: one value per possible CPU.
create percpu_hash key 4 value 8 entries 64
update 1 100			# every CPU's value
lookup 1			# a line per CPU
info				# nr_cpus, and value_stride = nr_cpus * 8
lookup-and-delete 1
! ENOENT lookup 1
EOF
# An LRU map of 4 keys: 1 and 2 are looked up before each of 4 inserts
# into the full map, which evicts keys never looked up instead: 1 and 2
# survive every insert.
{
	echo "# An LRU hash map: a full map evicts instead of failing."
	echo "create lru_hash key 4 value 4 entries 4"
	for i in 1 2 3 4; do echo "update $i $((i * 10))"; done
	for i in 5 6 7 8; do
		echo "lookup 1"
		echo "lookup 2"
		echo "update $i $((i * 10))	# full: evicts a key not looked up"
	done
	echo "dump				# 1 and 2 are still there"
	echo "lookup 1			# (fails the demo if evicted)"
	echo "lookup 2"
	echo "info"
} >/tmp/lru.rc
cat >/tmp/ptab.rc <<'EOF'
# A process table: the kernel picks each entry's id.
create ptab value 16 capacity 64
ptab insert str:init
ptab insert str:kthreadd
ptab insert str:rcu_gp
ptab lookup 1
ptab remove 1
! ENOENT ptab lookup 1		# a removed id goes stale
ptab insert str:kworker		# and is never handed out again
ptab list
info
EOF

note "# rcumapctl demo: $(uname -r)"
note "# load_rcumap: insmod rcumap.ko, wait for /dev/rcumap (tools/vm/guest-lib.sh)"
run load_rcumap
run ls -l /dev/rcumap

note ""
note "# One invocation is one map: a batch session on a hash map."
run rcumapctl -e batch /tmp/hash.rc

note ""
note "# Another invocation, another map: a process table."
run rcumapctl -e batch /tmp/ptab.rc

note ""
note "# Per-CPU and LRU hash maps."
run rcumapctl -e batch /tmp/percpu.rc
run rcumapctl -e batch /tmp/lru.rc
note ""
note "# RESIZE and ordered walks."
run rcumapctl -e batch /tmp/resize.rc

note ""
note "# 256 keys into a map made with resize, shrink and 4 buckets: it grows"
note "# by itself (when it does is up to the kernel, so the count may vary)."
run rcumapctl batch /tmp/auto.rc

note ""
note "# Commands on the command line, separated by --; JSON output."
run rcumapctl -j create hash key 4 value 16 entries 8 -- update 7 str:seven -- lookup 7

note ""
note "# A map that outlives one invocation: serve keeps it, -s uses it."
run rcumapctl serve /tmp/map.sock create hash key 4 value 8 entries 64 -- update 1 10
run rcumapctl -s /tmp/map.sock update 2 20
run rcumapctl -s /tmp/map.sock -e lookup 1 -- dump
must_fail rmmod rcumap
run rcumapctl -s /tmp/map.sock stop

note ""
note "# No map is open: the module unloads."
run unload_module rcumap
run test ! -e /dev/rcumap

if [ "$failures" -ne 0 ]; then
	note ""
	note "# $failures unexpected failure(s)"
	cat "$out"
	exit 1
fi
note ""
note "# demo done"
cat "$out"
