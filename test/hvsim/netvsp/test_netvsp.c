/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim netvsp NIC model tests, run over a test environment (tenv.h):
 * NVSP/RNDIS init and version fallback, every query, frames both ways with
 * payload integrity through the reflect port (send buffer, GPA ranges,
 * aggregates), packet filter, VLAN / checksum / LSO offloads, RSS spread
 * over subchannels matching lib/netvsp's Toeplitz choice, link and VF
 * messages, receive-section reuse only after completion, generator/sink,
 * pcap in/out, switch, and malformed guest input refused without harm.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rss.h"
#include "tenv.h"
#include "vmb_pkt.h"

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- frames (independent checksum code: catches host bugs) ---- */

static uint16_t
t_sum(const uint8_t *p, uint32_t len, uint32_t acc)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static uint16_t
t_l4_sum(const uint8_t *f, uint32_t l3, uint8_t proto, uint32_t l4len)
{
	uint32_t acc = t_sum(f + l3 + 12, 8, 0);

	acc += proto + l4len;
	return t_sum(f + l3 + 20, l4len, acc);
}

/* IPv4 frame to @p dst: UDP (proto 17) or TCP (6) with @p plen payload
 * bytes derived from @p seed; valid checksums unless @p bad. */
static uint32_t
t_frame(uint8_t *f, const uint8_t *dst, uint8_t proto, uint32_t src_ip,
	uint16_t sport, uint16_t dport, uint32_t plen, uint8_t seed, bool bad)
{
	uint32_t l4len = (proto == 6 ? 20 : 8) + plen, i, c;

	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + l4len) >> 8);
	f[17] = (uint8_t)(20 + l4len);
	f[22] = 64;
	f[23] = proto;
	f[26] = (uint8_t)(src_ip >> 24);
	f[27] = (uint8_t)(src_ip >> 16);
	f[28] = (uint8_t)(src_ip >> 8);
	f[29] = (uint8_t)src_ip;
	f[30] = 192;
	f[31] = 168;
	f[32] = 0;
	f[33] = 1;
	c = ~t_sum(f + 14, 20, 0) & 0xffff;
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	memset(f + 34, 0, l4len - plen);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	if (proto == 6) {
		f[46] = 0x50;	/* data offset 5 */
		f[47] = 0x18;	/* ACK | PSH */
		f[48] = 0xff;
	} else {
		f[38] = (uint8_t)(l4len >> 8);
		f[39] = (uint8_t)l4len;
	}
	for (i = 0; i < plen; i++)
		f[34 + l4len - plen + i] = (uint8_t)(seed + i * 7);
	c = ~t_l4_sum(f, 14, proto, l4len) & 0xffff;
	if (proto == 17 && c == 0)
		c = 0xffff;
	if (bad)
		c ^= 0x5a5a;
	f[34 + (proto == 6 ? 16 : 6)] = (uint8_t)(c >> 8);
	f[34 + (proto == 6 ? 17 : 7)] = (uint8_t)c;
	return 34 + l4len;
}

static bool
t_csum_ok(const uint8_t *f, uint32_t len)
{
	uint32_t tot = (uint32_t)(f[16] << 8 | f[17]);

	if (len < 34 || tot + 14 > len || t_sum(f + 14, 20, 0) != 0xffff)
		return false;
	return t_l4_sum(f, 14, f[23], tot - 20) == 0xffff;
}

/* ---- receive capture ---- */

#define T_MAX_RX	4096
struct t_rx {
	unsigned int n;
	unsigned int q[T_MAX_RX];
	uint32_t len[T_MAX_RX];
	struct rndis_pkt_info pi[T_MAX_RX];
	uint8_t *data[T_MAX_RX];
};

static void
t_on_frame(void *arg, unsigned int q, const uint8_t *frame, uint32_t len,
	   const struct rndis_pkt_info *pi)
{
	struct t_rx *r = arg;

	if (r->n == T_MAX_RX)
		return;
	r->q[r->n] = q;
	r->len[r->n] = len;
	r->pi[r->n] = *pi;
	r->data[r->n] = malloc(len);
	memcpy(r->data[r->n], frame, len);
	r->n++;
}

static void
t_rx_reset(struct t_rx *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		free(r->data[i]);
	r->n = 0;
}

