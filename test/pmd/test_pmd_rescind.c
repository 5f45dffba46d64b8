/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host takes NICs away under traffic and gives them back.
 *
 * Port 0 (persistent, the default): the rescind brings link down (LSC, no
 * RMV), rx returns nothing, tx frees and counts what it is given, the
 * mbufs the host held come back to the pool, each relid is released
 * exactly once; on the re-offer the port comes back by itself (no reset,
 * no configure) with its 2 queue pairs (4 channels: tx has its own) and
 * forwards on both. Then subchannel rescinds: channel 1 (rx queue 1) goes
 * quiet and RSS sends its share to queue 0 (nothing is lost); channel 3
 * (tx queue 1) makes tx queue 1 drop and count while tx queue 0 goes on;
 * their re-offers bring both back.
 *
 * Port 1 (persist=0, hot-plugged after a bad devarg was refused): RMV,
 * the application detaches it as testpmd does (stop, close, remove), and
 * the re-offer probes a new port (RTE_ETH_EVENT_NEW) that forwards.
 */

#include "pmd_test.h"

#define NIC1 "69737668-006d-494e-8043-00155d000001"

static unsigned int rmv_events, reset_events, new_events, lsc_up, lsc_down;

static int
ev_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	struct rte_eth_link l;

	(void)arg;
	(void)ret;
	switch (ev) {
	case RTE_ETH_EVENT_INTR_RMV:
		__atomic_add_fetch(&rmv_events, 1, __ATOMIC_RELAXED);
		break;
	case RTE_ETH_EVENT_INTR_RESET:
		__atomic_add_fetch(&reset_events, 1, __ATOMIC_RELAXED);
		break;
	case RTE_ETH_EVENT_NEW:
		__atomic_add_fetch(&new_events, 1, __ATOMIC_RELAXED);
		break;
	case RTE_ETH_EVENT_INTR_LSC:
		if (rte_eth_link_get_nowait(port, &l) == 0 && l.link_status)
			__atomic_add_fetch(&lsc_up, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&lsc_down, 1, __ATOMIC_RELAXED);
		break;
	default:
		break;
	}
	return 0;
}

