/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * NDIS object encoders and validating decoders: offload capabilities and
 * parameters, RSS capabilities and parameters.
 */

#include <errno.h>
#include <string.h>

#include "ndis.h"
#include "netvsp_private.h"

int
ndis_obj_hdr_encode(void *buf, size_t size, uint8_t type, uint8_t revision,
		    uint16_t obj_size)
{
	struct ndis_obj_hdr h = {
		.type = type, .revision = revision, .size = obj_size,
	};

	if (buf == NULL || size < sizeof(h))
		return -ENOBUFS;
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

/*
 * Read an object header once and check type, revision >= 1 and
 * min <= size <= len. Returns the revision or a negative errno.
 */
static int
ndis_hdr_check(const void *buf, size_t len, uint8_t type, size_t min,
	       struct ndis_obj_hdr *h)
{
	if (len < sizeof(*h))
		return -EBADMSG;
	memcpy(h, buf, sizeof(*h));
	if (h->type != type || h->size < min || h->size > len)
		return -EBADMSG;
	if (h->revision < 1)
		return -EINVAL;
	return h->revision;
}

/* Copy an object of the size its (checked) header declares, zero the rest. */
static void
ndis_copy(void *out, size_t out_size, const void *buf,
	  const struct ndis_obj_hdr *h)
{
	memset(out, 0, out_size);
	memcpy(out, buf, h->size < out_size ? h->size : out_size);
	memcpy(out, h, sizeof(*h));
}

/* ---------------------------------------------------------------------- */

uint16_t
ndis_offload_size(uint8_t revision)
{
	switch (revision) {
	case NDIS_OFFLOAD_REV_1:
		return NDIS_OFFLOAD_SIZE_REV_1;
	case NDIS_OFFLOAD_REV_2:
		return NDIS_OFFLOAD_SIZE_REV_2;
	case NDIS_OFFLOAD_REV_3:
		return NDIS_OFFLOAD_SIZE_REV_3;
	default:
		return 0;
	}
}

int
ndis_offload_encode(void *buf, size_t size, const struct ndis_offload *caps,
		    uint8_t revision)
{
	uint16_t osize = ndis_offload_size(revision);
	struct ndis_offload o;

	if (osize == 0)
		return -EINVAL;
	if (buf == NULL || size < osize)
		return -ENOBUFS;
	o = *caps;
	o.hdr.type = NDIS_OBJTYPE_OFFLOAD;
	o.hdr.revision = revision;
	o.hdr.size = osize;
	memcpy(buf, &o, osize);
	return osize;
}

int
ndis_offload_decode(const void *buf, size_t len, struct ndis_offload *out)
{
	struct ndis_obj_hdr h;
	int rev;

	rev = ndis_hdr_check(buf, len, NDIS_OBJTYPE_OFFLOAD,
			     NDIS_OFFLOAD_SIZE_REV_1, &h);
	if (rev < 0)
		return rev;
	ndis_copy(out, sizeof(*out), buf, &h);
	return rev;
}

/* ---------------------------------------------------------------------- */

uint16_t
ndis_offload_params_size(uint8_t revision)
{
	switch (revision) {
	case NDIS_OFFLOAD_PARAMS_REV_1:
		return NDIS_OFFLOAD_PARAMS_SIZE_REV_1;
	case NDIS_OFFLOAD_PARAMS_REV_2:
		return NDIS_OFFLOAD_PARAMS_SIZE_REV_2;
	case NDIS_OFFLOAD_PARAMS_REV_3:
		return NDIS_OFFLOAD_PARAMS_SIZE_REV_3;
	default:
		return 0;
	}
}

int
ndis_offload_params_encode(void *buf, size_t size,
			   const struct ndis_offload_params *params,
			   uint8_t revision)
{
	uint16_t osize = ndis_offload_params_size(revision);
	struct ndis_offload_params o;

	if (osize == 0)
		return -EINVAL;
	if (buf == NULL || size < osize)
		return -ENOBUFS;
	o = *params;
	o.hdr.type = NDIS_OBJTYPE_DEFAULT;
	o.hdr.revision = revision;
	o.hdr.size = osize;
	memcpy(buf, &o, osize);
	return osize;
}

int
ndis_offload_params_decode(const void *buf, size_t len,
			   struct ndis_offload_params *out)
{
	struct ndis_obj_hdr h;
	int rev;

	rev = ndis_hdr_check(buf, len, NDIS_OBJTYPE_DEFAULT,
			     NDIS_OFFLOAD_PARAMS_SIZE_REV_1, &h);
	if (rev < 0)
		return rev;
	ndis_copy(out, sizeof(*out), buf, &h);
	if (out->ip4_csum > NDIS_OFFLOAD_PARAM_TX_RX_ON ||
	    out->tcp4_csum > NDIS_OFFLOAD_PARAM_TX_RX_ON ||
	    out->udp4_csum > NDIS_OFFLOAD_PARAM_TX_RX_ON ||
	    out->tcp6_csum > NDIS_OFFLOAD_PARAM_TX_RX_ON ||
	    out->udp6_csum > NDIS_OFFLOAD_PARAM_TX_RX_ON ||
	    out->lsov1 > NDIS_OFFLOAD_PARAM_ON ||
	    out->lsov2_ip4 > NDIS_OFFLOAD_PARAM_ON ||
	    out->lsov2_ip6 > NDIS_OFFLOAD_PARAM_ON ||
	    out->rsc_ip4 > NDIS_OFFLOAD_PARAM_ON ||
	    out->rsc_ip6 > NDIS_OFFLOAD_PARAM_ON)
		return -EINVAL;
	return rev;
}

/* ---------------------------------------------------------------------- */

int
ndis_rss_caps_encode(void *buf, size_t size, const struct ndis_rss_caps *caps,
		     uint8_t revision)
{
	struct ndis_rss_caps_wire w;
	uint16_t osize;

	if (revision == NDIS_RSS_CAPS_REV_1)
		osize = NDIS_RSS_CAPS_SIZE_REV_1;
	else if (revision == NDIS_RSS_CAPS_REV_2)
		osize = NDIS_RSS_CAPS_SIZE_REV_2;
	else
		return -EINVAL;
	if (caps->num_ind_entries > UINT16_MAX)
		return -EINVAL;
	if (buf == NULL || size < osize)
		return -ENOBUFS;
	w.hdr.type = NDIS_OBJTYPE_RSS_CAPS;
	w.hdr.revision = revision;
	w.hdr.size = osize;
	w.caps = caps->caps;
	w.num_int_msgs = caps->num_int_msgs;
	w.num_queues = caps->num_queues;
	w.num_ind_entries = (uint16_t)caps->num_ind_entries;
	memcpy(buf, &w, osize);
	return osize;
}

int
ndis_rss_caps_decode(const void *buf, size_t len, struct ndis_rss_caps *out)
{
	struct ndis_rss_caps_wire w;
	struct ndis_obj_hdr h;
	int rev;

	rev = ndis_hdr_check(buf, len, NDIS_OBJTYPE_RSS_CAPS,
			     NDIS_RSS_CAPS_SIZE_REV_1, &h);
	if (rev < 0)
		return rev;
	ndis_copy(&w, sizeof(w), buf, &h);
	if (w.num_queues == 0)
		return -EINVAL;
	out->caps = w.caps;
	out->num_int_msgs = w.num_int_msgs;
	out->num_queues = w.num_queues;
	out->num_ind_entries = 0;
	if (rev >= NDIS_RSS_CAPS_REV_2 && h.size >= NDIS_RSS_CAPS_SIZE_REV_2) {
		if (w.num_ind_entries == 0 ||
		    w.num_ind_entries > NDIS_RSS_TABLE_MAX)
			return -EINVAL;
		out->num_ind_entries = w.num_ind_entries;
	}
	return rev;
}

/* ---------------------------------------------------------------------- */

int
ndis_rss_params_encode(void *buf, size_t size,
		       const struct ndis_rss_params *params)
{
	struct ndis_rss_params_wire w;
	uint8_t *p = buf;
	uint32_t tbl_bytes, total, i;

	if (params->table_len == 0 || params->table_len > NDIS_RSS_TABLE_MAX)
		return -EINVAL;
	tbl_bytes = params->table_len * (uint32_t)sizeof(uint32_t);
	total = NDIS_RSS_PARAMS_HDR_SIZE + tbl_bytes + NDIS_RSS_KEY_SIZE;
	if (buf == NULL || size < total)
		return -ENOBUFS;
	memset(&w, 0, sizeof(w));
	w.hdr.type = NDIS_OBJTYPE_RSS_PARAMS;
	w.hdr.revision = NDIS_RSS_PARAMS_REV_2;
	w.hdr.size = NDIS_RSS_PARAMS_HDR_SIZE;
	w.flags = params->flags;
	w.hash_info = params->hash_info;
	w.table_size = (uint16_t)tbl_bytes;
	w.table_offset = NDIS_RSS_PARAMS_TABLE_OFFSET;
	w.key_size = NDIS_RSS_KEY_SIZE;
	w.key_offset = NDIS_RSS_PARAMS_TABLE_OFFSET + tbl_bytes;
	memcpy(p, &w, sizeof(w));
	for (i = 0; i < params->table_len; i++)
		hv_put_le32(p + NDIS_RSS_PARAMS_TABLE_OFFSET + 4 * i,
			     params->table[i]);
	memcpy(p + w.key_offset, params->key, NDIS_RSS_KEY_SIZE);
	return (int)total;
}

int
ndis_rss_params_decode(const void *buf, size_t len, uint32_t num_queues,
		       struct ndis_rss_params *out)
{
	struct ndis_rss_params_wire w;
	const uint8_t *p = buf;
	struct ndis_obj_hdr h;
	uint32_t fn, i, n;
	int rev;

	rev = ndis_hdr_check(buf, len, NDIS_OBJTYPE_RSS_PARAMS,
			     NDIS_RSS_PARAMS_HDR_SIZE, &h);
	if (rev < 0)
		return rev;
	/* The fixed part is read whole even if the header says it is longer. */
	ndis_copy(&w, sizeof(w), buf, &h);
	memset(out, 0, sizeof(*out));
	out->flags = w.flags;
	out->hash_info = w.hash_info;
	if (w.flags & NDIS_RSS_FLAG_DISABLE)
		return 0;
	if (!(w.flags & NDIS_RSS_FLAG_HASH_INFO_UNCHANGED)) {
		fn = w.hash_info & NDIS_HASH_FUNCTION_MASK;
		if (fn != 0 && fn != NDIS_HASH_FUNCTION_TOEPLITZ)
			return -EINVAL;
	}
	if (!(w.flags & NDIS_RSS_FLAG_KEY_UNCHANGED)) {
		if (w.key_size != NDIS_RSS_KEY_SIZE ||
		    w.key_offset < NDIS_RSS_PARAMS_HDR_SIZE ||
		    !netvsp_range_ok(w.key_offset, w.key_size, len))
			return -EINVAL;
		memcpy(out->key, p + w.key_offset, NDIS_RSS_KEY_SIZE);
	}
	if (!(w.flags & NDIS_RSS_FLAG_TABLE_UNCHANGED)) {
		if (w.table_size == 0 || w.table_size % 4 != 0 ||
		    w.table_size > NDIS_RSS_TABLE_MAX * sizeof(uint32_t) ||
		    w.table_offset < NDIS_RSS_PARAMS_HDR_SIZE ||
		    !netvsp_range_ok(w.table_offset, w.table_size, len))
			return -EINVAL;
		n = w.table_size / 4;
		for (i = 0; i < n; i++) {
			out->table[i] =
				hv_get_le32(p + w.table_offset + 4 * i);
			if (out->table[i] >= num_queues)
				return -ERANGE;
		}
		out->table_len = n;
	}
	return 0;
}
