/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* The receive copy with 32-byte moves, free of EAL so that its unit test
 * (test/pmd/test_rxcopy.c) runs exactly this code. */

#ifndef HVN_RXCOPY_H
#define HVN_RXCOPY_H

#include <stdint.h>
#include <string.h>

/*
 * The copying path's one copy per frame (the whole message, 1,574 bytes
 * for a 1518-byte frame: most of what receiving it costs). The driver is
 * built for the distribution's baseline, where it calls libc's memcpy().
 * hvn_rx_ranges_avx2(), chosen at queue set-up when the CPU has AVX2 and
 * EAL allows 256-bit vectors, copies in line with 32-byte moves: 256
 * bytes a pass while more than 256 are left, then the last 1 to 256
 * bytes as 1, 2, 4 or 8 moves, half from where the passes stopped and
 * half ending at the last byte (they may overlap each other and bytes
 * already copied). libc's loop moves 128 bytes a pass and spends about
 * 49 instructions entering, aligning and finishing; the call also makes
 * the loop around it reload its values. The copy is parsed after it is
 * complete: a byte moved twice while the host rewrites the source is the
 * copy's, once.
 */
typedef uint8_t hvn_v32 __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) void
hvn_rx_mv32(uint8_t *d, const uint8_t *s, uint32_t o)
{
	hvn_v32 v;

	memcpy(&v, s + o, sizeof(v));
	memcpy(d + o, &v, sizeof(v));
}

static inline __attribute__((always_inline)) void
hvn_rx_copy_v32(uint8_t *d, const uint8_t *s, uint32_t n)
{
	uint32_t o, r;

	if (__builtin_expect(n < 32, 0)) {
		memcpy(d, s, n);
		return;
	}
	for (o = 0; n - o > 256; o += 256) {
		hvn_rx_mv32(d, s, o);
		hvn_rx_mv32(d, s, o + 32);
		hvn_rx_mv32(d, s, o + 64);
		hvn_rx_mv32(d, s, o + 96);
		hvn_rx_mv32(d, s, o + 128);
		hvn_rx_mv32(d, s, o + 160);
		hvn_rx_mv32(d, s, o + 192);
		hvn_rx_mv32(d, s, o + 224);
	}
	/* 1 <= r <= 256 left, and n >= 32. */
	r = n - o;
	if (r > 64) {
		if (r > 128) {
			hvn_rx_mv32(d, s, o + 64);
			hvn_rx_mv32(d, s, o + 96);
			hvn_rx_mv32(d, s, n - 128);
			hvn_rx_mv32(d, s, n - 96);
		}
		hvn_rx_mv32(d, s, o);
		hvn_rx_mv32(d, s, o + 32);
		hvn_rx_mv32(d, s, n - 64);
	} else if (r > 32) {
		hvn_rx_mv32(d, s, o);
	}
	hvn_rx_mv32(d, s, n - 32);
}

#endif /* HVN_RXCOPY_H */
