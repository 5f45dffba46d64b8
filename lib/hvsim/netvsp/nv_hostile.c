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
