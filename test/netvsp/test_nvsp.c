/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* NVSP encoders, nvsp_decode() and the specific validators. */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hv_wire.h"
#include "nvsp.h"

static void
test_versions(void)
{
	static const uint32_t want[] = {
		0x60001, 0x60000, 0x50000, 0x40000, 0x30002, 0x2,
	};
	int i;

	for (i = 0; i < NVSP_GUEST_VERSION_COUNT; i++) {
		CHECK_EQ(nvsp_guest_versions[i], want[i]);
		CHECK(nvsp_version_known(want[i]));
	}
	CHECK(!nvsp_version_known(0x30000));
	CHECK_EQ(nvsp_msg_size(NVSP_VERSION_6), 28);
	CHECK_EQ(nvsp_msg_size(NVSP_VERSION_61), 40);
	CHECK_EQ(nvsp_ndis_version(NVSP_VERSION_4), 0x00060001);
	CHECK_EQ(nvsp_ndis_version(NVSP_VERSION_5), 0x0006001E);
	CHECK_EQ(nvsp_type_min_version(NVSP_TYPE_SUBCHANNEL), NVSP_VERSION_5);
	CHECK_EQ(nvsp_type_min_version(NVSP_TYPE_NDIS_CONFIG), NVSP_VERSION_2);
	CHECK_EQ(nvsp_type_min_version(NVSP_TYPE_VF_ASSOC), NVSP_VERSION_4);
	CHECK_EQ(nvsp_type_min_version(999), 0);
}

static void
test_encode_roundtrip(void)
{
	uint8_t b[NVSP_MSG_SIZE + 8];
	union nvsp_msg m;
	int i;

	memset(b, 0xEE, sizeof(b));
	CHECK_EQ(nvsp_encode_init(b, sizeof(b), NVSP_VERSION_61), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_INIT);
	CHECK_EQ(m.init.min_ver, NVSP_VERSION_61);
	CHECK_EQ(m.init.max_ver, NVSP_VERSION_61);
	for (i = 12; i < 40; i++)
		CHECK_EQ(b[i], 0);
	CHECK_EQ(b[40], 0xEE);	/* nothing written past the message */

	CHECK_EQ(nvsp_encode_ndis_config(b, 40, 1514,
		NVSP_NDIS_CAP_IEEE8021Q | NVSP_NDIS_CAP_SRIOV), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_NDIS_CONFIG);
	CHECK_EQ(m.ndis_config.mtu, 1514);
	CHECK_EQ(m.ndis_config.caps, 0xC);
	CHECK_EQ(hv_get_le32(b + 12), 0xC);

	CHECK_EQ(nvsp_encode_ndis_version(b, 40, NVSP_NDIS_VERSION_6_30), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_NDIS_VERSION);
	CHECK_EQ(m.ndis_version.major, 6);
	CHECK_EQ(m.ndis_version.minor, 30);

	CHECK_EQ(nvsp_encode_recv_buf(b, 40, 0x1234, NVSP_RECV_BUF_ID), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_RECV_BUF);
	CHECK_EQ(m.buf_conn.gpadl, 0x1234);
	CHECK_EQ(b[8], 0xFE);
	CHECK_EQ(b[9], 0xCA);

	CHECK_EQ(nvsp_encode_send_buf(b, 40, 0x99, NVSP_SEND_BUF_ID), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_SEND_BUF);
	CHECK_EQ(m.buf_conn.id, 0xFACE);

	CHECK_EQ(nvsp_encode_revoke_recv_buf(b, 40, NVSP_RECV_BUF_ID), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_REVOKE_RECV_BUF);
	CHECK_EQ(m.buf_revoke.id, 0xCAFE);
	CHECK_EQ(nvsp_encode_revoke_send_buf(b, 40, 7), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_REVOKE_SEND_BUF);
	CHECK_EQ(m.buf_revoke.id, 7);

	CHECK_EQ(nvsp_encode_subchannel_req(b, 40, 3), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_SUBCHANNEL);
	CHECK_EQ(m.subchannel_req.op, NVSP_SUBCHAN_OP_ALLOCATE);
	CHECK_EQ(m.subchannel_req.num_subchannels, 3);

	CHECK_EQ(nvsp_encode_switch_data_path(b, 40, NVSP_DATAPATH_VF), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_SWITCH_DATA_PATH);
	CHECK_EQ(m.switch_data_path.active, 1);

	CHECK_EQ(nvsp_encode_rndis_pkt(b, 40, NVSP_RNDIS_CHAN_CONTROL,
				       NVSP_SECTION_NONE, 0), 40);
	CHECK_EQ(nvsp_decode(b, 28, &m), NVSP_TYPE_RNDIS_PKT);
	CHECK_EQ(m.rndis_pkt.channel_type, 1);
	CHECK_EQ(m.rndis_pkt.section_index, 0xFFFFFFFFu);

	CHECK_EQ(nvsp_encode_rndis_pkt_cmplt(b, 40, NVSP_STATUS_SUCCESS), 40);
	CHECK_EQ(nvsp_decode(b, 8, &m), NVSP_TYPE_RNDIS_PKT_CMPLT);
	CHECK_EQ(m.rndis_pkt_cmplt.status, 1);

	CHECK_EQ(nvsp_encode_init_cmplt(b, 40, NVSP_STATUS_SUCCESS, 34), 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_INIT_CMPLT);
	CHECK_EQ(m.init_cmplt.status, 1);
	CHECK_EQ(m.init_cmplt.max_mdl_chain_len, 34);

	CHECK_EQ(nvsp_encode_oid_query_ex_cmplt(b, 40, NVSP_STATUS_FAILURE),
		 40);
	CHECK_EQ(nvsp_decode(b, 40, &m), NVSP_TYPE_OID_QUERY_EX_CMPLT);
	CHECK_EQ(m.oid_query_ex_cmplt.status, 2);

	CHECK_EQ(nvsp_encode_vf_assoc(b, 40, 1, 0x42), 40);
	CHECK_EQ(nvsp_decode(b, 12, &m), NVSP_TYPE_VF_ASSOC);
	CHECK_EQ(m.vf_assoc.allocated, 1);
	CHECK_EQ(m.vf_assoc.serial, 0x42);

	memset(b, 0xEE, sizeof(b));
	CHECK_EQ(nvsp_encode_empty_cmplt(b, 40), 40);
	for (i = 0; i < 40; i++)
		CHECK_EQ(b[i], 0);

	/* Every encoder refuses a short buffer. */
	CHECK_EQ(nvsp_encode_init(b, 39, 1), -ENOBUFS);
	CHECK_EQ(nvsp_encode_init(NULL, 40, 1), -ENOBUFS);
	CHECK_EQ(nvsp_encode_recv_buf_cmplt(b, 28, 1, 1728, 10), -ENOBUFS);
	CHECK_EQ(nvsp_encode_vf_assoc(b, 12, 1, 1), -ENOBUFS);
}

