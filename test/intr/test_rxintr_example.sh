#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# examples/rxintr on one simulated NIC whose generator sends 200 frames a
# second (and whose sink takes them back): every frame is echoed, the
# lcore slept and frames woke it; its CPU share stays far below a polling
# loop's 100 % (a loose sanity bound: make bench-intr measures).
#
# usage: test_rxintr_example.sh RXINTR_BINARY
set -euo pipefail
exe=${1:?usage: test_rxintr_example.sh RXINTR_BINARY}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$exe" --no-huge -m 256 --no-pci --no-shconf \
	--file-prefix="rxintr$$" --log-level=lib.eal:error \
	"--vdev=hvbus_sim,nics=1,port=[gen,rate=200]" -- -t 3 >"$out" 2>&1 || {
	cat "$out"; echo "rxintr failed"; exit 1; }
cat "$out"
line=$(grep -E '^port 0: rx=' "$out") || { echo "no port line"; exit 1; }
rx=$(sed -E 's/.*rx=([0-9]+).*/\1/' <<<"$line")
tx=$(sed -E 's/.*tx=([0-9]+).*/\1/' <<<"$line")
stat=$(grep -E '^cpu=' "$out") || { echo "no cpu line"; exit 1; }
cpu=$(sed -E 's/cpu=([0-9.]+)%.*/\1/' <<<"$stat")
wakes=$(sed -E 's/.*wakes=([0-9]+).*/\1/' <<<"$stat")
fail=0
[ "$rx" -ge 300 ] || { echo "FAIL: rx=$rx, want >= 300 in 3 s at 200/s"; fail=1; }
[ "$tx" -eq "$rx" ] || { echo "FAIL: tx=$tx != rx=$rx"; fail=1; }
[ "$wakes" -ge 100 ] || { echo "FAIL: wakes=$wakes: frames did not wake it"; fail=1; }
awk -v c="$cpu" 'BEGIN { exit !(c < 50) }' || { echo "FAIL: cpu=$cpu% (loose bound 50%)"; fail=1; }
exit $fail
