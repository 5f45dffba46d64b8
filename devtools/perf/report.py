#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Parsing, JSON assembly, tables and the plot of devtools/perf.sh and
# devtools/perf-check.sh. Subcommands:
#   point PREFIX FRAME QUEUES LCORES RC WINDOW LCORESPEC REPS -> a JSON line
#   progress                  (a point line on stdin -> one human line)
#   assemble BUILDDIR DIR STARTED LOAD0 LOAD1 WARM WINDOW REPS
#   check BASELINE CURRENT    (exit 1 when a count is > 5 % above baseline)
#   baseline CURRENT OUT COMMIT

import json
import os
import re
import subprocess
import sys

L1_OVERHEAD = 20	# preamble + start delimiter (8) + inter-frame gap (12)
TOLERANCE = 0.05
BURST = 32


def parse_ctl(path):
	with open(path) as f:
		words = f.read().split()
	out = {"t_ns": int(words[0])}
	for w in words[1:]:
		k, sep, v = w.partition("=")
		if sep and v.isdigit():
			out[k] = int(v)
	return out


def nic_blocks(log):
	blocks = []
	for part in log.split("NIC statistics for port 0")[1:]:
		b = {}
		for key in ("RX-packets", "TX-packets", "Rx-pps", "Tx-pps"):
			m = re.search(key + r":\s*(\d+)", part)
			if m:
				b[key] = int(m.group(1))
		blocks.append(b)
	return blocks


def fwd_total(log, key):
	i = log.rfind("Forward statistics for port 0")
	if i < 0:
		return None
	m = re.search(key + r":\s*(\d+)", log[i:])
	return int(m.group(1)) if m else None


def median(v):
	v = sorted(v)
	n = len(v)
	return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def read_mpps(path):	# a ceiling run's Mpps (None: the run failed)
	try:
		with open(path) as f:
			w = f.read().strip()
		return float(w) if w else None
	except (OSError, ValueError):
		return None


