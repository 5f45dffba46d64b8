/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Offloads and large frames against a host with a 9000-byte MTU (an hvsim
 * of the test's own behind a socket): IPv4/UDP checksum insertion on
 * transmit and verdicts on receive, VLAN insertion through the PPI and
 * stripping back into the mbuf, TSO segmented by the host, and jumbo
 * frames sent from a multi-segment chain (GPA-direct) and received into a
 * scattered chain, byte for byte.
 */

#include <sys/stat.h>

#include "pmd_test.h"

#define SMALL_ROOM	RTE_MBUF_DEFAULT_BUF_SIZE

static struct rte_mempool *mp, *mp_big;
static const uint16_t port;

static struct rte_mbuf *
rx_one(unsigned int ms)
{
	struct rte_mbuf *m = NULL;

	return pt_rx_until(port, 0, &m, 1, ms) == 1 ? m : NULL;
}

static void
test_csum(void)
{
	struct rte_mbuf *m = pt_frame(mp, port, 300, 1, IPPROTO_UDP, 5, 6);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	uint16_t want_ip;

	REQUIRE(m != NULL);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	want_ip = ip->hdr_checksum;
	ip->hdr_checksum = 0;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_UDP_CKSUM;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	m = rx_one(3000);
	REQUIRE(m != NULL, "checksummed frame came back");
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	u = (struct rte_udp_hdr *)(ip + 1);
	CHECK_EQ(ip->hdr_checksum, want_ip);
	CHECK(u->dgram_cksum != 0, "UDP checksum filled in");
	CHECK_EQ(rte_ipv4_udptcp_cksum_verify(ip, u), 0);
	CHECK_EQ(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK,
		 RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	CHECK_EQ(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
		 RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	rte_pktmbuf_free(m);

	/* A wrong UDP checksum, no offload asked: the host says bad. */
	m = pt_frame(mp, port, 200, 2, IPPROTO_UDP, 5, 6);
	REQUIRE(m != NULL);
	u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34);
	u->dgram_cksum = 0x1234;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	m = rx_one(3000);
	REQUIRE(m != NULL);
	CHECK_EQ(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
		 RTE_MBUF_F_RX_L4_CKSUM_BAD);
	CHECK_EQ(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK,
		 RTE_MBUF_F_RX_IP_CKSUM_GOOD);
	rte_pktmbuf_free(m);
}

static void
test_vlan(void)
{
	struct rte_mbuf *m = pt_frame(mp, port, 128, 3, IPPROTO_UDP, 7, 8);
	struct rte_mbuf *ref;

	REQUIRE(m != NULL);
	ref = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
	REQUIRE(ref != NULL);
	m->ol_flags = RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 0x2064;	/* PCP 1, VID 100 */
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	m = rx_one(3000);
	REQUIRE(m != NULL, "tagged frame came back");
	CHECK(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED, "tag stripped");
	CHECK_EQ(m->vlan_tci, 0x2064);
	CHECK_EQ(m->pkt_len, ref->pkt_len);
	CHECK(memcmp(rte_pktmbuf_mtod(m, void *), rte_pktmbuf_mtod(ref, void *),
		     ref->pkt_len) == 0, "frame intact without its tag");
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(ref);
}

static void
test_vlan_inline(void)
{
	struct rte_mbuf *m = pt_frame(mp, port, 128, 6, IPPROTO_UDP, 7, 8);
	struct rte_vlan_hdr *vh;
	struct rte_ether_hdr *eh;
	struct rte_mbuf *ref;

	REQUIRE(m != NULL);
	ref = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
	REQUIRE(ref != NULL);
	m->ol_flags = RTE_MBUF_F_TX_VLAN;
	m->vlan_tci = 0x0123;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	m = rx_one(3000);
	REQUIRE(m != NULL, "tagged frame came back");
	CHECK(!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED), "not stripped");
	CHECK_EQ(m->pkt_len, ref->pkt_len + 4);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	vh = (struct rte_vlan_hdr *)(eh + 1);
	CHECK_EQ(eh->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN));
	CHECK_EQ(vh->vlan_tci, rte_cpu_to_be_16(0x0123));
	CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 16),
		     rte_pktmbuf_mtod_offset(ref, uint8_t *, 12),
		     ref->pkt_len - 12) == 0, "payload after the tag intact");
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(ref);
}

/*
 * GPA-direct frames (at least tx_copybreak) with and without offloads in
 * turn: a descriptor's header area holds the template between requests
 * and only a frame without offloads' lengths are written there, so the
 * area a tagged or checksummed frame rewrote must be the template again
 * before the next plain frame takes the descriptor (the free stack gives
 * the last one freed first). A plain frame sent with a stale VLAN or
 * checksum layout comes back tagged, shifted or not at all.
 */
static void
test_gpa_layouts(void)
{
	struct rte_mbuf *m, *ref;
	uint32_t round, kind;

	for (round = 0; round < 8; round++) {
		for (kind = 0; kind < 3; kind++) {
			m = pt_frame(mp, port, 1000, 100 + round * 3 + kind,
				     IPPROTO_UDP, 9, 10);
			REQUIRE(m != NULL);
			ref = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
			REQUIRE(ref != NULL);
			if (kind == 0) {
				m->ol_flags = RTE_MBUF_F_TX_VLAN;
				m->vlan_tci = 0x0050 + round;
			} else if (kind == 1) {
				m->ol_flags = RTE_MBUF_F_TX_IPV4 |
					RTE_MBUF_F_TX_UDP_CKSUM;
				m->l2_len = 14;
				m->l3_len = 20;
			}
			CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
			m = rx_one(3000);
			REQUIRE(m != NULL, "round %u kind %u came back", round,
				kind);
			CHECK_EQ(!!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED),
				 kind == 0);
			if (kind == 0)
				CHECK_EQ(m->vlan_tci, 0x0050 + round);
			CHECK_EQ(m->pkt_len, ref->pkt_len);
			CHECK(memcmp(rte_pktmbuf_mtod(m, void *),
				     rte_pktmbuf_mtod(ref, void *), 34) == 0 &&
			      memcmp(rte_pktmbuf_mtod_offset(m, void *, 42),
				     rte_pktmbuf_mtod_offset(ref, void *, 42),
				     ref->pkt_len - 42) == 0,
			      "round %u kind %u: frame intact", round, kind);
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(ref);
		}
	}
}

