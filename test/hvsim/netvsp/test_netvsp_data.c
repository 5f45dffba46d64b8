/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim netvsp NIC model, data plane, run over a test environment
 * (tenv.h): frames both ways with payload integrity through the reflect
 * port (send buffer, GPA ranges, aggregates, jumbo), packet filter, VLAN /
 * checksum / LSO offloads, RSS spread over subchannels matching
 * lib/netvsp's Toeplitz choice, receive-section reuse only after
 * completion, generator (counted and paced) / sink, pcap in/out, switch.
 */

#include "hv_clock.h"
#include "t_common.h"

static void
test_reflect(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	struct hvsim_nic_stats st;
	static const uint32_t sizes[] = { 60, 64, 128, 511, 512, 1000, 1514 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		t_reflect(g, sizes[i], 1, NVG_SENDBUF);
		t_reflect(g, sizes[i], 1, NVG_GPA);
	}
	/* Aggregates: the host's maximum of 8 per request, both ways. */
	t_reflect(g, 64, 8, NVG_SENDBUF);
	t_reflect(g, 700, 8, NVG_GPA);
	t_reflect(g, 300, 3, NVG_SENDBUF);
	CHECK_EQ(rx.pi[0].present & RNDIS_PKT_HAS_CSUM, RNDIS_PKT_HAS_CSUM);
	CHECK(rx.pi[0].csum & RNDIS_RXCSUM_UDP_OK, "csum 0x%x",
	      rx.pi[0].csum);
	tenv_stats(e, 0, &st);
	CHECK_EQ(st.tx_pkts, 2 * 7 + 8 + 8 + 3);
	CHECK_EQ(st.rx_pkts, st.tx_pkts);
	CHECK_EQ(st.tx_bad, 0);
	CHECK_EQ(st.packet_filter, 0x0d);
	t_down(g, e);

	/* Jumbo MTU: sections grow with the MTU. */
	{
		struct hvsim_nic_config cfg = { .mtu = 9000, .max_queues = 1 };

		e = t_up(g, &cfg, 0, 0x0d);
		CHECK(g->sec_size >= 9014 + 256, "section %u", g->sec_size);
		t_reflect(g, 9014, 1, NVG_GPA);
		t_down(g, e);
	}
}

static void
test_filter(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0);
	static const uint8_t other[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x42 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const struct {
		uint32_t filter;
		bool mine, other, bcast, mcast;
	} c[] = {
		{ 0, false, false, false, false },
		{ 0x01, true, false, false, false },
		{ 0x09, true, false, true, false },
		{ 0x0d, true, false, true, true },
		{ 0x02, false, false, false, true },
		{ 0x20, true, true, true, true },
	};
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff };
	const uint8_t *dsts[4] = { g->mac, other, bcast, mcast };
	uint8_t f[4][128];
	struct nvg_tx tx[4];
	unsigned int i, k;

	for (k = 0; k < 4; k++) {
		tx[k] = (struct nvg_tx){ .frame = f[k], .vlan_tci = -1 };
		tx[k].len = t_frame(f[k], dsts[k], 17, 1, 1, 2, 40,
				    (uint8_t)k, false);
	}
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool want[4] = { c[i].mine, c[i].other, c[i].bcast,
				 c[i].mcast };
		unsigned int n = 0;

		CHECK_EQ(nvg_set_filter(g, c[i].filter), RNDIS_STATUS_SUCCESS);
		t_rx_reset(&rx);
		CHECK_EQ(nvg_send(g, 0, tx, 4, NVG_GPA), NVSP_STATUS_SUCCESS);
		nvg_drain(g, 20);
		for (k = 0; k < 4; k++) {
			bool got = n < rx.n && memcmp(rx.data[n], dsts[k],
						      6) == 0;

			CHECK(got == want[k], "filter 0x%x, destination %u: "
			      "got %d", c[i].filter, k, got);
			n += got;
		}
		CHECK_EQ(rx.n, n);
	}
	t_down(g, e);
}

