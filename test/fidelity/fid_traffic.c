/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * fid_traffic: payload-checked traffic through port 0 on 1..N queues, for
 * the fidelity suite (stock net_netvsc over hvsim's uio face, with hvsim
 * reflecting every frame). Stock testpmd cannot do this on netvsc: the
 * 22.11 PMD never marks its queues started, so testpmd disables every
 * forwarding stream.
 *
 *   fid_traffic EAL-ARGS -- [--queues N] [--frames N] [--timeout-ms MS]
 *                           [--rx-csum on|off] [--tso FRAMES]
 *                           [--filter on|off]
 *
 * Every queue sends --frames frames, cycling 60, 1400, 128 and 1000 bytes:
 * small ones take the PMD's send-buffer (chimney) path, large ones (over
 * its 512-byte copy break) the GPA page-list path. Each frame is UDP/IPv4
 * to the port's own MAC with a per-frame source address (so RSS spreads
 * the reflected frames), a sequence number, its length and a pattern
 * derived from both; every fifth frame carries an 802.1Q tag. Then the
 * TSO phase (fid_tso.c): large TCP frames segmented by the host, and the
 * packet-filter phase (fid_filter.c). Every received frame is checked whole; the run passes
 * when each frame came back exactly once and intact (and, with several
 * queues and RSS on, on more than one queue).
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "fid_port.h"
#include "fid_traffic.h"

static const uint16_t fid_sizes[] = { 60, 1400, 128, 1000 };
#define FID_NSIZES	(sizeof(fid_sizes) / sizeof(fid_sizes[0]))

static uint16_t
fid_size(uint32_t seq)
{
	return fid_sizes[seq % FID_NSIZES];
}

/* Every fifth frame carries an 802.1Q tag in the frame (no TX offload):
 * hvsim strips it into a VLAN PPI, the PMD puts it back (strip is off)
 * and flags it. The frame length includes the tag. */
static bool
fid_tagged(uint32_t seq)
{
	return seq % 5 == 2;
}

/* Every fifth frame (others than the tagged ones) leaves its IPv4 and UDP
 * checksums to the "hardware": the PMD passes a checksum PPI, hvsim fills
 * them in before reflecting the frame. */
static bool
fid_offloaded(const struct fid_state *s, uint32_t seq)
{
	return s->tx_csum && seq % 5 == 4;
}

static uint16_t
fid_tci(uint32_t seq)
{
	return (uint16_t)((seq % 7) << 13 | (1 + seq % 4094));
}

static void
fid_fill(struct fid_state *s, struct rte_mbuf *m, uint8_t *p, uint32_t seq,
	 uint16_t q)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	uint32_t l2 = fid_tagged(seq) ? FID_L2_TAGGED : sizeof(*eth);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + l2);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct fid_payload pl = { FID_MAGIC, seq, fid_size(seq) };
	uint16_t len = fid_size(seq);
	uint8_t *body = (uint8_t *)(udp + 1);
	uint32_t i, n = len - (l2 + FID_L3L4_LEN);

	rte_ether_addr_copy(&s->mac, &eth->dst_addr);
	memset(&eth->src_addr, 0, sizeof(eth->src_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = (uint8_t)q;
	if (l2 == FID_L2_TAGGED) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(fid_tci(seq));
		vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	} else {
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - l2);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	/* A source per frame: the reflected frames hash all over the
	 * indirection table. */
	ip->src_addr = rte_cpu_to_be_32(0x0a000000u | (seq & 0xffffu) << 8 | q);
	ip->dst_addr = rte_cpu_to_be_32(0x0a010001u);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + seq % 4096));
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(len - l2 - sizeof(*ip));
	udp->dgram_cksum = 0;
	memcpy(body, &pl, sizeof(pl));
	for (i = sizeof(pl); i < n; i++)
		body[i] = fid_pattern(seq, i);
	if (fid_offloaded(s, seq)) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_UDP_CKSUM;
		m->l2_len = l2;
		m->l3_len = sizeof(*ip);
		ip->hdr_checksum = 0;
		/* DPDK's contract: the pseudo-header sum, the device adds
		 * the rest. */
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	}
}

