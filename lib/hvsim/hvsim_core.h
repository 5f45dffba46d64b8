/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 4 of the hvsim core: VMBus channel management, and the host object
 * that holds every layer below.
 *
 *   chan_mgmt.c  guest-to-host channel messages: one dispatch table, one
 *                handler per message type
 *   offers.c     channel objects, offers, rescinds, re-offers, subchannel
 *                offers, the GPADLs a channel leaves behind
 *   core.c       the host object's set-up and teardown, the end of a
 *                connection, and the device-interface calls that need the
 *                whole host
 *   preopen.c    channels that exist before any message (hvsim_preopen.h)
 *
 * struct hvsim is defined here; the host loop's own state (thread, command
 * queue, control socket) hangs off it as an opaque struct hvsim_loop that
 * only layer 6 (hvsim_host.h) sees.
 */

#ifndef HVSIM_CORE_H
#define HVSIM_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "hvsim_chan.h"
#include "hvsim_preopen.h"

/* Default grace after a rescind during which an OPEN racing with it is
 * not a violation (the guest may have sent it before reading the rescind).
 */
#define HVSIM_RESCIND_GRACE_MS	1000

struct hvsim_loop;

struct hvsim {
	struct hvsim_config cfg;
	/* layer 0 */
	struct hvsim_log log;
	struct hvsim_mem mem;
	struct hvsim_ids ids;
	struct hvsim_gate gate;
	struct hvsim_hostile hostile;
	/* layer 1 */
	struct hvsim_transport tp;
	struct hvsim_gpadls gpadls;
	/* layer 2 */
	struct hvsim_filter filter;
	/* layer 3 */
	struct hvsim_rings rings;
	struct hvsim_nic nic[HVSIM_MAX_NICS];
	/* VMBus connection */
	bool connected;
	uint32_t version;
	bool offers_requested;
	bool preopened;		/* a face attached its memory (preopen.c) */
	uint8_t *mon_parent;	/* monitor page 1: parent -> child */
	unsigned int rescind_grace_ms;
	/* layer 6 (host.c): the loop's state; running is read below to
	 * refuse a face while a host thread runs.
	 */
	struct hvsim_loop *loop;
	bool running;
};

/* core.c */
int hvsim_core_init(struct hvsim *h, const struct hvsim_config *cfg);
void hvsim_core_fini(struct hvsim *h);
/* Forget the connection's channels, GPADLs and held messages; with
 * @p check, judge what the guest left behind first (protocol.rst 9).
 */
void hvsim_reset_connection(struct hvsim *h, const char *why, bool check);
/* The guest connection is gone: reset, close the socket, unmap. */
void hvsim_disconnect(struct hvsim *h, const char *why);
/* Disconnect if the connection failed during the last step (a step never
 * tears it down itself: handlers may still hold channel pointers).
 */
void hvsim_reap(struct hvsim *h);

/* chan_mgmt.c */
void hvsim_chan_dispatch(struct hvsim *h, const union vmb_msg *m,
			 uint32_t len, const struct hvsim_msg_ctx *ctx);

/* offers.c */
/* Carry out what the hostile host asked for since the last iteration
 * (rescinds at a protocol step); returns the work done.
 */
int hvsim_hostile_act(struct hvsim *h);
/* A channel message to the guest, through the filter. */
int hvsim_send_msg(struct hvsim *h, const union vmb_msg *m, int len);
/* The channel of @p relid; a violation naming @p what when unknown. */
struct hvsim_chan *hvsim_chan_by_relid(struct hvsim *h, uint32_t relid,
				       const char *what);
/* A channel object for @p n's @p subidx with a fresh relid and monitor id,
 * not offered yet; NULL when none is left.
 */
struct hvsim_chan *hvsim_chan_new(struct hvsim *h, struct hvsim_nic *n,
				  uint16_t subidx);
/* Open @p c on ring GPADL @p g: rings, device. 0 or a negative errno. */
int hvsim_chan_start(struct hvsim *h, struct hvsim_chan *c,
		     struct hvsim_gpadl *g, uint32_t page_off);
/* Stop ring processing of an open channel (close, rescind, unload). */
void hvsim_chan_stop(struct hvsim *h, struct hvsim_chan *c);
/* Forget a channel: relid and monitor id become free. */
void hvsim_chan_free(struct hvsim *h, struct hvsim_chan *c);
int hvsim_offer_primary(struct hvsim *h, struct hvsim_nic *n);
int hvsim_do_rescind(struct hvsim *h, unsigned int nic, unsigned int sub);
int hvsim_do_reoffer(struct hvsim *h, unsigned int nic, unsigned int sub);
/* GPADL @p handle goes: the device drops its mapping, then the table
 * forgets it, then (@p reply) GPADL_TORNDOWN.
 */
void hvsim_gpadl_gone(struct hvsim *h, uint32_t handle, bool reply);
/* Every GPADL of released @p relid goes, without a word. */
void hvsim_gpadl_drop_relid(struct hvsim *h, uint32_t relid);

#endif /* HVSIM_CORE_H */
