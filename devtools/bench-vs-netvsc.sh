#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make bench-vs-netvsc: stock net_netvsc (with stock bus_vmbus) and our
# net_hvnet (with hvbus's uio backend) side by side, driven by the same
# traffic app (test/fidelity/fid_bench) over the same hvsim behind the
# uio_hv_generic face, in one run - for the DPDK BUILDDIR is built against
# (Debian's 22.11) and for each release of VS_DPDK (default 25.11, the
# newest LTS): its stock netvsc, hvnet built against it, fid_bench built
# against it (the matrix's build, made by buildtools/matrix.sh --build when
# missing; a release whose tarball is absent is skipped with the reason).
# The host (hvsim-uio) and the shim are BUILDDIR's in every run. hvsim
# reflects every frame: each one is sent once and received once by the
# guest. For 64- and 1518-byte frames (FCS included) on 1 and 4 queues,
# each driver of each DPDK gets:
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
# VS_CG_WARM (2048), VS_CG_REPS (3), VS_MPPS_REPS (2), VS_DPDK ("25.11";
# "" for BUILDDIR's DPDK only), DPDK_TARBALLS (as make matrix),
# VS_DEVARGS (net_hvnet devargs for every hvnet run, e.g. tx_channels=0;
# the guest is devtools/lib/vs-guest.sh), VS_HOST_OPTS (hvsim-uio options
# for every run of both drivers, e.g. "--rx-publish 32").
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
devargs=${VS_DEVARGS:-}
read -r -a host_opts <<<"${VS_HOST_OPTS:-}"
UIO=$B/app/hvsim-uio/hvsim-uio
SHIM=$B/lib/hvsim/uio/shim/hvsim_uioshim.so
LOG=$(dirname "$OUT")/$(basename "$OUT" .json)
EAL=(--no-huge -m 512 --no-pci --no-shconf)
tarballs=${DPDK_TARBALLS:-$here/../../shared/dpdk}

for t in valgrind taskset; do
	command -v $t >/dev/null || { echo "bench-vs-netvsc: $t not found" >&2; exit 1; }
done
if ! why=$(unshare -m --propagation private true 2>&1); then
	echo "bench-vs-netvsc: needs a private mount namespace (unshare -m): ${why:-not permitted}" >&2
	exit 77
fi
mkdir -p "$LOG" "$(dirname "$OUT")"
rm -f "$LOG"/*

# The hvnet builds to race in: BUILDDIR's, then one per VS_DPDK release.
builds=("$B")
skipped=()
for s in ${VS_DPDK-25.11}; do
	if ! compgen -G "$tarballs/dpdk-$s.*.tar.xz" >/dev/null; then
		skipped+=("$s: no dpdk-$s.N.tar.xz in $tarballs (DPDK_TARBALLS)")
		echo "bench-vs-netvsc: skipping DPDK $s: no tarball dpdk-$s.N.tar.xz in $tarballs" >&2
		continue
	fi
	d=$(bash "$here/../buildtools/matrix.sh" "$B" --build "$s") || {
		echo "bench-vs-netvsc: could not build DPDK $s and hvnet against it (see above)" >&2
		exit 1
	}
	builds+=("$d")
done
declare -A ver
for d in "${builds[@]}"; do
	ver[$d]=$(. "$d/dpdk.env" && echo "$DPDK_VERSION")
	pm=$(. "$d/dpdk.env" && echo "$DPDK_PMD_DIR")
	for f in "$UIO" "$SHIM" "$d/test/fidelity/fid_bench" \
		 "$d/drivers/bus/hvbus/librte_bus_hvbus.so" \
		 "$d/drivers/net/hvnet/librte_net_hvnet.so" \
		 "$pm/librte_bus_vmbus.so" "$pm/librte_net_netvsc.so"; do
		[ -e "$f" ] || { echo "bench-vs-netvsc: missing $f (ninja -C $d; apt install dpdk)" >&2; exit 1; }
	done
	# The "stock" runs must load only that DPDK's own PMDs.
	if compgen -G "$pm/*hvbus*" >/dev/null || compgen -G "$pm/*hvnet*" >/dev/null; then
		echo "bench-vs-netvsc: $pm holds hvnet plugins; the stock run would load them" >&2
		exit 1
	fi
done

ncpu=$(nproc)
host_cpu=()
[ "$ncpu" -ge 2 ] && host_cpu=(taskset -c 0)

# run BUILD DRIVER LOG SECONDS COMMAND...: face + guest in a fresh
# namespace, SIGKILL at the deadline (the launcher kills the guest before
# the host).
run() {
	local bd=$1 drv=$2 log=$3 limit=$4
	shift 4
	VS_BUILD=$bd VS_DEVARGS=$devargs timeout -s KILL $((limit + 15)) \
		unshare -m --propagation private \
		"${host_cpu[@]}" "$UIO" --timeout "$limit" "${host_opts[@]}" --shim "$SHIM" -- \
		bash "$here/lib/vs-guest.sh" "$drv" "$@" </dev/null >"$log" 2>&1
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

# Logs and dumps of BUILDDIR's DPDK keep their old names; another DPDK's
# carry its version.
tag() {	# tag BUILD -> "" or "-<version>"
	[ "$1" = "$B" ] || echo "-${ver[$1]}"
}

# The host's counters of a run (hvsim-uio's report at exit, nic0) as one
# JSON object without spaces: frames the guest sent, host iterations, the
# idle ones, sleeps, data requests, transfer-page packets, ring polls and
# the empty ones, the host thread's time in iterations that found work
# and asleep (whole run, start-up included) and how often another thread
# took its CPU. Frames per busy iteration, per request and per packet
# follow (perf.rst, the 4-queue analysis).
host_counts() {	# host_counts LOG
	awk '
		/^hvsim-uio: nic0: nvsp / { for (i = 1; i < NF; i++) if ($i == "tx") { tx = $(i + 1); break } }
		/^hvsim-uio: nic0: tx_requests / { rq = $4; rb = $6; rp = $8; re = $10 }
		/^hvsim-uio: host: polls / { p = $4; pi = $6; sl = $8; bu = $10; su = $12; pr = $14 }
		END { printf "{\"frames\":%d,\"polls\":%d,\"polls_idle\":%d,\"sleeps\":%d,\"tx_requests\":%d,\"rx_batches\":%d,\"ring_polls\":%d,\"ring_polls_empty\":%d,\"busy_us\":%d,\"sleep_us\":%d,\"preempted\":%d}\n",
			tx, p, pi, sl, rq, rb, rp, re, bu, su, pr }' "$1"
}

mpps_point() {	# mpps_point BUILD DRIVER FRAME QUEUES REP -> "mpps lcores host-json"
	local bd=$1 drv=$2 fr=$3 q=$4 nl lcores log
	log=$LOG/$drv$(tag "$bd")-$fr-${q}q.$5.log
	nl=$((ncpu > 1 ? ncpu - 1 : 1))
	[ "$q" -lt "$nl" ] && nl=$q
	lcores=0
	[ "$ncpu" -ge 2 ] && lcores=1-$nl
	run "$bd" "$drv" "$log" $((secs + 60)) "$bd/test/fidelity/fid_bench" "${EAL[@]}" -l "$lcores" -- \
		--queues "$q" --frame "$fr" --frames "$frames" --seconds "$secs" \
		--timeout-ms $(((secs + 40) * 1000))
	verify "$drv" "$log" || return 1
	echo "$(sed -n 's/^FB: sent=.* mpps=\([0-9.]*\).*/\1/p' "$log") $nl $(host_counts "$log")"
}

