#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# make deb: the Debian packages (debian/, debhelper + meson) for the DPDK
# pkg-config finds, built from a copy of the source tree (tracked and
# untracked files, not the build directories) under BUILD/deb, so neither
# the tree nor its parent gets build products. The .debs land in BUILD/deb.
#
# usage: deb.sh BUILD

set -euo pipefail
build=$(mkdir -p "${1:?usage: deb.sh BUILD}" && cd "$1" && pwd -P)
src=$(cd "$(dirname "$0")/.." && pwd -P)
out=$build/deb
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree=$out/hvnet-$version

rm -rf "$tree" "$out"/*.deb "$out"/*.ddeb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$tree"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 tar -c --no-recursion -f -) | tar -x -C "$tree"

# Debian's libdpdk-dev has no driver-SDK headers: the ones "make setup"
# took from the same version's source package (meson checks the version).
sdk=$build/dpdk-sdk/include
[ -f "$sdk/ethdev_driver.h" ] || sdk=
(cd "$tree" && DPDK_SDK_INCLUDE=$sdk dpkg-buildpackage -b -us -uc \
	-j"$(nproc)") > "$out/build.log" 2>&1 || {
	tail -40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed; log in $out/build.log" >&2
	exit 1
}
rm -rf "$tree"
ls "$out"/*.deb
