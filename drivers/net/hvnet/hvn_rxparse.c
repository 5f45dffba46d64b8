/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#include <errno.h>
#include <string.h>

#include "hvn_rxparse.h"
#include "nvsp.h"

int
hvn_rxp_xfer(const void *pkt, uint32_t len, const struct hvn_rx_limits *lim,
	     struct hvn_xfer *xf)
{
	struct nvsp_rndis_pkt body;
	uint32_t i;

	if (vmb_xfer_decode(pkt, len, lim->buf_size, &xf->x) != 0)
		return -EBADMSG;
	if (xf->x.pageset_id != VMB_XFER_PAGESET_NETVSC)
		return -EBADMSG;
	/* Sections are what the host may write one message into; a longer
	 * range would let it make us read across sections. */
	for (i = 0; i < xf->x.range_count; i++) {
		uint32_t off, rlen;

		hvn_rxp_range(xf, i, &off, &rlen);
		if (rlen > lim->sec_size)
			return -EBADMSG;
	}
	if (xf->x.payload_len < sizeof(body))
		return -EBADMSG;
	memcpy(&body, xf->x.payload, sizeof(body));
	if (body.type != NVSP_TYPE_RNDIS_PKT)
		return -EBADMSG;
	if (body.channel_type != NVSP_RNDIS_CHAN_DATA &&
	    body.channel_type != NVSP_RNDIS_CHAN_CONTROL)
		return -EBADMSG;
	xf->chan_type = body.channel_type;
	return 0;
}

/* A 32-bit field at any alignment: the host chooses range offsets. */
typedef uint32_t hvn_u32_any __attribute__((aligned(1)));

uint32_t
hvn_rxp_msg_len(const volatile uint8_t *msg, uint32_t avail)
{
	uint32_t ml;

	if (avail < RNDIS_HDR_SIZE)
		return 0;
	/* The host may rewrite the length while we look at it: one volatile
	 * load reads it exactly once, and every check below is on that
	 * value. (Copying through a pointer cast to non-volatile let the
	 * compiler load it again.) The copy is validated again by the
	 * parser. */
	ml = *(const volatile hvn_u32_any *)(msg + 4);
	if (ml < RNDIS_HDR_SIZE)
		return 0;
	return ml < avail ? ml : avail;
}

enum hvn_rx_kind
hvn_rxp_msg(const uint8_t *msg, uint32_t len, struct hvn_rx_msg *out)
{
	uint32_t ml;

	if (rndis_parse_hdr(msg, len, &out->type, &ml) != 0)
		return HVN_RX_BAD;
	switch (out->type) {
	case RNDIS_MSG_PACKET:
		if (rndis_parse_packet(msg, len, &out->pi) != 0)
			return HVN_RX_BAD;
		return HVN_RX_DATA;
	case RNDIS_MSG_INDICATE:
		if (rndis_parse_indicate(msg, len, &out->ind) != 0)
			return HVN_RX_BAD;
		return HVN_RX_INDICATE;
	default:
		break;
	}
	if (out->type & RNDIS_MSG_CMPLT) {
		if (rndis_parse_cmplt_id(msg, len, &out->type,
					 &out->req_id) != 0)
			return HVN_RX_BAD;
		return HVN_RX_CMPLT;
	}
	return HVN_RX_OTHER;
}
