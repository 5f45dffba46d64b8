/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The receive burst's per-range loop, shared by the two files that compile
 * it: hvn_rx.c for the distribution's baseline (and the zero-copy loop),
 * hvn_rx_avx2.c with AVX2 (meson.build), where its copy is in line. The
 * rare cases it meets are out of line in hvn_rxcold.c.
 */

#ifndef HVN_RX_RANGES_H
#define HVN_RX_RANGES_H

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "hvn_rxcopy.h"
#include "hvn_rxtx.h"

#define HVN_RX_BULK	32u

/*
 * The checksum PPI's six status bits (TCP/UDP failed, IP failed, TCP/UDP
 * OK, IP OK) as mbuf flags: IP good if IP OK, else bad if IP failed; L4
 * good if TCP or UDP OK, else bad if either failed. A table of the 64
 * combinations, built by the compiler, instead of four tests per frame.
 */
#define HVN_CSUM_BITS	0x3fu
#define HVN_CSUM_OL(c) \
	((((c) & RNDIS_RXCSUM_IP_OK) ? RTE_MBUF_F_RX_IP_CKSUM_GOOD : \
	  ((c) & RNDIS_RXCSUM_IP_FAILED) ? RTE_MBUF_F_RX_IP_CKSUM_BAD : 0) | \
	 (((c) & (RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_UDP_OK)) ? \
	  RTE_MBUF_F_RX_L4_CKSUM_GOOD : \
	  ((c) & (RNDIS_RXCSUM_TCP_FAILED | RNDIS_RXCSUM_UDP_FAILED)) ? \
	  RTE_MBUF_F_RX_L4_CKSUM_BAD : 0))
#define HVN_CSUM_OL4(c)	HVN_CSUM_OL(c), HVN_CSUM_OL((c) + 1), \
			HVN_CSUM_OL((c) + 2), HVN_CSUM_OL((c) + 3)
#define HVN_CSUM_OL16(c) HVN_CSUM_OL4(c), HVN_CSUM_OL4((c) + 4), \
			 HVN_CSUM_OL4((c) + 8), HVN_CSUM_OL4((c) + 12)
static_assert((RNDIS_RXCSUM_TCP_FAILED | RNDIS_RXCSUM_UDP_FAILED |
	       RNDIS_RXCSUM_IP_FAILED | RNDIS_RXCSUM_TCP_OK |
	       RNDIS_RXCSUM_UDP_OK | RNDIS_RXCSUM_IP_OK) == HVN_CSUM_BITS,
	      "checksum status bits");
static const uint64_t hvn_rx_csum_ol[HVN_CSUM_BITS + 1] = {
	HVN_CSUM_OL16(0), HVN_CSUM_OL16(16), HVN_CSUM_OL16(32),
	HVN_CSUM_OL16(48),
};

static __rte_always_inline void
hvn_rx_flags(const struct hvn_rxq *rxq, struct rte_mbuf *m,
	     const struct rndis_pkt_info *pi)
{
	uint64_t ol = 0;

	if (pi->present & RNDIS_PKT_HAS_CSUM)
		ol = hvn_rx_csum_ol[pi->csum & HVN_CSUM_BITS];
	if (pi->present & RNDIS_PKT_HAS_VLAN) {
		m->vlan_tci = rndis_vlan_to_tci(pi->vlan);
		ol |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	}
	if ((pi->present & RNDIS_PKT_HAS_HASH_VALUE) &&
	    (rxq->offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH)) {
		m->hash.rss = pi->hash_value;
		ol |= RTE_MBUF_F_RX_RSS_HASH;
	}
	/* A pool of pinned external buffers keeps its flag. */
	m->ol_flags = ol | rxq->ol_keep;
}

/* hvn_rxcold.c */
int hvn_rx_vlan_reinsert(struct rte_mbuf **m);
struct rte_mbuf *hvn_rx_big(struct hvn_rxq *rxq, const uint8_t *msg,
			    uint32_t ml, struct rte_mbuf *m,
			    struct hvn_rx_msg *rm);

/* hvn_rx_avx2.c: hvn_rx_ranges_t() for the copying path with AVX2
 * (rxq->copy_v32). */
uint16_t hvn_rx_ranges_avx2(struct hvn_rxq *rxq, const struct hvn_xfer *xf,
			    uint32_t *next, struct rte_mbuf **out,
			    uint16_t room);

