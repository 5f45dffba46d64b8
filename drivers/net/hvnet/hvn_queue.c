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
 * A queue binds to the channel it finds in its slot, on its own lcore
 * (hvn_bind.c). Its arrays are sized here, at set-up and when a new host
 * session is attached (hvn_queues_fit()), never in a burst. Nothing else
 * writes a running queue's state.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_memory.h>
#include <rte_vect.h>

#include "hvn_ctl.h"

static void
hvn_rxq_free(struct hvn_rxq *rxq)
{
	if (rxq == NULL)
		return;
	hvn_rxq_flush(rxq);
	hvn_zc_release(rxq);
	hvbus_queue_detach(rxq->hv->hdev, &rxq->rd);
	rte_free(rxq->pkt);
	rte_free(rxq->scratch);
	rte_free(rxq->held);
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

/* No burst runs: frames held for the queue go back to the pool, and the
 * rest of a packet in progress is dropped (its completion stays owed to
 * the host: hvn_rxq_settle()). */
void
hvn_rxq_flush(struct hvn_rxq *rxq)
{
	while (rxq->held_n != 0) {
		rte_pktmbuf_free(rxq->held[rxq->held_head]);
		rxq->held_head = (rxq->held_head + 1) & (HVN_RX_HELD - 1);
		rxq->held_n--;
	}
	hvn_rx_cur_drop(rxq);
}

/* What the burst stores into a received mbuf's data_off (0 here, the
 * frame's offset ORed in), refcnt, nb_segs and port as one word. */
static uint64_t
hvn_rx_rearm(uint16_t port_id)
{
	struct rte_mbuf t;
	uint64_t w;

	memset(&t, 0, sizeof(t));
	t.refcnt = 1;
	t.nb_segs = 1;
	t.port = port_id;
	memcpy(&w, &t.data_off, sizeof(w));
	return w;
}

/* The receive copy's 32-byte moves: the CPU has AVX2 and EAL allows
 * 256-bit vectors (--force-max-simd-bitwidth), as DPDK's vector paths
 * require. */
static bool
hvn_rx_copy_v32_ok(void)
{
#ifdef RTE_ARCH_X86_64
	return rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256 &&
		rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
#else
	return false;
#endif
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
	if (rte_pktmbuf_priv_flags(mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF)
		rxq->ol_keep = RTE_MBUF_F_EXTERNAL;
	rxq->rxbuf = hv->rxbuf;
	rxq->lim = hv->rxlim;
	hvn_rxp_layout_init(&rxq->lay);
	rxq->rearm = hvn_rx_rearm(rxq->port_id);
	rxq->copy_v32 = hvn_rx_copy_v32_ok();
	rxq->pkt = rte_zmalloc_socket("hvn_rx_pkt", HVN_RX_PKT_MAX, 64,
				      (int)socket);
	rxq->scratch_size = hv->rxlim.sec_size;
	rxq->scratch = rte_zmalloc_socket("hvn_rx_scratch",
					  hv->rxlim.sec_size, 64, (int)socket);
	/* Only queue 0's channel is ever read by the control path. */
	if (qid == 0)
		rxq->held = rte_zmalloc_socket("hvn_rx_held", HVN_RX_HELD *
					       sizeof(rxq->held[0]), 64,
					       (int)socket);
	rxq->pend_cap = RTE_MAX(hv->rxlim.sec_count, 1u);
	rxq->pend_xid = rte_zmalloc_socket("hvn_rx_pend",
					   rxq->pend_cap * sizeof(uint64_t),
					   64, (int)socket);
	rxq->pend_st = rte_zmalloc_socket("hvn_rx_pend",
					  rxq->pend_cap * sizeof(uint32_t),
					  64, (int)socket);
	if (rxq->pkt == NULL || rxq->scratch == NULL ||
	    (qid == 0 && rxq->held == NULL) ||
	    rxq->pend_xid == NULL || rxq->pend_st == NULL) {
		hvn_rxq_free(rxq);
		return -ENOMEM;
	}
	rc = hvn_zc_setup(rxq, hv, (int)socket);
	if (rc != 0) {
		hvn_rxq_free(rxq);
		return rc;
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
		struct rte_mbuf *m = hvn_txd_held_mbuf(d);

		if (m != NULL) {
			rte_pktmbuf_free(m);
			d->xid = HVN_TXID_NONE;
		}
	}
	return false;
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
	struct hvn_txq *txq;
	uint32_t i, ring, nsec;
	rte_iova_t iova;
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
	txq->fast_free = !!(txq->offloads & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);
	nsec = hvn_txq_nsec(hv);
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
		txq->txd[i].xid = HVN_TXID_NONE;
		txq->txd[i].handed = HVN_TXID_NONE;
		txq->txd[i].next = hvn_txid_first(txq, i);
		iova = rte_mem_virt2iova(txq->hdrs +
					 (size_t)i * HVN_TX_HDR_SIZE);
		if (iova == RTE_BAD_IOVA)
			goto fail;
		txq->txd[i].hdr_pb.len = HVN_TX_TMPL_SIZE;
		txq->txd[i].hdr_pb.offset =
			(uint32_t)(iova & (VMB_PAGE_SIZE - 1));
		txq->txd[i].hdr_pb.pfn = iova >> VMB_PAGE_SHIFT;
		hvn_txd_hdr_reset(txq, i);
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

/* Arrays of queues swapped for larger ones, freed once no burst can hold
 * them (a burst stalled in the old session may). */
struct hvn_old_arrays {
	uint32_t n;
	void *p[];
};

static void
hvn_old_arrays_free(struct rte_hvbus_device *dev, void *arg)
{
	struct hvn_old_arrays *o = arg;
	uint32_t i;

	RTE_SET_USED(dev);
	for (i = 0; i < o->n; i++)
		rte_free(o->p[i]);
	free(o);
}

/* Room for @p n bytes on the NUMA node of queue @p q, or NULL. */
static void *
hvn_q_alloc(const void *q, size_t n)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(q, NULL);

	return rte_zmalloc_socket("hvn_q", n, 64,
				  ms != NULL ? ms->socket_id : SOCKET_ID_ANY);
}

/* Swap @p *arr for @p p, keeping the old one in @p old. */
static void
hvn_q_swap(void **arr, void *p, struct hvn_old_arrays *old)
{
	old->p[old->n++] = *arr;
	*arr = p;
}

static int
hvn_rxq_fit(struct hvn_rxq *rxq, const struct hvn_dev *hv,
	    struct hvn_old_arrays *old)
{
	uint32_t pend = hvn_rx_pend_need(hv);
	void *x, *s;

	if (rxq->scratch_size < hv->rxlim.sec_size) {
		s = hvn_q_alloc(rxq, hv->rxlim.sec_size);
		if (s == NULL)
			return -ENOMEM;
		hvn_q_swap((void **)&rxq->scratch, s, old);
		rxq->scratch_size = hv->rxlim.sec_size;
	}
	if (rxq->pend_cap < pend) {
		x = hvn_q_alloc(rxq, (size_t)pend * sizeof(rxq->pend_xid[0]));
		s = hvn_q_alloc(rxq, (size_t)pend * sizeof(rxq->pend_st[0]));
		if (x == NULL || s == NULL) {
			rte_free(x);
			rte_free(s);
			return -ENOMEM;
		}
		hvn_q_swap((void **)&rxq->pend_xid, x, old);
		hvn_q_swap((void **)&rxq->pend_st, s, old);
		rxq->pend_cap = pend;
	}
	return 0;
}

static int
hvn_txq_fit(struct hvn_txq *txq, const struct hvn_dev *hv,
	    struct hvn_old_arrays *old)
{
	uint32_t n = hvn_txq_nsec(hv) + 1;
	void *p;

	if (txq->sec_cap >= n)
		return 0;
	p = hvn_q_alloc(txq, (size_t)n * sizeof(txq->free_sec[0]));
	if (p == NULL)
		return -ENOMEM;
	hvn_q_swap((void **)&txq->free_sec, p, old);
	txq->sec_cap = n;
	return 0;
}

/*
 * Size every queue's per-session arrays for the session just attached (a
 * re-attach may bring larger or more receive sections, or more send
 * sections per queue), so that a queue's rebind - inside its burst - never
 * allocates. Called on the control path once the session's buffers are
 * known and before any of its channels reaches a queue: the port is
 * stopped, or every old channel is gone and channel 0 is held. Contents
 * are not kept: the queues rebind before they use the arrays again.
 */
int
hvn_queues_fit(struct hvn_dev *hv)
{
	struct rte_eth_dev_data *d = hv->eth->data;
	struct hvn_old_arrays *old;
	uint16_t k;
	int rc = 0;

	old = calloc(1, sizeof(*old) + sizeof(old->p[0]) *
		     (3u * d->nb_rx_queues + d->nb_tx_queues));
	if (old == NULL)
		return -ENOMEM;
	for (k = 0; k < d->nb_rx_queues && rc == 0; k++)
		if (d->rx_queues[k] != NULL)
			rc = hvn_rxq_fit(d->rx_queues[k], hv, old);
	for (k = 0; k < d->nb_tx_queues && rc == 0; k++)
		if (d->tx_queues[k] != NULL)
			rc = hvn_txq_fit(d->tx_queues[k], hv, old);
	if (rc != 0)
		PMD_DRV_LOG(ERR, "port %u: no memory for the queues of the new "
			    "session: a queue that does not fit it stays idle",
			    hv->port_id);
	/* Stopped: no burst runs (ethdev contract). */
	if (old->n == 0 || !hv->started) {
		hvn_old_arrays_free(hv->hdev, old);
		return rc;
	}
	switch (hvn_grace_period(hv, hvn_old_arrays_free, old)) {
	case 0:
		hvn_old_arrays_free(hv->hdev, old);
		break;
	case -EINPROGRESS:
		break;		/* freed when the stalled burst leaves */
	default:
		PMD_DRV_LOG(WARNING, "port %u: no grace period: the queues' "
			    "old arrays are kept", hv->port_id);
		free(old);
		break;
	}
	return rc;
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

/* Frames held and the ranges of the packet in progress not taken yet
 * (one frame each, LRO fragments aside) are "done"; the rest of the queue
 * is host memory we cannot see without consuming it. */
static uint32_t
hvn_rxq_ready(const struct hvn_rxq *rxq)
{
	return rxq->held_n + (rxq->cur_n != 0 ? rxq->cur_n - rxq->cur_i : 0);
}

int
hvn_rx_descriptor_status(void *q, uint16_t offset)
{
	struct hvn_rxq *rxq = q;

	if (offset >= rxq->nb_desc)
		return -EINVAL;
	return offset < hvn_rxq_ready(rxq) ? RTE_ETH_RX_DESC_DONE :
		RTE_ETH_RX_DESC_AVAIL;
}

hvnet_rx_queue_count_t
hvn_rx_queue_count(void *q)
{
	struct hvn_rxq *rxq = q;

	return hvn_rxq_ready(rxq);
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
