/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * Ethernet and IP facts that the RSS hash, hvsim's offload model and its
 * frame generator all read off frames: header lengths, ethertypes, IP
 * protocol numbers, and the network-order (big-endian) accessors
 * they are read and written with; the little-endian accessors for the
 * VMBus, NVSP and RNDIS fields; and the hex digits of the wire's text
 * fields. Any alignment will do. Plain C: the wire libraries use it
 * without DPDK.
 */

#ifndef HV_WIRE_H
#define HV_WIRE_H

#include <stdint.h>
#include <string.h>

/* VMBus, NVSP and RNDIS are little-endian, and so is every host hvnet runs
 * on: the little-endian accessors are a plain copy, and the wire structs of
 * lib/vmbus and lib/netvsp are used in place. Their headers include this
 * one for this check, made here once. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "hvnet supports little-endian hosts only");

#define HV_ETH_HLEN		14	/**< destination, source, ethertype */
#define HV_VLAN_HLEN		4	/**< one 802.1Q / 802.1ad tag */
#define HV_IPV4_MIN_HLEN	20
#define HV_IPV6_HLEN		40
#define HV_UDP_HLEN		8
#define HV_TCP_MIN_HLEN		20

#define HV_ETHERTYPE_IPV4	0x0800
#define HV_ETHERTYPE_IPV6	0x86DD
#define HV_ETHERTYPE_VLAN	0x8100	/**< 802.1Q customer tag */
#define HV_ETHERTYPE_QINQ	0x88A8	/**< 802.1ad service tag */

#define HV_IPPROTO_TCP		6
#define HV_IPPROTO_UDP		17

/** The big-endian 16-bit field at @p p. */
static inline uint16_t
hv_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/** Store @p v big-endian at @p p. */
static inline void
hv_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/** The big-endian 32-bit field at @p p. */
static inline uint32_t
hv_get_be32(const uint8_t *p)
{
	return (uint32_t)hv_get_be16(p) << 16 | hv_get_be16(p + 2);
}

/** Store @p v big-endian at @p p. */
static inline void
hv_put_be32(uint8_t *p, uint32_t v)
{
	hv_put_be16(p, (uint16_t)(v >> 16));
	hv_put_be16(p + 2, (uint16_t)v);
}

/** The little-endian 16-bit field at @p p. */
static inline uint16_t
hv_get_le16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/** The little-endian 32-bit field at @p p. */
static inline uint32_t
hv_get_le32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/** Store @p v little-endian at @p p. */
static inline void
hv_put_le16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/** Store @p v little-endian at @p p. */
static inline void
hv_put_le32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/** The value of hex digit @p c (either case), or -1. */
static inline int
hv_hex_digit(unsigned int c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

#endif /* HV_WIRE_H */
