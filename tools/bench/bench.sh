#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - "make bench": rcumap against the kernel's own peers and
# against bpf(2) hash maps, in a guest kernel without debug options.
#
# Builds the "bench" guest kernel (tools/vm/config/bench.config: no KASAN,
# lockdep, kmemleak or KCSAN; optimised for speed; cached), rcumap.ko and
# rcumap_bench.ko against it, and the static user-space benchmark
# rcumap_ubench; boots the guest with one CPU per host CPU; runs
# tools/bench/guest.sh there; prints a table per workload with rcumap's
# ratio to each peer and the issue's targets; writes, in BENCH_OUT:
#   results.csv   every measurement: map,workload,impl,entries,threads,
#                 round,ops,ns,ops_per_sec,errors (map hash/ptab from the
#                 kernel module, user from rcumap_ubench)
#   memory.csv    map,impl,entries,bytes
#   latency.csv   op,geometry,entries,value_size,samples,mean_ns,p50_ns,
#                 p99_ns,p999_ns,max_ns,errors,switched,interrupted,quiet,
#                 quiet_p99_ns,quiet_p999_ns,quiet_max_ns (map=worst; its
#                 means are also in results.csv, as map "worst")
#   ptab_cost.csv capacity,full_pct,ids_per_insert_x100,walk_ns_per_obj,
#                 walk_loads_per_obj_x100,fresh_walk_ns_per_obj,
#                 fresh_walk_loads_per_obj_x100 (map=worst)
#   summary.csv   medians and ratios, one row per table line
#   tables.rst    the same tables for Documentation/benchmarks-guest.rst
#   throughput-{hash,ptab,user}.png, ratios-{hash,ptab,user}.png
#   report.txt    what was printed; run/ the guest run (kernel log etc.)
#
# Settings (environment; defaults in brackets):
#   BENCH_MS [250]            duration of each measurement, milliseconds
#   BENCH_ROUNDS [5]          rounds; implementations interleave in each
#   BENCH_THREADS [1..nproc]  thread counts, comma-separated
#   BENCH_ENTRIES [1024,65536,1048576]  hash table sizes, every mix each
#   BENCH_MEM_ENTRIES [1024,65536,1048576]  sizes whose memory is measured
#   BENCH_PTAB_ENTRIES [65536]  live ids in the process tables
#   BENCH_USER_ENTRIES [65536]  keys in the /dev/rcumap and bpf(2) maps
#   BENCH_KEY_SIZE [8], BENCH_VALUE_SIZE [8]
#   BENCH_READ_PCT [100,99,90,70]  hash mixes, percent lookups
#   BENCH_RESIZE_ENTRIES [16384]  keys in the tables of the resize benchmark
#   BENCH_RESIZE_MS [1000]    duration of each of its measurements, ms
#   BENCH_WORST_ENTRIES [4096]  max_entries of the worst-case benchmark's tables
#   BENCH_WORST_VALUE_SIZE [8]  its value sizes, comma-separated
#   BENCH_WORST_SAMPLES [16384], BENCH_WORST_MS [20000]  latency samples per
#     operation and geometry, and the most time for them per value size
#   BENCH_WORST_DELAY_US [3]  length of its udelay() control operation
#   BENCH_MAPS [hash,ptab,mem,resize,worst,user], BENCH_IMPLS [all]; with hash,
#     BENCH_IMPLS=counter,lru runs only the per-CPU and LRU hash benchmarks
#     (16 hot keys, 65536-key LRU tables: rcumap_bench.ko's defaults)
#   BENCH_OUT [out/bench], BENCH_BUILD [build/bench] (objects, binaries)
#   BENCH_TIMEOUT [1500] seconds for the guest
# With the defaults the guest runs about 5 minutes on 2 CPUs under TCG.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tools/vm/lib.sh
. tools/vm/lib.sh

