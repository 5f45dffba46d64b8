#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Our own stack on the kernel's layout: hvbus's uio backend and net_hvnet,
# loaded by stock dpdk-testpmd, over hvsim behind the uio_hv_generic face
# (the tree stock net_netvsc runs against in the fidelity run). Inside the
# launcher's private mount namespace our plugins are bind-mounted over the
# distro's librte_bus_vmbus.so / librte_net_netvsc.so: EAL auto-loads them
# as if installed, and the stock bus cannot claim the same device.
# testpmd goes to 2 queues (one subchannel found through sysfs), forwards
# hvsim's reflected frames in io mode, and hvsim's checker must stay clean.
# testpmd is driven step by step: each command waits for its prompt.
#
# usage: hvnet_uio.sh BUILDDIR
set -u
B=$(cd "${1:?usage: hvnet_uio.sh BUILDDIR}" && pwd -P)
UIO=$B/app/hvsim-uio/hvsim-uio
SHIM=$B/lib/hvsim/uio/shim/hvsim_uioshim.so
BUS=$B/drivers/bus/hvbus/librte_bus_hvbus.so
PMD=$B/drivers/net/hvnet/librte_net_hvnet.so
. "$B/dpdk.env" || exit 1
PM=$DPDK_PMD_DIR
if ! why=$(unshare -m --propagation private true 2>&1); then
	echo "SKIP: needs a private mount namespace (unshare -m): ${why:-not permitted}"
	exit 77
fi
for f in "$UIO" "$SHIM" "$BUS" "$PMD" "$PM/librte_bus_vmbus.so" \
	 "$PM/librte_net_netvsc.so"; do
	[ -e "$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
TESTPMD=$DPDK_TESTPMD
[ -x "$TESTPMD" ] || { echo "FAIL: no $TESTPMD"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

guest() {
	mount --bind "$BUS" "$PM/librte_bus_vmbus.so" &&
	mount --bind "$PMD" "$PM/librte_net_netvsc.so" || exit 1
	# EAL loads the directory in no fixed order: net_hvnet may come
	# first and need librte_bus_hvbus.so by its own name.
	export LD_LIBRARY_PATH=$(dirname "$BUS")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	local d out tp i n
	d=$(mktemp -d) || exit 1
	out=$d/testpmd.log
	mkfifo "$d/cmd" || exit 1
	stdbuf -o0 "$TESTPMD" --no-huge -m 512 --no-pci \
		--no-shconf -l 0-1 -- -i --total-num-mbufs=8192 \
		--forward-mode=io <"$d/cmd" >"$out" 2>&1 &
	tp=$!
	exec 3>"$d/cmd"
	# Each step waits for testpmd's answer (its prompt after the
	# command), never for a fixed time: a loaded machine is slower,
	# not wrong. 120 s per step at most.
	n=0
	step() {	# step [COMMAND]: send it, wait for the prompt after it
		[ $# -eq 0 ] || echo "$*" >&3
		n=$((n + 1))
		for i in $(seq 2400); do
			[ "$(grep -o "testpmd> " "$out" | wc -l)" -ge $n ] &&
				return 0
			kill -0 $tp 2>/dev/null || return 1
			sleep 0.05
		done
		return 1
	}
	step && step "port stop all" && step "port config all rxq 2" &&
		step "port config all txq 2" && step "port start all" &&
		step "start tx_first"
	# Forward until port 0 received well over 1000 frames (or 60 s).
	for i in $(seq 120); do
		step "show port stats 0" || break
		[ "$(tac "$out" | awk '/RX-packets:/ {print $2; exit}')" \
			-gt 2000 ] 2>/dev/null && break
		sleep 0.5
	done
	step "stop" && step "show port info 0"
	echo "quit" >&3
	exec 3>&-
	wait $tp
	i=$?
	cat "$out"
	rm -rf "$d"
	return $i
}
export -f guest
export BUS PMD PM TESTPMD

"$UIO" --timeout 240 --shim "$SHIM" -- bash -c guest >"$log" 2>&1
rc=$?

fails=0
expect() {	# expect DESCRIPTION PATTERN
	if grep -qE -- "$2" "$log"; then
		echo "ok   $1"
	else
		echo "FAIL $1 (no line matching '$2')"
		fails=$((fails + 1))
	fi
}
expect "net_hvnet drives the device" "Driver name: net_hvnet"
expect "2 rx queues" "Current number of RX queues: 2"
expect "subchannels opened on the host (2 queue pairs, tx on its own)" \
	"hvsim-uio: nic0: .* channels 4 "
expect "testpmd quit cleanly" "^Bye"
expect "guest exit 0" "hvsim-uio: guest exit 0"
expect "hvsim's checker clean" "hvsim-uio: checker: 0 violations"
fwd=$(sed -n '/Accumulated forward statistics/,/+++/p' "$log" |
      awk '/TX-packets:/ {print $2; exit}')
host_bad=$(sed -n 's/.*hvsim-uio: nic0: nvsp .* tx [0-9]* ([0-9]* bytes, \([0-9]*\) bad).*/\1/p' "$log")
echo "forwarded: ${fwd:-none}; frames the host refused: ${host_bad:-?}"
[ "${fwd:-0}" -gt 1000 ] || { echo "FAIL forwarded too few frames"; fails=$((fails + 1)); }
[ "${host_bad:-1}" = 0 ] || { echo "FAIL host refused frames"; fails=$((fails + 1)); }
if [ $fails -ne 0 ] || [ $rc -ne 0 ]; then
	echo "---- log (tail) ----"
	tail -40 "$log"
	echo "hvnet over the uio face: FAIL (launcher exit $rc)"
	exit 1
fi
echo "hvnet over the uio face: PASS"
