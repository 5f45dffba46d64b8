/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Subchannels: the driver asks the host for them over NVSP on the primary
 * (as net_hvnet does), the bus reports each offer to the driver and lets
 * it wait for N; they open and close by index; a subchannel rescind
 * releases only that relid, and the primary's rescind takes the rest
 * (subchannels first, as the host sends them).
 */

#include "bus_test.h"

#define NSUB 3

int
main(int argc, char **argv)
{
	struct bt_nvsp_msg req = { .type = 133, .w1 = 1, .w2 = NSUB };
	struct hvbus_chan *c0 = NULL, *cs[NSUB + 1] = { NULL };
	struct rte_hvbus_device *dev;
	struct hvsim *h;
	uint32_t out[4];
	unsigned int i;
	int rc;

	(void)argc;
	rc = bt_eal_init(argv[0], "1");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL && bt_get(&bt.n_probed) == 1, "one device");
	dev = bt.dev[0];

	REQUIRE(hvbus_chan_open(dev, 0, 0, 0, &c0) == 0);
	CHECK_EQ(bt_nvsp_init(c0, 1), 1);
	CHECK_EQ(hvbus_subchan_wait(dev, 1, 50), -ETIMEDOUT);
	rc = bt_nvsp_req(c0, 2, &req, out);
	CHECK_EQ(rc, 0);
	CHECK_EQ(out[0], 133);
	CHECK_EQ(out[1], 1);		/* success */
	CHECK_EQ(out[2], NSUB);		/* granted */
	CHECK_EQ(hvbus_subchan_wait(dev, NSUB, 3000), NSUB);
	CHECK_EQ(hvbus_subchan_count(dev), NSUB);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_SUBCHAN_OFFER], NSUB, 3000), 0);

	for (i = 1; i <= NSUB; i++) {
		rc = hvbus_chan_open(dev, (uint16_t)i, 0, 0, &cs[i]);
		CHECK(rc == 0 && cs[i] != NULL, "open sub %u: %d", i, rc);
		if (rc == 0) {
			CHECK_EQ(cs[i]->subidx, i);
			CHECK(dev->chan_slot[i] == cs[i]);
		}
	}
	CHECK_EQ(hvbus_chan_open(dev, NSUB + 1, 0, 0, NULL), -ENODEV);

	/* Subchannel 2 goes away alone. */
	CHECK_EQ(hvsim_rescind(h, 0, 2), 0);
	CHECK_EQ(bt_wait_released(h, 0, 1, 3000), 0);
	CHECK(dev->chan_slot[2] == NULL);
	CHECK(dev->chan_slot[1] == cs[1] && dev->chan_slot[0] == c0,
	      "others untouched");
	CHECK_EQ(hvbus_subchan_count(dev), NSUB - 1);
	CHECK_EQ(hvbus_chan_close(dev, 3), 0);
	CHECK(dev->chan_slot[3] == NULL);
	/* The primary still works. */
	CHECK_EQ(bt_nvsp_init(c0, 3), 1);

	/* Primary rescind: the remaining subchannels, then the primary. */
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(bt_wait_released(h, 0, NSUB + 1, 3000), 0);
	for (i = 0; i <= NSUB; i++)
		CHECK(dev->chan_slot[i] == NULL, "slot %u", i);
	CHECK_EQ(hvbus_subchan_count(dev), 0);
	CHECK_EQ(hvbus_subchan_wait(dev, 1, 10), -ENODEV);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bus_subchan");
}
