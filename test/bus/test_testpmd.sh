#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Stock dpdk-testpmd loads the hvbus plugin with -d: the bus registers,
# scans through an embedded hvsim, lists its devices, and testpmd exits
# cleanly on "quit" (the bus shuts the host connection down on cleanup).
#
# EAL refuses a plugin when any directory on its path is world-writable
# (/tmp is), so the plugin is copied into a private 0700 directory whose
# ancestors are not world-writable first.
#
# Usage: test_testpmd.sh <path to librte_bus_hvbus.so>

set -u
so=$1
testpmd=$(command -v dpdk-testpmd) || { echo "SKIP: no dpdk-testpmd"; exit 77; }

# A directory none of whose ancestors is world-writable.
safe_parent() {
	local d
	for d in "$@"; do
		[ -n "$d" ] && [ -d "$d" ] || continue
		local p ok=1
		p=$(cd "$d" && pwd -P)
		while :; do
			if [ $(( 0$(stat -c %a "$p") & 02 )) -ne 0 ]; then
				ok=0
				break
			fi
			[ "$p" = / ] && break
			p=$(dirname "$p")
		done
		[ $ok = 1 ] && { echo "$d"; return 0; }
	done
	return 1
}

parent=$(safe_parent "$(dirname "$so")" "${HOME:-}" /root /var/lib) || {
	echo "SKIP: no directory without world-writable ancestors"
	exit 77
}
dir=$(mktemp -d "$parent/hvbus-plugin.XXXXXX") || exit 1
chmod 700 "$dir"
log="$dir/testpmd.log"
cleanup() { rm -rf "$dir"; }
trap cleanup EXIT
cp "$so" "$dir/" || exit 1

fail=0
echo quit | HVBUS_SIM_NICS=2 HVBUS_ARGS=backend=sim \
	timeout -k 5 60 "$testpmd" -d "$dir" --no-huge -m 512 --no-pci \
	--no-shconf --file-prefix=hvbus_testpmd$$ \
	--log-level=bus.hvbus:info -- --total-num-mbufs=2048 -i \
	>"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: testpmd exited with $rc"
	fail=1
fi
n=$(grep -c "hvbus: device .* offered" "$log")
if [ "$n" -ne 2 ]; then
	echo "FAIL: expected 2 hvbus devices listed, saw $n"
	fail=1
fi
if ! grep -q "hvbus: VMBus version" "$log"; then
	echo "FAIL: the bus did not connect to the embedded hvsim"
	fail=1
fi
if grep -q "protocol violation\|hvbus: .*\(failed\|rejected\)" "$log"; then
	echo "FAIL: errors in the log"
	fail=1
fi
if ! grep -q "^Bye" "$log"; then
	echo "FAIL: testpmd did not quit cleanly"
	fail=1
fi
if [ $fail -ne 0 ]; then
	echo "---- testpmd log ----"
	cat "$log"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "testpmd: bus loaded, $n devices listed, clean exit"
echo "1 passed, 0 failed"
exit 0
