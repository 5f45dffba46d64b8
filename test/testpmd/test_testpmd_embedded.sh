#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Stock dpdk-testpmd over NICs of the hvsim the bus embeds (no daemon),
# asked for and set up by the device argument --vdev=hvbus_sim,...:
#   1. make demo's script itself (one generator NIC) must pass;
#   2. port=gen for every NIC: two generator NICs, io forwarding 0->1 and
#      1->0, each sink counts exactly what testpmd sent on that port;
#   3. one spec per NIC, port=[gen,len=128],port=[1:sink]: only NIC 0
#      generates, NIC 1's sink gets exactly port 1's TX, NIC 0 gets
#      nothing;
#   4. no device argument, every plugin loaded: no port, no host.
# The embedded host's counters come from the line the bus logs at exit.
# Bad specs are test/bus/test_bus_config.c's (no testpmd needed there).
#
# Usage: test_testpmd_embedded.sh BUILD_ROOT DEMO_SH

set -u
build=$1
demo=$2
. "$build/dpdk.env" || exit 1
testpmd=$DPDK_TESTPMD
[ -x "$testpmd" ] || { echo "SKIP: no dpdk-testpmd ($testpmd)"; exit 77; }

. "$(dirname "$0")/../../devtools/lib/private-dir.sh"
dir=$(hvnet_private_dir hvnet-tpemb "$build" "${HOME:-}" /var/lib) || {
	echo "SKIP: no directory without world-writable ancestors"; exit 77; }
tpid=
cleanup() { [ -n "$tpid" ] && kill -9 "$tpid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir "$dir/plugins"
hvnet_plugins "$build" "$dir/plugins" || exit 1

fail=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. The demo, as make demo runs it.
out=$(bash "$demo" "$build" 2 2>&1)
rc=$?
echo "$out" | tail -2
[ $rc -eq 0 ] && echo "$out" | grep -q "^PASS: forwarded" ||
	{ bad "demo.sh failed (status $rc)"; echo "$out" | tail -40; }

# run_tp LOG SECONDS EAL_ARG...: testpmd in io mode over the embedded
# hvsim, forwarding SECONDS once at its prompt, then quit.
run_tp() {
	local log=$1 secs=$2 i
	shift 2
	rm -f "$dir/cmd"
	mkfifo "$dir/cmd"
	timeout -s KILL 120 stdbuf -o0 "$testpmd" \
		"${HVNET_PLUGIN_ARGS[@]}" "$@" --no-huge -m 512 --no-pci --no-shconf \
		--file-prefix=hvnet_tpemb$$ -l 0-1 -- -i \
		--total-num-mbufs=8192 --forward-mode=io \
		<"$dir/cmd" >"$log" 2>&1 &
	tpid=$!
	exec 3>"$dir/cmd"
	for i in $(seq 1800); do
		grep -q "testpmd> " "$log" && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.05
	done
	echo "start" >&3
	sleep "$secs"
	echo "stop" >&3
	for i in $(seq 600); do
		grep -q "Accumulated forward statistics" "$log" && break
		kill -0 $tpid 2>/dev/null || break
		sleep 0.05
	done
	echo "quit" >&3
	exec 3>&-
	wait $tpid
	i=$?
	tpid=
	[ $i -eq 0 ] && grep -q "^Bye" "$log" || bad "testpmd ($*) exited with $i"
}

# fwd LOG PORT FIELD: testpmd's forward statistics of one port.
fwd() {
	sed -n "/Forward statistics for port $2 /,/---/p" "$1" |
		awk -v f="$3" '{ for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}
# host LOG NIC KEY: the embedded hvsim's counter the bus logged at exit
# (0 when the NIC moved no frame: the bus logs only NICs that did).
host() {
	local v
	v=$(grep "embedded hvsim nic$2 " "$1" | tr ' ' '\n' | sed -n "s/^$3=//p")
	echo "${v:-0}"
}

# 2. One spec for every NIC: every NIC generates.
log=$dir/two_gen.log
run_tp "$log" 1 --vdev="hvbus_sim,nics=2,port=[gen,flows=8]"
for p in 0 1; do
	rx=$(fwd "$log" $p RX-packets:)
	tx=$(fwd "$log" $p TX-packets:)
	gen=$(host "$log" $p to_guest)
	sunk=$(host "$log" $p from_guest)
	echo "all generate, port $p: testpmd rx=$rx tx=$tx; hvsim nic$p generated=$gen sank=$sunk"
	[ "${rx:-0}" -gt 0 ] || bad "port $p received nothing"
	[ "${rx:-0}" -le "$gen" ] || bad "port $p received $rx > $gen generated"
	[ "${tx:-0}" -gt 0 ] || bad "port $p sent nothing"
	[ "${tx:-x}" = "$sunk" ] || bad "port $p sent $tx, nic$p sank $sunk"
done

# 3. One spec per NIC: NIC 0 generates, NIC 1 only sinks.
log=$dir/gen_sink.log
run_tp "$log" 1 --vdev="hvbus_sim,nics=2,port=[gen,len=128],port=[1:sink]"
rx0=$(fwd "$log" 0 RX-packets:)
tx0=$(fwd "$log" 0 TX-packets:)
rx1=$(fwd "$log" 1 RX-packets:)
tx1=$(fwd "$log" 1 TX-packets:)
echo "per NIC: port 0 rx=$rx0 tx=$tx0, port 1 rx=$rx1 tx=$tx1;" \
	"hvsim nic0 generated=$(host "$log" 0 to_guest) sank=$(host "$log" 0 from_guest)," \
	"nic1 generated=$(host "$log" 1 to_guest) sank=$(host "$log" 1 from_guest)"
[ "${rx0:-0}" -gt 0 ] || bad "generator NIC 0: port 0 received nothing"
[ "${rx1:-x}" = 0 ] || bad "sink NIC 1 generated $rx1 frames"
[ "${tx1:-0}" -gt 0 ] && [ "$tx1" = "$(host "$log" 1 from_guest)" ] ||
	bad "port 1 sent $tx1, nic1 sank $(host "$log" 1 from_guest)"
[ "${tx0:-x}" = 0 ] && [ "$(host "$log" 0 from_guest)" = 0 ] ||
	bad "port 0 sent $tx0 (nothing to forward from the sink)"
grep -q "protocol violation" "$dir"/*.log && bad "hvsim found protocol violations"

# 4. Every plugin loaded, no device argument: the bus stays empty.
log=$dir/none.log
timeout -s KILL 60 "$testpmd" "${HVNET_PLUGIN_ARGS[@]}" --no-huge -m 512 \
	--no-pci --no-shconf --file-prefix=hvnet_tpemb$$ -l 0-1 \
	--log-level=bus.hvbus:debug -- -i --total-num-mbufs=8192 \
	</dev/null >"$log" 2>&1
grep -q "no backend asked for" "$log" || bad "no device argument: the bus did not say why it is empty"
grep -qi "embedded hvsim\|Port 0:" "$log" && bad "no device argument, yet a host or a port"
grep -q "No probed ethernet devices" "$log" || bad "no device argument, yet testpmd found ports"

if [ $fail -ne 0 ]; then
	for f in "$dir"/*.log; do echo "---- $f (tail) ----"; tail -25 "$f"; done
	echo "0 passed, 1 failed"
	exit 1
fi
echo "testpmd over embedded hvsim NICs: demo, port= for all, port= per NIC; none unasked"
echo "1 passed, 0 failed"
