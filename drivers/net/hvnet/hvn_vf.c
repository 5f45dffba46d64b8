/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * VF (accelerated networking). The host announces an SR-IOV VF with an
 * in-band SEND_VF_ASSOCIATION on channel 0; the driver takes over the DPDK
 * port of that VF (named by the vf= devarg, else the port with our MAC, as
 * Azure guests match it), configures it like this port, starts it, makes
 * it visible to the bursts and sends SWITCH_DATA_PATH {VF}. An association
 * with allocated = 0 (or the port stopping, or the device rescinded)
 * reverses that: switch back first, while the VF still forwards, then
 * unpublish, wait for a grace period, stop the VF and give it back.
 *
 * Threads. Channel 0's reader (rx queue 0's burst, or the control path)
 * only records the host's message in hv->vf_host (hvn_notify.c). The
 * LSC alarm notices the change and queues hvn_vf_work() on the bus's work
 * thread, where configuring a port and waiting for the host are allowed;
 * dev_start / dev_stop / the rescind event do the same work directly. One
 * mutex in struct hvn_vf_ctl serialises all of it. Work items hold a
 * reference to that structure, not to the port, so a port closed while
 * an item waits in the queue is never touched by it.
 *
 * Datapath (hvn_rxtx.h). Each burst loads hv->vf inside its existing
 * reader section and, when set, polls or sends through the VF port's queue
 * of the same index: no lock, atomic read-modify-write or fence is added.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "hvn_ctl.h"

struct hvn_vf_ctl {
	pthread_mutex_t lock;	/* every VF change, and the fields below */
	struct hvn_dev *hv;	/* NULL once the port is closed */
	uint32_t refs;		/* the port's own + one per queued work item */
	bool want;		/* the port runs: a VF may carry its traffic */
	uint32_t serial;	/* of the attached VF */
	uint64_t owner_id;	/* ethdev owner id taking the VF port */
};

/* Called with the VF port's name or id in logs. */
static const char *
hvn_vf_name(uint16_t port, char *buf, size_t len)
{
	if (rte_eth_dev_get_name_by_port(port, buf) != 0)
		snprintf(buf, len, "port %u", port);
	return buf;
}

/* SWITCH_DATA_PATH with RC; the host's empty completion confirms it. */
static int
hvn_vf_switch(struct hvn_dev *hv, uint32_t path)
{
	union nvsp_msg m;
	int rc;

	nvsp_encode_switch_data_path(&m, sizeof(m), path);
	rc = hvn_ctl_acquire(hv);
	if (rc != 0)
		return rc;
	memset(&hv->w, 0, sizeof(hv->w));
	hv->w.xid = HVN_XID_CTL | ++hv->ctl_seq;
	rc = hvn_ctl_send(hv, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, hv->w.xid,
			  &m, NVSP_MSG_SIZE);
	if (rc == 0)
		rc = hvn_ctl_wait(hv, HVN_CTL_TIMEOUT_MS);
	hv->w.xid = 0;
	hvn_ctl_release(hv);
	return rc;
}

