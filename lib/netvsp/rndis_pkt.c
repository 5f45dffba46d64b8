/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RNDIS data packets: the PACKET_MSG builder, the validating parser with
 * its PPI walk, and the iterator over aggregated packets.
 */

#include <errno.h>
#include <string.h>

#include "rndis.h"
#include "netvsp_private.h"

/* The builder always places PPIs right after the 44-byte header. */
#define RNDIS_PKT_HDR		sizeof(struct rndis_packet)

static int
rndis_packet_load(const void *buf, size_t size, struct rndis_packet *h)
{
	if (buf == NULL || size < sizeof(*h))
		return -ENOBUFS;
	memcpy(h, buf, sizeof(*h));
	if (h->type != RNDIS_MSG_PACKET ||
	    h->ppi_offset != RNDIS_PACKET_MIN_OFFSET ||
	    h->ppi_len > size - RNDIS_PKT_HDR ||
	    h->msg_len != RNDIS_PKT_HDR + h->ppi_len || h->data_len != 0)
		return -EINVAL;
	return 0;
}

int
rndis_packet_begin(void *buf, size_t size)
{
	struct rndis_packet h;

	if (buf == NULL || size < sizeof(h))
		return -ENOBUFS;
	memset(&h, 0, sizeof(h));
	h.type = RNDIS_MSG_PACKET;
	h.msg_len = sizeof(h);
	h.data_offset = RNDIS_PACKET_MIN_OFFSET;
	h.ppi_offset = RNDIS_PACKET_MIN_OFFSET;
	memcpy(buf, &h, sizeof(h));
	return 0;
}

int
rndis_packet_add_ppi(void *buf, size_t size, uint32_t type,
		     const void *data, uint32_t len)
{
	struct rndis_packet h;
	struct rndis_ppi e;
	uint64_t esize, pos;
	uint8_t *p = buf;
	int rc;

	rc = rndis_packet_load(buf, size, &h);
	if (rc < 0)
		return rc;
	if (len != 0 && data == NULL)
		return -EINVAL;
	esize = sizeof(e) + (((uint64_t)len + 3) & ~(uint64_t)3);
	pos = RNDIS_PKT_HDR + (uint64_t)h.ppi_len;
	if (esize > UINT32_MAX - pos || pos + esize > size)
		return -ENOBUFS;
	e.size = (uint32_t)esize;
	e.type = type;
	e.offset = sizeof(e);
	memcpy(p + pos, &e, sizeof(e));
	memset(p + pos + sizeof(e), 0, esize - sizeof(e));
	if (len != 0)
		memcpy(p + pos + sizeof(e), data, len);
	h.ppi_len += (uint32_t)esize;
	h.msg_len = RNDIS_PKT_HDR + h.ppi_len;
	h.data_offset = RNDIS_PACKET_MIN_OFFSET + h.ppi_len;
	memcpy(buf, &h, sizeof(h));
	return 0;
}

int
rndis_packet_add_ppi_u32(void *buf, size_t size, uint32_t type,
			 uint32_t value)
{
	return rndis_packet_add_ppi(buf, size, type, &value, sizeof(value));
}

int
rndis_packet_end(void *buf, size_t size, uint32_t frame_off,
		 uint32_t frame_len, uint32_t align)
{
	struct rndis_packet h;
	uint64_t ppi_end, end, padded;
	uint8_t *p = buf;
	int rc;

	rc = rndis_packet_load(buf, size, &h);
	if (rc < 0)
		return rc;
	if (align > 1 && (align & (align - 1)) != 0)
		return -EINVAL;
	ppi_end = RNDIS_PKT_HDR + (uint64_t)h.ppi_len;
	if (frame_off == 0)
		frame_off = (uint32_t)ppi_end;
	if (frame_off < ppi_end)
		return -EINVAL;
	end = (uint64_t)frame_off + frame_len;
	padded = align > 1 ? (end + align - 1) & ~((uint64_t)align - 1) : end;
	if (padded > UINT32_MAX || padded > size)
		return -ENOBUFS;
	memset(p + ppi_end, 0, frame_off - ppi_end);
	memset(p + end, 0, padded - end);
	h.data_offset = frame_off - RNDIS_HDR_SIZE;
	h.data_len = frame_len;
	h.msg_len = (uint32_t)padded;
	memcpy(buf, &h, sizeof(h));
	return (int)frame_off;
}

/* ---------------------------------------------------------------------- */

/* Walk @len bytes of PPI elements; every element must fit exactly. */
int
rndis_parse_ppi_area(const uint8_t *p, uint32_t len,
		     struct rndis_pkt_info *info)
{
	struct rndis_ppi e;
	uint32_t v, bit;

	while (len != 0) {
		if (len < sizeof(e))
			return -EINVAL;
		memcpy(&e, p, sizeof(e));
		if (e.size < sizeof(e) || e.size % 4 != 0 || e.size > len)
			return -EINVAL;
		switch (e.type) {
		case RNDIS_PPI_CSUM:
			bit = RNDIS_PKT_HAS_CSUM;
			break;
		case RNDIS_PPI_LSO:
			bit = RNDIS_PKT_HAS_LSO;
			break;
		case RNDIS_PPI_VLAN:
			bit = RNDIS_PKT_HAS_VLAN;
			break;
		case RNDIS_PPI_HASH_VALUE:
			bit = RNDIS_PKT_HAS_HASH_VALUE;
			break;
		case RNDIS_PPI_HASH_INFO:
			bit = RNDIS_PKT_HAS_HASH_INFO;
			break;
		case RNDIS_PPI_PKTINFO_ID:
			bit = RNDIS_PKT_HAS_PKTINFO_ID;
			break;
		default:
			bit = 0;
			break;
		}
		if (bit != 0) {
			if (e.offset < sizeof(e) || e.offset >= e.size ||
			    e.size - e.offset < sizeof(uint32_t))
				return -EINVAL;
			v = hv_get_le32(p + e.offset);
			info->present |= bit;
			switch (bit) {
			case RNDIS_PKT_HAS_CSUM:
				info->csum = v;
				break;
			case RNDIS_PKT_HAS_LSO:
				info->lso = v;
				break;
			case RNDIS_PKT_HAS_VLAN:
				info->vlan = v;
				break;
			case RNDIS_PKT_HAS_HASH_VALUE:
				info->hash_value = v;
				break;
			case RNDIS_PKT_HAS_HASH_INFO:
				info->hash_info = v;
				break;
			default:
				/* {ver u8, flags u8, pkt_id u16} */
				info->pktinfo_flags = (uint8_t)(v >> 8);
				info->pktinfo_id = (uint16_t)(v >> 16);
				break;
			}
		}
		p += e.size;
		len -= e.size;
	}
	return 0;
}

int
rndis_parse_packet(const void *buf, size_t len, struct rndis_pkt_info *info)
{
	memset(info, 0, sizeof(*info));
	return rndis_parse_packet_inline(buf, len, info);
}
