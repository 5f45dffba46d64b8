#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Idempotent set-up for a Debian 12 machine: installs what the build and the
# tests need from Debian's archive. Then the DPDK part: the build uses the
# libdpdk pkg-config finds (PKG_CONFIG_PATH may name another installation);
# when that installation has no driver-SDK headers (Debian's libdpdk-dev
# ships none), they are extracted from Debian's own dpdk source package of
# exactly the installed libdpdk-dev version into the build tree.
#
# usage: buildtools/setup.sh <builddir>
set -euo pipefail

builddir=${1:-build}
sdkdir="$builddir/dpdk-sdk"

# Packages the project needs, by Debian name.
packages=(dpdk libdpdk-dev dpdk-dev meson ninja-build pkg-config libnuma-dev
	  libpcap-dev clang libclang-rt-14-dev valgrind gnuplot-nox
	  binutils xz-utils python3 python3-pyelftools util-linux
	  libsystemd-dev debhelper dpkg-dev debootstrap)

# The driver-SDK headers our drivers include; nothing else is extracted.
sdk_headers=(lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
	     lib/eal/include/bus_driver.h lib/eal/include/dev_driver.h
	     drivers/bus/vdev/bus_vdev_driver.h)

die() { echo "setup: error: $*" >&2; exit 1; }
note() { echo "setup: $*"; }

missing_packages() {
	local p st
	for p in "${packages[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || echo "$p"
	done
}

install_packages() {
	local missing
	missing=$(missing_packages | tr '\n' ' ')
	[ -z "${missing// }" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages: $missing; run 'sudo make setup' or install them with apt-get"
	command -v apt-get >/dev/null || die "no apt-get: this set-up supports Debian 12 only (missing: $missing)"
	note "installing from Debian's archive: $missing"
	apt-get update -q >/dev/null ||
		die "'apt-get update' failed; check the machine's Debian archive access"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing ||
		die "'apt-get install $missing' failed"
	local still
	still=$(missing_packages | tr '\n' ' ')
	[ -z "${still// }" ] || die "packages still missing after install: $still"
}

dpdk_pkg_version() {
	dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null ||
		die "libdpdk-dev is not installed"
}

# Downloads the dpdk source package with a private sources list and lists
# directory, so the machine's own apt configuration is never edited.
fetch_source() {
	local ver=$1 work=$2
	local suites="bookworm bookworm-updates"
	mkdir -p "$work/lists/partial" "$work/src"
	: > "$work/sources.list"
	local s
	for s in $suites; do
		echo "deb-src http://deb.debian.org/debian $s main" >> "$work/sources.list"
	done
	echo "deb-src http://deb.debian.org/debian-security bookworm-security main" >> "$work/sources.list"
	local aptopts=(-o "Dir::Etc::SourceList=$work/sources.list"
		       -o "Dir::Etc::SourceParts=/dev/null"
		       -o "Dir::State::Lists=$work/lists"
		       -o "APT::Sandbox::User=root")
	note "fetching Debian's dpdk=$ver source package for the driver-SDK headers"
	apt-get -q "${aptopts[@]}" update >/dev/null ||
		die "could not read Debian's source index (deb-src); check archive access"
	(cd "$work/src" && apt-get -q "${aptopts[@]}" source --download-only "dpdk=$ver" >/dev/null) ||
		die "Debian's archive has no source for dpdk=$ver; install a libdpdk-dev whose source is published (apt-get install --reinstall libdpdk-dev) and retry"
}

# Every header of the list is there (a list that grew re-extracts).
sdk_complete() {
	local h
	for h in "${sdk_headers[@]}"; do
		[ -f "$sdkdir/include/${h##*/}" ] || return 1
	done
}

extract_sdk() {
	local ver upstream work orig h
	ver=$(dpdk_pkg_version)
	upstream=${ver%%-*}
	upstream=${upstream#*:}
	if [ -f "$sdkdir/VERSION" ] && [ "$(cat "$sdkdir/VERSION")" = "$ver" ] &&
	   sdk_complete; then
		return 0
	fi
	local pcver
	pcver=$(pkg-config --modversion libdpdk 2>/dev/null) ||
		die "pkg-config cannot find libdpdk; reinstall libdpdk-dev"
	[ "$pcver" = "$upstream" ] ||
		die "pkg-config finds DPDK $pcver ($(pkg-config --variable=prefix libdpdk)) without driver-SDK headers, and only Debian's $upstream has them from its source package: rebuild that DPDK with -Denable_driver_sdk=true, or unset PKG_CONFIG_PATH"
	work=$(mktemp -d /var/tmp/hvnet-sdk.XXXXXX)
	trap 'rm -rf "$work"' RETURN
	fetch_source "$ver" "$work"
	orig=$(ls "$work"/src/dpdk_"$upstream".orig.tar.* 2>/dev/null | head -1)
	[ -n "$orig" ] || die "source package for dpdk=$ver has no orig tarball"
	local top
	top=$( (tar tf "$orig" 2>/dev/null || true) | head -1 | cut -d/ -f1)
	mkdir -p "$work/x"
	local members=()
	for h in "${sdk_headers[@]}"; do members+=("$top/$h"); done
	tar xf "$orig" -C "$work/x" "${members[@]}" ||
		die "dpdk=$ver source lacks one of: ${sdk_headers[*]}"
	rm -rf "$sdkdir"
	mkdir -p "$sdkdir/include"
	for h in "${sdk_headers[@]}"; do
		cp "$work/x/$top/$h" "$sdkdir/include/"
	done
	echo "$ver" > "$sdkdir/VERSION"
	note "driver-SDK headers of dpdk $ver in $sdkdir/include"
}

# True when the DPDK pkg-config finds installed its own driver-SDK headers
# (meson -Denable_driver_sdk=true); meson then uses those.
dpdk_has_sdk() {
	local inc h
	inc=$(pkg-config --variable=includedir libdpdk 2>/dev/null) || return 1
	for h in ethdev_driver.h bus_driver.h dev_driver.h bus_vdev_driver.h; do
		[ -f "$inc/$h" ] || return 1
	done
}

install_packages
mkdir -p "$builddir"
if dpdk_has_sdk; then
	note "DPDK $(pkg-config --modversion libdpdk) at $(pkg-config --variable=prefix libdpdk) has its driver-SDK headers"
else
	extract_sdk
fi
