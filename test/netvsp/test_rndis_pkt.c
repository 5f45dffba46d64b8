/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* RNDIS PACKET_MSG: builder, parser rules, PPI walking, aggregation. */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hv_wire.h"
#include "rndis.h"

/* Field offsets in the 44-byte header. */
#define O_LEN		4
#define O_DOFF		8
#define O_DLEN		12
#define O_PPIOFF	28
#define O_PPILEN	32

static void
fill_frame(uint8_t *p, uint32_t len, uint8_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i);
}

/* A packet with checksum, VLAN and hash PPIs and a 60-byte frame. */
static int
build_std(uint8_t *b, size_t size, uint32_t align)
{
	int off;

	REQUIRE(rndis_packet_begin(b, size) == 0);
	REQUIRE(rndis_packet_add_ppi_u32(b, size, RNDIS_PPI_CSUM,
					 RNDIS_RXCSUM_TCP_OK) == 0);
	REQUIRE(rndis_packet_add_ppi_u32(b, size, RNDIS_PPI_VLAN,
					 rndis_vlan_from_tci(100)) == 0);
	REQUIRE(rndis_packet_add_ppi_u32(b, size, RNDIS_PPI_HASH_VALUE,
					 0xDEADBEEF) == 0);
	REQUIRE(rndis_packet_add_ppi_u32(b, size, RNDIS_PPI_HASH_INFO,
					 0x201) == 0);
	off = rndis_packet_end(b, size, 0, 60, align);
	REQUIRE(off > 0);
	fill_frame(b + off, 60, 1);
	return off;
}