/* The devarg's port, or the first free port with our MAC address. */
static int
hvn_vf_find(struct hvn_dev *hv, uint32_t serial, uint16_t *out)
{
	struct rte_ether_addr mac;
	uint16_t p;

	if (hv->da.vf[0] != '\0') {
		if (rte_eth_dev_get_port_by_name(hv->da.vf, &p) != 0) {
			PMD_DRV_LOG(WARNING, "port %u: host associated VF "
				    "serial %u but there is no ethdev named "
				    "\"%s\" (devarg vf): staying on the "
				    "synthetic path", hv->port_id, serial,
				    hv->da.vf);
			return -ENODEV;
		}
		if (p == hv->port_id || hvn_is_hvnet(&rte_eth_devices[p])) {
			PMD_DRV_LOG(ERR, "port %u: devarg vf=%s names a "
				    "net_hvnet port, not a VF", hv->port_id,
				    hv->da.vf);
			return -EINVAL;
		}
		*out = p;
		return 0;
	}
	/* Unowned ports only: one another driver or hvnet port took is
	 * not ours. */
	RTE_ETH_FOREACH_DEV(p) {
		if (p == hv->port_id || hvn_is_hvnet(&rte_eth_devices[p]))
			continue;
		if (rte_eth_macaddr_get(p, &mac) == 0 &&
		    rte_is_same_ether_addr(&mac, &hv->mac)) {
			*out = p;
			return 0;
		}
	}
	PMD_DRV_LOG(WARNING, "port %u: host associated VF serial %u but no "
		    "free ethdev has MAC " RTE_ETHER_ADDR_PRT_FMT " (name one "
		    "with devarg vf=): staying on the synthetic path",
		    hv->port_id, serial, RTE_ETHER_ADDR_BYTES(&hv->mac));
	return -ENODEV;
}

/* The VF gets this port's queue count, descriptors, mempools, MTU, RSS
 * and the offloads it has in common with it. */
static int
hvn_vf_configure(struct hvn_dev *hv, uint16_t port, uint16_t nq)
{
	struct rte_eth_dev_data *d = hv->eth->data;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t q, nrx, ntx;
	int socket = rte_eth_dev_socket_id(port);
	int rc;

	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		PMD_DRV_LOG(ERR, "port %u: the VF has %u/%u queues, %u needed",
			    hv->port_id, info.max_rx_queues,
			    info.max_tx_queues, nq);
		return -ENOSPC;
	}
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = d->dev_conf.rxmode.offloads &
		info.rx_offload_capa;
	conf.txmode.offloads = d->dev_conf.txmode.offloads &
		info.tx_offload_capa;
	if (hv->rss_on && (hv->rss_hf & info.flow_type_rss_offloads) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = hv->rss_hf &
			info.flow_type_rss_offloads;
		if (info.hash_key_size == NDIS_RSS_KEY_SIZE) {
			conf.rx_adv_conf.rss_conf.rss_key = hv->rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len =
				NDIS_RSS_KEY_SIZE;
		}
	}
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_set_mtu(port, (uint16_t)hv->mtu);
	if (rc != 0 && rc != -ENOTSUP)
		PMD_DRV_LOG(WARNING, "port %u: VF refused MTU %u (%d)",
			    hv->port_id, hv->mtu, rc);
	for (q = 0; q < nq; q++) {
		const struct hvn_rxq *rxq = d->rx_queues[q];
		const struct hvn_txq *txq = d->tx_queues[q];

		nrx = rxq->nb_desc;
		ntx = (uint16_t)RTE_MIN(txq->ndesc, (uint32_t)UINT16_MAX);
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
		if (rc == 0)
			rc = rte_eth_rx_queue_setup(port, q, nrx, socket, NULL,
						    rxq->mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, ntx, socket,
						    NULL);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		return rc;
	/* Best effort: a VF without these modes still forwards unicast. */
	if (d->promiscuous)
		rte_eth_promiscuous_enable(port);
	if (d->all_multicast)
		rte_eth_allmulticast_enable(port);
	return 0;
}

