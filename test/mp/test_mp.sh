#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Secondary processes against a stock dpdk-testpmd primary (our plugins,
# an hvsim daemon whose generator sends 128-byte UDP frames, io
# forwarding back out): stock dpdk-proc-info (--stats, --xstats) sees the
# port and its counters; stock dpdk-pdump captures what the port receives
# into a pcap file, frames checked; a secondary started while the host has
# rescinded the NIC attaches and says so; after the re-offer proc-info's
# counters go on and a capture that outlived the re-offer holds frames of
# after it.
#
# EAL cannot run secondaries without hugepages: the test reserves some
# (vm.nr_hugepages, a hugetlbfs mount of its own) and gives them back.
# Needs root; skipped (77) without it or without the tools.
#
# usage: test_mp.sh BUILDDIR HVSIM
set -u
build=$1
hvsim=$2
. "$build/dpdk.env" || exit 1
testpmd=$DPDK_TESTPMD
bindir=$(dirname "$testpmd")
procinfo=$bindir/dpdk-proc-info
pdump=$bindir/dpdk-pdump
for t in "$testpmd" "$procinfo" "$pdump"; do
	[ -x "$t" ] || { echo "SKIP: no $t"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: hugepages need root"; exit 77; }

. "$(dirname "$0")/../../devtools/lib/private-dir.sh"
dir=$(hvnet_private_dir hvnet-mp "$build" "${HOME:-}" /var/lib) || {
	echo "SKIP: no directory without world-writable ancestors"; exit 77; }
nr=/proc/sys/vm/nr_hugepages
old_nr=$(cat $nr)
mounted=
tpid=
hvpid=
dpid=
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	[ -n "$tpid" ] && kill -9 "$tpid" 2>/dev/null
	[ -n "$hvpid" ] && kill -9 "$hvpid" 2>/dev/null
	wait 2>/dev/null
	[ -n "$mounted" ] && umount "$dir/huge"
	echo "$old_nr" >$nr 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# Hugepages: ours on top of whatever is reserved, in a mount of our own.
echo $((old_nr + 256)) >$nr 2>/dev/null || { echo "SKIP: cannot reserve hugepages"; exit 77; }
free=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
[ "${free:-0}" -ge 200 ] || { echo "SKIP: only ${free:-0} hugepages free"; exit 77; }
mkdir "$dir/huge"
mount -t hugetlbfs -o pagesize=2M nodev "$dir/huge" ||
	{ echo "SKIP: cannot mount hugetlbfs"; exit 77; }
mounted=1
mkdir "$dir/plugins"
hvnet_plugins "$build" "$dir/plugins" || exit 1
prefix=hvnet_mp$$
eal=("${HVNET_PLUGIN_ARGS[@]}" --file-prefix="$prefix" --no-pci
     --log-level=pmd.net.hvnet.*:info --log-level=bus.hvbus:info)
# A mempool names its driver by index, and processes number drivers in
# the order they register: Debian's testpmd links some mempool drivers
# itself, so a secondary loads those first too (EAL multi-process rule;
# pdump's copies into its pool go wrong otherwise).
sec=()
for lib in $(ldd "$testpmd" | awk '/librte_mempool_[a-z0-9]*\.so/ { print $3 }'); do
	sec+=(-d "$lib")
done
sec+=("${eal[@]}")

fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$hvsim" --socket "$dir/s" --ctl "$dir/c" --nics 1 \
	--port "gen,len=128,rate=20000" >"$dir/hvsim.log" 2>&1 &
hvpid=$!
for _ in $(seq 100); do [ -S "$dir/s" ] && [ -S "$dir/c" ] && break; sleep 0.05; done

mkfifo "$dir/cmd"
timeout -s KILL 300 stdbuf -o0 "$testpmd" "${eal[@]}" \
	--huge-dir "$dir/huge" -m 256 -l 0-1 \
	--vdev="hvbus_sim,socket=$dir/s" -- -i --forward-mode=io \
	--total-num-mbufs=8192 <"$dir/cmd" >"$dir/tp.log" 2>&1 &
tpid=$!
exec 3>"$dir/cmd"
for _ in $(seq 1200); do
	grep -q "testpmd> " "$dir/tp.log" && break
	kill -0 $tpid 2>/dev/null || break
	sleep 0.05
done
grep -q "testpmd> " "$dir/tp.log" || { cat "$dir/tp.log"; echo "FAIL: testpmd did not start"; exit 1; }
echo "start" >&3
sleep 1

# proc_info LOG ARGS...: stock dpdk-proc-info as a secondary.
proc_info() {
	local log=$1
	shift
	timeout -s KILL 60 "$procinfo" "${sec[@]}" -- "$@" >"$log" 2>&1
}
# stat LOG NAME: the first "NAME: N" value in proc-info's output.
stat() {
	sed -n "s/^ *$2: *\([0-9][0-9]*\).*/\1/p" "$1" | head -1
}

# 1. Statistics and extended statistics from a secondary.
# (proc-info shows one of --stats and --xstats per run.)
proc_info "$dir/pi1.log" --stats || bad "proc-info --stats exited with $?"
rx1=$(stat "$dir/pi1.log" "RX-packets")
[ -n "$rx1" ] && [ "$rx1" -gt 0 ] || { cat "$dir/pi1.log"; bad "proc-info: RX-packets '$rx1'"; }
proc_info "$dir/px1.log" --xstats || bad "proc-info --xstats exited with $?"
xrx=$(stat "$dir/px1.log" "rx_q0_packets")
[ -n "$xrx" ] && [ "$xrx" -ge "$rx1" ] ||
	{ cat "$dir/px1.log"; bad "proc-info: rx_q0_packets '$xrx'"; }
grep -q "ctl_bad_host_messages" "$dir/px1.log" || bad "proc-info: no port xstats"

# 2. Capture with dpdk-pdump while testpmd forwards.
# pdump_started LOG: wait (30 s at most) for pdump's capture loop, which
# prints its tuples once the primary has enabled the capture (stdbuf: a
# line at a time into the log); a loaded machine can take seconds for the
# secondary's EAL start alone.
pdump_started() {
	for _ in $(seq 600); do
		grep -q "capture for" "$1" && return 0
		kill -0 $dpid 2>/dev/null || break
		sleep 0.05
	done
	cat "$1"
	bad "pdump did not start capturing ($1)"
	return 1
}
capture() {	# capture PCAP SECONDS: SECONDS of capture once it started
	timeout -s KILL 60 stdbuf -oL "$pdump" "${sec[@]}" -- \
		--pdump "port=0,queue=*,rx-dev=$1" >"$1.log" 2>&1 &
	dpid=$!
	pdump_started "$1.log" && sleep "$2"
	kill -INT $dpid 2>/dev/null
	wait $dpid
	dpid=
}
# check_pcap PCAP MIN: at least MIN frames, every one the generator's
# (128 bytes, IPv4, UDP); prints the count.
check_pcap() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
if len(data) < 24:
    print("0 no pcap header"); sys.exit(1)
magic = struct.unpack('<I', data[:4])[0]
end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
off, n, bad = 24, 0, 0
while off + 16 <= len(data):
    _, _, incl, orig = struct.unpack(end + 'IIII', data[off:off + 16])
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    n += 1
    if orig != 128 or len(frame) < 34 or frame[12:14] != b'\x08\x00' or \
       frame[23] != 17:
        bad += 1
print(n, "frames,", bad, "not the generator's")
sys.exit(0 if n >= int(sys.argv[2]) and bad == 0 else 1)
EOF
}
capture "$dir/cap1.pcap" 2
check_pcap "$dir/cap1.pcap" 100 || { cat "$dir/cap1.pcap.log"; bad "pdump capture"; }
grep -q "attached in a secondary process" "$dir/cap1.pcap.log" ||
	bad "pdump: the driver did not say it attached"