static struct t_rx rx;

/* A NIC up to a set packet filter, its guest on @p g. */
static struct tenv *
t_up(struct nvg *g, const struct hvsim_nic_config *cfg, uint64_t caps,
     uint32_t filter)
{
	struct nvg_opts o = { .ndis_caps = caps };
	struct hvsim_nic_config def;
	struct tenv *e;

	if (cfg == NULL) {
		memset(&def, 0, sizeof(def));
		def.mtu = 1500;
		def.max_queues = 8;
		def.link_speed_mbps = 100000;
		cfg = &def;
	}
	e = tenv_create(1, cfg);
	REQUIRE(e != NULL);
	REQUIRE(nvg_init(g, tenv_io(e, 0), &o) == 0);
	if (filter != 0)
		REQUIRE(nvg_set_filter(g, filter) == RNDIS_STATUS_SUCCESS);
	t_rx_reset(&rx);
	g->on_frame = t_on_frame;
	g->cb_arg = &rx;
	return e;
}

static void
t_down(struct nvg *g, struct tenv *e)
{
	CHECK_EQ(g->rx_bad, 0);
	CHECK_EQ(g->order_errors, 0);
	nvg_fini(g);
	CHECK_EQ(tenv_destroy(e), 0);
	t_rx_reset(&rx);
}

static struct nvg G;

/* ---- tests ---- */

static void
test_init(void)
{
	struct nvg *g = &G;
	struct hvsim_nic_stats st;
	struct tenv *e = t_up(g, NULL, NVSP_NDIS_CAP_IEEE8021Q, 0);
	static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x5a, 0x00, 0x00 };

	CHECK_EQ(g->nvsp_ver, NVSP_VERSION_61);
	/* 256 + 1514 + 36 rounded up to 64. */
	CHECK_EQ(g->sec_size, 1856);
	CHECK_EQ(g->sec_count, (2u << 20) / 1856);
	CHECK_EQ(g->sb_sec_size, 6144);
	CHECK_EQ(g->init.status, RNDIS_STATUS_SUCCESS);
	CHECK_EQ(g->init.max_pkts_per_msg, 8);
	CHECK_EQ(g->init.align_shift, 3);
	CHECK_EQ(g->init.max_xfer_size, 0xEFFFFFFFu);
	CHECK(memcmp(g->mac, mac, 6) == 0, "default MAC");
	tenv_stats(e, 0, &st);
	CHECK_EQ(st.nvsp_version, NVSP_VERSION_61);
	CHECK_EQ(st.ndis_version, NVSP_NDIS_VERSION_6_30);
	CHECK(tenv_proto_errors(e) <= 0);
	t_down(g, e);

	/* A guest that stops at NVSP 5 gets 5 after walking down. */
	{
		struct nvg_opts o = { .max_nvsp = NVSP_VERSION_5 };

		e = tenv_create(1, NULL);
		REQUIRE(e != NULL);
		CHECK_EQ(nvg_init(g, tenv_io(e, 0), &o), 0);
		CHECK_EQ(g->nvsp_ver, NVSP_VERSION_5);
		t_down(g, e);
	}
}

static void
test_queries(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0);
	uint8_t out[512], in[4] = { NDIS_OBJTYPE_OFFLOAD, 3, 156, 0 };
	struct ndis_rss_caps rc;
	struct ndis_offload off;
	uint32_t len, v;
	int64_t s;

#define Q32(oid, want) do {						\
	s = nvg_query(g, oid, NULL, 0, &v, sizeof(v), &len);		\
	CHECK_EQ(s, RNDIS_STATUS_SUCCESS);				\
	CHECK_EQ(len, 4);						\
	CHECK_EQ(v, want);						\
} while (0)
	Q32(RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, 1500);
	Q32(RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD, 1500);
	Q32(RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE, 1514);
	Q32(RNDIS_OID_GEN_TRANSMIT_BLOCK_SIZE, 1514);
	Q32(RNDIS_OID_GEN_LINK_SPEED, 1000000000u);	/* 100 Gb/s */
	Q32(RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, RNDIS_MEDIA_STATE_CONNECTED);
	Q32(RNDIS_OID_GEN_VENDOR_ID, 0x155d);
	Q32(RNDIS_OID_GEN_HARDWARE_STATUS, 0);
	Q32(RNDIS_OID_GEN_MEDIA_SUPPORTED, 0);
	Q32(RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS, 8);
	Q32(RNDIS_OID_GEN_CURRENT_PACKET_FILTER, 0);
	Q32(RNDIS_OID_GEN_RECEIVE_BUFFER_SPACE, 262144);
