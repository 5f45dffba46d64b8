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

#include <stdbool.h>
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

/* A 32-bit field at any alignment: the host chooses range offsets. */
typedef uint32_t hvn_u32_any __attribute__((aligned(1)));

/*
 * The msg_len field of the RNDIS message at @p msg (in shared memory,
 * @p avail bytes in the range), as read, or 0 if the range cannot hold a
 * header. The host may rewrite the length while we look at it: one
 * volatile load reads it exactly once, and every check is on that value.
 * (Copying through a pointer cast to non-volatile let the compiler load it
 * again.)
 */
static inline uint32_t
hvn_rxp_msg_len_raw(const volatile uint8_t *msg, uint32_t avail)
{
	if (avail < RNDIS_HDR_SIZE)
		return 0;
	return *(const volatile hvn_u32_any *)(msg + 4);
}

/* Bytes to copy out of a range of @p avail bytes for a message whose
 * msg_len was read as @p raw: clamped to the range, 0 below a header.
 * The copy is validated again by the parser. */
static inline uint32_t
hvn_rxp_msg_len_clamp(uint32_t raw, uint32_t avail)
{
	if (raw < RNDIS_HDR_SIZE)
		return 0;
	return raw < avail ? raw : avail;
}

/* Both: the bytes to copy out. Inline: once per received frame. */
static inline uint32_t
hvn_rxp_msg_len(const volatile uint8_t *msg, uint32_t avail)
{
	return hvn_rxp_msg_len_clamp(hvn_rxp_msg_len_raw(msg, avail), avail);
}

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


/*
 * Receive fast path. The host builds every data message of a batch alike:
 * the same data offset and the same PPIs in the same order, each a 16-byte
 * u32 element right after the 44-byte header. The layout of the last
 * message the full parser accepted is kept per queue; the next one is
 * compared with it word by word instead of walked, and its own lengths are
 * checked exactly as rndis_parse_packet() checks them, so the fast path
 * accepts a message only if the full parser would, with the same result.
 * Anything else goes to the full parser, which learns the new layout.
 */
#define HVN_RXP_LAYOUT_PPIS	4

struct hvn_rx_layout {
	/* 44 + ppi_len: the shortest message in the layout; UINT32_MAX
	 * when nothing is learnt (hvn_rxp_layout_init()), which no message
	 * length reaches. */
	uint32_t min_len;
	uint32_t doff;		/* data_offset */
	uint32_t foff;		/* the frame's offset: data_offset + 8 */
	uint32_t n;		/* PPIs */
	uint64_t w28;		/* ppi_offset (36) and ppi_len, bytes 28-35 */
	uint32_t present;	/* RNDIS_PKT_HAS_* they give */
	uint64_t elem[HVN_RXP_LAYOUT_PPIS];	/* {size, type} of each */
	/* Where each PPI's value goes: the byte offset of a u32 of struct
	 * rndis_pkt_info, one store and no branch on its type. A type the
	 * parser skips goes to msg_len and the RSC id to frame_len, both
	 * written again once the PPIs are read (the id taken from there
	 * first, when pktinfo says the layout has one). */
	uint8_t dst[HVN_RXP_LAYOUT_PPIS];
	uint8_t pktinfo;
};

/* A layout that matches no message. */
void hvn_rxp_layout_init(struct hvn_rx_layout *l);

static inline uint32_t
hvn_rxp_get32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
hvn_rxp_get64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* Loads for the fast path: from a private copy, or (@p shared) from the
 * receive buffer the host may rewrite meanwhile - volatile, so that each
 * field is loaded exactly once and every check is on that value. */
typedef uint64_t hvn_u64_any __attribute__((aligned(1)));

static inline __attribute__((always_inline)) uint32_t
hvn_rxp_ld32(const uint8_t *p, const bool shared)
{
	return shared ? *(const volatile hvn_u32_any *)p : hvn_rxp_get32(p);
}

static inline __attribute__((always_inline)) uint64_t
hvn_rxp_ld64(const uint8_t *p, const bool shared)
{
	return shared ? *(const volatile hvn_u64_any *)p : hvn_rxp_get64(p);
}

