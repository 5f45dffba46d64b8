/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 2 of the hvsim core: the filter between the transport and channel
 * management (filter.c). Every channel message passes it both ways: from
 * the guest it is decoded, tied to the NIC it concerns and either handed
 * up or held back (a hook gate holds that NIC, or the NIC's earlier
 * messages are still held); towards the guest it goes down to the
 * transport. Channel management never reads the socket and never sends
 * around the filter, so this is the one place that decides what reaches it
 * and when - hooks today, a host that misbehaves on purpose tomorrow.
 */

#ifndef HVSIM_FILTER_H
#define HVSIM_FILTER_H

#include <stdint.h>

#include "hvsim_wire.h"

/* Messages held per NIC (beyond: dropped, with an error). */
#define HVSIM_HOLD_MAX		1024

/* When a message arrived, for rules about timing (rescind races). */
struct hvsim_msg_ctx {
	uint64_t rx_seq;	/* transport frames received before it */
	uint64_t rx_ns;		/* hv_now_ns() when it arrived */
};

struct hvsim_held {
	struct hvsim_held *next;
	struct hvsim_msg_ctx ctx;
	uint32_t len;
	union vmb_msg m;
};

struct hvsim_hold_queue {
	struct hvsim_held *head, *tail;
	unsigned int len;
};

/* Answers a silent hostile host kept back (beyond: lost for good). */
#define HVSIM_WITHHELD_MAX	32

struct hvsim_withheld {
	int len;
	union vmb_msg m;
};

struct hvsim_filter {
	struct hvsim_log *lg;
	struct hvsim_mem *mem;
	struct hvsim_transport *tp;
	const struct hvsim_ids *ids;
	const struct hvsim_gpadls *gpadls;
	struct hvsim_gate *gate;
	struct hvsim_hostile *hostile;
	unsigned int n_nics;
	struct hvsim_hold_queue q[HVSIM_MAX_NICS];
	struct hvsim_withheld withheld[HVSIM_WITHHELD_MAX];
	unsigned int n_withheld;
};

void hvsim_filter_init(struct hvsim_filter *f, struct hvsim_log *lg,
		       struct hvsim_mem *mem, struct hvsim_transport *tp,
		       const struct hvsim_ids *ids,
		       const struct hvsim_gpadls *gpadls,
		       struct hvsim_gate *gate, struct hvsim_hostile *hostile,
		       unsigned int n_nics);
/* Drop what every NIC holds (the connection is gone). */
void hvsim_filter_reset(struct hvsim_filter *f);
/* What hvsim_filter_next() did. */
#define HVSIM_FILTER_IDLE	0	/* nothing to read */
#define HVSIM_FILTER_MSG	1	/* a message for channel management */
#define HVSIM_FILTER_MORE	2	/* took a frame, nothing to hand up */

/*
 * The next message for channel management: first what released NICs
 * held, in order, then what the transport brings. Returns one of the
 * above (@p m, @p len and @p ctx filled for HVSIM_FILTER_MSG), or a
 * negative errno when the connection is gone.
 */
int hvsim_filter_next(struct hvsim_filter *f, union vmb_msg *m,
		      uint32_t *len, struct hvsim_msg_ctx *ctx);
/* Send the answers a silent hostile host kept back, late (when hostile
 * mode changes); returns how many. */
int hvsim_filter_send_withheld(struct hvsim_filter *f);

/* A channel message towards the guest. */
int hvsim_filter_send(struct hvsim_filter *f, const union vmb_msg *m,
		      int len);

#endif /* HVSIM_FILTER_H */
