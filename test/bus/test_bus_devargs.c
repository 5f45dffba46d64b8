/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Device arguments and hot plug. The simulator comes from
 * --vdev=hvbus_sim,nics=3,...; "-a hvbus:<guid>" allows one of its three
 * NICs (upper-case text on purpose: GUIDs compare as values), the others
 * are listed but not probed; rte_dev_probe() plugs one more in and
 * rte_dev_remove() takes it out again; device iteration sees all three.
 * Run with the argument "block": "-b hvbus:<guid>" keeps only that one out.
 * Run with "bad N": bad backend device argument N is refused with an
 * error naming the key and what it accepts, and nothing is probed - no
 * device, no port, no simulator.
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
		(char *)"--vdev=hvbus_sim,nics=3,timeout_ms=2000",
		NULL,
	};
	unsigned int i;
	int rc;

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

/* A bad backend device argument and what its error must say. */
static const struct {
	const char *vdev[2];
	const char *a, *b;
} bad[] = {
	{ { "--vdev=hvbus_sim,nics=99" }, "nics=99", "1..16" },
	{ { "--vdev=hvbus_sim,nics=2,colour=red" }, "colour: unknown key",
	  "timeout_ms, ring_size, nics, port, socket, arena_mb, hostile" },
	{ { "--vdev=hvbus_sim,ring_size=5000" }, "ring_size=5000",
	  "8192..67108864, a multiple of 4096" },
	{ { "--vdev=hvbus_sim,port=[2:sink]" }, "port=[2:sink]",
	  "[NIC:]KIND" },
	{ { "--vdev=hvbus_uio,uio_offsets=sideways" }, "uio_offsets=sideways",
	  "page or linear" },
	{ { "--vdev=hvbus_sim", "--vdev=hvbus_uio" }, "hvbus_uio",
	  "one hvbus backend" },
};

static int
run_bad(char *prog, unsigned int n)
{
	static char logbuf[8192];
	char *eal[] = {
		prog, (char *)"--no-huge", (char *)"-m", (char *)"512",
		(char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--file-prefix=hvbus_devargs_bad", NULL, NULL, NULL,
	};
	struct rte_dev_iterator it;
	struct rte_device *d;
	unsigned int i = 0;
	FILE *f;
	int rc;

	REQUIRE(n < RTE_DIM(bad), "bad case %u of %u", n,
		(unsigned int)RTE_DIM(bad));
	f = fmemopen(logbuf, sizeof(logbuf) - 1, "w");
	REQUIRE(f != NULL);
	setvbuf(f, NULL, _IONBF, 0);
	rte_openlog_stream(f);
	eal[7] = (char *)(uintptr_t)bad[n].vdev[0];
	eal[8] = (char *)(uintptr_t)bad[n].vdev[1];
	rc = rte_eal_init(bad[n].vdev[1] != NULL ? 9 : 8, eal);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK(strstr(logbuf, bad[n].a) != NULL &&
	      strstr(logbuf, bad[n].b) != NULL,
	      "%s: the error names neither '%s' nor '%s':\n%s",
	      bad[n].vdev[0], bad[n].a, bad[n].b, logbuf);
	/* Nothing probed half-way: no device, no port, no host. */
	RTE_DEV_FOREACH(d, "bus=hvbus", &it)
		i++;
	CHECK_EQ(i, 0);
	CHECK_EQ(bt_get(&bt.n_probed), 0);
	CHECK(hvbus_sim_hvsim() == NULL, "no simulator");
	CHECK_EQ(rte_eal_cleanup(), 0);
	rte_openlog_stream(NULL);
	fclose(f);
	fputs(logbuf, stdout);
	return check_exit("bus_devargs_bad");
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
		(char *)"--vdev=hvbus_sim0,timeout_ms=2000,nics=3",
		NULL,
	};
	struct rte_dev_iterator it;
	struct rte_device *d;
	unsigned int n = 0;
	int rc;

	if (argc > 1 && strcmp(argv[1], "block") == 0)
		return run_block(argv[0]);
	if (argc > 2 && strcmp(argv[1], "bad") == 0)
		return run_bad(argv[0], (unsigned int)atoi(argv[2]));
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
