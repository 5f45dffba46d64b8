/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * VMBus channel management, host side (hyperv-protocol.md 2 and 6.1): one
 * dispatch table indexed by message type, version negotiation, offers,
 * open/close, relid release, unload, and the host-initiated rescind and
 * re-offer with the rescind rules of 2.8. Every guest message is decoded
 * (type, length) once by lib/vmbus before a handler sees it; handlers
 * validate what they index with. A guest protocol error is logged,
 * recorded by the checker and dropped without a reply unless the protocol
 * defines a failure reply.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_priv.h"

/* Versions the host accepts, exact match (openvmm accepts all of these;
 * 6.0 needs feature negotiation this host does not do).
 */
static const uint32_t hvsim_versions[] = {
	VMB_VERSION_IRON, VMB_VERSION_WIN10_RS5, VMB_VERSION_WIN10_RS4,
	VMB_VERSION_WIN10_V5, VMB_VERSION_WIN10_RS3, VMB_VERSION_WIN10,
	VMB_VERSION_WIN8_1, VMB_VERSION_WIN8,
};

enum hvsim_route {
	HVSIM_ROUTE_GLOBAL,	/* not tied to a NIC */
	HVSIM_ROUTE_RELID,	/* child_relid at offset 8 */
	HVSIM_ROUTE_GPADL_BODY,	/* a GPADL in progress, by handle */
};

struct hvsim_msg_ctx {
	uint64_t rx_seq;
	uint64_t rx_ns;
};

typedef void (*hvsim_msg_fn)(struct hvsim *h, const union vmb_msg *m,
			     uint32_t len, const struct hvsim_msg_ctx *ctx);

struct hvsim_handler {
	hvsim_msg_fn fn;
	enum hvsim_route route;
};

/* ---- channel objects ---- */

struct hvsim_chan *
hvsim_chan_by_relid(struct hvsim *h, uint32_t relid, const char *what)
{
	struct hvsim_chan *c = NULL;

	if (relid < HVSIM_RELID_LIMIT)
		c = h->relid_tab[relid];
	if (c != NULL)
		return c;
	if (relid < HVSIM_RELID_LIMIT && h->relid_released[relid])
		hvsim_log_violation(&h->log, "%s names relid %u, which the "
				    "guest already released", what, relid);
	else
		hvsim_log_violation(&h->log, "%s names unknown relid %u", what,
				    relid);
	return NULL;
}

static uint32_t
hvsim_relid_alloc(struct hvsim *h)
{
	unsigned int tries;

	/* Round robin: a relid comes back only after all others, so a
	 * stale reference in a guest names a free relid, not a new channel.
	 */
	for (tries = 0; tries < HVSIM_RELID_LIMIT - 1; tries++) {
		uint32_t r = h->next_relid;

		h->next_relid = r + 1 >= HVSIM_RELID_LIMIT ? 1 : r + 1;
		if (h->relid_tab[r] == NULL)
			return r;
	}
	return 0;
}

static int
hvsim_offer(struct hvsim *h, struct hvsim_nic *n, uint16_t subidx)
{
	struct vmb_offer_params p;
	union vmb_msg m;
	struct hvsim_chan *c;
	unsigned int i;
	int len;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->relid = hvsim_relid_alloc(h);
	if (c->relid == 0) {
		free(c);
		hvsim_log_error(&h->log, "nic%u: no relid left for an offer",
				n->idx);
		return -ENOSPC;
	}
	c->h = h;
	c->nic = n;
	c->subidx = subidx;
	for (i = 0; i < HVSIM_MONITOR_IDS; i++) {
		if (!h->monitor_used[i]) {
			h->monitor_used[i] = true;
			c->monitor_id = (uint8_t)i;
			c->monitor_allocated = true;
			break;
		}
	}
	if (!c->monitor_allocated)
		hvsim_log_error(&h->log, "nic%u sub %u: monitor ids exhausted, "
				"offering without one", n->idx, subidx);
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
		if (c->monitor_allocated)
			h->monitor_used[c->monitor_id] = false;
		free(c);
		return len;
	}
	h->relid_tab[c->relid] = c;
	h->relid_released[c->relid] = 0;
	n->chan[subidx] = c;
	HVSIM_INFO(&h->log, "nic%u: offer sub %u relid %u monitor %u", n->idx,
		   subidx, c->relid, c->monitor_id);
	hvsim_send_msg(h, &m, len);
	hvsim_hook_core(h, n, HVSIM_STEP_OFFER_SENT);
	return 0;
}

