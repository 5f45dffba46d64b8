/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Packet-filter phase of fid_traffic: what the RNDIS packet filter the PMD
 * sets lets through hvsim. With promiscuous mode off, frames to a foreign
 * unicast MAC must not come back and broadcasts must; after
 * rte_eth_promiscuous_enable() the foreign frames must come back too.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "fid_traffic.h"

#define FILT_MAGIC	0x544c4946u	/* "FILT" */
#define FILT_N		32
#define FILT_LEN	128

enum filt_kind {
	FILT_FOREIGN_OFF,	/* foreign MAC, promiscuous off: dropped */
	FILT_BCAST_OFF,		/* broadcast, promiscuous off: delivered */
	FILT_FOREIGN_ON,	/* foreign MAC, promiscuous on: delivered */
	FILT_KINDS
};

static const struct rte_ether_addr filt_foreign = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 },
};

static uint64_t filt_got[FILT_KINDS];
static uint64_t filt_bad;

static struct rte_mbuf *
filt_frame(struct rte_mempool *mp, enum filt_kind kind, uint32_t i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint32_t v[3] = { FILT_MAGIC, kind, i };

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FILT_LEN);
	memset(eth, 0, FILT_LEN);
	if (kind == FILT_BCAST_OFF)
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	else
		rte_ether_addr_copy(&filt_foreign, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0xf0;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FILT_LEN - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a030000u | i);
	ip->dst_addr = rte_cpu_to_be_32(0x0a0300ffu);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(7000);
	udp->dst_port = rte_cpu_to_be_16(7001);
	udp->dgram_len = rte_cpu_to_be_16(FILT_LEN - sizeof(*eth) -
					  sizeof(*ip));
	memcpy(udp + 1, v, sizeof(v));
	return m;
}

bool
fid_filter_check(const uint8_t *p, uint32_t len)
{
	uint32_t v[3];
	size_t at = sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr);

	if (len < at + sizeof(v))
		return false;
	memcpy(v, p + at, sizeof(v));
	if (v[0] != FILT_MAGIC)
		return false;
	if (len != FILT_LEN || v[1] >= FILT_KINDS || v[2] >= FILT_N)
		filt_bad++;
	else
		filt_got[v[1]]++;
	return true;
}

/* Send FILT_N frames of @p kind, then collect for a while. */
static int
filt_round(struct fid_state *s, struct rte_mempool *mp, enum filt_kind kind)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 3;
	uint32_t i = 0;

	while (i < FILT_N) {
		struct rte_mbuf *m = filt_frame(mp, kind, i);

		if (m == NULL)
			return -ENOMEM;
		if (rte_eth_tx_burst(0, 0, &m, 1) == 1)
			i++;
		else
			rte_pktmbuf_free(m);
		fid_rx(s);
		if (rte_get_timer_cycles() > end + 5 * rte_get_timer_hz())
			return -ETIMEDOUT;
	}
	/* Frames that pass come back within microseconds; wait well past
	 * that so a filtered one cannot just be late. */
	while (rte_get_timer_cycles() < end)
		fid_rx(s);
	return 0;
}

int
fid_filter_run(struct fid_state *s, struct rte_mempool *mp)
{
	int rc;

	rc = rte_eth_promiscuous_disable(0);
	if (rc == 0)
		rc = filt_round(s, mp, FILT_FOREIGN_OFF);
	if (rc == 0)
		rc = filt_round(s, mp, FILT_BCAST_OFF);
	if (rc == 0)
		rc = rte_eth_promiscuous_enable(0);
	if (rc == 0)
		rc = filt_round(s, mp, FILT_FOREIGN_ON);
	printf("FID: filter: promiscuous off: foreign %" PRIu64 "/%u back, "
	       "broadcast %" PRIu64 "/%u back; on: foreign %" PRIu64 "/%u back"
	       "; %" PRIu64 " bad\n", filt_got[FILT_FOREIGN_OFF], FILT_N,
	       filt_got[FILT_BCAST_OFF], FILT_N, filt_got[FILT_FOREIGN_ON],
	       FILT_N, filt_bad);
	if (rc != 0)
		return rc;
	return filt_got[FILT_FOREIGN_OFF] == 0 &&
		filt_got[FILT_BCAST_OFF] == FILT_N &&
		filt_got[FILT_FOREIGN_ON] == FILT_N && filt_bad == 0 ? 0 : 1;
}
