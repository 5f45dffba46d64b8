/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The copying receive loop compiled with AVX2 (meson.build: -mavx2, and
 * unaligned 256-bit moves not split in two as the baseline's tuning
 * would), chosen at queue set-up only where the CPU has AVX2 and EAL
 * allows 256-bit vectors (hvn_queue.c). Its copy is hvn_rx_copy_v32() in
 * line; the compiler clears the vector registers' upper halves before
 * calls and at the exit.
 */

#include "hvn_rx_ranges.h"

uint16_t
hvn_rx_ranges_avx2(struct hvn_rxq *rxq, const struct hvn_xfer *xf,
		   uint32_t *next, struct rte_mbuf **out, uint16_t room)
{
	return hvn_rx_ranges_t(rxq, xf, next, out, room, NULL, false, true);
}
