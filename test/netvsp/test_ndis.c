/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* NDIS objects: offload caps/params and RSS caps/params. */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hv_wire.h"
#include "ndis.h"

static void
test_hdr(void)
{
	uint8_t b[4];

	CHECK_EQ(ndis_obj_hdr_encode(b, 4, NDIS_OBJTYPE_RSS_CAPS, 2, 18), 4);
	CHECK_EQ(b[0], 0x88);
	CHECK_EQ(b[1], 2);
	CHECK_EQ(b[2], 18);
	CHECK_EQ(b[3], 0);
	CHECK_EQ(ndis_obj_hdr_encode(b, 3, 0, 0, 0), -ENOBUFS);
}

static void
test_offload(void)
{
	struct ndis_offload caps, out;
	uint8_t b[200];
	uint8_t rev;

	memset(&caps, 0, sizeof(caps));
	caps.ip4_tx_encap = NDIS_OFFLOAD_ENCAP_8023;
	caps.ip4_tx_flags = NDIS_TXCSUM_CAP_TCP4 | NDIS_TXCSUM_CAP_UDP4 |
		NDIS_TXCSUM_CAP_IP4;
	caps.lsov2_ip4_encap = NDIS_OFFLOAD_ENCAP_8023;
	caps.lsov2_ip4_max_size = 0xF53C;
	caps.lsov2_ip4_min_segs = 2;
	caps.ipsecv2[0] = 0x11111111;
	caps.rsc_ip4 = 1;
	caps.encap_max_hdr = 0x22;

	for (rev = 1; rev <= 3; rev++) {
		int sz = ndis_offload_size(rev);

		memset(b, 0xCC, sizeof(b));
		CHECK_EQ(ndis_offload_encode(b, sizeof(b), &caps, rev), sz);
		CHECK_EQ(b[0], NDIS_OBJTYPE_OFFLOAD);
		CHECK_EQ(b[1], rev);
		CHECK_EQ(b[sz], 0xCC);	/* truncated to the revision */
		CHECK_EQ(hv_get_le32(b + 84), 0xF53C);
		CHECK_EQ(ndis_offload_decode(b, sz, &out), rev);
		CHECK_EQ(out.lsov2_ip4_max_size, 0xF53C);
		CHECK_EQ(out.ip4_tx_flags, caps.ip4_tx_flags);
		/* Fields past the object's size read as zero. */
		CHECK_EQ(out.ipsecv2[0], rev >= 2 ? 0x11111111 : 0);
		CHECK_EQ(out.rsc_ip4, rev >= 3 ? 1 : 0);
		CHECK_EQ(out.encap_max_hdr, rev >= 3 ? 0x22 : 0);
		CHECK_EQ(ndis_offload_decode(b, sz - 1, &out), -EBADMSG);
	}
	CHECK_EQ(ndis_offload_size(0), 0);
	CHECK_EQ(ndis_offload_size(4), 0);
	CHECK_EQ(ndis_offload_encode(b, sizeof(b), &caps, 4), -EINVAL);
	CHECK_EQ(ndis_offload_encode(b, 155, &caps, 3), -ENOBUFS);

	/* Validation (protocol.rst 10, check 21). */
	ndis_offload_encode(b, sizeof(b), &caps, 3);
	b[0] = NDIS_OBJTYPE_DEFAULT;
	CHECK_EQ(ndis_offload_decode(b, 156, &out), -EBADMSG);
	b[0] = NDIS_OBJTYPE_OFFLOAD;
	b[1] = 0;
	CHECK_EQ(ndis_offload_decode(b, 156, &out), -EINVAL);
	b[1] = 3;
	hv_put_le16(b + 2, 111);
	CHECK_EQ(ndis_offload_decode(b, 156, &out), -EBADMSG);
	/* A future, bigger revision is accepted and truncated. */
	b[1] = 4;
	hv_put_le16(b + 2, 180);
	CHECK_EQ(ndis_offload_decode(b, sizeof(b), &out), 4);
	CHECK_EQ(out.hdr.size, 180);
	CHECK_EQ(ndis_offload_decode(b, 179, &out), -EBADMSG);
	CHECK_EQ(ndis_offload_decode(b, 3, &out), -EBADMSG);
}

