#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tdi between two guests over real (emulated) Ethernet NICs: run by
#   scripts/vm-run --nodes 2 --nic e1000[,virtio] -- selftests/tdi/tdi_twonode.sh
# on both guests.  For each NIC (each on its own segment), node 1 listens
# and node 0 connects to node 1's address on that NIC and sends SIZE_MIB
# (default 16) of deterministic data, once per socket type; node 1 checks
# the content by hash, and that its NIC received at least that many bytes
# (the transfer went over that NIC).  Then, per NIC, two query-accept
# offers with user data both ways: node 1 listens with tools/tdicat -q
# --accept-if, node 0 offers a connection whose connect data passes and
# checks node 1's accept data and disconnect data (node 1 checks node 0's
# connect data, payload and disconnect data); then one whose connect data
# does not pass, which node 1 rejects with disconnect data that node 0
# checks.  KTAP output on each node.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tdicat=$top/tools/tdicat
size_mib=${1:-16}
limit=$((300 + size_mib * 20))	# seconds per transfer
node=${TDI_NODE:?run me with scripts/vm-run --nodes 2}
read -r -a models <<<"${TDI_NIC:?}"
failed=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
# TDI_DISCONNECT_REASON values (include/uapi/linux/tdi.h)
TDI_REASON_REFUSED=3
TDI_REASON_NO_LISTENER=4

data() {	# deterministic bytes, the same on both nodes
	python3 -c "import random, sys
r = random.Random($1)
for _ in range($size_mib):
    sys.stdout.buffer.write(r.randbytes(1 << 20))"
}

# ifname_of MAC: the local interface with that address
ifname_of() {
	local d

	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

rx_bytes() { cat "/sys/class/net/$1/statistics/rx_bytes"; }

# Two TCG guests boot at different speeds, so node 0 may be up well before
# node 1 has loaded tdi.  Its CONNECTs go unanswered until then: connect()
# waits as long as a transfer may take instead of the default 5 s (a
# CONNECT answered after node 0 gave up would leave node 1 a connection
# with no data).  Once tdi is loaded but nothing listens yet, the offer is
# refused, and that is retried below.
if [ "$node" = 0 ]; then
	wait_ms=$((limit * 1000))
	[ $wait_ms -gt 600000 ] && wait_ms=600000
	sysctl -qw net.tdi.connect_timeout_ms=$wait_ms
fi

# result N NAME WHY: one KTAP line, "ok" when WHY is empty
result() {
	if [ -z "$3" ]; then
		echo "ok $1 $2"
	else
		echo "not ok $1 $2 # $3"
		failed=$((failed + 1))
	fi
}

# has FILE TEXT: FILE holds the line TEXT (tdicat's stderr); else say so
has() {
	grep -qxF -- "$2" "$1" || echo "no '$2' in: $(tr '\n' '|' <"$1")"
}

# offer NODE PORT TDICAT-ARGS...: node 0 offers a connection to node 1,
# again while nobody listens there yet; tdicat's status, stderr in $err
offer() {
	local mac=$1 port=$2 rc

	shift 2
	for _ in $(seq 120); do
		timeout 120 "$tdicat" "$@" "$mac" "$port" 2>"$err"
		rc=$?
		grep -q "reason $TDI_REASON_NO_LISTENER " "$err" || return $rc
		sleep 0.5
	done
	return $rc
}

# query_accept DEV MODEL PEERMAC: two query-accept offers over DEV, one
# accepted and one rejected, user data checked both ways (two results)
query_accept() {
	local dev=$1 model=$2 peer=$3 why rc out
	local prefix="tdi-hello" payload="payload over $model"
	local port=$((7200 + n))

	n=$((n + 1))
	why=""
	if [ "$node" = 1 ]; then
		out=$(timeout 300 "$tdicat" -q --accept-if "$prefix" \
			--accept-data "welcome on $model" \
			--disconnect-data "bye from node 1" -i "$dev" -l $port 2>"$err")
		rc=$?
		[ $rc = 0 ] || why="tdicat exited with $rc"
		[ "$out" = "$payload" ] || why="$why received '$out'"
		why="$why$(has "$err" "tdicat: connect data: \"$prefix from node 0\" ($((${#prefix} + 12)) bytes)")"
		why="$why$(has "$err" "tdicat: accepted the offer")"
		why="$why$(has "$err" "tdicat: ended: reason 1 (release)")"
		why="$why$(has "$err" "tdicat: peer's disconnect data: \"bye from node 0\" (15 bytes)")"
		result $n "offer_accept_$model" "$why"

		n=$((n + 1))
		why=""
		timeout 300 "$tdicat" -q --accept-if "$prefix" \
			--disconnect-data "not you on $model" -i "$dev" -l $((port + 1)) \
			>/dev/null 2>"$err"
		rc=$?
		[ $rc = 1 ] || why="tdicat exited with $rc, not 1"
		why="$why$(has "$err" "tdicat: connect data: \"wrong\" (5 bytes)")"
		why="$why$(grep -q "^tdicat: rejected the offer" "$err" ||
			echo "not rejected: $(tr '\n' '|' <"$err")")"
		result $n "offer_reject_$model" "$why"
		return
	fi
	echo "$payload" | offer "$peer" $port --connect-data "$prefix from node 0" \
		--disconnect-data "bye from node 0" -i "$dev"
	rc=$?
	[ $rc = 0 ] || why="tdicat exited with $rc"
	why="$why$(has "$err" "tdicat: accept data: \"welcome on $model\" ($((11 + ${#model})) bytes)")"
	why="$why$(has "$err" "tdicat: ended: reason 1 (release)")"
	why="$why$(has "$err" "tdicat: peer's disconnect data: \"bye from node 1\" (15 bytes)")"
	result $n "query_accept_$model" "$why"

	n=$((n + 1))
	why=""
	offer "$peer" $((port + 1)) --connect-data "wrong" -i "$dev" </dev/null
	rc=$?
	[ $rc = 1 ] || why="tdicat exited with $rc, not 1"
	why="$why$(grep -q "^tdicat: connect: Connection refused (reason $TDI_REASON_REFUSED refused)" "$err" ||
		echo "not refused: $(tr '\n' '|' <"$err")")"
	why="$why$(has "$err" "tdicat: peer's disconnect data: \"not you on $model\" ($((11 + ${#model})) bytes)")"
	result $n "query_reject_$model" "$why"
}