#undef Q32
	s = nvg_query(g, RNDIS_OID_GEN_VENDOR_DESCRIPTION, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len == 22 &&
	      strcmp((char *)out, "Microsoft Corporation") == 0);
	s = nvg_query(g, RNDIS_OID_802_3_CURRENT_ADDRESS, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len == 6 &&
	      memcmp(out, g->mac, 6) == 0);
	s = nvg_query(g, RNDIS_OID_GEN_SUPPORTED_LIST, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len >= 30 * 4 && len % 4 == 0);
	s = nvg_query(g, RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, in,
		      sizeof(in), out, sizeof(out), &len);
	CHECK_EQ(s, RNDIS_STATUS_SUCCESS);
	CHECK_EQ(len, 156);
	CHECK_EQ(ndis_offload_decode(out, len, &off), 3);
	CHECK_EQ(off.ip4_tx_flags & 0x150, 0x150);	/* TCP, UDP, IP */
	CHECK_EQ(off.ip6_rx_flags & 0x50, 0x50);
	CHECK_EQ(off.lsov2_ip4_max_size, 0xF53C);
	CHECK_EQ(off.lsov2_ip4_min_segs, 2);
	in[0] = NDIS_OBJTYPE_RSS_CAPS;
	in[1] = 2;
	in[2] = 18;
	s = nvg_query(g, RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES, in,
		      sizeof(in), out, sizeof(out), &len);
	CHECK_EQ(s, RNDIS_STATUS_SUCCESS);
	CHECK_EQ(ndis_rss_caps_decode(out, len, &rc), 2);
	CHECK_EQ(rc.num_queues, 8);
	CHECK_EQ(rc.num_ind_entries, 128);
	CHECK(rc.caps & NDIS_RSS_CAP_TOEPLITZ);
	/* Unknown OID: NOT_SUPPORTED, no data. */
	s = nvg_query(g, 0x00ABCDEF, NULL, 0, out, sizeof(out), &len);
	CHECK_EQ(s, RNDIS_STATUS_NOT_SUPPORTED);
	CHECK_EQ(len, 0);
	/* Keepalive is answered. */
	{
		uint8_t m[16];
		uint32_t id, st;
		int n = rndis_encode_keepalive(m, sizeof(m), ++g->req_id);

		CHECK(nvg_rndis_req(g, m, (uint32_t)n, NVG_GPA) > 0);
		CHECK_EQ(rndis_parse_status_cmplt(g->resp, g->resp_len,
				RNDIS_MSG_KEEPALIVE_CMPLT, &id, &st), 0);
		CHECK_EQ(id, g->req_id);
		CHECK_EQ(st, RNDIS_STATUS_SUCCESS);
	}
	t_down(g, e);
}

/* Send @p n frames of @p len and check they come back intact. */
static void
t_reflect(struct nvg *g, uint32_t len, unsigned int n, enum nvg_mode mode)
{
	static uint8_t f[8][9100];
	struct nvg_tx tx[8];
	unsigned int i;

	t_rx_reset(&rx);
	for (i = 0; i < n; i++) {
		tx[i] = (struct nvg_tx){ .frame = f[i], .vlan_tci = -1 };
		tx[i].len = t_frame(f[i], g->mac, 17, 0x0a000001 + i, 1000,
				    2000, len - 42, (uint8_t)(i * 31 + len),
				    false);
	}
	CHECK_EQ(nvg_send(g, 0, tx, n, mode), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, n);
	for (i = 0; i < rx.n && i < n; i++) {
		CHECK_EQ(rx.len[i], tx[i].len);
		CHECK(memcmp(rx.data[i], f[i], tx[i].len) == 0,
		      "payload of frame %u (%u bytes, mode %d)", i, len, mode);
	}
}

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

