/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Transmit burst.
 *
 * Per burst, for the channel's lifetime: epoch_reader_enter() on the
 * queue's own record, one plain load of the channel slot, one plain load of
 * the port's VF pointer (hvn_vf.c), epoch_reader_exit().
 * No lock, atomic read-modify-write or fence for that.
 *
 * Tx queue k has channel nq + k to itself (hv->tx_split): it writes
 * requests and reads the host's completions of them, so descriptors come
 * back without rx queue k being polled. The ring protocol's store-load
 * barrier (vmb_ring_publish) is paid once per writing burst.
 *
 * When the host grants fewer than 2 * nq channels (or tx_channels=0), tx
 * queue k shares channel k: rx queue k hands it the completions through a
 * single-producer single-consumer ring, and since DPDK does not promise
 * the two queues share an lcore, each burst that writes channel k's tx
 * ring takes its writer spinlock once.
 */

#include <errno.h>
#include <string.h>

#include <rte_net.h>

#include "hvn_rxtx.h"

#define HVN_TX_FREE_BULK	64u

#define HVN_TX_OL_MASK (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_TCP_SEG | \
			RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)

/* Completions so far, whichever way they come (inside the queue's reader
 * section: a VF burst that does not otherwise touch the channel). */
void
hvn_txq_collect(struct hvn_txq *txq)
{
	struct hvbus_chan *chan;

	if (!txq->own_chan) {
		hvn_txq_reclaim(txq);
		return;
	}
	chan = hvbus_chan_get(txq->slot);
	if (chan != NULL && chan->open_seq == txq->bound_seq)
		hvn_tx_poll(txq, chan);
}

/* Ids rx queue k handed over (shared channel): each frees the request it
 * names if that one is in flight, else it is counted. */
void
hvn_txq_reclaim(struct hvn_txq *txq)
{
	struct hvn_cring *cr = &txq->cr;
	uint32_t c = cr->cons;
	/* Acquire pairs with the producer's release. */
	uint32_t p = __atomic_load_n(&cr->prod, __ATOMIC_ACQUIRE);

	if (c == p)
		return;
	while (c != p)
		if (unlikely(hvn_txd_complete(txq,
					      cr->ids[c++ & cr->mask]) != 0))
			txq->st.bad_cmplt++;
	__atomic_store_n(&cr->cons, c, __ATOMIC_RELEASE);
}

/* A completion the control path of a stopped port read from the queue's
 * own channel. */
int
hvn_tx_done(struct hvn_txq *txq, uint64_t xid)
{
	return hvn_txd_complete(txq, xid);
}

/* Frames on a tx channel: the host ignored the indirection table, which
 * never names these channels. Nobody polls for them here: give the host
 * its sections back and count the frames as errors. */
static __rte_cold void
hvn_tx_stray_xfer(struct hvn_txq *txq, struct hvbus_chan *chan,
		  const struct vmb_pkt_desc *d)
{
	struct nvsp_rndis_pkt_cmplt c = {
		.type = NVSP_TYPE_RNDIS_PKT_CMPLT,
		.status = NVSP_STATUS_SUCCESS,
	};

	txq->st.errors++;
	if ((d->flags & VMB_PKT_FLAG_RC) &&
	    vmb_ring_stage_buf(&chan->tx, VMB_PKT_COMPLETION, 0, d->xid, NULL,
			       0, &c, sizeof(c)) != 0)
		txq->st.ring_full++;
}

/* Read the host's completions from the queue's own channel, without
 * publishing the read index (the caller does, with its own writes: one
 * barrier for both). A completion needs only its validated descriptor
 * (the id): it is peeked and skipped, its body never copied. */
static void
hvn_tx_reap(struct hvn_txq *txq, struct hvbus_chan *chan)
{
	const struct vmb_pkt_desc *pd = (const void *)txq->pkt;
	/* GPA-direct frames completed: back to their pool together. */
	struct rte_mbuf *fm[HVN_TX_FREE_BULK];
	struct vmb_pkt_desc d;
	uint32_t budget, nfm = 0;
	/* The first 8 bytes of the last completion peek accepted: the
	 * host's completions all look alike. 0: none yet (never valid). */
	uint64_t like = txq->cmplt_like, xid[HVN_TX_FREE_BULK];
	/* The free stack's depth in a register (stores into fm[] and
	 * free_desc[] would make it reloaded per completion). */
	uint32_t k, j, nfree = txq->nfree;
	int len;

	for (budget = HVN_TX_REAP_BUDGET;; budget--) {
		if (unlikely(budget == 0)) {
			txq->st.budget_cut++;
			break;
		}
		/* As many as fm[] has room for: each frees one mbuf at
		 * most. */
		if (likely(like != 0) &&
		    (k = vmb_ring_take_like(&chan->rx, like, xid,
					    RTE_MIN(budget, HVN_TX_FREE_BULK -
						    nfm))) != 0) {
			for (j = 0; j < k; j++)
				if (unlikely(hvn_txd_complete_to(txq, xid[j],
								 fm, &nfm,
								 &nfree) != 0))
					txq->st.bad_cmplt++;
			if (nfm == HVN_TX_FREE_BULK) {
				rte_mempool_put_bulk(fm[0]->pool,
						     (void **)fm, nfm);
				nfm = 0;
			}
			budget -= k - 1;
			continue;
		}
		len = vmb_ring_peek_inline(&chan->rx, &d);
		if (unlikely(len < 0)) {
			if (len != -EAGAIN) {
				txq->st.errors++;
				hvn_ring_broken(&txq->broken_logged,
						txq->port_id, "tx", txq->qid,
						len);
			}
			break;
		}
		if (likely(d.type == VMB_PKT_COMPLETION)) {
			memcpy(&like, &d, sizeof(like));
			txq->cmplt_like = like;
			if (unlikely(hvn_txd_complete_to(txq, d.xid, fm,
							 &nfm, &nfree) != 0))
				txq->st.bad_cmplt++;
			vmb_ring_skip(&chan->rx);
			if (unlikely(nfm == HVN_TX_FREE_BULK)) {
				rte_mempool_put_bulk(fm[0]->pool,
						     (void **)fm, nfm);
				nfm = 0;
			}
			continue;
		}
		if (d.type != VMB_PKT_DATA_XFER_PAGES) {
			/* In-band host messages come on channel 0 only. */
			vmb_ring_skip(&chan->rx);
			continue;
		}
		len = vmb_ring_read(&chan->rx, txq->pkt, HVN_RX_PKT_MAX);
		if (unlikely(len < 0)) {
			vmb_ring_skip(&chan->rx);
			txq->st.errors++;
			continue;
		}
		hvn_tx_stray_xfer(txq, chan, pd);
	}
	txq->nfree = nfree;
	if (nfm != 0)
		rte_mempool_put_bulk(fm[0]->pool, (void **)fm, nfm);
}

