/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Proves the build links the DPDK pkg-config found with its driver-SDK
 * headers: EAL starts without hugepages and an internal (driver-only) ethdev
 * API call allocates and releases a port.
 */

#include <string.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include "check.h"

int
main(void)
{
	char *eal_args[] = { "sdk_link", "--no-huge", "-m", "64", "--no-pci",
			     "--no-shconf", "--log-level=lib.eal:warning",
			     "-l", "0", NULL };
	struct rte_eth_dev *dev;
	uint16_t port;

	REQUIRE(rte_eal_init(RTE_DIM(eal_args) - 1, eal_args) >= 0,
		"EAL init failed");
	/* The DPDK found at run time is the one the build compiled against. */
	CHECK(rte_version_year() == RTE_VER_YEAR &&
	      rte_version_month() == RTE_VER_MONTH &&
	      rte_version_minor() == RTE_VER_MINOR,
	      "runs %s, built against %d.%02d.%d", rte_version(),
	      RTE_VER_YEAR, RTE_VER_MONTH, RTE_VER_MINOR);

	dev = rte_eth_dev_allocate("sdk_link_port");
	REQUIRE(dev != NULL);
	port = dev->data->port_id;
	CHECK(rte_eth_dev_is_valid_port(port) == 0,
	      "port not valid before probing finished");
	rte_eth_dev_probing_finish(dev);
	CHECK(rte_eth_dev_is_valid_port(port) == 1);
	CHECK_EQ(rte_eth_dev_release_port(dev), 0);
	CHECK(rte_eth_dev_is_valid_port(port) == 0);

	rte_eal_cleanup();
	return check_exit("sdk_link");
}