def cmd_point(prefix, frame, nq, nl, rc, window, lcspec, reps):
	"""REPS windows, each opened and closed by a 'show port stats 0'
	(testpmd's Tx-pps at the close is the window's rate) and by hvsim's
	counters (PREFIX.oI, PREFIX.eI), with REPS + 1 forwarding ceilings
	around them (PREFIX.cfI: ceiling I ran before window I)."""
	with open(prefix + ".log", errors="replace") as f:
		log = f.read()
	reps = int(reps)
	blocks = nic_blocks(log)
	if reps < 1 or len(blocks) < 2 * reps or \
	   any("Tx-pps" not in b for b in blocks[:2 * reps]):
		return 1
	opens = [parse_ctl("%s.o%d" % (prefix, i)) for i in range(reps)]
	ends = [parse_ctl("%s.e%d" % (prefix, i)) for i in range(reps)]
	c2 = parse_ctl(prefix + ".c2")
	ceils = [read_mpps("%s.cf%d" % (prefix, i)) for i in range(reps + 1)]
	tx_total = fwd_total(log, "TX-packets")
	rx_total = fwd_total(log, "RX-packets")
	tx_dropped = fwd_total(log, "TX-dropped")
	frame = int(frame)
	wins, raw = [], []
	for i in range(reps):
		b0, b1 = blocks[2 * i], blocks[2 * i + 1]
		mpps = b1["Tx-pps"] / 1e6
		if mpps <= 0:
			return 1
		raw.append(mpps)
		cb, ca = ceils[i], ceils[i + 1]
		w = {"mpps": round(mpps, 3), "rx_mpps": round(b1.get("Rx-pps", 0) / 1e6, 3),
		     "tx_pkts": b1["TX-packets"] - b0["TX-packets"],
		     "ceiling_before": cb, "ceiling_after": ca,
		     "ceiling_fwd_pct": round(mpps / ((cb + ca) / 2) * 100, 1)
			if cb and ca else None}
		wins.append(w)
	# The host's own clock at each reading (now_ns) when it gives one:
	# the script's clock, read before "hvsim ctl" starts, adds the
	# client's start-up, a tenth of a 0.5 s window on a loaded machine.
	clock = "now_ns" if all("now_ns" in c for c in opens + ends) else "t_ns"
	secs = sum(e[clock] - o[clock] for o, e in zip(opens, ends)) / 1e9

	def delta(k):	# counter k summed over the windows (None: absent)
		if all(k in o and k in e for o, e in zip(opens, ends)):
			return sum(e[k] - o[k] for o, e in zip(opens, ends))
		return None

	def ratio(a, b, nd):
		return round(a / b, nd) if a is not None and b else None
	# The row's rate: every window's frames over every window's time.
	win_s = [w["tx_pkts"] / m / 1e6 for w, m in zip(wins, raw)]
	mpps = sum(w["tx_pkts"] for w in wins) / sum(win_s) / 1e6
	host = (delta("tx_pkts") or 0) / secs / 1e6 if secs > 0 else 0.0
	pcts = [w["ceiling_fwd_pct"] for w in wins
		if w["ceiling_fwd_pct"] is not None]
	good = [c for c in ceils if c]
	row = {
		"frame": frame, "queues": int(nq), "lcores": int(nl),
		"lcore_map": lcspec,
		"mpps": round(mpps, 3),
		"gbps": round(mpps * (frame + L1_OVERHEAD) * 8 / 1e3, 3),
		"rx_mpps": round(sum(w["rx_mpps"] * s for w, s in zip(wins, win_s))
				 / sum(win_s), 3),
		"window_s": float(window),
		"windows": reps,
		"window_tx_pkts": sum(w["tx_pkts"] for w in wins),
		"host_sink_mpps": round(host, 3),
		"xcheck_pct": round((host - mpps) / mpps * 100, 1),
		"testpmd_tx_total": tx_total,
		"host_sink_total": c2.get("tx_pkts"),
		"totals_match": tx_total is not None and
			tx_total == c2.get("tx_pkts"),
		"testpmd_clean_exit": int(rc) == 0 and "\nBye" in log,
		# Frames received and then refused by the transmit path (io
		# forwarding frees them), over the whole point: receive work
		# the host and the guest did for nothing.
		"tx_dropped_pct": ratio(tx_dropped * 100 if tx_dropped is not None
					else None, rx_total, 1),
		# The forwarding ceiling of this point: the mean of its runs
		# (C P C ... C); the share is the median over the windows of
		# each window's rate over the mean of the two ceilings around
		# it, so a phase of the machine is compared with itself. The
		# windows and runs are kept: a wide spread says the machine
		# changed speed while the point ran.
		"ceiling_fwd_mpps": round(sum(good) / len(good), 3) if good
			else None,
		"ceiling_fwd_pct": round(median(pcts), 1)
			if len(pcts) == reps else None,
		"ceiling_fwd_pct_min": min(pcts) if pcts else None,
		"ceiling_fwd_pct_max": max(pcts) if pcts else None,
		"ceiling_fwd_runs_mpps": ceils,
		"fwd_windows": wins,
		# The host's side of the windows: who waits for whom (iterations
		# of its thread that found nothing to do) and how the frames
		# came and went (per guest request, per transfer-page packet).
		"host_idle_pct": ratio(delta("host_polls_idle") * 100
				       if delta("host_polls_idle") is not None
				       else None, delta("host_polls"), 1),
		# ... and of time: an iteration that finds work may last
		# milliseconds (GPA-direct frames read one syscall each).
		"host_busy_pct": ratio(delta("host_busy_ns") * 100
				       if delta("host_busy_ns") is not None
				       else None, secs * 1e9, 1),
		"host_sleeps_per_s": ratio(delta("host_sleeps"), secs, 0),
		"frames_per_request": ratio(delta("tx_pkts"),
					    delta("tx_requests"), 2),
		"frames_per_batch": ratio(delta("rx_pkts"),
					  delta("rx_batches"), 1),
	}
	print(json.dumps(row))
	return 0


