/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * GPADLs (control thread only): ring GPADLs of channels and driver buffers
 * (NVSP receive and send buffers) on a primary channel.
 *
 * Handles are ours to choose and must be unique among the GPADLs the host
 * knows, since GPADL_BODY and GPADL_TORNDOWN carry only the handle; every
 * answer is matched against this table before anything is trusted.
 *
 * Memory is freed only when the host has let go of it (GPADL_TORNDOWN, or
 * a failed GPADL_CREATED) and its owner has let go too: a driver buffer
 * whose channel was rescinded is torn down on the host at once (the relid
 * must be released, and nothing may name it afterwards) but its memory
 * stays valid until the driver calls hvbus_gpadl_destroy(). A GPADL whose
 * frames went out only in part is parked (gpadl_park()).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvbus_gpadl.h"
#include "vmb_gpadl.h"

/* What the channel layer above wants to hear (chan.c registers it from a
 * constructor, before anything can run).
 */
static const struct hvbus_gpadl_events *events;

void
hvbus_gpadl_set_events(const struct hvbus_gpadl_events *ev)
{
	events = ev;
}

static struct hvbus_gpadl *
gpadl_find(uint32_t handle)
{
	struct hvbus_gpadl *g;

	TAILQ_FOREACH(g, &hvbus.gpadls, next)
		if (g->handle == handle)
			return g;
	return NULL;
}

static uint32_t
gpadl_new_handle(void)
{
	uint32_t h;

	do {
		h = ++hvbus.next_gpadl;
	} while (h == 0 || gpadl_find(h) != NULL);
	return h;
}

static void
gpadl_unlink(struct hvbus_gpadl *g)
{
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_REMOVE(&hvbus.gpadls, g, next);
	pthread_mutex_unlock(&hvbus.lock);
	free(g);
}

/* The host forgot @g: it no longer counts against its relid (a parked
 * one never did).
 */
static struct hvbus_offer *
gpadl_gone(struct hvbus_gpadl *g)
{
	struct hvbus_offer *o = g->offer;

	g->state = HVBUS_GS_GONE;
	g->offer = NULL;
	if (o != NULL && !g->parked)
		o->gpadls--;
	g->parked = false;
	return o;
}

/*
 * Only part of @g's frames went out (the host's socket stayed full, or
 * broke): the host may hold the header - the handle and pages - and wait
 * for the rest. Its memory cannot be given back while the host may know
 * it, and it cannot be torn down (a teardown of a GPADL in progress is a
 * protocol error). So it is kept, in the table (its handle is not reused
 * either), until the host answers it (hvbus_on_gpadl_created()) or forgets
 * it: RELID_RELEASED of its relid (hvbus_gpadl_offer_released()) or
 * UNLOAD. It does not hold that release back: the host may never complete
 * it, and the release is what makes it forget.
 */
static void
gpadl_park(struct hvbus_gpadl *g)
{
	g->parked = true;
	g->user_freed = true;		/* nobody was given it */
	g->deadline = UINT64_MAX;	/* no answer is owed */
	HVBUS_LOG(ERR, "relid %u: GPADL %#x went out only in part; its "
		  "memory stays reserved until the host answers or releases "
		  "the relid", g->offer->relid, g->handle);
}

/*
 * Describe @va to the host: the header and its bodies, back to back. The
 * memory is @g's from here on: if this fails, it is given back when
 * nothing went out and parked when something did.
 */
