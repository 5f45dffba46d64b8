#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make matrix: hvnet against every DPDK LTS in the tarball directory.
# For each release series, the tarball is checked against SHA256SUMS, a
# minimal DPDK (testpmd, stock bus_vmbus and net_netvsc, driver-SDK
# headers) is built and installed under BUILDDIR/matrix/<version>/prefix,
# hvnet is built against it in BUILDDIR/matrix/<version>/hvnet, and the
# suites run there with that version's own dpdk-testpmd and stock
# net_netvsc. Debian's 22.11 is make test's row. Prints a table version x
# suite and writes BUILDDIR/matrix.json.
#
# A finished DPDK install is reused while its stamp (tarball hash, build
# options) matches. Fails on a missing or corrupt tarball, on any failed
# suite, and when no suite passed.
#
# Environment: DPDK_TARBALLS (default: ../shared/dpdk beside the
# checkout), MATRIX_SERIES ("23.11 24.11 25.11"), MATRIX_SUITES ("unit pmd
# testpmd rescind fidelity install").
#
# usage: buildtools/matrix.sh BUILDDIR
#        buildtools/matrix.sh BUILDDIR --build SERIES
#   (the second form only builds DPDK SERIES and hvnet against it, logs
#   on stderr, and prints hvnet's build directory: make bench-vs-netvsc)
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd -P)
build=${1:?usage: matrix.sh BUILDDIR [--build SERIES]}
mkdir -p "$build" && build=$(cd "$build" && pwd -P) || exit 1
tarballs=${DPDK_TARBALLS:-$src/../shared/dpdk}
series=${MATRIX_SERIES:-23.11 24.11 25.11}
build_only=
if [ "${2:-}" = --build ]; then
	build_only=1
	series=${3:?usage: matrix.sh BUILDDIR --build SERIES}
	exec 3>&1 1>&2
fi
suites=${MATRIX_SUITES:-unit pmd testpmd rescind fidelity install}
top=$build/matrix
results=$top/results.tsv

die() { echo "matrix: error: $*" >&2; exit 1; }
note() { echo "matrix: $*"; }

# What a DPDK install holds; part of the stamp, so a change rebuilds.
# platform=generic: the ISA baseline distributions use (corei7, as Debian's
# 22.11), so callgrind runs and results do not depend on the build machine.
dpdk_opts=(-Ddefault_library=shared -Dplatform=generic -Denable_driver_sdk=true -Dtests=false
	-Denable_docs=false -Denable_apps=test-pmd
	-Denable_drivers=bus/vdev,bus/vmbus,mempool/ring,net/ring,net/netvsc,net/null
	"-Ddisable_libs=*"
	-Denable_libs=ethdev,mbuf,mempool,ring,kvargs,telemetry,net,meter,cmdline,hash,rcu,pci,gro,gso,latencystats,bitratestats,metrics,pdump,bpf,pcapng,gpudev)

# ---- everything checked before anything is built ----
for t in meson ninja pkg-config sha256sum tar xz; do
	command -v "$t" >/dev/null || die "$t not found; run 'make setup'"
done
# DPDK's meson runs python3 with elftools; a python3 earlier in PATH (a
# pyenv shim) may lack it, so DPDK is configured with /usr/bin first.
PATH=/usr/bin:$PATH python3 -c 'import elftools' 2>/dev/null ||
	die "python3 lacks elftools (Debian: python3-pyelftools); run 'make setup'"
[ -d "$tarballs" ] ||
	die "no DPDK tarball directory $tarballs (set DPDK_TARBALLS to the directory holding dpdk-<version>.tar.xz and SHA256SUMS)"
tarballs=$(cd "$tarballs" && pwd -P)
[ -r "$tarballs/SHA256SUMS" ] || die "$tarballs/SHA256SUMS missing"
# EAL refuses to load plugins below a world-writable directory, and each
# DPDK's plugin directory is baked into it at build time.
p=$top
mkdir -p "$p" || exit 1
while :; do
	[ $(( 0$(stat -c %a "$p") & 02 )) -eq 0 ] ||
		die "$p is world-writable: EAL would refuse the plugins of a DPDK installed below it; use a build directory elsewhere"
	[ "$p" = / ] && break
	p=$(dirname "$p")
