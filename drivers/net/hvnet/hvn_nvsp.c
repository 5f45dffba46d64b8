/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * NVSP on the primary channel: version negotiation (newest first), NDIS
 * configuration, receive and send buffers, subchannels, and their teardown.
 * Every request carries a control transaction id and is answered by a
 * completion the control path matches by that id.
 */

#include <errno.h>
#include <string.h>

#include "hvn_ctl.h"

/* Send an NVSP request with RC and wait for its completion, which is
 * copied into hv->w.cmplt. Caller holds the control path. */
static int
hvn_nvsp_exec(struct hvn_dev *hv, const void *msg, uint32_t len)
{
	int rc;

	memset(&hv->w, 0, sizeof(hv->w));
	hv->w.xid = HVN_XID_CTL | ++hv->ctl_seq;
	rc = hvn_ctl_send(hv, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, hv->w.xid,
			  msg, len);
	if (rc == 0)
		rc = hvn_ctl_wait(hv, HVN_CTL_TIMEOUT_MS);
	hv->w.xid = 0;
	return rc;
}

/* A request the host does not answer. */
static int
hvn_nvsp_post(struct hvn_dev *hv, const void *msg, uint32_t len)
{
	return hvn_ctl_send(hv, VMB_PKT_DATA_INBAND, 0,
			    HVN_XID_CTL | ++hv->ctl_seq, msg, len);
}

static int
hvn_nvsp_init_version(struct hvn_dev *hv)
{
	union nvsp_msg m;
	unsigned int i;
	int rc;

	for (i = 0; i < NVSP_GUEST_VERSION_COUNT; i++) {
		uint32_t ver = nvsp_guest_versions[i];

		nvsp_encode_init(&m, sizeof(m), ver);
		rc = hvn_nvsp_exec(hv, &m, NVSP_MSG_SIZE);
		if (rc != 0)
			return rc;
		if (nvsp_decode(hv->w.cmplt, hv->w.cmplt_len, &m) !=
		    NVSP_TYPE_INIT_CMPLT) {
			PMD_INIT_LOG(ERR, "NVSP INIT: bad completion");
			return -EPROTO;
		}
		if (m.init_cmplt.status == NVSP_STATUS_SUCCESS) {
			hv->nvsp_ver = ver;
			hv->ndis_ver = nvsp_ndis_version(ver);
			PMD_INIT_LOG(DEBUG, "NVSP version 0x%x", ver);
			return 0;
		}
		PMD_INIT_LOG(DEBUG, "NVSP version 0x%x refused (%u)", ver,
			     m.init_cmplt.status);
	}
	PMD_INIT_LOG(ERR, "host accepts no NVSP version we speak");
	return -EPROTONOSUPPORT;
}

static int
hvn_nvsp_bufs(struct hvn_dev *hv)
{
	struct nvsp_recv_buf_info ri;
	union nvsp_msg m;
	void *va;
	int rc;

	hv->rxbuf_size = (size_t)hv->da.recv_buf_mb << 20;
	rc = hvbus_gpadl_create(hv->hdev, hv->rxbuf_size, &va,
				&hv->rxbuf_gpadl);
	if (rc != 0) {
		PMD_INIT_LOG(ERR, "receive buffer GPADL (%zu bytes): %d",
			     hv->rxbuf_size, rc);
		return rc;
	}
	hv->rxbuf = va;
	nvsp_encode_recv_buf(&m, sizeof(m), hv->rxbuf_gpadl, NVSP_RECV_BUF_ID);
	rc = hvn_nvsp_exec(hv, &m, NVSP_MSG_SIZE);
	if (rc != 0)
		return rc;
	rc = nvsp_check_recv_buf_cmplt(hv->w.cmplt, hv->w.cmplt_len,
				       hv->rxbuf_size, &ri);
	if (rc != 0) {
		PMD_INIT_LOG(ERR, "receive buffer refused or malformed: %d",
			     rc);
		return rc == -ECONNREFUSED ? -EIO : -EPROTO;
	}
	hv->rxbuf_conn = true;
	hvn_zc_rel_new(hv);
	hv->rxlim.buf_size = (uint32_t)RTE_MIN(hv->rxbuf_size,
					       (size_t)UINT32_MAX);
	hv->rxlim.sec_size = ri.section_size;
	hv->rxlim.sec_count = ri.section_count;
	hv->ctl_msg = rte_zmalloc("hvn_ctl_msg", ri.section_size, 64);
	if (hv->ctl_msg == NULL)
		return -ENOMEM;

	hv->txbuf_size = (size_t)hv->da.send_buf_mb << 20;
	rc = hvbus_gpadl_create(hv->hdev, hv->txbuf_size, &va,
				&hv->txbuf_gpadl);
	if (rc != 0) {
		PMD_INIT_LOG(ERR, "send buffer GPADL (%zu bytes): %d",
			     hv->txbuf_size, rc);
		return rc;
	}
	hv->txbuf = va;
	nvsp_encode_send_buf(&m, sizeof(m), hv->txbuf_gpadl, NVSP_SEND_BUF_ID);
	rc = hvn_nvsp_exec(hv, &m, NVSP_MSG_SIZE);
	if (rc != 0)
		return rc;
	rc = nvsp_check_send_buf_cmplt(hv->w.cmplt, hv->w.cmplt_len,
				       hv->txbuf_size, &hv->tx_sec_size);
	if (rc != 0) {
		PMD_INIT_LOG(ERR, "send buffer refused or malformed: %d", rc);
		return rc == -ECONNREFUSED ? -EIO : -EPROTO;
	}
	hv->txbuf_conn = true;
	hv->tx_sec_count = (uint32_t)(hv->txbuf_size / hv->tx_sec_size);
	if (hv->tx_sec_count < 2) {
		PMD_INIT_LOG(ERR, "send buffer holds %u sections",
			     hv->tx_sec_count);
		return -EINVAL;
	}
	/* The last section carries RNDIS control messages. */
	hv->ctl_sec = hv->tx_sec_count - 1;
	if (hvn_tx_copy_max(hv) < hv->da.tx_copybreak)
		PMD_INIT_LOG(NOTICE, "host send-buffer sections of %u bytes: "
			     "frames shorter than %u bytes are copied "
			     "(tx_copybreak=%u)", hv->tx_sec_size,
			     hvn_tx_copy_max(hv), hv->da.tx_copybreak);
	PMD_INIT_LOG(DEBUG, "receive buffer %u x %u B, send buffer %u x %u B",
		     ri.section_count, ri.section_size, hv->tx_sec_count,
		     hv->tx_sec_size);
	return 0;
}

