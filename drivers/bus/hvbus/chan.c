/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Offers and channels (control thread only).
 *
 * An offer lives from OFFERCHANNEL until we send RELID_RELEASED for it,
 * which happens exactly once, only after a rescind, and only when nothing
 * of ours on that relid is outstanding (rings torn down, every GPADL
 * answered). Its channel moves through
 *
 *   OFFERED -open-> GPADL -created-> OPENING -result-> OPEN
 *   OPEN -close-> RETIRING -grace period-> CLOSING -TORNDOWN-> OFFERED
 *   OPEN -rescind-> CLOSING -TORNDOWN and grace period-> OFFERED -> released
 *
 * and a rescind may arrive in any state: in GPADL it waits for the host's
 * (failing) GPADL_CREATED, in OPENING it aborts at once because the host
 * never answers an OPEN it has rescinded, in OPEN it unpublishes the
 * channel so that queues see NULL and sends CLOSECHANNEL and the ring
 * teardown at once; the memory the queues might still touch goes, and the
 * relid is released, when the host has answered and the grace period of
 * lib/epoch is over, whichever comes last.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "hvbus_chan.h"
#include "vmb_monitor.h"

/* Steps of a channel's machine that lead to one another. */
static void chan_teardown(struct hvbus_chan_priv *c);
static void chan_close_now(struct hvbus_chan_priv *c);
static void chan_torn(struct hvbus_chan_priv *c);
static void chan_retire(struct hvbus_chan_priv *c);

static struct hvbus_offer *
offer_by_relid(uint32_t relid, uint32_t type)
{
	struct hvbus_offer *o;

	if (relid == 0 || relid >= VMB_MAX_RELID) {
		hvbus_bad_msg(type, "relid %u out of range", relid);
		return NULL;
	}
	o = hvbus.relid_tab[relid];
	if (o == NULL) {
		hvbus.st.unknown_relid++;
		HVBUS_LOG(NOTICE, "%s for unknown relid %u ignored",
			  vmb_msg_name(type), relid);
	}
	return o;
}

static bool
req_abandoned(struct hvbus_req *req)
{
	bool a;

	pthread_mutex_lock(&hvbus.lock);
	a = req->abandoned;
	pthread_mutex_unlock(&hvbus.lock);
	return a;
}

static void
offer_req_done(struct hvbus_offer *o, int rc)
{
	struct hvbus_req *req = o->req;

	o->req = NULL;
	hvbus_req_complete(req, rc);
}

/* Does any registered driver (or the netvsc default) want this class? */
static bool
offer_class_wanted(const struct vmb_guid *cls)
{
	struct rte_hvbus_driver *drv;

	if (vmb_guid_equal(cls, &vmb_guid_netvsc))
		return true;
	TAILQ_FOREACH(drv, &hvbus.drivers, next)
		if (drv->class_id != NULL && vmb_guid_equal(cls, drv->class_id))
			return true;
	return false;
}

static void
offer_attach_primary(struct hvbus_offer *o)
{
	struct rte_hvbus_device *dev = hvbus_dev_find_instance(&o->instance);

	if (dev == NULL) {
		dev = hvbus_dev_new(o);
		if (dev == NULL) {
			HVBUS_LOG(ERR, "relid %u: no memory for a device",
				  o->relid);
			return;
		}
		o->dev = dev;
		pthread_mutex_lock(&hvbus.lock);
		dev->priv->offer[0] = o;
		pthread_mutex_unlock(&hvbus.lock);
		HVBUS_LOG(INFO, "device %s offered (relid %u)", dev->name,
			  o->relid);
		if (__atomic_load_n(&hvbus.probe_done, __ATOMIC_ACQUIRE))
			hvbus_work_post(HVBUS_WORK_PROBE, dev, 0, 0);
		return;
	}
	if (dev->priv->offer[0] != NULL) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "second primary offer "
			      "(relid %u) for %s", o->relid, dev->name);
		return;
	}
	o->dev = dev;
	pthread_mutex_lock(&hvbus.lock);
	dev->priv->offer[0] = o;
	dev->priv->gone = false;
	pthread_cond_broadcast(&hvbus.cond);
	pthread_mutex_unlock(&hvbus.lock);
	HVBUS_LOG(INFO, "device %s offered again (relid %u)", dev->name,
		  o->relid);
	/* Probing and driver callbacks are slow work: never here. The work
	 * thread tells the driver, or probes if no driver holds the device.
	 */
	hvbus_work_post(HVBUS_WORK_EVENT, dev, HVBUS_EV_REOFFER, 0);
}

