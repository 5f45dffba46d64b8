/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Guest-side NVSP / RNDIS for hvsim netvsp tests (see nvg.h). Every host
 * packet is copied before use and checked as a hardened guest checks it
 * (protocol.rst 10); what fails a check is counted in rx_bad, so a
 * test can assert the host never sent anything malformed.
 */

#include <errno.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "nvg.h"
#include "vmb_pkt.h"

#define NVG_WAIT_MS	3000

static int
nvg_complete_rx(struct nvg *g, unsigned int q, uint64_t xid)
{
	uint8_t m[NVSP_MSG_SIZE];

	nvsp_encode_rndis_pkt_cmplt(m, sizeof(m), NVSP_STATUS_SUCCESS);
	return g->io.send(g->io.ctx, q, VMB_PKT_COMPLETION, 0, xid, NULL, 0,
			  m, sizeof(m));
}

static void
nvg_rndis_msg(struct nvg *g, unsigned int q, const uint8_t *m, uint32_t len)
{
	struct rndis_pkt_info pi;
	struct rndis_indication ind;
	uint32_t type, mlen;

	if (rndis_parse_hdr(m, len, &type, &mlen) != 0) {
		g->rx_bad++;
		return;
	}
	switch (type) {
	case RNDIS_MSG_PACKET:
		if (rndis_parse_packet(m, len, &pi) != 0) {
			g->rx_bad++;
			return;
		}
		g->rx_frames++;
		if (q < NVG_MAX_Q)
			g->q_frames[q]++;
		if (g->on_frame != NULL)
			g->on_frame(g->cb_arg, q, m + pi.frame_off,
				    pi.frame_len, &pi);
		return;
	case RNDIS_MSG_INDICATE:
		if (rndis_parse_indicate(m, len, &ind) != 0) {
			g->rx_bad++;
			return;
		}
		g->last_indication = ind.status;
		g->indications++;
		return;
	default:
		if (!(type & RNDIS_MSG_CMPLT) || mlen > sizeof(g->resp)) {
			g->rx_bad++;
			return;
		}
		memcpy(g->resp, m, mlen);
		g->resp_len = mlen;
		g->resp_ready = true;
		if (!g->ctrl_cmplt_seen)
			g->order_errors++;
		return;
	}
}

static int
nvg_xfer(struct nvg *g, unsigned int q, const uint8_t *pkt, uint32_t len)
{
	struct vmb_xfer_view x;
	struct vmb_pkt_desc desc;
	union nvsp_msg m;
	uint32_t i;

	memcpy(&desc, pkt, sizeof(desc));
	if (vmb_xfer_decode(pkt, len, (uint32_t)g->rx_len, &x) != 0 ||
	    x.pageset_id != NVSP_RECV_BUF_ID ||
	    nvsp_decode(x.payload, x.payload_len, &m) != NVSP_TYPE_RNDIS_PKT ||
	    desc.xid >= g->sec_count) {
		g->rx_bad++;
		return -EBADMSG;
	}
	g->rx_batches++;
	if (x.range_count > g->rx_ranges_max)
		g->rx_ranges_max = x.range_count;
	for (i = 0; i < x.range_count; i++) {
		struct vmb_xfer_range r;

		memcpy(&r, (const uint8_t *)x.ranges + i * sizeof(r),
		       sizeof(r));
		/* Copy out of the shared buffer before parsing. */
		if (r.len > g->sec_size || r.len > sizeof(g->msg)) {
			g->rx_bad++;
			continue;
		}
		memcpy(g->msg, g->rxbuf + r.offset, r.len);
		nvg_rndis_msg(g, q, g->msg, r.len);
	}
	if (g->hold && g->n_held < sizeof(g->held) / sizeof(g->held[0])) {
		g->held[g->n_held++] = desc.xid | (uint64_t)q << 48;
		return 0;
	}
	return nvg_complete_rx(g, q, desc.xid);
}

static void
nvg_inband(struct nvg *g, const uint8_t *pkt, uint32_t len)
{
	struct vmb_pkt_view v;
	union nvsp_msg m;
	int t;

	if (vmb_pkt_parse(pkt, len, &v) != 0) {
		g->rx_bad++;
		return;
	}
	t = nvsp_decode(v.payload, v.payload_len, &m);
	if (t == NVSP_TYPE_SEND_TABLE) {
		if (nvsp_parse_send_table(v.payload, v.payload_len,
					  g->nvsp_ver, g->send_table) != 0)
			g->rx_bad++;
		else
			g->send_tables++;
	} else if (t == NVSP_TYPE_VF_ASSOC) {
		g->vf_allocated = m.vf_assoc.allocated;
		g->vf_serial = m.vf_assoc.serial;
		g->vf_msgs++;
	} else {
		g->rx_bad++;
	}
}