/* Reap and publish (outside a burst: tx_done_cleanup, a VF burst). */
void
hvn_tx_poll(struct hvn_txq *txq, struct hvbus_chan *chan)
{
	hvn_tx_reap(txq, chan);
	if (vmb_ring_commit_publish(&chan->rx, &chan->tx) == 1)
		hvbus_chan_signal(chan);
}

static __rte_always_inline uint8_t *
hvn_ppi_u32(uint8_t *p, uint32_t type, uint32_t v)
{
	struct rndis_ppi e = {
		.size = RNDIS_PPI_U32_SIZE,
		.type = type,
		.offset = sizeof(struct rndis_ppi),
	};

	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), &v, sizeof(v));
	return p + RNDIS_PPI_U32_SIZE;
}

static __rte_cold uint8_t *
hvn_tx_ppi_offload(const struct rte_mbuf *m, uint8_t *p)
{
	uint64_t ol = m->ol_flags;
	uint32_t l4 = m->l2_len + m->l3_len, f;

	if (ol & RTE_MBUF_F_TX_VLAN)
		p = hvn_ppi_u32(p, RNDIS_PPI_VLAN,
				rndis_vlan_from_tci(m->vlan_tci));
	if (ol & RTE_MBUF_F_TX_TCP_SEG)
		return hvn_ppi_u32(p, RNDIS_PPI_LSO,
				   rndis_lso2_make(m->tso_segsz, l4,
						   !!(ol & RTE_MBUF_F_TX_IPV6)));
	if (ol & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)) {
		f = (ol & RTE_MBUF_F_TX_IPV6) ? RNDIS_TXCSUM_IPV6 :
			RNDIS_TXCSUM_IPV4;
		if (ol & RTE_MBUF_F_TX_IP_CKSUM)
			f |= RNDIS_TXCSUM_IP_HDR;
		if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
			f |= RNDIS_TXCSUM_TCP;
		else if ((ol & RTE_MBUF_F_TX_L4_MASK) ==
			 RTE_MBUF_F_TX_UDP_CKSUM)
			f |= RNDIS_TXCSUM_UDP;
		p = hvn_ppi_u32(p, RNDIS_PPI_CSUM, rndis_txcsum_make(f, l4));
	}
	return p;
}

/* RNDIS PACKET_MSG header and PPIs at @p buf for a frame of @p flen bytes
 * that follows them; returns the frame's offset. The hash-value PPI (the
 * queue index) makes the host complete the request on this channel. */
static __rte_always_inline uint32_t
hvn_tx_hdr(const struct hvn_txq *txq, const struct rte_mbuf *m, uint8_t *buf,
	   uint32_t flen)
{
	struct rndis_packet h;
	uint8_t *p = buf + sizeof(h);
	uint32_t off, v;

	/* No offload: the queue's template, then the two lengths. */
	if (likely(!(m->ol_flags & HVN_TX_OL_MASK))) {
		memcpy(buf, txq->tmpl, HVN_TX_TMPL_SIZE);
		v = HVN_TX_TMPL_SIZE + flen;
		memcpy(buf + offsetof(struct rndis_packet, msg_len), &v,
		       sizeof(v));
		memcpy(buf + offsetof(struct rndis_packet, data_len), &flen,
		       sizeof(flen));
		return HVN_TX_TMPL_SIZE;
	}
	p = hvn_ppi_u32(p, RNDIS_PPI_HASH_VALUE, txq->qid);
	if (unlikely(m->ol_flags & HVN_TX_OL_MASK))
		p = hvn_tx_ppi_offload(m, p);
	off = (uint32_t)(p - buf);
	memset(&h, 0, sizeof(h));
	h.type = RNDIS_MSG_PACKET;
	h.msg_len = off + flen;
	h.data_offset = off - RNDIS_HDR_SIZE;
	h.data_len = flen;
	h.ppi_offset = RNDIS_PACKET_MIN_OFFSET;
	h.ppi_len = off - (uint32_t)sizeof(h);
	memcpy(buf, &h, sizeof(h));
	return off;
}

