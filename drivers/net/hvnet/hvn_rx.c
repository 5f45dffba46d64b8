/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Receive burst.
 *
 * Per burst, for the channel's lifetime: epoch_reader_enter() on the
 * queue's own record, one plain load of the channel slot, one plain load of
 * the "control owns channel 0" flag (same cache line), one plain load of
 * the port's VF pointer (hvn_vf.c), epoch_reader_exit().
 * No lock, atomic read-modify-write or fence for that.
 *
 * Every ring has one reader and one writer. Rx queue k reads channel k's
 * rx ring (received frames and, on channel 0, control messages) and writes
 * its tx ring (receive completions). The ring protocol's store-load
 * barrier (vmb_ring_publish) is paid once per writing burst.
 *
 * When the host grants fewer than 2 * nq channels (or tx_channels=0), tx
 * queue k shares channel k: rx queue k hands it the completions through a
 * single-producer single-consumer ring (hvn_cring_push), and takes the
 * channel's writer spinlock once per burst that writes its tx ring.
 */

#include <errno.h>
#include <string.h>

#include "hvn_rx_ranges.h"


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


static uint16_t
hvn_rx_ranges(struct hvn_rxq *rxq, const struct hvn_xfer *xf, uint32_t *next,
	      struct rte_mbuf **out, uint16_t room)
{
	return hvn_rx_ranges_t(rxq, xf, next, out, room, NULL, false, false);
}

/* The copying path for the burst: the variant chosen at set-up. */
static __rte_always_inline uint16_t
hvn_rx_ranges_copy(struct hvn_rxq *rxq, const struct hvn_xfer *xf,
		   uint32_t *next, struct rte_mbuf **out, uint16_t room)
{
#ifdef RTE_ARCH_X86_64
	if (rxq->copy_v32)
		return hvn_rx_ranges_avx2(rxq, xf, next, out, room);
#endif
	return hvn_rx_ranges(rxq, xf, next, out, room);
}

static __rte_noinline uint16_t
hvn_rx_ranges_zc(struct hvn_rxq *rxq, const struct hvn_xfer *xf,
		 uint32_t *next, struct rte_mbuf **out, uint16_t room,
		 struct hvn_zc_slot *zs)
{
	return hvn_rx_ranges_t(rxq, xf, next, out, room, zs, true, false);
}

/* Every range of the packet in progress taken: the host gets its sections
 * back with the burst's other completions (room was checked before the
 * packet was read). Fragments never span transfer-page packets. */
static __rte_always_inline void
hvn_rx_cur_done(struct hvn_rxq *rxq)
{
	rxq->cur_n = 0;
	/* Frames of it attached: its slot completes it once they are
	 * back. */
	if (rxq->cur_slot != NULL && hvn_zc_cur_close(rxq))
		goto lro;
	if (rxq->cur_rc) {
		rxq->pend_xid[rxq->npend] = rxq->cur_xid;
		rxq->pend_st[rxq->npend++] = NVSP_STATUS_SUCCESS;
	}
lro:
	if (unlikely(rxq->lro_head != NULL))
		hvn_lro_abort(rxq);
}

/*
 * Zero-copy: slots whose packet is taken and whose frames all came back,
 * oldest first, become completions (none for a void slot: its session is
 * gone). One acquire load per slot looked at, no read-modify-write: the
 * free callbacks only add to freed.
 */
static __rte_always_inline void
hvn_zc_reap(struct hvn_rxq *rxq)
{
	struct hvn_zc *zc = &rxq->zc;
	const struct hvn_zc_slot *s;
	uint32_t c = zc->cons, end = zc->prod;

	for (; c != end && rxq->npend < rxq->pend_cap; c++) {
		s = &zc->slot[c & zc->mask];
		/* A slot of a retired buffer carries HVN_ZC_ORPHAN. */
		if (s->open ||
		    (__atomic_load_n(&s->freed, __ATOMIC_ACQUIRE) &
		     ~HVN_ZC_ORPHAN) != s->given)
			break;
		if (s->rc && (int32_t)(c - zc->live) >= 0) {
			rxq->pend_xid[rxq->npend] = s->xid;
			rxq->pend_st[rxq->npend++] = NVSP_STATUS_SUCCESS;
		}
		zc->secs -= s->nsec;
		zc->sh_cons = s->sh_end;
	}
	rxq->zc_n -= c - zc->cons;
	zc->cons = c;
}

