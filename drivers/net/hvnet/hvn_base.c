/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What every file of the driver uses and none of them owns: the log types,
 * the rate limit of datapath log lines, the broken-ring line both bursts
 * log, and telling our ports from others.
 * It calls no other file of the driver.
 */

#include <string.h>

#include <rte_cycles.h>

#include "hvn.h"

RTE_LOG_REGISTER_SUFFIX(hvn_logtype_init, init, NOTICE);
RTE_LOG_REGISTER_SUFFIX(hvn_logtype_driver, driver, NOTICE);
RTE_LOG_REGISTER_SUFFIX(hvn_logtype_rx, rx, NOTICE);
RTE_LOG_REGISTER_SUFFIX(hvn_logtype_tx, tx, NOTICE);

bool
hvn_log_allow(struct hvn_log_limit *l)
{
	uint64_t now = rte_get_timer_cycles();

	if (now >= l->window_end) {
		l->window_end = now + rte_get_timer_hz();
		l->left = HVN_LOG_PER_SEC;
	}
	if (l->left == 0) {
		l->suppressed++;
		return false;
	}
	l->left--;
	return true;
}

/* The host corrupted a ring: lib/vmbus refuses it from now on. Say so
 * once; the counters keep counting. */
void __rte_cold
hvn_ring_broken(bool *logged, uint16_t port, const char *dir, uint16_t qid,
		int rc)
{
	if (*logged)
		return;
	*logged = true;
	HVN_LOG(ERR, driver, "port %u %s queue %u: channel ring unusable "
		"(%d): the host broke the ring protocol; the queue stays quiet",
		port, dir, qid, rc);
}

/* By the driver the bus bound the device to: a port of ours has our
 * driver's name and our device state. */
bool
hvn_is_hvnet(const struct rte_eth_dev *eth)
{
	const struct rte_device *dev = eth->device;

	return eth->state != RTE_ETH_DEV_UNUSED && dev != NULL &&
		dev->driver != NULL &&
		strcmp(dev->driver->name, RTE_STR(HVN_DRIVER_NAME)) == 0 &&
		eth->data != NULL && eth->data->dev_private != NULL;
}
