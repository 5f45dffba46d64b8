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
 * EAL allows 256-bit vectors, copies in line with 32-byte moves: 512
 * bytes a pass while more than 512 are left, 256 more if more than 256
 * are, then the last 1 to 256 bytes as 1, 2, 4 or 8 moves, half from
 * where the passes stopped and half ending at the last byte (they may
 * overlap each other and bytes already copied). The passes move the
 * pointers and count down what is left: four instructions of control per
 * 512 bytes, nothing worked out before or after them. libc's loop moves
 * 128 bytes a pass and spends about 49 instructions entering, aligning and
 * finishing; the call also makes the loop around it reload its values.
 * The copy is parsed after it is complete: a byte moved twice while the
 * host rewrites the source is the copy's, once.
 */
typedef uint8_t hvn_v32 __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) void
hvn_rx_mv32(uint8_t *d, const uint8_t *s)
{
	hvn_v32 v;

	memcpy(&v, s, sizeof(v));
	memcpy(d, &v, sizeof(v));
}

static inline __attribute__((always_inline)) void
hvn_rx_mv256(uint8_t *d, const uint8_t *s)
{
	hvn_rx_mv32(d, s);
	hvn_rx_mv32(d + 32, s + 32);
	hvn_rx_mv32(d + 64, s + 64);
	hvn_rx_mv32(d + 96, s + 96);
	hvn_rx_mv32(d + 128, s + 128);
	hvn_rx_mv32(d + 160, s + 160);
	hvn_rx_mv32(d + 192, s + 192);
	hvn_rx_mv32(d + 224, s + 224);
}

static inline __attribute__((always_inline)) void
hvn_rx_copy_v32(uint8_t *d, const uint8_t *s, uint32_t n)
{
	uint8_t *de = d + n;
	const uint8_t *se = s + n;

	if (__builtin_expect(n < 32, 0)) {
		memcpy(d, s, n);
		return;
	}
	if (n > 256) {
		/* Compared with the end, nothing else counted per pass; the
		 * empty asm keeps the compiler from working the pointers out
		 * again from a trip count after the loop. */
		if (n > 512) {
			const uint8_t *stop = se - 512;

			do {
				hvn_rx_mv256(d, s);
				hvn_rx_mv256(d + 256, s + 256);
				d += 512;
				s += 512;
				__asm__("" : "+r" (d), "+r" (s));
			} while (s < stop);
			n = (uint32_t)(se - s);
		}
		if (n > 256) {
			hvn_rx_mv256(d, s);
			n -= 256;
			d += 256;
			s += 256;
		}
	}
	/* 1 <= n <= 256 left from d, and at least 32 bytes before de. */
	if (n > 64) {
		if (n > 128) {
			hvn_rx_mv32(d + 64, s + 64);
			hvn_rx_mv32(d + 96, s + 96);
			hvn_rx_mv32(de - 128, se - 128);
			hvn_rx_mv32(de - 96, se - 96);
		}
		hvn_rx_mv32(d, s);
		hvn_rx_mv32(d + 32, s + 32);
		hvn_rx_mv32(de - 64, se - 64);
	} else if (n > 32) {
		hvn_rx_mv32(d, s);
	}
	hvn_rx_mv32(de - 32, se - 32);
}

#endif /* HVN_RXCOPY_H */
