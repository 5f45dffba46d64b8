/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet's ethdev operations: configure, start, stop, close, reset,
 * link, filters, MTU and MAC. hvn_ops.c puts them in the operations table,
 * under the op lock where they change the port or talk to the host.
 */

#include <errno.h>
#include <string.h>

#include <rte_alarm.h>

#include "hvn_port.h"

/* Link changes arrive in bursts or the control path; the LSC callback is
 * raised from this alarm on the interrupt thread. */
#define HVN_LSC_POLL_US	100000

static void
hvn_lsc_alarm(void *arg)
{
	struct hvn_dev *hv = arg;

	/* A VF association the bursts recorded goes to the work thread. */
	hvn_vf_poll(hv);
	if (__atomic_exchange_n(&hv->lsc_pending, 0, __ATOMIC_ACQ_REL))
		hvn_link_report(hv);
	if (hv->started)
		rte_eal_alarm_set(HVN_LSC_POLL_US, hvn_lsc_alarm, hv);
}

int
hvn_link_update(struct rte_eth_dev *dev, int wait)
{
	struct hvn_dev *hv = dev->data->dev_private;
	struct rte_eth_link link;

	RTE_SET_USED(wait);
	/* Stopped: ask the host. Running: indications keep it current and
	 * a query would take channel 0 from queue 0. */
	if (!hv->started && !hv->gone)
		hvn_rndis_query_link(hv);
	memset(&link, 0, sizeof(link));
	link.link_status = hv->gone ? RTE_ETH_LINK_DOWN :
		__atomic_load_n(&hv->link_up, __ATOMIC_ACQUIRE);
	link.link_speed = __atomic_load_n(&hv->link_mbps, __ATOMIC_ACQUIRE);
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	if (!link.link_status)
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	return rte_eth_linkstatus_set(dev, &link);
}

int
hvn_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct hvn_dev *hv = dev->data->dev_private;

	info->max_rx_queues = (uint16_t)hv->max_queues;
	info->max_tx_queues = (uint16_t)hv->max_queues;
	info->max_mac_addrs = 1;
	info->min_mtu = HVN_MIN_MTU;
	info->max_mtu = (uint16_t)hv->max_mtu;
	info->max_rx_pktlen = hv->max_mtu + RTE_ETHER_HDR_LEN +
		RTE_ETHER_CRC_LEN;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->rx_offload_capa = hv->rx_offload_capa;
	/* A coalesced packet: an IPv4 datagram of the largest size. */
	info->max_lro_pkt_size = RTE_ETHER_HDR_LEN + UINT16_MAX;
	info->tx_offload_capa = hv->tx_offload_capa;
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = 0;
	info->reta_size = hv->max_queues > 1 ? HVN_RETA_SIZE : 0;
	info->hash_key_size = hv->max_queues > 1 ? NDIS_RSS_KEY_SIZE : 0;
	info->flow_type_rss_offloads = hv->max_queues > 1 ?
		HVN_RSS_OFFLOAD_ALL : 0;
	info->rx_desc_lim.nb_max = 4096;
	info->rx_desc_lim.nb_min = 32;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = 4096;
	info->tx_desc_lim.nb_min = 32;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = HVN_TX_MAX_PB - 1;
	info->tx_desc_lim.nb_mtu_seg_max = HVN_TX_MAX_PB - 1;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.ring_size = 512;
	info->default_txportconf.ring_size = 1024;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	return 0;
}

