/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A transfer-page packet taken a frame at a time: the receive burst stops
 * inside the packet when the caller's room is full and goes on there at
 * the next call; the host gets the packet's sections back (one completion)
 * once the last range is taken. With a receive buffer of 4 MiB (about
 * 400 sections of 9 KB) against a reflecting host:
 *  - bursts of one frame: every frame arrives intact and in order, and
 *    while a packet is in progress rx_queue_count says frames are ready;
 *  - the port stopped and started with a packet in progress, and a control
 *    exchange (promiscuous on/off: the control path takes channel 0 and
 *    the frames it meets there) with one in progress: later frames still
 *    arrive in order;
 *  - afterwards a window of frames nearly the size of the receive buffer is
 *    out at once and every frame comes back: a completion never sent would
 *    keep sections from the host for good (it drops what it cannot place),
 *    one sent twice is refused by it (tx_bad) and by its checker.
 */

#include "pmd_test.h"

#define ROUND		64
#define CYCLES		12

static const uint32_t sizes[] = { 60, 128, 333, 700, 1514 };

static uint32_t
seq_of(const struct rte_mbuf *m)
{
	uint32_t v;

	/* pt_frame(): the sequence number right after the L4 header. */
	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *,
					   sizeof(struct rte_ether_hdr) +
					   sizeof(struct rte_ipv4_hdr) +
					   sizeof(struct rte_udp_hdr)),
	       sizeof(v));
	return v;
}

/* Frame number @p seq, of its size, its last byte as pt_frame() wrote
 * it. */
static bool
frame_ok(const struct rte_mbuf *m, uint32_t seq)
{
	uint32_t len = sizes[seq % RTE_DIM(sizes)];

	return seq_of(m) == seq && m->pkt_len == len && m->nb_segs == 1 &&
		*rte_pktmbuf_mtod_offset(m, const uint8_t *, len - 1) ==
		(uint8_t)(seq * 7 + len - 1);
}

/* Frames @p first .. @p first + @p n - 1 out on queue 0. */
static void
send_round(struct rte_mempool *mp, uint16_t port, uint32_t first, uint16_t n)
{
	struct rte_mbuf *tx[ROUND * 2];
	uint16_t i, sent;

	REQUIRE(n <= RTE_DIM(tx));
	for (i = 0; i < n; i++) {
		tx[i] = pt_frame(mp, port, sizes[(first + i) % RTE_DIM(sizes)],
				 first + i, IPPROTO_UDP, 1000, 2000);
		REQUIRE(tx[i] != NULL);
	}
	sent = pt_tx_all(port, 0, tx, n);
	CHECK_EQ(sent, n);
	pt_free(tx + sent, n - sent);
}

/* One frame per burst until @p want came or @p stop_in_progress and a
 * packet is in progress; each must be the next in order (*@p next) and
 * of its size. Returns the frames taken. */
static uint32_t
take_singles(uint16_t port, uint32_t *next, uint32_t want,
	     bool stop_in_progress, uint32_t *bad)
{
	uint64_t end = pt_ms() + 5000;
	struct rte_mbuf *m;
	uint32_t got = 0;

	while (got < want && pt_ms() < end) {
		if (rte_eth_rx_burst(port, 0, &m, 1) == 0) {
			usleep(50);
			continue;
		}
		if (!frame_ok(m, *next))
			(*bad)++;
		(*next)++;
		got++;
		rte_pktmbuf_free(m);
		if (stop_in_progress && rte_eth_rx_queue_count(port, 0) > 0)
			break;
	}
	return got;
}

int
main(int argc, char **argv)
{
	struct hvsim_nic_stats hs;
	struct rte_mbuf *rx[32];
	struct rte_mempool *mp;
	uint32_t next = 0, bad = 0, got, i, in_progress = 0, window;
	uint16_t port = 0, n;
	uint64_t end, dropped;
	struct hvsim *h;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h,
		      "--allow=hvbus:69737668-006d-494e-8043-"
		      "00155d000000,recv_buf_mb=4", NULL);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);

	/* Bursts of one frame. */
	for (i = 0; i < CYCLES; i++) {
		uint32_t first = next;

		send_round(mp, port, first, ROUND);
		got = take_singles(port, &next, ROUND, false, &bad);
		CHECK_EQ(got, ROUND);
	}
	CHECK_EQ(bad, 0);

	/* Stop/start, then a control exchange, each with a packet in
	 * progress when the host sent the round in one packet. The frames
	 * not taken before a stop are dropped (the next expected number
	 * then skips them); a control exchange loses none. */
	for (i = 0; i < 2 * CYCLES; i++) {
		uint32_t first = next, k;

		send_round(mp, port, first, ROUND);
		got = take_singles(port, &next, ROUND, true, &bad);
		if (got < ROUND && rte_eth_rx_queue_count(port, 0) > 0)
			in_progress++;
		if (i % 2 == 0) {
			CHECK_EQ(rte_eth_dev_stop(port), 0);
			CHECK_EQ(rte_eth_dev_start(port), 0);
			/* What is left of the round: whole packets only. */
			end = pt_ms() + 300;
			while (pt_ms() < end) {
				n = rte_eth_rx_burst(port, 0, rx, 32);
				for (k = 0; k < n; k++) {
					if (seq_of(rx[k]) < next ||
					    seq_of(rx[k]) >= first + ROUND)
						bad++;
					next = seq_of(rx[k]) + 1;
				}
				pt_free(rx, n);
				if (n == 0)
					usleep(1000);
			}
			next = first + ROUND;
		} else {
			/* More frames on their way while the control path
			 * owns channel 0. */
			send_round(mp, port, first + ROUND, ROUND);
			CHECK_EQ(rte_eth_promiscuous_enable(port), 0);
			CHECK_EQ(rte_eth_promiscuous_disable(port), 0);
			got += take_singles(port, &next, 2 * ROUND - got,
					    false, &bad);
			CHECK_EQ(got, 2 * ROUND);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(in_progress >= CYCLES / 2, "a packet was in progress %u times "
	      "of %u", in_progress, 2 * CYCLES);

	/* Every section back at the host: a window of most of them. */
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	dropped = hs.rx_dropped;
	window = 256;
	for (i = 0; i < 4; i++) {
		uint32_t first = next, k, left = window;

		while (left != 0) {
			n = (uint16_t)RTE_MIN(left, 2u * ROUND);
			send_round(mp, port, first + window - left, n);
			left -= n;
		}
		got = 0;
		end = pt_ms() + 5000;
		while (got < window && pt_ms() < end) {
			n = rte_eth_rx_burst(port, 0, rx, 32);
			for (k = 0; k < n; k++)
				if (!frame_ok(rx[k], next++))
					bad++;
			got += n;
			pt_free(rx, n);
			if (n == 0)
				usleep(100);
		}
		CHECK_EQ(got, window);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.rx_dropped - dropped, 0);
	CHECK_EQ(hs.tx_bad, 0);
	CHECK_EQ(pt_xstat(port, "rx_q0_errors"), 0);

	pt_teardown(port, mp, h);
	return check_exit("pmd_rxresume");
}