static void
offer_attach_sub(struct hvbus_offer *o)
{
	struct rte_hvbus_device *dev = hvbus_dev_find_instance(&o->instance);

	if (dev == NULL || dev->priv->offer[0] == NULL) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "subchannel %u (relid %u) "
			      "without a primary", o->subidx, o->relid);
		return;
	}
	if (dev->priv->offer[o->subidx] != NULL) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "subchannel %u of %s "
			      "offered twice", o->subidx, dev->name);
		return;
	}
	o->dev = dev;
	pthread_mutex_lock(&hvbus.lock);
	dev->priv->offer[o->subidx] = o;
	dev->priv->n_sub++;
	pthread_cond_broadcast(&hvbus.cond);
	pthread_mutex_unlock(&hvbus.lock);
	hvbus_work_post(HVBUS_WORK_EVENT, dev, HVBUS_EV_SUBCHAN_OFFER,
			o->subidx);
}

/*
 * Every offer with a usable relid goes into the table, even one we will
 * never drive: its rescind must still be answered with RELID_RELEASED.
 */
void
hvbus_on_offer(const union vmb_msg *m, uint32_t len)
{
	const struct vmb_msg_offer *of = &m->offer;
	struct hvbus_offer *o;
	uint32_t relid = of->child_relid;

	RTE_SET_USED(len);
	if (relid == 0 || relid >= VMB_MAX_RELID) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "relid %u out of range",
			      relid);
		return;
	}
	if (hvbus.relid_tab[relid] != NULL) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "relid %u offered twice",
			      relid);
		hvbus_offer_fail(hvbus.relid_tab[relid], "offered twice");
		return;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		HVBUS_LOG(ERR, "relid %u: no memory for the offer", relid);
		return;
	}
	o->relid = relid;
	o->subidx = of->sub_channel_index;
	o->class_id = of->if_type;
	o->instance = of->if_instance;
	o->monitor_allocated = (of->monitor_allocated & 1) != 0;
	o->monitor_id = of->monitor_id;
	o->state = HVBUS_CS_OFFERED;
	hvbus.st.offers++;
	pthread_mutex_lock(&hvbus.lock);
	hvbus.relid_tab[relid] = o;
	pthread_mutex_unlock(&hvbus.lock);

	if (o->monitor_allocated && o->monitor_id >= VMB_MONITOR_IDS) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "relid %u: monitor id %u",
			      relid, o->monitor_id);
		return;
	}
	if (!offer_class_wanted(&o->class_id))
		return;
	if (o->subidx >= HVBUS_MAX_CHAN) {
		hvbus_bad_msg(VMB_MSG_OFFERCHANNEL, "relid %u: subchannel "
			      "index %u", relid, o->subidx);
		return;
	}
	if (o->subidx == 0)
		offer_attach_primary(o);
	else
		offer_attach_sub(o);
}

/*
 * Send RELID_RELEASED if, and only if, its time has come, and free the
 * offer. The one place that does either: when the host rescinded it and
 * nothing refers to it any more - no channel (rings the host or a queue
 * may still use), no GPADL the host still knows, no handler in the middle
 * of working on it (offer_hold()).
 */
