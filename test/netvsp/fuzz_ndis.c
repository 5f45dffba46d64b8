/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: NDIS object decoders and RSS frame classification
 * (bit-serial and by table, which must agree).
 * The first byte selects the decoder and the queue count; the rest is the
 * object (or the frame).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ndis.h"
#include "rss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ndis_rss_params rp;
	struct ndis_offload_params op;
	struct ndis_rss_caps rc;
	struct ndis_offload off;
	uint32_t type, hash, nq, i;
	uint8_t *obj;
	size_t len;

	if (size < 1)
		return 0;
	nq = 1u + (data[0] >> 3);
	len = size - 1;
	obj = malloc(len ? len : 1);
	if (obj == NULL)
		return 0;
	memcpy(obj, data + 1, len);

	switch (data[0] % 5) {
	case 0:
		ndis_offload_decode(obj, len, &off);
		break;
	case 1:
		ndis_offload_params_decode(obj, len, &op);
		break;
	case 2:
		if (ndis_rss_caps_decode(obj, len, &rc) >= 0 &&
		    (rc.num_queues == 0 ||
		     rc.num_ind_entries > NDIS_RSS_TABLE_MAX))
			abort();
		break;
	case 3:
		if (ndis_rss_params_decode(obj, len, nq, &rp) == 0) {
			if (rp.table_len > NDIS_RSS_TABLE_MAX)
				abort();
			for (i = 0; i < rp.table_len; i++)
				if (rp.table[i] >= nq)
					abort();
		}
		break;
	default: {
		static struct hv_rss_tbl tbl;
		uint32_t t2, h2;
		int r1, r2;

		/* The table and the bit-serial definition agree. */
		if (tbl.t[0][1] == 0)
			hv_rss_tbl_init(&tbl, hv_rss_key_default);
		r1 = hv_rss_hash_frame(hv_rss_key_default, data[0] << 8, obj,
				       len, &type, &hash);
		r2 = hv_rss_tbl_hash_frame(&tbl, data[0] << 8, obj, len, &t2,
					   &h2);
		if (r1 != r2 || (r1 == 0 && (type != t2 || hash != h2)))
			abort();
		break;
	}
	}
	free(obj);
	return 0;
}