struct hvbus_gpadl *
hvbus_gpadl_start(struct hvbus_offer *o, void *va, size_t len, bool user)
{
	uint32_t npfn = (uint32_t)(len / VMB_PAGE_SIZE), i;
	struct hvbus_gpadl *g = NULL;
	uint64_t *pfns = NULL, base;
	union vmb_msg m;
	int n = -1, mlen, idx = 0;

	if (len % VMB_PAGE_SIZE == 0 && npfn > 0 &&
	    npfn <= VMB_GPADL_MAX_PFN) {
		n = vmb_gpadl_msg_count(npfn);
		g = calloc(1, sizeof(*g));
		pfns = malloc(sizeof(*pfns) * npfn);
	}
	if (n < 0 || g == NULL || pfns == NULL)
		goto fail;
	/* Arena memory is one virtual range and GPA = VA: consecutive
	 * pages have consecutive page numbers.
	 */
	base = hvbus.be.ops->gpa(&hvbus.be, va) / VMB_PAGE_SIZE;
	for (i = 0; i < npfn; i++)
		pfns[i] = base + i;
	g->handle = gpadl_new_handle();
	for (idx = 0; idx < n; idx++) {
		mlen = vmb_gpadl_build(&m, o->relid, g->handle, pfns, npfn,
				       (uint32_t)idx);
		if (hvbus_send(&m, mlen) < 0)
			break;
	}
	if (idx == 0)
		goto fail;
	free(pfns);
	g->offer = o;
	g->dev = o->dev;
	g->va = va;
	g->len = len;
	g->user = user;
	g->state = HVBUS_GS_CREATING;
	g->deadline = hvbus_deadline_ns(1);
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_INSERT_TAIL(&hvbus.gpadls, g, next);
	pthread_mutex_unlock(&hvbus.lock);
	if (idx < n) {
		gpadl_park(g);
		return NULL;
	}
	o->gpadls++;
	return g;
fail:
	/* Nothing went out: the host never heard of this memory. */
	free(pfns);
	free(g);
	hvbus.be.ops->mem_free(&hvbus.be, va, len);
	return NULL;
}

void
hvbus_gpadl_teardown(struct hvbus_gpadl *g)
{
	union vmb_msg m;

	if (g->state != HVBUS_GS_READY || g->offer == NULL)
		return;
	g->state = HVBUS_GS_TEARING;
	g->deadline = hvbus_deadline_ns(1);
	hvbus_send(&m, vmb_msg_encode_gpadl_teardown(&m, g->offer->relid,
						     g->handle));
}

void
hvbus_on_gpadl_created(const union vmb_msg *m, uint32_t len)
{
	const struct vmb_msg_gpadl_created *r = &m->gpadl_created;
	struct hvbus_chan_priv *c;
	struct hvbus_offer *o;
	struct hvbus_gpadl *g;

	RTE_SET_USED(len);
	g = gpadl_find(r->gpadl);
	if (g == NULL || g->state != HVBUS_GS_CREATING ||
	    g->offer->relid != r->child_relid) {
		hvbus_bad_msg(VMB_MSG_GPADL_CREATED, "relid %u handle %#x "
			      "not awaited", r->child_relid, r->gpadl);
		if (g != NULL && g->offer != NULL)
			events->offer_fail(g->offer,
					   "GPADL_CREATED out of turn");
		return;
	}
	o = g->offer;
	c = g->ring_of;
	if (r->status != 0) {
		/* Expected after a rescind (protocol.rst 3.8), an error otherwise. */
		rte_log(o->rescinded ? RTE_LOG_INFO : RTE_LOG_ERR,
			hvbus_logtype, "hvbus: relid %u: host refused GPADL "
			"%#x (status %#x)%s\n", o->relid, g->handle,
			r->status, o->rescinded ? ", rescinded" : "");
		g->failed = true;
		gpadl_gone(g);
		if (c != NULL) {
			c->gpadl = NULL;
			gpadl_unlink(g);
			events->ring_created(c, false);
			return;
		}
		if (g->req != NULL)
			hvbus_req_complete(g->req, -EIO);
		/* The driver never saw this memory. */
		hvbus.be.ops->mem_free(&hvbus.be, g->va, g->len);
		gpadl_unlink(g);
		events->offer_check(o);
		return;
	}
	if (g->parked) {
		/* Complete after all (the rest went out some other way?):
		 * a GPADL the host has, torn down below like any other.
		 */
		g->parked = false;
		o->gpadls++;
	}
	g->state = HVBUS_GS_READY;
	if (c != NULL) {
		events->ring_created(c, true);
		return;
	}
	if (g->req != NULL) {
		g->req->va = g->va;
		g->req->handle = g->handle;
		hvbus_req_complete(g->req, 0);
		g->req = NULL;
	} else {
		g->user_freed = true;	/* the requester gave up */
	}
	if (o->rescinded || o->failed || g->user_freed)
		hvbus_gpadl_teardown(g);
}

