/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Proves the build links the distro DPDK with the extracted driver-SDK
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
	CHECK(strncmp(rte_version(), "DPDK 22.11", 10) == 0, "%s", rte_version());

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
