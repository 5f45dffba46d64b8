/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What the host does to a live port: it rescinds the primary channel (the
 * device goes) or a subchannel (one queue goes), and offers them again.
 * All of it runs on the bus's work thread under the driver's op lock. The
 * queues are never waited for and never touched from here: they find a
 * NULL slot, then a channel with a new open sequence number, and rebind on
 * their own lcore (hvn_queue.c).
 *
 * Persistent ports (persist=1, the default) survive: link down, then on
 * the re-offer of the same instance a new host session with the port's
 * queue count, RSS key and table, MTU, filter and offloads, and link up;
 * the application does nothing. With persist=0 the port is removed the
 * DPDK way: RTE_ETH_EVENT_INTR_RMV, the application detaches it, and a
 * re-offer probes a new port (RTE_ETH_EVENT_NEW). Persistent ports do not
 * raise RMV: its contract is "close this port", which testpmd and most
 * applications honour at once.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "hv_clock.h"
#include "hvn_port.h"

/* How long a re-opened subchannel may wait for its previous close. */
#define HVN_REOPEN_TRIES	200
#define HVN_REOPEN_WAIT_US	5000

/*
 * Once every burst that could hold the old channels (bit c = channel c of
 * @p mask) has ended, the queues on them may give back what they held
 * (mbufs in flight, completions owed) at their next burst. An idle queue
 * does it when it is polled again or rebinds; nothing waits for it.
 * @p mask names only channels the host no longer uses - rescinded, or
 * closed with its confirmation: it may read a GPA-direct mbuf until then.
 */
static void
hvn_queues_unbind(struct hvn_dev *hv, uint64_t mask)
{
	struct rte_eth_dev_data *d = hv->eth->data;
	uint16_t k;

	if (hvn_grace_period(hv, NULL, NULL) != 0)
		return;		/* the rebind does it instead */
	for (k = 0; k < d->nb_rx_queues; k++) {
		struct hvn_rxq *rxq = d->rx_queues[k];

		if ((mask >> k & 1) && rxq != NULL)
			__atomic_store_n(&rxq->unbind, 1, __ATOMIC_RELEASE);
	}
	for (k = 0; k < d->nb_tx_queues; k++) {
		struct hvn_txq *txq = d->tx_queues[k];

		if ((mask >> hvn_txq_chan(hv, k) & 1) && txq != NULL)
			__atomic_store_n(&txq->unbind, 1, __ATOMIC_RELEASE);
	}
}

/* Link down when the device goes, up when it is back: raised here, on
 * the work thread, whether or not the port is started. */
static void
hvn_link_set(struct hvn_dev *hv, uint32_t up)
{
	__atomic_store_n(&hv->link_up, up, __ATOMIC_RELEASE);
	hvn_link_report(hv);
}

/* Primary rescinded: the queues already see no channel. */
static void
hvn_primary_lost(struct hvn_dev *hv)
{
	uint64_t gone, had;

	if (hv->gone)
		return;
	hv->gone = true;
	hv->accepting = false;
	hvn_vf_gone(hv);
	hvn_link_set(hv, 0);
	PMD_DRV_LOG(WARNING, "port %u: host removed the device%s",
		    hv->port_id, hv->da.persist ?
		    "; the port waits for it to come back" : "");
	/* Channel 0 went with the rescind, and the subchannels the host
	 * rescinded before it (all of them, in the order of protocol.rst
	 * 3.8). Any other subchannel is the host's until its close
	 * completes (a host that rescinds the primary alone may keep
	 * reading it): its queues give back only then, and never on a
	 * close the host did not confirm. */
	gone = UINT64_C(1) | hv->chan_lost;
	had = hv->nchan < 64 ? (UINT64_C(1) << hv->nchan) - 1 : UINT64_MAX;
	hvn_queues_unbind(hv, gone);
	hvn_detach_host(hv);
	if ((had & ~gone & ~hv->chan_held) != 0)
		hvn_queues_unbind(hv, had & ~gone & ~hv->chan_held);
}

