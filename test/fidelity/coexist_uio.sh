#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# hvbus beside DPDK's own bus_vmbus and net_netvsc, both auto-loaded from
# the DPDK's plugin directory as Debian's testpmd does (nothing
# bind-mounted), on hvsim's uio_hv_generic face: the device must get one
# driver, net_hvnet, and the host's checker must stay clean. On DPDK 22.11
# hvbus takes bus_vmbus out of the process (it has no block list); on
# 23.11+ it puts its devices on bus_vmbus's block list (coexist.c). Runs:
#   1. our plugins with -d (loaded first), the stock ones from the directory;
#   2. the stock bus and PMD named first with -d: bus_vmbus scans first;
#   3. -a hvbus:<GUID>: the name reaches hvbus though bus_vmbus takes GUIDs,
#      with our bus registered first and (4.) with bus_vmbus first;
#   5. -b vmbus:<GUID>: the block-list way by hand parses and changes nothing;
#   6. bus_vmbus first, testpmd's port detach: the detach that does not
#      depend on the order (device detach hvbus:<GUID> does; hvnet.rst).
#
# usage: coexist_uio.sh BUILDDIR
set -u
B=$(cd "${1:?usage: coexist_uio.sh BUILDDIR}" && pwd -P)
UIO=$B/app/hvsim-uio/hvsim-uio
SHIM=$B/lib/hvsim/uio/shim/hvsim_uioshim.so
. "$B/dpdk.env" || exit 1
PM=$DPDK_PMD_DIR
TESTPMD=$DPDK_TESTPMD
if ! why=$(unshare -m --propagation private true 2>&1); then
	echo "SKIP: needs a private mount namespace (unshare -m): ${why:-not permitted}"
	exit 77
fi
for f in "$UIO" "$SHIM" "$PM/librte_bus_vmbus.so" "$PM/librte_net_netvsc.so"; do
	[ -e "$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
[ -x "$TESTPMD" ] || { echo "FAIL: no $TESTPMD"; exit 1; }
. "$(dirname "$0")/../../devtools/lib/private-dir.sh" || exit 1
dir=$(hvnet_private_dir hvnet-coexist "$B" "${HOME:-}" /var/lib) || {
	echo "SKIP: no directory without world-writable ancestors"; exit 77; }
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/plugins"
hvnet_plugins "$B" "$dir/plugins" || exit 1
ARGS="${HVNET_PLUGIN_ARGS[*]}"

# guest MODE: testpmd over the face's one NIC, its ports listed.
guest() {
	local guid extra=() more=() c
	guid=$(ls /sys/bus/vmbus/devices | head -1)
	echo "guest: device $guid"
	case $1 in
	stock-first) extra=(-d "$PM/librte_bus_vmbus.so" -d "$PM/librte_net_netvsc.so") ;;
	allow) extra=(-a "hvbus:$guid") ;;
	allow-stock-first) extra=(-d "$PM/librte_bus_vmbus.so" -a "hvbus:$guid") ;;
	block) extra=(-b "vmbus:$guid") ;;
	detach-stock-first) extra=(-d "$PM/librte_bus_vmbus.so")
		more=("port stop all" "port detach 0" "show port summary all") ;;
	esac
	# shellcheck disable=SC2086
	{ sleep 2; echo "show port info all"
	  for c in "${more[@]}"; do echo "$c"; done
	  echo "quit"; } |
		"$TESTPMD" "${extra[@]}" $ARGS --no-huge -m 512 --no-pci \
		--no-shconf -l 0-1 --log-level=bus.hvbus:notice -- -i \
		--total-num-mbufs=8192
}
export -f guest
export ARGS PM TESTPMD

fails=0
modes="plain stock-first allow allow-stock-first block detach-stock-first"
for mode in $modes; do
	log=$dir/$mode.log
	"$UIO" --timeout 40 --shim "$SHIM" -- bash -c 'guest "$1"' guest "$mode" \
		>"$log" 2>&1
	ok=1
	bad() { echo "FAIL $mode: $*"; ok=0; }
	n_hvnet=$(grep -c "Driver name: net_hvnet" "$log")
	[ "$n_hvnet" = 1 ] || bad "net_hvnet drives $n_hvnet port(s), want 1"
	grep -q "Driver name: net_netvsc" "$log" && bad "net_netvsc drives a port too"
	grep -qE "hvbus: .*bus_vmbus is loaded too" "$log" ||
		bad "hvbus did not say what it did about bus_vmbus"
	grep -q "failed to parse device" "$log" && bad "EAL could not parse a device argument"
	grep -q "hvsim-uio: checker: 0 violations" "$log" || bad "hvsim's checker not clean"
	grep -q "hvsim-uio: guest exit 0" "$log" || bad "guest did not exit 0"
	if [ "$mode" = detach-stock-first ]; then
		grep -q "Device is detached" "$log" || bad "port detach 0 did not detach"
		grep -q "Now total ports is 0" "$log" || bad "a port is left after the detach"
	fi
	if [ $ok = 1 ]; then
		echo "ok   $mode: one driver (net_hvnet); $(grep -oE "on its block list|took it out of this process" "$log" | head -1)"
	else
		fails=$((fails + 1))
		echo "---- $log (tail) ----"
		tail -30 "$log"
	fi
done
if [ $fails -ne 0 ]; then
	echo "hvbus beside bus_vmbus/net_netvsc: $fails of $(echo $modes | wc -w) runs failed"
	exit 1
fi
echo "hvbus beside bus_vmbus/net_netvsc: PASS (DPDK $DPDK_VERSION)"
