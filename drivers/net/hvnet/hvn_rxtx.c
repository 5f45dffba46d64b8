/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Receive and transmit bursts.
 *
 * Per burst, for the channel's lifetime: epoch_reader_enter() on the
 * queue's own record, one plain load of the channel slot, one plain load of
 * the "control owns channel 0" flag (same cache line), one plain load of
 * the port's VF pointer (hvn_vf.c), epoch_reader_exit().
 * No lock, atomic read-modify-write or fence for that.
 *
 * Every ring has one reader and one writer. Rx queue k reads channel k's
 * rx ring (received frames and, on channel 0, control messages) and writes
 * its tx ring (receive completions). Tx queue k has channel nq + k to
 * itself (hv->tx_split): it writes requests and reads the host's
 * completions of them, so descriptors come back without rx queue k being
 * polled. The ring protocol's store-load barrier (vmb_ring_publish) is
 * paid once per writing burst.
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

#define HVN_RX_BULK	32u
#define HVN_TX_FREE_BULK	64u

#define HVN_TX_OL_MASK (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_TCP_SEG | \
			RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)

/* ---------------------------------------------------------------- rx --- */

/*
 * A completion for tx queue k read from the channel it shares with rx
 * queue k: hand the id over. Only a filter - the tx queue alone knows a
 * descriptor's state and decides - but ids that name no request in flight,
 * or one already handed over, stop here, so a host cannot fill the ring.
 */
void
hvn_cring_push(struct hvn_txq *txq, uint64_t xid, uint64_t *bad)
{
	struct hvn_cring *cr = &txq->cr;
	uint32_t idx = (uint32_t)(xid & HVN_TXID_IDX_MASK), p = cr->prod;
	struct hvn_txd *d;

	if (unlikely(idx >= txq->ndesc))
		goto bad;
	d = &txq->txd[idx];
	if (unlikely(__atomic_load_n(&d->xid, __ATOMIC_RELAXED) != xid ||
		     d->handed == xid))
		goto bad;
	/* Full only if ids of a past session are still queued: the tx
	 * queue would refuse them anyway. */
	if (unlikely(p - cr->cons_seen > cr->mask)) {
		cr->cons_seen = __atomic_load_n(&cr->cons, __ATOMIC_ACQUIRE);
		if (p - cr->cons_seen > cr->mask)
			goto bad;
	}
	d->handed = xid;
	cr->ids[p & cr->mask] = xid;
	/* Release: the id is in the ring before tx sees the index. */
	__atomic_store_n(&cr->prod, p + 1, __ATOMIC_RELEASE);
	return;
bad:
	(*bad)++;
}

