/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The filter between the transport and channel management: decodes what
 * the guest sends (lib/vmbus checks type and length once), ties each
 * message to its NIC and holds it back while a hook gate holds that NIC,
 * replaying held messages in arrival order once the gate opens. While a
 * NIC is held, its later messages queue behind, so order is never lost;
 * other NICs and the host's own actions go on. Host-to-guest messages pass
 * down through here too.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_filter.h"

enum hvsim_route {
	HVSIM_ROUTE_NONE,	/* not tied to a NIC */
	HVSIM_ROUTE_RELID,	/* child_relid at offset 8 */
	HVSIM_ROUTE_GPADL_BODY,	/* a GPADL being built, by handle */
};

/* Guest messages that concern one channel, hence one NIC. */
static const uint8_t hvsim_routes[VMB_MSG_COUNT] = {
	[VMB_MSG_OPENCHANNEL] = HVSIM_ROUTE_RELID,
	[VMB_MSG_CLOSECHANNEL] = HVSIM_ROUTE_RELID,
	[VMB_MSG_GPADL_HEADER] = HVSIM_ROUTE_RELID,
	[VMB_MSG_GPADL_BODY] = HVSIM_ROUTE_GPADL_BODY,
	[VMB_MSG_GPADL_TEARDOWN] = HVSIM_ROUTE_RELID,
	[VMB_MSG_RELID_RELEASED] = HVSIM_ROUTE_RELID,
	[VMB_MSG_MODIFYCHANNEL] = HVSIM_ROUTE_RELID,
};

void
hvsim_filter_init(struct hvsim_filter *f, struct hvsim_log *lg,
		  struct hvsim_mem *mem, struct hvsim_transport *tp,
		  const struct hvsim_ids *ids,
		  const struct hvsim_gpadls *gpadls, struct hvsim_gate *gate,
		  struct hvsim_hostile *hostile, unsigned int n_nics)
{
	memset(f, 0, sizeof(*f));
	f->lg = lg;
	f->mem = mem;
	f->tp = tp;
	f->ids = ids;
	f->gpadls = gpadls;
	f->gate = gate;
	f->hostile = hostile;
	f->n_nics = n_nics;
}

static int
hvsim_hold_push(struct hvsim_filter *f, unsigned int nic,
		const union vmb_msg *m, uint32_t len,
		const struct hvsim_msg_ctx *ctx, bool front)
{
	struct hvsim_hold_queue *q = &f->q[nic];
	struct hvsim_held *e;

	if (q->len >= HVSIM_HOLD_MAX) {
		hvsim_log_error(f->lg, "nic%u: %u messages held, dropping %s",
				nic, q->len, vmb_msg_name(m->hdr.type));
		return -ENOBUFS;
	}
	e = malloc(sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->ctx = *ctx;
	e->len = len;
	memcpy(&e->m, m, sizeof(e->m));
	if (front) {
		e->next = q->head;
		q->head = e;
		if (q->tail == NULL)
			q->tail = e;
	} else {
		e->next = NULL;
		if (q->tail != NULL)
			q->tail->next = e;
		else
			q->head = e;
		q->tail = e;
	}
	q->len++;
	return 0;
}

static struct hvsim_held *
hvsim_hold_pop(struct hvsim_hold_queue *q)
{
	struct hvsim_held *e = q->head;

	if (e == NULL)
		return NULL;
	q->head = e->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->len--;
	return e;
}

static void
hvsim_hold_flush(struct hvsim_hold_queue *q)
{
	struct hvsim_held *e;

	while ((e = hvsim_hold_pop(q)) != NULL)
		free(e);
}

void
hvsim_filter_reset(struct hvsim_filter *f)
{
	unsigned int i;

	for (i = 0; i < HVSIM_MAX_NICS; i++)
		hvsim_hold_flush(&f->q[i]);
	f->n_withheld = 0;	/* not for the next connection */
}

/* The NIC whose queue holds the GPADL_HEADER of @p handle, or -1. */
static int
hvsim_hold_find_gpadl(const struct hvsim_filter *f, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < f->n_nics; i++) {
		const struct hvsim_held *e;

		for (e = f->q[i].head; e != NULL; e = e->next)
			if (e->m.hdr.type == VMB_MSG_GPADL_HEADER &&
			    e->m.gpadl_header.gpadl == handle)
				return (int)i;
	}
	return -1;
}

