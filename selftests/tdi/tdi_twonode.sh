#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tdi between two guests over real (emulated) Ethernet NICs: run by
#   scripts/vm-run --nodes 2 --nic e1000[,virtio] -- \
#	selftests/tdi/tdi_twonode.sh [SIZE_MIB [ECHO_MIB]]
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
# checks.  Then, per NIC, kernel clients (net/tdi/samples/): node 1 loads
# tdi_echo.ko (on every second NIC with chained=1: it echoes from the
# chains its chained receive handlers keep), and node 0 sends ECHO_MIB
# (default SIZE_MIB / 4, at least 1) through it once per socket type with
# tools/tdicat -d, checking the echo by hash and the service's accept and
# disconnect data; then offers a connection with connect data the service
# rejects; sends 64 KiB with an expedited TSDU (--expedited), which must
# come back expedited; and aborts a connection (--abort).  Node 0 then
# loads tdi_ping.ko, a kernel client, which runs a session with the
# service ended by a release and one ended by an abort.  Node 1 checks
# what the service and tdi saw of each, until node 0 says it is done with
# a last connection; both unload their module.  Last, per NIC, the kernel
# client against a userland listener: node 1 serves with tools/tdicat -e
# (echo), node 0's tdi_ping runs a session ended by a release and one
# ended by an abort, both sides check what they saw.  KTAP output on each
# node.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tdicat=$top/tools/tdicat
size_mib=${1:-16}
echo_mib=${2:-$((size_mib / 4))}
[ "$echo_mib" -ge 1 ] || echo_mib=1
limit=$((300 + size_mib * 20))	# seconds per transfer
ping_bytes=$((256 << 10))	# what tdi_ping sends, and expects back
xbytes=$((64 << 10))		# what goes with the expedited TSDU
node=${TDI_NODE:?run me with scripts/vm-run --nodes 2}
read -r -a models <<<"${TDI_NIC:?}"
failed=0
err=$(mktemp)
sent=$(mktemp)
echoed_out=$(mktemp)
mark=$(mktemp)
trap 'rm -f "$err" "$sent" "$echoed_out" "$mark"' EXIT
# TDI_DISCONNECT_REASON values (include/uapi/linux/tdi.h)
TDI_REASON_REFUSED=3
TDI_REASON_NO_LISTENER=4