cg_point() {	# cg_point BUILD DRIVER FRAME QUEUES REP -> instructions per frame
	local bd=$1 drv=$2 fr=$3 q=$4 f m idle polls empty n
	f=$LOG/cg.$drv$(tag "$bd")-$fr-${q}q.$5
	run "$bd" "$drv" "$f.log" 180 valgrind --tool=callgrind \
		--callgrind-out-file="$f" --toggle-collect=fb_rx \
		--toggle-collect=fb_tx "$bd/test/fidelity/fid_bench" "${EAL[@]}" -l "$((ncpu > 1 ? 1 : 0))" \
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

# host_line HOST-JSON -> the derived figures, for the progress lines.
host_line() {
	[ "$1" = null ] && { echo "-"; return; }
	python3 -c '
import json, sys
h = json.loads(sys.argv[1])
busy = h["polls"] - h["polls_idle"]
r = lambda a, b: "%.1f" % (a / b) if b else "-"
print("%s frames/busy iteration, idle %s %%, %s frames/request, %s frames/transfer-page packet, %s %% of ring polls empty, busy %s ns/frame, preempted %d" %
      (r(h["frames"], busy), r(100 * h["polls_idle"], h["polls"]), r(h["frames"], h["tx_requests"]),
       r(h["frames"], h["rx_batches"]), r(100 * h["ring_polls_empty"], h["ring_polls"]),
       r(1000 * h["busy_us"], h["frames"]), h["preempted"]))' "$1"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1 /proc/loadavg)
vlist=$(for d in "${builds[@]}"; do echo -n "${ver[$d]} "; done)
echo "bench-vs-netvsc: DPDK {${vlist% }} x frames {$sizes} x queues {$queues}, ${secs}s a point, $ncpu CPUs (host on CPU 0), callgrind ${cg_frames} frames x $cg_reps${devargs:+; hvnet devargs $devargs}${VS_HOST_OPTS:+; host options $VS_HOST_OPTS}; load $load0" >&2
fail=0
rows=()
for fr in $sizes; do
	for q in $queues; do
		# Keyed "build driver"; every DPDK's pair takes its turn in each
		# repetition, so load on the shared machine hits all alike.
		declare -A best=() lc=() hc=()
		for r in $(seq "$mpps_reps"); do
			for bd in "${builds[@]}"; do
				for drv in netvsc hvnet; do
					read -r v nl h < <(mpps_point "$bd" "$drv" "$fr" "$q" "$r") || { fail=1; continue; }
					lc[$bd $drv]=$nl
					if awk -v a="${best[$bd $drv]:-0}" -v b="$v" 'BEGIN { exit !(b > a) }'; then
						best[$bd $drv]=$v
						hc[$bd $drv]=$h
					fi
				done
			done
		done
		for bd in "${builds[@]}"; do
			for drv in netvsc hvnet; do
				ipps=()
				for r in $(seq "$cg_reps"); do
					v=$(cg_point "$bd" "$drv" "$fr" "$q" "$r") && ipps+=("$v")
				done
				ipp=$(echo "${ipps[*]:-}" | median)
				mpps=${best[$bd $drv]:-}
				nl=${lc[$bd $drv]:-null}
				if [ -z "$mpps" ] || [ -z "$ipp" ] || [ "${#ipps[@]}" -ne "$cg_reps" ]; then
					fail=1
					mpps=${mpps:-null}
					ipp=${ipp:-null}
				fi
				h=${hc[$bd $drv]:-null}
				echo "bench-vs-netvsc: DPDK ${ver[$bd]} $drv ${fr} B ${q}q (${nl} lcores): $mpps Mpps, $ipp instructions/frame (runs: ${ipps[*]:-none}); host of the best run: $(host_line "$h")" >&2
				rows+=("${ver[$bd]} $drv $fr $q $mpps $ipp $nl $h ${ipps[*]:-}")
			done
		done
		unset best lc hc
	done
done

# JSON rows and the side-by-side table (hvnet over netvsc, per DPDK).
{
	echo "{"
	echo "  \"bench\": \"vs-netvsc\","
	echo "  \"what\": \"fid_bench through port 0 over hvsim's uio face (every frame reflected), stock net_netvsc vs net_hvnet in one run, for each DPDK (its stock netvsc, hvnet and fid_bench built against it, the same hvsim); mpps = frames sent and received back per second; instr_per_pkt = guest instructions in the driver's rx+tx bursts per frame (callgrind, median of runs)\","
	echo "  \"started\": \"$started\", \"cpus\": $ncpu, \"load_start\": $load0, \"load_end\": $(cut -d' ' -f1 /proc/loadavg),"
	echo "  \"seconds\": $secs, \"mpps_reps\": $mpps_reps, \"cg_frames\": $cg_frames, \"cg_warm\": $cg_warm, \"cg_reps\": $cg_reps,"
	echo "  \"hvnet_devargs\": \"$devargs\","
	echo -n "  \"skipped\": ["
	n=0
	for k in "${skipped[@]}"; do
		n=$((n + 1))
		printf '%s{"dpdk": "%s", "reason": "%s"}' "$([ $n -gt 1 ] && echo ', ')" "${k%%:*}" "${k#*: }"
	done
	echo "],"
	echo "  \"rows\": ["
	n=0
	for r in "${rows[@]}"; do
		read -r dv drv fr q mpps ipp nl h runs <<<"$r"
		n=$((n + 1))
		sep=,
		[ "$n" -eq "${#rows[@]}" ] && sep=
		printf '    {"dpdk": "%s", "driver": "%s", "frame": %s, "queues": %s, "lcores": %s, "mpps": %s, "instr_per_pkt": %s, "instr_per_pkt_runs": [%s], "host": %s}%s\n' \
			"$dv" "$drv" "$fr" "$q" "$nl" "$mpps" "$ipp" "$(echo "${runs:-}" | sed 's/ /, /g')" "$h" "$sep"
	done
	echo "  ]"
	echo "}"
} >"$OUT"
printf '\n%-9s %-6s %-6s %-6s | %-12s %-12s %-6s | %-12s %-12s %-6s\n' DPDK frame queues lcores \
	"netvsc Mpps" "hvnet Mpps" ratio "netvsc ins" "hvnet ins" ratio
for r in "${rows[@]}"; do echo "$r"; done | awk '
	{ k = $1 " " $3 " " $4; if ($2 == "netvsc") { nm[k] = $5; ni[k] = $6 } else { hm[k] = $5; hi[k] = $6; l[k] = $7; ord[++n] = k } }
	function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
	END { for (i = 1; i <= n; i++) { k = ord[i]; split(k, f, " ")
		printf "%-9s %-6s %-6s %-6s | %-12s %-12s %-6s | %-12s %-12s %-6s\n", f[1], f[2], f[3], l[k],
			nm[k], hm[k], ratio(hm[k], nm[k]), ni[k], hi[k], ratio(hi[k], ni[k]) } }'
for k in "${skipped[@]}"; do echo "(DPDK ${k%%:*} skipped: ${k#*: })"; done
echo "(ratio = hvnet / netvsc within one DPDK: above 1 is faster for Mpps, below 1 is cheaper for instructions; JSON: $OUT)"

# Nothing may be left behind in the caller's namespace.
if grep -q ' /sys/bus .* tmpfs\| /dev .* overlay' /proc/self/mountinfo || ls /dev/uio* >/dev/null 2>&1; then
	echo "bench-vs-netvsc: mounts or /dev/uio nodes leaked into the caller's namespace" >&2
	fail=1
fi
exit $fail
