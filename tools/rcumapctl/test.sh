#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh - host-side tests of rcumapctl: no module, no device.
#
#   test.sh RCUMAPCTL [RCUMAPCTL_FAKE]
#
# RCUMAPCTL is the real tool: its option and command parsing, help, exit
# codes and messages are tested up to the point where it would open the
# device.  RCUMAPCTL_FAKE is the same tool linked with fakedev.c, a
# user-space stand-in for /dev/rcumap ("make check" builds both): with it
# the sessions, key and value forms, walks, JSON, batch files and the
# serve/-s holder run end to end.  The fake says nothing about the kernel's
# device; tools/rcumapctl/demo.sh in the guest does.
#
# Output is TAP; the exit code is 0 only if every test passed.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: test.sh RCUMAPCTL [RCUMAPCTL_FAKE]" >&2; exit 2; }
real=$1
fake=${2:-}

tmp=$(mktemp -d)
holder_sock=$tmp/holder.sock
cleanup() {
	# A holder left behind by a failed test: ask it to go.
	[ -S "$holder_sock" ] && [ -n "$fake" ] &&
		RCUMAP_FAKE_STATE=$tmp/state "$fake" -d /dev/null -s "$holder_sock" stop \
			>/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	sed 's/^/#   /' <<<"$2"
}

# run RC NAME CMD...: run CMD, keep its stdout and stderr in $out/$err and
# pass if it exits RC.
run() {
	local want=$1 name=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" <"${stdin:-/dev/null}"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	last="$name"
	if [ "$rc" = "$want" ]; then
		ok "$name: exit $want"
	else
		not_ok "$name: exit $want" "exit $rc; stdout: $out
stderr: $err"
	fi
}

# has_out REGEX / has_err REGEX / out_is TEXT: check the last run.
has_out() {
	if grep -Eq -- "$1" <<<"$out"; then ok "$last: stdout has /$1/"
	else not_ok "$last: stdout has /$1/" "stdout: $out"; fi
}
has_err() {
	if grep -Eq -- "$1" <<<"$err"; then ok "$last: stderr has /$1/"
	else not_ok "$last: stderr has /$1/" "stderr: $err"; fi
}
out_is() {
	if [ "$out" = "$1" ]; then ok "$last: stdout as expected"
	else not_ok "$last: stdout as expected" "want: $1
got:  $out"; fi
}
no_err() {
	if [ -z "$err" ]; then ok "$last: stderr empty"
	else not_ok "$last: stderr empty" "stderr: $err"; fi
}

# json_ok [JQ_FILTER]: stdout is one JSON document (and FILTER is true).
json_ok() {
	local filter=${1:-true}
	if python3 -c '
import json, sys
doc = json.loads(sys.stdin.read())
' <<<"$out" 2>/dev/null; then
		ok "$last: stdout is JSON"
	else
		not_ok "$last: stdout is JSON" "$out"
		return
	fi
	# jq comes with tools/vm/deps.sh; without it the check fails, not skips.
	if [ "$(jq -c "$filter" <<<"$out" 2>&1)" = true ]; then
		ok "$last: JSON $filter"
	else
		not_ok "$last: JSON $filter" "$out"
	fi
}

# ---- the real tool, no device ---------------------------------------

nodev=$tmp/no-such-device