static void
test_vlan_csum(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, NVSP_NDIS_CAP_IEEE8021Q, 0x0d);
	uint8_t f[512], tagged[516], good[512];
	struct nvg_tx tx = { .frame = f, .vlan_tci = 0x6123 };
	uint32_t len;

	/* VLAN PPI on send: the frame comes back untagged with the PPI. */
	len = t_frame(f, g->mac, 17, 7, 7, 9, 100, 3, false);
	tx.len = len;
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_SENDBUF), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	REQUIRE(rx.n == 1);
	CHECK_EQ(rx.len[0], len);
	CHECK(memcmp(rx.data[0], f, len) == 0);
	CHECK(rx.pi[0].present & RNDIS_PKT_HAS_VLAN);
	CHECK_EQ(rndis_vlan_to_tci(rx.pi[0].vlan), 0x6123);

	/* A tag inside the frame is stripped into the PPI on receive. */
	memcpy(tagged, f, 12);
	tagged[12] = 0x81;
	tagged[13] = 0x00;
	tagged[14] = 0x20;
	tagged[15] = 0x05;
	memcpy(tagged + 16, f + 12, len - 12);
	tx = (struct nvg_tx){ .frame = tagged, .len = len + 4,
			      .vlan_tci = -1 };
	t_rx_reset(&rx);
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	REQUIRE(rx.n == 1);
	CHECK_EQ(rx.len[0], len);
	CHECK(memcmp(rx.data[0], f, len) == 0);
	CHECK_EQ(rndis_vlan_to_tci(rx.pi[0].vlan), 0x2005);

	/* Checksum offload: broken checksums + a request to compute them
	 * come back valid and flagged good. */
	len = t_frame(good, g->mac, 17, 7, 7, 9, 150, 5, false);
	t_frame(f, g->mac, 17, 7, 7, 9, 150, 5, true);
	f[24] ^= 0xff;	/* IP header checksum broken too */
	CHECK(!t_csum_ok(f, len));
	tx = (struct nvg_tx){ .frame = f, .len = len, .vlan_tci = -1,
		.csum = rndis_txcsum_make(RNDIS_TXCSUM_IPV4 |
			RNDIS_TXCSUM_IP_HDR | RNDIS_TXCSUM_UDP, 34) };
	t_rx_reset(&rx);
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_SENDBUF), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	REQUIRE(rx.n == 1);
	CHECK(t_csum_ok(rx.data[0], rx.len[0]), "checksums filled");
	CHECK(memcmp(rx.data[0], good, len) == 0);
	CHECK_EQ(rx.pi[0].csum & (RNDIS_RXCSUM_IP_OK | RNDIS_RXCSUM_UDP_OK),
		 RNDIS_RXCSUM_IP_OK | RNDIS_RXCSUM_UDP_OK);

	/* Same for TCP. */
	len = t_frame(f, g->mac, 6, 8, 80, 443, 333, 9, true);
	tx = (struct nvg_tx){ .frame = f, .len = len, .vlan_tci = -1,
		.csum = rndis_txcsum_make(RNDIS_TXCSUM_IPV4 |
					  RNDIS_TXCSUM_TCP, 34) };
	t_rx_reset(&rx);
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	REQUIRE(rx.n == 1);
	CHECK(t_csum_ok(rx.data[0], rx.len[0]));
	CHECK(rx.pi[0].csum & RNDIS_RXCSUM_TCP_OK);

	/* Receive checksum offload off (TX on, RX off): the host still
	 * fills the checksums it was asked to, but tells the guest nothing
	 * about them (regression: it used to flag them good; found by stock
	 * net_netvsc in the fidelity run). */
	{
		struct ndis_offload_params op = {
			.ip4_csum = NDIS_OFFLOAD_PARAM_TX_ON_RX_OFF,
			.tcp4_csum = NDIS_OFFLOAD_PARAM_TX_ON_RX_OFF,
			.udp4_csum = NDIS_OFFLOAD_PARAM_TX_ON_RX_OFF,
		};
		uint8_t obj[NDIS_OFFLOAD_PARAMS_SIZE_REV_3];
		int olen = ndis_offload_params_encode(obj, sizeof(obj), &op,
						      NDIS_OFFLOAD_PARAMS_REV_3);

		REQUIRE(olen > 0);
		CHECK_EQ(nvg_set(g, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, obj,
				 (uint32_t)olen), RNDIS_STATUS_SUCCESS);
		len = t_frame(f, g->mac, 17, 7, 7, 9, 150, 5, true);
		tx = (struct nvg_tx){ .frame = f, .len = len, .vlan_tci = -1,
			.csum = rndis_txcsum_make(RNDIS_TXCSUM_IPV4 |
				RNDIS_TXCSUM_IP_HDR | RNDIS_TXCSUM_UDP, 34) };
		t_rx_reset(&rx);
		CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_SENDBUF),
			 NVSP_STATUS_SUCCESS);
		nvg_drain(g, 20);
		REQUIRE(rx.n == 1);
		CHECK(t_csum_ok(rx.data[0], rx.len[0]), "checksums filled");
		CHECK_EQ(rx.pi[0].csum & (RNDIS_RXCSUM_IP_OK |
					  RNDIS_RXCSUM_UDP_OK), 0);
		op.ip4_csum = op.tcp4_csum = op.udp4_csum =
			NDIS_OFFLOAD_PARAM_TX_RX_ON;
		olen = ndis_offload_params_encode(obj, sizeof(obj), &op,
						  NDIS_OFFLOAD_PARAMS_REV_3);
		CHECK_EQ(nvg_set(g, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, obj,
				 (uint32_t)olen), RNDIS_STATUS_SUCCESS);
	}

	/* No request: a bad checksum is reported failed, a good one ok. */
	t_frame(f, g->mac, 6, 8, 80, 443, 100, 9, true);
	tx = (struct nvg_tx){ .frame = f, .len = 154, .vlan_tci = -1 };
	t_rx_reset(&rx);
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	REQUIRE(rx.n == 1);
	CHECK(rx.pi[0].csum & RNDIS_RXCSUM_TCP_FAILED, "0x%x",
	      rx.pi[0].csum);
	CHECK(rx.pi[0].csum & RNDIS_RXCSUM_IP_OK);

	/* A checksum request that does not match the frame is dropped
	 * (counted), the request itself completes. */
	len = t_frame(f, g->mac, 17, 7, 7, 9, 50, 5, false);
	tx = (struct nvg_tx){ .frame = f, .len = len, .vlan_tci = -1,
		.csum = rndis_txcsum_make(RNDIS_TXCSUM_IPV4 |
					  RNDIS_TXCSUM_TCP, 34) };
	t_rx_reset(&rx);
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, 0);
	t_down(g, e);
}