# 3. A secondary started while the host has the NIC rescinded.
"$hvsim" ctl "$dir/c" rescind 0 >/dev/null
for _ in $(seq 100); do
	grep -q "host removed the device" "$dir/tp.log" && break; sleep 0.05
done
proc_info "$dir/pi2.log" --stats || bad "proc-info during the rescind: $?"
grep -q "the host has taken the device away" "$dir/pi2.log" ||
	{ cat "$dir/pi2.log"; bad "no clear answer during the rescind"; }
rx2=$(stat "$dir/pi2.log" "RX-packets")
[ -n "$rx2" ] && [ "$rx2" -ge "$rx1" ] || bad "counters during the rescind: '$rx2' < $rx1"

# 4. A capture that outlives the re-offer; counters go on after it.
timeout -s KILL 60 stdbuf -oL "$pdump" "${sec[@]}" -- \
	--pdump "port=0,queue=*,rx-dev=$dir/cap2.pcap" >"$dir/cap2.log" 2>&1 &
dpid=$!
pdump_started "$dir/cap2.log"
"$hvsim" ctl "$dir/c" reoffer 0 >/dev/null
for _ in $(seq 200); do
	grep -q "re-attached in" "$dir/tp.log" && break; sleep 0.05
done
grep -q "re-attached in" "$dir/tp.log" || bad "the primary did not re-attach"
sleep 2
kill -INT $dpid 2>/dev/null
wait $dpid
dpid=
check_pcap "$dir/cap2.pcap" 100 || { cat "$dir/cap2.log"; bad "capture across the re-offer"; }
proc_info "$dir/pi3.log" --stats || bad "proc-info after the re-offer: $?"
rx3=$(stat "$dir/pi3.log" "RX-packets")
[ -n "$rx3" ] && [ "$rx3" -gt "$rx2" ] || bad "counters after the re-offer: '$rx3' <= $rx2"

echo "stop" >&3
echo "quit" >&3
exec 3>&-
for _ in $(seq 200); do kill -0 $tpid 2>/dev/null || break; sleep 0.05; done
wait $tpid
rc=$?
tpid=
[ $rc -eq 0 ] && grep -q "^Bye" "$dir/tp.log" || { tail -30 "$dir/tp.log"; bad "testpmd exited with $rc"; }
"$hvsim" ctl "$dir/c" quit >/dev/null 2>&1
wait $hvpid 2>/dev/null
hvpid=
[ $fail = 0 ] && echo "PASS: proc-info and pdump as secondaries, through a rescind and re-offer"
exit $fail
