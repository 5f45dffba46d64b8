/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus, layer 1 (beside hvbus_host.h): devices, drivers and the work
 * thread that probes them and calls their event callbacks. Nothing here
 * talks to the host.
 */

#ifndef HVBUS_DEV_H
#define HVBUS_DEV_H

#include "hvbus_state.h"

/* dev.c */
/* The GUID a device name ("<GUID>" or "hvbus:<GUID>") stands for. */
int hvbus_dev_name_guid(const char *name, struct vmb_guid *g);
struct rte_hvbus_device *hvbus_dev_find_instance(const struct vmb_guid *g);
struct rte_hvbus_device *hvbus_dev_new(const struct hvbus_offer *o);
/* Do the scan mode and the devargs let hvbus take @p dev? */
bool hvbus_dev_allowed(const struct rte_hvbus_device *dev);
/* A stable copy of the device list (free() it); returns its length. */
unsigned int hvbus_dev_snapshot(struct rte_hvbus_device ***out);
int hvbus_probe_one(struct rte_hvbus_device *dev);
int hvbus_remove_one(struct rte_hvbus_device *dev);

/* work.c */
int hvbus_work_start(void);
void hvbus_work_stop(void);
void hvbus_work_post(enum hvbus_work_kind kind, struct rte_hvbus_device *dev,
		     enum hvbus_event ev, uint16_t subidx);

#endif /* HVBUS_DEV_H */
