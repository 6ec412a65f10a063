#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transfers across a veth pair under netem, checked by content hash, once
# per socket type.  KTAP output.  Run as root in a test guest with tdi.ko
# loaded:  selftests/tdi/tdi_netem.sh [SIZE_KIB [all|alternate]]
#
# Namespaces a and b joined by a veth pair, made once.  Each case sets the
# MTU and a netem qdisc on both directions, has tools/tdicat send SIZE_KIB
# (default 1024) of random data from a to b on a port of its own, then
# compares the sha256 of what b received with what a sent.  The corruption
# case also checks that the receiver dropped frames by checksum.  Each
# condition runs once per socket type ("all", the default), or with
# "alternate" once, stream and seqpacket taking turns (make check: a case
# costs about 40 s in a slow debug guest whatever the loss).

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tdicat=$top/tools/tdicat
size_kib=${1:-1024}
which=${2:-all}
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

# Every process costs about half a second in a debug guest, so the cases
# spawn few: /proc of each namespace is read through a process that stays
# in it, with shell builtins.
cleanup() {
	[ -n "${holda:-}" ] && kill "$holda" 2>/dev/null
	[ -n "${holdb:-}" ] && kill "$holdb" 2>/dev/null
	ip netns del tdina 2>/dev/null
	ip netns del tdinb 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# One pair of namespaces for every case, and a process in each.
setup_once() {
	ip netns add tdina && ip netns add tdinb &&
	ip link add va netns tdina type veth peer name vb netns tdinb &&
	ip -n tdina link set va address 02:00:00:00:01:0a up &&
	ip -n tdinb link set vb address 02:00:00:00:01:0b up || return 1
	ip netns exec tdina sleep infinity &
	holda=$!
	ip netns exec tdinb sleep infinity &
	holdb=$!
	for _ in {1..50}; do
		[ "/proc/$holda/ns/net" -ef /run/netns/tdina ] &&
		[ "/proc/$holdb/ns/net" -ef /run/netns/tdinb ] && return 0
		sleep 0.2
	done
	return 1
}

# The case's netem qdisc and MTU on both ends (a netem qdisc that is
# replaced keeps corruption and reordering settings, so each case adds its
# own and removes it after).
setup() {	# netem args, mtu
	ip -n tdina link set va mtu "$2" &&
	ip -n tdinb link set vb mtu "$2" &&
	tc -n tdina qdisc add dev va root netem $1 &&
	tc -n tdinb qdisc add dev vb root netem $1
}

unset_netem() {
	tc -n tdina qdisc del dev va root 2>/dev/null
	tc -n tdinb qdisc del dev vb root 2>/dev/null
}

stat_of() {	# holder pid, counter: its namespace's value, builtins only
	local k v
	while read -r k v; do
		[ "$k" = "$2" ] && { echo "$v"; return; }
	done <"/proc/$1/net/tdi_stat"
	echo 0
}

listening() {	# holder pid, port
	local type state port rest
	while read -r type state port rest; do
		[ "$state" = LISTENING ] && [ "$port" = "$2" ] && return 0
	done <"/proc/$1/net/tdi"
	return 1
}

run_case() {	# name, netem args, mtu, type
	local name=$1 args=$2 mtu=$3 type=$4 why="" start=$SECONDS
	local port ra rb cb sums

	n=$((n + 1))
	port=$((7000 + n))
	if ! setup "$args" "$mtu"; then
		unset_netem
		echo "not ok $n $name.$type # set-up failed"
		failed=$((failed + 1))
		return
	fi
	ra=$(stat_of "$holda" retransmits)
	rb=$(stat_of "$holdb" retransmits)
	cb=$(stat_of "$holdb" drop_checksum)
	head -c "${size_kib}K" /dev/urandom >"$work/in"
	timeout "$limit" ip netns exec tdinb "$tdicat" -s -t "$type" -l $port \
		>"$work/out" 2>"$work/server.err" &
	local server=$!
	for _ in {1..100}; do
		listening "$holdb" $port && break
		sleep 0.1
	done
	if ! timeout "$limit" ip netns exec tdina "$tdicat" -s -t "$type" \
		02:00:00:00:01:0b $port <"$work/in" 2>"$work/client.err"; then
		why="client failed: $(cat "$work/client.err")"
	fi
	if ! wait $server; then
		why="$why server failed: $(cat "$work/server.err")"
	fi
	if [ -z "$why" ]; then
		sums=$(sha256sum "$work/in" "$work/out")
		read -r -d '' a _ b _ <<<"$sums"
		[ "$a" = "$b" ] ||
			why="content differs ($(stat -c %s "$work/out") bytes received)"
	fi
	unset_netem
	ra=$(( $(stat_of "$holda" retransmits) - ra ))
	rb=$(( $(stat_of "$holdb" retransmits) - rb ))
	cb=$(( $(stat_of "$holdb" drop_checksum) - cb ))
	if [ -z "$why" ] && [ "$name" = corrupt_2 ] && [ "$cb" = 0 ]; then
		why="no frame was dropped by checksum"
	fi
	echo "# $name.$type: retransmits a=$ra b=$rb drop_checksum b=$cb, $((SECONDS - start)) s"
	if [ -z "$why" ]; then
		echo "ok $n $name.$type"
	else
		echo "not ok $n $name.$type # $why"
		failed=$((failed + 1))
	fi
}

case $which in
all) total=$(( ${#cases[@]} * ${#types[@]} )) ;;
alternate) total=${#cases[@]} ;;
*) echo "usage: $0 [SIZE_KIB [all|alternate]]" >&2; exit 2 ;;
esac
echo "TAP version 13"
echo "1..$total"
mkdir -p "$work"
if ! setup_once; then
	echo "Bail out! cannot create the namespaces and the veth pair"
	exit 1
fi
i=0
for c in "${cases[@]}"; do
	IFS='|' read -r name args mtu <<<"$c"
	if [ "$which" = alternate ]; then
		run_case "$name" "$args" "$mtu" "${types[i % ${#types[@]}]}"
		i=$((i + 1))
		continue
	fi
	for t in "${types[@]}"; do
		run_case "$name" "$args" "$mtu" "$t"
	done
done
echo "# $failed failed"
[ $failed = 0 ]