static unsigned int
ld(unsigned int *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static int
wait_ge(unsigned int *v, unsigned int want, unsigned int ms)
{
	uint64_t end = pt_ms() + ms;

	while (ld(v) < want && pt_ms() < end)
		usleep(1000);
	return ld(v) >= want ? 0 : -ETIMEDOUT;
}

static uint64_t
wait_released(struct hvsim *h, unsigned int nic, uint64_t want)
{
	struct hvsim_nic_stats hs;
	uint64_t end = pt_ms() + 3000;

	do {
		if (hvsim_nic_stats(h, nic, &hs) != 0)
			return 0;
		if (hs.released >= want)
			break;
		usleep(2000);
	} while (pt_ms() < end);
	usleep(20000);	/* one more would be a bug */
	hvsim_nic_stats(h, nic, &hs);
	return hs.released;
}

/*
 * Send @p n frames over many TCP flows on queue 0 (hvsim reflects them and
 * spreads them with RSS), receive on queues 0..nq-1 until all are back or
 * @p ms pass. Returns frames received; @p qmask gets the queues that had
 * some.
 */
static unsigned int
round_trip(uint16_t port, uint16_t nq, struct rte_mempool *mp, unsigned int n,
	   unsigned int ms, uint32_t *qmask)
{
	struct rte_mbuf *tx[32], *rx[64];
	unsigned int sent = 0, got = 0, i, k;
	uint64_t end = pt_ms() + ms;
	uint16_t c;

	*qmask = 0;
	while (sent < n && pt_ms() < end) {
		for (i = 0; i < 32 && sent + i < n; i++)
			tx[i] = pt_frame(mp, port, 300, sent + i, IPPROTO_TCP,
					 (uint16_t)(1000 + sent + i), 80);
		c = pt_tx_all(port, 0, tx, (uint16_t)i);
		pt_free(tx + c, (uint16_t)(i - c));
		sent += c;
		if (c < i)
			break;
		for (k = 0; k < nq; k++) {
			c = rte_eth_rx_burst(port, (uint16_t)k, rx, 64);
			got += c;
			if (c != 0)
				*qmask |= 1u << k;
			pt_free(rx, c);
		}
	}
	while (got < sent && pt_ms() < end) {
		for (k = 0; k < nq; k++) {
			c = rte_eth_rx_burst(port, (uint16_t)k, rx, 64);
			got += c;
			if (c != 0)
				*qmask |= 1u << k;
			pt_free(rx, c);
		}
		usleep(50);
	}
	return got;
}

/* Poll every queue until the pool is whole again (the queues give back
 * what the host held at their first burst after the grace period). */
static unsigned int
wait_pool(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_mbuf *rx[64];
	uint64_t end = pt_ms() + 3000;
	uint16_t k;

	while (rte_mempool_in_use_count(mp) != 0 && pt_ms() < end) {
		for (k = 0; k < nq; k++) {
			pt_free(rx, rte_eth_rx_burst(port, k, rx, 64));
			rte_eth_tx_burst(port, k, rx, 0);
		}
		usleep(1000);
	}
	return rte_mempool_in_use_count(mp);
}

/* Give tx queue @p q 16 frames its channel cannot take: all are consumed
 * and counted as errors. Returns how many the counter moved by. */
static uint64_t
tx_dropped(uint16_t port, uint16_t q, struct rte_mempool *mp)
{
	struct rte_mbuf *tx[16];
	struct rte_eth_stats st;
	uint64_t before;
	uint16_t i;

	if (rte_eth_stats_get(port, &st) != 0)
		return 0;
	before = st.oerrors;
	for (i = 0; i < 16; i++)
		tx[i] = pt_frame(mp, port, 100, i, IPPROTO_UDP, 1, 2);
	CHECK_EQ(rte_eth_tx_burst(port, q, tx, 16), 16);
	if (rte_eth_stats_get(port, &st) != 0)
		return 0;
	return st.oerrors - before;
}

static void
persistent_port(struct hvsim *h, uint16_t port, struct rte_mempool *mp)
{
	struct rte_mbuf *tx[32], *rx[64];
	struct hvsim_nic_stats hs;
	struct rte_eth_link link;
	uint64_t end, sent = 0;
	uint32_t qmask;
	uint16_t i, n;
	unsigned int down0;
	int rc;

	REQUIRE(pt_port_start(port, 2, mp, 0, 0, 256) == 0);
	/* Traffic with GPA-direct frames in flight, then the rescind. */
	end = pt_ms() + 300;
	while (pt_ms() < end) {
		for (i = 0; i < 16; i++)
			tx[i] = pt_frame(mp, port, 1400, (uint32_t)sent + i,
					 IPPROTO_UDP, 1, 2);
		n = rte_eth_tx_burst(port, 0, tx, 16);
		pt_free(tx + n, 16 - n);
		sent += n;
		pt_free(rx, rte_eth_rx_burst(port, 0, rx, 64));
		pt_free(rx, rte_eth_rx_burst(port, 1, rx, 64));
	}
	CHECK(sent > 0, "traffic before the rescind");
	down0 = ld(&lsc_down);
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(wait_ge(&lsc_down, down0 + 1, 3000), 0);
	CHECK_EQ(rte_eth_link_get_nowait(port, &link), 0);
	CHECK_EQ(link.link_status, RTE_ETH_LINK_DOWN);

	/* Frames copied out before the rescind may still be handed over;
	 * then rx stays empty, and tx consumes and counts. */
	for (i = 0; i < 64; i++) {
		n = rte_eth_rx_burst(port, 0, rx, 64);
		pt_free(rx, n);
		if (n == 0)
			break;
	}
	CHECK(i < 64, "rx keeps returning frames after the rescind");
	CHECK_EQ(rte_eth_rx_burst(port, 0, rx, 64), 0);
	CHECK_EQ(tx_dropped(port, 1, mp), 16);
	CHECK_EQ(wait_released(h, 0, 4), 4);
	CHECK_EQ(wait_pool(port, 2, mp), 0);

	/* Re-offer: the port comes back by itself, link up, both queues. */
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(wait_ge(&lsc_up, 1, 10000), 0);
	CHECK_EQ(round_trip(port, 2, mp, 256, 3000, &qmask), 256);
	CHECK_EQ(qmask, 3);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.n_queues, 4);
	CHECK(hs.packet_filter != 0, "filter restored");
	CHECK(hs.rss_enabled, "RSS restored");
	CHECK_EQ(ld(&rmv_events), 0);
	CHECK_EQ(ld(&reset_events), 0);

	/* Channel 1 goes: rx queue 1 is quiet, queue 0 takes every flow. */
	CHECK_EQ(hvsim_rescind(h, 0, 1), 0);
	CHECK_EQ(wait_released(h, 0, 5), 5);
	CHECK_EQ(round_trip(port, 2, mp, 256, 3000, &qmask), 256);
	CHECK_EQ(qmask, 1);
	/* Channel 3 goes: tx queue 1 drops and counts, tx queue 0 goes on
	 * (round_trip sends on queue 0). */
	CHECK_EQ(hvsim_rescind(h, 0, 3), 0);
	CHECK_EQ(wait_released(h, 0, 6), 6);
	CHECK_EQ(tx_dropped(port, 1, mp), 16);
	CHECK_EQ(round_trip(port, 2, mp, 64, 3000, &qmask), 64);

	/* ... and both come back, rx queue 1 with its share. */
	end = pt_ms() + 3000;
	while ((rc = hvsim_reoffer_sub(h, 0, 1)) == -EBUSY && pt_ms() < end)
		usleep(1000);
	CHECK_EQ(rc, 0);
	while ((rc = hvsim_reoffer_sub(h, 0, 3)) == -EBUSY && pt_ms() < end)
		usleep(1000);
	CHECK_EQ(rc, 0);
	end = pt_ms() + 3000;
	do {
		CHECK_EQ(round_trip(port, 2, mp, 64, 3000, &qmask), 64);
	} while (qmask != 3 && pt_ms() < end);
	CHECK_EQ(qmask, 3);
	for (i = 0; i < 16; i++)
		tx[i] = pt_frame(mp, port, 100, i, IPPROTO_UDP, 1, 2);
	CHECK_EQ(pt_tx_all(port, 1, tx, 16), 16);
	CHECK_EQ(ld(&rmv_events), 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
}

static void
removable_port(struct hvsim *h, struct rte_mempool *mp)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev;
	unsigned int new0;
	uint16_t port;
	uint32_t qmask;

	REQUIRE(rte_eth_dev_get_port_by_name(NIC1, &port) == 0);
	REQUIRE(pt_port_start(port, 1, mp, 0, 0, 256) == 0);
	CHECK_EQ(round_trip(port, 1, mp, 64, 3000, &qmask), 64);
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	dev = info.device;
	CHECK_EQ(hvsim_rescind(h, 1, 0), 0);
	CHECK_EQ(wait_ge(&rmv_events, 1, 3000), 0);
	/* What testpmd does on RMV. */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_dev_remove(dev), 0);
	CHECK(rte_eth_dev_get_port_by_name(NIC1, &port) != 0, "port gone");
	/* One queue pair: the primary and tx's own channel. */
	CHECK_EQ(wait_released(h, 1, 2), 2);

	new0 = ld(&new_events);
	CHECK_EQ(hvsim_reoffer(h, 1), 0);
	CHECK_EQ(wait_ge(&new_events, new0 + 1, 3000), 0);
	REQUIRE(rte_eth_dev_get_port_by_name(NIC1, &port) == 0);
	REQUIRE(pt_port_start(port, 1, mp, 0, 0, 256) == 0);
	CHECK_EQ(round_trip(port, 1, mp, 64, 3000, &qmask), 64);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
}

