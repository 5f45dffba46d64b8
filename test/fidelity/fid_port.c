/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "fid_port.h"

int
fid_port_start(const struct rte_eth_conf *conf, uint16_t nq, uint16_t desc,
	       struct rte_mempool *mp)
{
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(0, nq, nq, conf);
	for (q = 0; rc == 0 && q < nq; q++) {
		rc = rte_eth_rx_queue_setup(0, q, desc, rte_socket_id(),
					    NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(0, q, desc,
						    rte_socket_id(), NULL);
	}
	return rc != 0 ? rc : rte_eth_dev_start(0);
}

int
fid_port_link_wait(const char *tag, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + ms * rte_get_timer_hz() / 1000;
	struct rte_eth_link link;

	do {
		if (rte_eth_link_get_nowait(0, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(10);
	} while (rte_get_timer_cycles() < end);
	printf("%s: link did not come up\n", tag);
	return -ETIMEDOUT;
}