static void
test_tso(void)
{
	struct rte_mbuf *m = pt_frame(mp_big, port, 54 + 4000, 4,
				      IPPROTO_TCP, 1234, 80);
	struct rte_mbuf *rx[16];
	uint32_t payload = 0, i;
	uint16_t n;

	REQUIRE(m != NULL);
	m->l4_len = sizeof(struct rte_tcp_hdr);
	m->tso_segsz = 1000;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_TCP_SEG;
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	n = pt_rx_until(port, 0, rx, 4, 3000);
	CHECK_EQ(n, 4);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(rx[i],
				struct rte_ipv4_hdr *, 14);

		CHECK(rx[i]->pkt_len <= 54 + 1000, "segment %u: %u bytes", i,
		      rx[i]->pkt_len);
		CHECK_EQ(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
		payload += rx[i]->pkt_len - 54;
	}
	CHECK_EQ(payload, 4000);
	pt_free(rx, n);
}

/* A jumbo frame as a chain of small segments. */
static struct rte_mbuf *
jumbo(uint32_t len, uint32_t seed)
{
	struct rte_mbuf *head = pt_frame(mp_big, port, len, seed, IPPROTO_UDP,
					 9, 10);
	struct rte_mbuf *chain = NULL, *last = NULL;
	uint32_t off = 0;

	if (head == NULL)
		return NULL;
	while (off < len) {
		struct rte_mbuf *s = rte_pktmbuf_alloc(mp);
		uint32_t k = RTE_MIN(1500u, len - off);

		if (s == NULL)
			break;
		memcpy(rte_pktmbuf_append(s, (uint16_t)k),
		       rte_pktmbuf_mtod_offset(head, uint8_t *, off), k);
		if (chain == NULL)
			chain = s;
		else
			rte_pktmbuf_chain(chain, s);
		last = s;
		off += k;
	}
	(void)last;
	rte_pktmbuf_free(head);
	return chain;
}

static void
test_jumbo(void)
{
	static uint8_t a[9100], b[9100];
	struct rte_mbuf *m, *ref, *r;
	uint32_t len = 8000;

	CHECK_EQ(rte_eth_dev_set_mtu(port, 9000), 0);
	m = jumbo(len, 5);
	REQUIRE(m != NULL && m->nb_segs >= 5, "chain of %u", m ? m->nb_segs : 0);
	ref = rte_pktmbuf_copy(m, mp_big, 0, UINT32_MAX);
	REQUIRE(ref != NULL);
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	r = rx_one(3000);
	REQUIRE(r != NULL, "jumbo frame came back");
	CHECK_EQ(r->pkt_len, len);
	CHECK(r->nb_segs >= 4, "scattered into %u segments", r->nb_segs);
	CHECK(memcmp(rte_pktmbuf_read(r, 0, len, a),
		     rte_pktmbuf_read(ref, 0, len, b), len) == 0,
	      "jumbo payload intact");
	rte_pktmbuf_free(r);
	rte_pktmbuf_free(ref);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-offload.XXXXXX", path[128], args[256];
	const uint64_t rx_ol = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_SCATTER;
	const uint64_t tx_ol = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_TCP_TSO;
	struct rte_eth_dev_info info;
	struct hvsim_nic_stats hs;
	struct hvsim_config cfg;
	struct hvsim *h;
	int rc;

	(void)argc;
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/hvsim.sock", dir);
	hvsim_config_init(&cfg, 1);
	cfg.name = "offload";
	cfg.nic[0].mtu = 9000;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(hvsim_listen(h, path) == 0);
	REQUIRE(hvsim_start(h) == 0);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=30000",
		 path);
	pt_setup(argv[0], "1", args, 0, NULL, NULL);
	REQUIRE(rte_eth_dev_count_avail() == 1);
	mp = rte_pktmbuf_pool_create("small", 2047, 0, 0, SMALL_ROOM, 0);
	mp_big = rte_pktmbuf_pool_create("big", 255, 0, 0, 10240, 0);
	REQUIRE(mp != NULL && mp_big != NULL);
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK_EQ(info.max_mtu, 9000);
	CHECK_EQ(info.rx_offload_capa & rx_ol, rx_ol);
	CHECK_EQ(info.tx_offload_capa & tx_ol, tx_ol);
	rc = pt_port_start(port, 1, mp, rx_ol, tx_ol, 256);
	REQUIRE(rc == 0, "start: %d", rc);

	test_csum();
	test_vlan();
	test_gpa_layouts();
	test_tso();
	test_jumbo();

	/* Without VLAN_STRIP the tag goes back into the frame. */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	rc = pt_port_start(port, 1, mp, rx_ol & ~RTE_ETH_RX_OFFLOAD_VLAN_STRIP,
			   tx_ol, 256);
	REQUIRE(rc == 0, "restart: %d", rc);
	test_vlan_inline();

	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.tx_bad, 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp_big), 0);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return check_exit("pmd_offload");
}