run 0 "--help" "$real" --help
has_out '^Usage: rcumapctl'
has_out 'batch FILE'
has_out 'resize NBUCKETS'
has_out '^ *stats  +how many buckets'
has_out 'dump \[ordered\] \[count N\]'
has_out 'getnext \[ordered\] \[KEY\]'
run 0 "-h" "$real" -h
has_out '^Usage: rcumapctl'
run 0 "help" "$real" help
has_out '^Usage: rcumapctl'
run 0 "--version" "$real" --version
has_out '^rcumapctl [0-9]'
run 2 "no command" "$real"
has_err 'no command'
run 2 "unknown option" "$real" -Z lookup 1
has_err "Try 'rcumapctl --help'"
run 2 "unknown command" "$real" frobnicate
has_err "^rcumapctl: frobnicate: unknown command 'frobnicate'|unknown command 'frobnicate'"
run 2 "lookup before create" "$real" lookup 1
has_err '^rcumapctl: lookup: no map'
run 2 "create without a type" "$real" create
has_err 'usage: create'
run 2 "create of an unknown type" "$real" create tree key 8
has_err "unknown map type 'tree'"
run 2 "create without entries" "$real" create hash key 8 value 8
has_err "'entries N' is missing"
run 2 "create with a word twice" "$real" create hash key 8 key 4 value 8 entries 4
has_err "'key' given twice"
run 2 "create with a word of the other type" "$real" create ptab value 8 entries 64
has_err "unknown word 'entries'"
run 2 "create ptab with a hash flag" "$real" create ptab value 8 capacity 64 resize
has_err "unknown word 'resize'"
run 2 "create with a flag twice" "$real" create hash key 8 value 8 entries 4 shrink resize shrink
has_err "'shrink' given twice"
run 2 "create with a flag where a number goes" "$real" create hash key resize value 8 entries 4
has_err "key 'resize': not a number"
run 2 "create with a word and no number" "$real" create hash key 8 value 8 entries
has_err "'entries' needs a number"
run 2 "create with a bad number" "$real" create hash key 8x value 8 entries 4
has_err "key '8x': not a number"
run 2 "create with a number over 32 bits" "$real" create hash key 8 value 8 entries 0x100000000
has_err 'does not fit in 32 bits'
run 2 "an option after the command" "$real" create hash key 8 value 8 entries 4 -j
has_err 'options go before the first command'
run 1 "a missing device" "$real" -d "$nodev" create hash key 8 value 8 entries 4
has_err "^rcumapctl: create: $nodev: No such file or directory \(ENOENT\)$"
run 1 "-j with a missing device" "$real" -j -d "$nodev" create ptab value 8 capacity 64
json_ok '.command == "create" and .ok == false and .error.name == "ENOENT" and .error.errno == 2'
run 1 "a chain stops at the first failure" "$real" -d "$nodev" create hash key 1 value 1 entries 1 -- info
has_err '^rcumapctl: command 1: create: '
run 1 "-j chain" "$real" -j -d "$nodev" create hash key 1 value 1 entries 1 -- info
json_ok 'type == "array" and length == 1'
run 1 "a missing batch file" "$real" batch "$tmp/none.rc"
has_err "^rcumapctl: $tmp/none.rc: No such file or directory \(ENOENT\)$"
run 2 "batch without a file" "$real" batch
has_err 'usage: batch FILE'
printf 'create hash key 8 value 8 entries 4\nupdate "str:abc 1 2\n' >"$tmp/quote.rc"
stdin=$tmp/quote.rc run 2 "batch line with an open quote" "$real" -d "$nodev" -k batch -
has_err '^rcumapctl: <stdin>:2: a " without its closing "$'
run 2 "serve without commands" "$real" serve "$tmp/s.sock"
has_err 'usage: serve'
run 2 "serve with -s" "$real" -s "$tmp/s.sock" serve "$tmp/s.sock" create hash key 1 value 1 entries 1
has_err 'no -s'
run 1 "-s without a holder" "$real" -s "$tmp/s.sock" info
has_err "^rcumapctl: $tmp/s.sock: No such file or directory \(ENOENT\)$"
run 2 "stop without -s" "$real" stop
has_err 'only for a map of -s SOCKET'
run 2 "! without a command" "$real" '!' ENOENT
has_err '! needs a command'
run 2 "! with an unknown errno" "$real" '!EFROB' lookup 1
has_err '!EFROB: not an errno name'
run 2 "ptab without a verb" "$real" ptab
has_err 'ptab: insert, lookup, remove or list'

if [ -z "$fake" ]; then
	echo "1..$n"
	exit $((failed > 0))
fi

# ---- the tool on the fake device ------------------------------------

f() { "$fake" -d /dev/null "$@"; }
hash8="create hash key 8 value 8 entries 16"

