/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Zero-copy receive's mbufs as the transmit path meets them: the free
 * callback of an mbuf attached to a receive buffer (hvn_zc.c) and its
 * inline form for the tx queue's fast free.
 */

#ifndef HVN_ZC_H
#define HVN_ZC_H

#include "hvn.h"

void hvn_zc_free_cb(void *addr, void *opaque);
/* A frame counted in @p r comes back (its slot was orphaned). */
void hvn_zc_rel_put(struct hvn_zc_rel *r);
/* Some rx queue of the process attaches frames (set once, never
 * cleared): until then no mbuf can be one of ours. */
extern bool hvn_zc_used;

/* One frame of slot @p s is freed (the free callback or the fast-free
 * detach). */
static __rte_always_inline void
hvn_zc_slot_freed(struct hvn_zc_slot *s)
{
	/* Before the add: once it lands the slot may be reused. */
	struct hvn_zc_rel *r = s->rel;

	if (unlikely(__atomic_fetch_add(&s->freed, 1, __ATOMIC_RELEASE) &
		     HVN_ZC_ORPHAN))
		hvn_zc_rel_put(r);
}

/*
 * A one-segment mbuf with one reference that the tx path frees at its
 * completion (fast free): if zero-copy receive attached it to a receive
 * buffer and nothing else shares that buffer, count it freed in its slot
 * and make it its pool's mbuf again - what rte_pktmbuf_free() does
 * through rte_pktmbuf_detach() and the callback, without the calls and
 * the pinned-buffer look-ups. True when done: the caller puts it back
 * into its pool.
 */
static __rte_always_inline bool
hvn_zc_detach(struct rte_mbuf *m)
{
	struct rte_mbuf_ext_shared_info *sh = m->shinfo;
	uint32_t sz;

	if (sh->free_cb != hvn_zc_free_cb ||
	    rte_mbuf_ext_refcnt_read(sh) != 1)
		return false;
	hvn_zc_slot_freed(sh->fcb_opaque);
	sz = (uint32_t)sizeof(*m) + m->priv_size;
	m->buf_addr = (char *)m + sz;
	m->buf_iova = rte_mempool_virt2iova(m) + sz;
	m->buf_len = rte_pktmbuf_data_room_size(m->pool);
	m->data_off = (uint16_t)RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM,
					m->buf_len);
	m->data_len = 0;
	m->ol_flags = 0;
	return true;
}

#endif /* HVN_ZC_H */