static void
test_lso(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	static uint8_t f[9000];
	uint32_t len, plen = 4000, mss = 1460, i, seq0, got = 0;
	struct nvg_tx tx;

	len = t_frame(f, g->mac, 6, 0x0a000005, 5555, 80, plen, 1, false);
	f[18] = 0x12;	/* IP id */
	f[19] = 0x34;
	seq0 = (uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 |
		(uint32_t)f[40] << 8 | f[41];
	tx = (struct nvg_tx){ .frame = f, .len = len, .vlan_tci = -1,
			      .lso = rndis_lso2_make(mss, 34, 0) };
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, 3);
	for (i = 0; i < rx.n; i++) {
		const uint8_t *s = rx.data[i];
		uint32_t seg = i + 1 < rx.n ? mss : plen - 2 * mss;
		uint32_t seq = (uint32_t)s[38] << 24 | (uint32_t)s[39] << 16 |
			(uint32_t)s[40] << 8 | s[41];

		CHECK_EQ(rx.len[i], 54 + seg);
		CHECK(t_csum_ok(s, rx.len[i]), "segment %u checksums", i);
		CHECK_EQ(seq, seq0 + i * mss);
		CHECK_EQ((s[16] << 8 | s[17]), 40 + seg);
		CHECK_EQ((s[18] << 8 | s[19]), 0x1234 + i);
		CHECK_EQ(s[47] & 0x08, i + 1 == rx.n ? 0x08 : 0);  /* PSH */
		CHECK(memcmp(s + 54, f + 54 + i * mss, seg) == 0);
		got += seg;
	}
	CHECK_EQ(got, plen);
	t_down(g, e);
}