static void
test_link_vf(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, NVSP_NDIS_CAP_SRIOV, 0);
	struct hvsim_nic_stats st;
	uint8_t m[NVSP_MSG_SIZE];
	uint32_t v, len;

	CHECK_EQ(tenv_set_link(e, 0, false), 0);
	nvg_drain(g, 20);
	CHECK_EQ(g->indications, 1);
	CHECK_EQ(g->last_indication, RNDIS_STATUS_MEDIA_DISCONNECT);
	CHECK_EQ(nvg_query(g, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &v,
			   4, &len), RNDIS_STATUS_SUCCESS);
	CHECK_EQ(v, RNDIS_MEDIA_STATE_DISCONNECTED);
	CHECK_EQ(tenv_set_link(e, 0, true), 0);
	nvg_drain(g, 20);
	CHECK_EQ(g->indications, 2);
	CHECK_EQ(g->last_indication, RNDIS_STATUS_MEDIA_CONNECT);

	CHECK_EQ(tenv_vf(e, 0, true, 17), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(g->vf_msgs, 1);
	CHECK_EQ(g->vf_allocated, 1);
	CHECK_EQ(g->vf_serial, 17);
	nvsp_encode_switch_data_path(m, sizeof(m), NVSP_DATAPATH_VF);
	CHECK_EQ(nvg_nvsp_post(g, 0, m, sizeof(m)), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	tenv_stats(e, 0, &st);
	CHECK(st.vf_active);
	CHECK_EQ(tenv_vf(e, 0, false, 17), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(g->vf_msgs, 2);
	CHECK_EQ(g->vf_allocated, 0);
	t_down(g, e);

	/* No SR-IOV capability from the guest: no association message. */
	e = t_up(g, NULL, 0, 0);
	CHECK_EQ(tenv_vf(e, 0, true, 3), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(g->vf_msgs, 0);
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
test_malformed(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE], f[128], raw[256];
	struct hvsim_nic_stats st;
	int rc, errs = tenv_proto_errors(e);
	struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };

	tx.len = t_frame(f, g->mac, 17, 1, 1, 2, 40, 1, false);
	/* Send-buffer section beyond the buffer, and a size beyond the
	 * section: failure status, no frame. */
	nvsp_encode_rndis_pkt(m, sizeof(m), 0, g->sb_sec_count, 64);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	CHECK(rc >= 8 && ((struct nvsp_rndis_pkt_cmplt *)(void *)c)->status
	      == NVSP_STATUS_FAILURE);
	nvsp_encode_rndis_pkt(m, sizeof(m), 0, 0, g->sb_sec_size + 1);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	CHECK(rc >= 8 && ((struct nvsp_rndis_pkt_cmplt *)(void *)c)->status
	      == NVSP_STATUS_FAILURE);
	nvsp_encode_rndis_pkt(m, sizeof(m), 0, 0xFFFFFFFFu, 0);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	CHECK(rc >= 8 && ((struct nvsp_rndis_pkt_cmplt *)(void *)c)->status
	      == NVSP_STATUS_FAILURE);
	/* GPA range outside guest memory. */
	if (tenv_checks_gpa) {
		struct vmb_gpa_pb pb = { .len = 64, .offset = 0,
					 .pfn = 0x10 };
		uint8_t ext[64];
		int el = vmb_gpa_pb_encode(ext, sizeof(ext), &pb, 1);

		nvsp_encode_rndis_pkt(m, sizeof(m), 0, 0xFFFFFFFFu, 0);
		g->cmplt_ready = false;
		CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_DATA_GPA_DIRECT,
				    VMB_PKT_FLAG_RC, 777, ext, (uint32_t)el,
				    m, sizeof(m)), 0);
		nvg_drain(g, 20);
		CHECK(g->cmplt_ready && g->cmplt_xid == 777 &&
		      ((struct nvsp_rndis_pkt_cmplt *)(void *)g->cmplt)->status
		      == NVSP_STATUS_FAILURE);
	}
	/* Malformed RNDIS packets: truncated, bad data offset, PPI past the
	 * end, 9 packets aggregated. */
	memset(raw, 0, sizeof(raw));
	CHECK_EQ(nvg_send_raw(g, 0, raw, 20, NVG_SENDBUF),
		 NVSP_STATUS_FAILURE);
	rc = rndis_packet_begin(raw, sizeof(raw));
	rc = rndis_packet_end(raw, sizeof(raw), 0, 60, 0);
	((struct rndis_packet *)(void *)raw)->data_offset = 500;
	CHECK_EQ(nvg_send_raw(g, 0, raw, 44 + 60, NVG_GPA),
		 NVSP_STATUS_INVALID_RNDIS_PKT);
	rndis_packet_begin(raw, sizeof(raw));
	rndis_packet_add_ppi_u32(raw, sizeof(raw), RNDIS_PPI_VLAN, 5);
	rndis_packet_end(raw, sizeof(raw), 0, 60, 0);
	((struct rndis_ppi *)(void *)(raw + 44))->size = 200;
	CHECK_EQ(nvg_send_raw(g, 0, raw, 44 + 16 + 60, NVG_SENDBUF),
		 NVSP_STATUS_INVALID_RNDIS_PKT);
	{
		struct nvg_tx nine[9];
		unsigned int i;

		for (i = 0; i < 9; i++)
			nine[i] = tx;
		t_rx_reset(&rx);
		CHECK_EQ(nvg_send(g, 0, nine, 9, NVG_SENDBUF),
			 NVSP_STATUS_INVALID_RNDIS_PKT);
		nvg_drain(g, 20);
		CHECK_EQ(rx.n, 0);
	}
	/* Malformed RNDIS control: QUERY whose buffer runs past the end. */
	{
		int n = rndis_encode_query(raw, sizeof(raw), ++g->req_id,
					   RNDIS_OID_GEN_VENDOR_ID, NULL, 0);

		((struct rndis_query_req *)(void *)raw)->info_buflen = 1000;
		((struct rndis_query_req *)(void *)raw)->info_buf_offset = 20;
		g->ctrl_xid = 0;
		CHECK_EQ(nvg_send_raw(g, 0, raw, (uint32_t)n, NVG_GPA),
			 NVSP_STATUS_INVALID_RNDIS_PKT);
	}
	/* A completion naming no receive batch is ignored. */
	nvsp_encode_rndis_pkt_cmplt(m, sizeof(m), NVSP_STATUS_SUCCESS);
	CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_COMPLETION, 0, 123456, NULL,
			    0, m, sizeof(m)), 0);
	CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_COMPLETION, 0, 3, NULL,
			    0, m, sizeof(m)), 0);
	nvg_drain(g, 10);
	CHECK_EQ(tenv_proto_errors(e), errs);
	/* Still working after all that. */
	t_reflect(g, 100, 2, NVG_GPA);
	tenv_stats(e, 0, &st);
	CHECK(st.tx_bad >= 8, "tx_bad %llu", (unsigned long long)st.tx_bad);

	CHECK_EQ(g->rx_bad, 0);
	CHECK_EQ(g->order_errors, 0);

	/* Protocol errors fail the channel: an unknown NVSP type, a host
	 * message type from the guest. The real core records the failed
	 * channel as a checker violation (once: the channel stops). */
	memset(m, 0, sizeof(m));
	m[0] = 77;
	nvg_nvsp_post(g, 0, m, sizeof(m));
	nvsp_encode_init_cmplt(m, sizeof(m), 1, 34);
	nvg_nvsp_post(g, 0, m, sizeof(m));
	tenv_idle(e, 20);
	if (errs >= 0)
		CHECK_EQ(tenv_proto_errors(e), errs + 2);
	nvg_fini(g);
	CHECK_EQ(tenv_destroy(e), errs >= 0 ? 0 : 1);
	t_rx_reset(&rx);

	/* RNDIS before INIT: data refused; NVSP before INIT fails. */
	e = tenv_create(1, NULL);
	REQUIRE(e != NULL);
	memset(g, 0, offsetof(struct nvg, pkt));
	g->io = *tenv_io(e, 0);
	nvsp_encode_recv_buf(m, sizeof(m), 1, NVSP_RECV_BUF_ID);
	nvg_nvsp_post(g, 0, m, sizeof(m));
	tenv_idle(e, 20);
	if (errs >= 0)
		CHECK_EQ(tenv_proto_errors(e), 1);
	CHECK_EQ(tenv_destroy(e), errs >= 0 ? 0 : 1);
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
	CHECK(st.lat_ns_max > 0 && st.lat_ns_min <= st.lat_ns_avg &&
	      st.lat_ns_avg <= st.lat_ns_max);
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

