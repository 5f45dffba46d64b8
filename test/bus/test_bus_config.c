/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Bus settings without EAL: hvbus_config_load() on HVBUS_ARGS and the
 * single variables, above all the embedded hvsim's port specs (port=,
 * HVBUS_SIM_PORT): bracketed specs with their commas, order kept, port=
 * before nics=, HVBUS_ARGS replacing HVBUS_SIM_PORT, and bad specs or
 * syntax refused.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hvbus_private.h"
#include "hvsim.h"

static struct hvbus_config cfg;

static int
load(const char *args, const char *port_env, const char *nics_env)
{
	unsetenv("HVSIM_SOCKET");
	if (args != NULL)
		setenv("HVBUS_ARGS", args, 1);
	else
		unsetenv("HVBUS_ARGS");
	if (port_env != NULL)
		setenv("HVBUS_SIM_PORT", port_env, 1);
	else
		unsetenv("HVBUS_SIM_PORT");
	if (nics_env != NULL)
		setenv("HVBUS_SIM_NICS", nics_env, 1);
	else
		unsetenv("HVBUS_SIM_NICS");
	return hvbus_config_load(&cfg);
}

static void
test_good(void)
{
	CHECK_EQ(load(NULL, NULL, NULL), 0);
	CHECK_EQ(cfg.n_sim_ports, 0);
	CHECK_EQ(cfg.sim_nics, 1);

	CHECK_EQ(load("port=[gen,len=60,flows=64]", NULL, NULL), 0);
	CHECK_EQ(cfg.n_sim_ports, 1);
	CHECK(strcmp(cfg.sim_ports[0], "gen,len=60,flows=64") == 0, "%s",
	      cfg.sim_ports[0]);

	/* Mixed with other keys, order kept, port= before nics=. */
	CHECK_EQ(load("port=[1:sink],backend=sim,port=[0:gen,len=128],"
		      "nics=2,timeout_ms=100,port=reflect", NULL, NULL), 0);
	CHECK_EQ(cfg.n_sim_ports, 3);
	CHECK(strcmp(cfg.sim_ports[0], "1:sink") == 0, "%s",
	      cfg.sim_ports[0]);
	CHECK(strcmp(cfg.sim_ports[1], "0:gen,len=128") == 0, "%s",
	      cfg.sim_ports[1]);
	CHECK(strcmp(cfg.sim_ports[2], "reflect") == 0, "%s",
	      cfg.sim_ports[2]);
	CHECK_EQ(cfg.sim_nics, 2);
	CHECK_EQ(cfg.timeout_ms, 100);
	CHECK(strcmp(cfg.backend, "sim") == 0, "%s", cfg.backend);

	/* The single variable, and HVBUS_ARGS's port= replacing it. */
	CHECK_EQ(load(NULL, "sink", NULL), 0);
	CHECK(cfg.n_sim_ports == 1 && strcmp(cfg.sim_ports[0], "sink") == 0,
	      "HVBUS_SIM_PORT");
	CHECK_EQ(load("nics=2", "1:gen,len=200", NULL), 0);
	CHECK(cfg.n_sim_ports == 1 &&
	      strcmp(cfg.sim_ports[0], "1:gen,len=200") == 0, "kept");
	CHECK_EQ(load("backend=sim,port=[gen,flows=4]", "sink", NULL), 0);
	CHECK(cfg.n_sim_ports == 1 &&
	      strcmp(cfg.sim_ports[0], "gen,flows=4") == 0, "replaced");
	/* HVBUS_SIM_NICS makes a NIC index valid. */
	CHECK_EQ(load(NULL, "3:pcap,in=/x.pcap", "4"), 0);
	/* The limit. */
	{
		char args[1024] = "backend=sim";
		unsigned int i;

		for (i = 0; i < HVBUS_MAX_PORT_SPECS; i++)
			strcat(args, ",port=[gen,len=61]");
		CHECK_EQ(load(args, NULL, NULL), 0);
		CHECK_EQ(cfg.n_sim_ports, HVBUS_MAX_PORT_SPECS);
		strcat(args, ",port=sink");
		CHECK(load(args, NULL, NULL) < 0, "17 specs");
	}
	/* Hostile mode: a seed, then classes (':' or '+'); none = all. */
	CHECK_EQ(load(NULL, NULL, NULL), 0);
	CHECK_EQ(cfg.sim_hostile_classes, 0);
	CHECK_EQ(load("hostile=0x2a:sizes+twice,nics=2", NULL, NULL), 0);
	CHECK_EQ(cfg.sim_hostile_seed, 42);
	CHECK_EQ(cfg.sim_hostile_classes, (1u << HVSIM_HOSTILE_SIZES) |
		 (1u << HVSIM_HOSTILE_TWICE));
	CHECK_EQ(load("hostile=7", NULL, NULL), 0);
	CHECK_EQ(cfg.sim_hostile_classes, HVSIM_HOSTILE_ALL);
}

static void
test_bad(void)
{
	static const char *const bad_args[] = {
		"port=[gen,len=10]",		/* value out of range */
		"port=[sink,len=60]",		/* option of another kind */
		"port=bogus",
		"port=[1:gen]",			/* one NIC only */
		"port=[gen,len=60",		/* no closing bracket */
		"port=[gen]x,nics=1",		/* junk after it */
		"port=gen,len=60",		/* options need brackets */
		"port=",
		"port=[]",
		"nics=2,port=[switch,peer=2]",
		"port=[pcap,out=/x]",
		"hostile=",
		"hostile=x",
		"hostile=-1",
		"hostile=1:bogus",
		"hostile=1:sizes:",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++)
		CHECK(load(bad_args[i], NULL, NULL) < 0, "'%s' accepted",
		      bad_args[i]);
	CHECK(load(NULL, "gen,len=1", NULL) < 0, "HVBUS_SIM_PORT checked");
	CHECK(load(NULL, "1:sink", NULL) < 0, "NIC 1 of 1");
	/* Other keys are still checked with port= taken out. */
	CHECK(load("port=[gen],nics=0", NULL, NULL) < 0, "nics=0");
	CHECK(load("port=[gen],bogus=1", NULL, NULL) < 0, "unknown key");
}

int
main(void)
{
	test_good();
	test_bad();
	unsetenv("HVBUS_ARGS");
	unsetenv("HVBUS_SIM_PORT");
	unsetenv("HVBUS_SIM_NICS");
	return check_exit("bus_config");
}
