/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Private interface between hvsim's VMBus host core (transport, channel
 * management, GPADLs, rings, checker, hooks) and a device model behind a
 * channel (the netvsp NIC). Everything here runs on the host thread: no
 * locking. The core owns channels and guest memory; the device owns its
 * protocol state and never touches a ring or a socket directly.
 */

#ifndef HVSIM_DEV_H
#define HVSIM_DEV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hvsim.h"

struct hvsim_chan;	/* an open channel: owned by the core */

/** One guest -> host packet, already copied out of the ring (the device may
 * parse it freely; the guest cannot change it any more). */
struct hvsim_pkt {
	uint16_t type;		/**< VMBus packet type */
	uint16_t flags;		/**< bit 0: completion requested */
	uint64_t xid;		/**< transaction id */
	const uint8_t *ext;	/**< extended header after the 16-byte descriptor */
	uint32_t ext_len;
	const uint8_t *data;	/**< payload at data_offset8 * 8 (padding included) */
	uint32_t data_len;
};

/* ---- what a device model provides ---- */

struct hvsim_dev_ops {
	/** Create the device state for NIC @p nic; NULL on failure. */
	void *(*create)(struct hvsim *h, unsigned int nic,
			const struct hvsim_nic_config *cfg);
	void (*destroy)(void *dev);
	/** The guest opened sub-channel index @p subidx (0 = primary). */
	int (*chan_open)(void *dev, struct hvsim_chan *c, uint16_t subidx);
	/** The channel closed, was rescinded or the guest went away; @p c is
	 * invalid after the call. */
	void (*chan_close)(void *dev, struct hvsim_chan *c);
	/**
	 * One packet from the guest. Returns 0 when handled, -EAGAIN to be
	 * called again later with the same packet (host->guest ring full, a
	 * hook holding the NIC): the core keeps its copy and reads nothing
	 * more from that channel until it is handled. Another negative errno
	 * is a protocol error: the core records a violation and stops the
	 * channel (chan_close follows; the other channels go on).
	 */
	int (*packet)(void *dev, struct hvsim_chan *c, const struct hvsim_pkt *p);
	/** Called every host iteration: generators, deferred replies. Returns
	 * the amount of work done (0 when idle). */
	int (*poll)(void *dev);
	/** The NIC's primary was rescinded: forget the guest's session. */
	void (*reset)(void *dev);
	/** Fill the NIC counters; the core then sets rescinds, reoffers
	 * and released itself. */
	void (*stats)(void *dev, struct hvsim_nic_stats *st);
	int (*set_link)(void *dev, bool up);
	int (*vf)(void *dev, bool add, uint32_t serial);
	/** Optional (NULL: -ENOTSUP): refuse or accept MAC changes. */
	int (*mac_lock)(void *dev, bool locked);
	/** Optional (may be NULL): the guest tears down GPADL @p gpadl;
	 * drop any mapping of it (hvsim_gpadl_map()) before the core answers
	 * GPADL_TORNDOWN. */
	void (*gpadl_teardown)(void *dev, uint32_t gpadl);
};

/* ---- what the core provides to device models ---- */

/**
 * Write one packet to the channel's host -> guest ring: descriptor of
 * @p type, @p flags, @p xid, then @p ext (extended header, may be NULL) and
 * the payload gathered from @p iov. The write index is published at once
 * unless hvsim_chan_batch_begin() is active. Returns 0 or -EAGAIN when the
 * ring has no room (nothing written), -ENODEV when the channel is closing.
 */
int hvsim_chan_send(struct hvsim_chan *c, uint16_t type, uint16_t flags,
		    uint64_t xid, const void *ext, uint32_t ext_len,
		    const struct iovec *iov, unsigned int iovcnt);
/**
 * hvsim_chan_send() of one contiguous payload (completions, NVSP answers):
 * the ring write is inlined, without the iovec walk. Same results.
 */
int hvsim_chan_send_buf(struct hvsim_chan *c, uint16_t type, uint64_t xid,
			const void *buf, uint32_t len);
/** Stage several sends and publish the write index once. */
void hvsim_chan_batch_begin(struct hvsim_chan *c);
void hvsim_chan_batch_end(struct hvsim_chan *c);
/** Publish what is staged so far; the batch stays open. */
void hvsim_chan_batch_publish(struct hvsim_chan *c);
/** Bytes a send of @p len payload bytes could still write now. */
uint32_t hvsim_chan_room(const struct hvsim_chan *c);
uint16_t hvsim_chan_subidx(const struct hvsim_chan *c);
uint32_t hvsim_chan_relid(const struct hvsim_chan *c);

/**
 * Host view of a GPADL the guest established on @p c's channel (or on its
 * primary, for subchannels): one contiguous host mapping of its pages.
 * NULL when the handle is unknown, torn down or not contiguous in the arena.
 */
void *hvsim_gpadl_map(struct hvsim_chan *c, uint32_t gpadl, uint64_t *len);

/** Read guest memory named by a GPA page list entry (pfn, byte offset,
 * length): the arena, the same process, or process_vm_readv(). */
int hvsim_gpa_read(struct hvsim *h, uint64_t pfn, uint32_t off, void *dst,
		   uint32_t len);

/** Offer @p n subchannels (indexes 1..n) of NIC @p nic; the core sends the
 * OFFERCHANNEL messages. */
int hvsim_offer_subchannels(struct hvsim *h, unsigned int nic, unsigned int n);

/** True when a hook armed at @p step for @p nic fires now: the device must
 * return -EAGAIN and leave the message in the ring until released. */
bool hvsim_hook_hit(struct hvsim *h, unsigned int nic, enum hvsim_step step);

/** Record an invariant violation: fails the run, logged at HVSIM_LOG_ERR. */
void hvsim_violation(struct hvsim *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/**
 * Hostile mode (hvsim.h): true when the host is to choose badly in class
 * @p c this time (one time in @p one_in, at random); the host logs
 * "hostile CLASS #N: WHAT". Always false for a class that is off.
 */
bool hvsim_dev_hostile(struct hvsim *h, enum hvsim_hostile_class c,
		       uint32_t one_in, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/** The hostile classes of @p h (bit 1 << class; 0: an honest host),
 * valid as long as @p h: fast paths test it before hvsim_dev_hostile(). */
const uint32_t *hvsim_dev_hostile_classes(const struct hvsim *h);
/** The hostile host's choice of a value in 0 .. @p n - 1. */
uint32_t hvsim_dev_hostile_pick(struct hvsim *h, uint32_t n);
/** Rescind NIC @p nic (subchannels, then primary) once the device is
 * done with the current packet, and offer it again once released. */
void hvsim_dev_hostile_rescind(struct hvsim *h, unsigned int nic);

/** Log a device event through the host's log (hvsim_config.log_fn). */
void hvsim_log(struct hvsim *h, enum hvsim_log_level level, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

#endif /* HVSIM_DEV_H */
