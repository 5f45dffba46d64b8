/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Zero-copy receive: the slot table of an rx queue, the free callback of
 * the mbufs attached to the receive buffer, and who may let go of what.
 *
 * The burst (hvn_rx.c) opens a slot for each data transfer-page packet it
 * reads while the hold cap allows, attaches the packet's frames of at
 * least rx_copybreak bytes to mbufs as external buffers (one shared-info
 * per range, its opaque the slot) and counts them in the slot (given).
 * An mbuf freed on any lcore, in any order, runs hvn_zc_free_cb(): one
 * atomic add to the slot's freed count, nothing else - the ring belongs to
 * the queue's lcore alone. The burst completes, in order, the slots whose
 * packet is fully taken and whose freed count (one acquire load) equals
 * what it gave.
 *
 * The receive buffer and the slot table are freed only when no frame in
 * them is held: a released queue whose frames are still out keeps its
 * table for good, and a session that ends with frames out keeps its
 * receive buffer for good (counted: zc_tables_kept, zc_bufs_kept). A late
 * free only writes its slot; after a rescind no completion goes out for a
 * slot of the old session (they are void from hvn_zc_bind() on).
 */

#include <errno.h>
#include <string.h>

#include <rte_eal.h>

#include "hvn_rxtx.h"
#include "hvn_zc.h"

bool hvn_zc_used;

/* The mbuf's last reference is gone (rte_pktmbuf_free() of it or of its
 * last clone, on whatever lcore). Release: the application's reads of the
 * frame happen before the host may write the section again. */
void
hvn_zc_free_cb(void *addr, void *opaque)
{
	struct hvn_zc_slot *s = opaque;

	RTE_SET_USED(addr);
	__atomic_fetch_add(&s->freed, 1, __ATOMIC_RELEASE);
}

/* Queue set-up: a slot and a shared-info per receive section of the
 * session the port has now (later sessions with more sections are held to
 * it by the cap), when rx_copybreak can be met at all. */
int
hvn_zc_setup(struct hvn_rxq *rxq, const struct hvn_dev *hv, int socket)
{
	struct hvn_zc *zc = &rxq->zc;
	uint32_t n;
	uint8_t *p;

	rxq->zc_copybreak = hv->da.rx_copybreak;
	if (hv->da.rx_copybreak > HVN_NDIS_FRAME)
		return 0;
	/* A pool of pinned external buffers: their mbufs cannot take ours
	 * (their free never calls a callback). */
	if (rxq->ol_keep != 0) {
		PMD_DRV_LOG(NOTICE, "port %u rx queue %u: mempool of pinned "
			    "external buffers: frames are copied",
			    rxq->port_id, rxq->qid);
		return 0;
	}
	/* A frame attached to our receive buffer is not in shared memory a
	 * secondary process could read, and its free callback is an address
	 * of this process: no secondaries from now on, or no zero-copy. */
	if (!rte_mp_disable()) {
		PMD_DRV_LOG(NOTICE, "port %u rx queue %u: a secondary process "
			    "is attached: frames are copied", rxq->port_id,
			    rxq->qid);
		return 0;
	}
	n = rte_align32pow2(RTE_MAX(hv->rxlim.sec_count, 2u));
	p = rte_zmalloc_socket("hvn_zc", (size_t)n * (sizeof(*zc->slot) +
				sizeof(*zc->sh)), RTE_CACHE_LINE_SIZE, socket);
	if (p == NULL)
		return -ENOMEM;
	hvn_zc_used = true;
	zc->sh = (void *)p;
	zc->slot = (void *)(p + (size_t)n * sizeof(*zc->sh));
	zc->mask = n - 1;
	/* Messages that may hold a frame of rx_copybreak bytes; at least a
	 * header copy's worth (the burst parses HVN_ZC_HDR bytes). */
	zc->min_ml = RTE_MAX(hv->da.rx_copybreak + (uint32_t)RNDIS_HDR_SIZE,
			     (uint32_t)HVN_ZC_HDR);
	return 0;
}

