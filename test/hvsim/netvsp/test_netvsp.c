/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim netvsp NIC model, control plane, run over a test environment
 * (tenv.h): NVSP/RNDIS init and version fallback, every query, keepalive,
 * link and VF messages, MAC change by NetworkAddress, hooks, less common
 * NVSP messages, and malformed guest input refused without harm.
 */

#include "t_common.h"

static void
test_init(void)
{
	struct nvg *g = &G;
	struct hvsim_nic_stats st;
	struct tenv *e = t_up(g, NULL, NVSP_NDIS_CAP_IEEE8021Q, 0);
	static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x5a, 0x00, 0x00 };

	CHECK_EQ(g->nvsp_ver, NVSP_VERSION_61);
	/* 256 + 1514 + 36 rounded up to 64. */
	CHECK_EQ(g->sec_size, 1856);
	CHECK_EQ(g->sec_count, (2u << 20) / 1856);
	CHECK_EQ(g->sb_sec_size, 6144);
	CHECK_EQ(g->init.status, RNDIS_STATUS_SUCCESS);
	CHECK_EQ(g->init.max_pkts_per_msg, 8);
	CHECK_EQ(g->init.align_shift, 3);
	CHECK_EQ(g->init.max_xfer_size, 0xEFFFFFFFu);
	CHECK(memcmp(g->mac, mac, 6) == 0, "default MAC");
	tenv_stats(e, 0, &st);
	CHECK_EQ(st.nvsp_version, NVSP_VERSION_61);
	CHECK_EQ(st.ndis_version, NVSP_NDIS_VERSION_6_30);
	CHECK(tenv_proto_errors(e) <= 0);
	t_down(g, e);

	/* A guest that stops at NVSP 5 gets 5 after walking down. */
	{
		struct nvg_opts o = { .max_nvsp = NVSP_VERSION_5 };

		e = tenv_create(1, NULL);
		REQUIRE(e != NULL);
		CHECK_EQ(nvg_init(g, tenv_io(e, 0), &o), 0);
		CHECK_EQ(g->nvsp_ver, NVSP_VERSION_5);
		t_down(g, e);
	}
}

static void
test_queries(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0);
	uint8_t out[512], in[4] = { NDIS_OBJTYPE_OFFLOAD, 3, 156, 0 };
	struct ndis_rss_caps rc;
	struct ndis_offload off;
	uint32_t len, v;
	int64_t s;

#define Q32(oid, want) do {						\
	s = nvg_query(g, oid, NULL, 0, &v, sizeof(v), &len);		\
	CHECK_EQ(s, RNDIS_STATUS_SUCCESS);				\
	CHECK_EQ(len, 4);						\
	CHECK_EQ(v, want);						\
} while (0)
	Q32(RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE, 1500);
	Q32(RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD, 1500);
	Q32(RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE, 1514);
	Q32(RNDIS_OID_GEN_TRANSMIT_BLOCK_SIZE, 1514);
	Q32(RNDIS_OID_GEN_LINK_SPEED, 1000000000u);	/* 100 Gb/s */
	Q32(RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, RNDIS_MEDIA_STATE_CONNECTED);
	Q32(RNDIS_OID_GEN_VENDOR_ID, 0x155d);
	Q32(RNDIS_OID_GEN_HARDWARE_STATUS, 0);
	Q32(RNDIS_OID_GEN_MEDIA_SUPPORTED, 0);
	Q32(RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS, 8);
	Q32(RNDIS_OID_GEN_CURRENT_PACKET_FILTER, 0);
	Q32(RNDIS_OID_GEN_RECEIVE_BUFFER_SPACE, 262144);