static int
nvg_handle(struct nvg *g, unsigned int q, const uint8_t *pkt, uint32_t len)
{
	struct vmb_pkt_view v;

	if (vmb_pkt_parse(pkt, len, &v) != 0) {
		g->rx_bad++;
		return -EBADMSG;
	}
	switch (v.desc.type) {
	case VMB_PKT_COMPLETION: {
		struct nvsp_rndis_pkt_cmplt c;

		if (v.payload_len > sizeof(g->cmplt) || v.payload_len < 4) {
			g->rx_bad++;
			return -EBADMSG;
		}
		memcpy(g->cmplt, v.payload, v.payload_len);
		g->cmplt_len = v.payload_len;
		g->cmplt_xid = v.desc.xid;
		g->cmplt_ready = true;
		memcpy(&c, v.payload, sizeof(c));
		if (c.type == NVSP_TYPE_RNDIS_PKT_CMPLT) {
			g->tx_done++;
			if (c.status != NVSP_STATUS_SUCCESS)
				g->tx_failed++;
			if (v.desc.xid == g->ctrl_xid)
				g->ctrl_cmplt_seen = true;
		}
		return 0;
	}
	case VMB_PKT_DATA_XFER_PAGES:
		return nvg_xfer(g, q, pkt, len);
	case VMB_PKT_DATA_INBAND:
		nvg_inband(g, pkt, len);
		return 0;
	default:
		g->rx_bad++;
		return -EBADMSG;
	}
}

int
nvg_poll(struct nvg *g, unsigned int q, unsigned int ms)
{
	int n = g->io.recv(g->io.ctx, q, g->pkt, sizeof(g->pkt), ms);

	if (n <= 0)
		return n == -ETIMEDOUT ? 0 : n;
	nvg_handle(g, q, g->pkt, (uint32_t)n);
	return 1;
}

int
nvg_drain(struct nvg *g, unsigned int idle_ms)
{
	uint64_t quiet_since = hv_now_ms();
	int total = 0;

	while (hv_now_ms() - quiet_since < idle_ms) {
		unsigned int q;
		int got = 0;

		for (q = 0; q < g->nq; q++)
			while (nvg_poll(g, q, 0) > 0)
				got++;
		if (got) {
			total += got;
			quiet_since = hv_now_ms();
		}
	}
	return total;
}

int
nvg_release(struct nvg *g)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < g->n_held; i++)
		rc |= nvg_complete_rx(g, (unsigned int)(g->held[i] >> 48),
				      g->held[i] & 0xffffffffffffull);
	g->n_held = 0;
	return rc;
}

/* Poll @p q until *flag, or time out. */
static int
nvg_wait(struct nvg *g, unsigned int q, const bool *flag)
{
	uint64_t end = hv_now_ms() + NVG_WAIT_MS;

	while (!*flag) {
		if (hv_now_ms() > end)
			return -ETIMEDOUT;
		if (nvg_poll(g, q, 10) < 0)
			return -EBADMSG;
	}
	return 0;
}

int
nvg_nvsp_req(struct nvg *g, unsigned int q, const void *msg, uint32_t len,
	     void *out, uint32_t cap)
{
	uint64_t xid = ++g->xid;
	int rc;

	g->cmplt_ready = false;
	rc = g->io.send(g->io.ctx, q, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC,
			xid, NULL, 0, msg, len);
	if (rc != 0)
		return rc;
	do {
		g->cmplt_ready = false;
		rc = nvg_wait(g, q, &g->cmplt_ready);
		if (rc != 0)
			return rc;
	} while (g->cmplt_xid != xid);
	memcpy(out, g->cmplt, cap < g->cmplt_len ? cap : g->cmplt_len);
	return (int)g->cmplt_len;
}

int
nvg_nvsp_post(struct nvg *g, unsigned int q, const void *msg, uint32_t len)
{
	return g->io.send(g->io.ctx, q, VMB_PKT_DATA_INBAND, 0, ++g->xid,
			  NULL, 0, msg, len);
}

