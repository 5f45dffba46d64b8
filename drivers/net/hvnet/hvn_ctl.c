/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Control-channel exchange on channel 0: send one request, poll channel 0's
 * rx ring in the calling thread until its answer arrives or the deadline
 * passes, aborting with -ENODEV as soon as the channel slot is NULL (the
 * host rescinded the device).
 *
 * Channel 0's rings belong to queue 0 while the port runs: rx queue 0 is
 * the only reader of the rx ring, and tx queue 0 and rx queue 0 write the
 * tx ring. To talk to the host then, the control path raises "control owns
 * channel 0" in both queues (plain stores), waits for a grace period of the
 * bus's epoch domain (so no queue-0 burst is still inside the rings; idle
 * queues do not delay it), uses the rings, and drops the flag. The grace
 * period is taken by retiring a token object through hvbus_retire(): its
 * destructor runs only once every reader that could have missed the flag
 * has left its burst.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv_clock.h"
#include "hvn_ctl.h"

/*
 * Shared by the waiter and the bus's destructor; the last one frees it,
 * so a waiter that gives up never leaves the destructor a freed token. A
 * waiter that gives up may leave work behind (@c late): whoever drops the
 * last reference after that runs it - the destructor, once the last burst
 * that could hold the memory has left, or the waiter itself when the grace
 * period ended while it was giving up.
 */
struct hvn_grace {
	uint32_t refs;
	uint32_t done;
	struct rte_hvbus_device *dev;
	hvbus_work_fn_t *late;
	void *late_arg;
};

static void
hvn_grace_dtor(void *obj)
{
	struct hvn_grace *g = obj;

	__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* On the control thread, which must not block: the work goes to
	 * the bus's work thread. If even that fails the memory stays
	 * allocated, never freed early. */
	if (g->late != NULL &&
	    hvbus_work_call(g->dev, g->late, g->late_arg) != 0)
		PMD_DRV_LOG(ERR, "parked memory cannot be freed: leaked");
	free(g);
}

/*
 * Wait until no burst can still use what was unpublished before the call
 * (channel 0 handed to the control path, a VF taken off the datapath, the
 * buffers of closed channels). If that takes longer than
 * HVN_CTL_TIMEOUT_MS (an lcore stalled inside a burst) and @p late is
 * given, late(dev, @p arg) runs on the bus's work thread once it is over,
 * and -EINPROGRESS says so; without @p late, -ETIMEDOUT.
 */
int
hvn_grace_period(struct hvn_dev *hv, hvbus_work_fn_t *late, void *arg)
{
	struct hvn_grace *g = calloc(1, sizeof(*g));
	uint64_t end = hv_now_ms() + HVN_CTL_TIMEOUT_MS;
	int rc = 0;

	if (g == NULL)
		return -ENOMEM;
	g->refs = 2;
	if (hvbus_retire(hv->hdev, g, hvn_grace_dtor) != 0) {
		free(g);
		return -EIO;
	}
	while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
		if (hv_now_ms() > end) {
			rc = -ETIMEDOUT;
			break;
		}
		usleep(20);
	}
	if (rc != 0 && late != NULL) {
		/* Written before our reference goes: the destructor reads
		 * them after its own (acquire-release on refs). */
		g->dev = hv->hdev;
		g->late = late;
		g->late_arg = arg;
		rc = -EINPROGRESS;
	}
	if (__atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		/* The destructor ran meanwhile: the grace period is over
		 * after all, and the caller does its work now. */
		free(g);
		rc = 0;
	}
	return rc;
}

static void
hvn_ctl_flag(struct hvn_dev *hv, uint8_t v)
{
	struct rte_eth_dev_data *d = hv->eth != NULL ? hv->eth->data : NULL;
	struct hvn_rxq *rxq;
	struct hvn_txq *txq;

	if (d == NULL)
		return;
	rxq = d->nb_rx_queues > 0 ? d->rx_queues[0] : NULL;
	txq = d->nb_tx_queues > 0 ? d->tx_queues[0] : NULL;
	if (rxq != NULL)
		hvn_handoff_set(&rxq->ctl_owned, v);
	if (txq != NULL)
		hvn_handoff_set(&txq->ctl_owned, v);
}

