/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * TSO phase of fid_traffic: TCP/IPv4 frames of 2.5 to 4.5 KiB that the
 * "hardware" segments at an MSS of 1000. Stock net_netvsc passes an LSOv2
 * PPI, hvsim cuts the frame into segments (sequence numbers, IP ids,
 * lengths, checksums of its own) and reflects each. Every segment is
 * checked on its own - sequence number on an MSS boundary, no segment
 * twice, IPv4 and TCP checksums valid, payload bytes from the frame's
 * pattern at that offset - and each frame must be covered exactly.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_tcp.h>

#include "fid_traffic.h"

#define TSO_MSS		1000u
#define TSO_MAX_SEGS	8
#define TSO_HDR		(sizeof(struct rte_ether_hdr) + \
			 sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr))
#define TSO_SPORT	20000u
#define TSO_DPORT	80u
#define TSO_WINDOW	16	/* frames in flight */
#define TSO_BUF		(8192 + RTE_PKTMBUF_HEADROOM)

struct fid_tso_frame {
	uint32_t len;		/* TCP payload bytes */
	uint32_t got;		/* of them received */
	uint8_t segs;		/* bit per MSS-sized segment seen */
};

static struct rte_mempool *tso_pool;

static uint32_t
tso_len(uint32_t k)
{
	return 2500u + (k * 373u) % 2000u;
}

static uint32_t
tso_seq0(uint32_t k)
{
	return 0x10000000u + k * 0x100000u;
}

/* Pattern stream of frame k, distinct from the UDP frames'. */
static uint8_t
tso_byte(uint32_t k, uint32_t off)
{
	return fid_pattern(0x8000u + k, off);
}

int
fid_tso_init(struct fid_state *s, uint32_t frames)
{
	s->tso_frames = frames;
	s->tso_f = calloc(frames ? frames : 1, sizeof(*s->tso_f));
	tso_pool = rte_pktmbuf_pool_create("fid_tso", 511, 32, 0, TSO_BUF,
					   rte_socket_id());
	if (s->tso_f == NULL || tso_pool == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < frames; k++) {
		s->tso_f[k].len = tso_len(k);
		s->tso_want += s->tso_f[k].len;
	}
	return 0;
}

static void
tso_fill(const struct fid_state *s, struct rte_mbuf *m, uint8_t *p,
	 uint32_t k)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *body = (uint8_t *)(tcp + 1);
	uint32_t i, n = s->tso_f[k].len;

	rte_ether_addr_copy(&s->mac, &eth->dst_addr);
	memset(&eth->src_addr, 0, sizeof(eth->src_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[4] = 0x7c;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*tcp) + n);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(k * 64));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a020000u | k);
	ip->dst_addr = rte_cpu_to_be_32(0x0a010001u);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = rte_cpu_to_be_16((uint16_t)(TSO_SPORT + k));
	tcp->dst_port = rte_cpu_to_be_16(TSO_DPORT);
	tcp->sent_seq = rte_cpu_to_be_32(tso_seq0(k));
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(65535);
	for (i = 0; i < n; i++)
		body[i] = tso_byte(k, i);
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_TCP_SEG;
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->l4_len = sizeof(*tcp);
	m->tso_segsz = TSO_MSS;
	/* DPDK's TSO contract: pseudo-header sum without the length. */
	tcp->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
}

bool
fid_tso_check(struct fid_state *s, const struct rte_mbuf *m,
	      const uint8_t *p, uint32_t len)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *tcp;
	struct rte_ipv4_hdr h;
	struct fid_tso_frame *f;
	uint32_t k, off, n, i, seg;
	uint16_t got;

	(void)m;
	if (len < TSO_HDR || p[12] != 0x08 || p[13] != 0x00)
		return false;
	ip = (const struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	tcp = (const struct rte_tcp_hdr *)(ip + 1);
	if (ip->next_proto_id != IPPROTO_TCP ||
	    rte_be_to_cpu_16(tcp->dst_port) != TSO_DPORT)
		return false;
	k = rte_be_to_cpu_16(tcp->src_port) - TSO_SPORT;
	if (k >= s->tso_frames) {
		s->tso_bad++;
		return true;
	}
	f = &s->tso_f[k];
	off = rte_be_to_cpu_32(tcp->sent_seq) - tso_seq0(k);
	n = len - TSO_HDR;
	seg = off / TSO_MSS;
	h = *ip;
	got = h.hdr_checksum;
	h.hdr_checksum = 0;
	if (off % TSO_MSS != 0 || n == 0 || n > TSO_MSS || off >= f->len ||
	    n > f->len - off || seg >= TSO_MAX_SEGS ||
	    (f->segs & (1u << seg)) ||
	    rte_be_to_cpu_16(ip->total_length) != len - sizeof(struct rte_ether_hdr) ||
	    got != rte_ipv4_cksum(&h) ||
	    rte_ipv4_udptcp_cksum_verify(ip, tcp) != 0) {
		s->tso_bad++;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (p[TSO_HDR + i] != tso_byte(k, off + i)) {
			s->tso_bad++;
			return true;
		}
	}
	f->segs |= 1u << seg;
	f->got += n;
	s->tso_segs++;
	s->tso_bytes += n;
	return true;
}

int
fid_tso_send(struct fid_state *s, uint64_t end)
{
	uint32_t k = 0, done_frames;

	while (k < s->tso_frames) {
		struct rte_mbuf *m;
		uint8_t *p;

		fid_rx(s);
		if (rte_get_timer_cycles() > end) {
			printf("FID: TSO send timed out\n");
			return -ETIMEDOUT;
		}
		done_frames = 0;
		for (uint32_t j = 0; j < k; j++)
			if (s->tso_f[j].got == s->tso_f[j].len)
				done_frames++;
		if (k - done_frames >= TSO_WINDOW)
			continue;
		m = rte_pktmbuf_alloc(tso_pool);
		if (m == NULL)
			continue;
		p = (uint8_t *)rte_pktmbuf_append(m, TSO_HDR + s->tso_f[k].len);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			return -ENOSPC;
		}
		tso_fill(s, m, p, k);
		if (rte_eth_tx_burst(0, (uint16_t)(k % s->nq), &m, 1) != 1) {
			rte_pktmbuf_free(m);
			continue;
		}
		k++;
	}
	return 0;
}

bool
fid_tso_done(const struct fid_state *s)
{
	return s->tso_bytes == s->tso_want;
}

void
fid_tso_report(const struct fid_state *s)
{
	printf("FID: tso: %u frames (mss %u) -> %" PRIu64 " segments, %"
	       PRIu64 " of %" PRIu64 " bytes, %" PRIu64 " bad\n",
	       s->tso_frames, TSO_MSS, s->tso_segs, s->tso_bytes, s->tso_want,
	       s->tso_bad);
}
