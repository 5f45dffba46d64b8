/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Ring micro-benchmark: one thread writes a packet with a 64-byte payload
 * and reads it back, either one at a time (stage + publish + read + commit
 * per packet, so one barrier per pair) or 32 per batch (one publish and
 * one commit per 32). The ring (16 KiB) stays in cache, so this measures
 * the library's own cost, not memory traffic.
 *
 *   bench_vmbus_ring time [iters]          -> ns per pair, best of 5 runs
 *   bench_vmbus_ring count single|batch N  -> runs N pairs in bench_loop_*
 *     (for callgrind --toggle-collect=bench_loop_*)
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "vmb_ring.h"

#define DATA_BYTES	(16u * 1024u)
#define PAYLOAD		64u
#define BATCH		32u

static uint8_t ring_mem[4096 + DATA_BYTES] __attribute__((aligned(4096)));
static uint8_t payload[PAYLOAD];
static uint8_t out[256];
static struct vmb_ring w, r;
static unsigned long bad;

static void
setup(void)
{
	vmb_ring_hdr_reset(ring_mem, 0);
	if (vmb_ring_init_mem(&w, ring_mem, sizeof(ring_mem)) < 0 ||
	    vmb_ring_init_mem(&r, ring_mem, sizeof(ring_mem)) < 0) {
		fprintf(stderr, "ring init failed\n");
		exit(1);
	}
	vmb_ring_intr_mask(&r);		/* a polling reader, as in a PMD */
	memset(payload, 0x5a, sizeof(payload));
}

/* One write+read pair per iteration. */
__attribute__((noinline)) void bench_loop_single(unsigned long n);
__attribute__((noinline)) void
bench_loop_single(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (vmb_ring_write(&w, VMB_PKT_DATA_INBAND, 0, i, NULL, 0,
				   &(struct vmb_iov){ payload, PAYLOAD },
				   1) < 0)
			bad++;
		if (vmb_ring_read(&r, out, sizeof(out)) != 16 + PAYLOAD)
			bad++;
		vmb_ring_commit(&r);
	}
}

/* n pairs in batches of 32: one publish and one commit per batch. */
__attribute__((noinline)) void bench_loop_batch(unsigned long n);
__attribute__((noinline)) void
bench_loop_batch(unsigned long n)
{
	unsigned long i, j;

	for (i = 0; i < n; i += BATCH) {
		for (j = 0; j < BATCH; j++)
			if (vmb_ring_stage(&w, VMB_PKT_DATA_INBAND, 0, i + j,
					   NULL, 0,
					   &(struct vmb_iov){ payload, PAYLOAD },
					   1) < 0)
				bad++;
		vmb_ring_publish(&w);
		for (j = 0; j < BATCH; j++)
			if (vmb_ring_read(&r, out, sizeof(out)) != 16 + PAYLOAD)
				bad++;
		vmb_ring_commit(&r);
	}
}

static double
best_ns(void (*fn)(unsigned long), unsigned long iters)
{
	double best = 1e300, t;
	int k;

	fn(iters / 10 + BATCH);		/* warm up */
	for (k = 0; k < 5; k++) {
		t = ((double)hv_now_ns());
		fn(iters);
		t = (((double)hv_now_ns()) - t) / (double)iters;
		if (t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	unsigned long iters;

	setup();
	if (argc >= 2 && strcmp(argv[1], "count") == 0 && argc == 4) {
		iters = strtoul(argv[3], NULL, 0);
		if (strcmp(argv[2], "single") == 0)
			bench_loop_single(iters);
		else
			bench_loop_batch(iters);
	} else if (argc >= 2 && strcmp(argv[1], "time") == 0) {
		iters = argc >= 3 ? strtoul(argv[2], NULL, 0) : 2000000;
		iters = (iters + BATCH - 1) / BATCH * BATCH;
		printf("ns_per_pair=%.2f\n", best_ns(bench_loop_single, iters));
		printf("ns_per_pair_batch32=%.2f\n",
		       best_ns(bench_loop_batch, iters));
	} else {
		fprintf(stderr, "usage: %s time [iters] | count single|batch N\n",
			argv[0]);
		return 2;
	}
	if (bad || w.stats.errors || r.stats.errors) {
		fprintf(stderr, "bench: %lu bad operations\n", bad);
		return 1;
	}
	return 0;
}