#undef Q32
	s = nvg_query(g, RNDIS_OID_GEN_VENDOR_DESCRIPTION, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len == 22 &&
	      strcmp((char *)out, "Microsoft Corporation") == 0);
	s = nvg_query(g, RNDIS_OID_802_3_CURRENT_ADDRESS, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len == 6 &&
	      memcmp(out, g->mac, 6) == 0);
	s = nvg_query(g, RNDIS_OID_GEN_SUPPORTED_LIST, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len >= 30 * 4 && len % 4 == 0);
	s = nvg_query(g, RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, in,
		      sizeof(in), out, sizeof(out), &len);
	CHECK_EQ(s, RNDIS_STATUS_SUCCESS);
	CHECK_EQ(len, 156);
	CHECK_EQ(ndis_offload_decode(out, len, &off), 3);
	CHECK_EQ(off.ip4_tx_flags & 0x150, 0x150);	/* TCP, UDP, IP */
	CHECK_EQ(off.ip6_rx_flags & 0x50, 0x50);
	CHECK_EQ(off.lsov2_ip4_max_size, 0xF53C);
	CHECK_EQ(off.lsov2_ip4_min_segs, 2);
	in[0] = NDIS_OBJTYPE_RSS_CAPS;
	in[1] = 2;
	in[2] = 18;
	s = nvg_query(g, RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES, in,
		      sizeof(in), out, sizeof(out), &len);
	CHECK_EQ(s, RNDIS_STATUS_SUCCESS);
	CHECK_EQ(ndis_rss_caps_decode(out, len, &rc), 2);
	CHECK_EQ(rc.num_queues, 8);
	CHECK_EQ(rc.num_ind_entries, 128);
	CHECK(rc.caps & NDIS_RSS_CAP_TOEPLITZ);
	/* Unknown OID: NOT_SUPPORTED, no data. */
	s = nvg_query(g, 0x00ABCDEF, NULL, 0, out, sizeof(out), &len);
	CHECK_EQ(s, RNDIS_STATUS_NOT_SUPPORTED);
	CHECK_EQ(len, 0);
	/* Keepalive is answered. */
	{
		uint8_t m[16];
		uint32_t id, st;
		int n = rndis_encode_keepalive(m, sizeof(m), ++g->req_id);

		CHECK(nvg_rndis_req(g, m, (uint32_t)n, NVG_GPA) > 0);
		CHECK_EQ(rndis_parse_status_cmplt(g->resp, g->resp_len,
				RNDIS_MSG_KEEPALIVE_CMPLT, &id, &st), 0);
		CHECK_EQ(id, g->req_id);
		CHECK_EQ(st, RNDIS_STATUS_SUCCESS);
	}
	t_down(g, e);
}