run 0 "create alone" f $hash8
out_is ""
no_err
run 0 "update, lookup" f $hash8 -- update 1 100 -- lookup 1
out_is "key 1 value 100"
run 0 "';' separates too" f $hash8 ';' update 1 100 ';' lookup 1
out_is "key 1 value 100"
run 1 "noexist on a present key" f $hash8 -- update 1 100 -- update 1 5 noexist
has_err '^rcumapctl: command 3: update: File exists \(EEXIST\)$'
run 1 "exist on an absent key" f $hash8 -- update 1 5 exist
has_err 'update: No such file or directory \(ENOENT\)$'
run 0 "exist on a present key" f $hash8 -- update 1 5 -- update 1 6 exist -- lookup 1
out_is "key 1 value 6"
run 2 "an unknown update flag" f $hash8 -- update 1 5 sometimes
has_err "unknown flag 'sometimes'"
run 0 "lookup-bulk" f $hash8 -- update 1 100 -- update 3 300 -- lookup-bulk 1 2 3 1
out_is "key 1 value 100
key 2 not found
key 3 value 300
key 1 value 100
3 of 4 found"
run 0 "lookup-bulk -j" f -j $hash8 -- update 1 100 -- lookup-bulk 2 1
json_ok '.[2].found == 1 and (.[2].entries | length) == 2 and .[2].entries[0].found == false and .[2].entries[1].found and .[2].entries[1].value_uint == 100'
run 2 "lookup-bulk without keys" f $hash8 -- lookup-bulk
run 1 "lookup of an absent key" f $hash8 -- lookup 7
has_err '^rcumapctl: command 2: lookup: No such file or directory \(ENOENT\)$'
run 0 "delete" f $hash8 -- update 1 1 -- update 2 2 -- delete 1 -- dump
out_is "key 2 value 2
1 entry"
run 1 "delete of an absent key" f $hash8 -- delete 1
has_err 'delete: No such file or directory \(ENOENT\)'
run 0 "lookup-and-delete" f $hash8 -- update 3 33 -- lookup-and-delete 3 -- dump
out_is "key 3 value 33
0 entries"
run 0 "getnext" f $hash8 -- update 3 33 -- getnext -- '!' ENOENT getnext 3
out_is 'next_key 3
getnext: No such file or directory (ENOENT), as expected'
run 1 "the map is full" f create hash key 1 value 1 entries 2 -- update 1 1 -- update 2 2 -- update 3 3
has_err 'update: No space left on device \(ENOSPC\)'
run 0 "info" f $hash8 buckets 4 -- update 1 1 -- info
has_out '^map_type +hash$'
has_out '^max_entries +16$'
has_out '^nr_buckets +4$'
has_out '^count +1$'
run 2 "a hash command on a ptab" f create ptab value 8 capacity 64 -- lookup 1
has_err 'for hash maps, and this map is a ptab'
run 2 "a ptab command on a hash map" f $hash8 -- ptab list
has_err 'for ptab maps, and this map is a hash'
run 2 "too many words" f $hash8 -- lookup 1 2
has_err 'usage: lookup KEY'
run 2 "dump count 0" f $hash8 -- dump count 0
has_err 'from 1 to 65536'
run 1 "create twice" f $hash8 -- $hash8
has_err 'create: Device or resource busy \(EBUSY\)'

# Keys and values.
k1="create hash key 1 value 16 entries 16"
run 0 "a 1-byte key takes 255" f $k1 -- update 255 1 -- update 0xff 2 -- lookup 255
out_is "key 255 value 2"
run 2 "a 1-byte key does not take 256" f $k1 -- update 256 1
has_err "key '256': needs 2 bytes, the map has 1"
run 0 "a 1-byte key takes -128" f $k1 -- update -128 1 -- lookup 128
out_is "key 128 value 1"
run 2 "a 1-byte key does not take -129" f $k1 -- update -129 1
has_err "key '-129': needs 2 bytes"
run 2 "a number over 64 bits" f $k1 -- update 1 18446744073709551616
has_err 'does not fit in 64 bits'
run 2 "not a key" f $k1 -- update one 1
has_err 'not an integer, hex:BYTES or str:TEXT'
run 2 "hex: with an odd digit count" f $k1 -- update hex:123 1
has_err 'two digits per byte'
run 2 "hex: with a bad digit" f $k1 -- update hex:1g 1
has_err 'only hex digits'
run 2 "hex: too long" f $k1 -- update hex:0102 1
has_err 'needs 2 bytes, the map has 1'
run 2 "str: too long" f $k1 -- update 1 str:0123456789abcdefg
has_err 'needs 17 bytes, the map has 16'
run 0 "value forms" f $k1 -- update 1 5 -- update 2 str:alice -- update 3 hex:0102 \
	-- update 4 -1 -- update 5 hex:00000000000000000001 -- update 6 "str:bob smith" \
	-- update 7 0 -- update 8 str:A -- dump