/* Stop ring processing of an open channel (close, rescind, unload). */
static void
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
	h->n_open--;
	free(c->pkt_buf);
	c->pkt_buf = NULL;
	hvsim_gpadl_ring_closed(h, c);
}

void
hvsim_chan_close_dev(struct hvsim_chan *c)
{
	if (!c->dev_open)
		return;
	c->dev_open = false;
	c->h->ops->chan_close(c->nic->dev, c);
}

/* Forget a channel: relid and monitor id become free. */
static void
hvsim_chan_free(struct hvsim *h, struct hvsim_chan *c)
{
	hvsim_chan_stop(h, c);
	if (c->monitor_allocated)
		h->monitor_used[c->monitor_id] = false;
	if (c->nic->chan[c->subidx] == c)
		c->nic->chan[c->subidx] = NULL;
	h->relid_tab[c->relid] = NULL;
	free(c);
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
	c->rescind_rx_seq = h->rx_seq;
	c->rescind_ns = hvsim_now_ns();
	HVSIM_INFO(&h->log, "nic%u: rescind sub %u relid %u", c->nic->idx,
		   c->subidx, c->relid);
	/* The host stops using the rings at once; GPADL requests still in
	 * flight are answered (creates fail, teardowns complete).
	 */
	hvsim_chan_stop(h, c);
	hvsim_gpadl_rescinded(h, c->relid);
	return hvsim_send_msg(h, &m, len);
}

int
hvsim_do_rescind(struct hvsim *h, unsigned int nic, unsigned int sub)
{
	struct hvsim_nic *n = &h->nic[nic];
	unsigned int i;
	int rc;

	if (sub >= HVSIM_MAX_QUEUES)
		return -EINVAL;
	n->rescind_ns = hvsim_now_ns();
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
	/* Subchannels before their primary (openvmm PR #3507). */
	for (i = 1; i < HVSIM_MAX_QUEUES; i++)
		if (n->chan[i] != NULL && !n->chan[i]->rescinded)
			hvsim_rescind_one(h, n->chan[i]);
	rc = hvsim_rescind_one(h, n->chan[0]);
	n->present = false;
	n->reoffer_pending = false;
	n->rescinds++;
	h->ops->reset(n->dev);
	return rc;
}

static int
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

/* ---- connection ---- */

void
hvsim_reset_connection(struct hvsim *h, const char *why, bool check)
{
	unsigned int i;

	if (check && h->connected)
		hvsim_check_unload(h, why);
	/* GPADLs first: closing the channels then owes no TORNDOWN, and a
	 * reset never sends anything.
	 */
	hvsim_gpadl_drop_all(h);
	for (i = 0; i < HVSIM_RELID_LIMIT; i++)
		if (h->relid_tab[i] != NULL)
			hvsim_chan_free(h, h->relid_tab[i]);
	for (i = 0; i < h->cfg.n_nics; i++) {
		struct hvsim_nic *n = &h->nic[i];

		hvsim_hold_flush(h, n);
		if (n->reoffer_pending)
			n->present = true;
		n->reoffer_pending = false;
		if (h->connected)
			h->ops->reset(n->dev);
	}
	memset(h->relid_released, 0, sizeof(h->relid_released));
	memset(h->monitor_used, 0, sizeof(h->monitor_used));
	h->connected = false;
	h->offers_requested = false;
	h->version = 0;
	h->mon_parent = NULL;
	h->mon_child = NULL;
	h->n_open = 0;
}

static void
hvsim_version_reply(struct hvsim *h, uint8_t ok, uint8_t state, uint32_t conn)
{
	union vmb_msg r;
	int len = vmb_msg_encode_version_response(&r, ok, state, conn);

	if (len > 0)
		hvsim_send_msg(h, &r, len);
}

