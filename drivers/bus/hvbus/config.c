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
 *   HVBUS_SIM_PORT=spec    same as one port=
 * HVBUS_ARGS wins over the single variables.
 *
 * port=SPEC (repeatable, applied in order) says what sits behind the
 * embedded hvsim's NICs, in the syntax of hvsim's --port
 * ("[NIC:]KIND[,OPT=VAL...]", one parser in lib/hvsim). A spec with
 * options goes in brackets: port=[gen,len=60,flows=64].
 * hostile=SEED[:CLASS...] makes the embedded hvsim a hostile host (the
 * syntax of hvsim's --hostile, classes separated by ':' or '+').
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
#ifdef HVBUS_HAVE_HVSIM
#include "hvsim.h"
#endif

#define HVBUS_ARGS_ENV	"HVBUS_ARGS"
#define HVBUS_NICS_ENV	"HVBUS_SIM_NICS"
#define HVBUS_PORT_ENV	"HVBUS_SIM_PORT"

static const char *const hvbus_keys[] = {
	"backend", "socket", "nics", "timeout_ms", "ring_size", "arena_mb",
	"sysfs", "devroot", "uio_offsets", "hostile", NULL,
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

static int
cfg_hostile(const char *key, const char *val, void *opaque)
{
#ifdef HVBUS_HAVE_HVSIM
	struct hvbus_config *cfg = opaque;
	char err[320];

	RTE_SET_USED(key);
	if (hvsim_hostile_parse(val, &cfg->sim_hostile_seed,
				&cfg->sim_hostile_classes, err,
				sizeof(err)) < 0) {
		HVBUS_LOG(ERR, "hostile: %s", err);
		return -EINVAL;
	}
	return 0;
#else
	RTE_SET_USED(key);
	RTE_SET_USED(val);
	RTE_SET_USED(opaque);
	HVBUS_LOG(ERR, "hostile= needs the embedded hvsim (built without it)");
	return -ENOTSUP;
#endif
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
	{ "hostile", cfg_hostile, "SEED[:CLASS...], CLASS one of sizes, "
	  "cmplt, xfer, rndis, ring, intr, relid, dupoffer, rescind, "
	  "silent, twice, all" },
};

static int
cfg_port_add(struct hvbus_config *cfg, const char *spec, size_t len)
{
	if (cfg->n_sim_ports == HVBUS_MAX_PORT_SPECS) {
		HVBUS_LOG(ERR, "more than %u port= settings",
			  HVBUS_MAX_PORT_SPECS);
		return -E2BIG;
	}
	if (len == 0 || len >= HVBUS_PORT_SPEC_LEN) {
		HVBUS_LOG(ERR, "port=: a spec of 1..%u characters",
			  HVBUS_PORT_SPEC_LEN - 1);
		return -EINVAL;
	}
	memcpy(cfg->sim_ports[cfg->n_sim_ports], spec, len);
	cfg->sim_ports[cfg->n_sim_ports][len] = '\0';
	cfg->n_sim_ports++;
	return 0;
}

/*
 * Take every port=SPEC / port=[SPEC] out of the HVBUS_ARGS copy @p s, in
 * order, before rte_kvargs sees the rest: DPDK 22.11's kvargs refuses '='
 * inside a [list], and port specs have both ',' and '='. They replace
 * HVBUS_SIM_PORT's.
 */
static int
cfg_take_ports(struct hvbus_config *cfg, char *s)
{
	char *p = s, *end, *val;
	bool first = true;
	size_t len;
	int rc;

	while (*p != '\0') {
		if (strncmp(p, "port=", 5) != 0) {
			end = strchr(p, ',');
			if (end == NULL)
				break;
			p = end + 1;
			continue;
		}
		if (first)
			cfg->n_sim_ports = 0;
		first = false;
		val = p + 5;
		if (*val == '[') {
			end = strchr(val, ']');
			if (end == NULL || (end[1] != ',' && end[1] != '\0')) {
				HVBUS_LOG(ERR, "%s: port=[ needs a closing ] "
					  "before the next setting",
					  HVBUS_ARGS_ENV);
				return -EINVAL;
			}
			rc = cfg_port_add(cfg, val + 1, (size_t)(end - val - 1));
			end++;
		} else {
			end = strchrnul(val, ',');
			rc = cfg_port_add(cfg, val, (size_t)(end - val));
		}
		if (rc < 0)
			return rc;
		/* Cut "port=...[,]" out; p now holds the next setting. */
		if (*end == ',')
			end++;
		memmove(p, end, strlen(end) + 1);
	}
	/* A trailing comma left by the last cut. */
	len = strlen(s);
	if (len > 0 && s[len - 1] == ',')
		s[len - 1] = '\0';
	return 0;
}

/* Every port spec must apply to the NICs configured (nics= may come
 * after port=, so this runs once everything is read). */
static int
cfg_ports_check(const struct hvbus_config *cfg)
{
#ifdef HVBUS_HAVE_HVSIM
	struct hvsim_config hc;
	char spec[HVBUS_PORT_SPEC_LEN], err[256];
	unsigned int i;

	hvsim_config_init(&hc, cfg->sim_nics);
	for (i = 0; i < cfg->n_sim_ports; i++) {
		strcpy(spec, cfg->sim_ports[i]);
		if (hvsim_port_parse(&hc, spec, err, sizeof(err)) < 0) {
			HVBUS_LOG(ERR, "bad value for port (\"%s\"): %s; want %s",
				  cfg->sim_ports[i], err,
				  hvsim_port_spec_help);
			return -EINVAL;
		}
	}
	return 0;
#else
	if (cfg->n_sim_ports == 0)
		return 0;
	HVBUS_LOG(ERR, "port= needs the embedded hvsim (built without it)");
	return -ENOTSUP;
#endif
}

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
	char *args;
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
	s = getenv(HVBUS_PORT_ENV);
	if (s != NULL && *s != '\0' && cfg_port_add(cfg, s, strlen(s)) < 0)
		return -EINVAL;
	s = getenv(HVBUS_ARGS_ENV);
	if (s == NULL || *s == '\0')
		return cfg_ports_check(cfg);
	args = strdup(s);
	if (args == NULL)
		return -ENOMEM;
	rc = cfg_take_ports(cfg, args);
	if (rc != 0) {
		free(args);
		return -EINVAL;
	}
	kv = rte_kvargs_parse(args, hvbus_keys);
	free(args);
	if (kv == NULL) {
		HVBUS_LOG(ERR, "%s=\"%s\": unknown key or bad syntax "
			  "(keys: backend, socket, nics, port, timeout_ms, "
			  "ring_size, arena_mb, sysfs, devroot, uio_offsets, "
			  "hostile; a port spec with options goes in brackets, "
			  "port=[gen,len=60])", HVBUS_ARGS_ENV, s);
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
	if (rc != 0)
		return -EINVAL;
	return cfg_ports_check(cfg);
}