/* Send RNDIS bytes on @p q as one SEND_RNDIS_PKT; returns the xid. */
static int
nvg_post_rndis(struct nvg *g, unsigned int q, uint32_t chan_type,
	       const void *rndis, uint32_t len, enum nvg_mode mode,
	       uint64_t *xid)
{
	uint8_t m[NVSP_MSG_SIZE];
	uint8_t ext[8 + 32 * sizeof(struct vmb_gpa_pb)];
	struct vmb_gpa_pb pb[32];
	uint32_t n = 0, off = 0;
	int elen;

	*xid = ++g->xid;
	if (mode == NVG_SENDBUF) {
		if (len > g->sb_sec_size)
			return -EMSGSIZE;
		/* Requests are completed one at a time: one section is
		 * enough, and reusing it checks the host let go of it. */
		memcpy(g->sb, rndis, len);
		nvsp_encode_rndis_pkt(m, sizeof(m), chan_type, 0, len);
		return g->io.send(g->io.ctx, q, VMB_PKT_DATA_INBAND,
				  VMB_PKT_FLAG_RC, *xid, NULL, 0, m,
				  sizeof(m));
	}
	/* Start a few bytes into a page so ranges cross page ends. */
	if (len + 100 > g->page_len)
		return -EMSGSIZE;
	memcpy(g->page + 100, rndis, len);
	while (off < len && n < 32) {
		uint64_t gpa = g->io.gpa(g->io.ctx, g->page + 100 + off);
		uint32_t po = (uint32_t)(gpa & 4095), chunk = 4096 - po;

		if (chunk > len - off)
			chunk = len - off;
		pb[n].len = chunk;
		pb[n].offset = po;
		pb[n].pfn = gpa >> 12;
		n++;
		off += chunk;
	}
	if (off != len)
		return -EMSGSIZE;
	elen = vmb_gpa_pb_encode(ext, sizeof(ext), pb, n);
	if (elen < 0)
		return elen;
	nvsp_encode_rndis_pkt(m, sizeof(m), chan_type, NVSP_SECTION_NONE, 0);
	return g->io.send(g->io.ctx, q, VMB_PKT_DATA_GPA_DIRECT,
			  VMB_PKT_FLAG_RC, *xid, ext, (uint32_t)elen, m,
			  sizeof(m));
}

/* Wait for the 108 completion of @p xid on @p q; returns its status. */
static int
nvg_wait_send(struct nvg *g, unsigned int q, uint64_t xid)
{
	struct nvsp_rndis_pkt_cmplt c;
	int rc;

	do {
		g->cmplt_ready = false;
		rc = nvg_wait(g, q, &g->cmplt_ready);
		if (rc != 0)
			return rc;
	} while (g->cmplt_xid != xid);
	memcpy(&c, g->cmplt, sizeof(c));
	if (c.type != NVSP_TYPE_RNDIS_PKT_CMPLT)
		return -EBADMSG;
	return (int)c.status;
}

int
nvg_rndis_req(struct nvg *g, const void *msg, uint32_t len,
	      enum nvg_mode mode)
{
	int rc;

	g->resp_ready = false;
	g->ctrl_cmplt_seen = false;
	g->ctrl_xid = g->xid + 1;
	rc = nvg_post_rndis(g, 0, NVSP_RNDIS_CHAN_CONTROL, msg, len, mode,
			    &g->ctrl_xid);
	if (rc != 0)
		return rc;
	rc = nvg_wait(g, 0, &g->resp_ready);
	if (rc != 0)
		return rc;
	/* The completion of the request must have come first. */
	return g->ctrl_cmplt_seen ? (int)g->resp_len : -EPROTO;
}

int64_t
nvg_query(struct nvg *g, uint32_t oid, const void *in, uint32_t in_len,
	  void *out, uint32_t cap, uint32_t *olen)
{
	uint8_t m[1024];
	struct rndis_query_result r;
	int n;

	n = rndis_encode_query(m, sizeof(m), ++g->req_id, oid, in, in_len);
	if (n < 0)
		return n;
	n = nvg_rndis_req(g, m, (uint32_t)n, NVG_GPA);
	if (n < 0)
		return n;
	if (rndis_parse_query_cmplt(g->resp, g->resp_len, &r) != 0 ||
	    r.req_id != g->req_id)
		return -EBADMSG;
	if (olen != NULL)
		*olen = r.data_len;
	if (out != NULL && r.data_len != 0)
		memcpy(out, g->resp + r.data_off,
		       r.data_len < cap ? r.data_len : cap);
	return r.status;
}

