# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Shared by devtools/perf.sh and devtools/perf-check.sh (sourced, not run).

# A private 0700 directory for plugins, sockets and logs (see
# devtools/lib/private-dir.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/private-dir.sh"
perf_private_dir() {	# perf_private_dir CANDIDATE... -> path
	hvnet_private_dir hvnet-perf "$@"
}

# The event total of one callgrind dump (its summary line, or totals).
perf_cg_total() {	# perf_cg_total DUMP -> instructions
	sed -n 's/^summary: *//p; s/^totals: *//p' "$1" | head -n1
}

# Guest instructions per forwarded frame in hvn_rx_burst and in hvn_tx_burst
# (inclusive: parsing, mbuf allocation and frees, copies, ring work), from
# two callgrind runs of test/perf/perf_cg, each collecting inside one of
# the two functions only: the dump's total is then exactly that function's
# inclusive cost over the measured frames. perf_cg pumps the host from the
# same thread, so the counts do not depend on timing or load. Leaves the
# profiles (callgrind_annotate, self cost) in OUTDIR/cg.FRAME.{rx,tx}.self.
PERF_CG_WARM=${PERF_CG_WARM:-2048}
PERF_CG_PKTS=${PERF_CG_PKTS:-8192}
perf_cg_one() {	# perf_cg_one PERF_CG FRAME OUTDIR rx|tx -> "instr pkts"
	local bin=$1 frame=$2 out=$3 dir=$4 f line pkts ir
	f=$out/cg.$frame.$dir
	rm -f "$f" "$f".*
	line=$(timeout -s KILL 120 valgrind --tool=callgrind \
		--callgrind-out-file="$f" --toggle-collect="hvn_${dir}_burst" \
		"$bin" $((frame - 4)) "$PERF_CG_WARM" "$PERF_CG_PKTS" \
		2>"$f.log" | grep '^frame_len=') || {
		echo "perf: callgrind run ($dir, frame $frame) failed:" >&2
		grep -v '^==' "$f.log" | tail -5 >&2
		return 1
	}
	pkts=$(echo "$line" | sed -n 's/.* pkts=\([0-9]*\).*/\1/p')
	[ -f "$f.1" ] || { echo "perf: no callgrind dump ($dir, frame $frame)" >&2; return 1; }
	ir=$(perf_cg_total "$f.1")
	[ -n "$ir" ] && [ -n "$pkts" ] && [ "$pkts" -gt 0 ] || {
		echo "perf: no cost in the callgrind dump ($dir, frame $frame)" >&2
		return 1
	}
	(cd / && callgrind_annotate --auto=no --threshold=100 "$f.1") >"$f.self" 2>/dev/null
	echo "$ir $pkts"
}
perf_cg_measure() {	# perf_cg_measure PERF_CG FRAME OUTDIR -> "rx_ipp tx_ipp pkts"
	local rx rxp tx txp
	read -r rx rxp < <(perf_cg_one "$1" "$2" "$3" rx) || return 1
	read -r tx txp < <(perf_cg_one "$1" "$2" "$3" tx) || return 1
	[ -n "$rx" ] && [ -n "$tx" ] && [ "$rxp" = "$txp" ] || return 1
	awk -v r="$rx" -v t="$tx" -v p="$rxp" \
		'BEGIN { printf "%.1f %.1f %d\n", r / p, t / p, p }'
}
