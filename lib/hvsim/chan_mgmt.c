/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * VMBus channel management, host side (protocol.rst 3 and 8.1): one
 * dispatch table indexed by message type, version negotiation, offers on
 * request, open/close, GPADLs, relid release, unload. Every guest message
 * reaches a handler decoded (type, length) once by lib/vmbus and passed by
 * the filter; handlers validate what they index with. A guest protocol
 * error is logged, recorded by the checker and dropped without a reply
 * unless the protocol defines a failure reply.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_core.h"

/* Versions the host accepts, exact match (openvmm accepts all of these;
 * 6.0 needs feature negotiation this host does not do).
 */
static const uint32_t hvsim_versions[] = {
	VMB_VERSION_IRON, VMB_VERSION_WIN10_RS5, VMB_VERSION_WIN10_RS4,
	VMB_VERSION_WIN10_V5, VMB_VERSION_WIN10_RS3, VMB_VERSION_WIN10,
	VMB_VERSION_WIN8_1, VMB_VERSION_WIN8,
};

typedef void (*hvsim_msg_fn)(struct hvsim *h, const union vmb_msg *m,
			     uint32_t len, const struct hvsim_msg_ctx *ctx);

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
	return hvsim_mem_ptr(&h->mem, gpa, VMB_PAGE_SIZE);
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
		uint64_t mp1_gpa = ic->monitor_page1;
		uint64_t mp2_gpa = ic->monitor_page2;

		mp1 = hvsim_monitor_page(h, ic->monitor_page1);
		mp2 = hvsim_monitor_page(h, ic->monitor_page2);
		if (mp1 == NULL || mp2 == NULL ||
		    ic->monitor_page1 == ic->monitor_page2) {
			hvsim_log_violation(&h->log, "INITIATE_CONTACT monitor "
					    "pages %#llx, %#llx not two "
					    "aligned pages in the arena",
					    (unsigned long long)mp1_gpa,
					    (unsigned long long)mp2_gpa);
			hvsim_version_reply(h, 0, VMB_CONN_FAILED_UNKNOWN, 0);
			return;
		}
	}
	h->connected = true;
	h->version = v;
	h->mon_parent = mp1;
	h->rings.mon_child = mp2;
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
	uint32_t status = VMB_OPEN_STATUS_FAIL;
	int rc, rlen;

	c = hvsim_chan_by_relid(h, o->child_relid, "OPENCHANNEL");
	if (c == NULL)
		return;
	if (c->rescinded) {
		uint64_t ms = (ctx->rx_ns - c->rescind_ns) / 1000000;

		/* Never answered (protocol.rst 3.8). Crossing the rescind on
		 * the wire is legal; opening well after it, or twice, is not.
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
	g = hvsim_gpadl_find(&h->gpadls, o->ring_gpadl);
	if (g == NULL) {
		if (hvsim_gpadl_was_torn(&h->gpadls, o->ring_gpadl))
			hvsim_log_violation(&h->log, "OPENCHANNEL relid %u "
					    "names GPADL %#x after its "
					    "teardown", c->relid,
					    o->ring_gpadl);
		else
			hvsim_log_violation(&h->log, "OPENCHANNEL relid %u "
					    "names unknown GPADL %#x",
					    c->relid, o->ring_gpadl);
		goto reply;
	}
	if (g->relid != c->relid || g->ring || g->teardown_pending) {
		hvsim_log_violation(&h->log, "OPENCHANNEL relid %u: GPADL %#x "
				    "belongs to relid %u%s%s", c->relid,
				    g->handle, g->relid,
				    g->ring ? ", already a ring" : "",
				    g->teardown_pending ?
				    ", being torn down" : "");
		goto reply;
	}
	rc = hvsim_chan_start(h, c, g, o->downstream_page_offset);
	if (rc < 0)
		goto reply;
	c->openid = o->openid;
	c->target_vp = o->target_vp;
	status = 0;
	HVSIM_INFO(&h->log, "nic%u: open sub %u relid %u", c->nic->idx,
		   c->subidx, c->relid);
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

	if (hvsim_relid_released(&h->ids, relid)) {
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
	hvsim_relid_unbind(&h->ids, relid, true);
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
	struct hvsim_gpadl_answer a;
	union vmb_msg r;
	int rlen;

	if (m->hdr.type == VMB_MSG_GPADL_HEADER &&
	    hvsim_chan_by_relid(h, m->gpadl_header.child_relid,
				"GPADL_HEADER") == NULL)
		return;
	hvsim_gpadl_feed(&h->gpadls, m, len, &a);
	if (!a.due)
		return;
	rlen = vmb_msg_encode_gpadl_created(&r, a.relid, a.handle, a.status);
	if (rlen > 0)
		hvsim_send_msg(h, &r, rlen);
	if (a.status == 0)
		hvsim_gate_reached(&h->gate,
				   (unsigned int)hvsim_relid_nic(&h->ids,
								 a.relid),
				   HVSIM_STEP_GPADL_CREATED);
}

static void
hvsim_msg_teardown(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		   const struct hvsim_msg_ctx *ctx)
{
	const struct vmb_msg_gpadl_teardown *t = &m->gpadl_teardown;

	if (hvsim_chan_by_relid(h, t->child_relid, "GPADL_TEARDOWN") == NULL)
		return;
	if (hvsim_gpadl_teardown(&h->gpadls, t->child_relid, t->gpadl) == 0)
		hvsim_gpadl_gone(h, t->gpadl, true);
}

/* Guest -> host messages; everything else is host-only or unsupported. */
static const hvsim_msg_fn hvsim_handlers[VMB_MSG_COUNT] = {
	[VMB_MSG_REQUESTOFFERS] = hvsim_msg_request_offers,
	[VMB_MSG_OPENCHANNEL] = hvsim_msg_open,
	[VMB_MSG_CLOSECHANNEL] = hvsim_msg_close,
	[VMB_MSG_GPADL_HEADER] = hvsim_msg_gpadl,
	[VMB_MSG_GPADL_BODY] = hvsim_msg_gpadl,
	[VMB_MSG_GPADL_TEARDOWN] = hvsim_msg_teardown,
	[VMB_MSG_RELID_RELEASED] = hvsim_msg_relid_released,
	[VMB_MSG_INITIATE_CONTACT] = hvsim_msg_contact,
	[VMB_MSG_UNLOAD] = hvsim_msg_unload,
	[VMB_MSG_MODIFYCHANNEL] = hvsim_msg_modify,
};

void
hvsim_chan_dispatch(struct hvsim *h, const union vmb_msg *m, uint32_t len,
		    const struct hvsim_msg_ctx *ctx)
{
	uint32_t type = m->hdr.type;
	hvsim_msg_fn fn = hvsim_handlers[type];

	if (fn == NULL) {
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
	fn(h, m, len, ctx);
}
