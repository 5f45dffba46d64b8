/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet: ethdev operations and the hvbus probe/remove/event glue.
 */

#include <errno.h>
#include <string.h>

#include <rte_alarm.h>

#include "hvn_port.h"

/* Link changes arrive in bursts or the control path; the LSC callback is
 * raised from this alarm on the interrupt thread. */
#define HVN_LSC_POLL_US	100000

static const uint32_t hvn_filter_normal = RNDIS_PACKET_FILTER_DIRECTED |
	RNDIS_PACKET_FILTER_MULTICAST | RNDIS_PACKET_FILTER_BROADCAST;

uint32_t
hvn_filter_of(bool promisc, bool allmulti)
{
	if (promisc)
		return RNDIS_PACKET_FILTER_PROMISCUOUS;
	if (allmulti)
		return hvn_filter_normal | RNDIS_PACKET_FILTER_ALL_MULTICAST;
	return hvn_filter_normal;
}

/* Publish the link state the host last told us; raise LSC if asked. */
void
hvn_link_report(struct hvn_dev *hv)
{
	struct rte_eth_link link = {
		.link_status = __atomic_load_n(&hv->link_up, __ATOMIC_ACQUIRE),
		.link_speed = __atomic_load_n(&hv->link_mbps,
					      __ATOMIC_ACQUIRE),
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};

	if (!link.link_status)
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	rte_eth_linkstatus_set(hv->eth, &link);
	if (hv->eth->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(hv->eth, RTE_ETH_EVENT_INTR_LSC,
					     NULL);
}

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

static int
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

static int
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

/*
 * Channels for @p nq queue pairs. Tx queues get channels of their own
 * (2 * nq in all) when the devarg allows it and the host grants them, so
 * each ring has one writer and tx reads its own completions; otherwise
 * queue pair k shares channel k. A re-attach (@p keep) needs the mode the
 * live queues are bound in.
 */
int
hvn_open_subchannels(struct hvn_dev *hv, uint16_t nq, bool keep)
{
	bool split_ok = keep ? hv->tx_split :
		hv->da.tx_channels && 2u * nq <= HVN_MAX_QUEUES;
	uint32_t need = keep && hv->tx_split ? 2u * nq - 1 : nq - 1u;
	uint32_t want = split_ok ? 2u * nq - 1 : need, granted = 0;
	uint16_t k, nchan;
	int rc;

	/* Ask once per count: a host that granted fewer will not grant
	 * more on a second request. */
	if (want > hv->nsub_granted && want > hv->nsub_asked) {
		rc = hvn_nvsp_subchannels(hv, want, &granted);
		if (rc != 0) {
			PMD_DRV_LOG(ERR, "port %u: subchannel request failed: "
				    "%d", hv->port_id, rc);
			return rc;
		}
		hv->nsub_asked = (uint16_t)want;
		hv->nsub_granted = (uint16_t)RTE_MAX(granted,
						     hv->nsub_granted);
		rc = hvbus_subchan_wait(hv->hdev, hv->nsub_granted,
					HVN_CTL_TIMEOUT_MS);
		if (rc < 0) {
			PMD_DRV_LOG(ERR, "port %u: subchannel offers: %d",
				    hv->port_id, rc);
			return rc;
		}
	}
	if (hv->nsub_granted < need) {
		PMD_DRV_LOG(ERR, "port %u: host granted %u of %u subchannels",
			    hv->port_id, hv->nsub_granted, need);
		return -ENOSPC;
	}
	hv->tx_split = split_ok && hv->nsub_granted >= 2u * nq - 1;
	hv->nq = nq;
	nchan = hv->tx_split ? 2 * nq : nq;
	for (k = hv->nchan; k < nchan; k++) {
		rc = hvbus_chan_open(hv->hdev, k, hv->da.tx_ring_size,
				     hv->da.rx_ring_size, NULL);
		if (rc != 0) {
			PMD_DRV_LOG(ERR, "port %u: opening subchannel %u: %d",
				    hv->port_id, k, rc);
			return rc;
		}
		hv->chan_held &= ~(UINT64_C(1) << k);
		hv->nchan = k + 1;
	}
	if (nq > 1 || hv->tx_split)
		PMD_DRV_LOG(INFO, "port %u: %u queue pairs on %u channels%s",
			    hv->port_id, nq, nchan, hv->tx_split ?
			    " (tx on channels of their own)" :
			    " (tx shares the rx channel, with a lock)");
	return 0;
}

static int
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
	return 0;
}

