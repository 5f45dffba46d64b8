#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make bench-vs-netvsc: Debian's stock net_netvsc (with stock bus_vmbus)
# and our net_hvnet (with hvbus's uio backend) side by side, driven by the
# same traffic app (test/fidelity/fid_bench) over the same hvsim behind
# the uio_hv_generic face, in one run. hvsim reflects every frame: each
# one is sent once and received once by the guest. For 64- and 1518-byte
# frames (FCS included) on 1 and 4 queues, each driver gets:
# - Mpps: fid_bench for VS_SECS seconds (at most VS_FRAMES frames), the
#   host (hvsim-uio, one thread) pinned to CPU 0, one guest lcore per
#   queue on the other CPUs (on 2 CPUs: one lcore for 4 queues); every
#   frame must come back exactly once and hvsim's checker stay clean;
#   the best of VS_MPPS_REPS runs, the drivers taking turns;
# - instructions per frame: fid_bench --callgrind under valgrind, only the
#   driver's rx and tx bursts collected; VS_CG_WARM frames, then
#   VS_CG_FRAMES measured frames in lockstep windows, minus the empty
#   polls at the cost an idle phase of the same run measured; the median
#   of VS_CG_REPS runs (the host batches what it finds in the ring, so a
#   run differs from the next by up to a few per cent).
# The two drivers alternate so that load on the shared machine hits both
# alike. Stock net_netvsc is never sanitizer-built nor
# run with ASan (it truncates GPA page numbers to 32 bits, see
# doc/guides/hvsim-uio.rst); valgrind keeps its memory below 16 TiB.
#
# Environment: VS_SECS (3; 0 = VS_FRAMES frames), VS_FRAMES (50000000),
# VS_SIZES ("64 1518"), VS_QUEUES ("1 4"), VS_CG_FRAMES (16384),
# VS_CG_WARM (2048), VS_CG_REPS (3), VS_MPPS_REPS (2).
#
# usage: bench-vs-netvsc.sh BUILDDIR [OUT.json]
#        -> BUILDDIR/bench/vs-netvsc.json (or OUT.json), logs in the
#           directory of that name without .json
set -uo pipefail
B=$(cd "${1:?usage: bench-vs-netvsc.sh BUILDDIR [OUT.json]}" && pwd -P) || exit 1
OUT=${2:-$B/bench/vs-netvsc.json}
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/perf/lib.sh"
secs=${VS_SECS:-3}
frames=${VS_FRAMES:-50000000}
sizes=${VS_SIZES:-64 1518}
queues=${VS_QUEUES:-1 4}
cg_frames=${VS_CG_FRAMES:-16384}
cg_warm=${VS_CG_WARM:-2048}
cg_reps=${VS_CG_REPS:-3}
mpps_reps=${VS_MPPS_REPS:-2}
UIO=$B/app/hvsim-uio/hvsim-uio
SHIM=$B/lib/hvsim/uio/shim/hvsim_uioshim.so
APP=$B/test/fidelity/fid_bench
VS_BUS=$B/drivers/bus/hvbus/librte_bus_hvbus.so
VS_PMD=$B/drivers/net/hvnet/librte_net_hvnet.so
. "$B/dpdk.env" || exit 1
VS_PMDDIR=$DPDK_PMD_DIR
LOG=$(dirname "$OUT")/$(basename "$OUT" .json)
EAL=(--no-huge -m 512 --no-pci --no-shconf)

for f in "$UIO" "$SHIM" "$APP" "$VS_BUS" "$VS_PMD" \
	 "$VS_PMDDIR/librte_bus_vmbus.so" "$VS_PMDDIR/librte_net_netvsc.so"; do
	[ -e "$f" ] || { echo "bench-vs-netvsc: missing $f (ninja -C $B; apt install dpdk)" >&2; exit 1; }
done
for t in valgrind taskset; do
	command -v $t >/dev/null || { echo "bench-vs-netvsc: $t not found" >&2; exit 1; }
done
if ! why=$(unshare -m --propagation private true 2>&1); then
	echo "bench-vs-netvsc: needs a private mount namespace (unshare -m): ${why:-not permitted}" >&2
	exit 77
fi
# The "stock" runs must load only the distro's PMDs.
if compgen -G "$VS_PMDDIR/*hvbus*" >/dev/null || compgen -G "$VS_PMDDIR/*hvnet*" >/dev/null; then
	echo "bench-vs-netvsc: $VS_PMDDIR holds hvnet plugins; the stock run would load them" >&2
	exit 1