out_is 'key 1 value 5
key 2 value str:alice
key 3 value 513
key 4 value hex:ffffffffffffffffffffffffffffffff
key 5 value hex:00000000000000000001
key 6 value "str:bob smith"
key 7 value 0
key 8 value 65
8 entries'
run 0 "-x" f -x $k1 -- update 1 str:alice -- lookup 1
out_is 'key hex:01 value hex:616c6963650000000000000000000000'
run 0 "little-endian" f -x create hash key 4 value 2 entries 4 -- update 0x01020304 -2 -- lookup hex:04030201
out_is 'key hex:04030201 value hex:feff'
run 0 "a map with 0-byte values" f create hash key 2 value 0 entries 4 -- update 7 -- update 8 noexist -- lookup 7 -- dump
out_is 'key 7
key 7
key 8
2 entries'

# What rcumapctl prints it reads back: dump, turn each line into an
# update, dump the copy.
vals=(0 1 str:xy "str:a b" hex:ff hex:0001 hex:00000000000000000000000000000001 -5 str:aaaaaaaaaaaaaaaa 0x123456789abcdef)
{
	echo "create hash key 16 value 16 entries 64"
	for i in "${!vals[@]}"; do
		printf 'update %s %q\n' "$i" "${vals[$i]}"
		printf 'update %q %s\n' "${vals[$i]}" "$i"
	done
	echo dump
} >"$tmp/rt.rc"
stdin=$tmp/rt.rc run 0 "round trip: dump" f batch -
first=$out
{
	echo "create hash key 16 value 16 entries 64"
	sed -n 's/^key \(.*\) value \(.*\)$/update \1 \2/p' <<<"$first"
	echo dump
} >"$tmp/rt2.rc"
stdin=$tmp/rt2.rc run 0 "round trip: the copy" f batch -
out_is "$first"

# Expectations.
run 0 "! ERRNO as expected" f $hash8 -- update 1 1 -- '!' EEXIST update 1 2 noexist
out_is 'update: File exists (EEXIST), as expected'
no_err
run 0 "!ERRNO, one word" f $hash8 -- '!ENOENT' lookup 1
has_out 'as expected'
run 0 "! with any error" f $hash8 -- '!' lookup 1
has_out 'as expected'
run 1 "! with another error" f $hash8 -- '!' EEXIST lookup 1
has_err '^rcumapctl: command 2: lookup: No such file or directory \(ENOENT\), but EEXIST was expected$'
run 1 "! and a success" f $hash8 -- update 1 1 -- '!' ENOENT lookup 1
has_err '^rcumapctl: command 3: lookup: succeeded, but ENOENT was expected$'
run 2 "! and a usage error" f $hash8 -- '!' lookup one
has_err "key 'one'"

# Walks.
{
	echo "create hash key 4 value 4 entries 100"
	for i in $(seq 1 100); do echo "update $i $((i * 3))"; done
	echo "dump count 1"
	echo "dump count 7"
	echo "dump"
} >"$tmp/walk.rc"
stdin=$tmp/walk.rc run 0 "dump in batches of 1, 7, 64" f batch -
if [ "$(grep -c '^key ' <<<"$out")" = 300 ] &&
   [ "$(grep '^key ' <<<"$out" | sort | uniq -c | awk '$1 != 3' | wc -l)" = 0 ]; then
	ok "each walk returns every key once"
else
	not_ok "each walk returns every key once" "$out"
fi
stdin=$tmp/walk.rc run 0 "dump -j" f -j batch -
json_ok '.[101].count == 100 and (.[101].entries | length) == 100 and .[101].entries[0].value_uint == 3'

# Create flags and RESIZE.
run 0 "create with resize and shrink" f $hash8 resize shrink -- info
has_out '^create_flags +resize shrink$'
run 0 "create without flags" f $hash8 -- info
has_out '^create_flags +none$'
run 0 "create flags among the other words" f create hash resize key 8 value 8 shrink entries 16 -- info
has_out '^create_flags +resize shrink$'
has_out '^max_entries +16$'
run 1 "shrink without resize" f $hash8 shrink
has_err '^rcumapctl: create: Invalid argument \(EINVAL\)$'