/* Frames of 64 TCP flows spread by RSS exactly as lib/netvsp computes. */
static void
test_rss(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	uint32_t table[128], i, hi = NDIS_HASH_FUNCTION_TOEPLITZ |
		NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4;
	unsigned int per_q[4] = { 0 };
	uint8_t f[128];
	int granted;

	granted = nvg_subchannels(g, 3);
	CHECK_EQ(granted, 3);
	REQUIRE(g->nq == 4);
	for (i = 0; i < 128; i++)
		table[i] = i % 4;
	CHECK_EQ(nvg_set_rss(g, hv_rss_key_dpdk, table, 128, hi),
		 RNDIS_STATUS_SUCCESS);
	nvg_drain(g, 20);
	/* The send indirection table arrived once all subchannels opened. */
	CHECK_EQ(g->send_tables, 1);
	CHECK_EQ(g->send_table[1], 1);
	CHECK_EQ(g->send_table[5], 1);
	for (i = 0; i < 64; i++) {
		struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };

		tx.len = t_frame(f, g->mac, 6, 0x0a000100 + i * 13,
				 (uint16_t)(1000 + i * 7), 80, 20,
				 (uint8_t)i, false);
		/* Sent on queue i % 4: the receive queue must not depend on
		 * it. */
		CHECK_EQ(nvg_send(g, i % 4, &tx, 1, NVG_SENDBUF),
			 NVSP_STATUS_SUCCESS);
	}
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, 64);
	for (i = 0; i < rx.n; i++) {
		uint32_t type, hash, want;

		REQUIRE(hv_rss_hash_frame(hv_rss_key_dpdk,
					  hi & NDIS_HASH_TYPE_MASK,
					  rx.data[i], rx.len[i], &type,
					  &hash) == 0);
		want = table[hash % 128];
		CHECK_EQ(rx.q[i], want);
		CHECK_EQ(type, NDIS_HASH_TCP_IPV4);
		CHECK(rx.pi[i].present & RNDIS_PKT_HAS_HASH_VALUE);
		CHECK_EQ(rx.pi[i].hash_value, hash);
		CHECK_EQ(rx.pi[i].hash_info, NDIS_HASH_FUNCTION_TOEPLITZ |
			 NDIS_HASH_TCP_IPV4);
		per_q[rx.q[i] & 3]++;
	}
	for (i = 0; i < 4; i++)
		CHECK(per_q[i] >= 4, "queue %u got %u of 64", i, per_q[i]);

	/* Entries beyond the queues are refused; disable turns RSS off. */
	table[5] = 4;
	CHECK_EQ(nvg_set_rss(g, hv_rss_key_dpdk, table, 128, hi),
		 RNDIS_STATUS_INVALID_DATA);
	{
		struct ndis_rss_params p = { .flags = NDIS_RSS_FLAG_DISABLE,
					     .table_len = 1 };
		uint8_t obj[NDIS_RSS_PARAMS_FULL_SIZE];
		int n = ndis_rss_params_encode(obj, sizeof(obj), &p);
		struct hvsim_nic_stats st;

		CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS,
				 obj, (uint32_t)n), RNDIS_STATUS_SUCCESS);
		tenv_stats(e, 0, &st);
		CHECK(!st.rss_enabled);
		CHECK_EQ(st.n_queues, 4);
	}
	t_down(g, e);
}

/* Held receive batches keep their sections; more traffic is dropped, not
 * written over them; the completions make room again. */