int
hvn_ctl_acquire(struct hvn_dev *hv)
{
	int rc;

	pthread_mutex_lock(&hv->ctl_lock);
	if (!hv->started || hv->ctl_held)
		return 0;
	hvn_ctl_flag(hv, 1);
	rc = hvn_grace_period(hv, NULL, NULL);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: no grace period for channel 0 (%d)",
			    hv->port_id, rc);
		hvn_ctl_flag(hv, 0);
		pthread_mutex_unlock(&hv->ctl_lock);
	}
	return rc;
}

void
hvn_ctl_release(struct hvn_dev *hv)
{
	if (!hv->ctl_held)
		hvn_ctl_flag(hv, 0);
	pthread_mutex_unlock(&hv->ctl_lock);
}

/*
 * Keep channel 0 from queue 0 across a whole sequence of exchanges (a
 * re-attach opens channel 0 before the new session's buffers exist, so
 * queue 0 must not see it until the sequence is done).
 */
int
hvn_ctl_hold(struct hvn_dev *hv)
{
	int rc = 0;

	pthread_mutex_lock(&hv->ctl_lock);
	if (hv->started) {
		hvn_ctl_flag(hv, 1);
		rc = hvn_grace_period(hv, NULL, NULL);
	}
	if (rc == 0)
		hv->ctl_held = true;
	else
		hvn_ctl_flag(hv, 0);
	pthread_mutex_unlock(&hv->ctl_lock);
	return rc;
}

void
hvn_ctl_unhold(struct hvn_dev *hv)
{
	pthread_mutex_lock(&hv->ctl_lock);
	hv->ctl_held = false;
	hvn_ctl_flag(hv, 0);
	pthread_mutex_unlock(&hv->ctl_lock);
}

int
hvn_ctl_init(struct hvn_dev *hv)
{
	int rc;

	pthread_mutex_init(&hv->ctl_lock, NULL);
	hv->ctl_pkt = rte_zmalloc("hvn_ctl_pkt", HVN_RX_PKT_MAX, 64);
	/* One page: a control message sent GPA-direct is one page range. */
	hv->ctl_big = rte_zmalloc("hvn_ctl_big", HVN_CTL_BIG_MAX,
				  HVN_CTL_BIG_MAX);
	if (hv->ctl_pkt == NULL || hv->ctl_big == NULL)
		return -ENOMEM;
	hv->ctl_big_iova = rte_mem_virt2iova(hv->ctl_big);
	if (hv->ctl_big_iova == RTE_BAD_IOVA)
		return -EFAULT;
	rc = hvbus_queue_attach(hv->hdev, &hv->ctl_rd);
	if (rc != 0)
		return rc;
	hv->ctl_rd_attached = true;
	return 0;
}

void
hvn_ctl_fini(struct hvn_dev *hv)
{
	if (hv->ctl_rd_attached)
		hvbus_queue_detach(hv->hdev, &hv->ctl_rd);
	hv->ctl_rd_attached = false;
	rte_free(hv->ctl_pkt);
	hv->ctl_pkt = NULL;
	rte_free(hv->ctl_big);
	hv->ctl_big = NULL;
	rte_free(hv->ctl_msg);
	hv->ctl_msg = NULL;
}

/* Write one packet on channel @p idx's tx ring (control path). */
static int
hvn_chan_write(struct hvn_dev *hv, uint16_t idx, uint16_t type,
	       uint16_t flags, uint64_t xid, const void *ext, uint32_t ext_len,
	       const void *msg, uint32_t len)
{
	struct vmb_iov iov = { msg, len };
	struct hvbus_chan *chan;
	int rc;

	epoch_reader_enter(&hv->ctl_rd);
	chan = hvbus_chan_get(&hv->hdev->chan_slot[idx]);
	if (chan == NULL) {
		epoch_reader_exit(&hv->ctl_rd);
		return -ENODEV;
	}
	rte_spinlock_lock(&hv->chan_lock[idx]);
	rc = vmb_ring_write(&chan->tx, type, flags, xid, ext, ext_len, &iov,
			    1);
	rte_spinlock_unlock(&hv->chan_lock[idx]);
	if (rc == 1)
		hvbus_chan_signal(chan);
	epoch_reader_exit(&hv->ctl_rd);
	return rc < 0 ? rc : 0;
}

