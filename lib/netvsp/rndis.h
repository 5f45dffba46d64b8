/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HV_NETVSP_RNDIS_H
#define HV_NETVSP_RNDIS_H

/**
 * @file
 * RNDIS messages as netvsc uses them: control requests and completions,
 * status indications, data packets with per-packet info (PPI), and
 * aggregation of several packets in one transfer.
 *
 * Every message starts with {type, msg_len}. Offsets named *_offset count
 * from byte 8 of the message (RNDIS_HDR_SIZE); the decoded structures of
 * this API turn them into offsets from byte 0. Parsers take the bytes
 * available (@p len, e.g. a transfer-page range) and a private copy; they
 * check msg_len <= len and every offset/length overflow-safely, and return
 * a negative errno on malformed input.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_wire.h"	/* little-endian hosts only: structs used in place */

#ifdef __cplusplus
extern "C" {
#endif

/** {type, msg_len}; the base of every *_offset field. */
#define RNDIS_HDR_SIZE		8

/** @name Message types */
/**@{*/
#define RNDIS_MSG_PACKET		0x00000001u
#define RNDIS_MSG_INIT			0x00000002u
#define RNDIS_MSG_HALT			0x00000003u
#define RNDIS_MSG_QUERY			0x00000004u
#define RNDIS_MSG_SET			0x00000005u
#define RNDIS_MSG_RESET			0x00000006u
#define RNDIS_MSG_INDICATE		0x00000007u
#define RNDIS_MSG_KEEPALIVE		0x00000008u
#define RNDIS_MSG_SET_EX		0x00000009u
#define RNDIS_MSG_CMPLT			0x80000000u	/**< completion bit */
#define RNDIS_MSG_INIT_CMPLT		0x80000002u
#define RNDIS_MSG_QUERY_CMPLT		0x80000004u
#define RNDIS_MSG_SET_CMPLT		0x80000005u
#define RNDIS_MSG_RESET_CMPLT		0x80000006u
#define RNDIS_MSG_KEEPALIVE_CMPLT	0x80000008u
#define RNDIS_MSG_SET_EX_CMPLT		0x80000009u
/**@}*/

#define RNDIS_VERSION_MAJOR	1
#define RNDIS_VERSION_MINOR	0
/** max_transfer_size Linux and DPDK put in INITIALIZE. */
#define RNDIS_GUEST_MAX_XFER	0x4000
#define RNDIS_DEVICE_FLAG_CONNECTIONLESS 0x00000001
#define RNDIS_MEDIUM_802_3	0

/** @name Status codes */
/**@{*/
#define RNDIS_STATUS_SUCCESS			0x00000000u
#define RNDIS_STATUS_PENDING			0x00000103u
#define RNDIS_STATUS_ONLINE			0x40010003u
#define RNDIS_STATUS_RESET_START		0x40010004u
#define RNDIS_STATUS_RESET_END			0x40010005u
#define RNDIS_STATUS_MEDIA_CONNECT		0x4001000Bu
#define RNDIS_STATUS_MEDIA_DISCONNECT		0x4001000Cu
#define RNDIS_STATUS_MEDIA_SPECIFIC_INDICATION	0x40010012u
#define RNDIS_STATUS_LINK_SPEED_CHANGE		0x40010013u
#define RNDIS_STATUS_NETWORK_CHANGE		0x40010018u
#define RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG 0x40020006u
#define RNDIS_STATUS_BUFFER_OVERFLOW		0x80000005u
#define RNDIS_STATUS_FAILURE			0xC0000001u
#define RNDIS_STATUS_RESOURCES			0xC000009Au
#define RNDIS_STATUS_NOT_SUPPORTED		0xC00000BBu
#define RNDIS_STATUS_CLOSING			0xC0010002u
#define RNDIS_STATUS_BAD_VERSION		0xC0010004u
#define RNDIS_STATUS_INVALID_PACKET		0xC001000Fu
#define RNDIS_STATUS_ADAPTER_NOT_READY		0xC0010011u
#define RNDIS_STATUS_INVALID_LENGTH		0xC0010014u
#define RNDIS_STATUS_INVALID_DATA		0xC0010015u
#define RNDIS_STATUS_BUFFER_TOO_SHORT		0xC0010016u
#define RNDIS_STATUS_INVALID_OID		0xC0010017u
/**@}*/

/** @name OIDs */
/**@{*/
#define RNDIS_OID_GEN_SUPPORTED_LIST		0x00010101u
#define RNDIS_OID_GEN_HARDWARE_STATUS		0x00010102u
#define RNDIS_OID_GEN_MEDIA_SUPPORTED		0x00010103u
#define RNDIS_OID_GEN_MEDIA_IN_USE		0x00010104u
#define RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD		0x00010105u
#define RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE	0x00010106u
#define RNDIS_OID_GEN_LINK_SPEED		0x00010107u
#define RNDIS_OID_GEN_TRANSMIT_BUFFER_SPACE	0x00010108u
#define RNDIS_OID_GEN_RECEIVE_BUFFER_SPACE	0x00010109u
#define RNDIS_OID_GEN_TRANSMIT_BLOCK_SIZE	0x0001010Au
#define RNDIS_OID_GEN_RECEIVE_BLOCK_SIZE	0x0001010Bu
#define RNDIS_OID_GEN_VENDOR_ID			0x0001010Cu
#define RNDIS_OID_GEN_VENDOR_DESCRIPTION	0x0001010Du
#define RNDIS_OID_GEN_CURRENT_PACKET_FILTER	0x0001010Eu
#define RNDIS_OID_GEN_CURRENT_LOOKAHEAD		0x0001010Fu
#define RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE	0x00010111u
#define RNDIS_OID_GEN_MAC_OPTIONS		0x00010113u
#define RNDIS_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114u
#define RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS	0x00010115u
#define RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES	0x00010118u
#define RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES 0x00010203u
#define RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS	0x00010204u
#define RNDIS_OID_GEN_MAX_LINK_SPEED		0x00010206u
#define RNDIS_OID_GEN_LINK_STATE		0x00010207u
#define RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER	0x0001021Bu
#define RNDIS_OID_GEN_XMIT_OK			0x00020101u
#define RNDIS_OID_GEN_RCV_OK			0x00020102u
#define RNDIS_OID_GEN_XMIT_ERROR		0x00020103u
#define RNDIS_OID_GEN_RCV_ERROR			0x00020104u
#define RNDIS_OID_GEN_RCV_NO_BUFFER		0x00020105u
#define RNDIS_OID_GEN_FRIENDLY_NAME		0x00020216u
#define RNDIS_OID_GEN_BYTES_RCV			0x00020219u
#define RNDIS_OID_GEN_BYTES_XMIT		0x0002021Au
#define RNDIS_OID_802_3_PERMANENT_ADDRESS	0x01010101u
#define RNDIS_OID_802_3_CURRENT_ADDRESS		0x01010102u
#define RNDIS_OID_802_3_MULTICAST_LIST		0x01010103u
#define RNDIS_OID_802_3_MAXIMUM_LIST_SIZE	0x01010104u
#define RNDIS_OID_OFFLOAD_ENCAPSULATION		0x0101010Au
#define RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG	0xFC01020Bu
#define RNDIS_OID_TCP_OFFLOAD_PARAMETERS	0xFC01020Cu
#define RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES 0xFC01020Du
/**@}*/

/** MEDIA_CONNECT_STATUS values. */
#define RNDIS_MEDIA_STATE_CONNECTED	0
#define RNDIS_MEDIA_STATE_DISCONNECTED	1

/** @name Packet filter bits (OID_GEN_CURRENT_PACKET_FILTER) */
/**@{*/
#define RNDIS_PACKET_FILTER_DIRECTED		0x00000001u
#define RNDIS_PACKET_FILTER_MULTICAST		0x00000002u
#define RNDIS_PACKET_FILTER_ALL_MULTICAST	0x00000004u
#define RNDIS_PACKET_FILTER_BROADCAST		0x00000008u
#define RNDIS_PACKET_FILTER_SOURCE_ROUTING	0x00000010u
#define RNDIS_PACKET_FILTER_PROMISCUOUS		0x00000020u
#define RNDIS_PACKET_FILTER_SMT			0x00000040u
#define RNDIS_PACKET_FILTER_ALL_LOCAL		0x00000080u
#define RNDIS_PACKET_FILTER_GROUP		0x00001000u
#define RNDIS_PACKET_FILTER_ALL_FUNCTIONAL	0x00002000u
#define RNDIS_PACKET_FILTER_FUNCTIONAL		0x00004000u
#define RNDIS_PACKET_FILTER_MAC_FRAME		0x00008000u
/**@}*/

/** @name Per-packet info types */
/**@{*/
#define RNDIS_PPI_CSUM			0
#define RNDIS_PPI_IPSEC			1
#define RNDIS_PPI_LSO			2
#define RNDIS_PPI_CLASSIFY		3
#define RNDIS_PPI_SG_LIST		5
#define RNDIS_PPI_VLAN			6
#define RNDIS_PPI_ORIG_PKTINFO		7
#define RNDIS_PPI_HASH_VALUE		8
#define RNDIS_PPI_HASH_INFO		9
#define RNDIS_PPI_CACHED_NBL		10
#define RNDIS_PPI_SHORT_PAD		11
#define RNDIS_PPI_INTERNAL		0x80000000u
/** RSC fragment id: {ver u8, flags u8, pkt_id u16}. */
#define RNDIS_PPI_PKTINFO_ID		(1u | RNDIS_PPI_INTERNAL)
#define RNDIS_PKTINFO_ID_VERSION	1
#define RNDIS_PKTINFO_MULTI_SUBALLOC	0x01
#define RNDIS_PKTINFO_FIRST_FRAG	0x02
#define RNDIS_PKTINFO_LAST_FRAG		0x04
/**@}*/

/** @name Transmit checksum request (PPI 0, guest to host) */
/**@{*/
#define RNDIS_TXCSUM_IPV4		0x00000001u
#define RNDIS_TXCSUM_IPV6		0x00000002u
#define RNDIS_TXCSUM_TCP		0x00000004u
#define RNDIS_TXCSUM_UDP		0x00000008u
#define RNDIS_TXCSUM_IP_HDR		0x00000010u
#define RNDIS_TXCSUM_L4_OFF_SHIFT	16
#define RNDIS_TXCSUM_L4_OFF_MASK	0x3FFu
/**@}*/

/** @name Receive checksum result (PPI 0, host to guest) */
/**@{*/
#define RNDIS_RXCSUM_TCP_FAILED		0x0001u
#define RNDIS_RXCSUM_UDP_FAILED		0x0002u
#define RNDIS_RXCSUM_IP_FAILED		0x0004u
#define RNDIS_RXCSUM_TCP_OK		0x0008u
#define RNDIS_RXCSUM_UDP_OK		0x0010u
#define RNDIS_RXCSUM_IP_OK		0x0020u
#define RNDIS_RXCSUM_LOOPBACK		0x0040u
#define RNDIS_RXCSUM_TCP_INVALID	0x0080u
#define RNDIS_RXCSUM_IP_INVALID		0x0100u
/**@}*/

/** @name LSO v2 (PPI 2, transmit) */
/**@{*/
#define RNDIS_LSO2_MSS_MASK		0x000FFFFFu
#define RNDIS_LSO2_TCP_OFF_SHIFT	20
#define RNDIS_LSO2_TCP_OFF_MASK		0x3FFu
#define RNDIS_LSO2_V2			0x40000000u
#define RNDIS_LSO2_IPV6			0x80000000u
/**@}*/

/** @name VLAN (PPI 6): priority bits 0-2, CFI bit 3, VLAN id bits 4-15 */
/**@{*/
#define RNDIS_VLAN_PRIO_MASK		0x0007u
#define RNDIS_VLAN_CFI			0x0008u
#define RNDIS_VLAN_ID_SHIFT		4
#define RNDIS_VLAN_ID_MASK		0x0FFFu
/**@}*/

/** GEN_LINK_SPEED and LINK_SPEED_CHANGE carry a u32 in units of 100 bit/s
 * (protocol.rst 6.5): this many units make one Mbit/s. */
#define RNDIS_LINK_SPEED_PER_MBPS	10000u

/** Mbit/s from the wire's link speed. */
static inline uint32_t
rndis_link_speed_mbps(uint32_t speed)
{
	return speed / RNDIS_LINK_SPEED_PER_MBPS;
}

/** The wire's link speed for @p mbps, saturated at the u32 the field
 * holds (about 429 Gbit/s). */
static inline uint32_t
rndis_link_speed_from_mbps(uint64_t mbps)
{
	uint64_t v = mbps * RNDIS_LINK_SPEED_PER_MBPS;

	return mbps > UINT32_MAX / RNDIS_LINK_SPEED_PER_MBPS ? UINT32_MAX :
		(uint32_t)v;
}

/** Transmit checksum PPI value for a frame whose L4 header is at @p l4_off. */
static inline uint32_t
rndis_txcsum_make(uint32_t flags, uint32_t l4_off)
{
	return flags | ((l4_off & RNDIS_TXCSUM_L4_OFF_MASK) <<
			RNDIS_TXCSUM_L4_OFF_SHIFT);
}

/** LSOv2 PPI value; @p ipv6 selects the IP version bit. */
static inline uint32_t
rndis_lso2_make(uint32_t mss, uint32_t tcp_off, int ipv6)
{
	return (mss & RNDIS_LSO2_MSS_MASK) |
		((tcp_off & RNDIS_LSO2_TCP_OFF_MASK) <<
		 RNDIS_LSO2_TCP_OFF_SHIFT) |
		RNDIS_LSO2_V2 | (ipv6 ? RNDIS_LSO2_IPV6 : 0);
}

/** VLAN PPI value from an 802.1Q TCI (PCP 15-13, DEI 12, VID 11-0). */
static inline uint32_t
rndis_vlan_from_tci(uint16_t tci)
{
	return ((uint32_t)(tci >> 13) & RNDIS_VLAN_PRIO_MASK) |
		((tci & 0x1000) ? RNDIS_VLAN_CFI : 0) |
		((uint32_t)(tci & RNDIS_VLAN_ID_MASK) << RNDIS_VLAN_ID_SHIFT);
}

/** 802.1Q TCI from a VLAN PPI value (reserved bits 16-31 ignored). */
static inline uint16_t
rndis_vlan_to_tci(uint32_t ppi)
{
	return (uint16_t)(((ppi & RNDIS_VLAN_PRIO_MASK) << 13) |
			  ((ppi & RNDIS_VLAN_CFI) ? 0x1000 : 0) |
			  ((ppi >> RNDIS_VLAN_ID_SHIFT) & RNDIS_VLAN_ID_MASK));
}

/* ---------------------------------------------------------------------- */
/* Wire structures (protocol.rst 6.2). */

struct rndis_msg_hdr {
	uint32_t type;
	uint32_t msg_len;
} __attribute__((packed));

struct rndis_init_req {
	uint32_t type;
	uint32_t msg_len;
	uint32_t req_id;
	uint32_t major;
	uint32_t minor;
	uint32_t max_xfer_size;
} __attribute__((packed));

struct rndis_init_cmplt {
	uint32_t type;
	uint32_t msg_len;
	uint32_t req_id;
	uint32_t status;
	uint32_t major;
	uint32_t minor;
	uint32_t device_flags;
	uint32_t medium;
	uint32_t max_pkts_per_msg;
	uint32_t max_xfer_size;
	uint32_t align_shift;		/**< packet_alignment_factor (log2) */
	uint32_t af_list_offset;
	uint32_t af_list_size;
} __attribute__((packed));

/** HALT and KEEPALIVE requests. */
struct rndis_req_id_msg {
	uint32_t type;
	uint32_t msg_len;
	uint32_t req_id;
} __attribute__((packed));

/** QUERY and SET requests; the info buffer follows. */
struct rndis_query_req {
	uint32_t type;
	uint32_t msg_len;
	uint32_t req_id;
	uint32_t oid;
	uint32_t info_buflen;
	uint32_t info_buf_offset;	/**< from byte 8; 20 when right after */
	uint32_t device_vc_handle;
} __attribute__((packed));

struct rndis_query_cmplt {
	uint32_t type;
	uint32_t msg_len;
	uint32_t req_id;
	uint32_t status;
	uint32_t info_buflen;
	uint32_t info_buf_offset;	/**< from byte 8; 16 when right after */
} __attribute__((packed));

/** SET_CMPLT and KEEPALIVE_CMPLT. */
struct rndis_status_cmplt {
	uint32_t type;
	uint32_t msg_len;
	uint32_t req_id;
	uint32_t status;
} __attribute__((packed));

struct rndis_reset_req {
	uint32_t type;
	uint32_t msg_len;
	uint32_t reserved;
} __attribute__((packed));

struct rndis_reset_cmplt {
	uint32_t type;
	uint32_t msg_len;
	uint32_t status;
	uint32_t addressing_reset;
} __attribute__((packed));

struct rndis_indicate {
	uint32_t type;
	uint32_t msg_len;
	uint32_t status;
	uint32_t status_buflen;
	uint32_t status_buf_offset;	/**< from byte 8; 12 when right after */
} __attribute__((packed));

struct rndis_packet {
	uint32_t type;
	uint32_t msg_len;
	uint32_t data_offset;		/**< from byte 8 */
	uint32_t data_len;
	uint32_t oob_data_offset;
	uint32_t oob_data_len;
	uint32_t num_oob_elements;
	uint32_t ppi_offset;		/**< from byte 8; >= 36 */
	uint32_t ppi_len;
	uint32_t vc_handle;
	uint32_t reserved;
} __attribute__((packed));

/** Per-packet info element; data at @c offset from the element start. */
struct rndis_ppi {
	uint32_t size;			/**< whole element, multiple of 4 */
	uint32_t type;
	uint32_t offset;
} __attribute__((packed));

static_assert(sizeof(struct rndis_init_req) == 24, "init");
static_assert(sizeof(struct rndis_init_cmplt) == 52, "init cmplt");
static_assert(offsetof(struct rndis_init_cmplt, align_shift) == 40, "align");
static_assert(sizeof(struct rndis_req_id_msg) == 12, "halt/keepalive");
static_assert(sizeof(struct rndis_query_req) == 28, "query/set");
static_assert(sizeof(struct rndis_query_cmplt) == 24, "query cmplt");
static_assert(sizeof(struct rndis_status_cmplt) == 16, "set cmplt");
static_assert(sizeof(struct rndis_reset_req) == 12, "reset");
static_assert(sizeof(struct rndis_reset_cmplt) == 16, "reset cmplt");
static_assert(sizeof(struct rndis_indicate) == 20, "indicate");
static_assert(sizeof(struct rndis_packet) == 44, "packet");
static_assert(offsetof(struct rndis_packet, ppi_offset) == 28, "ppi_offset");
static_assert(sizeof(struct rndis_ppi) == 12, "ppi");

/** Smallest legal PACKET_MSG offset (end of the 44-byte header, from 8). */
#define RNDIS_PACKET_MIN_OFFSET	(sizeof(struct rndis_packet) - RNDIS_HDR_SIZE)
/** Smallest frame a packet may carry (an Ethernet header). */
#define RNDIS_MIN_FRAME_LEN	14
/** Bytes of a PPI element that carries one u32. */
#define RNDIS_PPI_U32_SIZE	(sizeof(struct rndis_ppi) + 4)
/** Alignment shift bounds a guest applies to INIT_CMPLT (4 B .. 4 KiB). */
#define RNDIS_ALIGN_SHIFT_MIN	2
#define RNDIS_ALIGN_SHIFT_MAX	12
/** Upper bound a guest applies to max_pkts_per_msg. */
#define RNDIS_MAX_AGG_PKTS	64

/* ---------------------------------------------------------------------- */
/**
 * @name Request encoders (guest to host)
 * Each returns the message length written or -ENOBUFS; QUERY/SET copy
 * @p len bytes of @p info right after the 28-byte header (offset 20).
 */
/**@{*/
int rndis_encode_init(void *buf, size_t size, uint32_t req_id,
		      uint32_t max_xfer_size);
int rndis_encode_query(void *buf, size_t size, uint32_t req_id, uint32_t oid,
		       const void *info, uint32_t len);
int rndis_encode_set(void *buf, size_t size, uint32_t req_id, uint32_t oid,
		     const void *info, uint32_t len);
int rndis_encode_halt(void *buf, size_t size, uint32_t req_id);
int rndis_encode_keepalive(void *buf, size_t size, uint32_t req_id);
int rndis_encode_reset(void *buf, size_t size);
/**@}*/

/** Values of INITIALIZE_CMPLT, as encoded by a host / decoded by a guest. */
struct rndis_init_info {
	uint32_t req_id;
	uint32_t status;
	uint32_t major;
	uint32_t minor;
	uint32_t device_flags;
	uint32_t medium;
	uint32_t max_pkts_per_msg;
	uint32_t max_xfer_size;
	uint32_t align_shift;
};

/**
 * @name Completion and indication encoders (host to guest)
 * Each returns the message length written or -ENOBUFS. QUERY_CMPLT puts
 * the data right after its header (info_buf_offset 16), INDICATE_STATUS
 * right after its header (offset 12), or offset 0 when empty.
 */
/**@{*/
int rndis_encode_init_cmplt(void *buf, size_t size,
			    const struct rndis_init_info *info);
int rndis_encode_query_cmplt(void *buf, size_t size, uint32_t req_id,
			     uint32_t status, const void *data, uint32_t len);
int rndis_encode_set_cmplt(void *buf, size_t size, uint32_t req_id,
			   uint32_t status);
int rndis_encode_keepalive_cmplt(void *buf, size_t size, uint32_t req_id,
				 uint32_t status);
int rndis_encode_reset_cmplt(void *buf, size_t size, uint32_t status,
			     uint32_t addressing_reset);
int rndis_encode_indicate(void *buf, size_t size, uint32_t status,
			  const void *data, uint32_t len);
/**@}*/

/**
 * @name PACKET_MSG builder (both directions)
 * rndis_packet_begin(), then any number of rndis_packet_add_ppi(), then
 * rndis_packet_end(); the caller copies the frame to the returned offset.
 * The state lives in the header inside @p buf.
 */
/**@{*/
/** Write an empty 44-byte PACKET_MSG header. @return 0 or -ENOBUFS. */
int rndis_packet_begin(void *buf, size_t size);

/**
 * Append one PPI element (12-byte header + @p len bytes, padded to 4).
 * @return 0, -ENOBUFS, or -EINVAL if the header in @p buf is not a
 *   begun packet or the packet was already ended.
 */
int rndis_packet_add_ppi(void *buf, size_t size, uint32_t type,
			 const void *data, uint32_t len);

/** Append a PPI carrying one u32. */
int rndis_packet_add_ppi_u32(void *buf, size_t size, uint32_t type,
			     uint32_t value);

/**
 * Place a frame of @p frame_len bytes at @p frame_off (0: right after the
 * PPIs; else an offset from the message start >= the end of the PPIs) and
 * set msg_len to its end rounded up to @p align (0 or a power of two; the
 * padding is zeroed). The bytes between the PPIs and the frame are zeroed.
 *
 * @return the frame's offset from the message start, -ENOBUFS, -EINVAL.
 */
int rndis_packet_end(void *buf, size_t size, uint32_t frame_off,
		     uint32_t frame_len, uint32_t align);
/**@}*/

/** @name Presence bits of struct rndis_pkt_info */
/**@{*/
#define RNDIS_PKT_HAS_CSUM		0x01u
#define RNDIS_PKT_HAS_LSO		0x02u
#define RNDIS_PKT_HAS_VLAN		0x04u
#define RNDIS_PKT_HAS_HASH_VALUE	0x08u
#define RNDIS_PKT_HAS_HASH_INFO		0x10u
#define RNDIS_PKT_HAS_PKTINFO_ID	0x20u
/**@}*/

/** A validated PACKET_MSG: where the frame is and the PPIs found. */
struct rndis_pkt_info {
	uint32_t msg_len;
	uint32_t frame_off;	/**< from the message start */
	uint32_t frame_len;
	uint32_t present;	/**< RNDIS_PKT_HAS_* */
	uint32_t csum;
	uint32_t lso;
	uint32_t vlan;
	uint32_t hash_value;
	uint32_t hash_info;
	uint8_t pktinfo_flags;	/**< RSC RNDIS_PKTINFO_* */
	uint16_t pktinfo_id;
};

/**
 * Validate one PACKET_MSG in @p len available bytes: len >= 44; type
 * PACKET; 44 <= msg_len <= len; 36 <= data_offset < msg_len - 8;
 * 14 <= data_len <= msg_len - 8 - data_offset. If ppi_len != 0:
 * ppi_offset >= 36, a multiple of 4, ppi_len >= 12 and the PPI area
 * inside the message; each element 12 <= size <= remaining, size a
 * multiple of 4, 12 <= offset and size - offset >= 4 for the u32 PPIs
 * recognised (checksum, LSO, VLAN, hash value, hash info, RSC id).
 * Other PPI types are skipped; a repeated PPI type replaces the earlier
 * value. OOB fields are ignored.
 *
 * @return 0, -EBADMSG (too short / wrong type / msg_len), -EINVAL (a
 *   data or PPI rule above).
 */
int rndis_parse_packet(const void *buf, size_t len,
		       struct rndis_pkt_info *info);

/**
 * The PPI walk of rndis_parse_packet(): @p len bytes of elements at @p p
 * into @p info (the rules above). Out of line; the header checks are
 * inlined (rndis_parse_packet_inline()).
 *
 * @return 0 or -EINVAL.
 */
int rndis_parse_ppi_area(const uint8_t *p, uint32_t len,
			 struct rndis_pkt_info *info);

/* Unaligned little-endian u32 of a wire buffer (the header asserts a
 * little-endian host). */
static inline uint32_t
rndis_get32_(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
rndis_get64_(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/** Header of a PACKET_MSG whose only PPI is a hash value, frame next. */
#define RNDIS_PKT_HASH_HDR	(sizeof(struct rndis_packet) + RNDIS_PPI_U32_SIZE)

/**
 * The layout guests send without offloads: the header, one hash-value
 * PPI {16, 8, 12} right after it, the frame right after that (at
 * RNDIS_PKT_HASH_HDR). True when the PACKET_MSG at @p p (@p len bytes
 * available) has it with both lengths in range: every rule of
 * rndis_parse_packet() then holds and it would report that frame and
 * that PPI. False for anything else, errors included (the general
 * parser decides those). Each field is read once.
 */
static inline __attribute__((always_inline)) bool
rndis_pkt_hash_only(const uint8_t *p, size_t len, uint32_t *msg_len,
		    uint32_t *frame_len)
{
	uint32_t ml, dlen;

	/* Fixed fields compared as words. */
	if (len < RNDIS_PKT_HASH_HDR ||
	    rndis_get32_(p) != RNDIS_MSG_PACKET ||
	    rndis_get32_(p + 8) != RNDIS_PKT_HASH_HDR - RNDIS_HDR_SIZE ||
	    rndis_get64_(p + 28) != (RNDIS_PACKET_MIN_OFFSET |
				     (uint64_t)RNDIS_PPI_U32_SIZE << 32) ||
	    rndis_get64_(p + 44) != (RNDIS_PPI_U32_SIZE |
				     (uint64_t)RNDIS_PPI_HASH_VALUE << 32) ||
	    rndis_get32_(p + 52) != sizeof(struct rndis_ppi))
		return false;
	ml = rndis_get32_(p + 4);
	dlen = rndis_get32_(p + 12);
	if (ml > len || dlen < RNDIS_MIN_FRAME_LEN ||
	    (uint64_t)dlen + RNDIS_PKT_HASH_HDR > ml)
		return false;
	*msg_len = ml;
	*frame_len = dlen;
	return true;
}

/**
 * rndis_parse_packet() inlined into a burst loop: the same rules, each
 * field read once from @p buf (callers hand it a private copy or memory
 * the peer no longer writes).
 */
static inline __attribute__((always_inline)) int
rndis_parse_packet_inline(const void *buf, size_t len,
			  struct rndis_pkt_info *info)
{
	const uint8_t *p = (const uint8_t *)buf;
	uint32_t msg_len, body, doff, dlen, poff, plen;

	if (rndis_pkt_hash_only(p, len, &msg_len, &dlen)) {
		info->msg_len = msg_len;
		info->frame_off = RNDIS_PKT_HASH_HDR;
		info->frame_len = dlen;
		info->present = RNDIS_PKT_HAS_HASH_VALUE;
		info->hash_value = rndis_get32_(p + 56);
		return 0;
	}
	if (len < sizeof(struct rndis_packet))
		return -EBADMSG;
	msg_len = rndis_get32_(p + 4);
	if (rndis_get32_(p) != RNDIS_MSG_PACKET ||
	    msg_len < sizeof(struct rndis_packet) || msg_len > len)
		return -EBADMSG;
	body = msg_len - RNDIS_HDR_SIZE;
	doff = rndis_get32_(p + 8);
	dlen = rndis_get32_(p + 12);
	if (doff < RNDIS_PACKET_MIN_OFFSET || doff >= body ||
	    dlen < RNDIS_MIN_FRAME_LEN || dlen > body - doff)
		return -EINVAL;
	info->msg_len = msg_len;
	info->frame_off = doff + RNDIS_HDR_SIZE;
	info->frame_len = dlen;
	info->present = 0;
	plen = rndis_get32_(p + 32);
	if (plen == 0)
		return 0;
	poff = rndis_get32_(p + 28);
	if (poff < RNDIS_PACKET_MIN_OFFSET || poff % 4 != 0 ||
	    plen < sizeof(struct rndis_ppi) || poff > body ||
	    plen > body - poff)
		return -EINVAL;
	return rndis_parse_ppi_area(p + RNDIS_HDR_SIZE + poff, plen, info);
}

/** Walks several PACKET_MSGs concatenated in one buffer. */
struct rndis_agg_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
	uint32_t count;
	uint32_t max_count;
	uint32_t align;
	uint32_t align_mask;	/**< align - 1, 0 without the rule */
	int err;		/**< sticky error, 0 while walking */
};

/**
 * Start walking @p len bytes holding at most @p max_count packets, each
 * but the last padded to @p align (0 or 1: no alignment rule; else a
 * power of two).
 */
static inline void
rndis_agg_init(struct rndis_agg_iter *it, const void *buf, size_t len,
	       uint32_t max_count, uint32_t align)
{
	it->buf = (const uint8_t *)buf;
	it->len = len;
	it->off = 0;
	it->count = 0;
	it->max_count = max_count;
	it->align = align;
	it->align_mask = align > 1 ? align - 1 : 0;
	/* A non-power-of-two alignment is a caller bug; fail the walk. */
	it->err = (align > 1 && (align & (align - 1)) != 0) ? -EINVAL : 0;
}

/**
 * Parse the next packet (as rndis_parse_packet(), bounded by the bytes
 * left) and advance by its msg_len.
 *
 * @param msg_off  set to the packet's offset in the buffer.
 * @return 1 with a packet, 0 when the buffer is consumed exactly (at once
 *   for an empty buffer: callers that need one packet check that), or an
 *   error: what rndis_parse_packet() returns, -E2BIG after max_count
 *   packets, -EINVAL for a non-last msg_len not a multiple of align.
 *   After an error every later call returns the same error.
 */
static inline __attribute__((always_inline)) int
rndis_agg_next(struct rndis_agg_iter *it, struct rndis_pkt_info *info,
	       size_t *msg_off)
{
	size_t left;
	int rc;

	if (it->err != 0)
		return it->err;
	if (it->off >= it->len)
		return 0;
	if (it->count >= it->max_count) {
		it->err = -E2BIG;
		return it->err;
	}
	left = it->len - it->off;
	rc = rndis_parse_packet_inline(it->buf + it->off, left, info);
	if (rc < 0) {
		it->err = rc;
		return rc;
	}
	/* Every packet but the last is padded so the next one is aligned
	 * (align is 0 or a power of two: checked at init). */
	if ((info->msg_len & it->align_mask) != 0 && info->msg_len < left) {
		it->err = -EINVAL;
		return it->err;
	}
	if (msg_off != NULL)
		*msg_off = it->off;
	it->off += info->msg_len;
	it->count++;
	return 1;
}

/**
 * rndis_agg_next() for the layout of rndis_pkt_hash_only() alone, without
 * filling a struct rndis_pkt_info: 1 when the next packet has that layout
 * and passes the walk's rules (count, alignment), with its offset in
 * @p msg_off and its frame (at RNDIS_PKT_HASH_HDR from the message) of
 * @p frame_len bytes; 0 with nothing consumed otherwise, when the caller
 * goes on with rndis_agg_next(), which decides (end, errors, other
 * layouts).
 */
static inline __attribute__((always_inline)) int
rndis_agg_next_hash_only(struct rndis_agg_iter *it, size_t *msg_off,
			 uint32_t *frame_len)
{
	size_t left = it->len - it->off;	/* off <= len: see _next() */
	uint32_t ml, dlen;

	if (it->err != 0 || it->count >= it->max_count ||
	    !rndis_pkt_hash_only(it->buf + it->off, left, &ml, &dlen) ||
	    ((ml & it->align_mask) != 0 && ml < left))
		return 0;
	*msg_off = it->off;
	*frame_len = dlen;
	it->off += ml;
	it->count++;
	return 1;
}

/* ---------------------------------------------------------------------- */
/**
 * Check a message header: len >= 8, 8 <= msg_len <= len.
 *
 * @param type     set to the message type.
 * @param msg_len  set to the message length.
 * @return 0 or -EBADMSG.
 */
int rndis_parse_hdr(const void *buf, size_t len, uint32_t *type,
		    uint32_t *msg_len);

/**
 * Check a completion's header and read its request id: a completion type,
 * msg_len - 8 >= 4 (req_id present), msg_len <= len. RESET_CMPLT carries
 * no request id and returns *req_id = 0.
 *
 * @return 0 or -EBADMSG.
 */
int rndis_parse_cmplt_id(const void *buf, size_t len, uint32_t *type,
			 uint32_t *req_id);

/**
 * Guest: parse INITIALIZE_CMPLT (msg_len >= 48; DPDK reads no further).
 * align_shift is clamped to [2, 12] and max_pkts_per_msg to [1, 64].
 *
 * @return 0, -EBADMSG (short, wrong type), -ECONNREFUSED (status not
 *   SUCCESS; *info is filled anyway).
 */
int rndis_parse_init_cmplt(const void *buf, size_t len,
			   struct rndis_init_info *info);

/** A validated QUERY_CMPLT. */
struct rndis_query_result {
	uint32_t req_id;
	uint32_t status;
	uint32_t data_off;	/**< from the message start; 0 if no data */
	uint32_t data_len;
};

/**
 * Guest: parse QUERY_CMPLT: msg_len >= 24; if info_buflen != 0,
 * info_buf_offset >= 16 and offset + len <= msg_len - 8.
 *
 * @return 0 (whatever the RNDIS status; check res->status), -EBADMSG,
 *   -EINVAL (buffer bounds).
 */
int rndis_parse_query_cmplt(const void *buf, size_t len,
			    struct rndis_query_result *res);

/**
 * Guest: parse SET_CMPLT or KEEPALIVE_CMPLT (@p type): msg_len >= 16.
 * @return 0 with *req_id, *status set, or -EBADMSG.
 */
int rndis_parse_status_cmplt(const void *buf, size_t len, uint32_t type,
			     uint32_t *req_id, uint32_t *status);

/** A validated INDICATE_STATUS. */
struct rndis_indication {
	uint32_t status;
	uint32_t buf_off;	/**< from the message start; 0 if no buffer */
	uint32_t buf_len;
	uint32_t link_speed;	/**< LINK_SPEED_CHANGE: 100 bps units */
};

/**
 * Guest: parse INDICATE_STATUS: msg_len - 8 >= 12, msg_len <= len; a
 * non-empty status buffer at offset >= 12 and inside @p len (old hosts
 * leave it out of msg_len, so the range length bounds it);
 * LINK_SPEED_CHANGE needs a buffer of >= 4 bytes.
 *
 * @return 0, -EBADMSG, -EINVAL.
 */
int rndis_parse_indicate(const void *buf, size_t len,
			 struct rndis_indication *ind);

/** A validated guest request, as a host sees it. */
struct rndis_request {
	uint32_t type;		/**< RNDIS_MSG_INIT/HALT/QUERY/SET/RESET/KEEPALIVE */
	uint32_t msg_len;
	uint32_t req_id;	/**< 0 for RESET */
	uint32_t oid;		/**< QUERY/SET */
	uint32_t info_off;	/**< QUERY/SET, from the message start; 0 if none */
	uint32_t info_len;
	uint32_t major;		/**< INIT */
	uint32_t minor;
	uint32_t max_xfer_size;
};

/**
 * Host: parse a control request: INIT (24), HALT, KEEPALIVE, RESET (12),
 * QUERY/SET (28; if info_buflen != 0, info_buf_offset >= 20 and the buffer
 * inside msg_len - 8).
 *
 * @return 0, -EBADMSG (short / msg_len), -EINVAL (info bounds), -ENOTSUP
 *   (another message type, e.g. PACKET or SET_EX; req->type is set).
 */
int rndis_parse_request(const void *buf, size_t len,
			struct rndis_request *req);

/* ---------------------------------------------------------------------- */
/**
 * @name Configuration parameters (SET of OID_GEN_RNDIS_CONFIG_PARAMETER)
 * The info buffer is a 20-byte header {name_offset, name_len, type,
 * value_offset, value_len} followed by the name and the value. Offsets
 * count from the start of the info buffer; lengths are in bytes; names
 * and string values are UTF-16LE without a terminator. The parameter
 * "NetworkAddress" with a string of 12 hex digits asks the host to give
 * the NIC a new current MAC address (what Linux's netvsc sends).
 */
/**@{*/
#define RNDIS_CFG_PARAM_INT		0
#define RNDIS_CFG_PARAM_HEX_INT		1
#define RNDIS_CFG_PARAM_STRING		2
#define RNDIS_CFG_PARAM_MULTI_STRING	3
#define RNDIS_CFG_PARAM_BINARY		4

/** Name of the MAC address parameter (ASCII; UTF-16LE on the wire). */
#define RNDIS_NETADDR_NAME		"NetworkAddress"
/** Info-buffer bytes of a NetworkAddress SET: header, 14 + 12 UTF-16
 * characters. */
#define RNDIS_NETADDR_PARAM_LEN		(20 + 2 * 14 + 2 * 12)
/**@}*/

struct rndis_cfg_param_hdr {
	uint32_t name_offset;
	uint32_t name_len;
	uint32_t type;			/**< RNDIS_CFG_PARAM_* */
	uint32_t value_offset;
	uint32_t value_len;
} __attribute__((packed));

static_assert(sizeof(struct rndis_cfg_param_hdr) == 20, "config param");

/** A validated configuration parameter; offsets from the buffer start. */
struct rndis_cfg_param {
	uint32_t type;
	uint32_t name_off;
	uint32_t name_len;	/**< bytes, even, > 0 */
	uint32_t value_off;
	uint32_t value_len;	/**< bytes; even for string types */
};

/**
 * Host: validate a configuration parameter of @p len bytes: len >= 20;
 * name and value at offsets >= 20 and inside @p len (overflow-safe); the
 * name non-empty and of whole UTF-16 units, as is a string value.
 *
 * @return 0, -EBADMSG (shorter than the header), -EINVAL (a rule above).
 */
int rndis_cfg_param_parse(const void *buf, size_t len,
			  struct rndis_cfg_param *p);

/**
 * Whether the validated parameter @p p in @p buf is named @p name (ASCII,
 * compared without regard to case, as NDIS keywords are).
 */
int rndis_cfg_param_name_is(const void *buf, const struct rndis_cfg_param *p,
			    const char *name);

/**
 * Guest: write the info buffer of a SET of OID_GEN_RNDIS_CONFIG_PARAMETER
 * that asks for MAC address @p mac ("NetworkAddress", 12 upper-case hex
 * digits).
 *
 * @return RNDIS_NETADDR_PARAM_LEN, or -ENOBUFS.
 */
int rndis_netaddr_encode(void *buf, size_t size, const uint8_t mac[6]);

/**
 * Host: decode a NetworkAddress parameter (rndis_cfg_param_parse() rules,
 * then type string, value exactly 12 hex digits of either case, optionally
 * followed by one UTF-16 NUL). The address itself is not judged: callers
 * refuse multicast or all-zero addresses as their policy says.
 *
 * @return 0 with @p mac set, -ENOENT (a well-formed parameter of another
 *   name), -EBADMSG / -EINVAL (malformed header, wrong type or value).
 */
int rndis_netaddr_parse(const void *buf, size_t len, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif

#endif /* HV_NETVSP_RNDIS_H */