int64_t
nvg_set(struct nvg *g, uint32_t oid, const void *data, uint32_t len)
{
	uint8_t m[1024];
	uint32_t id, status;
	int n;

	n = rndis_encode_set(m, sizeof(m), ++g->req_id, oid, data, len);
	if (n < 0)
		return n;
	n = nvg_rndis_req(g, m, (uint32_t)n, NVG_SENDBUF);
	if (n < 0)
		return n;
	if (rndis_parse_status_cmplt(g->resp, g->resp_len,
				     RNDIS_MSG_SET_CMPLT, &id, &status) != 0 ||
	    id != g->req_id)
		return -EBADMSG;
	return status;
}

int64_t
nvg_set_filter(struct nvg *g, uint32_t filter)
{
	return nvg_set(g, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &filter,
		       sizeof(filter));
}

int64_t
nvg_set_rss(struct nvg *g, const uint8_t *key, const uint32_t *table,
	    uint32_t n, uint32_t hash_info)
{
	struct ndis_rss_params p;
	uint8_t obj[NDIS_RSS_PARAMS_FULL_SIZE];
	int len;

	memset(&p, 0, sizeof(p));
	p.hash_info = hash_info;
	p.table_len = n;
	memcpy(p.table, table, n * sizeof(table[0]));
	memcpy(p.key, key, NDIS_RSS_KEY_SIZE);
	len = ndis_rss_params_encode(obj, sizeof(obj), &p);
	if (len < 0)
		return len;
	return nvg_set(g, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, obj,
		       (uint32_t)len);
}

int
nvg_subchannels(struct nvg *g, uint32_t n)
{
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE];
	uint32_t granted;
	int rc;

	nvsp_encode_subchannel_req(m, sizeof(m), n);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	if (rc < 0)
		return rc;
	if (nvsp_check_subchannel_cmplt(c, (size_t)rc, n, &granted) != 0)
		return -EBADMSG;
	if (granted != 0) {
		rc = g->io.open_subs(g->io.ctx, granted, NVG_WAIT_MS);
		if (rc != 0)
			return rc;
	}
	g->nq = granted + 1;
	return (int)granted;
}

int
nvg_send_raw(struct nvg *g, unsigned int q, const void *rndis, uint32_t len,
	     enum nvg_mode mode)
{
	uint64_t xid;
	int rc;

	rc = nvg_post_rndis(g, q, NVSP_RNDIS_CHAN_DATA, rndis, len, mode,
			    &xid);
	if (rc != 0)
		return rc;
	return nvg_wait_send(g, q, xid);
}

int
nvg_send(struct nvg *g, unsigned int q, const struct nvg_tx *tx,
	 unsigned int n, enum nvg_mode mode)
{
	uint8_t *buf = g->msg;
	uint32_t total = 0, cap = sizeof(g->msg), i;
	int off;

	for (i = 0; i < n; i++) {
		uint8_t *p = buf + total;
		uint32_t room = cap - total;

		if (rndis_packet_begin(p, room) != 0)
			return -EMSGSIZE;
		if (tx[i].csum != 0)
			rndis_packet_add_ppi_u32(p, room, RNDIS_PPI_CSUM,
						 tx[i].csum);
		if (tx[i].lso != 0)
			rndis_packet_add_ppi_u32(p, room, RNDIS_PPI_LSO,
						 tx[i].lso);
		if (tx[i].vlan_tci >= 0)
			rndis_packet_add_ppi_u32(p, room, RNDIS_PPI_VLAN,
				rndis_vlan_from_tci((uint16_t)tx[i].vlan_tci));
		/* DPDK's habit: a hash-value PPI naming the queue. */
		rndis_packet_add_ppi_u32(p, room, RNDIS_PPI_HASH_VALUE, q);
		off = rndis_packet_end(p, room, 0, tx[i].len,
				       i + 1 < n ? 8 : 0);
		if (off < 0)
			return -EMSGSIZE;
		memcpy(p + off, tx[i].frame, tx[i].len);
		total += ((const struct rndis_packet *)(const void *)p)->msg_len;
	}
	return nvg_send_raw(g, q, buf, total, mode);
}

