/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The start against a host that sends at once: one queue, hvsim's
 * generator unpaced (it fills the ring as soon as the packet filter lets
 * frames through, while rte_eth_dev_start() still waits for the filter's
 * answer). Every frame must reach rte_eth_rx_burst(): none dropped by the
 * driver (imissed) or the host. The control path used to read channel 0
 * on past its answer, into rx queue 0's held ring, and drop what did not
 * fit (bench_pmd 60 20000 received 5,486 to 17,709 frames).
 */

#include "pmd_test.h"

#define COUNT	20000u

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-genstart.XXXXXX", path[128], args[256];
	struct hvsim_nic_stats hs;
	struct rte_eth_stats st;
	struct rte_mbuf *rx[32];
	struct rte_mempool *mp;
	uint64_t got = 0, end;
	struct hvsim *h;
	int rc;

	(void)argc;
	h = pt_gen_host("genstart", dir, path, sizeof(path), COUNT, 0);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=30000", path);
	mp = pt_setup(argv[0], "1", args, 8191, NULL, NULL);
	rc = pt_port_start(0, 1, mp, 0, 0, 4096);
	REQUIRE(rc == 0, "start: %d", rc);

	/* Until every frame came, or every frame is accounted for (came or
	 * dropped): a loaded machine only makes it take longer. */
	end = pt_ms() + 30000;
	memset(&st, 0, sizeof(st));
	while (got < COUNT && got + st.imissed < COUNT && pt_ms() < end) {
		uint16_t n = rte_eth_rx_burst(0, 0, rx, RTE_DIM(rx));

		got += n;
		pt_free(rx, n);
		if (n == 0 && rte_eth_stats_get(0, &st) != 0)
			break;
	}
	CHECK_EQ(rte_eth_stats_get(0, &st), 0);
	CHECK_EQ(got, COUNT);
	CHECK_EQ(st.ipackets, COUNT);
	CHECK_EQ(st.imissed, 0);
	CHECK_EQ(st.rx_nombuf, 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.rx_pkts, COUNT);
	CHECK_EQ(hs.rx_dropped, 0);
	CHECK_EQ(rte_eth_dev_stop(0), 0);
	CHECK_EQ(rte_eth_dev_close(0), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return check_exit("pmd_genstart");
}