static void
offer_try_release(struct hvbus_offer *o)
{
	union vmb_msg m;
	bool sent;

	if (!o->rescinded || o->released || o->chan != NULL ||
	    o->gpadls > 0 || o->holds > 0)
		return;
	sent = hvbus_send(&m, vmb_msg_encode_relid(&m, VMB_MSG_RELID_RELEASED,
						   o->relid)) == 0;
	/* Even if the send failed the relid is done for us: never again. */
	o->released = true;
	hvbus_gpadl_offer_released(o, sent);
	hvbus.st.released++;
	HVBUS_LOG(INFO, "relid %u released", o->relid);
	pthread_mutex_lock(&hvbus.lock);
	hvbus.relid_tab[o->relid] = NULL;
	pthread_mutex_unlock(&hvbus.lock);
	free(o);
}

/*
 * A handler that starts a teardown and uses @o afterwards holds it: the
 * teardown may complete inside the call (kernel rings have no GPADL to
 * wait for) and would otherwise release and free @o under the handler.
 * The last put releases it if its time has come.
 */
static void
offer_hold(struct hvbus_offer *o)
{
	o->holds++;
}

static void
offer_put(struct hvbus_offer *o)
{
	o->holds--;
	offer_try_release(o);
}

/*
 * Stop using @o: fail an open waiting on it, take its channel away from
 * the datapath and tear it down, tear down driver buffers on it, and tell
 * the driver. @o may be gone when this returns, unless the caller holds it.
 */
static void
offer_abort(struct hvbus_offer *o)
{
	struct rte_hvbus_device *dev = o->dev;
	struct hvbus_chan_priv *c = o->chan;

	offer_hold(o);

	/* An open waiting on this channel fails now: the host answers
	 * nothing more for it, so waiting for the deadline would only make
	 * the caller slow.
	 */
	if (o->req != NULL && o->req->type == HVBUS_REQ_OPEN)
		offer_req_done(o, -ENODEV);
	switch (o->state) {
	case HVBUS_CS_GPADL:
		/* GPADL_CREATED still comes (with a failure): wait for it. */
		c->orphan = true;
		break;
	case HVBUS_CS_OPENING:
		chan_teardown(c);
		break;
	case HVBUS_CS_OPEN:
		chan_retire(c);
		/* fall through */
	case HVBUS_CS_RETIRING:
		/* A rescinded channel's rings are idle on the host side, which
		 * answers the teardown at once (protocol.rst 3.8): that round
		 * trip runs during the grace period instead of after it.
		 */
		if (o->rescinded && o->state == HVBUS_CS_RETIRING)
			chan_teardown(c);
		else
			chan_close_now(c);
		break;
	default:
		break;
	}
	hvbus_gpadl_offer_gone(o);
	if (dev != NULL)
		hvbus_work_post(HVBUS_WORK_EVENT, dev, HVBUS_EV_RESCIND,
				o->subidx);
	offer_put(o);
}

/*
 * The host sent something about @o that makes no sense for its state: the
 * channel is treated as rescinded from our side (unpublished, closed, the
 * driver told) but not released - only a real rescind allows that.
 */
void
hvbus_offer_fail(struct hvbus_offer *o, const char *why)
{
	if (o->rescinded || o->failed)
		return;
	o->failed = true;
	HVBUS_LOG(ERR, "relid %u: %s; channel treated as rescinded", o->relid,
		  why);
	offer_abort(o);
}

