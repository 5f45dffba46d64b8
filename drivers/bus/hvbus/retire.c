/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Retirement: the bus's epoch domain, whose grace periods keep memory the
 * datapath may still be using alive until no reader can reach it.
 *
 * Queues reach a channel only through dev->chan_slot[] inside a reader
 * section of their own epoch record (rte_bus_hvbus.h). To take a channel
 * away the control thread stores NULL into the slot and hands the channel
 * here with its destructor (chan.c); drivers hand their own objects with
 * hvbus_retire(). lib/epoch runs a destructor once every reader that could
 * have loaded the old pointer has left its burst (idle queues do not hold
 * it up: they are "out"). This file knows nothing of channels: what a
 * destructor does is its owner's business.
 *
 * The control thread polls epoch_reclaim() while anything is pending,
 * ours or what drivers retire with hvbus_retire(); it never blocks in a
 * grace period itself (ctrl.c: re-checks with a short backoff).
 */

#include <errno.h>

#include "hvbus_retire.h"

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

void
hvbus_retire_defer(void *obj, void (*dtor)(void *obj))
{
	/* A new grace period to wait for: re-check it soon. */
	hvbus.reclaim_wait_ns = HVBUS_RECLAIM_MIN_NS;
	if (epoch_retire(hvbus.dom, obj, dtor) == 0)
		return;
	/* Cannot happen with a valid domain; never free early. */
	HVBUS_LOG(ERR, "cannot retire, waiting for the grace period instead");
	epoch_synchronize(hvbus.dom);
	dtor(obj);
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
