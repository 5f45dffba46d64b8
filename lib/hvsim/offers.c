/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channels the host offers (protocol.rst 3.7, 3.8, 4): channel objects,
 * OFFERCHANNEL, the host-initiated rescind and re-offer with the host-side
 * rules of a rescind (subchannels first, the relid kept until the guest
 * releases it), subchannel offers for the device, and what happens to the
 * GPADLs of a channel that goes.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_core.h"

int
hvsim_send_msg(struct hvsim *h, const union vmb_msg *m, int len)
{
	return hvsim_filter_send(&h->filter, m, len);
}

struct hvsim_chan *
hvsim_chan_by_relid(struct hvsim *h, uint32_t relid, const char *what)
{
	struct hvsim_chan *c = hvsim_relid_chan(&h->ids, relid);

	if (c != NULL)
		return c;
	if (hvsim_relid_released(&h->ids, relid))
		hvsim_log_violation(&h->log, "%s names relid %u, which the "
				    "guest already released", what, relid);
	else
		hvsim_log_violation(&h->log, "%s names unknown relid %u", what,
				    relid);
	return NULL;
}

/* Hostile mode: a relid the guest just released, or the highest one. */
static uint32_t
hvsim_hostile_relid(struct hvsim *h, struct hvsim_nic *n, uint16_t subidx)
{
	uint32_t r;

	if (!hvsim_hostile_roll(&h->hostile, HVSIM_HOSTILE_RELID, 2,
				"nic%u sub %u: relid reused", n->idx, subidx))
		return 0;
	if (hvsim_hostile_pick(&h->hostile, 4) == 0) {
		r = HVSIM_RELID_LIMIT - 1;
		return hvsim_relid_chan(&h->ids, r) == NULL ? r : 0;
	}
	return hvsim_relid_reuse(&h->ids);
}

struct hvsim_chan *
hvsim_chan_new(struct hvsim *h, struct hvsim_nic *n, uint16_t subidx)
{
	struct hvsim_chan *c;
	int mon;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->relid = hvsim_hostile_relid(h, n, subidx);
	if (c->relid == 0)
		c->relid = hvsim_relid_alloc(&h->ids);
	if (c->relid == 0) {
		free(c);
		hvsim_log_error(&h->log, "nic%u: no relid left for an offer",
				n->idx);
		return NULL;
	}
	c->rings = &h->rings;
	c->nic = n;
	c->subidx = subidx;
	mon = hvsim_monitor_alloc(&h->ids);
	if (mon >= 0) {
		c->monitor_id = (uint8_t)mon;
		c->monitor_allocated = true;
	} else {
		hvsim_log_error(&h->log, "nic%u sub %u: monitor ids exhausted, "
				"offering without one", n->idx, subidx);
	}
	hvsim_relid_bind(&h->ids, c->relid, c, n->idx);
	n->chan[subidx] = c;
	if (subidx >= n->chan_end)
		n->chan_end = subidx + 1;
	return c;
}

static int hvsim_rescind_one(struct hvsim *h, struct hvsim_chan *c);

/*
 * Hostile mode: the offer @p m just sent comes again - the same message,
 * or the same device and index under a second relid, which the host then
 * rescinds (a decoy: the guest must take neither for a second device).
 */