/* Zero-copy: a slot for the data packet just read, or NULL (its frames
 * are copied) when the queue does not attach or the application holds as
 * many sections as the cap allows. */
static __rte_always_inline struct hvn_zc_slot *
hvn_zc_open(struct hvn_rxq *rxq, uint64_t xid, bool rc, uint32_t nsec)
{
	struct hvn_zc *zc = &rxq->zc;
	struct hvn_zc_slot *s;

	if (!rxq->zc_on)
		return NULL;
	if (unlikely(zc->secs + nsec > zc->cap ||
		     zc->prod - zc->cons > zc->mask)) {
		rxq->st.zc_capped++;
		return NULL;
	}
	s = &zc->slot[zc->prod++ & zc->mask];
	/* Reused only once completed: every free callback of its last use
	 * has made its add. */
	__atomic_store_n(&s->freed, 0, __ATOMIC_RELAXED);
	s->given = 0;
	s->nsec = (uint16_t)nsec;
	s->rel = zc->rel;
	s->xid = xid;
	s->rc = rc;
	s->open = 1;
	zc->secs += nsec;
	rxq->zc_n++;
	return s;
}

/* Frames for the held ring (control path): the oldest first; what does
 * not fit is dropped. hvn_rx_ranges() counted every frame it returned as
 * received: a dropped one counts as missed only. */
static __rte_cold void
hvn_rx_hold(struct hvn_rxq *rxq, struct rte_mbuf **m, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (rxq->held_n == HVN_RX_HELD) {
			rxq->st.packets--;
			rxq->st.bytes -= m[i]->pkt_len;
			rxq->st.dropped++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		rxq->held[(rxq->held_head + rxq->held_n) &
			  (HVN_RX_HELD - 1)] = m[i];
		rxq->held_n++;
	}
}

/* The rest of transfer-page packet @p xf, from range *@p next, into the
 * held ring. */
static __rte_cold void
hvn_rx_hold_ranges(struct hvn_rxq *rxq, const struct hvn_xfer *xf,
		   uint32_t *next)
{
	struct rte_mbuf *m[HVN_RX_BULK];

	while (*next < xf->x.range_count)
		hvn_rx_hold(rxq, m, hvn_rx_ranges(rxq, xf, next, m,
						  HVN_RX_BULK));
	if (rxq->lro_head != NULL)
		hvn_lro_abort(rxq);
}

/*
 * A transfer-page packet the control path found on channel 0 while it
 * owned it (the port runs, rx queue 0's burst is excluded), @p pkt its
 * copy of the ring packet, the queue bound to this session: its frames go
 * to the held ring instead of being lost, after those of the packet the
 * burst had in progress (whose completion is then owed as usual). The
 * caller completes this one with @p status.
 */
void
hvn_rx_ctl_frames(struct hvn_rxq *rxq, const uint8_t *pkt, uint32_t len,
		  uint32_t *status)
{
	struct hvn_xfer xf;
	uint32_t next = 0;

	if (rxq->cur_n != 0) {
		hvn_rx_hold_ranges(rxq, &rxq->cur, &rxq->cur_i);
		hvn_rx_cur_done(rxq);
	}
	if (hvn_rxp_xfer(pkt, len, &rxq->lim, &xf) != 0) {
		rxq->st.errors++;
		*status = NVSP_STATUS_FAILURE;
		return;
	}
	if (xf.chan_type != NVSP_RNDIS_CHAN_DATA) {
		hvn_rx_ctl_xfer(rxq, &xf);
		return;
	}
	hvn_rx_hold_ranges(rxq, &xf, &next);
}

/* The port stops (no burst runs): the ranges of the packet in progress not
 * taken yet are dropped, its completion is owed as if they had been, and
 * the frames of an RSC packet begun in it go back to the pool. */
