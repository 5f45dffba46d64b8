/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * LRO: TCP packets the host coalesced (RSC, protocol.rst 5.5 and 6.4)
 * arrive as fragments, one per receive section, in consecutive ranges of
 * one transfer-page packet, each an RNDIS PACKET with a packet-info-id
 * PPI: first, middle or last (all with the multi-suballocation bit). The
 * burst hands each fragment's mbuf here; the chain grows until the last
 * and leaves as one multi-segment packet marked RTE_MBUF_F_RX_LRO, its
 * metadata (checksum verdict, hash, VLAN) the first fragment's.
 *
 * What the host may get wrong is refused, the whole packet counted in the
 * queue's errors and dropped: a fragment while LRO is off, a middle or
 * last without a first, a first before the last, a packet left open at the
 * end of its transfer-page packet, more than 562 fragments, headers not in
 * the first fragment, not TCP over IPv4 or IPv6, or an IP length that is
 * not the bytes that came.
 *
 * The host does not say the size of the segments it coalesced; tso_segsz
 * is the largest segment the port's MTU carries with these headers, what
 * TSO would cut the packet into to send it on.
 */

#include <rte_ip.h>
#include <rte_tcp.h>

#include "hvn_rxtx.h"

/* Fragments in one packet at most: the ranges RSC allows per transfer-
 * page packet. */
#define HVN_LRO_MAX_FRAGS	562u

static __rte_cold void
hvn_lro_bad(struct hvn_rxq *rxq, struct rte_mbuf *m, const char *why)
{
	HVN_LOG_LIMITED(&rxq->log_lim, ERR, rx, "port %u rx queue %u: "
			"coalesced packet from the host dropped: %s",
			rxq->port_id, rxq->qid, why);
	rxq->st.errors++;
	rte_pktmbuf_free(m);
}

void
hvn_lro_abort(struct hvn_rxq *rxq)
{
	struct rte_mbuf *m = rxq->lro_head;

	rxq->lro_head = rxq->lro_tail = NULL;
	rxq->lro_frags = 0;
	if (m != NULL)
		hvn_lro_bad(rxq, m, "no last fragment in its transfer-page "
			    "packet");
}

/* The port stops or the session is gone with a packet open: its
 * fragments go back to the pool, not counted as the host's fault. */
void
hvn_lro_drop(struct hvn_rxq *rxq)
{
	struct rte_mbuf *m = rxq->lro_head;

	rxq->lro_head = rxq->lro_tail = NULL;
	rxq->lro_frags = 0;
	rte_pktmbuf_free(m);
}

/* Headers in the first segment, lengths as received: the packet leaves
 * as LRO, or NULL (dropped). */
static struct rte_mbuf *
hvn_lro_finish(struct hvn_rxq *rxq, struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t l3 = RTE_ETHER_HDR_LEN, l3_len, l4_len, ip_len, seg;
	uint16_t et;

	if (m->data_len < l3 + sizeof(struct rte_ipv4_hdr))
		goto headers;
	et = rte_be_to_cpu_16(((const struct rte_ether_hdr *)p)->ether_type);
	if (et == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + l3);

		l3_len = (uint32_t)(ip->version_ihl & 0xf) * 4;
		if ((ip->version_ihl >> 4) != 4 || l3_len < 20 ||
		    ip->next_proto_id != IPPROTO_TCP)
			goto not_tcp;
		ip_len = rte_be_to_cpu_16(ip->total_length);
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)(p + l3);

		l3_len = sizeof(*ip);
		if (m->data_len < l3 + l3_len)
			goto headers;
		if (ip->proto != IPPROTO_TCP)
			goto not_tcp;
		ip_len = l3_len + rte_be_to_cpu_16(ip->payload_len);
	} else {
		goto not_tcp;
	}
	if (m->data_len < l3 + l3_len + sizeof(struct rte_tcp_hdr))
		goto headers;
	l4_len = (uint32_t)(((const struct rte_tcp_hdr *)
			     (p + l3 + l3_len))->data_off >> 4) * 4;
	if (l4_len < sizeof(struct rte_tcp_hdr) ||
	    m->data_len < l3 + l3_len + l4_len)
		goto headers;
	if (ip_len != m->pkt_len - l3) {
		hvn_lro_bad(rxq, m, "IP length differs from the bytes sent");
		return NULL;
	}
	seg = rxq->hv->mtu > l3_len + l4_len ? rxq->hv->mtu - l3_len - l4_len :
		0;
	m->ol_flags |= RTE_MBUF_F_RX_LRO;
	m->tso_segsz = (uint16_t)RTE_MIN(seg, (uint32_t)UINT16_MAX);
	m->l2_len = l3;
	m->l3_len = l3_len;
	m->l4_len = l4_len;
	rxq->st.lro++;
	return m;
headers:
	hvn_lro_bad(rxq, m, "headers not in the first fragment");
	return NULL;
not_tcp:
	hvn_lro_bad(rxq, m, "not TCP over IPv4 or IPv6");
	return NULL;
}

struct rte_mbuf *
hvn_lro_frag(struct hvn_rxq *rxq, struct rte_mbuf *m,
	     const struct rndis_pkt_info *pi)
{
	uint8_t fl = pi->pktinfo_flags;
	struct rte_mbuf *head;

	/* An id on a whole packet: nothing to put together. */
	if (!(fl & RNDIS_PKTINFO_MULTI_SUBALLOC)) {
		if (rxq->lro_head != NULL)
			hvn_lro_abort(rxq);
		return m;
	}
	if (!(rxq->offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO)) {
		hvn_lro_bad(rxq, m, "a fragment while LRO is off");
		return NULL;
	}
	if (fl & RNDIS_PKTINFO_FIRST_FRAG) {
		if (rxq->lro_head != NULL)
			hvn_lro_abort(rxq);
		rxq->lro_head = m;
		rxq->lro_frags = 1;
	} else if (rxq->lro_head == NULL) {
		hvn_lro_bad(rxq, m, "a fragment without a first one");
		return NULL;
	} else if (++rxq->lro_frags > HVN_LRO_MAX_FRAGS ||
		   rxq->lro_head->nb_segs + m->nb_segs > UINT16_MAX) {
		head = rxq->lro_head;
		rxq->lro_head = rxq->lro_tail = NULL;
		rxq->lro_frags = 0;
		rte_pktmbuf_free(m);
		hvn_lro_bad(rxq, head, "more than 562 fragments");
		return NULL;
	} else {
		head = rxq->lro_head;
		rxq->lro_tail->next = m;
		head->nb_segs = (uint16_t)(head->nb_segs + m->nb_segs);
		head->pkt_len += m->pkt_len;
	}
	rxq->lro_tail = rte_pktmbuf_lastseg(m);
	if (!(fl & RNDIS_PKTINFO_LAST_FRAG))
		return NULL;
	head = rxq->lro_head;
	rxq->lro_head = rxq->lro_tail = NULL;
	rxq->lro_frags = 0;
	return hvn_lro_finish(rxq, head);
}
