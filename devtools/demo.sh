#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make demo: stock dpdk-testpmd forwarding over net_hvnet. An hvsim daemon
# plays the Hyper-V host with one synthetic NIC whose port is a traffic
# generator (64-byte UDP frames over 64 flows) and a sink for what the
# guest sends; testpmd loads our bus and PMD plugins with -d, forwards in
# io mode for a few seconds, prints its forward statistics, and the verdict
# compares testpmd's counters with what hvsim received.
#
# Usage: devtools/demo.sh BUILDDIR [SECONDS]

set -u
build=${1:?usage: demo.sh BUILDDIR [SECONDS]}
secs=${2:-5}
build=$(cd "$build" && pwd -P) || exit 1
bus_so=$build/drivers/bus/hvbus/librte_bus_hvbus.so
pmd_so=$build/drivers/net/hvnet/librte_net_hvnet.so
hvsim=$build/app/hvsim/hvsim
testpmd=$(command -v dpdk-testpmd) || { echo "FAIL: dpdk-testpmd not found (apt install dpdk)"; exit 1; }
for f in "$bus_so" "$pmd_so" "$hvsim"; do
	[ -e "$f" ] || { echo "FAIL: $f missing: run make build"; exit 1; }
done

. "$(dirname "$0")/lib/private-dir.sh"
dir=$(hvnet_private_dir hvnet-demo "$build" "${HOME:-}" /var/lib) || {
	echo "FAIL: no directory without world-writable ancestors for the plugins"
	exit 1
}
hvpid=
cleanup() {
	[ -n "$hvpid" ] && kill -9 "$hvpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/plugins"
cp "$bus_so" "$pmd_so" "$dir/plugins/"

sock=$dir/hvsim.sock
ctl=$dir/hvsim.ctl
"$hvsim" --socket "$sock" --ctl "$ctl" --nics 1 --name demo \
	--port gen,len=60,flows=64 >"$dir/hvsim.log" 2>&1 &
hvpid=$!
for _ in $(seq 100); do [ -S "$sock" ] && [ -S "$ctl" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "FAIL: hvsim did not start"; cat "$dir/hvsim.log"; exit 1; }

echo "== testpmd (io forwarding, ${secs}s) over net_hvnet <-> hvsim generator =="
{
	echo "start"
	sleep "$secs"
	echo "stop"
	sleep 0.5
	echo "show port stats all"
	echo "quit"
} | HVBUS_ARGS="backend=sim,socket=$sock" timeout -s KILL $((secs + 60)) \
	"$testpmd" -d "$dir/plugins" --no-huge -m 512 --no-pci --no-shconf \
	--file-prefix=hvnet-demo -l 0-1 -- -i --total-num-mbufs=8192 \
	--forward-mode=io >"$dir/testpmd.log" 2>&1
rc=$?
sed -n '/Forward statistics for port 0/,/^ *+\{10,\}$/p' "$dir/testpmd.log" | grep -v '^$'
host=$("$hvsim" ctl "$ctl" stats 0 2>&1)
"$hvsim" ctl "$ctl" quit >/dev/null 2>&1
wait "$hvpid" 2>/dev/null
hvrc=$?
hvpid=

rx=$(sed -n '/Forward statistics for port 0/,/---/p' "$dir/testpmd.log" | awk '/RX-packets:/ {print $2; exit}')
tx=$(sed -n '/Forward statistics for port 0/,/---/p' "$dir/testpmd.log" | awk '/TX-packets:/ {print $2; exit}')
sunk=$(echo "$host" | tr ' ' '\n' | sed -n 's/^tx_pkts=//p')
gen=$(echo "$host" | tr ' ' '\n' | sed -n 's/^rx_pkts=//p')
echo "hvsim: generated $gen frames to the guest, sank $sunk frames from it"
fail() { echo "FAIL: $*"; echo "---- testpmd log (tail) ----"; tail -30 "$dir/testpmd.log"; exit 1; }
[ $rc -eq 0 ] || fail "testpmd exited with status $rc"
grep -q '^Bye' "$dir/testpmd.log" || fail "testpmd did not quit cleanly"
[ -n "$rx" ] && [ -n "$tx" ] || fail "no forward statistics in testpmd's output"
[ -n "$sunk" ] || fail "no statistics from hvsim: $host"
[ "$rx" -gt 0 ] || fail "testpmd received nothing"
[ "$tx" -gt 0 ] || fail "testpmd forwarded nothing"
[ "$sunk" -eq "$tx" ] || fail "testpmd sent $tx frames but hvsim received $sunk"
[ $hvrc -eq 0 ] || fail "hvsim's checker found protocol violations: $(tail -5 "$dir/hvsim.log")"
mpps=$(awk -v n="$tx" -v s="$secs" 'BEGIN { printf "%.2f", n / s / 1e6 }')
echo "PASS: forwarded $tx packets ($mpps Mpps)"
