/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A host that rescinds the primary channel alone (hvsim's
 * HVSIM_RESCIND_PRIMARY_ONLY) leaves the subchannels offered and open: it
 * may still read every GPA-direct frame sent on them until it has
 * processed their CLOSECHANNEL. The queues on those subchannels must keep
 * such mbufs until then; only the queues of the rescinded primary give
 * theirs back at once.
 *
 * The test holds every data completion, sends GPA-direct frames on a tx
 * queue whose channel is a subchannel, and holds the host's processing of
 * the guest's channel messages (the CLOSECHANNEL hook) while the port
 * closes the subchannel. The queue, polled meanwhile, finds its channel
 * unpublished (a probe frame is dropped); its frames must stay out of
 * their pool until the hook is released and the close completes, and come
 * back then. Afterwards the host rescinds the subchannels too and offers
 * the device again: the port carries traffic again.
 *
 * Default: tx on a channel of its own (1 queue pair: tx queue 0 on
 * channel 1). "shared" (tx_channels=0, 2 queue pairs): tx queue 1 on
 * channel 1, shared with rx queue 1. "unconfirmed": the hook is held past
 * the close's deadline, so the port never learns that the host closed the
 * subchannel: the frames stay out (telemetry channels_held) until a new
 * channel opens in its place, after the re-offer.
 */

#include "pmd_test.h"

#define NDESC	256u
#define NFRAMES	4u

static struct hvsim *h;
static struct rte_mempool *mp, *txmp;
static uint16_t nq, txq;
static bool unconfirmed;

static long long
telemetry(const char *key)
{
	char js[4096];

	if (pt_telemetry("/hvnet/ports", js, sizeof(js)) <= 0)
		return -1;
	return pt_json_int(js, key);
}

static int
wait_held(int n)
{
	uint64_t end = pt_ms() + 15000;

	while (hvsim_netvsp_held_cmplt(h, 0) < n && pt_ms() < end)
		usleep(1000);
	return hvsim_netvsp_held_cmplt(h, 0);
}

static long long
tx_dropped(void)
{
	char name[64];

	snprintf(name, sizeof(name), "tx_q%u_dropped", txq);
	return pt_xstat(0, name);
}

/* Take whatever arrived off every rx queue. */
static uint16_t
drain_rx(void)
{
	struct rte_mbuf *m[32];
	uint16_t q, n, got = 0;

	for (q = 0; q < nq; q++) {
		n = rte_eth_rx_burst(0, q, m, 32);
		pt_free(m, n);
		got += n;
	}
	return got;
}

/* Poll the tx queue as an application would, with nothing to send. */
static void
poll_tx(unsigned int ms)
{
	struct rte_mbuf *none[1];
	uint64_t end = pt_ms() + ms;

	do {
		rte_eth_tx_burst(0, txq, none, 0);
		usleep(1000);
	} while (pt_ms() < end);
}

static void
held_across_close(void)
{
	struct rte_mbuf *m;
	long long drop0;
	uint64_t end;
	uint32_t i;

	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, true), 0);
	for (i = 0; i < NFRAMES; i++) {
		/* 1000 bytes: GPA-direct, the host reads the mbuf itself. */
		m = pt_frame(txmp, 0, 1000, i, IPPROTO_UDP, 7, 8);
		REQUIRE(m != NULL);
		CHECK_EQ(pt_tx_all(0, txq, &m, 1), 1);
	}
	CHECK_EQ(wait_held(NFRAMES), (int)NFRAMES);
	CHECK_EQ(rte_mempool_in_use_count(txmp), (int)NFRAMES);

	/* The primary goes alone; the host then stops at the first
	 * CLOSECHANNEL (the rescinded primary's), and every later channel
	 * message of the NIC - the subchannel's close - waits behind it. */
	CHECK_EQ(hvsim_hook_arm(h, 0, HVSIM_STEP_CLOSE_RECEIVED), 0);
	CHECK_EQ(hvsim_rescind(h, 0, HVSIM_RESCIND_PRIMARY_ONLY), 0);
	CHECK_EQ(hvsim_hook_wait(h, 0, 15000), 0);

	/* The port closes the subchannel: the queue finds it unpublished
	 * (its probe is dropped) while the host still serves the ring. */
	drop0 = tx_dropped();
	end = pt_ms() + 15000;
	while (tx_dropped() == drop0 && pt_ms() < end) {
		m = pt_frame(mp, 0, 64, 99, IPPROTO_UDP, 7, 8);
		REQUIRE(m != NULL);
		if (rte_eth_tx_burst(0, txq, &m, 1) == 0)
			rte_pktmbuf_free(m);
		usleep(1000);
	}
	CHECK(tx_dropped() > drop0, "tx queue %u never saw its channel go",
	      txq);
	if (unconfirmed) {
		/* Past the close's deadline the port gives up on it. */
		end = pt_ms() + 60000;
		while (telemetry("channels_held") != 2 && pt_ms() < end)
			poll_tx(10);
		CHECK_EQ(telemetry("channels_held"), 2);
	}
	poll_tx(200);
	CHECK(rte_mempool_in_use_count(txmp) == (int)NFRAMES,
	      "%d of %u GPA-direct mbufs went back to their pool before the "
	      "host processed the subchannel's close",
	      (int)NFRAMES - rte_mempool_in_use_count(txmp), NFRAMES);

	CHECK_EQ(hvsim_hook_release(h, 0), 0);
	if (unconfirmed) {
		/* The host closes late: the port cannot know, and keeps
		 * them until the slot holds a new channel (recover()). */
		poll_tx(300);
		CHECK_EQ(rte_mempool_in_use_count(txmp), (int)NFRAMES);
	} else {
		/* The host processes the closes: now they are the queue's. */
		end = pt_ms() + 15000;
		while (rte_mempool_in_use_count(txmp) != 0 && pt_ms() < end)
			poll_tx(5);
		CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
	}
	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, false), 0);
}