static void
test_offload_params(void)
{
	struct ndis_offload_params p, out;
	uint8_t b[64];
	uint8_t rev;

	memset(&p, 0, sizeof(p));
	p.ip4_csum = NDIS_OFFLOAD_PARAM_TX_RX_OFF;
	p.tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX_ON;
	p.udp6_csum = NDIS_OFFLOAD_PARAM_RX_ON_TX_OFF;
	p.lsov2_ip4 = NDIS_OFFLOAD_PARAM_ON;
	p.lsov2_ip6 = NDIS_OFFLOAD_PARAM_OFF;
	p.ipsecv2 = 1;
	p.rsc_ip4 = NDIS_OFFLOAD_PARAM_ON;

	for (rev = 1; rev <= 3; rev++) {
		int sz = ndis_offload_params_size(rev);

		CHECK_EQ(ndis_offload_params_encode(b, sizeof(b), &p, rev), sz);
		CHECK_EQ(b[0], NDIS_OBJTYPE_DEFAULT);
		CHECK_EQ(b[2], sz);
		CHECK_EQ(b[5], NDIS_OFFLOAD_PARAM_TX_RX_ON);
		CHECK_EQ(b[11], NDIS_OFFLOAD_PARAM_ON);
		CHECK_EQ(ndis_offload_params_decode(b, sz, &out), rev);
		CHECK_EQ(out.tcp4_csum, 4);
		CHECK_EQ(out.lsov2_ip6, 1);
		CHECK_EQ(out.ipsecv2, rev >= 2 ? 1 : 0);
		CHECK_EQ(out.rsc_ip4, rev >= 3 ? 2 : 0);
		CHECK_EQ(ndis_offload_params_decode(b, sz - 1, &out),
			 -EBADMSG);
	}
	/* Linux: revision 3 at 22 bytes. */
	ndis_offload_params_encode(b, sizeof(b), &p, 2);
	b[1] = 3;
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), 3);
	CHECK_EQ(out.rsc_ip4, 0);
	/* Too small, wrong type, revision 0, bad values. */
	hv_put_le16(b + 2, 19);
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), -EBADMSG);
	hv_put_le16(b + 2, 22);
	b[0] = NDIS_OBJTYPE_RSS_PARAMS;
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), -EBADMSG);
	b[0] = NDIS_OBJTYPE_DEFAULT;
	b[1] = 0;
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), -EINVAL);
	b[1] = 2;
	b[4] = 5;
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), -EINVAL);
	b[4] = 0;
	b[12] = 3;
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), -EINVAL);
	b[12] = 2;
	CHECK_EQ(ndis_offload_params_decode(b, 22, &out), 2);
	CHECK_EQ(ndis_offload_params_encode(b, sizeof(b), &p, 0), -EINVAL);
	CHECK_EQ(ndis_offload_params_encode(b, 27, &p, 3), -ENOBUFS);
}