echo "TAP version 13"
echo "1..$((4 * ${#models[@]}))"
n=0
for ((k = 0; k < ${#models[@]}; k++)); do
	var=TDI_MACS_$k
	read -r -a macs <<<"${!var:?}"
	dev=$(ifname_of "${macs[$node]}") || {
		echo "Bail out! node $node has no NIC with address ${macs[$node]}"
		exit 1
	}
	echo "# node $node, NIC $k ${models[$k]}: $dev ${macs[$node]}"
	for type in stream seqpacket; do
		n=$((n + 1))
		port=$((7100 + n))
		name="${models[$k]}_$type"
		if [ "$node" = 1 ]; then
			rx0=$(rx_bytes "$dev")
			got=$(timeout "$limit" "$tdicat" -s -t $type -i "$dev" -l $port |
				sha256sum)
			rx=$(($(rx_bytes "$dev") - rx0))
			want=$(data $n | sha256sum)
			if [ "$got" != "$want" ]; then
				echo "not ok $n receive_$name # content differs"
				failed=$((failed + 1))
			elif [ "$rx" -lt $((size_mib << 20)) ]; then
				echo "not ok $n receive_$name # $dev received $rx bytes"
				failed=$((failed + 1))
			else
				echo "ok $n receive_$name"
			fi
			continue
		fi
		# node 0: the listener may not be up yet; refused offers are retried
		ok=0
		for _ in $(seq 120); do
			if data $n 2>/dev/null | timeout "$limit" "$tdicat" -s -t $type \
				-i "$dev" "${macs[1]}" $port 2>/tmp/err; then
				ok=1
				break
			fi
			grep -q "refused" /tmp/err || break
			sleep 0.5
		done
		if [ $ok = 1 ]; then
			echo "ok $n send_$name"
		else
			echo "not ok $n send_$name # $(cat /tmp/err)"
			failed=$((failed + 1))
		fi
	done
	query_accept "$dev" "${models[$k]}" "${macs[1]}"
done
grep -E "frames_|retransmits|drop_checksum" /proc/net/tdi_stat | sed 's/^/# /'
[ $failed = 0 ]