static void
test_link_vf(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, NVSP_NDIS_CAP_SRIOV, 0);
	struct hvsim_nic_stats st;
	uint8_t m[NVSP_MSG_SIZE];
	uint32_t v, len;

	CHECK_EQ(tenv_set_link(e, 0, false), 0);
	nvg_drain(g, 20);
	CHECK_EQ(g->indications, 1);
	CHECK_EQ(g->last_indication, RNDIS_STATUS_MEDIA_DISCONNECT);
	CHECK_EQ(nvg_query(g, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, &v,
			   4, &len), RNDIS_STATUS_SUCCESS);
	CHECK_EQ(v, RNDIS_MEDIA_STATE_DISCONNECTED);
	CHECK_EQ(tenv_set_link(e, 0, true), 0);
	nvg_drain(g, 20);
	CHECK_EQ(g->indications, 2);
	CHECK_EQ(g->last_indication, RNDIS_STATUS_MEDIA_CONNECT);

	CHECK_EQ(tenv_vf(e, 0, true, 17), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(g->vf_msgs, 1);
	CHECK_EQ(g->vf_allocated, 1);
	CHECK_EQ(g->vf_serial, 17);
	nvsp_encode_switch_data_path(m, sizeof(m), NVSP_DATAPATH_VF);
	CHECK_EQ(nvg_nvsp_post(g, 0, m, sizeof(m)), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	tenv_stats(e, 0, &st);
	CHECK(st.vf_active);
	CHECK_EQ(st.vf_switches, 1);
	CHECK_EQ(st.tx_while_vf, 0);
	/* A frame the guest still sends synthetically is counted. */
	{
		uint8_t f[128];
		struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };

		tx.len = t_frame(f, g->mac, 17, 1, 2, 3, 30, 1, false);
		CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_SENDBUF),
			 NVSP_STATUS_SUCCESS);
		nvg_drain(g, 20);
		tenv_stats(e, 0, &st);
		CHECK_EQ(st.tx_while_vf, 1);
	}
	/* Another VF in place of this one, even in one go: the guest hears
	 * the new serial (the removal may or may not be sent first). */
	CHECK_EQ(tenv_vf(e, 0, false, 17), 0);
	CHECK_EQ(tenv_vf(e, 0, true, 18), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK(g->vf_msgs == 2 || g->vf_msgs == 3, "%u messages", g->vf_msgs);
	CHECK_EQ(g->vf_allocated, 1);
	CHECK_EQ(g->vf_serial, 18);
	CHECK_EQ(tenv_vf(e, 0, false, 18), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(g->vf_allocated, 0);
	t_down(g, e);

	/* No SR-IOV capability from the guest: no association message. */
	e = t_up(g, NULL, 0, 0);
	CHECK_EQ(tenv_vf(e, 0, true, 3), 0);
	tenv_idle(e, 20);
	nvg_drain(g, 20);
	CHECK_EQ(g->vf_msgs, 0);
	t_down(g, e);
}

/* Deterministic hooks hold the NIC at its protocol steps. */
static void
test_hooks(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	uint8_t m[NVSP_MSG_SIZE];
	unsigned int i;

	CHECK_EQ(tenv_hook(e, 0, HVSIM_STEP_SUBCHAN_REQ, true), 0);
	nvsp_encode_subchannel_req(m, sizeof(m), 2);
	g->cmplt_ready = false;
	CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_DATA_INBAND,
			    VMB_PKT_FLAG_RC, 4242, NULL, 0, m, sizeof(m)), 0);
	for (i = 0; i < 20; i++)
		nvg_poll(g, 0, 2);
	CHECK(!g->cmplt_ready, "held subchannel request was answered");
	CHECK_EQ(tenv_hook(e, 0, HVSIM_STEP_SUBCHAN_REQ, false), 0);
	for (i = 0; i < 200 && !g->cmplt_ready; i++)
		nvg_poll(g, 0, 2);
	CHECK(g->cmplt_ready && g->cmplt_xid == 4242);
	{
		uint32_t granted = 0;

		CHECK_EQ(nvsp_check_subchannel_cmplt(g->cmplt, g->cmplt_len,
						     2, &granted), 0);
		CHECK_EQ(granted, 2);
	}
	t_down(g, e);
}

/* Less common NVSP messages: OID_QUERY_EX, SWITCH_DATA_PATH with RC,
 * receive-buffer revoke. */
static void
test_nvsp_misc(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	struct nvsp_oid_query_ex q = { .type = NVSP_TYPE_OID_QUERY_EX,
				       .oid = RNDIS_OID_GEN_LINK_SPEED };
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE];
	struct nvsp_oid_query_ex_cmplt qc;
	int rc;

	memset(m, 0, sizeof(m));
	memcpy(m, &q, sizeof(q));
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	REQUIRE(rc >= (int)sizeof(qc));
	memcpy(&qc, c, sizeof(qc));
	CHECK_EQ(qc.type, NVSP_TYPE_OID_QUERY_EX_CMPLT);
	CHECK_EQ(qc.status, RNDIS_STATUS_NOT_SUPPORTED);
	nvsp_encode_switch_data_path(m, sizeof(m), NVSP_DATAPATH_SYNTHETIC);
	CHECK_EQ(nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c)), 40);
	/* After the revoke nothing is delivered any more. */
	t_reflect(g, 80, 1, NVG_GPA);
	nvsp_encode_revoke_recv_buf(m, sizeof(m), NVSP_RECV_BUF_ID);
	CHECK_EQ(nvg_nvsp_post(g, 0, m, sizeof(m)), 0);
	tenv_idle(e, 10);
	{
		uint8_t f[128];
		struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };

		tx.len = t_frame(f, g->mac, 17, 1, 2, 3, 30, 1, false);
		t_rx_reset(&rx);
		CHECK_EQ(nvg_send(g, 0, &tx, 1, NVG_SENDBUF),
			 NVSP_STATUS_SUCCESS);
		nvg_drain(g, 20);
		CHECK_EQ(rx.n, 0);
	}
	t_down(g, e);
}

