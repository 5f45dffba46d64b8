#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# net_hvnet benchmark, 64-byte frames (60 without FCS), one forwarding lcore:
# - testpmd_io_mpps / testpmd_rx_mpps: stock dpdk-testpmd (plugins loaded
#   with -d) in io and rxonly mode against an hvsim daemon whose generator
#   sends as fast as the guest takes frames and whose sink takes what
#   testpmd sends back; rates from testpmd's forward statistics over
#   BENCH_SECS seconds. The host is another process on the second core.
# - instr_per_pkt: guest instructions per forwarded frame inside
#   hvn_rx_burst + hvn_tx_burst (mbuf alloc/free and copies included),
#   from callgrind on test/pmd/bench_pmd (io forwarding, same daemon
#   outside valgrind): two runs of different lengths, each minus its empty
#   polls at the cost measured by an idle run, so set-up and idle polling
#   cancel out.
# - ratio_to_hvsim: testpmd_io_mpps over hvsim's own ceiling for the same
#   frame (mpps_threaded of BUILDDIR/bench/hvsim.json, from make
#   bench-hvsim), when that file exists.
# A step that measured nothing (no forward statistics, a rate that would
# print as 0.000, a callgrind run without its frames) fails the script
# with its log: never a figure in the JSON.
# Builds nothing; run through "make bench-pmd", which builds first.
#
# usage: bench-pmd.sh BUILDDIR   -> BUILDDIR/bench/pmd.json
set -euo pipefail
build=$(cd "${1:?usage: bench-pmd.sh BUILDDIR}" && pwd -P)
secs=${BENCH_SECS:-5}
cg1=${BENCH_CG_PKTS:-20000}
cg2=$((cg1 * 3))
hvsim=$build/app/hvsim/hvsim
bench=$build/test/pmd/bench_pmd
. "$build/dpdk.env"
testpmd=$DPDK_TESTPMD
[ -x "$testpmd" ] || { echo "bench-pmd: no $testpmd" >&2; exit 1; }
for f in "$hvsim" "$bench"; do
	[ -e "$f" ] || { echo "bench-pmd: $f not built" >&2; exit 1; }
done
mkdir -p "$build/bench"
out=$build/bench/pmd.json

. "$(dirname "$0")/lib/private-dir.sh"
dir=$(hvnet_private_dir hvnet-bench "$build" "${HOME:-}" /var/lib) || {
	echo "bench-pmd: no directory without world-writable ancestors" >&2
	exit 1
}
hvpid=
cleanup() { [ -n "$hvpid" ] && kill -9 "$hvpid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir "$dir/plugins"
hvnet_plugins "$build" "$dir/plugins" || exit 1

host_start() {	# host_start PORTSPEC
	rm -f "$dir/s" "$dir/c"
	"$hvsim" --socket "$dir/s" --ctl "$dir/c" --nics 1 --port "$1" \
		>"$dir/hvsim.log" 2>&1 &
	hvpid=$!
	for _ in $(seq 100); do [ -S "$dir/s" ] && [ -S "$dir/c" ] && return 0; sleep 0.05; done
	echo "bench-pmd: hvsim did not start" >&2; exit 1
}
host_stop() {
	"$hvsim" ctl "$dir/c" quit >/dev/null 2>&1 || true
	wait "$hvpid" 2>/dev/null || true
	hvpid=
}

die() { echo "bench-pmd: $*" >&2; exit 1; }

testpmd_mpps() {	# testpmd_mpps MODE -> "rx_mpps tx_mpps"
	host_start gen,len=60,flows=64
	{ echo start; sleep "$secs"; echo stop; sleep 0.5; echo quit; } |
	timeout -s KILL $((secs + 60)) "$testpmd" \
		"${HVNET_PLUGIN_ARGS[@]}" --vdev="hvbus_sim,socket=$dir/s" --no-huge -m 512 --no-pci \
		--no-shconf --file-prefix=hvnet-bench -l 0-1 -- -i \
		--total-num-mbufs=16384 --txd=1024 --rxd=512 \
		--forward-mode="$1" >"$dir/testpmd.log" 2>&1 || true
	host_stop
	# Under 500 frames/s a rate prints as 0.000: that is no measurement
	# (rxonly sends nothing: only its receive rate counts).
	sed -n '/Forward statistics for port 0/,/---/p' "$dir/testpmd.log" |
		awk -v s="$secs" -v m="$1" '/RX-packets:/ { r = $2 } /TX-packets:/ { t = $2 }
			END { if (r == "" || r / s < 500 || (m == "io" && t / s < 500)) exit 1
			      printf "%.3f %.3f\n", r / s / 1e6, t / s / 1e6 }' || {
		echo "bench-pmd: testpmd $1 measured nothing (RX/TX-packets" \
			"missing or under 500 per second); its log:" >&2
		tail -n 40 "$dir/testpmd.log" >&2
		return 1
	}
}