void
hvbus_on_rescind(const union vmb_msg *m, uint32_t len)
{
	struct hvbus_offer *o;
	struct rte_hvbus_device *dev;

	RTE_SET_USED(len);
	o = offer_by_relid(m->relid.child_relid, VMB_MSG_RESCIND_CHANNELOFFER);
	if (o == NULL)
		return;
	if (o->rescinded) {
		hvbus_bad_msg(VMB_MSG_RESCIND_CHANNELOFFER,
			      "relid %u rescinded twice", o->relid);
		return;
	}
	o->rescinded = true;
	hvbus.st.rescinds++;
	offer_hold(o);
	dev = o->dev;
	HVBUS_LOG(INFO, "relid %u (%s sub %u) rescinded", o->relid,
		  dev != NULL ? dev->name : "-", o->subidx);
	if (dev != NULL) {
		pthread_mutex_lock(&hvbus.lock);
		if (dev->priv->offer[o->subidx] == o) {
			dev->priv->offer[o->subidx] = NULL;
			if (o->subidx != 0)
				dev->priv->n_sub--;
			else
				dev->priv->gone = true;
		}
		pthread_cond_broadcast(&hvbus.cond);
		pthread_mutex_unlock(&hvbus.lock);
	}
	/* A failed channel was already taken apart. */
	if (!o->failed)
		offer_abort(o);
	offer_put(o);
}

void
hvbus_on_open_result(const union vmb_msg *m, uint32_t len)
{
	const struct vmb_msg_open_result *r = &m->open_result;
	struct rte_hvbus_device *dev;
	struct hvbus_chan_priv *c;
	struct hvbus_offer *o;

	RTE_SET_USED(len);
	o = offer_by_relid(r->child_relid, VMB_MSG_OPENCHANNEL_RESULT);
	if (o == NULL)
		return;
	if (o->state == HVBUS_CS_CLOSING && r->openid == o->openid) {
		/* The answer to an open we gave up on at its deadline; the
		 * CLOSECHANNEL sent then undoes it on the host.
		 */
		HVBUS_LOG(INFO, "relid %u: late OPENCHANNEL_RESULT ignored",
			  o->relid);
		return;
	}
	if (o->state != HVBUS_CS_OPENING || r->openid != o->openid) {
		hvbus_bad_msg(VMB_MSG_OPENCHANNEL_RESULT, "relid %u openid %u "
			      "not awaited", o->relid, r->openid);
		hvbus_offer_fail(o, "unexpected OPENCHANNEL_RESULT");
		return;
	}
	c = o->chan;
	if (r->status != 0) {
		HVBUS_LOG(ERR, "host refused to open relid %u (status %#x)",
			  o->relid, r->status);
		c->open_sent = false;	/* nothing to close */
		if (o->req != NULL)
			offer_req_done(o, -EIO);
		chan_teardown(c);
		return;
	}
	dev = o->dev;
	o->state = HVBUS_CS_OPEN;
	if (o->req == NULL || dev == NULL || req_abandoned(o->req)) {
		/* Nobody wants it any more (shutdown, or the caller gave
		 * up waiting): undo rather than publish a channel nobody
		 * knows about.
		 */
		if (o->req != NULL)
			offer_req_done(o, -ETIMEDOUT);
		chan_retire(c);
		return;
	}
	/* Control thread only: a plain counter; never 0, so a queue that
	 * has bound nothing yet always sees a change. */
	if (++hvbus.open_seq == 0)
		hvbus.open_seq = 1;
	c->pub.open_seq = hvbus.open_seq;
	/* Release: ring headers and the struct are initialised before a
	 * queue can load the pointer.
	 */
	epoch_publish(&dev->chan_slot[o->subidx], &c->pub);
	hvbus_intr_chan_opened(dev, o->subidx);
	o->req->chan = &c->pub;
	HVBUS_LOG(DEBUG, "relid %u open", o->relid);
	offer_req_done(o, 0);
}