/*
 * Zero-copy: message @p msg (@p ml bytes, its msg_len as read once, within
 * its range at offset @p off of the receive buffer) is a data message in
 * the queue's layout whose frame is at least rx_copybreak bytes: @p m (raw
 * from the pool) is attached to the frame where it lies, with the next
 * shared-info (its free callback set at set-up), counted in slot @p s. Its
 * header and PPIs are parsed in place, each field read once. -1: copy it
 * instead (another layout, a shorter frame, a tag to put back).
 * *@p sh_prod: the caller's copy of zc.sh_prod.
 */
static __rte_always_inline int
hvn_rx_zc(struct hvn_rxq *rxq, struct hvn_zc_slot *s, struct rte_mbuf *m,
	  const uint8_t *msg, uint32_t off, uint32_t ml,
	  struct rndis_pkt_info *pi, uint32_t *sh_prod)
{
	struct hvn_zc *zc = &rxq->zc;
	struct rte_mbuf_ext_shared_info *sh;

	/* No room test for the shared-info: one per attached range, and
	 * ranges in slots not completed (zc->secs, the packet in progress's
	 * included) never exceed the hold cap, at most mask + 1
	 * (hvn_zc_open()). */
	RTE_ASSERT(*sh_prod - zc->sh_cons <= zc->mask);
	if (hvn_rxp_data_fast_inplace(msg, ml, &rxq->lay, pi) != 0 ||
	    pi->frame_len < rxq->zc_copybreak ||
	    ((pi->present & RNDIS_PKT_HAS_VLAN) &&
	     !(rxq->offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)))
		return -1;
	sh = &zc->sh[(*sh_prod)++ & zc->mask];
	sh->fcb_opaque = s;
	rte_mbuf_ext_refcnt_set(sh, 1);
	s->given++;
	m->buf_addr = (void *)(uintptr_t)msg;
	m->buf_iova = zc->iova + off;
	m->buf_len = (uint16_t)ml;
	m->shinfo = sh;
	return 0;
}

/* The receive fields rte_pktmbuf_reset() would set, in three stores:
 * data_off with refcnt, nb_segs and port (one 8-byte word, the queue's
 * template), packet_type 0 with pkt_len, data_len with vlan_tci 0. The
 * second cache line's tx fields are left alone, as vector PMDs do. */
static_assert(offsetof(struct rte_mbuf, refcnt) ==
	      offsetof(struct rte_mbuf, data_off) + 2 &&
	      offsetof(struct rte_mbuf, nb_segs) ==
	      offsetof(struct rte_mbuf, data_off) + 4 &&
	      offsetof(struct rte_mbuf, port) ==
	      offsetof(struct rte_mbuf, data_off) + 6,
	      "rearm word");
static_assert(offsetof(struct rte_mbuf, pkt_len) ==
	      offsetof(struct rte_mbuf, packet_type) + 4 &&
	      offsetof(struct rte_mbuf, data_len) ==
	      offsetof(struct rte_mbuf, packet_type) + 8 &&
	      offsetof(struct rte_mbuf, vlan_tci) ==
	      offsetof(struct rte_mbuf, packet_type) + 10,
	      "descriptor words");

static __rte_always_inline void
hvn_rx_mbuf_set(const struct hvn_rxq *rxq, struct rte_mbuf *m, uint32_t foff,
		uint32_t flen)
{
	uint64_t rearm = rxq->rearm | (uint16_t)foff;
	uint64_t d0 = (uint64_t)flen << 32;
	uint32_t d1 = (uint16_t)flen;

	memcpy(&m->data_off, &rearm, sizeof(rearm));
	memcpy(&m->packet_type, &d0, sizeof(d0));
	memcpy(&m->data_len, &d1, sizeof(d1));
}

/*
 * Ranges of validated transfer-page packet @p xf from *@p next on, one
 * frame each into @p out until the packet ends or @p room frames are out
 * (LRO fragments and refused messages take a range and give no frame).
 * With @p zc, frames of rx_copybreak bytes and more are attached, counted
 * in slot @p zs (a copy of the loop of its own: the copying one stays as
 * it was). *@p next is left at the first range not taken: the rest of the packet
 * stays in the host's receive buffer for the next call.
 */
static __rte_always_inline uint16_t
hvn_rx_ranges_t(struct hvn_rxq *rxq, const struct hvn_xfer *xf,
		uint32_t *next, struct rte_mbuf **out, uint16_t room,
		struct hvn_zc_slot *zs, const bool zc, const bool v32)
{
	const uint8_t *rxbuf = rxq->rxbuf;
	struct hvn_rx_msg rm;
	struct rte_mbuf *m, *bulk[HVN_RX_BULK];
	uint32_t i = *next, end = xf->x.range_count, nout = 0;
	uint32_t off, rlen, raw, ml, nb, k, nzc = 0;
	/* In a register across the loop, stored once. */
	uint32_t sh_prod = zc ? rxq->zc.sh_prod : 0;
	/* Counted in registers, stored once: the stores into the mbufs
	 * would otherwise make the compiler reload them per frame. */
	uint64_t bytes = 0, ext;

