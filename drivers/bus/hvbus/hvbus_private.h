/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 4, the top: the control thread (ctrl.c), which feeds host
 * messages, requests and deadlines to the layers below, and the rte_bus
 * callbacks (hvbus.c), which start and stop everything. Nothing below
 * calls them; the layers are listed in hvbus_state.h.
 */

#ifndef HVBUS_PRIVATE_H
#define HVBUS_PRIVATE_H

#include "hvbus_chan.h"

/* ctrl.c */
int hvbus_ctrl_start(void);
void hvbus_ctrl_stop(void);
/* Validate and dispatch one message as received from the backend. */
void hvbus_ctrl_dispatch(const void *buf, uint32_t len);

#endif /* HVBUS_PRIVATE_H */
