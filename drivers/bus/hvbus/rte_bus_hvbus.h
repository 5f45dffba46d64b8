/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef RTE_BUS_HVBUS_H
#define RTE_BUS_HVBUS_H

/**
 * @file
 * hvbus: DPDK bus for Hyper-V VMBus devices, the API for poll-mode drivers.
 *
 * A device is one primary channel offer (named by its instance GUID) plus
 * the subchannels the host offers for it later. A driver registers with
 * RTE_PMD_REGISTER_HVBUS(); the bus probes it for devices of its class.
 *
 * Threads. One control thread per bus owns every channel and talks to the
 * host; it never waits for the host. The calls below that change channel
 * state (open, close, GPADLs) post a request to it and wait for the answer
 * with a timeout, so they may be called from any thread except the control
 * thread (they return -EDEADLK there). Driver callbacks (probe after
 * start-up, events) run on the bus's work thread, never on the control
 * thread, so they may call these functions.
 *
 * Datapath. A queue reaches its channel through a published slot and a
 * reader record (lib/epoch), never through a saved pointer:
 * @code
 *	epoch_reader_enter(&q->rd);
 *	chan = hvbus_chan_get(q->slot);
 *	if (chan != NULL)
 *		... use chan->tx / chan->rx ...
 *	epoch_reader_exit(&q->rd);
 * @endcode
 * When the host rescinds the channel the bus stores NULL into the slot, waits
 * for a grace period (every queue that could have loaded the old pointer
 * has left its burst, or is idle), and only then closes the channel, tears
 * down its memory and tells the host it may reuse the relid.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <dev_driver.h>
#include <rte_tailq.h>

#include "hvnet_compat.h"
#include "vmb_guid.h"
#include "vmb_ring.h"
#include "epoch.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Channels per device: the primary and up to 63 subchannels. */
#define HVBUS_MAX_CHAN		64

/** Channel handle seen by the datapath. Fields are read-only for drivers. */
struct hvbus_chan {
	struct vmb_ring tx;	/**< guest -> host ring: the driver writes */
	struct vmb_ring rx;	/**< host -> guest ring: the driver reads */
	uint32_t relid;		/**< host's channel id */
	uint16_t subidx;	/**< 0 = primary, n = subchannel n */
	uint16_t reserved;
	/** Monitor-page word the host scans, NULL when the offer has no
	 * monitor id (then the host polls the ring by itself). */
	uint32_t *mon_pending;
	uint32_t mon_bit;	/**< this channel's bit in *mon_pending */
	/** Bus-wide open sequence number, never 0: a queue that finds a
	 * different value in its slot than the one it bound to is looking at
	 * a new channel (after a rescind and re-offer), even if the memory
	 * address is the old one's. */
	uint32_t open_seq;
};

/** Bus-private part of a device. */
struct hvbus_dev_priv;

/** A VMBus device on hvbus. */
struct rte_hvbus_device {
	RTE_TAILQ_ENTRY(rte_hvbus_device) next;	/**< bus list, bus-owned */
	struct rte_device device;	/**< generic device; name = instance */
	struct vmb_guid class_id;	/**< interface type (device class) */
	struct vmb_guid instance_id;	/**< interface instance */
	char name[VMB_GUID_STRLEN];	/**< instance GUID as text */
	/**
	 * Published channels, indexed by subchannel index. Queues keep
	 * &chan_slot[i] and load it with hvbus_chan_get() inside a reader
	 * section. The bus writes them (control thread only).
	 */
	struct hvbus_chan *chan_slot[HVBUS_MAX_CHAN];
	void *drv_priv;			/**< free for the driver */
	struct hvbus_dev_priv *priv;	/**< bus-owned */
};

/** Device events delivered to a driver (work thread, in order). */
enum hvbus_event {
	/** The host rescinded channel @c subidx: it is already unpublished;
	 * the bus closes and releases it. For subidx 0 the device is gone
	 * until HVBUS_EV_REOFFER. */
	HVBUS_EV_RESCIND,
	/** The primary was offered again (same instance GUID, new relid):
	 * the driver may open it again and restore its state. */
	HVBUS_EV_REOFFER,
	/** Subchannel @c subidx was offered. */
	HVBUS_EV_SUBCHAN_OFFER,
};

struct rte_hvbus_driver;

/** Probe: return 0 when the driver took the device, >0 to decline. */
typedef int (hvbus_probe_t)(struct rte_hvbus_driver *drv,
			    struct rte_hvbus_device *dev);
/** Remove: close every channel and free the driver's state. */
typedef int (hvbus_remove_t)(struct rte_hvbus_device *dev);
/** Event callback (may be NULL). */
typedef void (hvbus_event_t)(struct rte_hvbus_device *dev,
			     enum hvbus_event ev, uint16_t subidx);

