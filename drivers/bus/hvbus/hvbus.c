/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus glue: the rte_bus callbacks. Everything about channels and the
 * host lives in ctrl.c / chan.c and the device and driver lists in dev.c;
 * this file starts and stops them and decides when devices get drivers.
 *
 * Scan starts the backend and the control thread and waits (bounded) for
 * the host's initial offers, which become devices named by their instance
 * GUID. Probe matches drivers to them. Devices offered later are probed
 * from the work thread.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_eal.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>

#include "hvbus_private.h"

/* ---- rte_bus callbacks ---- */

/*
 * Our devargs named "hvbus:<GUID>" (hvbus_parse()) renamed "<GUID>", the
 * device's name: EAL looks a hot-plugged device up by its devargs' name
 * right after calling scan, and only this bus knows the two are one.
 */
static void
hvbus_devargs_canon(void)
{
	size_t len = strlen(HVBUS_BUS_NAME) + 1;
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH(HVBUS_BUS_NAME, da)
		if (strncmp(da->name, HVBUS_BUS_NAME ":", len) == 0)
			memmove(da->name, da->name + len,
				strlen(da->name + len) + 1);
}

/* The devices hvbus takes, kept from DPDK's bus_vmbus (coexist.c). The
 * simulator's devices are not in sysfs: only the uio backend's are.
 */
static void
hvbus_scan_coexist(void)
{
	struct vmb_guid *taken;
	struct rte_hvbus_device **arr;
	unsigned int n, i, k = 0;

	if (strcmp(hvbus.be.ops->name, "uio") != 0 ||
	    !hvbus_coexist_vmbus_loaded())
		return;
	n = hvbus_dev_snapshot(&arr);
	taken = calloc(n + 1, sizeof(*taken));
	for (i = 0; i < n && taken != NULL; i++)
		if (hvbus_dev_allowed(arr[i]))
			taken[k++] = arr[i]->instance_id;
	if (taken != NULL)
		hvbus_coexist(taken, k);
	else if (n > 0)
		HVBUS_LOG(ERR, "no memory to keep bus_vmbus off the devices");
	free(taken);
	free(arr);
}

static void hvbus_teardown(void);

/* The primary's answer to a secondary (mp.c): devices from @p start. */
static unsigned int
hvbus_mp_list(struct hvbus_mp_dev *out, unsigned int start, unsigned int max,
	      uint32_t *total)
{
	struct rte_hvbus_device *dev;
	unsigned int i = 0, k = 0;

	pthread_mutex_lock(&hvbus.lock);
	TAILQ_FOREACH(dev, &hvbus.devs, next) {
		if (i++ < start || k == max)
			continue;
		out[k].instance = dev->instance_id;
		out[k].class_id = dev->class_id;
		k++;
	}
	pthread_mutex_unlock(&hvbus.lock);
	*total = i;
	return k;
}

/* A secondary process: the primary's devices, for drivers to attach to
 * its ports. No backend, no control thread: the primary owns the host. */
