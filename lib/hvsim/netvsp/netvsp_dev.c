/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * netvsp NIC device model: the ops table the hvsim core calls, per-NIC
 * state, and the dispatch of guest packets by VMBus packet type. The
 * protocol work lives in nvsp_host.c, rndis_host.c, rxbuf.c and txpath.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netvsp_priv.h"

void
nv_session_reset(struct netvsp_dev *d)
{
	unsigned int i;

	for (i = 0; i < NV_MAX_QUEUES; i++)
		if (d->ch[i] != NULL)
			d->ch[i]->n_rng = 0;
	nv_rxbuf_revoke(d);
	d->sb.on = false;
	d->nvsp_ver = 0;
	d->ndis_ver = 0;
	d->ndis_mtu = 0;
	d->ndis_caps = 0;
	d->subch_granted = 0;
	d->send_table_due = false;
	d->datapath_vf = false;
	/* A new session hears about a present VF again after its RNDIS init. */
	d->vf_announced = false;
	d->vf_msg_due = d->vf_present;
	nv_rndis_reset(d);
	d->stats.nvsp_version = 0;
	d->stats.ndis_version = 0;
}

static void
nv_default_mac(struct netvsp_dev *d)
{
	static const uint8_t zero[6];

	if (memcmp(d->cfg.mac, zero, 6) != 0) {
		memcpy(d->perm_mac, d->cfg.mac, 6);
	} else {
		/* Hyper-V's OUI; the NIC index makes it unique per host. */
		d->perm_mac[0] = 0x00;
		d->perm_mac[1] = 0x15;
		d->perm_mac[2] = 0x5d;
		d->perm_mac[3] = 0x5a;
		d->perm_mac[4] = 0x00;
		d->perm_mac[5] = (uint8_t)d->nic;
	}
	memcpy(d->mac, d->perm_mac, 6);
}

static void *
netvsp_create(struct hvsim *h, unsigned int nic,
	      const struct hvsim_nic_config *cfg)
{
	struct netvsp_dev *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->h = h;
	d->hostile_classes = hvsim_dev_hostile_classes(h);
	d->nic = nic;
	d->cfg = *cfg;
	if (d->cfg.mtu < 68 || d->cfg.mtu > 9000)
		d->cfg.mtu = 1500;
	if (d->cfg.link_speed_mbps == 0)
		d->cfg.link_speed_mbps = 100000;
	/* A full packet is sent anyway. */
	if (d->cfg.rx_publish >= NV_RX_BATCH_MAX)
		d->cfg.rx_publish = 0;
	d->max_queues = cfg->max_queues;
	if (d->max_queues == 0)
		d->max_queues = 8;
	if (d->max_queues > NV_MAX_QUEUES)
		d->max_queues = NV_MAX_QUEUES;
	d->log_budget = NV_LOG_BUDGET;
	nv_default_mac(d);
	d->link_up = true;
	d->stats.link_up = true;
	d->txbuf = malloc(NV_TX_MAX_BYTES);
	d->segbuf = malloc(NV_TX_MAX_BYTES);
	d->gpabuf = malloc(VMB_PKT_DESC_SIZE + NV_TX_MAX_EXT);
	if (d->txbuf == NULL || d->segbuf == NULL || d->gpabuf == NULL)
		goto fail;
	nv_rndis_reset(d);
	if (nv_port_init(d) != 0)
		goto fail;
	nv_dev_register(d);
	return d;
fail:
	free(d->txbuf);
	free(d->segbuf);
	free(d->gpabuf);
	free(d);
	return NULL;
}

static void
netvsp_destroy(void *dev)
{
	struct netvsp_dev *d = dev;
	unsigned int i;

	nv_dev_unregister(d);
	nv_port_fini(d);
	nv_mb_fini(d);
	nv_rxbuf_revoke(d);
	for (i = 0; i < NV_MAX_QUEUES; i++)
		free(d->ch[i]);
	free(d->txbuf);
	free(d->segbuf);
	free(d->gpabuf);
	free(d);
}

