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
	{
		sleep 1
		echo "port stop all"
		echo "port config all rxq 2"
		echo "port config all txq 2"
		echo "port start all"
		sleep 1
		echo "start tx_first"
		sleep 2
		echo "stop"
		sleep 0.5
		echo "show port info 0"
		echo "quit"
	} | "$TESTPMD" --no-huge -m 512 --no-pci \
		--no-shconf -l 0-1 -- -i --total-num-mbufs=8192 \
		--forward-mode=io
}
export -f guest
export BUS PMD PM TESTPMD

"$UIO" --timeout 40 --shim "$SHIM" -- bash -c guest >"$log" 2>&1
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
