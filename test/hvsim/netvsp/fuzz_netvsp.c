/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: the netvsp NIC model's handling of guest packets
 * (NVSP in-band messages, completions, send-buffer and GPA-direct RNDIS
 * requests, aggregates, control messages) and host events, driven through
 * the fake core. The first byte picks the starting state (fresh channel,
 * or a guest that completed init, optionally with subchannels and a
 * packet filter); the rest is a list of records:
 *
 *   op u8, queue u8, len u16 (LE), len bytes
 *
 * op & 7: 0 in-band with RC, 1 in-band without RC, 2 completion (xid =
 * first 8 bytes), 3 GPA-direct request whose bytes sit in guest memory,
 * 4 send-buffer request (section 0), 5 GPA-direct packet with a raw
 * extended header, 6 host events (link, VF, subchannel opens), 7 let the
 * guest drain and complete what it received. Memory errors and undefined
 * behaviour are the findings (ASan/UBSan). When the input starts from an
 * initialised guest and sends no in-band NVSP message (which could swap
 * the buffers under the guest), the host must also never send the guest
 * anything a hardened guest rejects (nvg counts those): that aborts too.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_core.h"
#include "nvg.h"
#include "vmb_pkt.h"

static struct nvg G;

/* Drain every queue; complete receive batches when a guest exists. */
static void
fz_drain(struct fc *f, bool guest)
{
	unsigned int q, i;

	for (i = 0; i < 4; i++) {
		fc_pump(f);
		if (!guest) {
			fc_drain(f);
			continue;
		}
		for (q = 0; q < 4; q++)
			while (nvg_poll(&G, q, 0) > 0)
				;
	}
}

static void
fz_gpa_request(struct fc *f, uint8_t *scratch, unsigned int q, uint8_t op,
	       const uint8_t *p, uint32_t len)
{
	uint8_t m[NVSP_MSG_SIZE], ext[8 + 40 * sizeof(struct vmb_gpa_pb)];
	struct vmb_gpa_pb pb[40];
	uint32_t off = 0, n = 0;
	int el;

	/* Start near a page end so ranges cross pages. */
	memcpy(scratch + 4000, p, len);
	while (off < len && n < 40) {
		uint64_t gpa = (uint64_t)(uintptr_t)(scratch + 4000 + off);
		uint32_t po = (uint32_t)(gpa & 4095), chunk = 4096 - po;

		if (chunk > len - off)
			chunk = len - off;
		pb[n].len = chunk;
		pb[n].offset = po;
		pb[n].pfn = gpa >> 12;
		n++;
		off += chunk;
	}
	if (n == 0)
		return;
	el = vmb_gpa_pb_encode(ext, sizeof(ext), pb, n);
	if (el < 0)
		return;
	nvsp_encode_rndis_pkt(m, sizeof(m), (op >> 3) & 1, NVSP_SECTION_NONE,
			      0);
	fc_send(f, q, VMB_PKT_DATA_GPA_DIRECT, VMB_PKT_FLAG_RC, op, ext,
		(uint32_t)el, m, sizeof(m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvg_opts o = { .rx_len = 128 * 1856, .sb_len = 16 * 6144,
			      .ndis_caps = NVSP_NDIS_CAP_SRIOV };
	struct nvg_io io;
	uint8_t *scratch;
	bool guest = false, oracle;
	struct fc *f;
	uint8_t mode;
	size_t pos = 1;

	if (size < 1)
		return 0;
	mode = data[0];
	f = fc_create(NULL, 1u << 20);
	if (f == NULL)
		abort();
	fc_nvg_io(f, &io);
	scratch = fc_alloc(f, 80 * 1024);
	if (mode & 1) {
		if (nvg_init(&G, &io, &o) != 0)
			abort();	/* a good guest must get through */
		guest = true;
		if ((mode & 2) && nvg_subchannels(&G, 3) != 3)
			abort();
		if ((mode & 4) && nvg_set_filter(&G, 0x2d) != 0)
			abort();
	}
	oracle = guest;
	while (size - pos >= 4) {
		uint8_t op = data[pos], q = data[pos + 1] & 3;
		uint32_t len = data[pos + 2] | (uint32_t)data[pos + 3] << 8;
		const uint8_t *p = data + pos + 4;
		uint64_t xid = 0;

		pos += 4;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		pos += len;
		switch (op & 7) {
		case 0:
		case 1:
			oracle = false;
			fc_send(f, q, VMB_PKT_DATA_INBAND,
				(op & 7) == 0 ? VMB_PKT_FLAG_RC : 0, op, NULL,
				0, p, len);
			break;
		case 2:
			if (len >= 8)
				memcpy(&xid, p, 8);
			fc_send(f, q, VMB_PKT_COMPLETION, 0, xid, NULL, 0,
				len >= 8 ? p + 8 : p, len >= 8 ? len - 8 : len);
			break;
		case 3:
			if (len <= 64 * 1024)
				fz_gpa_request(f, scratch, q, op, p, len);
			break;
		case 4:
			if (guest && len <= G.sb_sec_size) {
				uint8_t m[NVSP_MSG_SIZE];

				memcpy(G.sb, p, len);
				nvsp_encode_rndis_pkt(m, sizeof(m),
						      (op >> 3) & 1, 0, len);
				fc_send(f, q, VMB_PKT_DATA_INBAND,
					VMB_PKT_FLAG_RC, op, NULL, 0, m,
					sizeof(m));
			}
			break;
		case 5: {
			uint32_t el = len ? (uint32_t)p[0] * 8 : 0;

			if (el > len - (len ? 1 : 0))
				el = (len ? len - 1 : 0) & ~7u;
			fc_send(f, q, VMB_PKT_DATA_GPA_DIRECT, VMB_PKT_FLAG_RC,
				op, p + 1, el, p + 1 + el,
				len ? len - 1 - el : 0);
			break;
		}
		case 6:
			if (len == 0)
				break;
			if (p[0] & 1)
				hvsim_netvsp_ops.set_link(fc_dev(f), p[0] & 2);
			if (p[0] & 4)
				hvsim_netvsp_ops.vf(fc_dev(f), p[0] & 8,
						    p[0] >> 4);
			if ((p[0] & 0x30) == 0x30)
				fc_open_subs(f, fc_offered(f));
			break;
		default:
			fz_drain(f, guest);
			break;
		}
		fc_pump(f);
	}
	fz_drain(f, guest);
	if (oracle && G.rx_bad != 0)
		abort();	/* the host sent something malformed */
	fc_destroy(f);
	return 0;
}
