#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh BUILD_DIR OUT_DIR "THREADS..." SECONDS RUNS - run the native
# benchmark matrix and report it.  Each of RUNS rounds measures every
# (map, workload, threads) point for every implementation back to back, so
# that a ratio compares measurements taken moments apart; the report
# script of "make bench", tools/bench/report.py --native, then takes
# medians over the rounds.  Writes OUT_DIR/raw.csv, OUT_DIR/summary.csv,
# OUT_DIR/*.png and prints the table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
out=$2
threads=$3
seconds=$4
runs=$5

mkdir -p "$out"
raw=$out/raw.csv
echo "map,workload,impl,threads,run,seconds,ops,mops" >"$raw"
points=0
for map in hash ptab; do
	if [ $map = hash ]; then
		workloads="lookup 99-1 70-30"
		impls="rcumap rculfhash mutex rwlock"
	else
		workloads="99-1 70-30"
		impls="rcumap mutex"
	fi
	for w in $workloads; do
		for t in $threads; do
			for i in $impls; do
				points=$((points + 1))
			done
		done
	done
done
echo "bench: $points points x $runs runs x $seconds s on $(nproc) CPUs" \
	"($(uptime | sed 's/.*load/load/'))"
for r in $(seq 1 "$runs"); do
	for map in hash ptab; do
		if [ $map = hash ]; then
			workloads="lookup 99-1 70-30"
			impls="rcumap rculfhash mutex rwlock"
		else
			workloads="99-1 70-30"
			impls="rcumap mutex"
		fi
		for w in $workloads; do
			for t in $threads; do
				for i in $impls; do
					"$build/bench" $map "$w" $i "$t" "$seconds" "$r" >>"$raw"
				done
			done
		done
	done
	echo "bench: run $r of $runs done"
done
python3 "$here/../bench/report.py" --native "$raw" "$out"
