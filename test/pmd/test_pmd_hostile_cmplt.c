/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Transmit completions the host sends late, twice, or from an earlier
 * session must free nothing: a completion frees a descriptor only when it
 * names the request in flight exactly, and a descriptor cannot go back to
 * the free list twice. hvsim holds the completions of data requests and
 * sends them when told (hvsim_netvsp.h).
 *
 * Default (tx on a channel of its own):
 *  - replay: frame A completes; its descriptor carries frame B; A's
 *    completion comes again. B must stay in flight (its mbuf is the
 *    host's until B's own completion).
 *  - late: frame C is in flight when the host rescinds the tx channel;
 *    the queue gives C back; the channel comes back, frame D reuses the
 *    descriptor, and C's completion arrives on the new channel: D stays.
 * "shared" (tx_channels=0, rx queue 0 hands tx queue 0 its completions):
 *  - race: after a rescind and re-offer, tx queue 0 rebinds on its lcore
 *    and is held in the middle of giving back its old descriptors (the
 *    free of their mbufs does not return) while rx queue 0, already on the
 *    new channel, reads completions of those old requests. Afterwards no
 *    descriptor may be handed out twice: with every completion held, the
 *    queue takes exactly as many frames as it has descriptors.
 */

#include "pmd_test.h"
#include "stall_pool.h"

#include <rte_launch.h>
#include <rte_lcore.h>

#define NDESC	512u

static struct hvsim *h;
static struct rte_mempool *mp, *txmp;

static int
wait_held(int n)
{
	uint64_t end = pt_ms() + 3000;

	while (hvsim_netvsp_held_cmplt(h, 0) != n && pt_ms() < end)
		usleep(1000);
	return hvsim_netvsp_held_cmplt(h, 0);
}

/* One 1000-byte frame (GPA-direct: its mbuf is held until completion). */
static uint16_t
send_one(uint32_t seq)
{
	struct rte_mbuf *m = pt_frame(txmp, 0, 1000, seq, IPPROTO_UDP, 7, 8);

	REQUIRE(m != NULL);
	if (rte_eth_tx_burst(0, 0, &m, 1) == 1)
		return 1;
	rte_pktmbuf_free(m);
	return 0;
}

/* Reflected frames: take them off rx queue 0. */
static void
drain_rx(unsigned int ms)
{
	struct rte_mbuf *m[32];
	uint64_t end = pt_ms() + ms;

	while (pt_ms() < end) {
		pt_free(m, rte_eth_rx_burst(0, 0, m, 32));
		usleep(500);
	}
}

static long long
bad_cmplt(void)
{
	return pt_xstat(0, "tx_q0_bad_cmplt") + pt_xstat(0, "rx_q0_bad_cmplt");
}

static void
replay(void)
{
	long long bad0 = bad_cmplt();

	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, true), 0);
	CHECK_EQ(send_one(1), 1);				/* A */
	CHECK_EQ(wait_held(1), 1);
	CHECK_EQ(hvsim_netvsp_release_cmplt(h, 0, 0, true, 3000), 1);
	usleep(20000);
	CHECK_EQ(rte_eth_tx_done_cleanup(0, 0, 0), 1);	/* A done */
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
	CHECK_EQ(send_one(2), 1);				/* B */
	CHECK_EQ(wait_held(2), 2);
	/* A's completion again, while B is on A's descriptor. */
	CHECK_EQ(hvsim_netvsp_release_cmplt(h, 0, 1, false, 3000), 1);
	usleep(20000);
	CHECK_EQ(rte_eth_tx_done_cleanup(0, 0, 0), 0);
	CHECK_EQ(rte_mempool_in_use_count(txmp), 1);		/* B held */
	CHECK_EQ(bad_cmplt() - bad0, 1);
	/* B's own completion frees it. */
	CHECK_EQ(hvsim_netvsp_release_cmplt(h, 0, 0, false, 3000), 1);
	usleep(20000);
	CHECK_EQ(rte_eth_tx_done_cleanup(0, 0, 0), 1);
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
	CHECK_EQ(bad_cmplt() - bad0, 1);
	drain_rx(50);
}