static void
test_decode_lengths(void)
{
	uint8_t b[NVSP_MSG_SIZE];
	union nvsp_msg m;

	CHECK_EQ(nvsp_decode(b, 0, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 3, NULL), -EBADMSG);

	/* Per-type minimums of the hardened guest (protocol.rst 10, check 11). */
	nvsp_encode_init_cmplt(b, sizeof(b), 1, 34);
	CHECK_EQ(nvsp_decode(b, 15, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 16, &m), NVSP_TYPE_INIT_CMPLT);
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 1728, 10);
	CHECK_EQ(nvsp_decode(b, 27, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 28, &m), NVSP_TYPE_RECV_BUF_CMPLT);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), 1, 6144);
	CHECK_EQ(nvsp_decode(b, 11, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 12, &m), NVSP_TYPE_SEND_BUF_CMPLT);
	nvsp_encode_subchannel_cmplt(b, sizeof(b), 1, 2);
	CHECK_EQ(nvsp_decode(b, 11, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 12, &m), NVSP_TYPE_SUBCHANNEL);
	nvsp_encode_vf_assoc(b, sizeof(b), 1, 2);
	CHECK_EQ(nvsp_decode(b, 11, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 12, &m), NVSP_TYPE_VF_ASSOC);
	nvsp_encode_ndis_config(b, sizeof(b), 1514, 8);
	CHECK_EQ(nvsp_decode(b, 19, &m), -EBADMSG);
	CHECK_EQ(nvsp_decode(b, 20, &m), NVSP_TYPE_NDIS_CONFIG);
	nvsp_encode_rndis_pkt(b, sizeof(b), 0, 1, 2);
	CHECK_EQ(nvsp_decode(b, 15, &m), -EBADMSG);

	/* A short copy leaves the unread tail zero. */
	nvsp_encode_vf_assoc(b, sizeof(b), 1, 2);
	b[20] = 0x55;
	memset(&m, 0xAA, sizeof(m));
	CHECK_EQ(nvsp_decode(b, 12, &m), NVSP_TYPE_VF_ASSOC);
	CHECK_EQ(m.raw[20], 0);

	/* Unknown types. */
	memset(b, 0, sizeof(b));
	b[0] = 3;
	CHECK_EQ(nvsp_decode(b, 40, &m), -ENOMSG);
	b[0] = 110;
	CHECK_EQ(nvsp_decode(b, 40, NULL), -ENOMSG);
}