static void
test_sections(void)
{
	struct nvg *g = &G;
	struct nvg_opts o = { 0 };
	struct hvsim_nic_stats st;
	struct tenv *e;
	uint8_t f[8][128];
	struct nvg_tx tx[8];
	unsigned int i, rounds;

	o.rx_len = 64 * 1856;	/* 64 sections, 16 of them reserved */
	e = tenv_create(1, NULL);
	REQUIRE(e != NULL);
	REQUIRE(nvg_init(g, tenv_io(e, 0), &o) == 0);
	CHECK_EQ(g->sec_count, 64);
	REQUIRE(nvg_set_filter(g, 0x0d) == RNDIS_STATUS_SUCCESS);
	t_rx_reset(&rx);
	g->on_frame = t_on_frame;
	g->cb_arg = &rx;
	for (i = 0; i < 8; i++) {
		tx[i] = (struct nvg_tx){ .frame = f[i], .vlan_tci = -1 };
		tx[i].len = t_frame(f[i], g->mac, 17, i, 1, 2, 60,
				    (uint8_t)i, false);
	}
	g->hold = true;
	for (rounds = 0; rounds < 10; rounds++) {
		CHECK_EQ(nvg_send(g, 0, tx, 8, NVG_GPA), NVSP_STATUS_SUCCESS);
		nvg_drain(g, 10);
	}
	/* 48 data sections: 6 rounds fit, 4 rounds dropped. */
	CHECK_EQ(rx.n, 48);
	tenv_stats(e, 0, &st);
	CHECK_EQ(st.rx_dropped, 32);
	for (i = 0; i < rx.n; i++)
		CHECK(memcmp(rx.data[i], f[i % 8], tx[i % 8].len) == 0);
	/* Control still works from the reserve while data is held. */
	CHECK_EQ(nvg_set_filter(g, 0x0d), RNDIS_STATUS_SUCCESS);
	g->hold = false;
	CHECK_EQ(nvg_release(g), 0);
	nvg_drain(g, 10);
	t_rx_reset(&rx);
	CHECK_EQ(nvg_send(g, 0, tx, 8, NVG_SENDBUF), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 10);
	CHECK_EQ(rx.n, 8);
	t_down(g, e);
}

static void
test_gen(void)
{
	struct nvg *g = &G;
	struct hvsim_nic_config cfg = {
		.mtu = 1500, .max_queues = 4,
		.port = { .kind = HVSIM_PORT_GEN_SINK,
			  .gen = { .frame_len = 128, .flows = 16,
				   .count = 1000 } },
	};
	struct hvsim_nic_stats st;
	struct tenv *e = t_up(g, &cfg, 0, 0x0d);
	unsigned int i, ok = 0;

	tenv_idle(e, 50);
	nvg_drain(g, 50);
	CHECK_EQ(rx.n, 1000);
	for (i = 0; i < rx.n; i++) {
		ok += rx.len[i] == 128 && t_csum_ok(rx.data[i], rx.len[i]) &&
			memcmp(rx.data[i], g->mac, 6) == 0;
	}
	CHECK_EQ(ok, rx.n);
	/* Bounce 8 back: the sink measures their round trip. */
	{
		struct nvg_tx tx[8];

		for (i = 0; i < 8; i++)
			tx[i] = (struct nvg_tx){ .frame = rx.data[i],
				.len = rx.len[i], .vlan_tci = -1 };
		CHECK_EQ(nvg_send(g, 0, tx, 8, NVG_GPA), NVSP_STATUS_SUCCESS);
	}
	tenv_stats(e, 0, &st);
	CHECK_EQ(st.rx_pkts, 1000);
	CHECK_EQ(st.tx_pkts, 8);
	CHECK_EQ(st.tx_requests, 1);
	/* At most 256 frames per transfer-page packet; the guest also
	 * counts the control messages' packets. */
	CHECK(st.rx_batches >= (1000 + 255) / 256 &&
	      st.rx_batches <= g->rx_batches, "%llu batches, guest %llu",
	      (unsigned long long)st.rx_batches,
	      (unsigned long long)g->rx_batches);
	CHECK(st.lat_ns_max > 0 && st.lat_ns_min <= st.lat_ns_avg &&
	      st.lat_ns_avg <= st.lat_ns_max);
	t_down(g, e);
}

/* rx_publish: no transfer-page packet carries more frames than that,
 * though the generator makes all of them in one host iteration. */
