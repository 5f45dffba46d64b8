#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Short libFuzzer run for the fuzz-smoke suite: new inputs go to a scratch
# corpus, the committed seeds are read too. FUZZ_SECONDS overrides the length.
#
# usage: fuzz-run.sh FUZZER SEED_DIR [LIBFUZZER_FLAG...]  (later flags win)
set -euo pipefail
fuzzer=$1; seeds=$2; shift 2
secs=${FUZZ_SECONDS:-30}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$fuzzer" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
	-timeout=10 "$@" "$scratch" "$seeds"
