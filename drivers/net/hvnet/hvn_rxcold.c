/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* The receive burst's rare cases, out of line: a tag to put back, a
 * message larger than one mbuf. */

#include <string.h>

#include "hvn_rx_ranges.h"

/* The host always strips the tag into a PPI; without VLAN_STRIP the
 * application expects it back in the frame. */
__rte_cold int
hvn_rx_vlan_reinsert(struct rte_mbuf **m)
{
	(*m)->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	(*m)->ol_flags |= RTE_MBUF_F_TX_VLAN;
	if (rte_vlan_insert(m) != 0)
		return -1;
	(*m)->ol_flags &= ~RTE_MBUF_F_TX_VLAN;
	(*m)->ol_flags |= RTE_MBUF_F_RX_VLAN;
	return 0;
}

/* A message larger than one mbuf: copy it out once, then into a chain. */
__rte_cold struct rte_mbuf *
hvn_rx_big(struct hvn_rxq *rxq, const uint8_t *msg, uint32_t ml,
	   struct rte_mbuf *m, struct hvn_rx_msg *rm)
{
	struct rte_mbuf *seg = m, *prev = NULL;
	uint32_t left, off, room;

	memcpy(rxq->scratch, msg, ml);
	if (hvn_rxp_msg(rxq->scratch, ml, rm) != HVN_RX_DATA)
		goto bad;
	if (!(rxq->offloads & (RTE_ETH_RX_OFFLOAD_SCATTER |
			       RTE_ETH_RX_OFFLOAD_TCP_LRO))) {
		HVN_LOG_LIMITED(&rxq->log_lim, DEBUG, rx, "port %u rx queue "
				"%u: %u-byte frame dropped: larger than an "
				"mbuf and scatter is off", rxq->port_id,
				rxq->qid, rm->pi.frame_len);
		rxq->st.dropped++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	left = rm->pi.frame_len;
	off = rm->pi.frame_off;
	m->pkt_len = left;
	m->nb_segs = 0;
	while (left != 0) {
		if (seg == NULL) {
			seg = rte_pktmbuf_alloc(rxq->mp);
			if (seg == NULL) {
				rxq->st.nombuf++;
				rte_pktmbuf_free(m);
				return NULL;
			}
			prev->next = seg;
		}
		room = rte_pktmbuf_tailroom(seg);
		if (room > left)
			room = left;
		memcpy(rte_pktmbuf_mtod(seg, uint8_t *), rxq->scratch + off,
		       room);
		seg->data_len = (uint16_t)room;
		m->nb_segs++;
		off += room;
		left -= room;
		prev = seg;
		seg = NULL;
	}
	return m;
bad:
	rxq->st.errors++;
	rte_pktmbuf_free(m);
	return NULL;
}
