#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Short make bench-vs-netvsc: every point (64/1518 bytes x 1/4 queues x
# stock net_netvsc / net_hvnet) with a fixed number of frames and one small
# callgrind run. Asserts behaviour only - each run moved every frame, the
# JSON has the 8 rows with positive numbers and the host's counters, and
# VS_DEVARGS reaches net_hvnet - never speed.
#
# usage: vs_netvsc_smoke.sh BUILDDIR
set -u
B=$(cd "${1:?usage: vs_netvsc_smoke.sh BUILDDIR}" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd -P)
out=$B/fidelity/vs-netvsc-smoke.json
frames=4096
if ! why=$(unshare -m --propagation private true 2>&1); then
	echo "SKIP: needs a private mount namespace (unshare -m): ${why:-not permitted}"
	exit 77
fi
rm -f "$out"
VS_DPDK= VS_SECS=0 VS_FRAMES=$frames VS_CG_FRAMES=1024 VS_CG_WARM=256 VS_CG_REPS=1 VS_MPPS_REPS=1 \
	bash "$here/../../devtools/bench-vs-netvsc.sh" "$B" "$out"
rc=$?
fails=0
[ "$rc" -eq 0 ] || { echo "FAIL bench-vs-netvsc exited $rc"; fails=$((fails + 1)); }
# Each throughput run sent exactly the frames asked for and got each back.
n=$(grep -l "^FB: sent=$frames received=$frames bad=0 duplicate=0 missing=0 " \
	"${out%.json}"/{netvsc,hvnet}-*q.1.log 2>/dev/null | wc -l)
[ "$n" -eq 8 ] || { echo "FAIL $n of 8 throughput runs moved all $frames frames"; fails=$((fails + 1)); }
python3 - "$out" "$frames" <<'PY' || fails=$((fails + 1))
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
want = {(d, f, q) for d in ("netvsc", "hvnet") for f in (64, 1518) for q in (1, 4)}
got = {(r["driver"], r["frame"], r["queues"]) for r in rows}
bad = [r for r in rows if not (isinstance(r["mpps"], (int, float)) and r["mpps"] > 0
       and isinstance(r["instr_per_pkt"], (int, float)) and r["instr_per_pkt"] > 0)]
if len(rows) != 8 or got != want or bad:
    print("FAIL JSON: %d rows, missing %s, not positive %s" % (len(rows), sorted(want - got), bad))
    sys.exit(1)
# The host's counters of each row's run: every frame, and no more
# requests or transfer-page packets than frames.
bad = [r for r in rows if not (r["host"]["frames"] == int(sys.argv[2])
       and 0 < r["host"]["tx_requests"] <= r["host"]["frames"]
       and 0 < r["host"]["rx_batches"] <= r["host"]["frames"]
       and 0 <= r["host"]["polls_idle"] < r["host"]["polls"]
       and 0 <= r["host"]["ring_polls_empty"] < r["host"]["ring_polls"]
       and r["host"]["busy_us"] > 0 and r["host"]["sleep_us"] >= 0
       and r["host"]["preempted"] >= 0)]
if bad:
    print("FAIL JSON: host counters %s" % bad)
    sys.exit(1)
print("ok   JSON: 8 rows, every mpps and instr_per_pkt positive, host counters consistent")
PY
# VS_DEVARGS reaches net_hvnet: without its own tx channels hvnet opens 4
# channels at 4 queues, not 8.
dout=$B/fidelity/vs-netvsc-smoke-devargs.json
rm -f "$dout"
VS_DPDK= VS_SECS=0 VS_FRAMES=$frames VS_CG_FRAMES=1024 VS_CG_WARM=256 VS_CG_REPS=1 VS_MPPS_REPS=1 \
	VS_SIZES=64 VS_QUEUES=4 VS_DEVARGS=tx_channels=0 \
	bash "$here/../../devtools/bench-vs-netvsc.sh" "$B" "$dout"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '"hvnet_devargs": "tx_channels=0"' "$dout" &&
   grep -q 'hvsim-uio: nic0: .* channels 4 tx ' "${dout%.json}"/hvnet-64-4q.1.log; then
	echo "ok   VS_DEVARGS=tx_channels=0: hvnet opened 4 channels at 4 queues"
else
	echo "FAIL VS_DEVARGS=tx_channels=0 (exit $rc): $(grep -h 'hvsim-uio: nic0: .*channels' "${dout%.json}"/hvnet-64-4q.1.log 2>/dev/null)"
	fails=$((fails + 1))
fi
if [ "$fails" -ne 0 ]; then
	echo "bench-vs-netvsc smoke: FAIL"
	exit 1
fi
echo "bench-vs-netvsc smoke: PASS"