static void
hvn_vf_detach(struct hvn_vf_ctl *vfc)
{
	struct hvn_dev *hv = vfc->hv;
	struct hvn_vf *vf = hv->vf;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	/* The host hears it before the VF stops carrying traffic. */
	if (!hv->gone) {
		rc = hvn_vf_switch(hv, NVSP_DATAPATH_SYNTHETIC);
		if (rc != 0)
			PMD_DRV_LOG(WARNING, "port %u: switch back to the "
				    "synthetic path not confirmed (%d)",
				    hv->port_id, rc);
	}
	epoch_unpublish(&hv->vf, NULL);
	rc = hvn_grace_period(hv, NULL, NULL);
	if (rc != 0) {
		/* A burst may still be inside the VF: leave it running
		 * rather than stop it under that burst. */
		PMD_DRV_LOG(ERR, "port %u: no grace period (%d): VF port %u "
			    "left running and owned", hv->port_id, rc,
			    vf->port_id);
		return;
	}
	rc = rte_eth_dev_stop(vf->port_id);
	if (rc != 0)
		PMD_DRV_LOG(WARNING, "port %u: stopping VF port %u: %d",
			    hv->port_id, vf->port_id, rc);
	rte_eth_dev_owner_unset(vf->port_id, vfc->owner_id);
	PMD_DRV_LOG(INFO, "port %u: data path back on the synthetic NIC; VF "
		    "%s (serial %u) stopped and released", hv->port_id,
		    hvn_vf_name(vf->port_id, name, sizeof(name)),
		    vfc->serial);
	rte_free(vf);
}

static void
hvn_vf_attach(struct hvn_vf_ctl *vfc, uint32_t serial)
{
	struct hvn_dev *hv = vfc->hv;
	struct rte_eth_dev_owner owner = { .id = vfc->owner_id };
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port, nq = hv->eth->data->nb_rx_queues;
	struct hvn_vf *vf;
	int rc;

	if (hvn_vf_find(hv, serial, &port) != 0)
		return;
	hvn_vf_name(port, name, sizeof(name));
	snprintf(owner.name, sizeof(owner.name), "net_hvnet port %u",
		 hv->port_id);
	rc = rte_eth_dev_owner_set(port, &owner);
	if (rc != 0) {
		PMD_DRV_LOG(WARNING, "port %u: VF %s is owned by someone "
			    "else (%d): staying on the synthetic path",
			    hv->port_id, name, rc);
		return;
	}
	vf = rte_zmalloc("hvn_vf", sizeof(*vf), 0);
	rc = vf == NULL ? -ENOMEM : hvn_vf_configure(hv, port, nq);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: cannot set up VF %s (%d): staying "
			    "on the synthetic path", hv->port_id, name, rc);
		rte_eth_dev_stop(port);
		rte_eth_dev_owner_unset(port, vfc->owner_id);
		rte_free(vf);
		return;
	}
	vf->port_id = port;
	vf->nq = nq;
	vfc->serial = serial;
	/* Bursts may use it from here on, even before the host switched:
	 * the VF forwards by itself. */
	epoch_publish(&hv->vf, vf);
	rc = hvn_vf_switch(hv, NVSP_DATAPATH_VF);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: host did not confirm the switch to "
			    "VF %s (%d): back to the synthetic path",
			    hv->port_id, name, rc);
		hvn_vf_detach(vfc);
		return;
	}
	hv->vf_switches++;
	PMD_DRV_LOG(INFO, "port %u: data path on VF %s (serial %u, %u "
		    "queues)", hv->port_id, name, serial, nq);
}

/* Make the VF state what the host and the port ask for. Under vfc->lock. */
static void
hvn_vf_sync(struct hvn_vf_ctl *vfc)
{
	struct hvn_dev *hv = vfc->hv;
	uint64_t v = __atomic_load_n(&hv->vf_host, __ATOMIC_ACQUIRE);
	uint32_t serial = (uint32_t)v;
	bool want = vfc->want && !hv->gone && (v & HVN_VF_ALLOCATED);

	if (hv->vf != NULL && (!want || serial != vfc->serial))
		hvn_vf_detach(vfc);
	if (want && hv->vf == NULL)
		hvn_vf_attach(vfc, serial);
}

/* Drop one reference; the last one frees. Called with the lock held,
 * returns with it released. */
static void
hvn_vf_put(struct hvn_vf_ctl *vfc)
{
	bool last = --vfc->refs == 0;

	pthread_mutex_unlock(&vfc->lock);
	if (last) {
		pthread_mutex_destroy(&vfc->lock);
		free(vfc);
	}
}