	while (i < end && nout < room) {
		/* mbufs come from the pool in bulk, one per range, as many
		 * as the packet and the caller can still take (HVN_RX_BULK
		 * at most), raw: what a pool's mbuf does not promise (next
		 * NULL, one segment, one reference) is filled in below
		 * instead of a whole rte_pktmbuf_reset(). Each range of the
		 * bulk uses its mbuf up: a frame, a fragment kept, or freed. */
		nb = RTE_MIN(end - i, (uint32_t)room - nout);
		if (nb > HVN_RX_BULK)
			nb = HVN_RX_BULK;
		if (unlikely(rte_mempool_get_bulk(rxq->mp, (void **)bulk,
						  nb) != 0)) {
			rxq->st.nombuf++;
			i++;
			continue;
		}
		for (k = 0; k < nb; k++, i++) {
			m = bulk[k];
			hvn_rxp_range(xf, i, &off, &rlen);
			raw = hvn_rxp_msg_len_raw(rxbuf + off, rlen);
			ml = hvn_rxp_msg_len_clamp(raw, rlen);
			ext = 0;
			/* Attached only if msg_len as read is inside the
			 * range (clamped, the full parser would refuse it). */
			if (zc && raw >= rxq->zc.min_ml && raw <= rlen &&
			    raw <= UINT16_MAX &&
			    hvn_rx_zc(rxq, zs, m, rxbuf + off, off, raw,
				      &rm.pi, &sh_prod) == 0) {
				ext = RTE_MBUF_F_EXTERNAL;
				hvn_rx_mbuf_set(rxq, m, rm.pi.frame_off,
						rm.pi.frame_len);
			} else if (likely(ml != 0 && ml <= m->buf_len)) {
				/* Copy the whole message into the mbuf and
				 * parse the copy: the frame then sits at its
				 * offset. */
				uint8_t *base = m->buf_addr;

				if (v32)
					hvn_rx_copy_v32(base, rxbuf + off, ml);
				else
					memcpy(base, rxbuf + off, ml);
				if (likely(hvn_rxp_data_fast(base, ml,
							     &rxq->lay,
							     &rm.pi) == 0)) {
					/* the layout of the last one */
				} else if (hvn_rxp_msg(base, ml, &rm) ==
					   HVN_RX_DATA) {
					hvn_rxp_learn(&rxq->lay, base, &rm.pi);
				} else {
					rxq->st.errors++;
					rte_mbuf_raw_free(m);
					continue;
				}
				hvn_rx_mbuf_set(rxq, m, rm.pi.frame_off,
						rm.pi.frame_len);
			} else if (ml != 0) {
				rte_pktmbuf_reset(m);
				m = hvn_rx_big(rxq, rxbuf + off, ml, m, &rm);
				if (m == NULL)
					continue;
				m->port = rxq->port_id;
			} else {
				rxq->st.errors++;
				rte_mbuf_raw_free(m);
				continue;
			}
			hvn_rx_flags(rxq, m, &rm.pi);
			if (zc) {
				m->ol_flags |= ext;
				nzc += ext != 0;
			}
			/* An RSC fragment: kept until its packet is whole. */
			if (unlikely(rm.pi.present & RNDIS_PKT_HAS_PKTINFO_ID)) {
				m = hvn_lro_frag(rxq, m, &rm.pi);
				if (m == NULL)
					continue;
			}
			if (unlikely((m->ol_flags &
				      RTE_MBUF_F_RX_VLAN_STRIPPED) &&
				     !(rxq->offloads &
				       RTE_ETH_RX_OFFLOAD_VLAN_STRIP)) &&
			    hvn_rx_vlan_reinsert(&m) != 0) {
				rxq->st.dropped++;
				rte_pktmbuf_free(m);
				continue;
			}
			bytes += m->pkt_len;
			out[nout++] = m;
		}
	}
	*next = i;
	rxq->st.packets += nout;
	rxq->st.bytes += bytes;
	if (zc) {
		rxq->st.zc += nzc;
		rxq->zc.sh_prod = sh_prod;
	}
	return (uint16_t)nout;
}

#endif /* HVN_RX_RANGES_H */
