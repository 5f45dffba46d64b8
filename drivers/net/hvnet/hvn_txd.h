/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Transmit descriptors: transaction ids, states, and how a completion
 * frees one. The host names the request a completion is for; it is
 * believed only when it names the request in flight exactly.
 *
 * - A descriptor is HVN_TXD_FREE (in the free stack) or HVN_TXD_INFLIGHT.
 *   Only the queue's lcore (or the control path of a stopped port) changes
 *   the state, and only INFLIGHT -> FREE puts it back: a descriptor cannot
 *   be put back twice, whatever completions arrive or in which order.
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

/* Descriptor @p idx is done: its mbuf, section and itself go back. Only
 * from HVN_TXD_INFLIGHT (the callers check). With @p fm, an mbuf that
 * fast free lets go back without a look is appended to fm[*nfm] instead,
 * for the caller's one rte_mempool_put_bulk() (fast free: one pool). */
static __rte_always_inline void
hvn_txd_put(struct hvn_txq *txq, struct hvn_txd *d, uint32_t idx,
	    struct rte_mbuf **fm, uint32_t *nfm)
{
	struct rte_mbuf *m = d->m;

	if (m != NULL) {
		/* Fast free: straight back to the pool (a chain still has
		 * its segments to walk, an mbuf attached to a receive
		 * buffer - rx_copybreak - its buffer to give back first:
		 * only a detached mbuf may reach fm[]). */
		if (txq->fast_free && m->nb_segs == 1 &&
		    (!(m->ol_flags & RTE_MBUF_F_EXTERNAL) ||
		     hvn_zc_detach(m))) {
			if (fm != NULL)
				fm[(*nfm)++] = m;
			else
				rte_mempool_put(m->pool, m);
		} else {
			rte_pktmbuf_free(m);
		}
		d->m = NULL;
	}
	if (d->section != NVSP_SECTION_NONE) {
		txq->free_sec[txq->nfree_sec++] = d->section;
		d->section = NVSP_SECTION_NONE;
	}
	/* d->xid stays: the completer's filter then refuses a repeat of
	 * this completion by itself (d->handed). */
	d->state = HVN_TXD_FREE;
	txq->free_desc[txq->nfree++] = idx;
}

/* A completion for @p xid reached the queue's lcore: free the request it
 * names, if that is the one in flight. 0, or -1 when it names none. @p fm
 * and @p nfm as for hvn_txd_put() (NULL: mbufs go back at once). */
static __rte_always_inline int
hvn_txd_complete_to(struct hvn_txq *txq, uint64_t xid, struct rte_mbuf **fm,
		    uint32_t *nfm)
{
	uint32_t idx = (uint32_t)(xid & HVN_TXID_IDX_MASK);
	struct hvn_txd *d;

	if (unlikely(idx >= txq->ndesc))
		return -1;
	d = &txq->txd[idx];
	if (unlikely(d->state != HVN_TXD_INFLIGHT || d->xid != xid))
		return -1;
	hvn_txd_put(txq, d, idx, fm, nfm);
	return 0;
}

static __rte_always_inline int
hvn_txd_complete(struct hvn_txq *txq, uint64_t xid)
{
	return hvn_txd_complete_to(txq, xid, NULL, NULL);
}

/* Request d->next went out on descriptor @p d (after the ring took it). */
static __rte_always_inline void
hvn_txd_sent(struct hvn_txd *d)
{
	uint64_t xid = d->next;

	d->state = HVN_TXD_INFLIGHT;
	d->next = xid + HVN_TXID_GEN_ONE;
	/* Published to a shared channel's completer by the ring's release
	 * of this burst's requests, before the host can complete them. */
	__atomic_store_n(&d->xid, xid, __ATOMIC_RELAXED);
}

#endif /* HVN_TXD_H */
