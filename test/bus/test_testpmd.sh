#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Stock dpdk-testpmd loads the hvbus plugin and the simulator's with -d:
# the bus registers, scans through the hvsim --vdev=hvbus_sim asks for,
# lists its devices, answers /hvbus/channels on testpmd's telemetry
# socket, and testpmd exits cleanly on "quit" (the bus shuts the host
# connection down on cleanup).
#
# EAL refuses a plugin when any directory on its path is world-writable
# (/tmp is), so the plugin is copied into a private 0700 directory whose
# ancestors are not world-writable first.
#
# Usage: test_testpmd.sh BUS_SO SIM_SO (the bus and simulator plugins)

set -u
so=$1
sim_so=$2
# The build's DPDK's testpmd (meson test exports DPDK_TESTPMD).
testpmd=${DPDK_TESTPMD:-}
[ -x "$testpmd" ] || { echo "SKIP: no dpdk-testpmd (DPDK_TESTPMD='$testpmd')"; exit 77; }

. "$(dirname "$0")/../../devtools/lib/private-dir.sh"
dir=$(hvnet_private_dir hvbus-plugin "$(dirname "$so")" "${HOME:-}" /root /var/lib) || {
	echo "SKIP: no directory without world-writable ancestors"
	exit 77
}
log="$dir/testpmd.log"
cleanup() { rm -rf "$dir"; }
trap cleanup EXIT
# Copies with names of their own, loaded in this order: the simulator
# needs the bus by its soname.
cp "$so" "$dir/librte_bus_hvbus.so" &&
cp "$sim_so" "$dir/librte_bus_hvbus_sim.so" || exit 1

# While testpmd sits at its prompt, ask its telemetry socket for
# /hvbus/channels (as dpdk-telemetry.py does), then quit.
prefix=hvbus_testpmd$$
if [ "$(id -u)" = 0 ]; then
	rundir=/var/run/dpdk/$prefix
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix
fi
tel="$dir/telemetry.json"
query() {
	python3 - "$rundir/dpdk_telemetry.v2" "$tel" <<'PY'
import socket, sys, time
path, out = sys.argv[1], sys.argv[2]
for _ in range(100):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(1)
s.recv(65536)
s.send(b"/hvbus/channels")
open(out, "wb").write(s.recv(65536))
PY
}

fail=0
( query; echo quit ) | timeout -k 5 60 "$testpmd" \
	-d "$dir/librte_bus_hvbus.so" -d "$dir/librte_bus_hvbus_sim.so" \
	--vdev=hvbus_sim,nics=2 --no-huge -m 512 --no-pci \
	--no-shconf --file-prefix=$prefix \
	--log-level=bus.hvbus:info -- --total-num-mbufs=2048 -i \
	>"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: testpmd exited with $rc"
	fail=1
fi
if ! python3 - "$tel" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["/hvbus/channels"]
assert d["connected"] == 1 and d["devices"] == 2, d
assert sum(1 for k in d if k.startswith("relid_")) == 2, d
PY
then
	echo "FAIL: /hvbus/channels over telemetry: $(cat "$tel" 2>/dev/null)"
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
echo "testpmd: bus loaded, $n devices listed, telemetry answered, clean exit"
echo "1 passed, 0 failed"
exit 0
