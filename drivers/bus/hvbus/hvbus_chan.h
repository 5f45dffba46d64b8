/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 3: offers and channels (chan.c), their state machines. They
 * stand on the GPADL table (rings), retirement (grace periods), the device
 * list and work thread (devices offered, drivers told) and the host link;
 * the control thread above feeds them host messages, requests and
 * deadlines.
 */

#ifndef HVBUS_CHAN_H
#define HVBUS_CHAN_H

#include "hvbus_dev.h"
#include "hvbus_gpadl.h"
#include "hvbus_retire.h"

/* Message handlers, request handlers, deadlines (control thread). */
void hvbus_on_offer(const union vmb_msg *m, uint32_t len);
void hvbus_on_rescind(const union vmb_msg *m, uint32_t len);
void hvbus_on_open_result(const union vmb_msg *m, uint32_t len);
void hvbus_req_open(struct hvbus_req *req);
void hvbus_req_close(struct hvbus_req *req);
/* The host broke the protocol on @p o: treated as rescinded, not released. */
void hvbus_offer_fail(struct hvbus_offer *o, const char *why);
void hvbus_chan_deadlines(uint64_t now);
/* Shutdown: close every channel and driver buffer. */
void hvbus_chan_close_all(void);
/* Nothing outstanding with the host. */
bool hvbus_chan_idle(void);

#endif /* HVBUS_CHAN_H */