static void
test_build_parse(void)
{
	struct rndis_pkt_info pi;
	uint8_t b[512];
	int off;

	off = build_std(b, sizeof(b), 0);
	CHECK_EQ(off, 44 + 4 * 16);
	CHECK_EQ(hv_get_le32(b + O_PPIOFF), 36);
	CHECK_EQ(hv_get_le32(b + O_PPILEN), 64);
	CHECK_EQ(hv_get_le32(b + O_DOFF), 36 + 64);
	CHECK_EQ(hv_get_le32(b + O_LEN), 108 + 60);
	CHECK_EQ(rndis_parse_packet(b, 168, &pi), 0);
	CHECK_EQ(pi.msg_len, 168);
	CHECK_EQ(pi.frame_off, 108);
	CHECK_EQ(pi.frame_len, 60);
	CHECK_EQ(pi.present, RNDIS_PKT_HAS_CSUM | RNDIS_PKT_HAS_VLAN |
		 RNDIS_PKT_HAS_HASH_VALUE | RNDIS_PKT_HAS_HASH_INFO);
	CHECK_EQ(pi.csum, RNDIS_RXCSUM_TCP_OK);
	CHECK_EQ(rndis_vlan_to_tci(pi.vlan), 100);
	CHECK_EQ(pi.hash_value, 0xDEADBEEF);
	CHECK_EQ(pi.hash_info, 0x201);
	CHECK_EQ(b[pi.frame_off], 1);

	/* No PPIs at all; data at openvmm's 248 with the gap zeroed. */
	memset(b, 0xAA, sizeof(b));
	CHECK_EQ(rndis_packet_begin(b, sizeof(b)), 0);
	CHECK_EQ(rndis_packet_end(b, sizeof(b), 256, 64, 0), 256);
	CHECK_EQ(hv_get_le32(b + O_DOFF), 248);
	CHECK_EQ(b[100], 0);
	CHECK_EQ(rndis_parse_packet(b, 320, &pi), 0);
	CHECK_EQ(pi.present, 0);
	CHECK_EQ(pi.frame_off, 256);

	/* LSO, odd-sized PPI data padded to 4, the RSC id. */
	{
		uint8_t three[3] = { 9, 9, 9 };
		uint32_t rsc = 1 | (RNDIS_PKTINFO_FIRST_FRAG << 8) |
			(0x4321u << 16);

		CHECK_EQ(rndis_packet_begin(b, sizeof(b)), 0);
		CHECK_EQ(rndis_packet_add_ppi(b, sizeof(b), 77, three, 3), 0);
		CHECK_EQ(rndis_packet_add_ppi_u32(b, sizeof(b), RNDIS_PPI_LSO,
			 rndis_lso2_make(1460, 54, 1)), 0);
		CHECK_EQ(rndis_packet_add_ppi_u32(b, sizeof(b),
			 RNDIS_PPI_PKTINFO_ID, rsc), 0);
		CHECK_EQ(hv_get_le32(b + 44), 16);	/* 12 + 3 rounded up */
		off = rndis_packet_end(b, sizeof(b), 0, 1514 - 1500, 0);
		CHECK_EQ(off, 44 + 16 + 16 + 16);
		CHECK_EQ(rndis_parse_packet(b, sizeof(b), &pi), 0);
		CHECK_EQ(pi.present, RNDIS_PKT_HAS_LSO |
			 RNDIS_PKT_HAS_PKTINFO_ID);
		CHECK_EQ(pi.lso & RNDIS_LSO2_MSS_MASK, 1460);
		CHECK_EQ(pi.pktinfo_flags, RNDIS_PKTINFO_FIRST_FRAG);
		CHECK_EQ(pi.pktinfo_id, 0x4321);
	}

	/* Builder misuse. */
	CHECK_EQ(rndis_packet_begin(b, 43), -ENOBUFS);
	CHECK_EQ(rndis_packet_begin(b, sizeof(b)), 0);
	CHECK_EQ(rndis_packet_add_ppi(b, 55, 0, b, 4), -ENOBUFS);
	CHECK_EQ(rndis_packet_add_ppi(b, sizeof(b), 0, NULL, 4), -EINVAL);
	CHECK_EQ(rndis_packet_end(b, sizeof(b), 40, 14, 0), -EINVAL);
	CHECK_EQ(rndis_packet_end(b, sizeof(b), 0, 14, 3), -EINVAL);
	CHECK_EQ(rndis_packet_end(b, 57, 0, 14, 0), -ENOBUFS);
	CHECK_EQ(rndis_packet_end(b, sizeof(b), 0, 0xFFFFFFF0u, 0), -ENOBUFS);
	CHECK_EQ(rndis_packet_end(b, sizeof(b), 0, 14, 0), 44);
	CHECK_EQ(rndis_packet_add_ppi_u32(b, sizeof(b), 0, 1), -EINVAL);
	hv_put_le32(b, RNDIS_MSG_QUERY);
	CHECK_EQ(rndis_packet_add_ppi_u32(b, sizeof(b), 0, 1), -EINVAL);
	/* Alignment padding is in msg_len and zeroed. */
	memset(b, 0xAA, sizeof(b));
	CHECK_EQ(rndis_packet_begin(b, sizeof(b)), 0);
	CHECK_EQ(rndis_packet_end(b, sizeof(b), 0, 15, 8), 44);
	CHECK_EQ(hv_get_le32(b + O_LEN), 64);
	CHECK_EQ(hv_get_le32(b + O_DLEN), 15);
	CHECK_EQ(b[63], 0);
	CHECK_EQ(b[64], 0xAA);
}

