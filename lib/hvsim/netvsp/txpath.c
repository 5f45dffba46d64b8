/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Transmit path: one NVSP SEND_RNDIS_PKT from the guest. Its RNDIS bytes
 * are the send-buffer section it names followed by its GPA ranges, in that
 * order (protocol.rst 5.6). They are first copied into a private
 * buffer, so the guest cannot change what was validated (no double fetch),
 * then the whole request is validated, then the {108, status} completion
 * goes out (before any RNDIS response: stock DPDK needs that order), and
 * only then are the frames handed to the port or the control message
 * handled. A request the guest got wrong is completed with a failure
 * status and logged; it never fails the channel.
 */

#include <errno.h>
#include <string.h>

#include "netvsp_priv.h"

static int
nv_tx_complete(struct netvsp_dev *d, struct nv_chan *ch,
	       const struct hvsim_pkt *p, uint32_t status)
{
	uint8_t buf[NVSP_MSG_SIZE];

	if (!(p->flags & VMB_PKT_FLAG_RC))
		return 0;
	nvsp_encode_rndis_pkt_cmplt(buf, sizeof(buf), status);
	if (!nv_hostile_on(d, HVSIM_HOSTILE_CMPLT))
		return nv_send_nvsp(ch, VMB_PKT_COMPLETION, p->xid, buf,
				    sizeof(buf));
	return nv_hostile_cmplt(d, ch, p->xid, buf, sizeof(buf));
}

/* Copy the GPA ranges of a type-9 packet after @p *total bytes. */
static int
nv_tx_gather_gpa(struct netvsp_dev *d, const struct hvsim_pkt *p,
		 uint32_t *total)
{
	struct vmb_pkt_desc desc;
	struct vmb_gpa_iter it;
	struct vmb_gpa_range r;
	uint32_t plen, i;
	int rc;

	if (p->ext_len > NV_TX_MAX_EXT || (p->ext_len & 7) != 0)
		return -E2BIG;
	/* lib/vmbus decodes a whole packet: rebuild the descriptor in front
	 * of our copy of the extended header. */
	memset(&desc, 0, sizeof(desc));
	desc.type = VMB_PKT_DATA_GPA_DIRECT;
	desc.data_offset8 = (uint16_t)((VMB_PKT_DESC_SIZE + p->ext_len) / 8);
	desc.length8 = desc.data_offset8;
	plen = VMB_PKT_DESC_SIZE + p->ext_len;
	memcpy(d->gpabuf, &desc, sizeof(desc));
	memcpy(d->gpabuf + VMB_PKT_DESC_SIZE, p->ext, p->ext_len);
	if (vmb_gpa_begin(d->gpabuf, plen, &it) < 0)
		return -EBADMSG;
	while ((rc = vmb_gpa_next(&it, &r)) == 1) {
		uint32_t off = r.offset, left = r.len;

		if (r.len > NV_TX_MAX_BYTES - *total)
			return -E2BIG;
		for (i = 0; left != 0; i++) {
			uint32_t chunk = VMB_PAGE_SIZE - off;

			if (chunk > left)
				chunk = left;
			rc = hvsim_gpa_read(d->h, vmb_gpa_pfn(&r, i), off,
					    d->txbuf + *total, chunk);
			if (rc != 0)
				return -EFAULT;
			*total += chunk;
			left -= chunk;
			off = 0;
		}
	}
	return rc < 0 ? -EBADMSG : 0;
}

static int
nv_tx_gather(struct netvsp_dev *d, const struct hvsim_pkt *p,
	     const struct nvsp_rndis_pkt *req, uint32_t *total)
{
	*total = 0;
	if (req->section_index != NVSP_SECTION_NONE) {
		const struct nv_sendbuf *sb = &d->sb;

		if (!sb->on || nvsp_check_send_section(req->section_index,
				req->section_size, sb->sec_size,
				sb->sec_count) != 0)
			return -ERANGE;
		memcpy(d->txbuf, sb->base +
		       (uint64_t)req->section_index * sb->sec_size,
		       req->section_size);
		*total = req->section_size;
	} else if (req->section_size != 0) {
		return -ERANGE;
	}
	if (p->type == VMB_PKT_DATA_GPA_DIRECT)
		return nv_tx_gather_gpa(d, p, total);
	return 0;
}