def fwd_share(r):	# "median [min-max]" of a row's windows, or "-"
	if r.get("ceiling_fwd_pct") is None:
		return "-"
	if r.get("windows", 1) < 2:
		return "%.1f" % r["ceiling_fwd_pct"]
	return "%.1f [%.1f-%.1f]" % (r["ceiling_fwd_pct"],
				     r["ceiling_fwd_pct_min"],
				     r["ceiling_fwd_pct_max"])


def cmd_progress():
	r = json.loads(sys.stdin.readline())
	print("perf: frame %4d %dq/%dl: %7.3f Mpps %7.3f Gbit/s (hvsim sink %.3f Mpps, %+.1f %%; totals %s; host busy %s %% of the time, idle in %s %% of its iterations; tx dropped %s %%); windows %s Mpps, forwarding ceilings %s Mpps: %s %% of the ceiling"
	      % (r["frame"], r["queues"], r["lcores"], r["mpps"], r["gbps"],
		 r["host_sink_mpps"], r["xcheck_pct"],
		 "match" if r["totals_match"] else "DIFFER",
		 r.get("host_busy_pct"), r.get("host_idle_pct"),
		 r.get("tx_dropped_pct"),
		 " ".join("%.3f" % w["mpps"] for w in r["fwd_windows"]),
		 " ".join("-" if c is None else "%.3f" % c
			  for c in r["ceiling_fwd_runs_mpps"]),
		 fwd_share(r)))
	return 0


def table(header, rows):
	w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else
	     len(str(h)) for i, h in enumerate(header)]
	sep = "+" + "+".join("-" * (x + 2) for x in w) + "+"
	out = [sep, "| " + " | ".join(str(h).rjust(x) for h, x in zip(header, w)) + " |",
	       sep.replace("-", "=")]
	for r in rows:
		out.append("| " + " | ".join(str(v).rjust(x) for v, x in zip(r, w)) + " |")
		out.append(sep)
	return "\n".join(out)


def read_jsonl(path):
	with open(path) as f:
		return [json.loads(l) for l in f if l.strip()]


def profile(dump_self, pkts, top=12):
	"""Top functions by self cost per frame from callgrind_annotate."""
	out = []
	try:
		with open(dump_self) as f:
			lines = f.read().splitlines()
	except OSError:
		return out
	start = False
	for l in lines:
		if "file:function" in l:
			start = True
			continue
		if not start:
			continue
		m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*)$", l)
		if not m:
			if out:
				break
			continue
		if float(m.group(2)) >= 99.99:	# main and below: the whole run
			continue
		fn = m.group(3)
		fn = re.sub(r"\s+\[.*\]$", "", fn)
		fn = fn.split("/")[-1]
		out.append({"function": fn,
			    "instr_per_pkt": round(int(m.group(1).replace(",", "")) / pkts, 1),
			    "share_pct": float(m.group(2))})
		if len(out) == top:
			break
	return out


def machine():
	cpu = "unknown"
	try:
		with open("/proc/cpuinfo") as f:
			for l in f:
				if l.startswith("model name"):
					cpu = l.split(":", 1)[1].strip()
					break
	except OSError:
		pass
	return {"cpu": cpu, "cpus": os.cpu_count(), "kernel": os.uname().release}