static void
hvn_ctl_rx_cmplt(struct hvn_dev *hv, uint16_t idx, uint64_t xid,
		 uint32_t status)
{
	uint8_t buf[NVSP_MSG_SIZE];

	nvsp_encode_rndis_pkt_cmplt(buf, sizeof(buf), status);
	if (hvn_chan_write(hv, idx, VMB_PKT_COMPLETION, 0, xid, NULL, 0, buf,
			   sizeof(struct nvsp_rndis_pkt_cmplt)) != 0)
		hv->ctl_bad++;
}

/*
 * No burst runs (the port stops): the receive completions rx queue @p rxq
 * still owes its channel - the packet it had in progress among them - go
 * out from here, so that the host gets its sections back even if the
 * queue is never polled again (released, set up anew). Only to the
 * channel the queue was bound to, inside one reader section: a new
 * channel in the slot owes nothing to the old session. What the ring
 * cannot take stays owed, for the next burst.
 */
void
hvn_rxq_settle(struct hvn_dev *hv, struct hvn_rxq *rxq)
{
	struct nvsp_rndis_pkt_cmplt c = { .type = NVSP_TYPE_RNDIS_PKT_CMPLT };
	struct vmb_iov iov = { &c, sizeof(c) };
	struct hvbus_chan *chan;
	uint32_t i = 0;
	int rc = 0;

	if (rxq->npend == 0 || hv->gone)
		return;
	epoch_reader_enter(&hv->ctl_rd);
	chan = hvbus_chan_get(&hv->hdev->chan_slot[rxq->qid]);
	if (chan != NULL && chan->open_seq == rxq->bound_seq) {
		rte_spinlock_lock(&hv->chan_lock[rxq->qid]);
		for (; i < rxq->npend; i++) {
			c.status = rxq->pend_st[i];
			rc = vmb_ring_write(&chan->tx, VMB_PKT_COMPLETION, 0,
					    rxq->pend_xid[i], NULL, 0, &iov,
					    1);
			if (rc < 0)
				break;
			if (rc == 1)
				hvbus_chan_signal(chan);
		}
		rte_spinlock_unlock(&hv->chan_lock[rxq->qid]);
	}
	epoch_reader_exit(&hv->ctl_rd);
	memmove(rxq->pend_xid, rxq->pend_xid + i,
		(rxq->npend - i) * sizeof(rxq->pend_xid[0]));
	memmove(rxq->pend_st, rxq->pend_st + i,
		(rxq->npend - i) * sizeof(rxq->pend_st[0]));
	rxq->npend -= i;
}

/* A transfer-page packet seen by the control path. */
static void
hvn_ctl_xfer(struct hvn_dev *hv, uint16_t idx, uint32_t seq,
	     const uint8_t *pkt, uint32_t len)
{
	const struct vmb_pkt_desc *d = (const void *)pkt;
	struct hvn_rx_msg m;
	struct hvn_xfer xf;
	uint32_t i, status = NVSP_STATUS_SUCCESS;

	if (hv->ctl_msg == NULL ||
	    hvn_rxp_xfer(pkt, len, &hv->rxlim, &xf) != 0) {
		hv->ctl_bad++;
		status = NVSP_STATUS_FAILURE;
		goto done;
	}
	if (xf.chan_type == NVSP_RNDIS_CHAN_DATA && hv->accepting && idx == 0 &&
	    hv->eth->data->nb_rx_queues > 0 &&
	    hv->eth->data->rx_queues[0] != NULL) {
		struct hvn_rxq *rxq = hv->eth->data->rx_queues[0];

		/* Rx queue 0 is ours now (port starting, or flag and grace
		 * period): keep its frames for its next burst, parsed
		 * against this session's receive buffer. */
		if (rxq->bound_seq == seq || hvn_rxq_rebind(rxq, seq) == 0)
			hvn_rx_ctl_frames(rxq, pkt, len, &status);
		else
			hv->ctl_rx_dropped++;
		goto done;
	}
	for (i = 0; i < xf.x.range_count; i++) {
		uint32_t off, rlen, ml;

		hvn_rxp_range(&xf, i, &off, &rlen);
		ml = hvn_rxp_msg_len(hv->rxbuf + off, rlen);
		if (ml == 0) {
			hv->ctl_bad++;
			continue;
		}
		memcpy(hv->ctl_msg, hv->rxbuf + off, ml);
		switch (hvn_rxp_msg(hv->ctl_msg, ml, &m)) {
		case HVN_RX_CMPLT:
			if (hv->w.rndis_id != 0 && m.req_id == hv->w.rndis_id &&
			    !hv->w.got_resp) {
				hv->w.resp_len = RTE_MIN(ml,
						(uint32_t)sizeof(hv->w.resp));
				memcpy(hv->w.resp, hv->ctl_msg,
				       hv->w.resp_len);
				hv->w.got_resp = true;
			}
			break;
		case HVN_RX_INDICATE:
			hvn_notify_link(hv, hv->ctl_msg, ml);
			break;
		case HVN_RX_DATA:
			hv->ctl_rx_dropped++;
			break;
		case HVN_RX_OTHER:
			break;
		default:
			hv->ctl_bad++;
			break;
		}
	}
done:
	if (d->flags & VMB_PKT_FLAG_RC)
		hvn_ctl_rx_cmplt(hv, idx, d->xid, status);
}

