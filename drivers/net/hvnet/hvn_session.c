/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A port's host session: attaching to the host (primary channel, NVSP,
 * receive and send buffers, RNDIS, the queries that describe the NIC), the
 * subchannels for the queues, and detaching (channels closed, buffers
 * freed once no burst can read them); the link state as the port reports
 * it; and the driver-wide lock every operation on a port runs under. The
 * ethdev operations (hvn_ethdev.c) and the host's events (hvn_persist.c)
 * both build on it; it calls neither.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvn_port.h"

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
	if (hv->txbuf != NULL)
		b->gpadl[b->n++] = hv->txbuf_gpadl;
	if (hv->rxbuf != NULL)
		b->gpadl[b->n++] = hv->rxbuf_gpadl;
	b->port_id = hv->port_id;
	b->late = true;
	rc = hvn_grace_period(hv, hvn_bufs_free, b);
	if (rc == 0) {
		/* No burst attaches from the old session's buffer any more:
		 * if the application still holds frames in it, the last one
		 * it frees frees the buffer. */
		if (hv->rxbuf != NULL && hvn_zc_retire(hv))
			b->n--;
		b->late = false;
		hvn_bufs_free(hv->hdev, b);
		return 0;
	}
	/* A burst still inside: it may be attaching, so whether frames
	 * will be held cannot be known; with zero-copy keep the buffer. */
	if (hv->rxbuf != NULL && hv->zc_rel != NULL) {
		b->n--;
		hvn_zc_abandon(hv);
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
	hv->rsc_on = false;
	hvn_vf_session_reset(hv);
}

/* The control path set up and a host session attached: what probe and
 * reset start a port with. */
int
hvn_attach(struct hvn_dev *hv)
{
	int rc = hvn_ctl_init(hv);

	return rc != 0 ? rc : hvn_attach_host(hv);
}

/* Undo hvn_attach(). */
void
hvn_detach(struct hvn_dev *hv)
{
	hvn_detach_host(hv);
	hvn_ctl_fini(hv);
}
