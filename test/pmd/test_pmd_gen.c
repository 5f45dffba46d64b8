/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RSS against hvsim's generator: 4 queues, the generator's 64 UDP/IPv4
 * flows; every frame must arrive on the queue that lib/netvsp's Toeplitz
 * hash (DPDK key, IPv4 2-tuple for UDP) and the driver's table choose, all
 * four queues must get traffic, and the counts must equal the host's
 * per-queue counters. Frames sent back go to the generator's sink.
 */

#include <sys/stat.h>

#include "pmd_test.h"
#include "rss.h"

#define NQ	4
#define COUNT	4000

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-gen.XXXXXX", path[128], args[256];
	struct rte_eth_rss_reta_entry64 reta_conf[2];
	unsigned int per_q[NQ] = { 0 }, wrong = 0, i, q;
	struct hvsim_nic_stats hs;
	struct rte_mbuf *rx[64];
	struct rte_mempool *mp;
	uint64_t got = 0, sent = 0, end;
	uint16_t reta[128];
	struct hvsim *h;
	int rc;

	(void)argc;
	h = pt_gen_host("gen", dir, path, sizeof(path), COUNT, 200000);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=30000",
		 path);
	mp = pt_setup(argv[0], "1", args, 8191, NULL, NULL);
	rc = pt_port_start(0, NQ, mp, RTE_ETH_RX_OFFLOAD_RSS_HASH, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);
	memset(reta_conf, 0, sizeof(reta_conf));
	reta_conf[0].mask = reta_conf[1].mask = UINT64_MAX;
	CHECK_EQ(rte_eth_dev_rss_reta_query(0, reta_conf, 128), 0);
	for (i = 0; i < 128; i++)
		reta[i] = reta_conf[i / 64].reta[i % 64];

	end = pt_ms() + 10000;
	while (got < COUNT && pt_ms() < end) {
		for (q = 0; q < NQ; q++) {
			uint16_t n = rte_eth_rx_burst(0, (uint16_t)q, rx, 64), s;

			for (i = 0; i < n; i++) {
				uint32_t type, hash;

				if (hv_rss_hash_frame(hv_rss_key_dpdk,
						      NDIS_HASH_IPV4 |
						      NDIS_HASH_TCP_IPV4 |
						      NDIS_HASH_IPV6 |
						      NDIS_HASH_TCP_IPV6,
						      rte_pktmbuf_mtod(rx[i], void *),
						      rx[i]->pkt_len, &type,
						      &hash) != 0 ||
				    reta[hash % 128] != q ||
				    rx[i]->hash.rss != hash)
					wrong++;
			}
			per_q[q] += n;
			got += n;
			/* Back to the sink, on the same queue. */
			s = rte_eth_tx_burst(0, (uint16_t)q, rx, n);
			sent += s;
			pt_free(rx + s, n - s);
		}
	}
	CHECK_EQ(got, COUNT);
	CHECK_EQ(wrong, 0);
	for (q = 0; q < NQ; q++)
		CHECK(per_q[q] > COUNT / NQ / 4, "queue %u got %u", q, per_q[q]);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	for (q = 0; q < NQ; q++)
		CHECK_EQ(hs.q[q].rx_pkts, per_q[q]);
	CHECK_EQ(hs.rx_dropped, 0);
	CHECK_EQ(rte_eth_dev_stop(0), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.tx_pkts, sent);
	CHECK_EQ(rte_eth_dev_close(0), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return check_exit("pmd_gen");
}
