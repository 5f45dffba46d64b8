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
 * A slot table is freed only when no frame in it is held: a released
 * queue whose frames are still out keeps its table for good (counted:
 * zc_tables_kept). A late free only writes its slot; after a rescind no
 * completion goes out for a slot of the old session (they are void from
 * hvn_zc_bind() on).
 *
 * A session's receive buffer is freed by whoever lets go of it last. Its
 * release record (struct hvn_zc_rel, allocated with the buffer, work item
 * included) holds a bias for the session. When the session's buffers are
 * retired (no burst reads them any more), the control path marks every
 * slot of that buffer HVN_ZC_ORPHAN with one atomic or, which returns the
 * slot's freed count at that instant: the frames not back then are added
 * to the record, the bias taken away. A free callback's add returns the
 * count too: one that finds the mark gives its frame back to the record.
 * The or and the add meet on one word, so every frame is counted exactly
 * once, on one side or the other. Whoever brings the record to zero frees
 * the buffer: the retiring control path at once, or the last free callback
 * by queueing the record's work item (the GPADL's teardown may wait on the
 * host, which a datapath lcore must not). A queue released with frames
 * out marks its slots the same way, so that a later retire, which cannot
 * see its table any more, still counts them.
 */

#include <errno.h>
#include <stdlib.h>
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
	RTE_SET_USED(addr);
	hvn_zc_slot_freed(opaque);
}

/* Larger than any count of frames: the session's own reference. */
#define HVN_ZC_REL_BIAS		(INT64_C(1) << 40)

/* On the bus's work thread: nothing uses the receive buffer any more. */
static void
hvn_zc_rel_free(struct rte_hvbus_device *dev, void *arg)
{
	struct hvn_zc_rel *r = arg;
	int rc = hvbus_gpadl_destroy(dev, r->gpadl);

	if (rc != 0)
		PMD_DRV_LOG(WARNING, "port %u: freeing a receive buffer after "
			    "its last frame: %d", r->port_id, rc);
	else
		PMD_DRV_LOG(INFO, "port %u: receive buffer freed after the "
			    "application's last frame in it", r->port_id);
	free(r);
}

void
hvn_zc_rel_put(struct hvn_zc_rel *r)
{
	if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
		hvbus_work_queue(r->work);
}

/* Session attach (control path), the receive buffer just given to the
 * host: its release record. Without one frames are copied this session. */
void
hvn_zc_rel_new(struct hvn_dev *hv)
{
	struct hvn_zc_rel *r;

	hv->zc_rel = NULL;
	if (hv->da.rx_copybreak > HVN_NDIS_FRAME || hv->rxbuf == NULL)
		return;
	r = calloc(1, sizeof(*r));
	if (r != NULL) {
		r->work = hvbus_work_prepare(hv->hdev, hvn_zc_rel_free, r);
		if (r->work == NULL) {
			free(r);
			r = NULL;
		}
	}
	if (r == NULL) {
		PMD_DRV_LOG(WARNING, "port %u: no memory for a release record: "
			    "frames are copied this session", hv->port_id);
		return;
	}
	r->refs = HVN_ZC_REL_BIAS;
	r->gpadl = hv->rxbuf_gpadl;
	r->port_id = hv->port_id;
	hv->zc_rel = r;
}

/*
 * Mark the slots of table @p zc (of record @p only, or all) orphaned and
 * add the frames still out to their records. Control path, no burst on
 * the table; a record marked here still holds its bias (a retire marks
 * every slot of its record it can reach, and tables out of its reach
 * were marked when their queue went). Returns the frames counted for
 * @p only.
 */
static int64_t
hvn_zc_orphan(struct hvn_zc *zc, const struct hvn_zc_rel *only)
{
	struct hvn_zc_slot *s;
	uint32_t i, old;
	int64_t n = 0, out;

	for (i = 0; i <= zc->mask; i++) {
		s = &zc->slot[i];
		if (s->rel == NULL || (only != NULL && s->rel != only))
			continue;
		old = __atomic_fetch_or(&s->freed, HVN_ZC_ORPHAN,
					__ATOMIC_ACQ_REL);
		if (old & HVN_ZC_ORPHAN)
			continue;
		out = (int64_t)s->given - old;
		if (out <= 0)
			continue;
		if (only != NULL)
			n += out;
		else
			__atomic_add_fetch(&s->rel->refs, out,
					   __ATOMIC_ACQ_REL);
	}
	return n;
}

/*
 * The session's buffers are retired: no burst attaches from its receive
 * buffer or reads its slots any more. True when frames in it are still
 * out: the last of them frees it (the caller must not). False: the caller
 * frees it now.
 */
bool
hvn_zc_retire(struct hvn_dev *hv)
{
	const struct rte_eth_dev_data *d = hv->eth->data;
	struct hvn_zc_rel *r = hv->zc_rel;
	struct hvn_rxq *rxq;
	int64_t n = 0;
	uint16_t k;

	if (r == NULL)
		return false;
	hv->zc_rel = NULL;
	for (k = 0; k < d->nb_rx_queues; k++) {
		rxq = d->rx_queues[k];
		if (rxq != NULL && rxq->zc.slot != NULL)
			n += hvn_zc_orphan(&rxq->zc, r);
	}
	if (__atomic_sub_fetch(&r->refs, HVN_ZC_REL_BIAS - n,
			       __ATOMIC_ACQ_REL) == 0) {
		hvbus_work_discard(r->work);
		free(r);
		return false;
	}
	hv->zc_bufs_kept++;
	PMD_DRV_LOG(NOTICE, "port %u: the application holds frames in the "
		    "receive buffer: the last one it frees frees it",
		    hv->port_id);
	return true;
}

/* A stalled burst may still attach from the session's receive buffer:
 * nothing can count its frames, and the buffer is kept for good. */
void
hvn_zc_abandon(struct hvn_dev *hv)
{
	if (hv->zc_rel == NULL)
		return;
	hv->zc_rel = NULL;
	hv->zc_bufs_kept++;
}

/* Queue set-up: a slot and a shared-info per receive section of the
 * session the port has now (later sessions with more sections are held to
 * it by the cap), when rx_copybreak can be met at all. */
int
hvn_zc_setup(struct hvn_rxq *rxq, const struct hvn_dev *hv, int socket)
{
	struct hvn_zc *zc = &rxq->zc;
	uint32_t n, i;
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
	/* The callback never changes: the burst sets a shared-info's
	 * opaque (its slot) and reference count only. */
	for (i = 0; i < n; i++)
		zc->sh[i].free_cb = hvn_zc_free_cb;
	/* Messages that may hold a frame of rx_copybreak bytes. */
	zc->min_ml = hv->da.rx_copybreak + (uint32_t)RNDIS_HDR_SIZE;
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
		if ((__atomic_load_n(&s->freed, __ATOMIC_ACQUIRE) &
		     ~HVN_ZC_ORPHAN) != s->given)
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
		/* Their receive buffers may be retired later. */
		hvn_zc_orphan(zc, NULL);
		rxq->hv->zc_tables_kept++;
		PMD_DRV_LOG(WARNING, "port %u rx queue %u released while the "
			    "application holds frames attached to the receive "
			    "buffer: their slot table is kept for good",
			    rxq->port_id, rxq->qid);
	}
	zc->slot = NULL;
	zc->sh = NULL;
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
		hv->zc_rel != NULL && rte_eal_iova_mode() == RTE_IOVA_VA;
	zc->iova = (rte_iova_t)(uintptr_t)hv->rxbuf;
	zc->rel = hv->zc_rel;
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