static void
test_rss_caps(void)
{
	struct ndis_rss_caps c = {
		.caps = NDIS_RSS_CAP_TOEPLITZ | NDIS_RSS_CAP_TCP_IPV4 |
			NDIS_RSS_CAP_TCP_IPV6 | NDIS_RSS_CAP_MSIX,
		.num_int_msgs = 8, .num_queues = 8, .num_ind_entries = 128,
	};
	struct ndis_rss_caps out;
	uint8_t b[32];

	CHECK_EQ(ndis_rss_caps_encode(b, sizeof(b), &c, 2), 18);
	CHECK_EQ(b[0], 0x88);
	CHECK_EQ(b[2], 18);
	CHECK_EQ(hv_get_le32(b + 12), 8);
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), 2);
	CHECK(memcmp(&c, &out, sizeof(c)) == 0);
	CHECK_EQ(ndis_rss_caps_decode(b, 17, &out), -EBADMSG);
	CHECK_EQ(ndis_rss_caps_encode(b, sizeof(b), &c, 1), 16);
	CHECK_EQ(ndis_rss_caps_decode(b, 16, &out), 1);
	CHECK_EQ(out.num_ind_entries, 0);
	CHECK_EQ(out.num_queues, 8);
	/* Zero queues. */
	c.num_queues = 0;
	ndis_rss_caps_encode(b, sizeof(b), &c, 2);
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), -EINVAL);
	c.num_queues = 4;
	/* Indirection entries 0 and 129 (rev 2). */
	c.num_ind_entries = 0;
	ndis_rss_caps_encode(b, sizeof(b), &c, 2);
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), -EINVAL);
	c.num_ind_entries = 129;
	ndis_rss_caps_encode(b, sizeof(b), &c, 2);
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), -EINVAL);
	c.num_ind_entries = 64;
	ndis_rss_caps_encode(b, sizeof(b), &c, 2);
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), 2);
	CHECK_EQ(out.num_ind_entries, 64);
	/* Revision 2 with a 16-byte size: entries unknown. */
	b[2] = 16;
	CHECK_EQ(ndis_rss_caps_decode(b, 16, &out), 2);
	CHECK_EQ(out.num_ind_entries, 0);
	b[2] = 15;
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), -EBADMSG);
	b[2] = 18;
	b[1] = 0;
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), -EINVAL);
	b[1] = 2;
	b[0] = 0x89;
	CHECK_EQ(ndis_rss_caps_decode(b, 18, &out), -EBADMSG);
	CHECK_EQ(ndis_rss_caps_encode(b, sizeof(b), &c, 3), -EINVAL);
	CHECK_EQ(ndis_rss_caps_encode(b, 17, &c, 2), -ENOBUFS);
	c.num_ind_entries = 70000;
	CHECK_EQ(ndis_rss_caps_encode(b, sizeof(b), &c, 2), -EINVAL);
}