/* A monitor page: page aligned, inside the arena. */
static uint8_t *
hvsim_monitor_page(struct hvsim *h, uint64_t gpa)
{
	if (gpa % VMB_PAGE_SIZE)
		return NULL;
	return hvsim_arena_ptr(h, gpa, VMB_PAGE_SIZE);
}

static void
hvsim_msg_contact(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		  const struct hvsim_msg_ctx *ctx)
{
	const struct vmb_msg_initiate_contact *ic = &m->initiate_contact;
	uint32_t v = ic->version_requested;
	uint8_t *mp1 = NULL, *mp2 = NULL;
	unsigned int i;

	if (h->connected) {
		/* openvmm: an implicit disconnect, then a new negotiation. */
		HVSIM_INFO(&h->log, "INITIATE_CONTACT while connected: reset");
		hvsim_reset_connection(h, "INITIATE_CONTACT while connected",
				       true);
	}
	for (i = 0; i < sizeof(hvsim_versions) / sizeof(hvsim_versions[0]); i++)
		if (hvsim_versions[i] == v)
			break;
	if (i == sizeof(hvsim_versions) / sizeof(hvsim_versions[0])) {
		HVSIM_DEBUG(&h->log, "version %#x not supported", v);
		hvsim_version_reply(h, 0, VMB_CONN_OK, 0);
		return;
	}
	if ((ic->monitor_page1 == 0) != (ic->monitor_page2 == 0)) {
		hvsim_log_violation(&h->log, "INITIATE_CONTACT gives one "
				    "monitor page (%#llx, %#llx): both or "
				    "neither",
				    (unsigned long long)ic->monitor_page1,
				    (unsigned long long)ic->monitor_page2);
		hvsim_version_reply(h, 0, VMB_CONN_FAILED_UNKNOWN, 0);
		return;
	}
	if (ic->monitor_page1 != 0) {
		mp1 = hvsim_monitor_page(h, ic->monitor_page1);
		mp2 = hvsim_monitor_page(h, ic->monitor_page2);
		if (mp1 == NULL || mp2 == NULL ||
		    ic->monitor_page1 == ic->monitor_page2) {
			hvsim_log_violation(&h->log, "INITIATE_CONTACT monitor "
					    "pages %#llx, %#llx not two "
					    "aligned pages in the arena",
					    (unsigned long long)ic->monitor_page1,
					    (unsigned long long)ic->monitor_page2);
			hvsim_version_reply(h, 0, VMB_CONN_FAILED_UNKNOWN, 0);
			return;
		}
	}
	h->connected = true;
	h->version = v;
	h->mon_parent = mp1;
	h->mon_child = mp2;
	HVSIM_INFO(&h->log, "connected at version %#x", v);
	/* From 5.0 the guest posts to the connection id we return; below,
	 * openvmm echoes the version there and guests ignore it.
	 */
	hvsim_version_reply(h, 1, VMB_CONN_OK,
			    v >= VMB_VERSION_WIN10_V5 ? VMB_CONNID_MESSAGE : v);
}

static void
hvsim_msg_request_offers(struct hvsim *h, const union vmb_msg *m, uint32_t len,
			 const struct hvsim_msg_ctx *ctx)
{
	union vmb_msg r;
	unsigned int i;
	int rlen;

	if (h->offers_requested) {
		hvsim_log_violation(&h->log, "second REQUESTOFFERS on one "
				    "connection");
		return;
	}
	h->offers_requested = true;
	for (i = 0; i < h->cfg.n_nics; i++)
		if (h->nic[i].present)
			hvsim_offer_primary(h, &h->nic[i]);
	rlen = vmb_msg_encode_hdr(&r, VMB_MSG_ALLOFFERS_DELIVERED);
	hvsim_send_msg(h, &r, rlen);
}

