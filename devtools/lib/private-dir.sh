# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Sourced by every script that starts stock dpdk-testpmd with our plugins.
# EAL refuses a -d plugin when any directory on its path is world-writable
# (/tmp is, and CI may clone the repository anywhere), so plugins, sockets
# and logs go into a fresh 0700 directory under the first candidate none of
# whose ancestors is world-writable.

# hvnet_private_dir NAME CANDIDATE... -> prints the new directory's path
hvnet_private_dir() {
	local name=$1 d p ok
	shift
	for d in "$@"; do
		[ -n "$d" ] && [ -d "$d" ] || continue
		p=$(cd "$d" && pwd -P)
		ok=1
		while :; do
			if [ $(( 0$(stat -c %a "$p") & 02 )) -ne 0 ]; then
				ok=0
				break
			fi
			[ "$p" = / ] && break
			p=$(dirname "$p")
		done
		[ $ok = 1 ] || continue
		p=$(mktemp -d "$d/$name.XXXXXX") || return 1
		chmod 700 "$p"
		echo "$p"
		return 0
	done
	return 1
}

# hvnet_plugins BUILDDIR DIR: copies our three plugins (bus, simulator,
# PMD) into DIR and sets HVNET_PLUGIN_ARGS to the EAL arguments that load
# them, the bus first: the others need it by its soname, and EAL's order
# within a -d directory is the file system's.
hvnet_plugins() {
	local build=$1 dir=$2 f
	HVNET_PLUGIN_ARGS=()
	for f in drivers/bus/hvbus/librte_bus_hvbus.so \
		 drivers/bus/hvbus/librte_bus_hvbus_sim.so \
		 drivers/net/hvnet/librte_net_hvnet.so; do
		[ -e "$build/$f" ] || { echo "$build/$f missing: run make build" >&2; return 1; }
		cp "$build/$f" "$dir/" || return 1
		HVNET_PLUGIN_ARGS+=(-d "$dir/${f##*/}")
	done
}
