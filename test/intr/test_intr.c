/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rx interrupts against the embedded hvsim (reflect port, 2 queue pairs),
 * through ethdev and EAL's per-thread epoll as l3fwd-power uses them:
 * an idle armed port is not woken (and the host is not asked to signal);
 * a reflected frame wakes the queue it lands on, and the burst then has
 * it; a frame that arrived before arming wakes at once (the host never
 * signals it); a disarmed queue sleeps through traffic; a host that
 * signals without cause wakes nobody; a thousand frames all arrive
 * through sleep/wake cycles; the queues' fds survive a rescind and
 * re-offer (the new channels wake them) and work after it; close takes
 * them out of the epoll set. No time is asserted (make bench-intr
 * measures the wake latency): a wait for something to happen ends when it
 * does, WAIT_MS at most - on a loaded machine the embedded host and this
 * thread wait seconds for a CPU now and then; a wait that nothing should
 * end (no wake) lasts a few hundred ms.
 */

#include "pmd_test.h"

#include <rte_interrupts.h>

#define NQ	2
/* The cap of every wait for an event, the bus's host answers among them. */
#define WAIT_MS	30000

static struct hvsim *h;

static uint64_t
host_signals(void)
{
	struct hvsim_nic_stats hs;

	memset(&hs, 0, sizeof(hs));
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	return hs.guest_signals;
}

static uint64_t
host_rx(void)
{
	struct hvsim_nic_stats hs;

	memset(&hs, 0, sizeof(hs));
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	return hs.rx_pkts;
}

/* Queues woken within @p ms (bit q), as an application's epoll sees. */
static unsigned int
woken(unsigned int ms)
{
	struct rte_epoll_event ev[8];
	unsigned int mask = 0;
	int n, i;

	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), (int)ms);
	for (i = 0; i < n; i++)
		mask |= 1u << (uintptr_t)ev[i].epdata.data;
	return mask;
}

static void
arm_all(uint16_t port, bool on)
{
	uint16_t q;

	for (q = 0; q < NQ; q++)
		CHECK_EQ(on ? rte_eth_dev_rx_intr_enable(port, q) :
			 rte_eth_dev_rx_intr_disable(port, q), 0);
}

static unsigned int
drain(uint16_t port, unsigned int mask)
{
	struct rte_mbuf *rx[32];
	unsigned int got = 0;
	uint16_t q, n;

	for (q = 0; q < NQ; q++)
		if (mask & (1u << q))
			do {
				n = rte_eth_rx_burst(port, q, rx, 32);
				got += n;
				pt_free(rx, n);
			} while (n != 0);
	return got;
}

static void
send_one(uint16_t port, struct rte_mempool *mp, uint32_t seq)
{
	struct rte_mbuf *m = pt_frame(mp, port, 128, seq, IPPROTO_UDP, 1000,
				      2000);

	REQUIRE(m != NULL);
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
}

/* Wait until the host delivered @p want frames in all. */
static bool
host_delivered(uint64_t want)
{
	uint64_t end = pt_ms() + WAIT_MS;

	while (host_rx() < want && pt_ms() < end)
		usleep(1000);
	return host_rx() >= want;
}

