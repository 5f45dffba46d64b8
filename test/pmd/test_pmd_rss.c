/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Four queues over the primary and three subchannels, RSS with the DPDK
 * key: every reflected TCP/IPv4 frame must arrive on the queue lib/netvsp's
 * Toeplitz hash and the driver's indirection table choose, with that hash
 * in the mbuf; the traffic must spread over all four queues; then a new
 * RETA (everything to queue 2) must reach the host while the port runs.
 */

#include "pmd_test.h"
#include "rss.h"

#define NQ	4
#define NF	256

static uint16_t
expect_queue(const struct rte_mbuf *m, const uint16_t *reta, uint32_t *hash)
{
	uint32_t type;

	if (hv_rss_hash_frame(hv_rss_key_dpdk, NDIS_HASH_IPV4 |
			      NDIS_HASH_TCP_IPV4 | NDIS_HASH_IPV6 |
			      NDIS_HASH_TCP_IPV6,
			      rte_pktmbuf_mtod(m, const void *), m->pkt_len,
			      &type, hash) != 0)
		return UINT16_MAX;
	return reta[*hash % 128];
}

/* Send NF frames from queue 0 and collect them from every queue; check
 * each against the expected queue. Returns the per-queue counts. */
static void
run(uint16_t port, struct rte_mempool *mp, const uint16_t *reta,
    unsigned int per_q[NQ])
{
	struct rte_mbuf *tx[32], *rx[64];
	unsigned int sent = 0, got = 0, wrong = 0, nohash = 0, i, q;
	uint64_t end;

	memset(per_q, 0, NQ * sizeof(per_q[0]));
	while (sent < NF) {
		uint16_t k = 16, n;

		for (i = 0; i < k; i++) {
			tx[i] = pt_frame(mp, port, 128, sent + i, IPPROTO_TCP,
					 (uint16_t)(1024 + 37 * (sent + i)),
					 80);
			REQUIRE(tx[i] != NULL);
		}
		n = pt_tx_all(port, 0, tx, k);
		CHECK_EQ(n, k);
		pt_free(tx + n, k - n);
		sent += k;
		/* Drain every queue (queue 0 also returns our descriptors). */
		for (q = 0; q < NQ; q++) {
			uint16_t r = rte_eth_rx_burst(port, (uint16_t)q, rx, 64);

			for (i = 0; i < r; i++) {
				uint32_t h;
				uint16_t eq = expect_queue(rx[i], reta, &h);

				per_q[q]++;
				got++;
				if (eq != q)
					wrong++;
				if (!(rx[i]->ol_flags & RTE_MBUF_F_RX_RSS_HASH) ||
				    rx[i]->hash.rss != h)
					nohash++;
			}
			pt_free(rx, r);
		}
	}
	end = pt_ms() + 3000;
	while (got < NF && pt_ms() < end) {
		for (q = 0; q < NQ; q++) {
			uint16_t r = rte_eth_rx_burst(port, (uint16_t)q, rx, 64);

			for (i = 0; i < r; i++) {
				uint32_t h;

				per_q[q]++;
				got++;
				if (expect_queue(rx[i], reta, &h) != q)
					wrong++;
				if (rx[i]->hash.rss != h)
					nohash++;
			}
			pt_free(rx, r);
		}
		usleep(100);
	}
	CHECK_EQ(got, NF);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(nohash, 0);
}

int
main(int argc, char **argv)
{
	struct rte_eth_rss_reta_entry64 reta_conf[2];
	struct hvsim_nic_stats hs;
	struct rte_eth_stats st;
	unsigned int per_q[NQ], i;
	uint16_t reta[128];
	struct rte_mempool *mp;
	struct hvsim *h;
	uint16_t port = 0;
	bool shared;
	int rc;

	shared = argc > 1 && strcmp(argv[1], "shared") == 0;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h,
		      shared ? "--allow=hvbus:69737668-006d-494e-8043-"
		      "00155d000000,tx_channels=0" : NULL, NULL);
	rc = pt_port_start(port, NQ, mp, RTE_ETH_RX_OFFLOAD_RSS_HASH, 0, 256);
	REQUIRE(rc == 0, "start with %d queues: %d", NQ, rc);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK(hs.rss_enabled, "RSS on at the host");
	/* Tx queues have channels of their own, unless told to share. */
	CHECK_EQ(hs.n_queues, shared ? NQ : 2 * NQ);

	/* The default table: entry i -> queue i % NQ. */
	memset(reta_conf, 0, sizeof(reta_conf));
	reta_conf[0].mask = reta_conf[1].mask = UINT64_MAX;
	CHECK_EQ(rte_eth_dev_rss_reta_query(port, reta_conf, 128), 0);
	for (i = 0; i < 128; i++) {
		reta[i] = reta_conf[i / 64].reta[i % 64];
		CHECK_EQ(reta[i], i % NQ);
	}
	run(port, mp, reta, per_q);
	for (i = 0; i < NQ; i++)
		CHECK(per_q[i] > NF / NQ / 4, "queue %u got %u of %u", i,
		      per_q[i], NF);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	for (i = 0; i < NQ; i++)
		CHECK_EQ(hs.q[i].rx_pkts, per_q[i]);

	/* Everything to queue 2, while running. */
	for (i = 0; i < 128; i++) {
		reta[i] = 2;
		reta_conf[i / 64].reta[i % 64] = 2;
	}
	CHECK_EQ(rte_eth_dev_rss_reta_update(port, reta_conf, 128), 0);
	run(port, mp, reta, per_q);
	CHECK_EQ(per_q[2], NF);

	CHECK_EQ(rte_eth_stats_get(port, &st), 0);
	CHECK_EQ(st.ipackets, 2 * NF);
	CHECK_EQ(st.opackets, 2 * NF);
	pt_teardown(port, mp, h);
	return check_exit("pmd_rss");
}
