/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Receive-path validation of host input, free of EAL and mbufs so that the
 * fuzz target drives exactly the code the bursts use. Input is always a
 * private copy: the ring packet copied out by vmb_ring_read(), an RNDIS
 * message copied out of the shared receive buffer.
 */

#ifndef HVN_RXPARSE_H
#define HVN_RXPARSE_H

#include <stdint.h>

#include "vmb_pkt.h"
#include "rndis.h"

/* What the receive buffer allows. */
struct hvn_rx_limits {
	uint32_t buf_size;	/* receive buffer bytes */
	uint32_t sec_size;	/* section size the host announced */
	uint32_t sec_count;
};

/* A validated transfer-page packet. */
struct hvn_xfer {
	struct vmb_xfer_view x;
	uint32_t chan_type;	/* NVSP_RNDIS_CHAN_DATA / _CONTROL */
};

/*
 * Validate a transfer-page packet copied out of the ring: pageset id is
 * the receive buffer's, every range inside the buffer and no longer than a
 * section, an NVSP SEND_RNDIS_PKT body.
 *
 * @return 0 or -EBADMSG.
 */
int hvn_rxp_xfer(const void *pkt, uint32_t len,
		 const struct hvn_rx_limits *lim, struct hvn_xfer *xf);

/* Range @p i of a validated packet (i < range_count). */
static inline void
hvn_rxp_range(const struct hvn_xfer *xf, uint32_t i, uint32_t *off,
	      uint32_t *len)
{
	struct vmb_xfer_range r;

	__builtin_memcpy(&r, &xf->x.ranges[i], sizeof(r));
	*off = r.offset;
	*len = r.len;
}

/*
 * Bytes of the RNDIS message at @p msg (in shared memory, @p avail bytes
 * in the range) to copy out: its msg_len read once, clamped to the range.
 * 0 if the range cannot hold a header.
 */
uint32_t hvn_rxp_msg_len(const volatile uint8_t *msg, uint32_t avail);

/* Kinds of RNDIS message found in a receive range. */
enum hvn_rx_kind {
	HVN_RX_BAD = -1,
	HVN_RX_DATA,		/* PACKET_MSG, info filled */
	HVN_RX_INDICATE,	/* INDICATE_STATUS, ind filled */
	HVN_RX_CMPLT,		/* a completion, req_id filled */
	HVN_RX_OTHER,		/* anything else: ignored */
};

struct hvn_rx_msg {
	struct rndis_pkt_info pi;
	struct rndis_indication ind;
	uint32_t type;
	uint32_t req_id;
};

/* Classify and validate one RNDIS message copied out of a section. */
enum hvn_rx_kind hvn_rxp_msg(const uint8_t *msg, uint32_t len,
			     struct hvn_rx_msg *out);

#endif /* HVN_RXPARSE_H */