/* Deterministic hooks hold the NIC at its protocol steps. */
static void
test_hooks(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	uint8_t m[NVSP_MSG_SIZE];
	unsigned int i;

	CHECK_EQ(tenv_hook(e, 0, HVSIM_STEP_SUBCHAN_REQ, true), 0);
	nvsp_encode_subchannel_req(m, sizeof(m), 2);
	g->cmplt_ready = false;
	CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_DATA_INBAND,
			    VMB_PKT_FLAG_RC, 4242, NULL, 0, m, sizeof(m)), 0);
	for (i = 0; i < 20; i++)
		nvg_poll(g, 0, 2);
	CHECK(!g->cmplt_ready, "held subchannel request was answered");
	CHECK_EQ(tenv_hook(e, 0, HVSIM_STEP_SUBCHAN_REQ, false), 0);
	for (i = 0; i < 200 && !g->cmplt_ready; i++)
		nvg_poll(g, 0, 2);
	CHECK(g->cmplt_ready && g->cmplt_xid == 4242);
	{
		uint32_t granted = 0;

		CHECK_EQ(nvsp_check_subchannel_cmplt(g->cmplt, g->cmplt_len,
						     2, &granted), 0);
		CHECK_EQ(granted, 2);
	}
	t_down(g, e);
}