/* Try NVSP versions from the newest, as DPDK and Linux do. */
static int
nvg_nvsp_init(struct nvg *g, uint32_t max)
{
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE];
	unsigned int i;
	int rc;

	for (i = 0; i < NVSP_GUEST_VERSION_COUNT; i++) {
		struct nvsp_init_cmplt ic;
		uint32_t v = nvsp_guest_versions[i];

		if (max != 0 && v > max)
			continue;
		nvsp_encode_init(m, sizeof(m), v);
		rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
		if (rc < (int)sizeof(ic))
			return rc < 0 ? rc : -EBADMSG;
		memcpy(&ic, c, sizeof(ic));
		if (ic.type != NVSP_TYPE_INIT_CMPLT)
			return -EBADMSG;
		if (ic.status == NVSP_STATUS_SUCCESS) {
			g->nvsp_ver = v;
			return 0;
		}
	}
	return -ENOTSUP;
}

int
nvg_init(struct nvg *g, const struct nvg_io *io, const struct nvg_opts *o)
{
	uint8_t m[NVSP_MSG_SIZE], c[NVSP_MSG_SIZE], r[64];
	struct nvsp_recv_buf_info ri;
	uint32_t handle, olen;
	int rc;

	memset(g, 0, offsetof(struct nvg, pkt));
	g->io = *io;
	g->nq = 1;
	rc = nvg_nvsp_init(g, o->max_nvsp);
	if (rc != 0)
		return rc;
	if (g->nvsp_ver >= NVSP_VERSION_2) {
		nvsp_encode_ndis_config(m, sizeof(m),
					o->ndis_frame ? o->ndis_frame : 1514,
					o->ndis_caps);
		nvg_nvsp_post(g, 0, m, sizeof(m));
	}
	nvsp_encode_ndis_version(m, sizeof(m), nvsp_ndis_version(g->nvsp_ver));
	nvg_nvsp_post(g, 0, m, sizeof(m));

	g->rx_len = o->rx_len ? o->rx_len : 2u << 20;
	g->rxbuf = io->alloc(io->ctx, g->rx_len);
	if (g->rxbuf == NULL || io->gpadl(io->ctx, g->rxbuf, g->rx_len,
					  &handle) != 0)
		return -ENOMEM;
	nvsp_encode_recv_buf(m, sizeof(m), handle, NVSP_RECV_BUF_ID);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	if (rc < 0)
		return rc;
	if (nvsp_check_recv_buf_cmplt(c, (size_t)rc, g->rx_len, &ri) != 0)
		return -EBADMSG;
	g->sec_size = ri.section_size;
	g->sec_count = ri.section_count;

	g->sb_len = o->sb_len ? o->sb_len : 1u << 20;
	g->sb = io->alloc(io->ctx, g->sb_len);
	if (g->sb == NULL || io->gpadl(io->ctx, g->sb, g->sb_len,
				       &handle) != 0)
		return -ENOMEM;
	nvsp_encode_send_buf(m, sizeof(m), handle, NVSP_SEND_BUF_ID);
	rc = nvg_nvsp_req(g, 0, m, sizeof(m), c, sizeof(c));
	if (rc < 0)
		return rc;
	if (nvsp_check_send_buf_cmplt(c, (size_t)rc, g->sb_len,
				      &g->sb_sec_size) != 0)
		return -EBADMSG;
	g->sb_sec_count = (uint32_t)(g->sb_len / g->sb_sec_size);

	g->page_len = 128u << 10;
	g->page = io->alloc(io->ctx, g->page_len);
	if (g->page == NULL)
		return -ENOMEM;
	rc = rndis_encode_init(r, sizeof(r), ++g->req_id,
			       RNDIS_GUEST_MAX_XFER);
	rc = nvg_rndis_req(g, r, (uint32_t)rc, NVG_GPA);
	if (rc < 0)
		return rc;
	if (rndis_parse_init_cmplt(g->resp, g->resp_len, &g->init) != 0 ||
	    g->init.req_id != g->req_id)
		return -EBADMSG;
	if (nvg_query(g, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0, g->mac,
		      sizeof(g->mac), &olen) != RNDIS_STATUS_SUCCESS ||
	    olen != 6)
		return -EBADMSG;
	return 0;
}

void
nvg_fini(struct nvg *g)
{
	memset(g, 0, offsetof(struct nvg, pkt));
}