fi
mkdir -p "$LOG" "$(dirname "$OUT")"
rm -f "$LOG"/*

# Inside the launcher's namespace: for hvnet, our plugins over the distro's
# (EAL auto-loads them, the stock bus cannot claim the device).
vs_guest() {	# vs_guest netvsc|hvnet COMMAND...
	local drv=$1
	shift
	if [ "$drv" = hvnet ]; then
		mount --bind "$VS_BUS" "$VS_PMDDIR/librte_bus_vmbus.so" &&
		mount --bind "$VS_PMD" "$VS_PMDDIR/librte_net_netvsc.so" || exit 1
		export HVBUS_ARGS=backend=uio
		# EAL loads the directory in no fixed order: net_hvnet may
		# come first and need librte_bus_hvbus.so by its own name.
		export LD_LIBRARY_PATH=$(dirname "$VS_BUS")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	fi
	exec "$@"
}
export -f vs_guest
export VS_BUS VS_PMD VS_PMDDIR

ncpu=$(nproc)
host_cpu=()
[ "$ncpu" -ge 2 ] && host_cpu=(taskset -c 0)

# run DRIVER LOG SECONDS COMMAND...: face + guest in a fresh namespace,
# SIGKILL at the deadline (the launcher kills the guest before the host).
run() {
	local drv=$1 log=$2 limit=$3
	shift 3
	timeout -s KILL $((limit + 15)) unshare -m --propagation private \
		"${host_cpu[@]}" "$UIO" --timeout "$limit" --shim "$SHIM" -- \
		bash -c 'vs_guest "$@"' vs_guest "$drv" "$@" </dev/null >"$log" 2>&1
	echo "rc=$?" >>"$log"
}

# A run counts only when the app saw every frame back, the guest exited 0
# and hvsim's checker stayed clean; and it must be the driver we meant.
verify() {	# verify DRIVER LOG
	local want=net_$1
	grep -q "^FB: driver $want " "$2" && grep -q '^FB: PASS' "$2" &&
	grep -q 'hvsim-uio: guest exit 0' "$2" &&
	grep -q 'hvsim-uio: checker: 0 violations' "$2" && grep -q '^rc=0$' "$2" && return 0
	echo "bench-vs-netvsc: $(basename "$2") failed:" >&2
	grep -E '^FB:|hvsim-uio:|rc=' "$2" | tail -12 >&2
	return 1
}

mpps_point() {	# mpps_point DRIVER FRAME QUEUES REP -> "mpps lcores"
	local drv=$1 fr=$2 q=$3 nl lcores log=$LOG/$1-$2-$3q.$4.log
	nl=$((ncpu > 1 ? ncpu - 1 : 1))
	[ "$q" -lt "$nl" ] && nl=$q
	lcores=0
	[ "$ncpu" -ge 2 ] && lcores=1-$nl
	run "$drv" "$log" $((secs + 60)) "$APP" "${EAL[@]}" -l "$lcores" -- \
		--queues "$q" --frame "$fr" --frames "$frames" --seconds "$secs" \
		--timeout-ms $(((secs + 40) * 1000))
	verify "$drv" "$log" || return 1
	echo "$(sed -n 's/^FB: sent=.* mpps=\([0-9.]*\).*/\1/p' "$log") $nl"
}

