#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transfers across a veth pair under netem, checked by content hash, once
# per socket type.  KTAP output.  Run as root in a test guest with tdi.ko
# loaded:  selftests/tdi/tdi_netem.sh [SIZE_KIB]
#
# Each case: namespaces a and b, netem on both directions, tools/tdicat
# sending SIZE_KIB (default 1024) of random data from a to b, then the
# sha256 of what b received compared with what a sent.  The corruption
# case also checks that the receiver dropped frames by checksum.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tdicat=$top/tools/tdicat
size_kib=${1:-1024}
limit=$((300 + size_kib / 4))	# seconds per transfer
work=$(mktemp -d)
n=0
failed=0

cases=(
	"loss_1|loss 1%|1500"
	"loss_5|loss 5%|1500"
	"loss_20|loss 20%|1500"
	"duplicate_5|duplicate 5%|1500"
	"reorder_25|delay 10ms reorder 25% 50%|1500"
	"delay_jitter|delay 25ms 25ms|1500"
	"corrupt_2|corrupt 2%|1500"
	"mtu_1280|loss 1%|1280"
	"mtu_9000|loss 1%|9000"
)
types=(stream seqpacket)

cleanup() {
	ip netns del tdina 2>/dev/null
	ip netns del tdinb 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

setup() {	# netem args, mtu
	cleanup
	mkdir -p "$work"
	ip netns add tdina && ip netns add tdinb &&
	ip link add va netns tdina mtu "$2" type veth peer name vb netns tdinb mtu "$2" &&
	ip -n tdina link set va address 02:00:00:00:01:0a up &&
	ip -n tdinb link set vb address 02:00:00:00:01:0b up &&
	ip netns exec tdina tc qdisc add dev va root netem $1 &&
	ip netns exec tdinb tc qdisc add dev vb root netem $1
}

stat_of() {	# netns name
	ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/tdi_stat
}

run_case() {	# name, netem args, mtu, type
	local name=$1 args=$2 mtu=$3 type=$4 why="" start=$SECONDS

	n=$((n + 1))
	if ! setup "$args" "$mtu"; then
		echo "not ok $n $name.$type # set-up failed"
		failed=$((failed + 1))
		return
	fi
	head -c "${size_kib}K" /dev/urandom >"$work/in"
	timeout "$limit" ip netns exec tdinb "$tdicat" -q -t "$type" -l 7000 \
		>"$work/out" 2>"$work/server.err" &
	local server=$!
	# the listener is up once /proc shows it
	for _ in $(seq 100); do
		ip netns exec tdinb grep -q LISTENING /proc/net/tdi && break
		sleep 0.1
	done
	if ! timeout "$limit" ip netns exec tdina "$tdicat" -q -t "$type" \
		02:00:00:00:01:0b 7000 <"$work/in" 2>"$work/client.err"; then
		why="client failed: $(cat "$work/client.err")"
	fi
	if ! wait $server; then
		why="$why server failed: $(cat "$work/server.err")"
	fi
	if [ -z "$why" ] &&
	   [ "$(sha256sum <"$work/in")" != "$(sha256sum <"$work/out")" ]; then
		why="content differs ($(stat -c %s "$work/out") bytes received)"
	fi
	if [ -z "$why" ] && [ "$name" = corrupt_2 ] &&
	   [ "$(( $(stat_of tdinb drop_checksum) + $(stat_of tdina drop_checksum) ))" = 0 ]; then
		why="no frame was dropped by checksum"
	fi
	echo "# $name.$type: retransmits a=$(stat_of tdina retransmits) b=$(stat_of tdinb retransmits) drop_checksum b=$(stat_of tdinb drop_checksum), $((SECONDS - start)) s"
	if [ -z "$why" ]; then
		echo "ok $n $name.$type"
	else
		echo "not ok $n $name.$type # $why"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..$(( ${#cases[@]} * ${#types[@]} ))"
for c in "${cases[@]}"; do
	IFS='|' read -r name args mtu <<<"$c"
	for t in "${types[@]}"; do
		run_case "$name" "$args" "$mtu" "$t"
	done
done
echo "# $failed failed"
[ $failed = 0 ]