/* The NIC a message concerns, -1 when none or unknown (channel management
 * then reports the unknown relid).
 */
static int
hvsim_msg_nic(const struct hvsim_filter *f, const union vmb_msg *m)
{
	uint32_t relid;

	switch (hvsim_routes[m->hdr.type]) {
	case HVSIM_ROUTE_RELID:
		relid = m->relid.child_relid;
		break;
	case HVSIM_ROUTE_GPADL_BODY:
		/* A body follows its header, even into a hold queue. */
		if (hvsim_gpadl_building(f->gpadls, m->gpadl_body.gpadl,
					 &relid) < 0)
			return hvsim_hold_find_gpadl(f, m->gpadl_body.gpadl);
		break;
	default:
		return -1;
	}
	return hvsim_relid_nic(f->ids, relid);
}

/* Hold @p m for @p nic if its gate says so; true when held. A replayed
 * message is not queued behind the ones it came with.
 */
static bool
hvsim_filter_hold(struct hvsim_filter *f, unsigned int nic,
		  const union vmb_msg *m, uint32_t len,
		  const struct hvsim_msg_ctx *ctx, bool replay)
{
	enum hvsim_step step = HVSIM_STEP_COUNT;

	if (hvsim_gate_held(f->gate, nic) || (!replay && f->q[nic].len > 0)) {
		hvsim_hold_push(f, nic, m, len, ctx, false);
		return true;
	}
	if (m->hdr.type == VMB_MSG_OPENCHANNEL)
		step = HVSIM_STEP_OPEN_RECEIVED;
	else if (m->hdr.type == VMB_MSG_CLOSECHANNEL)
		step = HVSIM_STEP_CLOSE_RECEIVED;
	if (step != HVSIM_STEP_COUNT &&
	    hvsim_gate_reached(f->gate, nic, step)) {
		/* First in line when the gate opens. */
		hvsim_hold_push(f, nic, m, len, ctx, true);
		return true;
	}
	return false;
}

static int
hvsim_filter_pass(struct hvsim_filter *f, const union vmb_msg *m,
		  uint32_t len)
{
	HVSIM_DEBUG(f->lg, "<- %s (%u bytes)", vmb_msg_name(m->hdr.type), len);
	return HVSIM_FILTER_MSG;
}

/* The next held message of a released NIC, in arrival order. */
static int
hvsim_filter_replay(struct hvsim_filter *f, union vmb_msg *m, uint32_t *len,
		    struct hvsim_msg_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < f->n_nics; i++) {
		struct hvsim_held *e;

		if (!hvsim_gate_draining(f->gate, i))
			continue;
		while (!hvsim_gate_held(f->gate, i) &&
		       (e = hvsim_hold_pop(&f->q[i])) != NULL) {
			*m = e->m;
			*len = e->len;
			*ctx = e->ctx;
			free(e);
			if (!hvsim_filter_hold(f, i, m, *len, ctx, true))
				return hvsim_filter_pass(f, m, *len);
		}
		if (f->q[i].head == NULL)
			hvsim_gate_drained(f->gate, i);
	}
	return HVSIM_FILTER_IDLE;
}

int
hvsim_filter_next(struct hvsim_filter *f, union vmb_msg *m, uint32_t *len,
		  struct hvsim_msg_ctx *ctx)
{
	uint8_t buf[HVSIM_FRAME_MAX];
	uint32_t n = 0;
	int rc, type, nic;