/* The offload PPIs' layout written whole into a descriptor's header
 * area (the request is tagged HVN_TXD_OWN_HDR). */
static __rte_noinline __rte_cold uint32_t
hvn_tx_hdr_ol(const struct hvn_txq *txq, const struct rte_mbuf *m,
	      uint8_t *area, uint32_t flen)
{
	return hvn_tx_hdr(txq, m, area, flen);
}

/* The RNDIS header of GPA-direct frame @p m in descriptor @p id's area;
 * returns its length. Without offloads the area holds the template
 * (hvn_txd_hdr_reset()): the two lengths are all that changes. */
static __rte_always_inline uint32_t
hvn_tx_hdr_area(const struct hvn_txq *txq, const struct rte_mbuf *m,
		uint32_t id, uint32_t flen)
{
	uint8_t *area = txq->hdrs + (size_t)id * HVN_TX_HDR_SIZE;
	uint32_t v = HVN_TX_TMPL_SIZE + flen;

	if (unlikely(m->ol_flags & HVN_TX_OL_MASK))
		return hvn_tx_hdr_ol(txq, m, area, flen);
	memcpy(area + offsetof(struct rndis_packet, msg_len), &v, sizeof(v));
	memcpy(area + offsetof(struct rndis_packet, data_len), &flen,
	       sizeof(flen));
	return HVN_TX_TMPL_SIZE;
}

/* What a GPA-direct request of @p m holds (hvn_txd.h): with offloads,
 * an mbuf whose completion puts the header template back. */
static __rte_always_inline uintptr_t
hvn_tx_gpa_own(const struct hvn_txq *txq, const struct rte_mbuf *m,
	       bool one)
{
	if (unlikely(m->ol_flags & HVN_TX_OL_MASK))
		return (uintptr_t)m | HVN_TXD_OWN_HDR;
	return one ? hvn_txd_own_one(txq, m) : (uintptr_t)m;
}

/* 16 bytes moved as one unaligned load or store (the compiler's generic
 * vector type: one register on any architecture with 16-byte vectors). */
typedef uint8_t hvn_v16 __attribute__((vector_size(16)));

