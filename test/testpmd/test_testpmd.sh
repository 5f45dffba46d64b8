#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Stock dpdk-testpmd driving net_hvnet over its command line, against an
# hvsim daemon whose NIC reflects every frame: io and macswap forwarding
# (frames seeded with "start tx_first" bounce between testpmd and the
# host), port stop/start, reconfiguration to two queues, port info, stats
# and xstats, device detach; testpmd's counters are checked against
# hvsim's and hvsim's checker must stay clean. Every step has a deadline;
# testpmd is killed with SIGKILL if it overruns.
#
# Usage: test_testpmd.sh BUILDDIR HVSIM_BIN

set -u
build=$1
hvsim=$2
# The build's DPDK's testpmd (meson test exports DPDK_TESTPMD).
testpmd=${DPDK_TESTPMD:-}
[ -x "$testpmd" ] || { echo "SKIP: no dpdk-testpmd (DPDK_TESTPMD='$testpmd')"; exit 77; }

. "$(dirname "$0")/../../devtools/lib/private-dir.sh"
dir=$(hvnet_private_dir hvnet-testpmd "$build" "${HOME:-}" /var/lib) || {
	echo "SKIP: no directory without world-writable ancestors"; exit 77; }
hvpid=
cleanup() { [ -n "$hvpid" ] && kill -9 "$hvpid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir "$dir/plugins"
hvnet_plugins "$build" "$dir/plugins" || exit 1

sock=$dir/hvsim.sock
ctl=$dir/hvsim.ctl
"$hvsim" --socket "$sock" --ctl "$ctl" --nics 1 --port reflect \
	>"$dir/hvsim.log" 2>&1 &
hvpid=$!
for _ in $(seq 100); do [ -S "$sock" ] && [ -S "$ctl" ] && break; sleep 0.05; done
[ -S "$ctl" ] || { echo "FAIL: hvsim did not start"; exit 1; }

hstat() {	# hstat KEY: one hvsim counter of NIC 0
	"$hvsim" ctl "$ctl" stats 0 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

log=$dir/testpmd.log
fifo=$dir/cmd
mkfifo "$fifo"
timeout -s KILL 240 stdbuf -o0 "$testpmd" "${HVNET_PLUGIN_ARGS[@]}" \
	--vdev="hvbus_sim,socket=$sock" --no-huge -m 512 --no-pci --no-shconf \
	--file-prefix=hvnet_tp$$ -l 0-1 -- -i --total-num-mbufs=8192 \
	<"$fifo" >"$log" 2>&1 &
tpid=$!
exec 3>"$fifo"
cmd() { echo "$*" >&3; }
# Wait until testpmd printed @2 (a regex) at least @1 times.
wait_for() {	# wait_for COUNT REGEX [TRIES of 50 ms, default 300]
	local n=$1 re=$2 i
	for i in $(seq "${3:-300}"); do
		[ "$(grep -c -- "$re" "$log")" -ge "$n" ] && return 0
		kill -0 $tpid 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# Value of field @2 in the last block of testpmd output starting at @1.
last_field() {
	tac "$log" | awk -v f="$2" -v h="$1" '
		$0 ~ h { exit } { for (i = 1; i <= NF; i++) if ($i == f) v = $(i + 1) }
		END { print v }'
}

# RX-packets of port 0 now (its statistics asked for and waited on).
port_rx() {
	local k
	k=$(grep -c "Rx-pps:" "$log")
	cmd "show port stats 0"
	wait_for $((k + 1)) "Rx-pps:" || return 1
	last_field "NIC statistics for port 0" "RX-packets:"
}
# Forward until port 0 received @1 more frames than @2 (60 s at most):
# a loaded machine forwards fewer per second, not none.
fwd_until() {	# fwd_until MORE BASE
	local i r
	for i in $(seq 120); do
		r=$(port_rx) || return 1
		[ "${r:-0}" -ge $(($2 + $1)) ] && return 0
		sleep 0.5
	done
	return 1
}

# Start-up (EAL, probe, port start) is slow on a loaded machine: 60 s.
wait_for 1 "testpmd>" 1200 || bad "testpmd did not start"
cmd "show port info 0"
wait_for 1 "Driver name: net_hvnet" || bad "port 0 is not a net_hvnet port"

# io forwarding
cmd "set fwd io"
base=$(port_rx)
cmd "start tx_first"
fwd_until 2000 "${base:-0}" || bad "io forwarding: port 0 did not receive 2000 frames"
cmd "stop"
wait_for 1 "Forward statistics for port 0" || bad "io forwarding did not stop"
sleep 0.5
cmd "show port stats 0"
wait_for 1 "NIC statistics for port 0" || bad "no port stats"
rx=$(last_field "NIC statistics for port 0" "RX-packets:")
tx=$(last_field "NIC statistics for port 0" "TX-packets:")
hrx=$(hstat rx_pkts)
htx=$(hstat tx_pkts)
echo "io: testpmd rx=$rx tx=$tx, hvsim to-guest=$hrx from-guest=$htx"
[ "${rx:-0}" -gt 1000 ] || bad "io forwarding received only ${rx:-0} frames"
[ "${tx:-0}" -gt 1000 ] || bad "io forwarding sent only ${tx:-0} frames"
[ "${htx:-x}" = "${tx:-y}" ] || bad "hvsim got $htx frames, testpmd sent $tx"
# Frames reflected after "stop" wait in the ring, unread.
[ "${hrx:-0}" -ge "${rx:-0}" ] && [ "${hrx:-0}" -le "${htx:-0}" ] ||
	bad "hvsim delivered $hrx frames, testpmd received $rx"

# macswap
cmd "set fwd macswap"
base=$(port_rx)
cmd "start tx_first"
fwd_until 200 "${base:-0}" || bad "macswap: port 0 did not receive 200 frames"
cmd "stop"
wait_for 2 "Forward statistics for port 0" || bad "macswap did not stop"
mrx=$(tac "$log" | awk '/Forward statistics for port 0/ {exit} /RX-packets:/ {print $2}' | tail -1)
[ "${mrx:-0}" -gt 100 ] || bad "macswap forwarded ${mrx:-0} frames"

# Frames above tx_copybreak go GPA-direct: hvsim reads them through the
# memory testpmd's EAL lent it (--no-huge's memfd), none with
# process_vm_readv().
lent0=$(hstat gpa_reads_lent)
peer0=$(hstat gpa_reads_peer)
cmd "set txpkts 1024"
cmd "set fwd io"
base=$(port_rx)
cmd "start tx_first"
fwd_until 500 "${base:-0}" || bad "1024-byte frames: port 0 did not receive 500 frames"
cmd "stop"
wait_for 3 "Forward statistics for port 0" || bad "1024-byte forwarding did not stop"
cmd "set txpkts 64"
lent=$(hstat gpa_reads_lent)
peer=$(hstat gpa_reads_peer)
echo "1024 B: hvsim read $((lent - lent0)) GPA ranges through lent memory, $((peer - peer0)) with process_vm_readv"
[ $((lent - lent0)) -ge 500 ] || bad "hvsim read $((lent - lent0)) GPA ranges through lent memory, not 500"
[ "$peer" = "$peer0" ] || bad "hvsim read $((peer - peer0)) GPA ranges with process_vm_readv"

# stop / start the port
cmd "port stop 0"
wait_for 1 "Stopping ports" || bad "port stop"
cmd "port start 0"
# The link comes up after the start returns: ask until it says so.
for i in $(seq 60); do
	k=$(grep -c "Link speed:" "$log")
	cmd "show port info 0"
	wait_for $((k + 1)) "Link speed:" || break
	[ "$(last_field "Infos for port 0" "status:")" = up ] && break
	sleep 0.5
done
[ "$(last_field "Infos for port 0" "status:")" = up ] || bad "link not up after restart"

# two queues
cmd "port stop all"
cmd "port config all rxq 2"
cmd "port config all txq 2"
cmd "port start all"
sleep 1
cmd "set fwd io"
cmd "start tx_first"
sleep 1
cmd "stop"
wait_for 4 "Forward statistics for port 0" || bad "2-queue forwarding did not stop"
cmd "show port xstats 0"
wait_for 1 "rx_q1_packets" || bad "no per-queue xstats for queue 1"
t1=$(tac "$log" | awk '/tx_q1_packets:/ {print $2; exit}')
hq=$(hstat queues)
hrss=$(hstat rss)
echo "2 queues: tx_q1_packets=$t1; hvsim: queues=$hq rss=$hrss"
# testpmd's tx_first frames are one flow: they all come back on one queue,
# but tx queue 1 must have sent its burst over its own subchannel (2 queue
# pairs: channels 0-1 receive, 2-3 transmit).
[ "${t1:-0}" -gt 0 ] || bad "tx queue 1 sent nothing"
[ "$hq" = 4 ] || bad "hvsim sees $hq channels open, not 4"
[ "$hrss" = 1 ] || bad "RSS not enabled at the host"

# Device detach: the port goes with its device. ethdev still logs "Bus
# hvbus does not support iterating" (its legacy bus:name converter knows
# only pci, vdev, fslmc and dpaa); the detach itself must work.
dev=$(sed -n 's/^Device name: //p' "$log" | head -1)
cmd "port stop all"
cmd "port close all"
cmd "device detach hvbus:$dev"
wait_for 1 "Device hvbus:$dev is detached" || bad "device detach hvbus:$dev"
wait_for 1 "Now total ports is 0" || bad "a port is left after the detach"

cmd "quit"
exec 3>&-
wait $tpid
rc=$?
[ $rc -eq 0 ] || bad "testpmd exited with $rc"
grep -q "^Bye" "$log" || bad "testpmd did not quit cleanly"
grep -qi "protocol violation\|segmentation" "$log" && bad "errors in testpmd's log"
chk=$("$hvsim" ctl "$ctl" check)
case "$chk" in "ok 0 violations"*) ;; *) bad "hvsim checker: $chk";; esac
"$hvsim" ctl "$ctl" quit >/dev/null 2>&1
wait $hvpid; hvpid=

if [ $fail -ne 0 ]; then
	echo "---- testpmd log (tail) ----"; tail -60 "$log"
	echo "---- hvsim log (tail) ----"; tail -20 "$dir/hvsim.log"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "testpmd: io, macswap, 1024-byte frames, port stop/start, 2 queues, stats and xstats, detach against hvsim"
echo "1 passed, 0 failed"
