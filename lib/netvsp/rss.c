/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Toeplitz hash and NDIS RSS frame classification. toeplitz_hash() is the
 * plain bit-serial definition (tests and one-off hashes); a host that
 * hashes every frame uses the per-key table (struct hv_rss_tbl), which
 * tests check against it.
 */

#include <errno.h>
#include <string.h>

#include "hv_wire.h"
#include "rss.h"

const uint8_t hv_rss_key_default[HV_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

const uint8_t hv_rss_key_dpdk[HV_RSS_KEY_SIZE] = {
	0x2c, 0xc6, 0x81, 0xd1, 0x5b, 0xdb, 0xf4, 0xf7,
	0xfc, 0xa2, 0x83, 0x19, 0xdb, 0x1a, 0x3e, 0x94,
	0x6b, 0x9e, 0x38, 0xd9, 0x2c, 0x9c, 0x03, 0xd1,
	0xad, 0x99, 0x44, 0xa7, 0xd9, 0x56, 0x3d, 0x59,
	0x06, 0x3c, 0x25, 0xf3, 0xfc, 0x1f, 0xdc, 0x2a,
};

uint32_t
toeplitz_hash(const uint8_t key[HV_RSS_KEY_SIZE], const void *data, size_t len)
{
	const uint8_t *d = data;
	uint32_t hash = 0;
	uint64_t win = 0;
	size_t i;
	int b;

	if (len > HV_RSS_INPUT_MAX)
		len = HV_RSS_INPUT_MAX;
	/* win holds key bits [8i, 8i + 64), most significant first. */
	for (i = 0; i < 8; i++)
		win = (win << 8) | key[i];
	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++)
			if (d[i] & (0x80 >> b))
				hash ^= (uint32_t)(win >> (32 - b));
		win <<= 8;
		if (i + 8 < HV_RSS_KEY_SIZE)
			win |= key[i + 8];
	}
	return hash;
}

void
hv_rss_tbl_init(struct hv_rss_tbl *tbl, const uint8_t key[HV_RSS_KEY_SIZE])
{
	uint64_t win = 0;
	uint32_t bit[8];
	unsigned int i, b, v;

	for (i = 0; i < 8; i++)
		win = (win << 8) | key[i];
	for (i = 0; i < HV_RSS_INPUT_MAX; i++) {
		/* Input bit b of byte i (most significant first) adds key
		 * bits [8i + b, 8i + b + 32), as in toeplitz_hash().
		 */
		for (b = 0; b < 8; b++)
			bit[b] = (uint32_t)(win >> (32 - b));
		tbl->t[i][0] = 0;
		/* v's entry: that of v without its lowest set bit, plus
		 * that bit's own. */
		for (v = 1; v < 256; v++)
			tbl->t[i][v] = tbl->t[i][v & (v - 1)] ^
				bit[7 - __builtin_ctz(v)];
		win <<= 8;
		if (i + 8 < HV_RSS_KEY_SIZE)
			win |= key[i + 8];
	}
}

static void
put_port(uint8_t *p, uint16_t port)
{
	p[0] = port >> 8;
	p[1] = port & 0xFF;
}

uint32_t
hv_rss_hash_ipv4(const uint8_t key[HV_RSS_KEY_SIZE], const uint8_t src[4],
		 const uint8_t dst[4])
{
	uint8_t in[8];

	memcpy(in, src, 4);
	memcpy(in + 4, dst, 4);
	return toeplitz_hash(key, in, sizeof(in));
}

uint32_t
hv_rss_hash_ipv4_l4(const uint8_t key[HV_RSS_KEY_SIZE], const uint8_t src[4],
		    const uint8_t dst[4], uint16_t sport, uint16_t dport)
{
	uint8_t in[12];

	memcpy(in, src, 4);
	memcpy(in + 4, dst, 4);
	put_port(in + 8, sport);
	put_port(in + 10, dport);
	return toeplitz_hash(key, in, sizeof(in));
}

