/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The receive copy with 32-byte moves (hvn_rxcopy.h), as the AVX2 receive
 * loop runs it: every length from 1 to 2,100 bytes - below one move, each
 * step of the tail (1, 2, 4, 8 moves) on both sides of its bound, up to
 * four 512-byte passes with and without a 256-byte one after them - at
 * source and destination offsets that are and are not multiples of 32.
 * The destination must equal the source and not
 * one byte before or after it may change. Skipped (77) on a CPU without
 * AVX2, where the driver never chooses this copy.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hvn_rxcopy.h"

#define MAXLEN	2100u
#define GUARD	64u

static uint8_t src[MAXLEN + 64];
static uint8_t dst[MAXLEN + 64 + 2 * GUARD];

__attribute__((target("avx2"), noinline)) static void
copy_v32(uint8_t *d, const uint8_t *s, uint32_t n)
{
	hvn_rx_copy_v32(d, s, n);
}

int
main(void)
{
	static const uint32_t soff[] = { 0, 1, 7, 31, 32 };
	static const uint32_t doff[] = { 0, 5, 32, 63 };
	uint32_t n, a, b, i, bad = 0, runs = 0;

	if (!__builtin_cpu_supports("avx2")) {
		printf("SKIP: no AVX2\n");
		return 77;
	}
	for (n = 1; n <= MAXLEN; n++) {
		for (a = 0; a < sizeof(soff) / sizeof(soff[0]); a++) {
			for (b = 0; b < sizeof(doff) / sizeof(doff[0]); b++) {
				uint8_t *d = dst + GUARD + doff[b];
				const uint8_t *s = src + soff[a];

				for (i = 0; i < sizeof(src); i++)
					src[i] = (uint8_t)(i * 131u + n);
				memset(dst, 0xa5, sizeof(dst));
				copy_v32(d, s, n);
				runs++;
				if (memcmp(d, s, n) != 0) {
					if (bad++ < 10)
						printf("FAIL: n %u src +%u dst +%u: "
						       "bytes differ\n", n,
						       soff[a], doff[b]);
					continue;
				}
				for (i = 0; i < sizeof(dst); i++) {
					if ((dst + i < d || dst + i >= d + n) &&
					    dst[i] != 0xa5) {
						if (bad++ < 10)
							printf("FAIL: n %u src +%u "
							       "dst +%u: byte %d "
							       "outside written\n",
							       n, soff[a], doff[b],
							       (int)(dst + i - d));
						break;
					}
				}
			}
		}
	}
	printf("%u passed, %u failed\n", runs - bad, bad);
	return bad != 0;
}
