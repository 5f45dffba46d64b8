/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Memory a reader may still hold is never freed. An rx burst on a worker
 * lcore is held in the middle of its reader section - after it read a
 * message's length from the receive buffer, before it copies the message
 * out (its mbuf allocation does not return: an lcore preempted for
 * seconds). The host rescinds the device meanwhile; the driver's grace
 * period runs out (5 s) and the receive buffer must then be parked, not
 * freed: when the burst resumes it copies the frame it had found, intact.
 * The host offers the device again and the port works on new buffers.
 */

#include "pmd_test.h"
#include "stall_pool.h"

#include <rte_launch.h>
#include <rte_lcore.h>

struct rx_ctx {
	uint16_t port;
	uint32_t stop;
	uint16_t got;
	struct rte_mbuf *m[32];
};

/* Poll rx queue 0 until a frame comes or the test says stop. */
static int
rx_worker(void *arg)
{
	struct rx_ctx *c = arg;

	while (c->got == 0 && !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
		c->got = rte_eth_rx_burst(c->port, 0, c->m, 32);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rx_ctx c = { .port = 0 };
	struct rte_mempool *mp, *rxmp;
	struct rte_mbuf *tx, *ref;
	struct rte_eth_link link;
	struct hvsim *h;
	unsigned int lcore;
	uint64_t t0;
	int rc;

	(void)argc;
	/* One channel (tx shares it): only the primary is rescinded. */
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 1023, &h,
		      "--allow=hvbus:69737668-006d-494e-8043-00155d000000,"
		      "tx_channels=0", NULL);
	lcore = rte_get_next_lcore(-1, 1, 0);
	REQUIRE(lcore < RTE_MAX_LCORE, "a worker lcore");
	rxmp = stall_pool_create("rx", 1023);
	REQUIRE(rxmp != NULL);
	rc = pt_port_start(0, 1, rxmp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);

	/* The worker's burst finds the frame and stalls in its allocation. */
	tx = pt_frame(mp, 0, 300, 7, IPPROTO_UDP, 1, 2);
	REQUIRE(tx != NULL);
	ref = rte_pktmbuf_copy(tx, mp, 0, UINT32_MAX);
	REQUIRE(ref != NULL);
	stall_arm(STALL_GET);
	REQUIRE(rte_eal_remote_launch(rx_worker, &c, lcore) == 0);
	CHECK_EQ(pt_tx_all(0, 0, &tx, 1), 1);
	rc = stall_wait(3000);
	CHECK_EQ(rc, 0);

	/* Rescind; link down is raised before the grace period. A serial
	 * operation then waits for the rescind's handling to end. */
	t0 = pt_ms();
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	for (;;) {
		rte_eth_link_get_nowait(0, &link);
		if (link.link_status == 0 || pt_ms() > t0 + 5000)
			break;
		usleep(1000);
	}
	CHECK_EQ(link.link_status, 0);
	CHECK_EQ(rte_eth_dev_set_mtu(0, 1500), 0);
	printf("rescind handled after %llu ms\n",
	       (unsigned long long)(pt_ms() - t0));
	CHECK(pt_ms() - t0 >= 4000, "the grace period waited for the reader");
	CHECK_EQ(pt_xstat(0, "host_buffers_parked"), 1);

	/* The burst resumes and copies its frame out of the parked buffer. */
	stall_release();
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	CHECK_EQ(c.got, 1);
	if (c.got == 1)
		CHECK(c.m[0]->pkt_len == ref->pkt_len &&
		      memcmp(rte_pktmbuf_mtod(c.m[0], void *),
			     rte_pktmbuf_mtod(ref, void *), ref->pkt_len) == 0,
		      "the frame read after the stall is intact");
	CHECK_EQ(pt_xstat(0, "rx_q0_errors"), 0);
	pt_free(c.m, c.got);
	rte_pktmbuf_free(ref);

	/* Back on new buffers. */
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(pt_wait_link(0, 1, 10000), 0);
	{
		static const uint32_t sizes[] = { 64, 300, 1000 };

		pt_integrity(0, mp, sizes, RTE_DIM(sizes), 60);
	}

	CHECK_EQ(rte_eth_dev_stop(0), 0);
	CHECK_EQ(rte_eth_dev_close(0), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_mempool_in_use_count(rxmp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_hostile_grace");
}
