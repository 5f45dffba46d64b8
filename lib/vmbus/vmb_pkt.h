/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * VMBus ring packets: the 16-byte descriptor, packet types, and the extended
 * headers of transfer-page (type 7) and GPA-direct (type 9) packets.
 *
 * A packet in the ring is descriptor + extended header + payload + zero
 * padding to 8 + an 8-byte trailer. The encoders here build the extended
 * header only (what follows the descriptor, before the payload); hand it to
 * vmb_ring_stage() as @c ext. The decoders take a whole packet already
 * copied out of the ring (descriptor first) and validate every count and
 * offset in it before exposing anything.
 */

#ifndef VMB_PKT_H
#define VMB_PKT_H

#include <stdint.h>

#include "hv_wire.h"	/* little-endian hosts only: structs used in place */

#ifdef __cplusplus
extern "C" {
#endif

/** @name Packet types (descriptor type field) */
/**@{*/
#define VMB_PKT_INVALID			0x0
#define VMB_PKT_SYNCH			0x1
#define VMB_PKT_ADD_XFER_PAGESET	0x2
#define VMB_PKT_RM_XFER_PAGESET		0x3
#define VMB_PKT_ESTABLISH_GPADL		0x4
#define VMB_PKT_TEARDOWN_GPADL		0x5
#define VMB_PKT_DATA_INBAND		0x6
#define VMB_PKT_DATA_XFER_PAGES		0x7
#define VMB_PKT_DATA_GPADL		0x8
#define VMB_PKT_DATA_GPA_DIRECT		0x9
#define VMB_PKT_CANCEL_REQUEST		0xA
#define VMB_PKT_COMPLETION		0xB
#define VMB_PKT_DATA_ADDITIONAL_PKT	0xC
#define VMB_PKT_ADDITIONAL_DATA		0xD
/**@}*/

/** Type mask bit of a packet type, for vmb_ring_set_limits(). */
#define VMB_PKT_TYPE_BIT(t)		(1u << (t))
/** Types netvsc uses and openvmm accepts: 6, 7, 9, 0xB. */
#define VMB_PKT_TYPES_NETVSC	(VMB_PKT_TYPE_BIT(VMB_PKT_DATA_INBAND) | \
				 VMB_PKT_TYPE_BIT(VMB_PKT_DATA_XFER_PAGES) | \
				 VMB_PKT_TYPE_BIT(VMB_PKT_DATA_GPA_DIRECT) | \
				 VMB_PKT_TYPE_BIT(VMB_PKT_COMPLETION))

/** Descriptor flag: completion requested ("RC"). The only defined flag. */
#define VMB_PKT_FLAG_RC		0x0001u
#define VMB_PKT_FLAGS_KNOWN	VMB_PKT_FLAG_RC

/** Descriptor size; the minimum data_offset8 is its size / 8. */
#define VMB_PKT_DESC_SIZE	16
/** Trailer after every packet (u64: start write index << 32). */
#define VMB_PKT_TRAILER_SIZE	8
/** Largest packet length8 can express (descriptor through padding). */
#define VMB_PKT_MAX_LEN		(0xffffu * 8u)

/** Transfer-page set id netvsc guests register for the receive buffer. */
#define VMB_XFER_PAGESET_NETVSC	0xCAFE

/** Hyper-V page size and shift, independent of the local page size. */
#define VMB_PAGE_SIZE		4096u
#define VMB_PAGE_SHIFT		12

/** Packet descriptor, the first 16 bytes of every ring packet. */
struct vmb_pkt_desc {
	uint16_t type;
	uint16_t data_offset8;	/**< payload offset / 8 (descriptor + ext) */
	uint16_t length8;	/**< packet length / 8, trailer excluded */
	uint16_t flags;		/**< VMB_PKT_FLAG_RC */
	uint64_t xid;		/**< transaction id, echoed in completions */
} __attribute__((packed));

/**
 * A descriptor's first 8 bytes (type, data_offset8, length8, flags) as one
 * little-endian word, for a writer that stores them in one go.
 */
static inline uint64_t
vmb_pkt_desc_word(uint16_t type, uint16_t data_offset8, uint16_t length8,
		  uint16_t flags)
{
	return (uint64_t)type | (uint64_t)data_offset8 << 16 |
		(uint64_t)length8 << 32 | (uint64_t)flags << 48;
}

/** One transfer-page range: bytes at @c offset of the registered buffer. */
struct vmb_xfer_range {
	uint32_t len;
	uint32_t offset;
} __attribute__((packed));

/** Fixed part of the transfer-page extended header (bytes 16..23). */
struct vmb_xfer_hdr {
	uint16_t pageset_id;
	uint8_t sender_owns_set;
	uint8_t reserved;
	uint32_t range_count;
} __attribute__((packed));

/** Page-buffer form GPA range: one page at most, 16 bytes. */
struct vmb_gpa_pb {
	uint32_t len;
	uint32_t offset;	/**< into the page, < 4096 */
	uint64_t pfn;
} __attribute__((packed));

/** Fixed part of the GPA-direct extended header (bytes 16..23). */
struct vmb_gpa_hdr {
	uint32_t reserved;
	uint32_t range_count;
} __attribute__((packed));

/**
 * Page-buffer form ranges for @p len bytes at guest physical address
 * @p gpa, for a sender that knows they span at most two pages:
 * 0 < @p len and (@p gpa % 4096) + @p len <= 8192 (not checked). Each range
 * written is valid by construction (offset < 4096, 0 < len <= 4096 -
 * offset), so a fast path can skip vmb_gpa_pb_encode()'s checks.
 *
 * @return the ranges written at @p pb: 1 or 2.
 */
