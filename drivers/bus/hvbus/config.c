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
 * per backend (hvnet_devargs.h). Without
 * one, the first registered backend whose detect() finds its devices is
 * chosen (uio: netvsc devices bound to uio_hv_generic); otherwise the bus
 * stays empty. Per-device settings are the device's own devargs,
 * -a hvbus:<instance GUID>,key=value, read by its driver.
 *
 * Until the callers move to device arguments the old variables still
 * work as a fallback: HVBUS_ARGS="backend=sim,key=value,...",
 * HVSIM_SOCKET, HVBUS_SIM_NICS and HVBUS_SIM_PORT.
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>

#include "hvbus_private.h"
#include "hvsim_transport.h"

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
	if (hvbus.backend_up && hvbus.be.ops == ops)
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

static const struct hvbus_backend_ops *
backend_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < n_backends; i++)
		if (strcmp(name, backends[i]->name) == 0)
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

/* True when @list ("k=v,...") has key @key. */
static bool
args_has(const char *list, const char *key)
{
	size_t len = strlen(key);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, len) == 0 && p[len] == '=')
			return true;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return false;
}

static void
args_add(char *buf, size_t cap, const char *fmt, const char *val)
{
	size_t len = strlen(buf);

	snprintf(buf + len, cap - len, fmt, len > 0 ? "," : "", val);
}

/*
 * The old variables as a device argument: HVBUS_ARGS's backend= picks
 * the backend ("auto": the daemon when a socket is named, the simulator
 * on a machine without VMBus devices), the single variables fill in what
 * HVBUS_ARGS leaves out.
 */
static int
config_env(const struct hvbus_backend_ops **ops, char *buf, size_t cap)
{
	const char *a = getenv("HVBUS_ARGS"), *s;
	char backend[16] = "auto";
	const char *rest = a;
	DIR *d;
	struct dirent *e;
	bool vmbus = false;

	buf[0] = '\0';
	if (a != NULL && strncmp(a, "backend=", 8) == 0) {
		snprintf(backend, sizeof(backend), "%.*s",
			 (int)strcspn(a + 8, ","), a + 8);
		rest = strchr(a, ',');
		rest = rest != NULL ? rest + 1 : NULL;
	}
	if (strcmp(backend, "none") == 0)
		return 0;
	if (strcmp(backend, "uio") == 0)
		goto rest;
	s = getenv(HVSIM_SOCKET_ENV);
	if (s != NULL && *s != '\0' && !args_has(rest, "socket"))
		args_add(buf, cap, "%ssocket=%s", s);
	s = getenv("HVBUS_SIM_NICS");
	if (s != NULL && *s != '\0' && !args_has(rest, "nics"))
		args_add(buf, cap, "%snics=%s", s);
	s = getenv("HVBUS_SIM_PORT");
	if (s != NULL && *s != '\0' && !args_has(rest, "port"))
		args_add(buf, cap, "%sport=[%s]", s);
rest:
	if (rest != NULL && *rest != '\0')
		args_add(buf, cap, "%s%s", rest);
	if (strcmp(backend, "auto") == 0) {
		d = opendir("/sys/bus/vmbus/devices");
		while (d != NULL && !vmbus && (e = readdir(d)) != NULL)
			vmbus = e->d_name[0] != '.';
		if (d != NULL)
			closedir(d);
		if (vmbus && !args_has(buf, "socket"))
			return 0;
		strcpy(backend, "sim");
	}
	*ops = backend_by_name(backend);
	if (*ops == NULL) {
		HVBUS_LOG(ERR, "HVBUS_ARGS: backend=%s is not available", backend);
		return -EINVAL;
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
	char env[1024];
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
	if (rc == 0 && ops == NULL) {
		rc = config_env(&ops, env, sizeof(env));
		args = env;
	}
	if (rc == 0 && ops == NULL)
		ops = config_detect();
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