cg_run() {	# cg_run N -> "pkts empty instructions"
	local n=$1 line ir
	host_start "gen,len=60,flows=64,count=$n"
	line=$(valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$n" \
		--toggle-collect=hvn_rx_burst --toggle-collect=hvn_tx_burst \
		"$bench" 60 "$n" "$dir/s" 2>/dev/null | grep 'pkts=')
	host_stop
	ir=$(sed -n 's/^summary: *//p' "$dir/cg.$n" | head -n1)
	echo "$line" | sed -n "s/.*pkts=\([0-9]*\).*empty=\([0-9]*\).*/\1 \2 $ir/p"
}

# Each step's output checked here: a failure inside "< <(...)" would
# leave the variables empty and the script going.
r=$(testpmd_mpps io) || die "io forwarding: no rate"
read -r io_rx io_tx <<<"$r"
r=$(testpmd_mpps rxonly) || die "rxonly: no rate"
read -r rxo_rx _ <<<"$r"

# Cost of one empty rx poll (no traffic: a pure-sink host in-process).
"$bench" 60 100000 idle >/dev/null 2>&1 || true
valgrind --tool=callgrind --callgrind-out-file="$dir/cg.idle" \
	--toggle-collect=hvn_rx_burst "$bench" 60 100000 idle >/dev/null 2>&1
idle_ir=$(sed -n 's/^summary: *//p' "$dir/cg.idle" | head -n1)
[ -n "$idle_ir" ] && [ "$idle_ir" -gt 0 ] ||
	die "callgrind counted nothing in the idle run"
empty_cost=$(awk -v i="$idle_ir" 'BEGIN { printf "%.3f", i / 100000 }')
read -r p1 e1 i1 <<<"$(cg_run "$cg1")"
read -r p2 e2 i2 <<<"$(cg_run "$cg2")"
# Two runs with frames and instructions, the second longer: else the
# difference below divides by nothing.
for v in "$p1" "$i1" "$p2" "$i2"; do
	[ -n "$v" ] && [ "$v" -gt 0 ] ||
		die "a callgrind run measured nothing (frames $p1/$p2," \
			"instructions ${i1:-none}/${i2:-none}); hvsim: $(tail -n 3 "$dir/hvsim.log")"
done
[ "$p2" -gt "$p1" ] || die "the longer callgrind run got no more frames ($p1, $p2)"
ipp=$(awk -v p1="$p1" -v e1="$e1" -v i1="$i1" -v p2="$p2" -v e2="$e2" \
	-v i2="$i2" -v c="$empty_cost" 'BEGIN {
	a = i1 - e1 * c; b = i2 - e2 * c
	printf "%.1f", (b - a) / (p2 - p1) }')

ceil=null
ratio=null
if [ -f "$build/bench/hvsim.json" ]; then
	ceil=$(sed -n 's/.*"frame": 64,.*"mpps_threaded": \([0-9.]*\).*/\1/p' \
		"$build/bench/hvsim.json" | head -n1)
	[ -n "$ceil" ] && ratio=$(awk -v a="$io_tx" -v b="$ceil" \
		'BEGIN { printf "%.4f", a / b }') || ceil=null
fi

cat >"$out" <<JSON
{
  "bench": "pmd",
  "what": "stock dpdk-testpmd over net_hvnet, one forwarding lcore, 64-byte frames, hvsim daemon generator/sink on the other core",
  "seconds": $secs,
  "testpmd_io_rx_mpps": $io_rx,
  "testpmd_io_mpps": $io_tx,
  "testpmd_rxonly_mpps": $rxo_rx,
  "instr_per_pkt": $ipp,
  "instr_per_empty_poll": $empty_cost,
  "callgrind_runs": [[$p1, $e1, $i1], [$p2, $e2, $i2]],
  "hvsim_ceiling_mpps": $ceil,
  "ratio_to_hvsim": $ratio
}
JSON
cat "$out"