static int
hvbus_scan_secondary(void)
{
	struct hvbus_mp_dev *list;
	unsigned int n, i;
	int rc;

	rc = hvbus_mp_fetch(&list, &n);
	if (rc == -ENOENT) {
		HVBUS_LOG(INFO, "secondary process: the primary runs no hvbus");
		return 0;
	}
	if (rc < 0) {
		HVBUS_LOG(ERR, "secondary process: cannot learn the primary's "
			  "devices: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < n; i++) {
		struct hvbus_offer o;

		memset(&o, 0, sizeof(o));
		o.instance = list[i].instance;
		o.class_id = list[i].class_id;
		if (hvbus_dev_new(&o) == NULL) {
			free(list);
			return -ENOMEM;
		}
	}
	free(list);
	HVBUS_LOG(INFO, "secondary process: %u device(s) of the primary", n);
	return 0;
}

static int
hvbus_scan(void)
{
	const struct hvbus_backend_ops *ops;
	struct hvbus_req *req;
	pthread_condattr_t ca;
	int rc;

	hvbus_devargs_canon();
	if (hvbus.scanned)
		return 0;
	hvbus.scanned = true;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return hvbus_scan_secondary();
	rc = hvbus_config_load(&hvbus.cfg, &ops);
	if (rc < 0 || ops == NULL)
		return rc;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hvbus.cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&hvbus.work_cond, NULL);
	hvbus.next_gpadl = 0x10000;
	rc = hvbus_retire_init();
	if (rc < 0)
		return rc;
	hvbus.be.ops = ops;
	rc = hvbus.be.ops->open(&hvbus.be, &hvbus.cfg);
	if (rc < 0)
		goto fail;
	hvbus.backend_up = true;
	rc = hvbus_ctrl_start();
	if (rc < 0)
		goto fail;
	/* The one place we wait for the host on purpose: before the first
	 * probe there is nothing else to do. The control thread enforces
	 * the deadline.
	 */
	req = hvbus_req_new(HVBUS_REQ_CONNECT);
	if (req == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = hvbus_req_run(req, hvbus_answers_ms(2));
	hvbus_req_put(req);
	if (rc < 0) {
		HVBUS_LOG(ERR, "cannot connect to the host: %s", strerror(-rc));
		goto fail;
	}
	hvbus_scan_coexist();
	hvbus_telemetry_register();
	if (hvbus_mp_serve(hvbus_mp_list) < 0)
		HVBUS_LOG(WARNING, "secondary processes will not see hvbus "
			  "devices: %s", rte_strerror(rte_errno));
	return 0;
fail:
	hvbus_teardown();
	return rc;
}

static int
hvbus_probe(void)
{
	struct rte_hvbus_device **arr;
	unsigned int n, i;
	int rc, ret = 0;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* The primary's devices: attach to its ports. */
		n = hvbus_dev_snapshot(&arr);
		for (i = 0; i < n; i++) {
			rc = hvbus_probe_one(arr[i]);
			if (rc < 0 && rc != -EEXIST)
				ret = rc;
		}
		free(arr);
		return ret;
	}
	if (!hvbus.ctrl_running)
		return 0;
	if (hvbus.be.ops->lend_mem != NULL && !hvbus.mem_lent) {
		hvbus.mem_lent = true;
		hvbus.be.ops->lend_mem(&hvbus.be);
	}
	rc = hvbus_work_start();
	if (rc < 0)
		return rc;
	/* From here on new offers are probed by the work thread; devices
	 * already listed are probed now (probe_one skips doubles).
	 */
	__atomic_store_n(&hvbus.probe_done, true, __ATOMIC_RELEASE);
	n = hvbus_dev_snapshot(&arr);
	for (i = 0; i < n; i++) {
		rc = hvbus_probe_one(arr[i]);
		if (rc < 0 && rc != -EEXIST && rc != -ENODEV)
			ret = rc;
	}
	free(arr);
	return ret;
}

static struct rte_device *
hvbus_find_device(const struct rte_device *start, rte_dev_cmp_t cmp,
		  const void *data)
{
	struct rte_hvbus_device *dev;
	struct rte_device *found = NULL;

	pthread_mutex_lock(&hvbus.lock);
	if (start != NULL)
		dev = TAILQ_NEXT(hvbus_dev_of(start), next);
	else
		dev = TAILQ_FIRST(&hvbus.devs);
	for (; dev != NULL; dev = TAILQ_NEXT(dev, next))
		if (cmp(&dev->device, data) == 0) {
			found = &dev->device;
			break;
		}
	pthread_mutex_unlock(&hvbus.lock);
	return found;
}

static int
hvbus_plug(struct rte_device *d)
{
	int rc = hvbus_probe_one(hvbus_dev_of(d));

	return rc == -EEXIST ? 0 : rc;
}

static int
hvbus_unplug(struct rte_device *d)
{
	return hvbus_remove_one(hvbus_dev_of(d));
}

/*
 * A device name is an instance GUID; @addr, when given, gets its bytes.
 * EAL gives a bare name to the first bus that parses it, so while DPDK's
 * bus_vmbus is loaded a bare GUID is left to it (-b vmbus:<GUID> must
 * reach it) and -a hvbus:<GUID> comes here whole, prefix included - unless
 * the GUID names a device this bus holds: EAL resolves "hvbus:<GUID>" of a
 * hot-unplug (testpmd's device detach) to the bare name only when this bus
 * claims it, and looks the device up by that name.
 */
static int
hvbus_parse(const char *name, void *addr)
{
	struct vmb_guid g;

	if (hvbus_dev_name_guid(name, &g) != 0)
		return 1;
	if (strchr(name, ':') == NULL && hvbus_coexist_vmbus_loaded() &&
	    hvbus_dev_find_instance(&g) == NULL)
		return 1;
	if (addr != NULL)
		memcpy(addr, &g, sizeof(g));
	return 0;
}

