/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* State shared by fid_traffic.c (UDP phase) and fid_tso.c (TSO phase). */

#ifndef FID_TRAFFIC_H
#define FID_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#define FID_MAGIC	0x54444946u	/* "FIDT" */
#define FID_MAX_Q	16
#define FID_BURST	32
#define FID_DESC	512
/* Frames in flight at most. net_netvsc moves every frame of a host
 * transfer-page packet (hvsim batches up to 256) into the queue's software
 * ring of FID_DESC - 1 slots at once and drops what does not fit
 * (rx_qN_ring_full, rx_missed_errors): a sender that runs ahead of its
 * receiver loses frames on real Hyper-V too. */
#define FID_WINDOW	192
#define FID_L3L4_LEN	(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
#define FID_L2_TAGGED	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_vlan_hdr))

struct fid_payload {
	uint32_t magic;
	uint32_t seq;
	uint32_t len;
} __attribute__((packed));

struct fid_state {
	uint16_t nq;
	uint32_t per_q;
	uint32_t total;
	uint8_t *seen;
	uint64_t received, bad, dup, foreign;
	uint64_t rxq[FID_MAX_Q];
	uint64_t cross;		/* came back on another queue than sent */
	uint64_t sent_small, sent_large;
	struct rte_ether_addr mac;
	/* What the PMD made of hvsim's per-packet info. */
	uint8_t key[40];
	bool have_key;
	uint64_t ip_good, l4_good, l4_none, l4_other;
	uint64_t rss_flag, rss_exact;
	uint64_t tagged, vlan_ok, vlan_bad;
	bool tx_csum;		/* IPv4 + UDP checksum offload on */
	bool rx_csum;		/* receive checksum offload asked for */
	uint64_t csum_off, csum_ok;
	/* TSO phase (fid_tso.c) */
	bool tso;		/* TCP segmentation offload on */
	uint32_t tso_frames;
	struct fid_tso_frame *tso_f;
	uint64_t tso_segs, tso_bytes, tso_want, tso_bad;
};

static inline uint8_t
fid_pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31u + i * 7u + (seq >> 8));
}

/* fid_traffic.c */
void fid_rx(struct fid_state *s);

/* fid_tso.c: large TCP frames the "hardware" segments (hvsim's LSO). */
int fid_tso_init(struct fid_state *s, uint32_t frames);
/* Consumes a received frame that belongs to the TSO phase. */
bool fid_tso_check(struct fid_state *s, const struct rte_mbuf *m,
		   const uint8_t *p, uint32_t len);
int fid_tso_send(struct fid_state *s, uint64_t end);
bool fid_tso_done(const struct fid_state *s);
void fid_tso_report(const struct fid_state *s);

/* fid_filter.c: the RNDIS packet filter with promiscuous mode off / on.
 * fid_filter_run() returns 0 when everything behaved, 1 when not. */
bool fid_filter_check(const uint8_t *p, uint32_t len);
int fid_filter_run(struct fid_state *s, struct rte_mempool *mp);

#endif /* FID_TRAFFIC_H */
