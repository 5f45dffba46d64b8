/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Send aggregation within what the host announces in RNDIS
 * INITIALIZE_CMPLT (protocol.rst 5.6, 6.2): hvsim refuses a request with
 * more packets than it announced or a packet not padded to its alignment
 * (INVALID_RNDIS_PKT, counted in tx_bad), so every frame coming back
 * intact with tx_bad 0 is the check:
 *  - the default 8 packets, 8-byte alignment: bursts of small frames go
 *    out several per request;
 *  - 3 packets, 64-byte alignment after a port reset (a new RNDIS
 *    session);
 *  - 1 packet after a rescind and re-offer: one frame per request.
 */

#include "pmd_test.h"

static const uint32_t sizes[] = { 60, 61, 100, 150, 300, 500, 1000 };

/* Frames of every size come back intact; returns frames per request. */
static double
round_trip(struct hvsim *h, uint16_t port, struct rte_mempool *mp)
{
	struct hvsim_nic_stats s0, s1;

	CHECK_EQ(hvsim_nic_stats(h, 0, &s0), 0);
	pt_integrity(port, mp, sizes, RTE_DIM(sizes), 200);
	CHECK_EQ(hvsim_nic_stats(h, 0, &s1), 0);
	CHECK_EQ(s1.tx_bad, 0);
	CHECK(s1.tx_requests > s0.tx_requests, "no request seen");
	return (double)(s1.tx_pkts - s0.tx_pkts) /
		(double)(s1.tx_requests - s0.tx_requests);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	uint16_t port = 0;
	struct hvsim *h;
	double per;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h, NULL);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);

	per = round_trip(h, port, mp);
	CHECK(per > 1.5 && per <= 8.0, "%.2f frames per request", per);

	/* 3 packets, 64-byte alignment: the next session (a reset). */
	CHECK_EQ(hvsim_netvsp_rndis_agg(h, 0, 3, 6), 0);
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	CHECK_EQ(rc, 0);
	if (rc == 0) {
		per = round_trip(h, port, mp);
		CHECK(per > 1.5 && per <= 3.0, "%.2f frames per request",
		      per);
	}

	/* One packet per request: rescind, re-offer, the port comes back
	 * by itself and the queues rebind with the new limits. */
	CHECK_EQ(hvsim_netvsp_rndis_agg(h, 0, 1, 0), 0);
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(pt_wait_link(port, 0, 5000), 0);
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(pt_wait_link(port, 1, 10000), 0);
	per = round_trip(h, port, mp);
	CHECK(per == 1.0, "%.2f frames per request", per);

	/* Out of range: refused, nothing changes. */
	CHECK_EQ(hvsim_netvsp_rndis_agg(h, 0, 9, 0), -EINVAL);
	CHECK_EQ(hvsim_netvsp_rndis_agg(h, 0, 2, 13), -EINVAL);

	pt_teardown(port, mp, h);
	return check_exit("pmd_hostile_agg");
}
