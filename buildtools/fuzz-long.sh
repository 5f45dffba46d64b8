#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Longer runs of every fuzz target of the fuzz-smoke suite (the libFuzzer
# build), one after another, SECONDS each. The corpus each target grows is
# kept in BUILD/fuzz/TARGET/corpus for the next run, crash inputs land next
# to it; BUILD/fuzz/summary.json lists
# [{"target": ..., "executions": N, "crashes": N}, ...]. Fails when any
# target crashed.
#
# usage: fuzz-long.sh BUILD FUZZ_BUILD SECONDS
set -euo pipefail
build=$1; fbuild=$2; secs=$3
case $secs in ''|*[!0-9]*) echo "fuzz-long: SECONDS must be a number" >&2; exit 2;; esac
out=$(realpath -m "$build/fuzz")
mkdir -p "$out"
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

# name, executable, seed corpus and extra libFuzzer flags of each
# fuzz-smoke test, from meson (one tab-separated line each).
meson introspect --tests "$fbuild" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if not any(s.endswith("fuzz-smoke") for s in t["suite"]):
        continue
    cmd = t["cmd"]
    print("\t".join([t["name"], cmd[1], cmd[2]] + cmd[3:]))
' | while IFS=$'\t' read -r name exe seeds extra; do
	dir=$out/$name
	mkdir -p "$dir/corpus"
	before=$(find "$dir" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 \
		 -name 'leak-*' -o -maxdepth 1 -name 'timeout-*' -o \
		 -maxdepth 1 -name 'oom-*' | wc -l)
	echo "fuzz-long: $name for ${secs}s"
	rc=0
	(cd "$fbuild" && "$exe" -max_total_time="$secs" -print_final_stats=1 \
		-rss_limit_mb=2048 -timeout=10 $extra \
		-artifact_prefix="$dir/" "$dir/corpus" "$seeds") \
		> "$dir/log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" |
		tail -1 || true)
	if [ -z "$execs" ]; then
		execs=$(grep -o '^#[0-9]*' "$dir/log" | tail -1 | tr -d '#' ||
			true)
	fi
	after=$(find "$dir" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 \
		-name 'leak-*' -o -maxdepth 1 -name 'timeout-*' -o \
		-maxdepth 1 -name 'oom-*' | wc -l)
	crashes=$((after - before))
	[ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
	echo "fuzz-long: $name: ${execs:-0} executions, $crashes crashes" \
	     "(log: $dir/log)"
	printf '%s\t%s\t%s\n' "$name" "${execs:-0}" "$crashes" >> "$rows"
done

python3 - "$rows" "$out/summary.json" <<'PY'
import json, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
out = [{"target": n, "executions": int(e), "crashes": int(c)}
       for n, e, c in rows]
json.dump(out, open(sys.argv[2], "w"), indent=1)
print("fuzz-long: %d targets, %d executions, %d crashes -> %s" % (
    len(out), sum(r["executions"] for r in out),
    sum(r["crashes"] for r in out), sys.argv[2]))
sys.exit(1 if any(r["crashes"] for r in out) else 0)
PY