static void
hvsim_msg_open(struct hvsim *h, const union vmb_msg *m, uint32_t len,
	       const struct hvsim_msg_ctx *ctx)
{
	const struct vmb_msg_open *o = &m->open;
	struct hvsim_chan *c;
	struct hvsim_gpadl *g;
	union vmb_msg r;
	uint32_t status = HVSIM_STATUS_FAIL;
	int rc, rlen;

	c = hvsim_chan_by_relid(h, o->child_relid, "OPENCHANNEL");
	if (c == NULL)
		return;
	if (c->rescinded) {
		uint64_t ms = (ctx->rx_ns - c->rescind_ns) / 1000000;

		/* Never answered (2.8). Crossing the rescind on the wire is
		 * legal; opening well after it, or twice, is not.
		 */
		if (ctx->rx_seq > c->rescind_rx_seq &&
		    (ms >= h->rescind_grace_ms || c->opens_after_rescind))
			hvsim_log_violation(&h->log, "OPENCHANNEL for relid "
					    "%u, rescinded %llu ms earlier",
					    c->relid, (unsigned long long)ms);
		c->opens_after_rescind = true;
		HVSIM_INFO(&h->log, "OPENCHANNEL relid %u after its rescind: "
			   "no reply", c->relid);
		return;
	}
	if (c->open) {
		hvsim_log_violation(&h->log, "OPENCHANNEL for relid %u, "
				    "already open", c->relid);
		return;
	}
	g = hvsim_gpadl_find(h, o->ring_gpadl);
	if (g == NULL) {
		if (hvsim_gpadl_was_torn(h, o->ring_gpadl))
			hvsim_log_violation(&h->log, "OPENCHANNEL relid %u "
					    "names GPADL %#x after its "
					    "teardown", c->relid,
					    o->ring_gpadl);
		else
			hvsim_log_violation(&h->log, "OPENCHANNEL relid %u "
					    "names unknown GPADL %#x", c->relid,
					    o->ring_gpadl);
		goto reply;
	}
	if (g->relid != c->relid || g->ring_of != NULL ||
	    g->teardown_pending) {
		hvsim_log_violation(&h->log, "OPENCHANNEL relid %u: GPADL %#x "
				    "belongs to relid %u%s%s", c->relid,
				    g->handle, g->relid,
				    g->ring_of ? ", already a ring" : "",
				    g->teardown_pending ? ", being torn down" : "");
		goto reply;
	}
	c->pkt_buf = malloc(HVSIM_PKT_MAX);
	if (c->pkt_buf == NULL)
		goto reply;
	rc = hvsim_ring_open(c, g, o->downstream_page_offset);
	if (rc < 0)
		goto reply_free;
	rc = h->ops->chan_open(c->nic->dev, c, c->subidx);
	if (rc < 0) {
		hvsim_log_error(&h->log, "nic%u: device refused to open sub "
				"%u: %s", c->nic->idx, c->subidx,
				strerror(-rc));
		goto reply_free;
	}
	c->dev_open = true;
	c->open = true;
	c->failed = false;
	c->openid = o->openid;
	c->ring_gpadl = g->handle;
	c->target_vp = o->target_vp;
	g->ring_of = c;
	h->n_open++;
	status = 0;
	HVSIM_INFO(&h->log, "nic%u: open sub %u relid %u", c->nic->idx,
		   c->subidx, c->relid);
	goto reply;
reply_free:
	free(c->pkt_buf);
	c->pkt_buf = NULL;
reply:
	rlen = vmb_msg_encode_open_result(&r, c->relid, o->openid, status);
	hvsim_send_msg(h, &r, rlen);
}

static void
hvsim_msg_close(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		const struct hvsim_msg_ctx *ctx)
{
	struct hvsim_chan *c;

	c = hvsim_chan_by_relid(h, m->relid.child_relid, "CLOSECHANNEL");
	if (c == NULL)
		return;
	if (c->rescinded)
		return;		/* accepted and ignored after a rescind */
	if (!c->open) {
		hvsim_log_violation(&h->log, "CLOSECHANNEL for relid %u, which "
				    "is not open", c->relid);
		return;
	}
	HVSIM_INFO(&h->log, "nic%u: close sub %u relid %u", c->nic->idx,
		   c->subidx, c->relid);
	hvsim_chan_stop(h, c);
}