/* Less common NVSP messages: OID_QUERY_EX, SWITCH_DATA_PATH with RC,
 * receive-buffer revoke. */
static void
test_nvsp_misc(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	struct nvsp_oid_query_ex q = { .type = NVSP_TYPE_OID_QUERY_EX,
				       .oid = RNDIS_OID_GEN_LINK_SPEED };
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE];
	struct nvsp_oid_query_ex_cmplt qc;
	int rc;

	memset(m, 0, sizeof(m));
	memcpy(m, &q, sizeof(q));
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	REQUIRE(rc >= (int)sizeof(qc));
	memcpy(&qc, c, sizeof(qc));
	CHECK_EQ(qc.type, NVSP_TYPE_OID_QUERY_EX_CMPLT);
	CHECK_EQ(qc.status, RNDIS_STATUS_NOT_SUPPORTED);
	nvsp_encode_switch_data_path(m, sizeof(m), NVSP_DATAPATH_SYNTHETIC);
	CHECK_EQ(nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c)), 40);
	/* After the revoke nothing is delivered any more. */
	t_reflect(g, 80, 1, NVG_GPA);
	nvsp_encode_revoke_recv_buf(m, sizeof(m), NVSP_RECV_BUF_ID);
	CHECK_EQ(nvg_nvsp_post(g, 0, m, sizeof(m)), 0);
	tenv_idle(e, 10);
	{
		uint8_t f[128];
		struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };

		tx.len = t_frame(f, g->mac, 17, 1, 2, 3, 30, 1, false);
		t_rx_reset(&rx);
		CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_SENDBUF),
			 NVSP_STATUS_SUCCESS);
		nvg_drain(g, 20);
		CHECK_EQ(rx.n, 0);
	}
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
	struct tenv *e = t_up(g, &cfg, 0, 0x0d);
	struct timespec t0, t;
	long ms = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms < 300) {
		nvg_poll(g, 0, 1);
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
			(t.tv_nsec - t0.tv_nsec) / 1000000;
	}
	/* 6000 expected; loose bounds for a loaded machine. */
	CHECK(rx.n >= 3000 && rx.n <= 7000, "%u frames in %ld ms", rx.n, ms);
	t_down(g, e);

	cfg.port.gen.frame_len = 0;
	e = t_up(g, &cfg, 0, 0x0d);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, 0);
	t_down(g, e);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("environment: %s\n", tenv_name);
	test_init();
	test_queries();
	test_reflect();
	test_filter();
	test_vlan_csum();
	test_lso();
	test_rss();
	test_link_vf();
	test_sections();
	test_malformed();
	test_gen();
	test_pcap();
	test_switch();
	test_hooks();
	test_nvsp_misc();
	test_gen_rate();
	return check_exit("hvsim_netvsp");
}
