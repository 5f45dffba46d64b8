/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The latency devarg (latency=N): a transmit burst makes what it has
 * staged visible to the host every N frames, not only when it returns.
 * A burst is held in its middle, at the 4 * k + 1-th frame (latency=4): a
 * chain of more page ranges than a request carries, which the burst drops
 * and frees at once into a pool that stalls its next put. While the burst
 * is held the host must get the frames before it: copied ones (an open
 * aggregate is closed for the publish) and GPA-direct ones. Without the
 * mid-burst publish the host sees nothing until the burst returns, and
 * the wait below runs out. After the release every frame but the chain
 * comes back, in order.
 */

#include "pmd_test.h"
#include "stall_pool.h"

#include <rte_launch.h>
#include <rte_lcore.h>

#define LATENCY		4u
#define BURST		12u
/* Index of the chain: after two publishes (8 frames). */
#define HELD_AT		(2 * LATENCY)
/* More segments than HVN_TX_MAX_PB (64) page ranges can describe. */
#define CHAIN_SEGS	80u

static struct hvsim *h;
static struct rte_mempool *mp, *sp;
static struct rte_mbuf *burst[BURST];
static uint16_t burst_sent;

static int
tx_worker(void *arg)
{
	(void)arg;
	burst_sent = rte_eth_tx_burst(0, 0, burst, BURST);
	return 0;
}

/* A chain of CHAIN_SEGS one-byte segments from the stall pool. */
static struct rte_mbuf *
long_chain(void)
{
	struct rte_mbuf *m = NULL, *s;
	uint32_t i;

	for (i = 0; i < CHAIN_SEGS; i++) {
		s = rte_pktmbuf_alloc(sp);
		REQUIRE(s != NULL);
		*(uint8_t *)rte_pktmbuf_append(s, 1) = (uint8_t)i;
		if (m == NULL)
			m = s;
		else
			REQUIRE(rte_pktmbuf_chain(m, s) == 0);
	}
	return m;
}

static uint64_t
host_tx_pkts(void)
{
	struct hvsim_nic_stats s;

	REQUIRE(hvsim_nic_stats(h, 0, &s) == 0);
	return s.tx_pkts;
}

/* One held burst of frames of @p len bytes (60: copied, 1000:
 * GPA-direct) around the chain. */
static void
held_burst(uint32_t len)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0), i;
	struct rte_mbuf *rx[BURST];
	uint64_t t0 = host_tx_pkts(), end;
	uint16_t got;

	REQUIRE(lcore < RTE_MAX_LCORE, "a worker lcore");
	for (i = 0; i < BURST; i++) {
		burst[i] = i == HELD_AT ? long_chain() :
			pt_frame(mp, 0, len, i, IPPROTO_UDP, 1000, 2000);
		REQUIRE(burst[i] != NULL);
	}
	stall_arm(STALL_PUT);
	REQUIRE(rte_eal_remote_launch(tx_worker, NULL, lcore) == 0);
	CHECK_EQ(stall_wait(10000), 0);
	/* Held at the chain: the frames before it were published. */
	end = pt_ms() + 10000;
	while (host_tx_pkts() - t0 < HELD_AT && pt_ms() < end)
		usleep(1000);
	CHECK(host_tx_pkts() - t0 == HELD_AT,
	      "%u-byte frames: host got %" PRIu64 " of the %u before the "
	      "held frame", len, host_tx_pkts() - t0, HELD_AT);
	stall_release();
	rte_eal_wait_lcore(lcore);
	CHECK_EQ(burst_sent, BURST);
	pt_free(burst + burst_sent, BURST - burst_sent);

	got = pt_rx_until(0, 0, rx, BURST - 1, 5000);
	CHECK_EQ(got, BURST - 1);
	for (i = 0; i < got; i++) {
		uint32_t seq = 0;

		CHECK_EQ(rx[i]->pkt_len, len);
		memcpy(&seq, rte_pktmbuf_mtod_offset(rx[i], uint8_t *, 42), 4);
		CHECK_EQ(seq, i < HELD_AT ? i : i + 1);
	}
	pt_free(rx, got);
}

int
main(int argc, char **argv)
{
	long long err0;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 2047, &h,
		      "--allow=hvbus:69737668-006d-494e-8043-00155d000000,"
		      "latency=4", NULL);
	sp = stall_pool_create("chain", 2 * CHAIN_SEGS);
	REQUIRE(sp != NULL);
	rc = pt_port_start(0, 1, mp, 0, RTE_ETH_TX_OFFLOAD_MULTI_SEGS, 512);
	REQUIRE(rc == 0, "start: %d", rc);
	CHECK_EQ(pt_wait_link(0, 1, 10000), 0);

	err0 = pt_xstat(0, "tx_q0_errors");
	held_burst(60);
	held_burst(1000);
	CHECK_EQ(pt_xstat(0, "tx_q0_errors") - err0, 2);

	pt_teardown_pools(0, mp, &sp, 1, h);
	return check_exit("pmd_latency");
}
