/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef RTE_PMD_HVNET_H
#define RTE_PMD_HVNET_H

/**
 * @file
 * net_hvnet's own API, beyond rte_eth_*: what the Hyper-V host tells a
 * port that ethdev has no call for. Link with the net_hvnet plugin
 * (hvnet.pc) to use it.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Buckets of the host's send indirection table. */
#define RTE_PMD_HVNET_SEND_TABLE_SIZE 16

/**
 * The host's send indirection table, as tx queues of @p port_id.
 *
 * The host names, per bucket, the channel it wants the frames of that
 * bucket sent on (it spreads its own transmit work that way). Bucket of a
 * flow: its Toeplitz hash with the port's RSS key and hash types (the
 * value the port puts in mbuf.hash.rss on receive, or rte_softrss()),
 * masked with RTE_PMD_HVNET_SEND_TABLE_SIZE - 1. An application that
 * picks its own tx queue per flow can use @p txq[bucket]. Each entry is
 * the tx queue that sends on the named channel, or for a channel with no
 * tx queue on it (a receive-only channel, or one the port no longer has)
 * the host's channel number modulo the number of tx queues.
 *
 * Callable from any thread; the answer is one consistent table.
 *
 * @param port_id
 *   A started or configured net_hvnet port.
 * @param txq
 *   Filled with RTE_PMD_HVNET_SEND_TABLE_SIZE tx queue ids.
 * @param chan
 *   If not NULL, filled with the host's channel numbers as it sent them.
 * @return
 *   0; -ENOTSUP (not a net_hvnet port); -ENODEV (no such port); -ENOENT
 *   (the host sent no table in this session); -EINVAL (@p txq NULL or
 *   no tx queue configured).
 */
int rte_pmd_hvnet_send_table_get(uint16_t port_id,
		uint16_t txq[RTE_PMD_HVNET_SEND_TABLE_SIZE],
		uint32_t chan[RTE_PMD_HVNET_SEND_TABLE_SIZE]);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_HVNET_H */