static void
test_header_rules(void)
{
	struct rndis_pkt_info pi;
	uint8_t b[512];
	uint32_t len;

	build_std(b, sizeof(b), 0);
	len = hv_get_le32(b + O_LEN);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	/* Range shorter than the header / than msg_len. */
	CHECK_EQ(rndis_parse_packet(b, 43, &pi), -EBADMSG);
	CHECK_EQ(rndis_parse_packet(b, len - 1, &pi), -EBADMSG);
	/* msg_len below the header. */
	hv_put_le32(b + O_LEN, 43);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EBADMSG);
	hv_put_le32(b + O_LEN, len);
	/* Wrong type. */
	hv_put_le32(b, RNDIS_MSG_INDICATE);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EBADMSG);
	hv_put_le32(b, RNDIS_MSG_PACKET);

	/* data_offset below 36 and at/after msg_len - 8. */
	hv_put_le32(b + O_DOFF, 35);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DOFF, len - 8);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DOFF, 0xFFFFFFF0);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DOFF, 100);
	/* data_len past the message, 0, 13, exactly fitting. */
	hv_put_le32(b + O_DLEN, len - 8 - 100 + 1);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DLEN, 0);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DLEN, 13);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DLEN, len - 8 - 100);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	hv_put_le32(b + O_DLEN, 0xFFFFFFFF);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_DLEN, 60);

	/* ppi_offset below 36, not a multiple of 4, past the message. */
	hv_put_le32(b + O_PPIOFF, 32);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPIOFF, 38);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPIOFF, len);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPIOFF, 0xFFFFFFFC);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPIOFF, 36);
	/* ppi_len below 12, past the message, wrapping. */
	hv_put_le32(b + O_PPILEN, 8);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPILEN, len - 8 - 36 + 4);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPILEN, 0xFFFFFFF0);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	/* ppi_len 0: PPIs ignored, whatever ppi_offset says. */
	hv_put_le32(b + O_PPILEN, 0);
	hv_put_le32(b + O_PPIOFF, 3);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	CHECK_EQ(pi.present, 0);
}

static void
test_ppi_rules(void)
{
	struct rndis_pkt_info pi;
	uint8_t b[512], *e;
	uint32_t len;

	build_std(b, sizeof(b), 0);
	len = hv_get_le32(b + O_LEN);
	e = b + 44;		/* first element: checksum */

	/* Element size 0 (would loop forever), < 12, not multiple of 4. */
	hv_put_le32(e, 0);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e, 8);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e, 18);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	/* Larger than what remains of the PPI area. */
	hv_put_le32(e, 68);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e, 0xFFFFFFFC);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	/* Swallowing the whole area is fine: one (bigger) checksum PPI. */
	hv_put_le32(e, 64);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	CHECK_EQ(pi.present, RNDIS_PKT_HAS_CSUM);
	hv_put_le32(e, 16);
	/* Data offset inside the header, at the end, leaving < 4 bytes. */
	hv_put_le32(e + 8, 4);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e + 8, 16);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e + 8, 13);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e + 8, 0xFFFFFFFF);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(e + 8, 12);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	/* A tail of 8 bytes that cannot hold an element header. */
	hv_put_le32(b + O_PPILEN, 64 - 8);
	hv_put_le32(b + 44 + 48, 8);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), -EINVAL);
	hv_put_le32(b + O_PPILEN, 64);
	hv_put_le32(b + 44 + 48, 16);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	/* Unknown types are skipped whatever their data offset. */
	hv_put_le32(e + 4, 1234);
	hv_put_le32(e + 8, 0xFFFF);
	CHECK_EQ(rndis_parse_packet(b, len, &pi), 0);
	CHECK_EQ(pi.present & RNDIS_PKT_HAS_CSUM, 0);
	CHECK(pi.present & RNDIS_PKT_HAS_VLAN);
}

/*
 * Odd but legal layouts a host may produce: PPIs after the frame, a gap
 * between header and PPIs, padding inside an element, data at offset 16.
 */
