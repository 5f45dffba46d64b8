/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Queue set-up, release and the slow per-queue operations (flush,
 * tx_done_cleanup, descriptor status, queue info). Rx queue k uses
 * channel k; tx queue k uses channel nq + k when tx has channels of its
 * own (hv->tx_split), else channel k too, behind the channel's writer
 * lock. Each queue's reader record joins the bus's epoch domain at set-up.
 *
 * A queue binds to the channel it finds in its slot: when the open
 * sequence number there differs from the one it bound to (first use, or a
 * channel re-opened after a rescind and re-offer), its burst rebinds on its
 * own lcore before touching the rings. Rebinding drops what belonged to the
 * old host session (requests in flight, completions owed) and takes the
 * new session's buffers. Nothing else writes a running queue's state.
 */

#include <errno.h>
#include <string.h>

#include "hvn.h"
#include "hvn_txd.h"

static void
hvn_rxq_free(struct hvn_rxq *rxq)
{
	if (rxq == NULL)
		return;
	hvn_rxq_flush(rxq);
	hvbus_queue_detach(rxq->hv->hdev, &rxq->rd);
	rte_free(rxq->pkt);
	rte_free(rxq->scratch);
	rte_free(rxq->stash);
	rte_free(rxq->pend_xid);
	rte_free(rxq->pend_st);
	rte_free(rxq);
}

void
hvn_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	hvn_rxq_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

void
hvn_rxq_flush(struct hvn_rxq *rxq)
{
	while (rxq->stash_n != 0) {
		rte_pktmbuf_free(rxq->stash[rxq->stash_head]);
		rxq->stash_head = (rxq->stash_head + 1) & (HVN_RX_STASH - 1);
		rxq->stash_n--;
	}
}

int
hvn_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb,
		   unsigned int socket, const struct rte_eth_rxconf *conf,
		   struct rte_mempool *mp)
{
	struct hvn_dev *hv = dev->data->dev_private;
	struct hvn_rxq *rxq;
	int rc;

	if (dev->data->rx_queues[qid] != NULL)
		hvn_rx_queue_release(dev, qid);
	rxq = rte_zmalloc_socket("hvn_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE,
				 (int)socket);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->hv = hv;
	rxq->qid = qid;
	rxq->port_id = dev->data->port_id;
	rxq->slot = (struct hvbus_chan *const *)&hv->hdev->chan_slot[qid];
	/* With tx on channels of its own, rx queue k is the only writer of
	 * channel k's tx ring (its receive completions). */
	rxq->lock = hv->tx_split ? NULL : &hv->chan_lock[qid];
	rxq->mp = mp;
	rxq->nb_desc = nb;
	rxq->offloads = conf->offloads | dev->data->dev_conf.rxmode.offloads;
	rxq->mbuf_room = rte_pktmbuf_data_room_size(mp) -
		RTE_PKTMBUF_HEADROOM;
	rxq->rxbuf = hv->rxbuf;
	rxq->lim = hv->rxlim;
	rxq->pkt = rte_zmalloc_socket("hvn_rx_pkt", HVN_RX_PKT_MAX, 64,
				      (int)socket);
	rxq->scratch_size = hv->rxlim.sec_size;
	rxq->scratch = rte_zmalloc_socket("hvn_rx_scratch",
					  hv->rxlim.sec_size, 64, (int)socket);
	rxq->stash = rte_zmalloc_socket("hvn_rx_stash",
					HVN_RX_STASH * sizeof(rxq->stash[0]),
					64, (int)socket);
	rxq->pend_cap = RTE_MAX(hv->rxlim.sec_count, 1u);
	rxq->pend_xid = rte_zmalloc_socket("hvn_rx_pend",
					   rxq->pend_cap * sizeof(uint64_t),
					   64, (int)socket);
	rxq->pend_st = rte_zmalloc_socket("hvn_rx_pend",
					  rxq->pend_cap * sizeof(uint32_t),
					  64, (int)socket);
	if (rxq->pkt == NULL || rxq->scratch == NULL || rxq->stash == NULL ||
	    rxq->pend_xid == NULL || rxq->pend_st == NULL) {
		hvn_rxq_free(rxq);
		return -ENOMEM;
	}
	rc = hvbus_queue_attach(hv->hdev, &rxq->rd);
	if (rc != 0) {
		hvn_rxq_free(rxq);
		return rc;
	}
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

/* Returns true when the host may still read the queue's frames and
 * headers: they must outlive the queue. */
bool
hvn_txq_flush(struct hvn_txq *txq)
{
	uint32_t i;

	hvn_txq_reclaim(txq);
	/* Only after the channel is closed (or the host completed them) is
	 * it safe to free what the host may still read; callers drain or
	 * close first. A close the host never confirmed: left to it. */
	if (txq->hv->chan_held >> hvn_txq_chan(txq->hv, txq->qid) & 1) {
		PMD_DRV_LOG(WARNING, "port %u: tx queue %u: %u frames left to "
			    "a host that may still read them", txq->port_id,
			    txq->qid, txq->ndesc - txq->nfree);
		return true;
	}
	for (i = 0; i < txq->ndesc; i++) {
		struct hvn_txd *d = &txq->txd[i];

		if (d->m != NULL) {
			rte_pktmbuf_free(d->m);
			d->m = NULL;
		}
	}
	return false;
}

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
static void
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
}

