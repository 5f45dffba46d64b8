/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Extended headers: transfer-page and GPA-direct encode -> ring -> decode
 * round trips, and rejection of every inconsistent count or offset.
 */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "vmb_guid.h"
#include "vmb_ring.h"

static uint8_t ring_mem[3 * 4096] __attribute__((aligned(4096)));
static uint8_t pkt[4096] __attribute__((aligned(8)));

static void
ring_fresh(struct vmb_ring *w, struct vmb_ring *r)
{
	vmb_ring_hdr_reset(ring_mem, 0);
	REQUIRE(vmb_ring_init_mem(w, ring_mem, sizeof(ring_mem)) == 0);
	REQUIRE(vmb_ring_init_mem(r, ring_mem, sizeof(ring_mem)) == 0);
}

static void
put16(uint32_t off, uint16_t v)
{
	memcpy(pkt + off, &v, 2);
}

static void
put32(uint32_t off, uint32_t v)
{
	memcpy(pkt + off, &v, 4);
}

static void
test_parse(void)
{
	struct vmb_pkt_view v;
	struct vmb_pkt_desc d = { 6, 3, 5, 1, 77 };

	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, &d, sizeof(d));
	CHECK_EQ(vmb_pkt_parse(pkt, 40, &v), 0);
	CHECK_EQ(v.ext_len, 8);
	CHECK_EQ(v.payload_len, 16);
	CHECK(v.payload == pkt + 24);
	CHECK_EQ(vmb_pkt_parse(pkt, 39, &v), -EBADMSG);
	CHECK_EQ(vmb_pkt_parse(pkt, 8, &v), -EBADMSG);
	put16(2, 1);
	CHECK_EQ(vmb_pkt_parse(pkt, 40, &v), -EBADMSG);
	put16(2, 6);
	CHECK_EQ(vmb_pkt_parse(pkt, 40, &v), -EBADMSG);
}

static void
test_xfer(void)
{
	struct vmb_xfer_range rg[3] = { { 100, 0 }, { 1500, 4096 },
					{ 64, 8192 } };
	struct vmb_ring w, r;
	struct vmb_xfer_view x;
	struct vmb_xfer_range got;
	uint8_t ext[64];
	const char msg[] = "nvsp-message";
	int n, len;

	CHECK_EQ(vmb_xfer_encode(ext, sizeof(ext), 0xCAFE, rg, 0), -EINVAL);
	CHECK_EQ(vmb_xfer_encode(ext, 24, 0xCAFE, rg, 3), -ENOSPC);
	n = vmb_xfer_encode(ext, sizeof(ext), VMB_XFER_PAGESET_NETVSC, rg, 3);
	CHECK_EQ(n, 32);
	ring_fresh(&w, &r);
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_DATA_XFER_PAGES, VMB_PKT_FLAG_RC,
				5, ext, (uint32_t)n,
				&(struct vmb_iov){ msg, sizeof(msg) }, 1), 1);
	len = vmb_ring_read(&r, pkt, sizeof(pkt));
	CHECK_EQ(len, 16 + 32 + 16);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 8192 + 64, &x), 0);
	CHECK_EQ(x.pageset_id, 0xCAFE);
	CHECK_EQ(x.range_count, 3);
	memcpy(&got, &x.ranges[1], sizeof(got));
	CHECK_EQ(got.len, 1500);
	CHECK_EQ(got.offset, 4096);
	CHECK(x.payload == pkt + 48);
	CHECK(memcmp(x.payload, msg, sizeof(msg)) == 0);
	CHECK_EQ(x.payload_len, 16);

	/* Range past the buffer end, by one byte and by wrap-around. */
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 8192 + 63, &x), -EBADMSG);
	put32(24 + 16, 0xffffffffu);		/* len of range 2 */
	put32(24 + 20, 8192);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put32(24 + 16, 64);
	put32(24 + 20, 0xfffffff0u);		/* offset past buffer */
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put32(24 + 20, 8192);
	put32(24 + 16, 0);			/* empty range */
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put32(24 + 16, 64);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), 0);
	/* The longest range is 1500 bytes: a maximum of 1500 takes it, 1499
	 * does not; an empty range is refused whatever the maximum. */
	CHECK_EQ(vmb_xfer_decode_max(pkt, (uint32_t)len, 1u << 20, 1500, &x),
		 0);
	CHECK_EQ(vmb_xfer_decode_max(pkt, (uint32_t)len, 1u << 20, 1499, &x),
		 -EBADMSG);
	CHECK_EQ(vmb_xfer_decode_max(pkt, (uint32_t)len, 8192 + 63, 1500,
				     &x), -EBADMSG);
	put32(24 + 16, 0);
	CHECK_EQ(vmb_xfer_decode_max(pkt, (uint32_t)len, 1u << 20, 1500, &x),
		 -EBADMSG);
	CHECK_EQ(vmb_xfer_decode_max(pkt, (uint32_t)len, 1u << 20, 0, &x),
		 -EBADMSG);
	put32(24 + 16, 64);
	/* range_count beyond data_offset8, zero, or huge. */
	put32(20, 4);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put32(20, 0);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put32(20, 0x80000000u);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put32(20, 3);
	/* Extended header too short for its fixed part, wrong type. */
	put16(2, 2);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
	put16(2, 6);
	put16(0, VMB_PKT_DATA_INBAND);
	CHECK_EQ(vmb_xfer_decode(pkt, (uint32_t)len, 1u << 20, &x), -EBADMSG);
}