static void
test_odd_layouts(void)
{
	struct rndis_pkt_info pi;
	uint8_t b[256];
	uint8_t *e;

	memset(b, 0, sizeof(b));
	hv_put_le32(b, RNDIS_MSG_PACKET);
	hv_put_le32(b + O_LEN, 200);
	hv_put_le32(b + O_DOFF, 36);		/* frame right after the header */
	hv_put_le32(b + O_DLEN, 60);		/* bytes 44..103 */
	hv_put_le32(b + O_PPIOFF, 112);	/* PPIs at 120, after a gap */
	hv_put_le32(b + O_PPILEN, 20 + 16);
	e = b + 120;
	hv_put_le32(e, 20);			/* VLAN with its data at 16 */
	hv_put_le32(e + 4, RNDIS_PPI_VLAN);
	hv_put_le32(e + 8, 16);
	hv_put_le32(e + 16, rndis_vlan_from_tci(7));
	e += 20;
	hv_put_le32(e, 16);
	hv_put_le32(e + 4, RNDIS_PPI_HASH_VALUE);
	hv_put_le32(e + 8, 12);
	hv_put_le32(e + 12, 42);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), 0);
	CHECK_EQ(pi.frame_off, 44);
	CHECK_EQ(pi.frame_len, 60);
	CHECK_EQ(rndis_vlan_to_tci(pi.vlan), 7);
	CHECK_EQ(pi.hash_value, 42);
	/* A repeated type: the later value wins. */
	hv_put_le32(e + 4, RNDIS_PPI_VLAN);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), 0);
	CHECK_EQ(pi.vlan, 42);
	CHECK_EQ(pi.present, RNDIS_PKT_HAS_VLAN);
	/* PPIs overlapping the frame are not this parser's business. */
	hv_put_le32(b + O_PPIOFF, 36);
	hv_put_le32(b + O_PPILEN, 16);
	hv_put_le32(b + 44, 16);
	hv_put_le32(b + 48, RNDIS_PPI_CSUM);
	hv_put_le32(b + 52, 12);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), 0);
	CHECK(pi.present & RNDIS_PKT_HAS_CSUM);
	/* A range longer than msg_len (a receive section) is fine. */
	CHECK_EQ(rndis_parse_packet(b, sizeof(b), &pi), 0);
	CHECK_EQ(pi.msg_len, 200);
}

/*
 * Layouts that are consistent in every respect but one alignment rule, so
 * that rule alone must reject them.
 */
static void
test_alignment_rules(void)
{
	struct rndis_pkt_info pi;
	uint8_t b[256];
	uint8_t *e;

	/* PPI area at ppi_offset 38 (message offset 46), otherwise valid. */
	memset(b, 0, sizeof(b));
	hv_put_le32(b, RNDIS_MSG_PACKET);
	hv_put_le32(b + O_LEN, 200);
	hv_put_le32(b + O_DOFF, 100);
	hv_put_le32(b + O_DLEN, 60);
	hv_put_le32(b + O_PPIOFF, 38);
	hv_put_le32(b + O_PPILEN, 16);
	e = b + 46;
	hv_put_le32(e, 16);
	hv_put_le32(e + 4, RNDIS_PPI_HASH_VALUE);
	hv_put_le32(e + 8, 12);
	hv_put_le32(e + 12, 77);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), -EINVAL);
	/* The same element at ppi_offset 40 passes. */
	hv_put_le32(b + O_PPIOFF, 40);
	memmove(b + 48, e, 16);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), 0);
	CHECK_EQ(pi.hash_value, 77);

	/* One 18-byte element filling an 18-byte PPI area. */
	memset(b + 48, 0, 32);
	hv_put_le32(b + O_PPILEN, 18);
	e = b + 48;
	hv_put_le32(e, 18);
	hv_put_le32(e + 4, RNDIS_PPI_CSUM);
	hv_put_le32(e + 8, 12);
	hv_put_le32(e + 12, RNDIS_RXCSUM_IP_OK);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), -EINVAL);
	/* Rounded to 20 it is accepted. */
	hv_put_le32(b + O_PPILEN, 20);
	hv_put_le32(e, 20);
	CHECK_EQ(rndis_parse_packet(b, 200, &pi), 0);
	CHECK_EQ(pi.csum, RNDIS_RXCSUM_IP_OK);
}

/*
 * A PPI area whose 6-byte tail ends the buffer: the walk must see that no
 * 12-byte element header fits before reading one (ASan checks the read,
 * the exact-size heap copy puts the buffer end right there).
 */
