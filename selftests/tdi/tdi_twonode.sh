#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tdi between two guests over real (emulated) Ethernet NICs: run by
#   scripts/vm-run --nodes 2 --nic e1000[,virtio] -- selftests/tdi/tdi_twonode.sh
# on both guests.  For each NIC (each on its own segment), node 1 listens
# and node 0 connects to node 1's address on that NIC and sends SIZE_MIB
# (default 16) of deterministic data, once per socket type; node 1 checks
# the content by hash, and that its NIC received at least that many bytes
# (the transfer went over that NIC).  KTAP output on each node.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tdicat=$top/tools/tdicat
size_mib=${1:-16}
limit=$((300 + size_mib * 20))	# seconds per transfer
node=${TDI_NODE:?run me with scripts/vm-run --nodes 2}
read -r -a models <<<"${TDI_NIC:?}"
failed=0

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

echo "TAP version 13"
echo "1..$((2 * ${#models[@]}))"
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
			got=$(timeout "$limit" "$tdicat" -q -t $type -i "$dev" -l $port |
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
			if data $n 2>/dev/null | timeout "$limit" "$tdicat" -q -t $type \
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
done
grep -E "frames_|retransmits|drop_checksum" /proc/net/tdi_stat | sed 's/^/# /'
[ $failed = 0 ]