static int
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

static int
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
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

/* A session's receive and send buffers, once no burst can read them. */
struct hvn_bufs {
	uint32_t gpadl[2];
	uint32_t n;
	uint16_t port_id;
	bool late;
};

static void
hvn_bufs_free(struct rte_hvbus_device *dev, void *arg)
{
	struct hvn_bufs *b = arg;
	uint32_t i;

	for (i = 0; i < b->n; i++)
		hvbus_gpadl_destroy(dev, b->gpadl[i]);
	if (b->late)
		PMD_DRV_LOG(NOTICE, "port %u: parked receive and send buffers "
			    "freed: no burst holds them any more", b->port_id);
	free(b);
}

/*
 * Free the buffers once every burst that could still copy out of them has
 * left: the channels are unpublished, but a burst that loaded one before
 * may be inside the receive buffer now - or stalled there for seconds. If
 * the grace period does not end within its wait, the buffers are parked,
 * not freed: the grace period's destructor frees them on the work thread
 * when the last such burst leaves, however late. Returns 0 when they are
 * gone, -EINPROGRESS when parked.
 */
static int
hvn_bufs_retire(struct hvn_dev *hv)
{
	struct hvn_bufs *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		/* No room to park them: keep them for good. */
		hv->bufs_parked++;
		return -ENOMEM;
	}
	if (hv->rxbuf != NULL)
		b->gpadl[b->n++] = hv->rxbuf_gpadl;
	if (hv->txbuf != NULL)
		b->gpadl[b->n++] = hv->txbuf_gpadl;
	b->port_id = hv->port_id;
	b->late = true;
	rc = hvn_grace_period_or(hv, hvn_bufs_free, b);
	if (rc == 0) {
		b->late = false;
		hvn_bufs_free(hv->hdev, b);
		return 0;
	}
	hv->bufs_parked++;
	if (rc != -EINPROGRESS)
		free(b);	/* no grace period at all: keep them for good */
	PMD_DRV_LOG(WARNING, "port %u: a burst may still hold the receive "
		    "buffer after %u ms (a stalled lcore?): buffers %s",
		    hv->port_id, HVN_CTL_TIMEOUT_MS,
		    rc == -EINPROGRESS ? "parked until it leaves" : "kept");
	return rc;
}

/* Undo hvn_attach_host(): HALT, revoke buffers, close channels
 * (subchannels first), free the buffers' GPADLs once no burst can read
 * them. After a rescind only the local part remains: the bus has closed
 * the channels and torn down the GPADLs. Returns 0, or -EINPROGRESS when
 * the buffers had to be parked (a burst still inside). */
int
hvn_detach_host(struct hvn_dev *hv)
{
	int k, c, rc = 0;

	if (!hv->gone && hv->rinit.req_id != 0)
		hvn_rndis_halt(hv);
	if (!hv->gone)
		hvn_nvsp_detach(hv);
	for (k = (int)hv->nchan - 1; k >= 0; k--) {
		c = hvbus_chan_close(hv->hdev, (uint16_t)k);
		if (c == 0)
			continue;
		hv->chan_held |= UINT64_C(1) << k;
		PMD_DRV_LOG(WARNING, "port %u: the host did not confirm the "
			    "close of channel %d (%d): frames sent on it stay "
			    "in flight", hv->port_id, k, c);
	}
	hv->nchan = 0;
	if (hv->rxbuf != NULL || hv->txbuf != NULL)
		rc = hvn_bufs_retire(hv);
	hv->rxbuf = NULL;
	hv->txbuf = NULL;
	rte_free(hv->ctl_msg);
	hv->ctl_msg = NULL;
	return rc;
}

/* Forget what the host of the last session knew, before attaching to a
 * new offer. */
