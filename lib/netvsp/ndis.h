/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HV_NETVSP_NDIS_H
#define HV_NETVSP_NDIS_H

/**
 * @file
 * NDIS 6 objects carried in RNDIS QUERY/SET info buffers: offload
 * capabilities and parameters, RSS capabilities and parameters, and the
 * RSS hash-type bits shared with the hash-info PPI.
 *
 * Decoders check the object header (type, revision >= 1, declared size
 * between the minimum and the buffer) and copy into a caller structure;
 * fields past the declared size read as zero.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_wire.h"	/* little-endian hosts only: structs used in place */

#ifdef __cplusplus
extern "C" {
#endif

/** @name NDIS object types */
/**@{*/
#define NDIS_OBJTYPE_DEFAULT		0x80	/**< offload parameters */
#define NDIS_OBJTYPE_RSS_CAPS		0x88
#define NDIS_OBJTYPE_RSS_PARAMS		0x89
#define NDIS_OBJTYPE_OID_REQUEST	0x96
#define NDIS_OBJTYPE_OFFLOAD		0xA7
#define NDIS_OBJTYPE_OFFLOAD_ENCAP	0xA8
/**@}*/

/** Every NDIS object starts with this header; size includes it. */
struct ndis_obj_hdr {
	uint8_t type;
	uint8_t revision;
	uint16_t size;
} __attribute__((packed));

static_assert(sizeof(struct ndis_obj_hdr) == 4, "ndis_obj_hdr");

/** @name RSS hash function and types (hash info, PPI type 9) */
/**@{*/
#define NDIS_HASH_FUNCTION_MASK		0x000000FFu
#define NDIS_HASH_FUNCTION_TOEPLITZ	0x00000001u
#define NDIS_HASH_TYPE_MASK		0x00FFFF00u
#define NDIS_HASH_IPV4			0x00000100u
#define NDIS_HASH_TCP_IPV4		0x00000200u
#define NDIS_HASH_IPV6			0x00000400u
#define NDIS_HASH_IPV6_EX		0x00000800u
#define NDIS_HASH_TCP_IPV6		0x00001000u
#define NDIS_HASH_TCP_IPV6_EX		0x00002000u
#define NDIS_HASH_UDP_IPV4		0x00004000u
#define NDIS_HASH_UDP_IPV6		0x00008000u
#define NDIS_HASH_UDP_IPV6_EX		0x00010000u
/**@}*/

/** Encode an NDIS object header; returns 4 or -ENOBUFS. */
int ndis_obj_hdr_encode(void *buf, size_t size, uint8_t type,
			uint8_t revision, uint16_t obj_size);

/* ---------------------------------------------------------------------- */
/** @name Offload hardware capabilities (OID 0xFC01020D), type 0xA7 */
/**@{*/
#define NDIS_OFFLOAD_REV_1		1
#define NDIS_OFFLOAD_REV_2		2
#define NDIS_OFFLOAD_REV_3		3
#define NDIS_OFFLOAD_SIZE_REV_1		112
#define NDIS_OFFLOAD_SIZE_REV_2		144
#define NDIS_OFFLOAD_SIZE_REV_3		156

#define NDIS_OFFLOAD_ENCAP_8023		0x2
/* Checksum flag words. */
#define NDIS_TXCSUM_CAP_IP4_OPTS	0x001	/**< IPv4 */
#define NDIS_TXCSUM_CAP_TCP4_OPTS	0x004
#define NDIS_TXCSUM_CAP_TCP4		0x010
#define NDIS_TXCSUM_CAP_UDP4		0x040
#define NDIS_TXCSUM_CAP_IP4		0x100
#define NDIS_TXCSUM_CAP_IP6_EXT		0x001	/**< IPv6 */
#define NDIS_TXCSUM_CAP_TCP6_OPTS	0x004
#define NDIS_TXCSUM_CAP_TCP6		0x010
#define NDIS_TXCSUM_CAP_UDP6		0x040
/* LSOv2 IPv6 flags. */
#define NDIS_LSOV2_CAP_IP6_EXT		0x001
#define NDIS_LSOV2_CAP_TCP6_OPTS	0x004
/**@}*/

/** NDIS_OFFLOAD, revision 3 layout (156 bytes). */
struct ndis_offload {
	struct ndis_obj_hdr hdr;
	/* checksum @4 */
	uint32_t ip4_tx_encap;
	uint32_t ip4_tx_flags;
	uint32_t ip4_rx_encap;
	uint32_t ip4_rx_flags;
	uint32_t ip6_tx_encap;
	uint32_t ip6_tx_flags;
	uint32_t ip6_rx_encap;
	uint32_t ip6_rx_flags;
	/* LSOv1 @36 */
	uint32_t lsov1_encap;
	uint32_t lsov1_max_size;
	uint32_t lsov1_min_segs;
	uint32_t lsov1_opts;
	/* IPsec v1 @52 */
	uint32_t ipsecv1[7];
	/* LSOv2 @80 */
	uint32_t lsov2_ip4_encap;
	uint32_t lsov2_ip4_max_size;
	uint32_t lsov2_ip4_min_segs;
	uint32_t lsov2_ip6_encap;
	uint32_t lsov2_ip6_max_size;
	uint32_t lsov2_ip6_min_segs;
	uint32_t lsov2_ip6_flags;
	uint32_t flags;			/**< @108, end of revision 1 */
	uint32_t ipsecv2[8];		/**< @112, end of revision 2 */
	uint8_t rsc_ip4;		/**< @144 */
	uint8_t rsc_ip6;
	uint8_t rsc_pad[2];
	uint32_t encap_flags;		/**< @148 NVGRE */
	uint32_t encap_max_hdr;		/**< end of revision 3 */
} __attribute__((packed));

static_assert(sizeof(struct ndis_offload) == NDIS_OFFLOAD_SIZE_REV_3,
	      "ndis_offload");
static_assert(offsetof(struct ndis_offload, lsov1_encap) == 36, "lsov1");
static_assert(offsetof(struct ndis_offload, lsov2_ip4_encap) == 80, "lsov2");
static_assert(offsetof(struct ndis_offload, flags) == 108, "flags");
static_assert(offsetof(struct ndis_offload, rsc_ip4) == 144, "rsc");
static_assert(offsetof(struct ndis_offload, encap_flags) == 148, "encap");

/** Object size of a revision (1..3), or 0 for an unknown revision. */
uint16_t ndis_offload_size(uint8_t revision);

/**
 * Host: encode @p caps as a revision @p revision object (header filled
 * here, truncated to that revision's size).
 *
 * @return bytes written, -EINVAL (revision), -ENOBUFS.
 */
int ndis_offload_encode(void *buf, size_t size, const struct ndis_offload *caps,
			uint8_t revision);

/**
 * Guest: validate and copy an offload object: type 0xA7, revision >= 1,
 * 112 <= size <= @p len. Fields beyond the object size are zero.
 *
 * @return the revision, -EBADMSG (short/type/size), -EINVAL (revision 0).
 */
int ndis_offload_decode(const void *buf, size_t len, struct ndis_offload *out);

/* ---------------------------------------------------------------------- */
/** @name Offload parameters (OID 0xFC01020C), type 0x80 */
/**@{*/
#define NDIS_OFFLOAD_PARAMS_REV_1	1
#define NDIS_OFFLOAD_PARAMS_REV_2	2
#define NDIS_OFFLOAD_PARAMS_REV_3	3
#define NDIS_OFFLOAD_PARAMS_SIZE_REV_1	20
#define NDIS_OFFLOAD_PARAMS_SIZE_REV_2	22
#define NDIS_OFFLOAD_PARAMS_SIZE_REV_3	28

/* Checksum fields. */
#define NDIS_OFFLOAD_PARAM_NO_CHANGE	0
#define NDIS_OFFLOAD_PARAM_TX_RX_OFF	1
#define NDIS_OFFLOAD_PARAM_TX_ON_RX_OFF	2
#define NDIS_OFFLOAD_PARAM_RX_ON_TX_OFF	3
#define NDIS_OFFLOAD_PARAM_TX_RX_ON	4
/* LSO and RSC fields. */
#define NDIS_OFFLOAD_PARAM_OFF		1
#define NDIS_OFFLOAD_PARAM_ON		2
/**@}*/

/** NDIS_OFFLOAD_PARAMETERS, revision 3 layout (28 bytes). */
struct ndis_offload_params {
	struct ndis_obj_hdr hdr;
	uint8_t ip4_csum;		/**< @4 */
	uint8_t tcp4_csum;
	uint8_t udp4_csum;
	uint8_t tcp6_csum;
	uint8_t udp6_csum;		/**< @8 */
	uint8_t lsov1;
	uint8_t ipsecv1;
	uint8_t lsov2_ip4;		/**< @11 */
	uint8_t lsov2_ip6;
	uint8_t tcp_conn_ip4;
	uint8_t tcp_conn_ip6;
	uint8_t pad;
	uint32_t flags;			/**< @16, end of revision 1 */
	uint8_t ipsecv2;		/**< @20 */
	uint8_t ipsecv2_ip4;		/**< end of revision 2 */
	uint8_t rsc_ip4;		/**< @22 */
	uint8_t rsc_ip6;
	uint8_t encap_enabled;		/**< @24 */
	uint8_t encap_types;		/**< end of revision 3 (26) */
	uint8_t pad2[2];
} __attribute__((packed));

static_assert(sizeof(struct ndis_offload_params) ==
	      NDIS_OFFLOAD_PARAMS_SIZE_REV_3, "ndis_offload_params");
static_assert(offsetof(struct ndis_offload_params, lsov2_ip4) == 11, "lso");
static_assert(offsetof(struct ndis_offload_params, flags) == 16, "flags");
static_assert(offsetof(struct ndis_offload_params, rsc_ip4) == 22, "rsc");

/** Object size of a revision (1..3), or 0 for an unknown revision. */
uint16_t ndis_offload_params_size(uint8_t revision);

/**
 * Guest: encode @p params with the header of @p revision (20/22/28 bytes).
 * @return bytes written, -EINVAL (revision), -ENOBUFS.
 */
int ndis_offload_params_encode(void *buf, size_t size,
			       const struct ndis_offload_params *params,
			       uint8_t revision);

/**
 * Host: validate and copy offload parameters: type 0x80, revision >= 1,
 * 20 <= size <= @p len (sizes are not tied to revisions: Linux sends
 * revision 3 with 22 bytes). Checksum fields must be <= 4, LSO/RSC <= 2.
 *
 * @return the revision, -EBADMSG, or -EINVAL (bad revision or value).
 */
int ndis_offload_params_decode(const void *buf, size_t len,
			       struct ndis_offload_params *out);

/* ---------------------------------------------------------------------- */
/** @name RSS capabilities (OID 0x00010203), type 0x88 */
/**@{*/
#define NDIS_RSS_CAPS_REV_1		1
#define NDIS_RSS_CAPS_REV_2		2
#define NDIS_RSS_CAPS_SIZE_REV_1	16
#define NDIS_RSS_CAPS_SIZE_REV_2	18
#define NDIS_RSS_CAP_TCP_IPV4		0x00000100u
#define NDIS_RSS_CAP_TCP_IPV6		0x00000200u
#define NDIS_RSS_CAP_TCP_IPV6_EX	0x00000400u
#define NDIS_RSS_CAP_MSI		0x01000000u
#define NDIS_RSS_CAP_MSIX		0x08000000u
#define NDIS_RSS_CAP_TOEPLITZ		0x00000001u
/** Largest indirection table (entries). */
#define NDIS_RSS_TABLE_MAX		128
/** Toeplitz key size. */
#define NDIS_RSS_KEY_SIZE		40
/**@}*/

struct ndis_rss_caps_wire {
	struct ndis_obj_hdr hdr;
	uint32_t caps;
	uint32_t num_int_msgs;
	uint32_t num_queues;
	uint16_t num_ind_entries;	/**< revision 2 */
} __attribute__((packed));

static_assert(sizeof(struct ndis_rss_caps_wire) == NDIS_RSS_CAPS_SIZE_REV_2,
	      "rss caps");

/** Decoded RSS capabilities. */
struct ndis_rss_caps {
	uint32_t caps;			/**< NDIS_RSS_CAP_* */
	uint32_t num_int_msgs;
	uint32_t num_queues;
	uint32_t num_ind_entries;	/**< 0 if the object is revision 1 */
};

/**
 * Host: encode RSS capabilities, revision 1 (16 bytes) or 2 (18 bytes).
 * @return bytes written, -EINVAL, -ENOBUFS.
 */
int ndis_rss_caps_encode(void *buf, size_t size,
			 const struct ndis_rss_caps *caps, uint8_t revision);

/**
 * Guest: validate RSS capabilities: type 0x88, revision >= 1,
 * 16 <= size <= @p len, queues >= 1; if the object is revision >= 2 and 18
 * bytes long, 1 <= indirection entries <= 128.
 *
 * @return the revision, -EBADMSG or -EINVAL.
 */
int ndis_rss_caps_decode(const void *buf, size_t len,
			 struct ndis_rss_caps *out);

/* ---------------------------------------------------------------------- */
/** @name RSS parameters (OID 0x00010204), type 0x89 */
/**@{*/
#define NDIS_RSS_PARAMS_REV_1		1
#define NDIS_RSS_PARAMS_REV_2		2
#define NDIS_RSS_PARAMS_HDR_SIZE	40
#define NDIS_RSS_PARAMS_TABLE_OFFSET	40
#define NDIS_RSS_PARAMS_KEY_OFFSET	552
/** Size of the full object guests send (128 entries + key). */
#define NDIS_RSS_PARAMS_FULL_SIZE	592
#define NDIS_RSS_FLAG_BASE_CPU_UNCHANGED	0x0001
#define NDIS_RSS_FLAG_HASH_INFO_UNCHANGED	0x0002
#define NDIS_RSS_FLAG_TABLE_UNCHANGED		0x0004
#define NDIS_RSS_FLAG_KEY_UNCHANGED		0x0008
#define NDIS_RSS_FLAG_DISABLE			0x0010
/**@}*/

struct ndis_rss_params_wire {
	struct ndis_obj_hdr hdr;
	uint16_t flags;
	uint16_t base_cpu;
	uint32_t hash_info;
	uint16_t table_size;		/**< bytes */
	uint16_t pad0;
	uint32_t table_offset;		/**< from the object start */
	uint16_t key_size;
	uint16_t pad1;
	uint32_t key_offset;
	uint32_t cpu_masks_offset;
	uint32_t num_cpu_masks;
	uint32_t cpu_mask_entry_size;
} __attribute__((packed));

static_assert(sizeof(struct ndis_rss_params_wire) == NDIS_RSS_PARAMS_HDR_SIZE,
	      "rss params");
static_assert(offsetof(struct ndis_rss_params_wire, table_offset) == 16,
	      "table_offset");
static_assert(offsetof(struct ndis_rss_params_wire, key_offset) == 24,
	      "key_offset");

/** Decoded / to-be-encoded RSS parameters. */
struct ndis_rss_params {
	uint16_t flags;			/**< NDIS_RSS_FLAG_* */
	uint32_t hash_info;		/**< function | NDIS_HASH_* types */
	uint32_t table_len;		/**< entries, 1..128 */
	uint32_t table[NDIS_RSS_TABLE_MAX];
	uint8_t key[NDIS_RSS_KEY_SIZE];
};

/**
 * Guest: encode RSS parameters: 40-byte header (revision 2), the table at
 * offset 40, the key right after it (offset 552 for 128 entries).
 *
 * @return bytes written (592 for 128 entries), -EINVAL (table_len 0 or
 *   > 128), -ENOBUFS.
 */
int ndis_rss_params_encode(void *buf, size_t size,
			   const struct ndis_rss_params *params);

/**
 * Host: validate RSS parameters against @p num_queues queues: type 0x89,
 * revision >= 1, 40 <= size <= @p len. Unless DISABLE is set (then only
 * flags and hash info are read): unless HASH_INFO_UNCHANGED, hash function
 * 0 or Toeplitz; unless KEY_UNCHANGED, key size 40 inside @p len past the
 * header; unless TABLE_UNCHANGED, table size a non-zero multiple of 4,
 * <= 512 bytes, inside @p len past the header, and every entry
 * < @p num_queues.
 *
 * @return 0, -EBADMSG (header/size), -EINVAL (a rule above), -ERANGE (an
 *   entry >= num_queues).
 */
int ndis_rss_params_decode(const void *buf, size_t len, uint32_t num_queues,
			   struct ndis_rss_params *out);

#ifdef __cplusplus
}
#endif

#endif /* HV_NETVSP_NDIS_H */
