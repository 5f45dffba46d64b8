/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HV_NETVSP_RSS_H
#define HV_NETVSP_RSS_H

/**
 * @file
 * Toeplitz hashing as NDIS RSS defines it, and the frame classification a
 * host (or a guest checking its host) needs to pick a queue: which hash
 * type applies to a frame, the hash over the standard input layout
 * (source address, destination address, source port, destination port,
 * all in network byte order), and the indirection-table lookup.
 */

#include <stddef.h>
#include <stdint.h>

#include "ndis.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Key size; supports inputs up to 36 bytes (IPv6 + ports). */
#define HV_RSS_KEY_SIZE		NDIS_RSS_KEY_SIZE
/** Longest Toeplitz input with a 40-byte key. */
#define HV_RSS_INPUT_MAX	(HV_RSS_KEY_SIZE - 4)

/** The Microsoft default key (Linux netvsc's default). */
extern const uint8_t hv_rss_key_default[HV_RSS_KEY_SIZE];
/** The mlx5 key DPDK netvsc uses so VF and synthetic paths hash alike. */
extern const uint8_t hv_rss_key_dpdk[HV_RSS_KEY_SIZE];

/**
 * Toeplitz hash of @p len bytes (at most HV_RSS_INPUT_MAX; longer input
 * is hashed up to that length) under a 40-byte key.
 */
uint32_t toeplitz_hash(const uint8_t key[HV_RSS_KEY_SIZE], const void *data,
		       size_t len);

/** Hash of an IPv4 pair; addresses in network byte order (4 bytes each). */
uint32_t hv_rss_hash_ipv4(const uint8_t key[HV_RSS_KEY_SIZE],
			  const uint8_t src[4], const uint8_t dst[4]);

/** Hash of an IPv4 pair with ports (host byte order). */
uint32_t hv_rss_hash_ipv4_l4(const uint8_t key[HV_RSS_KEY_SIZE],
			     const uint8_t src[4], const uint8_t dst[4],
			     uint16_t sport, uint16_t dport);

/** Hash of an IPv6 pair; addresses in network byte order (16 bytes each). */
uint32_t hv_rss_hash_ipv6(const uint8_t key[HV_RSS_KEY_SIZE],
			  const uint8_t src[16], const uint8_t dst[16]);

/** Hash of an IPv6 pair with ports (host byte order). */
uint32_t hv_rss_hash_ipv6_l4(const uint8_t key[HV_RSS_KEY_SIZE],
			     const uint8_t src[16], const uint8_t dst[16],
			     uint16_t sport, uint16_t dport);

/**
 * Classify an Ethernet frame (untagged, or with one or two 802.1Q/802.1ad
 * tags) and hash it according to the enabled @p hash_types (NDIS_HASH_*
 * bits of a hash info; the function byte is ignored). TCP or UDP over an
 * unfragmented IPv4 packet, or over IPv6 after hop-by-hop, routing and
 * destination-options headers, uses the 4-tuple when its type is enabled;
 * otherwise the address pair when IPV4/IPV6 is enabled. Truncated headers
 * fall back to what can be read.
 *
 * @param type  set to the NDIS_HASH_* bit used.
 * @param hash  set to the hash value.
 * @return 0 with a hash, -ENOENT if no enabled type applies (not IP,
 *   truncated, or type disabled).
 */
int hv_rss_hash_frame(const uint8_t key[HV_RSS_KEY_SIZE], uint32_t hash_types,
		      const void *frame, size_t len, uint32_t *type,
		      uint32_t *hash);

/**
 * Toeplitz by table for one key: t[i][v] is the hash of an input that is
 * zero except for value @c v in byte @c i. The hash is linear in the input
 * bits, so any input hashes to the XOR of its bytes' entries: one load per
 * input byte instead of eight tests (a host hashes every frame it
 * delivers). 36 KiB; built by hv_rss_tbl_init() whenever the key changes.
 */
struct hv_rss_tbl {
	uint32_t t[HV_RSS_INPUT_MAX][256];
};

/** Build @p tbl for @p key. */
void hv_rss_tbl_init(struct hv_rss_tbl *tbl,
		     const uint8_t key[HV_RSS_KEY_SIZE]);

/** toeplitz_hash() of the key @p tbl was built for, by table. */
static inline uint32_t
hv_rss_tbl_hash(const struct hv_rss_tbl *tbl, const void *data, size_t len)
{
	const uint8_t *d = data;
	uint32_t hash = 0;
	size_t i;

	if (len > HV_RSS_INPUT_MAX)
		len = HV_RSS_INPUT_MAX;
	for (i = 0; i < len; i++)
		hash ^= tbl->t[i][d[i]];
	return hash;
}

/** hv_rss_hash_frame() of the key @p tbl was built for, by table. */
int hv_rss_tbl_hash_frame(const struct hv_rss_tbl *tbl, uint32_t hash_types,
			  const void *frame, size_t len, uint32_t *type,
			  uint32_t *hash);

/**
 * Indirection: the table entry of a hash (hash modulo the table length,
 * i.e. its low bits for power-of-two tables). Returns 0 for an empty table.
 */
static inline uint32_t
hv_rss_indirect(const uint32_t *table, uint32_t table_len, uint32_t hash)
{
	return table_len ? table[hash % table_len] : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* HV_NETVSP_RSS_H */
