#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Rx interrupt benchmark: test/intr/bench_intr runs examples/rxintr's
# sleep-when-idle loop on a worker lcore over the embedded hvsim and
# measures the lcore's CPU share while the port is idle (idle_cpu_pct) and
# the time from sending a frame after a pause to the application's burst
# returning it (lat_us_p50 / p99 / max, the host's reflection included).
# Targets (issue 17): idle under 2 % of a CPU, p99 under 1 ms.
# Twice: as started ("default"), and under SCHED_FIFO ("fifo", chrt -f 10,
# when allowed): on a shared machine the default run's tail is other
# processes' time slices, the fifo run's is the wake-up path itself.
# Builds nothing; run through "make bench-intr", which builds first.
#
# usage: bench-intr.sh BUILDDIR   -> BUILDDIR/bench/intr.json
set -euo pipefail
build=$(cd "${1:?usage: bench-intr.sh BUILDDIR}" && pwd -P)
bench=$build/test/intr/bench_intr
[ -x "$bench" ] || { echo "bench-intr: $bench not built" >&2; exit 1; }
. "$build/dpdk.env"
export LD_LIBRARY_PATH=$DPDK_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
mkdir -p "$build/bench"
out=$build/bench/intr.json
args=("${BENCH_IDLE_SECS:-5}" "${BENCH_SAMPLES:-500}" "${BENCH_GAP_MS:-20}")
def=$("$bench" "${args[@]}" 2>"$build/bench/intr.log" | tail -1)
fifo=null
if chrt -f 10 true 2>/dev/null; then
	fifo=$(chrt -f 10 "$bench" "${args[@]}" 2>>"$build/bench/intr.log" |
	       tail -1)
fi
load=$(cut -d' ' -f1 /proc/loadavg)
printf '{"loadavg": %s, "cpus": %s, "default": %s, "fifo": %s}\n' \
	"$load" "$(nproc)" "$def" "$fifo" >"$out"
cat "$out"
