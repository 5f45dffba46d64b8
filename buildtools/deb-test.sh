#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make deb-test: installs BUILD/deb's hvnet package into a freshly
# bootstrapped Debian 12 with the distro's DPDK (dpdk-dev has the stock
# dpdk-testpmd), then runs that testpmd in the chroot with no -d: EAL
# auto-loads our plugins from its PMD directory, two simulated NICs come
# from a device argument, and the frames testpmd sends out of port 1 must
# be exactly the frames the sink NIC counted.
#
# debootstrap's package cache is BUILD/deb/apt-cache, seeded with hard
# links to the .debs this machine's apt already holds (make setup leaves
# Debian's DPDK there): debootstrap checks each one against the archive's
# checksums and downloads only what is missing or different; the cache
# keeps those for the next run. The chroot itself is new every run.
# DEB_MIRROR overrides the archive (default: the machine's apt source).
#
# usage: deb-test.sh BUILD [all|bootstrap|run]
#   bootstrap  only bootstraps the root (BUILD/deb/chroot), marked fresh;
#   run        only tests in the root a bootstrap left fresh (CI overlaps
#              the network-bound bootstrap with its other steps);
#   all        both (default).

set -euo pipefail
build=$(cd "${1:?usage: deb-test.sh BUILD [all|bootstrap|run]}" && pwd -P)
phase=${2:-all}
out=$build/deb
root=$out/chroot
fresh=$out/chroot.fresh
suite=bookworm
include=dpdk-dev,librte-mempool-ring23

die() { echo "deb-test: FAIL: $*" >&2; exit 1; }

# The Debian archive this machine's apt uses (deb822 or one-line form).
mirror() {
	local m
	m=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security || true)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	echo "${m:-http://deb.debian.org/debian}"
}

# Hard links (same file system, no copy) to every .deb of apt's cache
# not yet in @1; nothing when apt keeps none or links are refused.
seed_cache() {
	local cache=$1 Archives=/var/cache/apt/archives/
	eval "$(apt-config shell Archives Dir::Cache::archives/d 2>/dev/null)" || true
	ls "$Archives"/*.deb >/dev/null 2>&1 || {
		echo "deb-test: apt's cache ($Archives) holds no .deb: downloading all"
		return 0
	}
	cp -l -n "$Archives"/*.deb "$cache/" 2>/dev/null ||
		echo "deb-test: cannot hard-link $Archives into $cache: downloading what is missing"
}

bootstrap() {
	local cache=$out/apt-cache t0 before n_dl mb new
	command -v debootstrap >/dev/null || die "no debootstrap: run make setup"
	MIRROR=${DEB_MIRROR:-$(mirror)}
	mkdir -p "$cache"
	rm -rf "$root" "$root.new" "$fresh" "$out"/debootstrap-*.tgz
	t0=$(date +%s)
	seed_cache "$cache"
	before=$(ls "$cache" | wc -l)
	ls "$cache" > "$out/apt-cache.before"
	echo "deb-test: bootstrapping $suite + $include from $MIRROR into $root"
	debootstrap --variant=minbase --include="$include" --cache-dir="$cache" \
		"$suite" "$root.new" "$MIRROR" > "$out/debootstrap.log" 2>&1 ||
		{ tail -20 "$out/debootstrap.log"; die "debootstrap"; }
	new=$(ls "$cache" | grep -vxF -f "$out/apt-cache.before" | grep '\.deb$' || true)
	n_dl=$(echo -n "$new" | grep -c . || true)
	mb=$(echo -n "$new" | (cd "$cache" && xargs -r stat -c %s) |
		awk '{ s += $1 } END { printf "%.1f", s / 1e6 }')
	# Only the root's packages stay: a link outlives apt's own copy (apt-get
	# clean), and the whole apt cache would then live on in the build tree.
	chroot "$root.new" dpkg-query -W -f '${Package}_${Version}_${Architecture}.deb\n' |
		sed 's/:/%3a/g' > "$out/apt-cache.used"
	(cd "$cache" && { ls | grep -vxF -f "$out/apt-cache.used" || true; } | xargs -r rm -f)
	rm -f "$out/apt-cache.before" "$out/apt-cache.used"
	mv "$root.new" "$root"
	echo "$suite $(date -u +%FT%TZ)" > "$fresh"
	echo "deb-test: bootstrap $(($(date +%s) - t0)) s: $n_dl package(s) downloaded" \
		"($mb MB), $before in the cache before"
}

case $phase in
all|bootstrap|run) ;;
*) die "unknown phase '$phase' (all, bootstrap or run)" ;;
esac
unshare -m --propagation private true 2>/dev/null ||
	die "needs a private mount namespace (unshare -m) for the chroot's /proc, /sys, /dev"
[ "$phase" = run ] || bootstrap
[ "$phase" = bootstrap ] && exit 0

deb=$(ls "$out"/hvnet_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "no hvnet_*.deb in $out: run make deb"
# A root is used once: the mark goes before anything touches it.
[ -f "$fresh" ] && [ -d "$root" ] ||
	die "no freshly bootstrapped root in $root: run deb-test.sh BUILD bootstrap (or all)"
rm -f "$fresh"
t0=$(date +%s)

cp "$deb" "$root/tmp/"
chroot "$root" dpkg -i "/tmp/${deb##*/}" ||
	die "dpkg -i ${deb##*/} in a fresh $suite"