static void
test_malformed(void)
{
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, 0x0d);
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE], f[128], raw[256];
	struct hvsim_nic_stats st;
	int rc, errs = tenv_proto_errors(e);
	struct nvg_tx tx = { .frame = f, .vlan_tci = -1 };

	tx.len = t_frame(f, g->mac, 17, 1, 1, 2, 40, 1, false);
	/* Send-buffer section beyond the buffer, and a size beyond the
	 * section: failure status, no frame. */
	nvsp_encode_rndis_pkt(m, sizeof(m), 0, g->sb_sec_count, 64);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	CHECK(rc >= 8 && ((struct nvsp_rndis_pkt_cmplt *)(void *)c)->status
	      == NVSP_STATUS_FAILURE);
	nvsp_encode_rndis_pkt(m, sizeof(m), 0, 0, g->sb_sec_size + 1);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	CHECK(rc >= 8 && ((struct nvsp_rndis_pkt_cmplt *)(void *)c)->status
	      == NVSP_STATUS_FAILURE);
	nvsp_encode_rndis_pkt(m, sizeof(m), 0, 0xFFFFFFFFu, 0);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	CHECK(rc >= 8 && ((struct nvsp_rndis_pkt_cmplt *)(void *)c)->status
	      == NVSP_STATUS_FAILURE);
	/* GPA range outside guest memory. */
	if (tenv_checks_gpa) {
		struct vmb_gpa_pb pb = { .len = 64, .offset = 0,
					 .pfn = 0x10 };
		uint8_t ext[64];
		int el = vmb_gpa_pb_encode(ext, sizeof(ext), &pb, 1);

		nvsp_encode_rndis_pkt(m, sizeof(m), 0, 0xFFFFFFFFu, 0);
		g->cmplt_ready = false;
		CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_DATA_GPA_DIRECT,
				    VMB_PKT_FLAG_RC, 777, ext, (uint32_t)el,
				    m, sizeof(m)), 0);
		nvg_drain(g, 20);
		CHECK(g->cmplt_ready && g->cmplt_xid == 777 &&
		      ((struct nvsp_rndis_pkt_cmplt *)(void *)g->cmplt)->status
		      == NVSP_STATUS_FAILURE);
	}
	/* Malformed RNDIS packets: truncated, bad data offset, PPI past the
	 * end, 9 packets aggregated. */
	memset(raw, 0, sizeof(raw));
	CHECK_EQ(nvg_send_raw(g, 0, raw, 20, NVG_SENDBUF),
		 NVSP_STATUS_FAILURE);
	rc = rndis_packet_begin(raw, sizeof(raw));
	rc = rndis_packet_end(raw, sizeof(raw), 0, 60, 0);
	((struct rndis_packet *)(void *)raw)->data_offset = 500;
	CHECK_EQ(nvg_send_raw(g, 0, raw, 44 + 60, NVG_GPA),
		 NVSP_STATUS_INVALID_RNDIS_PKT);
	rndis_packet_begin(raw, sizeof(raw));
	rndis_packet_add_ppi_u32(raw, sizeof(raw), RNDIS_PPI_VLAN, 5);
	rndis_packet_end(raw, sizeof(raw), 0, 60, 0);
	((struct rndis_ppi *)(void *)(raw + 44))->size = 200;
	CHECK_EQ(nvg_send_raw(g, 0, raw, 44 + 16 + 60, NVG_SENDBUF),
		 NVSP_STATUS_INVALID_RNDIS_PKT);
	{
		struct nvg_tx nine[9];
		unsigned int i;

		for (i = 0; i < 9; i++)
			nine[i] = tx;
		t_rx_reset(&rx);
		CHECK_EQ(nvg_send(g, 0, nine, 9, NVG_SENDBUF),
			 NVSP_STATUS_INVALID_RNDIS_PKT);
		nvg_drain(g, 20);
		CHECK_EQ(rx.n, 0);
	}
	/* Malformed RNDIS control: QUERY whose buffer runs past the end. */
	{
		int n = rndis_encode_query(raw, sizeof(raw), ++g->req_id,
					   RNDIS_OID_GEN_VENDOR_ID, NULL, 0);

		((struct rndis_query_req *)(void *)raw)->info_buflen = 1000;
		((struct rndis_query_req *)(void *)raw)->info_buf_offset = 20;
		g->ctrl_xid = 0;
		CHECK_EQ(nvg_send_raw(g, 0, raw, (uint32_t)n, NVG_GPA),
			 NVSP_STATUS_INVALID_RNDIS_PKT);
	}
	/* A completion naming no receive batch is ignored. */
	nvsp_encode_rndis_pkt_cmplt(m, sizeof(m), NVSP_STATUS_SUCCESS);
	CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_COMPLETION, 0, 123456, NULL,
			    0, m, sizeof(m)), 0);
	CHECK_EQ(g->io.send(g->io.ctx, 0, VMB_PKT_COMPLETION, 0, 3, NULL,
			    0, m, sizeof(m)), 0);
	nvg_drain(g, 10);
	CHECK_EQ(tenv_proto_errors(e), errs);
	/* Still working after all that. */
	t_reflect(g, 100, 2, NVG_GPA);
	tenv_stats(e, 0, &st);
	CHECK(st.tx_bad >= 8, "tx_bad %llu", (unsigned long long)st.tx_bad);

	CHECK_EQ(g->rx_bad, 0);
	CHECK_EQ(g->order_errors, 0);

	/* Protocol errors fail the channel: an unknown NVSP type, a host
	 * message type from the guest. The real core records the failed
	 * channel as a checker violation (once: the channel stops). */
	memset(m, 0, sizeof(m));
	m[0] = 77;
	nvg_nvsp_post(g, 0, m, sizeof(m));
	nvsp_encode_init_cmplt(m, sizeof(m), 1, 34);
	nvg_nvsp_post(g, 0, m, sizeof(m));
	tenv_idle(e, 20);
	if (errs >= 0)
		CHECK_EQ(tenv_proto_errors(e), errs + 2);
	nvg_fini(g);
	CHECK_EQ(tenv_destroy(e), errs >= 0 ? 0 : 1);
	t_rx_reset(&rx);

	/* RNDIS before INIT: data refused; NVSP before INIT fails. */
	e = tenv_create(1, NULL);
	REQUIRE(e != NULL);
	memset(g, 0, offsetof(struct nvg, pkt));
	g->io = *tenv_io(e, 0);
	nvsp_encode_recv_buf(m, sizeof(m), 1, NVSP_RECV_BUF_ID);
	nvg_nvsp_post(g, 0, m, sizeof(m));
	tenv_idle(e, 20);
	if (errs >= 0)
		CHECK_EQ(tenv_proto_errors(e), 1);
	CHECK_EQ(tenv_destroy(e), errs >= 0 ? 0 : 1);
}
/* A full host -> guest ring makes the host retry a request later, with
 * the same answer (not "second buffer refused"). */
