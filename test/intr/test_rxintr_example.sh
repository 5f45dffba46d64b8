#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# examples/rxintr on one simulated NIC whose generator sends 200 frames a
# second (and whose sink takes them back): every frame is echoed, the
# lcore slept and frames woke it; its CPU share stays far below a polling
# loop's 100 % (a loose sanity bound: make bench-intr measures).
# The run lasts until the example's running totals (-p 1) show the frames
# and wakes wanted, not a fixed time: on a loaded machine the generator
# and the example get their CPU late and fewer frames come in a second
# (CI at load 20). Without wakes it runs to its cap (-t) and fails.
#
# usage: test_rxintr_example.sh RXINTR_BINARY
set -euo pipefail
exe=${1:?usage: test_rxintr_example.sh RXINTR_BINARY}
want_rx=300 want_wakes=100 cap=60
out=$(mktemp)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
"$exe" --no-huge -m 256 --no-pci --no-shconf \
	--file-prefix="rxintr$$" --log-level=lib.eal:error \
	"--vdev=hvbus_sim,nics=1,port=[gen,rate=200]" -- -t "$cap" -p 1 \
	>"$out" 2>&1 &
pid=$!
# Poll its totals (whole lines only); SIGTERM ends the run with the usual
# lines.
st='^stats: rx=[0-9]+ tx=[0-9]+ dropped=[0-9]+ sleeps=[0-9]+ wakes=[0-9]+$'
while kill -0 "$pid" 2>/dev/null; do
	line=$(grep -E "$st" "$out" | tail -n 1) || line=
	if [ -n "$line" ]; then
		rx=$(sed -E 's/.* rx=([0-9]+).*/\1/' <<<"$line")
		wakes=$(sed -E 's/.* wakes=([0-9]+).*/\1/' <<<"$line")
		if [ "$rx" -ge "$want_rx" ] && [ "$wakes" -ge "$want_wakes" ]
		then
			kill -TERM "$pid" 2>/dev/null || true
			break
		fi
	fi
	sleep 0.2
done
rc=0
wait "$pid" || rc=$?
pid=
cat "$out"
[ "$rc" -eq 0 ] || { echo "rxintr failed ($rc)"; exit 1; }
line=$(grep -E '^port 0: rx=' "$out") || { echo "no port line"; exit 1; }
rx=$(sed -E 's/.*rx=([0-9]+).*/\1/' <<<"$line")
tx=$(sed -E 's/.*tx=([0-9]+).*/\1/' <<<"$line")
stat=$(grep -E '^cpu=' "$out") || { echo "no cpu line"; exit 1; }
cpu=$(sed -E 's/cpu=([0-9.]+)%.*/\1/' <<<"$stat")
wakes=$(sed -E 's/.*wakes=([0-9]+).*/\1/' <<<"$stat")
fail=0
[ "$rx" -ge "$want_rx" ] ||
	{ echo "FAIL: rx=$rx, want >= $want_rx within $cap s"; fail=1; }
[ "$tx" -eq "$rx" ] || { echo "FAIL: tx=$tx != rx=$rx"; fail=1; }
[ "$wakes" -ge "$want_wakes" ] ||
	{ echo "FAIL: wakes=$wakes within $cap s: frames did not wake it"
	  fail=1; }
awk -v c="$cpu" 'BEGIN { exit !(c < 50) }' ||
	{ echo "FAIL: cpu=$cpu% (loose bound 50%)"; fail=1; }
exit $fail
