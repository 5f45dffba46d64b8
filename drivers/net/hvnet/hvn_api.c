/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * rte_pmd_hvnet.h: net_hvnet's calls beyond ethdev, each a thin check of
 * the port and of the arguments in front of the file that does the work.
 */

#include <errno.h>

#include "hvn.h"
#include "rte_pmd_hvnet.h"

_Static_assert(RTE_PMD_HVNET_SEND_TABLE_SIZE == NVSP_SEND_TABLE_SIZE,
	       "public table size is the protocol's");

int
rte_pmd_hvnet_send_table_get(uint16_t port_id,
			     uint16_t txq[RTE_PMD_HVNET_SEND_TABLE_SIZE],
			     uint32_t chan[RTE_PMD_HVNET_SEND_TABLE_SIZE])
{
	struct rte_eth_dev *eth;
	uint16_t ntx;

	if (!rte_eth_dev_is_valid_port(port_id))
		return -ENODEV;
	eth = &rte_eth_devices[port_id];
	if (!hvn_is_hvnet(eth))
		return -ENOTSUP;
	ntx = eth->data->nb_tx_queues;
	if (txq == NULL || ntx == 0)
		return -EINVAL;
	return hvn_send_table_txqs(eth->data->dev_private, ntx, txq, chan);
}
