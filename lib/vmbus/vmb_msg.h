/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * VMBus channel-management messages (the SynIC message payloads exchanged
 * between the guest's bus driver and the host to negotiate a version, offer,
 * open, close and rescind channels and build GPADLs).
 *
 * Every message starts with struct vmb_msg_hdr and is at most
 * VMB_MSG_MAX_SIZE bytes. The structs below are the packed wire layouts;
 * encode helpers fill them and return the length to send; vmb_msg_decode()
 * is the single validation entry for received messages: it copies the bytes
 * out of (possibly shared) memory first, then checks type and length against
 * vmb_msg_table, so a dispatcher indexed by type may trust the length.
 * All fields are little-endian; this library supports little-endian hosts.
 */

#ifndef VMB_MSG_H
#define VMB_MSG_H

#include <stdint.h>

#include "hv_wire.h"	/* little-endian hosts only: structs used in place */
#include "vmb_guid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest channel message payload (SynIC message payload). */
#define VMB_MSG_MAX_SIZE	240
/** Relids at or above this are rejected by guests before indexing. */
#define VMB_MAX_RELID		2048
/** Failure statuses a host answers with (any non-zero value fails; these
 * are the ones openvmm sends). */
#define VMB_OPEN_STATUS_FAIL	0xC0000001u	/**< OPENCHANNEL_RESULT */
#define VMB_GPADL_STATUS_FAIL	0x8000FFFFu	/**< GPADL_CREATED */

/** @name Protocol versions (INITIATE_CONTACT version_requested) */
/**@{*/
#define VMB_VERSION_WS2008	0x0000000Du	/**< 0.13 */
#define VMB_VERSION_WIN7	0x00010001u	/**< 1.1 */
#define VMB_VERSION_WIN8	0x00020004u	/**< 2.4 */
#define VMB_VERSION_WIN8_1	0x00030000u	/**< 3.0 */
#define VMB_VERSION_WIN10	0x00040000u	/**< 4.0 */
#define VMB_VERSION_WIN10_RS3	0x00040001u	/**< 4.1: MODIFYCHANNEL */
#define VMB_VERSION_WIN10_V5	0x00050000u	/**< 5.0: msg_sint, conn id 4 */
#define VMB_VERSION_WIN10_RS4	0x00050001u	/**< 5.1 */
#define VMB_VERSION_WIN10_RS5	0x00050002u	/**< 5.2 */
#define VMB_VERSION_IRON	0x00050003u	/**< 5.3: MODIFYCHANNEL_RESPONSE */
#define VMB_VERSION_COPPER	0x00060000u	/**< 6.0: feature flags */
/**@}*/

/** @name Connection ids and SINT */
/**@{*/
#define VMB_CONNID_MESSAGE_OLD	1	/**< message connection before 5.0 */
#define VMB_CONNID_EVENT	2
#define VMB_CONNID_MONITOR	3
#define VMB_CONNID_MESSAGE	4	/**< INITIATE_CONTACT at >= 5.0 */
#define VMB_SINT		2	/**< SynIC SINT used by VMBus */
/**@}*/

/** @name 6.0 feature flags (INITIATE_CONTACT / VERSION_RESPONSE) */
/**@{*/
#define VMB_FEAT_GUEST_SIGNAL		0x01u
#define VMB_FEAT_INTR_REDIRECT		0x02u
#define VMB_FEAT_MODIFY_CONNECTION	0x04u
#define VMB_FEAT_CLIENT_ID		0x08u
#define VMB_FEAT_CONFIDENTIAL		0x10u
#define VMB_FEAT_PAUSE_RESUME		0x20u
#define VMB_FEAT_SERVER_MONITOR_PAGES	0x40u
#define VMB_FEAT_GPA_PINNING		0x80u
/**@}*/

/** @name Offer chn_flags */
/**@{*/
#define VMB_OFFER_ENUMERATE_DEVICE	0x0001u
#define VMB_OFFER_FLAG_0002		0x0002u	/**< meaning disputed, see doc */
#define VMB_OFFER_FLAG_0004		0x0004u	/**< meaning disputed, see doc */
#define VMB_OFFER_FLAG_0008		0x0008u	/**< pinned memory (openvmm) */
#define VMB_OFFER_NAMED_PIPE		0x0010u
#define VMB_OFFER_LOOPBACK		0x0100u
#define VMB_OFFER_PARENT		0x0200u
#define VMB_OFFER_REQUEST_MONITOR	0x0400u
#define VMB_OFFER_TLNPI_PROVIDER	0x2000u
/**@}*/

