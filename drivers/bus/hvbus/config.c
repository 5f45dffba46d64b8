/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Bus-wide settings. They must be known at scan time, before any device
 * exists, so they come from the environment rather than from per-device
 * devargs:
 *   HVBUS_ARGS="backend=auto,socket=/run/hvsim.sock,nics=3,timeout_ms=5000,
 *               ring_size=262144,arena_mb=256"      (rte_kvargs syntax)
 *   HVSIM_SOCKET=path      same as socket=
 *   HVBUS_SIM_NICS=n       same as nics=
 * HVBUS_ARGS wins over the single variables.
 *
 * backend=auto (the default) picks "sim" with a daemon when a socket is
 * named; on a machine whose kernel lists VMBus devices (a real Hyper-V or
 * Azure guest) the bus stays empty rather than start a simulator behind
 * the user's back - the kernel backend (backend=uio) is only tested
 * against fake trees so far, so it is opt-in; anywhere else auto starts
 * the embedded hvsim.
 *   uio only: sysfs=/sys/bus/vmbus/devices, devroot=/dev,
 *             uio_offsets=page|linear
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "hvbus_private.h"
#include "hvsim_transport.h"

#define HVBUS_ARGS_ENV	"HVBUS_ARGS"
#define HVBUS_NICS_ENV	"HVBUS_SIM_NICS"

static const char *const hvbus_keys[] = {
	"backend", "socket", "nics", "timeout_ms", "ring_size", "arena_mb",
	"sysfs", "devroot", "uio_offsets", NULL,
};

