/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * LRO against the embedded hvsim (reflect port, MTU 1500): the port sends
 * large TCP packets with TSO, hvsim cuts them into segments (LSO) and its
 * vSwitch RSC coalesces the reflected segments again, delivering each
 * coalesced packet as fragments over several receive sections. Checked:
 * the capability and the host's RSC switched on only with LRO; one
 * multi-segment packet back per TSO packet (IPv4 and IPv6), marked LRO,
 * tso_segsz the MTU's segment, lengths consistent, payload byte for byte;
 * small segments of one flow coalesced in order; without LRO the segments
 * arrive one by one; each spoiled unit (no first, no last, two firsts,
 * split over two transfer-page packets, wrong IP length, headers not in
 * the first fragment) dropped and counted, the next packet fine; LRO
 * back after a reset.
 */

#include "pmd_test.h"

#include "hvsim_netvsp.h"

#define PAYLOAD		40000u
#define MSS		1460u

static const uint16_t port;
static struct rte_mempool *mp, *mp_big;
static struct hvsim *h;

static const uint64_t tx_ol = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
	RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
	RTE_ETH_TX_OFFLOAD_TCP_TSO;

static struct hvsim_nic_stats
host(void)
{
	struct hvsim_nic_stats hs;

	memset(&hs, 0, sizeof(hs));
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	return hs;
}

/* An Ethernet + IPv4/IPv6 + TCP packet with @p payload bytes after the
 * headers (a pattern from @p seed), to send with TSO. */
static struct rte_mbuf *
tcp_pkt(bool v6, uint32_t payload, uint32_t seed, uint32_t seq)
{
	uint32_t l3 = v6 ? 40 : 20, hdr = 14 + l3 + 20, i;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp_big);
	struct rte_ether_hdr *eh;
	struct rte_tcp_hdr *t;
	uint8_t *p;

	if (m == NULL || hdr + payload > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(hdr + payload));
	memset(p, 0, hdr);
	eh = (struct rte_ether_hdr *)p;
	rte_eth_macaddr_get(port, &eh->dst_addr);
	eh->src_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 7 } };
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(20 + payload));
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = 64;
		memset(&ip->src_addr, 0x20, 16);
		memset(&ip->dst_addr, 0x30, 16);
		m->ol_flags = RTE_MBUF_F_TX_IPV6;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + 20 +
							       payload));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000001);
		ip->dst_addr = rte_cpu_to_be_32(0x0a0000fe);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	}
	t = (struct rte_tcp_hdr *)(p + 14 + l3);
	t->src_port = rte_cpu_to_be_16(4000);
	t->dst_port = rte_cpu_to_be_16(80);
	t->sent_seq = rte_cpu_to_be_32(seq);
	t->recv_ack = rte_cpu_to_be_32(77);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_ACK_FLAG;
	t->rx_win = rte_cpu_to_be_16(512);
	for (i = 0; i < payload; i++)
		p[hdr + i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	m->l2_len = 14;
	m->l3_len = l3;
	m->l4_len = 20;
	return m;
}

/* The payload of a received chain at @p at, @p n bytes, equals the
 * pattern of @p seed from @p from. */
static bool
payload_is(const struct rte_mbuf *m, uint32_t at, uint32_t n, uint32_t seed,
	   uint32_t from)
{
	uint8_t buf[1024];
	uint32_t done = 0, k, i;

	while (done < n) {
		const uint8_t *q;

		k = RTE_MIN((uint32_t)sizeof(buf), n - done);
		q = rte_pktmbuf_read(m, at + done, k, buf);
		if (q == NULL)
			return false;
		for (i = 0; i < k; i++) {
			uint32_t j = from + done + i;

			if (q[i] != (uint8_t)(seed * 31 + j * 7 + (j >> 8)))
				return false;
		}
		done += k;
	}
	return true;
}

static uint16_t
rx_all(struct rte_mbuf **out, uint16_t want, unsigned int ms)
{
	return pt_rx_until(port, 0, out, want, ms);
}

static int
start(bool lro)
{
	uint64_t rx_ol = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		(lro ? RTE_ETH_RX_OFFLOAD_TCP_LRO : 0);

	return pt_port_start(port, 1, mp, rx_ol, tx_ol, 512);
}

/* One TSO packet out, one LRO packet back: lengths, flags, payload. */
static void
test_tso_back(bool v6, uint32_t seed)
{
	uint32_t hdr = 14 + (v6 ? 40 : 20) + 20;
	struct rte_mbuf *m = tcp_pkt(v6, PAYLOAD, seed, 1000), *rx[64];
	struct hvsim_nic_stats h0 = host(), h1;
	const char *why = NULL;
	uint16_t n;

	REQUIRE(m != NULL);
	m->tso_segsz = MSS;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	n = rx_all(rx, 1, 2000);
	n += rx_all(rx + n, 63, 100);	/* and nothing more */
	CHECK_EQ(n, 1);
	if (n < 1)
		return;
	m = rx[0];
	CHECK(m->ol_flags & RTE_MBUF_F_RX_LRO, "LRO flag (v6 %d)", v6);
	CHECK_EQ(m->pkt_len, hdr + PAYLOAD);
	CHECK_EQ(m->tso_segsz, 1500 - (v6 ? 40 : 20) - 20);
	CHECK(m->nb_segs >= PAYLOAD / 2048, "%u segments: fragments over "
	      "several sections", m->nb_segs);
	CHECK(rte_mbuf_check(m, 1, &why) == 0, "chain: %s", why);
	CHECK(payload_is(m, hdr, PAYLOAD, seed, 0), "payload intact");
	if (!v6) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, 14);

		CHECK_EQ(rte_be_to_cpu_16(ip->total_length), 40 + PAYLOAD);
	}
	CHECK(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_GOOD, "checksum good");
	h1 = host();
	CHECK_EQ(h1.rsc_pkts, h0.rsc_pkts + 1);
	CHECK_EQ(h1.rsc_segs, h0.rsc_segs + (PAYLOAD + MSS - 1) / MSS);
	/* Sections hold the 9014-byte frames the port announced. */
	CHECK(h1.rsc_frags - h0.rsc_frags >= PAYLOAD / 9600, "fragments: %llu",
	      (unsigned long long)(h1.rsc_frags - h0.rsc_frags));
	pt_free(rx, n);
}