static void
test_ring_full(void)
{
	struct tenv *e = tenv_create(1, NULL);
	const struct nvg_io *io;
	uint8_t m[NVSP_MSG_SIZE], pkt[256];
	struct vmb_pkt_view v;
	struct nvsp_recv_buf_info ri;
	uint32_t handle;
	void *buf;
	int n, i;

	REQUIRE(e != NULL);
	if (tenv_set_room(e, 40) != 0) {
		printf("ring_full: not available with %s\n", tenv_name);
		tenv_destroy(e);
		return;
	}
	io = tenv_io(e, 0);
	tenv_set_room(e, 0);
	nvsp_encode_init(m, sizeof(m), NVSP_VERSION_61);
	CHECK_EQ(io->send(io->ctx, 0, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, 1,
			  NULL, 0, m, sizeof(m)), 0);
	tenv_idle(e, 5);
	CHECK(io->recv(io->ctx, 0, pkt, sizeof(pkt), 0) > 0);
	buf = io->alloc(io->ctx, 1u << 20);
	REQUIRE(buf != NULL && io->gpadl(io->ctx, buf, 1u << 20, &handle) == 0);
	tenv_set_room(e, 40);
	nvsp_encode_recv_buf(m, sizeof(m), handle, NVSP_RECV_BUF_ID);
	CHECK_EQ(io->send(io->ctx, 0, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, 2,
			  NULL, 0, m, sizeof(m)), 0);
	for (i = 0; i < 3; i++)
		tenv_idle(e, 5);
	CHECK_EQ(io->recv(io->ctx, 0, pkt, sizeof(pkt), 0), 0);
	tenv_set_room(e, 0);
	tenv_idle(e, 5);
	n = io->recv(io->ctx, 0, pkt, sizeof(pkt), 0);
	REQUIRE(n > 0 && vmb_pkt_parse(pkt, (uint32_t)n, &v) == 0);
	CHECK_EQ(v.desc.xid, 2);
	CHECK_EQ(nvsp_check_recv_buf_cmplt(v.payload, v.payload_len, 1u << 20,
					   &ri), 0);
	CHECK_EQ(ri.section_size, 1856);
	CHECK_EQ(tenv_destroy(e), 0);
}

