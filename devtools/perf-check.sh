#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make perf-check: recompute the guest's instructions per forwarded frame
# in hvn_rx_burst and hvn_tx_burst (callgrind over test/perf/perf_cg, the
# deterministic companion of make perf) for every frame size and compare
# them with the committed baseline, devtools/perf/baseline.json. Fails,
# printing the offending rows, when any count (rx, tx or their sum) is more
# than 5 % above the baseline. Instruction counts do not depend on the
# machine's load, so this is a regression gate where wall-clock rates on a
# shared machine are not.
#
# PERF_UPDATE_BASELINE=1 writes the counts of this run as the new baseline
# instead (commit it with the change that justifies it); PERF_COMMIT names
# the source it was built from when BUILDDIR is not this checkout's.
#
# usage: perf-check.sh BUILDDIR -> BUILDDIR/bench/perf-check.jsonl
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/perf/lib.sh"
build=$(cd "${1:?usage: perf-check.sh BUILDDIR}" && pwd -P) || exit 1
sizes=${PERF_SIZES:-64 128 256 512 1024 1518}
baseline=${PERF_BASELINE:-$here/perf/baseline.json}
cg_bin=$build/test/perf/perf_cg
[ -x "$cg_bin" ] || { echo "perf-check: $cg_bin not built: test/meson.build must list 'perf'" >&2; exit 1; }
for t in valgrind callgrind_annotate python3; do
	command -v $t >/dev/null || { echo "perf-check: $t not found" >&2; exit 1; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/hvnet-perf-check.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
mkdir -p "$build/bench"
cur=$build/bench/perf-check.jsonl
: >"$cur"
fail=0
for s in $sizes; do
	if read -r rxi txi p < <(perf_cg_measure "$cg_bin" "$s" "$dir") && [ -n "${rxi:-}" ]; then
		echo "{\"frame\": $s, \"rx_instr_per_pkt\": $rxi, \"tx_instr_per_pkt\": $txi, \"instr_per_pkt\": $(awk -v a="$rxi" -v b="$txi" 'BEGIN { printf "%.1f", a + b }'), \"callgrind_pkts\": $p}" >>"$cur"
		echo "perf-check: frame $s: rx $rxi, tx $txi instructions per frame" >&2
	else
		echo "perf-check: frame $s: no measurement" >&2
		fail=1
	fi
done
if [ "${PERF_UPDATE_BASELINE:-0}" = 1 ]; then
	[ $fail = 0 ] || { echo "perf-check: not writing a baseline from a failed run" >&2; exit 1; }
	commit=${PERF_COMMIT:-$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)}
	python3 "$here/perf/report.py" baseline "$cur" "$baseline" "$commit" \
		"$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	exit $?
fi
[ -f "$baseline" ] || { echo "perf-check: no baseline $baseline (PERF_UPDATE_BASELINE=1 writes one)" >&2; exit 1; }
python3 "$here/perf/report.py" check "$baseline" "$cur" || fail=1
exit $fail
