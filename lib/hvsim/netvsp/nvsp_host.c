/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * NVSP host: version negotiation, NDIS config/version, receive and send
 * buffer connect/revoke, subchannel allocation, data-path switch, and the
 * host-initiated notifications (send indirection table, VF association).
 * Messages arrive in-band (type 6); SEND_RNDIS_PKT goes to txpath.c.
 *
 * Every reply is a VMBus completion padded to 40 bytes (DPDK rejects
 * shorter ones, protocol.rst 5.1). A message type the negotiated
 * version does not know, or one only a host sends, fails the channel as
 * openvmm does; a well-formed request with bad values gets a failure
 * status instead.
 */

#include <errno.h>
#include <string.h>

#include "netvsp_priv.h"

/* openvmm's max_mdl_chain_len. */
#define NV_MAX_MDL_CHAIN	34
/* Transaction ids of host-initiated in-band messages: top bit set so they
 * cannot collide with receive-section ids (openvmm uses the same idea). */
#define NV_XID_VF_ASSOC		0x8000000000000000ull
#define NV_XID_SEND_TABLE	0x8000000000000002ull

static int
nv_reply(struct nv_chan *ch, const struct hvsim_pkt *p, const void *msg,
	 uint32_t len)
{
	if (!(p->flags & VMB_PKT_FLAG_RC))
		return 0;
	return nv_send_nvsp(ch, VMB_PKT_COMPLETION, p->xid, msg, len);
}

/* Empty completion for requests that expect none but set RC anyway. */
static int
nv_reply_empty(struct nv_chan *ch, const struct hvsim_pkt *p)
{
	uint8_t buf[NVSP_MSG_SIZE];

	nvsp_encode_empty_cmplt(buf, sizeof(buf));
	return nv_reply(ch, p, buf, sizeof(buf));
}

static int
nv_init(struct netvsp_dev *d, struct nv_chan *ch, const struct hvsim_pkt *p,
	const struct nvsp_init *m)
{
	uint8_t buf[NVSP_MSG_SIZE];
	uint32_t status = NVSP_STATUS_NONE;
	int rc;

	if (d->rx.on || d->sb.on) {
		nv_log(d, "NVSP INIT after the buffers were connected");
		return -EPROTO;
	}
	if (hvsim_hook_hit(d->h, d->nic, HVSIM_STEP_NVSP_INIT))
		return -EAGAIN;
	/* Exact match only: every guest offers one version per INIT and
	 * walks down its list on failure. */
	if (m->min_ver == m->max_ver && nvsp_version_known(m->max_ver))
		status = NVSP_STATUS_SUCCESS;
	nvsp_encode_init_cmplt(buf, sizeof(buf), status, NV_MAX_MDL_CHAIN);
	rc = nv_reply(ch, p, buf, sizeof(buf));
	if (rc != 0)
		return rc;
	if (status == NVSP_STATUS_SUCCESS) {
		d->nvsp_ver = m->max_ver;
		d->stats.nvsp_version = d->nvsp_ver;
		nv_log(d, "NVSP version 0x%x", d->nvsp_ver);
	} else {
		nv_log(d, "NVSP INIT 0x%x..0x%x refused", m->min_ver,
		       m->max_ver);
	}
	return 0;
}

static int
nv_recv_buf(struct netvsp_dev *d, struct nv_chan *ch,
	    const struct hvsim_pkt *p, const struct nvsp_buf_conn *m)
{
	uint8_t buf[NVSP_MSG_SIZE];
	uint32_t size = 0, count = 0, status = NVSP_STATUS_FAILURE;
	int rc;

	if (d->rx.on)
		nv_log(d, "second receive buffer refused");
	else if (nv_rxbuf_connect(d, ch, m->gpadl, m->id, &size, &count) == 0)
		status = NVSP_STATUS_SUCCESS;
	nvsp_encode_recv_buf_cmplt(buf, sizeof(buf), status, size, count);
	if (status == NVSP_STATUS_SUCCESS)
		nv_hostile_recv_layout(d, buf);
	rc = nv_reply(ch, p, buf, sizeof(buf));
	/* Ring full: the request comes again; undo so it is not refused as
	 * a second buffer then. */
	if (rc == -EAGAIN && status == NVSP_STATUS_SUCCESS)
		nv_rxbuf_revoke(d);
	return rc;
}

