/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hvn_rxparse.h"
#include "nvsp.h"

int
hvn_rxp_xfer(const void *pkt, uint32_t len, const struct hvn_rx_limits *lim,
	     struct hvn_xfer *xf)
{
	struct nvsp_rndis_pkt body;

	/* Sections are what the host may write one message into; a longer
	 * range would let it make us read across sections. Checked with the
	 * rest of each range, in one pass. */
	if (vmb_xfer_decode_max(pkt, len, lim->buf_size, lim->sec_size,
				&xf->x) != 0)
		return -EBADMSG;
	if (xf->x.pageset_id != VMB_XFER_PAGESET_NETVSC)
		return -EBADMSG;
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

void
hvn_rxp_layout_init(struct hvn_rx_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->min_len = UINT32_MAX;
}

#define HVN_PI_AT(f)	((uint8_t)offsetof(struct rndis_pkt_info, f))

void
hvn_rxp_learn(struct hvn_rx_layout *l, const uint8_t *msg,
	      const struct rndis_pkt_info *pi)
{
	uint32_t plen = hvn_rxp_get32(msg + 32), n, i, type;
	const uint8_t *e;

	hvn_rxp_layout_init(l);
	n = plen / RNDIS_PPI_U32_SIZE;
	if (hvn_rxp_get32(msg + 28) != RNDIS_PACKET_MIN_OFFSET ||
	    plen % RNDIS_PPI_U32_SIZE != 0 || n > HVN_RXP_LAYOUT_PPIS)
		return;
	for (i = 0; i < n; i++) {
		e = msg + sizeof(struct rndis_packet) + i * RNDIS_PPI_U32_SIZE;
		if (hvn_rxp_get32(e) != RNDIS_PPI_U32_SIZE ||
		    hvn_rxp_get32(e + 8) != sizeof(struct rndis_ppi))
			return;
		memcpy(&l->elem[i], e, sizeof(l->elem[i]));
		type = hvn_rxp_get32(e + 4);
		l->dst[i] = type == RNDIS_PPI_CSUM ? HVN_PI_AT(csum) :
			type == RNDIS_PPI_LSO ? HVN_PI_AT(lso) :
			type == RNDIS_PPI_VLAN ? HVN_PI_AT(vlan) :
			type == RNDIS_PPI_HASH_VALUE ? HVN_PI_AT(hash_value) :
			type == RNDIS_PPI_HASH_INFO ? HVN_PI_AT(hash_info) :
			type == RNDIS_PPI_PKTINFO_ID ? HVN_PI_AT(frame_len) :
			HVN_PI_AT(msg_len);
		if (type == RNDIS_PPI_PKTINFO_ID)
			l->pktinfo = 1;
	}
	l->w28 = RNDIS_PACKET_MIN_OFFSET | (uint64_t)plen << 32;
	l->n = n;
	l->present = pi->present;
	l->doff = pi->frame_off - RNDIS_HDR_SIZE;
	l->foff = pi->frame_off;
	l->min_len = (uint32_t)sizeof(struct rndis_packet) + plen;
}