	rc = hvsim_filter_replay(f, m, len, ctx);
	if (rc != HVSIM_FILTER_IDLE)
		return rc;
	rc = hvsim_transport_recv(f->tp, f->mem, f->lg, buf, sizeof(buf), &n);
	if (rc == -EAGAIN || rc == -ENOTCONN)
		return HVSIM_FILTER_IDLE;
	if (rc < 0)
		return rc;
	if (rc == 0)
		return HVSIM_FILTER_MORE;
	ctx->rx_seq = f->tp->rx_seq;
	ctx->rx_ns = hv_now_ns();
	type = vmb_msg_decode(buf, n, m);
	if (type < 0) {
		uint32_t raw = 0;

		if (n >= sizeof(raw))
			memcpy(&raw, buf, sizeof(raw));
		hvsim_log_violation(f->lg, "malformed channel message (type "
				    "%u, %u bytes): %s", raw, n,
				    strerror(-type));
		return HVSIM_FILTER_MORE;
	}
	*len = n;
	nic = hvsim_msg_nic(f, m);
	/* Rescinded once this message is handled (offers.c acts); a GPADL
	 * body is no step of its own. */
	if (nic >= 0 && m->hdr.type != VMB_MSG_GPADL_BODY &&
	    hvsim_hostile_roll(f->hostile, HVSIM_HOSTILE_RESCIND,
					   24, "rescind nic%d after its %s",
					   nic, vmb_msg_name(m->hdr.type)))
		f->hostile->rescind_nics |= 1u << nic;
	if (nic >= 0 && hvsim_filter_hold(f, (unsigned int)nic, m, n, ctx,
					  false))
		return HVSIM_FILTER_MORE;
	return hvsim_filter_pass(f, m, n);
}

/* A reply the guest waits for: what a silent host keeps and a stuttering
 * one sends twice. Offers and rescinds are news, not answers.
 */
static bool
hvsim_is_answer(uint32_t type)
{
	switch (type) {
	case VMB_MSG_VERSION_RESPONSE:
	case VMB_MSG_ALLOFFERS_DELIVERED:
	case VMB_MSG_OPENCHANNEL_RESULT:
	case VMB_MSG_GPADL_CREATED:
	case VMB_MSG_GPADL_TORNDOWN:
	case VMB_MSG_UNLOAD_RESPONSE:
	case VMB_MSG_MODIFYCHANNEL_RESPONSE:
		return true;
	}
	return false;
}

int
hvsim_filter_send(struct hvsim_filter *f, const union vmb_msg *m, int len)
{
	const char *name;
	int rc;

	if (len < (int)sizeof(struct vmb_msg_hdr) || len > VMB_MSG_MAX_SIZE)
		return -EINVAL;
	name = vmb_msg_name(m->hdr.type);
	if (hvsim_is_answer(m->hdr.type) &&
	    hvsim_hostile_roll(f->hostile, HVSIM_HOSTILE_SILENT, 8,
			       "%s kept back", name)) {
		/* Kept for a late delivery when the host turns honest, so
		 * that a session can end; lost when there is no room. */
		if (f->n_withheld < HVSIM_WITHHELD_MAX) {
			f->withheld[f->n_withheld].len = len;
			memcpy(&f->withheld[f->n_withheld].m, m, (size_t)len);
			f->n_withheld++;
		}
		return 0;
	}
	HVSIM_DEBUG(f->lg, "-> %s (%d bytes)", name, len);
	rc = hvsim_transport_send(f->tp, f->lg, m, (uint32_t)len);
	if (rc == 0 && hvsim_is_answer(m->hdr.type) &&
	    hvsim_hostile_roll(f->hostile, HVSIM_HOSTILE_TWICE, 8,
			       "%s sent twice", name))
		rc = hvsim_transport_send(f->tp, f->lg, m, (uint32_t)len);
	return rc;
}

int
hvsim_filter_send_withheld(struct hvsim_filter *f)
{
	unsigned int i, n = f->n_withheld;

	f->n_withheld = 0;
	for (i = 0; i < n; i++) {
		const struct hvsim_withheld *w = &f->withheld[i];

		hvsim_log_msg(f->lg, HVSIM_LOG_NOTICE, "hostile: %s sent late",
			      vmb_msg_name(w->m.hdr.type));
		hvsim_transport_send(f->tp, f->lg, &w->m, (uint32_t)w->len);
	}
	return (int)n;
}