static int
nv_send_buf(struct netvsp_dev *d, struct nv_chan *ch,
	    const struct hvsim_pkt *p, const struct nvsp_buf_conn *m)
{
	uint8_t buf[NVSP_MSG_SIZE];
	uint32_t status = NVSP_STATUS_FAILURE;
	uint32_t sec = nv_mb_send_section(d), announce = 0;
	uint64_t len = 0;
	void *base;
	int rc;

	if (d->sb.on) {
		nv_log(d, "second send buffer refused");
		goto out;
	}
	base = hvsim_gpadl_map(ch->c, m->gpadl, &len);
	if (base == NULL || len < sec) {
		nv_log(d, "send buffer GPADL 0x%x unusable (%llu bytes)",
		       m->gpadl, (unsigned long long)len);
		goto out;
	}
	announce = sec;
	nv_hostile_send_section(d, len, &announce, &sec);
	d->sb.base = base;
	d->sb.size = len;
	d->sb.gpadl = m->gpadl;
	d->sb.sec_size = sec;
	d->sb.sec_count = (uint32_t)(len / sec);
	d->sb.on = true;
	status = NVSP_STATUS_SUCCESS;
	nv_log(d, "send buffer: %u sections of %u bytes", d->sb.sec_count,
	       d->sb.sec_size);
out:
	nvsp_encode_send_buf_cmplt(buf, sizeof(buf), status,
				   status == NVSP_STATUS_SUCCESS ? announce : 0);
	rc = nv_reply(ch, p, buf, sizeof(buf));
	if (rc == -EAGAIN && status == NVSP_STATUS_SUCCESS)
		d->sb.on = false;	/* done again when retried */
	return rc;
}

static int
nv_subchannel(struct netvsp_dev *d, struct nv_chan *ch,
	      const struct hvsim_pkt *p, const struct nvsp_subchannel_req *m)
{
	uint8_t buf[NVSP_MSG_SIZE];
	uint32_t status = NVSP_STATUS_SUCCESS, granted = 0, prev;
	int rc;

	if (hvsim_hook_hit(d->h, d->nic, HVSIM_STEP_SUBCHAN_REQ))
		return -EAGAIN;
	if (m->op != NVSP_SUBCHAN_OP_ALLOCATE) {
		nv_log(d, "subchannel request op %u refused", m->op);
		status = NVSP_STATUS_FAILURE;
	} else {
		granted = m->num_subchannels;
		if (granted > d->max_queues - 1)
			granted = d->max_queues - 1;
	}
	nvsp_encode_subchannel_cmplt(buf, sizeof(buf), status, granted);
	rc = nv_reply(ch, p, buf, sizeof(buf));
	if (rc != 0)
		return rc;
	if (status != NVSP_STATUS_SUCCESS)
		return 0;
	/* A repeated request (DPDK re-configuring) keeps what was offered
	 * and only offers more: the guest never closes subchannels. */
	prev = d->subch_granted;
	if (granted > prev) {
		d->subch_granted = granted;
		if (hvsim_offer_subchannels(d->h, d->nic, granted) != 0)
			nv_log(d, "offering %u subchannels failed", granted);
	}
	if (d->subch_granted != 0 && d->n_open == d->subch_granted + 1)
		d->send_table_due = true;
	nv_log(d, "granted %u of %u subchannels", granted, m->num_subchannels);
	return 0;
}

static int
nv_switch_data_path(struct netvsp_dev *d, struct nv_chan *ch,
		    const struct hvsim_pkt *p,
		    const struct nvsp_switch_data_path *m)
{
	int rc;

	if (hvsim_hook_hit(d->h, d->nic, HVSIM_STEP_VF_SWITCH))
		return -EAGAIN;
	rc = nv_reply_empty(ch, p);
	if (rc != 0)
		return rc;
	if (m->active > NVSP_DATAPATH_VF) {
		nv_log(d, "SWITCH_DATA_PATH to unknown path %u ignored",
		       m->active);
		return 0;
	}
	d->datapath_vf = m->active == NVSP_DATAPATH_VF;
	d->stats.vf_switches++;
	nv_log(d, "data path switched to %s",
	       d->datapath_vf ? "VF" : "synthetic");
	return 0;
}

