#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Rescind / re-offer soak of net_hvnet against the embedded hvsim (see
# doc/guides/rescind.rst): CYCLES cycles of rescind -> RMV -> release ->
# re-offer -> RESET -> reset + configure + start -> traffic on 4 queues,
# every 4th a subchannel rescind instead. Writes BUILDDIR/bench/soak.json.
# Then the same in the ASan+UBSan build (ASAN_BUILD, default build-asan
# next to BUILDDIR) when it exists: ASAN_BUILD/bench/soak.json.
# Builds the soak program if needed (reconfiguring a build directory
# made before test/rescind existed).
#
# usage: soak.sh BUILDDIR [CYCLES]      (CYCLES default 1000)
set -euo pipefail
build=$(cd "${1:?usage: soak.sh BUILDDIR [CYCLES]}" && pwd -P)
cycles=${2:-1000}
case $cycles in
''|*[!0-9]*|0) echo "soak: CYCLES must be a positive number" >&2; exit 2 ;;
esac
asan=${ASAN_BUILD:-$(dirname "$build")/build-asan}

run() {
	local dir=$1 status=0
	if ! ninja -C "$dir" -t targets all 2>/dev/null |
	     grep -q '^test/rescind/soak:'; then
		echo "soak: reconfiguring $dir for test/rescind" >&2
		meson setup --reconfigure "$dir" >/dev/null
	fi
	ninja -C "$dir" test/rescind/soak >/dev/null
	mkdir -p "$dir/bench"
	echo "soak: $dir, $cycles cycles"
	# A generous bound: 1 s per cycle plus start-up (about 10 ms each).
	timeout --kill-after=10 $((cycles + 120)) \
		"$dir/test/rescind/soak" --cycles "$cycles" --quiet \
		--json "$dir/bench/soak.json" 2>"$dir/bench/soak.log" ||
		status=$?
	grep -E '^soak: cycle' "$dir/bench/soak.log" >&2 || true
	[ $status -eq 0 ] || { echo "soak: FAILED in $dir (status $status," \
		"log $dir/bench/soak.log)" >&2; return 1; }
	echo "soak: wrote $dir/bench/soak.json"
}

rc=0
run "$build" || rc=1
if [ -f "$asan/build.ninja" ] && [ "$(cd "$asan" && pwd -P)" != "$build" ]; then
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
		run "$asan" || rc=1
fi
exit $rc
