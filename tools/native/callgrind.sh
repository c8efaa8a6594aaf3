#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# callgrind.sh BUILD_DIR OUT_DIR - instructions per lookup of an 8-byte key
# and per update (see the second table below)
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

# Instructions per update, by where they go: "icount update KS VS N" under
# callgrind, collecting inside one loop at a time, then every function's
# self cost sorted into a column by its file and name.  In the native
# build the allocator is jemalloc and RCU is liburcu, where the kernel has
# slab and call_rcu(): those columns say how much is not the map's own
# code, not what the kernel would spend.  The deferred free (the RCU
# callback) runs on liburcu's thread, outside the loop, and is not counted.
updates=${UPDATES:-20000}
split() {
	callgrind_annotate --auto=no --threshold=100 "$1" 2>/dev/null |
	awk -v n="$2" '
		/^ *[0-9,]+ \([ 0-9.]+%\) / && !/PROGRAM TOTALS/ {
			ir = $1; gsub(",", "", ir)
			f = $0; sub(/^ *[0-9,]+ \([ 0-9.]+%\) +/, "", f)
			if (f ~ /rcumap_hash_charge|kmalloc_size_roundup/) c = "acct"
			else if (f ~ /icount\.c/) c = "loop"
			else if (f ~ /kmod\/|jhash\.h|internal\.h|memcmp/) c = "map"
			else if (f ~ /jemalloc|malloc|free|slab\.h|posix_memalign/) c = "alloc"
			else if (f ~ /urcu|tls_get_addr|rcupdate\.h/) c = "rcu"
			else if (f ~ /memcpy|memmove|memset/) c = "copy"
			else if (f ~ /pthread_spin|spinlock\.h|pthread_mutex/) c = "lock"
			else c = "other"
			sum[c] += ir; total += ir
		}
		END {
			printf "%8.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f\n",
				(total - sum["loop"]) / n, sum["map"] / n,
				sum["acct"] / n, sum["alloc"] / n, sum["rcu"] / n,
				sum["lock"] / n, sum["copy"] / n, sum["other"] / n
		}'
}
{
	echo
	echo "Instructions per update, 10,000 keys in 32,768 buckets; replace:"
	echo "$updates updates of present keys; churn: $((updates / 2)) deletes,"
	echo "each followed by the insert of the same key (per operation)."
	echo "map: hash.c (hashing, scans, fill, publish); acct: bytes_used"
	echo "accounting; alloc: kvmalloc/kfree in the shim (jemalloc); rcu:"
	echo "liburcu read locks and call_rcu; lock: the bucket spinlock."
	echo
	printf '%-8s %-6s %8s %6s %6s %6s %6s %6s %6s %6s\n' \
		op kv/B total map acct alloc rcu lock copy other
	for kv in 8 64; do
		for op in replace churn; do
			f="$out/callgrind.update-$op-$kv.out"
			valgrind --tool=callgrind --callgrind-out-file="$f" \
				--collect-atstart=no \
				--toggle-collect="loop_update_$op" \
				"$build/icount" update $kv $kv "$updates" \
				>"$out/valgrind.update.log" 2>&1 ||
				{ cat "$out/valgrind.update.log"; exit 1; }
			printf '%-8s %-6s %s\n' $op $kv "$(split "$f" "$updates")"
		done
	done
} | tee -a "$out/icount.txt"
