/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Backend device arguments without EAL: the tables of the simulator and
 * the uio backend (the bus's keys among them) through
 * hvnet_devargs_parse() and the backend's check, as hvbus_config_load()
 * runs them on --vdev=hvbus_sim,... / --vdev=hvbus_uio,... Defaults, every
 * kind of key, the simulator's port specs (brackets with their commas,
 * order kept, port= before nics=), hostile mode, and for every bad key or
 * value an error that names the key and what it accepts. The pmdinfo
 * strings come from the same tables.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "check.h"
#include "hvbus_private.h"
#include "sim.h"
#include "uio_config.h"

static char logbuf[8192];
static FILE *log_stream;

/* Parse @args as the device argument of backend @ops; the log it wrote
 * is in logbuf.
 */
static int
parse(const struct hvbus_backend_ops *ops, const char *args)
{
	int rc;

	memset(logbuf, 0, sizeof(logbuf));
	rewind(log_stream);
	ops->spec->logtype = hvbus_logtype;
	rc = hvnet_devargs_parse(ops->spec, args, ops->conf);
	if (rc == 0)
		rc = ops->check();
	fflush(log_stream);
	return rc < 0 ? -EINVAL : rc;
}

static int
sim(const char *args)
{
	return parse(&hvbus_sim_ops, args);
}

static int
uio(const char *args)
{
	return parse(&hvbus_uio_ops, args);
}

/* The last parse failed and its error says @a and @b. */
static void
refused(int rc, const char *args, const char *a, const char *b)
{
	CHECK(rc == -EINVAL, "'%s' accepted", args);
	CHECK(strstr(logbuf, a) != NULL && strstr(logbuf, b) != NULL,
	      "'%s': the error names neither '%s' nor '%s': %s", args, a, b,
	      logbuf);
}

static void
test_defaults(void)
{
	const struct hvbus_sim_conf *sc = &hvbus_sim_conf;
	const struct hvbus_uio_conf *uc = &hvbus_uio_conf;

	CHECK_EQ(sim(NULL), 0);
	CHECK_EQ(sc->timeout_ms, 5000);
	CHECK_EQ(sc->ring_size, 262144);
	CHECK_EQ(sc->nics, 1);
	CHECK_EQ(sc->arena_mb, 256);
	CHECK_EQ(sc->port.n, 0);
	CHECK(sc->socket[0] == '\0');
	CHECK_EQ(sc->hostile_classes, 0);
	CHECK_EQ(uio(""), 0);
	CHECK_EQ(uc->timeout_ms, 5000);
	CHECK(strcmp(uc->sysfs, "/sys/bus/vmbus/devices") == 0);
	CHECK(strcmp(uc->devroot, "/dev") == 0);
	CHECK(!uc->linear);
}

static void
test_good(void)
{
	const struct hvbus_sim_conf *sc = &hvbus_sim_conf;
	const struct hvbus_uio_conf *uc = &hvbus_uio_conf;
	char args[1024];
	unsigned int i;

	CHECK_EQ(sim("port=[gen,len=60,flows=64]"), 0);
	CHECK(sc->port.n == 1 &&
	      strcmp(sc->port.v[0], "gen,len=60,flows=64") == 0, "%s",
	      sc->port.v[0]);

	/* Mixed with other keys, order kept, port= before nics=. */
	CHECK_EQ(sim("port=[1:sink],ring_size=0x4000,port=[0:gen,len=128],"
		     "nics=2,timeout_ms=100,port=reflect,arena_mb=64"), 0);
	CHECK_EQ(sc->port.n, 3);
	CHECK(strcmp(sc->port.v[0], "1:sink") == 0, "%s", sc->port.v[0]);
	CHECK(strcmp(sc->port.v[1], "0:gen,len=128") == 0, "%s",
	      sc->port.v[1]);
	CHECK(strcmp(sc->port.v[2], "reflect") == 0, "%s", sc->port.v[2]);
	CHECK_EQ(sc->nics, 2);
	CHECK_EQ(sc->arena_mb, 64);
	CHECK_EQ(sc->timeout_ms, 100);
	CHECK_EQ(sc->ring_size, 16384);
	/* A NIC index made valid by nics=. */
	CHECK_EQ(sim("nics=4,port=[3:pcap,in=/x.pcap]"), 0);
	CHECK_EQ(sim("socket=/run/hvsim.sock"), 0);
	CHECK(strcmp(sc->socket, "/run/hvsim.sock") == 0);

	/* The limit of repeatable values. */
	strcpy(args, "nics=1");
	for (i = 0; i < HVNET_DEVARG_LIST_MAX; i++)
		strcat(args, ",port=[gen,len=61]");
	CHECK_EQ(sim(args), 0);
	CHECK_EQ(sc->port.n, HVNET_DEVARG_LIST_MAX);
	strcat(args, ",port=sink");
	refused(sim(args), "17 ports", "port", "at most 16");

	/* Hostile mode: a seed, then classes (':' or '+'); none = all. */
	CHECK_EQ(sim("hostile=0x2a:sizes+twice,nics=2"), 0);
	CHECK_EQ(sc->hostile_seed, 42);
	CHECK_EQ(sc->hostile_classes, (1u << HVSIM_HOSTILE_SIZES) |
		 (1u << HVSIM_HOSTILE_TWICE));
	CHECK_EQ(sim("hostile=7"), 0);
	CHECK_EQ(sc->hostile_classes, HVSIM_HOSTILE_ALL);
	CHECK_EQ(sim(""), 0);
	CHECK_EQ(sc->hostile_classes, 0);

	CHECK_EQ(uio("sysfs=/tmp/t/sys,devroot=/tmp/t/dev,"
		     "uio_offsets=linear,timeout_ms=10"), 0);
	CHECK(strcmp(uc->sysfs, "/tmp/t/sys") == 0);
	CHECK(strcmp(uc->devroot, "/tmp/t/dev") == 0);
	CHECK(uc->linear);
	CHECK_EQ(uc->timeout_ms, 10);
}

