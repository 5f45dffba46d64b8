#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# The host's instructions per frame behind the uio face, with stock
# net_netvsc or net_hvnet as the guest (perf.rst, "Stock net_netvsc side
# by side"): hvsim-uio under callgrind collecting inside hvsim_uio_poll
# (every host iteration: doorbells, rings, the reflecting NIC, RSS,
# completions), fid_bench natively as the guest (as in make
# bench-vs-netvsc: reflect port, window 384), FRAMES 64-byte frames.
# The face's look at /proc/<pid>/maps (once per 50 ms, so it depends on
# how long the slowed host runs) is left out. The host runs ~50 times
# slower than the guest, so it finds larger batches per iteration than
# at full speed: per-frame costs are exact, per-iteration ones are shown
# apart (iterations, instructions per iteration outside the frames'
# packets).
#
# usage: host-cg-uio.sh BUILDDIR netvsc|hvnet QUEUES [FRAMES [DEVARGS]]
#        -> "host_instr_per_frame iterations instr_per_iteration_overhead"
#        (DEVARGS: net_hvnet devargs, e.g. tx_channels=0; dumps in
#        BUILDDIR/bench/host-cg-uio/)
set -euo pipefail
B=$(cd "${1:?usage: host-cg-uio.sh BUILDDIR netvsc|hvnet QUEUES [FRAMES [DEVARGS]]}" && pwd -P)
drv=${2:?driver}
q=${3:?queues}
frames=${4:-200000}
devargs=${5:-}
out=$B/bench/host-cg-uio
mkdir -p "$out"
f=$out/host.$drv-${q}q${devargs:+-$devargs}
rm -f "$f" "$f".*
guest=$(cd "$(dirname "$0")/../lib" && pwd -P)/vs-guest.sh
cpu=()
[ "$(nproc)" -ge 2 ] && cpu=(taskset -c 0)
VS_BUILD=$B VS_DEVARGS=$devargs \
	timeout -s KILL 400 unshare -m --propagation private "${cpu[@]}" \
	valgrind --tool=callgrind --callgrind-out-file="$f" \
	--toggle-collect=hvsim_uio_poll "$B/app/hvsim-uio/hvsim-uio" \
	--timeout 300 --shim "$B/lib/hvsim/uio/shim/hvsim_uioshim.so" -- \
	bash "$guest" "$drv" "$B/test/fidelity/fid_bench" \
	--no-huge -m 512 --no-pci --no-shconf -l "$(($(nproc) > 1 ? 1 : 0))" \
	-- --queues "$q" --frame 64 --frames "$frames" --seconds 0 --timeout-ms 300000 \
	</dev/null >"$f.log" 2>&1 || true
grep -q '^FB: PASS' "$f.log" && grep -q "^FB: driver net_$drv " "$f.log" &&
	grep -q 'hvsim-uio: checker: 0 violations' "$f.log" || {
	echo "host-cg-uio: the run failed:" >&2
	grep -E '^FB:|hvsim-uio:' "$f.log" | tail -8 >&2
	exit 1
}
# Inclusive cost and calls of a few functions from the raw dump.
python3 - "$f" "$frames" <<'PY'
import re, sys
path, frames = sys.argv[1], int(sys.argv[2])
names, calls, incl = {}, {}, {}
cfn, pend, total = None, None, 0
def name(tok):
    m = re.match(r'\((\d+)\)(?: (.*))?', tok)
    if not m:
        return tok
    if m.group(2):
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1))
for line in open(path):
    if line.startswith('cfn='):
        cfn = name(line[4:].strip())
    elif line.startswith('fn='):
        name(line[3:].strip())
    elif line.startswith('calls='):
        pend = int(line[6:].split()[0])
    elif pend is not None:
        p = line.split()
        calls[cfn] = calls.get(cfn, 0) + pend
        incl[cfn] = incl.get(cfn, 0) + (int(p[1]) if len(p) > 1 else 0)
        pend = None
    elif line.startswith(('summary:', 'totals:')):
        total = int(line.split()[1])
host = total - incl.get('uio_maps_node', 0)
it = calls.get('hvsim_uio_poll', 0)
pkts = incl.get('hvsim_chan_deliver', 0)
print('%.1f %d %.0f' % (host / frames, it, (host - pkts) / max(it, 1)))
PY