int
hvn_dev_configure(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	struct rte_eth_conf *conf = &dev->data->dev_conf;
	uint16_t nq = dev->data->nb_rx_queues;
	int rc;

	if (hv->gone)
		return -ENODEV;
	if (dev->data->nb_tx_queues != nq) {
		PMD_DRV_LOG(ERR, "port %u: %u rx and %u tx queues: queues "
			    "come in pairs (subchannels), use equal counts",
			    hv->port_id, nq,
			    dev->data->nb_tx_queues);
		return -EINVAL;
	}
	if (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	rc = hvn_open_subchannels(hv, nq, false);
	if (rc != 0)
		return rc;
	hvn_rss_defaults(hv, nq);
	hv->rss_on = nq > 1 && (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG);
	if (conf->rx_adv_conf.rss_conf.rss_hf != 0)
		hv->rss_hf = conf->rx_adv_conf.rss_conf.rss_hf &
			HVN_RSS_OFFLOAD_ALL;
	if (conf->rx_adv_conf.rss_conf.rss_key != NULL) {
		if (conf->rx_adv_conf.rss_conf.rss_key_len !=
		    NDIS_RSS_KEY_SIZE) {
			PMD_DRV_LOG(ERR, "port %u: RSS key must be %u bytes",
				    hv->port_id, NDIS_RSS_KEY_SIZE);
			return -EINVAL;
		}
		memcpy(hv->rss_key, conf->rx_adv_conf.rss_conf.rss_key,
		       NDIS_RSS_KEY_SIZE);
	}
	return hvn_intr_setup(dev);
}

int
hvn_dev_start(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t nq = dev->data->nb_rx_queues, i;
	int rc;

	if (hv->gone)
		return -ENODEV;
	for (i = 0; i < nq; i++) {
		struct hvn_rxq *rxq = dev->data->rx_queues[i];

		/* Completions go to tx queue k through rx queue k only when
		 * they share channel k. */
		rxq->txq = hv->tx_split ? NULL : dev->data->tx_queues[i];
	}
	rc = hvn_rss_apply(hv, nq);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: RSS parameters refused: %d",
			    hv->port_id, rc);
		return rc;
	}
	rc = hvn_rndis_rsc(hv, (dev->data->dev_conf.rxmode.offloads &
				RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0);
	if (rc != 0)
		return rc;
	/* Last exchange before traffic: the filter lets frames flow; those
	 * the control path meets from now on go to rx queue 0 (not polled
	 * yet: the port is not started). */
	hvn_rndis_query_link(hv);
	hv->accepting = true;
	rc = hvn_rndis_set_filter(hv, hvn_filter_of(dev->data->promiscuous,
						      dev->data->all_multicast));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: packet filter refused: %d",
			    hv->port_id, rc);
		hv->accepting = false;
		return rc;
	}
	hv->started = true;
	hvn_link_update(dev, 0);	/* cached values: no exchange */
	for (i = 0; i < nq; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	hvn_vf_start(hv);	/* an association heard before the start */
	rte_eal_alarm_set(HVN_LSC_POLL_US, hvn_lsc_alarm, hv);
	return 0;
}

int
hvn_dev_stop(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t i;

	if (!hv->started)
		return 0;
	hvn_vf_stop(hv);	/* switch back while the channels are ours */
	/* The application has stopped polling (ethdev contract): the
	 * control path may use every ring without taking them over. */
	hv->started = false;
	hv->accepting = false;
	rte_eal_alarm_cancel(hvn_lsc_alarm, hv);
	dev->data->dev_started = 0;
	if (!hv->gone)
		hvn_rndis_set_filter(hv, 0);
	/* Take back what the host still holds: tx completions arrive on
	 * the rx rings nobody polls now. */
	for (i = 0; i < dev->data->nb_tx_queues && !hv->gone; i++)
		if (hvn_txq_drain(hv, i, 500) == -ETIMEDOUT)
			PMD_DRV_LOG(WARNING, "port %u: tx queue %u still has "
				    "requests at the host", hv->port_id, i);
	/* No burst runs now (ethdev contract): what queues without a
	 * channel still hold goes back to its pool here - unless the host
	 * may still read it (a close it never confirmed). */
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		uint16_t c = hvn_txq_chan(hv, i);

		if ((hv->gone || (hv->chan_lost >> c & 1)) &&
		    !(hv->chan_held >> c & 1))
			hvn_txq_unbind(dev->data->tx_queues[i]);
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		hvn_rxq_flush(dev->data->rx_queues[i]);
		hvn_rxq_settle(hv, dev->data->rx_queues[i]);
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

int
hvn_dev_close(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY || hv->closed)
		return 0;
	hvn_dev_stop(dev);
	hvn_intr_free(dev);
	hvn_vf_fini(hv);
	/* Close the channels first: afterwards the host can no longer read
	 * the mbufs the tx queues still hold. */
	hvn_detach(hv);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		hvn_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		hvn_tx_queue_release(dev, i);
	hv->closed = true;
	hv->hdev->drv_priv = NULL;
	return 0;
}

