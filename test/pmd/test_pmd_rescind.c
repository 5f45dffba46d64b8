/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host takes the NIC away under traffic: the port gets
 * RTE_ETH_EVENT_INTR_RMV, rx returns nothing, tx frees and counts what it
 * is given, nothing crashes or hangs, and close releases every mbuf and
 * the relid exactly once (hvsim's checker stays clean); when the host
 * offers the NIC again the port asks for a reset (persist) and forwards
 * again after it. Devargs: a bad value fails the probe of that device
 * only.
 */

#include "pmd_test.h"

static unsigned int rmv_events, reset_events;

static int
rmv_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	(void)port;
	(void)arg;
	(void)ret;
	if (ev == RTE_ETH_EVENT_INTR_RMV)
		__atomic_add_fetch(&rmv_events, 1, __ATOMIC_RELAXED);
	if (ev == RTE_ETH_EVENT_INTR_RESET)
		__atomic_add_fetch(&reset_events, 1, __ATOMIC_RELAXED);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *tx[32], *rx[64];
	struct rte_eth_stats st;
	struct hvsim_nic_stats hs;
	struct rte_mempool *mp;
	struct hvsim *h;
	uint64_t end, sent = 0, dropped_before;
	uint16_t port = 0, i, n;
	int rc;

	(void)argc;
	/* NIC 1 is blocked at start-up, then hot-plugged: first with a bad
	 * devarg (refused, no port), then with a good one. */
	rc = pt_eal_init_x(argv[0], "2", "backend=sim,timeout_ms=3000",
			   "--block=hvbus:69737668-006d-494e-8043-00155d000001");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL);
	CHECK_EQ(rte_eth_dev_count_avail(), 1);
	CHECK(rte_dev_probe("hvbus:69737668-006d-494e-8043-00155d000001,"
			    "tx_copybreak=99999") != 0, "bad devarg refused");
	CHECK_EQ(rte_eth_dev_count_avail(), 1);
	CHECK_EQ(rte_dev_probe("hvbus:69737668-006d-494e-8043-00155d000001,"
			       "tx_copybreak=64,send_buf_mb=4"), 0);
	CHECK_EQ(rte_eth_dev_count_avail(), 2);
	mp = rte_pktmbuf_pool_create("pt", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(mp != NULL);
	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV,
					       rmv_cb, NULL), 0);
	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET,
					       rmv_cb, NULL), 0);
	REQUIRE(pt_port_start(port, 2, mp, 0, 0, 256) == 0);

	/* Traffic, then the rescind in the middle of it. */
	end = pt_ms() + 400;
	while (pt_ms() < end) {
		for (i = 0; i < 16; i++)
			tx[i] = pt_frame(mp, port, 200, (uint32_t)sent + i,
					 IPPROTO_UDP, 1, 2);
		n = rte_eth_tx_burst(port, 0, tx, 16);
		pt_free(tx + n, 16 - n);
		sent += n;
		pt_free(rx, rte_eth_rx_burst(port, 0, rx, 64));
		pt_free(rx, rte_eth_rx_burst(port, 1, rx, 64));
	}
	CHECK(sent > 0, "traffic before the rescind");
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	end = pt_ms() + 3000;
	while (__atomic_load_n(&rmv_events, __ATOMIC_RELAXED) == 0 &&
	       pt_ms() < end) {
		pt_free(rx, rte_eth_rx_burst(port, 0, rx, 64));
		usleep(1000);
	}
	CHECK_EQ(rmv_events, 1);

	/* Dead channel: frames already copied out before the rescind may
	 * still be handed over (at most one stash); then rx stays empty, and
	 * tx consumes and counts. */
	for (i = 0; i < 64; i++) {
		n = rte_eth_rx_burst(port, 0, rx, 64);
		pt_free(rx, n);
		if (n == 0)
			break;
	}
	CHECK(i < 64, "rx keeps returning frames after the rescind");
	CHECK_EQ(rte_eth_rx_burst(port, 0, rx, 64), 0);
	CHECK_EQ(rte_eth_stats_get(port, &st), 0);
	dropped_before = st.oerrors;
	for (i = 0; i < 16; i++)
		tx[i] = pt_frame(mp, port, 100, i, IPPROTO_UDP, 1, 2);
	CHECK_EQ(rte_eth_tx_burst(port, 1, tx, 16), 16);
	CHECK_EQ(rte_eth_stats_get(port, &st), 0);
	CHECK_EQ(st.oerrors - dropped_before, 16);

	/* The bus released both relids (subchannel, primary) once the
	 * queues were out of their bursts. */
	end = pt_ms() + 3000;
	do {
		CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
		if (hs.released >= 2)
			break;
		usleep(2000);
	} while (pt_ms() < end);
	usleep(20000);	/* a third release would be a bug */
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.released, 2);

	/* The host offers the NIC again: the port asks for a reset, comes
	 * back with 2 queues and forwards again. */
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	end = pt_ms() + 3000;
	while (__atomic_load_n(&reset_events, __ATOMIC_RELAXED) == 0 &&
	       pt_ms() < end)
		usleep(1000);
	CHECK_EQ(reset_events, 1);
	rc = rte_eth_dev_reset(port);
	CHECK_EQ(rc, 0);
	if (rc == 0) {
		unsigned int got = 0, want = 64;

		REQUIRE(pt_port_start(port, 2, mp, 0, 0, 256) == 0);
		for (sent = 0; sent < want; sent += 32) {
			for (i = 0; i < 32; i++)
				tx[i] = pt_frame(mp, port, 300,
						 (uint32_t)sent + i,
						 IPPROTO_TCP,
						 (uint16_t)(100 + sent + i), 80);
			CHECK_EQ(pt_tx_all(port, 0, tx, 32), 32);
			end = pt_ms() + 2000;
			while (got < sent + 32 && pt_ms() < end) {
				n = rte_eth_rx_burst(port, 0, rx, 64);
				got += n;
				pt_free(rx, n);
				n = rte_eth_rx_burst(port, 1, rx, 64);
				got += n;
				pt_free(rx, n);
			}
		}
		CHECK_EQ(got, want);
		CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
		CHECK_EQ(hs.n_queues, 2);
		CHECK(hs.packet_filter != 0, "filter set after the reset");
	}

	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_rescind");
}
