/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Extended headers of transfer-page and GPA-direct packets. Decoders work
 * on packets the caller has already copied out of the ring, so nothing here
 * can change under them; they still treat every count as hostile.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vmb_pkt.h"

_Static_assert(sizeof(struct vmb_pkt_desc) == VMB_PKT_DESC_SIZE, "desc");
_Static_assert(sizeof(struct vmb_xfer_hdr) == 8, "xfer hdr");
_Static_assert(sizeof(struct vmb_xfer_range) == 8, "xfer range");
_Static_assert(sizeof(struct vmb_gpa_pb) == 16, "gpa pb");
_Static_assert(sizeof(struct vmb_gpa_hdr) == 8, "gpa hdr");

/* Per GPA range, before its PFNs. */
struct gpa_range_hdr {
	uint32_t len;
	uint32_t offset;
} __attribute__((packed));

int
vmb_pkt_parse(const void *pkt, uint32_t len, struct vmb_pkt_view *v)
{
	const uint8_t *p = pkt;
	uint32_t doff, plen;

	if (len < VMB_PKT_DESC_SIZE)
		return -EBADMSG;
	memcpy(&v->desc, p, sizeof(v->desc));
	doff = (uint32_t)v->desc.data_offset8 * 8;
	plen = (uint32_t)v->desc.length8 * 8;
	if (doff < VMB_PKT_DESC_SIZE || plen < doff || plen > len)
		return -EBADMSG;
	v->ext = p + VMB_PKT_DESC_SIZE;
	v->ext_len = doff - VMB_PKT_DESC_SIZE;
	v->payload = p + doff;
	v->payload_len = plen - doff;
	return 0;
}

int
vmb_xfer_encode(void *ext, uint32_t cap, uint16_t pageset_id,
		const struct vmb_xfer_range *ranges, uint32_t n)
{
	struct vmb_xfer_hdr h;
	uint64_t need = sizeof(h) + (uint64_t)n * sizeof(*ranges);

	if (n == 0)
		return -EINVAL;
	if (need > cap || need > VMB_PKT_MAX_LEN - VMB_PKT_DESC_SIZE)
		return -ENOSPC;
	h.pageset_id = pageset_id;
	h.sender_owns_set = 0;
	h.reserved = 0;
	h.range_count = n;
	memcpy(ext, &h, sizeof(h));
	memcpy((uint8_t *)ext + sizeof(h), ranges, (size_t)n * sizeof(*ranges));
	return (int)need;
}

int
vmb_xfer_decode(const void *pkt, uint32_t len, uint32_t buf_size,
		struct vmb_xfer_view *x)
{
	return vmb_xfer_decode_max(pkt, len, buf_size, UINT32_MAX, x);
}

int
vmb_xfer_decode_max(const void *pkt, uint32_t len, uint32_t buf_size,
		    uint32_t range_max, struct vmb_xfer_view *x)
{
	struct vmb_pkt_view v;
	struct vmb_xfer_hdr h;
	struct vmb_xfer_range rg;
	const uint8_t *rp, *p, *end;

	if (vmb_pkt_parse(pkt, len, &v) < 0 ||
	    v.desc.type != VMB_PKT_DATA_XFER_PAGES ||
	    v.ext_len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, v.ext, sizeof(h));
	/* ext_len < 2^19, so the division keeps this overflow-free. */
	if (h.range_count == 0 ||
	    h.range_count > (v.ext_len - sizeof(h)) / sizeof(rg))
		return -EBADMSG;
	rp = v.ext + sizeof(h);
	end = rp + (size_t)h.range_count * sizeof(rg);
	for (p = rp; p != end; p += sizeof(rg)) {
		memcpy(&rg, p, sizeof(rg));
		/* len - 1 wraps for an empty range: one compare for
		 * 1 <= len <= range_max; the end in 64 bits cannot wrap. */
		if (rg.len - 1 >= range_max ||
		    (uint64_t)rg.offset + rg.len > buf_size)
			return -EBADMSG;
	}
	x->pageset_id = h.pageset_id;
	x->range_count = h.range_count;
	x->ranges = (const struct vmb_xfer_range *)rp;
	x->payload = v.payload;
	x->payload_len = v.payload_len;
	return 0;
}

