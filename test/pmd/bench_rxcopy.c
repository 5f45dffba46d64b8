/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * bench_rxcopy [LEN [SRC_MISALIGN]]: the receive copy timed, libc's
 * memcpy() against hvn_rx_copy_v32() (the AVX2 receive loop's), in one
 * process and interleaved - blocks of 32 messages of LEN bytes (default
 * 1574, a 1518-byte frame's message) from a 16 MiB "receive buffer" into
 * 8191 mbuf-sized destinations, each block copied by one variant and the
 * next by the other - so that a loaded machine slows both alike. Prints
 * each variant's median and 10th-percentile ns per message and their
 * ratio. Not a test: a figure for doc/guides/perf.rst.
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hvn_rxcopy.h"

#define BLOCK	32u
#define ROUNDS	40000u
#define SRC_SZ	(16u << 20)
#define NDST	8191u
#define DST_SZ	2304u

static uint32_t t_libc[ROUNDS], t_v32[ROUNDS];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

__attribute__((target("avx2"), noinline)) static void
block_v32(uint8_t *dst, const uint8_t *src, uint32_t *si, uint32_t *di,
	  uint32_t len, uint32_t mis)
{
	uint32_t k;

	for (k = 0; k < BLOCK; k++) {
		hvn_rx_copy_v32(dst + (size_t)*di * DST_SZ + 128,
				src + *si + mis, len);
		*si = (*si + 2048) % (SRC_SZ - 4096);
		*di = (*di + 1) % NDST;
	}
}

__attribute__((noinline)) static void
block_libc(uint8_t *dst, const uint8_t *src, uint32_t *si, uint32_t *di,
	   uint32_t len, uint32_t mis)
{
	uint32_t k;

	for (k = 0; k < BLOCK; k++) {
		memcpy(dst + (size_t)*di * DST_SZ + 128, src + *si + mis, len);
		*si = (*si + 2048) % (SRC_SZ - 4096);
		*di = (*di + 1) % NDST;
	}
}

int
main(int argc, char **argv)
{
	uint32_t len = argc > 1 ? (uint32_t)atoi(argv[1]) : 1574;
	uint32_t mis = argc > 2 ? (uint32_t)atoi(argv[2]) : 0;
	uint32_t si = 0, di = 0, r;
	uint8_t *src, *dst;
	uint64_t t;
	double ml, mv, pl, pv;

	if (!__builtin_cpu_supports("avx2")) {
		printf("no AVX2\n");
		return 77;
	}
	if (len < 1 || len > 2048 || mis > 63)
		return 2;
	src = aligned_alloc(64, SRC_SZ);
	dst = aligned_alloc(64, (size_t)NDST * DST_SZ);
	if (src == NULL || dst == NULL)
		return 1;
	memset(src, 0x5a, SRC_SZ);
	memset(dst, 0, (size_t)NDST * DST_SZ);
	for (r = 0; r < ROUNDS; r++) {
		t = now_ns();
		if (r & 1)
			block_v32(dst, src, &si, &di, len, mis);
		else
			block_libc(dst, src, &si, &di, len, mis);
		t = now_ns() - t;
		if (r & 1)
			t_v32[r / 2] = (uint32_t)t;
		else
			t_libc[r / 2] = (uint32_t)t;
	}
	qsort(t_libc, ROUNDS / 2, sizeof(t_libc[0]), cmp_u32);
	qsort(t_v32, ROUNDS / 2, sizeof(t_v32[0]), cmp_u32);
	ml = (double)t_libc[ROUNDS / 4] / BLOCK;
	mv = (double)t_v32[ROUNDS / 4] / BLOCK;
	pl = (double)t_libc[ROUNDS / 20] / BLOCK;
	pv = (double)t_v32[ROUNDS / 20] / BLOCK;
	printf("len=%u src+%u libc_median=%.2f v32_median=%.2f "
	       "libc_p10=%.2f v32_p10=%.2f v32/libc=%.3f\n", len, mis, ml, mv,
	       pl, pv, mv / ml);
	free(src);
	free(dst);
	return 0;
}