data() {	# SEED [MIB]: deterministic bytes, the same on both nodes
	python3 -c "import random, sys
r = random.Random($1)
for _ in range(${2:-$size_mib}):
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

# result N NAME WHY: one KTAP line, "ok" when WHY is empty, and the
# seconds since the last one (or since $case_t0 was set)
result() {
	if [ -z "$3" ]; then
		echo "ok $1 $2"
	else
		echo "not ok $1 $2 # $3"
		failed=$((failed + 1))
	fi
	echo "# case time $((SECONDS - case_t0)) s"
	case_t0=$SECONDS
}

# has FILE TEXT: FILE holds the line TEXT (tdicat's stderr); else say so
has() {
	grep -qxF -- "$2" "$1" || echo " no '$2' in: $(tr '\n' '|' <"$1")"
}

# offer NODE PORT TDICAT-ARGS...: node 0 offers a connection to node 1,
# again while nobody listens there yet; tdicat's status, stderr in $err
offer() {
	local mac=$1 port=$2 rc

	shift 2
	for _ in $(seq 120); do
		timeout "$limit" "$tdicat" "$@" "$mac" "$port" 2>"$err"
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

# sample_load NAME PARAMS...: load net/tdi/samples/NAME.ko, next to tdi.ko
sample_load() {
	local name=$1

	shift
	insmod "$(dirname "${TDI_KO:?}")/samples/$name.ko" "$@"
}

# tdi_stat NAME: tdi's counter NAME (/proc/net/tdi_stat)
tdi_stat() { awk -v n="$1" '$1 == n { print $2 }' /proc/net/tdi_stat; }

# tdi_echo's count of bytes echoed, -1 when it is not loaded
echoed() { cat /sys/module/tdi_echo/parameters/echoed 2>/dev/null || echo -1; }
echoed_at_least() {	# BYTES (no fork: node 1 polls it during a transfer)
	local v=-1

	read -r v 2>/dev/null </sys/module/tdi_echo/parameters/echoed
	[ "${v:--1}" -ge "$1" ]
}

# wait_for COND...: node 1 polls until COND holds, for $limit s at most,
# or until node 0 is done (the listener for its last connection, $mpid,
# has ended); COND's last status
wait_for() {
	local t

	for ((t = 0; t < limit * 2; t++)); do
		"$@" && return 0
		kill -0 "$mpid" 2>/dev/null || break
		sleep 0.5
	done
	"$@"
}

stat_above() { [ "$(tdi_stat "$1")" -gt "$2" ]; }
rx_since() { echo $(($(rx_bytes "$1") - $2)); }

# need_echoed BYTES: wait until tdi_echo has echoed BYTES; else say so
# in $why (unless it holds a reason already)
need_echoed() {
	wait_for echoed_at_least "$1" ||
		why="${why:-echoed $(echoed) bytes, not $1}"
}

# need_stat NAME ABOVE WHY: wait until tdi's counter NAME is above ABOVE;
# else WHY goes to $why (unless it holds a reason already)
need_stat() {
	wait_for stat_above "$1" "$2" || why="${why:-$3}"
}

# echo_service DEV MODEL PORT: node 1's side of kernel_clients (six
# results).  tdi_echo.ko serves node 0 on PORT; a result is ok once the
# service (or tdi) has seen that client's part: bytes echoed, the
# rejection sent, the abort received.  Node 0's last connection, on PORT
# + 10, says it is done; the service must then unload.
echo_service() {
	local dev=$1 model=$2 port=$3 loaded="" why rx0 refused0 resets0 rc chains
	local bytes=$((echo_mib << 20))
	local total=$((2 * bytes + xbytes + 2 * ping_bytes))

	rx0=$(rx_bytes "$dev")
	sample_load tdi_echo port="$port" prefix="$echo_prefix" listen=1 \
		chained=$(((port - 7300) % 2)) \
		2>"$err" || loaded="insmod tdi_echo: $(cat "$err")"
	refused0=$(tdi_stat refused_out)
	resets0=$(tdi_stat resets_in)
	timeout $((4 * limit)) "$tdicat" -s -i "$dev" -l $((port + 10)) \
		>"$mark" 2>&1 &
	mpid=$!

	n=$((n + 1))
	why=$loaded
	need_echoed "$bytes"
	result $n "echo_stream_$model" "$why"

	n=$((n + 1))
	why=$loaded
	need_echoed $((2 * bytes))
	[ "$(rx_since "$dev" "$rx0")" -ge $((2 * bytes)) ] ||
		why="${why:-$dev received $(rx_since "$dev" "$rx0") bytes}"
	# chained=1: the echoes came from chains, else never
	chains=$(cat /sys/module/tdi_echo/parameters/chains 2>/dev/null)
	[ "$((${chains:-0} > 0))" = $(((port - 7300) % 2)) ] ||
		why="${why:-chains echoed: ${chains:-none}}"
	result $n "echo_seqpacket_$model" "$why"

	n=$((n + 1))
	why=$loaded
	need_stat refused_out "$refused0" "no REFUSE sent"
	result $n "echo_refuse_$model" "$why"

	# node 0's expedited TSDU is checked there, its data here
	n=$((n + 1))
	why=$loaded
	need_echoed $((2 * bytes + xbytes))
	result $n "echo_expedited_$model" "$why"

	n=$((n + 1))
	why=$loaded
	need_stat resets_in "$resets0" "no RESET received"
	result $n "echo_user_abort_$model" "$why"

	n=$((n + 1))
	why=$loaded
	need_echoed $((2 * bytes + xbytes + ping_bytes))
	[ "$(rx_since "$dev" "$rx0")" -ge $((2 * bytes + ping_bytes)) ] ||
		why="${why:-$dev received $(rx_since "$dev" "$rx0") bytes}"
	result $n "echo_ping_release_$model" "$why"

	n=$((n + 1))
	why=$loaded
	need_stat resets_in $((resets0 + 1)) "no second RESET received"
	result $n "echo_ping_abort_$model" "$why"

	# node 0 is done: all it sent came back, the module unloads
	n=$((n + 1))
	why=$loaded
	wait $mpid
	rc=$?
	[ $rc = 0 ] && [ "$(cat "$mark")" = "done" ] ||
		why="${why:-the last connection from node 0: $rc $(tr '\n' '|' <"$mark")}"
	[ "$(echoed)" = $total ] || why="${why:-echoed $(echoed) bytes, not $total}"
	if grep -q "^tdi_echo " /proc/modules; then
		rmmod tdi_echo 2>"$err" || why="$why rmmod tdi_echo: $(cat "$err")"
	fi
	result $n "echo_unload_$model" "$why"
}

# echo_clients DEV MODEL PEERMAC PORT: node 0's side (six results):
# tools/tdicat through node 1's tdi_echo, per socket type, then an offer
# it rejects; tdi_ping.ko's session ended by a release (stream) and one
# ended by an abort (message mode); then the last connection
echo_clients() {
	local dev=$1 model=$2 peer=$3 port=$4 why rc rx0 type res
	local bytes=$((echo_mib << 20))
	local ok="ok bytes=$ping_bytes accept=welcome"
	local ping=/sys/module/tdi_ping/parameters

	for type in stream seqpacket; do
		n=$((n + 1))
		why=""
		data $n "$echo_mib" >"$sent"
		offer "$peer" "$port" -d -t $type -i "$dev" \
			--connect-data "$echo_prefix: tdicat over $model" \
			<"$sent" >"$echoed_out"
		rc=$?
		[ "$rc" = 0 ] || why="tdicat exited with $rc"
		[ "$(sha256sum <"$echoed_out")" = "$(sha256sum <"$sent")" ] ||
			why="$why echo of $(wc -c <"$echoed_out") bytes differs"
		why="$why$(has "$err" "tdicat: accept data: \"welcome\" (7 bytes)")"
		why="$why$(has "$err" "tdicat: $bytes bytes received")"
		why="$why$(has "$err" "tdicat: ended: reason 1 (release)")"
		why="$why$(has "$err" "tdicat: peer's disconnect data: \"bye\" (3 bytes)")"
		result $n "tdicat_echo_${type}_$model" "$why"
	done

	n=$((n + 1))
	why=""
	offer "$peer" "$port" --connect-data "wrong" -i "$dev" </dev/null
	rc=$?
	[ $rc = 1 ] || why="tdicat exited with $rc, not 1"
	why="$why$(grep -q "^tdicat: connect: Connection refused (reason $TDI_REASON_REFUSED refused)" "$err" ||
		echo "not refused: $(tr '\n' '|' <"$err")")"
	why="$why$(has "$err" "tdicat: peer's disconnect data: \"go away\" (7 bytes)")"
	result $n "tdicat_echo_reject_$model" "$why"

	# expedited data comes back expedited, normal data as it went
	n=$((n + 1))
	why=""
	data $n 1 | head -c $xbytes >"$sent"
	offer "$peer" "$port" -d -t seqpacket -i "$dev" \
		--connect-data "$echo_prefix: expedited over $model" \
		--expedited "urgent over $model" <"$sent" >"$echoed_out"
	rc=$?
	[ "$rc" = 0 ] || why="tdicat exited with $rc"
	[ "$(sha256sum <"$echoed_out")" = "$(sha256sum <"$sent")" ] ||
		why="$why echo of $(wc -c <"$echoed_out") bytes differs"
	why="$why$(has "$err" "tdicat: expedited data: \"urgent over $model\" ($((12 + ${#model})) bytes)")"
	why="$why$(has "$err" "tdicat: ended: reason 1 (release)")"
	result $n "tdicat_expedited_$model" "$why"

	# an abort from userland, with disconnect data, nothing sent
	n=$((n + 1))
	why=""
	offer "$peer" "$port" -i "$dev" --connect-data "$echo_prefix: abort" \
		--abort --disconnect-data "abort from node 0" </dev/null
	rc=$?
	[ "$rc" = 0 ] || why="tdicat exited with $rc"
	why="$why$(has "$err" "tdicat: 0 bytes sent")"
	why="$why$(has "$err" "tdicat: ended: reason 2 (abort)")"
	result $n "tdicat_abort_$model" "$why"

	# tdi_ping connects with no interface given: tdi offers the
	# connection on both NICs and the answer picks this one, which
	# carries the echo back
	n=$((n + 1))
	why=""
	rx0=$(rx_bytes "$dev")
	if sample_load tdi_ping node="$peer" port="$port" bytes=$ping_bytes \
		cdata="$echo_prefix:tdi_ping" 2>"$err"; then
		echo 1 2>/dev/null >$ping/run || why="run failed:"
		res=$(cat $ping/result)
		[ "$res" = "$ok reason=1" ] || why="$why result '$res'"
		[ "$(rx_since "$dev" "$rx0")" -ge $ping_bytes ] ||
			why="$why $dev received $(rx_since "$dev" "$rx0") bytes"
	else
		why="insmod tdi_ping: $(cat "$err")"
	fi
	result $n "ping_release_$model" "$why"

	n=$((n + 1))
	why=""
	if [ -d $ping ]; then
		echo 1 >$ping/seqpacket
		echo 1 >$ping/abort
		echo 1 2>/dev/null >$ping/run || why="run failed:"
		res=$(cat $ping/result)
		[ "$res" = "$ok reason=2" ] || why="$why result '$res'"
	else
		why="tdi_ping is not loaded"
	fi
	result $n "ping_abort_$model" "$why"

	# the last connection tells node 1 we are done
	n=$((n + 1))
	why=""
	if [ -d $ping ]; then
		rmmod tdi_ping 2>"$err" || why="rmmod tdi_ping: $(cat "$err")"
	fi
	echo "done" | offer "$peer" $((port + 10)) -s -i "$dev"
	rc=$?
	[ $rc = 0 ] || why="$why last connection: tdicat exited with $rc: $(tr '\n' '|' <"$err")"
	result $n "ping_unload_$model" "$why"
}

