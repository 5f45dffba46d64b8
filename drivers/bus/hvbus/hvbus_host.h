/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 1 (beside hvbus_dev.h): the host link and the control
 * thread's mailbox (host.c). Every layer above sends through it, times
 * host answers by it and posts requests through it; it calls nothing
 * above it.
 */

#ifndef HVBUS_HOST_H
#define HVBUS_HOST_H

#include "hvbus_state.h"

/* Now plus @answers host round trips' worth of the configured timeout. */
uint64_t hvbus_deadline_ns(unsigned int answers);
/* How long a caller waits (hvbus_req_run()) for a request whose work on
 * the control thread covers @answers host round trips. */
unsigned int hvbus_answers_ms(unsigned int answers);
bool hvbus_on_ctrl_thread(void);
/* Wake the control thread (from any thread). */
void hvbus_ctrl_kick(void);
int hvbus_send(union vmb_msg *m, int len);
void hvbus_bad_msg(uint32_t type, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct hvbus_req *hvbus_req_new(enum hvbus_req_type type);
int hvbus_req_run(struct hvbus_req *req, unsigned int timeout_ms);
void hvbus_req_put(struct hvbus_req *req);
void hvbus_req_complete(struct hvbus_req *req, int result);

#endif /* HVBUS_HOST_H */
