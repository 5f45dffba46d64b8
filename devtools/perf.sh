#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make perf: stock dpdk-testpmd (io forwarding, our bus and PMD loaded as
# plugins with -d) against an hvsim daemon whose NIC port is a generator
# towards the guest and a sink for what the guest sends, for every frame
# size x queue/lcore configuration. For each point: a warm-up, then a
# measured window bounded by two "show port stats 0" sent through a FIFO
# (testpmd's own Tx-pps over exactly that interval is the rate), cross-
# checked with hvsim's sink counter read through "hvsim ctl" at the same
# moments, and the totals compared once testpmd has quit.
#
# In the same run, per frame size:
# - hvsim's own ceiling: bench_hvsim_netvsp (generator -> minimal guest
#   that only completes receive batches, host on its own thread), best of
#   three; the forwarding rate is given as a share of it;
# - hvsim's forwarding ceiling: bench_hvsim_fwd (generator + sink +
#   transmit completions against a minimal reflecting guest), placed as
#   the 1-lcore points are: host thread on CPU 0, the guest polling
#   without sleeping on CPU 1 (TENV_CPUS). It is measured inside each
#   point, alternating with its windows (C P C P C P C): testpmd and
#   hvsim are frozen (SIGSTOP) while a ceiling runs, so each window is
#   judged against the ceilings just before and after it, in the same
#   phase of the machine; ceiling_fwd_pct = the median of those ratios;
# - guest instructions per frame in hvn_rx_burst and hvn_tx_burst from
#   callgrind over test/perf/perf_cg (deterministic; see lib.sh).
#
# Frame sizes include the FCS (hvsim's len= is 4 bytes less); Gbit/s count
# 20 bytes of preamble and inter-frame gap per frame (line rate).
#
# Environment: PERF_QUICK=1 (one point: 64 bytes, 1 queue, 1 lcore),
# PERF_SIZES, PERF_CONFIGS ("QxL ..."), PERF_WARM, PERF_WINDOW (seconds),
# PERF_REPS (windows per point, each between two forwarding ceilings;
# default 3), PERF_SETTLE (seconds of forwarding after a ceiling before a
# window opens), PERF_CEIL_FWD_PKTS (frames per forwarding ceiling),
# PERF_CG_WARM, PERF_CG_PKTS (frames in the callgrind runs), PERF_DEVARGS
# (net_hvnet devargs for testpmd, e.g. tx_copybreak=2048: given with
# -a hvbus:<hvsim NIC 0's instance GUID>,...; the callgrind runs keep the
# defaults), PERF_RT=1 (hvsim, testpmd and the ceilings at SCHED_FIFO
# priority 10, this script at 20, the callgrind runs at normal priority:
# on a machine shared with other work the rate points then see two whole
# CPUs, as on a quiet machine; needs CAP_SYS_NICE, and the rest of the
# machine gets what the kernel's RT throttling leaves it, 5 %, while a
# point runs).
#
# usage: perf.sh BUILDDIR -> BUILDDIR/bench/perf.json, perf.svg, perf.txt
set -uo pipefail
if [ "${PERF_RT:-0}" = 1 ] && [ -z "${PERF_RT_ON:-}" ]; then
	PERF_RT_ON=1 exec chrt -f 20 bash "$0" "$@"
fi
rt=()
[ "${PERF_RT:-0}" = 1 ] && rt=(chrt -f 10)
prt=("${rt[@]}")	# the current point's
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/perf/lib.sh"
build=$(cd "${1:?usage: perf.sh BUILDDIR}" && pwd -P) || exit 1
if [ "${PERF_QUICK:-0}" = 1 ]; then
	sizes=${PERF_SIZES:-64}
	configs=${PERF_CONFIGS:-1x1}
else
	sizes=${PERF_SIZES:-64 128 256 512 1024 1518}
	configs=${PERF_CONFIGS:-1x1 2x1 2x2}
fi
warm=${PERF_WARM:-1}
win=${PERF_WINDOW:-0.5}
reps=${PERF_REPS:-3}
settle=${PERF_SETTLE:-0.2}