/* Small segments of one flow in one burst: whatever comes back, in
 * order, is the whole stream. */
static void
test_small_segments(void)
{
	struct rte_mbuf *tx[16], *rx[16];
	uint32_t got = 0, i;
	uint16_t n, k;

	for (i = 0; i < 16; i++) {
		tx[i] = tcp_pkt(false, 500, 9, 5000 + i * 500);
		REQUIRE(tx[i] != NULL);
		/* Each a piece of one stream: the pattern continues. */
		{
			uint8_t *p = rte_pktmbuf_mtod_offset(tx[i], uint8_t *,
							     54);
			uint32_t j;

			for (j = 0; j < 500; j++) {
				uint32_t x = i * 500 + j;

				p[j] = (uint8_t)(9 * 31 + x * 7 + (x >> 8));
			}
		}
		tx[i]->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	}
	CHECK_EQ(pt_tx_all(port, 0, tx, 16), 16);
	n = rx_all(rx, 1, 1000);
	n += rx_all(rx + n, 15, 200);
	CHECK(n >= 1 && n < 16, "%u packets back for 16 segments", n);
	for (k = 0; k < n; k++) {
		uint32_t len = rx[k]->pkt_len - 54;

		CHECK(payload_is(rx[k], 54, len, 9, got), "packet %u in order",
		      k);
		got += len;
	}
	CHECK_EQ(got, 16 * 500);
	pt_free(rx, n);
}

/* A spoiled unit is dropped and counted; the next TSO packet is fine. */
static void
test_mangled(enum hvsim_netvsp_rsc_mangle kind)
{
	struct rte_eth_stats s0, s1;
	struct rte_mbuf *m, *rx[64];
	uint16_t n;

	CHECK_EQ(rte_eth_stats_get(port, &s0), 0);
	CHECK_EQ(hvsim_netvsp_rsc_mangle(h, 0, kind), 0);
	m = tcp_pkt(false, PAYLOAD, 3, 1);
	REQUIRE(m != NULL);
	m->tso_segsz = MSS;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	n = rx_all(rx, 64, 300);
	CHECK(n == 0, "mangle %d: %u packets delivered", kind, n);
	pt_free(rx, n);
	CHECK_EQ(rte_eth_stats_get(port, &s1), 0);
	CHECK(s1.ierrors > s0.ierrors, "mangle %d counted", kind);
	test_tso_back(false, 40 + kind);
}

int
main(int argc, char **argv)
{
	struct rte_eth_dev_info info;
	struct rte_mbuf *m, *rx[64];
	uint16_t n;
	int rc, k;

	(void)argc;
	rc = pt_eal_init(argv[0], "1", "timeout_ms=30000");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL);
	mp = rte_pktmbuf_pool_create("small", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	mp_big = rte_pktmbuf_pool_create("big", 63, 0, 0, UINT16_MAX, 0);
	REQUIRE(mp != NULL && mp_big != NULL);
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO, "LRO capa");
	CHECK(info.max_lro_pkt_size >= 65535, "max_lro_pkt_size %u",
	      info.max_lro_pkt_size);

	/* Without LRO the host does not coalesce. */
	REQUIRE(start(false) == 0);
	CHECK(!host().rsc_on, "RSC off without LRO");
	m = tcp_pkt(false, 4 * MSS, 1, 1);
	REQUIRE(m != NULL);
	m->tso_segsz = MSS;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	n = rx_all(rx, 4, 1000);
	n += rx_all(rx + n, 60, 100);
	CHECK_EQ(n, 4);
	for (k = 0; k < n; k++)
		CHECK(!(rx[k]->ol_flags & RTE_MBUF_F_RX_LRO), "no LRO");
	pt_free(rx, n);
	CHECK_EQ(rte_eth_dev_stop(port), 0);

	/* With it: coalesced again, byte for byte. */
	REQUIRE(start(true) == 0);
	CHECK(host().rsc_on, "RSC on with LRO");
	test_tso_back(false, 1);
	test_tso_back(true, 2);
	test_small_segments();
	for (k = HVSIM_RSC_NO_FIRST; k <= HVSIM_RSC_TINY_FIRST; k++)
		test_mangled((enum hvsim_netvsp_rsc_mangle)k);

	/* A new host session: asked again. */
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	REQUIRE(start(true) == 0);
	CHECK(host().rsc_on, "RSC on after the reset");
	test_tso_back(false, 5);

	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp_big), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("lro");
}
