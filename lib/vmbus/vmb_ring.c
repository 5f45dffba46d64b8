/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Slow paths of the ring: attach, limits, corruption accounting and the
 * pending_send_sz handshake. The per-packet paths are inline in vmb_ring.h.
 */

#include <errno.h>
#include <string.h>

#include "vmb_ring.h"

void
vmb_ring_hdr_reset(void *hdr, uint32_t feature_bits)
{
	struct vmb_ring_hdr *h = hdr;

	memset(h, 0, sizeof(*h));
	h->feature_bits = feature_bits;
}

int
vmb_ring_init(struct vmb_ring *r, void *hdr, void *data, uint32_t data_size)
{
	struct vmb_ring_hdr *h = hdr;
	uint32_t w, rd;

	memset(r, 0, sizeof(*r));
	if (hdr == NULL || data == NULL || (data_size & 7) ||
	    data_size < VMB_RING_MIN_DATA || data_size > VMB_RING_MAX_DATA)
		return -EINVAL;
	r->hdr = h;
	r->data = data;
	r->size = data_size;
	r->max_pkt = data_size - 16;
	r->type_mask = VMB_PKT_TYPES_NETVSC;

	/* The peer may already have used the ring (re-attach): start from
	 * the shared indices, each read once and validated.
	 */
	w = __atomic_load_n(&h->write_index, __ATOMIC_ACQUIRE);
	rd = __atomic_load_n(&h->read_index, __ATOMIC_ACQUIRE);
	if (w >= data_size || (w & 7) || rd >= data_size || (rd & 7)) {
		r->broken = 1;
		r->stats.errors++;
		r->stats.bad_index++;
		return -EBADMSG;
	}
	r->wr_pos = r->wr_pub = w;
	r->wr_rd = rd;
	r->rd_pos = r->rd_pub = rd;
	r->rd_w = w;
	return 0;
}

int
vmb_ring_init_mem(struct vmb_ring *r, void *mem, size_t len)
{
	if ((len % VMB_RING_HDR_SIZE) != 0 || len < 2 * VMB_RING_HDR_SIZE ||
	    len - VMB_RING_HDR_SIZE > VMB_RING_MAX_DATA) {
		memset(r, 0, sizeof(*r));
		return -EINVAL;
	}
	return vmb_ring_init(r, mem, (uint8_t *)mem + VMB_RING_HDR_SIZE,
			     (uint32_t)(len - VMB_RING_HDR_SIZE));
}

int
vmb_ring_set_limits(struct vmb_ring *r, uint32_t max_pkt, uint32_t type_mask)
{
	if (max_pkt < VMB_PKT_DESC_SIZE || type_mask == 0)
		return -EINVAL;
	r->max_pkt = max_pkt;
	r->type_mask = type_mask;
	return 0;
}

int
vmb_ring_corrupt(struct vmb_ring *r, enum vmb_ring_err kind)
{
	/* Count the event once; a broken ring refuses every later call so a
	 * drain loop cannot spin on the same bad bytes.
	 */
	if (!r->broken) {
		r->broken = 1;
		r->stats.errors++;
		switch (kind) {
		case VMB_RING_ERR_INDEX:
			r->stats.bad_index++;
			break;
		case VMB_RING_ERR_DESC:
			r->stats.bad_desc++;
			break;
		case VMB_RING_ERR_TOO_BIG:
			r->stats.too_big++;
			break;
		}
	}
	return -EBADMSG;
}

int
vmb_ring_reader_signal(struct vmb_ring *r, uint32_t freed)
{
	/* Store->load: our read_index store must be visible before we look
	 * at pending_send_sz, or a writer that sets it and re-checks space
	 * concurrently could miss both our update and our signal.
	 */
	vmb_smp_mb();
	return vmb_ring_reader_check(r, freed);
}

int
vmb_ring_reader_check(struct vmb_ring *r, uint32_t freed)
{
	uint32_t pss, w, used, now;

	pss = __atomic_load_n(&r->hdr->pending_send_sz, __ATOMIC_RELAXED);
	if (pss == 0)
		return 0;
	w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_RELAXED);
	if (w >= r->size || (w & 7))
		return vmb_ring_corrupt(r, VMB_RING_ERR_INDEX);
	used = w >= r->rd_pub ? w - r->rd_pub : r->size - r->rd_pub + w;
	now = r->size - used;
	if (now <= pss)
		return 0;
	/* Signal only on the crossing: free space before this commit was
	 * at most pss. If the writer added more than we freed, "before" is
	 * below zero, i.e. below pss too.
	 */
	if (now >= freed && now - freed > pss)
		return 0;
	r->stats.signals++;
	return 1;
}

int
vmb_ring_wait_prepare(struct vmb_ring *r)
{
	uint32_t rd;

	if (r->broken)
		return -EBADMSG;
	__atomic_store_n(&r->hdr->pending_send_sz, r->wr_need,
			 __ATOMIC_RELAXED);
	r->wr_pending = 1;
	/* Store->load: pairs with the reader's barrier between its
	 * read_index store and its pending_send_sz load.
	 */
	vmb_smp_mb();
	rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
	if (rd >= r->size || (rd & 7))
		return vmb_ring_corrupt(r, VMB_RING_ERR_INDEX);
	r->wr_rd = rd;
	return vmb_ring_wr_free(r, rd) > r->wr_need ? 1 : 0;
}

void
vmb_ring_wait_cancel(struct vmb_ring *r)
{
	if (r->wr_pending) {
		__atomic_store_n(&r->hdr->pending_send_sz, 0,
				 __ATOMIC_RELAXED);
		r->wr_pending = 0;
	}
}