static int
netvsp_chan_open(void *dev, struct hvsim_chan *c, uint16_t subidx)
{
	struct netvsp_dev *d = dev;
	struct nv_chan *ch;

	if (subidx >= NV_MAX_QUEUES || subidx >= d->max_queues) {
		nv_log(d, "open of subchannel %u beyond %u queues refused",
		       subidx, d->max_queues);
		return -EINVAL;
	}
	if (d->ch[subidx] != NULL) {
		nv_log(d, "channel %u opened twice", subidx);
		return -EBUSY;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return -ENOMEM;
	ch->c = c;
	ch->idx = subidx;
	d->ch[subidx] = ch;
	d->n_open++;
	if (subidx + 1u > d->ch_end)
		d->ch_end = subidx + 1u;
	if (subidx == 0)
		nv_session_reset(d);
	else if (d->subch_granted != 0 && d->n_open == d->subch_granted + 1)
		d->send_table_due = true;
	if (subidx + 1u > d->stats.n_queues)
		d->stats.n_queues = subidx + 1u;
	return 0;
}

static void
netvsp_chan_close(void *dev, struct hvsim_chan *c)
{
	struct netvsp_dev *d = dev;
	unsigned int i;

	for (i = 0; i < NV_MAX_QUEUES; i++) {
		struct nv_chan *ch = d->ch[i];

		if (ch == NULL || ch->c != c)
			continue;
		/* Batches in flight there are never completed now: take their
		 * sections back. */
		nv_rx_chan_drop(d, ch);
		nv_rsc_fini(ch);
		d->ch[i] = NULL;
		d->n_open--;
		while (d->ch_end > 0 && d->ch[d->ch_end - 1] == NULL)
			d->ch_end--;
		free(ch);
		if (i != 0)
			return;
		nv_session_reset(d);
		for (i = 1; i < d->ch_end; i++)
			if (d->ch[i] != NULL)
				d->ch[i]->orphaned = true;
		return;
	}
}

/* Copy of an NVSP SEND_RNDIS_PKT header, after the version check. */
static int
nv_rndis_pkt_hdr(struct netvsp_dev *d, const struct hvsim_pkt *p,
		 struct nvsp_rndis_pkt *req)
{
	union nvsp_msg m;
	int t = nvsp_decode(p->data, p->data_len, &m);

	if (t != NVSP_TYPE_RNDIS_PKT) {
		nv_log(d, "GPA-direct packet without SEND_RNDIS_PKT (%d)", t);
		return -EPROTO;
	}
	*req = m.rndis_pkt;
	return 0;
}

static int
netvsp_packet(void *dev, struct hvsim_chan *c, const struct hvsim_pkt *p)
{
	struct netvsp_dev *d = dev;
	struct nvsp_rndis_pkt req;
	struct nv_chan *ch = NULL;
	unsigned int i;
	int rc;

	/* The core passes the channel it named in chan_open(). */
	i = hvsim_chan_subidx(c);
	if (i < d->ch_end && d->ch[i] != NULL && d->ch[i]->c == c)
		ch = d->ch[i];
	if (ch == NULL) {
		nv_log(d, "packet on a channel the device does not know");
		return -ENODEV;
	}
	/* The guest sends on a subchannel until it reads the primary's
	 * rescind; what it wrote meanwhile belongs to no session and is
	 * dropped (no completion: its close gives the guest it all back). */
	if (ch->orphaned) {
		nv_log_dp(d, "packet on subchannel %u after its primary "
			  "closed: dropped", ch->idx);
		return 0;
	}
	/* Completions and responses of this ring drain are published once,
	 * by netvsp_poll() right after it (same host iteration). */
	if (!ch->batching) {
		hvsim_chan_batch_begin(ch->c);
		ch->batching = true;
	}

	switch (p->type) {
	case VMB_PKT_COMPLETION:
		nv_rx_complete(d, ch, p->xid, p);
		return 0;
	case VMB_PKT_DATA_INBAND:
		return nv_nvsp_inband(d, ch, p);
	case VMB_PKT_DATA_GPA_DIRECT:
		if (d->nvsp_ver == 0) {
			nv_log(d, "GPA-direct packet before NVSP INIT");
			return -EPROTO;
		}
		rc = nv_rndis_pkt_hdr(d, p, &req);
		if (rc != 0)
			return rc;
		return nv_tx_request(d, ch, p, &req);
	default:
		nv_log(d, "guest sent VMBus packet type %u", p->type);
		return -EPROTO;
	}
}

static int
netvsp_poll(void *dev)
{
	struct netvsp_dev *d = dev;
	unsigned int i;
	int work = 0;

	if (d->n_open == 0)
		return 0;
	/* Only the ports that pace or stamp need the clock. */
	if (d->gen != NULL || d->pcap != NULL)
		d->now_ns = hv_now_ns();
	/* One published write index per channel per iteration. */
	for (i = 0; i < d->ch_end; i++) {
		struct nv_chan *ch = d->ch[i];

		if (ch == NULL)
			continue;
		if (!ch->batching) {
			hvsim_chan_batch_begin(ch->c);
			ch->batching = true;
		}
	}
	work += nv_ctrl_flush(d);
	work += nv_nvsp_poll(d);
	work += nv_port_poll(d);
	work += nv_mb_poll(d);
	for (i = 0; i < d->ch_end; i++) {
		struct nv_chan *ch = d->ch[i];

		if (ch == NULL)
			continue;
		/* A coalescing unit lasts one host iteration. */
		nv_rsc_flush(d, ch);
		if (ch->n_rng != 0 && nv_rx_flush(d, ch) == 0)
			work++;
		hvsim_chan_batch_end(ch->c);
		ch->batching = false;
	}
	return work;
}

static void
netvsp_reset(void *dev)
{
	nv_session_reset(dev);
}

static void
netvsp_stats(void *dev, struct hvsim_nic_stats *st)
{
	struct netvsp_dev *d = dev;

	*st = d->stats;
	st->link_up = d->link_up;
	st->rss_enabled = d->rss.enabled;
	st->vf_active = d->datapath_vf;
	st->packet_filter = d->filter;
	st->nvsp_version = d->nvsp_ver;
	st->ndis_version = d->ndis_ver;
	memcpy(st->mac, d->mac, sizeof(st->mac));
	memcpy(st->perm_mac, d->perm_mac, sizeof(st->perm_mac));
	st->mac_locked = d->cfg.mac_locked;
	st->rsc_on = d->off.rsc4 || d->off.rsc6;
	if (d->rx.on) {
		st->rx_sec_count = d->rx.sec_count;
		st->rx_sec_held = d->rx.sec_count - d->rx.n_free;
	}
	nv_gen_stats(d, st);
}

static int
netvsp_set_link(void *dev, bool up)
{
	struct netvsp_dev *d = dev;

	if (d->link_up == up)
		return 0;
	d->link_up = up;
	d->stats.link_up = up;
	if (d->rndis_up)
		nv_rndis_indicate(d, up ? RNDIS_STATUS_MEDIA_CONNECT :
				  RNDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
	return 0;
}

static int
netvsp_vf(void *dev, bool add, uint32_t serial)
{
	struct netvsp_dev *d = dev;

	if (add && d->vf_present && d->vf_serial == serial)
		return 0;
	if (!add && !d->vf_present)
		return 0;
	d->vf_present = add;
	if (add)
		d->vf_serial = serial;
	/* Sent from poll once RNDIS is up and the guest offered SR-IOV. */
	d->vf_msg_due = true;
	return 0;
}

static int
netvsp_mac_lock(void *dev, bool locked)
{
	struct netvsp_dev *d = dev;

	d->cfg.mac_locked = locked;
	return 0;
}

const struct hvsim_dev_ops hvsim_netvsp_ops = {
	.create = netvsp_create,
	.destroy = netvsp_destroy,
	.chan_open = netvsp_chan_open,
	.chan_close = netvsp_chan_close,
	.packet = netvsp_packet,
	.poll = netvsp_poll,
	.reset = netvsp_reset,
	.stats = netvsp_stats,
	.set_link = netvsp_set_link,
	.vf = netvsp_vf,
	.mac_lock = netvsp_mac_lock,
};
