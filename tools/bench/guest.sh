#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - guest side of "make bench" (tools/bench/bench.sh).
#
#   run.sh --kernel bench --out DIR --script tools/bench/guest.sh \
#          --module rcumap.ko --module rcumap_bench.ko --bin rcumap_ubench \
#          --append "BENCH_MS=500 ..."
#
# Settings come as kernel command line words NAME=VALUE, which the kernel
# hands to /init, and so to this script, as environment variables:
#   BENCH_MS, BENCH_ROUNDS, BENCH_THREADS (1,2,...), BENCH_KEY_SIZE,
#   BENCH_VALUE_SIZE, BENCH_ENTRIES, BENCH_MEM_ENTRIES, BENCH_PTAB_ENTRIES,
#   BENCH_USER_ENTRIES, BENCH_READ_PCT, BENCH_RESIZE_ENTRIES,
#   BENCH_RESIZE_MS, BENCH_WORST_ENTRIES, BENCH_WORST_VALUE_SIZE,
#   BENCH_WORST_SAMPLES, BENCH_WORST_MS, BENCH_WORST_DELAY_US,
#   BENCH_MAPS (hash,ptab,mem,resize,worst,user),
#   BENCH_IMPLS (rcumap_bench.ko's impl=)
# Unset ones take the defaults of rcumap_bench.ko and rcumap_ubench.
#
# Runs rcumap_ubench (/dev/rcumap against bpf(2)), then loads
# rcumap_bench.ko, whose init runs the in-kernel benchmark, and unloads
# both modules.  Results, one CSV line each, go to /out/user.csv and
# /out/kernel.csv (the host gets them as DIR/out/); lines starting with
# "bench:" on the console tell the progress.  Exits non-zero if anything
# failed.

GUEST_NAME=bench
# shellcheck source=tools/vm/guest-lib.sh
. /lib/rcumap/guest-lib.sh

failed=0

# add NAME VALUE: append a module parameter if VALUE is set.
params=
add() { [ -z "$2" ] || params="$params $1=$2"; }

# The result lines of the kernel log, without timestamp and prefix.
results() { dmesg | sed -n 's/^.*\(RCUMAP_[A-Z_]*,\)/\1/p'; }

# Print the new result lines every few seconds while rcumap_bench.ko runs.
progress() {
	seen=0
	while :; do
		sleep 10
		results | grep '^RCUMAP_BENCH,' >/tmp/progress
		n=$(wc -l </tmp/progress)
		[ "$n" -gt "$seen" ] || continue
		sed -n "$((seen + 1)),${n}p" /tmp/progress |
			awk -F, '{ printf "bench: [%s] %s %s %s, %s entries, %s thr: %.3f Mops/s\n",
				   "'"$(now)"'", $2, $3, $4, $5, $6, $10 / 1e6 }'
		seen=$n
	done
}

say "$(nproc) CPUs, $(uname -r)"
load_rcumap || exit 1

maps=${BENCH_MAPS:-hash,ptab,mem,resize,worst,user}
case ,$maps, in
*,user,*)
	say "user space: /dev/rcumap against bpf(2), started at $(now) s"
	set -- -m "${BENCH_MS:-500}" -r "${BENCH_ROUNDS:-1}" \
		-k "${BENCH_KEY_SIZE:-8}" -v "${BENCH_VALUE_SIZE:-8}" \
		-n "${BENCH_USER_ENTRIES:-65536}"
	[ -z "${BENCH_THREADS:-}" ] || set -- "$@" -t "$BENCH_THREADS"
	/bin/rcumap_ubench "$@" >/out/user.csv
	rc=$?
	awk -F, '/^RCUMAP_BENCH,/ { printf "bench: user %s %s, %s thr: %.3f Mops/s\n",
		 $3, $4, $6, $10 / 1e6 }' /out/user.csv
	if [ $rc -ne 0 ]; then
		say "rcumap_ubench exited $rc"
		failed=1
	fi
	;;
esac

kmaps=$(echo "$maps" | tr , '\n' | grep -xE 'hash|ptab|mem|resize|worst' | paste -sd, -)
if [ -n "$kmaps" ]; then
	add map "$kmaps"
	add ms "${BENCH_MS:-}"
	add rounds "${BENCH_ROUNDS:-}"
	add threads "${BENCH_THREADS:-}"
	add key_size "${BENCH_KEY_SIZE:-}"
	add value_size "${BENCH_VALUE_SIZE:-}"
	add entries "${BENCH_ENTRIES:-}"
	add mem_entries "${BENCH_MEM_ENTRIES:-}"
	add ptab_entries "${BENCH_PTAB_ENTRIES:-}"
	add read_pct "${BENCH_READ_PCT:-}"
	add resize_entries "${BENCH_RESIZE_ENTRIES:-}"
	add resize_ms "${BENCH_RESIZE_MS:-}"
	add worst_entries "${BENCH_WORST_ENTRIES:-}"
	add worst_value_size "${BENCH_WORST_VALUE_SIZE:-}"
	add worst_samples "${BENCH_WORST_SAMPLES:-}"
	add worst_ms "${BENCH_WORST_MS:-}"
	add worst_delay_us "${BENCH_WORST_DELAY_US:-}"
	add impl "${BENCH_IMPLS:-}"
	say "kernel: insmod rcumap_bench.ko$params, started at $(now) s"
	progress &
	poller=$!
	# shellcheck disable=SC2086
	if ! load_module rcumap_bench $params; then
		say "rcumap_bench.ko failed (see the kernel log)"
		failed=1
	fi
	kill "$poller" 2>/dev/null
	wait "$poller" 2>/dev/null
	results >/out/kernel.csv
	say "kernel: $(grep -c '^RCUMAP_BENCH,' /out/kernel.csv) measurements, done at $(now) s"
	# The module stays loaded after a successful run; it must go cleanly.
	if [ -e /sys/module/rcumap_bench ] && ! unload_module rcumap_bench; then
		failed=1
	fi
fi

unload_module rcumap || failed=1
say "exit $failed"
exit $failed
