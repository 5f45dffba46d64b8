/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* RNDIS control messages: encoders, completion/indication/request parsers. */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hv_wire.h"
#include "rndis.h"

static void
test_requests(void)
{
	static const uint8_t info[6] = { 1, 2, 3, 4, 5, 6 };
	struct rndis_request r;
	uint8_t b[128];

	/* INITIALIZE */
	CHECK_EQ(rndis_encode_init(b, sizeof(b), 7, RNDIS_GUEST_MAX_XFER), 24);
	CHECK_EQ(hv_get_le32(b), RNDIS_MSG_INIT);
	CHECK_EQ(hv_get_le32(b + 4), 24);
	CHECK_EQ(rndis_parse_request(b, 24, &r), 0);
	CHECK_EQ(r.type, RNDIS_MSG_INIT);
	CHECK_EQ(r.req_id, 7);
	CHECK_EQ(r.major, 1);
	CHECK_EQ(r.minor, 0);
	CHECK_EQ(r.max_xfer_size, 0x4000);
	CHECK_EQ(rndis_parse_request(b, 23, &r), -EBADMSG);	/* msg_len > len */
	hv_put_le32(b + 4, 20);
	CHECK_EQ(rndis_parse_request(b, 24, &r), -EBADMSG);	/* too short */

	/* QUERY with input, SET with data. */
	CHECK_EQ(rndis_encode_query(b, sizeof(b), 8,
				    RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
				    info, sizeof(info)), 34);
	CHECK_EQ(hv_get_le32(b + 20), 20);	/* info_buf_offset */
	CHECK_EQ(rndis_parse_request(b, 34, &r), 0);
	CHECK_EQ(r.type, RNDIS_MSG_QUERY);
	CHECK_EQ(r.req_id, 8);
	CHECK_EQ(r.oid, RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES);
	CHECK_EQ(r.info_off, 28);
	CHECK_EQ(r.info_len, 6);
	CHECK(memcmp(b + r.info_off, info, 6) == 0);
	CHECK_EQ(rndis_encode_set(b, sizeof(b), 9,
				  RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
				  info, 4), 32);
	CHECK_EQ(rndis_parse_request(b, 32, &r), 0);
	CHECK_EQ(r.type, RNDIS_MSG_SET);
	CHECK_EQ(r.info_len, 4);
	/* Info buffer overlapping the header. */
	hv_put_le32(b + 20, 16);
	CHECK_EQ(rndis_parse_request(b, 32, &r), -EINVAL);
	/* Info buffer past msg_len, and a wrapping offset. */
	hv_put_le32(b + 20, 21);
	CHECK_EQ(rndis_parse_request(b, 32, &r), -EINVAL);
	hv_put_le32(b + 20, 0xFFFFFFFF);
	CHECK_EQ(rndis_parse_request(b, 32, &r), -EINVAL);
	hv_put_le32(b + 20, 20);
	hv_put_le32(b + 16, 0xFFFFFFFC);
	CHECK_EQ(rndis_parse_request(b, 32, &r), -EINVAL);
	/* Empty info buffer: offset ignored. */
	CHECK_EQ(rndis_encode_query(b, sizeof(b), 10, 1, NULL, 0), 28);
	hv_put_le32(b + 20, 0xFFFFFFFF);
	CHECK_EQ(rndis_parse_request(b, 28, &r), 0);
	CHECK_EQ(r.info_off, 0);
	CHECK_EQ(rndis_encode_query(b, sizeof(b), 10, 1, NULL, 4), -EINVAL);
	CHECK_EQ(rndis_encode_query(b, 30, 10, 1, info, 4), -ENOBUFS);

	/* HALT, KEEPALIVE, RESET */
	CHECK_EQ(rndis_encode_halt(b, sizeof(b), 11), 12);
	CHECK_EQ(rndis_parse_request(b, 12, &r), 0);
	CHECK_EQ(r.type, RNDIS_MSG_HALT);
	CHECK_EQ(r.req_id, 11);
	CHECK_EQ(rndis_encode_keepalive(b, sizeof(b), 12), 12);
	CHECK_EQ(rndis_parse_request(b, 12, &r), 0);
	CHECK_EQ(r.type, RNDIS_MSG_KEEPALIVE);
	CHECK_EQ(r.req_id, 12);
	hv_put_le32(b + 4, 11);
	CHECK_EQ(rndis_parse_request(b, 12, &r), -EBADMSG);
	CHECK_EQ(rndis_encode_reset(b, sizeof(b)), 12);
	CHECK_EQ(rndis_parse_request(b, 12, &r), 0);
	CHECK_EQ(r.type, RNDIS_MSG_RESET);
	hv_put_le32(b + 4, 8);	/* RESET without its reserved word */
	CHECK_EQ(rndis_parse_request(b, 12, &r), -EBADMSG);
	CHECK_EQ(rndis_encode_halt(b, 11, 1), -ENOBUFS);

	/* Not a request. */
	hv_put_le32(b, RNDIS_MSG_SET_EX);
	CHECK_EQ(rndis_parse_request(b, 12, &r), -ENOTSUP);
	CHECK_EQ(r.type, RNDIS_MSG_SET_EX);
	hv_put_le32(b, RNDIS_MSG_PACKET);
	CHECK_EQ(rndis_parse_request(b, 12, &r), -ENOTSUP);
	/* Header rules. */
	CHECK_EQ(rndis_parse_request(b, 7, &r), -EBADMSG);
	hv_put_le32(b + 4, 7);
	CHECK_EQ(rndis_parse_request(b, 12, &r), -EBADMSG);
}