void
hvn_rx_cur_drop(struct hvn_rxq *rxq)
{
	if (rxq->cur_n == 0)
		return;
	rxq->st.dropped += rxq->cur_n - rxq->cur_i;
	hvn_lro_drop(rxq);
	hvn_rx_cur_done(rxq);
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

/* Held frames first, in order: at most two copies of pointers (the ring
 * wraps once at most). */
static __rte_cold uint16_t
hvn_rx_unhold(struct hvn_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t k = RTE_MIN((uint32_t)n, rxq->held_n), h = rxq->held_head;
	uint32_t first = RTE_MIN(k, HVN_RX_HELD - h);

	memcpy(pkts, rxq->held + h, first * sizeof(*pkts));
	if (k != first)
		memcpy(pkts + first, rxq->held, (k - first) * sizeof(*pkts));
	rxq->held_head = (h + k) & (HVN_RX_HELD - 1);
	rxq->held_n -= k;
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
	/* While the control path owns channel 0 it also fills our held
	 * ring and may finish our packet in progress: do not even look. */
	if (unlikely(hvn_handoff_get(&rxq->ctl_owned)))
		goto out;
	/* Held frames came off the ring before anything still in it (and
	 * while there are any, no packet is in progress). */
	if (unlikely(rxq->held_n != 0)) {
		nrx = hvn_rx_unhold(rxq, pkts, n);
		if (nrx == n)
			goto out;
	}
	if (unlikely(chan == NULL)) {
		/* The old channel is past its grace period: what we owed its
		 * host is void, and so is what we had not taken from its
		 * receive buffer. */
		if (unlikely(rxq->unbind)) {
			hvn_rxq_forget(rxq);
			rxq->unbind = 0;
		}
		goto out;
	}
	if (unlikely(chan->open_seq != rxq->bound_seq) &&
	    hvn_rxq_rebind(rxq, chan->open_seq) != 0)
		goto out;
	if (rxq->zc_n != 0)
		hvn_zc_reap(rxq);
	for (;;) {
		/* A packet in progress (validated when it was read, its
		 * ranges in the receive buffer of this channel's session)
		 * goes on where the last burst stopped. */
		if (rxq->cur_n != 0) {
			if (rxq->cur_slot == NULL)
				nrx += hvn_rx_ranges_copy(rxq, &rxq->cur,
						     &rxq->cur_i, pkts + nrx,
						     n - nrx);
			else
				nrx += hvn_rx_ranges_zc(rxq, &rxq->cur,
							&rxq->cur_i,
							pkts + nrx, n - nrx,
							rxq->cur_slot);
			if (rxq->cur_i != rxq->cur_n)
				break;
			hvn_rx_cur_done(rxq);
		}
		if (nrx >= n || rxq->npend >= rxq->pend_cap)
			break;
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
			/* Every range is checked here, before any is taken. */
			if (unlikely(hvn_rxp_xfer(rxq->pkt, (uint32_t)len,
						  &rxq->lim, &rxq->cur) != 0)) {
				rxq->st.errors++;
				status = NVSP_STATUS_FAILURE;
			} else if (likely(rxq->cur.chan_type ==
					  NVSP_RNDIS_CHAN_DATA)) {
				rxq->cur_xid = d->xid;
				rxq->cur_rc = !!(d->flags & VMB_PKT_FLAG_RC);
				rxq->cur_i = 0;
				rxq->cur_n = rxq->cur.x.range_count;
				rxq->cur_slot = hvn_zc_open(rxq, d->xid,
							    rxq->cur_rc,
							    rxq->cur_n);
				continue;
			} else {
				hvn_rx_ctl_xfer(rxq, &rxq->cur);
				status = NVSP_STATUS_SUCCESS;
			}
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
	/* Idle poll, what a PMD does most: nothing held, in progress or
	 * owed, the control path elsewhere, no VF, and the host's write
	 * index where we stopped reading (one acquire load of its ring
	 * header; the same check vmb_ring_peek() starts with). The channel is the slot's
	 * current one, alive for this reader section; a queue not bound to
	 * it yet rebinds at its first packet, nothing is owed before. */
	if (likely(chan != NULL &&
		   (rxq->held_n | rxq->cur_n | rxq->npend | rxq->zc_n |
		    hvn_handoff_word(&rxq->ctl_owned)) == 0 &&
		   epoch_load(&rxq->hv->vf) == NULL &&
		   __atomic_load_n(&chan->rx.hdr->write_index,
				   __ATOMIC_ACQUIRE) == chan->rx.rd_pos)) {
		epoch_reader_exit(&rxq->rd);
		return 0;
	}
	return hvn_rx_burst_work(rxq, pkts, n, chan);
}
