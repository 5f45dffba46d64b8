/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Toeplitz against Microsoft's published RSS verification vectors
 * ("Verifying the RSS hash calculation", default key 6d 5a 56 da ...),
 * then the per-key table against the bit-serial definition, then frame
 * classification built on both.
 */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hv_wire.h"
#include "rss.h"

struct v4_vec {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
	uint32_t h_ip, h_tcp;
};

static const struct v4_vec v4[] = {
	{ { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
	  0x323e8fc2, 0x51ccc178 },
	{ { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
	  0xd718262a, 0xc626b0ea },
	{ { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
	  0xd2d0a5de, 0x5c2b394a },
	{ { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217,
	  0x82989176, 0xafc7327f },
	{ { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303,
	  0x5d1809c5, 0x10e828a2 },
};

struct v6_vec {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t h_ip, h_tcp;
};

static const struct v6_vec v6[] = {
	/* 3ffe:2501:200:1fff::7 -> 3ffe:2501:200:3::1 */
	{ { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
	    0, 0, 0, 0, 0, 0, 0, 0x07 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
	    0, 0, 0, 0, 0, 0, 0, 0x01 },
	  2794, 1766, 0x2cc18cd5, 0x40207d3d },
	/* 3ffe:501:8::260:97ff:fe40:efab -> ff02::1 */
	{ { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0, 0,
	    0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
	  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  14230, 4739, 0x0f0c461c, 0xdde51bbf },
	/* 3ffe:1900:4545:3:200:f8ff:fe21:67cf -> fe80::200:f8ff:fe21:67cf */
	{ { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  44251, 38024, 0x4b61e985, 0x02d1feef },
};

#define NV4 (sizeof(v4) / sizeof(v4[0]))
#define NV6 (sizeof(v6) / sizeof(v6[0]))

static const uint32_t all_types = NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4 |
	NDIS_HASH_UDP_IPV4 | NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6 |
	NDIS_HASH_UDP_IPV6;

static void
test_vectors(void)
{
	const uint8_t *k = hv_rss_key_default;
	size_t i;

	CHECK_EQ(k[0], 0x6d);
	CHECK_EQ(k[39], 0xfa);
	for (i = 0; i < NV4; i++) {
		CHECK_EQ(hv_rss_hash_ipv4(k, v4[i].src, v4[i].dst), v4[i].h_ip);
		CHECK_EQ(hv_rss_hash_ipv4_l4(k, v4[i].src, v4[i].dst,
					     v4[i].sport, v4[i].dport),
			 v4[i].h_tcp);
	}
	for (i = 0; i < NV6; i++) {
		CHECK_EQ(hv_rss_hash_ipv6(k, v6[i].src, v6[i].dst), v6[i].h_ip);
		CHECK_EQ(hv_rss_hash_ipv6_l4(k, v6[i].src, v6[i].dst,
					     v6[i].sport, v6[i].dport),
			 v6[i].h_tcp);
	}
	/* Input beyond 36 bytes is cut, not read past the key. */
	{
		uint8_t in[64];

		memset(in, 0xA5, sizeof(in));
		CHECK_EQ(toeplitz_hash(k, in, sizeof(in)),
			 toeplitz_hash(k, in, HV_RSS_INPUT_MAX));
		CHECK_EQ(toeplitz_hash(k, in, 0), 0);
	}
	/* A different key gives a different hash. */
	CHECK(hv_rss_hash_ipv4(hv_rss_key_dpdk, v4[0].src, v4[0].dst) !=
	      v4[0].h_ip);
	CHECK_EQ(hv_rss_key_dpdk[0], 0x2c);
	CHECK_EQ(hv_rss_key_dpdk[39], 0x2a);
}

/* Ethernet (+ nvlan tags) + IPv4 + 8 bytes of L4 header. */
static size_t
make_v4(uint8_t *f, const struct v4_vec *v, uint8_t proto, int nvlan,
	uint16_t frag)
{
	size_t off = 12;
	int i;

	memset(f, 0, 128);
	for (i = 0; i < nvlan; i++) {
		hv_put_be16(f + off, i == 0 && nvlan == 2 ? 0x88A8 : 0x8100);
		hv_put_be16(f + off + 2, 100 + i);
		off += 4;
	}
	hv_put_be16(f + off, 0x0800);
	off += 2;
	f[off] = 0x45;
	hv_put_be16(f + off + 2, 20 + 8);
	hv_put_be16(f + off + 6, frag);
	f[off + 8] = 64;
	f[off + 9] = proto;
	memcpy(f + off + 12, v->src, 4);
	memcpy(f + off + 16, v->dst, 4);
	hv_put_be16(f + off + 20, v->sport);
	hv_put_be16(f + off + 22, v->dport);
	return off + 28;
}

static size_t
make_v6(uint8_t *f, const struct v6_vec *v, uint8_t proto, int ext)
{
	size_t off = 14, ip;

	memset(f, 0, 160);
	hv_put_be16(f + 12, 0x86DD);
	ip = off;
	f[ip] = 0x60;
	f[ip + 6] = ext ? 0 : proto;	/* hop-by-hop first if ext */
	memcpy(f + ip + 8, v->src, 16);
	memcpy(f + ip + 24, v->dst, 16);
	off += 40;
	if (ext) {
		f[off] = 60;		/* then destination options, 16 bytes */
		f[off + 1] = 0;
		off += 8;
		f[off] = proto;
		f[off + 1] = 1;
		off += 16;
	}
	hv_put_be16(f + off, v->sport);
	hv_put_be16(f + off + 2, v->dport);
	return off + 8;
}

/* hv_rss_hash_frame() and its table variant agree; returns the former. */
static int
hash_frame(const uint8_t *key, uint32_t types, const void *f, size_t len,
	   uint32_t *type, uint32_t *hash)
{
	static struct hv_rss_tbl tbl;
	uint32_t t2 = 0xdead, h2 = 0xbeef;
	int rc, rc2;

	hv_rss_tbl_init(&tbl, key);
	rc = hv_rss_hash_frame(key, types, f, len, type, hash);
	rc2 = hv_rss_tbl_hash_frame(&tbl, types, f, len, &t2, &h2);
	CHECK_EQ(rc2, rc);
	if (rc == 0 && rc2 == 0) {
		CHECK_EQ(t2, *type);
		CHECK_EQ(h2, *hash);
	}
	return rc;
}

/* The table of a key hashes every input as the bit-serial definition:
 * the published vectors, then random keys and inputs of every length. */
static void
test_table(void)
{
	static struct hv_rss_tbl tbl;
	uint8_t key[HV_RSS_KEY_SIZE], in[HV_RSS_INPUT_MAX + 8];
	uint32_t x = 0x2545f491u;
	unsigned int i, n, r;

	hv_rss_tbl_init(&tbl, hv_rss_key_default);
	for (i = 0; i < NV4; i++) {
		memcpy(in, v4[i].src, 4);
		memcpy(in + 4, v4[i].dst, 4);
		hv_put_be16(in + 8, v4[i].sport);
		hv_put_be16(in + 10, v4[i].dport);
		CHECK_EQ(hv_rss_tbl_hash(&tbl, in, 8), v4[i].h_ip);
		CHECK_EQ(hv_rss_tbl_hash(&tbl, in, 12), v4[i].h_tcp);
	}
	for (i = 0; i < NV6; i++) {
		memcpy(in, v6[i].src, 16);
		memcpy(in + 16, v6[i].dst, 16);
		hv_put_be16(in + 32, v6[i].sport);
		hv_put_be16(in + 34, v6[i].dport);
		CHECK_EQ(hv_rss_tbl_hash(&tbl, in, 32), v6[i].h_ip);
		CHECK_EQ(hv_rss_tbl_hash(&tbl, in, 36), v6[i].h_tcp);
	}
	for (r = 0; r < 64; r++) {
		for (i = 0; i < sizeof(key); i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			key[i] = (uint8_t)x;
		}
		/* Every bit of the last key byte matters somewhere. */
		if (r == 0)
			memset(key, 0xff, sizeof(key));
		hv_rss_tbl_init(&tbl, key);
		for (n = 0; n <= sizeof(in); n++) {
			for (i = 0; i < sizeof(in); i++) {
				x ^= x << 13, x ^= x >> 17, x ^= x << 5;
				in[i] = (uint8_t)(x >> 8);
			}
			CHECK_EQ(hv_rss_tbl_hash(&tbl, in, n),
				 toeplitz_hash(key, in, n));
		}
		/* One set bit at a time: each table entry's own bits. */
		memset(in, 0, sizeof(in));
		for (i = 0; i < HV_RSS_INPUT_MAX * 8; i++) {
			in[i / 8] = (uint8_t)(0x80 >> (i % 8));
			CHECK_EQ(hv_rss_tbl_hash(&tbl, in, HV_RSS_INPUT_MAX),
				 toeplitz_hash(key, in, HV_RSS_INPUT_MAX));
			in[i / 8] = 0;
		}
	}
}

static void
test_frames(void)
{
	const uint8_t *k = hv_rss_key_default;
	uint8_t f[256];
	uint32_t type, hash;
	size_t i, len;

	for (i = 0; i < NV4; i++) {
		len = make_v4(f, &v4[i], 6, 0, 0);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_TCP_IPV4);
		CHECK_EQ(hash, v4[i].h_tcp);
		/* TCP hashing disabled: falls back to the address pair. */
		CHECK_EQ(hash_frame(k, NDIS_HASH_IPV4, f, len, &type,
					&hash), 0);
		CHECK_EQ(type, NDIS_HASH_IPV4);
		CHECK_EQ(hash, v4[i].h_ip);
		/* With one and two VLAN tags. */
		len = make_v4(f, &v4[i], 6, 1, 0);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(hash, v4[i].h_tcp);
		len = make_v4(f, &v4[i], 6, 2, 0);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(hash, v4[i].h_tcp);
		/* UDP uses the same input layout. */
		len = make_v4(f, &v4[i], 17, 0, 0);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_UDP_IPV4);
		CHECK_EQ(hash, v4[i].h_tcp);
		CHECK_EQ(hash_frame(k, NDIS_HASH_IPV4 |
					NDIS_HASH_TCP_IPV4, f, len, &type,
					&hash), 0);
		CHECK_EQ(type, NDIS_HASH_IPV4);
		/* Fragments hash on addresses only. */
		len = make_v4(f, &v4[i], 6, 0, 0x2000);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_IPV4);
		CHECK_EQ(hash, v4[i].h_ip);
		len = make_v4(f, &v4[i], 6, 0, 0x0010);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_IPV4);
	}
	for (i = 0; i < NV6; i++) {
		len = make_v6(f, &v6[i], 6, 0);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_TCP_IPV6);
		CHECK_EQ(hash, v6[i].h_tcp);
		CHECK_EQ(hash_frame(k, NDIS_HASH_IPV6, f, len, &type,
					&hash), 0);
		CHECK_EQ(type, NDIS_HASH_IPV6);
		CHECK_EQ(hash, v6[i].h_ip);
		/* Extension headers are skipped to reach the ports. */
		len = make_v6(f, &v6[i], 6, 1);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_TCP_IPV6);
		CHECK_EQ(hash, v6[i].h_tcp);
		/* The _EX types are served like the plain ones. */
		CHECK_EQ(hash_frame(k, NDIS_HASH_TCP_IPV6_EX, f, len,
					&type, &hash), 0);
		CHECK_EQ(hash, v6[i].h_tcp);
		len = make_v6(f, &v6[i], 17, 0);
		CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
			 0);
		CHECK_EQ(type, NDIS_HASH_UDP_IPV6);
		CHECK_EQ(hash, v6[i].h_tcp);
	}

	/* Nothing to hash. */
	len = make_v4(f, &v4[0], 6, 0, 0);
	CHECK_EQ(hash_frame(k, NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6, f,
				len, &type, &hash), -ENOENT);
	CHECK_EQ(hash_frame(k, all_types, f, 13, &type, &hash),
		 -ENOENT);
	CHECK_EQ(hash_frame(k, all_types, f, 14 + 19, &type, &hash),
		 -ENOENT);
	/* Truncated before the ports: address pair. */
	CHECK_EQ(hash_frame(k, all_types, f, 14 + 20 + 3, &type,
				&hash), 0);
	CHECK_EQ(type, NDIS_HASH_IPV4);
	CHECK_EQ(hash, v4[0].h_ip);
	/* Truncated before the ports, IPv4 hashing off: nothing. */
	CHECK_EQ(hash_frame(k, NDIS_HASH_TCP_IPV4, f, 14 + 20 + 3,
				&type, &hash), -ENOENT);
	/* Bad IP version. */
	f[14] = 0x65;
	CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
		 -ENOENT);
	/* ARP. */
	hv_put_be16(f + 12, 0x0806);
	CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash),
		 -ENOENT);
	/* Tag truncated. */
	hv_put_be16(f + 12, 0x8100);
	CHECK_EQ(hash_frame(k, all_types, f, 16, &type, &hash),
		 -ENOENT);
	/* IPv6 with an extension header running past the frame. */
	len = make_v6(f, &v6[0], 6, 1);
	f[14 + 40 + 8 + 1] = 200;
	CHECK_EQ(hash_frame(k, all_types, f, len, &type, &hash), 0);
	CHECK_EQ(type, NDIS_HASH_IPV6);
	CHECK_EQ(hash, v6[0].h_ip);
}

static void
test_indirect(void)
{
	uint32_t tbl[128], i;

	for (i = 0; i < 128; i++)
		tbl[i] = i % 3;
	CHECK_EQ(hv_rss_indirect(tbl, 128, 0x51ccc178), (0x78 % 128) % 3);
	CHECK_EQ(hv_rss_indirect(tbl, 128, 130), 2 % 3);
	CHECK_EQ(hv_rss_indirect(tbl, 3, 5), tbl[2]);
	CHECK_EQ(hv_rss_indirect(tbl, 0, 5), 0);
}

int
main(void)
{
	test_vectors();
	test_table();
	test_frames();
	test_indirect();
	return check_exit("test_rss");
}
