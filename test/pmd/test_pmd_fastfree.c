/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE: offered, and with it every sent mbuf
 * goes back to its pool exactly once - frames copied into the send buffer
 * (aggregated, freed in bulk at the end of the burst), frames sent
 * GPA-direct (freed at their completion), chains. Frames come back intact,
 * and after the port closes the pool holds every mbuf again: one kept or
 * one put back twice shows in the count (or ASan's build).
 */

#include "pmd_test.h"

static const uint32_t sizes[] = { 60, 64, 200, 511, 512, 1000, 1514 };

/* A two-segment chain of @p len bytes (not copied: it goes GPA-direct). */
static struct rte_mbuf *
chain(struct rte_mempool *mp, uint16_t port, uint32_t len, uint32_t seq)
{
	struct rte_mbuf *m = pt_frame(mp, port, len, seq, IPPROTO_UDP, 1000,
				      2000), *t;
	uint32_t half = len / 2;

	REQUIRE(m != NULL);
	t = rte_pktmbuf_alloc(mp);
	REQUIRE(t != NULL);
	memcpy(rte_pktmbuf_append(t, (uint16_t)(len - half)),
	       rte_pktmbuf_mtod_offset(m, uint8_t *, half), len - half);
	REQUIRE(rte_pktmbuf_trim(m, (uint16_t)(len - half)) == 0);
	REQUIRE(rte_pktmbuf_chain(m, t) == 0);
	return m;
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *tx[16], *rx[16], *mix[384];
	struct rte_eth_dev_info info;
	struct hvsim_nic_stats s0, s1;
	struct rte_mempool *mp;
	uint16_t port = 0, sent, got, i;
	struct hvsim *h;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h, NULL);
	REQUIRE(rte_eth_dev_info_get(port, &info) == 0);
	CHECK(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE,
	      "MBUF_FAST_FREE not offered");
	rc = pt_port_start(port, 1, mp, 0, RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE,
			   512);
	REQUIRE(rc == 0, "start: %d", rc);

	CHECK_EQ(hvsim_nic_stats(h, 0, &s0), 0);
	pt_integrity(port, mp, sizes, RTE_DIM(sizes), 700);
	CHECK_EQ(hvsim_nic_stats(h, 0, &s1), 0);
	CHECK_EQ(s1.tx_bad, 0);
	CHECK(s1.tx_requests - s0.tx_requests < s1.tx_pkts - s0.tx_pkts,
	      "no request carried more than one frame");

	/* Chains: their segments go back through the full free. */
	for (i = 0; i < RTE_DIM(tx); i++)
		tx[i] = chain(mp, port, 300 + 70 * i, i);
	sent = pt_tx_all(port, 0, tx, RTE_DIM(tx));
	CHECK_EQ(sent, RTE_DIM(tx));
	got = pt_rx_until(port, 0, rx, sent, 3000);
	CHECK_EQ(got, sent);
	for (i = 0; i < got; i++)
		CHECK_EQ(rx[i]->pkt_len, 300 + 70 * i);
	pt_free(rx, got);
	pt_free(tx + sent, RTE_DIM(tx) - sent);

	/* One burst alternating copied and GPA-direct frames: every
	 * aggregate is closed by the GPA-direct frame after it, never by
	 * filling up, so the burst ends with 192 copied frames to free
	 * (more than one bulk: the burst must free as it goes). */
	for (i = 0; i < RTE_DIM(mix); i++) {
		mix[i] = pt_frame(mp, port, (i & 1) ? 1514 : 60, i,
				  IPPROTO_UDP, 1000, 2000);
		REQUIRE(mix[i] != NULL);
	}
	sent = rte_eth_tx_burst(port, 0, mix, RTE_DIM(mix));
	CHECK_EQ(sent, RTE_DIM(mix));
	for (got = 0; got < sent;) {
		/* got < sent: the difference fits; both operands uint16_t. */
		uint16_t left = (uint16_t)(sent - got);
		uint16_t k = pt_rx_until(port, 0, rx,
					 RTE_MIN((uint16_t)RTE_DIM(rx), left),
					 3000);

		if (k == 0)
			break;
		for (i = 0; i < k; i++)
			CHECK_EQ(rx[i]->pkt_len, ((got + i) & 1) ? 1514 : 60);
		pt_free(rx, k);
		got += k;
	}
	CHECK_EQ(got, sent);
	pt_free(mix + sent, RTE_DIM(mix) - sent);

	pt_teardown(port, mp, h);
	return check_exit("pmd_fastfree");
}