static void
test_ppi_tail_at_end(void)
{
	struct rndis_pkt_info pi;
	const uint32_t msg_len = 44 + 14 + 16 + 8;
	uint8_t *b = calloc(1, msg_len);

	REQUIRE(b != NULL);
	hv_put_le32(b, RNDIS_MSG_PACKET);
	hv_put_le32(b + O_LEN, msg_len);
	hv_put_le32(b + O_DOFF, 36);
	hv_put_le32(b + O_DLEN, 14);
	hv_put_le32(b + O_PPIOFF, 36 + 14 + 2);	/* message offset 60 */
	hv_put_le32(b + O_PPILEN, 16 + 6);
	hv_put_le32(b + 60, 16);
	hv_put_le32(b + 64, RNDIS_PPI_VLAN);
	hv_put_le32(b + 68, 12);
	hv_put_le32(b + 76, 0xFFFFFFFF);		/* "size" of the short tail */
	CHECK_EQ(rndis_parse_packet(b, msg_len, &pi), -EINVAL);
	free(b);
}

static void
test_aggregate(void)
{
	struct rndis_agg_iter it;
	struct rndis_pkt_info pi;
	uint8_t b[1024];
	size_t off = 0, at;
	int n, rc, i;

	/* Three packets, each padded to 8, the last one not padded. */
	for (i = 0; i < 3; i++) {
		REQUIRE(rndis_packet_begin(b + off, sizeof(b) - off) == 0);
		REQUIRE(rndis_packet_add_ppi_u32(b + off, sizeof(b) - off,
			RNDIS_PPI_HASH_VALUE, (uint32_t)i) == 0);
		rc = rndis_packet_end(b + off, sizeof(b) - off, 0, 61 + i,
				      i < 2 ? 8 : 0);
		REQUIRE(rc > 0);
		fill_frame(b + off + rc, 61 + i, (uint8_t)(i * 50));
		off += hv_get_le32(b + off + O_LEN);
	}
	CHECK_EQ(hv_get_le32(b + O_LEN) % 8, 0);
	rndis_agg_init(&it, b, off, 8, 8);
	n = 0;
	while ((rc = rndis_agg_next(&it, &pi, &at)) == 1) {
		CHECK_EQ(pi.hash_value, n);
		CHECK_EQ(pi.frame_len, 61 + n);
		CHECK_EQ(b[at + pi.frame_off], n * 50);
		n++;
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(rndis_agg_next(&it, &pi, &at), 0);

	/* The same walk through the common-layout step: it takes all three
	 * packets (hash value only, frame after it) exactly as above. */
	rndis_agg_init(&it, b, off, 8, 8);
	n = 0;
	{
		uint32_t flen;

		while (rndis_agg_next_hash_only(&it, &at, &flen) == 1) {
			CHECK_EQ(flen, 61 + n);
			CHECK_EQ(b[at + RNDIS_PKT_HASH_HDR], n * 50);
			n++;
		}
		CHECK_EQ(n, 3);
		CHECK_EQ(rndis_agg_next(&it, &pi, &at), 0);
		/* It leaves the count limit and the alignment rule to
		 * rndis_agg_next(), consuming nothing. */
		rndis_agg_init(&it, b, off, 2, 8);
		CHECK_EQ(rndis_agg_next_hash_only(&it, &at, &flen), 1);
		CHECK_EQ(rndis_agg_next_hash_only(&it, &at, &flen), 1);
		CHECK_EQ(rndis_agg_next_hash_only(&it, &at, &flen), 0);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -E2BIG);
		CHECK_EQ(rndis_agg_next_hash_only(&it, &at, &flen), 0);
		rndis_agg_init(&it, b, off, 8, 256);
		CHECK_EQ(rndis_agg_next_hash_only(&it, &at, &flen), 0);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EINVAL);
	}

	/* Too many packets for max_count. */
	rndis_agg_init(&it, b, off, 2, 8);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 1);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 1);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -E2BIG);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -E2BIG);	/* sticky */

	/* A stricter alignment than the sender used. */
	rndis_agg_init(&it, b, off, 8, 256);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EINVAL);
	/* Trailing garbage shorter than a header. */
	rndis_agg_init(&it, b, off + 10, 8, 8);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 1);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 1);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EINVAL);	/* not last */
	/* A later message of another type. */
	{
		size_t second = hv_get_le32(b + O_LEN);

		hv_put_le32(b + second, RNDIS_MSG_SET);
		rndis_agg_init(&it, b, off, 8, 8);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 1);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EBADMSG);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EBADMSG);
		hv_put_le32(b + second, RNDIS_MSG_PACKET);
		/* msg_len running past the buffer. */
		hv_put_le32(b + second + O_LEN, 1000);
		rndis_agg_init(&it, b, off, 8, 8);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 1);
		CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EBADMSG);
	}
	/* Empty buffer; bad alignment argument. */
	rndis_agg_init(&it, b, 0, 8, 8);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), 0);
	rndis_agg_init(&it, b, off, 8, 12);
	CHECK_EQ(rndis_agg_next(&it, &pi, NULL), -EINVAL);
}