/* Sleep/wake until @p n frames were received; returns them. */
static unsigned int
receive_by_interrupt(uint16_t port, unsigned int n)
{
	uint64_t end = pt_ms() + WAIT_MS;
	unsigned int got = 0, w;

	while (got < n && pt_ms() < end) {
		arm_all(port, true);
		w = woken(500);
		arm_all(port, false);
		got += drain(port, w ? w : (1u << NQ) - 1);
	}
	return got;
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	uint64_t sig, rx0;
	uint16_t port = 0, q;
	unsigned int w, i;
	int rc;

	(void)argc;
	rc = pt_eal_init(argv[0], "1", "timeout_ms=" RTE_STR(WAIT_MS));
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL);
	mp = rte_pktmbuf_pool_create("pt", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(mp != NULL);

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4;
	conf.intr_conf.rxq = 1;
	REQUIRE(rte_eth_dev_configure(port, NQ, NQ, &conf) == 0);
	for (q = 0; q < NQ; q++) {
		REQUIRE(rte_eth_rx_queue_setup(port, q, 512, 0, NULL, mp) == 0);
		REQUIRE(rte_eth_tx_queue_setup(port, q, 512, 0, NULL) == 0);
	}
	REQUIRE(rte_eth_dev_start(port) == 0);
	for (q = 0; q < NQ; q++) {
		CHECK(rte_eth_dev_rx_intr_ctl_q_get_fd(port, q) >= 0, "fd");
		CHECK_EQ(rte_eth_dev_rx_intr_ctl_q(port, q,
			RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD,
			(void *)(uintptr_t)q), 0);
	}
	drain(port, (1u << NQ) - 1);
	(void)woken(0);

	/* Idle and armed: nobody wakes, the host is never asked. */
	sig = host_signals();
	arm_all(port, true);
	CHECK_EQ(woken(300), 0);
	CHECK_EQ(host_signals(), sig);

	/* A frame wakes the queue it lands on; the burst has it. */
	send_one(port, mp, 1);
	w = woken(WAIT_MS);
	CHECK(w != 0, "woken by the reflected frame");
	arm_all(port, false);
	CHECK_EQ(drain(port, w), 1);
	CHECK(host_signals() > sig, "the host signalled");

	/* Arrived while disarmed: arming wakes at once. */
	rx0 = host_rx();
	send_one(port, mp, 2);
	CHECK(host_delivered(rx0 + 1), "delivered");
	sig = host_signals();
	CHECK_EQ(woken(100), 0);
	arm_all(port, true);
	w = woken(WAIT_MS);
	CHECK(w != 0, "arming with data waiting wakes");
	arm_all(port, false);
	CHECK_EQ(drain(port, w), 1);
	CHECK_EQ(host_signals(), sig);	/* the queue woke itself */

	/* Disarmed queues sleep through traffic. */
	rx0 = host_rx();
	for (i = 0; i < 8; i++)
		send_one(port, mp, 10 + i);
	CHECK(host_delivered(rx0 + 8), "delivered");
	CHECK_EQ(woken(200), 0);
	CHECK_EQ(drain(port, (1u << NQ) - 1), 8);

	/* A host that signals without cause wakes nobody. */
	sig = host_signals();
	arm_all(port, true);
	CHECK_EQ(hvsim_signal_guest(h, 1000), 0);
	CHECK_EQ(woken(300), 0);
	CHECK(host_signals() >= sig + 1000, "host signalled 1000 times");
	arm_all(port, false);

	/* Many frames, all through sleep and wake. */
	rx0 = host_rx();
	for (i = 0; i < 1000; i++) {
		send_one(port, mp, 100 + i);
		if (i % 64 == 63)
			CHECK(host_delivered(rx0 + i + 1), "delivered");
	}
	CHECK_EQ(receive_by_interrupt(port, 1000), 1000);

	/* Rescind and re-offer while armed: the new channels wake the
	 * same fds; armed again, they work. */
	arm_all(port, true);
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	{
		uint64_t end = pt_ms() + WAIT_MS;

		/* The port lets go of the old channels while polled. */
		while (pt_ms() < end) {
			struct hvsim_nic_stats hs;

			CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
			if (hs.relids_held == 0)
				break;
			drain(port, (1u << NQ) - 1);
			usleep(1000);
		}
	}
	(void)woken(0);
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	{
		uint64_t end = pt_ms() + WAIT_MS;

		w = 0;
		while (w != (1u << NQ) - 1 && pt_ms() < end)
			w |= woken(500);
		CHECK_EQ(w, (1u << NQ) - 1);
	}
	/* The channels open before the port is back (link up). */
	{
		uint64_t end = pt_ms() + WAIT_MS;
		struct rte_eth_link l;

		do {
			drain(port, (1u << NQ) - 1);
			usleep(1000);
		} while ((rte_eth_link_get_nowait(port, &l) != 0 ||
			  !l.link_status) && pt_ms() < end);
		CHECK(l.link_status, "link up after the re-offer");
	}
	send_one(port, mp, 5000);
	CHECK_EQ(receive_by_interrupt(port, 1), 1);

	pt_teardown(port, mp, h);
	return check_exit("intr");
}