/** VERSION_RESPONSE connection_state values. */
enum vmb_conn_state {
	VMB_CONN_OK = 0,
	VMB_CONN_FAILED_LOW_RESOURCES = 1,
	VMB_CONN_FAILED_UNKNOWN = 2,
};

/** Channel message types. */
enum vmb_msg_type {
	VMB_MSG_INVALID = 0,
	VMB_MSG_OFFERCHANNEL = 1,
	VMB_MSG_RESCIND_CHANNELOFFER = 2,
	VMB_MSG_REQUESTOFFERS = 3,
	VMB_MSG_ALLOFFERS_DELIVERED = 4,
	VMB_MSG_OPENCHANNEL = 5,
	VMB_MSG_OPENCHANNEL_RESULT = 6,
	VMB_MSG_CLOSECHANNEL = 7,
	VMB_MSG_GPADL_HEADER = 8,
	VMB_MSG_GPADL_BODY = 9,
	VMB_MSG_GPADL_CREATED = 10,
	VMB_MSG_GPADL_TEARDOWN = 11,
	VMB_MSG_GPADL_TORNDOWN = 12,
	VMB_MSG_RELID_RELEASED = 13,
	VMB_MSG_INITIATE_CONTACT = 14,
	VMB_MSG_VERSION_RESPONSE = 15,
	VMB_MSG_UNLOAD = 16,
	VMB_MSG_UNLOAD_RESPONSE = 17,
	VMB_MSG_OPEN_RESERVED_CHANNEL = 18,
	VMB_MSG_CLOSE_RESERVED_CHANNEL = 19,
	VMB_MSG_CLOSE_RESERVED_RESPONSE = 20,
	VMB_MSG_TL_CONNECT_REQUEST = 21,
	VMB_MSG_MODIFYCHANNEL = 22,
	VMB_MSG_TL_CONNECT_RESULT = 23,
	VMB_MSG_MODIFYCHANNEL_RESPONSE = 24,
	VMB_MSG_COUNT		/**< types >= this are rejected */
};

/** Per-type facts shared by every dispatcher (index: enum vmb_msg_type). */
struct vmb_msg_info {
	const char *name;	/**< Linux-style name, for logs */
	uint16_t min_len;	/**< shortest acceptable message; 0 = invalid type */
	uint16_t size;		/**< length the encode helper produces */
};

/** Type -> {name, min_len, size}; entry 0 (INVALID) has min_len 0. */
extern const struct vmb_msg_info vmb_msg_table[VMB_MSG_COUNT];

#define VMB_PACKED __attribute__((packed))

/** Header at offset 0 of every message. */
struct vmb_msg_hdr {
	uint32_t type;		/**< enum vmb_msg_type */
	uint32_t padding;
} VMB_PACKED;

/** OFFERCHANNEL (1), 196 bytes. */
struct vmb_msg_offer {
	struct vmb_msg_hdr hdr;
	struct vmb_guid if_type;	/**< device class */
	struct vmb_guid if_instance;	/**< device instance */
	uint8_t reserved1[16];
	uint16_t chn_flags;		/**< VMB_OFFER_* */
	uint16_t mmio_megabytes;
	uint8_t user_defined[120];
	uint16_t sub_channel_index;	/**< 0 = primary */
	uint16_t mmio_megabytes_optional;
	uint32_t child_relid;
	uint8_t monitor_id;		/**< 0..127 */
	uint8_t monitor_allocated;	/**< bit 0 */
	uint16_t is_dedicated_interrupt; /**< bit 0 */
	uint32_t connection_id;		/**< for HvSignalEvent */
} VMB_PACKED;

/** RESCIND_CHANNELOFFER (2), CLOSECHANNEL (7), RELID_RELEASED (13),
 * CLOSE_RESERVED_RESPONSE (20): 12 bytes.
 */
struct vmb_msg_relid {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
} VMB_PACKED;

/** OPENCHANNEL (5), 148 bytes (156 with the 6.0 fields). */
struct vmb_msg_open {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t openid;		/**< echoed in the result */
	uint32_t ring_gpadl;
	uint32_t target_vp;
	uint32_t downstream_page_offset; /**< host->guest ring page in GPADL */
	uint8_t user_data[120];
	uint32_t guest_conn_id;		/**< 6.0 feature 0x1 */
	uint16_t guest_event_flag;	/**< 6.0 feature 0x1 */
	uint16_t flags;			/**< 6.0 feature 0x2 */
} VMB_PACKED;