/*
 * Detach from the host and attach again: fresh channels, buffers, NVSP and
 * RNDIS state; the port, its MAC and the application's handle stay. The
 * application then configures and starts the port again (ethdev's reset
 * contract). This is also how the port comes back after the host rescinded
 * and re-offered the device: with persist=1 the driver raises
 * RTE_ETH_EVENT_INTR_RESET on the re-offer and the application resets the
 * port from its own thread, with no burst running.
 */
int
hvn_dev_reset(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t i;
	int rc;

	if (hv->closed)
		return -ENODEV;
	hvn_dev_stop(dev);
	/* Channels first: then nothing the host could still read is
	 * freed with the queues. */
	hvn_detach(hv);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		hvn_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		hvn_tx_queue_release(dev, i);
	hvn_session_clear(hv);
	hv->rss_on = false;
	hv->ctl_rx_dropped = 0;
	hv->ctl_bad = 0;
	memset(&hv->ctl_rd, 0, sizeof(hv->ctl_rd));
	rc = hvn_attach(hv);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: re-attach failed: %d", hv->port_id,
			    rc);
		hvn_detach(hv);
		hv->gone = true;
		return rc;
	}
	hvn_mac_restore(hv);
	if (!rte_is_same_ether_addr(&hv->mac, dev->data->mac_addrs))
		PMD_DRV_LOG(WARNING, "port %u: the host changed the MAC to "
			    RTE_ETHER_ADDR_PRT_FMT, hv->port_id,
			    RTE_ETHER_ADDR_BYTES(&hv->mac));
	rte_ether_addr_copy(&hv->mac, dev->data->mac_addrs);
	PMD_DRV_LOG(INFO, "port %u re-attached: NVSP 0x%x, link %s",
		    hv->port_id, hv->nvsp_ver, hv->link_up ? "up" : "down");
	return 0;
}

static int
hvn_set_filter(struct rte_eth_dev *dev, bool promisc, bool allmulti)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint32_t f = hvn_filter_of(promisc, allmulti);

	/* Applied at start; and no exchange (which takes channel 0 from
	 * queue 0) when the host already has it. */
	if (!hv->started || f == hv->filter_set)
		return 0;
	return hvn_rndis_set_filter(hv, f);
}

/* ethdev updates data->promiscuous / all_multicast only after we return:
 * the filter is computed for the state being asked for. */
int
hvn_promisc_enable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, true, dev->data->all_multicast);
}

int
hvn_promisc_disable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, false, dev->data->all_multicast);
}

int
hvn_allmulti_enable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, dev->data->promiscuous, true);
}

int
hvn_allmulti_disable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, dev->data->promiscuous, false);
}

int
hvn_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct hvn_dev *hv = dev->data->dev_private;

	/* The host's receive sections were sized for HVN_NDIS_FRAME at
	 * attach; any MTU up to the host's own fits them. */
	if (mtu < HVN_MIN_MTU || mtu > hv->max_mtu)
		return -EINVAL;
	hv->mtu = mtu;
	return 0;
}

/* The host's vSwitch port owns the address: ask it (NetworkAddress) and
 * take the new address only once it agreed. */
int
hvn_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct hvn_dev *hv = dev->data->dev_private;
	int rc;

	if (!rte_is_valid_assigned_ether_addr(mac))
		return -EINVAL;
	if (hv->closed || hv->gone)
		return -ENODEV;
	/* ethdev also calls this at every start with the current address:
	 * nothing to ask, and nothing for a re-attach to restore. */
	if (rte_is_same_ether_addr(mac, &hv->mac))
		return 0;
	rc = hvn_rndis_set_mac(hv, mac);
	if (rc != 0)
		return rc;
	rte_ether_addr_copy(mac, &hv->mac);
	rte_ether_addr_copy(mac, &hv->mac_set);
	PMD_DRV_LOG(INFO, "port %u: MAC " RTE_ETHER_ADDR_PRT_FMT, hv->port_id,
		    RTE_ETHER_ADDR_BYTES(mac));
	return 0;
}

