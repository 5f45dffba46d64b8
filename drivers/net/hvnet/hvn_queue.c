/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Queue set-up, release and the slow per-queue operations (flush,
 * tx_done_cleanup, descriptor status, queue info). Queue k always uses
 * channel k; its reader record joins the bus's epoch domain at set-up.
 */

#include <errno.h>
#include <string.h>

#include "hvn.h"

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
	rxq->lock = &hv->chan_lock[qid];
	rxq->mp = mp;
	rxq->nb_desc = nb;
	rxq->offloads = conf->offloads | dev->data->dev_conf.rxmode.offloads;
	rxq->mbuf_room = rte_pktmbuf_data_room_size(mp) -
		RTE_PKTMBUF_HEADROOM;
	rxq->rxbuf = hv->rxbuf;
	rxq->lim = hv->rxlim;
	rxq->pkt = rte_zmalloc_socket("hvn_rx_pkt", HVN_RX_PKT_MAX, 64,
				      (int)socket);
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

void
hvn_txq_flush(struct hvn_txq *txq)
{
	uint32_t i;

	hvn_txq_reclaim(txq);
	/* Only after the channel is closed (or the host completed them) is
	 * it safe to free what the host may still read; callers drain or
	 * close first. */
	for (i = 0; i < txq->ndesc; i++) {
		struct hvn_txd *d = &txq->txd[i];

		if (d->m != NULL) {
			rte_pktmbuf_free(d->m);
			d->m = NULL;
		}
	}
}

static void
hvn_txq_free(struct hvn_txq *txq)
{
	if (txq == NULL)
		return;
	hvn_txq_flush(txq);
	hvbus_queue_detach(txq->hv->hdev, &txq->rd);
	rte_free(txq->txd);
	rte_free(txq->free_desc);
	rte_free(txq->free_sec);
	rte_free(txq->cr.ids);
	rte_free(txq->hdrs);
	rte_free(txq);
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
	uint32_t i, ring;
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
	txq->slot = (struct hvbus_chan *const *)&hv->hdev->chan_slot[qid];
	txq->lock = &hv->chan_lock[qid];
	txq->ndesc = nb;
	txq->copybreak = hv->da.tx_copybreak;
	txq->pub_every = hv->da.latency;
	txq->offloads = conf->offloads | dev->data->dev_conf.txmode.offloads;
	txq->sbuf = hv->txbuf;
	txq->sec_size = hv->tx_sec_size;
	/* Sections except the control one, split evenly among the queues. */
	txq->sec_n = hv->ctl_sec / nq;
	txq->sec_first = txq->sec_n * qid;
	ring = rte_align32pow2(nb);
	txq->cr.mask = ring - 1;
	rc = -ENOMEM;
	txq->txd = rte_zmalloc_socket("hvn_txd", nb * sizeof(*txq->txd), 64,
				      (int)socket);
	txq->free_desc = rte_zmalloc_socket("hvn_txfree", nb * sizeof(uint32_t),
					    64, (int)socket);
	txq->free_sec = rte_zmalloc_socket("hvn_txsec", (txq->sec_n + 1) *
					   sizeof(uint32_t), 64, (int)socket);
	txq->cr.ids = rte_zmalloc_socket("hvn_txcr", ring * sizeof(uint32_t),
					 64, (int)socket);
	/* Page-aligned: 4096 / HVN_TX_HDR_SIZE headers per page, none
	 * crossing a page, so each is one page range. */
	txq->hdrs = rte_zmalloc_socket("hvn_txhdr", (size_t)nb *
				       HVN_TX_HDR_SIZE, 4096, (int)socket);
	if (txq->txd == NULL || txq->free_desc == NULL ||
	    txq->free_sec == NULL || txq->cr.ids == NULL ||
	    txq->hdrs == NULL)
		goto fail;
	for (i = 0; i < nb; i++) {
		txq->txd[i].section = NVSP_SECTION_NONE;
		txq->txd[i].hdr_iova = rte_mem_virt2iova(txq->hdrs +
				(size_t)i * HVN_TX_HDR_SIZE);
		if (txq->txd[i].hdr_iova == RTE_BAD_IOVA)
			goto fail;
		txq->free_desc[i] = nb - 1 - i;
	}
	txq->nfree = nb;
	for (i = 0; i < txq->sec_n; i++)
		txq->free_sec[i] = txq->sec_first + txq->sec_n - 1 - i;
	txq->nfree_sec = txq->sec_n;
	rc = hvbus_queue_attach(hv->hdev, &txq->rd);
	if (rc != 0)
		goto fail;
	dev->data->tx_queues[qid] = txq;
	return 0;
fail:
	rte_free(txq->txd);
	rte_free(txq->free_desc);
	rte_free(txq->free_sec);
	rte_free(txq->cr.ids);
	rte_free(txq->hdrs);
	rte_free(txq);
	return rc;
}

/* Descriptors come back only when rx queue k reads the host's completions
 * from channel k; this frees what has come back so far. */
int
hvn_tx_done_cleanup(void *q, uint32_t free_cnt)
{
	struct hvn_txq *txq = q;
	uint32_t before = txq->nfree;

	RTE_SET_USED(free_cnt);
	hvn_txq_reclaim(txq);
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

uint32_t
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
