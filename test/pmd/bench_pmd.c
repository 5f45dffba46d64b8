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
 * without traffic, so the cost of an empty poll can be taken out. A run
 * that received nothing, or all of it in one burst (no window to measure
 * a rate over), prints no figure and exits 1; fewer frames than COUNT
 * (the host sent nothing for a second) is said on stderr. A path
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
	uint64_t want, got = 0, fwd = 0, empty = 0, t1, idle_end;
	uint64_t ns0 = 0, ns1 = 0, first = 0;
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
		printf("pkts=0 fwd=0 empty=%llu\n",
		       (unsigned long long)empty);
		goto out;
	}
	t1 = pt_ms();
	idle_end = t1 + 20000;
	while (got < want && pt_ms() < idle_end) {
		uint16_t n = rte_eth_rx_burst(0, 0, pkts, 32), s;

		if (n == 0) {
			empty++;
			continue;
		}
		/* The window runs from the first burst's return to the
		 * last's, in ns (a millisecond clock made short runs a
		 * zero-length window); the frames in it are those after
		 * the first burst. */
		if (got == 0) {
			ns0 = hv_now_ns();
			first = n;
		}
		got += n;
		s = rte_eth_tx_burst(0, 0, pkts, n);
		fwd += s;
		pt_free(pkts + s, n - s);
		ns1 = hv_now_ns();
		t1 = pt_ms();
		idle_end = t1 + 1000;
	}
	if (got == first || ns1 <= ns0) {
		/* Nothing measured: no figure, a failure. */
		fprintf(stderr, "bench_pmd: %llu frames received%s: no rate\n",
			(unsigned long long)got, got == 0 ? "" :
			", all in one burst");
		got = 0;
	} else {
		if (got < want)
			fprintf(stderr, "bench_pmd: %llu of %llu frames (the "
				"host sent nothing for 1 s)\n",
				(unsigned long long)got,
				(unsigned long long)want);
		printf("pkts=%llu fwd=%llu empty=%llu mpps=%.3f\n",
		       (unsigned long long)got, (unsigned long long)fwd,
		       (unsigned long long)empty,
		       (double)(got - first) * 1e3 / (double)(ns1 - ns0));
	}
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
