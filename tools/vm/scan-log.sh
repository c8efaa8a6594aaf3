#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scan-log.sh FILE... - the one scanner for kernel reports in guest logs
# (console, dmesg, kmemleak).  Prints every report, the line that gave it
# away and the 40 lines after it, and exits 1 if there was any.
#
# A report starts at a line that matches one of the patterns below.  A
# "Call Trace:" more than 300 lines after the last such line is a report
# of its own (a dump_stack() from somewhere we have no pattern for).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: scan-log.sh FILE..." >&2; exit 2; }

# Extended regular expressions, one a line.
patterns='(^|[^A-Za-z_])BUG[: ]
WARNING:
KASAN:
KCSAN:
UBSAN:
ODEBUG:
Oops
general protection fault
Kernel panic
kernel BUG
INFO: rcu
rcu: INFO:
detected stall
INFO: task .* blocked
INFO: trying to register non-static key
INFO: lockdep is turned off
unreferenced object
list_add corruption
list_del corruption
kmemleak: .*disabled
lockdep: .*off
turning off the locking correctness validator
Disabling lock debugging
[Ss]tack[- ]protector
stack guard page
double fault
Unable to handle'

# Lines that match a pattern but are seen in a clean boot of our kernels
# and are harmless.  Each needs a reason; keep this list short.
allow=''

for f in "$@"; do
	[ -f "$f" ] || { echo "scan-log: no such file: $f" >&2; exit 2; }
done

# A report that is in two of the files (console and dmesg) is printed once.
awk -v pats="$patterns" -v allow="$allow" '
BEGIN {
	np = split(pats, pat, "\n")
	na = (allow == "") ? 0 : split(allow, ok, "\n")
	ctx = 40; reports = 0
}
function is_report(line,   i) {
	for (i = 1; i <= na; i++)
		if (line ~ ok[i])
			return 0
	for (i = 1; i <= np; i++)
		if (line ~ pat[i])
			return 1
	return 0
}
FNR == 1 { left = 0; last = -1000; quiet = 0 }
{
	sub(/\r$/, "")
	hit = is_report($0)
	if (!hit && $0 ~ /Call Trace:/ && FNR - last > 300)
		hit = 1
	if (hit) {
		if (left == 0) {
			reports++
			if ($0 in seen) {
				quiet = 1
				printf "\n==== %s, line %d: the report from %s again ====\n", FILENAME, FNR, seen[$0]
			} else {
				quiet = 0
				printf "\n==== kernel report in %s, line %d ====\n", FILENAME, FNR
			}
		}
		if (!($0 in seen))
			seen[$0] = FILENAME ", line " FNR
		left = ctx + 1
		last = FNR
	}
	if (left > 0) {
		if (!quiet)
			print
		left--
	}
}
END {
	if (reports)
		printf "\n==== %d kernel report(s) ====\n", reports
	exit reports > 0
}' "$@"