/* The ring GPADL was answered (gpadl.c, through chan_gpadl_events). */
static void
chan_gpadl_done(struct hvbus_chan_priv *c, bool ok)
{
	struct hvbus_offer *o = c->offer;
	size_t tx_len = (size_t)c->tx_pages * VMB_PAGE_SIZE;
	union vmb_msg m;
	int len;

	if (!ok) {
		if (o->req != NULL)
			offer_req_done(o, -EIO);
		chan_torn(c);
		return;
	}
	if (o->rescinded || o->failed || c->orphan || o->req == NULL) {
		chan_teardown(c);
		return;
	}
	/* The guest owns both headers: zero indices, pending_send_sz
	 * supported, before the host may look at them (OPENCHANNEL).
	 * Rings a kernel opened are in use already: left alone.
	 */
	if (!c->kernel_mem) {
		vmb_ring_hdr_reset(c->mem, VMB_RING_FEAT_PENDING_SZ);
		vmb_ring_hdr_reset((uint8_t *)c->mem + tx_len,
				   VMB_RING_FEAT_PENDING_SZ);
	}
	if (vmb_ring_init_mem(&c->pub.tx, c->mem, tx_len) < 0 ||
	    vmb_ring_init_mem(&c->pub.rx, (uint8_t *)c->mem + tx_len,
			      c->mem_len - tx_len) < 0) {
		offer_req_done(o, -EINVAL);
		chan_teardown(c);
		return;
	}
	/* A polling driver wants no signals: masked until it arms the
	 * channel (the kernel's rings come masked already). */
	vmb_ring_intr_mask(&c->pub.rx);
	o->openid = ++hvbus.next_openid;
	len = vmb_msg_encode_open(&m, o->relid, o->openid,
				  c->gpadl != NULL ? c->gpadl->handle : 0,
				  0, c->tx_pages);
	if (hvbus_send(&m, len) < 0) {
		offer_req_done(o, -EIO);
		chan_teardown(c);
		return;
	}
	c->open_sent = true;
	o->state = HVBUS_CS_OPENING;
	o->deadline = hvbus_deadline_ns(1);
}

/*
 * Undo an open instance as far as it got: CLOSECHANNEL if OPENCHANNEL went
 * out (allowed after a rescind too, protocol.rst 3.8), then the ring GPADL
 * teardown. The memory is freed by chan_torn() once the host confirms.
 */
static void
chan_teardown(struct hvbus_chan_priv *c)
{
	struct hvbus_offer *o = c->offer;
	struct hvbus_gpadl *g = c->gpadl;
	union vmb_msg m;

	o->state = HVBUS_CS_CLOSING;
	if (c->open_sent) {
		c->open_sent = false;
		hvbus_send(&m, vmb_msg_encode_relid(&m, VMB_MSG_CLOSECHANNEL,
						    o->relid));
	}
	if (g == NULL) {
		chan_torn(c);
		return;
	}
	switch (g->state) {
	case HVBUS_GS_READY:
		hvbus_gpadl_teardown(g);
		break;
	case HVBUS_GS_CREATING:
		c->orphan = true;	/* chan_gpadl_done() comes back */
		break;
	default:
		break;
	}
}

/* A channel given up while the host still has it open (not rescinded):
 * closed now, before the buffers' GPADLs are torn down below it - the host
 * may otherwise still read a request in the ring that names one. The
 * rings stay until the grace period ends and their own GPADL goes then.
 */
static void
chan_close_now(struct hvbus_chan_priv *c)
{
	union vmb_msg m;

	if (!c->open_sent)
		return;
	c->open_sent = false;
	hvbus_send(&m, vmb_msg_encode_relid(&m, VMB_MSG_CLOSECHANNEL,
					    c->offer->relid));
}

/*
 * The host no longer uses the rings: once no queue can reach them either,
 * free them and maybe release the relid.
 */
static void
chan_torn(struct hvbus_chan_priv *c)
{
	struct hvbus_offer *o = c->offer;
	void *mem = c->kernel_mem ? NULL : c->mem;
	size_t mem_len = c->mem_len;

	if (c->gpadl != NULL)
		c->gpadl->ring_of = NULL;
	c->gpadl = NULL;
	if (c->retired) {
		c->torn = true;		/* chan_retired() comes back here */
		return;
	}
	o->chan = NULL;
	o->state = HVBUS_CS_OFFERED;
	if (o->req != NULL)
		offer_req_done(o, 0);
	free(c);
	/* The release first: freeing unmaps pages (slow) and the host has
	 * no use for them any more.
	 */
	offer_try_release(o);
	if (mem != NULL)
		hvbus.be.ops->mem_free(&hvbus.be, mem, mem_len);
}