/* Frames to @p dst the reflect port brings back through the filter. */
static unsigned int
t_mac_reflected(struct nvg *g, const uint8_t *dst, unsigned int n)
{
	static uint8_t f[4][128];
	struct nvg_tx tx[4];
	unsigned int i;

	t_rx_reset(&rx);
	for (i = 0; i < n && i < 4; i++) {
		tx[i] = (struct nvg_tx){ .frame = f[i], .vlan_tci = -1 };
		tx[i].len = t_frame(f[i], dst, 17, 0x0a000001 + i, 1000, 2000,
				    18, (uint8_t)i, false);
	}
	CHECK_EQ(nvg_send(g, 0, tx, i, NVG_SENDBUF), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	return rx.n;
}

/* A NetworkAddress config parameter (hand-written: another name, another
 * type, any value) into @p b; returns its length. */
static uint32_t
t_cfg_param(uint8_t *b, const char *name, uint32_t type, const char *value)
{
	uint32_t nl = 0, vl = 0, v;

	for (; *name != '\0'; name++, nl += 2) {
		b[20 + nl] = (uint8_t)*name;
		b[21 + nl] = 0;
	}
	for (; *value != '\0'; value++, vl += 2) {
		b[20 + nl + vl] = (uint8_t)*value;
		b[21 + nl + vl] = 0;
	}
	v = 20;
	memcpy(b, &v, 4);
	memcpy(b + 4, &nl, 4);
	memcpy(b + 8, &type, 4);
	v = 20 + nl;
	memcpy(b + 12, &v, 4);
	memcpy(b + 16, &vl, 4);
	return 20 + nl + vl;
}

/* NetworkAddress: the current address changes, the permanent one stays,
 * unicast follows the new address; garbage, multicast, all-zero and a
 * locked port are refused with the old address kept. */
static void
test_mac_param(void)
{
	static const uint8_t nmac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const char *const garbage[] = {
		"0211223344", "02112233445G", "03112233445 5", "01005E000001",
		"FFFFFFFFFFFF", "000000000000", "02:11:22:33:44:55",
	};
	struct hvsim_nic_config cfg;
	struct hvsim_nic_stats st;
	struct nvg *g = &G;
	struct tenv *e = t_up(g, NULL, 0, RNDIS_PACKET_FILTER_DIRECTED);
	uint8_t perm[6], old[6], out[16], b[256];
	uint32_t len, i;
	int64_t s;

	memcpy(perm, g->mac, 6);
	CHECK_EQ(t_mac_reflected(g, perm, 3), 3);
	len = (uint32_t)rndis_netaddr_encode(b, sizeof(b), nmac);
	CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len),
		 RNDIS_STATUS_SUCCESS);
	s = nvg_query(g, RNDIS_OID_802_3_CURRENT_ADDRESS, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len == 6 &&
	      memcmp(out, nmac, 6) == 0, "current address follows");
	s = nvg_query(g, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && len == 6 &&
	      memcmp(out, perm, 6) == 0, "permanent address stays");
	tenv_stats(e, 0, &st);
	CHECK(memcmp(st.mac, nmac, 6) == 0 && memcmp(st.perm_mac, perm, 6) == 0,
	      "host status");
	CHECK_EQ(t_mac_reflected(g, nmac, 3), 3);
	CHECK_EQ(t_mac_reflected(g, perm, 3), 0);	/* filtered now */

	/* Garbage: refused, nothing changes; other parameters are fine. */
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		len = t_cfg_param(b, "NetworkAddress", RNDIS_CFG_PARAM_STRING,
				  garbage[i]);
		CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b,
				 len), RNDIS_STATUS_INVALID_DATA);
	}
	len = t_cfg_param(b, "NetworkAddress", RNDIS_CFG_PARAM_INT,
			  "021122334466");
	CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len),
		 RNDIS_STATUS_INVALID_DATA);
	len = t_cfg_param(b, "NetworkAddress", RNDIS_CFG_PARAM_STRING,
			  "021122334466");
	memset(b + 12, 0xff, 4);	/* value offset far outside */
	CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len),
		 RNDIS_STATUS_INVALID_DATA);
	CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b, 12),
		 RNDIS_STATUS_INVALID_LENGTH);
	len = t_cfg_param(b, "*JumboPacket", RNDIS_CFG_PARAM_STRING, "1514");
	CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len),
		 RNDIS_STATUS_SUCCESS);
	tenv_stats(e, 0, &st);
	CHECK(memcmp(st.mac, nmac, 6) == 0, "address kept after garbage");
	CHECK_EQ(t_mac_reflected(g, nmac, 2), 2);
	CHECK(tenv_proto_errors(e) <= 0);
	t_down(g, e);

	/* A port that forbids MAC changes: FAILURE, old address kept. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.mtu = 1500;
	cfg.max_queues = 8;
	cfg.link_speed_mbps = 100000;
	cfg.mac_locked = true;
	e = t_up(g, &cfg, 0, RNDIS_PACKET_FILTER_DIRECTED);
	memcpy(old, g->mac, 6);
	len = (uint32_t)rndis_netaddr_encode(b, sizeof(b), nmac);
	CHECK_EQ(nvg_set(g, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, b, len),
		 RNDIS_STATUS_FAILURE);
	s = nvg_query(g, RNDIS_OID_802_3_CURRENT_ADDRESS, NULL, 0, out,
		      sizeof(out), &len);
	CHECK(s == RNDIS_STATUS_SUCCESS && memcmp(out, old, 6) == 0,
	      "locked: address kept");
	tenv_stats(e, 0, &st);
	CHECK(st.mac_locked, "lock reported");
	CHECK_EQ(t_mac_reflected(g, old, 2), 2);
	CHECK_EQ(t_mac_reflected(g, nmac, 2), 0);
	t_down(g, e);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("environment: %s\n", tenv_name);
	test_init();
	test_queries();
	test_link_vf();
	test_mac_param();
	test_hooks();
	test_nvsp_misc();
	test_malformed();
	test_ring_full();
	return check_exit("hvsim_netvsp");
}
