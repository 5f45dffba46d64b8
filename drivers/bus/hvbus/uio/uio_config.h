/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * uio backend internals: its settings and their table (hvnet_devargs.h
 * rows; the bus's keys, HVBUS_BUS_KEYS, come with them). sysfs and
 * devroot are settings so that tests can lay out a fake tree;
 * uio_offsets=linear lays the maps of a plain file back to back, where
 * the kernel's rule is map i at offset i * page size.
 */

#ifndef HVBUS_UIO_CONFIG_H
#define HVBUS_UIO_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "hvnet_devargs.h"

#define HVBUS_UIO_SYSFS		"/sys/bus/vmbus/devices"
#define HVBUS_UIO_DEVROOT	"/dev"

#define HVBUS_UIO_KEYS(U32, NAME) \
	NAME(sysfs, "path", "where the kernel lists VMBus devices, " \
	     "default " HVBUS_UIO_SYSFS) \
	NAME(devroot, "path", "where the uioN nodes are, default " \
	     HVBUS_UIO_DEVROOT) \
	NAME(uio_offsets, "page|linear", "how a uio node's maps lie, " \
	     "default page; linear: test trees")

struct hvbus_uio_conf {
	uint32_t timeout_ms;
	uint32_t ring_size;
	char sysfs[192];
	char devroot[192];
	char uio_offsets[16];
	bool linear;		/* from uio_offsets */
};

/* uio_config.c */
extern struct hvbus_uio_conf hvbus_uio_conf;
extern struct hvnet_devargs_spec hvbus_uio_spec;
int hvbus_uio_check(void);

/* uio_backend.c: a netvsc device bound to uio_hv_generic is listed. */
bool hvbus_uio_detect(void);

#endif /* HVBUS_UIO_CONFIG_H */