void
hvbus_on_gpadl_torndown(const union vmb_msg *m, uint32_t len)
{
	struct hvbus_chan_priv *c;
	struct hvbus_offer *o;
	struct hvbus_gpadl *g;

	RTE_SET_USED(len);
	g = gpadl_find(m->gpadl_torndown.gpadl);
	if (g == NULL || g->state != HVBUS_GS_TEARING) {
		hvbus_bad_msg(VMB_MSG_GPADL_TORNDOWN, "handle %#x not awaited",
			      m->gpadl_torndown.gpadl);
		return;
	}
	o = gpadl_gone(g);
	c = g->ring_of;
	if (c != NULL) {
		c->gpadl = NULL;
		gpadl_unlink(g);
		events->ring_torn(c);
		return;
	}
	if (g->req != NULL) {
		hvbus_req_complete(g->req, 0);
		g->req = NULL;
	}
	if (g->user_freed) {
		hvbus.be.ops->mem_free(&hvbus.be, g->va, g->len);
		gpadl_unlink(g);
	}
	if (o != NULL)
		events->offer_check(o);
}

/* Rescind of @o: its driver buffers go now (the host answers a teardown
 * after a rescind at once); ring GPADLs follow their channel.
 */
void
hvbus_gpadl_offer_gone(struct hvbus_offer *o)
{
	struct hvbus_gpadl *g;

	TAILQ_FOREACH(g, &hvbus.gpadls, next)
		if (g->offer == o && g->ring_of == NULL &&
		    g->state == HVBUS_GS_READY)
			hvbus_gpadl_teardown(g);
}

/*
 * RELID_RELEASED for @o went out (@sent) or could not: the host forgot every
 * GPADL of the relid, so the parked ones, the only ones left on it, are
 * freed. When the release did not go out the connection is failing; they
 * stay reserved, detached from @o, until the backend closes.
 */
void
hvbus_gpadl_offer_released(struct hvbus_offer *o, bool sent)
{
	struct hvbus_gpadl *g, *tmp;

	RTE_TAILQ_FOREACH_SAFE(g, &hvbus.gpadls, next, tmp) {
		if (g->offer != o)
			continue;
		gpadl_gone(g);
		if (sent) {
			hvbus.be.ops->mem_free(&hvbus.be, g->va, g->len);
			gpadl_unlink(g);
		} else {
			g->user = false;	/* nobody may free it */
		}
	}
}

/*
 * The kernel (uio) shared the receive and send buffers at bind time: hand
 * them out in the order netvsc asks for them (receive, then send). They
 * are the kernel's: never torn down or freed by us, so not tracked.
 */
static void
req_kernel_buf(struct hvbus_req *req, struct hvbus_offer *o, size_t len)
{
	struct hvbus_dev_priv *p = req->dev->priv;
	size_t klen = 0;
	void *va = NULL;
	uint32_t handle = 0;
	int rc;

	rc = hvbus.be.ops->kernel_buf(&hvbus.be, o->relid, p->kbufs, &va,
				      &klen, &handle);
	if (rc == 0 && klen < len)
		rc = -ENOSPC;
	if (rc == 0) {
		p->kbufs++;
		req->va = va;
		req->handle = handle;
	}
	hvbus_req_complete(req, rc);
}

void
hvbus_req_gpadl_create(struct hvbus_req *req)
{
	struct hvbus_offer *o = req->dev->priv->offer[0];
	size_t len = (req->len + VMB_PAGE_SIZE - 1) & ~(size_t)(VMB_PAGE_SIZE - 1);
	struct hvbus_gpadl *g;
	void *va;

	if (o == NULL || o->rescinded || o->failed) {
		hvbus_req_complete(req, -ENODEV);
		return;
	}
	if (len == 0 || len / VMB_PAGE_SIZE > VMB_GPADL_MAX_PFN) {
		hvbus_req_complete(req, -EINVAL);
		return;
	}
	if (hvbus.be.ops->kernel_buf != NULL) {
		req_kernel_buf(req, o, len);
		return;
	}
	va = hvbus.be.ops->mem_alloc(&hvbus.be, len);
	if (va == NULL) {
		hvbus_req_complete(req, -ENOMEM);
		return;
	}
	g = hvbus_gpadl_start(o, va, len, true);
	if (g == NULL) {
		hvbus_req_complete(req, -EIO);
		return;
	}
	g->req = req;
}