/* Check that @p type may arrive from a guest on @p ch now. */
static int
nv_type_allowed(struct netvsp_dev *d, struct nv_chan *ch, uint32_t type)
{
	uint32_t minv = nvsp_type_min_version(type);

	switch (type) {
	case NVSP_TYPE_INIT_CMPLT:
	case NVSP_TYPE_RECV_BUF_CMPLT:
	case NVSP_TYPE_SEND_BUF_CMPLT:
	case NVSP_TYPE_RNDIS_PKT_CMPLT:
	case NVSP_TYPE_VF_ASSOC:
	case NVSP_TYPE_OID_QUERY_EX_CMPLT:
	case NVSP_TYPE_SEND_TABLE:
		nv_log(d, "guest sent host-only NVSP message %u", type);
		return -EPROTO;
	default:
		break;
	}
	if (type == NVSP_TYPE_INIT) {
		if (ch->idx != 0) {
			nv_log(d, "NVSP INIT on subchannel %u", ch->idx);
			return -EPROTO;
		}
		return 0;
	}
	if (d->nvsp_ver == 0) {
		nv_log(d, "NVSP message %u before INIT", type);
		return -EPROTO;
	}
	if (minv == 0 || minv > d->nvsp_ver) {
		nv_log(d, "NVSP message %u invalid at version 0x%x", type,
		       d->nvsp_ver);
		return -EPROTO;
	}
	/* Subchannels carry data only (openvmm rejects the rest). */
	if (ch->idx != 0 && type != NVSP_TYPE_RNDIS_PKT) {
		nv_log(d, "NVSP message %u on subchannel %u", type, ch->idx);
		return -EPROTO;
	}
	return 0;
}

int
nv_nvsp_inband(struct netvsp_dev *d, struct nv_chan *ch,
	       const struct hvsim_pkt *p)
{
	uint8_t buf[NVSP_MSG_SIZE];
	union nvsp_msg m;
	int type, rc;

	/* Nearly every packet is a send request: decoded here without the
	 * type-table walks (RNDIS_PKT is valid at every version and on any
	 * channel once INIT is done; p->data is already a private copy). */
	if (p->data_len >= sizeof(m.rndis_pkt) && d->nvsp_ver != 0) {
		memcpy(&m.rndis_pkt, p->data, sizeof(m.rndis_pkt));
		if (m.rndis_pkt.type == NVSP_TYPE_RNDIS_PKT)
			return nv_tx_request(d, ch, p, &m.rndis_pkt);
	}
	type = nvsp_decode(p->data, p->data_len, &m);
	if (type < 0) {
		nv_log(d, "malformed NVSP message (%d bytes): %s",
		       (int)p->data_len, type == -ENOMSG ? "unknown type" :
		       "too short");
		return -EPROTO;
	}
	rc = nv_type_allowed(d, ch, (uint32_t)type);
	if (rc != 0)
		return rc;

	switch (type) {
	case NVSP_TYPE_INIT:
		return nv_init(d, ch, p, &m.init);
	case NVSP_TYPE_NDIS_VERSION:
		d->ndis_ver = (m.ndis_version.major << 16) |
			(m.ndis_version.minor & 0xffff);
		d->stats.ndis_version = d->ndis_ver;
		return nv_reply_empty(ch, p);
	case NVSP_TYPE_NDIS_CONFIG:
		/* L2 frame size; openvmm falls back to 1514 outside
		 * 1514..9216. */
		d->ndis_mtu = m.ndis_config.mtu;
		if (d->ndis_mtu < 1514 || d->ndis_mtu > 9216)
			d->ndis_mtu = 1514;
		d->ndis_caps = m.ndis_config.caps;
		return nv_reply_empty(ch, p);
	case NVSP_TYPE_RECV_BUF:
		return nv_recv_buf(d, ch, p, &m.buf_conn);
	case NVSP_TYPE_REVOKE_RECV_BUF:
		if (!d->rx.on || m.buf_revoke.id != d->rx.id)
			nv_log(d, "revoke of unknown receive buffer 0x%x",
			       m.buf_revoke.id);
		else
			nv_rxbuf_revoke(d);
		return nv_reply_empty(ch, p);
	case NVSP_TYPE_SEND_BUF:
		return nv_send_buf(d, ch, p, &m.buf_conn);
	case NVSP_TYPE_REVOKE_SEND_BUF:
		d->sb.on = false;
		return nv_reply_empty(ch, p);
	case NVSP_TYPE_RNDIS_PKT:
		return nv_tx_request(d, ch, p, &m.rndis_pkt);
	case NVSP_TYPE_SUBCHANNEL:
		return nv_subchannel(d, ch, p, &m.subchannel_req);
	case NVSP_TYPE_SWITCH_DATA_PATH:
		return nv_switch_data_path(d, ch, p, &m.switch_data_path);
	case NVSP_TYPE_OID_QUERY_EX:
		nvsp_encode_oid_query_ex_cmplt(buf, sizeof(buf),
					       RNDIS_STATUS_NOT_SUPPORTED);
		return nv_reply(ch, p, buf, sizeof(buf));
	case NVSP_TYPE_UPLINK_CONNECT:
		/* Deprecated; nothing to do. */
		return nv_reply_empty(ch, p);
	default:
		nv_log(d, "NVSP message %d not handled by this host", type);
		return -EPROTO;
	}
}

