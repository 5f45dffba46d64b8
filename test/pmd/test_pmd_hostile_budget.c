/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Loops the host feeds have a budget per call. The test plays a host that
 * fills a channel's ring with packets carrying no frame (completions
 * naming nothing, unknown messages, packets too big to copy, transfer
 * pages without a message) and then one that keeps write_index moving for
 * ever. Each call must stop at its budget, counted, and leave the rest for
 * the next call; how far it read is what the guest publishes as
 * read_index.
 *
 * One port, 2 queue pairs with tx channels of their own: rx queue 1 reads
 * channel 1 (rx burst), tx queue 0 channel 2 (tx burst's reap), tx queue 1
 * channel 3 (the control path draining it at dev_stop). hvsim sends
 * nothing on those channels meanwhile: no frames are sent.
 */

#include "pmd_test.h"
#include "hostile_ring.h"
#include "hvn.h"

/* Every kind, the big ones rarer: 2 x 256 packets fit a 1 MiB ring. */
static const enum hr_kind all_kinds[] = {
	HR_CMPLT, HR_INBAND, HR_NOFRAME, HR_CMPLT, HR_INBAND, HR_NOFRAME,
	HR_CMPLT, HR_INBAND, HR_NOFRAME, HR_CMPLT, HR_INBAND, HR_NOFRAME,
	HR_CMPLT, HR_INBAND, HR_NOFRAME, HR_BIG,
};

/* Packets consumed by one call, from the ring offsets hr_fill() noted. */
static uint32_t
hr_consumed(const struct hr_ring *r, uint32_t from, uint32_t rd)
{
	uint32_t i;

	for (i = from; i < r->n; i++)
		if (r->end[i] == rd)
			return i + 1 - from;
	return UINT32_MAX;
}

static void
rx_prefilled(uint16_t port, struct hvbus_chan *c)
{
	static struct hr_ring r;
	struct rte_mbuf *m[32];
	uint32_t n = 2 * HVN_RX_RING_BUDGET + 7, done = 0, got, i, cmplt = 0;
	const uint32_t expect[] = { HVN_RX_RING_BUDGET, HVN_RX_RING_BUDGET,
				    7 };

	REQUIRE(hr_fill(&r, c, all_kinds, RTE_DIM(all_kinds), n) == n);
	for (i = 0; i < RTE_DIM(expect); i++) {
		CHECK_EQ(rte_eth_rx_burst(port, 1, m, 32), 0);
		got = hr_consumed(&r, done, hr_read_index(c));
		CHECK(got == expect[i], "rx burst %u read %u packets, %u "
		      "expected", i, got, expect[i]);
		done += got == UINT32_MAX ? 0 : got;
	}
	CHECK_EQ(pt_xstat(port, "rx_q1_budget_cut"), 2);
	/* Completions on an rx-only channel are ignored; the rest counted. */
	for (i = 0; i < n; i++)
		cmplt += all_kinds[i % RTE_DIM(all_kinds)] == HR_CMPLT;
	CHECK_EQ(pt_xstat(port, "rx_q1_errors"), n - cmplt);
}

static void
tx_prefilled(uint16_t port, struct hvbus_chan *c)
{
	static struct hr_ring r;
	struct rte_mbuf *m[1];
	uint32_t n = 2 * HVN_TX_REAP_BUDGET + 5, done = 0, got, i;
	const uint32_t expect[] = { HVN_TX_REAP_BUDGET, HVN_TX_REAP_BUDGET,
				    5 };
	const enum hr_kind k = HR_CMPLT;

	REQUIRE(hr_fill(&r, c, &k, 1, n) == n);
	for (i = 0; i < RTE_DIM(expect); i++) {
		CHECK_EQ(rte_eth_tx_burst(port, 0, m, 0), 0);
		got = hr_consumed(&r, done, hr_read_index(c));
		CHECK(got == expect[i], "tx burst %u reaped %u packets, %u "
		      "expected", i, got, expect[i]);
		done += got == UINT32_MAX ? 0 : got;
	}
	CHECK_EQ(pt_xstat(port, "tx_q0_budget_cut"), 2);
	CHECK_EQ(pt_xstat(port, "tx_q0_bad_cmplt"), n);
}

/* dev_stop drains tx queue 1 with one poll of channel 3 (nothing in
 * flight): 80 packets too big to copy, of which the poll takes 64. */
static void
ctl_prefilled(uint16_t port, struct hvbus_chan *c)
{
	static struct hr_ring r;
	const enum hr_kind k = HR_BIG;
	uint32_t got;

	REQUIRE(hr_fill(&r, c, &k, 1, 80) == 80);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	got = hr_consumed(&r, 0, hr_read_index(c));
	CHECK(got == HVN_CTL_POLL_BUDGET, "control poll read %u packets",
	      got);
	CHECK_EQ(pt_xstat(port, "ctl_budget_cut"), 1);
	CHECK_EQ(rte_eth_dev_start(port), 0);
}

/* A host that keeps the ring full: every call reads exactly its budget
 * (the guest never finds the ring empty) and returns. */
static void
flooded(uint16_t port, struct hvbus_chan *c, bool rx, uint16_t q,
	uint32_t budget)
{
	struct hr_flood f;
	struct rte_mbuf *m[32];
	char name[64];
	uint32_t i, rd, bad = 0;
	long long cut0;

	snprintf(name, sizeof(name), "%s_q%u_budget_cut", rx ? "rx" : "tx", q);
	cut0 = pt_xstat(port, name);
	REQUIRE(hr_flood_start(&f, c, HR_CMPLT) == 0);
	for (i = 0; i < 200; i++) {
		/* Whatever the host thread's timing, the ring is full. */
		hr_flood_move(&f);
		rd = hr_read_index(c);
		if (rx)
			pt_free(m, rte_eth_rx_burst(port, q, m, 32));
		else
			rte_eth_tx_burst(port, q, m, 0);
		rd = (hr_read_index(c) + c->rx.size - rd) % c->rx.size;
		if (rd != budget * f.pkt_bytes)
			bad++;
	}
	hr_flood_stop(&f);
	CHECK(bad == 0, "%u of 200 %s bursts read other than %u packets",
	      bad, rx ? "rx" : "tx", budget);
	CHECK_EQ(pt_xstat(port, name) - cut0, 200);
	CHECK(f.moves >= 1, "the host moved write_index");
}

/* The same host on the channel the control path drains while tx queue 1
 * has a request at the host (hvsim stopped that channel when the test
 * wrote it behind its back: it never completes): dev_stop gives up after
 * its 500 ms deadline instead of reading for ever. */
static void
ctl_flooded(uint16_t port, struct rte_mempool *mp, struct hvbus_chan *c)
{
	struct hr_flood f;
	struct rte_mbuf *m;
	long long cut0 = pt_xstat(port, "ctl_budget_cut");
	uint64_t t0;

	m = pt_frame(mp, port, 1000, 1, IPPROTO_UDP, 5, 6);
	REQUIRE(m != NULL);
	CHECK_EQ(rte_eth_tx_burst(port, 1, &m, 1), 1);
	CHECK_EQ(rte_eth_tx_descriptor_status(port, 1, 0),
		 RTE_ETH_TX_DESC_FULL);
	REQUIRE(hr_flood_start(&f, c, HR_BIG) == 0);
	t0 = pt_ms();
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	t0 = pt_ms() - t0;
	hr_flood_stop(&f);
	/* Reading for ever would never return (the flood lasts until
	 * dev_stop does); the bound leaves a loaded machine its seconds. */
	CHECK(t0 < 15000, "dev_stop took %llu ms", (unsigned long long)t0);
	CHECK(pt_xstat(port, "ctl_budget_cut") - cut0 > 10,
	      "control polls cut: %lld", pt_xstat(port, "ctl_budget_cut") -
	      cut0);
}

/* hvsim saw the guest read what hvsim did not write, on each of the three
 * channels the test wrote (and stopped them): that, and nothing else. */
static void
hijacked_only(struct hvsim *h)
{
	char buf[4096], *line, *save = NULL;
	unsigned int n = 0;

	CHECK_EQ(hvsim_violations(h), 3);
	hvsim_report(h, buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), n++)
		CHECK(strstr(line, "host->guest read_index moved") != NULL &&
		      (strstr(line, "sub 1 ") != NULL ||
		       strstr(line, "sub 2 ") != NULL ||
		       strstr(line, "sub 3 ") != NULL),
		      "unexpected violation: %s", line);
	CHECK_EQ(n, 3);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct hvbus_chan *c1, *c2, *c3;
	struct hvsim *h;
	uint16_t port = 0;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h, NULL);
	rc = pt_port_start(port, 2, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);
	c1 = hr_chan(port, 1);
	c2 = hr_chan(port, 2);
	c3 = hr_chan(port, 3);
	REQUIRE(c1 != NULL && c2 != NULL && c3 != NULL,
		"4 channels: tx on channels of its own");
	REQUIRE(c3->rx.size % HR_BIG_BYTES == 0);

	rx_prefilled(port, c1);
	tx_prefilled(port, c2);
	ctl_prefilled(port, c3);
	flooded(port, c1, true, 1, HVN_RX_RING_BUDGET);
	flooded(port, c2, false, 0, HVN_TX_REAP_BUDGET);
	ctl_flooded(port, mp, c3);

	/* Channels 1-3 now hold what this host wrote: close, no traffic. */
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	hijacked_only(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 3);
	return check_exit("pmd_hostile_budget");
}