/*
 * The rules of rndis_parse_packet() written out plainly, for the
 * differential test below: the parser has a fast path for the common
 * layout and must answer exactly as the rules do, whatever the bytes.
 */
static int
ref_parse(const uint8_t *p, size_t len, struct rndis_pkt_info *pi)
{
	uint32_t ml, body, doff, dlen, poff, plen, sz, ty, eo;

	memset(pi, 0, sizeof(*pi));
	if (len < 44)
		return -EBADMSG;
	ml = hv_get_le32(p + 4);
	if (hv_get_le32(p) != RNDIS_MSG_PACKET || ml < 44 || ml > len)
		return -EBADMSG;
	body = ml - 8;
	doff = hv_get_le32(p + O_DOFF);
	dlen = hv_get_le32(p + O_DLEN);
	if (doff < 36 || doff >= body || dlen < 14 || dlen > body - doff)
		return -EINVAL;
	pi->msg_len = ml;
	pi->frame_off = doff + 8;
	pi->frame_len = dlen;
	plen = hv_get_le32(p + O_PPILEN);
	if (plen == 0)
		return 0;
	poff = hv_get_le32(p + O_PPIOFF);
	if (poff < 36 || poff % 4 != 0 || plen < 12 || poff > body ||
	    plen > body - poff)
		return -EINVAL;
	p += 8 + poff;
	while (plen != 0) {
		if (plen < 12)
			return -EINVAL;
		sz = hv_get_le32(p);
		ty = hv_get_le32(p + 4);
		eo = hv_get_le32(p + 8);
		if (sz < 12 || sz % 4 != 0 || sz > plen)
			return -EINVAL;
		if (ty == RNDIS_PPI_HASH_VALUE) {
			if (eo < 12 || eo >= sz || sz - eo < 4)
				return -EINVAL;
			pi->present |= RNDIS_PKT_HAS_HASH_VALUE;
			pi->hash_value = hv_get_le32(p + eo);
		} else if (ty == RNDIS_PPI_CSUM || ty == RNDIS_PPI_LSO ||
			   ty == RNDIS_PPI_VLAN || ty == RNDIS_PPI_HASH_INFO ||
			   ty == RNDIS_PPI_PKTINFO_ID) {
			/* not in the packets below: they are mutated copies
			 * of a hash-value-only one, so compare presence */
			if (eo < 12 || eo >= sz || sz - eo < 4)
				return -EINVAL;
			pi->present |= 0x80000000u;
		}
		p += sz;
		plen -= sz;
	}
	return 0;
}

/* The walk's common-layout step over one packet of @p len bytes: what it
 * takes, the rules (@p rr, @p r) accept with the frame right after the
 * hash-value PPI and nothing else; what it declines, it leaves for
 * rndis_agg_next() untouched. */