static int
nv_send_table(struct netvsp_dev *d)
{
	uint32_t table[NVSP_SEND_TABLE_SIZE];
	uint8_t buf[12 + sizeof(table)];
	uint32_t i, n = d->subch_granted + 1, q = 0;
	int len;

	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++) {
		table[i] = q;
		if (++q == n)
			q = 0;
	}
	/* Offset 12, right after the fixed part, as openvmm. */
	len = nvsp_encode_send_table(buf, sizeof(buf), 12, table);
	if (len < 0)
		return len;
	return nv_send_nvsp(d->ch[0], VMB_PKT_DATA_INBAND, NV_XID_SEND_TABLE,
			    buf, (uint32_t)len);
}

static int
nv_send_vf_assoc(struct netvsp_dev *d)
{
	uint8_t buf[NVSP_MSG_SIZE];

	nvsp_encode_vf_assoc(buf, sizeof(buf), d->vf_present ? 1 : 0,
			     d->vf_present ? d->vf_serial : 0);
	/* No RC: Linux and DPDK never complete it. */
	return nv_send_nvsp(d->ch[0], VMB_PKT_DATA_INBAND, NV_XID_VF_ASSOC,
			    buf, sizeof(buf));
}

int
nv_nvsp_poll(struct netvsp_dev *d)
{
	int work = 0;

	if (d->ch[0] == NULL)
		return 0;
	if (d->send_table_due && d->rndis_up) {
		if (nv_send_table(d) == 0) {
			d->send_table_due = false;
			work++;
		}
	}
	if (d->vf_msg_due) {
		bool allowed = d->rndis_up && d->nvsp_ver >= NVSP_VERSION_4 &&
			(d->ndis_caps & NVSP_NDIS_CAP_SRIOV);

		if (!allowed) {
			/* Waits for RNDIS init; a removal the guest never
			 * heard the addition of is moot. */
			if (!d->vf_present && !d->vf_announced)
				d->vf_msg_due = false;
		} else if (d->vf_present == d->vf_announced &&
			   (!d->vf_present ||
			    d->vf_serial == d->vf_announced_serial)) {
			/* A removal and an addition of the same VF in one
			 * go: the guest's view is already right. Another
			 * serial is another VF: announced. */
			d->vf_msg_due = false;
		} else if (nv_send_vf_assoc(d) == 0) {
			d->vf_announced = d->vf_present;
			d->vf_announced_serial = d->vf_serial;
			d->vf_msg_due = false;
			nv_log(d, "VF %s (serial %u) announced",
			       d->vf_present ? "association" : "removal",
			       d->vf_serial);
			work++;
		}
	}
	return work;
}
