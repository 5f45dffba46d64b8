/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Host signals ("interrupts") to drivers. Hyper-V signals a guest when it
 * writes into a host->guest ring that was empty and whose reader cleared
 * interrupt_mask (protocol.rst 2.7); the backend turns that into a
 * readable fd (hvsim's SINT eventfd, a uio device's interrupt count) and
 * the control thread calls hvbus_intr_host_signal(). Neither says which
 * channel it was for - Hyper-V's SINT names a relid in the event flags,
 * uio_hv_generic only its device - so the relay looks at the armed
 * channels: one that has unread data gets its eventfd written, once per
 * arming (hvbus_intr_arm()), so a host that signals without cause, or
 * keeps signalling, wakes nobody more than once.
 *
 * A channel's eventfd lives as long as the device, across rescinds and
 * re-offers, so an application's epoll set stays valid; every newly
 * opened channel kicks it once (hvbus_intr_kick()) so that a sleeping
 * application polls the new rings and arms them. This file calls nothing
 * of the bus's own: it keeps its own lock and list.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include "hvbus_state.h"

struct hvbus_intr {
	TAILQ_ENTRY(hvbus_intr) next;
	struct rte_hvbus_device *dev;
	int efd[HVBUS_MAX_CHAN];	/* -1: none asked for */
	/* 1 while the driver waits for a signal: taken (1 -> 0) by
	 * whoever writes the eventfd, the relay or the driver itself. */
	uint8_t armed[HVBUS_MAX_CHAN];
	uint64_t kicks;			/* eventfd writes */
};

static TAILQ_HEAD(, hvbus_intr) intr_list =
	TAILQ_HEAD_INITIALIZER(intr_list);
static pthread_mutex_t intr_lock = PTHREAD_MUTEX_INITIALIZER;

/* The device's state, created on first use when @p create. */
static struct hvbus_intr *
intr_of(struct rte_hvbus_device *dev, bool create)
{
	struct hvbus_intr *in;
	unsigned int k;

	in = __atomic_load_n(&dev->priv->intr, __ATOMIC_ACQUIRE);
	if (in != NULL || !create)
		return in;
	pthread_mutex_lock(&intr_lock);
	in = dev->priv->intr;
	if (in == NULL) {
		in = calloc(1, sizeof(*in));
		if (in != NULL) {
			in->dev = dev;
			for (k = 0; k < HVBUS_MAX_CHAN; k++)
				in->efd[k] = -1;
			TAILQ_INSERT_TAIL(&intr_list, in, next);
			__atomic_store_n(&dev->priv->intr, in,
					 __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&intr_lock);
	return in;
}

int
hvbus_intr_fd(struct rte_hvbus_device *dev, uint16_t subidx)
{
	struct hvbus_intr *in;
	int fd;

	if (dev == NULL || subidx >= HVBUS_MAX_CHAN)
		return -EINVAL;
	in = intr_of(dev, true);
	if (in == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&intr_lock);
	fd = in->efd[subidx];
	if (fd < 0) {
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fd < 0)
			fd = -errno;
		else
			__atomic_store_n(&in->efd[subidx], fd,
					 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&intr_lock);
	return fd;
}

int
hvbus_intr_arm(struct rte_hvbus_device *dev, uint16_t subidx, bool on)
{
	struct hvbus_intr *in;

	if (dev == NULL || subidx >= HVBUS_MAX_CHAN)
		return -EINVAL;
	in = intr_of(dev, false);
	if (in == NULL || __atomic_load_n(&in->efd[subidx],
					  __ATOMIC_ACQUIRE) < 0)
		return -ENOENT;
	/* Release: a relay that sees the flag sees what the driver did to
	 * the ring before (its interrupt_mask cleared). */
	__atomic_store_n(&in->armed[subidx], on, __ATOMIC_RELEASE);
	return 0;
}

/* Take the arming and write the eventfd: one wake per arming. */
static int
intr_fire(struct hvbus_intr *in, uint16_t subidx)
{
	uint64_t one = 1;
	int fd;

	if (!__atomic_exchange_n(&in->armed[subidx], 0, __ATOMIC_ACQ_REL))
		return 0;
	fd = __atomic_load_n(&in->efd[subidx], __ATOMIC_ACQUIRE);
	/* EAGAIN: the counter is full, the reader has wakes pending. */
	if (fd < 0 || (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN))
		return -errno;
	__atomic_fetch_add(&in->kicks, 1, __ATOMIC_RELAXED);
	return 1;
}

int
hvbus_intr_kick(struct rte_hvbus_device *dev, uint16_t subidx)
{
	struct hvbus_intr *in;

	if (dev == NULL || subidx >= HVBUS_MAX_CHAN)
		return -EINVAL;
	in = intr_of(dev, false);
	if (in == NULL)
		return 0;
	return intr_fire(in, subidx);
}

/* A channel newly published in its slot: wake whoever sleeps on it even
 * if unarmed, so that the new rings get polled and armed. */
void
hvbus_intr_chan_opened(struct rte_hvbus_device *dev, uint16_t subidx)
{
	struct hvbus_intr *in = intr_of(dev, false);

	if (in == NULL || subidx >= HVBUS_MAX_CHAN ||
	    __atomic_load_n(&in->efd[subidx], __ATOMIC_ACQUIRE) < 0)
		return;
	__atomic_store_n(&in->armed[subidx], 1, __ATOMIC_RELEASE);
	intr_fire(in, subidx);
}

/* Armed channels of one device with unread data get their wake. */
static unsigned int
intr_scan(struct hvbus_intr *in)
{
	unsigned int k, n = 0;

	for (k = 0; k < HVBUS_MAX_CHAN; k++) {
		struct hvbus_chan *c;
		uint32_t w, r;

		if (!__atomic_load_n(&in->armed[k], __ATOMIC_ACQUIRE))
			continue;
		/* Control thread: it alone frees channels, so the slot's
		 * channel stays valid while we look. */
		c = hvbus_chan_get(&in->dev->chan_slot[k]);
		if (c == NULL)
			continue;
		w = __atomic_load_n(&c->rx.hdr->write_index, __ATOMIC_ACQUIRE);
		r = __atomic_load_n(&c->rx.hdr->read_index, __ATOMIC_RELAXED);
		if (w != r && intr_fire(in, (uint16_t)k) > 0)
			n++;
	}
	return n;
}

unsigned int
hvbus_intr_host_signal(struct rte_hvbus_device *dev)
{
	struct hvbus_intr *in;
	unsigned int n = 0;

	if (dev != NULL) {
		in = intr_of(dev, false);
		return in != NULL ? intr_scan(in) : 0;
	}
	pthread_mutex_lock(&intr_lock);
	TAILQ_FOREACH(in, &intr_list, next)
		n += intr_scan(in);
	pthread_mutex_unlock(&intr_lock);
	return n;
}

uint64_t
hvbus_intr_kicks(struct rte_hvbus_device *dev)
{
	struct hvbus_intr *in = intr_of(dev, false);

	return in != NULL ? __atomic_load_n(&in->kicks, __ATOMIC_RELAXED) : 0;
}

void
hvbus_intr_free(struct rte_hvbus_device *dev)
{
	struct hvbus_intr *in = intr_of(dev, false);
	unsigned int k;

	if (in == NULL)
		return;
	pthread_mutex_lock(&intr_lock);
	TAILQ_REMOVE(&intr_list, in, next);
	dev->priv->intr = NULL;
	pthread_mutex_unlock(&intr_lock);
	for (k = 0; k < HVBUS_MAX_CHAN; k++)
		if (in->efd[k] >= 0)
			close(in->efd[k]);
	free(in);
}