void
hvn_session_clear(struct hvn_dev *hv)
{
	hv->gone = false;
	hv->nsub_granted = 0;
	hv->nsub_asked = 0;
	hv->filter_set = 0;
	hv->rxbuf_conn = false;
	hv->txbuf_conn = false;
	hv->chan_lost = 0;
	memset(&hv->rinit, 0, sizeof(hv->rinit));
	hvn_send_table_clear(hv);
	hvn_vf_session_reset(hv);
}

static void
hvn_detach(struct hvn_dev *hv)
{
	hvn_detach_host(hv);
	hvn_ctl_fini(hv);
}

static int
hvn_dev_close(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY || hv->closed)
		return 0;
	hvn_dev_stop(dev);
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

static int hvn_attach(struct hvn_dev *hv);

/*
 * Detach from the host and attach again: fresh channels, buffers, NVSP and
 * RNDIS state; the port, its MAC and the application's handle stay. The
 * application then configures and starts the port again (ethdev's reset
 * contract). This is also how the port comes back after the host rescinded
 * and re-offered the device: with persist=1 the driver raises
 * RTE_ETH_EVENT_INTR_RESET on the re-offer and the application resets the
 * port from its own thread, with no burst running.
 */
static int
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
static int
hvn_promisc_enable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, true, dev->data->all_multicast);
}

static int
hvn_promisc_disable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, false, dev->data->all_multicast);
}

static int
hvn_allmulti_enable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, dev->data->promiscuous, true);
}

static int
hvn_allmulti_disable(struct rte_eth_dev *dev)
{
	return hvn_set_filter(dev, dev->data->promiscuous, false);
}

static int
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
static int
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

/*
 * Operations that change a device or talk to the host run under one
 * driver-wide lock, so a rescind or re-attach on the bus's work thread
 * never interleaves with them. Driver-wide rather than per device: the
 * work thread must be able to take it before it knows whether the port
 * still exists (close frees the device). Recursive: an application
 * callback raised under it may call ethdev again.
 */
static pthread_mutex_t hvn_op_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void
hvn_op_lock_take(void)
{
	pthread_mutex_lock(&hvn_op_lock);
}

void
hvn_op_lock_give(void)
{
	pthread_mutex_unlock(&hvn_op_lock);
}

#define HVN_SERIAL(name, proto, args)					\
static int								\
name ## _serial proto							\
{									\
	int rc_;							\
									\
	pthread_mutex_lock(&hvn_op_lock);				\
	rc_ = name args;						\
	pthread_mutex_unlock(&hvn_op_lock);				\
	return rc_;							\
}

#define HVN_SERIAL_VOID(name, proto, args)				\
static void								\
name ## _serial proto							\
{									\
	pthread_mutex_lock(&hvn_op_lock);				\
	name args;							\
	pthread_mutex_unlock(&hvn_op_lock);				\
}

typedef struct rte_eth_dev hvn_eth_t;
HVN_SERIAL(hvn_dev_configure, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_dev_start, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_dev_stop, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_dev_reset, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_link_update, (hvn_eth_t *dev, int w), (dev, w))
HVN_SERIAL(hvn_promisc_enable, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_promisc_disable, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_allmulti_enable, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_allmulti_disable, (hvn_eth_t *dev), (dev))
HVN_SERIAL(hvn_mtu_set, (hvn_eth_t *dev, uint16_t mtu), (dev, mtu))
HVN_SERIAL(hvn_mac_addr_set, (hvn_eth_t *dev, struct rte_ether_addr *a),
	   (dev, a))
HVN_SERIAL(hvn_rss_hash_update,
	   (hvn_eth_t *dev, struct rte_eth_rss_conf *c), (dev, c))
HVN_SERIAL(hvn_rss_reta_update,
	   (hvn_eth_t *dev, struct rte_eth_rss_reta_entry64 *r, uint16_t n),
	   (dev, r, n))
HVN_SERIAL(hvn_rx_queue_setup,
	   (hvn_eth_t *dev, uint16_t q, uint16_t nb, unsigned int socket,
	    const struct rte_eth_rxconf *c, struct rte_mempool *mp),
	   (dev, q, nb, socket, c, mp))
