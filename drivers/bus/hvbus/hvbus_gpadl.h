/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 2 (beside hvbus_retire.h): the GPADL table (gpadl.c), ring
 * GPADLs of channels and driver buffers. It knows a channel only as the
 * owner of a ring GPADL (g->ring_of) and an offer only by its GPADL count;
 * what the channel layer above must hear it reports through the events
 * that layer registers, never by calling it.
 */

#ifndef HVBUS_GPADL_H
#define HVBUS_GPADL_H

#include "hvbus_host.h"

struct hvbus_gpadl_events {
	/* The host answered @c's ring GPADL: created (@ok) or refused. */
	void (*ring_created)(struct hvbus_chan_priv *c, bool ok);
	/* The host let go of @c's ring GPADL. */
	void (*ring_torn)(struct hvbus_chan_priv *c);
	/* The host broke the protocol on @o. */
	void (*offer_fail)(struct hvbus_offer *o, const char *why);
	/* A GPADL of @o is gone: the relid may be released now. */
	void (*offer_check)(struct hvbus_offer *o);
};
void hvbus_gpadl_set_events(const struct hvbus_gpadl_events *ev);

/* Control thread. */
void hvbus_on_gpadl_created(const union vmb_msg *m, uint32_t len);
void hvbus_on_gpadl_torndown(const union vmb_msg *m, uint32_t len);
struct hvbus_gpadl *hvbus_gpadl_start(struct hvbus_offer *o, void *va,
				      size_t len, bool user);
void hvbus_gpadl_teardown(struct hvbus_gpadl *g);
void hvbus_gpadl_offer_gone(struct hvbus_offer *o);
void hvbus_gpadl_offer_released(struct hvbus_offer *o, bool sent);
void hvbus_req_gpadl_create(struct hvbus_req *req);
void hvbus_req_gpadl_destroy(struct hvbus_req *req);
void hvbus_gpadl_deadlines(uint64_t now);
void hvbus_gpadl_close_all(void);
bool hvbus_gpadl_idle(void);
/* After the control thread stopped. */
void hvbus_gpadl_free_all(void);

#endif /* HVBUS_GPADL_H */