/* Bus work thread: a queued association change. */
static void
hvn_vf_work(struct rte_hvbus_device *dev, void *arg)
{
	struct hvn_vf_ctl *vfc = arg;

	RTE_SET_USED(dev);
	pthread_mutex_lock(&vfc->lock);
	if (vfc->hv != NULL)
		hvn_vf_sync(vfc);
	hvn_vf_put(vfc);
}

void
hvn_vf_poll(struct hvn_dev *hv)
{
	struct hvn_vf_ctl *vfc = hv->vfc;
	uint64_t v = __atomic_load_n(&hv->vf_host, __ATOMIC_ACQUIRE);

	if (v == hv->vf_host_seen || vfc == NULL)
		return;
	pthread_mutex_lock(&vfc->lock);
	vfc->refs++;
	pthread_mutex_unlock(&vfc->lock);
	if (hvbus_work_call(hv->hdev, hvn_vf_work, vfc) != 0) {
		pthread_mutex_lock(&vfc->lock);
		hvn_vf_put(vfc);
		return;		/* the next alarm tries again */
	}
	hv->vf_host_seen = v;
}

static void
hvn_vf_set(struct hvn_dev *hv, bool want)
{
	struct hvn_vf_ctl *vfc = hv->vfc;

	if (vfc == NULL)
		return;
	pthread_mutex_lock(&vfc->lock);
	vfc->want = want;
	hvn_vf_sync(vfc);
	pthread_mutex_unlock(&vfc->lock);
}

void
hvn_vf_start(struct hvn_dev *hv)
{
	hv->vf_host_seen = __atomic_load_n(&hv->vf_host, __ATOMIC_ACQUIRE);
	hvn_vf_set(hv, true);
}

void
hvn_vf_stop(struct hvn_dev *hv)
{
	hvn_vf_set(hv, false);
}

void
hvn_vf_gone(struct hvn_dev *hv)
{
	/* hv->gone is set: no message to the host, just take the VF off
	 * the datapath and give it back. */
	hvn_vf_set(hv, hv->started);
}

void
hvn_vf_session_reset(struct hvn_dev *hv)
{
	uint64_t v = __atomic_load_n(&hv->vf_host, __ATOMIC_RELAXED);

	/*
	 * A new NVSP session: the host announces a present VF again. The
	 * record becomes "no VF" under a new sequence number instead of 0:
	 * restarting the sequence made the new session's first association
	 * equal to the last one's (same serial), and an LSC alarm that had
	 * loaded the old value around the reset stored it as seen - the new
	 * association then went unnoticed and the VF was never taken up
	 * again. vf_host_seen stays the alarm's alone. No channel 0 reader
	 * runs here (the old channel is gone, the new one not open yet).
	 */
	__atomic_store_n(&hv->vf_host, (v | (HVN_VF_SEQ_ONE - 1)) + 1,
			 __ATOMIC_RELEASE);
}

int
hvn_vf_init(struct hvn_dev *hv)
{
	struct hvn_vf_ctl *vfc = calloc(1, sizeof(*vfc));
	int rc;

	if (vfc == NULL)
		return -ENOMEM;
	rc = rte_eth_dev_owner_new(&vfc->owner_id);
	if (rc != 0) {
		free(vfc);
		return rc;
	}
	pthread_mutex_init(&vfc->lock, NULL);
	vfc->hv = hv;
	vfc->refs = 1;
	hv->vfc = vfc;
	return 0;
}

void
hvn_vf_fini(struct hvn_dev *hv)
{
	struct hvn_vf_ctl *vfc = hv->vfc;

	if (vfc == NULL)
		return;
	pthread_mutex_lock(&vfc->lock);
	vfc->want = false;
	hvn_vf_sync(vfc);
	vfc->hv = NULL;
	hv->vfc = NULL;
	hvn_vf_put(vfc);
}
