/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Forwarding ceiling of the real hvsim host: the netvsp generator sends
 * frames, a minimal guest reflects every one of them back through the send
 * buffer, and the host sinks them and completes the sends. The guest does
 * as little as a guest can: it copies each frame behind a bare 44-byte
 * RNDIS header into a send-buffer section, packs up to AGG of them per
 * section (at most what the host announced in INITIALIZE_CMPLT), sends one
 * NVSP request per section and completes each receive batch once all of its
 * frames are copied. What is left is the host's cost of a forwarded frame:
 * generation, receive batches, sink, transmit completions.
 *
 * With TENV_THREADED=1 the host runs on its own thread (mpps = the
 * ceiling of make perf); without, this thread pumps it while waiting, so
 * callgrind sees host and guest in one deterministic thread.
 *
 * usage: bench_hvsim_fwd FRAME_LEN PACKETS [AGG [FLOWS [NDIS_FRAME]]]
 * (AGG 0: the host's maximum; NDIS_FRAME: the largest frame announced in
 * NDIS_CONFIG, 1514 by default, which sizes hvsim's receive sections)
 * prints: frame=<n> pkts=<n> mpps=<x> sunk=<n> agg=<n> sends=<n>
 *         batches=<n> polls=<n> polls_idle=<n> sleeps=<n>
 *         held=<n>
 * (receive batches the host sent; its thread's iterations, those without
 * work and its idle sleeps: 0 without a host thread; receive sections the
 * guest held when the count was reached)
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvg.h"
#include "tenv.h"
#include "vmb_pkt.h"

#define BF_RNDIS_HDR	44u	/* PACKET_MSG header, no PPIs */
#define BF_MAX_INFLIGHT	64	/* sends not yet completed: the host's
				 * completion reserve never runs out */

/* A receive batch waiting to be reflected: its ranges sit in bf.rng. */
struct bf_batch {
	uint64_t xid;
	uint32_t first, count;
};

struct bf {
	struct nvg g;
	const struct nvg_io *io;
	struct tenv *e;
	uint32_t agg, align;
	/* free send sections (LIFO) and sends in flight */
	uint32_t *free;
	uint32_t n_free, inflight;
	/* section being filled */
	uint32_t cur, cur_len, cur_n;
	/* receive batches (FIFO) and their range offsets (ring) */
	struct bf_batch *bq;
	uint32_t bq_cap, bq_head, bq_n;
	uint32_t *rng;
	uint32_t rng_cap, rng_head, rng_n;
	uint32_t done_in_head;	/* ranges of the head batch already copied */
	bool draining;		/* completes new batches without reflecting */
	uint64_t frames, sends, bad, dropped;
};

static struct bf B;

static double
bf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Send the section being filled as one NVSP request (xid = section). */
static int
bf_flush(struct bf *b)
{
	uint8_t m[NVSP_MSG_SIZE];
	int rc;

	if (b->cur_n == 0)
		return 0;
	nvsp_encode_rndis_pkt(m, sizeof(m), 0 /* data */, b->cur,
			      b->cur_len);
	rc = b->io->send(b->io->ctx, 0, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC,
			 b->cur, NULL, 0, m, sizeof(m));
	if (rc != 0)
		return rc;
	b->inflight++;
	b->sends++;
	b->cur_n = 0;
	return 0;
}

/* Append the frame of the RNDIS message at @p off of the receive buffer. */
static int
bf_copy(struct bf *b, uint32_t off)
{
	const uint8_t *msg = b->g.rxbuf + off;
	uint32_t dofs, dlen, need, hofs = BF_RNDIS_HDR - 8;
	uint8_t *p;

	memcpy(&dofs, msg + 8, 4);
	memcpy(&dlen, msg + 12, 4);
	/* The host is trusted here, but never read outside the buffer. */
	if (dlen < 14 || dlen > 1514 || (uint64_t)off + 8 + dofs + dlen >
	    b->g.rx_len) {
		b->bad++;
		return 0;
	}
	need = (BF_RNDIS_HDR + dlen + b->align - 1) & ~(b->align - 1);
	if (b->cur_n != 0 && (b->cur_n == b->agg ||
			      b->cur_len + need > b->g.sb_sec_size)) {
		int rc = bf_flush(b);

		if (rc != 0)
			return rc;
	}
	if (b->cur_n == 0) {
		if (b->n_free == 0 || b->inflight >= BF_MAX_INFLIGHT)
			return -EAGAIN;
		b->cur = b->free[--b->n_free];
		b->cur_len = 0;
	}
	p = b->g.sb + (size_t)b->cur * b->g.sb_sec_size + b->cur_len;
	memset(p, 0, BF_RNDIS_HDR);
	p[0] = RNDIS_MSG_PACKET;
	memcpy(p + 4, &need, 4);
	memcpy(p + 8, &hofs, 4);
	memcpy(p + 12, &dlen, 4);
	memcpy(p + BF_RNDIS_HDR, msg + 8 + dofs, dlen);
	b->cur_len += need;
	b->cur_n++;
	b->frames++;
	return 0;
}

/* Reflect as much of the queued receive batches as sections allow. */
static int
bf_work(struct bf *b)
{
	static const uint8_t cmplt[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };
	int rc = 0;

	while (b->bq_n != 0) {
		struct bf_batch *h = &b->bq[b->bq_head];

		while (b->done_in_head < h->count) {
			rc = bf_copy(b, b->rng[b->rng_head]);
			if (rc != 0)
				return rc;
			b->rng_head = (b->rng_head + 1) % b->rng_cap;
			b->rng_n--;
			b->done_in_head++;
		}
		/* Everything of this batch is copied: the host may reuse its
		 * sections. A partly filled section goes out with it. */
		rc = bf_flush(b);
		if (rc != 0)
			return rc;
		rc = b->io->send(b->io->ctx, 0, VMB_PKT_COMPLETION, 0, h->xid,
				 NULL, 0, cmplt, sizeof(cmplt));
		if (rc != 0)
			return rc;
		b->bq_head = (b->bq_head + 1) % b->bq_cap;
		b->bq_n--;
		b->done_in_head = 0;
	}
	return 0;
}

/* One host packet: a send completion or a receive batch to queue. */
static int
bf_packet(struct bf *b, const uint8_t *pkt, uint32_t len)
{
	struct vmb_pkt_desc d;
	struct vmb_xfer_view x;
	uint32_t i;

	memcpy(&d, pkt, sizeof(d));
	if (d.type == VMB_PKT_COMPLETION) {
		if (d.xid >= b->g.sb_sec_count || b->inflight == 0)
			return -EPROTO;
		b->free[b->n_free++] = (uint32_t)d.xid;
		b->inflight--;
		return 0;
	}
	if (d.type != VMB_PKT_DATA_XFER_PAGES)
		return 0;
	if (vmb_xfer_decode(pkt, len, (uint32_t)b->g.rx_len, &x) != 0)
		return -EPROTO;
	if (b->draining) {
		static const uint8_t cmplt[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };

		/* Past the count: taken back, not reflected. */
		b->dropped += x.range_count;
		while (b->io->send(b->io->ctx, 0, VMB_PKT_COMPLETION, 0, d.xid,
				   NULL, 0, cmplt, sizeof(cmplt)) == -EAGAIN)
			tenv_idle(b->e, 0);
		return 0;
	}
	if (
	    b->bq_n == b->bq_cap || x.range_count > b->rng_cap - b->rng_n)
		return -EPROTO;
	for (i = 0; i < x.range_count; i++) {
		struct vmb_xfer_range r;

		memcpy(&r, &x.ranges[i], sizeof(r));
		b->rng[(b->rng_head + b->rng_n) % b->rng_cap] = r.offset;
		b->rng_n++;
	}
	b->bq[(b->bq_head + b->bq_n) % b->bq_cap] =
		(struct bf_batch){ d.xid, 0, x.range_count };
	b->bq_n++;
	return 0;
}

static int
bf_setup(struct bf *b, uint32_t agg)
{
	uint32_t i;

	b->align = 1u << b->g.init.align_shift;
	if (b->align < 8)
		b->align = 8;
	b->agg = agg != 0 && agg < b->g.init.max_pkts_per_msg ? agg :
		 b->g.init.max_pkts_per_msg;
	if (b->agg == 0)
		b->agg = 1;
	b->free = calloc(b->g.sb_sec_count, sizeof(*b->free));
	/* Every receive section may hold a frame of a queued batch. */
	b->rng_cap = b->g.sec_count + 1;
	b->bq_cap = b->g.sec_count + 1;
	b->rng = calloc(b->rng_cap, sizeof(*b->rng));
	b->bq = calloc(b->bq_cap, sizeof(*b->bq));
	if (b->free == NULL || b->rng == NULL || b->bq == NULL)
		return -ENOMEM;
	for (i = b->g.sb_sec_count; i > 0; i--)
		b->free[b->n_free++] = i - 1;
	return 0;
}

int
main(int argc, char **argv)
{
	static uint8_t pkt[64 * 1024];
	struct nvg_opts o = { .rx_len = 16u << 20, .sb_len = 4u << 20 };
	struct hvsim_nic_config cfg;
	struct hvsim_nic_stats st0, st1, stm;
	struct bf *b = &B;
	uint64_t want;
	double t0, t1;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s FRAME_LEN PACKETS [AGG [FLOWS "
			"[NDIS_FRAME]]]\n",
			argv[0]);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.mtu = 1500;
	cfg.max_queues = 1;
	cfg.link_speed_mbps = 100000;
	cfg.port.kind = HVSIM_PORT_GEN_SINK;
	cfg.port.gen.frame_len = (uint32_t)atoi(argv[1]);
	cfg.port.gen.flows = argc > 4 ? (uint32_t)atoi(argv[4]) : 64;
	want = strtoull(argv[2], NULL, 0);
	if (argc > 5)
		o.ndis_frame = (uint32_t)atoi(argv[5]);
	b->e = tenv_create(1, &cfg);
	if (b->e == NULL)
		return 1;
	b->io = tenv_io(b->e, 0);
	if (nvg_init(&b->g, b->io, &o) != 0 ||
	    bf_setup(b, argc > 3 ? (uint32_t)atoi(argv[3]) : 0) != 0 ||
	    tenv_stats(b->e, 0, &st0) != 0 ||
	    nvg_set_filter(&b->g, 0x0d) != 0) {
		fprintf(stderr, "guest init failed\n");
		return 1;
	}
	t0 = bf_now();
	while (b->frames < want) {
		int n;

		rc = bf_work(b);
		if (rc != 0 && rc != -EAGAIN)
			break;
		n = b->io->recv(b->io->ctx, 0, pkt, sizeof(pkt), 1);
		if (n < 0) {
			rc = n;
			break;
		}
		if (n > 0 && (rc = bf_packet(b, pkt, (uint32_t)n)) != 0)
			break;
		rc = 0;
	}
	t1 = bf_now();
	if (tenv_stats(b->e, 0, &stm) != 0)
		rc = rc != 0 ? rc : -EIO;
	/* Reflect what is queued and wait for its completions; later
	 * batches are only completed. */
	b->draining = true;
	while (rc == 0 && (b->bq_n != 0 || b->cur_n != 0 || b->inflight != 0)) {
		int n;

		rc = bf_work(b);
		if (rc == -EAGAIN)
			rc = 0;
		if (rc != 0)
			break;
		n = b->io->recv(b->io->ctx, 0, pkt, sizeof(pkt), 1);
		if (n > 0)
			rc = bf_packet(b, pkt, (uint32_t)n);
		else if (n < 0)
			rc = n;
	}
	if (tenv_stats(b->e, 0, &st1) != 0)
		rc = -EIO;
	printf("frame=%s pkts=%llu mpps=%.3f sunk=%llu agg=%u sends=%llu "
	       "batches=%llu polls=%llu polls_idle=%llu sleeps=%llu held=%u\n",
	       argv[1], (unsigned long long)b->frames,
	       (double)b->frames / (t1 - t0) / 1e6,
	       (unsigned long long)(st1.tx_pkts - st0.tx_pkts), b->agg,
	       (unsigned long long)b->sends,
	       (unsigned long long)(st1.rx_batches - st0.rx_batches),
	       (unsigned long long)(st1.host_polls - st0.host_polls),
	       (unsigned long long)(st1.host_polls_idle - st0.host_polls_idle),
	       (unsigned long long)(st1.host_sleeps - st0.host_sleeps),
	       stm.rx_sec_held);
	if (rc != 0 || b->bad != 0 || st1.tx_pkts - st0.tx_pkts != b->frames) {
		fprintf(stderr, "bench_hvsim_fwd: rc %d, %llu bad, %llu of "
			"%llu frames sunk\n", rc, (unsigned long long)b->bad,
			(unsigned long long)(st1.tx_pkts - st0.tx_pkts),
			(unsigned long long)b->frames);
		rc = 1;
	}
	nvg_fini(&b->g);
	if (tenv_destroy(b->e) != 0)
		rc = 1;
	free(b->free);
	free(b->rng);
	free(b->bq);
	return rc != 0;
}