done

declare -A tarball version
for s in $series; do
	[[ $s =~ ^[0-9][0-9]\.[0-9][0-9]$ ]] || die "MATRIX_SERIES: '$s' is not a release series such as 24.11"
	f=$(cd "$tarballs" && ls dpdk-"$s".*.tar.xz 2>/dev/null | sort -V | tail -1)
	[ -n "$f" ] || die "no DPDK $s tarball (dpdk-$s.N.tar.xz) in $tarballs"
	want=$(awk -v f="$f" '$2 == f || $2 == "*" f {print $1}' "$tarballs/SHA256SUMS")
	[ -n "$want" ] || die "$f is not listed in $tarballs/SHA256SUMS"
	got=$(sha256sum "$tarballs/$f" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$tarballs/$f: SHA256 $got, SHA256SUMS says $want"
	tarball[$s]=$tarballs/$f
	v=${f#dpdk-}
	version[$s]=${v%.tar.xz}
done

# ---- DPDK: build and install once per tarball and options ----
dpdk_install() {	# dpdk_install SERIES -> prints the pkg-config dir
	local s=$1 v=${version[$1]} d=$top/${version[$1]} stamp want pc
	want="$(sha256sum "${tarball[$s]}" | cut -d' ' -f1) ${dpdk_opts[*]}"
	stamp=$d/prefix/.hvnet-matrix-stamp
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		note "DPDK $v: reusing $d/prefix" >&2
	else
		note "DPDK $v: building into $d/prefix (log: $d/dpdk.log)" >&2
		rm -rf "$d"
		mkdir -p "$d/src"
		if ! { tar xJf "${tarball[$s]}" -C "$d/src" --strip-components=1 &&
		       PATH=/usr/bin:$PATH meson setup "$d/dpdk-build" "$d/src" \
				--prefix="$d/prefix" "${dpdk_opts[@]}" &&
		       ninja -C "$d/dpdk-build" &&
		       meson install -C "$d/dpdk-build"; } >"$d/dpdk.log" 2>&1; then
			tail -20 "$d/dpdk.log" >&2
			die "DPDK $v did not build; see $d/dpdk.log"
		fi
		# The install is all the matrix needs from here on.
		rm -rf "$d/src" "$d/dpdk-build"
		echo "$want" >"$stamp"
	fi
	pc=$(dirname "$(find "$d/prefix" -name libdpdk.pc | head -1)")
	[ -f "$pc/libdpdk.pc" ] || die "DPDK $v install has no libdpdk.pc"
	echo "$pc"
}

# ---- hvnet against it ----
hvnet_build() {	# hvnet_build SERIES PKGCONFIGDIR
	local v=${version[$1]} h=$top/${version[$1]}/hvnet pc=$2
	if [ ! -f "$h/build.ninja" ]; then
		note "hvnet against DPDK $v: configuring $h"
		meson setup "$h" "$src" -Dpkg_config_path="$pc" \
			>"$top/$v/hvnet-setup.log" 2>&1 || {
			tail -20 "$top/$v/hvnet-setup.log"
			return 1
		}
	fi
	note "hvnet against DPDK $v: building"
	ninja -C "$h" >"$top/$v/hvnet-build.log" 2>&1 || {
		grep -E 'error|FAILED' "$top/$v/hvnet-build.log" | head -20
		return 1
	}
	# The build must really be against this DPDK.
	grep -qx "DPDK_VERSION='$v'" "$h/dpdk.env" || {
		echo "hvnet in $h is configured against another DPDK:"
		grep DPDK_VERSION "$h/dpdk.env"
		return 1
	}
}

# One line per suite into results.tsv: version, suite, result, reason.
suite_run() {	# suite_run VERSION SUITE
	local v=$1 s=$2 h=$top/$1/hvnet
	note "DPDK $v: suite $s"
	meson test -C "$h" --no-rebuild --print-errorlogs --suite "$s" \
		--logbase "matrix-$s" >"$top/$v/$s.log" 2>&1
	python3 - "$h/meson-logs/matrix-$s.json" "$v" "$s" >>"$results" <<'PY'
import json, sys
path, ver, suite = sys.argv[1:]
ok, bad, skip, why = 0, [], 0, ""
try:
    for line in open(path):
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r["result"] == "SKIP":
            skip += 1
            out = [l for l in r.get("stdout", "").splitlines() if "SKIP" in l]
            why = why or (out[0].strip() if out else r["name"] + " skipped")
        else:
            bad.append(r["name"].split(" / ")[-1])
except FileNotFoundError:
    bad.append("no test log (meson test did not run)")
if bad:
    res, why = "fail", ", ".join(bad)
elif ok:
    res, why = "pass", "%d tests%s" % (ok, ", %d skipped: %s" % (skip, why) if skip else "")
else:
    res = "skip"
    why = why or "no test in this suite"
print("\t".join((ver, suite, res, why.replace("\t", " "))))
PY
	tail -1 "$results" | awk -F'\t' '{print "matrix:   " $3 " (" $4 ")"}'
}

mkdir -p "$top"
if [ -n "$build_only" ]; then
	pc=$(dpdk_install "$series") || exit 1
	hvnet_build "$series" "$pc" || exit 1
	echo "$top/${version[$series]}/hvnet" >&3
	exit 0
fi
: >"$results"
for s in $series; do
	v=${version[$s]}
	pc=$(dpdk_install "$s") || exit 1
	if ! hvnet_build "$s" "$pc"; then
		for t in $suites; do
			printf '%s\t%s\tfail\thvnet did not build against DPDK %s (%s)\n' \
				"$v" "$t" "$v" "$top/$v/hvnet-build.log" >>"$results"
		done
		continue
	fi
	for t in $suites; do
		suite_run "$v" "$t"
	done
done

# ---- the table and matrix.json ----
# Debian's DPDK (the system pkg-config's, not a PKG_CONFIG_PATH one).
system=$(PKG_CONFIG_PATH= pkg-config --modversion libdpdk 2>/dev/null || echo 22.11)
python3 - "$results" "$build/matrix.json" "$suites" "$system" <<'PY'
import json, sys
tsv, out, suites, system = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4]
rows = [{"dpdk": system, "suite": s, "result": "skip",
         "detail": "make test's row: build/ against Debian's DPDK"} for s in suites]
for line in open(tsv):
    v, s, r, why = line.rstrip("\n").split("\t")
    rows.append({"dpdk": v, "suite": s, "result": r, "detail": why})
json.dump(rows, open(out, "w"), indent=1)
versions = list(dict.fromkeys(r["dpdk"] for r in rows))
cell = {(r["dpdk"], r["suite"]): r["result"] for r in rows}
w = max(len(v) for v in versions) + 2
print()
print("DPDK".ljust(w) + "".join(s.ljust(10) for s in suites))
for v in versions:
    if v == system:
        print(v.ljust(w) + "(make test's row: Debian's DPDK in build/)")
        continue
    print(v.ljust(w) + "".join(cell.get((v, s), "-").ljust(10) for s in suites))
notes = [r for r in rows if r["result"] != "pass" and r["dpdk"] != system]
if notes:
    print()
    for r in notes:
        print("  %s %s: %s: %s" % (r["dpdk"], r["suite"], r["result"], r["detail"]))
print()
ran = [r for r in rows if r["dpdk"] != system]
print("matrix: %d pass, %d fail, %d skip -> %s" % (
    sum(r["result"] == "pass" for r in ran), sum(r["result"] == "fail" for r in ran),
    sum(r["result"] == "skip" for r in ran), out))
PY
fails=$(awk -F'\t' '$3 == "fail"' "$results" | wc -l)
passes=$(awk -F'\t' '$3 == "pass"' "$results" | wc -l)
[ "$passes" -gt 0 ] || { echo "matrix: no suite passed" >&2; exit 1; }
[ "$fails" -eq 0 ]
