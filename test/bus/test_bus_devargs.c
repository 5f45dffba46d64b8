/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Devargs and hot plug: "-a hvbus:<guid>" allows one of three simulated
 * NICs (upper-case text on purpose: GUIDs compare as values), the others
 * are listed but not probed; rte_dev_probe() plugs one more in and
 * rte_dev_remove() takes it out again; device iteration sees all three.
 * Run with the argument "block": "-b hvbus:<guid>" keeps only that one out.
 *
 * hvsim names NIC n 69737668-006d-494e-8043-00155d0000<n> (its instance
 * GUIDs are stable across runs and re-offers by design).
 */

#include <rte_dev.h>

#include "bus_test.h"

#define GUID(n)	"69737668-006d-494e-8043-00155d00000" #n

static int
run_block(char *prog)
{
	char *eal[] = {
		prog, (char *)"--no-huge", (char *)"-m", (char *)"512",
		(char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--file-prefix=hvbus_devargs_block",
		(char *)"-b", (char *)"hvbus:" GUID(0),
		NULL,
	};
	unsigned int i;
	int rc;

	setenv("HVBUS_SIM_NICS", "3", 1);
	setenv("HVBUS_ARGS", "backend=sim,timeout_ms=2000", 1);
	rc = rte_eal_init(RTE_DIM(eal) - 1, eal);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK_EQ(bt_get(&bt.n_probed), 2);
	for (i = 0; i < 2 && i < bt.n_probed; i++)
		CHECK(strcmp(bt.dev[i]->name, GUID(0)) != 0, "%s probed",
		      bt.dev[i]->name);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(bt_get(&bt.n_removed), 2);
	return check_exit("bus_devargs_block");
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], (char *)"--no-huge", (char *)"-m", (char *)"512",
		(char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--file-prefix=hvbus_devargs",
		(char *)"--log-level=bus.hvbus:info",
		(char *)"-a", (char *)"hvbus:69737668-006D-494E-8043-00155D000001",
		NULL,
	};
	struct rte_dev_iterator it;
	struct rte_device *d;
	unsigned int n = 0;
	int rc;

	if (argc > 1 && strcmp(argv[1], "block") == 0)
		return run_block(argv[0]);
	setenv("HVBUS_SIM_NICS", "3", 1);
	setenv("HVBUS_ARGS", "backend=sim,timeout_ms=2000", 1);
	rc = rte_eal_init(RTE_DIM(eal) - 1, eal);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK_EQ(bt_get(&bt.n_probed), 1);
	CHECK(bt.dev[0] != NULL && strcmp(bt.dev[0]->name, GUID(1)) == 0,
	      "the allowed device was probed");

	RTE_DEV_FOREACH(d, "bus=hvbus", &it)
		n++;
	CHECK_EQ(n, 3);
	n = 0;
	RTE_DEV_FOREACH(d, "bus=hvbus,name=" GUID(2), &it) {
		CHECK(strcmp(rte_dev_name(d), GUID(2)) == 0);
		n++;
	}
	CHECK_EQ(n, 1);

	/* Hot plug the third NIC by name, then remove it. */
	rc = rte_dev_probe("hvbus:" GUID(2));
	CHECK_EQ(rc, 0);
	CHECK_EQ(bt_get(&bt.n_probed), 2);
	if (bt_get(&bt.n_probed) == 2) {
		CHECK(strcmp(bt.dev[1]->name, GUID(2)) == 0);
		CHECK_EQ(hvbus_chan_open(bt.dev[1], 0, 0, 0, NULL), 0);
		CHECK_EQ(rte_dev_remove(&bt.dev[1]->device), 0);
		CHECK_EQ(bt_get(&bt.n_removed), 1);
		CHECK(bt.dev[1]->device.driver == NULL);
		CHECK(bt.dev[1]->chan_slot[0] == NULL, "remove closed it");
	}
	CHECK_EQ(hvsim_violations(hvbus_sim_hvsim()), 0);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(bt_get(&bt.n_removed), 2);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bus_devargs");
}