/*
 * Retirement of a channel the datapath may still be using: the slot is
 * emptied and the channel handed to a grace period (retire.c). The ring
 * memory is freed, and a rescinded relid released, only when both the
 * grace period is over and the host has confirmed the teardown. A channel
 * the host rescinded is torn down with the host at once, during the grace
 * period (the host stopped using its rings already); one we close
 * ourselves only after it, since the host still processes its rings until
 * CLOSECHANNEL.
 */

/* Runs on the control thread from epoch_reclaim(): no reader can reach
 * the channel any more.
 */
static void
chan_retired(void *obj)
{
	struct hvbus_chan_priv *c = obj;

	hvbus.retiring--;
	c->retired = false;
	c->offer->in_grace = false;
	if (c->torn)
		chan_torn(c);	/* the host was first: finish */
	else if (c->offer->state != HVBUS_CS_CLOSING)
		chan_teardown(c);
	/* else the teardown sent at the rescind is still unanswered */
}

static void
chan_retire(struct hvbus_chan_priv *c)
{
	struct hvbus_offer *o = c->offer;
	struct rte_hvbus_device *dev = o->dev;

	/* The slot may already hold a newer channel of a re-offer. */
	if (dev != NULL && dev->chan_slot[o->subidx] == &c->pub)
		epoch_unpublish(&dev->chan_slot[o->subidx], NULL);
	o->state = HVBUS_CS_RETIRING;
	c->retired = true;
	o->in_grace = true;
	hvbus.retiring++;
	hvbus_retire_defer(c, chan_retired);
}

static int
open_check_size(uint32_t *sz)
{
	if (*sz == 0)
		*sz = hvbus.cfg.ring_size;
	if (*sz < 2 * VMB_PAGE_SIZE || *sz > (16u << 20) ||
	    (*sz % VMB_PAGE_SIZE) != 0)
		return -EINVAL;
	return 0;
}

static void
chan_set_monitor(struct hvbus_chan_priv *c, const struct hvbus_offer *o)
{
	if (o->monitor_allocated && hvbus.be.mon_child != NULL) {
		/* In the child->parent page: the guest rings the host. */
		c->pub.mon_pending = vmb_monitor_word(hvbus.be.mon_child,
						      o->monitor_id);
		c->pub.mon_bit = vmb_monitor_bit(o->monitor_id);
	}
}

/*
 * Open over rings the kernel already shared and opened (uio): no memory
 * of ours, no GPADL; OPENCHANNEL goes to the backend, which answers for
 * the kernel. Sizes come from the kernel, the caller's are ignored.
 */
static void
req_open_kernel(struct hvbus_req *req, struct hvbus_offer *o,
		struct hvbus_chan_priv *c)
{
	size_t len = 0;
	int rc;

	rc = hvbus.be.ops->ring_mem(&hvbus.be, o->relid, &c->mem, &len);
	if (rc < 0 || len < 4 * VMB_PAGE_SIZE ||
	    len % (2 * VMB_PAGE_SIZE) != 0) {
		free(c);
		hvbus_req_complete(req, rc < 0 ? rc : -EINVAL);
		return;
	}
	c->kernel_mem = true;
	c->mem_len = len;
	c->offer = o;
	c->tx_pages = (uint32_t)(len / 2 / VMB_PAGE_SIZE);
	c->pub.relid = o->relid;
	c->pub.subidx = o->subidx;
	chan_set_monitor(c, o);
	o->chan = c;
	o->req = req;
	o->state = HVBUS_CS_GPADL;
	chan_gpadl_done(c, true);
}