/** A driver for hvbus devices. */
struct rte_hvbus_driver {
	RTE_TAILQ_ENTRY(rte_hvbus_driver) next;	/**< bus list */
	struct rte_driver driver;		/**< generic driver */
	const struct vmb_guid *class_id;	/**< class it drives */
	hvbus_probe_t *probe;
	hvbus_remove_t *remove;
	hvbus_event_t *event;
};

/** Register a driver (called by RTE_PMD_REGISTER_HVBUS). */
__rte_internal
void rte_hvbus_register(struct rte_hvbus_driver *drv);

/** Unregister a driver. */
__rte_internal
void rte_hvbus_unregister(struct rte_hvbus_driver *drv);

/** Register @p drv under name @p nm from a constructor. */
#define RTE_PMD_REGISTER_HVBUS(nm, drv)				\
	RTE_INIT(hvbusinitfn_ ##nm)				\
	{							\
		(drv).driver.name = RTE_STR(nm);		\
		rte_hvbus_register(&(drv));			\
	}							\
	HVNET_PMD_EXPORT_NAME(nm)

/**
 * Name the device class of driver @p nm for dpdk-pmdinfo.py: @p guid is
 * the struct vmb_guid the driver's class_id points to (the build's
 * pmdinfogen reads its bytes).
 */
#define RTE_PMD_REGISTER_HVBUS_CLASS(nm, guid)			\
	static const char DRV_EXP_TAG(nm, hvbus_class_export)[]	\
		__rte_used = RTE_STR(guid)

/** The hvbus device containing generic device @p d. */
#define RTE_DEV_TO_HVBUS(d) \
	container_of((d), struct rte_hvbus_device, device)

/**
 * Open channel @p subidx of @p dev: allocate and share ring memory, create
 * its GPADL, OPENCHANNEL, publish it in dev->chan_slot[subidx].
 *
 * @param tx_size, rx_size  bytes per ring including its 4 KiB header
 *   page, a multiple of 4096 and at least 8192; 0 = the bus default.
 * @param[out] chan  the open channel (may be NULL). Valid until
 *   hvbus_chan_close() or a HVBUS_EV_RESCIND event; code that may run
 *   concurrently with a rescind must go through the slot instead.
 * @return 0; -ENODEV (no such channel, or rescinded meanwhile: returned
 *   as soon as the rescind arrives, not at the deadline); -EBUSY (already
 *   open, or a close still in progress); -EIO (host refused); -ETIMEDOUT
 *   (no answer by the bus deadline); -ENOTCONN (host connection lost);
 *   -ESHUTDOWN (bus shutting down); -ENOMEM; -EINVAL; -EDEADLK (called on
 *   the control thread).
 */
int hvbus_chan_open(struct rte_hvbus_device *dev, uint16_t subidx,
		    uint32_t tx_size, uint32_t rx_size,
		    struct hvbus_chan **chan);

/**
 * Close channel @p subidx: unpublish it, wait for a grace period, send
 * CLOSECHANNEL, tear down the ring GPADL and free the memory once the host
 * confirms. Returns when that is done (or at the deadline, the teardown then
 * finishes in the background). Closing a rescinded or closed channel
 * returns 0.
 */
int hvbus_chan_close(struct rte_hvbus_device *dev, uint16_t subidx);

/**
 * Allocate @p size bytes (rounded up to 4 KiB) of host-shared memory and
 * describe it to the host as a GPADL on the primary channel (receive and
 * send buffers). The channel need not be open.
 *
 * @param[out] va      the memory, zeroed
 * @param[out] handle  the GPADL handle to give the host (NVSP)
 * @return 0, -ENODEV, -EIO (host refused), -ETIMEDOUT, -ENOTCONN,
 *   -ENOMEM, -EINVAL.
 */
int hvbus_gpadl_create(struct rte_hvbus_device *dev, size_t size, void **va,
		       uint32_t *handle);

/**
 * Tear down GPADL @p handle and free its memory. After a rescind the bus
 * has already torn it down (the host may not be asked about a released
 * relid); this then only frees the memory, which stayed valid until now.
 *
 * @return 0, -ENOENT (not a buffer of @p dev), -EBUSY (still being
 *   created or destroyed), -ETIMEDOUT (the host has not confirmed yet: the
 *   memory is freed when it does), -EINVAL.
 */
int hvbus_gpadl_destroy(struct rte_hvbus_device *dev, uint32_t handle);

/**
 * Wait until at least @p n subchannels of @p dev are offered (after the
 * driver asked the host for them over its own protocol), at most
 * @p timeout_ms milliseconds.
 *
 * @return the number of subchannels offered (>= n), or -ETIMEDOUT with
 *   fewer, -ENODEV.
 */
int hvbus_subchan_wait(struct rte_hvbus_device *dev, unsigned int n,
		       unsigned int timeout_ms);

/** Number of subchannels offered now (not counting the primary). */
unsigned int hvbus_subchan_count(struct rte_hvbus_device *dev);

/**
 * Add a queue's reader record to the bus's reclamation domain (queue
 * setup). The record must stay in place until hvbus_queue_detach().
 */
int hvbus_queue_attach(struct rte_hvbus_device *dev, struct epoch_reader *r);

/** Remove a reader record (queue release; the queue is no longer polled). */
int hvbus_queue_detach(struct rte_hvbus_device *dev, struct epoch_reader *r);

/**
 * Free @p obj with @p dtor once no queue can reach it: for driver objects
 * that queues load through pointers inside the same reader sections (the
 * VF a queue forwards to, for example). The caller has already unpublished
 * every pointer to it. @p dtor runs later on the bus's control thread and
 * must not call the blocking functions above.
 *
 * @return 0, -EINVAL.
 */
int hvbus_retire(struct rte_hvbus_device *dev, void *obj,
		 void (*dtor)(void *obj));

/** Driver work run by hvbus_work_call(). */
typedef void (hvbus_work_fn_t)(struct rte_hvbus_device *dev, void *arg);

/**
 * Run @p fn(@p dev, @p arg) on the bus's work thread, after the work and
 * events queued before it (slow driver work that a datapath or alarm
 * noticed: it may call the blocking functions above). @p fn runs exactly
 * once: on the work thread, or at bus shutdown on the thread stopping the
 * bus; it owns whatever @p arg holds.
 *
 * @return 0, -ENOMEM, -EINVAL.
 */
int hvbus_work_call(struct rte_hvbus_device *dev, hvbus_work_fn_t *fn,
		    void *arg);

/** A call to run on the work thread, prepared ahead (opaque). */
struct hvbus_work;

/**
 * hvbus_work_call() in two steps, for a driver that must be able to queue
 * work where it cannot allocate or fail (an mbuf's free callback on any
 * lcore): the item is allocated here, queued by hvbus_work_queue(), which
 * does not allocate, or given back unqueued by hvbus_work_discard().
 *
 * @return the item, or NULL (no memory, invalid argument).
 */
struct hvbus_work *hvbus_work_prepare(struct rte_hvbus_device *dev,
				      hvbus_work_fn_t *fn, void *arg);

/**
 * Queue a prepared item, once; from any thread, the control thread
 * included (a mutex and a condition signal, nothing else). Its call then
 * runs as hvbus_work_call()'s do; the bus frees the item.
 */
void hvbus_work_queue(struct hvbus_work *w);

/** Free a prepared item that was never queued. */
void hvbus_work_discard(struct hvbus_work *w);

/**
 * The eventfd that wakes a driver when the host signals channel
 * @p subidx of @p dev (Rx interrupts). Created at the first call and kept
 * until the bus shuts down: the same fd across rescinds and re-offers,
 * so it can stay in an application's epoll set. Written once per
 * hvbus_intr_arm(), when the host signals with data in the channel's rx
 * ring (which the driver unmasked, vmb_ring_intr_unmask()), and once
 * whenever a new channel opens in that slot. The reader resets it.
 * @return the fd, -EINVAL, -ENOMEM, or the eventfd() errno.
 */
int hvbus_intr_fd(struct rte_hvbus_device *dev, uint16_t subidx);

/**
 * Arm (@p on) or disarm the wake of channel @p subidx. Arm before
 * unmasking the rx ring and, if the unmask finds data already there,
 * call hvbus_intr_kick(): the host signals only on the ring's empty ->
 * non-empty transition. One plain store; not for the burst loop.
 * @return 0, -ENOENT (no hvbus_intr_fd() for it), -EINVAL.
 */
int hvbus_intr_arm(struct rte_hvbus_device *dev, uint16_t subidx, bool on);

/**
 * Write the eventfd of channel @p subidx now if it is armed, and disarm.
 * @return 1 written, 0 not armed, negative errno.
 */
int hvbus_intr_kick(struct rte_hvbus_device *dev, uint16_t subidx);

/**
 * The channel published in @p slot, or NULL. Call between
 * epoch_reader_enter() and epoch_reader_exit() of the queue's record and do
 * not keep the pointer past the exit. One plain load.
 */
static inline struct hvbus_chan *
hvbus_chan_get(struct hvbus_chan *const *slot)
{
	return epoch_load(slot);
}

/**
 * Tell the host there is something new in @p c's tx ring: call it when
 * vmb_ring_publish() (or vmb_ring_write()) returned 1, i.e. only on the
 * ring's empty -> non-empty transition.
 *
 * The monitor-page word is shared by 32 channels and the host clears bits
 * in it concurrently, so the bit is set with one atomic OR: a plain
 * read-modify-write could lose another queue's bit. It is not on the
 * per-burst path: the ring protocol says when a signal is due.
 */
static inline void
hvbus_chan_signal(struct hvbus_chan *c)
{
	if (c->mon_pending != NULL)
		__atomic_fetch_or(c->mon_pending, c->mon_bit,
				  __ATOMIC_RELEASE);
}

#ifdef __cplusplus
}
#endif

#endif /* RTE_BUS_HVBUS_H */