/* Checksum flags from hvsim's checksum PPI, the RSS hash from its hash
 * value PPI: the hash must be exactly Toeplitz over the IPv4 addresses
 * with the key the port uses (hash type IPv4 - NDIS has no UDP type);
 * the VLAN PPI of a tagged frame must come back as the same tag. */
static void
fid_check_info(struct fid_state *s, const struct rte_mbuf *m,
	       const uint8_t *p, uint32_t l2, uint32_t seq)
{
	uint64_t f = m->ol_flags;
	uint32_t tuple[RTE_THASH_V4_L3_LEN];
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + l2);

	if ((f & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		s->ip_good++;
	if ((f & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		s->l4_good++;
	else if ((f & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		 RTE_MBUF_F_RX_L4_CKSUM_NONE)
		s->l4_none++;
	else
		s->l4_other++;
	if (fid_offloaded(s, seq)) {
		struct rte_ipv4_hdr h = *ip;
		uint16_t got = h.hdr_checksum;

		s->csum_off++;
		h.hdr_checksum = 0;
		if (got == rte_ipv4_cksum(&h) &&
		    ((const struct rte_udp_hdr *)(ip + 1))->dgram_cksum != 0 &&
		    rte_ipv4_udptcp_cksum_verify(ip, ip + 1) == 0)
			s->csum_ok++;
	}
	if (fid_tagged(seq)) {
		s->tagged++;
		if ((f & RTE_MBUF_F_RX_VLAN) && m->vlan_tci == fid_tci(seq))
			s->vlan_ok++;
	} else if (f & RTE_MBUF_F_RX_VLAN) {
		s->vlan_bad++;
	}
	if (!(f & RTE_MBUF_F_RX_RSS_HASH))
		return;
	s->rss_flag++;
	if (!s->have_key)
		return;
	tuple[0] = rte_be_to_cpu_32(ip->src_addr);
	tuple[1] = rte_be_to_cpu_32(ip->dst_addr);
	if (rte_softrss(tuple, RTE_THASH_V4_L3_LEN, s->key) == m->hash.rss)
		s->rss_exact++;
}

static void
fid_check(struct fid_state *s, struct rte_mbuf *m, uint16_t q)
{
	uint8_t buf[2048];
	const uint8_t *p;
	struct fid_payload pl;
	uint32_t len = rte_pktmbuf_pkt_len(m), i, n, l2, hdr;

	p = rte_pktmbuf_read(m, 0, len < sizeof(buf) ? len : sizeof(buf), buf);
	if (p != NULL && len <= sizeof(buf) && s->tso &&
	    fid_tso_check(s, m, p, len))
		return;
	if (p != NULL && len <= sizeof(buf) && fid_filter_check(p, len))
		return;
	if (p == NULL || len < FID_L2_TAGGED + FID_L3L4_LEN + sizeof(pl)) {
		s->foreign++;
		return;
	}
	l2 = p[12] == 0x81 && p[13] == 0x00 ? FID_L2_TAGGED :
		sizeof(struct rte_ether_hdr);
	hdr = l2 + FID_L3L4_LEN;
	memcpy(&pl, p + hdr, sizeof(pl));
	if (pl.magic != FID_MAGIC) {
		s->foreign++;
		return;
	}
	/* The frame must be the one sent: length, MAC, tag, payload. */
	if (pl.seq >= s->total || pl.len != fid_size(pl.seq) ||
	    len != pl.len || len > sizeof(buf) ||
	    memcmp(&((const struct rte_ether_hdr *)p)->dst_addr, &s->mac,
		   sizeof(s->mac)) != 0 ||
	    fid_tagged(pl.seq) != (l2 == FID_L2_TAGGED) ||
	    (l2 == FID_L2_TAGGED &&
	     (p[14] << 8 | p[15]) != fid_tci(pl.seq))) {
		s->bad++;
		return;
	}
	n = len - hdr;
	for (i = sizeof(pl); i < n; i++) {
		if (p[hdr + i] != fid_pattern(pl.seq, i)) {
			s->bad++;
			return;
		}
	}
	if (s->seen[pl.seq]) {
		s->dup++;
		return;
	}
	fid_check_info(s, m, p, l2, pl.seq);
	s->seen[pl.seq] = 1;
	s->received++;
	s->rxq[q]++;
	if (pl.seq / s->per_q != q)
		s->cross++;
}

void
fid_rx(struct fid_state *s)
{
	struct rte_mbuf *pk[FID_BURST];
	uint16_t q, n, i;

	for (q = 0; q < s->nq; q++) {
		do {
			n = rte_eth_rx_burst(0, q, pk, FID_BURST);
			for (i = 0; i < n; i++) {
				fid_check(s, pk[i], q);
				rte_pktmbuf_free(pk[i]);
			}
		} while (n == FID_BURST);
	}
}

/* The PMD's own counters (ring_full, nombuf ...), the nonzero ones. */
static void
fid_xstats(void)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *xs;
	int n, i;

	n = rte_eth_xstats_get(0, NULL, 0);
	if (n <= 0)
		return;
	names = calloc(n, sizeof(*names));
	xs = calloc(n, sizeof(*xs));
	if (names != NULL && xs != NULL &&
	    rte_eth_xstats_get_names(0, names, n) == n &&
	    rte_eth_xstats_get(0, xs, n) == n) {
		printf("FID: xstats:");
		for (i = 0; i < n; i++)
			if (xs[i].value != 0 && strstr(names[i].name, "size_") == NULL)
				printf(" %s=%" PRIu64, names[i].name, xs[i].value);
		printf("\n");
	}
	free(names);
	free(xs);
}

static int
fid_port_init(struct fid_state *s, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(0, &info);
	if (rc != 0)
		return rc;
	printf("FID: port 0 driver %s, max queues rx %u tx %u\n",
	       info.driver_name, info.max_rx_queues, info.max_tx_queues);
	if (strcmp(info.driver_name, "net_netvsc") != 0)
		printf("FID: warning: not the stock net_netvsc\n");
	if (s->nq > info.max_rx_queues || s->nq > info.max_tx_queues)
		return -EINVAL;
	if (s->nq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP |
			RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) &
			info.flow_type_rss_offloads;
	}
	if (s->rx_csum)
		conf.rxmode.offloads = (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
					RTE_ETH_RX_OFFLOAD_UDP_CKSUM) &
			info.rx_offload_capa;
	conf.txmode.offloads = (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
				RTE_ETH_TX_OFFLOAD_UDP_CKSUM) &
		info.tx_offload_capa;
	s->tx_csum = conf.txmode.offloads == (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
					      RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	if (s->tso_frames != 0) {
		uint64_t want = RTE_ETH_TX_OFFLOAD_TCP_TSO |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;

		s->tso = (info.tx_offload_capa & want) == want;
		if (s->tso)
			conf.txmode.offloads |= want;
	}
	printf("FID: tx offload capa %#" PRIx64 ", checksum offload %s, "
	       "TSO %s\n", info.tx_offload_capa,
	       s->tx_csum ? "on" : "not offered",
	       s->tso ? "on" : s->tso_frames ? "not offered" : "off");
	rc = fid_port_start(&conf, s->nq, FID_DESC, mp);
	if (rc != 0)
		return rc;
	rte_eth_macaddr_get(0, &s->mac);
	if (s->nq > 1) {
		struct rte_eth_rss_conf rss = {
			.rss_key = s->key,
			.rss_key_len = sizeof(s->key),
		};

		s->have_key = rte_eth_dev_rss_hash_conf_get(0, &rss) == 0 &&
			rss.rss_key_len == sizeof(s->key);
	}
	return fid_port_link_wait("FID", 5000);
}

static int
fid_send(struct fid_state *s, struct rte_mempool *mp, uint64_t end)
{
	uint32_t next[FID_MAX_Q] = { 0 };
	uint32_t done_q = 0;
	uint64_t sent_all = 0;
	uint16_t q;

	while (done_q < s->nq) {
		done_q = 0;
		for (q = 0; q < s->nq; q++) {
			struct rte_mbuf *pk[FID_BURST];
			uint16_t n = 0, sent, i;

			while (n < FID_BURST && next[q] + n < s->per_q &&
			       sent_all + n < s->received + s->bad + s->dup +
			       FID_WINDOW) {
				uint32_t seq = q * s->per_q + next[q] + n;
				struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
				uint8_t *p;

				if (m == NULL)
					break;
				p = (uint8_t *)rte_pktmbuf_append(m,
							fid_size(seq));
				fid_fill(s, m, p, seq, q);
				pk[n++] = m;
			}
			sent = n != 0 ? rte_eth_tx_burst(0, q, pk, n) : 0;
			for (i = sent; i < n; i++)
				rte_pktmbuf_free(pk[i]);
			for (i = 0; i < sent; i++) {
				if (fid_size(q * s->per_q + next[q] + i) > 512)
					s->sent_large++;
				else
					s->sent_small++;
			}
			next[q] += sent;
			sent_all += sent;
			if (next[q] == s->per_q)
				done_q++;
		}
		fid_rx(s);
		if (rte_get_timer_cycles() > end) {
			printf("FID: send timed out\n");
			return -ETIMEDOUT;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "queues", required_argument, NULL, 'q' },
		{ "frames", required_argument, NULL, 'f' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "rx-csum", required_argument, NULL, 'c' },
		{ "tso", required_argument, NULL, 'T' },
		{ "filter", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct fid_state s;
	struct rte_eth_stats es;
	struct rte_mempool *mp;
	uint64_t end, timeout_ms = 10000;
	unsigned int used_q = 0;
	bool pass, csum_ok, filter = true;
	int rc_filter = 0;
	int rc, c;
	uint16_t q;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "FID: EAL init failed\n");
		return 1;
	}
	argc -= rc;
	argv += rc;
	memset(&s, 0, sizeof(s));
	s.nq = 1;
	s.per_q = 256;
	s.rx_csum = true;
	s.tso_frames = 64;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'q': s.nq = (uint16_t)atoi(optarg); break;
		case 'f': s.per_q = (uint32_t)atoi(optarg); break;
		case 't': timeout_ms = strtoull(optarg, NULL, 0); break;
		case 'c': s.rx_csum = strcmp(optarg, "off") != 0; break;
		case 'T': s.tso_frames = (uint32_t)atoi(optarg); break;
		case 'F': filter = strcmp(optarg, "off") != 0; break;
		default:
			fprintf(stderr, "FID: bad option\n");
			return 1;
		}
	}
	if (s.nq < 1 || s.nq > FID_MAX_Q || s.per_q < 1 ||
	    s.per_q > 1000000) {
		fprintf(stderr, "FID: --queues 1..%u, --frames 1..1000000\n",
			FID_MAX_Q);
		return 1;
	}
	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "FID: no port probed\n");
		return 1;
	}
	s.total = s.nq * s.per_q;
	s.seen = calloc(s.total, 1);
	mp = rte_pktmbuf_pool_create("fid", 8191, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (s.seen == NULL || mp == NULL) {
		fprintf(stderr, "FID: out of memory\n");
		return 1;
	}
	{
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		/* Stock net_netvsc 22.11 keeps a GPA page number in 32 bits
		 * (hn_fill_sg): mbufs at IOVA >= 16 TiB are sent from the
		 * wrong page. Say so rather than fail mysteriously. */
		if (m != NULL && (m->buf_iova >> 44) != 0)
			printf("FID: warning: mbuf IOVA %#" PRIx64 " is above "
			       "16 TiB; stock net_netvsc truncates its page "
			       "number, frames over 512 bytes will be lost\n",
			       (uint64_t)m->buf_iova);
		rte_pktmbuf_free(m);
	}
	rc = fid_port_init(&s, mp);
	if (rc != 0) {
		fprintf(stderr, "FID: port setup failed: %d\n", rc);
		return 1;
	}
	end = rte_get_timer_cycles() + timeout_ms * rte_get_timer_hz() / 1000;
	rc = fid_send(&s, mp, end);
	while (rc == 0 && s.received + s.bad + s.dup < s.total &&
	       rte_get_timer_cycles() < end)
		fid_rx(&s);
	if (rc == 0 && s.tso) {
		rc = fid_tso_init(&s, s.tso_frames);
		if (rc == 0)
			rc = fid_tso_send(&s, end);
		while (rc == 0 && !fid_tso_done(&s) &&
		       rte_get_timer_cycles() < end)
			fid_rx(&s);
	}
	if (rc == 0 && filter)
		rc_filter = fid_filter_run(&s, mp);
	/* Anything late or doubled shows up in a short quiet period. */
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 5;
	while (rte_get_timer_cycles() < end)
		fid_rx(&s);
	rte_eth_stats_get(0, &es);
	printf("FID: queues=%u sent=%u (small %" PRIu64 ", large %" PRIu64
	       ") received=%" PRIu64 " bad=%" PRIu64 " duplicate=%" PRIu64
	       " missing=%" PRIu64 " foreign=%" PRIu64 "\n", s.nq, s.total,
	       s.sent_small, s.sent_large, s.received, s.bad, s.dup,
	       s.total - s.received, s.foreign);
	printf("FID: per rx queue:");
	for (q = 0; q < s.nq; q++) {
		printf(" %" PRIu64, s.rxq[q]);
		if (s.rxq[q] != 0)
			used_q++;
	}
	printf(" (%" PRIu64 " on another queue than sent)", s.cross);
	printf("\nFID: ethdev ipackets=%" PRIu64 " opackets=%" PRIu64
	       " ierrors=%" PRIu64 " oerrors=%" PRIu64 "\n", es.ipackets,
	       es.opackets, es.ierrors, es.oerrors);
	printf("FID: rx info: ip-cksum-good %" PRIu64 ", l4-cksum good %"
	       PRIu64 " none %" PRIu64 " other %" PRIu64 ", rss-hash %" PRIu64
	       " (Toeplitz-exact %" PRIu64 "), vlan %" PRIu64 " tagged (%"
	       PRIu64 " tag flagged right, %" PRIu64 " untagged flagged), "
	       "tx checksum offload %" PRIu64 " (%" PRIu64 " filled in right)\n",
	       s.ip_good, s.l4_good, s.l4_none, s.l4_other, s.rss_flag,
	       s.rss_exact, s.tagged, s.vlan_ok, s.vlan_bad, s.csum_off,
	       s.csum_ok);
	if (s.tso_frames != 0)
		fid_tso_report(&s);
	fid_xstats();
	/* Checksum results come with every frame when the port asked for
	 * them, with none when it did not. */
	csum_ok = s.rx_csum ?
		s.ip_good == s.received && s.l4_good == s.received :
		s.ip_good == 0 && s.l4_good == 0;
	if (!csum_ok)
		printf("FID: checksum flags do not match receive checksum "
		       "offload %s\n", s.rx_csum ? "on" : "off");
	pass = rc == 0 && rc_filter == 0 && csum_ok && s.tagged > 0 &&
	       (s.tso_frames == 0 ||
		(s.tso && fid_tso_done(&s) && s.tso_bad == 0)) &&
	       s.vlan_ok == s.tagged && s.vlan_bad == 0 &&
	       s.csum_ok == s.csum_off &&
	       (s.nq == 1 || s.rss_exact == s.received) &&
	       s.received == s.total && s.bad == 0 && s.dup == 0 &&
	       s.sent_small + s.sent_large == s.total &&
	       (s.nq == 1 || (used_q > 1 && s.cross > 0));
	if (s.nq > 1 && (used_q <= 1 || s.cross == 0))
		printf("FID: RSS did not spread frames over the queues\n");
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	free(s.seen);
	rte_eal_cleanup();
	printf("FID: %s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