def epoch_share(build, rows, sizes):
	"""Reclamation cost per burst (bench-epoch) against the measured cost of
	one forwarding burst (one rx + one tx burst of 32 frames)."""
	path = os.environ.get("PERF_EPOCH_JSON") or \
		os.path.join(build, "bench", "epoch.json")
	try:
		with open(path) as f:
			ep = json.load(f)
	except (OSError, ValueError):
		return None
	s = {x["name"]: x for x in ep.get("schemes", [])}
	if "epoch" not in s:
		return None
	e = s["epoch"]
	instr = e.get("instr_overhead")
	ns = e.get("overhead_ns_empty")
	out = {"source": path, "epoch_instr_per_burst": instr,
	       "epoch_ns_per_burst_empty": ns, "rows": []}
	for r in rows:
		if r["queues"] != 1 or not r.get("instr_per_pkt"):
			continue
		fwd_instr = r["instr_per_pkt"] * BURST
		fwd_ns = BURST * 1e3 / r["mpps"]
		out["rows"].append({
			"frame": r["frame"],
			"burst_instr": round(fwd_instr),
			"burst_ns": round(fwd_ns, 1),
			# an rx and a tx burst each enter and leave once
			"instr_share_pct": round(2 * instr / fwd_instr * 100, 3)
				if instr is not None else None,
			"ns_share_pct": round(2 * ns / fwd_ns * 100, 3)
				if ns is not None else None})
	return out


def plot(build, doc):
	"""Two panels: Mpps per configuration with hvsim's ceiling (log scale,
	they are an order of magnitude apart), and the guest's instructions
	per frame (rx, tx, sum) from callgrind."""
	data = os.path.join(build, "bench", "perf.dat")
	svg = os.path.join(build, "bench", "perf.svg")
	cfgs = sorted({(r["queues"], r["lcores"]) for r in doc["rows"]})
	na = lambda v: "NaN" if v is None else v
	with open(data, "w") as f:
		f.write("# frame ceiling_mpps rx_instr tx_instr instr "
			"ceiling_fwd_mpps\n")
		for x in doc["instr"]:
			rs = [r for r in doc["rows"] if r["frame"] == x["frame"]]
			r0 = next((r for r in rs if (r["queues"], r["lcores"])
				   == (1, 1)), rs[0] if rs else {})
			f.write("%d %s %s %s %s %s\n" % (x["frame"],
				na(r0.get("ceiling_mpps")),
				na(x["rx_instr_per_pkt"]), na(x["tx_instr_per_pkt"]),
				na(x["instr_per_pkt"]),
				na(r0.get("ceiling_fwd_mpps"))))
		for q, l in cfgs:
			f.write("\n\n# %dq/%dl: frame mpps\n" % (q, l))
			for r in sorted((r for r in doc["rows"]
					 if (r["queues"], r["lcores"]) == (q, l)),
					key=lambda r: r["frame"]):
				f.write("%d %s\n" % (r["frame"], r["mpps"]))
	plots = ["'%s' index 0 using 1:2 with linespoints dt 2 lw 2 title "
		 "'hvsim ceiling (generator -> minimal guest)'" % data,
		 "'%s' index 0 using 1:6 with linespoints dt 3 lw 2 title "
		 "'hvsim forwarding ceiling (reflecting guest)'" % data]
	for i, (q, l) in enumerate(cfgs):
		plots.append("'%s' index %d using 1:2 with linespoints lw 2 title "
			     "'testpmd io, %d queue%s / %d lcore%s%s'"
			     % (data, i + 1, q, "s" if q > 1 else "", l,
				"s" if l > 1 else "",
				" (oversubscribed)" if l + 1 > (os.cpu_count() or 1)
				else ""))
	script = "\n".join([
		"set terminal svg size 900,760 dynamic font 'sans,11'",
		"set output '%s'" % svg,
		"set multiplot layout 2,1 title \"net\\\\_hvnet: stock testpmd io "
		"forwarding against the hvsim generator\\n%s, load %s-%s (shared "
		"%d-CPU machine: rates are noisy; instruction counts are stable)\""
		% (doc["date"], doc["load_start"], doc["load_end"], os.cpu_count()),
		"set logscale x 2", "set xtics (64,128,256,512,1024,1518) rotate by -30",
		"set grid", "set key inside top right font ',9'",
		"set xlabel 'frame size, bytes (with FCS)'",
		"set ylabel 'Mpps (log scale)'", "set logscale y",
		"set yrange [0.01:1000]",
		"plot " + ", ".join(plots),
		"unset logscale y", "set yrange [0:*]", "set key inside bottom right",
		"set ylabel 'guest instructions per frame'",
		"plot '%s' index 0 using 1:3 with linespoints lw 2 title 'hvn\\_rx\\_burst', "
		"'%s' index 0 using 1:4 with linespoints lw 2 title 'hvn\\_tx\\_burst', "
		"'%s' index 0 using 1:5 with linespoints lw 2 title 'rx + tx (callgrind)'"
		% (data, data, data),
		"unset multiplot", ""])
	gp = os.path.join(build, "bench", "perf.gp")
	with open(gp, "w") as f:
		f.write(script)
	try:
		subprocess.run(["gnuplot", gp], check=True, timeout=60,
			       stderr=subprocess.PIPE)
		return svg
	except (OSError, subprocess.SubprocessError) as e:
		print("perf: gnuplot failed: %s" % e, file=sys.stderr)
		return None


