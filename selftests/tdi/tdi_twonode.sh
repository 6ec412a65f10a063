#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tdi between two guests over a real (emulated) Ethernet NIC: run by
#   scripts/vm-run --nodes 2 --nic e1000|virtio -- selftests/tdi/tdi_twonode.sh
# on both guests.  Node 1 listens; node 0 connects to node 1's NIC address
# and sends SIZE_MIB (default 16) of deterministic data, once per socket
# type; node 1 checks the content by hash.  KTAP output on each node.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tdicat=$top/tools/tdicat
size_mib=${1:-16}
limit=$((300 + size_mib * 20))	# seconds per transfer
node=${TDI_NODE:?run me with scripts/vm-run --nodes 2}
read -r -a macs <<<"${TDI_MACS:?}"
failed=0

data() {	# deterministic bytes, the same on both nodes
	python3 -c "import random, sys
r = random.Random($1)
for _ in range($size_mib):
    sys.stdout.buffer.write(r.randbytes(1 << 20))"
}

echo "TAP version 13"
echo "1..2"
echo "# node $node, NIC $TDI_NIC, $(cat /sys/class/net/eth0/address)"
n=0
for type in stream seqpacket; do
	n=$((n + 1))
	port=$((7100 + n))
	if [ "$node" = 1 ]; then
		got=$(timeout "$limit" "$tdicat" -q -t $type -l $port | sha256sum)
		want=$(data $n | sha256sum)
		if [ "$got" = "$want" ]; then
			echo "ok $n receive_$type"
		else
			echo "not ok $n receive_$type # content differs"
			failed=$((failed + 1))
		fi
		continue
	fi
	# node 0: the listener may not be up yet; refused offers are retried
	ok=0
	for _ in $(seq 120); do
		if data $n 2>/dev/null | timeout "$limit" "$tdicat" -q -t $type "${macs[1]}" $port \
			2>/tmp/err; then
			ok=1
			break
		fi
		grep -q "refused" /tmp/err || break
		sleep 0.5
	done
	if [ $ok = 1 ]; then
		echo "ok $n send_$type"
	else
		echo "not ok $n send_$type # $(cat /tmp/err)"
		failed=$((failed + 1))
	fi
done
grep -E "frames_|retransmits|drop_checksum" /proc/net/tdi_stat | sed 's/^/# /'
[ $failed = 0 ]