static void
test_rx_publish(void)
{
	struct nvg *g = &G;
	struct hvsim_nic_config cfg = {
		.mtu = 1500, .max_queues = 1, .rx_publish = 16,
		.port = { .kind = HVSIM_PORT_GEN_SINK,
			  .gen = { .frame_len = 128, .flows = 1,
				   .count = 1000 } },
	};
	struct hvsim_nic_stats st;
	struct tenv *e = t_up(g, &cfg, 0, 0x0d);

	tenv_idle(e, 50);
	nvg_drain(g, 50);
	CHECK_EQ(rx.n, 1000);
	CHECK(g->rx_ranges_max >= 1 && g->rx_ranges_max <= 16, "%llu",
	      (unsigned long long)g->rx_ranges_max);
	tenv_stats(e, 0, &st);
	CHECK(st.rx_batches >= (1000 + 15) / 16, "%llu batches",
	      (unsigned long long)st.rx_batches);
	t_down(g, e);
}

/* A paced generator keeps to its rate; a pure sink sends nothing. */
static void
test_gen_rate(void)
{
	struct nvg *g = &G;
	struct hvsim_nic_config cfg = {
		.mtu = 1500, .max_queues = 1,
		.port = { .kind = HVSIM_PORT_GEN_SINK,
			  .gen = { .frame_len = 60, .flows = 4,
				   .rate_pps = 20000 } },
	};
	uint64_t t0 = hv_now_ms();
	struct tenv *e = t_up(g, &cfg, 0, 0x0d);
	long ms = 0;

	/* The rate is a ceiling: 3000 frames at 20,000 pps cannot all be
	 * there before (3000 - burst bound) / 20 ms after the generator
	 * started (after t0), however fast the host runs; a loaded machine
	 * only takes longer, so wait for them with a generous deadline. */
	while (rx.n < 3000 && ms < 60000) {
		nvg_poll(g, 0, 1);
		ms = (long)(hv_now_ms() - t0);
	}
	CHECK(rx.n >= 3000, "%u frames in %ld ms", rx.n, ms);
	CHECK(ms >= (3000 - (20000 / 1000 + 256)) / 20,
	      "%u frames in %ld ms: faster than 20,000 pps", rx.n, ms);
	t_down(g, e);

	cfg.port.gen.frame_len = 0;
	e = t_up(g, &cfg, 0, 0x0d);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, 0);
	t_down(g, e);
}

/* Poll host and guest until @p n frames arrived or @p ms passed. */
static void
t_rx_wait(struct tenv *e, struct nvg *g, unsigned int n, unsigned int ms)
{
	uint64_t end = hv_now_ms() + ms;

	while (rx.n < n && hv_now_ms() < end) {
		tenv_idle(e, 1);
		nvg_drain(g, 1);
	}
}

/* window=N: no more than N frames out until the sink has seen them; what
 * never comes back is written off after a stall, and the loop reopens. */
static void
test_gen_window(void)
{
	struct nvg *g = &G;
	/* A stall of 10 minutes: no write-off can happen during this part,
	 * however slowly the machine runs it. */
	struct hvsim_nic_config cfg = {
		.mtu = 1500, .max_queues = 1,
		.port = { .kind = HVSIM_PORT_GEN_SINK,
			  .gen = { .frame_len = 60, .flows = 4,
				   .window = 100,
				   .window_stall_ms = 600000 } },
	};
	struct tenv *e = t_up(g, &cfg, 0, 0x0d);
	struct nvg_tx tx[8];
	unsigned int i, j;

	t_rx_wait(e, g, 100, 10000);
	/* A full window: nothing more however long the host runs. */
	tenv_idle(e, 20);
	nvg_drain(g, 10);
	CHECK_EQ(rx.n, 100);
	/* 40 back to the sink: 40 more may go out, no more. */
	for (i = 0; i < 40; i += 8) {
		for (j = 0; j < 8; j++)
			tx[j] = (struct nvg_tx){ .frame = rx.data[i + j],
				.len = rx.len[i + j], .vlan_tci = -1 };
		CHECK_EQ(nvg_send(g, 0, tx, 8, NVG_SENDBUF),
			 NVSP_STATUS_SUCCESS);
	}
	t_rx_wait(e, g, 140, 10000);
	tenv_idle(e, 20);
	nvg_drain(g, 10);
	CHECK_EQ(rx.n, 140);
	t_down(g, e);

	/* Nothing comes back: after a stall of 50 ms the window reopens,
	 * again and again. */
	cfg.port.gen.window_stall_ms = 50;
	e = t_up(g, &cfg, 0, 0x0d);
	t_rx_wait(e, g, 300, 20000);
	CHECK(rx.n >= 300, "%u frames", rx.n);
	t_down(g, e);
}