def cmd_assemble(build, d, started, load0, load1, warm, window, reps):
	sizes = {s["frame"]: s for s in read_jsonl(os.path.join(d, "sizes.jsonl"))}
	points = read_jsonl(os.path.join(d, "points.jsonl"))
	rows = []
	for p in points:
		s = sizes.get(p["frame"], {})
		rx, tx = s.get("rx_instr_per_pkt"), s.get("tx_instr_per_pkt")
		ceil = s.get("ceiling_mpps")
		r = dict(p)
		r["ceiling_mpps"] = ceil
		r["ceiling_pct"] = round(p["mpps"] / ceil * 100, 1) if ceil else None
		r["rx_instr_per_pkt"] = rx
		r["tx_instr_per_pkt"] = tx
		r["instr_per_pkt"] = round(rx + tx, 1) if rx is not None and tx is not None else None
		rows.append(r)
	ncpu = os.cpu_count()
	doc = {
		"bench": "perf",
		"what": "stock dpdk-testpmd io forwarding over net_hvnet (plugins) "
			"against an hvsim daemon generator/sink; mpps = frames sent "
			"to hvsim's sink per second over the measured window "
			"(testpmd Tx-pps between two 'show port stats'); gbps at "
			"line rate: (frame + 20 B preamble/IFG) * 8; frame includes "
			"the 4-byte FCS (hvsim len = frame - 4); ceiling = hvsim "
			"generator -> minimal guest, host on its own thread, same run; "
			"ceiling_fwd = hvsim generator + sink + transmit completions "
			"against a minimal reflecting guest (bench_hvsim_fwd), host "
			"thread on CPU 0 and the guest polling without sleeping on "
			"CPU 1 (as the 1-lcore points), run inside each point "
			"between its windows (C P C P C P C, the point stopped "
			"meanwhile); ceiling_fwd_mpps = the mean of a point's runs; "
			"ceiling_fwd_pct = the median over its windows of the "
			"window's rate over the mean of the ceilings just before and "
			"after it (fwd_windows, ceiling_fwd_runs_mpps, "
			"ceiling_fwd_pct_min/max keep the spread); host_idle_pct: "
			"hvsim's host-thread iterations without work in the window; "
			"host_busy_pct: its time in iterations with work over the "
			"window's time; "
			"instr_per_pkt = callgrind guest instructions per forwarded "
			"frame in hvn_rx_burst + hvn_tx_burst (deterministic run)",
		"date": started,
		"machine": machine(),
		"load_start": float(load0), "load_end": float(load1),
		# PERF_RT=1: hvsim, testpmd and the ceilings at SCHED_FIFO
		# (the rest of the machine's load mostly held off).
		"sched": "fifo" if os.environ.get("PERF_RT") == "1" else "other",
		"warmup_s": float(warm), "window_s": float(window),
		"windows": int(reps),
		"note": "wall-clock rates are noisy on a shared %d-CPU machine; the "
			"callgrind instruction counts are the stable figure" % ncpu,
		"rows": rows,
		"instr": [{"frame": f, "rx_instr_per_pkt": s["rx_instr_per_pkt"],
			   "tx_instr_per_pkt": s["tx_instr_per_pkt"],
			   "instr_per_pkt": round(s["rx_instr_per_pkt"] + s["tx_instr_per_pkt"], 1)
				if s["rx_instr_per_pkt"] is not None else None,
			   "callgrind_pkts": s["cg_pkts"]}
			  for f, s in sorted(sizes.items())],
		"profile": {},
	}
	for f in (64, 1518):
		if f in sizes and sizes[f]["cg_pkts"]:
			for path in ("rx", "tx"):
				doc["profile"]["%d_%s" % (f, path)] = profile(
					os.path.join(d, "cg.%d.%s.self" % (f, path)),
					sizes[f]["cg_pkts"])
	es = epoch_share(build, rows, sizes)
	if es:
		doc["epoch"] = es
	out = os.path.join(build, "bench", "perf.json")
	svg = plot(build, doc)
	doc["plot"] = svg
	with open(out, "w") as f:
		json.dump(doc, f, indent=1)
		f.write("\n")
	hdr = ["Frame", "Queues", "Lcores", "Mpps", "Gbit/s", "hvsim sink Mpps",
	       "Ceiling Mpps", "% ceiling", "Fwd ceiling", "% fwd ceiling",
	       "instr/pkt rx", "instr/pkt tx",
	       "instr/pkt"]
	tab = table(hdr, [[r["frame"], r["queues"], r["lcores"],
			   "%.3f" % r["mpps"], "%.3f" % r["gbps"],
			   "%.3f" % r["host_sink_mpps"],
			   "%.3f" % r["ceiling_mpps"] if r["ceiling_mpps"] else "-",
			   "%.1f" % r["ceiling_pct"] if r["ceiling_pct"] is not None else "-",
			   "%.3f" % r["ceiling_fwd_mpps"] if r["ceiling_fwd_mpps"] else "-",
			   fwd_share(r),
			   r["rx_instr_per_pkt"], r["tx_instr_per_pkt"],
			   r["instr_per_pkt"]] for r in sorted(
			   rows, key=lambda r: (r["frame"], r["queues"], r["lcores"]))])
	notes = [
		"",
		"net_hvnet performance, %s, %s (%d CPUs), load %s at start, %s at end"
		% (started, doc["machine"]["cpu"], ncpu, load0, load1),
		"Frame sizes include the FCS; Gbit/s at line rate, counting 20 B of "
		"preamble and inter-frame gap per frame.",
		"Mpps: testpmd Tx-pps over %s windows of %ss after %ss of warm-up; "
		"hvsim sink Mpps: the same windows from hvsim's counters." % (reps, window, warm),
		"Fwd ceiling: hvsim forwarding against a minimal reflecting guest, "
		"run before and after each window with the point stopped (mean of "
		"the runs); % fwd ceiling: median [min-max] over the windows of "
		"the window's rate over the mean of the two ceilings around it.",
		"Ceiling: hvsim generator -> minimal guest (host thread + guest "
		"thread), same run; instr/pkt: callgrind, guest only, deterministic.",
		"NOTE: the machine is shared and has %d CPUs; hvsim's host thread "
		"needs a CPU of its own, so configurations with %d+ forwarding "
		"lcores are oversubscribed. Wall-clock figures are noisy; the "
		"instruction counts are the stable figure." % (ncpu, ncpu),
	]
	bad = [r for r in rows if not r["totals_match"] or not r["testpmd_clean_exit"]]
	for r in bad:
		notes.append("WARNING: frame %d %dq/%dl: testpmd sent %s frames in "
			     "total, hvsim's sink counted %s%s" % (
				r["frame"], r["queues"], r["lcores"],
				r["testpmd_tx_total"], r["host_sink_total"],
				"" if r["testpmd_clean_exit"] else
				"; testpmd did not exit cleanly"))
	noceil = [r for r in rows if None in r["ceiling_fwd_runs_mpps"]]
	for r in noceil:
		notes.append("WARNING: frame %d %dq/%dl: a forwarding ceiling run "
			     "failed (%s)" % (r["frame"], r["queues"], r["lcores"],
					      r["ceiling_fwd_runs_mpps"]))
	bad += noceil
	if es:
		notes.append("Reclamation (epoch, %s): %s instructions per burst "
			     "over never_free; one forwarding burst (rx + tx, "
			     "32 frames) here: %s"
			     % (es["source"], es["epoch_instr_per_burst"],
				", ".join("%d B: %d instr, %.0f ns -> %.3f %% of "
					  "instructions" % (x["frame"], x["burst_instr"],
							     x["burst_ns"], x["instr_share_pct"])
					  for x in es["rows"])))
	text = tab + "\n" + "\n".join(notes) + "\n"
	with open(os.path.join(build, "bench", "perf.txt"), "w") as f:
		f.write(text)
	print(text)
	print("perf: wrote %s%s" % (out, " and " + svg if svg else ""))
	return 1 if bad or not rows else 0