static void
test_init_cmplt(void)
{
	struct rndis_init_info in = {
		.req_id = 5, .status = RNDIS_STATUS_SUCCESS, .major = 1,
		.minor = 0, .device_flags = RNDIS_DEVICE_FLAG_CONNECTIONLESS,
		.medium = RNDIS_MEDIUM_802_3, .max_pkts_per_msg = 8,
		.max_xfer_size = 0xEFFFFFFF, .align_shift = 3,
	};
	struct rndis_init_info out;
	uint8_t b[64];
	uint32_t type, id;

	CHECK_EQ(rndis_encode_init_cmplt(b, sizeof(b), &in), 52);
	CHECK_EQ(rndis_parse_init_cmplt(b, 52, &out), 0);
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
	CHECK_EQ(rndis_parse_cmplt_id(b, 52, &type, &id), 0);
	CHECK_EQ(type, RNDIS_MSG_INIT_CMPLT);
	CHECK_EQ(id, 5);
	/* DPDK's 48-byte minimum, and one byte less. */
	hv_put_le32(b + 4, 48);
	CHECK_EQ(rndis_parse_init_cmplt(b, 48, &out), 0);
	hv_put_le32(b + 4, 47);
	CHECK_EQ(rndis_parse_init_cmplt(b, 52, &out), -EBADMSG);
	hv_put_le32(b + 4, 52);
	CHECK_EQ(rndis_parse_init_cmplt(b, 51, &out), -EBADMSG);
	/* Wrong type. */
	hv_put_le32(b, RNDIS_MSG_QUERY_CMPLT);
	CHECK_EQ(rndis_parse_init_cmplt(b, 52, &out), -EBADMSG);
	/* Clamps (protocol.rst 10, check 22). */
	in.align_shift = 0;
	in.max_pkts_per_msg = 0;
	rndis_encode_init_cmplt(b, sizeof(b), &in);
	CHECK_EQ(rndis_parse_init_cmplt(b, 52, &out), 0);
	CHECK_EQ(out.align_shift, RNDIS_ALIGN_SHIFT_MIN);
	CHECK_EQ(out.max_pkts_per_msg, 1);
	in.align_shift = 200;
	in.max_pkts_per_msg = 100000;
	rndis_encode_init_cmplt(b, sizeof(b), &in);
	CHECK_EQ(rndis_parse_init_cmplt(b, 52, &out), 0);
	CHECK_EQ(out.align_shift, RNDIS_ALIGN_SHIFT_MAX);
	CHECK_EQ(out.max_pkts_per_msg, RNDIS_MAX_AGG_PKTS);
	/* Failure status is reported, values still filled. */
	in.status = RNDIS_STATUS_FAILURE;
	rndis_encode_init_cmplt(b, sizeof(b), &in);
	CHECK_EQ(rndis_parse_init_cmplt(b, 52, &out), -ECONNREFUSED);
	CHECK_EQ(out.req_id, 5);
	CHECK_EQ(rndis_encode_init_cmplt(b, 51, &in), -ENOBUFS);
}