static void
hvsim_msg_relid_released(struct hvsim *h, const union vmb_msg *m,
			 uint32_t len, const struct hvsim_msg_ctx *ctx)
{
	uint32_t relid = m->relid.child_relid;
	struct hvsim_chan *c;
	struct hvsim_nic *n;
	bool primary;

	if (relid < HVSIM_RELID_LIMIT && h->relid_tab[relid] == NULL &&
	    h->relid_released[relid]) {
		hvsim_log_violation(&h->log, "RELID_RELEASED twice for relid "
				    "%u", relid);
		return;
	}
	c = hvsim_chan_by_relid(h, relid, "RELID_RELEASED");
	if (c == NULL)
		return;
	if (c->open) {
		hvsim_log_violation(&h->log, "RELID_RELEASED for relid %u "
				    "while it is open", relid);
		return;
	}
	n = c->nic;
	primary = c->subidx == 0 && n->chan[0] == c;
	if (!c->rescinded) {
		/* The guest gave the device up: gone until re-offered. */
		HVSIM_INFO(&h->log, "nic%u: guest gave up relid %u without a "
			   "rescind", n->idx, relid);
		if (primary)
			n->present = false;
	}
	/* Freed with every GPADL of the channel, no further messages. */
	hvsim_gpadl_drop_relid(h, relid);
	hvsim_chan_free(h, c);
	h->relid_released[relid] = 1;
	n->released++;
	n->released_ns = ctx->rx_ns;
	HVSIM_INFO(&h->log, "nic%u: relid %u released", n->idx, relid);
	if (primary && n->reoffer_pending) {
		n->reoffer_pending = false;
		hvsim_offer_primary(h, n);
	}
}

static void
hvsim_msg_unload(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		 const struct hvsim_msg_ctx *ctx)
{
	union vmb_msg r;
	int rlen;

	HVSIM_INFO(&h->log, "UNLOAD");
	hvsim_reset_connection(h, "UNLOAD", true);
	rlen = vmb_msg_encode_hdr(&r, VMB_MSG_UNLOAD_RESPONSE);
	hvsim_send_msg(h, &r, rlen);
}

static void
hvsim_msg_modify(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		 const struct hvsim_msg_ctx *ctx)
{
	struct hvsim_chan *c;
	union vmb_msg r;
	int rlen;

	if (h->version < VMB_VERSION_WIN10_RS3) {
		hvsim_log_violation(&h->log, "MODIFYCHANNEL at version %#x "
				    "(needs 4.1)", h->version);
		return;
	}
	c = hvsim_chan_by_relid(h, m->modify.child_relid, "MODIFYCHANNEL");
	if (c == NULL)
		return;
	c->target_vp = m->modify.target_vp;
	if (h->version >= VMB_VERSION_IRON) {
		rlen = vmb_msg_encode_modify_response(&r, c->relid, 0);
		hvsim_send_msg(h, &r, rlen);
	}
}

static void
hvsim_msg_gpadl(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		const struct hvsim_msg_ctx *ctx)
{
	hvsim_gpadl_msg(h, m, len);
}

static void
hvsim_msg_teardown(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		   const struct hvsim_msg_ctx *ctx)
{
	hvsim_gpadl_teardown_msg(h, m);
}

/* Guest -> host messages; everything else is host-only or unsupported. */
static const struct hvsim_handler hvsim_handlers[VMB_MSG_COUNT] = {
	[VMB_MSG_REQUESTOFFERS] = { hvsim_msg_request_offers, HVSIM_ROUTE_GLOBAL },
	[VMB_MSG_OPENCHANNEL] = { hvsim_msg_open, HVSIM_ROUTE_RELID },
	[VMB_MSG_CLOSECHANNEL] = { hvsim_msg_close, HVSIM_ROUTE_RELID },
	[VMB_MSG_GPADL_HEADER] = { hvsim_msg_gpadl, HVSIM_ROUTE_RELID },
	[VMB_MSG_GPADL_BODY] = { hvsim_msg_gpadl, HVSIM_ROUTE_GPADL_BODY },
	[VMB_MSG_GPADL_TEARDOWN] = { hvsim_msg_teardown, HVSIM_ROUTE_RELID },
	[VMB_MSG_RELID_RELEASED] = { hvsim_msg_relid_released, HVSIM_ROUTE_RELID },
	[VMB_MSG_INITIATE_CONTACT] = { hvsim_msg_contact, HVSIM_ROUTE_GLOBAL },
	[VMB_MSG_UNLOAD] = { hvsim_msg_unload, HVSIM_ROUTE_GLOBAL },
	[VMB_MSG_MODIFYCHANNEL] = { hvsim_msg_modify, HVSIM_ROUTE_RELID },
};