# user_echo PORT TYPE: node 1's userland echo service for one connection
# (tools/tdicat -e) on PORT, all NICs; its status, stderr in $err
user_echo() {
	timeout $((2 * limit)) "$tdicat" -e -t "$2" --accept-data "user-accept" \
		-l "$1" 2>"$err"
}

# ping_user PORT PARAMS...: node 0's tdi_ping runs a session with PARAMS
# (numbers) against node 1's user_echo on PORT, again while nobody listens
# there yet; echoes the result
ping_user() {
	local port=$1 p=/sys/module/tdi_ping/parameters res kv

	shift
	for kv in "port=$port" "$@"; do
		echo "${kv#*=}" >"$p/${kv%%=*}"
	done
	for _ in $(seq 120); do
		echo 1 2>/dev/null >$p/run
		res=$(cat $p/result)
		[ "$res" = "fail connect -111" ] || break
		sleep 0.5
	done
	echo "$res"
}

# user_clients DEV MODEL PEERMAC K: the kernel client against a userland
# listener, one session ended by a release (stream) and one by an abort
# (message mode), with connect and accept data; node 1 serves them with
# tools/tdicat -e on port 7400 + 2K and the next one (two results)
user_clients() {
	local model=$2 peer=$3 port=$((7400 + 2 * $4)) why rc
	local cdata="tdi_ping-to-tdicat-over-$model" res
	local ok="ok bytes=$ping_bytes accept=user-accept"

	if [ "$node" = 1 ]; then
		n=$((n + 1))
		user_echo $port stream
		rc=$?
		why=""
		[ $rc = 0 ] || why="tdicat exited with $rc"
		why="$why$(has "$err" "tdicat: connect data: \"$cdata\" (${#cdata} bytes)")"
		why="$why$(has "$err" "tdicat: $ping_bytes bytes echoed")"
		why="$why$(has "$err" "tdicat: ended: reason 1 (release)")"
		result $n "user_echo_release_$model" "$why"

		n=$((n + 1))
		user_echo $((port + 1)) seqpacket
		rc=$?
		why=""
		[ $rc = 1 ] || why="tdicat exited with $rc, not 1"
		why="$why$(has "$err" "tdicat: $ping_bytes bytes echoed")"
		why="$why$(has "$err" "tdicat: recv: Connection reset by peer")"
		why="$why$(has "$err" "tdicat: ended: reason 2 (abort)")"
		result $n "user_echo_abort_$model" "$why"
		return
	fi
	n=$((n + 1))
	why=""
	if sample_load tdi_ping node="$peer" bytes=$ping_bytes \
		cdata="$cdata" 2>"$err"; then
		res=$(ping_user $port)
		[ "$res" = "$ok reason=1" ] || why="result '$res'"
	else
		why="insmod tdi_ping: $(cat "$err")"
	fi
	result $n "ping_user_release_$model" "$why"

	n=$((n + 1))
	why=""
	if [ -d /sys/module/tdi_ping ]; then
		res=$(ping_user $((port + 1)) seqpacket=1 abort=1)
		[ "$res" = "$ok reason=2" ] || why="result '$res'"
		rmmod tdi_ping 2>"$err" || why="$why rmmod tdi_ping: $(cat "$err")"
	else
		why="tdi_ping is not loaded"
	fi
	result $n "ping_user_abort_$model" "$why"
}