void
hvbus_req_open(struct hvbus_req *req)
{
	struct rte_hvbus_device *dev = req->dev;
	struct hvbus_chan_priv *c;
	struct hvbus_offer *o;
	struct hvbus_gpadl *g;
	uint32_t tx = req->tx_size, rx = req->rx_size;

	if (req->subidx >= HVBUS_MAX_CHAN || open_check_size(&tx) < 0 ||
	    open_check_size(&rx) < 0) {
		hvbus_req_complete(req, -EINVAL);
		return;
	}
	o = dev->priv->offer[req->subidx];
	if (o == NULL || o->rescinded || o->failed) {
		hvbus_req_complete(req, -ENODEV);
		return;
	}
	if (o->state != HVBUS_CS_OFFERED) {
		hvbus_req_complete(req, -EBUSY);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		hvbus_req_complete(req, -ENOMEM);
		return;
	}
	if (hvbus.be.ops->ring_mem != NULL) {
		req_open_kernel(req, o, c);
		return;
	}
	c->mem_len = (size_t)tx + rx;
	c->mem = hvbus.be.ops->mem_alloc(&hvbus.be, c->mem_len);
	if (c->mem == NULL) {
		free(c);
		hvbus_req_complete(req, -ENOMEM);
		return;
	}
	c->offer = o;
	c->tx_pages = tx / VMB_PAGE_SIZE;
	c->pub.relid = o->relid;
	c->pub.subidx = o->subidx;
	chan_set_monitor(c, o);
	/* The memory is the GPADL's now, even if it failed. */
	g = hvbus_gpadl_start(o, c->mem, c->mem_len, false);
	if (g == NULL) {
		free(c);
		hvbus_req_complete(req, -EIO);
		return;
	}
	g->ring_of = c;
	c->gpadl = g;
	o->chan = c;
	o->req = req;
	o->state = HVBUS_CS_GPADL;
	o->deadline = hvbus_deadline_ns(1);
}

void
hvbus_req_close(struct hvbus_req *req)
{
	struct hvbus_offer *o = NULL;

	if (req->subidx < HVBUS_MAX_CHAN)
		o = req->dev->priv->offer[req->subidx];
	/* Rescinded channels left the device's slots and failed ones are
	 * being closed already: the bus takes care of them.
	 */
	if (o == NULL || o->failed || o->state == HVBUS_CS_OFFERED) {
		hvbus_req_complete(req, 0);
		return;
	}
	if (o->state != HVBUS_CS_OPEN || o->req != NULL) {
		hvbus_req_complete(req, -EBUSY);
		return;
	}
	o->req = req;
	chan_retire(o->chan);
}

/* Opens the host did not answer in time. */
void
hvbus_chan_deadlines(uint64_t now)
{
	struct hvbus_offer *o;
	uint32_t relid;

	for (relid = 1; relid < VMB_MAX_RELID; relid++) {
		o = hvbus.relid_tab[relid];
		if (o == NULL || now <= o->deadline ||
		    (o->state != HVBUS_CS_GPADL && o->state != HVBUS_CS_OPENING))
			continue;
		hvbus.st.deadlines++;
		o->deadline = UINT64_MAX;
		HVBUS_LOG(ERR, "relid %u: host did not answer %s in %u ms",
			  relid, o->state == HVBUS_CS_GPADL ? "GPADL_HEADER" :
			  "OPENCHANNEL", hvbus.cfg.timeout_ms);
		if (o->req != NULL)
			offer_req_done(o, -ETIMEDOUT);
		if (o->state == HVBUS_CS_GPADL)
			o->chan->orphan = true;
		else
			chan_teardown(o->chan);
	}
}

/* Shutdown: close every channel; GPADLs follow in gpadl.c. */
void
hvbus_chan_close_all(void)
{
	struct hvbus_offer *o;
	uint32_t relid;

	for (relid = 1; relid < VMB_MAX_RELID; relid++) {
		o = hvbus.relid_tab[relid];
		if (o == NULL || o->chan == NULL)
			continue;
		if (o->req != NULL && o->req->type == HVBUS_REQ_OPEN)
			offer_req_done(o, -ESHUTDOWN);
		switch (o->state) {
		case HVBUS_CS_GPADL:
			o->chan->orphan = true;
			break;
		case HVBUS_CS_OPENING:
			chan_teardown(o->chan);
			break;
		case HVBUS_CS_OPEN:
			chan_retire(o->chan);
			break;
		default:
			break;
		}
	}
	hvbus_gpadl_close_all();
}