static void
test_gpa_pb(void)
{
	struct vmb_gpa_pb pb[3] = {
		{ 4096, 0, 0x1000 }, { 10, 4000, 0x2000 }, { 1, 4095, 7 },
	};
	struct vmb_gpa_pb bad = { 200, 4000, 1 };
	struct vmb_ring w, r;
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	uint8_t ext[128];
	int n, len, i;

	CHECK_EQ(vmb_gpa_pb_encode(ext, sizeof(ext), &bad, 1), -EINVAL);
	bad = (struct vmb_gpa_pb){ 0, 0, 1 };
	CHECK_EQ(vmb_gpa_pb_encode(ext, sizeof(ext), &bad, 1), -EINVAL);
	bad = (struct vmb_gpa_pb){ 1, 4096, 1 };
	CHECK_EQ(vmb_gpa_pb_encode(ext, sizeof(ext), &bad, 1), -EINVAL);
	CHECK_EQ(vmb_gpa_pb_encode(ext, sizeof(ext), pb, 0), -EINVAL);
	CHECK_EQ(vmb_gpa_pb_encode(ext, 40, pb, 3), -ENOSPC);
	n = vmb_gpa_pb_encode(ext, sizeof(ext), pb, 3);
	CHECK_EQ(n, 8 + 48);
	ring_fresh(&w, &r);
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_DATA_GPA_DIRECT, VMB_PKT_FLAG_RC,
				9, ext, (uint32_t)n,
				&(struct vmb_iov){ "0123456789abcdef", 16 },
				1), 1);
	len = vmb_ring_read(&r, pkt, sizeof(pkt));
	CHECK_EQ(len, 16 + 56 + 16);
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(vmb_gpa_next(&it, &g), 1);
		CHECK_EQ(g.len, pb[i].len);
		CHECK_EQ(g.offset, pb[i].offset);
		CHECK_EQ(g.npfn, 1);
		CHECK(vmb_gpa_pfn(&g, 0) == pb[i].pfn);
	}
	CHECK_EQ(vmb_gpa_next(&it, &g), 0);

	/* A range whose offset + len spans two pages needs two PFNs, which
	 * then run into the next range's header and finally off the end.
	 */
	put32(16 + 8 + 16 * 2, 200);	/* range 2: len 200 at 4095 */
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 3);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), -EBADMSG);
	put32(16 + 8 + 16 * 2, 1);
	put32(16 + 8 + 16 * 2 + 4, 4096);	/* offset out of page */
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 3);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), -EBADMSG);
	put32(16 + 8 + 16 * 2 + 4, 4095);
	put32(16 + 8 + 16 * 2, 0);		/* empty */
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 3);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), -EBADMSG);
	put32(16 + 8 + 16 * 2, 1);
	put32(20, 0);				/* range_count 0 */
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), -EBADMSG);
	put32(20, 4);				/* more than fit */
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), -EBADMSG);
	put32(20, 0xffffffffu);
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), -EBADMSG);
	put32(20, 3);
	put16(0, VMB_PKT_DATA_XFER_PAGES);
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), -EBADMSG);
}

/* vmb_gpa_pb_split2() over every offset class and the lengths at the
 * page boundary: the ranges cover exactly the bytes asked for, in order,
 * and the checking encoder accepts them. */
static void
test_gpa_pb_split2(void)
{
	static const uint32_t offs[] = { 0, 1, 128, 2048, 4094, 4095 };
	static const uint32_t lens[] = { 1, 2, 60, 1514, 4095, 4096, 4097,
					 8191, 8192 };
	struct vmb_gpa_pb pb[2];
	uint8_t ext[8 + 2 * 16];
	uint64_t gpa;
	uint32_t i, j, n, sum;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			if (offs[i] + lens[j] > 2 * VMB_PAGE_SIZE)
				continue;
			gpa = (UINT64_C(0x12345) << VMB_PAGE_SHIFT) + offs[i];
			memset(pb, 0xa5, sizeof(pb));
			n = vmb_gpa_pb_split2(pb, gpa, lens[j]);
			CHECK_EQ(n, offs[i] + lens[j] > VMB_PAGE_SIZE ? 2u : 1u);
			CHECK_EQ(pb[0].offset, offs[i]);
			CHECK(pb[0].pfn == 0x12345);
			sum = pb[0].len;
			if (n == 2) {
				CHECK_EQ(pb[0].offset + pb[0].len,
					 VMB_PAGE_SIZE);
				CHECK_EQ(pb[1].offset, 0u);
				CHECK(pb[1].pfn == 0x12346);
				sum += pb[1].len;
			}
			CHECK_EQ(sum, lens[j]);
			CHECK_EQ(vmb_gpa_pb_encode(ext, sizeof(ext), pb, n),
				 (int)(8 + 16 * n));
		}
	}
}