/** OPENCHANNEL_RESULT (6), 20 bytes. */
struct vmb_msg_open_result {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t status;		/**< 0 = success */
} VMB_PACKED;

/** PFNs that fit in a GPADL_HEADER after the first range descriptor. */
#define VMB_GPADL_HDR_MAX_PFN	26
/** PFNs that fit in a GPADL_BODY. */
#define VMB_GPADL_BODY_MAX_PFN	28

/**
 * GPADL_HEADER (8), 20 + 8 x words bytes. The range data is a stream of
 * u64 words: per range one word {byte_count u32, byte_offset u32} then one
 * word per PFN; it continues in GPADL_BODY messages. range_words[] is at an
 * offset that is not 8-aligned: access it with memcpy.
 */
struct vmb_msg_gpadl_header {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t gpadl;
	uint16_t range_buflen;		/**< bytes of range data, all messages */
	uint16_t rangecount;
	uint64_t range_words[VMB_GPADL_HDR_MAX_PFN + 1];
} VMB_PACKED;

/** GPADL_BODY (9), 16 + 8 x k bytes, k <= 28. */
struct vmb_msg_gpadl_body {
	struct vmb_msg_hdr hdr;
	uint32_t msgnumber;		/**< unused, 0 */
	uint32_t gpadl;
	uint64_t pfn[VMB_GPADL_BODY_MAX_PFN];
} VMB_PACKED;

/** GPADL_CREATED (10), 20 bytes. */
struct vmb_msg_gpadl_created {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t status;		/**< 0 = ok */
} VMB_PACKED;

/** GPADL_TEARDOWN (11), 16 bytes. */
struct vmb_msg_gpadl_teardown {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t gpadl;
} VMB_PACKED;

/** GPADL_TORNDOWN (12), 12 bytes. */
struct vmb_msg_gpadl_torndown {
	struct vmb_msg_hdr hdr;
	uint32_t gpadl;
} VMB_PACKED;

/** INITIATE_CONTACT (14), 40 bytes (56 with client id). */
struct vmb_msg_initiate_contact {
	struct vmb_msg_hdr hdr;
	uint32_t version_requested;
	uint32_t target_vcpu;
	union {
		uint64_t interrupt_page;	/**< < 5.0 */
		struct {
			uint8_t msg_sint;	/**< >= 5.0 */
			uint8_t msg_vtl;
			uint16_t reserved;
			uint32_t feature_flags;	/**< >= 6.0 */
		} VMB_PACKED;
	};
	uint64_t monitor_page1;		/**< parent->child */
	uint64_t monitor_page2;		/**< child->parent */
	struct vmb_guid client_id;	/**< 6.0 + VMB_FEAT_CLIENT_ID */
} VMB_PACKED;

/** VERSION_RESPONSE (15), 16 bytes (40 for 6.0). */
struct vmb_msg_version_response {
	struct vmb_msg_hdr hdr;
	uint8_t version_supported;	/**< 1 = accepted */
	uint8_t connection_state;	/**< enum vmb_conn_state */
	uint16_t padding;
	uint32_t msg_conn_id;
	uint32_t supported_features;	/**< 6.0 */
	uint32_t padding2;
	uint64_t monitor_page1;
	uint64_t monitor_page2;
} VMB_PACKED;

/** OPEN_RESERVED_CHANNEL (18), 28 bytes. */
struct vmb_msg_open_reserved {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t target_vp;
	uint32_t target_sint;
	uint32_t ring_gpadl;
	uint32_t downstream_page_offset;
} VMB_PACKED;

/** CLOSE_RESERVED_CHANNEL (19), 20 bytes. */
struct vmb_msg_close_reserved {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t target_vp;
	uint32_t target_sint;
} VMB_PACKED;

/** TL_CONNECT_REQUEST (21), 40 bytes (56 with silo id from 5.2). */
struct vmb_msg_tl_connect {
	struct vmb_msg_hdr hdr;
	struct vmb_guid guest_endpoint;
	struct vmb_guid host_service;
	struct vmb_guid silo_id;
} VMB_PACKED;

/** MODIFYCHANNEL (22), 16 bytes. */
struct vmb_msg_modify {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t target_vp;
} VMB_PACKED;

/** MODIFYCHANNEL_RESPONSE (24), 16 bytes. */
struct vmb_msg_modify_response {
	struct vmb_msg_hdr hdr;
	uint32_t child_relid;
	int32_t status;
} VMB_PACKED;