static void
late(void)
{
	long long bad0 = bad_cmplt(), drop0;
	struct rte_mbuf *none[1];
	uint64_t end;
	uint32_t seq = 10;
	int rc;

	CHECK_EQ(send_one(3), 1);				/* C */
	CHECK_EQ(wait_held(1), 1);
	/* Tx queue 0's channel (1) goes: C goes back to its pool once the
	 * host has stopped using the channel. */
	CHECK_EQ(hvsim_rescind(h, 0, 1), 0);
	end = pt_ms() + 3000;
	while (rte_mempool_in_use_count(txmp) != 0 && pt_ms() < end) {
		rte_eth_tx_burst(0, 0, none, 0);
		usleep(1000);
	}
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
	/* -EBUSY until the guest has released the old relid. */
	end = pt_ms() + 5000;
	while ((rc = hvsim_reoffer_sub(h, 0, 1)) == -EBUSY && pt_ms() < end)
		usleep(2000);
	CHECK_EQ(rc, 0);
	/* D, once the channel is back (until then frames are dropped). */
	end = pt_ms() + 5000;
	for (;;) {
		drop0 = pt_xstat(0, "tx_q0_dropped");
		CHECK_EQ(send_one(seq++), 1);
		if (pt_xstat(0, "tx_q0_dropped") == drop0 || pt_ms() > end)
			break;
		usleep(2000);
	}
	CHECK_EQ(wait_held(2), 2);
	CHECK_EQ(rte_mempool_in_use_count(txmp), 1);		/* D */
	/* C's completion, from the old session, on the new channel. */
	CHECK_EQ(hvsim_netvsp_release_cmplt(h, 0, 1, false, 3000), 1);
	usleep(20000);
	CHECK_EQ(rte_eth_tx_done_cleanup(0, 0, 0), 0);
	CHECK_EQ(rte_mempool_in_use_count(txmp), 1);
	CHECK_EQ(bad_cmplt() - bad0, 1);
	CHECK_EQ(hvsim_netvsp_release_cmplt(h, 0, 0, false, 3000), 1);
	usleep(20000);
	CHECK_EQ(rte_eth_tx_done_cleanup(0, 0, 0), 1);
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, false), 0);
	drain_rx(50);
}

static int
tx_rebind_worker(void *arg)
{
	struct rte_mbuf *none[1];

	(void)arg;
	/* Rebinds to the new channel, giving back the old descriptors. */
	rte_eth_tx_burst(0, 0, none, 0);
	return 0;
}

static void
race(void)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0), i, taken = 0;
	struct rte_mbuf *m[32];
	long long bad0 = bad_cmplt();
	uint64_t end;

	REQUIRE(lcore < RTE_MAX_LCORE, "a worker lcore");
	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, true), 0);
	for (i = 0; i < 8; i++)
		CHECK_EQ(send_one(100 + i), 1);
	CHECK_EQ(wait_held(8), 8);
	drain_rx(50);

	/* Rescind; a serial operation waits for its handling to end. */
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(pt_wait_link(0, 0, 5000), 0);
	CHECK_EQ(rte_eth_dev_set_mtu(0, 1500), 0);
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(pt_wait_link(0, 1, 10000), 0);	/* rx queue 0 rebinds */
	/* The old requests' completions wait in the new channel's ring. */
	CHECK_EQ(hvsim_netvsp_release_cmplt(h, 0, 8, false, 3000), 8);

	stall_arm(STALL_PUT);
	REQUIRE(rte_eal_remote_launch(tx_rebind_worker, NULL, lcore) == 0);
	CHECK_EQ(stall_wait(3000), 0);
	/* Tx queue 0 is in the middle of its unbind: rx queue 0 reads. */
	end = pt_ms() + 200;
	while (pt_ms() < end)
		pt_free(m, rte_eth_rx_burst(0, 0, m, 32));
	stall_release();
	rte_eal_wait_lcore(lcore);

	/* Every completion held: at most one frame per descriptor. */
	end = pt_ms() + 3000;
	while (pt_ms() < end) {
		struct rte_mbuf *f = pt_frame(txmp, 0, 1000, taken, IPPROTO_UDP,
					      7, 8);

		if (f == NULL)
			break;
		if (rte_eth_tx_burst(0, 0, &f, 1) == 1) {
			taken++;
			continue;
		}
		rte_pktmbuf_free(f);
		pt_free(m, rte_eth_rx_burst(0, 0, m, 32));
		if (pt_xstat(0, "tx_q0_ring_full") > 100)
			break;
	}
	CHECK(taken == NDESC, "tx queue took %u frames on %u descriptors",
	      taken, NDESC);
	CHECK_EQ(bad_cmplt() - bad0, 8);

	/* All back once the host completes them. */
	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, false), 0);
	CHECK(hvsim_netvsp_release_cmplt(h, 0, 0, false, 5000) >= 0, "sent");
	end = pt_ms() + 5000;
	while (rte_mempool_in_use_count(txmp) != 0 && pt_ms() < end) {
		pt_free(m, rte_eth_rx_burst(0, 0, m, 32));
		rte_eth_tx_done_cleanup(0, 0, 0);
		usleep(500);
	}
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
}

int
main(int argc, char **argv)
{
	bool shared = argc > 1 && strcmp(argv[1], "shared") == 0;
	int rc;

	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 2047, &h,
		      shared ? "--allow=hvbus:69737668-006d-494e-8043-"
		      "00155d000000,tx_channels=0" : NULL, NULL);
	txmp = stall_pool_create("tx", 2 * NDESC);
	REQUIRE(txmp != NULL);
	rc = pt_port_start(0, 1, mp, 0, 0, NDESC);
	REQUIRE(rc == 0, "start: %d", rc);

	if (shared) {
		race();
	} else {
		replay();
		late();
	}

	pt_teardown_pools(0, mp, &txmp, 1, h);
	return check_exit(shared ? "pmd_hostile_cmplt_shared" :
			  "pmd_hostile_cmplt");
}