static void
check_hash_only_step(const uint8_t *m, size_t len, int rr,
		     const struct rndis_pkt_info *r)
{
	struct rndis_agg_iter it;
	struct rndis_pkt_info pi;
	uint32_t flen = 0;
	size_t at = 99;

	rndis_agg_init(&it, m, len, 8, 8);
	if (rndis_agg_next_hash_only(&it, &at, &flen) == 1) {
		CHECK_EQ(rr, 0);
		CHECK_EQ(at, 0);
		CHECK_EQ(flen, r->frame_len);
		CHECK_EQ(r->frame_off, RNDIS_PKT_HASH_HDR);
		CHECK_EQ(r->present, RNDIS_PKT_HAS_HASH_VALUE);
		/* msg_len: unpadded, or padded to the alignment */
		CHECK(it.off == r->msg_len);
		CHECK(r->msg_len == len || r->msg_len % 8 == 0);
		CHECK_EQ(it.count, 1);
	} else {
		CHECK_EQ(it.off, 0);
		CHECK_EQ(it.count, 0);
		(void)rndis_agg_next(&it, &pi, NULL);
	}
}

/* The common layout (header, one hash-value PPI, frame), every byte of
 * its header and both lengths mutated: the parser answers as the rules. */
static void
test_fast_layout_differential(void)
{
	static const uint8_t vals[] = { 0, 1, 4, 7, 8, 12, 13, 16, 20, 36, 40,
					52, 60, 0x80, 0xfe, 0xff };
	struct rndis_pkt_info a, r;
	uint8_t b[256], m[256];
	uint32_t pos, v, cut, n = 0, fast = 0;
	int off, ra, rr;

	REQUIRE(rndis_packet_begin(b, sizeof(b)) == 0);
	REQUIRE(rndis_packet_add_ppi_u32(b, sizeof(b), RNDIS_PPI_HASH_VALUE,
					 0x1234) == 0);
	off = rndis_packet_end(b, sizeof(b), 0, 64, 0);
	CHECK_EQ(off, (int)RNDIS_PKT_HASH_HDR);
	fill_frame(b + off, 64, 3);
	for (pos = 0; pos < RNDIS_PKT_HASH_HDR + 1; pos++) {
		for (v = 0; v < sizeof(vals) + 1; v++) {
			for (cut = 0; cut < 3; cut++) {
				size_t len = (size_t)off + 64 -
					     (cut == 1 ? 1 : 0) +
					     (cut == 2 ? 8 : 0);

				memcpy(m, b, sizeof(m));
				if (pos < RNDIS_PKT_HASH_HDR && v <
				    sizeof(vals))
					m[pos] = vals[v];
				else if (pos < RNDIS_PKT_HASH_HDR)
					m[pos] ^= 0x01;
				memset(&a, 0, sizeof(a));
				ra = rndis_parse_packet(m, len, &a);
				rr = ref_parse(m, len, &r);
				CHECK_EQ(ra, rr);
				check_hash_only_step(m, len, rr, &r);
				if (ra == 0 && rr == 0) {
					CHECK_EQ(a.msg_len, r.msg_len);
					CHECK_EQ(a.frame_off, r.frame_off);
					CHECK_EQ(a.frame_len, r.frame_len);
					CHECK_EQ(!!(a.present &
						    RNDIS_PKT_HAS_HASH_VALUE),
						 !!(r.present &
						    RNDIS_PKT_HAS_HASH_VALUE));
					CHECK_EQ(!!(a.present &
						    ~RNDIS_PKT_HAS_HASH_VALUE),
						 !!(r.present & 0x80000000u));
					if (r.present &
					    RNDIS_PKT_HAS_HASH_VALUE)
						CHECK_EQ(a.hash_value,
							 r.hash_value);
					fast += a.frame_off ==
						RNDIS_PKT_HASH_HDR;
				}
				n++;
			}
		}
	}
	/* The walk above both accepted and refused plenty. */
	CHECK(fast > 100);
	CHECK(n > 2000);
}

int
main(void)
{
	test_build_parse();
	test_header_rules();
	test_ppi_rules();
	test_odd_layouts();
	test_alignment_rules();
	test_ppi_tail_at_end();
	test_aggregate();
	test_fast_layout_differential();
	return check_exit("test_rndis_pkt");
}
