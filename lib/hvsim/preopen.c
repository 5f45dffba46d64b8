/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channels and GPADLs that exist before the host hears a guest message.
 *
 * With a Linux uio_hv_generic guest the kernel, not the DPDK process, does
 * channel management: it negotiates the VMBus version, takes the offer,
 * allocates the ring, establishes the ring, receive and send buffer GPADLs
 * and opens the primary channel at bind time; later it opens every
 * subchannel the host offers. A face that stands in for that kernel (see
 * uio/) uses these calls to put the core into the same state directly: a
 * connection without a transport, memory the face owns as the arena, and
 * channels that are open on it. Everything after that - the ring engine,
 * the device model, the checker - is the core's usual code.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_core.h"

bool
hvsim_preopen_ready(const struct hvsim *h)
{
	return !hvsim_transport_up(&h->tp) && h->tp.listen_fd < 0 &&
	       !h->running && !h->connected && h->mem.arena == NULL;
}

const struct hvsim_config *
hvsim_preopen_config(const struct hvsim *h)
{
	return &h->cfg;
}

int
hvsim_preopen_attach(struct hvsim *h, uint8_t *arena, uint64_t gpa,
		     uint64_t size)
{
	int rc;

	if (!hvsim_preopen_ready(h))
		return -EBUSY;
	rc = hvsim_mem_lend(&h->mem, arena, gpa, size);
	if (rc < 0)
		return rc;
	/* What the guest kernel negotiated: no message will say it. */
	h->connected = true;
	h->offers_requested = true;
	h->version = VMB_VERSION_WIN10_V5;
	h->preopened = true;
	/* Monitor pages are the face's business (one per uio device). */
	h->mon_parent = NULL;
	h->rings.mon_child = NULL;
	return 0;
}

void
hvsim_preopen_set_pid(struct hvsim *h, pid_t pid)
{
	h->mem.pid = pid;
}

/* Same rules as an offer: round-robin relid, first free monitor id. */
struct hvsim_chan *
hvsim_preopen_offer(struct hvsim *h, unsigned int nic)
{
	struct hvsim_nic *n;
	struct hvsim_chan *c;

	if (nic >= h->cfg.n_nics || !h->connected)
		return NULL;
	n = &h->nic[nic];
	if (n->chan[0] != NULL || !n->present)
		return NULL;
	c = hvsim_chan_new(h, n, 0);
	if (c == NULL)
		return NULL;
	HVSIM_INFO(&h->log, "nic%u: pre-offered primary relid %u monitor %u",
		   nic, c->relid, c->monitor_id);
	return c;
}

struct hvsim_chan *
hvsim_preopen_pending(struct hvsim *h, unsigned int nic)
{
	unsigned int q;

	if (nic >= h->cfg.n_nics)
		return NULL;
	/* Subchannels only: a closed primary waits for the face's reopen.
	 * The face asks every host iteration: up to the NIC's highest index
	 * ever offered, not all HVSIM_MAX_QUEUES slots. */
	for (q = 1; q < h->nic[nic].chan_end; q++) {
		struct hvsim_chan *c = h->nic[nic].chan[q];

		if (c != NULL && !c->open && !c->rescinded && !c->failed &&
		    c->ring_gpadl == 0)
			return c;
	}
	return NULL;
}

int
hvsim_preopen_gpadl(struct hvsim *h, struct hvsim_chan *c, uint32_t handle,
		    uint64_t gpa, uint64_t len)
{
	return hvsim_gpadl_add(&h->gpadls, c->relid, handle, gpa, len);
}

int
hvsim_preopen_open(struct hvsim *h, struct hvsim_chan *c,
		   uint32_t ring_gpadl, uint32_t split_page)
{
	struct hvsim_gpadl *g;
	int rc;

	if (c->open || c->rescinded)
		return -EBUSY;
	g = hvsim_gpadl_find(&h->gpadls, ring_gpadl);
	if (g == NULL || g->relid != c->relid || g->ring)
		return -EINVAL;
	rc = hvsim_chan_start(h, c, g, split_page);
	if (rc < 0) {
		/* Never retried: the face reports it and leaves it closed. */
		c->failed = true;
		return rc;
	}
	c->openid = c->relid;
	HVSIM_INFO(&h->log, "nic%u: sub %u relid %u open (pre-opened)",
		   c->nic->idx, c->subidx, c->relid);
	return 0;
}

int
hvsim_preopen_close(struct hvsim *h, struct hvsim_chan *c)
{
	uint32_t ring = c->ring_gpadl;

	if (!c->open)
		return -EALREADY;
	HVSIM_INFO(&h->log, "nic%u: sub %u relid %u closed by the guest "
		   "kernel", c->nic->idx, c->subidx, c->relid);
	hvsim_chan_stop(h, c);
	/* The kernel tears the ring GPADL down right after the close. */
	hvsim_gpadl_gone(h, ring, false);
	c->ring_gpadl = 0;
	return 0;
}

void
hvsim_preopen_drop(struct hvsim *h, struct hvsim_chan *c)
{
	uint32_t relid = c->relid;

	if (c->subidx == 0)
		return;		/* a primary goes only with its device */
	HVSIM_INFO(&h->log, "nic%u: sub %u relid %u rescinded and released",
		   c->nic->idx, c->subidx, relid);
	c->rescinded = true;
	hvsim_chan_stop(h, c);
	hvsim_gpadl_drop_relid(h, relid);
	hvsim_chan_free(h, c);
	hvsim_relid_unbind(&h->ids, relid, true);
}

void
hvsim_preopen_fail(struct hvsim_chan *c)
{
	c->failed = true;
}

bool
hvsim_preopen_failed(const struct hvsim_chan *c)
{
	return c->failed;
}

uint8_t
hvsim_chan_monitor_id(const struct hvsim_chan *c)
{
	return c->monitor_id;
}

void
hvsim_preopen_detach(struct hvsim *h)
{
	if (hvsim_transport_up(&h->tp) || h->mem.arena == NULL)
		return;
	/* The kernel closes its channels and GPADLs itself when the device
	 * goes: nothing the guest process did is judged here.
	 */
	hvsim_reset_connection(h, "uio face closed", false);
	hvsim_mem_unmap(&h->mem);
	h->mem.pid = 0;
	h->preopened = false;
}
