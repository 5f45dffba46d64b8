#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make demo: stock dpdk-testpmd forwarding over net_hvnet. No daemon: the
# device argument --vdev=hvbus_sim,nics=1,port=[gen,...] asks for hvsim in
# testpmd's process with one synthetic NIC whose port is a traffic
# generator (64-byte UDP frames over 64 flows) and a sink for what the
# guest sends. The generator runs closed-loop (window=512: at most 512 of
# its frames out until the sink has seen them): it offers what the guest
# forwards and the host sinks, never more than fits testpmd's transmit
# ring (1024 descriptors), so frames are not lost to a host thread that
# lost its CPU for a while. testpmd loads our bus, simulator and PMD
# plugins with -d, forwards in io mode for a few seconds and prints its
# forward statistics; when it quits, the bus logs the embedded host's
# counters, and the verdict compares them with testpmd's and prints the
# share of received frames testpmd dropped on transmit (the demo fails at
# 1 % or more).
#
# Usage: devtools/demo.sh BUILDDIR [SECONDS]

set -u
build=${1:?usage: demo.sh BUILDDIR [SECONDS]}
secs=${2:-5}
build=$(cd "$build" && pwd -P) || exit 1
# The DPDK the build compiled against (meson writes dpdk.env).
. "$build/dpdk.env" || { echo "FAIL: $build/dpdk.env missing: run make build"; exit 1; }
testpmd=$DPDK_TESTPMD
[ -x "$testpmd" ] || { echo "FAIL: $testpmd not found (DPDK $DPDK_VERSION without its testpmd; Debian: apt install dpdk)"; exit 1; }

. "$(dirname "$0")/lib/private-dir.sh"
dir=$(hvnet_private_dir hvnet-demo "$build" "${HOME:-}" /var/lib) || {
	echo "FAIL: no directory without world-writable ancestors for the plugins"
	exit 1
}
tpid=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$tpid" ] && kill -9 "$tpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/plugins"
hvnet_plugins "$build" "$dir/plugins" || { echo "FAIL: plugins"; exit 1; }

log=$dir/testpmd.log
fail() { echo "FAIL: $*"; echo "---- testpmd log (tail) ----"; tail -30 "$log"; exit 1; }
# Wait until testpmd printed @1 (a regex), at most @2 seconds.
wait_for() {
	local i
	for i in $(seq $(($2 * 20))); do
		grep -q -- "$1" "$log" && return 0
		kill -0 "$tpid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Commands go through a FIFO so that "start" waits for testpmd's prompt:
# on a busy machine start-up alone can take longer than the run.
mkfifo "$dir/cmd"
timeout -s KILL $((secs + 120)) stdbuf -o0 "$testpmd" \
	"${HVNET_PLUGIN_ARGS[@]}" \
	--vdev="hvbus_sim,nics=1,port=[gen,len=60,flows=64,window=512]" \
	--no-huge -m 512 --no-pci --no-shconf --file-prefix=hvnet-demo$$ \
	-l 0-1 -- -i --total-num-mbufs=8192 --forward-mode=io \
	<"$dir/cmd" >"$log" 2>&1 &
tpid=$!
exec 3>"$dir/cmd"

echo "== testpmd (io forwarding, ${secs}s) over net_hvnet <-> embedded hvsim generator =="
wait_for "testpmd> " 90 || fail "testpmd did not reach its prompt"
echo "start" >&3
wait_for "^io packet forwarding" 30 || fail "forwarding did not start"
sleep "$secs"
echo "stop" >&3
wait_for "Forward statistics for port 0" 30 || fail "forwarding did not stop"
echo "quit" >&3
exec 3>&-
wait "$tpid"
rc=$?
tpid=

sed -n '/Forward statistics for port 0/,/^ *+\{10,\}$/p' "$log" | grep -v '^$'
stats=$(sed -n '/Forward statistics for port 0/,/---/p' "$log")
rx=$(echo "$stats" | awk '/RX-packets:/ {print $2; exit}')
tx=$(echo "$stats" | awk '/TX-packets:/ {print $2; exit}')
txd=$(echo "$stats" | awk '/TX-dropped:/ {print $4; exit}')
host=$(grep "embedded hvsim nic0" "$log" | tail -1)
gen=$(echo "$host" | tr ' ' '\n' | sed -n 's/^to_guest=//p')
sunk=$(echo "$host" | tr ' ' '\n' | sed -n 's/^from_guest=//p')
echo "hvsim: generated ${gen:-?} frames to the guest, sank ${sunk:-?} frames from it"
[ $rc -eq 0 ] || fail "testpmd exited with status $rc"
grep -q '^Bye' "$log" || fail "testpmd did not quit cleanly"
[ -n "$rx" ] && [ -n "$tx" ] && [ -n "$txd" ] || fail "no forward statistics in testpmd's output"
[ -n "$sunk" ] && [ -n "$gen" ] || fail "no counters from the embedded hvsim"
grep -q "protocol violation" "$log" && fail "hvsim's checker found protocol violations"
[ "$rx" -gt 0 ] || fail "testpmd received nothing"
[ "$tx" -gt 0 ] || fail "testpmd forwarded nothing"
[ "$sunk" -eq "$tx" ] || fail "testpmd sent $tx frames but hvsim received $sunk"
[ "$rx" -le "$gen" ] || fail "testpmd received $rx frames but hvsim generated only $gen"
mpps=$(awk -v n="$tx" -v s="$secs" 'BEGIN { printf "%.2f", n / s / 1e6 }')
share=$(awk -v d="$txd" -v r="$rx" 'BEGIN { printf "%.3f", d * 100 / r }')
awk -v d="$txd" -v r="$rx" 'BEGIN { exit !(d * 100 < r) }' ||
	fail "testpmd dropped $txd of $rx received frames on transmit ($share %)"
echo "PASS: forwarded $tx packets ($mpps Mpps), every one counted by hvsim's sink; TX-dropped $txd = $share % of RX-packets"
