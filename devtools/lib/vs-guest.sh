#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# The guest of a run behind hvsim-uio's face (make bench-vs-netvsc,
# devtools/perf/host-cg-uio.sh), started by the launcher inside its private
# mount namespace: a script, not a shell function, because valgrind (the
# host under callgrind) does not pass exported functions on.
#
# netvsc: the DPDK's stock bus_vmbus and net_netvsc, auto-loaded by EAL.
# hvnet: our bus and PMD bind-mounted over those two files, so EAL loads
# them as if installed and the stock bus cannot claim the device; with
# VS_DEVARGS (net_hvnet devargs, e.g. tx_channels=0) the device is named
# on the EAL command line with them ("-a hvbus:GUID,DEVARGS", put before
# the first "--", where the EAL options end).
#
# usage: vs-guest.sh netvsc|hvnet COMMAND [ARGS...]
#        (environment: VS_BUILD = the hvnet build whose DPDK and plugins
#        to use; VS_DEVARGS)
set -u
drv=${1:?usage: vs-guest.sh netvsc|hvnet COMMAND...}
shift
bus=$VS_BUILD/drivers/bus/hvbus/librte_bus_hvbus.so
. "$VS_BUILD/dpdk.env" || exit 1
if [ "$drv" = hvnet ]; then
	mount --bind "$bus" "$DPDK_PMD_DIR/librte_bus_vmbus.so" &&
	mount --bind "$VS_BUILD/drivers/net/hvnet/librte_net_hvnet.so" \
		"$DPDK_PMD_DIR/librte_net_netvsc.so" || exit 1
	# EAL loads the directory in no fixed order: net_hvnet may come
	# first and need librte_bus_hvbus.so by its own name.
	export LD_LIBRARY_PATH=$(dirname "$bus")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	if [ -n "${VS_DEVARGS:-}" ]; then
		dev=$(ls /sys/bus/vmbus/devices | head -1)
		[ -n "$dev" ] || { echo "vs-guest: no device in /sys/bus/vmbus/devices" >&2; exit 1; }
		args=()
		put=0
		for a in "$@"; do
			if [ $put = 0 ] && [ "$a" = -- ]; then
				args+=(-a "hvbus:$dev,$VS_DEVARGS")
				put=1
			fi
			args+=("$a")
		done
		[ $put = 1 ] || args+=(-a "hvbus:$dev,$VS_DEVARGS")
		set -- "${args[@]}"
	fi
fi
exec "$@"