/*
 * Data message @p msg of @p ml bytes (its msg_len, read once by the
 * caller) in layout @p l: 0 with @p pi filled, -1 when it is not in the
 * layout or not valid. Reads nothing at or past byte ml, nothing past
 * byte 8 before ml is known to cover the layout's header and PPIs (an
 * unlearnt layout's min_len is never reached), and with @p shared every
 * field once.
 */
static inline __attribute__((always_inline)) int
hvn_rxp_data_fast_t(const uint8_t *msg, uint32_t ml,
		    const struct hvn_rx_layout *l, struct rndis_pkt_info *pi,
		    const bool shared)
{
	uint32_t dlen, i, v;
	uint64_t w, w8;

	if (ml < l->min_len)
		return -1;
	w8 = hvn_rxp_ld64(msg + 8, shared);
	/* The fixed words: type, data_offset, ppi_offset with ppi_len. */
	if (hvn_rxp_ld32(msg, shared) != RNDIS_MSG_PACKET ||
	    (uint32_t)w8 != l->doff ||
	    hvn_rxp_ld64(msg + 28, shared) != l->w28)
		return -1;
	/* The frame inside the message: 14 <= data_len <= msg_len - 8 -
	 * data_offset (the full parser's data_offset < msg_len - 8 follows,
	 * data_len being at least 14). */
	dlen = (uint32_t)(w8 >> 32);
	if (dlen < RNDIS_MIN_FRAME_LEN || (uint64_t)l->foff + dlen > ml)
		return -1;
	/* Values go to @p pi as each element is checked: on a mismatch the
	 * full parser fills it again. Unrolled, the count tested once per
	 * PPI. */
#pragma GCC unroll 4
	for (i = 0; i < HVN_RXP_LAYOUT_PPIS; i++) {
		const uint8_t *e = msg + sizeof(struct rndis_packet) +
			i * RNDIS_PPI_U32_SIZE;

		if (i >= l->n)
			break;
		w = hvn_rxp_ld64(e, shared);
		if (w != l->elem[i] ||
		    hvn_rxp_ld32(e + 8, shared) != sizeof(struct rndis_ppi))
			return -1;
		v = hvn_rxp_ld32(e + sizeof(struct rndis_ppi), shared);
		__builtin_memcpy((uint8_t *)pi + l->dst[i], &v, sizeof(v));
	}
	if (__builtin_expect(l->pktinfo, 0)) {
		v = pi->frame_len;
		pi->pktinfo_flags = (uint8_t)(v >> 8);
		pi->pktinfo_id = (uint16_t)(v >> 16);
	}
	pi->msg_len = ml;
	pi->frame_off = l->foff;
	pi->frame_len = dlen;
	pi->present = l->present;
	return 0;
}

/*
 * A data message of @p len bytes (a private copy, len >= 8) in layout
 * @p l: 0 with @p pi filled, -1 when it is not in the layout or not valid
 * (the full parser then decides).
 */
static inline __attribute__((always_inline)) int
hvn_rxp_data_fast(const uint8_t *msg, uint32_t len,
		  const struct hvn_rx_layout *l, struct rndis_pkt_info *pi)
{
	uint32_t ml = hvn_rxp_get32(msg + 4);

	if (ml > len)
		return -1;
	return hvn_rxp_data_fast_t(msg, ml, l, pi, false);
}

/*
 * The same for a message still in the receive buffer: @p msg_len is its
 * msg_len as the caller read it (once, hvn_rxp_msg_len_raw()), no more
 * than the range holds; the rest of the header and the PPIs are read in
 * place, each once. The answer is the one hvn_rxp_data_fast() gives for a
 * copy of the message as read.
 */
static inline __attribute__((always_inline)) int
hvn_rxp_data_fast_inplace(const volatile uint8_t *msg, uint32_t msg_len,
			  const struct hvn_rx_layout *l,
			  struct rndis_pkt_info *pi)
{
	return hvn_rxp_data_fast_t((const uint8_t *)(uintptr_t)msg, msg_len,
				   l, pi, true);
}

/*
 * After the full parser accepted data message @p msg as @p pi: keep its
 * layout in @p l if it has the common shape (PPIs of 16 bytes with the
 * value at 12, right after the header, at most HVN_RXP_LAYOUT_PPIS), else
 * forget the old one.
 */
void hvn_rxp_learn(struct hvn_rx_layout *l, const uint8_t *msg,
		   const struct rndis_pkt_info *pi);

#endif /* HVN_RXPARSE_H */