static __rte_always_inline hvn_v16
hvn_ld16(const void *p)
{
	hvn_v16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static __rte_always_inline void
hvn_st16(void *p, hvn_v16 v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * A copied frame's RNDIS packet at @p p, @p len bytes of frame: header
 * and copy. Returns the packet's length. The usual small frame - 32 to
 * 128 bytes - is copied as four or eight overlapping
 * 16-byte moves in line: no call, whose clobbered registers the
 * aggregation loop pays for around it (reloads, spills). Any other goes
 * through memcpy().
 */
static __rte_always_inline uint32_t
hvn_tx_pkt_copy(const struct hvn_txq *txq, const struct rte_mbuf *m,
		uint8_t *p, uint32_t len)
{
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = hvn_tx_hdr(txq, m, p, len);
	uint8_t *dst = p + off;
	hvn_v16 a, b, c, d;

	if (unlikely(len - 32 > 128 - 32)) {
		memcpy(dst, src, len);
		return off + len;
	}
	if (len > 64) {
		a = hvn_ld16(src + 32);
		b = hvn_ld16(src + 48);
		c = hvn_ld16(src + len - 64);
		d = hvn_ld16(src + len - 48);
		hvn_st16(dst + 32, a);
		hvn_st16(dst + 48, b);
		hvn_st16(dst + len - 64, c);
		hvn_st16(dst + len - 48, d);
	}
	a = hvn_ld16(src);
	b = hvn_ld16(src + 16);
	c = hvn_ld16(src + len - 32);
	d = hvn_ld16(src + len - 16);
	hvn_st16(dst, a);
	hvn_st16(dst + 16, b);
	hvn_st16(dst + len - 32, c);
	hvn_st16(dst + len - 16, d);
	return off + len;
}

/* The header of a frame without offloads (lengths 0): RNDIS PACKET_MSG
 * and the hash-value PPI naming the queue. */
void
hvn_tx_tmpl_init(struct hvn_txq *txq)
{
	struct rndis_packet h;

	RTE_BUILD_BUG_ON(HVN_TX_TMPL_SIZE != sizeof(h) + RNDIS_PPI_U32_SIZE);
	memset(&h, 0, sizeof(h));
	h.type = RNDIS_MSG_PACKET;
	h.data_offset = HVN_TX_TMPL_SIZE - RNDIS_HDR_SIZE;
	h.ppi_offset = RNDIS_PACKET_MIN_OFFSET;
	h.ppi_len = RNDIS_PPI_U32_SIZE;
	memcpy(txq->tmpl, &h, sizeof(h));
	hvn_ppi_u32(txq->tmpl + sizeof(h), RNDIS_PPI_HASH_VALUE, txq->qid);
}

static __rte_always_inline void
hvn_tx_nvsp(struct nvsp_rndis_pkt *r, uint32_t sec, uint32_t size)
{
	r->type = NVSP_TYPE_RNDIS_PKT;
	r->channel_type = NVSP_RNDIS_CHAN_DATA;
	r->section_index = sec;
	r->section_size = size;
}

/* Ring bytes of the usual GPA-direct request at most: descriptor, range
 * header, three ranges (header area, the frame on one or two pages), the
 * NVSP message; a multiple of 8, no padding. */
#define HVN_TX_GPA1_MAX	(VMB_PKT_DESC_SIZE + sizeof(struct vmb_gpa_hdr) + \
			 3 * sizeof(struct vmb_gpa_pb) + \
			 sizeof(struct nvsp_rndis_pkt))

/* The usual GPA-direct frame when the ring's end or its reader is near:
 * built on the stack, staged with every check. */
static __rte_noinline int
hvn_tx_gpa_one_staged(struct hvn_txq *txq, struct hvbus_chan *chan,
		      struct rte_mbuf *m, uint32_t id, uint64_t xid,
		      rte_iova_t iova)
{
	const struct hvn_txd *d = &txq->txd[id];
	struct {
		struct vmb_gpa_hdr h;
		struct vmb_gpa_pb pb[3];
	} __attribute__((packed)) ext;
	struct nvsp_rndis_pkt r;

	ext.pb[0] = d->hdr_pb;
	ext.pb[0].len = hvn_tx_hdr_area(txq, m, id, m->pkt_len);
	ext.h.reserved = 0;
	hvn_tx_nvsp(&r, NVSP_SECTION_NONE, 0);
	ext.h.range_count = 1 + vmb_gpa_pb_split2(&ext.pb[1], iova,
						  m->pkt_len);
	return vmb_ring_stage_buf(&chan->tx, VMB_PKT_DATA_GPA_DIRECT,
				  VMB_PKT_FLAG_RC, xid, &ext,
				  (uint32_t)(sizeof(ext.h) + ext.h.range_count *
					     sizeof(ext.pb[0])),
				  &r, sizeof(r));
}

/*
 * The usual GPA-direct frame: one segment on at most two pages. Its
 * ranges (header, frame) are valid by construction and, when the ring
 * has room before its end, written where the host reads them: no packet
 * built on the stack and copied, the descriptor's first 8 bytes and the
 * NVSP message as constants.
 */
static __rte_always_inline int
hvn_tx_gpa_one(struct hvn_txq *txq, struct hvbus_chan *chan,
	       struct rte_mbuf *m, uint32_t id, uint64_t xid, rte_iova_t iova)
{
	static const struct nvsp_rndis_pkt nv = {
		.type = NVSP_TYPE_RNDIS_PKT,
		.channel_type = NVSP_RNDIS_CHAN_DATA,
		.section_index = NVSP_SECTION_NONE,
		.section_size = 0,
	};
	const struct hvn_txd *d = &txq->txd[id];
	struct vmb_gpa_pb *pb;
	uint8_t *p = vmb_ring_reserve(&chan->tx, HVN_TX_GPA1_MAX);
	uint64_t w;
	uint32_t n;

	if (unlikely(p == NULL))
		return hvn_tx_gpa_one_staged(txq, chan, m, id, xid, iova);
	RTE_BUILD_BUG_ON(HVN_TX_GPA1_MAX != 88);
	/* The header area is 256-aligned in a page-aligned block: it never
	 * crosses a page. */
	pb = (struct vmb_gpa_pb *)(p + VMB_PKT_DESC_SIZE +
				   sizeof(struct vmb_gpa_hdr));
	/* The header's range as the template has it (its length too). */
	memcpy(&pb[0], &d->hdr_pb, sizeof(pb[0]));
	if (unlikely(m->ol_flags & HVN_TX_OL_MASK))
		pb[0].len = hvn_tx_hdr_area(txq, m, id, m->pkt_len);
	else
		hvn_tx_hdr_area(txq, m, id, m->pkt_len);
	/* n = 1 or 2 ranges for the frame: 16 bytes more per range in the
	 * extended header and in the packet (2 in each length8). */
	n = vmb_gpa_pb_split2(&pb[1], iova, m->pkt_len);
	w = vmb_pkt_desc_word(VMB_PKT_DATA_GPA_DIRECT, 7, 9, VMB_PKT_FLAG_RC) +
		(uint64_t)(n - 1) * (UINT64_C(2) << 16 | UINT64_C(2) << 32);
	memcpy(p, &w, sizeof(w));
	memcpy(p + 8, &xid, sizeof(xid));
	w = (uint64_t)(n + 1) << 32;		/* reserved 0, range_count */
	memcpy(p + VMB_PKT_DESC_SIZE, &w, sizeof(w));
	memcpy(&pb[n + 1], &nv, sizeof(nv));
	vmb_ring_produce(&chan->tx, 72 + 16 * (n - 1));
	return 0;
}

/* Any other GPA-direct frame (a chain, a frame over two pages): header
 * from the descriptor's area, a range per page of every segment, checked
 * by the encoder. Out of line: its arrays and loop would crowd the
 * burst's registers. */
static __rte_noinline int
hvn_tx_gpa_chain(struct hvn_txq *txq, struct hvbus_chan *chan,
		 struct rte_mbuf *m, uint32_t id, uint64_t xid)
{
	struct hvn_txd *d = &txq->txd[id];
	struct vmb_gpa_pb pb[HVN_TX_MAX_PB];
	uint8_t ext[8 + sizeof(pb)];
	struct nvsp_rndis_pkt r;
	const struct rte_mbuf *seg;
	uint32_t n = 1, off;
	int ext_len;

	off = hvn_tx_hdr_area(txq, m, id, m->pkt_len);
	pb[0] = d->hdr_pb;
	pb[0].len = off;
	for (seg = m; seg != NULL; seg = seg->next) {
		rte_iova_t iova = rte_mbuf_data_iova(seg);
		uint32_t left = seg->data_len, chunk;

		while (left != 0) {
			if (unlikely(n == HVN_TX_MAX_PB))
				return -E2BIG;
			chunk = VMB_PAGE_SIZE - (uint32_t)(iova &
							 (VMB_PAGE_SIZE - 1));
			if (chunk > left)
				chunk = left;
			pb[n].len = chunk;
			pb[n].offset = (uint32_t)(iova & (VMB_PAGE_SIZE - 1));
			pb[n].pfn = iova >> VMB_PAGE_SHIFT;
			n++;
			iova += chunk;
			left -= chunk;
		}
	}
	ext_len = vmb_gpa_pb_encode(ext, sizeof(ext), pb, n);
	if (unlikely(ext_len < 0))
		return -E2BIG;
	hvn_tx_nvsp(&r, NVSP_SECTION_NONE, 0);
	return vmb_ring_stage_buf(&chan->tx, VMB_PKT_DATA_GPA_DIRECT,
				  VMB_PKT_FLAG_RC, xid, ext, (uint32_t)ext_len,
				  &r, sizeof(r));
}

/* A GPA-direct frame the run below does not take (a chain, more than two
 * pages, offloads, the ring's end or its reader near): header from the
 * descriptor's area, frame bytes straight from the mbuf's pages. The mbuf
 * is held until completion. */
static __rte_noinline int
hvn_tx_gpa(struct hvn_txq *txq, struct hvbus_chan *chan, struct rte_mbuf *m,
	   uint32_t id, uint64_t xid, uintptr_t *own)
{
	rte_iova_t iova = rte_mbuf_data_iova(m);
	int rc;

	if (likely(m->nb_segs == 1 && m->pkt_len != 0 &&
		   (iova & (VMB_PAGE_SIZE - 1)) + m->pkt_len <=
		   2 * VMB_PAGE_SIZE)) {
		*own = hvn_tx_gpa_own(txq, m, true);
		rc = hvn_tx_gpa_one(txq, chan, m, id, xid, iova);
	} else {
		/* Not FAST: the full way back (hvn_txd_put_mbuf()). */
		*own = hvn_tx_gpa_own(txq, m, false);
		rc = hvn_tx_gpa_chain(txq, chan, m, id, xid);
	}
	/* Not sent (the ring refused it, too many pages): the descriptor
	 * stays free, and a free one's area holds the template. */
	if (unlikely(rc != 0) && (*own & HVN_TXD_OWN_HDR))
		hvn_txd_hdr_reset(txq, id);
	return rc;
}

/*
 * A run of the usual GPA-direct frame - one segment on at most two pages,
 * no offloads, at least the copy break - from pkts[@p i] up to
 * pkts[@p lim), each written where the host reads it as
 * hvn_tx_gpa_one() would (the same bytes). What every frame of the run
 * shares is worked out once: the free descriptors bound @p lim, the
 * ring's room is a span (one compare a frame), the free stack's depth
 * stays in a register, the descriptor word and range header are two
 * constants, one per range count, and the header area holds the template
 * (two lengths written). Returns the index of the first frame not sent,
 * @p i when it is not such a frame or finds no room: the caller takes it
 * the general way. Out of line: a call per run, and the copy loop keeps
 * its registers.
 */
static __rte_noinline uint32_t
hvn_tx_gpa_run(struct hvn_txq *txq, struct hvbus_chan *chan,
	       struct rte_mbuf **pkts, uint32_t i, uint32_t lim,
	       uint64_t *bytes)
{
	static const struct nvsp_rndis_pkt nv = {
		.type = NVSP_TYPE_RNDIS_PKT,
		.channel_type = NVSP_RNDIS_CHAN_DATA,
		.section_index = NVSP_SECTION_NONE,
		.section_size = 0,
	};
	/* Descriptor words of 1 and 2 frame ranges (3 and 4 in all with the
	 * header's, 16 bytes each): offsets and lengths in 8-byte units. */
	const uint64_t w1 = vmb_pkt_desc_word(VMB_PKT_DATA_GPA_DIRECT, 7, 9,
					      VMB_PKT_FLAG_RC);
	const uint64_t w2 = vmb_pkt_desc_word(VMB_PKT_DATA_GPA_DIRECT, 9, 11,
					      VMB_PKT_FLAG_RC);
	const uintptr_t ff = txq->fast_free;
	/* A frame of 0 bytes never takes the run (no range for it). */
	const uint32_t cb = RTE_MAX(txq->copybreak, 1u);
	struct hvn_txd *const txd = txq->txd;
	const uint32_t *const free_desc = txq->free_desc;
	uint8_t *const hdrs = txq->hdrs;
	uint32_t nfree = txq->nfree, id, plen, off, v;
	struct vmb_ring_span sp;
	struct vmb_gpa_pb *pb;
	struct rte_mbuf *m;
	struct hvn_txd *d;
	rte_iova_t iova;
	uint64_t xid, b = 0, h;
	uint8_t *p, *area;

	RTE_BUILD_BUG_ON(HVN_TX_GPA1_MAX != 88);
	lim = RTE_MIN(lim, i + nfree);
	vmb_ring_span_open(&chan->tx, &sp);
	for (; i < lim; i++) {
		m = pkts[i];
		plen = m->pkt_len;
		iova = rte_mbuf_data_iova(m);
		off = (uint32_t)(iova & (VMB_PAGE_SIZE - 1));
		if (unlikely(plen < cb || m->nb_segs != 1 ||
			     (m->ol_flags & HVN_TX_OL_MASK) ||
			     off + plen > 2 * VMB_PAGE_SIZE))
			break;
		p = vmb_ring_span_reserve(&sp, HVN_TX_GPA1_MAX);
		if (unlikely(p == NULL))
			break;
		id = free_desc[--nfree];
		d = &txd[id];
		xid = d->next;
		hvn_txd_sent(d, (uintptr_t)m | ff);
		/* The template's two lengths (hvn_tx_hdr_area()). */
		area = hdrs + (size_t)id * HVN_TX_HDR_SIZE;
		v = HVN_TX_TMPL_SIZE + plen;
		memcpy(area + offsetof(struct rndis_packet, msg_len), &v,
		       sizeof(v));
		memcpy(area + offsetof(struct rndis_packet, data_len), &plen,
		       sizeof(plen));
		memcpy(p + 8, &xid, sizeof(xid));
		pb = (struct vmb_gpa_pb *)(p + VMB_PKT_DESC_SIZE +
					   sizeof(struct vmb_gpa_hdr));
		memcpy(&pb[0], &d->hdr_pb, sizeof(pb[0]));
		pb[1].offset = off;
		pb[1].pfn = iova >> VMB_PAGE_SHIFT;
		if (likely(off + plen <= VMB_PAGE_SIZE)) {
			pb[1].len = plen;
			memcpy(p, &w1, sizeof(w1));
			h = (uint64_t)2 << 32;	/* reserved 0, range_count */
			memcpy(p + VMB_PKT_DESC_SIZE, &h, sizeof(h));
			memcpy(&pb[2], &nv, sizeof(nv));
			vmb_ring_span_produce(&sp, 72);
		} else {
			/* vmb_gpa_pb_split2()'s second range. */
			pb[1].len = VMB_PAGE_SIZE - off;
			pb[2].len = plen - (VMB_PAGE_SIZE - off);
			pb[2].offset = 0;
			pb[2].pfn = (iova >> VMB_PAGE_SHIFT) + 1;
			memcpy(p, &w2, sizeof(w2));
			h = (uint64_t)3 << 32;
			memcpy(p + VMB_PKT_DESC_SIZE, &h, sizeof(h));
			memcpy(&pb[3], &nv, sizeof(nv));
			vmb_ring_span_produce(&sp, 88);
		}
		b += plen;
	}
	vmb_ring_span_close(&chan->tx, &sp);
	txq->nfree = nfree;
	*bytes += b;
	return i;
}

/*
 * Frames copied into the send buffer are the caller's no more: back to
 * their pool. The usual mbuf - direct, one segment, its only reference,
 * the first one's pool - goes back with a single put for all of them (no
 * per-mbuf call as in rte_pktmbuf_free_bulk()); anything else through
 * rte_pktmbuf_free(). @p m may be the caller's array: not written.
 */
static __rte_noinline void
hvn_tx_free_copied_slow(struct rte_mbuf *const *m, uint16_t n)
{
	struct rte_mempool *mp = m[0]->pool;
	struct rte_mbuf *put[HVN_TX_FREE_BULK], *x;
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		x = m[i];
		if (likely(x->pool == mp && x->nb_segs == 1 &&
			   RTE_MBUF_DIRECT(x) &&
			   rte_mbuf_refcnt_read(x) == 1)) {
			put[k++] = x;
			if (k == HVN_TX_FREE_BULK) {
				rte_mempool_put_bulk(mp, (void **)put, k);
				k = 0;
			}
		} else {
			rte_pktmbuf_free(x);
		}
	}
	if (k != 0)
		rte_mempool_put_bulk(mp, (void **)put, k);
}