static void
test_query_cmplt(void)
{
	static const uint8_t mac[6] = { 0, 0x15, 0x5d, 1, 2, 3 };
	struct rndis_query_result q;
	uint8_t b[64];
	uint32_t type, id;

	CHECK_EQ(rndis_encode_query_cmplt(b, sizeof(b), 3, RNDIS_STATUS_SUCCESS,
					  mac, 6), 30);
	CHECK_EQ(hv_get_le32(b + 20), 16);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), 0);
	CHECK_EQ(q.req_id, 3);
	CHECK_EQ(q.status, 0);
	CHECK_EQ(q.data_off, 24);
	CHECK_EQ(q.data_len, 6);
	CHECK(memcmp(b + q.data_off, mac, 6) == 0);
	CHECK_EQ(rndis_parse_cmplt_id(b, 30, &type, &id), 0);
	CHECK_EQ(type, RNDIS_MSG_QUERY_CMPLT);
	CHECK_EQ(id, 3);
	/* msg_len beyond the range. */
	CHECK_EQ(rndis_parse_query_cmplt(b, 29, &q), -EBADMSG);
	/* info_buf_offset < 16. */
	hv_put_le32(b + 20, 12);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), -EINVAL);
	/* offset + len > msg_len - 8. */
	hv_put_le32(b + 20, 17);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), -EINVAL);
	hv_put_le32(b + 20, 16);
	hv_put_le32(b + 16, 7);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), -EINVAL);
	/* offset + len wrapping 32 bits. */
	hv_put_le32(b + 16, 0xFFFFFFF8);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), -EINVAL);
	/* Data beyond msg_len but inside the range is refused too. */
	hv_put_le32(b + 16, 6);
	hv_put_le32(b + 4, 28);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), -EINVAL);
	/* Too short for the header. */
	hv_put_le32(b + 4, 23);
	CHECK_EQ(rndis_parse_query_cmplt(b, 30, &q), -EBADMSG);
	/* NOT_SUPPORTED with no data. */
	CHECK_EQ(rndis_encode_query_cmplt(b, sizeof(b), 4,
		 RNDIS_STATUS_NOT_SUPPORTED, NULL, 0), 24);
	CHECK_EQ(rndis_parse_query_cmplt(b, 24, &q), 0);
	CHECK_EQ(q.status, RNDIS_STATUS_NOT_SUPPORTED);
	CHECK_EQ(q.data_len, 0);
	CHECK_EQ(q.data_off, 0);
	CHECK_EQ(rndis_encode_query_cmplt(b, 29, 4, 0, mac, 6), -ENOBUFS);
}

static void
test_status_cmplts(void)
{
	uint32_t id = 0, st = 0, type;
	uint8_t b[32];

	CHECK_EQ(rndis_encode_set_cmplt(b, sizeof(b), 21,
					RNDIS_STATUS_INVALID_DATA), 16);
	CHECK_EQ(rndis_parse_status_cmplt(b, 16, RNDIS_MSG_SET_CMPLT, &id, &st),
		 0);
	CHECK_EQ(id, 21);
	CHECK_EQ(st, RNDIS_STATUS_INVALID_DATA);
	CHECK_EQ(rndis_parse_status_cmplt(b, 16, RNDIS_MSG_KEEPALIVE_CMPLT,
					  &id, &st), -EBADMSG);
	CHECK_EQ(rndis_parse_status_cmplt(b, 15, RNDIS_MSG_SET_CMPLT, &id, &st),
		 -EBADMSG);
	hv_put_le32(b + 4, 15);
	CHECK_EQ(rndis_parse_status_cmplt(b, 16, RNDIS_MSG_SET_CMPLT, &id, &st),
		 -EBADMSG);
	CHECK_EQ(rndis_parse_status_cmplt(b, 16, RNDIS_MSG_QUERY, &id, &st),
		 -EINVAL);

	CHECK_EQ(rndis_encode_keepalive_cmplt(b, sizeof(b), 22, 0), 16);
	CHECK_EQ(rndis_parse_status_cmplt(b, 16, RNDIS_MSG_KEEPALIVE_CMPLT,
					  &id, &st), 0);
	CHECK_EQ(id, 22);
	CHECK_EQ(rndis_parse_cmplt_id(b, 16, &type, &id), 0);
	CHECK_EQ(type, RNDIS_MSG_KEEPALIVE_CMPLT);

	CHECK_EQ(rndis_encode_reset_cmplt(b, sizeof(b), 0, 1), 16);
	CHECK_EQ(rndis_parse_cmplt_id(b, 16, &type, &id), 0);
	CHECK_EQ(type, RNDIS_MSG_RESET_CMPLT);
	CHECK_EQ(id, 0);
	CHECK_EQ(hv_get_le32(b + 12), 1);

	/* Completion header rules: msg_len - 8 >= 4 for the id (protocol.rst 10, check 16). */
	hv_put_le32(b, RNDIS_MSG_SET_CMPLT);
	hv_put_le32(b + 4, 11);
	CHECK_EQ(rndis_parse_cmplt_id(b, 16, &type, &id), -EBADMSG);
	hv_put_le32(b + 4, 12);
	CHECK_EQ(rndis_parse_cmplt_id(b, 16, &type, &id), 0);
	/* Not a completion. */
	hv_put_le32(b, RNDIS_MSG_INDICATE);
	CHECK_EQ(rndis_parse_cmplt_id(b, 16, &type, &id), -EBADMSG);
}

