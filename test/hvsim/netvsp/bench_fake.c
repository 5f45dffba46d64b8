/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Generator cost of the netvsp model alone: the generator port against a
 * minimal guest that only completes receive batches, through the fake
 * core (no ring, no second thread). One thread drives both sides; what
 * it measures is the device model plus a trivial channel. Run under
 * callgrind with --toggle-collect on the device entry points for the
 * host-side instructions per packet.
 *
 * usage: bench_hvsim_netvsp_fake FRAME_LEN PACKETS [FLOWS [reflect]]
 * prints: frame=<n> pkts=<n> mpps=<x> batches=<n>
 *
 * With "reflect" the NIC has a reflect port instead and the guest sends
 * aggregates of 8 frames through the send buffer, completing what comes
 * back: the cost of the transmit path plus the general receive path.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "fake_core.h"
#include "nvg.h"
#include "vmb_pkt.h"

static struct nvg G;

/* The minimal guest: complete every receive batch, count its ranges. */
static uint64_t
bf_guest(struct fc *f, uint64_t *batches)
{
	static uint8_t pkt[64 * 1024];
	static const uint8_t cmplt[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };
	uint64_t frames = 0;
	int n;

	while ((n = fc_recv(f, 0, pkt, sizeof(pkt))) > 0) {
		struct vmb_pkt_desc d;
		struct vmb_xfer_hdr x;

		memcpy(&d, pkt, sizeof(d));
		if (d.type != VMB_PKT_DATA_XFER_PAGES)
			continue;
		memcpy(&x, pkt + sizeof(d), sizeof(x));
		frames += x.range_count;
		(*batches)++;
		fc_send(f, 0, VMB_PKT_COMPLETION, 0, d.xid, NULL, 0, cmplt,
			sizeof(cmplt));
	}
	return frames;
}

/* A UDP/IPv4 frame of @p len bytes to @p dst, flow @p i. */
static void
bf_frame(uint8_t *f, const uint8_t *dst, uint32_t len, unsigned int i)
{
	memset(f, 0, len);
	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 17;
	f[26] = 10;
	f[29] = (uint8_t)i;
	f[30] = 10;
	f[33] = 1;
	f[35] = (uint8_t)(i + 1);
	f[37] = 9;
	f[38] = (uint8_t)((len - 34) >> 8);
	f[39] = (uint8_t)(len - 34);
}

int
main(int argc, char **argv)
{
	struct hvsim_nic_config cfg;
	struct nvg_opts o = { .rx_len = 16u << 20 };
	uint64_t want, got = 0, batches = 0;
	struct nvg_io io;
	bool reflect;
	struct fc *f;
	double t0, t1;

	if (argc < 3) {
		fprintf(stderr, "usage: %s FRAME_LEN PACKETS [FLOWS]\n",
			argv[0]);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.mtu = 1500;
	cfg.max_queues = 1;
	cfg.port.kind = HVSIM_PORT_GEN_SINK;
	cfg.port.gen.frame_len = (uint32_t)atoi(argv[1]);
	cfg.port.gen.flows = argc > 3 ? (uint32_t)atoi(argv[3]) : 64;
	want = strtoull(argv[2], NULL, 0);
	reflect = argc > 4 && strcmp(argv[4], "reflect") == 0;
	if (reflect) {
		cfg.port.kind = HVSIM_PORT_REFLECT;
		if (cfg.port.gen.frame_len > 1514)
			return 2;
	}
	f = fc_create(&cfg, 40u << 20);
	if (f == NULL)
		return 1;
	fc_nvg_io(f, &io);
	if (nvg_init(&G, &io, &o) != 0 || nvg_set_filter(&G, 0x0d) != 0) {
		fprintf(stderr, "guest init failed\n");
		return 1;
	}
	t0 = (hv_now_ns() * 1e-9);
	if (reflect) {
		static uint8_t fr[8][2048];
		struct nvg_tx tx[8];
		unsigned int i, agg;

		/* As many as one send-buffer section holds, at most 8. */
		agg = G.sb_sec_size / (cfg.port.gen.frame_len + 128);
		if (agg > 8)
			agg = 8;
		for (i = 0; i < agg; i++) {
			bf_frame(fr[i], G.mac, cfg.port.gen.frame_len, i);
			tx[i] = (struct nvg_tx){ .frame = fr[i],
				.len = cfg.port.gen.frame_len,
				.vlan_tci = -1 };
		}
		t0 = (hv_now_ns() * 1e-9);
		while (got < want) {
			if (nvg_send(&G, 0, tx, agg, NVG_SENDBUF) != 1)
				return 1;
			fc_pump(f);
			got += bf_guest(f, &batches);
		}
	} else {
		while (got < want) {
			fc_pump(f);
			got += bf_guest(f, &batches);
		}
	}
	t1 = (hv_now_ns() * 1e-9);
	printf("frame=%s pkts=%llu mpps=%.3f batches=%llu\n", argv[1],
	       (unsigned long long)got, (double)got / (t1 - t0) / 1e6,
	       (unsigned long long)batches);
	fc_destroy(f);
	return 0;
}