static int
hvbus_iter_name(const char *key, const char *value, void *opaque)
{
	const struct rte_hvbus_device *dev = opaque;
	struct vmb_guid g;

	RTE_SET_USED(key);
	if (vmb_guid_parse(value, &g) != 0)
		return -1;
	return vmb_guid_equal(&g, &dev->instance_id) ? 0 : -1;
}

static int
hvbus_iter_cmp(const struct rte_device *d, const void *data)
{
	const struct rte_kvargs *kv = data;

	if (kv == NULL)
		return 0;
	return rte_kvargs_process((struct rte_kvargs *)(uintptr_t)kv, "name",
				  hvbus_iter_name,
				  (void *)(uintptr_t)hvbus_dev_of(d)) == 0 ?
		0 : 1;
}

/*
 * "name=<guid>" filters; other keys (the "bus=hvbus" of the layer string)
 * are ignored and an empty string matches every device.
 */
static void *
hvbus_dev_iterate(const void *start, const char *str,
		  const struct rte_dev_iterator *it)
{
	struct rte_kvargs *kv = NULL;
	struct rte_device *d;

	RTE_SET_USED(it);
	if (str != NULL && *str != '\0') {
		kv = rte_kvargs_parse(str, NULL);
		if (kv == NULL) {
			HVBUS_LOG(ERR, "cannot parse device filter \"%s\"", str);
			rte_errno = EINVAL;
			return NULL;
		}
	}
	d = hvbus_find_device(start, hvbus_iter_cmp, kv);
	rte_kvargs_free(kv);
	return d;
}

static enum rte_iova_mode
hvbus_get_iommu_class(void)
{
	/* The sim host resolves guest addresses as our virtual addresses. */
	return TAILQ_EMPTY(&hvbus.devs) ? RTE_IOVA_DC : RTE_IOVA_VA;
}

/* Stop threads, close the backend, free everything. */
static void
hvbus_teardown(void)
{
	struct rte_hvbus_device *dev;
	uint32_t relid;

	hvbus_mp_unserve();
	hvbus_work_stop();
	hvbus_ctrl_stop();
	/* Events the control thread queued while shutting down. */
	hvbus_work_stop();
	if (hvbus.backend_up)
		hvbus.be.ops->close(&hvbus.be);
	hvbus.backend_up = false;
	hvbus_gpadl_free_all();
	for (relid = 0; relid < VMB_MAX_RELID; relid++) {
		struct hvbus_offer *o = hvbus.relid_tab[relid];

		if (o == NULL)
			continue;
		/* Rings the host never confirmed: the arena is gone with
		 * the backend, only the bookkeeping is left.
		 */
		free(o->chan);
		free(o);
		hvbus.relid_tab[relid] = NULL;
	}
	while ((dev = TAILQ_FIRST(&hvbus.devs)) != NULL) {
		TAILQ_REMOVE(&hvbus.devs, dev, next);
		hvbus_intr_free(dev);
		free(dev->priv);
		free(dev);
	}
	hvbus_retire_fini();
	hvbus.connected = false;
}

static int
hvbus_cleanup(void)
{
	struct rte_hvbus_device **arr;
	unsigned int n, i;
	int ret = 0;

	/* A re-offer arriving now must not probe a driver back in. */
	pthread_mutex_lock(&hvbus.probe_lock);
	hvbus.no_probe = true;
	pthread_mutex_unlock(&hvbus.probe_lock);
	n = hvbus_dev_snapshot(&arr);
	for (i = 0; i < n; i++)
		if (arr[i]->device.driver != NULL &&
		    hvbus_remove_one(arr[i]) < 0)
			ret = -1;
	free(arr);
	hvbus_teardown();
	return ret;
}

static struct rte_bus hvbus_bus = {
	.scan = hvbus_scan,
	.probe = hvbus_probe,
	.find_device = hvbus_find_device,
	.plug = hvbus_plug,
	.unplug = hvbus_unplug,
	.parse = hvbus_parse,
	.dev_iterate = hvbus_dev_iterate,
	.get_iommu_class = hvbus_get_iommu_class,
	.cleanup = hvbus_cleanup,
};

RTE_REGISTER_BUS(hvbus, hvbus_bus);

/* The layers below name the bus in the devices they create (dev.c). */
RTE_INIT(hvbus_bus_link)
{
	hvbus.bus = &hvbus_bus;
}