static int
cfg_u64(const char *val, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(val, &end, 0);
	if (errno != 0 || end == val || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
cfg_backend(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;

	RTE_SET_USED(key);
	if (strcmp(val, "auto") != 0 && strcmp(val, "sim") != 0 &&
	    strcmp(val, "uio") != 0 && strcmp(val, "none") != 0)
		return -EINVAL;
	strcpy(cfg->backend, val);
	return 0;
}

static int
cfg_socket(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;

	RTE_SET_USED(key);
	if (strlen(val) >= sizeof(cfg->socket))
		return -ENAMETOOLONG;
	strcpy(cfg->socket, val);
	return 0;
}

static int
cfg_nics(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;
	uint64_t v;

	RTE_SET_USED(key);
	if (cfg_u64(val, 1, 16, &v) < 0)
		return -EINVAL;
	cfg->sim_nics = (unsigned int)v;
	return 0;
}

static int
cfg_timeout(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;
	uint64_t v;

	RTE_SET_USED(key);
	if (cfg_u64(val, 10, 600000, &v) < 0)
		return -EINVAL;
	cfg->timeout_ms = (unsigned int)v;
	return 0;
}

static int
cfg_ring_size(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;
	uint64_t v;

	RTE_SET_USED(key);
	if (cfg_u64(val, 2 * VMB_PAGE_SIZE, 64u << 20, &v) < 0 ||
	    (v % VMB_PAGE_SIZE) != 0)
		return -EINVAL;
	cfg->ring_size = (uint32_t)v;
	return 0;
}

static int
cfg_arena(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;
	uint64_t v;

	RTE_SET_USED(key);
	if (cfg_u64(val, 1, 65536, &v) < 0)
		return -EINVAL;
	cfg->arena_size = v << 20;
	return 0;
}

static int
cfg_path(char *dst, size_t cap, const char *val)
{
	if (val[0] != '/' || strlen(val) >= cap)
		return -EINVAL;
	strcpy(dst, val);
	return 0;
}

static int
cfg_sysfs(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;

	RTE_SET_USED(key);
	return cfg_path(cfg->sysfs, sizeof(cfg->sysfs), val);
}

static int
cfg_devroot(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;

	RTE_SET_USED(key);
	return cfg_path(cfg->devroot, sizeof(cfg->devroot), val);
}

/* "page" (the kernel's rule: map i at offset i * page size) or "linear"
 * (maps back to back: fake trees made of plain files, for tests).
 */
static int
cfg_uio_offsets(const char *key, const char *val, void *opaque)
{
	struct hvbus_config *cfg = opaque;

	RTE_SET_USED(key);
	if (strcmp(val, "page") == 0)
		cfg->uio_linear = false;
	else if (strcmp(val, "linear") == 0)
		cfg->uio_linear = true;
	else
		return -EINVAL;
	return 0;
}

static const struct {
	const char *key;
	arg_handler_t fn;
	const char *want;	/* what a valid value looks like, for the log */
} hvbus_key_fns[] = {
	{ "backend", cfg_backend, "auto, sim, uio or none" },
	{ "socket", cfg_socket, "a Unix socket path" },
	{ "nics", cfg_nics, "1..16" },
	{ "timeout_ms", cfg_timeout, "10..600000" },
	{ "ring_size", cfg_ring_size, "8192..64 MiB, a multiple of 4096" },
	{ "arena_mb", cfg_arena, "1..65536" },
	{ "sysfs", cfg_sysfs, "a directory path" },
	{ "devroot", cfg_devroot, "a directory path" },
	{ "uio_offsets", cfg_uio_offsets, "page or linear" },
};

static bool
cfg_kernel_vmbus(void)
{
	DIR *d = opendir("/sys/bus/vmbus/devices");
	struct dirent *e;
	bool any = false;

	if (d == NULL)
		return false;
	while (!any && (e = readdir(d)) != NULL)
		any = e->d_name[0] != '.';
	closedir(d);
	return any;
}

/* Resolve backend=auto (see the top of this file). */
void
hvbus_config_resolve(struct hvbus_config *cfg)
{
	if (strcmp(cfg->backend, "auto") != 0)
		return;
	if (cfg->socket[0] == '\0' && cfg_kernel_vmbus()) {
		HVBUS_LOG(NOTICE, "VMBus devices in sysfs: the kernel (uio) "
			  "backend is not validated on Hyper-V yet, hvbus "
			  "stays empty; HVBUS_ARGS=backend=uio tries it, "
			  "backend=sim forces the simulator");
		strcpy(cfg->backend, "none");
		return;
	}
	strcpy(cfg->backend, "sim");
}

int
hvbus_config_load(struct hvbus_config *cfg)
{
	struct rte_kvargs *kv;
	const char *s;
	unsigned int i;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->backend, "auto");
	cfg->sim_nics = HVBUS_DEF_SIM_NICS;
	cfg->timeout_ms = HVBUS_DEF_TIMEOUT_MS;
	cfg->ring_size = HVBUS_DEF_RING_SIZE;
	cfg->arena_size = (uint64_t)HVBUS_DEF_ARENA_MB << 20;
	strcpy(cfg->sysfs, "/sys/bus/vmbus/devices");
	strcpy(cfg->devroot, "/dev");

	s = getenv(HVSIM_SOCKET_ENV);
	if (s != NULL && *s != '\0' && cfg_socket(NULL, s, cfg) < 0) {
		HVBUS_LOG(ERR, "%s is too long", HVSIM_SOCKET_ENV);
		return -EINVAL;
	}
	s = getenv(HVBUS_NICS_ENV);
	if (s != NULL && *s != '\0' && cfg_nics(NULL, s, cfg) < 0) {
		HVBUS_LOG(ERR, "%s=%s: want 1..16", HVBUS_NICS_ENV, s);
		return -EINVAL;
	}
	s = getenv(HVBUS_ARGS_ENV);
	if (s == NULL || *s == '\0')
		return 0;
	kv = rte_kvargs_parse(s, hvbus_keys);
	if (kv == NULL) {
		HVBUS_LOG(ERR, "%s=\"%s\": unknown key or bad syntax "
			  "(keys: backend, socket, nics, timeout_ms, "
			  "ring_size, arena_mb, sysfs, devroot, uio_offsets)",
			  HVBUS_ARGS_ENV, s);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(hvbus_key_fns) && rc == 0; i++) {
		rc = rte_kvargs_process(kv, hvbus_key_fns[i].key,
					hvbus_key_fns[i].fn, cfg);
		if (rc != 0)
			HVBUS_LOG(ERR, "%s: bad value for %s (want %s)",
				  HVBUS_ARGS_ENV, hvbus_key_fns[i].key,
				  hvbus_key_fns[i].want);
	}
	rte_kvargs_free(kv);
	return rc != 0 ? -EINVAL : 0;
}
