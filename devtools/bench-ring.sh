#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# VMBus ring micro-benchmark: ns per 64-byte write+read pair (single and
# batched by 32) and callgrind instructions per pair. Builds nothing; run
# through "make bench-ring" which builds first.
#
# usage: bench-ring.sh BUILDDIR   -> BUILDDIR/bench/ring.json
set -euo pipefail
builddir=${1:?usage: bench-ring.sh BUILDDIR}
bin=$builddir/test/vmbus/bench_vmbus_ring
[ -x "$bin" ] || { echo "bench-ring: $bin not built" >&2; exit 1; }
mkdir -p "$builddir/bench"
out=$builddir/bench/ring.json
iters=${BENCH_ITERS:-2000000}
cg_iters=${BENCH_CG_ITERS:-100000}

timing=$("$bin" time "$iters")
ns_single=$(sed -n 's/^ns_per_pair=//p' <<<"$timing")
ns_batch=$(sed -n 's/^ns_per_pair_batch32=//p' <<<"$timing")

# Instructions of the measured loop only (--toggle-collect), divided by the
# fixed iteration count.
instr() {
	local mode=$1 tmp ir
	tmp=$(mktemp -d)
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
		--toggle-collect="bench_loop_$mode" \
		"$bin" count "$mode" "$cg_iters" >/dev/null 2>"$tmp/log"
	ir=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/cg.out" | head -n1)
	rm -rf "$tmp"
	awk -v ir="$ir" -v n="$cg_iters" 'BEGIN { printf "%.1f", ir / n }'
}

if command -v valgrind >/dev/null; then
	ir_single=$(instr single)
	ir_batch=$(instr batch)
else
	echo "bench-ring: valgrind not found, no instruction counts" >&2
	ir_single=null
	ir_batch=null
fi

cat >"$out" <<JSON
{
  "bench": "ring",
  "payload_bytes": 64,
  "ns_per_pair": $ns_single,
  "ns_per_pair_batch32": $ns_batch,
  "instr_per_pair": $ir_single,
  "instr_per_pair_batch32": $ir_batch,
  "timing_iters": $iters,
  "callgrind_iters": $cg_iters
}
JSON
cat "$out"
