/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RSS on the host side: the guest's RECEIVE_SCALE_PARAMETERS (validated by
 * lib/netvsp against the channels it may use) and the choice of a channel
 * for each received frame: Toeplitz over the guest's key (by the key's
 * table, rebuilt when the key changes), then its indirection table,
 * exactly as lib/netvsp computes it so tests can predict the queue.
 */

#include <errno.h>
#include <string.h>

#include "netvsp_priv.h"

void
nv_rss_reset(struct netvsp_dev *d)
{
	struct nv_rss *r = &d->rss;

	memset(r, 0, sizeof(*r));
	memcpy(r->key, hv_rss_key_default, sizeof(r->key));
	hv_rss_tbl_init(&r->tbl, r->key);
	d->rx_gen++;
}

uint32_t
nv_rss_set(struct netvsp_dev *d, const uint8_t *obj, uint32_t len)
{
	struct nv_rss *r = &d->rss;
	struct ndis_rss_params p;
	uint32_t nq = d->subch_granted + 1;
	int rc;

	rc = ndis_rss_params_decode(obj, len, nq, &p);
	if (rc < 0) {
		nv_log(d, "RSS parameters refused (%u bytes, %u queues): %s",
		       len, nq, rc == -ERANGE ? "table entry beyond the queues" :
		       rc == -EBADMSG ? "bad object header" : "bad field");
		return RNDIS_STATUS_INVALID_DATA;
	}
	d->rx_gen++;
	if ((p.flags & NDIS_RSS_FLAG_DISABLE) ||
	    (!(p.flags & NDIS_RSS_FLAG_HASH_INFO_UNCHANGED) &&
	     (p.hash_info & NDIS_HASH_FUNCTION_MASK) == 0)) {
		r->enabled = false;
		nv_log(d, "RSS disabled");
		return RNDIS_STATUS_SUCCESS;
	}
	if (!(p.flags & NDIS_RSS_FLAG_HASH_INFO_UNCHANGED))
		r->hash_info = p.hash_info;
	if (!(p.flags & NDIS_RSS_FLAG_KEY_UNCHANGED) &&
	    memcmp(r->key, p.key, sizeof(r->key)) != 0) {
		memcpy(r->key, p.key, sizeof(r->key));
		hv_rss_tbl_init(&r->tbl, r->key);
	}
	if (!(p.flags & NDIS_RSS_FLAG_TABLE_UNCHANGED)) {
		memcpy(r->table, p.table, p.table_len * sizeof(r->table[0]));
		r->table_len = p.table_len;
	}
	/* A power-of-two table (every known guest) needs no division. */
	r->mask = (r->table_len & (r->table_len - 1)) == 0 && r->table_len > 1 ?
		r->table_len - 1 : 0;
	r->enabled = r->table_len != 0 &&
		(r->hash_info & NDIS_HASH_FUNCTION_MASK) ==
		NDIS_HASH_FUNCTION_TOEPLITZ;
	nv_log(d, "RSS %s: hash info 0x%x, %u entries",
	       r->enabled ? "enabled" : "off (no table or function)",
	       r->hash_info, r->table_len);
	return RNDIS_STATUS_SUCCESS;
}

uint32_t
nv_rss_pick(const struct netvsp_dev *d, const uint8_t *frame, uint32_t len,
	    uint32_t *hash, uint32_t *type)
{
	const struct nv_rss *r = &d->rss;
	uint32_t h, t;

	if (hv_rss_tbl_hash_frame(&r->tbl, r->hash_info & NDIS_HASH_TYPE_MASK,
				  frame, len, &t, &h) != 0) {
		*type = 0;
		return 0;	/* not hashable: the primary */
	}
	*hash = h;
	*type = t;
	return nv_rss_queue(r, h);
}