/* One frame with PPIs of a data request, after they were validated. */
static void
nv_tx_frame_ppi(struct netvsp_dev *d, struct nv_chan *ch, uint8_t *msg,
		const struct rndis_pkt_info *pi)
{
	struct nv_frame f = {
		.data = msg + pi->frame_off,
		.len = pi->frame_len,
		.src_queue = ch->idx,
	};
	int rc;

	if (pi->present & RNDIS_PKT_HAS_VLAN) {
		f.has_vlan = true;
		f.vlan_tci = rndis_vlan_to_tci(pi->vlan);
	}
	if (pi->present & RNDIS_PKT_HAS_LSO) {
		if (nv_tx_lso(d, &f, pi->lso, nv_port_tx) < 0) {
			d->stats.tx_bad++;
			nv_log_dp(d, "LSO frame (ppi 0x%x, %u bytes) dropped",
				  pi->lso, f.len);
		}
		return;
	}
	if (pi->present & RNDIS_PKT_HAS_CSUM) {
		rc = nv_tx_csum(f.data, f.len, pi->csum);
		if (rc < 0) {
			d->stats.tx_bad++;
			nv_log_dp(d, "checksum request 0x%x on a frame that "
				  "does not match it: dropped", pi->csum);
			return;
		}
		f.csum_good = (uint32_t)rc;
	}
	nv_port_tx(d, &f);
}

/* PPIs that change what the port gets; hash value/info and the RSC id do
 * not. */
#define NV_TX_PPI_ACT	(RNDIS_PKT_HAS_VLAN | RNDIS_PKT_HAS_LSO | \
			 RNDIS_PKT_HAS_CSUM)

_Static_assert(NV_RNDIS_MAX_PKTS <= 32, "a request's packets in one mask");