static void
test_pcap(void)
{
	struct nvg *g = &G;
	char in[64], out[64];
	struct hvsim_nic_config cfg = {
		.mtu = 1500, .max_queues = 1,
		.port = { .kind = HVSIM_PORT_PCAP, .pcap_in = in,
			  .pcap_out = out },
	};
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	uint8_t f[3][200], buf[4096];
	uint32_t lens[3], rec[4], i;
	struct nvg_tx tx;
	struct tenv *e;
	FILE *fp;
	size_t n;

	snprintf(in, sizeof(in), "/tmp/hvsim-netvsp-in-%d.pcap", getpid());
	snprintf(out, sizeof(out), "/tmp/hvsim-netvsp-out-%d.pcap", getpid());
	fp = fopen(in, "wb");
	REQUIRE(fp != NULL);
	fwrite(hdr, sizeof(hdr), 1, fp);
	for (i = 0; i < 3; i++) {
		static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x5a, 0, 0 };

		lens[i] = t_frame(f[i], mac, 17, i, 5, 6, 20 + i * 50,
				  (uint8_t)i, false);
		rec[0] = 1000 + i;
		rec[1] = 0;
		rec[2] = lens[i];
		rec[3] = lens[i];
		fwrite(rec, sizeof(rec), 1, fp);
		fwrite(f[i], lens[i], 1, fp);
	}
	fclose(fp);
	e = t_up(g, &cfg, 0, 0x0d);
	tenv_idle(e, 20);
	nvg_drain(g, 30);
	CHECK_EQ(rx.n, 3);
	for (i = 0; i < rx.n && i < 3; i++)
		CHECK(rx.len[i] == lens[i] &&
		      memcmp(rx.data[i], f[i], lens[i]) == 0);
	tx = (struct nvg_tx){ .frame = f[1], .len = lens[1],
			      .vlan_tci = 0x00c8 };
	CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	t_down(g, e);

	fp = fopen(out, "rb");
	REQUIRE(fp != NULL);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	CHECK_EQ(n, 24 + 16 + lens[1] + 4);
	CHECK_EQ(buf[0], 0xd4);
	memcpy(rec, buf + 24, sizeof(rec));
	CHECK_EQ(rec[2], lens[1] + 4);
	CHECK(buf[40 + 12] == 0x81 && buf[40 + 13] == 0x00 &&
	      buf[40 + 15] == 0xc8, "tag re-inserted");
	CHECK(memcmp(buf + 40 + 16, f[1] + 12, lens[1] - 12) == 0);
	unlink(in);
	unlink(out);
}

static void
test_switch(void)
{
	struct hvsim_nic_config cfg[2];
	static struct nvg g1;
	struct nvg *g0 = &G;
	struct nvg_opts o = { 0 };
	uint8_t f[128];
	struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };
	struct tenv *e;

	memset(cfg, 0, sizeof(cfg));
	cfg[0].mtu = cfg[1].mtu = 1500;
	cfg[0].max_queues = cfg[1].max_queues = 1;
	cfg[0].port.kind = cfg[1].port.kind = HVSIM_PORT_SWITCH;
	cfg[0].port.peer = 1;
	cfg[1].port.peer = 0;
	e = tenv_create(2, cfg);
	if (e == NULL) {
		printf("switch: not available with %s\n", tenv_name);
		return;
	}
	REQUIRE(nvg_init(g0, tenv_io(e, 0), &o) == 0);
	REQUIRE(nvg_init(&g1, tenv_io(e, 1), &o) == 0);
	REQUIRE(nvg_set_filter(g0, 0x0d) == RNDIS_STATUS_SUCCESS);
	REQUIRE(nvg_set_filter(&g1, 0x0d) == RNDIS_STATUS_SUCCESS);
	t_rx_reset(&rx);
	g1.on_frame = t_on_frame;
	g1.cb_arg = &rx;
	tx.len = t_frame(f, g1.mac, 17, 9, 9, 9, 60, 4, false);
	CHECK_EQ(nvg_send(g0, 0, &tx, 1, NVG_GPA), NVSP_STATUS_SUCCESS);
	nvg_drain(&g1, 30);
	CHECK_EQ(rx.n, 1);
	CHECK(rx.n == 1 && memcmp(rx.data[0], f, tx.len) == 0);
	nvg_fini(g0);
	nvg_fini(&g1);
	CHECK_EQ(tenv_destroy(e), 0);
	t_rx_reset(&rx);
}