int
hvn_nvsp_attach(struct hvn_dev *hv)
{
	union nvsp_msg m;
	uint64_t caps;
	int rc;

	rc = hvn_ctl_acquire(hv);
	if (rc != 0)
		return rc;
	rc = hvn_nvsp_init_version(hv);
	if (rc != 0)
		goto out;
	if (hv->nvsp_ver >= NVSP_VERSION_2) {
		caps = NVSP_NDIS_CAP_IEEE8021Q;
		if (hv->nvsp_ver >= NVSP_VERSION_5)
			caps |= NVSP_NDIS_CAP_SRIOV;
		/* We can take coalesced packets in fragments (LRO); the
		 * host coalesces only once asked (hvn_rndis_rsc()). */
		if (hv->nvsp_ver >= NVSP_VERSION_61)
			caps |= NVSP_NDIS_CAP_RSC;
		nvsp_encode_ndis_config(&m, sizeof(m), HVN_NDIS_FRAME, caps);
		rc = hvn_nvsp_post(hv, &m, NVSP_MSG_SIZE);
		if (rc != 0)
			goto out;
	}
	nvsp_encode_ndis_version(&m, sizeof(m), hv->ndis_ver);
	rc = hvn_nvsp_post(hv, &m, NVSP_MSG_SIZE);
	if (rc != 0)
		goto out;
	rc = hvn_nvsp_bufs(hv);
out:
	hvn_ctl_release(hv);
	return rc;
}

/* Revoke the buffers (no answer comes) and free their GPADLs. Called with
 * every channel closed except the primary, before it is closed. */
void
hvn_nvsp_detach(struct hvn_dev *hv)
{
	union nvsp_msg m;

	if (hvn_ctl_acquire(hv) != 0)
		return;
	if (hv->rxbuf_conn) {
		nvsp_encode_revoke_recv_buf(&m, sizeof(m), NVSP_RECV_BUF_ID);
		hvn_nvsp_post(hv, &m, NVSP_MSG_SIZE);
		hv->rxbuf_conn = false;
	}
	if (hv->txbuf_conn) {
		nvsp_encode_revoke_send_buf(&m, sizeof(m), NVSP_SEND_BUF_ID);
		hvn_nvsp_post(hv, &m, NVSP_MSG_SIZE);
		hv->txbuf_conn = false;
	}
	hvn_ctl_release(hv);
}

int
hvn_nvsp_subchannels(struct hvn_dev *hv, uint32_t want, uint32_t *granted)
{
	union nvsp_msg m;
	int rc;

	if (hv->nvsp_ver < NVSP_VERSION_5)
		return -ENOTSUP;
	rc = hvn_ctl_acquire(hv);
	if (rc != 0)
		return rc;
	nvsp_encode_subchannel_req(&m, sizeof(m), want);
	rc = hvn_nvsp_exec(hv, &m, NVSP_MSG_SIZE);
	if (rc == 0)
		rc = nvsp_check_subchannel_cmplt(hv->w.cmplt, hv->w.cmplt_len,
						 want, granted);
	hvn_ctl_release(hv);
	return rc;
}