/* The exchange in progress has every answer it waits for (or none is
 * in progress). */
static bool
hvn_ctl_answered(const struct hvn_dev *hv)
{
	return (hv->w.xid == 0 || hv->w.got_cmplt) &&
		(hv->w.rndis_id == 0 || hv->w.got_resp);
}

/*
 * Process what channel @p idx's rx ring holds (control path: the port is
 * stopped or the control path owns channel 0). Returns packets handled,
 * -ENODEV when the channel is gone, -EIO when the ring is broken.
 */
static int
hvn_chan_poll(struct hvn_dev *hv, uint16_t idx)
{
	struct rte_eth_dev_data *ed = hv->eth != NULL ? hv->eth->data : NULL;
	struct hvn_txq *txq = NULL;
	struct hvbus_chan *chan;
	struct vmb_pkt_view v;
	uint32_t budget;
	int n, done = 0;
	/* Channel 0 waiting for an answer: reading stops at it. What the
	 * host sent after it is rx queue 0's (the frames the filter just
	 * let through, at a start): read here it would only fill the held
	 * ring, and what does not fit there is dropped. */
	bool waiting = idx == 0 && !hvn_ctl_answered(hv);

	/* The tx queue whose completions this channel carries. */
	if (ed != NULL && hv->tx_split && idx >= hv->nq &&
	    idx - hv->nq < ed->nb_tx_queues)
		txq = ed->tx_queues[idx - hv->nq];
	else if (ed != NULL && !hv->tx_split && idx < ed->nb_tx_queues)
		txq = ed->tx_queues[idx];
	epoch_reader_enter(&hv->ctl_rd);
	chan = hvbus_chan_get(&hv->hdev->chan_slot[idx]);
	if (chan == NULL) {
		epoch_reader_exit(&hv->ctl_rd);
		return -ENODEV;
	}
	/* Every packet read counts, the ones too big to copy too: a host
	 * that keeps write_index moving must not hold the caller, which
	 * checks its deadline between polls. */
	for (budget = HVN_CTL_POLL_BUDGET;; budget--) {
		if (waiting && hvn_ctl_answered(hv))
			break;
		if (budget == 0) {
			hv->ctl_budget_cut++;
			break;
		}
		n = vmb_ring_read(&chan->rx, hv->ctl_pkt, HVN_RX_PKT_MAX);
		if (n == -EAGAIN)
			break;
		if (n == -ENOBUFS) {
			vmb_ring_skip(&chan->rx);
			hv->ctl_bad++;
			done++;
			continue;
		}
		if (n < 0) {
			done = -EIO;
			break;
		}
		done++;
		if (vmb_pkt_parse(hv->ctl_pkt, (uint32_t)n, &v) != 0) {
			hv->ctl_bad++;
			continue;
		}
		if (v.desc.type == VMB_PKT_COMPLETION) {
			if (hv->w.xid != 0 && v.desc.xid == hv->w.xid &&
			    !hv->w.got_cmplt) {
				hv->w.cmplt_len = RTE_MIN(v.payload_len,
						(uint32_t)NVSP_MSG_SIZE);
				memset(hv->w.cmplt, 0, sizeof(hv->w.cmplt));
				memcpy(hv->w.cmplt, v.payload,
				       hv->w.cmplt_len);
				hv->w.got_cmplt = true;
			} else if (!(v.desc.xid & HVN_XID_CTL) && txq != NULL) {
				/* Own channel: read only here while the
				 * port is stopped, so no burst races us. */
				if (!txq->own_chan)
					hvn_cring_push(txq, v.desc.xid,
						       &hv->ctl_bad);
				else if (hvn_tx_done(txq, v.desc.xid) != 0)
					hv->ctl_bad++;
			}
		} else if (v.desc.type == VMB_PKT_DATA_XFER_PAGES) {
			uint32_t seq = chan->open_seq;

			epoch_reader_exit(&hv->ctl_rd);
			hvn_ctl_xfer(hv, idx, seq, hv->ctl_pkt, (uint32_t)n);
			epoch_reader_enter(&hv->ctl_rd);
			chan = hvbus_chan_get(&hv->hdev->chan_slot[idx]);
			if (chan == NULL) {
				epoch_reader_exit(&hv->ctl_rd);
				return -ENODEV;
			}
		} else if (v.desc.type == VMB_PKT_DATA_INBAND && idx == 0) {
			/* VF association (for dev_start or the work
			 * thread), send table. */
			if (hvn_notify_nvsp(hv, v.payload, v.payload_len) != 0)
				hv->ctl_bad++;
		}
	}
	if (vmb_ring_commit(&chan->rx) == 1)
		hvbus_chan_signal(chan);
	epoch_reader_exit(&hv->ctl_rd);
	return done;
}