int
vmb_gpa_pb_encode(void *ext, uint32_t cap, const struct vmb_gpa_pb *pb,
		  uint32_t n)
{
	struct vmb_gpa_hdr h = { 0, n };
	uint64_t need = sizeof(h) + (uint64_t)n * sizeof(*pb);
	uint32_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (pb[i].len == 0 || pb[i].offset >= VMB_PAGE_SIZE ||
		    pb[i].len > VMB_PAGE_SIZE - pb[i].offset)
			return -EINVAL;
	if (need > cap || need > VMB_PKT_MAX_LEN - VMB_PKT_DESC_SIZE)
		return -ENOSPC;
	memcpy(ext, &h, sizeof(h));
	memcpy((uint8_t *)ext + sizeof(h), pb, (size_t)n * sizeof(*pb));
	return (int)need;
}

/* Pages spanned by @len bytes starting @offset bytes into the first one. */
static uint64_t
gpa_span(uint32_t len, uint32_t offset)
{
	return ((uint64_t)offset + len + VMB_PAGE_SIZE - 1) >> VMB_PAGE_SHIFT;
}

int
vmb_gpa_mpb_encode(void *ext, uint32_t cap, uint32_t len, uint32_t offset,
		   const uint64_t *pfns, uint32_t npfn)
{
	struct vmb_gpa_hdr h = { 0, 1 };
	struct gpa_range_hdr rh = { len, offset };
	uint64_t need = sizeof(h) + sizeof(rh) + (uint64_t)npfn * 8;
	uint8_t *p = ext;

	if (len == 0 || offset >= VMB_PAGE_SIZE ||
	    gpa_span(len, offset) != npfn)
		return -EINVAL;
	if (need > cap || need > VMB_PKT_MAX_LEN - VMB_PKT_DESC_SIZE)
		return -ENOSPC;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &rh, sizeof(rh));
	memcpy(p + sizeof(h) + sizeof(rh), pfns, (size_t)npfn * 8);
	return (int)need;
}

int
vmb_gpa_begin(const void *pkt, uint32_t len, struct vmb_gpa_iter *it)
{
	struct vmb_pkt_view v;
	struct vmb_gpa_hdr h;

	if (vmb_pkt_parse(pkt, len, &v) < 0 ||
	    v.desc.type != VMB_PKT_DATA_GPA_DIRECT ||
	    v.ext_len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, v.ext, sizeof(h));
	/* Each range takes at least 16 bytes: bound the count first so a
	 * huge value is refused at once rather than range by range.
	 */
	if (h.range_count == 0 ||
	    h.range_count > (v.ext_len - sizeof(h)) / 16)
		return -EBADMSG;
	it->pos = v.ext + sizeof(h);
	it->end = v.ext + v.ext_len;
	it->left = h.range_count;
	return (int)h.range_count;
}

int
vmb_gpa_next(struct vmb_gpa_iter *it, struct vmb_gpa_range *r)
{
	struct gpa_range_hdr rh;
	size_t room = (size_t)(it->end - it->pos);
	uint64_t npfn;

	if (it->left == 0)
		return 0;
	if (room < sizeof(rh))
		return -EBADMSG;
	memcpy(&rh, it->pos, sizeof(rh));
	if (rh.len == 0 || rh.offset >= VMB_PAGE_SIZE)
		return -EBADMSG;
	npfn = gpa_span(rh.len, rh.offset);
	if (npfn > (room - sizeof(rh)) / 8)
		return -EBADMSG;
	r->len = rh.len;
	r->offset = rh.offset;
	r->npfn = (uint32_t)npfn;
	r->pfns = it->pos + sizeof(rh);
	it->pos += sizeof(rh) + npfn * 8;
	it->left--;
	return 1;
}
