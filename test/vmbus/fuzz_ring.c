/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: a ring written by a hostile peer. The input is the
 * ring header fields, reader limits and the data area; the target drains
 * the ring as a reader would, parses every packet it gets, and also tries
 * to write into it as a writer facing a hostile read index. Data and header
 * live in exactly-sized heap blocks so ASan sees any overrun.
 *
 * Input: u32 write_index, read_index, interrupt_mask, pending_send_sz,
 * feature_bits, max_pkt, type_mask (0 = default), then the data area
 * (length rounded down to 8).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmb_ring.h"

#define FIXED		28u
#define MAX_DATA	(1u << 20)

static void
parse_packet(const uint8_t *pkt, uint32_t len)
{
	struct vmb_pkt_view v;
	struct vmb_xfer_view x;
	struct vmb_gpa_iter it;
	struct vmb_gpa_range g;
	volatile uint64_t sink = 0;
	uint32_t i;
	int rc;

	if (vmb_pkt_parse(pkt, len, &v) < 0)
		abort();	/* the ring validated these already */
	if (vmb_xfer_decode(pkt, len, 1u << 20, &x) == 0) {
		for (i = 0; i < x.range_count; i++) {
			struct vmb_xfer_range r;

			memcpy(&r, &x.ranges[i], sizeof(r));
			if (r.offset > (1u << 20) ||
			    r.len > (1u << 20) - r.offset)
				abort();
		}
		sink += x.payload_len;
	}
	if (vmb_gpa_begin(pkt, len, &it) > 0) {
		while ((rc = vmb_gpa_next(&it, &g)) == 1)
			for (i = 0; i < g.npfn; i++)
				sink += vmb_gpa_pfn(&g, i);
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmb_ring_hdr *hdr;
	struct vmb_ring r, w;
	uint32_t f[7], dsize, loops = 0;
	uint8_t *area, *pkt;
	int n;

	if (size < FIXED + VMB_RING_MIN_DATA)
		return 0;
	memcpy(f, data, sizeof(f));
	dsize = (uint32_t)((size - FIXED) & ~(size_t)7);
	if (dsize > MAX_DATA)
		dsize = MAX_DATA;
	hdr = calloc(1, sizeof(*hdr));
	area = malloc(dsize);
	pkt = malloc(dsize);
	if (hdr == NULL || area == NULL || pkt == NULL)
		abort();
	memcpy(area, data + FIXED, dsize);
	hdr->write_index = f[0];
	hdr->read_index = f[1];
	hdr->interrupt_mask = f[2];
	hdr->pending_send_sz = f[3];
	hdr->feature_bits = f[4];

	if (vmb_ring_init(&r, hdr, area, dsize) == 0) {
		if (f[5] >= 16 && f[5] < dsize)
			vmb_ring_set_limits(&r, f[5], f[6] ? f[6] :
					    VMB_PKT_TYPES_NETVSC);
		/* Every packet takes >= 24 bytes, so a correct reader stops
		 * within dsize / 24 packets.
		 */
		for (;;) {
			n = vmb_ring_read(&r, pkt, dsize);
			if (n == -ENOBUFS)
				n = vmb_ring_skip(&r) == 0 ? 1 : -1;
			else if (n > 0)
				parse_packet(pkt, (uint32_t)n);
			if (n <= 0)
				break;
			if (++loops > dsize / 24 + 1)
				abort();
			if ((loops & 3) == 0)
				vmb_ring_commit(&r);
		}
		vmb_ring_commit(&r);
		vmb_ring_intr_unmask(&r);
	}

	/* The same indices seen by a writer: stage until it refuses. */
	hdr->write_index = f[0];
	hdr->read_index = f[1];
	if (vmb_ring_init(&w, hdr, area, dsize) == 0) {
		loops = 0;
		while (vmb_ring_stage_buf(&w, VMB_PKT_DATA_INBAND, 0, loops,
					  NULL, 0, data, f[2] & 0xff) == 0) {
			if (++loops > dsize / 24 + 1)
				abort();
			if (loops & 1)
				vmb_ring_publish(&w);
		}
		vmb_ring_publish(&w);
		if (vmb_ring_wait_prepare(&w) >= 0)
			vmb_ring_wait_cancel(&w);
	}
	free(pkt);
	free(area);
	free(hdr);
	return 0;
}