/* Nothing outstanding with the host: every channel closed and every
 * GPADL gone, every rescinded relid released.
 */
bool
hvbus_chan_idle(void)
{
	uint32_t relid;

	if (hvbus.retiring > 0 || !hvbus_gpadl_idle())
		return false;
	for (relid = 1; relid < VMB_MAX_RELID; relid++) {
		struct hvbus_offer *o = hvbus.relid_tab[relid];

		if (o != NULL && (o->chan != NULL || o->rescinded))
			return false;
	}
	return true;
}

/* What the GPADL table below reports to this layer. */
static const struct hvbus_gpadl_events chan_gpadl_events = {
	.ring_created = chan_gpadl_done,
	.ring_torn = chan_torn,
	.offer_fail = hvbus_offer_fail,
	.offer_check = offer_try_release,
};

/* Before anything can run: tests drive the handlers without a scan. */
RTE_INIT(hvbus_chan_init)
{
	hvbus_gpadl_set_events(&chan_gpadl_events);
}

/* ---- public API (any thread but the control thread) ---- */

int
hvbus_chan_open(struct rte_hvbus_device *dev, uint16_t subidx,
		uint32_t tx_size, uint32_t rx_size, struct hvbus_chan **chan)
{
	struct hvbus_req *req;
	int rc;

	if (dev == NULL || subidx >= HVBUS_MAX_CHAN)
		return -EINVAL;
	req = hvbus_req_new(HVBUS_REQ_OPEN);
	if (req == NULL)
		return -ENOMEM;
	req->dev = dev;
	req->subidx = subidx;
	req->tx_size = tx_size;
	req->rx_size = rx_size;
	/* GPADL and OPEN each have the bus deadline. */
	rc = hvbus_req_run(req, hvbus_answers_ms(3));
	if (rc == 0 && chan != NULL)
		*chan = req->chan;
	hvbus_req_put(req);
	return rc;
}

int
hvbus_chan_close(struct rte_hvbus_device *dev, uint16_t subidx)
{
	struct hvbus_req *req;
	int rc;

	if (dev == NULL || subidx >= HVBUS_MAX_CHAN)
		return -EINVAL;
	req = hvbus_req_new(HVBUS_REQ_CLOSE);
	if (req == NULL)
		return -ENOMEM;
	req->dev = dev;
	req->subidx = subidx;
	rc = hvbus_req_run(req, hvbus_answers_ms(3));
	hvbus_req_put(req);
	return rc;
}

unsigned int
hvbus_subchan_count(struct rte_hvbus_device *dev)
{
	unsigned int n;

	pthread_mutex_lock(&hvbus.lock);
	n = dev->priv->n_sub;
	pthread_mutex_unlock(&hvbus.lock);
	return n;
}

int
hvbus_subchan_wait(struct rte_hvbus_device *dev, unsigned int n,
		   unsigned int timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	if (dev == NULL || n >= HVBUS_MAX_CHAN)
		return -EINVAL;
	hv_deadline_ts(CLOCK_MONOTONIC, timeout_ms, &ts);
	pthread_mutex_lock(&hvbus.lock);
	while (dev->priv->n_sub < n && !dev->priv->gone && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&hvbus.cond, &hvbus.lock, &ts);
	if (dev->priv->gone)
		rc = -ENODEV;
	else if (dev->priv->n_sub < n)
		rc = -ETIMEDOUT;
	else
		rc = (int)dev->priv->n_sub;
	pthread_mutex_unlock(&hvbus.lock);
	return rc;
}