static inline uint32_t
vmb_gpa_pb_split2(struct vmb_gpa_pb *pb, uint64_t gpa, uint32_t len)
{
	uint32_t off = (uint32_t)(gpa & (VMB_PAGE_SIZE - 1));
	uint32_t room = VMB_PAGE_SIZE - off;

	pb[0].offset = off;
	pb[0].pfn = gpa >> VMB_PAGE_SHIFT;
	if (len <= room) {
		pb[0].len = len;
		return 1;
	}
	pb[0].len = room;
	pb[1].len = len - room;
	pb[1].offset = 0;
	pb[1].pfn = pb[0].pfn + 1;
	return 2;
}

/** Decoded view of a packet copied out of the ring. */
struct vmb_pkt_view {
	struct vmb_pkt_desc desc;
	const uint8_t *ext;	/**< extended header (after the descriptor) */
	uint32_t ext_len;
	const uint8_t *payload;	/**< at data_offset8 * 8 */
	uint32_t payload_len;	/**< includes the sender's padding */
};

/** Decoded transfer-page packet; ranges points into the packet copy. */
struct vmb_xfer_view {
	uint16_t pageset_id;
	uint32_t range_count;
	const struct vmb_xfer_range *ranges;	/**< may be unaligned */
	const uint8_t *payload;
	uint32_t payload_len;
};

/** One decoded GPA-direct range. */
struct vmb_gpa_range {
	uint32_t len;
	uint32_t offset;	/**< into the first page, < 4096 */
	uint32_t npfn;		/**< ceil((offset + len) / 4096) */
	const uint8_t *pfns;	/**< npfn little-endian u64, maybe unaligned */
};

/** Iterator over the ranges of a GPA-direct packet (see vmb_gpa_next()). */
struct vmb_gpa_iter {
	const uint8_t *pos;
	const uint8_t *end;
	uint32_t left;		/**< ranges not yet returned */
};

/**
 * Split a packet copied out of the ring into descriptor, extended header and
 * payload, validating data_offset8 >= 2, length8 >= data_offset8 and
 * length8 * 8 <= @p len.
 *
 * @return 0 or -EBADMSG.
 */
int vmb_pkt_parse(const void *pkt, uint32_t len, struct vmb_pkt_view *v);

/**
 * Build a transfer-page extended header into @p ext.
 *
 * @return the extended header length (8 + 8 x @p n), -EINVAL for n == 0,
 *   -ENOSPC when it does not fit in @p cap.
 */
int vmb_xfer_encode(void *ext, uint32_t cap, uint16_t pageset_id,
		    const struct vmb_xfer_range *ranges, uint32_t n);

/**
 * Validate a transfer-page packet (type 7) copied out of the ring: header
 * inside data_offset8, range_count >= 1, every range non-empty and inside
 * a buffer of @p buf_size bytes (overflow-safe).
 *
 * @return 0, or -EBADMSG (with @p x untouched).
 */
int vmb_xfer_decode(const void *pkt, uint32_t len, uint32_t buf_size,
		    struct vmb_xfer_view *x);

/**
 * vmb_xfer_decode(), and every range at most @p range_max bytes long (a
 * receive section: the most the host may write one message into), in the
 * same pass over the ranges.
 *
 * @return 0, or -EBADMSG (with @p x untouched).
 */
int vmb_xfer_decode_max(const void *pkt, uint32_t len, uint32_t buf_size,
			uint32_t range_max, struct vmb_xfer_view *x);

/**
 * Build a page-buffer form GPA-direct extended header (each range within one
 * page: offset < 4096, 0 < len <= 4096 - offset).
 *
 * @return the extended header length (8 + 16 x @p n), -EINVAL, -ENOSPC.
 */
int vmb_gpa_pb_encode(void *ext, uint32_t cap, const struct vmb_gpa_pb *pb,
		      uint32_t n);

/**
 * Build a multi-page form GPA-direct extended header: one range of @p len
 * bytes starting @p offset bytes into the first of @p npfn pages; @p npfn
 * must equal ceil((offset + len) / 4096).
 *
 * @return the extended header length (16 + 8 x @p npfn), -EINVAL, -ENOSPC.
 */
int vmb_gpa_mpb_encode(void *ext, uint32_t cap, uint32_t len,
		       uint32_t offset, const uint64_t *pfns, uint32_t npfn);

/**
 * Validate the fixed part of a GPA-direct packet (type 9) copied out of the
 * ring and start iterating its ranges. The ranges are validated one by one
 * by vmb_gpa_next().
 *
 * @return the range count (>= 1), or -EBADMSG.
 */
int vmb_gpa_begin(const void *pkt, uint32_t len, struct vmb_gpa_iter *it);

/**
 * Next GPA range: offset < 4096, len > 0, its PFNs inside the extended
 * header.
 *
 * @return 1 with @p r filled, 0 after the last range, -EBADMSG.
 */
int vmb_gpa_next(struct vmb_gpa_iter *it, struct vmb_gpa_range *r);

/** Read PFN @p i of a decoded range (@p i < r->npfn, not checked). */
static inline uint64_t
vmb_gpa_pfn(const struct vmb_gpa_range *r, uint32_t i)
{
	uint64_t v;

	__builtin_memcpy(&v, r->pfns + (uint64_t)i * 8, sizeof(v));
	return v;
}

#ifdef __cplusplus
}
#endif

#endif /* VMB_PKT_H */