static void
test_recv_buf_cmplt(void)
{
	struct nvsp_recv_buf_info info;
	uint8_t b[NVSP_MSG_SIZE];
	const uint64_t size = 16 << 20;

	CHECK_EQ(nvsp_encode_recv_buf_cmplt(b, sizeof(b), NVSP_STATUS_SUCCESS,
					    1728, 9709), 40);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), 0);
	CHECK_EQ(info.section_size, 1728);
	CHECK_EQ(info.section_count, 9709);
	CHECK_EQ(hv_get_le32(b + 24), 1728 * 9709);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 28, size, NULL), 0);
	/* Short, or another type. */
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 27, size, &info), -EBADMSG);
	b[0] = NVSP_TYPE_SEND_BUF_CMPLT;
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EBADMSG);
	/* Status. */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), NVSP_STATUS_FAILURE, 1728, 8);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info),
		 -ECONNREFUSED);
	/* Two sections. */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 1728, 8);
	b[8] = 2;
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
	/* Zero sections. */
	b[8] = 0;
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
	/* Offset not 0. */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 1728, 8);
	b[12] = 64;
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
	/* Section size 67 (too small) and 68 (smallest good). */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 67, 8);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 68, 8);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), 0);
	/* Zero sections counted. */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 1728, 0);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
	/* size * count exactly the buffer, one more section too many. */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 4096, 4096);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), 0);
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 4096, 4097);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
	/* A product that wraps in 32 bits must still be refused. */
	nvsp_encode_recv_buf_cmplt(b, sizeof(b), 1, 0x10000, 0x10001);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(b, 40, size, &info), -EINVAL);
}

static void
test_send_buf_cmplt(void)
{
	uint8_t b[NVSP_MSG_SIZE];
	uint32_t sz = 0;

	nvsp_encode_send_buf_cmplt(b, sizeof(b), NVSP_STATUS_SUCCESS, 6144);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 12, 1 << 20, &sz), 0);
	CHECK_EQ(sz, 6144);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 11, 1 << 20, &sz), -EBADMSG);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), NVSP_STATUS_BUSY, 6144);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 40, 1 << 20, &sz),
		 -ECONNREFUSED);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), 1, 0);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 40, 1 << 20, &sz), -EINVAL);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), 1, 6146);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 40, 1 << 20, &sz), -EINVAL);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), 1, 64);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 40, 1 << 20, &sz), -EINVAL);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), 1, 68);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 40, 1 << 20, &sz), 0);
	nvsp_encode_send_buf_cmplt(b, sizeof(b), 1, 8192);
	CHECK_EQ(nvsp_check_send_buf_cmplt(b, 40, 4096, &sz), -EINVAL);
}

static void
test_subchannel_cmplt(void)
{
	uint8_t b[NVSP_MSG_SIZE];
	uint32_t g = 99;

	nvsp_encode_subchannel_cmplt(b, sizeof(b), NVSP_STATUS_SUCCESS, 3);
	CHECK_EQ(nvsp_check_subchannel_cmplt(b, 40, 3, &g), 0);
	CHECK_EQ(g, 3);
	CHECK_EQ(nvsp_check_subchannel_cmplt(b, 40, 7, &g), 0);
	CHECK_EQ(nvsp_check_subchannel_cmplt(b, 40, 2, &g), -EINVAL);
	CHECK_EQ(nvsp_check_subchannel_cmplt(b, 11, 3, &g), -EBADMSG);
	nvsp_encode_subchannel_cmplt(b, sizeof(b), NVSP_STATUS_FAILURE, 0);
	CHECK_EQ(nvsp_check_subchannel_cmplt(b, 40, 3, &g), -ECONNREFUSED);
	nvsp_encode_init(b, sizeof(b), 1);
	CHECK_EQ(nvsp_check_subchannel_cmplt(b, 40, 3, &g), -EBADMSG);
}