/* A new host session for the port as the application left it. */
static int
hvn_reattach(struct hvn_dev *hv)
{
	struct rte_eth_dev_data *d = hv->eth->data;
	uint16_t nq = d->nb_rx_queues;
	uint32_t mtu = hv->mtu;
	bool run = hv->started;
	uint64_t t0 = hv_now_ms();
	int rc;

	hvn_detach_host(hv);
	hvn_session_clear(hv);
	if (run) {
		rc = hvn_ctl_hold(hv);
		if (rc != 0)
			goto fail;
	}
	rc = hvn_attach_host(hv);
	if (rc == 0)
		hvn_mac_restore(hv);	/* a refusal keeps the host's */
	/* Before any channel of the session reaches a queue: the queues
	 * rebind in their bursts, which must not allocate. */
	if (rc == 0)
		hvn_queues_fit(hv);
	/* Even one queue pair may have a tx channel of its own. */
	if (rc == 0 && nq > 0)
		rc = hvn_open_subchannels(hv, nq, true);
	if (rc == 0) {
		hv->mtu = RTE_MIN(mtu, hv->max_mtu);
		d->mtu = (uint16_t)hv->mtu;
		if (run)
			rc = hvn_rss_apply(hv, nq);
		/* The new session's host does not coalesce yet. */
		if (rc == 0 && run)
			rc = hvn_rndis_rsc(hv, (d->dev_conf.rxmode.offloads &
					   RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0);
	}
	if (rc == 0 && run) {
		hvn_rndis_query_link(hv);
		hv->accepting = true;
		rc = hvn_rndis_set_filter(hv, hvn_filter_of(d->promiscuous,
							      d->all_multicast));
	}
	if (run)
		hvn_ctl_unhold(hv);
	if (rc != 0)
		goto fail;
	if (!rte_is_same_ether_addr(&hv->mac, d->mac_addrs)) {
		PMD_DRV_LOG(WARNING, "port %u: the host changed the MAC to "
			    RTE_ETHER_ADDR_PRT_FMT, hv->port_id,
			    RTE_ETHER_ADDR_BYTES(&hv->mac));
		rte_ether_addr_copy(&hv->mac, d->mac_addrs);
	}
	hv->reattaches++;
	/* Just before the LSC event it explains. */
	PMD_DRV_LOG(NOTICE, "port %u: host offered the device again; "
		    "re-attached in %" PRIu64 " ms (NVSP 0x%x, %u queues, "
		    "link %s)", hv->port_id, hv_now_ms() - t0, hv->nvsp_ver,
		    nq, hv->link_up ? "up" : "down");
	hvn_link_set(hv, hv->link_up);
	return 0;
fail:
	PMD_DRV_LOG(ERR, "port %u: re-attach failed (%d): the port waits "
		    "for the next offer", hv->port_id, rc);
	hv->gone = true;
	hv->accepting = false;
	hvn_detach_host(hv);
	return rc;
}

/* Subchannel @p k rescinded: its queue pair is quiet, RSS avoids it. */
static void
hvn_sub_lost(struct hvn_dev *hv, uint16_t k)
{
	uint16_t nq = hv->eth->data->nb_rx_queues;
	int rc;

	if (hv->gone || k >= HVN_MAX_QUEUES)
		return;
	hv->chan_lost |= UINT64_C(1) << k;
	PMD_DRV_LOG(WARNING, "port %u: host removed channel %u: %s queue %u "
		    "is quiet until it comes back", hv->port_id, k,
		    hv->tx_split && k >= hv->nq ? "tx" : "the",
		    hv->tx_split && k >= hv->nq ? k - hv->nq : k);
	hvn_queues_unbind(hv, UINT64_C(1) << k);
	if (!hv->started || k >= nq)
		return;
	rc = hvn_rss_apply(hv, nq);
	/* -ENODEV: the primary is going too (subchannels go first). */
	if (rc != 0 && rc != -ENODEV)
		PMD_DRV_LOG(ERR, "port %u: cannot steer RSS away from "
			    "queue %u: %d", hv->port_id, k, rc);
}

/* Subchannel @p k offered: if it is one the port lost, open it again. */
static void
hvn_sub_back(struct hvn_dev *hv, uint16_t k)
{
	uint16_t nq = hv->eth->data->nb_rx_queues;
	unsigned int i;
	int rc = -EBUSY;

	if (hv->gone || k >= HVN_MAX_QUEUES ||
	    !(hv->chan_lost >> k & 1))
		return;
	/* -EBUSY: the old channel's close is still finishing. */
	for (i = 0; i < HVN_REOPEN_TRIES && rc == -EBUSY; i++) {
		rc = hvbus_chan_open(hv->hdev, k, hv->da.tx_ring_size,
				     hv->da.rx_ring_size, NULL);
		if (rc == -EBUSY)
			usleep(HVN_REOPEN_WAIT_US);
	}
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: reopening channel %u: %d",
			    hv->port_id, k, rc);
		return;
	}
	hv->chan_lost &= ~(UINT64_C(1) << k);
	hv->chan_held &= ~(UINT64_C(1) << k);
	if (hv->started && k < nq && hvn_rss_apply(hv, nq) != 0)
		PMD_DRV_LOG(ERR, "port %u: RSS table not restored for "
			    "queue %u", hv->port_id, k);
	PMD_DRV_LOG(INFO, "port %u: channel %u back", hv->port_id, k);
}

void
hvn_event(struct rte_hvbus_device *hdev, enum hvbus_event ev, uint16_t subidx)
{
	struct rte_eth_dev *eth;
	struct hvn_dev *hv;

	hvn_op_lock_take();
	eth = hdev->drv_priv;
	if (eth == NULL)
		goto out;	/* closed meanwhile */
	hv = eth->data->dev_private;
	if (hv->closed)
		goto out;
	switch (ev) {
	case HVBUS_EV_RESCIND:
		if (subidx != 0) {
			hvn_sub_lost(hv, subidx);
			break;
		}
		hvn_primary_lost(hv);
		/* Last: the application may close the port in its callback,
		 * which frees hv. */
		if (!hv->da.persist)
			rte_eth_dev_callback_process(eth,
						     RTE_ETH_EVENT_INTR_RMV,
						     NULL);
		break;
	case HVBUS_EV_REOFFER:
		if (hv->gone && hv->da.persist)
			hvn_reattach(hv);
		break;
	case HVBUS_EV_SUBCHAN_OFFER:
		hvn_sub_back(hv, subidx);
		break;
	}
out:
	hvn_op_lock_give();
}