static __rte_always_inline void
hvn_rx_flags(const struct hvn_rxq *rxq, struct rte_mbuf *m,
	     const struct rndis_pkt_info *pi)
{
	uint64_t ol = 0;
	uint32_t c;

	if (pi->present & RNDIS_PKT_HAS_CSUM) {
		c = pi->csum;
		if (c & RNDIS_RXCSUM_IP_OK)
			ol |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		else if (c & RNDIS_RXCSUM_IP_FAILED)
			ol |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
		if (c & (RNDIS_RXCSUM_TCP_OK | RNDIS_RXCSUM_UDP_OK))
			ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		else if (c & (RNDIS_RXCSUM_TCP_FAILED |
			      RNDIS_RXCSUM_UDP_FAILED))
			ol |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	}
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

/* The host always strips the tag into a PPI; without VLAN_STRIP the
 * application expects it back in the frame. */
static __rte_cold int
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
static __rte_cold struct rte_mbuf *
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

/* Control messages on channel 0 while the port runs: link indications. */
static __rte_cold void
hvn_rx_ctl_xfer(struct hvn_rxq *rxq, const struct hvn_xfer *xf)
{
	struct hvn_rx_msg rm;
	uint32_t i, off, rlen, ml;

	for (i = 0; i < xf->x.range_count; i++) {
		hvn_rxp_range(xf, i, &off, &rlen);
		ml = hvn_rxp_msg_len(rxq->rxbuf + off, rlen);
		if (ml == 0) {
			rxq->st.errors++;
			continue;
		}
		memcpy(rxq->scratch, rxq->rxbuf + off, ml);
		rxq->st.ctl++;
		if (hvn_rxp_msg(rxq->scratch, ml, &rm) == HVN_RX_INDICATE)
			hvn_notify_link(rxq->hv, rxq->scratch, ml);
		/* A late control completion: its requester gave up. */
	}
}

/* Frames beyond the caller's room go to the stash; its count is the
 * caller's local copy @p sn (written back once per packet: stores into
 * the mbufs would otherwise make the compiler reload it per frame). */
static __rte_always_inline void
hvn_rx_deliver(struct hvn_rxq *rxq, struct rte_mbuf *m,
	       struct rte_mbuf **out, uint16_t room, uint16_t *nout,
	       uint32_t *sn)
{
	if (likely(*nout < room)) {
		out[(*nout)++] = m;
		return;
	}
	if (unlikely(*sn == HVN_RX_STASH)) {
		rxq->st.dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	rxq->stash[(rxq->stash_head + *sn) & (HVN_RX_STASH - 1)] = m;
	(*sn)++;
}

/* One transfer-page packet: every range is consumed (the host gets one
 * completion for all of them); frames beyond @p room go to the stash. */
static uint16_t
hvn_rx_xfer(struct hvn_rxq *rxq, uint32_t len, struct rte_mbuf **out,
	    uint16_t room, uint32_t *status)
{
	struct hvn_rx_msg rm;
	struct hvn_xfer xf;
	struct rte_mbuf *m, *bulk[HVN_RX_BULK];
	uint16_t nout = 0;
	uint32_t i, off, rlen, ml, nbulk = 0, ibulk = 0, sn;

	if (unlikely(hvn_rxp_xfer(rxq->pkt, len, &rxq->lim, &xf) != 0)) {
		rxq->st.errors++;
		*status = NVSP_STATUS_FAILURE;
		return 0;
	}
	if (unlikely(xf.chan_type != NVSP_RNDIS_CHAN_DATA)) {
		hvn_rx_ctl_xfer(rxq, &xf);
		return 0;
	}
	sn = rxq->stash_n;
	for (i = 0; i < xf.x.range_count; i++) {
		hvn_rxp_range(&xf, i, &off, &rlen);
		ml = hvn_rxp_msg_len(rxq->rxbuf + off, rlen);
		/* mbufs come from the pool in bulk, HVN_RX_BULK at a time,
		 * raw: what a pool's mbuf does not promise (next NULL, one
		 * segment, one reference) is filled in below, field by
		 * field, instead of a whole rte_pktmbuf_reset(). */
		if (unlikely(nbulk == 0)) {
			nbulk = RTE_MIN(xf.x.range_count - i, HVN_RX_BULK);
			if (rte_mempool_get_bulk(rxq->mp, (void **)bulk,
						 nbulk) != 0)
				nbulk = 0;
			ibulk = 0;
		}
		if (unlikely(nbulk == 0)) {
			rxq->st.nombuf++;
			continue;
		}
		m = bulk[ibulk++];
		nbulk--;
		if (likely(ml != 0 && ml <= m->buf_len)) {
			/* Copy the whole message into the mbuf and parse the
			 * copy: the frame then sits at its offset. */
			uint8_t *base = m->buf_addr;

			memcpy(base, rxq->rxbuf + off, ml);
			if (likely(hvn_rxp_data_fast(base, ml, &rxq->lay,
						     &rm.pi) == 0)) {
				/* the layout of the last one */
			} else if (hvn_rxp_msg(base, ml, &rm) == HVN_RX_DATA) {
				hvn_rxp_learn(&rxq->lay, base, &rm.pi);
			} else {
				rxq->st.errors++;
				rte_mbuf_raw_free(m);
				continue;
			}
			/* The rx fields rte_pktmbuf_reset() would set (the
			 * second cache line's tx fields are left alone, as
			 * vector PMDs do). */
			m->data_off = (uint16_t)rm.pi.frame_off;
			m->packet_type = 0;
			m->pkt_len = rm.pi.frame_len;
			m->data_len = (uint16_t)rm.pi.frame_len;
			m->vlan_tci = 0;
		} else if (ml != 0) {
			rte_pktmbuf_reset(m);
			m = hvn_rx_big(rxq, rxq->rxbuf + off, ml, m, &rm);
			if (m == NULL)
				continue;
		} else {
			rxq->st.errors++;
			rte_mbuf_raw_free(m);
			continue;
		}
		m->port = rxq->port_id;
		hvn_rx_flags(rxq, m, &rm.pi);
		/* An RSC fragment: kept until its packet is whole. */
		if (unlikely(rm.pi.present & RNDIS_PKT_HAS_PKTINFO_ID)) {
			m = hvn_lro_frag(rxq, m, &rm.pi);
			if (m == NULL)
				continue;
		}
		if (unlikely((m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
			     !(rxq->offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)) &&
		    hvn_rx_vlan_reinsert(&m) != 0) {
			rxq->st.dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		rxq->st.packets++;
		rxq->st.bytes += m->pkt_len;
		hvn_rx_deliver(rxq, m, out, room, &nout, &sn);
	}
	rxq->stash_n = sn;
	if (unlikely(nbulk != 0))
		rte_mempool_put_bulk(rxq->mp, (void **)(bulk + ibulk), nbulk);
	/* Fragments never span transfer-page packets. */
	if (unlikely(rxq->lro_head != NULL))
		hvn_lro_abort(rxq);
	return nout;
}

/*
 * Data frames the control path found on channel 0 while it owned it (the
 * port runs, rx queue 0's burst is excluded): they go to rx queue 0's stash
 * instead of being lost. @p pkt is the ring packet copied out.
 */
void
hvn_rx_xfer_stash(struct hvn_rxq *rxq, const uint8_t *pkt, uint32_t len,
		  uint32_t *status)
{
	memcpy(rxq->pkt, pkt, len);
	hvn_rx_xfer(rxq, len, NULL, 0, status);
}

/* Stage receive completions; those that do not fit wait for the next
 * burst (the host must get every one, or its sections stay busy). */
static void
hvn_rx_complete(struct hvn_rxq *rxq, struct hvbus_chan *chan)
{
	struct nvsp_rndis_pkt_cmplt c = { .type = NVSP_TYPE_RNDIS_PKT_CMPLT };
	uint32_t i, done = 0;

	if (rxq->lock != NULL)
		rte_spinlock_lock(rxq->lock);
	for (i = 0; i < rxq->npend; i++) {
		c.status = rxq->pend_st[i];
		if (vmb_ring_stage_buf(&chan->tx, VMB_PKT_COMPLETION, 0,
				       rxq->pend_xid[i], NULL, 0, &c,
				       sizeof(c)) != 0)
			break;
		done++;
	}
	/* Our read index and the completions in one publish, one barrier. */
	if (vmb_ring_commit_publish(&chan->rx, &chan->tx) == 1)
		hvbus_chan_signal(chan);
	if (rxq->lock != NULL)
		rte_spinlock_unlock(rxq->lock);
	if (unlikely(done != rxq->npend)) {
		memmove(rxq->pend_xid, rxq->pend_xid + done,
			(rxq->npend - done) * sizeof(rxq->pend_xid[0]));
		memmove(rxq->pend_st, rxq->pend_st + done,
			(rxq->npend - done) * sizeof(rxq->pend_st[0]));
	}
	rxq->npend -= done;
}

/* The host corrupted a ring: lib/vmbus refuses it from now on. Say so
 * once; the counters keep counting. */
static __rte_cold void
hvn_ring_broken(bool *logged, uint16_t port, const char *dir, uint16_t qid,
		int rc)
{
	if (*logged)
		return;
	*logged = true;
	HVN_LOG(ERR, driver, "port %u %s queue %u: channel ring unusable "
		"(%d): the host broke the ring protocol; the queue stays quiet",
		port, dir, qid, rc);
}

/* In-band host messages on channel 0 (VF association, send table). */
static __rte_cold void
hvn_rx_inband(struct hvn_rxq *rxq, uint32_t len)
{
	struct vmb_pkt_view v;

	if (rxq->qid != 0 || vmb_pkt_parse(rxq->pkt, len, &v) != 0) {
		rxq->st.errors++;
		return;
	}
	rxq->st.ctl++;
	if (hvn_notify_nvsp(rxq->hv, v.payload, v.payload_len) != 0)
		rxq->st.errors++;
}

/* Stashed frames first, in order: at most two copies of pointers (the
 * stash wraps once at most). */
static uint16_t
hvn_rx_unstash(struct hvn_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t k = RTE_MIN((uint32_t)n, rxq->stash_n), h = rxq->stash_head;
	uint32_t first = RTE_MIN(k, HVN_RX_STASH - h);

	memcpy(pkts, rxq->stash + h, first * sizeof(*pkts));
	if (k != first)
		memcpy(pkts + first, rxq->stash, (k - first) * sizeof(*pkts));
	rxq->stash_head = (h + k) & (HVN_RX_STASH - 1);
	rxq->stash_n -= k;
	return (uint16_t)k;
}

/* Everything but the idle poll, inside the reader section the burst
 * entered (and leaves here). */
static __rte_noinline uint16_t
hvn_rx_burst_work(struct hvn_rxq *rxq, struct rte_mbuf **pkts, uint16_t n,
		  struct hvbus_chan *chan)
{
	const struct vmb_pkt_desc *d = (const void *)rxq->pkt;
	const struct hvn_vf *vf;
	uint16_t nrx = 0, nvf = 0, vf_room = 0;
	uint32_t status, budget = HVN_RX_RING_BUDGET;
	int len;

	/* VF first, leaving the channel at least one slot: it still carries
	 * what the VF does not, and the host's VF messages. */
	vf = epoch_load(&rxq->hv->vf);
	if (vf != NULL) {
		vf_room = n - (n != 0);
		nvf = vf_room != 0 ? hvn_vf_rx(rxq, vf, pkts, vf_room) : 0;
		pkts += nvf;
		n -= nvf;
	}
	/* While the control path owns channel 0 it also fills our stash:
	 * do not even look at it. */
	if (unlikely(hvn_handoff_get(&rxq->ctl_owned)))
		goto out;
	if (unlikely(rxq->stash_n != 0)) {
		nrx = hvn_rx_unstash(rxq, pkts, n);
		if (nrx == n)
			goto out;
	}
	if (unlikely(chan == NULL)) {
		/* The old channel is past its grace period: what we owed its
		 * host is void. */
		if (unlikely(rxq->unbind)) {
			rxq->npend = 0;
			rxq->unbind = 0;
		}
		goto out;
	}
	if (unlikely(chan->open_seq != rxq->bound_seq) &&
	    hvn_rxq_rebind(rxq, chan->open_seq) != 0)
		goto out;
	while (nrx < n && rxq->npend < rxq->pend_cap) {
		/* Every packet counts, frames or not: the host decides how
		 * many there are. */
		if (unlikely(budget-- == 0)) {
			rxq->st.budget_cut++;
			break;
		}
		len = vmb_ring_read(&chan->rx, rxq->pkt, HVN_RX_PKT_MAX);
		if (unlikely(len < 0)) {
			if (len == -ENOBUFS) {
				vmb_ring_skip(&chan->rx);
				rxq->st.errors++;
				continue;
			}
			if (len != -EAGAIN) {
				rxq->st.errors++;
				hvn_ring_broken(&rxq->broken_logged,
						rxq->port_id, "rx", rxq->qid,
						len);
			}
			break;
		}
		if (likely(d->type == VMB_PKT_DATA_XFER_PAGES)) {
			status = NVSP_STATUS_SUCCESS;
			nrx += hvn_rx_xfer(rxq, (uint32_t)len, pkts + nrx,
					   n - nrx, &status);
			if (d->flags & VMB_PKT_FLAG_RC) {
				rxq->pend_xid[rxq->npend] = d->xid;
				rxq->pend_st[rxq->npend++] = status;
			}
		} else if (d->type == VMB_PKT_COMPLETION) {
			/* Control ids: a request whose waiter gave up. */
			if (likely(rxq->txq != NULL &&
				   !(d->xid & HVN_XID_CTL)))
				hvn_cring_push(rxq->txq, d->xid,
					       &rxq->st.bad_cmplt);
		} else if (unlikely(d->type == VMB_PKT_DATA_INBAND)) {
			hvn_rx_inband(rxq, (uint32_t)len);
		}
	}
	if (rxq->npend != 0)
		hvn_rx_complete(rxq, chan);
	else if (vmb_ring_commit(&chan->rx) == 1)
		hvbus_chan_signal(chan);
out:
	/* The VF may have more than it was given room for. */
	if (vf != NULL && nvf == vf_room && nrx < n)
		nvf += hvn_vf_rx(rxq, vf, pkts + nrx, n - nrx);
	epoch_reader_exit(&rxq->rd);
	return nrx + nvf;
}

uint16_t
hvn_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct hvn_rxq *rxq = q;
	struct hvbus_chan *chan;

	epoch_reader_enter(&rxq->rd);
	chan = hvbus_chan_get(rxq->slot);
	/* Idle poll, what a PMD does most: nothing stashed or owed, the
	 * control path elsewhere, no VF, and the host's write index where we
	 * stopped reading (one acquire load of its ring header; the same
	 * check vmb_ring_peek() starts with). The channel is the slot's
	 * current one, alive for this reader section; a queue not bound to
	 * it yet rebinds at its first packet, nothing is owed before. */
	if (likely(chan != NULL &&
		   (rxq->stash_n | rxq->npend |
		    hvn_handoff_word(&rxq->ctl_owned)) == 0 &&
		   epoch_load(&rxq->hv->vf) == NULL &&
		   __atomic_load_n(&chan->rx.hdr->write_index,
				   __ATOMIC_ACQUIRE) == chan->rx.rd_pos)) {
		epoch_reader_exit(&rxq->rd);
		return 0;
	}
	return hvn_rx_burst_work(rxq, pkts, n, chan);
}

/* ---------------------------------------------------------------- tx --- */

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
	struct vmb_pkt_desc d;
	uint32_t budget;
	int len;

	for (budget = HVN_TX_REAP_BUDGET;; budget--) {
		if (unlikely(budget == 0)) {
			txq->st.budget_cut++;
			break;
		}
		len = vmb_ring_peek(&chan->rx, &d);
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
			if (unlikely(hvn_txd_complete(txq, d.xid) != 0))
				txq->st.bad_cmplt++;
			vmb_ring_skip(&chan->rx);
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

/* Large or multi-segment: header from the descriptor's area, frame bytes
 * straight from the mbuf's pages. The mbuf is held until completion. */
static int
hvn_tx_gpa(struct hvn_txq *txq, struct hvbus_chan *chan, struct rte_mbuf *m,
	   uint32_t id, uint64_t xid)
{
	struct hvn_txd *d = &txq->txd[id];
	struct vmb_gpa_pb pb[HVN_TX_MAX_PB];
	uint8_t ext[8 + sizeof(pb)];
	struct nvsp_rndis_pkt r;
	const struct rte_mbuf *seg;
	uint32_t n = 1, off;
	int ext_len;

	off = hvn_tx_hdr(txq, m, txq->hdrs + (size_t)id * HVN_TX_HDR_SIZE,
			 m->pkt_len);
	pb[0].len = off;
	pb[0].offset = (uint32_t)(d->hdr_iova & (VMB_PAGE_SIZE - 1));
	pb[0].pfn = d->hdr_iova >> VMB_PAGE_SHIFT;
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

/*
 * Frames copied into the send buffer are the caller's no more: back to
 * their pool. The usual mbuf - direct, one segment, its only reference,
 * the first one's pool - goes back with a single put for all of them (no
 * per-mbuf call as in rte_pktmbuf_free_bulk()); anything else through
 * rte_pktmbuf_free().
 */
static __rte_noinline void
hvn_tx_free_copied_slow(struct rte_mbuf **m, uint16_t n)
{
	struct rte_mempool *mp = m[0]->pool;
	struct rte_mbuf *x;
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		x = m[i];
		if (likely(x->pool == mp && x->nb_segs == 1 &&
			   RTE_MBUF_DIRECT(x) &&
			   rte_mbuf_refcnt_read(x) == 1))
			m[k++] = x;
		else
			rte_pktmbuf_free(x);
	}
	if (k != 0)
		rte_mempool_put_bulk(mp, (void **)m, k);
}

/* With MBUF_FAST_FREE the application promised what the checks above
 * look for (one pool, direct, one reference; copied frames have one
 * segment): one put, no look at the mbufs. */
static __rte_always_inline void
hvn_tx_free_copied(const struct hvn_txq *txq, struct rte_mbuf **m, uint16_t n)
{
	if (txq->fast_free)
		rte_mempool_put_bulk(m[0]->pool, (void **)m, n);
	else
		hvn_tx_free_copied_slow(m, n);
}

/*
 * Send aggregation (protocol.rst 5.6, 6.2): frames copied into the send
 * buffer are packed into one section, each RNDIS packet starting at the
 * alignment the host announced, at most as many per request as it
 * announced and no more bytes than a section (and the host's largest
 * request) holds; the section goes out as one request with one
 * descriptor. An aggregate never outlives the burst: it is sent when
 * full, before a GPA-direct frame (frames keep their order) and at the
 * end. Until it is staged its frames are not the caller's loss: when the
 * ring refuses it they are handed back unsent.
 */
struct hvn_tx_agg {
	uint8_t *buf;		/* the section */
	uint32_t sec;
	uint32_t end;		/* bytes used; the last packet unpadded */
	uint32_t last;		/* offset of the last packet */
	uint32_t n;		/* packets in it; 0: none open */
	uint32_t bytes;		/* frame bytes, for the counters */
	uint16_t first;		/* its first frame in the burst */
	uint16_t ndone;		/* done[] entries before its frames */
};

/* The open aggregate as one request (a descriptor was free at open). */
static __rte_always_inline int
hvn_tx_agg_send(struct hvn_txq *txq, struct hvbus_chan *chan,
		struct hvn_tx_agg *a)
{
	uint32_t id = txq->free_desc[txq->nfree - 1];
	struct hvn_txd *d = &txq->txd[id];
	struct nvsp_rndis_pkt r;
	int rc;

	hvn_tx_nvsp(&r, a->sec, a->end);
	rc = vmb_ring_stage_buf(&chan->tx, VMB_PKT_DATA_INBAND,
				VMB_PKT_FLAG_RC, d->next, NULL, 0, &r,
				sizeof(r));
	if (unlikely(rc != 0))
		return rc;
	txq->nfree--;
	d->section = a->sec;
	d->m = NULL;
	hvn_txd_sent(d);
	txq->st.packets += a->n;
	txq->st.copied += a->n;
	txq->st.bytes += a->bytes;
	a->n = 0;
	return 0;
}

/* The ring refused the open aggregate (section @p sec, from frame
 * @p first, done[] entries before it @p ndone): its section goes back, its
 * frames are not sent (-EAGAIN: handed back; a broken ring: dropped with
 * the rest of the burst). Returns the frames the burst sent. */
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
	/* Copied frames, freed after their requests are staged: a full bulk
	 * plus one aggregate still open. */
	struct rte_mbuf *done[HVN_TX_FREE_BULK + RNDIS_MAX_AGG_PKTS];
	struct hvn_tx_agg a = { .n = 0 };
	const struct hvn_vf *vf;
	struct hvn_txd *d;
	uint32_t id, off, plen, start;
	uint64_t xid;
	uint16_t i, ndone = 0;
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
	for (i = 0; i < n; i++) {
		m = pkts[i];
		plen = m->pkt_len;
		if (likely(plen < txq->copybreak && m->nb_segs == 1)) {
			start = (a.end + txq->agg_align) & ~txq->agg_align;
			if (a.n != 0 && (a.n == txq->agg_max ||
					 start + HVN_TX_HDR_MAX + plen >
					 txq->agg_bytes)) {
				rc = hvn_tx_agg_send(txq, chan, &a);
				if (unlikely(rc != 0)) {
					goto agg_failed;
				}
				if (ndone >= HVN_TX_FREE_BULK) {
					hvn_tx_free_copied(txq, done, ndone);
					ndone = 0;
				}
			}
			if (a.n == 0) {
				if (unlikely(txq->nfree == 0)) {
					txq->st.ring_full++;
					break;
				}
				if (unlikely(txq->nfree_sec == 0))
					goto gpa;
				a.sec = txq->free_sec[--txq->nfree_sec];
				a.buf = txq->sbuf + (size_t)a.sec *
					txq->sec_size;
				a.first = i;
				a.ndone = ndone;
				a.bytes = 0;
				start = 0;
			} else {
				/* The previous packet's length covers its
				 * padding up to this one. */
				off = start - a.last;
				memcpy(a.buf + a.last +
				       offsetof(struct rndis_packet, msg_len),
				       &off, sizeof(off));
			}
			off = hvn_tx_hdr(txq, m, a.buf + start, plen);
			memcpy(a.buf + start + off, rte_pktmbuf_mtod(m, void *),
			       plen);
			a.last = start;
			a.end = start + off + plen;
			a.n++;
			a.bytes += plen;
			done[ndone++] = m;
		} else {
gpa:
			/* Frames leave in order: the aggregate first. */
			if (a.n != 0) {
				rc = hvn_tx_agg_send(txq, chan, &a);
				if (unlikely(rc != 0)) {
					goto agg_failed;
				}
			}
			if (unlikely(txq->nfree == 0)) {
				txq->st.ring_full++;
				break;
			}
			id = txq->free_desc[txq->nfree - 1];
			d = &txq->txd[id];
			xid = d->next;
			rc = hvn_tx_gpa(txq, chan, m, id, xid);
			if (unlikely(rc != 0))
				goto stage_failed;
			d->section = NVSP_SECTION_NONE;
			d->m = m;
			txq->st.gpa++;
			txq->nfree--;
			hvn_txd_sent(d);
			txq->st.packets++;
			txq->st.bytes += plen;
		}
		/* Latency policy: let the host start on a long burst early,
		 * at one barrier per pub_every packets. */
		if (unlikely(txq->pub_every != 0) &&
		    (uint32_t)(i + 1) % txq->pub_every == 0) {
			if (a.n != 0) {
				rc = hvn_tx_agg_send(txq, chan, &a);
				if (unlikely(rc != 0)) {
					goto agg_failed;
				}
			}
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
			rte_pktmbuf_free_bulk(pkts + i, n - i);
			i = n;
			break;
		}
		/* Cannot be described (too many pages): drop it. */
		HVN_LOG_LIMITED(&txq->log_lim, DEBUG, tx, "port %u tx queue "
				"%u: %u-segment frame dropped: more than %u "
				"page ranges", txq->port_id, txq->qid,
				m->nb_segs, HVN_TX_MAX_PB);
		txq->st.errors++;
		rte_pktmbuf_free(m);
	}
	if (a.n != 0) {
		rc = hvn_tx_agg_send(txq, chan, &a);
		if (unlikely(rc != 0))
			goto agg_failed;
	}
out:
	/* Own channel: the completions' read index goes out with our writes,
	 * behind the burst's one store-load barrier. */
	if ((txq->own_chan ? vmb_ring_commit_publish(&chan->rx, &chan->tx) :
	     vmb_ring_publish(&chan->tx)) == 1)
		hvbus_chan_signal(chan);
	if (txq->lock != NULL)
		rte_spinlock_unlock(txq->lock);
	epoch_reader_exit(&txq->rd);
	if (ndone != 0)
		hvn_tx_free_copied(txq, done, ndone);
	return i;
agg_failed:
	/* Its frames are the caller's again: not in done[]. */
	ndone = a.ndone;
	i = hvn_tx_agg_failed(txq, a.sec, a.first, pkts, n, rc);
	goto out;
}