int
hvn_ctl_send_ext(struct hvn_dev *hv, uint16_t type, uint16_t flags,
		 uint64_t xid, const void *ext, uint32_t ext_len,
		 const void *msg, uint32_t len)
{
	uint64_t end = hv_now_ms() + HVN_CTL_TIMEOUT_MS;
	int rc;

	for (;;) {
		rc = hvn_chan_write(hv, 0, type, flags, xid, ext, ext_len, msg,
				    len);
		if (rc != -EAGAIN)
			return rc;
		/* Ring full: the host drains it; take its answers meanwhile. */
		rc = hvn_chan_poll(hv, 0);
		if (rc < 0)
			return rc;
		if (hv_now_ms() > end)
			return -ETIMEDOUT;
		usleep(50);
	}
}

int
hvn_ctl_send(struct hvn_dev *hv, uint16_t type, uint16_t flags, uint64_t xid,
	     const void *msg, uint32_t len)
{
	return hvn_ctl_send_ext(hv, type, flags, xid, NULL, 0, msg, len);
}

int
hvn_ctl_wait(struct hvn_dev *hv, unsigned int timeout_ms)
{
	uint64_t end = hv_now_ms() + timeout_ms;
	int rc;

	for (;;) {
		rc = hvn_chan_poll(hv, 0);
		if (rc < 0)
			return rc;
		if (hvn_ctl_answered(hv))
			return 0;
		if (hv_now_ms() > end)
			return -ETIMEDOUT;
		if (rc == 0)
			usleep(20);
	}
}

/* Take back what tx queue @p q has at the host (port stopped). */
int
hvn_txq_drain(struct hvn_dev *hv, uint16_t q, unsigned int ms)
{
	struct rte_eth_dev_data *ed = hv->eth->data;
	struct hvn_txq *txq = q < ed->nb_tx_queues ? ed->tx_queues[q] : NULL;
	uint16_t idx = hvn_txq_chan(hv, q);
	uint64_t end = hv_now_ms() + ms;
	int rc;

	for (;;) {
		rc = hvn_chan_poll(hv, idx);
		if (rc < 0)
			return rc;
		if (txq != NULL)
			hvn_txq_reclaim(txq);
		if (txq == NULL || txq->nfree == txq->ndesc)
			return 0;
		if (hv_now_ms() > end)
			return -ETIMEDOUT;
		if (rc == 0)
			usleep(50);
	}
}