def cmd_check(base_path, cur_path):
	with open(base_path) as f:
		base = {r["frame"]: r for r in json.load(f)["rows"]}
	cur = {r["frame"]: r for r in read_jsonl(cur_path)}
	rows, offending = [], []
	# Frames not measured in this run (PERF_SIZES) are not compared;
	# perf-check.sh already fails when a measurement itself failed.
	for frame in sorted(cur):
		b, c = base.get(frame), cur.get(frame)
		for k, name in (("rx_instr_per_pkt", "rx"), ("tx_instr_per_pkt", "tx"),
				("instr_per_pkt", "rx+tx")):
			bv = b.get(k) if b else None
			cv = c.get(k) if c else None
			if bv is None or cv is None:
				d, verdict = "-", "NO BASELINE"
			else:
				d = (cv - bv) / bv * 100
				verdict = "FAIL" if cv > bv * (1 + TOLERANCE) else "ok"
				d = "%+.2f" % d
			row = [frame, name, bv if bv is not None else "-",
			       cv if cv is not None else "-", d, verdict]
			rows.append(row)
			if verdict != "ok":
				offending.append(row)
	hdr = ["Frame", "Path", "Baseline instr/pkt", "Now instr/pkt", "Change %", "Verdict"]
	print(table(hdr, rows))
	if offending:
		print("\nperf-check: FAIL: %d count(s) more than %d %% above the "
		      "baseline (%s) or missing:" % (len(offending),
						   TOLERANCE * 100, base_path))
		print(table(hdr, offending))
		return 1
	print("\nperf-check: PASS: every count within +%d %% of %s"
	      % (TOLERANCE * 100, base_path))
	return 0


def cmd_baseline(cur_path, out, commit, date):
	rows = read_jsonl(cur_path)
	doc = {"what": "guest instructions per forwarded frame in hvn_rx_burst "
		       "and hvn_tx_burst (callgrind, test/perf/perf_cg, one queue, "
		       "full 32-frame bursts, host pumped in the same thread); "
		       "devtools/perf-check.sh fails when a count is more than 5 % "
		       "above this",
	       "date": date, "commit": commit, "rows": rows}
	with open(out, "w") as f:
		json.dump(doc, f, indent=1)
		f.write("\n")
	print("perf-check: wrote baseline %s" % out)
	return 0


def main(a):
	if not a:
		return 2
	c = a[0]
	if c == "point" and len(a) == 9:
		return cmd_point(*a[1:])
	if c == "progress":
		return cmd_progress()
	if c == "assemble" and len(a) == 9:
		return cmd_assemble(*a[1:])
	if c == "check" and len(a) == 3:
		return cmd_check(a[1], a[2])
	if c == "baseline" and len(a) == 5:
		return cmd_baseline(*a[1:])
	print("report.py: bad arguments %s" % a, file=sys.stderr)
	return 2


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
