/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * bench_pmd FRAME_LEN COUNT [RATE_PPS | idle | SOCKET]: io forwarding
 * through net_hvnet in one lcore (this thread) against an in-process hvsim whose generator sends COUNT
 * frames and whose sink takes what we send back. Prints pkts=, mpps= (the
 * guest's receive rate) and fwd= (frames sent back). devtools/bench-pmd.sh
 * runs it under callgrind with only hvn_rx_burst/hvn_tx_burst collected to
 * count the guest's instructions per packet: it also prints empty= (rx
 * bursts that returned nothing), and "idle" mode makes COUNT bursts
 * without traffic, so the cost of an empty poll can be taken out. A path
 * (containing '/') names an hvsim daemon to use instead (run outside
 * valgrind, so the host keeps up and bursts are full).
 */

#include "pmd_test.h"

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-bench.XXXXXX", path[128], args[256];
	struct rte_mbuf *pkts[32];
	struct hvsim_config cfg;
	struct rte_mempool *mp;
	uint64_t want, got = 0, fwd = 0, empty = 0, t0, t1, idle_end;
	bool idle = false;
	struct hvsim *h;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_pmd FRAME_LEN COUNT\n");
		return 2;
	}
	want = strtoull(argv[2], NULL, 0);
	if (argc > 3 && strchr(argv[3], '/') != NULL) {
		h = NULL;
		snprintf(args, sizeof(args),
			 "socket=%s,timeout_ms=20000", argv[3]);
	} else {
		REQUIRE(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/hvsim.sock", dir);
		hvsim_config_init(&cfg, 1);
		cfg.name = "bench";
		cfg.nic[0].port.kind = HVSIM_PORT_GEN_SINK;
		cfg.nic[0].port.gen.frame_len = (uint32_t)atoi(argv[1]);
		cfg.nic[0].port.gen.flows = 64;
		cfg.nic[0].port.gen.count = want;
		if (argc > 3 && strcmp(argv[3], "idle") == 0) {
			idle = true;
			cfg.nic[0].port.gen.frame_len = 0;	/* pure sink */
		} else if (argc > 3) {
			cfg.nic[0].port.gen.rate_pps =
				strtoull(argv[3], NULL, 0);
		}
		h = hvsim_create(&cfg);
		REQUIRE(h != NULL);
		REQUIRE(hvsim_listen(h, path) == 0);
		REQUIRE(hvsim_start(h) == 0);
		snprintf(args, sizeof(args),
			 "socket=%s,timeout_ms=20000", path);
	}
	pt_setup(argv[0], "1", args, 0, NULL, NULL);
	/* A per-lcore cache, as a forwarding application has. */
	mp = rte_pktmbuf_pool_create("bench", 8191, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(mp != NULL);
	REQUIRE(pt_port_start(0, 1, mp, 0, 0, 4096) == 0);
	if (idle) {
		for (got = 0; got < want; got++)
			empty += rte_eth_rx_burst(0, 0, pkts, 32) == 0;
		printf("pkts=0 fwd=0 empty=%llu mpps=0\n",
		       (unsigned long long)empty);
		goto out;
	}
	t0 = pt_ms();
	t1 = t0;
	idle_end = t0 + 20000;
	while (got < want && pt_ms() < idle_end) {
		uint16_t n = rte_eth_rx_burst(0, 0, pkts, 32), s;

		if (n == 0) {
			empty++;
			continue;
		}
		if (got == 0)
			t0 = pt_ms();
		got += n;
		s = rte_eth_tx_burst(0, 0, pkts, n);
		fwd += s;
		pt_free(pkts + s, n - s);
		t1 = pt_ms();
		idle_end = t1 + 1000;
	}
	printf("pkts=%llu fwd=%llu empty=%llu mpps=%.3f\n",
	       (unsigned long long)got, (unsigned long long)fwd,
	       (unsigned long long)empty,
	       t1 > t0 ? (double)got / (double)(t1 - t0) / 1000.0 : 0.0);
	{
		struct rte_eth_stats st;

		rte_eth_stats_get(0, &st);
		printf("ierrors=%llu imissed=%llu nombuf=%llu\n",
		       (unsigned long long)st.ierrors,
		       (unsigned long long)st.imissed,
		       (unsigned long long)st.rx_nombuf);
	}
out:
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	if (h != NULL) {
		hvsim_destroy(h);
		unlink(path);
		rmdir(dir);
	}
	return idle || got != 0 ? 0 : 1;
}
