/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Sleep when idle, the way l3fwd-power does it, for any ethdev with Rx
 * interrupts: after RXINTR_IDLE_POLLS empty polls of all its queues an
 * lcore arms their interrupts, waits in its per-thread epoll set, then
 * disarms and polls again. Shared by examples/rxintr and its benchmark
 * (test/intr/bench_intr.c), so what is measured is what the example runs.
 * Only rte_eth_* and EAL calls.
 */

#ifndef RXINTR_SLEEP_H
#define RXINTR_SLEEP_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_interrupts.h>

/* Empty rounds before sleeping: a few microseconds of polling, so a
 * steady stream never pays a sleep. */
#define RXINTR_IDLE_POLLS	64u

struct rxintr_q {
	uint16_t port;
	uint16_t queue;
};

/* Put the queues' event fds into the calling thread's epoll set. */
static inline int
rxintr_attach(const struct rxintr_q *qs, unsigned int n)
{
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = rte_eth_dev_rx_intr_ctl_q(qs[i].port, qs[i].queue,
					       RTE_EPOLL_PER_THREAD,
					       RTE_INTR_EVENT_ADD,
					       (void *)(uintptr_t)i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Arm every queue, sleep until one has frames or @p timeout_ms passes,
 * disarm. A queue that had frames when armed wakes at once (the driver
 * sees to it), so no frame waits for the timeout.
 * @return queues woken (0 on timeout), or a negative errno.
 */
static inline int
rxintr_sleep(const struct rxintr_q *qs, unsigned int n, int timeout_ms)
{
	struct rte_epoll_event ev[16];
	unsigned int i;
	int rc, woke;

	for (i = 0; i < n; i++) {
		rc = rte_eth_dev_rx_intr_enable(qs[i].port, qs[i].queue);
		if (rc != 0)
			return rc;
	}
	woke = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev),
			      timeout_ms);
	for (i = 0; i < n; i++)
		rte_eth_dev_rx_intr_disable(qs[i].port, qs[i].queue);
	return woke;
}

#endif /* RXINTR_SLEEP_H */