void
hvbus_req_gpadl_destroy(struct hvbus_req *req)
{
	struct hvbus_gpadl *g = gpadl_find(req->handle);

	/* Kernel buffers (uio) are not ours to tear down. */
	if (g == NULL && hvbus.be.ops->kernel_buf != NULL &&
	    req->dev->priv->kbufs > 0) {
		req->dev->priv->kbufs--;
		hvbus_req_complete(req, 0);
		return;
	}
	if (g == NULL || !g->user || g->dev != req->dev || g->user_freed) {
		hvbus_req_complete(req, -ENOENT);
		return;
	}
	switch (g->state) {
	case HVBUS_GS_READY:
		g->user_freed = true;
		g->req = req;
		hvbus_gpadl_teardown(g);
		break;
	case HVBUS_GS_TEARING:
		g->user_freed = true;
		if (g->req == NULL)
			g->req = req;
		else
			hvbus_req_complete(req, -EBUSY);
		break;
	case HVBUS_GS_GONE:
		hvbus.be.ops->mem_free(&hvbus.be, g->va, g->len);
		gpadl_unlink(g);
		hvbus_req_complete(req, 0);
		break;
	default:
		hvbus_req_complete(req, -EBUSY);
		break;
	}
}

void
hvbus_gpadl_deadlines(uint64_t now)
{
	struct hvbus_gpadl *g;

	TAILQ_FOREACH(g, &hvbus.gpadls, next) {
		if (now <= g->deadline || g->state == HVBUS_GS_READY ||
		    g->state == HVBUS_GS_GONE)
			continue;
		g->deadline = UINT64_MAX;
		hvbus.st.deadlines++;
		HVBUS_LOG(ERR, "GPADL %#x: host did not answer %s in %u ms; "
			  "its memory stays reserved", g->handle,
			  g->state == HVBUS_GS_CREATING ? "GPADL_HEADER" :
			  "GPADL_TEARDOWN", hvbus.cfg.timeout_ms);
		if (g->ring_of != NULL)
			continue;	/* the channel's deadline covers it */
		if (g->req != NULL) {
			hvbus_req_complete(g->req, -ETIMEDOUT);
			g->req = NULL;
		}
		if (g->state == HVBUS_GS_CREATING)
			g->user_freed = true;
	}
}

/* Shutdown: buffers that drivers did not give back are torn down too. */
void
hvbus_gpadl_close_all(void)
{
	struct hvbus_gpadl *g, *tmp;

	RTE_TAILQ_FOREACH_SAFE(g, &hvbus.gpadls, next, tmp) {
		if (g->ring_of != NULL || !g->user)
			continue;
		g->user_freed = true;
		if (g->state == HVBUS_GS_READY) {
			hvbus_gpadl_teardown(g);
		} else if (g->state == HVBUS_GS_GONE) {
			hvbus.be.ops->mem_free(&hvbus.be, g->va, g->len);
			gpadl_unlink(g);
		}
	}
}

bool
hvbus_gpadl_idle(void)
{
	struct hvbus_gpadl *g;

	/* Parked GPADLs do not hold UNLOAD back: it makes the host drop
	 * them; their memory goes with the backend.
	 */
	TAILQ_FOREACH(g, &hvbus.gpadls, next)
		if (g->state != HVBUS_GS_GONE && !g->parked)
			return false;
	return true;
}

/* After the control thread stopped: the arena goes away with the backend. */
void
hvbus_gpadl_free_all(void)
{
	struct hvbus_gpadl *g;

	while ((g = TAILQ_FIRST(&hvbus.gpadls)) != NULL)
		gpadl_unlink(g);
}

/* ---- public API (any thread but the control thread) ---- */

int
hvbus_gpadl_create(struct rte_hvbus_device *dev, size_t size, void **va,
		   uint32_t *handle)
{
	struct hvbus_req *req;
	int rc;

	if (dev == NULL || va == NULL || handle == NULL || size == 0)
		return -EINVAL;
	req = hvbus_req_new(HVBUS_REQ_GPADL_CREATE);
	if (req == NULL)
		return -ENOMEM;
	req->dev = dev;
	req->len = size;
	rc = hvbus_req_run(req, hvbus_answers_ms(2));
	if (rc == 0) {
		*va = req->va;
		*handle = req->handle;
	}
	hvbus_req_put(req);
	return rc;
}

int
hvbus_gpadl_destroy(struct rte_hvbus_device *dev, uint32_t handle)
{
	struct hvbus_req *req;
	int rc;

	if (dev == NULL)
		return -EINVAL;
	req = hvbus_req_new(HVBUS_REQ_GPADL_DESTROY);
	if (req == NULL)
		return -ENOMEM;
	req->dev = dev;
	req->handle = handle;
	rc = hvbus_req_run(req, hvbus_answers_ms(2));
	hvbus_req_put(req);
	return rc;
}