/* Every frame attached from the table given back by the application. */
bool
hvn_zc_drained(const struct hvn_rxq *rxq)
{
	const struct hvn_zc *zc = &rxq->zc;
	const struct hvn_zc_slot *s;
	uint32_t c;

	if (zc->slot == NULL)
		return true;
	for (c = zc->cons; c != zc->prod; c++) {
		s = &zc->slot[c & zc->mask];
		if (__atomic_load_n(&s->freed, __ATOMIC_ACQUIRE) != s->given)
			return false;
	}
	return true;
}

/* Queue release (no burst runs): the table goes unless frames attached
 * from it are still out; then their free callbacks still write it. */
void
hvn_zc_release(struct hvn_rxq *rxq)
{
	struct hvn_zc *zc = &rxq->zc;

	if (zc->slot == NULL)
		return;
	if (hvn_zc_drained(rxq)) {
		rte_free(zc->sh);
	} else {
		rxq->hv->zc_tables_kept++;
		PMD_DRV_LOG(WARNING, "port %u rx queue %u released while the "
			    "application holds frames attached to the receive "
			    "buffer: their slot table is kept for good",
			    rxq->port_id, rxq->qid);
	}
	zc->slot = NULL;
	zc->sh = NULL;
}

/* Some frame of the port attached to the receive buffer is still held:
 * the buffer must not be freed. Called once no burst can attach more
 * from it (after the grace period of the session's channels). */
bool
hvn_zc_busy(const struct hvn_dev *hv)
{
	const struct rte_eth_dev_data *d = hv->eth->data;
	uint16_t k;

	if (hv->zc_tables_kept != 0)
		return true;
	for (k = 0; k < d->nb_rx_queues; k++)
		if (d->rx_queues[k] != NULL && !hvn_zc_drained(d->rx_queues[k]))
			return true;
	return false;
}

/*
 * The queue binds to a session (its own lcore, or the control path while
 * the queue is its): slots read before are void - their host is gone, no
 * completion goes out for them - and they complete silently as their
 * frames come back. Attach only where an mbuf's IOVA can be the buffer's
 * address plus the offset (IOVA as VA; the bus asks for it).
 */
void
hvn_zc_bind(struct hvn_rxq *rxq, const struct hvn_dev *hv)
{
	struct hvn_zc *zc = &rxq->zc;

	zc->live = zc->prod;
	rxq->zc_on = zc->slot != NULL && hv->rxbuf != NULL &&
		rte_eal_iova_mode() == RTE_IOVA_VA;
	zc->iova = (rte_iova_t)(uintptr_t)hv->rxbuf;
	/* Hold cap: half the sections. The host keeps the other half to
	 * go on delivering into while the application holds frames; past
	 * it frames are copied and their sections come back at once. */
	zc->cap = RTE_MIN(hv->rxlim.sec_count / HVN_ZC_HOLD_DIV,
			  zc->mask + 1);
}

/*
 * The packet in progress is taken (or dropped) to its end: its slot, if it
 * has one, closes. True when the slot now owes the host the packet's
 * completion (frames of it are out); false when nothing was attached - the
 * slot is taken back and the caller completes the packet as a copied one.
 */
bool
hvn_zc_cur_close(struct hvn_rxq *rxq)
{
	struct hvn_zc_slot *s = rxq->cur_slot;
	struct hvn_zc *zc = &rxq->zc;

	if (s == NULL)
		return false;
	rxq->cur_slot = NULL;
	if (s->given != 0) {
		s->sh_end = zc->sh_prod;
		s->open = 0;
		return true;
	}
	/* The newest slot: no frame of it was given, nothing to wait for. */
	zc->prod--;
	rxq->zc_n--;
	zc->secs -= s->nsec;
	return false;
}