cpus=$(nproc)
out=${BENCH_OUT:-$top/out/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${BENCH_BUILD:-$top/build/bench}
timeout=${BENCH_TIMEOUT:-1500}

# Defaults, passed on explicitly so that the estimate below is right.
: "${BENCH_MS:=250}" "${BENCH_ROUNDS:=5}"
: "${BENCH_ENTRIES:=1024,65536,1048576}" "${BENCH_MEM_ENTRIES:=1024,65536,1048576}"
: "${BENCH_PTAB_ENTRIES:=65536}" "${BENCH_USER_ENTRIES:=65536}"
: "${BENCH_READ_PCT:=100,99,90,70}" "${BENCH_MAPS:=hash,ptab,mem,resize,worst,user}"
: "${BENCH_RESIZE_ENTRIES:=16384}" "${BENCH_RESIZE_MS:=1000}"
: "${BENCH_WORST_VALUE_SIZE:=8}" "${BENCH_WORST_MS:=20000}"
if [ -z "${BENCH_THREADS:-}" ]; then
	BENCH_THREADS=$(seq -s, 1 "$cpus")
fi

"$RCUMAP_VM/deps.sh" --quiet
command -v gnuplot >/dev/null || msg "gnuplot is missing: no plots (apt-get install gnuplot-nox)"

msg "the bench guest kernel (built once, then cached)"
kdir=$("$RCUMAP_VM/kernel.sh" bench)

msg "building rcumap.ko and rcumap_bench.ko in $build"
rm -rf "$build"
mkdir -p "$build"
# Kbuild writes its objects next to the sources: build in a copy.
tar -cf - Kbuild kmod include kunit | tar -xf - -C "$build"
make -s -C "$kdir" M="$build" W=1 modules
for m in rcumap rcumap_bench; do
	[ -f "$build/$m.ko" ] || die "$m.ko was not built"
done
make -s -C tools/lib/rcumap O="$build/librcumap" "$build/librcumap/librcumap.a"
${CC:-gcc} -O2 -static -pthread -Wall -Wextra -I"$top/include/uapi" \
	-I"$top/tools/lib/rcumap/include" -o "$build/rcumap_ubench" \
	tools/bench/ubench.c "$build/librcumap/librcumap.a"

# The guest's TSC runs at the host's rate under TCG, but it cannot
# calibrate it (microvm has no HPET or PM timer) and falls back to a
# jiffies clock, 4 ms steps: tell it the rate.
khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
append="tsc=reliable${khz:+ tsc_early_khz=$khz}"
for v in BENCH_MS BENCH_ROUNDS BENCH_THREADS BENCH_KEY_SIZE BENCH_VALUE_SIZE \
	 BENCH_ENTRIES BENCH_MEM_ENTRIES BENCH_PTAB_ENTRIES BENCH_USER_ENTRIES \
	 BENCH_READ_PCT BENCH_RESIZE_ENTRIES BENCH_RESIZE_MS BENCH_MAPS BENCH_IMPLS \
	 BENCH_WORST_ENTRIES BENCH_WORST_VALUE_SIZE BENCH_WORST_SAMPLES BENCH_WORST_MS \
	 BENCH_WORST_DELAY_US; do
	[ -z "${!v:-}" ] || append="$append $v=${!v}"
done

# How long the measurements take: per round, the hash tables measure
# every mix at every size, all five concurrent tables at every thread
# count and the floor at one thread; the process tables four workloads of
# three tables; user space four timed operations of two maps.
count() { tr , '\n' <<<"$1" | grep -c .; }
nthr=$(count "$BENCH_THREADS")
points=0
# (Counted as if all six tables ran unless BENCH_IMPLS names none of them.)
case ,$BENCH_MAPS,/,${BENCH_IMPLS:-all}, in
*,hash,*/*,all,* | *,hash,*/*,rcumap,* | *,hash,*/*,rhashtable,* | \
*,hash,*/*,spinlock,* | *,hash,*/*,rwlock,* | *,hash,*/*,bucketlock,* | \
*,hash,*/*,floor,*)
	points=$((points + $(count "$BENCH_ENTRIES") * $(count "$BENCH_READ_PCT") * (5 * nthr + 1))) ;;
esac
# The hash variants (rcumap_bench.ko impl=counter,lru, part of "hash"):
# three counter tables and three LRU measurements at every thread count.
case ,$BENCH_MAPS, in *,hash,*)
	case ,${BENCH_IMPLS:-all}, in
	*,all,* | *,counter,*) points=$((points + 3 * nthr)) ;;
	esac
	case ,${BENCH_IMPLS:-all}, in
	*,all,* | *,lru,*) points=$((points + 3 * nthr)) ;;
	esac ;;
esac
case ,$BENCH_MAPS, in *,ptab,*)
	points=$((points + $(count "$BENCH_PTAB_ENTRIES") * 4 * 3 * nthr)) ;;
esac
case ,$BENCH_MAPS, in *,user,*) points=$((points + 4 * 2 * nthr)) ;; esac
estimate=$((points * BENCH_ROUNDS * BENCH_MS / 1000))
# The resize benchmark: two tables, lookups without and with resizing.
case ,$BENCH_MAPS, in *,resize,*)
	points=$((points + $(count "$BENCH_RESIZE_ENTRIES") * 2 * 2))
	estimate=$((estimate + $(count "$BENCH_RESIZE_ENTRIES") * 4 * BENCH_ROUNDS * BENCH_RESIZE_MS / 1000)) ;;
esac
# The worst-case benchmark: at most BENCH_WORST_MS of samples per value
# size, plus filling its tables and the process table rows (about 5 s).
case ,$BENCH_MAPS, in *,worst,*)
	estimate=$((estimate + $(count "$BENCH_WORST_VALUE_SIZE") * (BENCH_WORST_MS / 1000 + 2) + 5)) ;;
esac
msg "$points measurements x $BENCH_ROUNDS rounds x $BENCH_MS ms on $cpus CPUs: about $estimate s of measuring, plus filling the tables"

run=$out/run
log=$out/run.log
rm -f "$log"
start=$(date +%s)
"$RCUMAP_VM/run.sh" --kernel bench --smp "$cpus" --mem 2048 --out "$run" \
	--timeout "$timeout" --script tools/bench/guest.sh \
	--module "$build/rcumap.ko" --module "$build/rcumap_bench.ko" \
	--bin "$build/rcumap_ubench" --append "$append" >"$log" 2>&1 &
pid=$!

# Progress: the guest's "bench:" lines as the console log grows (it comes
# in blocks: run.sh writes it through a buffered pipe), and the time.
shown=0
last=0
while kill -0 "$pid" 2>/dev/null; do
	sleep 5
	if [ -f "$run/console.log" ]; then
		n=$(grep -c '^bench: ' "$run/console.log" || true)
		if [ "$n" -gt "$shown" ]; then
			grep '^bench: ' "$run/console.log" | sed -n "$((shown + 1)),${n}p"
			shown=$n
		fi
	fi
	now=$(($(date +%s) - start))
	if [ $((now - last)) -ge 30 ]; then
		msg "guest running for $now s (measuring takes about $estimate s)"
		last=$now
	fi
done
status=0
wait "$pid" || status=$?
cat "$log"
if [ -f "$run/console.log" ]; then
	grep '^bench: ' "$run/console.log" | sed -n "$((shown + 1)),\$p"
fi
accel=$(sed -n 's/.*booting bench kernel: accel \([a-z]*\),.*/\1/p' "$log" | head -n 1)

kcsv=$run/out/kernel.csv
ucsv=$run/out/user.csv
touch "$kcsv" "$ucsv"
{
	echo "map,workload,impl,entries,threads,round,ops,ns,ops_per_sec,errors"
	sed -n 's/^RCUMAP_BENCH,//p' "$kcsv" "$ucsv"
} >"$out/results.csv"
{
	echo "map,impl,entries,bytes"
	sed -n 's/^RCUMAP_MEM,//p' "$kcsv" "$ucsv"
} >"$out/memory.csv"
{
	echo "op,geometry,entries,value_size,samples,mean_ns,p50_ns,p99_ns,p999_ns,max_ns,errors,switched,interrupted,quiet,quiet_p99_ns,quiet_p999_ns,quiet_max_ns"
	sed -n 's/^RCUMAP_LAT,//p' "$kcsv"
} >"$out/latency.csv"
{
	echo "capacity,full_pct,ids_per_insert_x100,walk_ns_per_obj,walk_loads_per_obj_x100,fresh_walk_ns_per_obj,fresh_walk_loads_per_obj_x100"
	sed -n 's/^RCUMAP_PTAB_COST,//p' "$kcsv"
} >"$out/ptab_cost.csv"
[ "$(wc -l <"$out/results.csv")" -gt 1 ] || die "no results came back (see $run)"

report=0
python3 tools/bench/report.py "$out" "${accel:-unknown}" | tee "$out/report.txt" ||
	report=$?
msg "results in $out (results.csv, memory.csv, latency.csv, ptab_cost.csv, summary.csv, tables.rst, report.txt, *.png)"
if [ "$status" != 0 ]; then
	die "the guest run failed (see $log and $run)"
fi
[ "$report" = 0 ] || die "some operations failed (see $out/report.txt and $run/dmesg.txt)"
