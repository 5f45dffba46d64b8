/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 3 of the hvsim core: channels and their rings (chan_ring.c). The
 * ring engine attaches the two rings of an opened channel, polls every
 * open guest-to-host ring, hands packets to the device model and writes
 * what the device sends; it also implements the channel calls of the
 * device interface (hvsim_dev.h). It knows channel objects but not how
 * they are offered, opened or rescinded (layer 4).
 */

#ifndef HVSIM_CHAN_H
#define HVSIM_CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "hvsim_dev.h"
#include "hvsim_filter.h"

/* Largest guest->host ring packet accepted (netvsc sends < 1 KiB). */
#define HVSIM_PKT_MAX		65536

struct hvsim_nic;
struct hvsim_rings;

/* One offer (one relid): a primary or a subchannel. */
struct hvsim_chan {
	struct hvsim_rings *rings;
	struct hvsim_nic *nic;
	uint32_t relid;
	uint16_t subidx;
	uint8_t monitor_id;
	bool monitor_allocated;
	bool open;		/* OPENCHANNEL accepted, result sent */
	bool rescinded;		/* RESCIND sent */
	bool dev_open;		/* dev->chan_open succeeded, close owed */
	bool failed;		/* ring corrupt or device error: no polling */
	bool batching;
	bool in_masked;		/* we set interrupt_mask of the inbound ring */
	bool rd_lie;		/* hostile: read_index lies until the next poll */
	bool opens_after_rescind;
	uint32_t openid;
	uint32_t ring_gpadl;
	uint32_t target_vp;
	uint64_t rescind_rx_seq;	/* frames received when rescinded */
	uint64_t rescind_ns;
	struct vmb_ring in;	/* guest -> host: we read */
	struct vmb_ring out;	/* host -> guest: we write */
	struct hvsim_out_shadow out_seen;	/* checker's view of out */
	struct hvsim_queue_stats st;
	uint8_t *pkt_buf;	/* copy of the packet being handled */
	uint32_t pend_len;	/* pkt_buf holds a packet the device deferred */
};

struct hvsim_nic {
	unsigned int idx;
	struct vmb_guid instance;
	bool present;		/* offered (not removed by a rescind) */
	bool reoffer_pending;	/* re-offer once the old primary is released */
	struct hvsim_chan *chan[HVSIM_MAX_QUEUES];	/* by subchannel index */
	unsigned int chan_end;	/* above every index ever set: the poll
				 * loop's bound */
	void *dev;
	uint64_t rescinds, reoffers, released;
	uint64_t rescind_ns;	/* last rescind command executed */
	uint64_t released_ns;	/* last RELID_RELEASED received */
	/* Ring polls of this NIC's open channels, and those that found the
	 * guest's ring empty (hvsim_nic_stats' ring_polls*). */
	uint64_t ring_polls, ring_polls_empty;
};

/* What the ring engine of one host works with. */
struct hvsim_rings {
	struct hvsim_log *lg;
	const struct hvsim_mem *mem;
	struct hvsim_gate *gate;
	struct hvsim_gpadls *gpadls;
	struct hvsim_hostile *hostile;
	const struct hvsim_dev_ops *ops;
	struct hvsim_nic *nic;		/* array of n_nics */
	unsigned int n_nics;
	unsigned int n_open;		/* open channels: idle when 0 */
	uint8_t *mon_child;	/* monitor page 2: child -> parent bits */
	struct hvsim_transport *tp;	/* the guest's interrupt line */
};

/* Attach the rings of @p c to GPADL @p g split at @p page_off. */
int hvsim_ring_open(struct hvsim_chan *c, const struct hvsim_gpadl *g,
		    uint32_t page_off);
/* Poll every open channel's guest->host ring. Returns the work done. */
int hvsim_rings_poll(struct hvsim_rings *r);
/* Take the guest's monitor-page doorbells. */
int hvsim_monitor_poll(struct hvsim_rings *r);
/* Stop polling @p c and record why (a violation). */
void hvsim_chan_fail(struct hvsim_chan *c, const char *why, int err);
/* Tell the device the channel is gone, once. */
void hvsim_chan_close_dev(struct hvsim_chan *c);

#endif /* HVSIM_CHAN_H */
