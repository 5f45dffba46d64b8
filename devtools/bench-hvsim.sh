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
#   the fake core, the guest sending aggregates through the send buffer;
# - fwd: the forwarding ceiling (bench_hvsim_fwd): generator + sink +
#   transmit completions of the real host against a minimal guest that
#   reflects every frame through the send buffer, AGG frames per request
#   (the host's maximum, 8, and 1). mpps_threaded: host on its own thread
#   on CPU 0, the guest polling without sleeping on CPU 1 (TENV_CPUS, as
#   make perf's ceiling_fwd_mpps); host_instr_per_pkt: everything under
#   hvsim_poll per frame; g2h_instr_per_pkt: the guest -> host path
#   (hvsim_rings_poll without the receive-batch completions);
#   gen_instr_per_pkt: netvsp_poll (generation, batch sends).
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

# Host instructions per forwarded frame, split by path, from the inclusive
# costs of two runs of different lengths.
fwd_instr() {	# frame_len agg -> "host g2h gen"
	local len=$1 agg=$2 tmp n f r
	local -A c1 c2
	tmp=$(mktemp -d)
	for n in "$cg1" "$cg2"; do
		f=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/$n" \
			--toggle-collect=hvsim_poll "$fwdb" "$len" "$n" "$agg" \
			2>/dev/null | sed -n 's/.*pkts=\([0-9]*\).*/\1/p')
		echo "$f" >"$tmp/$n.pkts"
		callgrind_annotate --auto=no --inclusive=yes --threshold=100 \
			"$tmp/$n" >"$tmp/$n.incl" 2>/dev/null
	done
	r=""
	for fn in hvsim_poll hvsim_rings_poll nv_rx_complete netvsp_poll; do
		r+=" $(awk -v fn="$fn" -v x="$(cat "$tmp/$cg1.pkts")" \
			-v y="$(cat "$tmp/$cg2.pkts")" -v f1="$tmp/$cg1.incl" \
			-v f2="$tmp/$cg2.incl" 'function get(file,   l, v) {
				while ((getline l < file) > 0)
					if (l ~ ("[:/]" fn " \\[")) {
						split(l, a, " "); v = a[1]
						gsub(",", "", v); close(file); return v
					}
				close(file); return 0
			}
			BEGIN { printf "%.1f", (get(f2) - get(f1)) / (y - x) }')"
	done
	rm -rf "$tmp"
	echo "$r" | awk '{ printf "%.1f %.1f %.1f\n", $1, $2 - $3, $4 }'
}

fwdb=$builddir/test/hvsim/netvsp/bench_hvsim_fwd
fwd=""
if [ -x "$fwdb" ]; then
	for s in 64 1518; do
		len=$((s - 4))
		for agg in 8 1; do
			mt=$( ( [ "$(nproc)" -ge 2 ] && export TENV_CPUS=0,1
				TENV_THREADED=1 mpps_args "$fwdb" "$len" "${BENCH_FWD_PKTS:-1000000}" "$agg" ) )
			read -r hi gi ni < <(echo "null null null")
			[ $have_cg = 1 ] && read -r hi gi ni < <(fwd_instr "$len" "$agg")
			echo "bench-hvsim: forwarding ceiling $s (agg $agg): $mt Mpps with a host thread; host $hi instr/frame (guest->host $gi, generation $ni)" >&2
			fwd+="${fwd:+,
}    {\"frame\": $s, \"agg\": $agg, \"mpps_threaded\": $mt, \"host_instr_per_pkt\": $hi, \"g2h_instr_per_pkt\": $gi, \"gen_instr_per_pkt\": $ni}"
		done
	done
fi

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
  ],
  "fwd": [
$fwd
  ]
}
JSON
cat "$out"