/* With MBUF_FAST_FREE the application promised one pool and one
 * reference (copied frames have one segment): one put. Only a frame that
 * zero-copy receive attached to a receive buffer has a buffer to give
 * back: once any queue of the process attaches, the flags are looked at
 * for that. */
static __rte_always_inline void
hvn_tx_free_copied(const struct hvn_txq *txq, struct rte_mbuf *const *m,
		   uint16_t n)
{
	uint64_t ol = 0;
	uint16_t i;

	if (txq->fast_free) {
		if (unlikely(hvn_zc_used))
			for (i = 0; i < n; i++)
				ol |= m[i]->ol_flags;
		if (likely(!(ol & RTE_MBUF_F_EXTERNAL))) {
			rte_mempool_put_bulk(m[0]->pool, (void *const *)m, n);
			return;
		}
	}
	hvn_tx_free_copied_slow(m, n);
}

/* Copied frames pkts[0..@p cnt) are staged (a GPA-direct frame comes
 * next): short runs wait in done[] for one put, a long one goes at once. */
static __rte_noinline void
hvn_tx_done_run(const struct hvn_txq *txq, struct rte_mbuf **done,
		uint16_t *ndone, struct rte_mbuf *const *pkts, uint16_t cnt)
{
	uint16_t k = *ndone, i;

	if (k + cnt > HVN_TX_FREE_BULK) {
		if (k != 0)
			hvn_tx_free_copied(txq, done, k);
		k = 0;
		if (cnt > HVN_TX_FREE_BULK / 2) {
			hvn_tx_free_copied(txq, pkts, cnt);
			*ndone = 0;
			return;
		}
	}
	for (i = 0; i < cnt; i++)
		done[k++] = pkts[i];
	*ndone = k;
}

