/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target for net_hvnet's receive path: arbitrary host-to-guest
 * ring packets and receive-buffer contents go through exactly the
 * validation the bursts and the control path use (hvn_rxparse.c), then
 * the copies the bursts make. Oracles: nothing read or written outside
 * the packet, the receive buffer or the copy (ASan), and every frame the
 * parser accepts lies inside the message copied out.
 *
 * Input: [u8 section-size selector][u16 packet length][packet][buffer].
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvn_rxparse.h"
#include "nvsp.h"

#define RXBUF_SIZE	(64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rxbuf[RXBUF_SIZE];
/* The fast path's layout, learnt from the input's earlier messages. */
static struct hvn_rx_layout lay;

/* Same frame and the same values for every PPI present. */
static int
same_pi(const struct rndis_pkt_info *a, const struct rndis_pkt_info *b)
{
	uint32_t p = a->present;

	return a->msg_len == b->msg_len && a->frame_off == b->frame_off &&
		a->frame_len == b->frame_len && p == b->present &&
		(!(p & RNDIS_PKT_HAS_CSUM) || a->csum == b->csum) &&
		(!(p & RNDIS_PKT_HAS_LSO) || a->lso == b->lso) &&
		(!(p & RNDIS_PKT_HAS_VLAN) || a->vlan == b->vlan) &&
		(!(p & RNDIS_PKT_HAS_HASH_VALUE) ||
		 a->hash_value == b->hash_value) &&
		(!(p & RNDIS_PKT_HAS_HASH_INFO) ||
		 a->hash_info == b->hash_info) &&
		(!(p & RNDIS_PKT_HAS_PKTINFO_ID) ||
		 (a->pktinfo_id == b->pktinfo_id &&
		  a->pktinfo_flags == b->pktinfo_flags));
}

static void
one_range(const struct hvn_xfer *xf, uint32_t i, uint8_t *copy,
	  uint32_t sec_size)
{
	struct hvn_rx_msg m;
	uint32_t off, len, ml;

	hvn_rxp_range(xf, i, &off, &len);
	/* hvn_rxp_xfer promised this. */
	if (off > RXBUF_SIZE || len > RXBUF_SIZE - off || len == 0 ||
	    len > sec_size)
		__builtin_trap();
	ml = hvn_rxp_msg_len(rxbuf + off, len);
	if (ml > len)
		__builtin_trap();
	if (ml == 0)
		return;
	memcpy(copy, rxbuf + off, ml);
	{
		/* Differential: the fast path accepts only what the full
		 * parser accepts, with the same result, and a layout learnt
		 * from a message accepts that message. */
		struct rndis_pkt_info fp, ip;
		int fast = hvn_rxp_data_fast(copy, ml, &lay, &fp);
		enum hvn_rx_kind k = hvn_rxp_msg(copy, ml, &m);
		uint32_t raw = hvn_rxp_msg_len_raw(rxbuf + off, len);

		if (fast == 0 && (k != HVN_RX_DATA || !same_pi(&fp, &m.pi)))
			__builtin_trap();
		/* In place (zero-copy), msg_len as read and inside the
		 * range: the same answer as for the copy. */
		if (raw >= RNDIS_HDR_SIZE && raw <= len &&
		    (hvn_rxp_data_fast_inplace(rxbuf + off, raw, &lay,
					       &ip) != fast ||
		     (fast == 0 && !same_pi(&ip, &fp))))
			__builtin_trap();
		if (k == HVN_RX_DATA) {
			hvn_rxp_learn(&lay, copy, &m.pi);
			if (lay.min_len != UINT32_MAX &&
			    (hvn_rxp_data_fast(copy, ml, &lay, &fp) != 0 ||
			     !same_pi(&fp, &m.pi)))
				__builtin_trap();
		}
	}
	switch (hvn_rxp_msg(copy, ml, &m)) {
	case HVN_RX_DATA:
		if (m.pi.frame_off > ml || m.pi.frame_len > ml - m.pi.frame_off ||
		    m.pi.frame_len < 14)
			__builtin_trap();
		/* What the burst does with it: copy the frame. */
		{
			uint8_t frame[RXBUF_SIZE];

			memcpy(frame, copy + m.pi.frame_off, m.pi.frame_len);
		}
		break;
	case HVN_RX_INDICATE:
		if (m.ind.buf_len != 0 &&
		    (m.ind.buf_off > ml || m.ind.buf_len > ml - m.ind.buf_off))
			__builtin_trap();
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t sec_sizes[] = { 68, 1728, 1806, 4096, 9306 };
	struct hvn_rx_limits lim;
	struct vmb_pkt_view v;
	struct hvn_xfer xf;
	uint8_t *pkt, *copy;
	uint16_t plen;
	uint32_t i;

	if (size < 3)
		return 0;
	lim.sec_size = sec_sizes[data[0] % 5];
	lim.buf_size = RXBUF_SIZE;
	lim.sec_count = RXBUF_SIZE / lim.sec_size;
	memcpy(&plen, data + 1, 2);
	data += 3;
	size -= 3;
	if (plen > size)
		plen = (uint16_t)size;
	/* Exact-size heap copies so ASan sees any overrun. */
	pkt = malloc(plen ? plen : 1);
	copy = malloc(lim.sec_size);
	if (pkt == NULL || copy == NULL)
		abort();
	memcpy(pkt, data, plen);
	memset(rxbuf, 0, sizeof(rxbuf));
	memcpy(rxbuf, data + plen, (size - plen < sizeof(rxbuf) ? size - plen : sizeof(rxbuf)));

	if (vmb_pkt_parse(pkt, plen, &v) == 0 &&
	    v.desc.type == VMB_PKT_COMPLETION) {
		union nvsp_msg m;

		(void)nvsp_decode(v.payload, v.payload_len, &m);
	}
	hvn_rxp_layout_init(&lay);
	if (hvn_rxp_xfer(pkt, plen, &lim, &xf) == 0)
		for (i = 0; i < xf.x.range_count; i++)
			one_range(&xf, i, copy, lim.sec_size);
	free(pkt);
	free(copy);
	return 0;
}
