#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# hvsim generator benchmark: the netvsp generator port of a real hvsim host
# against a minimal test guest that only completes receive batches, one
# thread driving both (the guest's waits pump the host). For each Ethernet
# frame size (with FCS; the generator's frame is 4 bytes shorter):
# - mpps: frames per second delivered to the guest; mpps_threaded: the
#   same with the host on its own thread (TENV_THREADED=1), as hvbus runs
#   it: two cores, frames cross caches;
# - instr_per_pkt: host-side instructions per frame (everything under
#   hvsim_poll: ring engine + device model), from two callgrind runs of
#   different lengths so set-up cost cancels out;
# - model_*: the same for the device model alone over the fake core
#   (bench_hvsim_netvsp_fake; instructions under its ops entry points);
# - reflect: the reflect port (transmit path + general receive path) over
#   the fake core, the guest sending aggregates through the send buffer.
# Builds nothing; run through "make bench-hvsim", which builds first.
#
# usage: bench-hvsim.sh BUILDDIR   -> BUILDDIR/bench/hvsim.json
set -euo pipefail
builddir=${1:?usage: bench-hvsim.sh BUILDDIR}
dir=$builddir/test/hvsim/netvsp
real=$dir/bench_hvsim_netvsp
fake=$dir/bench_hvsim_netvsp_fake
[ -x "$fake" ] || { echo "bench-hvsim: $fake not built" >&2; exit 1; }
mkdir -p "$builddir/bench"
out=$builddir/bench/hvsim.json
sizes=${BENCH_SIZES:-64 128 256 512 1024 1518}
pkts=${BENCH_PKTS:-5000000}
cg1=${BENCH_CG_PKTS:-50000}
cg2=$((cg1 * 3))

mpps_args() {	# binary frame_len count [args...] -> best of 3
	local best=0 v i
	for i in 1 2 3; do
		v=$("$@" | sed -n 's/.*mpps=\([0-9.]*\).*/\1/p')
		best=$(awk -v a="$best" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
	done
	echo "$best"
}
mpps() { mpps_args "$@"; }

# Instructions per frame inside the toggled functions: (I(n2) - I(n1)) /
# (frames(n2) - frames(n1)).
instr_args() {	# binary frame_len "extra args" toggle...
	local bin=$1 len=$2 extra=$3 tmp i1 i2 f1 f2 t args=()
	shift 3
	for t in "$@"; do args+=("--toggle-collect=$t"); done
	tmp=$(mktemp -d)
	# shellcheck disable=SC2086
	f1=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/1" \
		"${args[@]}" "$bin" "$len" "$cg1" $extra 2>/dev/null |
		sed -n 's/.*pkts=\([0-9]*\).*/\1/p')
	# shellcheck disable=SC2086
	f2=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/2" \
		"${args[@]}" "$bin" "$len" "$cg2" $extra 2>/dev/null |
		sed -n 's/.*pkts=\([0-9]*\).*/\1/p')
	i1=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/1" | head -n1)
	i2=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/2" | head -n1)
	rm -rf "$tmp"
	awk -v a="$i1" -v b="$i2" -v x="$f1" -v y="$f2" \
		'BEGIN { printf "%.1f", (b - a) / (y - x) }'
}
instr() {	# binary frame_len toggle...
	local bin=$1 len=$2
	shift 2
	instr_args "$bin" "$len" "" "$@"
}

have_cg=1
command -v valgrind >/dev/null || {
	echo "bench-hvsim: valgrind not found, no instruction counts" >&2
	have_cg=0
}

rows=""
for s in $sizes; do
	len=$((s - 4))
	if [ -x "$real" ]; then
		m=$(mpps "$real" "$len" "$pkts")
		mt=$(TENV_THREADED=1 mpps "$real" "$len" "$pkts")
		ir=null
		[ $have_cg = 1 ] && ir=$(instr "$real" "$len" hvsim_poll)
	else
		m=null
		mt=null
		ir=null
	fi
	mm=$(mpps "$fake" "$len" "$pkts")
	mir=null
	[ $have_cg = 1 ] && mir=$(instr "$fake" "$len" netvsp_poll netvsp_packet)
	echo "bench-hvsim: frame $s: $m Mpps ($mt with a host thread), $ir instr/pkt (model alone: $mm Mpps, $mir instr/pkt)" >&2
	rows+="${rows:+,
}    {\"frame\": $s, \"frame_len\": $len, \"mpps\": $m, \"mpps_threaded\": $mt, \"instr_per_pkt\": $ir, \"model_mpps\": $mm, \"model_instr_per_pkt\": $mir}"
done

# Reflect port over the fake core: guest aggregates through the send
# buffer, frames back through the general receive path.
refl=""
for s in 64 1518; do
	len=$((s - 4))
	m=$(mpps_args "$fake" "$len" "$pkts" 8 reflect)
	ir=null
	[ $have_cg = 1 ] && ir=$(instr_args "$fake" "$len" "8 reflect" \
		netvsp_poll netvsp_packet)
	echo "bench-hvsim: reflect $s: model alone $m Mpps (guest helper included), $ir instr/pkt" >&2
	refl+="${refl:+,
}    {\"frame\": $s, \"model_mpps\": $m, \"model_instr_per_pkt\": $ir}"
done

cat >"$out" <<JSON
{
  "bench": "hvsim",
  "what": "netvsp generator -> minimal test guest completing receive batches, one thread for host and guest; frame includes FCS",
  "packets": $pkts,
  "callgrind_packets": [$cg1, $cg2],
  "rows": [
$rows
  ],
  "reflect": [
$refl
  ]
}
JSON
cat "$out"
