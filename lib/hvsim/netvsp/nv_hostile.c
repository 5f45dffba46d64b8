/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The netvsp model's hostile choices (hvsim.h, "hostile mode"): the values
 * a NIC host chooses - buffer layouts, completions, transfer-page ranges,
 * RNDIS lengths - chosen badly when the core's hostile PRNG says so
 * (hvsim_dev_hostile()). Each function takes what an honest host would
 * send and may change it; the rest of the model stays honest and
 * consistent with what it told the guest where the lie allows it.
 */

#include <string.h>

#include "netvsp_priv.h"

void
nv_hostile_send_section(struct netvsp_dev *d, uint64_t len,
			uint32_t *announce, uint32_t *use)
{
	/* The smallest section NVSP allows, small odd ones, one section
	 * for the whole buffer; then lies: past the buffer, below the
	 * minimum, zero. */
	static const uint32_t honest[] = { 68, 72, 132, 1028 };
	uint32_t v, kind;

	if (!hvsim_dev_hostile(d->h, HVSIM_HOSTILE_SIZES, 3, "nic%u: "
			       "send-buffer section size", d->nic))
		return;
	kind = hvsim_dev_hostile_pick(d->h, 8);
	if (kind < 4) {
		v = honest[kind];
	} else if (kind == 4) {
		v = len > UINT32_MAX ? UINT32_MAX & ~3u : (uint32_t)len;
	} else {
		v = kind == 5 ? (uint32_t)(len + 8 > UINT32_MAX ? UINT32_MAX :
					   len + 8) :
		    kind == 6 ? 64 : 0;
		hvsim_log(d->h, HVSIM_LOG_NOTICE, "nic%u: announcing %u-byte "
			  "send sections, using %u", d->nic, v, *use);
		*announce = v;
		return;
	}
	hvsim_log(d->h, HVSIM_LOG_NOTICE, "nic%u: send sections of %u bytes",
		  d->nic, v);
	*announce = v;
	*use = v;
}

uint32_t
nv_hostile_recv_section(struct netvsp_dev *d, uint64_t len, uint32_t sec)
{
	uint64_t big;

	if (!hvsim_dev_hostile(d->h, HVSIM_HOSTILE_SIZES, 3, "nic%u: "
			       "receive-buffer section size", d->nic))
		return sec;
	switch (hvsim_dev_hostile_pick(d->h, 3)) {
	case 0:
		/* As few sections as the control reserve leaves room for. */
		big = (len / (NV_RX_CTRL_RESERVE + 1)) & ~63ull;
		if (big > sec && big <= UINT32_MAX)
			sec = (uint32_t)big;
		break;
	case 1:
		sec += 4;	/* sections not aligned to anything */
		break;
	default:
		sec += 64 * 1024;	/* far fewer, far larger */
		break;
	}
	hvsim_log(d->h, HVSIM_LOG_NOTICE, "nic%u: receive sections of %u "
		  "bytes", d->nic, sec);
	return sec;
}

void
nv_hostile_recv_layout(struct netvsp_dev *d, void *msg)
{
	struct nvsp_recv_buf_cmplt *c = &((union nvsp_msg *)msg)->recv_buf_cmplt;
	struct nvsp_recv_buf_section *s = &c->section;

	if (!hvsim_dev_hostile(d->h, HVSIM_HOSTILE_SIZES, 4, "nic%u: "
			       "receive-buffer layout that lies", d->nic))
		return;
	switch (hvsim_dev_hostile_pick(d->h, 5)) {
	case 0:		/* one section more than the buffer holds */
		s->num_sub_allocs++;
		s->end_offset += s->sub_alloc_size;
		break;
	case 1:		/* size * count wraps 32 bits */
		s->num_sub_allocs = (uint32_t)(0x100000000ull /
					       (s->sub_alloc_size | 1)) + 1;
		break;
	case 2:
		s->num_sub_allocs = 0;
		s->end_offset = 0;
		break;
	case 3:		/* sections smaller than any frame */
		s->sub_alloc_size = 1;
		s->end_offset = s->num_sub_allocs;
		break;
	default:
		c->num_sections = hvsim_dev_hostile_pick(d->h, 2) ? 0 :
				  0xffffffffu;
		break;
	}
	hvsim_log(d->h, HVSIM_LOG_NOTICE, "nic%u: receive layout announced "
		  "as %u section(s) %u x %u bytes, end %u", d->nic,
		  c->num_sections, s->num_sub_allocs, s->sub_alloc_size,
		  s->end_offset);
}