/* The queue's memory (also for a set-up that failed half-way). */
static void
hvn_txq_free_mem(struct hvn_txq *txq)
{
	rte_free(txq->txd);
	rte_free(txq->free_desc);
	rte_free(txq->free_sec);
	rte_free(txq->cr.ids);
	rte_free(txq->hdrs);
	rte_free(txq->pkt);
	rte_free(txq);
}

static void
hvn_txq_free(struct hvn_txq *txq)
{
	if (txq == NULL)
		return;
	if (hvn_txq_flush(txq))
		txq->hdrs = NULL;	/* the RNDIS headers too */
	hvbus_queue_detach(txq->hv->hdev, &txq->rd);
	hvn_txq_free_mem(txq);
}

void
hvn_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	hvn_txq_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

int
hvn_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb,
		   unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t nq = dev->data->nb_tx_queues;
	struct hvn_txq *txq;
	uint32_t i, ring, nsec;
	int rc;

	if (dev->data->tx_queues[qid] != NULL)
		hvn_tx_queue_release(dev, qid);
	txq = rte_zmalloc_socket("hvn_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE,
				 (int)socket);
	if (txq == NULL)
		return -ENOMEM;
	txq->hv = hv;
	txq->qid = qid;
	txq->port_id = dev->data->port_id;
	txq->slot = (struct hvbus_chan *const *)
		&hv->hdev->chan_slot[hvn_txq_chan(hv, qid)];
	txq->own_chan = hv->tx_split;
	hvn_tx_tmpl_init(txq);
	txq->lock = hv->tx_split ? NULL : &hv->chan_lock[qid];
	txq->ndesc = nb;
	txq->pub_every = hv->da.latency;
	txq->offloads = conf->offloads | dev->data->dev_conf.txmode.offloads;
	nsec = hv->ctl_sec / nq;
	ring = rte_align32pow2(nb);
	txq->cr.mask = ring - 1;
	rc = -ENOMEM;
	txq->txd = rte_zmalloc_socket("hvn_txd", nb * sizeof(*txq->txd), 64,
				      (int)socket);
	txq->free_desc = rte_zmalloc_socket("hvn_txfree", nb * sizeof(uint32_t),
					    64, (int)socket);
	txq->sec_cap = nsec + 1;
	txq->free_sec = rte_zmalloc_socket("hvn_txsec", txq->sec_cap *
					   sizeof(uint32_t), 64, (int)socket);
	txq->cr.ids = rte_zmalloc_socket("hvn_txcr", ring * sizeof(uint64_t),
					 64, (int)socket);
	/* Page-aligned: 4096 / HVN_TX_HDR_SIZE headers per page, none
	 * crossing a page, so each is one page range. */
	txq->hdrs = rte_zmalloc_socket("hvn_txhdr", (size_t)nb *
				       HVN_TX_HDR_SIZE, 4096, (int)socket);
	if (txq->own_chan)
		txq->pkt = rte_zmalloc_socket("hvn_tx_pkt", HVN_RX_PKT_MAX, 64,
					      (int)socket);
	if (txq->txd == NULL || txq->free_desc == NULL ||
	    txq->free_sec == NULL || txq->cr.ids == NULL ||
	    txq->hdrs == NULL || (txq->own_chan && txq->pkt == NULL))
		goto fail;
	/* Serialized (op lock): each set-up's sessions differ from every
	 * earlier queue's on this port. */
	hv->tx_sessions += HVN_TXQ_SESSIONS;
	txq->session = hv->tx_sessions;
	for (i = 0; i < nb; i++) {
		txq->txd[i].section = NVSP_SECTION_NONE;
		txq->txd[i].xid = HVN_TXID_NONE;
		txq->txd[i].handed = HVN_TXID_NONE;
		txq->txd[i].next = hvn_txid_first(txq, i);
		txq->txd[i].hdr_iova = rte_mem_virt2iova(txq->hdrs +
				(size_t)i * HVN_TX_HDR_SIZE);
		if (txq->txd[i].hdr_iova == RTE_BAD_IOVA)
			goto fail;
		txq->free_desc[i] = nb - 1 - i;
	}
	txq->nfree = nb;
	hvn_txq_sections(txq, hv, nsec);
	rc = hvbus_queue_attach(hv->hdev, &txq->rd);
	if (rc != 0)
		goto fail;
	dev->data->tx_queues[qid] = txq;
	return 0;
