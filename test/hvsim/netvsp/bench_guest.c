/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Generator throughput through the real hvsim host: the netvsp generator
 * port against a minimal test guest that only completes receive batches.
 * One thread drives both sides (the guest's waits pump the host), so the
 * figure is what one core does for host and guest together.
 *
 * usage: bench_hvsim_netvsp FRAME_LEN PACKETS [FLOWS]
 * prints: frame=<n> pkts=<n> mpps=<x> batches=<n>
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "nvg.h"
#include "tenv.h"
#include "vmb_pkt.h"

static struct nvg G;

int
main(int argc, char **argv)
{
	static uint8_t pkt[64 * 1024];
	static const uint8_t cmplt[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };
	struct hvsim_nic_config cfg;
	struct nvg_opts o = { .rx_len = 16u << 20 };
	uint64_t want, got = 0, batches = 0;
	const struct nvg_io *io;
	struct tenv *e;
	double t0, t1;

	if (argc < 3) {
		fprintf(stderr, "usage: %s FRAME_LEN PACKETS [FLOWS]\n",
			argv[0]);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.mtu = 1500;
	cfg.max_queues = 1;
	cfg.link_speed_mbps = 100000;
	cfg.port.kind = HVSIM_PORT_GEN_SINK;
	cfg.port.gen.frame_len = (uint32_t)atoi(argv[1]);
	cfg.port.gen.flows = argc > 3 ? (uint32_t)atoi(argv[3]) : 64;
	want = strtoull(argv[2], NULL, 0);
	e = tenv_create(1, &cfg);
	if (e == NULL)
		return 1;
	io = tenv_io(e, 0);
	if (nvg_init(&G, io, &o) != 0 || nvg_set_filter(&G, 0x0d) != 0) {
		fprintf(stderr, "guest init failed\n");
		return 1;
	}
	t0 = (hv_now_ns() * 1e-9);
	while (got < want) {
		struct vmb_pkt_desc d;
		struct vmb_xfer_hdr x;
		int n = io->recv(io->ctx, 0, pkt, sizeof(pkt), 1);

		if (n <= 0)
			continue;
		memcpy(&d, pkt, sizeof(d));
		if (d.type != VMB_PKT_DATA_XFER_PAGES)
			continue;
		memcpy(&x, pkt + sizeof(d), sizeof(x));
		got += x.range_count;
		batches++;
		while (io->send(io->ctx, 0, VMB_PKT_COMPLETION, 0, d.xid, NULL,
				0, cmplt, sizeof(cmplt)) != 0)
			io->recv(io->ctx, 0, pkt, sizeof(pkt), 1);
	}
	t1 = (hv_now_ns() * 1e-9);
	printf("frame=%s pkts=%llu mpps=%.3f batches=%llu\n", argv[1],
	       (unsigned long long)got, (double)got / (t1 - t0) / 1e6,
	       (unsigned long long)batches);
	nvg_fini(&G);
	tenv_destroy(e);
	return 0;
}
