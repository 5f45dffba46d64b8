#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Rescind-to-release benchmark (issue 7, doc/guides/rescind.rst): runs
# test/bus/bench_release - CYCLES subchannel and whole-NIC rescinds with
# the queues busy, then idle, timed by hvsim from its RESCIND to the last
# RELID_RELEASED, first with every thread free to run anywhere, then
# pinned (the polling lcore alone on its CPU, the host and control
# threads on the other) - and writes BUILDDIR/bench/release.json with the
# distributions (p50/p90/p99/max), the run-queue wait of the threads on
# the release path in the same windows, the lcore's preemptions and
# run-queue wait per window, one row per placement and kind ("pinned",
# "busy_p99_us", ...) and the machine's load.
#
# usage: devtools/bench-release.sh BUILDDIR [CYCLES]   (CYCLES default 500)
set -euo pipefail

build=$(cd "${1:?usage: bench-release.sh BUILDDIR [CYCLES]}" && pwd -P)
cycles=${2:-${CYCLES:-500}}
case $cycles in
''|*[!0-9]*|0) echo "bench-release: CYCLES must be a positive number" >&2
	exit 2 ;;
esac
if ! ninja -C "$build" -t targets all 2>/dev/null |
     grep -q '^test/bus/bench_release:'; then
	meson setup --reconfigure "$build" >/dev/null
fi
ninja -C "$build" test/bus/bench_release >/dev/null
out=$build/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

load0=$(cut -d' ' -f1 /proc/loadavg)
"$build/test/bus/bench_release" --cycles "$cycles" --json "$tmp/raw.json" \
	>"$tmp/out.txt" 2>"$tmp/err.txt" || {
	cat "$tmp/out.txt" "$tmp/err.txt" >&2
	echo "bench-release: FAILED" >&2
	exit 1
}
grep -v '^bench_release:' "$tmp/out.txt"

LOAD0=$load0 python3 - "$tmp/raw.json" "$out/release.json" <<'PY'
import json, os, platform, sys, time

raw = json.load(open(sys.argv[1]))
def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()
raw = {
    "bench": "release",
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "machine": {"cpu": cpu_model(), "cpus": os.cpu_count(),
                "kernel": platform.release(),
                "loadavg_before": float(os.environ["LOAD0"]),
                "loadavg_after": os.getloadavg()[0]},
    "method": "hvsim stamps its rescind command and the last RELID_RELEASED "
              "it reads; *_runq_wait: schedstat run-queue wait of hvbus-ctrl, "
              "hvsim-host and (busy) the worker lcore in the same window "
              "(until the poll saw the release); *_minus_runq_wait: the "
              "latency less that, an estimate (may over-subtract); "
              "*_lcore_preemptions / *_lcore_runq_wait: the lcore's "
              "nonvoluntary context switches (/proc/self/task/TID/status) "
              "and schedstat run-queue wait in the same window, which "
              "holds every grace period of that release; *_tail: the "
              "cycles over 1 ms and how many had the lcore preempted, and "
              "the p99 of the cycles in which it never was; pinned modes: "
              "the lcore alone on lcore_cpu, every other thread of the "
              "process on other_cpu (threads: as read back)",
    **raw,
}
modes = [m for m in ("busy", "idle", "busy_pinned", "idle_pinned") if m in raw]
raw["targets"] = {
    "%s_%s_p99_lt_1ms" % (mode, kind): raw[mode][kind]["p99_us"] < 1000
    for mode in modes for kind in ("subchannel", "nic")
}
raw["rows"] = []
for pinned in (False, True):
    busy, idle = ("busy_pinned", "idle_pinned") if pinned else ("busy", "idle")
    if busy not in raw or idle not in raw:
        continue
    for kind in ("subchannel", "nic"):
        b, t = raw[busy][kind], raw[busy][kind + "_tail"]
        raw["rows"].append({
            "pinned": pinned, "kind": kind,
            "busy_p50_us": b["p50_us"], "busy_p99_us": b["p99_us"],
            "busy_max_us": b["max_us"],
            "busy_share_under_1ms": b["share_under_1ms"],
            "idle_p99_us": raw[idle][kind]["p99_us"],
            "busy_lcore_preemptions_p99":
                raw[busy][kind + "_lcore_preemptions"]["p99"],
            "busy_lcore_runq_wait_p99_us":
                raw[busy][kind + "_lcore_runq_wait"]["p99_us"],
            "busy_over_1ms": t["over_1ms"],
            "busy_over_1ms_lcore_preempted": t["over_1ms_lcore_preempted"],
            "busy_lcore_never_preempted_p99_us":
                t["lcore_never_preempted_p99_us"],
        })
json.dump(raw, open(sys.argv[2], "w"), indent=1)
print("load average %.2f before, %.2f after; targets: %s" % (
    raw["machine"]["loadavg_before"], raw["machine"]["loadavg_after"],
    ", ".join("%s=%s" % kv for kv in raw["targets"].items())))
for r in raw["rows"]:
    print("pinned=%-5s %-10s busy p99 %6d us (idle %5d us); over 1 ms: "
          "%d, lcore preempted in %d; lcore never preempted: p99 %d us" % (
              r["pinned"], r["kind"], r["busy_p99_us"], r["idle_p99_us"],
              r["busy_over_1ms"], r["busy_over_1ms_lcore_preempted"],
              r["busy_lcore_never_preempted_p99_us"]))
print("wrote " + sys.argv[2])
PY
