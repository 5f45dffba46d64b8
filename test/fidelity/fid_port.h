/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* Port 0 bring-up shared by the fidelity traffic apps (fid_traffic,
 * fid_bench): whichever PMD probed it, stock net_netvsc or net_hvnet. */

#ifndef FID_PORT_H
#define FID_PORT_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

/** Configure port 0 with @p nq rx and tx queues of @p desc descriptors,
 * receive mbufs from @p mp, and start it. Returns 0 or a negative errno. */
int fid_port_start(const struct rte_eth_conf *conf, uint16_t nq,
		   uint16_t desc, struct rte_mempool *mp);

/** Wait up to @p ms for port 0's link; 0 when up, -ETIMEDOUT (said so on
 * stdout with @p tag) when not. */
int fid_port_link_wait(const char *tag, unsigned int ms);

#endif /* FID_PORT_H */