# kernel_clients DEV MODEL PEERMAC K: tdi_echo.ko on node 1 (port 7300 +
# K), its clients on node 0; six results
kernel_clients() {
	if [ "$node" = 1 ]; then
		echo_service "$1" "$2" $((7300 + $4))
	else
		echo_clients "$1" "$2" "$3" $((7300 + $4))
	fi
}

echo_prefix=tdi-echo	# tdi_echo accepts connect data that starts so
echo "TAP version 13"
echo "1..$((14 * ${#models[@]}))"
n=0
for ((k = 0; k < ${#models[@]}; k++)); do
	var=TDI_MACS_$k
	read -r -a macs <<<"${!var:?}"
	dev=$(ifname_of "${macs[$node]}") || {
		echo "Bail out! node $node has no NIC with address ${macs[$node]}"
		exit 1
	}
	echo "# node $node, NIC $k ${models[$k]}: $dev ${macs[$node]}"
	t0=$SECONDS
	retrans0=$(tdi_stat retransmits)
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
	t1=$SECONDS
	case_t0=$t1
	query_accept "$dev" "${models[$k]}" "${macs[1]}"
	t2=$SECONDS
	kernel_clients "$dev" "${models[$k]}" "${macs[1]}" $k
	t3=$SECONDS
	user_clients "$dev" "${models[$k]}" "${macs[1]}" $k
	# where the time went, for whoever tunes the sizes
	echo "# ${models[$k]}: transfers $((t1 - t0)) s, offers $((t2 - t1)) s," \
		"kernel clients $((t3 - t2)) s, against userland $((SECONDS - t3)) s;" \
		"$(($(tdi_stat retransmits) - retrans0)) retransmits"
done
grep -E "frames_|retransmits|drop_checksum" /proc/net/tdi_stat | sed 's/^/# /'
[ $failed = 0 ]