HVN_SERIAL(hvn_tx_queue_setup,
	   (hvn_eth_t *dev, uint16_t q, uint16_t nb, unsigned int socket,
	    const struct rte_eth_txconf *c),
	   (dev, q, nb, socket, c))
HVN_SERIAL_VOID(hvn_rx_queue_release, (hvn_eth_t *dev, uint16_t q),
		(dev, q))
HVN_SERIAL_VOID(hvn_tx_queue_release, (hvn_eth_t *dev, uint16_t q),
		(dev, q))

HVN_SERIAL(hvn_dev_close, (hvn_eth_t *dev), (dev))

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
};

/* Primary channel, NVSP, buffers, RNDIS and the queries that describe
 * the NIC. */
int
hvn_attach_host(struct hvn_dev *hv)
{
	struct ndis_obj_hdr rh = {
		.type = NDIS_OBJTYPE_RSS_CAPS,
		.revision = NDIS_RSS_CAPS_REV_2,
		.size = NDIS_RSS_CAPS_SIZE_REV_2,
	};
	struct ndis_rss_caps caps;
	uint8_t buf[64];
	uint32_t len, v;
	int rc;

	rc = hvbus_chan_open(hv->hdev, 0, hv->da.tx_ring_size,
			     hv->da.rx_ring_size, NULL);
	if (rc != 0) {
		PMD_INIT_LOG(ERR, "%s: opening the primary channel: %d",
			     hv->hdev->name, rc);
		return rc;
	}
	hv->chan_held &= ~UINT64_C(1);
	hv->nchan = 1;
	rc = hvn_nvsp_attach(hv);
	if (rc == 0)
		rc = hvn_rndis_init(hv);
	if (rc != 0)
		return rc;
	len = sizeof(buf);
	rc = hvn_rndis_query(hv, RNDIS_OID_802_3_CURRENT_ADDRESS, NULL, 0,
			     buf, &len);
	if (rc != 0 || len != RTE_ETHER_ADDR_LEN) {
		PMD_INIT_LOG(ERR, "%s: no MAC address from the host (%d)",
			     hv->hdev->name, rc);
		return rc != 0 ? rc : -EPROTO;
	}
	memcpy(hv->mac.addr_bytes, buf, RTE_ETHER_ADDR_LEN);
	len = sizeof(v);
	rc = hvn_rndis_query(hv, RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0,
			     &v, &len);
	if (rc != 0 || len != sizeof(v) || v < HVN_MIN_MTU)
		v = RTE_ETHER_MTU;
	hv->max_mtu = RTE_MIN(v, HVN_MAX_MTU);
	hv->mtu = RTE_MIN((uint32_t)RTE_ETHER_MTU, hv->max_mtu);
	rc = hvn_rndis_query_link(hv);
	if (rc != 0)
		return rc;
	rc = hvn_rndis_offload_setup(hv);
	if (rc != 0)
		return rc;
	hv->max_queues = 1;
	if (hv->nvsp_ver >= NVSP_VERSION_5) {
		len = sizeof(buf);
		rc = hvn_rndis_query(hv,
				     RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
				     &rh, sizeof(rh), buf, &len);
		if (rc == 0 && ndis_rss_caps_decode(buf, len, &caps) >= 0) {
			hv->max_queues = RTE_MIN(caps.num_queues,
						 (uint32_t)HVN_MAX_QUEUES);
			if (caps.num_ind_entries != 0)
				hv->max_queues = RTE_MIN(hv->max_queues,
							 caps.num_ind_entries);
		}
	}
	/* Nothing is delivered until start sets the real filter. */
	return hvn_rndis_set_filter(hv, 0);
}

static int
hvn_attach(struct hvn_dev *hv)
{
	int rc = hvn_ctl_init(hv);

	return rc != 0 ? rc : hvn_attach_host(hv);
}

static int
hvn_probe(struct rte_hvbus_driver *drv, struct rte_hvbus_device *hdev)
{
	struct rte_eth_dev *eth;
	struct hvn_dev *hv;
	int rc;

	RTE_SET_USED(drv);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		PMD_INIT_LOG(ERR, "%s: secondary processes are not supported",
			     hdev->name);
		return -ENOTSUP;
	}
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
