#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# callgrind.sh BUILD_DIR OUT_DIR - instructions per lookup of an 8-byte key
# in rcumap's hash table and in liburcu's rculfhash, hit and miss, counted
# by valgrind --tool=callgrind over icount's fixed loops.  The counts are
# the same on every run on the same build (the hash seed is fixed), however
# busy the machine.  Writes OUT_DIR/callgrind.out and OUT_DIR/icount.txt.
set -euo pipefail
build=$1
out=$2
lookups=${LOOKUPS:-200000}

mkdir -p "$out"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
	"$build/icount" "$lookups" >"$out/valgrind.log" 2>&1 ||
	{ cat "$out/valgrind.log"; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out" >"$out/annotate.txt"

# Inclusive instruction count of function $1.
ir() {
	awk -v f="icount.c:$1 " '
		index($0, f) && $0 !~ /=>/ {
			gsub(",", "", $1); print $1; exit
		}' "$out/annotate.txt"
}

empty=$(ir empty_loop)
{
	echo "Instructions per lookup, 8-byte keys and values, 10,000 keys in"
	echo "32,768 buckets; $lookups lookups per loop, less the empty loop."
	echo "\"bare\": one rcu_read_lock() around the loop (a kernel caller's"
	echo "cost on a non-preemptible kernel); \"locked\": liburcu's read lock"
	echo "and unlock around every lookup."
	echo
	printf '%-10s %-7s %8s %8s\n' map lock hit miss
	for map in rcumap lfht; do
		for lock in bare locked; do
			hit=$(ir "loop_${map}_${lock}_hit")
			miss=$(ir "loop_${map}_${lock}_miss")
			name=$map
			[ $map = lfht ] && name=rculfhash
			printf '%-10s %-7s %8.1f %8.1f\n' $name $lock \
				"$(echo "($hit - $empty) / $lookups" | bc -l)" \
				"$(echo "($miss - $empty) / $lookups" | bc -l)"
		done
	done
} | tee "$out/icount.txt"
echo "(valgrind $(valgrind --version | sed 's/valgrind-//'), $(${CC:-gcc} --version | head -n 1))"
