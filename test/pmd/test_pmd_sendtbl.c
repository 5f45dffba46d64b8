/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host's send indirection table against the embedded hvsim, 4 queue
 * pairs (tx on channels of their own, or with "shared" on the rx
 * channels): the table hvsim sends once every subchannel is open is
 * stored and mapped to tx queues (rte_pmd_hvnet_send_table_get) and shown
 * in telemetry; tables with a wrong count, an offset inside the fixed part
 * or past the message, a short message or a channel number no device has
 * are refused and the previous table stays; a legal new table replaces
 * it; a new session (reset) forgets it until the host sends one again.
 */

#include "pmd_test.h"
#include "rte_pmd_hvnet.h"

#define NQ	4
#define TBL	RTE_PMD_HVNET_SEND_TABLE_SIZE
/* The cap of every wait here, the bus's host answers (timeout_ms) among
 * them: each wait ends once its condition holds, so the cap only bounds
 * a host that never answers - and the embedded host's thread may wait
 * seconds for a CPU on a loaded machine (3 s failed a GPADL_HEADER at
 * load 20), which is no fault of the driver's. */
#define WAIT_MS	30000
#define WAIT_ARG	"timeout_ms=" RTE_STR(WAIT_MS)

static long long
tel(const char *key)
{
	char js[8192];

	if (pt_telemetry("/hvnet/ports", js, sizeof(js)) <= 0)
		return -2;
	return pt_json_int(js, key);
}

/* Poll rx queue 0 (channel 0's reader) until telemetry @p key reaches
 * @p want or WAIT_MS pass. */
static bool
poll_until(uint16_t port, const char *key, long long want)
{
	uint64_t end = pt_ms() + WAIT_MS;
	struct rte_mbuf *rx[16];

	while (pt_ms() < end) {
		pt_free(rx, rte_eth_rx_burst(port, 0, rx, 16));
		if (tel(key) >= want)
			return true;
		usleep(1000);
	}
	return false;
}

static void
check_table(uint16_t port, const uint32_t *want_chan, const char *what)
{
	uint32_t chan[TBL];
	uint16_t txq[TBL];
	unsigned int i;
	int rc;

	memset(chan, 0xff, sizeof(chan));
	rc = rte_pmd_hvnet_send_table_get(port, txq, chan);
	CHECK_EQ(rc, 0);
	if (rc != 0)
		return;
	for (i = 0; i < TBL; i++) {
		CHECK(chan[i] == want_chan[i], "%s: bucket %u channel %u, "
		      "want %u", what, i, chan[i], want_chan[i]);
		/* The tx queue on that channel, its queue pair for an rx
		 * channel, else the channel modulo the queue count. */
		CHECK(txq[i] == want_chan[i] % NQ, "%s: bucket %u txq %u, "
		      "want %u", what, i, txq[i], want_chan[i] % NQ);
	}
}

/* Send a table with the given fields; it must be refused. */
static void
refused(struct hvsim *h, uint16_t port, const uint32_t *tbl, uint32_t count,
	uint32_t off, uint32_t len, const uint32_t *kept, const char *what)
{
	long long bad = tel("send_table_refused");
	long long upd = tel("send_table_updates");

	CHECK_EQ(hvsim_netvsp_send_table(h, 0, tbl, count, off, len, WAIT_MS),
		 0);
	CHECK(poll_until(port, "send_table_refused", bad + 1), "%s refused",
	      what);
	CHECK_EQ(tel("send_table_updates"), upd);
	check_table(port, kept, what);
}

/* Send @p n frames of different flows, each on the tx queue the table
 * gives its bucket; count those that come back on any rx queue. */
static unsigned int
tx_by_table(uint16_t port, struct rte_mempool *mp, unsigned int n)
{
	struct rte_mbuf *m, *rx[32];
	unsigned int i, got = 0;
	uint16_t txq[TBL], q;
	uint64_t end;

	if (rte_pmd_hvnet_send_table_get(port, txq, NULL) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		m = pt_frame(mp, port, 128, i, IPPROTO_UDP,
			     (uint16_t)(1000 + i), 2000);
		REQUIRE(m != NULL);
		/* Any flow hash would do for the test; the source port. */
		if (pt_tx_all(port, txq[i % TBL], &m, 1) != 1)
			rte_pktmbuf_free(m);
		for (q = 0; q < NQ; q++) {
			uint16_t r = rte_eth_rx_burst(port, q, rx, 32);

			got += r;
			pt_free(rx, r);
		}
	}
	end = pt_ms() + WAIT_MS;
	while (got < n && pt_ms() < end)
		for (q = 0; q < NQ; q++) {
			uint16_t r = rte_eth_rx_burst(port, q, rx, 32);

			got += r;
			pt_free(rx, r);
		}
	return got;
}