static void
hvsim_hostile_dupoffer(struct hvsim *h, struct hvsim_nic *n,
		       struct vmb_offer_params *p, const union vmb_msg *m,
		       int len)
{
	struct hvsim_chan *d;
	union vmb_msg dm;
	int dlen;

	if (!hvsim_hostile_roll(&h->hostile, HVSIM_HOSTILE_DUPOFFER, 3,
				"nic%u sub %u: offered twice", n->idx,
				p->sub_channel_index))
		return;
	if (hvsim_hostile_pick(&h->hostile, 2) == 0) {
		hvsim_send_msg(h, m, len);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return;
	d->relid = hvsim_relid_alloc(&h->ids);
	if (d->relid == 0) {
		free(d);
		return;
	}
	d->rings = &h->rings;
	d->nic = n;
	d->subidx = p->sub_channel_index;
	hvsim_relid_bind(&h->ids, d->relid, d, n->idx);
	p->child_relid = d->relid;
	p->connection_id = d->relid | ((uint32_t)VMB_SINT << 12);
	p->monitor_allocated = 0;
	dlen = vmb_msg_encode_offer(&dm, p);
	if (dlen < 0) {
		hvsim_chan_free(h, d);
		return;
	}
	hvsim_log_msg(&h->log, HVSIM_LOG_NOTICE, "nic%u sub %u: decoy offer "
		      "relid %u, rescinded at once", n->idx, d->subidx,
		      d->relid);
	hvsim_send_msg(h, &dm, dlen);
	hvsim_rescind_one(h, d);
}

static int
hvsim_offer(struct hvsim *h, struct hvsim_nic *n, uint16_t subidx)
{
	struct vmb_offer_params p;
	union vmb_msg m;
	struct hvsim_chan *c;
	int len;

	c = hvsim_chan_new(h, n, subidx);
	if (c == NULL)
		return -ENOSPC;
	memset(&p, 0, sizeof(p));
	p.if_type = vmb_guid_netvsc;
	p.if_instance = n->instance;
	p.sub_channel_index = subidx;
	p.child_relid = c->relid;
	p.monitor_id = c->monitor_id;
	p.monitor_allocated = c->monitor_allocated;
	p.is_dedicated_interrupt = 1;
	p.connection_id = c->relid | ((uint32_t)VMB_SINT << 12);
	len = vmb_msg_encode_offer(&m, &p);
	if (len < 0) {
		hvsim_chan_free(h, c);
		return len;
	}
	HVSIM_INFO(&h->log, "nic%u: offer sub %u relid %u monitor %u", n->idx,
		   subidx, c->relid, c->monitor_id);
	hvsim_send_msg(h, &m, len);
	hvsim_hostile_dupoffer(h, n, &p, &m, len);
	hvsim_gate_reached(&h->gate, n->idx, HVSIM_STEP_OFFER_SENT);
	return 0;
}

int
hvsim_chan_start(struct hvsim *h, struct hvsim_chan *c, struct hvsim_gpadl *g,
		 uint32_t page_off)
{
	int rc;

	c->pkt_buf = malloc(HVSIM_PKT_MAX);
	if (c->pkt_buf == NULL)
		return -ENOMEM;
	rc = hvsim_ring_open(c, g, page_off);
	if (rc == 0) {
		rc = h->rings.ops->chan_open(c->nic->dev, c, c->subidx);
		if (rc < 0)
			hvsim_log_error(&h->log, "nic%u: device refused to "
					"open sub %u: %s", c->nic->idx,
					c->subidx, strerror(-rc));
	}
	if (rc < 0) {
		free(c->pkt_buf);
		c->pkt_buf = NULL;
		return rc;
	}
	c->dev_open = true;
	c->open = true;
	c->failed = false;
	c->ring_gpadl = g->handle;
	g->ring = true;
	h->rings.n_open++;
	return 0;
}

void
hvsim_chan_stop(struct hvsim *h, struct hvsim_chan *c)
{
	if (!c->open)
		return;
	HVSIM_INFO(&h->log, "nic%u sub %u relid %u stops: %llu packets in, "
		   "%llu out", c->nic->idx, c->subidx, c->relid,
		   (unsigned long long)c->st.tx_pkts,
		   (unsigned long long)c->st.rx_pkts);
	hvsim_chan_close_dev(c);
	c->open = false;
	h->rings.n_open--;
	free(c->pkt_buf);
	c->pkt_buf = NULL;
	if (hvsim_gpadl_ring_closed(&h->gpadls, c->ring_gpadl))
		hvsim_gpadl_gone(h, c->ring_gpadl, true);
}

void
hvsim_chan_free(struct hvsim *h, struct hvsim_chan *c)
{
	hvsim_chan_stop(h, c);
	if (c->monitor_allocated)
		hvsim_monitor_free(&h->ids, c->monitor_id);
	if (c->nic->chan[c->subidx] == c)
		c->nic->chan[c->subidx] = NULL;
	hvsim_relid_unbind(&h->ids, c->relid, false);
	free(c);
}

/* ---- GPADLs of a channel ---- */

void
hvsim_gpadl_gone(struct hvsim *h, uint32_t handle, bool reply)
{
	struct hvsim_gpadl *e = hvsim_gpadl_find(&h->gpadls, handle);
	struct hvsim_chan *c;
	union vmb_msg r;
	int len;

	if (e == NULL)
		return;
	c = hvsim_relid_chan(&h->ids, e->relid);
	/* The device drops its mapping before the guest may free it. */
	if (c != NULL && h->rings.ops->gpadl_teardown != NULL)
		h->rings.ops->gpadl_teardown(c->nic->dev, handle);
	hvsim_gpadl_remove(&h->gpadls, handle);
	if (reply) {
		len = vmb_msg_encode_gpadl_torndown(&r, handle);
		hvsim_send_msg(h, &r, len);
	}
}

void
hvsim_gpadl_drop_relid(struct hvsim *h, uint32_t relid)
{
	struct hvsim_gpadl *e;

	hvsim_gpadl_drop_building(&h->gpadls, relid);
	while ((e = hvsim_gpadl_of(&h->gpadls, relid)) != NULL)
		hvsim_gpadl_gone(h, e->handle, false);
}

/* ---- rescind and re-offer (host-initiated) ---- */

static int
hvsim_rescind_one(struct hvsim *h, struct hvsim_chan *c)
{
	union vmb_msg m;
	int len;

	if (c->rescinded)
		return -EALREADY;
	len = vmb_msg_encode_relid(&m, VMB_MSG_RESCIND_CHANNELOFFER, c->relid);
	c->rescinded = true;
	c->rescind_rx_seq = h->tp.rx_seq;
	c->rescind_ns = hv_now_ns();
	HVSIM_INFO(&h->log, "nic%u: rescind sub %u relid %u", c->nic->idx,
		   c->subidx, c->relid);
	/* The host stops using the rings at once; GPADL requests still in
	 * flight are answered (creates fail, teardowns complete).
	 */
	hvsim_chan_stop(h, c);
	hvsim_gpadl_rescinded(&h->gpadls, c->relid);
	return hvsim_send_msg(h, &m, len);
}

int
hvsim_do_rescind(struct hvsim *h, unsigned int nic, unsigned int sub)
{
	struct hvsim_nic *n = &h->nic[nic];
	bool alone = sub == HVSIM_RESCIND_PRIMARY_ONLY;
	unsigned int i;
	int rc;

	if (alone)
		sub = 0;
	if (sub >= HVSIM_MAX_QUEUES)
		return -EINVAL;
	n->rescind_ns = hv_now_ns();
	if (!h->connected || !h->offers_requested) {
		/* The guest has not seen the offer: just remove the NIC. */
		if (sub != 0)
			return -ENOENT;
		if (!n->present)
			return -EALREADY;
		n->present = false;
		n->rescinds++;
		return 0;
	}
	if (sub != 0) {
		if (n->chan[sub] == NULL)
			return -ENOENT;
		return hvsim_rescind_one(h, n->chan[sub]);
	}
	if (n->chan[0] == NULL || n->chan[0]->rescinded)
		return -EALREADY;
	/* Subchannels before their primary (protocol.rst 3.8), unless a
	 * test wants the primary alone: the subchannels keep running. */
	for (i = 1; i < HVSIM_MAX_QUEUES && !alone; i++)
		if (n->chan[i] != NULL && !n->chan[i]->rescinded)
			hvsim_rescind_one(h, n->chan[i]);
	rc = hvsim_rescind_one(h, n->chan[0]);
	n->present = false;
	n->reoffer_pending = false;
	n->rescinds++;
	h->rings.ops->reset(n->dev);
	return rc;
}

int
hvsim_offer_primary(struct hvsim *h, struct hvsim_nic *n)
{
	unsigned int i;

	/* Rescinded subchannels the guest has not released yet stay known
	 * by relid but no longer occupy their index.
	 */
	for (i = 1; i < HVSIM_MAX_QUEUES; i++)
		if (n->chan[i] != NULL && n->chan[i]->rescinded)
			n->chan[i] = NULL;
	return hvsim_offer(h, n, 0);
}

/* Offer rescinded subchannel @p sub again, once the guest released it. */
static int
hvsim_offer_sub_again(struct hvsim *h, struct hvsim_nic *n, unsigned int sub)
{
	if (sub >= HVSIM_MAX_QUEUES)
		return -EINVAL;
	if (!n->present || !h->connected || n->chan[0] == NULL ||
	    n->chan[0]->rescinded)
		return -ENODEV;
	if (n->chan[sub] != NULL)
		return n->chan[sub]->rescinded ? -EBUSY : -EEXIST;
	n->reoffers++;
	return hvsim_offer(h, n, (uint16_t)sub);
}

int
hvsim_do_reoffer(struct hvsim *h, unsigned int nic, unsigned int sub)
{
	struct hvsim_nic *n = &h->nic[nic];

	if (sub != 0)
		return hvsim_offer_sub_again(h, n, sub);
	if (n->present)
		return -EEXIST;
	n->present = true;
	n->reoffers++;
	if (!h->connected || !h->offers_requested)
		return 0;
	if (n->chan[0] != NULL) {
		/* Same instance GUID only after the old relid is released. */
		n->reoffer_pending = true;
		HVSIM_INFO(&h->log, "nic%u: re-offer waits for RELID_RELEASED "
			   "of relid %u", nic, n->chan[0]->relid);
		return 0;
	}
	return hvsim_offer_primary(h, n);
}

int
hvsim_offer_subchannels(struct hvsim *h, unsigned int nic, unsigned int cnt)
{
	struct hvsim_nic *n;
	unsigned int i;
	int rc;

	if (nic >= h->cfg.n_nics || cnt >= HVSIM_MAX_QUEUES)
		return -EINVAL;
	n = &h->nic[nic];
	if (!h->connected || n->chan[0] == NULL || n->chan[0]->rescinded)
		return -ENODEV;
	for (i = 1; i <= cnt; i++) {
		if (n->chan[i] != NULL)
			continue;
		rc = hvsim_offer(h, n, (uint16_t)i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
hvsim_hostile_act(struct hvsim *h)
{
	uint32_t want = h->hostile.rescind_nics;
	unsigned int i;
	int work = 0;

	h->hostile.rescind_nics = 0;
	for (i = 0; want != 0 && i < h->cfg.n_nics; i++) {
		if (!(want & (1u << i)))
			continue;
		/* Back once the guest released it, so a session goes on. */
		if (hvsim_do_rescind(h, i, 0) == 0) {
			hvsim_do_reoffer(h, i, 0);
			work++;
		}
	}
	return work;
}