chroot "$root" dpkg -s hvnet | grep -q '^Status: install ok installed' ||
	die "hvnet not installed"

# Stock testpmd, non-interactive: it forwards from start-up until it reads
# a line; the line goes in 2 s after it says so.
log=$out/testpmd.log
vdev='hvbus_sim,nics=2,port=[gen,len=128],port=[1:sink]'
rm -f "$out/stdin"
mkfifo "$out/stdin"
timeout -s KILL 120 unshare -m --propagation private \
	sh -c 'r=$1; shift
	       mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" &&
	       mount --rbind /dev "$r/dev" &&
	       exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			stdbuf -o0 "$@"' \
	sh "$root" dpdk-testpmd --no-huge -m 512 --no-pci --no-shconf -l 0-1 \
	--vdev="$vdev" -- --forward-mode=io --total-num-mbufs=8192 \
	< "$out/stdin" > "$log" 2>&1 &
tp=$!
exec 3> "$out/stdin"
for _ in $(seq 600); do
	grep -q 'Press enter to exit' "$log" && break	# unbuffered: stdbuf
	kill -0 $tp 2>/dev/null || break
	sleep 0.1
done
sleep 2
echo >&3
exec 3>&-
wait $tp || { tail -30 "$log"; die "testpmd exited with $?"; }
rm -f "$out/stdin"

tx=$(sed -n '/Forward statistics for port 1 /,/---/p' "$log" |
	awk '{ for (i = 1; i < NF; i++) if ($i == "TX-packets:") { print $(i + 1); exit } }')
sank=$(grep 'embedded hvsim nic1 ' "$log" | tr ' ' '\n' | sed -n 's/^from_guest=//p')
grep -E 'Forward statistics for port|RX-packets|TX-packets|embedded hvsim' "$log" || true
[ "${tx:-0}" -gt 0 ] || { tail -30 "$log"; die "testpmd sent nothing out of port 1"; }
[ "$tx" = "${sank:-x}" ] || die "testpmd sent $tx out of port 1, the sink NIC got ${sank:-nothing}"
rm -rf "$root"
echo "deb-test: PASS: ${deb##*/} in a fresh $suite ($(($(date +%s) - t0)) s" \
	"after the bootstrap):" \
	"stock dpdk-testpmd, plugins auto-loaded, $tx frames forwarded to the sink NIC"