/* Generator flows spread over the queues exactly as RSS says. */
static void
test_gen_rss(void)
{
	struct nvg *g = &G;
	struct hvsim_nic_config cfg = {
		.mtu = 1500, .max_queues = 4,
		.port = { .kind = HVSIM_PORT_GEN_SINK,
			  .gen = { .frame_len = 100, .flows = 64,
				   .count = 640 } },
	};
	uint32_t table[128], i, hi = NDIS_HASH_FUNCTION_TOEPLITZ |
		NDIS_HASH_IPV4 | NDIS_HASH_UDP_IPV4;
	unsigned int per_q[4] = { 0 }, ok = 0;
	struct tenv *e = t_up(g, &cfg, 0, 0);

	REQUIRE(nvg_subchannels(g, 3) == 3);
	for (i = 0; i < 128; i++)
		table[i] = (i * 7) % 4;
	CHECK_EQ(nvg_set_rss(g, hv_rss_key_default, table, 128, hi),
		 RNDIS_STATUS_SUCCESS);
	/* The generator starts with the filter. */
	CHECK_EQ(nvg_set_filter(g, 0x0d), RNDIS_STATUS_SUCCESS);
	tenv_idle(e, 20);
	nvg_drain(g, 30);
	CHECK_EQ(rx.n, 640);
	for (i = 0; i < rx.n; i++) {
		uint32_t type, hash;

		if (hv_rss_hash_frame(hv_rss_key_default,
				      hi & NDIS_HASH_TYPE_MASK, rx.data[i],
				      rx.len[i], &type, &hash) != 0)
			continue;
		ok += rx.q[i] == table[hash % 128] &&
			type == NDIS_HASH_UDP_IPV4 &&
			rx.pi[i].hash_value == hash &&
			t_csum_ok(rx.data[i], rx.len[i]);
		per_q[rx.q[i] & 3]++;
	}
	CHECK_EQ(ok, 640);
	for (i = 0; i < 4; i++)
		CHECK(per_q[i] >= 40, "queue %u got %u of 640", i, per_q[i]);
	t_down(g, e);
}

/* A rescind of the primary alone ends the session while a subchannel is
 * still open: what the guest sent there before it read the rescind is
 * dropped without a completion, not judged a protocol error (the guest
 * could not know yet). */
static void
test_orphaned_sub(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	struct nvg_tx tx = { .vlan_tci = -1 };
	uint8_t f[128];

	REQUIRE(nvg_subchannels(g, 1) == 1);
	tx.frame = f;
	tx.len = t_frame(f, g->mac, 6, 0x0a000101, 1000, 80, 20, 1, false);
	CHECK_EQ(nvg_send(g, 1, &tx, 1, NVG_SENDBUF), NVSP_STATUS_SUCCESS);
	CHECK_EQ(tenv_rescind_primary(e, 0), 0);
	CHECK_EQ(nvg_send(g, 1, &tx, 1, NVG_SENDBUF), -ETIMEDOUT);
	CHECK(tenv_proto_errors(e) <= 0);
	t_down(g, e);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("environment: %s\n", tenv_name);
	test_reflect();
	test_filter();
	test_vlan_csum();
	test_lso();
	test_rss();
	test_sections();
	test_gen();
	test_rx_publish();
	test_gen_rate();
	test_gen_window();
	test_gen_rss();
	test_pcap();
	test_switch();
	test_orphaned_sub();
	return check_exit("hvsim_netvsp_data");
}
