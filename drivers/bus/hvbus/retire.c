/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Retirement of channels the datapath may still be using.
 *
 * Queues reach a channel only through dev->chan_slot[] inside a reader
 * section of their own epoch record (rte_bus_hvbus.h). To take a channel
 * away the control thread stores NULL into the slot and hands the channel
 * to epoch_retire(); lib/epoch runs the destructor once every reader that
 * could have loaded the old pointer has left its burst (idle queues do not
 * hold it up: they are "out"). The ring memory is freed, and a rescinded
 * relid released, only when both the grace period is over and the host has
 * confirmed the teardown (chan.c). A channel the host rescinded is torn
 * down with the host at once, during the grace period (the host stopped
 * using its rings already); one we close ourselves only after it, since
 * the host still processes its rings until CLOSECHANNEL.
 *
 * The control thread polls epoch_reclaim() while anything is pending,
 * ours or what drivers retire with hvbus_retire(); it never blocks in a
 * grace period itself (ctrl.c: re-checks with a short backoff).
 */

#include <errno.h>

#include "hvbus_private.h"

int
hvbus_retire_init(void)
{
	hvbus.dom = epoch_domain_create(0);
	if (hvbus.dom == NULL) {
		HVBUS_LOG(ERR, "cannot create the epoch domain");
		return -ENOMEM;
	}
	HVBUS_LOG(DEBUG, "epoch domain in %s mode",
		  epoch_domain_membarrier(hvbus.dom) ? "membarrier" : "fence");
	return 0;
}

void
hvbus_retire_fini(void)
{
	int rc;

	if (hvbus.dom == NULL)
		return;
	/* Destructors would talk to a host that is gone: if something is
	 * still retired (shutdown timed out), leak the domain instead.
	 */
	if (hvbus.retiring > 0) {
		HVBUS_LOG(WARNING, "%u channel(s) still retiring at exit",
			  hvbus.retiring);
		return;
	}
	rc = epoch_domain_destroy(hvbus.dom);
	if (rc < 0) {
		HVBUS_LOG(WARNING, "epoch domain still has readers (queues "
			  "not detached): leaked");
		return;
	}
	hvbus.dom = NULL;
}

/* Runs on the control thread from epoch_reclaim(): no reader can reach
 * the channel any more.
 */
static void
retire_dtor(void *obj)
{
	struct hvbus_chan_priv *c = obj;

	hvbus.retiring--;
	c->retired = false;
	c->offer->in_grace = false;
	if (c->torn)
		hvbus_chan_torn(c);	/* the host was first: finish */
	else if (c->offer->state != HVBUS_CS_CLOSING)
		hvbus_chan_teardown(c);
	/* else the teardown sent at the rescind is still unanswered */
}

void
hvbus_retire_chan(struct hvbus_chan_priv *c)
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
	/* A new grace period to wait for: re-check it soon. */
	hvbus.reclaim_wait_ns = HVBUS_RECLAIM_MIN_NS;
	if (epoch_retire(hvbus.dom, c, retire_dtor) < 0) {
		/* Cannot happen with a valid domain; never free early. */
		HVBUS_LOG(ERR, "relid %u: cannot retire, waiting instead",
			  o->relid);
		epoch_synchronize(hvbus.dom);
		retire_dtor(c);
	}
}

/* Returns what is still waiting, ours and drivers'. */
int
hvbus_retire_poll(void)
{
	int n = epoch_reclaim(hvbus.dom);

	hvbus.reclaim_pending = n > 0 ? (unsigned int)n : 0;
	return n;
}

int
hvbus_retire(struct rte_hvbus_device *dev, void *obj, void (*dtor)(void *obj))
{
	int rc;

	if (dev == NULL || obj == NULL || dtor == NULL || hvbus.dom == NULL)
		return -EINVAL;
	rc = epoch_retire(hvbus.dom, obj, dtor);
	if (rc == 0)
		hvbus_ctrl_kick();	/* start polling for its grace period */
	return rc;
}

int
hvbus_queue_attach(struct rte_hvbus_device *dev, struct epoch_reader *r)
{
	if (dev == NULL || r == NULL || hvbus.dom == NULL)
		return -EINVAL;
	return epoch_reader_add(hvbus.dom, r);
}

int
hvbus_queue_detach(struct rte_hvbus_device *dev, struct epoch_reader *r)
{
	if (dev == NULL || r == NULL || hvbus.dom == NULL)
		return -EINVAL;
	return epoch_reader_remove(hvbus.dom, r);
}
