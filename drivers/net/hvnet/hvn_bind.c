/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A queue's binding to a host session: the channel it finds in its slot
 * carries an open sequence number; when that differs from the one the
 * queue bound to (first use, or a channel re-opened after a rescind and
 * re-offer), the queue's own burst rebinds before touching the rings,
 * dropping what belonged to the old session and taking the new session's
 * buffers and limits. Rebinding runs inside a burst: it only checks that
 * the queue's arrays fit the new session - the control path sized them
 * before the session's channels were published (hvn_queue.c) - and never
 * allocates.
 */

#include <errno.h>
#include <string.h>

#include "hvn_rxtx.h"

/*
 * Largest frame copied into a send-buffer section in this host session:
 * the tx_copybreak devarg, clamped to what a section holds after the
 * largest RNDIS header. The host chooses the section size (NVSP lets it
 * announce 68 bytes), so without the clamp a frame could be copied across
 * the sections after its own, the control section and the buffer's end.
 */
uint32_t
hvn_tx_copy_max(const struct hvn_dev *hv)
{
	uint32_t room = hv->tx_sec_size > HVN_TX_HDR_MAX ?
		hv->tx_sec_size - HVN_TX_HDR_MAX : 0;

	return RTE_MIN(hv->da.tx_copybreak, room);
}

/* Tx queue @p txq's share of the session's send buffer (free_sec has room
 * for @p n): sections except the control one, split evenly among the
 * queues; and the copy limit that fits them. */
void
hvn_txq_sections(struct hvn_txq *txq, const struct hvn_dev *hv, uint32_t n)
{
	uint32_t i;

	txq->sbuf = hv->txbuf;
	txq->sec_size = hv->tx_sec_size;
	txq->sec_n = n;
	txq->sec_first = n * txq->qid;
	for (i = 0; i < n; i++)
		txq->free_sec[i] = txq->sec_first + n - 1 - i;
	txq->nfree_sec = n;
	txq->copybreak = hvn_tx_copy_max(hv);
	/* Aggregates within what the host announced (rndis.c clamps the
	 * count to 1..RNDIS_MAX_AGG_PKTS and the alignment to 4..4096). */
	txq->agg_max = hv->rinit.max_pkts_per_msg;
	txq->agg_align = (1u << hv->rinit.align_shift) - 1;
	txq->agg_bytes = RTE_MIN(hv->tx_sec_size, hv->rinit.max_xfer_size);
}

uint32_t
hvn_rx_pend_need(const struct hvn_dev *hv)
{
	return RTE_MAX(hv->rxlim.sec_count, 1u);
}

uint32_t
hvn_txq_nsec(const struct hvn_dev *hv)
{
	uint16_t nq = hv->eth->data->nb_tx_queues;

	return nq != 0 ? hv->ctl_sec / nq : 0;
}

/* The session the queue was bound to is gone (its host, channel and
 * receive buffer): the completions owed to it and the ranges of the packet
 * in progress are void, never to be touched again. */
void
hvn_rxq_forget(struct hvn_rxq *rxq)
{
	rxq->npend = 0;
	rxq->cur_n = 0;
	hvn_zc_cur_close(rxq);
	hvn_lro_drop(rxq);
}

int
hvn_rxq_rebind(struct hvn_rxq *rxq, uint32_t seq)
{
	const struct hvn_dev *hv = rxq->hv;

	/* Sized for this session before its channels were published
	 * (hvn_queues_fit()); a queue that could not be sits it out. */
	if (rxq->scratch_size < hv->rxlim.sec_size ||
	    rxq->pend_cap < hvn_rx_pend_need(hv)) {
		rxq->st.nombuf++;
		return -ENOMEM;
	}
	/* Frames already copied out stay in the held ring. */
	hvn_rxq_forget(rxq);
	rxq->rxbuf = hv->rxbuf;
	rxq->lim = hv->rxlim;
	hvn_zc_bind(rxq, hv);
	rxq->broken_logged = false;
	rxq->unbind = 0;
	rxq->bound_seq = seq;
	return 0;
}

/*
 * Give back every descriptor: what the old channel completed and what it
 * never will (the host stopped using it, or closed it). A new session
 * starts: completions of the old one - queued in the completion ring, or
 * handed over by rx queue k while this runs - name no request any more
 * and are refused when the queue reclaims them.
 */
void
hvn_txq_unbind(struct hvn_txq *txq)
{
	uint32_t i;

	txq->session++;
	for (i = 0; i < txq->ndesc; i++) {
		struct hvn_txd *d = &txq->txd[i];
		struct rte_mbuf *m = hvn_txd_held_mbuf(d);

		if (m != NULL)
			rte_pktmbuf_free(m);
		hvn_txd_drop(txq, d, i);
		__atomic_store_n(&d->xid, HVN_TXID_NONE, __ATOMIC_RELAXED);
		d->next = hvn_txid_first(txq, i);
		txq->free_desc[i] = txq->ndesc - 1 - i;
	}
	txq->nfree = txq->ndesc;
	txq->nfree_sec = 0;
	txq->bound_seq = 0;
	txq->unbind = 0;
}

int
hvn_txq_rebind(struct hvn_txq *txq, uint32_t seq)
{
	const struct hvn_dev *hv = txq->hv;
	uint32_t n = hvn_txq_nsec(hv);

	/* As for rx: free_sec was sized before the channels came. */
	if (txq->sec_cap < n + 1) {
		txq->st.nombuf++;
		return -ENOMEM;
	}
	hvn_txq_unbind(txq);
	/* The new session's host may announce other sections. */
	hvn_txq_sections(txq, hv, n);
	txq->broken_logged = false;
	/* Completions are learnt again on the new channel's ring. */
	txq->cmplt_like = 0;
	txq->bound_seq = seq;
	return 0;
}
