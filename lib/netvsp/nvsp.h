/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HV_NETVSP_NVSP_H
#define HV_NETVSP_NVSP_H

/**
 * @file
 * NVSP (network VSP protocol): the messages a netvsc guest and its host
 * exchange as the payload of VMBus packets.
 *
 * Wire structures are packed and little-endian (the only byte order the
 * library supports, checked at compile time). Encoders write zero-padded
 * 40-byte messages; decoders take a private copy of what the other side
 * sent, check every length before use, and return a negative errno on
 * malformed input.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_wire.h"	/* little-endian hosts only: structs used in place */

#ifdef __cplusplus
extern "C" {
#endif

/** Message size up to NVSP 6.0. */
#define NVSP_MSG_SIZE_V1	28
/** Message size from NVSP 6.1; also what every encoder here writes. */
#define NVSP_MSG_SIZE_V61	40
/** Size of every message the encoders produce (except the send table). */
#define NVSP_MSG_SIZE		NVSP_MSG_SIZE_V61

/** @name Protocol versions (min = max = version in INIT) */
/**@{*/
#define NVSP_VERSION_1		0x00000002u
#define NVSP_VERSION_2		0x00030002u
#define NVSP_VERSION_4		0x00040000u
#define NVSP_VERSION_5		0x00050000u
#define NVSP_VERSION_6		0x00060000u
#define NVSP_VERSION_61		0x00060001u
/**@}*/

/** NDIS version a guest announces after NVSP < 5 (6.1) and >= 5 (6.30). */
#define NVSP_NDIS_VERSION_6_1	0x00060001u
#define NVSP_NDIS_VERSION_6_30	0x0006001Eu

/** Number of entries in nvsp_guest_versions[]. */
#define NVSP_GUEST_VERSION_COUNT 6

/** The order in which a guest tries versions: 6.1, 6, 5, 4, 2, 1. */
extern const uint32_t nvsp_guest_versions[NVSP_GUEST_VERSION_COUNT];

/** @name Message types */
/**@{*/
#define NVSP_TYPE_INIT			1
#define NVSP_TYPE_INIT_CMPLT		2
#define NVSP_TYPE_NDIS_VERSION		100
#define NVSP_TYPE_RECV_BUF		101
#define NVSP_TYPE_RECV_BUF_CMPLT	102
#define NVSP_TYPE_REVOKE_RECV_BUF	103
#define NVSP_TYPE_SEND_BUF		104
#define NVSP_TYPE_SEND_BUF_CMPLT	105
#define NVSP_TYPE_REVOKE_SEND_BUF	106
#define NVSP_TYPE_RNDIS_PKT		107
#define NVSP_TYPE_RNDIS_PKT_CMPLT	108
#define NVSP_TYPE_NDIS_CONFIG		125
#define NVSP_TYPE_VF_ASSOC		128
#define NVSP_TYPE_SWITCH_DATA_PATH	129
#define NVSP_TYPE_UPLINK_CONNECT	130
#define NVSP_TYPE_OID_QUERY_EX		131
#define NVSP_TYPE_OID_QUERY_EX_CMPLT	132
#define NVSP_TYPE_SUBCHANNEL		133	/**< request and completion */
#define NVSP_TYPE_SEND_TABLE		134
/**@}*/

/** @name Status codes */
/**@{*/
#define NVSP_STATUS_NONE		0
#define NVSP_STATUS_SUCCESS		1
#define NVSP_STATUS_FAILURE		2
#define NVSP_STATUS_PROTOCOL_TOO_NEW	3
#define NVSP_STATUS_PROTOCOL_TOO_OLD	4
#define NVSP_STATUS_INVALID_RNDIS_PKT	5
#define NVSP_STATUS_BUSY		6
#define NVSP_STATUS_PROTOCOL_UNSUPPORTED 7
/**@}*/

/** @name NDIS_CONFIG capability bits */
/**@{*/
#define NVSP_NDIS_CAP_VMQ		(UINT64_C(1) << 0)
#define NVSP_NDIS_CAP_CHIMNEY		(UINT64_C(1) << 1)
#define NVSP_NDIS_CAP_SRIOV		(UINT64_C(1) << 2)
#define NVSP_NDIS_CAP_IEEE8021Q		(UINT64_C(1) << 3)
#define NVSP_NDIS_CAP_CORRELATION_ID	(UINT64_C(1) << 4)
#define NVSP_NDIS_CAP_TEAMING		(UINT64_C(1) << 5)
#define NVSP_NDIS_CAP_VSUBNET_ID	(UINT64_C(1) << 6)
#define NVSP_NDIS_CAP_RSC		(UINT64_C(1) << 7)
/**@}*/

/** Receive-buffer id every known guest registers. */
#define NVSP_RECV_BUF_ID	0xCAFE
/** Send-buffer id of DPDK/FreeBSD (Linux uses 0; hosts ignore it). */
#define NVSP_SEND_BUF_ID	0xFACE

/** RNDIS channel types in SEND_RNDIS_PKT. */
#define NVSP_RNDIS_CHAN_DATA	0
#define NVSP_RNDIS_CHAN_CONTROL	1
/** send_buf_section_index meaning "no send-buffer section used". */
#define NVSP_SECTION_NONE	0xFFFFFFFFu

/** SUBCHANNEL request operations. */
#define NVSP_SUBCHAN_OP_NONE	0
#define NVSP_SUBCHAN_OP_ALLOCATE 1

/** SWITCH_DATA_PATH values. */
#define NVSP_DATAPATH_SYNTHETIC	0
#define NVSP_DATAPATH_VF	1

/** Entries in the send indirection table (type 134). */
#define NVSP_SEND_TABLE_SIZE	16
/** Smallest section size a guest accepts (Linux: one RNDIS packet header). */
#define NVSP_MIN_SECTION_SIZE	68

/** Any NVSP message starts with its type. */
struct nvsp_hdr {
	uint32_t type;
} __attribute__((packed));

struct nvsp_init {
	uint32_t type;
	uint32_t min_ver;
	uint32_t max_ver;
} __attribute__((packed));

struct nvsp_init_cmplt {
	uint32_t type;
	uint32_t negotiated_ver;	/**< deprecated */
	uint32_t max_mdl_chain_len;
	uint32_t status;
} __attribute__((packed));

struct nvsp_ndis_version {
	uint32_t type;
	uint32_t major;
	uint32_t minor;
} __attribute__((packed));

/** SEND_RECV_BUF and SEND_SEND_BUF. */
struct nvsp_buf_conn {
	uint32_t type;
	uint32_t gpadl;
	uint16_t id;
	uint16_t reserved;
} __attribute__((packed));

struct nvsp_recv_buf_section {
	uint32_t offset;
	uint32_t sub_alloc_size;
	uint32_t num_sub_allocs;
	uint32_t end_offset;
} __attribute__((packed));

struct nvsp_recv_buf_cmplt {
	uint32_t type;
	uint32_t status;
	uint32_t num_sections;
	struct nvsp_recv_buf_section section;	/**< the first one */
} __attribute__((packed));

struct nvsp_send_buf_cmplt {
	uint32_t type;
	uint32_t status;
	uint32_t section_size;
} __attribute__((packed));

/** REVOKE_RECV_BUF and REVOKE_SEND_BUF. */
struct nvsp_buf_revoke {
	uint32_t type;
	uint16_t id;
	uint16_t reserved;
} __attribute__((packed));

struct nvsp_rndis_pkt {
	uint32_t type;
	uint32_t channel_type;
	uint32_t section_index;
	uint32_t section_size;
} __attribute__((packed));

struct nvsp_rndis_pkt_cmplt {
	uint32_t type;
	uint32_t status;
} __attribute__((packed));

struct nvsp_ndis_config {
	uint32_t type;
	uint32_t mtu;		/**< L2 frame size (MTU + 14) */
	uint32_t reserved;
	uint64_t caps;		/**< NVSP_NDIS_CAP_* */
} __attribute__((packed));

struct nvsp_vf_assoc {
	uint32_t type;
	uint32_t allocated;
	uint32_t serial;
} __attribute__((packed));

struct nvsp_switch_data_path {
	uint32_t type;
	uint32_t active;	/**< NVSP_DATAPATH_* */
} __attribute__((packed));

struct nvsp_oid_query_ex {
	uint32_t type;
	uint8_t ndis_hdr[4];
	uint32_t oid;
} __attribute__((packed));

struct nvsp_oid_query_ex_cmplt {
	uint32_t type;
	uint32_t status;
	uint32_t bytes;
} __attribute__((packed));

struct nvsp_subchannel_req {
	uint32_t type;
	uint32_t op;
	uint32_t num_subchannels;
} __attribute__((packed));

struct nvsp_subchannel_cmplt {
	uint32_t type;
	uint32_t status;
	uint32_t num_subchannels;	/**< granted */
} __attribute__((packed));

/** Followed (at @c offset from the message start) by 16 u32 entries. */
struct nvsp_send_table {
	uint32_t type;
	uint32_t count;
	uint32_t offset;
} __attribute__((packed));

/** Any fixed-size NVSP message, as copied by nvsp_decode(). */
union nvsp_msg {
	struct nvsp_hdr hdr;
	struct nvsp_init init;
	struct nvsp_init_cmplt init_cmplt;
	struct nvsp_ndis_version ndis_version;
	struct nvsp_buf_conn buf_conn;
	struct nvsp_recv_buf_cmplt recv_buf_cmplt;
	struct nvsp_send_buf_cmplt send_buf_cmplt;
	struct nvsp_buf_revoke buf_revoke;
	struct nvsp_rndis_pkt rndis_pkt;
	struct nvsp_rndis_pkt_cmplt rndis_pkt_cmplt;
	struct nvsp_ndis_config ndis_config;
	struct nvsp_vf_assoc vf_assoc;
	struct nvsp_switch_data_path switch_data_path;
	struct nvsp_oid_query_ex oid_query_ex;
	struct nvsp_oid_query_ex_cmplt oid_query_ex_cmplt;
	struct nvsp_subchannel_req subchannel_req;
	struct nvsp_subchannel_cmplt subchannel_cmplt;
	struct nvsp_send_table send_table;
	uint8_t raw[NVSP_MSG_SIZE];
};

static_assert(sizeof(struct nvsp_init) == 12, "nvsp_init");
static_assert(sizeof(struct nvsp_init_cmplt) == 16, "nvsp_init_cmplt");
static_assert(sizeof(struct nvsp_buf_conn) == 12, "nvsp_buf_conn");
static_assert(offsetof(struct nvsp_buf_conn, id) == 8, "buf_conn id");
static_assert(sizeof(struct nvsp_recv_buf_cmplt) == 28, "recv_buf_cmplt");
static_assert(offsetof(struct nvsp_recv_buf_cmplt, section.end_offset) == 24,
	      "recv_buf_cmplt end_offset");
static_assert(sizeof(struct nvsp_send_buf_cmplt) == 12, "send_buf_cmplt");
static_assert(sizeof(struct nvsp_buf_revoke) == 8, "buf_revoke");
static_assert(sizeof(struct nvsp_rndis_pkt) == 16, "rndis_pkt");
static_assert(sizeof(struct nvsp_rndis_pkt_cmplt) == 8, "rndis_pkt_cmplt");
static_assert(sizeof(struct nvsp_ndis_config) == 20, "ndis_config");
static_assert(offsetof(struct nvsp_ndis_config, caps) == 12, "config caps");
static_assert(sizeof(struct nvsp_vf_assoc) == 12, "vf_assoc");
static_assert(sizeof(struct nvsp_oid_query_ex) == 12, "oid_query_ex");
static_assert(sizeof(struct nvsp_subchannel_cmplt) == 12, "subchannel");
static_assert(sizeof(struct nvsp_send_table) == 12, "send_table");
static_assert(sizeof(union nvsp_msg) == NVSP_MSG_SIZE, "nvsp_msg");

/**
 * NVSP message size for a negotiated version: 28 bytes before 6.1, 40 from
 * 6.1. A host may trim in-band messages to this; completions stay at 40.
 */
static inline uint32_t
nvsp_msg_size(uint32_t version)
{
	return version >= NVSP_VERSION_61 ? NVSP_MSG_SIZE_V61 : NVSP_MSG_SIZE_V1;
}

/** NDIS version a guest announces with a given NVSP version. */
static inline uint32_t
nvsp_ndis_version(uint32_t version)
{
	return version >= NVSP_VERSION_5 ? NVSP_NDIS_VERSION_6_30 :
		NVSP_NDIS_VERSION_6_1;
}

/** 1 if @p version is one of the six known NVSP versions. */
int nvsp_version_known(uint32_t version);

/**
 * Smallest NVSP version in which message @p type is valid, or 0 if the
 * type is unknown (hosts reject types newer than the negotiated version).
 */
uint32_t nvsp_type_min_version(uint32_t type);

/**
 * @name Encoders
 * Each writes one zero-padded NVSP_MSG_SIZE message into @p buf and returns
 * NVSP_MSG_SIZE, or -ENOBUFS if @p size is smaller.
 */
/**@{*/
/* Guest requests. */
int nvsp_encode_init(void *buf, size_t size, uint32_t version);
int nvsp_encode_ndis_config(void *buf, size_t size, uint32_t mtu,
			    uint64_t caps);
int nvsp_encode_ndis_version(void *buf, size_t size, uint32_t ndis_version);
int nvsp_encode_recv_buf(void *buf, size_t size, uint32_t gpadl, uint16_t id);
int nvsp_encode_send_buf(void *buf, size_t size, uint32_t gpadl, uint16_t id);
int nvsp_encode_revoke_recv_buf(void *buf, size_t size, uint16_t id);
int nvsp_encode_revoke_send_buf(void *buf, size_t size, uint16_t id);
int nvsp_encode_subchannel_req(void *buf, size_t size, uint32_t num);
int nvsp_encode_switch_data_path(void *buf, size_t size, uint32_t active);
/* Either direction. */
int nvsp_encode_rndis_pkt(void *buf, size_t size, uint32_t channel_type,
			  uint32_t section_index, uint32_t section_size);
int nvsp_encode_rndis_pkt_cmplt(void *buf, size_t size, uint32_t status);
/* Host completions and notifications. */
int nvsp_encode_init_cmplt(void *buf, size_t size, uint32_t status,
			   uint32_t max_mdl_chain_len);
int nvsp_encode_recv_buf_cmplt(void *buf, size_t size, uint32_t status,
			       uint32_t section_size, uint32_t section_count);
int nvsp_encode_send_buf_cmplt(void *buf, size_t size, uint32_t status,
			       uint32_t section_size);
int nvsp_encode_subchannel_cmplt(void *buf, size_t size, uint32_t status,
				 uint32_t granted);
int nvsp_encode_oid_query_ex_cmplt(void *buf, size_t size, uint32_t status);
int nvsp_encode_vf_assoc(void *buf, size_t size, uint32_t allocated,
			 uint32_t serial);
/** An empty completion: 40 zero bytes (type 0); returns NVSP_MSG_SIZE. */
int nvsp_encode_empty_cmplt(void *buf, size_t size);
/**@}*/

/**
 * Encode a SEND_INDIRECTION_TABLE with its 16 entries at @p table_offset
 * bytes from the message start (12: right after the fixed part, as
 * openvmm; 40: where old hosts put it). The gap is zeroed.
 *
 * @return message length (table_offset + 64), -EINVAL for an offset below
 *   12 or not a multiple of 4, -ENOBUFS if @p size is too small.
 */
int nvsp_encode_send_table(void *buf, size_t size, uint32_t table_offset,
			   const uint32_t table[NVSP_SEND_TABLE_SIZE]);

/**
 * Check an NVSP message and copy its fixed part.
 *
 * Checks that @p len holds the type and at least the per-type minimum
 * (INIT_CMPLT 16, RECV_BUF_CMPLT 28, SEND_BUF_CMPLT 12, SUBCHANNEL 12,
 * VF_ASSOC 12, SEND_TABLE 12, otherwise the struct size). Bytes beyond
 * @p len in @p msg are zero.
 *
 * @param msg  NULL, or where to copy min(len, NVSP_MSG_SIZE) bytes.
 * @return the message type (> 0), -EBADMSG if too short, -ENOMSG if the
 *   type is unknown.
 */
int nvsp_decode(const void *buf, size_t len, union nvsp_msg *msg);

/** What a guest keeps from a validated RECV_BUF_COMPLETE. */
struct nvsp_recv_buf_info {
	uint32_t section_size;
	uint32_t section_count;
};

/**
 * Validate SEND_RECV_BUF_COMPLETE for a receive buffer of @p buf_size bytes:
 * status SUCCESS, exactly one section at offset 0, section size >= 68,
 * count >= 1 and size * count <= @p buf_size (64-bit arithmetic).
 *
 * @return 0, -EBADMSG (short / wrong type), -ECONNREFUSED (status not
 *   SUCCESS), -EINVAL (layout rule violated).
 */
int nvsp_check_recv_buf_cmplt(const void *buf, size_t len, uint64_t buf_size,
			      struct nvsp_recv_buf_info *info);

/**
 * Validate SEND_SEND_BUF_COMPLETE for a send buffer of @p buf_size bytes:
 * status SUCCESS, section size a non-zero multiple of 4, >= 68 and
 * <= @p buf_size.
 *
 * @return 0 with *section_size set, or -EBADMSG / -ECONNREFUSED / -EINVAL.
 */
int nvsp_check_send_buf_cmplt(const void *buf, size_t len, uint64_t buf_size,
			      uint32_t *section_size);

/**
 * Validate a SUBCHANNEL completion: status SUCCESS and granted <=
 * @p requested.
 *
 * @return 0 with *granted set, or -EBADMSG / -ECONNREFUSED / -EINVAL.
 */
int nvsp_check_subchannel_cmplt(const void *buf, size_t len,
				uint32_t requested, uint32_t *granted);

/**
 * Validate SEND_INDIRECTION_TABLE and copy its 16 entries. Requires
 * count == 16 and the table inside the message. For NVSP <= 6.0 and a
 * message of at least 104 bytes the table is read at offset 40 whatever
 * the offset field says (an old host bug, as Linux does); otherwise at the
 * offset field, which must be >= 12. Entries are not range-checked: the
 * caller reduces them modulo its channel count.
 *
 * @return 0, -EBADMSG (short / wrong type), -EINVAL (count or offset).
 */
int nvsp_parse_send_table(const void *buf, size_t len, uint32_t version,
			  uint32_t table[NVSP_SEND_TABLE_SIZE]);

/**
 * Host side: check that a send request's section lies inside the send
 * buffer: index < count and size <= section_size (so index * section_size
 * + size <= count * section_size). NVSP_SECTION_NONE with size 0 passes.
 *
 * @return 0 or -EINVAL.
 */
int nvsp_check_send_section(uint32_t index, uint32_t size,
			    uint32_t section_size, uint32_t section_count);

#ifdef __cplusplus
}
#endif

#endif /* HV_NETVSP_NVSP_H */
