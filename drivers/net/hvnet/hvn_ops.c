/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet as DPDK sees it: the ethdev operations table, probe and remove
 * on the hvbus, and the driver's registration. Every operation that changes
 * the port or talks to the host runs under the driver-wide op lock
 * (hvn_session.c), so it never interleaves with the host's events on the
 * bus's work thread (hvn_persist.c); the wrappers below take it.
 */

#include <errno.h>

#include "hvn_port.h"

static int
hvn_dev_configure_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_dev_configure(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_dev_start_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_dev_start(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_dev_stop_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_dev_stop(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_dev_close_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_dev_close(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_dev_reset_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_dev_reset(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_link_update_serial(struct rte_eth_dev *dev, int wait)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_link_update(dev, wait);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_promisc_enable_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_promisc_enable(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_promisc_disable_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_promisc_disable(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_allmulti_enable_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_allmulti_enable(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_allmulti_disable_serial(struct rte_eth_dev *dev)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_allmulti_disable(dev);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_mtu_set_serial(struct rte_eth_dev *dev, uint16_t mtu)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_mtu_set(dev, mtu);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_mac_addr_set_serial(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_mac_addr_set(dev, mac);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_rss_hash_update_serial(struct rte_eth_dev *dev,
			   struct rte_eth_rss_conf *conf)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_rss_hash_update(dev, conf);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_rss_reta_update_serial(struct rte_eth_dev *dev,
			   struct rte_eth_rss_reta_entry64 *reta,
			   uint16_t size)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_rss_reta_update(dev, reta, size);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_rx_queue_setup_serial(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb,
			  unsigned int socket,
			  const struct rte_eth_rxconf *conf,
			  struct rte_mempool *mp)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_rx_queue_setup(dev, qid, nb, socket, conf, mp);
	hvn_op_lock_give();
	return rc;
}

static int
hvn_tx_queue_setup_serial(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb,
			  unsigned int socket,
			  const struct rte_eth_txconf *conf)
{
	int rc;

	hvn_op_lock_take();
	rc = hvn_tx_queue_setup(dev, qid, nb, socket, conf);
	hvn_op_lock_give();
	return rc;
}

static void
hvn_rx_queue_release_serial(struct rte_eth_dev *dev, uint16_t qid)
{
	hvn_op_lock_take();
	hvn_rx_queue_release(dev, qid);
	hvn_op_lock_give();
}

static void
hvn_tx_queue_release_serial(struct rte_eth_dev *dev, uint16_t qid)
{
	hvn_op_lock_take();
	hvn_tx_queue_release(dev, qid);
	hvn_op_lock_give();
}

HVNET_ETH_STATS_GET(hvn_stats_get, hvn_stats_fill)

static const struct eth_dev_ops hvn_ops = {
	.dev_configure = hvn_dev_configure_serial,
	.dev_start = hvn_dev_start_serial,
	.dev_stop = hvn_dev_stop_serial,
	.dev_close = hvn_dev_close_serial,
	.dev_reset = hvn_dev_reset_serial,
	.dev_infos_get = hvn_dev_infos_get,
	.link_update = hvn_link_update_serial,
	.promiscuous_enable = hvn_promisc_enable_serial,
	.promiscuous_disable = hvn_promisc_disable_serial,
	.allmulticast_enable = hvn_allmulti_enable_serial,
	.allmulticast_disable = hvn_allmulti_disable_serial,
	.mtu_set = hvn_mtu_set_serial,
	.mac_addr_set = hvn_mac_addr_set_serial,
	.stats_get = hvn_stats_get,
	.stats_reset = hvn_stats_reset,
	.xstats_get = hvn_xstats_get,
	.xstats_get_names = hvn_xstats_get_names,
	.xstats_reset = hvn_stats_reset,
	.rx_queue_setup = hvn_rx_queue_setup_serial,
	.tx_queue_setup = hvn_tx_queue_setup_serial,
	.rx_queue_release = hvn_rx_queue_release_serial,
	.tx_queue_release = hvn_tx_queue_release_serial,
	.rxq_info_get = hvn_rxq_info_get,
	.txq_info_get = hvn_txq_info_get,
	.tx_done_cleanup = hvn_tx_done_cleanup,
	.rss_hash_update = hvn_rss_hash_update_serial,
	.rss_hash_conf_get = hvn_rss_hash_conf_get,
	.reta_update = hvn_rss_reta_update_serial,
	.reta_query = hvn_rss_reta_query,
	.rx_queue_intr_enable = hvn_rx_intr_enable,
	.rx_queue_intr_disable = hvn_rx_intr_disable,
};

static int
hvn_probe(struct rte_hvbus_driver *drv, struct rte_hvbus_device *hdev)
{
	struct rte_eth_dev *eth;
	struct hvn_dev *hv;
	int rc;

	RTE_SET_USED(drv);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return hvn_mp_probe(hdev);
	eth = rte_eth_dev_allocate(hdev->name);
	if (eth == NULL)
		return -ENOMEM;
	hv = rte_zmalloc_socket("hvn_dev", sizeof(*hv), RTE_CACHE_LINE_SIZE,
				hdev->device.numa_node);
	if (hv == NULL) {
		rte_eth_dev_release_port(eth);
		return -ENOMEM;
	}
	eth->data->dev_private = hv;
	eth->device = &hdev->device;
	hv->hdev = hdev;
	hv->eth = eth;
	hv->port_id = eth->data->port_id;
	for (rc = 0; rc < HVN_MAX_QUEUES; rc++)
		rte_spinlock_init(&hv->chan_lock[rc]);
	rc = hvn_devargs_parse(hdev->device.devargs, &hv->da);
	if (rc == 0)
		rc = hvn_attach(hv);
	if (rc == 0)
		rc = hvn_vf_init(hv);
	if (rc != 0) {
		PMD_INIT_LOG(ERR, "%s: probe failed: %d", hdev->name, rc);
		hvn_detach(hv);
		rte_eth_dev_release_port(eth);
		return rc;
	}
	eth->data->mac_addrs = rte_zmalloc("hvn_mac", RTE_ETHER_ADDR_LEN, 0);
	if (eth->data->mac_addrs == NULL) {
		hvn_vf_fini(hv);
		hvn_detach(hv);
		rte_eth_dev_release_port(eth);
		return -ENOMEM;
	}
	rte_ether_addr_copy(&hv->mac, eth->data->mac_addrs);
	eth->data->mtu = (uint16_t)hv->mtu;
	eth->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV;
	eth->dev_ops = &hvn_ops;
	eth->rx_pkt_burst = hvn_rx_burst;
	eth->tx_pkt_burst = hvn_tx_burst;
	eth->rx_descriptor_status = hvn_rx_descriptor_status;
	eth->tx_descriptor_status = hvn_tx_descriptor_status;
	eth->rx_queue_count = hvn_rx_queue_count;
	hdev->drv_priv = eth;
	rte_eth_dev_probing_finish(eth);
	PMD_INIT_LOG(INFO, "port %u on %s: NVSP 0x%x, MAC " RTE_ETHER_ADDR_PRT_FMT
		     ", MTU %u, %u queues, link %s", hv->port_id, hdev->name,
		     hv->nvsp_ver, RTE_ETHER_ADDR_BYTES(&hv->mac), hv->mtu,
		     hv->max_queues, hv->link_up ? "up" : "down");
	return 0;
}

static int
hvn_remove(struct rte_hvbus_device *hdev)
{
	struct rte_eth_dev *eth;

	hvn_op_lock_take();
	eth = hdev->drv_priv;
	/* NULL: the application closed the port already. */
	if (eth != NULL)
		rte_eth_dev_close(eth->data->port_id);
	hvn_op_lock_give();
	return 0;
}

static struct rte_hvbus_driver hvn_driver = {
	.class_id = &vmb_guid_netvsc,
	.probe = hvn_probe,
	.remove = hvn_remove,
	.event = hvn_event,
};

RTE_PMD_REGISTER_HVBUS(HVN_DRIVER_NAME, hvn_driver);
RTE_PMD_REGISTER_HVBUS_CLASS(HVN_DRIVER_NAME, vmb_guid_netvsc);
/* The real path: the device bound to uio_hv_generic. */
RTE_PMD_REGISTER_KMOD_DEP(HVN_DRIVER_NAME, "* uio_hv_generic");