/** Any message; also a VMB_MSG_MAX_SIZE receive buffer. */
union vmb_msg {
	struct vmb_msg_hdr hdr;
	struct vmb_msg_offer offer;
	struct vmb_msg_relid relid;
	struct vmb_msg_open open;
	struct vmb_msg_open_result open_result;
	struct vmb_msg_gpadl_header gpadl_header;
	struct vmb_msg_gpadl_body gpadl_body;
	struct vmb_msg_gpadl_created gpadl_created;
	struct vmb_msg_gpadl_teardown gpadl_teardown;
	struct vmb_msg_gpadl_torndown gpadl_torndown;
	struct vmb_msg_initiate_contact initiate_contact;
	struct vmb_msg_version_response version_response;
	struct vmb_msg_open_reserved open_reserved;
	struct vmb_msg_close_reserved close_reserved;
	struct vmb_msg_tl_connect tl_connect;
	struct vmb_msg_modify modify;
	struct vmb_msg_modify_response modify_response;
	uint8_t raw[VMB_MSG_MAX_SIZE];
};

/**
 * Copy a received message out of @p src and validate it: 8 <= @p len <=
 * VMB_MSG_MAX_SIZE, 0 < type < VMB_MSG_COUNT, len >= the type's min_len.
 * @p out is zero-filled past @p len so optional trailing fields read as 0.
 * The type is read once, from the copy.
 *
 * @return the message type (> 0); -EMSGSIZE when @p len is out of range;
 *   -ENOMSG for an unknown type; -EBADMSG when shorter than the type needs.
 */
int vmb_msg_decode(const void *src, uint32_t len, union vmb_msg *out);

/** Name of a message type, "UNKNOWN" when out of range. */
const char *vmb_msg_name(uint32_t type);

/**
 * @name Encode helpers
 * Each zero-fills @p m, sets the header and the fields, and returns the
 * number of bytes to send (the type's vmb_msg_table size), or a negative
 * errno when an argument does not fit the message.
 */
/**@{*/
/** Header-only messages: REQUESTOFFERS, ALLOFFERS_DELIVERED, UNLOAD, UNLOAD_RESPONSE. */
int vmb_msg_encode_hdr(union vmb_msg *m, uint32_t type);
/** Relid-only messages: RESCIND, CLOSECHANNEL, RELID_RELEASED, CLOSE_RESERVED_RESPONSE. */
int vmb_msg_encode_relid(union vmb_msg *m, uint32_t type, uint32_t relid);

/** Offer parameters (the interesting subset of struct vmb_msg_offer). */
struct vmb_offer_params {
	struct vmb_guid if_type;
	struct vmb_guid if_instance;
	uint16_t chn_flags;
	uint16_t sub_channel_index;
	uint32_t child_relid;
	uint8_t monitor_id;
	uint8_t monitor_allocated;
	uint16_t is_dedicated_interrupt;
	uint32_t connection_id;
};
int vmb_msg_encode_offer(union vmb_msg *m, const struct vmb_offer_params *p);
int vmb_msg_encode_open(union vmb_msg *m, uint32_t relid, uint32_t openid,
			uint32_t ring_gpadl, uint32_t target_vp,
			uint32_t downstream_page_offset);
int vmb_msg_encode_open_result(union vmb_msg *m, uint32_t relid,
			       uint32_t openid, uint32_t status);
int vmb_msg_encode_gpadl_created(union vmb_msg *m, uint32_t relid,
				 uint32_t gpadl, uint32_t status);
int vmb_msg_encode_gpadl_teardown(union vmb_msg *m, uint32_t relid,
				  uint32_t gpadl);
int vmb_msg_encode_gpadl_torndown(union vmb_msg *m, uint32_t gpadl);
/**
 * INITIATE_CONTACT. For @p version >= 5.0 the message carries msg_sint
 * (VMB_SINT) and msg_vtl 0, else @p interrupt_page. Both monitor pages or
 * neither must be given (-EINVAL otherwise). 40 bytes.
 */
int vmb_msg_encode_initiate_contact(union vmb_msg *m, uint32_t version,
				    uint32_t target_vcpu,
				    uint64_t interrupt_page,
				    uint64_t monitor_page1,
				    uint64_t monitor_page2);
/** VERSION_RESPONSE, 16 bytes. */
int vmb_msg_encode_version_response(union vmb_msg *m, uint8_t supported,
				    uint8_t state, uint32_t msg_conn_id);
int vmb_msg_encode_modify(union vmb_msg *m, uint32_t relid,
			  uint32_t target_vp);
int vmb_msg_encode_modify_response(union vmb_msg *m, uint32_t relid,
				   int32_t status);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* VMB_MSG_H */