static void
test_gpa_mpb(void)
{
	uint64_t pfns[5] = { 11, 12, 13, 14, 15 };
	struct vmb_ring w, r;
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	uint8_t ext[128];
	int n, len;
	uint32_t i;

	/* 100 + 12188 bytes end exactly on the third page. */
	CHECK_EQ(vmb_gpa_mpb_encode(ext, sizeof(ext), 12188, 100, pfns, 2),
		 -EINVAL);
	CHECK_EQ(vmb_gpa_mpb_encode(ext, sizeof(ext), 12188, 100, pfns, 4),
		 -EINVAL);
	CHECK_EQ(vmb_gpa_mpb_encode(ext, sizeof(ext), 12188, 4096, pfns, 3),
		 -EINVAL);
	CHECK_EQ(vmb_gpa_mpb_encode(ext, 32, 12188, 100, pfns, 3), -ENOSPC);
	n = vmb_gpa_mpb_encode(ext, sizeof(ext), 12188, 100, pfns, 3);
	CHECK_EQ(n, 16 + 24);
	CHECK_EQ(vmb_gpa_mpb_encode(pkt, sizeof(ext), 12189, 100, pfns, 4),
		 48);
	ring_fresh(&w, &r);
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_DATA_GPA_DIRECT, VMB_PKT_FLAG_RC,
				9, ext, (uint32_t)n, NULL, 0), 1);
	len = vmb_ring_read(&r, pkt, sizeof(pkt));
	CHECK_EQ(len, 16 + 40);
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), 1);
	CHECK_EQ(g.len, 12188);
	CHECK_EQ(g.offset, 100);
	CHECK_EQ(g.npfn, 3);
	for (i = 0; i < 3; i++)
		CHECK(vmb_gpa_pfn(&g, i) == pfns[i]);
	CHECK_EQ(vmb_gpa_next(&it, &g), 0);
	/* One more byte needs a fourth PFN that is not there. */
	put32(24, 12189);
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), -EBADMSG);
	/* len near 2^32: the span must not wrap. */
	put32(24, 0xffffffffu);
	CHECK_EQ(vmb_gpa_begin(pkt, (uint32_t)len, &it), 1);
	CHECK_EQ(vmb_gpa_next(&it, &g), -EBADMSG);
}

static void
test_completion(void)
{
	struct vmb_ring w, r;
	struct vmb_pkt_view v;
	uint32_t status = 1;
	int len;

	ring_fresh(&w, &r);
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, 0xabcdef, NULL, 0,
				&(struct vmb_iov){ &status, 4 }, 1), 1);
	len = vmb_ring_read(&r, pkt, sizeof(pkt));
	CHECK_EQ(len, 24);
	CHECK_EQ(vmb_pkt_parse(pkt, (uint32_t)len, &v), 0);
	CHECK_EQ(v.desc.type, VMB_PKT_COMPLETION);
	CHECK_EQ(v.desc.flags, 0);
	CHECK(v.desc.xid == 0xabcdef);
	CHECK_EQ(v.ext_len, 0);
	CHECK_EQ(v.payload_len, 8);	/* padded */
	CHECK(memcmp(v.payload, &status, 4) == 0);
}

static void
test_guid(void)
{
	static const uint8_t wire[16] = {
		0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
		0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
	};
	struct vmb_guid g, h;
	char buf[VMB_GUID_STRLEN];

	CHECK_EQ(vmb_guid_parse("F8615163-df3e-46c5-913f-f2d2f965ed0e", &g), 0);
	CHECK(memcmp(g.b, wire, 16) == 0);
	CHECK(vmb_guid_equal(&g, &vmb_guid_netvsc));
	CHECK_EQ(vmb_guid_format(&g, buf, sizeof(buf)), 0);
	CHECK(strcmp(buf, "f8615163-df3e-46c5-913f-f2d2f965ed0e") == 0);
	CHECK_EQ(vmb_guid_format(&g, buf, 36), -ENOSPC);
	CHECK_EQ(vmb_guid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0", &h),
		 -EINVAL);
	CHECK_EQ(vmb_guid_parse("f8615163-df3e-46c5-913f-f2d2f965ed0e0", &h),
		 -EINVAL);
	CHECK_EQ(vmb_guid_parse("f8615163xdf3e-46c5-913f-f2d2f965ed0e", &h),
		 -EINVAL);
	CHECK_EQ(vmb_guid_parse("g8615163-df3e-46c5-913f-f2d2f965ed0e", &h),
		 -EINVAL);
	CHECK_EQ(vmb_guid_parse("00000000-0000-0000-0000-000000000001", &h), 0);
	CHECK(vmb_guid_cmp(&h, &g) != 0);
	CHECK(!vmb_guid_equal(&h, &g));
}

int
main(void)
{
	test_parse();
	test_xfer();
	test_gpa_pb();
	test_gpa_pb_split2();
	test_gpa_mpb();
	test_completion();
	test_guid();
	return check_exit("test_pkt");
}