static void
test_indicate(void)
{
	struct rndis_indication ind;
	uint32_t speed = 100000000;
	uint8_t b[64];

	CHECK_EQ(rndis_encode_indicate(b, sizeof(b),
				       RNDIS_STATUS_MEDIA_CONNECT, NULL, 0), 20);
	CHECK_EQ(rndis_parse_indicate(b, 20, &ind), 0);
	CHECK_EQ(ind.status, RNDIS_STATUS_MEDIA_CONNECT);
	CHECK_EQ(ind.buf_len, 0);
	CHECK_EQ(rndis_parse_indicate(b, 19, &ind), -EBADMSG);
	hv_put_le32(b + 4, 19);	/* msg_len - 8 < 12 */
	CHECK_EQ(rndis_parse_indicate(b, 20, &ind), -EBADMSG);

	CHECK_EQ(rndis_encode_indicate(b, sizeof(b),
				       RNDIS_STATUS_LINK_SPEED_CHANGE,
				       &speed, 4), 24);
	CHECK_EQ(hv_get_le32(b + 16), 12);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), 0);
	CHECK_EQ(ind.link_speed, 100000000);
	CHECK_EQ(ind.buf_off, 20);
	/* 100 bit/s units: 10 Gbit/s; and a speed past the u32 saturates. */
	CHECK_EQ(rndis_link_speed_mbps(ind.link_speed), 10000);
	CHECK_EQ(rndis_link_speed_from_mbps(10000), 100000000);
	CHECK_EQ(rndis_link_speed_from_mbps(429496), 4294960000u);
	CHECK_EQ(rndis_link_speed_from_mbps(429497), UINT32_MAX);
	CHECK_EQ(rndis_link_speed_from_mbps(UINT64_MAX / 1000), UINT32_MAX);
	/* Old hosts: buffer outside msg_len but inside the range is fine. */
	hv_put_le32(b + 4, 20);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), 0);
	CHECK_EQ(ind.link_speed, 100000000);
	/* ... but not outside the range. */
	CHECK_EQ(rndis_parse_indicate(b, 23, &ind), -EINVAL);
	hv_put_le32(b + 4, 24);
	/* Link speed needs 4 bytes. */
	hv_put_le32(b + 12, 3);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), -EINVAL);
	hv_put_le32(b + 12, 0);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), -EINVAL);
	/* Buffer overlapping the header. */
	hv_put_le32(b + 12, 4);
	hv_put_le32(b + 16, 8);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), -EINVAL);
	/* Wrapping offset. */
	hv_put_le32(b + 16, 0xFFFFFFFE);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), -EINVAL);
	/* Wrong type. */
	hv_put_le32(b, RNDIS_MSG_SET_CMPLT);
	CHECK_EQ(rndis_parse_indicate(b, 24, &ind), -EBADMSG);
	CHECK_EQ(rndis_encode_indicate(b, 23, 0, &speed, 4), -ENOBUFS);
}

static void
test_hdr(void)
{
	uint32_t type, len;
	uint8_t b[16] = { 0 };

	hv_put_le32(b, 5);
	hv_put_le32(b + 4, 8);
	CHECK_EQ(rndis_parse_hdr(b, 8, &type, &len), 0);
	CHECK_EQ(type, 5);
	CHECK_EQ(len, 8);
	CHECK_EQ(rndis_parse_hdr(b, 7, &type, &len), -EBADMSG);
	hv_put_le32(b + 4, 9);
	CHECK_EQ(rndis_parse_hdr(b, 8, &type, &len), -EBADMSG);
	hv_put_le32(b + 4, 0);
	CHECK_EQ(rndis_parse_hdr(b, 16, &type, &len), -EBADMSG);
}

static void
test_ppi_helpers(void)
{
	uint16_t tci = (5 << 13) | 0x1000 | 0x123;
	uint32_t v = rndis_vlan_from_tci(tci);

	CHECK_EQ(v & RNDIS_VLAN_PRIO_MASK, 5);
	CHECK(v & RNDIS_VLAN_CFI);
	CHECK_EQ((v >> RNDIS_VLAN_ID_SHIFT) & RNDIS_VLAN_ID_MASK, 0x123);
	CHECK_EQ(rndis_vlan_to_tci(v), tci);
	CHECK_EQ(rndis_vlan_to_tci(v | 0xFFFF0000u), tci);
	CHECK_EQ(rndis_txcsum_make(RNDIS_TXCSUM_IPV4 | RNDIS_TXCSUM_TCP, 34),
		 0x00220005);
	CHECK_EQ(rndis_lso2_make(1460, 54, 1), 0xC36005B4u);
	CHECK_EQ(rndis_lso2_make(1460, 34, 0), 0x422005B4u);
}

int
main(void)
{
	test_hdr();
	test_requests();
	test_init_cmplt();
	test_query_cmplt();
	test_status_cmplts();
	test_indicate();
	test_ppi_helpers();
	return check_exit("test_rndis");
}
