#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - boot a guest kernel in QEMU, run a test script in it and judge
# the run.
#
#   run.sh --kernel VARIANT --out DIR --script GUEST_SCRIPT
#          [--module X.ko]... [--bin FILE]... [--tree DIR]... [--timeout SECONDS (600)]
#          [--smp N (2)] [--mem MB (2048)] [--append "extra cmdline"]
#
# The guest's /init (tools/vm/init) runs GUEST_SCRIPT as /test.sh and sends
# its results over a second serial port; they are unpacked into DIR:
#   console.log       kernel console (ttyS0) and the script's output
#   test.log          the script's output alone
#   dmesg.txt         the whole kernel log, read at the end
#   kmemleak.txt      the kmemleak report (empty when nothing leaked)
#   kunit/SUITE.ktap  each KUnit suite's results, from debugfs
#   out/NAME          whatever the script wrote to /out/NAME
#   status            the script's exit code (missing if the guest died)
# Passes (exit 0) only if the guest got to the end, the script exited 0
# and tools/vm/scan-log.sh finds no kernel report in the logs.
# RCUMAP_VERBOSE=1 streams the console to the terminal.
set -euo pipefail
# shellcheck source=tools/vm/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { die "usage: run.sh --kernel VARIANT --out DIR --script FILE [--module X.ko]... [--bin FILE]... [--tree DIR]... [--timeout S] [--smp N] [--mem MB] [--append STR]"; }

variant='' out='' script='' timeout=600 smp=2 mem=2048 append=''
pack=()
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) variant=$2 ;;
	--out) out=$2 ;;
	--script) script=$2 ;;
	--module | --bin | --tree) pack+=("$1" "$2") ;;
	--timeout) timeout=$2 ;;
	--smp) smp=$2 ;;
	--mem) mem=$2 ;;
	--append) append=$2 ;;
	*) usage ;;
	esac
	shift 2
done
if [ -z "$variant" ] || [ -z "$out" ] || [ -z "$script" ]; then
	usage
fi

kdir=$("$RCUMAP_VM/kernel.sh" "$variant")
bzimage=$kdir/arch/x86/boot/bzImage
[ -f "$bzimage" ] || die "no $bzimage"

# DIR is emptied first: refuse a non-empty directory that is not a run's.
if [ -n "$(ls -A "$out" 2>/dev/null)" ] && [ ! -f "$out/console.log" ] &&
   [ ! -f "$out/initramfs.cpio.gz" ]; then
	die "$out is not empty and not the output of an earlier run"
fi
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
"$RCUMAP_VM/initramfs.sh" "$out/initramfs.cpio.gz" "${pack[@]}" --script "$script"

# This host may have /dev/kvm without hardware virtualisation, and KVM then
# hangs instead of failing: use it only when the CPU flags say it can work.
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=kvm
else
	accel=tcg
fi

# microvm boots faster than pc (no ACPI, no PCI).  It has one serial port
# of its own (ttyS0, the console); the results port is a second ISA UART
# (ttyS1 at 0x2f8).  Without ACPI the guest finds its CPUs in the MP
# table that microvm's firmware (qboot) writes, so -smp works.
# reboot=t: microvm has no reset port, and the kernel's default reboot
# methods end in a reset that ignores -no-reboot; a triple fault makes
# QEMU exit, both at the end (reboot -f) and on a panic (panic=-1).
# no_timer_check: under TCG on a loaded host the kernel's check that the
# IO-APIC timer ticks can time out and panic the guest at boot ("IO-APIC
# + timer doesn't work"), before any test ran; the timer works.
qemu=(qemu-system-x86_64 -M microvm -accel "$accel" -smp "$smp" -m "$mem"
	-nographic -no-reboot -monitor none -serial stdio
	-chardev "file,id=results,path=$out/serial1.raw"
	-device "isa-serial,chardev=results"
	-kernel "$bzimage" -initrd "$out/initramfs.cpio.gz"
	-append "console=ttyS0 panic=-1 reboot=t loglevel=5 log_buf_len=1M no_timer_check $append")

msg "booting $variant kernel: accel $accel, $smp CPUs, $mem MB, timeout $timeout s, output in $out"
start=$(date +%s)
set +e
if [ "${RCUMAP_VERBOSE:-0}" = 1 ]; then
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null | stdbuf -oL tr -d '\r' | tee "$out/console.log"
else
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null | tr -d '\r' >"$out/console.log"
fi
qemu_rc=${PIPESTATUS[0]}
set -e
msg "guest ran $(($(date +%s) - start)) s"

# Unpack the framed files that came over ttyS1.
unpack() {
	local line name='' part="$out/.part"
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		'@@RCUMAP-FILE '*'@@')
			name=${line#@@RCUMAP-FILE }
			name=${name%@@}
			: >"$part" ;;
		'@@RCUMAP-END@@')
			case /$name/ in
			//|*/../*|*/./*) msg "ignoring a file named '$name'" ;;
			*)
				mkdir -p "$(dirname "$out/$name")"
				base64 -d "$part" >"$out/$name" ||
					msg "$name arrived damaged" ;;
			esac
			name='' ;;
		*) [ -z "$name" ] || printf '%s\n' "$line" >>"$part" ;;
		esac
	done
	rm -f "$part"
}
touch "$out/serial1.raw"
unpack <"$out/serial1.raw"

failed=()
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	failed+=("the guest timed out after $timeout s (see $out/console.log)")
elif [ "$qemu_rc" != 0 ]; then
	failed+=("qemu exited with status $qemu_rc")
fi
if [ ! -f "$out/status" ]; then
	[ ${#failed[@]} -gt 0 ] ||
	failed+=("the guest did not finish: no results came back (crash or panic? see $out/console.log)")
elif [ "$(cat "$out/status")" != 0 ]; then
	failed+=("the test script exited $(cat "$out/status") (see $out/test.log)")
fi
logs=("$out/console.log")
for f in dmesg.txt kmemleak.txt; do
	[ ! -f "$out/$f" ] || logs+=("$out/$f")
done
if ! "$RCUMAP_VM/scan-log.sh" "${logs[@]}"; then
	failed+=("kernel reports in the logs (printed above)")
fi

ktaps=("$out"/kunit/*.ktap)
if [ -f "${ktaps[0]}" ]; then
	msg "${#ktaps[@]} KUnit suite(s) in $out/kunit, not judged here: see kunit-summary.py"
fi
if [ ${#failed[@]} -gt 0 ]; then
	for f in "${failed[@]}"; do
		msg "FAIL: $f"
	done
	exit 1
fi
msg "PASS ($out)"