static int
nv_tx_data(struct netvsp_dev *d, struct nv_chan *ch,
	   const struct hvsim_pkt *p, uint32_t total)
{
	/* Pass one validates every packet of the request and keeps where
	 * each frame is; packets with PPIs that act on the frame are rare
	 * and parsed again, from the same private copy, in pass two. */
	uint8_t *data[NV_RNDIS_MAX_PKTS];
	uint32_t len[NV_RNDIS_MAX_PKTS], moff[NV_RNDIS_MAX_PKTS];
	struct hvsim_queue_stats *qs = &d->stats.q[ch->idx];
	struct rndis_pkt_info pi;
	struct rndis_agg_iter it;
	uint64_t bytes = 0;
	uint32_t n = 0, act = 0, i, flen;
	size_t off;
	int rc;

	rndis_agg_init(&it, d->txbuf, total, d->agg_max, 1u << d->agg_shift);
	/* agg_max <= NV_RNDIS_MAX_PKTS: the walk stops before n passes the
	 * arrays. The layout of a frame without offloads is checked word by
	 * word; the general parser takes everything else. */
	for (;;) {
		if (rndis_agg_next_hash_only(&it, &off, &flen)) {
			data[n] = d->txbuf + off + RNDIS_PKT_HASH_HDR;
			len[n] = flen;
			moff[n] = (uint32_t)off;
			bytes += flen;
			n++;
			continue;
		}
		rc = rndis_agg_next(&it, &pi, &off);
		if (rc != 1)
			break;
		data[n] = d->txbuf + off + pi.frame_off;
		len[n] = pi.frame_len;
		moff[n] = (uint32_t)off;
		if (pi.present & NV_TX_PPI_ACT)
			act |= 1u << n;
		bytes += pi.frame_len;
		n++;
	}
	if (rc < 0 || n == 0) {
		d->stats.tx_bad++;
		nv_log_dp(d, "malformed RNDIS data request (%u bytes, packet "
			  "%u): %d", total, n, rc);
		return nv_tx_complete(d, ch, p, NVSP_STATUS_INVALID_RNDIS_PKT);
	}
	/* A test may have asked for the completion to come late. */
	rc = nv_mb_hold(d, ch, p) ? 0 :
		nv_tx_complete(d, ch, p, NVSP_STATUS_SUCCESS);
	if (rc != 0)
		return rc;
	/* Counted once per request, frames as they were sent. */
	d->stats.tx_requests++;
	qs->tx_pkts += n;
	qs->tx_bytes += bytes;
	d->stats.tx_pkts += n;
	d->stats.tx_bytes += bytes;
	/* The VF carries the guest's traffic now: count what still comes
	 * this way (tests assert it stays 0 or small). */
	if (d->datapath_vf)
		d->stats.tx_while_vf += n;
	d->tx_now_ns = 0;	/* the sink reads the clock once per request */
	if (act == 0 && d->cfg.port.kind == HVSIM_PORT_GEN_SINK) {
		/* The generator's sink takes plain frames at once. */
		nv_gen_sink(d, (const uint8_t *const *)data, len, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (act & (1u << i)) {
			/* Validated in pass one: cannot fail now. */
			if (rndis_parse_packet(d->txbuf + moff[i],
					       total - moff[i], &pi) == 0)
				nv_tx_frame_ppi(d, ch, d->txbuf + moff[i],
						&pi);
		} else {
			struct nv_frame f = {
				.data = data[i],
				.len = len[i],
				.src_queue = ch->idx,
			};

			nv_port_tx(d, &f);
		}
	}
	return 0;
}

static int
nv_tx_control(struct netvsp_dev *d, struct nv_chan *ch,
	      const struct hvsim_pkt *p, uint32_t type, uint32_t msg_len)
{
	uint32_t status;
	int rc;

	if (ch->idx != 0) {
		nv_log(d, "RNDIS control message on subchannel %u refused",
		       ch->idx);
		return nv_tx_complete(d, ch, p, NVSP_STATUS_FAILURE);
	}
	if (type == RNDIS_MSG_INIT &&
	    hvsim_hook_hit(d->h, d->nic, HVSIM_STEP_RNDIS_INIT))
		return -EAGAIN;
	/* The response must find a place in the queue: wait for the guest
	 * to take the ones before it. */
	if (d->ctrl_n == NV_CTRL_QUEUE)
		return -EAGAIN;
	status = nv_rndis_control_status(d, d->txbuf, msg_len);
	rc = nv_tx_complete(d, ch, p, status);
	if (rc != 0)
		return rc;
	if (status == NVSP_STATUS_SUCCESS)
		nv_rndis_control(d, d->txbuf, msg_len);
	else
		nv_log(d, "malformed RNDIS control message 0x%x refused",
		       type);
	return 0;
}

int
nv_tx_request(struct netvsp_dev *d, struct nv_chan *ch,
	      const struct hvsim_pkt *p, const struct nvsp_rndis_pkt *req)
{
	uint32_t total, type, msg_len;
	int rc;

	rc = nv_tx_gather(d, p, req, &total);
	if (rc == 0 && rndis_parse_hdr(d->txbuf, total, &type, &msg_len) != 0)
		rc = -EBADMSG;
	if (rc != 0) {
		d->stats.tx_bad++;
		nv_log_dp(d, "send request refused (section %u size %u, %u "
			  "bytes gathered): %s", req->section_index,
			  req->section_size, total,
			  rc == -ERANGE ? "bad send-buffer section" :
			  rc == -EFAULT ? "unreadable guest memory" :
			  rc == -E2BIG ? "too large" : "malformed");
		return nv_tx_complete(d, ch, p, NVSP_STATUS_FAILURE);
	}
	if (type == RNDIS_MSG_PACKET)
		return nv_tx_data(d, ch, p, total);
	return nv_tx_control(d, ch, p, type, msg_len);
}