cg_point() {	# cg_point DRIVER FRAME QUEUES REP -> instructions per frame
	local drv=$1 fr=$2 q=$3 f=$LOG/cg.$1-$2-$3q.$4 m idle polls empty n
	run "$drv" "$f.log" 180 valgrind --tool=callgrind \
		--callgrind-out-file="$f" --toggle-collect=fb_rx \
		--toggle-collect=fb_tx "$APP" "${EAL[@]}" -l "$((ncpu > 1 ? 1 : 0))" \
		-- --queues "$q" --frame "$fr" --frames "$cg_frames" \
		--callgrind "$cg_warm" --timeout-ms 150000
	verify "$drv" "$f.log" || return 1
	m=$(perf_cg_total "$f.1")
	idle=$(perf_cg_total "$f.2")
	read -r n empty < <(sed -n 's/^FB: callgrind measure frames=\([0-9]*\) .*rx_empty=\([0-9]*\).*/\1 \2/p' "$f.log")
	polls=$(sed -n 's/^FB: callgrind idle polls=\([0-9]*\) .*/\1/p' "$f.log")
	[ -n "$m" ] && [ -n "$idle" ] && [ "${n:-0}" -gt 0 ] && [ "${polls:-0}" -gt 0 ] || {
		echo "bench-vs-netvsc: no callgrind counts in $(basename "$f")" >&2
		return 1
	}
	awk -v m="$m" -v i="$idle" -v p="$polls" -v e="$empty" -v n="$n" \
		'BEGIN { printf "%.1f\n", (m - e * i / p) / n }'
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1 /proc/loadavg)
echo "bench-vs-netvsc: frames {$sizes} x queues {$queues}, ${secs}s a point, $ncpu CPUs (host on CPU 0), callgrind ${cg_frames} frames x $cg_reps; load $load0" >&2
fail=0
rows=()
for fr in $sizes; do
	for q in $queues; do
		declare -A best=() lc=()
		for r in $(seq "$mpps_reps"); do
			for drv in netvsc hvnet; do
				read -r v nl < <(mpps_point "$drv" "$fr" "$q" "$r") || { fail=1; continue; }
				lc[$drv]=$nl
				best[$drv]=$(awk -v a="${best[$drv]:-0}" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
			done
		done
		for drv in netvsc hvnet; do
			ipps=()
			for r in $(seq "$cg_reps"); do
				v=$(cg_point "$drv" "$fr" "$q" "$r") && ipps+=("$v")
			done
			ipp=$(echo "${ipps[*]:-}" | median)
			mpps=${best[$drv]:-}
			nl=${lc[$drv]:-null}
			if [ -z "$mpps" ] || [ -z "$ipp" ] || [ "${#ipps[@]}" -ne "$cg_reps" ]; then
				fail=1
				mpps=${mpps:-null}
				ipp=${ipp:-null}
			fi
			echo "bench-vs-netvsc: $drv ${fr} B ${q}q (${nl} lcores): $mpps Mpps, $ipp instructions/frame (runs: ${ipps[*]:-none})" >&2
			rows+=("$drv $fr $q $mpps $ipp $nl ${ipps[*]:-}")
		done
		unset best lc
	done
done

# JSON rows and the side-by-side table (hvnet over netvsc).
{
	echo "{"
	echo "  \"bench\": \"vs-netvsc\","
	echo "  \"what\": \"fid_bench through port 0 over hvsim's uio face (every frame reflected), stock net_netvsc vs net_hvnet in one run; mpps = frames sent and received back per second; instr_per_pkt = guest instructions in the driver's rx+tx bursts per frame (callgrind, median of runs)\","
	echo "  \"started\": \"$started\", \"cpus\": $ncpu, \"load_start\": $load0, \"load_end\": $(cut -d' ' -f1 /proc/loadavg),"
	echo "  \"seconds\": $secs, \"mpps_reps\": $mpps_reps, \"cg_frames\": $cg_frames, \"cg_warm\": $cg_warm, \"cg_reps\": $cg_reps,"
	echo "  \"rows\": ["
	n=0
	for r in "${rows[@]}"; do
		read -r drv fr q mpps ipp nl runs <<<"$r"
		n=$((n + 1))
		sep=,
		[ "$n" -eq "${#rows[@]}" ] && sep=
		printf '    {"driver": "%s", "frame": %s, "queues": %s, "lcores": %s, "mpps": %s, "instr_per_pkt": %s, "instr_per_pkt_runs": [%s]}%s\n' \
			"$drv" "$fr" "$q" "$nl" "$mpps" "$ipp" "$(echo "${runs:-}" | sed 's/ /, /g')" "$sep"
	done
	echo "  ]"
	echo "}"
} >"$OUT"
printf '\n%-6s %-6s %-6s | %-14s %-14s %-7s | %-14s %-14s %-7s\n' frame queues lcores \
	"netvsc Mpps" "hvnet Mpps" ratio "netvsc instr" "hvnet instr" ratio
for r in "${rows[@]}"; do echo "$r"; done | awk '
	{ k = $2 " " $3; if ($1 == "netvsc") { nm[k] = $4; ni[k] = $5 } else { hm[k] = $4; hi[k] = $5; l[k] = $6; ord[++n] = k } }
	function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
	END { for (i = 1; i <= n; i++) { k = ord[i]; split(k, f, " ")
		printf "%-6s %-6s %-6s | %-14s %-14s %-7s | %-14s %-14s %-7s\n", f[1], f[2], l[k],
			nm[k], hm[k], ratio(hm[k], nm[k]), ni[k], hi[k], ratio(hi[k], ni[k]) } }'
echo "(ratio = hvnet / netvsc: above 1 is faster for Mpps, below 1 is cheaper for instructions; JSON: $OUT)"

# Nothing may be left behind in the caller's namespace.
if grep -q ' /sys/bus .* tmpfs\| /dev .* overlay' /proc/self/mountinfo || ls /dev/uio* >/dev/null 2>&1; then
	echo "bench-vs-netvsc: mounts or /dev/uio nodes leaked into the caller's namespace" >&2
	fail=1
fi
exit $fail