uint32_t
hv_rss_hash_ipv6(const uint8_t key[HV_RSS_KEY_SIZE], const uint8_t src[16],
		 const uint8_t dst[16])
{
	uint8_t in[32];

	memcpy(in, src, 16);
	memcpy(in + 16, dst, 16);
	return toeplitz_hash(key, in, sizeof(in));
}

uint32_t
hv_rss_hash_ipv6_l4(const uint8_t key[HV_RSS_KEY_SIZE], const uint8_t src[16],
		    const uint8_t dst[16], uint16_t sport, uint16_t dport)
{
	uint8_t in[36];

	memcpy(in, src, 16);
	memcpy(in + 16, dst, 16);
	put_port(in + 32, sport);
	put_port(in + 34, dport);
	return toeplitz_hash(key, in, sizeof(in));
}

/* ---------------------------------------------------------------------- */

#define IPV6_MAX_EXT_HDRS	8

/* The Toeplitz input of one frame, where it lies in the frame: the
 * source and destination addresses (adjacent in IPv4 and IPv6 headers),
 * then the source and destination ports if the type takes them. */
struct hv_rss_in {
	const uint8_t *addrs;	/* 2 * alen bytes */
	const uint8_t *ports;	/* 4 bytes, or NULL */
	size_t alen;
	uint32_t type;
};

/*
 * Pick the hash type for an IP packet whose address pair (@alen bytes
 * each) starts at @addrs, with protocol @proto and ports at @l4 (NULL when
 * absent).
 */
static int
hv_rss_pick(uint32_t types, const uint8_t *addrs, size_t alen, uint8_t proto,
	    const uint8_t *l4, uint32_t t_ip, uint32_t t_tcp, uint32_t t_udp,
	    struct hv_rss_in *in)
{
	uint32_t t = 0;

	if (l4 != NULL && proto == HV_IPPROTO_TCP && (types & t_tcp))
		t = t_tcp;
	else if (l4 != NULL && proto == HV_IPPROTO_UDP && (types & t_udp))
		t = t_udp;
	else if (types & t_ip)
		t = t_ip;
	else
		return -ENOENT;
	in->addrs = addrs;
	in->ports = t != t_ip ? l4 : NULL;
	in->alen = alen;
	in->type = t;
	return 0;
}

static int
hv_rss_ipv4(uint32_t types, const uint8_t *ip, size_t len,
	    struct hv_rss_in *in)
{
	const uint8_t *l4 = NULL;
	size_t ihl;

	if (len < 20 || (ip[0] >> 4) != 4)
		return -ENOENT;
	ihl = (size_t)(ip[0] & 0x0F) * 4;
	/* Ports only from the first fragment of an unfragmented datagram. */
	if (ihl >= 20 && (hv_get_be16(ip + 6) & 0x3FFF) == 0 && len >= ihl + 4)
		l4 = ip + ihl;
	return hv_rss_pick(types, ip + 12, 4, ip[9], l4, NDIS_HASH_IPV4,
			   NDIS_HASH_TCP_IPV4, NDIS_HASH_UDP_IPV4, in);
}

static int
hv_rss_ipv6(uint32_t types, const uint8_t *ip, size_t len,
	    struct hv_rss_in *in)
{
	const uint8_t *l4 = NULL;
	size_t off = HV_IPV6_HLEN, ext;
	uint8_t nh;
	int i;

