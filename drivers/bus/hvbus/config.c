/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Which backend the bus runs, and with what settings. They must be known
 * at scan time, before any device exists, so they come from the backend's
 * own device argument rather than from a device's:
 *
 *   --vdev=hvbus_sim,nics=2,port=[gen,len=60]   the simulator (its plugin)
 *   --vdev=hvbus_uio,timeout_ms=10000           the kernel's uio devices
 *
 * Each takes its backend's keys and the bus's (HVBUS_BUS_KEYS), one table
 * per backend (hvnet_devargs.h). Without one, the first registered
 * backend whose detect() finds its devices is chosen (uio: netvsc devices
 * bound to uio_hv_generic); otherwise the bus stays empty, quietly: an
 * installed hvbus adds no port to a machine that has nothing for it. The
 * simulator is a plugin of its own and runs only when asked for.
 * Per-device settings are the device's own devargs,
 * -a hvbus:<instance GUID>,key=value, read by its driver.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>

#include "hvbus_state.h"

#define HVBUS_MAX_BACKENDS	4u

static const struct hvbus_backend_ops *backends[HVBUS_MAX_BACKENDS];
static unsigned int n_backends;

int
hvbus_backend_register(const struct hvbus_backend_ops *ops)
{
	if (hvnet_devargs_find(ops->spec, "timeout_ms") == NULL ||
	    hvnet_devargs_find(ops->spec, "ring_size") == NULL)
		return -EINVAL;
	if (n_backends == HVBUS_MAX_BACKENDS)
		return -ENOSPC;
	backends[n_backends++] = ops;
	return 0;
}

int
hvbus_backend_vdev_probe(const struct hvbus_backend_ops *ops,
			 const char *name)
{
	/* A secondary: the primary runs the backend its vdev names. */
	if ((hvbus.backend_up && hvbus.be.ops == ops) ||
	    rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	HVBUS_LOG(ERR, "%s: the bus is not running the %s backend: its "
		  "settings were refused (see above), another backend was "
		  "chosen, or the device came after start-up", name,
		  ops->name);
	return -ENODEV;
}

/* The vdev bus matches driver names as prefixes ("hvbus_sim0"); so do we. */
static const struct hvbus_backend_ops *
backend_by_vdev(const char *name)
{
	unsigned int i;

	for (i = 0; i < n_backends; i++)
		if (strncmp(name, backends[i]->vdev,
			    strlen(backends[i]->vdev)) == 0)
			return backends[i];
	return NULL;
}

/* The one device argument that names a backend, if any. */
static int
config_devargs(const struct hvbus_backend_ops **ops, const char **args)
{
	const struct hvbus_backend_ops *o;
	const char *first = NULL;
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH("vdev", da) {
		o = backend_by_vdev(da->name);
		if (o == NULL)
			continue;
		if (*ops != NULL) {
			HVBUS_LOG(ERR, "--vdev=%s and --vdev=%s: one hvbus "
				  "backend per process", first, da->name);
			return -EINVAL;
		}
		*ops = o;
		first = da->name;
		*args = da->args;
	}
	return 0;
}

static const struct hvbus_backend_ops *
config_detect(void)
{
	unsigned int i;

	for (i = 0; i < n_backends; i++)
		if (backends[i]->detect != NULL && backends[i]->detect())
			return backends[i];
	return NULL;
}

/* A bus key's value from the backend's settings (registration made sure
 * the table has it).
 */
static uint32_t
config_bus_key(const struct hvbus_backend_ops *ops, const char *key)
{
	const struct hvnet_devarg *r = hvnet_devargs_find(ops->spec, key);

	return *(const uint32_t *)RTE_PTR_ADD(ops->conf, r->offset);
}

/* @ops's settings from @args (NULL: the defaults), checked. */
static int
config_parse(const struct hvbus_backend_ops *ops, const char *args)
{
	int rc;

	ops->spec->logtype = hvbus_logtype;
	rc = hvnet_devargs_parse(ops->spec, args, ops->conf);
	if (rc == 0 && ops->check != NULL)
		rc = ops->check();
	return rc;
}

int
hvbus_config_load(struct hvbus_config *cfg,
		  const struct hvbus_backend_ops **out)
{
	const struct hvbus_backend_ops *ops = NULL;
	const char *args = NULL;
	unsigned int i;
	int rc = 0;

	*out = NULL;
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->backend, "none");
	/* Defaults first: detect() looks where they point. */
	for (i = 0; i < n_backends && rc == 0; i++)
		rc = config_parse(backends[i], NULL);
	if (rc == 0)
		rc = config_devargs(&ops, &args);
	if (rc == 0 && ops == NULL)
		ops = config_detect();
	if (rc == 0 && ops == NULL)
		HVBUS_LOG(DEBUG, "no backend asked for (--vdev=hvbus_sim or "
			  "hvbus_uio) and no netvsc device bound to "
			  "uio_hv_generic: no devices");
	if (rc < 0 || ops == NULL)
		return rc;
	if (args != NULL && args[0] != '\0' && config_parse(ops, args) < 0)
		return -EINVAL;
	cfg->timeout_ms = config_bus_key(ops, "timeout_ms");
	cfg->ring_size = config_bus_key(ops, "ring_size");
	snprintf(cfg->backend, sizeof(cfg->backend), "%s", ops->name);
	*out = ops;
	return 0;
}
