/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rx queue 0's held ring overflowing: hvsim's generator fills the receive
 * buffer while the application does not poll, then a control exchange
 * (promiscuous mode) makes the control path read channel 0 up to its
 * answer, past more frames than the held ring (HVN_RX_HELD) takes. What
 * does not fit is dropped and must count in imissed only: every frame the
 * host sent is either received (ipackets, and what rte_eth_rx_burst()
 * returned) or missed (imissed), never both.
 */

#include "pmd_test.h"

#define COUNT	6000u
/* More than the held ring takes, fewer than the host puts out at once
 * (its generator's frames in flight, the receive buffer's sections). */
#define WAITING	1500u

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-heldfull.XXXXXX", path[128], args[256];
	struct hvsim_nic_stats hs;
	struct rte_eth_stats st;
	struct rte_mbuf *rx[32];
	struct rte_mempool *mp;
	uint64_t got = 0, end, waiting = 0;
	struct hvsim *h;
	int rc;

	(void)argc;
	h = pt_gen_host("heldfull", dir, path, sizeof(path), COUNT, 0);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=30000", path);
	mp = pt_setup(argv[0], "1", args, 8191, NULL, NULL);
	rc = pt_port_start(0, 1, mp, 0, 0, 4096);
	REQUIRE(rc == 0, "start: %d", rc);

	/* Not polled: the host's frames wait in channel 0's ring. */
	end = pt_ms() + 30000;
	do {
		CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
		waiting = hs.rx_pkts;
		if (waiting >= WAITING)
			break;
		usleep(1000);
	} while (pt_ms() < end);
	REQUIRE(waiting >= WAITING, "host sent %" PRIu64 " frames",
		waiting);
	/* The exchange reads them into the held ring, which overflows. */
	if (rte_eth_promiscuous_get(0) == 1)
		CHECK_EQ(rte_eth_promiscuous_disable(0), 0);
	else
		CHECK_EQ(rte_eth_promiscuous_enable(0), 0);

	end = pt_ms() + 30000;
	memset(&st, 0, sizeof(st));
	while (got + st.imissed < COUNT && pt_ms() < end) {
		uint16_t n = rte_eth_rx_burst(0, 0, rx, RTE_DIM(rx));

		got += n;
		pt_free(rx, n);
		if (n == 0 && rte_eth_stats_get(0, &st) != 0)
			break;
	}
	CHECK_EQ(rte_eth_stats_get(0, &st), 0);
	printf("pmd_heldfull: host waiting %" PRIu64 ", received %" PRIu64
	       ", ipackets %" PRIu64 ", imissed %" PRIu64 "\n", waiting, got,
	       st.ipackets, st.imissed);
	/* The held ring did overflow, or the test proves nothing. */
	CHECK(st.imissed > 0);
	CHECK_EQ(st.ipackets, got);
	CHECK_EQ(st.ibytes, got * 60);
	CHECK_EQ(st.ipackets + st.imissed, COUNT);
	CHECK_EQ(st.rx_nombuf, 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.rx_pkts, COUNT);
	CHECK_EQ(rte_eth_dev_stop(0), 0);
	CHECK_EQ(rte_eth_dev_close(0), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return check_exit("pmd_heldfull");
}
