/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host chooses the send-buffer section size (NVSP accepts 68 bytes and
 * up); frames copied into a section must fit it whatever it is. hvsim is
 * asked to announce small sections at the next session:
 *  - 68 bytes across a rescind and re-offer (the queues rebind on their
 *    lcore): nothing fits after an RNDIS header, every frame goes
 *    GPA-direct and comes back intact;
 *  - 256 bytes across a port reset (the queues are set up again): short
 *    frames are copied, a 500-byte frame (below tx_copybreak) is not.
 * A frame copied past its section would run into the next ones, which the
 * host then refuses (tx_bad) or reads as someone else's frame.
 */

#include "pmd_test.h"

static const uint32_t sizes[] = { 60, 100, 150, 300, 500, 511, 1000 };

static int
wait_json(const char *key, long long want, unsigned int ms)
{
	char js[4096];
	uint64_t end = pt_ms() + ms;

	do {
		if (pt_telemetry("/hvnet/ports", js, sizeof(js)) > 0 &&
		    pt_json_int(js, key) == want)
			return 0;
		usleep(2000);
	} while (pt_ms() < end);
	return -ETIMEDOUT;
}

/* Frames of every size come back intact and the host refused none. */
static void
round_trip(struct hvsim *h, uint16_t port, struct rte_mempool *mp,
	   long long *copied, long long *gpa)
{
	long long c0 = pt_xstat(port, "tx_q0_copied");
	long long g0 = pt_xstat(port, "tx_q0_gpa");
	struct hvsim_nic_stats hs;

	pt_integrity(port, mp, sizes, RTE_DIM(sizes), 140);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.tx_bad, 0);
	*copied = pt_xstat(port, "tx_q0_copied") - c0;
	*gpa = pt_xstat(port, "tx_q0_gpa") - g0;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	long long copied, gpa;
	struct hvsim *h;
	uint16_t port = 0;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h, NULL);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);

	/* Hyper-V's 6144-byte sections: below tx_copybreak (512) copied. */
	round_trip(h, port, mp, &copied, &gpa);
	CHECK_EQ(copied, 120);
	CHECK_EQ(gpa, 20);

	/* 68-byte sections in the next session: rescind, re-offer, the
	 * port comes back by itself and the queues rebind. */
	CHECK_EQ(hvsim_netvsp_send_section(h, 0, 68), 0);
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(pt_wait_link(port, 0, 5000), 0);
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(pt_wait_link(port, 1, 10000), 0);
	CHECK_EQ(wait_json("send_section_size", 68, 3000), 0);
	round_trip(h, port, mp, &copied, &gpa);
	CHECK_EQ(copied, 0);
	CHECK_EQ(gpa, 140);

	/* 256-byte sections after a reset: queues set up again. */
	CHECK_EQ(hvsim_netvsp_send_section(h, 0, 256), 0);
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	CHECK_EQ(rc, 0);
	CHECK_EQ(wait_json("send_section_size", 256, 3000), 0);
	if (rc == 0) {
		/* 60, 100 and 150 bytes fit after a 92-byte header. */
		round_trip(h, port, mp, &copied, &gpa);
		CHECK_EQ(copied, 60);
		CHECK_EQ(gpa, 80);
	}

	pt_teardown(port, mp, h);
	return check_exit("pmd_hostile_sections");
}