/*
 * Send aggregation (protocol.rst 5.6, 6.2): frames copied into the send
 * buffer are packed into one section, each RNDIS packet starting at the
 * alignment the host announced, at most as many per request as it
 * announced and no more bytes than a section (and the host's largest
 * request) holds; the section goes out as one request with one
 * descriptor. An aggregate is a run of consecutive frames of the burst:
 * it closes when full, before a frame that goes GPA-direct (frames keep
 * their order), at a latency publish and at the end of the burst. Until
 * it is staged its frames are not the caller's loss: when the ring
 * refuses it they are handed back unsent.
 */

/* Section @p sec, @p len bytes, as one request (a descriptor is free). */
static __rte_always_inline int
hvn_tx_agg_send(struct hvn_txq *txq, struct hvbus_chan *chan, uint32_t sec,
		uint32_t len)
{
	uint32_t id = txq->free_desc[txq->nfree - 1];
	struct hvn_txd *d = &txq->txd[id];
	struct nvsp_rndis_pkt r;
	int rc;

	hvn_tx_nvsp(&r, sec, len);
	rc = vmb_ring_stage_buf(&chan->tx, VMB_PKT_DATA_INBAND,
				VMB_PKT_FLAG_RC, d->next, NULL, 0, &r,
				sizeof(r));
	if (unlikely(rc != 0))
		return rc;
	txq->nfree--;
	hvn_txd_sent(d, hvn_txd_own_sec(sec));
	return 0;
}

