#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Runs meson test in one build (all suites, or the given meson test options)
# and optionally selected suites in a second build, then prints one summary
# line and fails when any test failed or when no test ran at all.
#
# usage: run-tests.sh BUILD [MESON_TEST_ARGS...] [-- BUILD2 SUITE[,SUITE...]]
set -uo pipefail

main=$1; shift
main_args=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do main_args+=("$1"); shift; done
second=""; second_suites=""
if [ "${1:-}" = -- ]; then second=$2; second_suites=$3; fi

rc=0
run() {
	local dir=$1; shift
	echo "=== meson test -C $dir $*"
	meson test -C "$dir" --print-errorlogs "$@" || rc=1
	python3 - "$dir/meson-logs/testlog.json" <<'PY' >> "$tally"
import json, sys
ok = bad = skip = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r == "SKIP":
            skip += 1
        else:
            bad += 1
except FileNotFoundError:
    pass
print(ok, bad, skip)
PY
}

tally=$(mktemp)
trap 'rm -f "$tally"' EXIT
run "$main" "${main_args[@]}"
if [ -n "$second" ]; then
	args=()
	IFS=, read -ra suites <<< "$second_suites"
	for s in "${suites[@]}"; do args+=(--suite "$s"); done
	run "$second" "${args[@]}"
fi

read -r ok bad skip < <(awk '{o+=$1; b+=$2; s+=$3} END {print o+0, b+0, s+0}' "$tally")
echo
echo "hvnet tests: $ok passed, $bad failed, $skip skipped"
if [ "$ok" -eq 0 ]; then
	echo "run-tests: no test passed or none ran; treating as failure" >&2
	exit 1
fi
[ "$bad" -eq 0 ] && [ $rc -eq 0 ]
