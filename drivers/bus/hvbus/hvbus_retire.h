/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 2 (beside hvbus_gpadl.h): retirement (retire.c), the epoch
 * domain's grace periods. A service below the channels: they hand it their
 * channels with their own destructor, as drivers hand it their objects
 * (hvbus_retire()), so it never calls into a layer it does not know.
 */

#ifndef HVBUS_RETIRE_H
#define HVBUS_RETIRE_H

#include "hvbus_host.h"

/* Re-check of a grace period that waits for a queue inside a burst:
 * first after the MIN (a burst takes microseconds), then doubling up to
 * the MAX (a reader thread that lost its CPU).
 */
#define HVBUS_RECLAIM_MIN_NS	16000u
#define HVBUS_RECLAIM_MAX_NS	1024000u

int hvbus_retire_init(void);
void hvbus_retire_fini(void);
/* Hand @p obj to a grace period: @p dtor runs on the control thread once
 * no reader can reach it (at once, after waiting here, if the domain
 * cannot queue it). Control thread. */
void hvbus_retire_defer(void *obj, void (*dtor)(void *obj));
/* Run what is due; returns what is still waiting, ours and drivers'. */
int hvbus_retire_poll(void);

#endif /* HVBUS_RETIRE_H */
