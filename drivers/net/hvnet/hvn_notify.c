/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What the host tells the port on channel 0 besides answers: link
 * indications, the VF association and (hvn_sendtbl.c) the send table. Whoever reads channel 0 (rx queue
 * 0's burst, or the control path while it owns the channel) records them
 * here with plain atomic stores; the control side acts on them later (the
 * LSC alarm raises the link event and queues the VF work). Recording never
 * waits, locks or calls up into the control path.
 */

#include <errno.h>

#include "hv_wire.h"
#include "hvn.h"

void
hvn_notify_link(struct hvn_dev *hv, const uint8_t *msg, uint32_t len)
{
	struct rndis_indication ind;

	if (rndis_parse_indicate(msg, len, &ind) != 0) {
		hv->ctl_bad++;
		return;
	}
	switch (ind.status) {
	case RNDIS_STATUS_MEDIA_CONNECT:
		__atomic_store_n(&hv->link_up, 1, __ATOMIC_RELEASE);
		break;
	case RNDIS_STATUS_MEDIA_DISCONNECT:
		__atomic_store_n(&hv->link_up, 0, __ATOMIC_RELEASE);
		break;
	case RNDIS_STATUS_LINK_SPEED_CHANGE:
		__atomic_store_n(&hv->link_mbps,
				 rndis_link_speed_mbps(ind.link_speed),
				 __ATOMIC_RELEASE);
		break;
	default:
		return;
	}
	/* The LSC callback runs from the interrupt thread's alarm, never
	 * from a burst. */
	__atomic_store_n(&hv->lsc_pending, 1, __ATOMIC_RELEASE);
}

int
hvn_notify_vf(struct hvn_dev *hv, const uint8_t *msg, uint32_t len)
{
	union nvsp_msg m;
	uint64_t v;
	int type = nvsp_decode(msg, len, &m);

	if (type < 0)
		return type;	/* too short, unknown: the caller counts it */
	if (type == NVSP_TYPE_SWITCH_DATA_PATH) {
		/* The host switched back by itself; its association
		 * removal follows and does the work (Linux and DPDK do not
		 * act on this notice either). */
		HVN_LOG_LIMITED(&hv->host_log, INFO, driver, "port %u: host "
				"set the data path to %s", hv->port_id,
				m.switch_data_path.active == NVSP_DATAPATH_VF ?
				"VF" : "synthetic");
		return 0;
	}
	if (type != NVSP_TYPE_VF_ASSOC)
		return 0;	/* nothing for the VF */
	if (m.vf_assoc.allocated > 1) {
		HVN_LOG_LIMITED(&hv->host_log, ERR, driver, "port %u: VF "
				"association with allocated = %u ignored (0 "
				"or 1 expected)", hv->port_id,
				m.vf_assoc.allocated);
		return -EBADMSG;
	}
	/* Single writer (channel 0 has one reader at a time): a plain
	 * read and a release store, no read-modify-write. */
	v = __atomic_load_n(&hv->vf_host, __ATOMIC_RELAXED);
	v = ((v | (HVN_VF_SEQ_ONE - 1)) + 1) |
		(m.vf_assoc.allocated ? HVN_VF_ALLOCATED |
		 m.vf_assoc.serial : 0);
	__atomic_store_n(&hv->vf_host, v, __ATOMIC_RELEASE);
	return 0;
}

/* An in-band NVSP message: the send table or the VF's. */
int
hvn_notify_nvsp(struct hvn_dev *hv, const uint8_t *msg, uint32_t len)
{
	if (len >= 4 && hv_get_le32(msg) == NVSP_TYPE_SEND_TABLE)
		return hvn_send_table_msg(hv, msg, len);
	return hvn_notify_vf(hv, msg, len);
}
