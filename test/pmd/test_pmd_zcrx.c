/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Zero-copy receive (rx_copybreak=256) against a reflecting hvsim with a
 * 4 MiB receive buffer:
 *  - frames on both sides of rx_copybreak come back intact; those of 256
 *    bytes and more are attached to the receive buffer (external), the
 *    others copied;
 *  - forwarded as received, with MBUF_FAST_FREE as testpmd asks for it:
 *    the reflections intact, every receive section back at the host;
 *  - the host gets a packet's sections back only once the application has
 *    freed its frames (hvsim's count of sections not completed);
 *  - the application holding more than the hold cap: the rest is copied,
 *    traffic keeps flowing, and everything comes back once freed;
 *  - frames held across a port stop and start, across a rescind and
 *    re-offer, and across the close: still intact afterwards (the receive
 *    buffer was not freed under them: the arena zeroes what is freed),
 *    freed late without harm, the pool whole at the end (run under ASan
 *    by the stress suite); the receive buffer they kept is freed once
 *    the last of them is, exactly once (the simulator's arena back to
 *    what the session alone holds, and not below).
 * With argument "twice": a hostile host names one section four times in
 * one transfer-page packet (written into channel 1's ring by the test):
 * every frame intact, each attached one with a shared-info of its own, and
 * the packet's slot completes once all are freed.
 */

#include "pmd_test.h"
#include "hostile_ring.h"
#include "hvn.h"
#include "sim.h"

#define NIC0	"69737668-006d-494e-8043-00155d000000"
#define CB	256u
#define HDRS	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
		 sizeof(struct rte_udp_hdr))
#define MAXH	2048u

static const uint32_t sizes[] = { 60, 200, 255, 256, 300, 700, 1514 };

static struct rte_mbuf *held[MAXH];
static unsigned int nheld;

/* Frame @p seq of length @p len as pt_frame() built it, byte for byte
 * after the headers. */
static bool
frame_ok(const struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t v, i;

	if (m->pkt_len != len || m->nb_segs != 1)
		return false;
	memcpy(&v, p + HDRS, sizeof(v));
	if (v != seq)
		return false;
	for (i = HDRS + 4; i < len; i++)
		if (p[i] != (uint8_t)(seq * 7 + i))
			return false;
	return true;
}

static void
send_frames(struct rte_mempool *mp, uint16_t port, uint32_t first,
	    uint32_t n, uint32_t len)
{
	struct rte_mbuf *tx[32];
	uint32_t done = 0, k, i;
	uint16_t sent;

	while (done < n) {
		k = RTE_MIN(32u, n - done);
		for (i = 0; i < k; i++) {
			uint32_t s = first + done + i;

			tx[i] = pt_frame(mp, port, len != 0 ? len :
					 sizes[s % RTE_DIM(sizes)], s,
					 IPPROTO_UDP, 1000, 2000);
			REQUIRE(tx[i] != NULL);
		}
		sent = pt_tx_all(port, 0, tx, (uint16_t)k);
		CHECK_EQ(sent, k);
		pt_free(tx + sent, (uint16_t)(k - sent));
		done += k;
	}
}

/* Receive @p n frames first.. in order; keep them in held[] when @p keep,
 * else check and free. Counts attached frames in *@p ext. */
static uint32_t
take(uint16_t port, uint32_t first, uint32_t n, uint32_t len, bool keep,
     uint32_t *bad, uint32_t *ext)
{
	struct rte_mbuf *rx[32];
	uint64_t end = pt_ms() + 5000;
	uint32_t got = 0, i, l;
	uint16_t c;

	while (got < n && pt_ms() < end) {
		c = rte_eth_rx_burst(port, 0, rx, (uint16_t)RTE_MIN(32u,
								    n - got));
		for (i = 0; i < c; i++) {
			uint32_t s = first + got + i;

			l = len != 0 ? len : sizes[s % RTE_DIM(sizes)];
			if (!frame_ok(rx[i], s, l))
				(*bad)++;
			/* Attached exactly from rx_copybreak on (while
			 * under the hold cap: the caller knows). */
			if (RTE_MBUF_HAS_EXTBUF(rx[i]))
				(*ext)++;
			if (len == 0 && !!RTE_MBUF_HAS_EXTBUF(rx[i]) !=
			    (l >= CB))
				(*bad)++;
			if (keep && nheld < MAXH)
				held[nheld++] = rx[i];
			else
				rte_pktmbuf_free(rx[i]);
		}
		got += c;
		if (c == 0)
			usleep(50);
	}
	return got;
}

/* The held frames, still intact: their data was not freed or reused. */
static uint32_t
held_bad(uint32_t first, uint32_t len)
{
	uint32_t i, bad = 0;

	for (i = 0; i < nheld; i++)
		if (!frame_ok(held[i], first + i, len))
			bad++;
	return bad;
}

static void
held_free(void)
{
	pt_free(held, (uint16_t)nheld);
	nheld = 0;
}

static uint32_t
sec_held(struct hvsim *h)
{
	struct hvsim_nic_stats hs;

	REQUIRE(hvsim_nic_stats(h, 0, &hs) == 0);
	return hs.rx_sec_held;
}

/* Poll queue 0 (its bursts send what is owed; the tx queue's clean-up
 * frees what the host completed) until the host holds no section for
 * us, or 3 s. */
static uint32_t
settle(uint16_t port, struct hvsim *h)
{
	uint64_t end = pt_ms() + 3000;
	struct rte_mbuf *rx[8];
	uint32_t left;

	while ((left = sec_held(h)) != 0 && pt_ms() < end) {
		rte_eth_tx_done_cleanup(port, 0, 0);
		pt_free(rx, rte_eth_rx_burst(port, 0, rx, 8));
		usleep(200);
	}
	return left;
}

/* Wait until the simulator's arena holds @p want bytes, or 5 s. */
static size_t
arena_wait(size_t want)
{
	uint64_t end = pt_ms() + 5000;
	size_t now;

	while ((now = hvbus_sim_arena_in_use()) != want && pt_ms() < end)
		usleep(500);
	return now;
}

static void
twice(const char *prog)
{
	struct rte_mbuf *rx[8];
	struct hr_ring r;
	struct hvbus_chan *c1;
	struct hvn_dev *hv;
	struct hvn_rxq *rxq;
	struct rte_mempool *mp;
	struct hvsim *h;
	uint8_t *sec, ext[sizeof(struct vmb_xfer_hdr) +
			  4 * sizeof(struct vmb_xfer_range)];
	uint8_t body[NVSP_MSG_SIZE] = { 0 };
	struct vmb_iov iov = { body, sizeof(body) };
	struct vmb_xfer_hdr xh = { .pageset_id = VMB_XFER_PAGESET_NETVSC,
				   .range_count = 4 };
	struct vmb_xfer_range rg;
	uint32_t i, nb = 0, nx = 0, len = 1000, pat = 77;
	uint64_t end;
	int off;
	uint16_t port = 0, n;

	mp = pt_setup(prog, "1", "timeout_ms=30000", 4095, &h,
		      "--allow=hvbus:" NIC0 ",rx_copybreak=256", NULL);
	CHECK_EQ(pt_port_start(port, 2, mp, 0, 0, 512), 0);
	hv = rte_eth_devices[port].data->dev_private;
	rxq = rte_eth_devices[port].data->rx_queues[1];
	/* Queue 1 binds to its channel at its first packet. */
	CHECK_EQ(rte_eth_rx_burst(port, 1, rx, 8), 0);
	c1 = hr_chan(port, 1);
	REQUIRE(c1 != NULL);
	/* Section 3 holds a data message with a hash-value PPI and a frame
	 * of 1000 bytes; nothing is in flight, so hvsim writes no section
	 * meanwhile. */
	sec = hv->rxbuf + 3 * (size_t)hv->rxlim.sec_size;
	REQUIRE(rndis_packet_begin(sec, hv->rxlim.sec_size) == 0);
	REQUIRE(rndis_packet_add_ppi_u32(sec, hv->rxlim.sec_size,
					 RNDIS_PPI_HASH_VALUE, 0x1234) == 0);
	off = rndis_packet_end(sec, hv->rxlim.sec_size, 0, len, 0);
	REQUIRE(off > 0);
	memset(sec + off, 0, HDRS);
	memcpy(sec + off + HDRS, &pat, sizeof(pat));
	for (i = HDRS + 4; i < len; i++)
		sec[off + i] = (uint8_t)(pat * 7 + i);
	/* One transfer-page packet naming it four times, no completion
	 * asked (hvsim knows nothing of it). */
	memcpy(ext, &xh, sizeof(xh));
	rg.len = (uint32_t)off + len;
	rg.offset = 3 * hv->rxlim.sec_size;
	for (i = 0; i < 4; i++)
		memcpy(ext + sizeof(xh) + i * sizeof(rg), &rg, sizeof(rg));
	nvsp_encode_rndis_pkt(body, sizeof(body), NVSP_RNDIS_CHAN_DATA,
			      NVSP_SECTION_NONE, 0);
	REQUIRE(vmb_ring_init(&r.w, c1->rx.hdr, c1->rx.data,
			      c1->rx.size) == 0);
	REQUIRE(vmb_ring_stage(&r.w, VMB_PKT_DATA_XFER_PAGES, 0, 0x5a5a,
			       ext, sizeof(ext), &iov, 1) == 0);
	vmb_ring_publish(&r.w);
	end = pt_ms() + 3000;
	while (nb < 4 && pt_ms() < end) {
		n = rte_eth_rx_burst(port, 1, rx + nb, (uint16_t)(8 - nb));
		nb += n;
		if (n == 0)
			usleep(100);
	}
	CHECK_EQ(nb, 4);
	for (i = 0; i < nb; i++) {
		CHECK(frame_ok(rx[i], pat, len), "frame %u", i);
		if (!RTE_MBUF_HAS_EXTBUF(rx[i]))
			continue;
		nx++;
		/* Per range: no two attached frames share a shared-info. */
		if (i > 0 && RTE_MBUF_HAS_EXTBUF(rx[i - 1]))
			CHECK(rx[i]->shinfo != rx[i - 1]->shinfo);
	}
	/* The first one teaches the queue the layout; the rest attach. */
	CHECK(nx >= 3, "%u of 4 attached", nx);
	CHECK_EQ(rxq->zc_n, 1);
	/* Freed in another order than given: the slot completes (silently:
	 * no completion was asked) once the last one is back. */
	rte_pktmbuf_free(rx[2]);
	rte_pktmbuf_free(rx[0]);
	rte_pktmbuf_free(rx[3]);
	CHECK_EQ(rte_eth_rx_burst(port, 1, rx, 4), 0);
	CHECK_EQ(rxq->zc_n, 1);
	CHECK(frame_ok(rx[1], pat, len));
	rte_pktmbuf_free(rx[1]);
	CHECK_EQ(rte_eth_rx_burst(port, 1, rx, 4), 0);
	CHECK_EQ(rxq->zc_n, 0);
	CHECK_EQ(pt_xstat(port, "rx_q1_errors"), 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	/* hvsim saw the guest read what it did not write on channel 1,
	 * and nothing else. */
	CHECK_EQ(hvsim_violations(h), 1);
	{
		char buf[1024];

		hvsim_report(h, buf, sizeof(buf));
		CHECK(strstr(buf, "host->guest read_index moved") != NULL &&
		      strstr(buf, "sub 1 ") != NULL, "%s", buf);
	}
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 1);
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct hvsim_nic_stats hs;
	uint32_t seq = 0, bad = 0, ext = 0, got, i, want, cap;
	const size_t rxbuf = (size_t)4 << 20;
	size_t arena;
	uint16_t port = 0;
	struct hvsim *h;
	uint64_t end;

	if (argc > 1 && strcmp(argv[1], "twice") == 0) {
		twice(argv[0]);
		return check_exit("pmd_zcrx_twice");
	}
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h,
		      "--allow=hvbus:" NIC0 ",recv_buf_mb=4,rx_copybreak=256",
		      NULL);
	CHECK_EQ(pt_port_start(port, 1, mp, 0,
			       RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE, 512), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	REQUIRE(hs.rx_sec_count >= 64, "%u receive sections",
		hs.rx_sec_count);
	/* What a session takes from the arena: rings, buffers. */
	arena = hvbus_sim_arena_in_use();
	REQUIRE(arena > rxbuf);

	/* Both sides of rx_copybreak, intact; attached from 256 bytes. */
	for (i = 0; i < 8; i++) {
		send_frames(mp, port, seq, 64, 0);
		got = take(port, seq, 64, 0, false, &bad, &ext);
		CHECK_EQ(got, 64);
		seq += 64;
	}
	CHECK_EQ(bad, 0);
	CHECK(ext >= 8 * 64 * 4 / RTE_DIM(sizes), "%u attached", ext);
	CHECK_EQ(pt_xstat(port, "rx_q0_zc"), (long long)ext);
	CHECK_EQ(settle(port, h), 0);

	/* Forwarded as received (MBUF_FAST_FREE, as testpmd asks): attached
	 * frames go out copied (256-511 bytes) or GPA-direct from the
	 * receive buffer, and their buffers still come back when the tx
	 * queue frees them; the reflections arrive intact. */
	for (i = 0; i < 8; i++) {
		uint32_t k;

		send_frames(mp, port, seq, 64, 0);
		CHECK_EQ(take(port, seq, 64, 0, true, &bad, &ext), 64);
		k = pt_tx_all(port, 0, held, (uint16_t)nheld);
		CHECK_EQ(k, 64);
		pt_free(held + k, (uint16_t)(nheld - k));
		nheld = 0;
		CHECK_EQ(take(port, seq, 64, 0, false, &bad, &ext), 64);
		seq += 64;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(settle(port, h), 0);
	CHECK_EQ(pt_xstat(port, "tx_q0_errors"), 0);

	/* Held frames keep their sections from the host until freed. */
	send_frames(mp, port, seq, 64, 1514);
	got = take(port, seq, 64, 1514, true, &bad, &ext);
	CHECK_EQ(got, 64);
	for (i = 0; i < 20; i++) {
		struct rte_mbuf *rx[8];

		CHECK_EQ(rte_eth_rx_burst(port, 0, rx, 8), 0);
		usleep(500);
	}
	i = sec_held(h);
	CHECK(i >= 64, "host has %u sections out for 64 held frames", i);
	CHECK_EQ(held_bad(seq, 1514), 0);
	held_free();
	CHECK_EQ(settle(port, h), 0);
	seq += 64;

	/* Past the hold cap frames are copied and traffic flows. */
	cap = hs.rx_sec_count / 2;
	want = RTE_MIN(cap + cap / 2 + 64, MAXH);
	for (i = 0; i < want; i += 32) {
		uint32_t k = RTE_MIN(32u, want - i);

		send_frames(mp, port, seq + i, k, 1514);
		CHECK_EQ(take(port, seq + i, k, 1514, true, &bad, &ext), k);
	}
	CHECK_EQ(nheld, want);
	CHECK_EQ(bad, 0);
	for (i = 0, ext = 0; i < nheld; i++)
		ext += !!RTE_MBUF_HAS_EXTBUF(held[i]);
	CHECK(ext > 0 && ext <= cap, "%u of %u held frames attached, cap %u",
	      ext, nheld, cap);
	CHECK(pt_xstat(port, "rx_q0_zc_capped") > 0);
	/* The cap's sections, and at most one copied packet whose
	 * completion is on its way. */
	i = sec_held(h);
	CHECK(i <= cap + 64, "host has %u sections out, cap %u", i, cap);
	CHECK_EQ(held_bad(seq, 1514), 0);
	held_free();
	CHECK_EQ(settle(port, h), 0);
	seq += want;

	/* Held across a stop and start, half freed while stopped. */
	send_frames(mp, port, seq, 64, 1514);
	CHECK_EQ(take(port, seq, 64, 1514, true, &bad, &ext), 64);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	for (i = 0; i < 32; i++)
		rte_pktmbuf_free(held[64 - 1 - i]);
	nheld = 32;
	CHECK_EQ(rte_eth_dev_start(port), 0);
	CHECK_EQ(held_bad(seq, 1514), 0);
	seq += 64;
	send_frames(mp, port, seq, 64, 0);
	CHECK_EQ(take(port, seq, 64, 0, false, &bad, &ext), 64);
	held_free();
	CHECK_EQ(settle(port, h), 0);
	seq += 64;
	CHECK_EQ(bad, 0);

	/* Held across a rescind and re-offer: the old receive buffer stays
	 * while its frames are out; the new session forwards; the last
	 * frame freed frees it, once. */
	send_frames(mp, port, seq, 32, 1514);
	CHECK_EQ(take(port, seq, 32, 1514, true, &bad, &ext), 32);
	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(pt_wait_link(port, 0, 5000), 0);
	CHECK_EQ(held_bad(seq, 1514), 0);
	/* Link down comes first; the session's buffers go after it. */
	end = pt_ms() + 5000;
	while (pt_xstat(port, "rx_zc_buffers_kept") == 0 && pt_ms() < end)
		usleep(1000);
	CHECK_EQ(pt_xstat(port, "rx_zc_buffers_kept"), 1);
	CHECK_EQ(held_bad(seq, 1514), 0);
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(pt_wait_link(port, 1, 10000), 0);
	CHECK_EQ(held_bad(seq, 1514), 0);
	seq += 32;
	send_frames(mp, port, seq, 64, 0);
	CHECK_EQ(take(port, seq, 64, 0, false, &bad, &ext), 64);
	seq += 64;
	/* Two sessions' worth less the old one's rings and send buffer. */
	CHECK_EQ(arena_wait(arena + rxbuf), arena + rxbuf);
	CHECK_EQ(held_bad(seq - 64 - 32, 1514), 0);
	held_free();
	CHECK_EQ(arena_wait(arena), arena);
	send_frames(mp, port, seq, 64, 0);
	CHECK_EQ(take(port, seq, 64, 0, false, &bad, &ext), 64);
	CHECK_EQ(settle(port, h), 0);
	seq += 64;
	CHECK_EQ(bad, 0);
	CHECK_EQ(hvbus_sim_arena_in_use(), arena);

	/* Held across the close, freed afterwards: intact, pool whole. */
	send_frames(mp, port, seq, 16, 1514);
	CHECK_EQ(take(port, seq, 16, 1514, true, &bad, &ext), 16);
	CHECK_EQ(pt_xstat(port, "rx_zc_tables_kept"), 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(held_bad(seq, 1514), 0);
	/* The session's rings and send buffer gone (once the host has
	 * answered their teardown), its receive buffer kept: nothing of the
	 * port left but it; then nothing at all. */
	CHECK_EQ(arena_wait(rxbuf), rxbuf);
	CHECK_EQ(held_bad(seq, 1514), 0);
	held_free();
	CHECK_EQ(arena_wait(0), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_zcrx");
}
