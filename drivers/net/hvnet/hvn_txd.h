/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Transmit descriptors: transaction ids, states, and how a completion
 * frees one. The host names the request a completion is for; it is
 * believed only when it names the request in flight exactly.
 *
 * - A descriptor is free (in the free stack, its xid HVN_TXID_NONE) or in
 *   flight (its xid the request's id). Only the queue's lcore (or the
 *   control path of a stopped port) changes it, and only a completion
 *   naming the id in flight puts it back, setting the xid to
 *   HVN_TXID_NONE: a descriptor cannot be put back twice, whatever
 *   completions arrive or in which order (HVN_TXID_NONE names no
 *   descriptor: its index 0xffff is past a queue's 4096 at most).
 * - A request's transaction id is its descriptor index, the descriptor's
 *   generation (one more at every send) and the queue's session (new at
 *   every set-up and unbind): a late completion - after the descriptor was
 *   reused, after a drain timeout, after a rebind - or a replayed one names
 *   no request in flight.
 * - On a shared channel rx queue k reads tx queue k's completions and
 *   hands the ids over through the completion ring; it filters what is
 *   plainly not in flight (so a host cannot fill the ring) but the tx
 *   queue decides, against the descriptor's state.
 * Whatever is refused is counted (bad_cmplt) and ignored.
 */

#ifndef HVN_TXD_H
#define HVN_TXD_H

#include "hvn.h"
#include "hvn_zc.h"

/* Bits 0-15: descriptor index (at most 4096 descriptors); bits 16-39: its
 * generation; bits 40-62: the queue's session; bit 63 (HVN_XID_CTL) never
 * set. A generation that runs over (2^24 sends of one descriptor in one
 * session) carries into the session bits: ids still differ from every
 * earlier one of that descriptor. */
#define HVN_TXID_IDX_MASK	UINT64_C(0xffff)
#define HVN_TXID_GEN_ONE	(UINT64_C(1) << 16)
#define HVN_TXID_SESS_SHIFT	40
#define HVN_TXID_SESS_MASK	0x7fffffu
/* Sessions a queue set-up reserves: its unbinds count up from the first
 * one, and the next set-up's queues start past them. */
#define HVN_TXQ_SESSIONS	1024u
/* No request: a free descriptor's id (control bit set, never sent). */
#define HVN_TXID_NONE		UINT64_MAX

/* The first id of descriptor @p idx in the queue's current session. */
static inline uint64_t
hvn_txid_first(const struct hvn_txq *txq, uint32_t idx)
{
	return (uint64_t)(txq->session & HVN_TXID_SESS_MASK) <<
		HVN_TXID_SESS_SHIFT | HVN_TXID_GEN_ONE | idx;
}

/* hvn_txd.own: an mbuf is 64-byte aligned (rte_mbuf is cache-aligned),
 * which leaves its low bits for the tag. An mbuf not tagged FAST takes
 * the full way back (hvn_txd_put_mbuf()); so does one tagged HDR, whose
 * request left the descriptor's header area in another layout than the
 * template (offload PPIs), and that way puts the template back. */
#define HVN_TXD_OWN_FAST	UINT64_C(1)	/* mbuf: fast free */
#define HVN_TXD_OWN_SEC		UINT64_C(2)	/* section << 2 */
#define HVN_TXD_OWN_HDR		UINT64_C(4)	/* mbuf: area rewritten */
#define HVN_TXD_OWN_MASK	UINT64_C(7)	/* an mbuf's tag bits */

/*
 * A descriptor's RNDIS header area holds the queue's template (the
 * header and hash-value PPI of a frame without offloads) whenever the
 * descriptor is free, so that such a frame's send writes only its two
 * lengths there: written whole at set-up; a request that needs another
 * layout writes its own and is tagged HVN_TXD_OWN_HDR, and the template
 * goes back when that request is done (completed or given up) - never
 * while the host may read the area for it. The host only reads the area.
 */
static inline void
hvn_txd_hdr_reset(const struct hvn_txq *txq, uint32_t idx)
{
	memcpy(txq->hdrs + (size_t)idx * HVN_TX_HDR_SIZE, txq->tmpl,
	       HVN_TX_TMPL_SIZE);
}

/* What a GPA-direct request of the one-segment mbuf @p m holds: with
 * fast free, an mbuf that goes back to its pool at completion without
 * its segments or reference count being read (hvn_txd_put()). */
static __rte_always_inline uintptr_t
hvn_txd_own_one(const struct hvn_txq *txq, const struct rte_mbuf *m)
{
	RTE_BUILD_BUG_ON(HVN_TXD_OWN_FAST != 1);
	return (uintptr_t)m | (uintptr_t)txq->fast_free;
}

static __rte_always_inline uintptr_t
hvn_txd_own_sec(uint32_t sec)
{
	return (uintptr_t)sec << 2 | HVN_TXD_OWN_SEC;
}

/* The full way back for an mbuf the send did not tag FAST: a chain, an
 * mbuf attached to a receive buffer, no fast free, or a request whose
 * header area goes back to the template (descriptor @p idx). */
static __rte_noinline void
hvn_txd_put_mbuf(const struct hvn_txq *txq, uint32_t idx, uintptr_t own,
		 struct rte_mbuf **fm, uint32_t *nfm)
{
	struct rte_mbuf *m = (struct rte_mbuf *)(own & ~HVN_TXD_OWN_MASK);

	if (own & HVN_TXD_OWN_HDR)
		hvn_txd_hdr_reset(txq, idx);
	/* Fast free: straight back to the pool (a chain still has its
	 * segments to walk, an mbuf attached to a receive buffer its
	 * buffer to give back first: only a detached mbuf may reach
	 * fm[]). */
	if (txq->fast_free && m->nb_segs == 1 &&
	    (!(m->ol_flags & RTE_MBUF_F_EXTERNAL) || hvn_zc_detach(m))) {
		if (fm != NULL)
			fm[(*nfm)++] = m;
		else
			rte_mempool_put(m->pool, m);
	} else {
		rte_pktmbuf_free(m);
	}
}

/* Descriptor @p d (index @p idx) is done: what it holds and itself go
 * back, itself onto free_desc[*nfree]. Only from in flight (the callers
 * check). With @p fm, a tagged mbuf is appended to fm[*nfm] instead, for
 * the caller's one rte_mempool_put_bulk() (fast free: one pool). */
static __rte_always_inline void
hvn_txd_put(struct hvn_txq *txq, struct hvn_txd *d, uint32_t idx,
	    struct rte_mbuf **fm, uint32_t *nfm, uint32_t *nfree)
{
	uintptr_t own = d->own;

	if (likely(own & HVN_TXD_OWN_FAST)) {
		/* FAST is the only tag of such an mbuf. */
		struct rte_mbuf *m = (struct rte_mbuf *)(own -
							 HVN_TXD_OWN_FAST);

		/* Attached to a receive buffer (rx_copybreak: only once a
		 * queue of the process attached), the buffer goes back
		 * first: only a detached mbuf may reach fm[]. */
		if (unlikely(hvn_zc_used) &&
		    (m->ol_flags & RTE_MBUF_F_EXTERNAL) && !hvn_zc_detach(m))
			rte_pktmbuf_free(m);
		else if (fm != NULL)
			fm[(*nfm)++] = m;
		else
			rte_mempool_put(m->pool, m);
	} else if (own & HVN_TXD_OWN_SEC) {
		txq->free_sec[txq->nfree_sec++] = (uint32_t)(own >> 2);
	} else if (own != 0) {
		hvn_txd_put_mbuf(txq, idx, own, fm, nfm);
	}
	/* Free: a repeat of this completion names no request, for us and
	 * for a shared channel's completer (d->handed). d->own is stale
	 * from here and read again only after the next send sets it. */
	__atomic_store_n(&d->xid, HVN_TXID_NONE, __ATOMIC_RELAXED);
	txq->free_desc[(*nfree)++] = idx;
}

/* A completion for @p xid reached the queue's lcore: free the request it
 * names, if that is the one in flight. 0, or -1 when it names none. @p fm,
 * @p nfm and @p nfree as for hvn_txd_put() (@p fm NULL: mbufs go back at
 * once). */
static __rte_always_inline int
hvn_txd_complete_to(struct hvn_txq *txq, uint64_t xid, struct rte_mbuf **fm,
		    uint32_t *nfm, uint32_t *nfree)
{
	uint32_t idx = (uint32_t)(xid & HVN_TXID_IDX_MASK);
	struct hvn_txd *d;

	if (unlikely(idx >= txq->ndesc))
		return -1;
	d = &txq->txd[idx];
	/* In flight with this id (a free one's is HVN_TXID_NONE, which no
	 * index below ndesc carries). */
	if (unlikely(d->xid != xid))
		return -1;
	hvn_txd_put(txq, d, idx, fm, nfm, nfree);
	return 0;
}

static __rte_always_inline int
hvn_txd_complete(struct hvn_txq *txq, uint64_t xid)
{
	return hvn_txd_complete_to(txq, xid, NULL, NULL, &txq->nfree);
}

/* Request d->next went out on descriptor @p d (after the ring took it),
 * holding @p own until its completion. */
static __rte_always_inline void
hvn_txd_sent(struct hvn_txd *d, uintptr_t own)
{
	uint64_t xid = d->next;

	d->own = own;
	d->next = xid + HVN_TXID_GEN_ONE;
	/* Published to a shared channel's completer by the ring's release
	 * of this burst's requests, before the host can complete them. */
	__atomic_store_n(&d->xid, xid, __ATOMIC_RELAXED);
}

/* An mbuf an in-flight descriptor still holds, for a queue that gives up
 * on its requests (unbind, release); NULL if none. */
static inline struct rte_mbuf *
hvn_txd_held_mbuf(const struct hvn_txd *d)
{
	if (d->xid == HVN_TXID_NONE || (d->own & HVN_TXD_OWN_SEC) ||
	    d->own == 0)
		return NULL;
	return (struct rte_mbuf *)(d->own & ~HVN_TXD_OWN_MASK);
}

/* In-flight descriptor @p idx given up (unbind): what it holds is the
 * caller's; its header area gets the template back if its request
 * changed it. */
static inline void
hvn_txd_drop(const struct hvn_txq *txq, const struct hvn_txd *d,
	     uint32_t idx)
{
	if (d->xid != HVN_TXID_NONE && !(d->own & HVN_TXD_OWN_SEC) &&
	    (d->own & HVN_TXD_OWN_HDR))
		hvn_txd_hdr_reset(txq, idx);
}

#endif /* HVN_TXD_H */