/* The host finishes what it started: subchannels rescinded, the device
 * offered again; frames go out and come back. */
static void
recover(void)
{
	struct rte_mbuf *m[32];
	uint64_t end;
	uint16_t got = 0, i;
	int rc;

	CHECK_EQ(hvsim_rescind(h, 0, 1), 0);
	end = pt_ms() + 10000;
	while ((rc = hvsim_reoffer(h, 0)) == -EBUSY && pt_ms() < end)
		usleep(2000);
	CHECK_EQ(rc, 0);
	CHECK_EQ(pt_wait_link(0, 1, 15000), 0);
	/* Until tx queue txq has rebound, its frames are dropped. */
	end = pt_ms() + 15000;
	while (got == 0 && pt_ms() < end) {
		for (i = 0; i < 32; i++) {
			m[i] = pt_frame(txmp, 0, i % 2 ? 1000 : 100, i,
					IPPROTO_UDP, (uint16_t)(7 + i), 8);
			REQUIRE(m[i] != NULL);
		}
		CHECK_EQ(pt_tx_all(0, txq, m, 32), 32);
		usleep(20000);
		got = drain_rx();
	}
	CHECK(got > 0, "no frame came back after the re-offer");
	CHECK_EQ(telemetry("channels_held"), 0);
	/* Everything sent is back, the frames of the unconfirmed close
	 * too (the queue rebound to the new channel). */
	end = pt_ms() + 15000;
	while (rte_mempool_in_use_count(txmp) != 0 && pt_ms() < end) {
		poll_tx(5);
		drain_rx();
	}
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	bool shared = strcmp(mode, "shared") == 0;
	char name[64];
	uint64_t end;
	int rc;

	unconfirmed = strcmp(mode, "unconfirmed") == 0;
	/* The bus's deadline for each host answer. Unconfirmed: the close
	 * must reach it (the hook holds the host until the port gave up), so
	 * it is shorter there - yet long enough for every other answer on a
	 * loaded machine, where the host's thread may wait seconds for a CPU.
	 */
	mp = pt_setup(argv[0], "1", unconfirmed ? "timeout_ms=10000" :
		      "timeout_ms=30000", 2047, &h,
		      shared ? "--allow=hvbus:69737668-006d-494e-8043-"
		      "00155d000000,tx_channels=0" : NULL, NULL);
	nq = shared ? 2 : 1;
	txq = shared ? 1 : 0;
	txmp = rte_pktmbuf_pool_create("tx", 2 * NDESC, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(txmp != NULL);
	rc = pt_port_start(0, nq, mp, 0, 0, NDESC);
	REQUIRE(rc == 0, "start: %d", rc);
	CHECK_EQ(pt_wait_link(0, 1, 15000), 0);

	held_across_close();
	recover();

	CHECK_EQ(rte_eth_dev_stop(0), 0);
	CHECK_EQ(rte_eth_dev_close(0), 0);
	end = pt_ms() + 1000;
	while (rte_mempool_in_use_count(mp) != 0 && pt_ms() < end)
		usleep(1000);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_mempool_in_use_count(txmp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	snprintf(name, sizeof(name), "pmd_hostile_unbind%s%s",
		 *mode != '\0' ? "_" : "", mode);
	return check_exit(name);
}