int
main(int argc, char **argv)
{
	enum rte_eth_event_type evs[] = {
		RTE_ETH_EVENT_INTR_RMV, RTE_ETH_EVENT_INTR_RESET,
		RTE_ETH_EVENT_NEW, RTE_ETH_EVENT_INTR_LSC,
	};
	struct rte_mempool *mp;
	struct hvsim *h;
	unsigned int i;

	(void)argc;
	/* NIC 1 is blocked at start-up, then hot-plugged: first with a bad
	 * devarg (refused, no port), then with a good one. */
	mp = pt_setup(argv[0], "2", "timeout_ms=30000", 4095, &h,
		      "--block=hvbus:" NIC1, NULL);
	for (i = 0; i < RTE_DIM(evs); i++)
		CHECK_EQ(rte_eth_dev_callback_register(RTE_ETH_ALL, evs[i],
						       ev_cb, NULL), 0);
	CHECK_EQ(rte_eth_dev_count_avail(), 1);
	CHECK(rte_dev_probe("hvbus:" NIC1 ",tx_copybreak=99999") != 0,
	      "bad devarg refused");
	CHECK_EQ(rte_eth_dev_count_avail(), 1);
	CHECK_EQ(rte_dev_probe("hvbus:" NIC1 ",tx_copybreak=64,send_buf_mb=4,"
			       "persist=0"), 0);
	CHECK_EQ(rte_eth_dev_count_avail(), 2);

	persistent_port(h, 0, mp);
	removable_port(h, mp);

	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_rescind");
}
