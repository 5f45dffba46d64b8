/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet's datapath layer: the bursts (hvn_rx.c, hvn_tx.c) and a
 * queue's binding to a host session (hvn_bind.c). It calls nothing above it; the control
 * path (hvn_ctl.h) uses it to drain and refill the queues it owns.
 */

#ifndef HVN_RXTX_H
#define HVN_RXTX_H

#include "hvn.h"
#include "hvn_txd.h"

/* hvn_rx.c: the receive burst and what the control path does with its
 * ring. */
uint16_t hvn_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
void hvn_rx_ctl_frames(struct hvn_rxq *rxq, const uint8_t *pkt, uint32_t len,
		       uint32_t *status);
void hvn_rx_cur_drop(struct hvn_rxq *rxq);
void hvn_cring_push(struct hvn_txq *txq, uint64_t xid, uint64_t *bad);

/* hvn_zc.c: zero-copy receive's slot table (and hvn_zc.h). */
int hvn_zc_setup(struct hvn_rxq *rxq, const struct hvn_dev *hv, int socket);
void hvn_zc_release(struct hvn_rxq *rxq);
bool hvn_zc_drained(const struct hvn_rxq *rxq);
void hvn_zc_rel_new(struct hvn_dev *hv);
bool hvn_zc_retire(struct hvn_dev *hv);
void hvn_zc_abandon(struct hvn_dev *hv);
void hvn_zc_bind(struct hvn_rxq *rxq, const struct hvn_dev *hv);
bool hvn_zc_cur_close(struct hvn_rxq *rxq);

/* hvn_tx.c: the transmit burst, its completions and descriptors. */
uint16_t hvn_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
void hvn_txq_reclaim(struct hvn_txq *txq);
int hvn_tx_done(struct hvn_txq *txq, uint64_t xid);
void hvn_tx_poll(struct hvn_txq *txq, struct hvbus_chan *chan);
void hvn_txq_collect(struct hvn_txq *txq);
void hvn_tx_tmpl_init(struct hvn_txq *txq);

/* hvn_lro.c: RSC fragments put together (cold; LRO queues). */
struct rte_mbuf *hvn_lro_frag(struct hvn_rxq *rxq, struct rte_mbuf *m,
			      const struct rndis_pkt_info *pi);
void hvn_lro_abort(struct hvn_rxq *rxq);
void hvn_lro_drop(struct hvn_rxq *rxq);

/* hvn_bind.c: a queue's binding to a host session (no allocation). */
int hvn_rxq_rebind(struct hvn_rxq *rxq, uint32_t seq);
void hvn_rxq_forget(struct hvn_rxq *rxq);
int hvn_txq_rebind(struct hvn_txq *txq, uint32_t seq);
uint32_t hvn_tx_copy_max(const struct hvn_dev *hv);
void hvn_txq_unbind(struct hvn_txq *txq);
void hvn_txq_sections(struct hvn_txq *txq, const struct hvn_dev *hv,
		      uint32_t n);
uint32_t hvn_rx_pend_need(const struct hvn_dev *hv);
uint32_t hvn_txq_nsec(const struct hvn_dev *hv);

/*
 * The bursts through a VF (hvn_vf.c publishes it in hv->vf): queue k polls
 * and sends through the VF port's queue k, counting in its own stats. In
 * the datapath layer because they are part of the bursts; only hvn_rx.c and
 * hvn_tx.c call them, out of line, so the synthetic path's code is as
 * without them.
 */
static __rte_noinline __rte_unused uint16_t
hvn_vf_rx(struct hvn_rxq *rxq, const struct hvn_vf *vf,
	  struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t nb = rte_eth_rx_burst(vf->port_id, rxq->qid, pkts, n), i;
	uint64_t bytes = 0;

	for (i = 0; i < nb; i++) {
		pkts[i]->port = rxq->port_id;
		bytes += pkts[i]->pkt_len;
	}
	rxq->st.packets += nb;
	rxq->st.bytes += bytes;
	rxq->st.vf_packets += nb;
	rxq->st.vf_bytes += bytes;
	return nb;
}

static __rte_noinline __rte_unused uint16_t
hvn_vf_tx(struct hvn_txq *txq, const struct hvn_vf *vf,
	  struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t nb, i;

	/* Requests sent before the switch still complete on the channel:
	 * give their descriptors and mbufs back. */
	hvn_txq_collect(txq);
	/* Lengths before the send: sent mbufs belong to the VF after it. */
	for (i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	nb = rte_eth_tx_burst(vf->port_id, txq->qid, pkts, n);
	for (i = nb; i < n; i++)
		bytes -= pkts[i]->pkt_len;
	txq->st.packets += nb;
	txq->st.bytes += bytes;
	txq->st.vf_packets += nb;
	txq->st.vf_bytes += bytes;
	return nb;
}

#endif /* HVN_RXTX_H */