static void
test_send_table(void)
{
	uint32_t tbl[NVSP_SEND_TABLE_SIZE], out[NVSP_SEND_TABLE_SIZE];
	uint8_t b[160];
	uint32_t i;

	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		tbl[i] = i % 4;
	/* openvmm placement: right after the 12-byte body, 76 bytes. */
	CHECK_EQ(nvsp_encode_send_table(b, sizeof(b), 12, tbl), 76);
	memset(out, 0xFF, sizeof(out));
	CHECK_EQ(nvsp_parse_send_table(b, 76, NVSP_VERSION_5, out), 0);
	CHECK(memcmp(out, tbl, sizeof(tbl)) == 0);
	CHECK_EQ(nvsp_parse_send_table(b, 76, NVSP_VERSION_61, out), 0);
	/* The padded VMBus payload (80) is still below the old-host size. */
	CHECK_EQ(nvsp_parse_send_table(b, 80, NVSP_VERSION_6, out), 0);
	CHECK(memcmp(out, tbl, sizeof(tbl)) == 0);
	/* Table cut by one byte. */
	CHECK_EQ(nvsp_parse_send_table(b, 75, NVSP_VERSION_61, out), -EINVAL);
	CHECK_EQ(nvsp_parse_send_table(b, 11, NVSP_VERSION_61, out),
		 -EBADMSG);
	/* count != 16. */
	b[4] = 15;
	CHECK_EQ(nvsp_parse_send_table(b, 76, NVSP_VERSION_61, out), -EINVAL);
	b[4] = 16;
	/* Offset overlapping the header, and huge offsets. */
	b[8] = 8;
	CHECK_EQ(nvsp_parse_send_table(b, 76, NVSP_VERSION_61, out), -EINVAL);
	memset(b + 8, 0xFF, 4);
	CHECK_EQ(nvsp_parse_send_table(b, 76, NVSP_VERSION_61, out), -EINVAL);

	/* Old-host placement: offset field garbage, table at 40. */
	CHECK_EQ(nvsp_encode_send_table(b, sizeof(b), 40, tbl), 104);
	memset(b + 8, 0xFF, 4);
	CHECK_EQ(nvsp_parse_send_table(b, 104, NVSP_VERSION_6, out), 0);
	CHECK(memcmp(out, tbl, sizeof(tbl)) == 0);
	CHECK_EQ(nvsp_parse_send_table(b, 104, NVSP_VERSION_5, out), 0);
	/* From 6.1 the offset field rules, and here it is bad. */
	CHECK_EQ(nvsp_parse_send_table(b, 104, NVSP_VERSION_61, out), -EINVAL);
	b[8] = 40;
	b[9] = b[10] = b[11] = 0;
	CHECK_EQ(nvsp_parse_send_table(b, 104, NVSP_VERSION_61, out), 0);
	CHECK(memcmp(out, tbl, sizeof(tbl)) == 0);

	/* Encoder argument checks. */
	CHECK_EQ(nvsp_encode_send_table(b, sizeof(b), 8, tbl), -EINVAL);
	CHECK_EQ(nvsp_encode_send_table(b, sizeof(b), 14, tbl), -EINVAL);
	CHECK_EQ(nvsp_encode_send_table(b, 75, 12, tbl), -ENOBUFS);
	CHECK_EQ(nvsp_encode_send_table(b, sizeof(b), 0xFFFFFFF0u, tbl),
		 -EINVAL);
}

static void
test_send_section(void)
{
	CHECK_EQ(nvsp_check_send_section(0, 6144, 6144, 10), 0);
	CHECK_EQ(nvsp_check_send_section(9, 1, 6144, 10), 0);
	CHECK_EQ(nvsp_check_send_section(10, 1, 6144, 10), -EINVAL);
	CHECK_EQ(nvsp_check_send_section(0, 6145, 6144, 10), -EINVAL);
	CHECK_EQ(nvsp_check_send_section(NVSP_SECTION_NONE, 0, 6144, 10), 0);
	CHECK_EQ(nvsp_check_send_section(NVSP_SECTION_NONE, 1, 6144, 10),
		 -EINVAL);
	CHECK_EQ(nvsp_check_send_section(0, 0, 6144, 0), -EINVAL);
}

int
main(void)
{
	test_versions();
	test_encode_roundtrip();
	test_decode_lengths();
	test_recv_buf_cmplt();
	test_send_buf_cmplt();
	test_subchannel_cmplt();
	test_send_table();
	test_send_section();
	return check_exit("test_nvsp");
}
