# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The hvnet Authors
#
# Thin wrapper: set-up, meson configure, build, test. Real logic lives in
# buildtools/ and the meson files.

BUILD      ?= build
ASAN_BUILD ?= build-asan
SDK         = $(abspath $(BUILD))/dpdk-sdk/include
MESON_OPTS ?=

.PHONY: all setup build build-asan test test-quick fuzz-long demo fidelity perf perf-check soak \
	matrix check-layers install deb deb-bootstrap deb-test deb-test-run clean

all: build

setup:
	@bash buildtools/setup.sh $(BUILD)

$(BUILD)/build.ninja:
	@bash buildtools/setup.sh $(BUILD)
	meson setup $(BUILD) -Ddpdk_sdk_include=$(SDK) $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja: $(BUILD)/build.ninja
	CC=clang meson setup $(ASAN_BUILD) -Ddpdk_sdk_include=$(SDK) \
		-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true \
		$(MESON_OPTS)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: build $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# Every suite in the main build; unit, stress, fuzz-smoke and hostile
# again under ASan+UBSan (clang, libFuzzer).
test: build build-asan
	bash buildtools/run-tests.sh $(BUILD) -- $(ASAN_BUILD) unit,stress,fuzz-smoke,hostile

# Every fuzz target of fuzz-smoke for SECONDS each (default 600), one after
# another; corpora kept in $(BUILD)/fuzz, results in $(BUILD)/fuzz/summary.json.
SECONDS ?= 600
fuzz-long: build-asan
	bash buildtools/fuzz-long.sh $(BUILD) $(ASAN_BUILD) $(SECONDS)

# The main build's suites only (no sanitizer build, no fuzzing).
test-quick: build
	bash buildtools/run-tests.sh $(BUILD) --no-suite fuzz-smoke

# Every DPDK LTS in DPDK_TARBALLS (default ../shared/dpdk): build DPDK and
# hvnet against it, run the suites; table and $(BUILD)/matrix.json.
matrix: setup
	bash buildtools/matrix.sh $(BUILD)

# meson install (DESTDIR=... for a staging tree): plugins into the libdir,
# linked into the PMD directory of the DPDK built against. Into the real
# root, ldconfig then tells the loader where the bus plugin is.
install: build
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))
	$(if $(DESTDIR),,ldconfig)

# Debian packages (debian/) for the distro's DPDK, in $(BUILD)/deb.
deb: setup
	bash buildtools/deb.sh $(BUILD)

# The package in a freshly bootstrapped Debian 12 (debootstrap's packages
# cached in $(BUILD)/deb/apt-cache, seeded from apt's): stock dpdk-testpmd
# forwards over a simulated NIC.
deb-test: deb
	bash buildtools/deb-test.sh $(BUILD)

# deb-test in two halves, for CI to overlap the network-bound bootstrap
# with its other steps: the fresh root, then the test in it (after make deb).
deb-bootstrap: setup
	bash buildtools/deb-test.sh $(BUILD) bootstrap

deb-test-run:
	bash buildtools/deb-test.sh $(BUILD) run

# Stock dpdk-testpmd forwarding over net_hvnet against hvsim's generator.
demo: build
	bash devtools/demo.sh $(BUILD)

# Debian's stock net_netvsc over hvsim's uio_hv_generic face.
fidelity: build
	bash devtools/fidelity.sh $(BUILD)

# Layers and circles of every component, with the graph (also a unit test).
check-layers: build
	python3 devtools/check-layers.py $(BUILD) --graph

# Stock testpmd over net_hvnet against hvsim's generator: frame sizes x
# queues/lcores, Mpps, Gbit/s, share of hvsim's ceiling, instructions/frame.
perf: build
	bash devtools/perf.sh $(BUILD)

# Guest instructions per frame (callgrind) against devtools/perf/baseline.json.
perf-check: build
	bash devtools/perf-check.sh $(BUILD)

CYCLES ?= 1000

# Rescind / re-offer soak (doc/guides/rescind.rst): CYCLES cycles in
# $(BUILD), then in $(ASAN_BUILD) if it exists; writes */bench/soak.json.
soak: build
	ASAN_BUILD=$(ASAN_BUILD) bash devtools/soak.sh $(BUILD) $(CYCLES)

bench-%: build
	bash devtools/bench-$*.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