hvsim=$build/app/hvsim/hvsim
ceil_bin=$build/test/hvsim/netvsp/bench_hvsim_netvsp
fwd_bin=$build/test/hvsim/netvsp/bench_hvsim_fwd
cg_bin=$build/test/perf/perf_cg
. "$build/dpdk.env" || { echo "perf: $build/dpdk.env missing (make build)" >&2; exit 1; }
testpmd=$DPDK_TESTPMD
[ -x "$testpmd" ] || { echo "perf: $testpmd not found (Debian: apt install dpdk)" >&2; exit 1; }
for f in "$hvsim" "$ceil_bin" "$fwd_bin"; do
	[ -e "$f" ] || { echo "perf: $f not built (make build)" >&2; exit 1; }
done
[ -x "$cg_bin" ] || { echo "perf: $cg_bin not built: test/meson.build must list 'perf'" >&2; exit 1; }
for t in valgrind callgrind_annotate python3 taskset stdbuf pgrep; do
	command -v $t >/dev/null || { echo "perf: $t not found" >&2; exit 1; }
done
ncpu=$(nproc)

dir=$(perf_private_dir "$build" "${HOME:-}" /var/lib) || {
	echo "perf: no directory without world-writable ancestors for the plugins" >&2
	exit 1
}
hvpid=
tppid=
cleanup() {
	exec 3>&- 2>/dev/null
	# the whole group: testpmd too, even when stopped for a ceiling
	[ -n "$tppid" ] && kill -9 -- "-$tppid" "$tppid" 2>/dev/null
	[ -n "$hvpid" ] && kill -9 "$hvpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$dir/plugins"
hvnet_plugins "$build" "$dir/plugins" || exit 1
mkdir -p "$build/bench"
: >"$dir/points.jsonl"
: >"$dir/sizes.jsonl"

host_start() {	# host_start FRAME CPUSET
	rm -f "$dir/s" "$dir/c"
	if [ -n "$2" ]; then
		"${prt[@]}" taskset -c "$2" "$hvsim" --socket "$dir/s" --ctl "$dir/c" --nics 1 \
			--name perf --port "gen,len=$(($1 - 4)),flows=64" \
			>"$dir/hvsim.log" 2>&1 &
	else
		"${prt[@]}" "$hvsim" --socket "$dir/s" --ctl "$dir/c" --nics 1 \
			--name perf --port "gen,len=$(($1 - 4)),flows=64" \
			>"$dir/hvsim.log" 2>&1 &
	fi
	hvpid=$!
	for _ in $(seq 200); do [ -S "$dir/s" ] && [ -S "$dir/c" ] && return 0; sleep 0.05; done
	echo "perf: hvsim did not start" >&2
	cat "$dir/hvsim.log" >&2
	return 1
}
host_stop() {
	timeout -s KILL 5 "$hvsim" ctl "$dir/c" quit >/dev/null 2>&1
	for _ in $(seq 100); do kill -0 "$hvpid" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$hvpid" 2>/dev/null
	wait "$hvpid" 2>/dev/null
	hvpid=
}
ctl_stats() {	# ctl_stats FILE: "<ns since epoch> <hvsim ctl stats 0>"
	local t s
	t=$(date +%s%N)
	s=$(timeout -s KILL 5 "$hvsim" ctl "$dir/c" stats 0 2>&1)
	echo "$t $s" >"$1"
}
wait_for() {	# wait_for FILE PATTERN SECONDS [COUNT]: COUNT lines match
	local end=$((SECONDS + $3)) n
	while [ $SECONDS -lt $end ]; do
		n=$(grep -c -- "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "${4:-1}" ] && return 0
		kill -0 "$tppid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Every process of testpmd's group (timeout and testpmd) and hvsim
# stopped (SIGSTOP) or running again (SIGCONT): while a ceiling runs the
# point takes no CPU at all, not even hvsim's idle wake-ups.
point_signal() {	# point_signal STOP|CONT
	kill -s "$1" -- "-$tppid" "$hvpid" 2>/dev/null || return 1
	[ "$1" = CONT ] && return 0
	local pid st _ i
	for i in $(seq 100); do
		st=T
		for pid in $(pgrep -g "$tppid") "$hvpid"; do
			read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null || continue
			[ "$st" = T ] || break
		done
		[ "$st" = T ] && return 0
		sleep 0.01
	done
	return 1
}

# One forwarding ceiling run, placed as the 1-lcore points (host thread
# on CPU 0, the guest polling without sleeping on CPU 1): prints its Mpps
# (nothing when it failed). Its guest announces the largest frame
# net_hvnet announces in NDIS_CONFIG (HVN_NDIS_FRAME, 9014), so hvsim lays
# out its receive buffer as for the points: 9344-byte sections, 1,795 in
# 16 MiB (1514 would give 9,039 of 1,856 bytes, 2.2 to a page).
ceiling_fwd() {	# ceiling_fwd FRAME
	( [ "$ncpu" -ge 2 ] && export TENV_CPUS=0,1
	  TENV_THREADED=1 timeout -s KILL 30 "${rt[@]}" "$fwd_bin" $(($1 - 4)) \
		"${PERF_CEIL_FWD_PKTS:-1000000}" 0 64 \
		"${PERF_CEIL_NDIS_FRAME:-9014}" 2>/dev/null ) |
		sed -n 's/.*mpps=\([0-9.]*\).*/\1/p'
}

# One testpmd point; appends a JSON object to points.jsonl. After the
# warm-up, REPS windows alternate with REPS + 1 forwarding ceilings
# (C P C P ... C), the point frozen while a ceiling runs: a window and
# the two ceilings around it see the same phase of a machine whose speed
# moves by 3x within minutes.
run_point() {	# run_point FRAME QUEUES LCORES
	local frame=$1 nq=$2 nl=$3 lc hvcpu p=$dir/pt rc i ok=1
	prt=("${rt[@]}")
	if [ "$nl" -eq 1 ]; then
		# main lcore on CPU 0 (it sleeps in the command line),
		# forwarding lcore on CPU 1, hvsim's host thread on CPU 0.
		lc="-l 0-1"
		hvcpu=0
	elif [ "$ncpu" -ge $((nl + 1)) ]; then
		lc="-l 0-$nl"
		hvcpu=$nl
	else
		# Not enough CPUs: forwarding lcores on every CPU, hvsim
		# wherever the scheduler puts it (oversubscribed; never at
		# FIFO priority, where a spinning thread never lets another
		# of its CPU run). Explicitly normal: under PERF_RT this
		# script's FIFO priority would be inherited.
		lc="--lcores=0@0"
		for i in $(seq 1 "$nl"); do lc+=",$i@$(( (i - 1) % ncpu ))"; done
		hvcpu=
		prt=()
		[ ${#rt[@]} -gt 0 ] && prt=(chrt -o 0)
	fi
	rm -f "$p".*
	[ -n "${PERF_DEVARGS:-}" ] &&
		lc+=" -a hvbus:${PERF_NIC_GUID:-69737668-006d-494e-8043-00155d000000},$PERF_DEVARGS"
	host_start "$frame" "$hvcpu" || return 1
	mkfifo "$p.in"
	# timeout makes its own process group (point_signal stops it whole);
	# its clock runs on while the point is frozen for the ceilings.
	# Line-buffered output: the script sees a "show port stats" served
	# before it freezes the point.
	# shellcheck disable=SC2086
	timeout -s KILL "$(awk -v w="$warm" -v n="$reps" -v x="$win" \
		'BEGIN { printf "%d", w + n * (x + 1) + (n + 1) * 30 + 60 }')" \
		"${prt[@]}" stdbuf -oL "$testpmd" \
		"${HVNET_PLUGIN_ARGS[@]}" --vdev="hvbus_sim,socket=$dir/s" --no-huge -m 512 --no-pci --no-shconf \
		--file-prefix="hvnet-perf-$$" $lc -- -i --total-num-mbufs=16384 \
		--txd=1024 --rxd=512 --rxq="$nq" --txq="$nq" --nb-cores="$nl" \
		--forward-mode=io <"$p.in" >"$p.log" 2>&1 &
	tppid=$!
	exec 3>"$p.in"
	if ! wait_for "$p.log" "testpmd> " 40; then
		echo "perf: testpmd did not come up (frame $frame, ${nq}q/${nl}l)" >&2
		tail -20 "$p.log" >&2
		exec 3>&-
		kill -9 -- "-$tppid" "$tppid" 2>/dev/null; wait "$tppid" 2>/dev/null; tppid=
		host_stop
		return 1
	fi
	echo "start" >&3
	sleep "$warm"
	for i in $(seq 0 "$reps"); do
		# A ceiling, the point frozen. A window's closing show must
		# have been served before the freeze, or the window would
		# span it.
		if [ "$i" -gt 0 ] && ! wait_for "$p.log" "Tx-pps:" 10 $((2 * i)); then
			echo "perf: testpmd did not show its statistics" >&2
			ok=0
			break
		fi
		if ! point_signal STOP; then
			echo "perf: could not stop the point for a ceiling" >&2
			point_signal CONT
			ok=0
			break
		fi
		ceiling_fwd "$frame" >"$p.cf$i"
		point_signal CONT
		[ "$i" -eq "$reps" ] && break
		sleep "$settle"
		echo "show port stats 0" >&3
		ctl_stats "$p.o$i"
		sleep "$win"
		echo "show port stats 0" >&3
		ctl_stats "$p.e$i"
	done
	echo "stop" >&3
	echo "quit" >&3
	exec 3>&-
	wait "$tppid"
	rc=$?
	tppid=
	ctl_stats "$p.c2"
	host_stop
	[ "$ok" = 1 ] && python3 "$here/perf/report.py" point "$p" "$frame" "$nq" "$nl" "$rc" \
		"$win" "${lc}" "$reps" >>"$dir/points.jsonl" || {
		echo "perf: frame $frame, ${nq}q/${nl}l: no valid measurement" >&2
		tail -20 "$p.log" >&2
		return 1
	}
	tail -n1 "$dir/points.jsonl" | python3 "$here/perf/report.py" progress >&2
}

# hvsim's generator ceiling for one frame size: best of three.
ceiling() {	# ceiling FRAME -> Mpps
	local best=0 v i
	for i in 1 2 3; do
		v=$(TENV_THREADED=1 timeout -s KILL 60 "${rt[@]}" "$ceil_bin" \
			$(($1 - 4)) "${PERF_CEIL_PKTS:-2000000}" 2>/dev/null |
			sed -n 's/.*mpps=\([0-9.]*\).*/\1/p')
		[ -n "$v" ] && best=$(awk -v a="$best" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
	done
	echo "$best"
}

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1 /proc/loadavg)
echo "perf: frames {$sizes} x configs {$configs} (queues x forwarding lcores), warm-up ${warm}s, $reps windows of ${win}s between forwarding ceilings; $ncpu CPUs, load $load0" >&2
fail=0
for s in $sizes; do
	c=$(ceiling "$s")
	# callgrind is deterministic: no reason to take a CPU from others.
	read -r rxi txi cgp < <(if [ ${#rt[@]} -gt 0 ]; then chrt -o -p 0 $BASHPID >/dev/null; fi
		perf_cg_measure "$cg_bin" "$s" "$dir") || { rxi=; txi=; cgp=; }
	[ -n "$rxi" ] || { fail=1; rxi=null; txi=null; cgp=0; }
	echo "{\"frame\": $s, \"ceiling_mpps\": ${c:-null}, \"rx_instr_per_pkt\": $rxi, \"tx_instr_per_pkt\": $txi, \"cg_pkts\": $cgp}" >>"$dir/sizes.jsonl"
	echo "perf: frame $s: hvsim ceiling $c Mpps; guest instructions/frame rx $rxi, tx $txi (callgrind)" >&2
	for cfg in $configs; do
		run_point "$s" "${cfg%x*}" "${cfg#*x}" || fail=1
	done
done
for f in "$dir"/cg.*.rx.1 "$dir"/cg.*.tx.1; do [ -f "$f" ] && cp "$f" "$build/bench/perf.callgrind.$(basename "$f" .1 | cut -d. -f2-)"; done
python3 "$here/perf/report.py" assemble "$build" "$dir" "$started" "$load0" \
	"$(cut -d' ' -f1 /proc/loadavg)" "$warm" "$win" "$reps" || fail=1
exit $fail