/* The ring refused the aggregate in section @p sec that starts at frame
 * @p first: its section goes back, its frames are not sent (-EAGAIN:
 * handed back; a broken ring: dropped with the rest of the burst).
 * Returns the frames the burst sent. */
static __rte_cold uint16_t
hvn_tx_agg_failed(struct hvn_txq *txq, uint32_t sec, uint16_t first,
		  struct rte_mbuf **pkts, uint16_t n, int rc)
{
	txq->free_sec[txq->nfree_sec++] = sec;
	if (rc == -EAGAIN) {
		txq->st.ring_full++;
		return first;
	}
	/* Nothing can leave on this channel any more: drop like a
	 * rescinded one, so the caller does not spin. */
	hvn_ring_broken(&txq->broken_logged, txq->port_id, "tx", txq->qid, rc);
	txq->st.errors += n - first;
	rte_pktmbuf_free_bulk(pkts + first, n - first);
	return n;
}

uint16_t
hvn_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct hvn_txq *txq = q;
	struct hvbus_chan *chan;
	struct rte_mbuf *m;
	/* Copied frames of runs a GPA-direct frame ended, for one put. */
	struct rte_mbuf *done[HVN_TX_FREE_BULK];
	const struct hvn_vf *vf;
	struct hvn_txd *d;
	uint32_t id, off, plen, start, end, last, sec, lim, pub_at, abytes, i, k;
	uint64_t xid, bytes = 0;
	uintptr_t own;
	uint8_t *buf;
	/* run: the first copied frame not yet in done[]; ncopy, ngpa: frames
	 * sent each way (the counters are written once). */
	uint32_t run = 0;
	uint16_t ret, first, ndone = 0, ncopy = 0, ngpa = 0;
	int rc;

	epoch_reader_enter(&txq->rd);
	vf = epoch_load(&txq->hv->vf);
	if (vf != NULL) {
		i = hvn_vf_tx(txq, vf, pkts, n);
		epoch_reader_exit(&txq->rd);
		return i;
	}
	chan = hvbus_chan_get(txq->slot);
	if (unlikely(chan == NULL || hvn_handoff_get(&txq->ctl_owned))) {
		epoch_reader_exit(&txq->rd);
		if (chan != NULL)
			return 0;
		/* Rescinded: the frames can never leave; those in flight
		 * go back to their pools once the grace period has passed. */
		if (unlikely(txq->unbind))
			hvn_txq_unbind(txq);
		rte_pktmbuf_free_bulk(pkts, n);
		txq->st.dropped += n;
		return n;
	}
	if (unlikely(chan->open_seq != txq->bound_seq) &&
	    hvn_txq_rebind(txq, chan->open_seq) != 0) {
		epoch_reader_exit(&txq->rd);
		return 0;
	}
	if (txq->own_chan)
		hvn_tx_reap(txq, chan);
	else
		hvn_txq_reclaim(txq);
	if (txq->lock != NULL)
		rte_spinlock_lock(txq->lock);
	/* Latency policy: let the host start on a long burst early, at one
	 * barrier per pub_every frames (no index is UINT32_MAX). */
	pub_at = txq->pub_every != 0 ? txq->pub_every : UINT32_MAX;
	i = 0;
	while (i < n) {
		m = pkts[i];
		plen = m->pkt_len;
		if (likely(plen < txq->copybreak && m->nb_segs == 1)) {
			if (unlikely(txq->nfree == 0)) {
				txq->st.ring_full++;
				break;
			}
			if (unlikely(txq->nfree_sec == 0))
				goto gpa;
			sec = txq->free_sec[--txq->nfree_sec];
			buf = txq->sbuf + (size_t)sec * txq->sec_size;
			first = (uint16_t)i;
			lim = RTE_MIN(n, i + txq->agg_max);
			lim = RTE_MIN(lim, pub_at);
			start = 0;
			abytes = 0;
			for (;;) {
				end = start + hvn_tx_pkt_copy(txq, m,
							      buf + start,
							      plen);
				abytes += plen;
				last = start;
				if (++i == lim)
					break;
				m = pkts[i];
				plen = m->pkt_len;
				start = (end + txq->agg_align) &
					~txq->agg_align;
				if (!(plen < txq->copybreak &&
				      m->nb_segs == 1) ||
				    start + HVN_TX_HDR_MAX + plen >
				    txq->agg_bytes)
					break;
				/* The last packet's length covers its
				 * padding up to this one. */
				off = start - last;
				memcpy(buf + last +
				       offsetof(struct rndis_packet, msg_len),
				       &off, sizeof(off));
			}
			rc = hvn_tx_agg_send(txq, chan, sec, end);
			if (unlikely(rc != 0)) {
				ret = hvn_tx_agg_failed(txq, sec, first, pkts,
							n, rc);
				/* The frames before it were staged. */
				i = first;
				goto out;
			}
			ncopy += (uint16_t)(i - first);
			bytes += abytes;
		} else {
gpa:
			k = hvn_tx_gpa_run(txq, chan, pkts, i,
					   RTE_MIN(n, pub_at), &bytes);
			if (likely(k != i)) {
				ngpa += (uint16_t)(k - i);
				/* The copied frames before it are staged. */
				if (i != run)
					hvn_tx_done_run(txq, done, &ndone,
							pkts + run,
							(uint16_t)(i - run));
				run = i = k;
				goto sent;
			}
			if (unlikely(txq->nfree == 0)) {
				txq->st.ring_full++;
				break;
			}
			id = txq->free_desc[txq->nfree - 1];
			d = &txq->txd[id];
			xid = d->next;
			rc = hvn_tx_gpa(txq, chan, m, id, xid, &own);
			if (unlikely(rc != 0))
				goto stage_failed;
			txq->nfree--;
			hvn_txd_sent(d, own);
			ngpa++;
			bytes += plen;
next_run:
			/* The copied frames before it are staged. */
			if (i != run)
				hvn_tx_done_run(txq, done, &ndone, pkts + run,
						(uint16_t)(i - run));
			run = ++i;
		}
sent:
		if (unlikely(i == pub_at)) {
			pub_at += txq->pub_every;
			if (vmb_ring_publish(&chan->tx) == 1)
				hvbus_chan_signal(chan);
		}
		continue;
stage_failed:
		if (rc == -EAGAIN) {
			txq->st.ring_full++;
			break;
		}
		if (rc == -EBADMSG) {
			/* Nothing can leave on this channel any more: drop
			 * like a rescinded one, so the caller does not spin. */
			hvn_ring_broken(&txq->broken_logged, txq->port_id,
					"tx", txq->qid, rc);
			txq->st.errors += n - i;
			rte_pktmbuf_free_bulk(pkts + i, (unsigned int)(n - i));
			ret = n;
			goto out;
		}
		/* Cannot be described (too many pages): drop it. */
		HVN_LOG_LIMITED(&txq->log_lim, DEBUG, tx, "port %u tx queue "
				"%u: %u-segment frame dropped: more than %u "
				"page ranges", txq->port_id, txq->qid,
				m->nb_segs, HVN_TX_MAX_PB);
		txq->st.errors++;
		rte_pktmbuf_free(m);
		goto next_run;
	}
	ret = (uint16_t)i;
out:
	/* Own channel: the completions' read index goes out with our writes,
	 * behind the burst's one store-load barrier. */
	if ((txq->own_chan ? vmb_ring_commit_publish(&chan->rx, &chan->tx) :
	     vmb_ring_publish(&chan->tx)) == 1)
		hvbus_chan_signal(chan);
	if (txq->lock != NULL)
		rte_spinlock_unlock(txq->lock);
	epoch_reader_exit(&txq->rd);
	txq->st.packets += ncopy + ngpa;
	txq->st.copied += ncopy;
	txq->st.gpa += ngpa;
	txq->st.bytes += bytes;
	if (ndone != 0)
		hvn_tx_free_copied(txq, done, ndone);
	/* The copied frames after the last GPA-direct one, up to the first
	 * not staged. */
	if (i != run)
		hvn_tx_free_copied(txq, pkts + run, (uint16_t)(i - run));
	return ret;
}