int
main(int argc, char **argv)
{
	uint32_t want[TBL], next[TBL], junk[TBL];
	struct hvsim_nic_stats hs;
	struct rte_mempool *mp;
	uint16_t txq[TBL];
	struct hvsim *h;
	uint16_t port = 0;
	unsigned int i, nchan;
	bool shared;
	int rc;

	shared = argc > 1 && strcmp(argv[1], "shared") == 0;
	mp = pt_setup(argv[0], "1", WAIT_ARG, 4095, &h,
		      shared ? "--allow=hvbus:69737668-006d-494e-8043-"
		      "00155d000000,tx_channels=0" : NULL, NULL);

	/* Not configured: no tx queue to name. Not an hvnet port. */
	CHECK_EQ(rte_pmd_hvnet_send_table_get(port, txq, NULL), -EINVAL);
	CHECK_EQ(rte_pmd_hvnet_send_table_get(RTE_MAX_ETHPORTS, txq, NULL),
		 -ENODEV);

	rc = pt_port_start(port, NQ, mp, RTE_ETH_RX_OFFLOAD_RSS_HASH, 0, 256);
	REQUIRE(rc == 0, "start with %d queues: %d", NQ, rc);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	nchan = shared ? NQ : 2 * NQ;
	CHECK_EQ(hs.n_queues, nchan);
	CHECK_EQ(rte_pmd_hvnet_send_table_get(port, NULL, NULL), -EINVAL);

	/* hvsim's table: the open channels round robin. */
	CHECK(poll_until(port, "send_table_updates", 1), "table arrived");
	for (i = 0; i < TBL; i++)
		want[i] = i % nchan;
	check_table(port, want, "hvsim's");
	{
		char js[8192];

		CHECK(pt_telemetry("/hvnet/ports", js, sizeof(js)) > 0,
		      "telemetry");
		CHECK(strstr(js, shared ? "\"send_table\":[0,1,2,3,0,1,2,3," :
			     "\"send_table\":[0,1,2,3,4,5,6,7,0,") != NULL,
		      "table in telemetry: %s", js);
	}

	/* What the host chooses, refused. */
	for (i = 0; i < TBL; i++)
		junk[i] = (i * 5) % nchan;
	refused(h, port, junk, TBL - 1, 12, 12 + 4 * TBL, want, "count 15");
	refused(h, port, junk, TBL + 1, 12, 12 + 4 * (TBL + 1), want,
		"count 17");
	refused(h, port, junk, TBL, 4, 12 + 4 * TBL, want,
		"offset inside the fixed part");
	/* VMBus pads a packet to 8 bytes: 76 arrive as 80. */
	refused(h, port, junk, TBL, 24, 12 + 4 * TBL, want,
		"table past the message");
	refused(h, port, junk, TBL, 0xfffffff0u, 12 + 4 * TBL, want,
		"offset wrapping");
	refused(h, port, junk, TBL, 12, 12 + 4 * TBL - 4, want,
		"message one entry short");
	refused(h, port, junk, TBL, 12, 12, want, "fixed part only");
	junk[7] = 64;
	refused(h, port, junk, TBL, 12, 12 + 4 * TBL, want,
		"channel 64");
	junk[7] = UINT32_MAX;
	refused(h, port, junk, TBL, 12, 12 + 4 * TBL, want,
		"channel 2^32-1");

	/* A legal new table, placed further in a longer message, replaces
	 * it; a channel the port does not have maps modulo the queues. */
	for (i = 0; i < TBL; i++)
		next[i] = (TBL - 1 - i) % nchan;
	next[3] = 63;
	CHECK_EQ(hvsim_netvsp_send_table(h, 0, next, TBL, 40, 40 + 4 * TBL,
					 WAIT_MS), 0);
	CHECK(poll_until(port, "send_table_updates", 2), "new table taken");
	check_table(port, next, "second");

	/* Frames sent on the tx queue the table names per flow all come
	 * back (hvsim reflects them; RSS spreads them over the rx queues). */
	CHECK_EQ(tx_by_table(port, mp, 256), 256);

	/* A new session forgets the last one's table until the host sends
	 * one again. */
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	CHECK_EQ(rte_pmd_hvnet_send_table_get(port, txq, NULL), -ENOENT);
	rc = pt_port_start(port, NQ, mp, RTE_ETH_RX_OFFLOAD_RSS_HASH, 0, 256);
	CHECK_EQ(rc, 0);
	CHECK(poll_until(port, "send_table_updates", 3), "table again");
	check_table(port, want, "after reset");

	pt_teardown(port, mp, h);
	return check_exit(shared ? "pmd_sendtbl_shared" : "pmd_sendtbl");
}
