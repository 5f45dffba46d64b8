/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Devices and drivers: the bus's device list, the drivers registered, and
 * which driver gets which device (probe, remove). The channel layer adds
 * devices as the host offers them, the work thread probes them, the bus
 * callbacks (hvbus.c) look them up; this file knows nothing of channels
 * or of the host.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_memory.h>

#include "hvbus_dev.h"

void
rte_hvbus_register(struct rte_hvbus_driver *drv)
{
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_INSERT_TAIL(&hvbus.drivers, drv, next);
	pthread_mutex_unlock(&hvbus.lock);
}

void
rte_hvbus_unregister(struct rte_hvbus_driver *drv)
{
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_REMOVE(&hvbus.drivers, drv, next);
	pthread_mutex_unlock(&hvbus.lock);
}

struct rte_hvbus_device *
hvbus_dev_find_instance(const struct vmb_guid *g)
{
	struct rte_hvbus_device *dev;

	pthread_mutex_lock(&hvbus.lock);
	TAILQ_FOREACH(dev, &hvbus.devs, next)
		if (vmb_guid_equal(&dev->instance_id, g))
			break;
	pthread_mutex_unlock(&hvbus.lock);
	return dev;
}

/* The GUID a device name stands for: "<GUID>" or, where bus_vmbus
 * takes bare GUIDs (hvbus_parse()), "hvbus:<GUID>".
 */
int
hvbus_dev_name_guid(const char *name, struct vmb_guid *g)
{
	size_t len = strlen(HVBUS_BUS_NAME);

	if (strncmp(name, HVBUS_BUS_NAME ":", len + 1) == 0)
		name += len + 1;
	return vmb_guid_parse(name, g);
}

/*
 * The devargs naming @dev (hvbus:<guid>), if any: the newest, as EAL's
 * own replacement of a device's devargs would leave it (a hot plug of a
 * device blocked at start-up adds devargs that EAL cannot see are for
 * the same device when they came as "hvbus:<GUID>"). GUIDs compare as
 * values, so upper-case text on the command line matches too.
 */
static struct rte_devargs *
hvbus_devargs(const struct rte_hvbus_device *dev)
{
	struct rte_devargs *da, *found = NULL;
	struct vmb_guid g;

	RTE_EAL_DEVARGS_FOREACH(HVBUS_BUS_NAME, da)
		if (hvbus_dev_name_guid(da->name, &g) == 0 &&
		    vmb_guid_equal(&g, &dev->instance_id))
			found = da;
	return found;
}

bool
hvbus_dev_allowed(const struct rte_hvbus_device *dev)
{
	struct rte_devargs *da = hvbus_devargs(dev);

	switch (hvbus.bus->conf.scan_mode) {
	case RTE_BUS_SCAN_ALLOWLIST:
		return da != NULL && da->policy == RTE_DEV_ALLOWED;
	case RTE_BUS_SCAN_BLOCKLIST:
		return da == NULL || da->policy != RTE_DEV_BLOCKED;
	default:
		return true;
	}
}

struct rte_hvbus_device *
hvbus_dev_new(const struct hvbus_offer *o)
{
	struct rte_hvbus_device *dev = calloc(1, sizeof(*dev));

	if (dev == NULL)
		return NULL;
	dev->priv = calloc(1, sizeof(*dev->priv));
	if (dev->priv == NULL) {
		free(dev);
		return NULL;
	}
	dev->class_id = o->class_id;
	dev->instance_id = o->instance;
	vmb_guid_format(&o->instance, dev->name, sizeof(dev->name));
	dev->device.name = dev->name;
	dev->device.bus = hvbus.bus;
	dev->device.numa_node = SOCKET_ID_ANY;
	dev->device.devargs = hvbus_devargs(dev);
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_INSERT_TAIL(&hvbus.devs, dev, next);
	pthread_mutex_unlock(&hvbus.lock);
	return dev;
}

/* Probe @dev with the first driver of its class that takes it. */
int
hvbus_probe_one(struct rte_hvbus_device *dev)
{
	struct rte_hvbus_driver *drv;
	bool gone;
	int rc = 1;

	pthread_mutex_lock(&hvbus.probe_lock);
	if (hvbus.no_probe) {
		rc = -ESHUTDOWN;
		goto out;
	}
	if (dev->device.driver != NULL) {
		rc = -EEXIST;
		goto out;
	}
	pthread_mutex_lock(&hvbus.lock);
	gone = dev->priv->gone;
	pthread_mutex_unlock(&hvbus.lock);
	if (gone) {
		rc = -ENODEV;
		goto out;
	}
	if (!hvbus_dev_allowed(dev)) {
		HVBUS_LOG(INFO, "%s: not allowed by devargs, skipped",
			  dev->name);
		goto out;
	}
	dev->device.devargs = hvbus_devargs(dev);
	TAILQ_FOREACH(drv, &hvbus.drivers, next) {
		if (drv->class_id == NULL ||
		    !vmb_guid_equal(drv->class_id, &dev->class_id))
			continue;
		/* Set before the probe: the port it creates announces
		 * itself (RTE_ETH_EVENT_NEW) and may be used at once, and
		 * ethdev reads the driver through the device. */
		dev->device.driver = &drv->driver;
		rc = drv->probe(drv, dev);
		if (rc == 0) {
			HVBUS_LOG(INFO, "%s: probed by %s", dev->name,
				  drv->driver.name);
			break;
		}
		dev->device.driver = NULL;
		if (rc < 0) {
			HVBUS_LOG(ERR, "%s: %s probe failed: %s", dev->name,
				  drv->driver.name, strerror(-rc));
			break;
		}
	}
out:
	pthread_mutex_unlock(&hvbus.probe_lock);
	return rc;
}

int
hvbus_remove_one(struct rte_hvbus_device *dev)
{
	const struct rte_hvbus_driver *drv;
	int rc = 0;

	pthread_mutex_lock(&hvbus.probe_lock);
	if (dev->device.driver == NULL) {
		pthread_mutex_unlock(&hvbus.probe_lock);
		return -ENOENT;
	}
	drv = hvbus_drv_of(dev->device.driver);
	if (drv->remove != NULL)
		rc = drv->remove(dev);
	if (rc == 0)
		dev->device.driver = NULL;
	else
		HVBUS_LOG(ERR, "%s: %s remove failed: %s", dev->name,
			  drv->driver.name, strerror(-rc));
	pthread_mutex_unlock(&hvbus.probe_lock);
	return rc;
}

/* A stable copy of the device list: the control thread may append. */
unsigned int
hvbus_dev_snapshot(struct rte_hvbus_device ***out)
{
	struct rte_hvbus_device *dev, **arr;
	unsigned int n = 0, i = 0;

	pthread_mutex_lock(&hvbus.lock);
	TAILQ_FOREACH(dev, &hvbus.devs, next)
		n++;
	arr = calloc(n + 1, sizeof(*arr));
	if (arr != NULL)
		TAILQ_FOREACH(dev, &hvbus.devs, next)
			arr[i++] = dev;
	pthread_mutex_unlock(&hvbus.lock);
	*out = arr;
	return arr != NULL ? i : 0;
}
