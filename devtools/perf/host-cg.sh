#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# The host's instructions per frame on the guest -> host path with
# net_hvnet as the guest (perf.rst, "Round two: the simulator's side"):
# test/perf/perf_cg under callgrind collecting inside hvsim_rings_poll
# (every guest packet: ring read, NVSP and RNDIS validation, sink,
# completion write), minus nv_rx_complete (the guest's receive-batch
# completions, which belong to the generating side), over the measured
# frames only (perf_cg zeroes the counters after its warm-up). The
# profile (self cost, inclusive) is left in OUTDIR for reading.
#
# usage: host-cg.sh BUILDDIR [FRAME [OUTDIR]] -> "host_g2h_instr_per_pkt pkts"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/lib.sh"
build=${1:?usage: host-cg.sh BUILDDIR [FRAME [OUTDIR]]}
frame=${2:-64}
out=${3:-$(mktemp -d "${TMPDIR:-/tmp}/hvnet-host-cg.XXXXXX")}
bin=$build/test/perf/perf_cg
f=$out/host.$frame
rm -f "$f" "$f".*
line=$(timeout -s KILL 300 valgrind --tool=callgrind \
	--callgrind-out-file="$f" --toggle-collect=hvsim_rings_poll \
	"$bin" $((frame - 4)) "$PERF_CG_WARM" "$PERF_CG_PKTS" \
	2>"$f.log" | grep '^frame_len=') || {
	echo "host-cg: perf_cg failed:" >&2
	grep -v '^==' "$f.log" | tail -5 >&2
	exit 1
}
pkts=$(echo "$line" | sed -n 's/.* pkts=\([0-9]*\).*/\1/p')
(cd / && callgrind_annotate --auto=no --inclusive=yes --threshold=100 \
	"$f.1") >"$f.incl" 2>/dev/null
(cd / && callgrind_annotate --auto=no --threshold=100 "$f.1") \
	>"$f.self" 2>/dev/null
incl() {	# FUNCTION -> inclusive instructions (0 when absent)
	awk -v fn="$1" '$0 ~ ("[:/ ]" fn " \\[") || $0 ~ (":" fn "$") {
		v = $1; gsub(",", "", v); print v; found = 1; exit }
		END { if (!found) print 0 }' "$f.incl"
}
all=$(incl hvsim_rings_poll)
rxc=$(incl nv_rx_complete)
awk -v a="$all" -v b="$rxc" -v p="$pkts" \
	'BEGIN { printf "%.1f %d\n", (a - b) / p, p }'