# Sizes up to BPF's: a key and a value of 4 MiB together, 32 KiB per CPU.
run 0 "4112-byte keys, 256 KiB values" f create hash key 4112 value 262144 entries 4 -- info
has_out '^key_size +4112$'
has_out '^value_size +262144$'
run 0 "key and value of 4 MiB together" f create lru_hash key 4 value 4194300 entries 1 -- info
run 1 "a byte more" f create hash key 5 value 4194300 entries 1
has_err '^rcumapctl: create: Argument list too long \(E2BIG\)$'
run 0 "32 KiB per CPU" f create percpu_hash key 8 value 32768 entries 1 -- info
run 1 "32 KiB and a byte per CPU" f create percpu_hash key 8 value 32769 entries 1
has_err '^rcumapctl: create: Argument list too long \(E2BIG\)$'
run 0 "-j create and info report the flags" f -j $hash8 resize -- info
json_ok '.[0].create_flags == ["resize"] and .[1].create_flags == ["resize"]'
run 0 "-j a ptab has no flags" f -j create ptab value 8 capacity 64 -- info
json_ok '.[1].create_flags == [] and .[1].nr_buckets == 0'
run 0 "resize" f $hash8 buckets 4 -- update 1 1 -- update 2 2 -- resize 64 -- info -- lookup 1 -- lookup 2
has_out '^nr_buckets +64$'
has_out '^count +2$'
has_out '^key 1 value 1$'
has_out '^key 2 value 2$'
run 0 "resize rounds up to a power of two" f $hash8 -- resize 100 -- info
has_out '^nr_buckets +128$'
run 0 "resize down to 1" f $hash8 -- update 5 5 -- resize 1 -- info -- dump
has_out '^nr_buckets +1$'
has_out '^key 5 value 5$'
run 1 "resize 0" f $hash8 -- resize 0
has_err '^rcumapctl: command 2: resize: Invalid argument \(EINVAL\)$'
run 1 "resize past the limit" f $hash8 -- resize 0x400001
has_err 'resize: Invalid argument \(EINVAL\)$'
run 2 "resize without a count" f $hash8 -- resize
has_err 'usage: resize NBUCKETS'
run 2 "resize with a bad count" f $hash8 -- resize many
has_err "buckets 'many': not a number"
run 2 "resize of a ptab" f create ptab value 8 capacity 64 -- resize 8
has_err 'for hash maps, and this map is a ptab'
run 0 "-j resize" f -j $hash8 -- resize 1000
json_ok '.[1].command == "resize" and .[1].nr_buckets == 1024 and .[1].ok'
run 0 "a map made with resize grows by itself" f create hash key 4 value 4 entries 64 buckets 2 resize \
	$(for i in $(seq 1 40); do printf -- '-- update %d %d ' "$i" "$i"; done) -- info
if [ "$(sed -n 's/^nr_buckets *//p' <<<"$out")" -gt 2 ] 2>/dev/null; then
	ok "$last: nr_buckets grew"
else
	not_ok "$last: nr_buckets grew" "$out"
fi

# Bucket statistics.
run 0 "stats of an empty map" f $hash8 -- stats
out_is 'nr_buckets   16
longest      0
keys         0
length 0 16'
run 0 "stats of one key" f $hash8 -- update 1 1 -- stats
has_out '^longest +1$'
has_out '^keys +1$'
has_out '^length 0 15$'
has_out '^length 1 1$'
run 0 "stats of one bucket" f $hash8 buckets 1 -- update 1 1 -- update 2 2 -- update 3 3 -- stats
out_is 'nr_buckets   1
longest      3
keys         3
length 0 0
length 1 0
length 2 0
length 3 1'
# 40000 buckets: three chunks of RCUMAP_STATS_MAX_BUDGET.
run 0 "stats in chunks" f create hash key 4 value 4 entries 100 buckets 40000 \
	$(for i in $(seq 1 100); do printf -- '-- update %d %d ' "$i" "$i"; done) -- stats