void
nv_hostile_xfer(struct netvsp_dev *d, uint8_t *ext, uint32_t elen)
{
	struct vmb_xfer_hdr h;
	struct vmb_xfer_range r, prev;
	uint8_t *rp;
	uint32_t n, i, kind;

	if (elen < sizeof(h) + sizeof(r) ||
	    !hvsim_dev_hostile(d->h, HVSIM_HOSTILE_XFER, 16, "nic%u: "
			       "transfer-page batch that lies", d->nic))
		return;
	memcpy(&h, ext, sizeof(h));
	n = (elen - sizeof(h)) / sizeof(r);
	i = hvsim_dev_hostile_pick(d->h, n);
	rp = ext + sizeof(h) + i * sizeof(r);
	memcpy(&r, rp, sizeof(r));
	kind = hvsim_dev_hostile_pick(d->h, 8);
	switch (kind) {
	case 0:		/* overlaps the range before it (or the next) */
		memcpy(&prev, ext + sizeof(h) + (i > 0 ? i - 1 : n > 1 ? 1 : 0) *
		       sizeof(r), sizeof(prev));
		r.offset = prev.offset + (prev.len > 8 ? prev.len / 2 : 0);
		break;
	case 1:		/* runs off the end of the receive buffer */
		r.offset = (uint32_t)(d->rx.size > 16 ? d->rx.size - 16 : 0);
		break;
	case 2:		/* starts past it, offset + len wraps 32 bits */
		r.offset = 0xfffffff0u;
		break;
	case 3:
		r.len = 0;
		break;
	case 4:
		r.len = 0xffffffffu;
		break;
	case 5:		/* more ranges than the packet holds */
		h.range_count = n + 1 + hvsim_dev_hostile_pick(d->h, 1000);
		break;
	case 6:		/* no ranges at all */
		h.range_count = 0;
		break;
	default:	/* a transfer-page set the guest never connected */
		h.pageset_id ^= 0x5a5a;
		break;
	}
	memcpy(ext, &h, sizeof(h));
	memcpy(rp, &r, sizeof(r));
	hvsim_log(d->h, HVSIM_LOG_NOTICE, "nic%u: batch of %u ranges, lie %u: "
		  "range %u now %u bytes at %u, count %u, set %u", d->nic, n,
		  kind, i, r.len, r.offset, h.range_count, h.pageset_id);
}

void
nv_hostile_rndis_pkt(struct netvsp_dev *d, uint8_t *p, uint32_t len)
{
	struct rndis_packet pk;
	struct rndis_ppi ppi;
	uint32_t kind, at;

	if (len < sizeof(pk) ||
	    !hvsim_dev_hostile(d->h, HVSIM_HOSTILE_RNDIS, 16, "nic%u: RNDIS "
			       "packet that lies", d->nic))
		return;
	memcpy(&pk, p, sizeof(pk));
	/* The first PPI element, when the packet has one. */
	at = RNDIS_HDR_SIZE + pk.ppi_offset;
	kind = hvsim_dev_hostile_pick(d->h, 11);
	switch (kind) {
	case 0:
		pk.msg_len += 64 + hvsim_dev_hostile_pick(d->h, 4096);
		break;
	case 1:
		pk.msg_len = 0xffffffffu;
		break;
	case 2:
		pk.data_len = 0xffffffffu - hvsim_dev_hostile_pick(d->h, 64);
		break;
	case 3:
		pk.data_offset = pk.msg_len;
		break;
	case 4:
		pk.data_len = 0;
		break;
	case 5:
		pk.ppi_len = pk.msg_len;
		break;
	case 6:		/* the PPI list over the frame */
		pk.ppi_offset = pk.data_offset;
		pk.ppi_len = pk.data_len;
		break;
	case 7:
		pk.type = RNDIS_MSG_INDICATE;	/* not a packet at all */
		break;
	default:	/* an element that lies: size 0, too big, bad offset */
		if (pk.ppi_len < sizeof(ppi) || at + sizeof(ppi) > len)
			break;
		memcpy(&ppi, p + at, sizeof(ppi));
		if (kind == 8)
			ppi.size = 0;
		else if (kind == 9)
			ppi.size = pk.ppi_len + 4;
		else
			ppi.offset = hvsim_dev_hostile_pick(d->h, 2) ?
				     ppi.size : 0xfffffffcu;
		memcpy(p + at, &ppi, sizeof(ppi));
		break;
	}
	memcpy(p, &pk, sizeof(pk));
	hvsim_log(d->h, HVSIM_LOG_NOTICE, "nic%u: RNDIS packet lie %u: len "
		  "%u data %u+%u ppi %u+%u type 0x%x", d->nic, kind,
		  pk.msg_len, pk.data_offset, pk.data_len, pk.ppi_offset,
		  pk.ppi_len, pk.type);
}

int
nv_hostile_cmplt(struct netvsp_dev *d, struct nv_chan *ch, uint64_t xid,
		 const void *msg, uint32_t len)
{
	struct nv_hostile *hs = &d->hostile;
	uint64_t forged;
	uint32_t kind;
	int rc;

	if (!hvsim_dev_hostile(d->h, HVSIM_HOSTILE_CMPLT, 16, "nic%u: "
			       "completion of %llu on channel %u that lies",
			       d->nic, (unsigned long long)xid, ch->idx))
		return nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid, msg, len);
	kind = hvsim_dev_hostile_pick(d->h, 5);
	switch (kind) {
	case 0:		/* twice */
		rc = nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid, msg, len);
		if (rc == 0)
			nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid, msg, len);
		return rc;
	case 1:		/* a forged one first, then the real one */
		forged = (uint64_t)hvsim_dev_hostile_pick(d->h, 0xffffffffu) |
			 (uint64_t)hvsim_dev_hostile_pick(d->h, 0xffffffffu) << 32;
		nv_send_nvsp(ch, VMB_PKT_COMPLETION, forged, msg, len);
		return nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid, msg, len);
	case 2:		/* out of range: the index bits of the id maxed */
		nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid | 0xffffffffull, msg,
			     len);
		return nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid, msg, len);
	case 3:		/* stale: one kept from before comes again */
		if (hs->stale_set && hs->stale_chan == ch->idx)
			nv_send_nvsp(ch, VMB_PKT_COMPLETION, hs->stale_xid, msg,
				     len);
		hs->stale_xid = xid;
		hs->stale_chan = ch->idx;
		hs->stale_set = true;
		return nv_send_nvsp(ch, VMB_PKT_COMPLETION, xid, msg, len);
	default:	/* never: the guest's descriptor waits for ever */
		return 0;
	}
}