	if (len < HV_IPV6_HLEN || (ip[0] >> 4) != 6)
		return -ENOENT;
	/* The _EX types are served like the plain ones (no address swap). */
	if (types & NDIS_HASH_IPV6_EX)
		types |= NDIS_HASH_IPV6;
	if (types & NDIS_HASH_TCP_IPV6_EX)
		types |= NDIS_HASH_TCP_IPV6;
	if (types & NDIS_HASH_UDP_IPV6_EX)
		types |= NDIS_HASH_UDP_IPV6;
	nh = ip[6];
	for (i = 0; i < IPV6_MAX_EXT_HDRS; i++) {
		if (nh != 0 && nh != 43 && nh != 60)
			break;
		if (len - off < 8)
			break;
		ext = ((size_t)ip[off + 1] + 1) * 8;
		nh = ip[off];
		if (ext > len - off) {
			off = len;
			break;
		}
		off += ext;
	}
	if ((nh == HV_IPPROTO_TCP || nh == HV_IPPROTO_UDP) && off <= len &&
	    len - off >= 4)
		l4 = ip + off;
	return hv_rss_pick(types, ip + 8, 16, nh, l4, NDIS_HASH_IPV6,
			   NDIS_HASH_TCP_IPV6, NDIS_HASH_UDP_IPV6, in);
}

/* The input of @p frame under @p hash_types (hv_rss_hash_frame()). */
static int
hv_rss_frame_input(uint32_t hash_types, const void *frame, size_t len,
		   struct hv_rss_in *in)
{
	const uint8_t *p = frame;
	size_t off = HV_ETH_HLEN - 2;
	uint16_t et;
	int tags;

	if (len < HV_ETH_HLEN)
		return -ENOENT;
	et = hv_get_be16(p + off);
	off += 2;
	for (tags = 0; tags < 2 && (et == HV_ETHERTYPE_VLAN ||
				    et == HV_ETHERTYPE_QINQ); tags++) {
		if (len - off < 4)
			return -ENOENT;
		et = hv_get_be16(p + off + 2);
		off += 4;
	}
	if (et == HV_ETHERTYPE_IPV4)
		return hv_rss_ipv4(hash_types, p + off, len - off, in);
	if (et == HV_ETHERTYPE_IPV6)
		return hv_rss_ipv6(hash_types, p + off, len - off, in);
	return -ENOENT;
}

int
hv_rss_hash_frame(const uint8_t key[HV_RSS_KEY_SIZE], uint32_t hash_types,
		  const void *frame, size_t len, uint32_t *type,
		  uint32_t *hash)
{
	uint8_t b[HV_RSS_INPUT_MAX];
	struct hv_rss_in in;
	size_t n;
	int rc = hv_rss_frame_input(hash_types, frame, len, &in);

	if (rc < 0)
		return rc;
	n = 2 * in.alen;
	memcpy(b, in.addrs, n);
	if (in.ports != NULL) {
		memcpy(b + n, in.ports, 4);
		n += 4;
	}
	*type = in.type;
	*hash = toeplitz_hash(key, b, n);
	return 0;
}

/* Table rows from @p row on for @p n bytes at @p d; the callers' constant
 * @p n unrolls into one load and one XOR per byte. */
static inline __attribute__((always_inline)) uint32_t
hv_rss_tbl_rows(const struct hv_rss_tbl *tbl, size_t row, const uint8_t *d,
		size_t n)
{
	uint32_t hash = 0;
	size_t i;

#pragma GCC unroll 32
	for (i = 0; i < n; i++)
		hash ^= tbl->t[row + i][d[i]];
	return hash;
}

int
hv_rss_tbl_hash_frame(const struct hv_rss_tbl *tbl, uint32_t hash_types,
		      const void *frame, size_t len, uint32_t *type,
		      uint32_t *hash)
{
	struct hv_rss_in in;
	uint32_t h;
	int rc = hv_rss_frame_input(hash_types, frame, len, &in);

	if (rc < 0)
		return rc;
	/* Hashed in place: no copy of the input. */
	if (in.alen == 4) {
		h = hv_rss_tbl_rows(tbl, 0, in.addrs, 8);
		if (in.ports != NULL)
			h ^= hv_rss_tbl_rows(tbl, 8, in.ports, 4);
	} else {
		h = hv_rss_tbl_rows(tbl, 0, in.addrs, 32);
		if (in.ports != NULL)
			h ^= hv_rss_tbl_rows(tbl, 32, in.ports, 4);
	}
	*type = in.type;
	*hash = h;
	return 0;
}
