/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Secondary processes: a port the primary probed, attached through
 * ethdev's shared data (the device private data, the queues and their
 * counters live in shared memory). What a secondary may do is what reads
 * that data without the host: device information, link state as the
 * primary last heard it, statistics and extended statistics, queue
 * information; capture (dpdk-pdump) runs its callbacks in the primary.
 * Everything that talks to the host, or changes the port, is the
 * primary's: those operations answer -ENOTSUP here, and the bursts stay
 * ethdev's placeholders, which return nothing.
 */

#include <errno.h>

#include "hvn_port.h"
#include "hvnet_compat.h"

HVNET_ETH_STATS_GET(hvn_mp_stats_get, hvn_stats_fill)

/* The link as the primary last heard it: no exchange with the host. */
static int
hvn_mp_link_update(struct rte_eth_dev *dev, int wait)
{
	struct hvn_dev *hv = dev->data->dev_private;
	struct rte_eth_link link;

	RTE_SET_USED(wait);
	memset(&link, 0, sizeof(link));
	link.link_status = __atomic_load_n(&hv->gone, __ATOMIC_ACQUIRE) ?
		RTE_ETH_LINK_DOWN :
		__atomic_load_n(&hv->link_up, __ATOMIC_ACQUIRE);
	link.link_speed = link.link_status ?
		__atomic_load_n(&hv->link_mbps, __ATOMIC_ACQUIRE) :
		RTE_ETH_SPEED_NUM_NONE;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	return rte_eth_linkstatus_set(dev, &link);
}

/* The secondary lets go of its view; the port stays the primary's. */
static int
hvn_mp_close(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

static const struct eth_dev_ops hvn_mp_ops = {
	.dev_close = hvn_mp_close,
	.dev_infos_get = hvn_dev_infos_get,
	.link_update = hvn_mp_link_update,
	.stats_get = hvn_mp_stats_get,
	.xstats_get = hvn_xstats_get,
	.xstats_get_names = hvn_xstats_get_names,
	.rxq_info_get = hvn_rxq_info_get,
	.txq_info_get = hvn_txq_info_get,
};

int
hvn_mp_probe(struct rte_hvbus_device *hdev)
{
	struct rte_eth_dev *eth = rte_eth_dev_attach_secondary(hdev->name);

	if (eth == NULL) {
		PMD_INIT_LOG(ERR, "%s: secondary process: the primary has no "
			     "port for this device (not probed, or closed)",
			     hdev->name);
		return -ENODEV;
	}
	eth->device = &hdev->device;
	eth->dev_ops = &hvn_mp_ops;
	hdev->drv_priv = eth;
	rte_eth_dev_probing_finish(eth);
	if (__atomic_load_n(&((struct hvn_dev *)eth->data->dev_private)->gone,
			    __ATOMIC_ACQUIRE))
		PMD_INIT_LOG(NOTICE, "port %u on %s: the host has taken the "
			     "device away; the primary waits for it to come "
			     "back: link down, counters as they were",
			     eth->data->port_id, hdev->name);
	PMD_INIT_LOG(INFO, "port %u on %s: attached in a secondary process "
		     "(information, statistics, capture through the primary)",
		     eth->data->port_id, hdev->name);
	return 0;
}