fail:
	hvn_txq_free_mem(txq);
	return rc;
}

/* Grow @p *p to hold @p n elements of @p size (never shrinks). */
static int
hvn_grow(void **p, uint32_t *cap, uint32_t n, size_t size)
{
	void *q;

	if (n <= *cap)
		return 0;
	q = rte_realloc(*p, (size_t)n * size, 64);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int
hvn_rxq_rebind(struct hvn_rxq *rxq, uint32_t seq)
{
	const struct hvn_dev *hv = rxq->hv;
	uint32_t cap = rxq->pend_cap, sec = RTE_MAX(hv->rxlim.sec_count, 1u);

	/* A new session may have larger or more receive sections. */
	if (hvn_grow((void **)&rxq->scratch, &rxq->scratch_size,
		     hv->rxlim.sec_size, 1) != 0 ||
	    hvn_grow((void **)&rxq->pend_xid, &cap, sec,
		     sizeof(rxq->pend_xid[0])) != 0 ||
	    hvn_grow((void **)&rxq->pend_st, &rxq->pend_cap, sec,
		     sizeof(rxq->pend_st[0])) != 0) {
		rxq->st.nombuf++;
		return -ENOMEM;
	}
	/* Completions owed to the old session: its host and receive buffer
	 * are gone. Frames already copied out stay in the stash. */
	rxq->npend = 0;
	rxq->rxbuf = hv->rxbuf;
	rxq->lim = hv->rxlim;
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

		if (d->m != NULL) {
			rte_pktmbuf_free(d->m);
			d->m = NULL;
		}
		d->section = NVSP_SECTION_NONE;
		d->state = HVN_TXD_FREE;
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
	uint16_t nq = hv->eth->data->nb_tx_queues;
	uint32_t n = nq != 0 ? hv->ctl_sec / nq : 0;

	if (hvn_grow((void **)&txq->free_sec, &txq->sec_cap, n + 1,
		     sizeof(txq->free_sec[0])) != 0) {
		txq->st.nombuf++;
		return -ENOMEM;
	}
	hvn_txq_unbind(txq);
	/* The new session's host may announce other sections. */
	hvn_txq_sections(txq, hv, n);
	txq->broken_logged = false;
	txq->bound_seq = seq;
	return 0;
}

/* Frees what the host has completed so far: read from the queue's own
 * channel, or (shared channel) what rx queue k has handed over. Called
 * from the queue's lcore, like a burst. */
int
hvn_tx_done_cleanup(void *q, uint32_t free_cnt)
{
	struct hvn_txq *txq = q;
	uint32_t before = txq->nfree;
	struct hvbus_chan *chan;

	RTE_SET_USED(free_cnt);
	if (txq->own_chan) {
		epoch_reader_enter(&txq->rd);
		chan = hvbus_chan_get(txq->slot);
		if (chan != NULL && chan->open_seq == txq->bound_seq)
			hvn_tx_poll(txq, chan);
		epoch_reader_exit(&txq->rd);
	} else {
		hvn_txq_reclaim(txq);
	}
	return (int)(txq->nfree - before);
}

int
hvn_tx_descriptor_status(void *q, uint16_t offset)
{
	struct hvn_txq *txq = q;
	uint32_t busy;

	if (offset >= txq->ndesc)
		return -EINVAL;
	busy = txq->ndesc - txq->nfree;
	return offset < busy ? RTE_ETH_TX_DESC_FULL : RTE_ETH_TX_DESC_DONE;
}

/* Frames parsed and waiting in the stash are "done"; the rest of the
 * queue is host memory we cannot see without consuming it. */
int
hvn_rx_descriptor_status(void *q, uint16_t offset)
{
	struct hvn_rxq *rxq = q;

	if (offset >= rxq->nb_desc)
		return -EINVAL;
	return offset < rxq->stash_n ? RTE_ETH_RX_DESC_DONE :
		RTE_ETH_RX_DESC_AVAIL;
}

hvnet_rx_queue_count_t
hvn_rx_queue_count(void *q)
{
	struct hvn_rxq *rxq = q;

	return rxq->stash_n;
}

void
hvn_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		 struct rte_eth_rxq_info *qinfo)
{
	struct hvn_rxq *rxq = dev->data->rx_queues[qid];

	qinfo->mp = rxq->mp;
	qinfo->nb_desc = rxq->nb_desc;
	qinfo->scattered_rx = !!(rxq->offloads & RTE_ETH_RX_OFFLOAD_SCATTER);
	qinfo->conf.offloads = rxq->offloads;
	qinfo->rx_buf_size = (uint16_t)rxq->mbuf_room;
}

void
hvn_txq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		 struct rte_eth_txq_info *qinfo)
{
	struct hvn_txq *txq = dev->data->tx_queues[qid];

	qinfo->nb_desc = (uint16_t)txq->ndesc;
	qinfo->conf.offloads = txq->offloads;
}