static void
test_rss_params(void)
{
	static struct ndis_rss_params p, out;
	static uint8_t b[700];
	uint32_t i;

	memset(&p, 0, sizeof(p));
	p.hash_info = NDIS_HASH_FUNCTION_TOEPLITZ | NDIS_HASH_IPV4 |
		NDIS_HASH_TCP_IPV4 | NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6;
	p.table_len = 128;
	for (i = 0; i < 128; i++)
		p.table[i] = i % 4;
	for (i = 0; i < NDIS_RSS_KEY_SIZE; i++)
		p.key[i] = (uint8_t)(i * 7);

	CHECK_EQ(ndis_rss_params_encode(b, sizeof(b), &p),
		 NDIS_RSS_PARAMS_FULL_SIZE);
	CHECK_EQ(b[0], 0x89);
	CHECK_EQ(b[1], 2);
	CHECK_EQ(b[2], 40);
	CHECK_EQ(hv_get_le32(b + 8), p.hash_info);
	CHECK_EQ(b[12] | b[13] << 8, 512);
	CHECK_EQ(hv_get_le32(b + 16), 40);
	CHECK_EQ(b[20], 40);
	CHECK_EQ(hv_get_le32(b + 24), 552);
	CHECK_EQ(hv_get_le32(b + 40 + 4 * 5), 1);
	CHECK_EQ(b[552 + 3], 21);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), 0);
	CHECK_EQ(out.table_len, 128);
	CHECK(memcmp(out.table, p.table, sizeof(p.table)) == 0);
	CHECK(memcmp(out.key, p.key, sizeof(p.key)) == 0);
	CHECK_EQ(out.hash_info, p.hash_info);
	/* Entries against the queue count. */
	CHECK_EQ(ndis_rss_params_decode(b, 592, 3, &out), -ERANGE);
	/* Short buffer cuts the key. */
	CHECK_EQ(ndis_rss_params_decode(b, 591, 4, &out), -EINVAL);
	CHECK_EQ(ndis_rss_params_decode(b, 39, 4, &out), -EBADMSG);

	/* Key size != 40. */
	b[20] = 32;
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	b[20] = 40;
	/* Key offset inside the header, and wrapping. */
	hv_put_le32(b + 24, 20);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	hv_put_le32(b + 24, 0xFFFFFFF0);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	hv_put_le32(b + 24, 552);
	/* Table size 0, not a multiple of 4, over 512, past the buffer. */
	hv_put_le16(b + 12, 0);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	hv_put_le16(b + 12, 510);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	hv_put_le16(b + 12, 516);
	CHECK_EQ(ndis_rss_params_decode(b, 700, 4, &out), -EINVAL);
	hv_put_le16(b + 12, 512);
	hv_put_le32(b + 16, 100);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	hv_put_le32(b + 16, 36);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	hv_put_le32(b + 16, 40);
	/* A 64-entry table is fine. */
	hv_put_le16(b + 12, 256);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), 0);
	CHECK_EQ(out.table_len, 64);
	hv_put_le16(b + 12, 512);
	/* Unknown hash function. */
	b[8] = 2;
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	/* ... ignored with HASH_INFO_UNCHANGED. */
	hv_put_le16(b + 4, NDIS_RSS_FLAG_HASH_INFO_UNCHANGED);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), 0);
	b[8] = 0;	/* function 0: RSS off, still a valid message */
	hv_put_le16(b + 4, 0);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), 0);
	/* Unchanged table/key are not read (nor checked). */
	hv_put_le16(b + 4, NDIS_RSS_FLAG_TABLE_UNCHANGED | NDIS_RSS_FLAG_KEY_UNCHANGED);
	CHECK_EQ(ndis_rss_params_decode(b, 40, 1, &out), 0);
	CHECK_EQ(out.table_len, 0);
	/* DISABLE: only flags and hash info. */
	hv_put_le16(b + 4, NDIS_RSS_FLAG_DISABLE);
	b[20] = 0;
	CHECK_EQ(ndis_rss_params_decode(b, 592, 0, &out), 0);
	CHECK_EQ(out.flags, NDIS_RSS_FLAG_DISABLE);
	/* Header rules. */
	b[1] = 0;
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EINVAL);
	b[1] = 2;
	b[0] = 0x88;
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EBADMSG);
	b[0] = 0x89;
	hv_put_le16(b + 2, 600);
	CHECK_EQ(ndis_rss_params_decode(b, 592, 4, &out), -EBADMSG);

	/* Encoder: small tables put the key right after. */
	p.table_len = 16;
	CHECK_EQ(ndis_rss_params_encode(b, sizeof(b), &p), 40 + 64 + 40);
	CHECK_EQ(hv_get_le32(b + 24), 104);
	CHECK_EQ(ndis_rss_params_decode(b, 144, 4, &out), 0);
	CHECK(memcmp(out.key, p.key, sizeof(p.key)) == 0);
	CHECK_EQ(out.table_len, 16);
	p.table_len = 0;
	CHECK_EQ(ndis_rss_params_encode(b, sizeof(b), &p), -EINVAL);
	p.table_len = 129;
	CHECK_EQ(ndis_rss_params_encode(b, sizeof(b), &p), -EINVAL);
	p.table_len = 128;
	CHECK_EQ(ndis_rss_params_encode(b, 591, &p), -ENOBUFS);
}

int
main(void)
{
	test_hdr();
	test_offload();
	test_offload_params();
	test_rss_caps();
	test_rss_params();
	return check_exit("test_ndis");
}
