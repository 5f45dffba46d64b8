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
 *
 * All calls run with the host held (no host thread, or between
 * hvsim_poll() iterations of the same thread).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_priv.h"

int
hvsim_preopen_attach(struct hvsim *h, uint8_t *arena, uint64_t gpa,
		     uint64_t size)
{
	if (h->fd >= 0 || h->connected || h->arena != NULL)
		return -EBUSY;
	if (arena == NULL || size == 0 || (gpa % VMB_PAGE_SIZE) != 0 ||
	    (size % VMB_PAGE_SIZE) != 0 || gpa > UINT64_MAX - size)
		return -EINVAL;
	h->arena = arena;
	h->arena_gpa = gpa;
	h->arena_size = size;
	h->same_process = false;
	h->pid = 0;
	/* What the guest kernel negotiated: no message will say it. */
	h->connected = true;
	h->offers_requested = true;
	h->version = VMB_VERSION_WIN10_V5;
	/* Monitor pages are the face's business (one per uio device). */
	h->mon_parent = NULL;
	h->mon_child = NULL;
	return 0;
}

void
hvsim_preopen_set_pid(struct hvsim *h, pid_t pid)
{
	h->pid = pid;
}

/* Same rules as an offer: round-robin relid, first free monitor id. */
struct hvsim_chan *
hvsim_preopen_offer(struct hvsim *h, unsigned int nic)
{
	struct hvsim_nic *n;
	struct hvsim_chan *c;
	unsigned int i, tries;

	if (nic >= h->cfg.n_nics || !h->connected)
		return NULL;
	n = &h->nic[nic];
	if (n->chan[0] != NULL || !n->present)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	for (tries = 0; tries < HVSIM_RELID_LIMIT - 1; tries++) {
		uint32_t r = h->next_relid;

		h->next_relid = r + 1 >= HVSIM_RELID_LIMIT ? 1 : r + 1;
		if (h->relid_tab[r] == NULL) {
			c->relid = r;
			break;
		}
	}
	if (c->relid == 0) {
		free(c);
		return NULL;
	}
	for (i = 0; i < HVSIM_MONITOR_IDS; i++) {
		if (!h->monitor_used[i]) {
			h->monitor_used[i] = true;
			c->monitor_id = (uint8_t)i;
			c->monitor_allocated = true;
			break;
		}
	}
	c->h = h;
	c->nic = n;
	c->subidx = 0;
	h->relid_tab[c->relid] = c;
	h->relid_released[c->relid] = 0;
	n->chan[0] = c;
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
	for (q = 0; q < HVSIM_MAX_QUEUES; q++) {
		struct hvsim_chan *c = h->nic[nic].chan[q];

		if (c != NULL && !c->open && !c->rescinded && !c->failed &&
		    c->ring_gpadl == 0)
			return c;
	}
	return NULL;
}

int
hvsim_preopen_gpadl(struct hvsim_chan *c, uint32_t handle, uint64_t gpa,
		    uint64_t len)
{
	struct hvsim *h = c->h;
	struct hvsim_gpadl *e;
	struct vmb_gpadl *g;
	uint32_t npfn, i;
	uint8_t *host;

	if (handle == 0 || len == 0 || len > UINT32_MAX ||
	    (gpa % VMB_PAGE_SIZE) != 0 || (len % VMB_PAGE_SIZE) != 0)
		return -EINVAL;
	if (hvsim_gpadl_find(h, handle) != NULL)
		return -EEXIST;
	if (h->n_gpadl == HVSIM_GPADL_MAX)
		return -ENOSPC;
	host = hvsim_arena_ptr(h, gpa, len);
	if (host == NULL)
		return -EFAULT;
	npfn = (uint32_t)(len / VMB_PAGE_SIZE);
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	/* The range as a GPADL header would carry it: one word of
	 * (byte_count, byte_offset = 0), then the page numbers.
	 */
	g->words = malloc(((size_t)npfn + 1) * 8);
	if (g->words == NULL) {
		free(g);
		return -ENOMEM;
	}
	g->words[0] = len;
	for (i = 0; i < npfn; i++)
		g->words[1 + i] = (gpa >> VMB_PAGE_SHIFT) + i;
	g->relid = c->relid;
	g->handle = handle;
	g->rangecount = 1;
	g->nwords = npfn + 1;
	g->byte_count = (uint32_t)len;
	g->byte_offset = 0;
	g->npfn = npfn;
	g->pfns = &g->words[1];
	e = &h->gpadl[h->n_gpadl++];
	memset(e, 0, sizeof(*e));
	e->handle = handle;
	e->relid = c->relid;
	e->g = g;
	e->host = host;
	e->len = len;
	HVSIM_DEBUG(&h->log, "pre-established GPADL %#x on relid %u: %u pages",
		    handle, c->relid, npfn);
	return 0;
}

int
hvsim_preopen_open(struct hvsim_chan *c, uint32_t ring_gpadl,
		   uint32_t split_page)
{
	struct hvsim *h = c->h;
	struct hvsim_gpadl *g;
	int rc;

	if (c->open || c->rescinded)
		return -EBUSY;
	g = hvsim_gpadl_find(h, ring_gpadl);
	if (g == NULL || g->relid != c->relid || g->ring_of != NULL)
		return -EINVAL;
	c->pkt_buf = malloc(HVSIM_PKT_MAX);
	if (c->pkt_buf == NULL)
		return -ENOMEM;
	rc = hvsim_ring_open(c, g, split_page);
	if (rc == 0)
		rc = h->ops->chan_open(c->nic->dev, c, c->subidx);
	if (rc < 0) {
		free(c->pkt_buf);
		c->pkt_buf = NULL;
		/* Never retried: the face reports it and leaves it closed. */
		c->failed = true;
		return rc;
	}
	c->dev_open = true;
	c->open = true;
	c->failed = false;
	c->openid = c->relid;
	c->ring_gpadl = g->handle;
	g->ring_of = c;
	h->n_open++;
	HVSIM_INFO(&h->log, "nic%u: sub %u relid %u open (pre-opened)",
		   c->nic->idx, c->subidx, c->relid);
	return 0;
}

void
hvsim_preopen_detach(struct hvsim *h)
{
	if (h->fd >= 0 || h->arena == NULL)
		return;
	/* The kernel closes its channels and GPADLs itself when the device
	 * goes: nothing the guest process did is judged here.
	 */
	hvsim_reset_connection(h, "uio face closed", false);
	h->arena = NULL;
	h->arena_gpa = 0;
	h->arena_size = 0;
	h->pid = 0;
}
