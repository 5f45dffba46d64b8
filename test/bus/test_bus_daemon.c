/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The sim backend against an hvsim "daemon": hvsim listens on a Unix
 * socket (here on a thread of this process, but attached as an outside
 * guest: no same-process shortcut) and the bus connects to it through
 * --vdev=hvbus_sim,socket=. Probe, a ring round trip, a rescind and
 * re-offer, and a clean UNLOAD must all work the same way as with the
 * embedded host.
 */

#include "bus_test.h"

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvbus-daemon.XXXXXX", path[128], args[256];
	struct hvsim_config cfg;
	struct hvbus_chan *c = NULL;
	struct hvsim *h;
	int rc;

	(void)argc;
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/hvsim.sock", dir);
	hvsim_config_init(&cfg, 2);
	cfg.name = "daemon";
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(hvsim_listen(h, path) == 0);
	REQUIRE(hvsim_start(h) == 0);

	snprintf(args, sizeof(args), "socket=%s,timeout_ms=2000",
		 path);
	rc = bt_eal_init_args(argv[0], "1", args);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK(hvbus_sim_hvsim() == NULL, "no embedded host");
	REQUIRE(bt_get(&bt.n_probed) == 2, "2 devices from the daemon");

	CHECK_EQ(hvbus_chan_open(bt.dev[1], 0, 0, 0, &c), 0);
	if (c != NULL)
		CHECK_EQ(bt_nvsp_init(c, 5), 1);
	CHECK_EQ(hvsim_rescind(h, 1, 0), 0);
	CHECK_EQ(bt_wait_released(h, 1, 1, 3000), 0);
	CHECK_EQ(hvsim_reoffer(h, 1), 0);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_REOFFER], 1, 3000), 0);
	c = NULL;
	CHECK_EQ(hvbus_chan_open(bt.dev[1], 0, 0, 0, &c), 0);
	if (c != NULL)
		CHECK_EQ(bt_nvsp_init(c, 6), 1);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	/* The daemon saw a clean UNLOAD and closed channels. */
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return check_exit("bus_daemon");
}