has_out '^nr_buckets +65536$'
has_out '^keys +100$'
if [ "$(awk '/^length/ { n += $3 } END { print n }' <<<"$out")" = 65536 ]; then
	ok "$last: every bucket counted once"
else
	not_ok "$last: every bucket counted once" "$out"
fi
run 0 "-j stats" f -j $hash8 -- update 1 1 -- update 2 2 -- stats
json_ok '.[3].command == "stats" and .[3].nr_buckets == 16 and (.[3].histogram | add) == 16 and ([.[3].histogram | to_entries[] | .key * .value] | add) == 2 and .[3].longest == (.[3].histogram | length) - 1'
run 2 "stats of a ptab" f create ptab value 8 capacity 64 -- stats
has_err 'for hash maps, and this map is a ptab'
run 2 "stats with a word" f $hash8 -- stats 1
has_err 'usage: stats'

# Ordered walks.
{
	echo "create hash key 4 value 4 entries 100"
	for i in $(seq 1 100); do echo "update $i $((i * 3))"; done
	echo "dump ordered count 1"
	echo "dump ordered count 7"
	echo "dump ordered"
	echo "resize 2"
	echo "dump ordered count 5"
	echo "resize 4096"
	echo "dump ordered count 100"
} >"$tmp/owalk.rc"
stdin=$tmp/owalk.rc run 0 "dump ordered: batches of 1, 7, 64, 5, 100, resizes between" f batch -
walks=$(awk '/^100 entries$/ { n++; next } /^key / { print n + 0 ": " $0 }' <<<"$out")
if [ "$(grep -c '^key ' <<<"$out")" = 500 ] &&
   [ "$(grep '^key ' <<<"$out" | sort | uniq -c | awk '$1 != 5' | wc -l)" = 0 ] &&
   [ "$(for w in 0 1 2 3 4; do sed -n "s/^$w: //p" <<<"$walks" | md5sum; done | sort -u | wc -l)" = 1 ]; then
	ok "each ordered walk returns every key once, all in one order"
else
	not_ok "each ordered walk returns every key once, all in one order" "$out"
fi
order=$(sed -n 's/^0: key \([0-9]*\) .*/\1/p' <<<"$walks")
o=($order)
stdin=$tmp/owalk.rc run 0 "dump ordered -j" f -j batch -
json_ok '.[102].count == 100 and (.[102].entries | length) == 100 and .[102].command == "dump"'
keys10="create hash key 4 value 4 entries 100 $(for i in $(seq 1 100); do printf -- '-- update %d %d ' "$i" "$i"; done)"
run 0 "getnext ordered: the first key of the order" f $keys10 -- getnext ordered
out_is "next_key ${o[0]}"
run 0 "getnext ordered: the key after a key" f $keys10 -- getnext ordered "${o[41]}"
out_is "next_key ${o[42]}"
run 0 "getnext ordered: goes on after a deleted key" f $keys10 -- delete "${o[41]}" -- delete "${o[42]}" -- getnext ordered "${o[41]}"
out_is "next_key ${o[43]}"
run 0 "getnext ordered: ENOENT after the last key" f $keys10 -- '!' ENOENT getnext ordered "${o[99]}"
has_out 'as expected'
run 2 "getnext ordered with two keys" f $hash8 -- getnext ordered 1 2
has_err 'usage: getnext \[ordered\] \[KEY\]'
run 2 "dump count before ordered" f $hash8 -- dump count 4 ordered
has_err 'usage: dump \[ordered\] \[count N\]'
run 2 "dump ordered count 0" f $hash8 -- dump ordered count 0
has_err 'from 1 to 65536'
run 2 "dump ordered of a ptab" f create ptab value 8 capacity 64 -- dump ordered
has_err 'ordered: for hash maps'

# Process tables.
ptab="create ptab value 16 capacity 64"
run 0 "ptab insert" f $ptab -- ptab insert str:alice -- ptab insert 7
out_is 'id 0
id 1'
run 0 "ptab lookup, remove, list" f $ptab -- ptab insert str:alice -- ptab insert str:bob \
	-- ptab insert 3 -- ptab lookup 1 -- ptab remove 0 -- '!' ENOENT ptab lookup 0 \
	-- ptab list -- dump
out_is 'id 0
id 1
id 2
id 1 value str:bob
id 0 value str:alice
ptab lookup: No such file or directory (ENOENT), as expected
id 1 value str:bob
id 2 value 3
2 entries
id 1 value str:bob
id 2 value 3
2 entries'
run 1 "ptab remove of a stale id" f $ptab -- ptab insert 1 -- ptab remove 0 -- ptab remove 0
has_err 'ptab remove: No such file or directory \(ENOENT\)'
run 2 "ptab lookup of a bad id" f $ptab -- ptab lookup -1
has_err "id '-1': not a number"
run 2 "dump count on a ptab" f $ptab -- dump count 4
has_err 'only a hash map'
run 1 "a full ptab" f $ptab -- $(for i in $(seq 65); do printf -- '-- ptab insert %d ' "$i"; done)
has_err 'command 66: ptab insert: No space left on device \(ENOSPC\)'
run 0 "ptab info" f $ptab -- ptab insert 1 -- info
has_out '^capacity +64$'

# Batch files.
cat >"$tmp/demo.rc" <<'EOF'
# comment line

create hash key 8 value 8 entries 16   # a comment after a command
update 1 100; update 2 200 ; update 3 300;
'update' "1" '101'   -- lookup 1
! EEXIST update 2 0 noexist
lookup 9
lookup 2
EOF
run 1 "batch stops at the first failure" f batch "$tmp/demo.rc"
out_is 'key 1 value 101
update: File exists (EEXIST), as expected'
has_err "^rcumapctl: $tmp/demo.rc:7: lookup: No such file or directory \(ENOENT\)$"
run 1 "batch -k goes on" f -k batch "$tmp/demo.rc"
has_out '^key 2 value 200$'
run 1 "batch -e echoes" f -e batch "$tmp/demo.rc"
out_is '> create hash key 8 value 8 entries 16
> update 1 100
> update 2 200
> update 3 300
> update 1 101
> lookup 1
key 1 value 101
> ! EEXIST update 2 0 noexist
update: File exists (EEXIST), as expected
> lookup 9'
run 1 "batch -j" f -j -k batch "$tmp/demo.rc"
json_ok 'length == 9 and .[0].line == 3 and .[6].expect == "EEXIST" and .[6].ok and (.[7].ok | not) and .[7].error.name == "ENOENT" and .[8].value_uint == 200'
printf 'create hash key 1 value 1 entries 1\nlookup 300\nlookup 1\n' >"$tmp/usage.rc"
run 2 "batch usage error" f -k batch "$tmp/usage.rc"
has_err "^rcumapctl: $tmp/usage.rc:2: lookup: key '300': needs 2 bytes, the map has 1$"
has_err "usage.rc:3: lookup: No such file or directory"
run 2 "batch -j usage error" f -j batch "$tmp/usage.rc"
json_ok '.[1].error.kind == "usage" and .[1].line == 2'
printf 'info\n' >"$tmp/nocreate.rc"
run 2 "batch without create" f batch "$tmp/nocreate.rc"
has_err 'nocreate.rc:1: info: no map'
stdin=/dev/null run 0 "empty batch" f batch -
out_is ""
run 0 "-j single command is an object" f -j $hash8
json_ok '.command == "create" and .key_size == 8 and .ok'
run 0 "-j info" f -j $hash8 -- update 1 2 -- info
json_ok '.[2].map_type == "hash" and .[2].count == 1'

# Per-CPU and LRU hash maps: the words of hash, every hash command.
run 2 "create percpu_hash without entries" "$real" create percpu_hash key 8 value 8
has_err "'entries N' is missing"
run 2 "create lru_hash with a ptab word" "$real" create lru_hash key 8 value 8 capacity 64
has_err "unknown word 'capacity'"
run 0 "percpu_hash: update sets every CPU" f create percpu_hash key 4 value 4 entries 8 -- update 1 7 -- lookup 1
out_is "key 1 cpu 0 value 7
key 1 cpu 1 value 7
key 1 cpu 2 value 7
key 1 cpu 3 value 7"
run 0 "percpu_hash: as many values as CPUs" env RCUMAP_FAKE_CPUS=2 "$fake" -d /dev/null create percpu_hash key 4 value 12 entries 8 -- update 1 0x0102 -- dump
out_is "key 1 cpu 0 value 258
key 1 cpu 1 value 258
1 entry"
run 0 "percpu_hash: info" f create percpu_hash key 4 value 12 entries 8 resize -- info
has_out '^map_type +percpu_hash$'
has_out '^nr_cpus +4$'
has_out '^value_stride +64$'
has_out '^create_flags +resize$'
run 0 "percpu_hash: lookup-and-delete, ordered dump, getnext" f create percpu_hash key 4 value 4 entries 8 -- update 1 1 -- update 2 2 -- lookup-and-delete 1 -- dump ordered -- getnext
has_out '^key 1 cpu 3 value 1$'
has_out '^key 2 cpu 0 value 2$'
has_out '^1 entry$'
has_out '^next_key 2$'
run 1 "percpu_hash: full" f create percpu_hash key 1 value 1 entries 1 -- update 1 1 -- update 2 2
has_err 'update: No space left on device \(ENOSPC\)'
run 0 "-j percpu_hash lookup: values per CPU" f -j create percpu_hash key 4 value 4 entries 8 -- update 1 7 -- lookup 1 -- info
json_ok '.[2].values | length == 4 and .[0].cpu == 0 and .[3].value_uint == 7'
json_ok '.[3].map_type == "percpu_hash" and .[3].nr_cpus == 4 and .[3].value_stride == 32'
run 2 "percpu_hash: a ptab command" f create percpu_hash key 4 value 4 entries 8 -- ptab list
has_err 'for ptab maps, and this map is a percpu_hash'
run 0 "lru_hash: a full map evicts, a looked-up key stays" f create lru_hash key 1 value 1 entries 2 -- update 1 1 -- update 2 2 -- lookup 1 -- update 3 3 -- dump ordered -- info
has_out '^key 1 value 1$'
has_out '^key 3 value 3$'
has_out '^2 entries$'
has_out '^map_type +lru_hash$'
has_out '^count +2$'
if grep -q '^key 2 ' <<<"$out"; then not_ok "$last: key 2 evicted" "$out"; else ok "$last: key 2 evicted"; fi
run 1 "lru_hash: no more buckets than entries" f create lru_hash key 8 value 8 entries 16 -- resize 16 -- resize 32
has_err 'resize: Invalid argument \(EINVAL\)'
run 0 "-j lru_hash info" f -j create lru_hash key 8 value 8 entries 16 -- info
json_ok '.[1].map_type == "lru_hash" and .[1].value_stride == 8'

# The holder.  The fake keeps its map in a file, so that the processes of
# serve and -s share it as they would share the device's file.
export RCUMAP_FAKE_STATE=$tmp/state
run 0 "serve" f serve "$holder_sock" create hash key 8 value 8 entries 16 -- update 1 10
out_is ""
if [ -S "$holder_sock" ] && [ "$(stat -c %a "$holder_sock")" = 600 ]; then
	ok "serve: the socket is there, mode 0600"
else
	not_ok "serve: the socket is there, mode 0600" "$(ls -l "$holder_sock" 2>&1)"
fi
run 0 "-s update" f -s "$holder_sock" update 2 20
run 0 "-s dump" f -s "$holder_sock" dump
out_is 'key 1 value 10
key 2 value 20
2 entries'
run 1 "-s create" f -s "$holder_sock" $hash8
has_err 'EBUSY'
stdin=$tmp/nocreate.rc run 0 "-s batch" f -s "$holder_sock" batch -
has_out '^count +2$'
RCUMAP_FAKE_STATE=$tmp/state2 run 1 "a second serve on a live socket" f serve "$holder_sock" $hash8
has_err "$holder_sock: Address already in use \(EADDRINUSE\)"
run 0 "-s stop" f -s "$holder_sock" stop
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$holder_sock" ] || break; sleep 0.1; done
if [ ! -e "$holder_sock" ]; then ok "stop: the socket is gone"
else not_ok "stop: the socket is gone" "$(ls -l "$holder_sock")"; fi
run 1 "-s after stop" f -s "$holder_sock" info
has_err 'No such file or directory \(ENOENT\)'
unset RCUMAP_FAKE_STATE

echo "1..$n"
[ "$failed" = 0 ] || echo "# $failed of $n failed"
exit $((failed > 0))