/* The NIC a message concerns, for hooks; NULL when none or unknown (the
 * handler then reports the unknown relid).
 */
static struct hvsim_nic *
hvsim_msg_nic(struct hvsim *h, const union vmb_msg *m, enum hvsim_route route)
{
	uint32_t relid;

	if (route == HVSIM_ROUTE_GLOBAL)
		return NULL;
	if (route == HVSIM_ROUTE_GPADL_BODY) {
		/* A body follows its header, even into a hold queue. */
		if (hvsim_gpadl_prog_relid(h, m->gpadl_body.gpadl, &relid) < 0)
			return hvsim_hold_find_gpadl(h, m->gpadl_body.gpadl);
	} else {
		relid = m->relid.child_relid;
	}
	if (relid >= HVSIM_RELID_LIMIT || h->relid_tab[relid] == NULL)
		return NULL;
	return h->relid_tab[relid]->nic;
}

static void
hvsim_dispatch(struct hvsim *h, const union vmb_msg *m, uint32_t len,
	       uint64_t rx_seq, uint64_t rx_ns, bool replay)
{
	uint32_t type = m->hdr.type;
	const struct hvsim_handler *hd;
	struct hvsim_msg_ctx ctx = { rx_seq, rx_ns };
	struct hvsim_nic *n;
	enum hvsim_step step;

	hd = &hvsim_handlers[type];
	if (hd->fn == NULL) {
		hvsim_log_violation(&h->log, "guest sent %s (type %u): "
				    "host-only or unsupported",
				    vmb_msg_name(type), type);
		return;
	}
	if (!h->connected && type != VMB_MSG_INITIATE_CONTACT) {
		hvsim_log_violation(&h->log, "%s before a successful "
				    "INITIATE_CONTACT", vmb_msg_name(type));
		return;
	}
	n = hvsim_msg_nic(h, m, hd->route);
	if (n != NULL) {
		if (__atomic_load_n(&n->held, __ATOMIC_ACQUIRE) ||
		    (!replay && n->hq_len > 0)) {
			hvsim_hold_push(h, n, m, len, rx_seq, rx_ns, false);
			return;
		}
		step = HVSIM_STEP_COUNT;
		if (type == VMB_MSG_OPENCHANNEL)
			step = HVSIM_STEP_OPEN_RECEIVED;
		else if (type == VMB_MSG_CLOSECHANNEL)
			step = HVSIM_STEP_CLOSE_RECEIVED;
		if (step != HVSIM_STEP_COUNT && hvsim_hook_core(h, n, step)) {
			hvsim_hold_push(h, n, m, len, rx_seq, rx_ns, true);
			return;
		}
	}
	HVSIM_DEBUG(&h->log, "<- %s (%u bytes)", vmb_msg_name(type), len);
	hd->fn(h, m, len, &ctx);
}

void
hvsim_chmsg_decoded(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		    uint64_t rx_seq, uint64_t rx_ns)
{
	hvsim_dispatch(h, m, len, rx_seq, rx_ns, true);
}

void
hvsim_chmsg(struct hvsim *h, const void *buf, uint32_t len)
{
	union vmb_msg m;
	int type;

	type = vmb_msg_decode(buf, len, &m);
	if (type < 0) {
		uint32_t raw = 0;

		if (len >= sizeof(raw))
			memcpy(&raw, buf, sizeof(raw));
		hvsim_log_violation(&h->log, "malformed channel message (type "
				    "%u, %u bytes): %s", raw, len,
				    strerror(-type));
		return;
	}
	hvsim_dispatch(h, &m, len, h->rx_seq, hvsim_now_ns(), false);
}