static void
test_bad(void)
{
	static const struct {
		const char *args;
		const char *a, *b;	/* what the error must say */
	} bad[] = {
		{ "nics=0", "nics=0", "1..16" },
		{ "nics=17", "nics=17", "1..16" },
		{ "nics=-1", "nics", "1..16" },
		{ "nics=2x", "nics", "1..16" },
		{ "nics=", "nics", "1..16" },
		{ "nics", "nics", "1..16" },
		{ "timeout_ms=9", "timeout_ms", "10..600000" },
		{ "timeout_ms=600001", "timeout_ms", "10..600000" },
		{ "ring_size=4096", "ring_size", "8192..67108864" },
		{ "ring_size=12289", "ring_size", "a multiple of 4096" },
		{ "ring_size=134217728", "ring_size", "67108864" },
		{ "arena_mb=0", "arena_mb", "1..65536" },
		{ "nics=1,nics=2", "nics", "more than once" },
		{ "bogus=1", "bogus", "timeout_ms, ring_size, nics, port, "
		  "socket, arena_mb, hostile" },
		{ "sysfs=/x", "sysfs", "unknown key" },
		{ "port=[gen,len=10]", "port", "len" },
		{ "port=[sink,len=60]", "port", "KIND" },
		{ "port=bogus", "port", "bogus" },
		{ "port=[1:gen]", "port", "1:gen" },
		{ "port=[gen,len=60", "port", "closing ]" },
		{ "port=[gen]x,nics=1", "port", "closing ]" },
		{ "port=gen,len=60", "len", "unknown key" },
		{ "port=", "port", "1..255 characters" },
		{ "port=[]", "port", "1..255 characters" },
		{ "nics=2,port=[switch,peer=2]", "port", "peer" },
		{ "port=[pcap,out=/x]", "port", "pcap" },
		{ "port=[gen],nics=0", "nics", "1..16" },
		{ "socket=/s,port=[gen]", "port", "socket" },
		{ "hostile=", "hostile", "characters" },
		{ "hostile=x", "hostile=x", "SEED" },
		{ "hostile=-1", "hostile=-1", "SEED" },
		{ "hostile=1:bogus", "hostile=1:bogus", "bogus" },
		{ "hostile=1:sizes:", "hostile=1:sizes:", "class" },
	};
	char path[300];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++)
		refused(sim(bad[i].args), bad[i].args, bad[i].a, bad[i].b);
	/* A refused set leaves the defaults, nothing half-applied. */
	refused(sim("nics=3,arena_mb=0"), "half", "arena_mb", "1..65536");
	CHECK_EQ(hvbus_sim_conf.nics, 1);

	refused(uio("uio_offsets=linearly"), "uio_offsets",
		"uio_offsets=linearly", "page or linear");
	snprintf(path, sizeof(path), "sysfs=/%0250d", 0);
	refused(uio(path), "long sysfs", "sysfs", "1..191 characters");
	refused(uio("nics=1"), "nics on uio", "nics",
		"timeout_ms, ring_size, sysfs, devroot, uio_offsets");
}

/* What dpdk-pmdinfo.py shows comes from the same tables. */
static void
test_pmdinfo(void)
{
	static const char sim_params[] =
		HVBUS_SIM_KEYS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM,
			       HVNET_DEVARG_LIST_PARAM)
		HVBUS_BUS_KEYS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM);
	static const char uio_params[] =
		HVBUS_UIO_KEYS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM)
		HVBUS_BUS_KEYS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM);

	CHECK(strcmp(sim_params, "nics=<1-16> port=<[NIC:]KIND[,OPT=VAL...]> "
		     "socket=<path> arena_mb=<1-65536> "
		     "hostile=<SEED[:CLASS...]> timeout_ms=<10-600000> "
		     "ring_size=<8192-67108864> ") == 0, "%s", sim_params);
	CHECK(strcmp(uio_params, "sysfs=<path> devroot=<path> "
		     "uio_offsets=<page|linear> timeout_ms=<10-600000> "
		     "ring_size=<8192-67108864> ") == 0, "%s", uio_params);
}

int
main(void)
{
	log_stream = fmemopen(logbuf, sizeof(logbuf) - 1, "w");
	REQUIRE(log_stream != NULL, "fmemopen");
	rte_openlog_stream(log_stream);
	test_defaults();
	test_good();
	test_bad();
	test_pmdinfo();
	rte_openlog_stream(NULL);
	fclose(log_stream);
	return check_exit("bus_config");
}
