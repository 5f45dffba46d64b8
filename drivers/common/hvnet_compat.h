/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HVNET_COMPAT_H
#define HVNET_COMPAT_H

/**
 * @file
 * Every DPDK API hvnet uses that changed between the releases it builds
 * against (22.11, 23.11, 24.11, 25.11): one entry per changed API, naming
 * the release that changed it. Drivers and tests call the hvnet_ name and
 * never test RTE_VERSION themselves. When the oldest supported release
 * passes the one named, the entry goes.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_version.h>

#define HVNET_DPDK_AT_LEAST(y, m) (RTE_VERSION >= RTE_VERSION_NUM(y, m, 0, 0))

/*
 * Control threads. DPDK 23.11 removed rte_ctrl_thread_create() (pthread_t,
 * void *(*)(void *)) for rte_thread_create_control() (rte_thread_t,
 * uint32_t (*)(void *)). Callers hold an rte_thread_t and use
 * rte_thread_join() / rte_thread_equal(), present in every release.
 * Returns 0 or a negative errno.
 */
#include <rte_thread.h>
#if HVNET_DPDK_AT_LEAST(23, 11)
static inline int
hvnet_ctrl_thread_create(rte_thread_t *t, const char *name,
			 rte_thread_func fn, void *arg)
{
	int rc = rte_thread_create_control(t, name, fn, arg);

	return rc > 0 ? -rc : rc;
}
#else
#include <pthread.h>
#include <rte_lcore.h>

struct hvnet_ctrl_thread_start {
	rte_thread_func fn;
	void *arg;
};

/* Runs fn with the uint32_t ABI the newer API expects; the start block
 * is the thread's to free.
 */
static void *
hvnet_ctrl_thread_trampoline(void *p)
{
	struct hvnet_ctrl_thread_start s = *(struct hvnet_ctrl_thread_start *)p;

	free(p);
	return (void *)(uintptr_t)s.fn(s.arg);
}

static inline int
hvnet_ctrl_thread_create(rte_thread_t *t, const char *name,
			 rte_thread_func fn, void *arg)
{
	struct hvnet_ctrl_thread_start *s = malloc(sizeof(*s));
	pthread_t tid;
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->fn = fn;
	s->arg = arg;
	rc = rte_ctrl_thread_create(&tid, name, NULL,
				    hvnet_ctrl_thread_trampoline, s);
	if (rc != 0) {
		free(s);
		return rc > 0 ? -rc : rc;
	}
	t->opaque_id = (uintptr_t)tid;
	return 0;
}
#endif

/*
 * Telemetry. DPDK 23.03 renamed rte_tel_data_add_dict_u64() to
 * rte_tel_data_add_dict_uint(); 25.11 removed the old name.
 */
#include <rte_telemetry.h>
#if HVNET_DPDK_AT_LEAST(23, 3)
#define hvnet_tel_dict_add_uint(d, name, v) \
	rte_tel_data_add_dict_uint((d), (name), (v))
#else
#define hvnet_tel_dict_add_uint(d, name, v) \
	rte_tel_data_add_dict_u64((d), (name), (v))
#endif
/* The same release renamed the unsigned array type and its adder. */
#if HVNET_DPDK_AT_LEAST(23, 3)
#define hvnet_tel_start_uint_array(d) \
	rte_tel_data_start_array((d), RTE_TEL_UINT_VAL)
#define hvnet_tel_array_add_uint(d, v) rte_tel_data_add_array_uint((d), (v))
#else
#define hvnet_tel_start_uint_array(d) \
	rte_tel_data_start_array((d), RTE_TEL_U64_VAL)
#define hvnet_tel_array_add_uint(d, v) rte_tel_data_add_array_u64((d), (v))
#endif

/*
 * Driver name export (read by dpdk-pmdinfo.py). DPDK 25.07 dropped
 * RTE_PMD_EXPORT_NAME()'s second, unique-index argument.
 */
#include <dev_driver.h>
#if HVNET_DPDK_AT_LEAST(25, 7)
#define HVNET_PMD_EXPORT_NAME(nm) RTE_PMD_EXPORT_NAME(nm)
#else
#define HVNET_PMD_EXPORT_NAME(nm) RTE_PMD_EXPORT_NAME(nm, __COUNTER__)
#endif

/*
 * Per-queue counters. DPDK 25.11 moved q_ipackets... out of struct
 * rte_eth_stats into struct eth_queue_stats, which ethdev passes to
 * stats_get as a third argument (NULL when it wants no queue counters).
 * A driver writes one fill function
 *   int fill(struct rte_eth_dev *, struct rte_eth_stats *,
 *            struct hvnet_queue_stats *qs)   (qs may be NULL)
 * and HVNET_ETH_STATS_GET(op, fill) defines the op of this release
 * (the types are ethdev_driver.h's, needed only where it is expanded).
 */
#if HVNET_DPDK_AT_LEAST(25, 11)
#define hvnet_queue_stats eth_queue_stats
#define HVNET_ETH_STATS_GET(op, fill)					\
	static int							\
	op(struct rte_eth_dev *dev, struct rte_eth_stats *st,		\
	   struct eth_queue_stats *qs)					\
	{								\
		return fill(dev, st, qs);				\
	}
#else
#define hvnet_queue_stats rte_eth_stats
#define HVNET_ETH_STATS_GET(op, fill)					\
	static int							\
	op(struct rte_eth_dev *dev, struct rte_eth_stats *st)		\
	{								\
		return fill(dev, st, st);				\
	}
#endif

/*
 * Receive-queue fill level. The rx_queue_count callback returns int (a
 * count or a negative errno) in DPDK 25.11, uint32_t up to 24.11.
 */
#if HVNET_DPDK_AT_LEAST(25, 11)
typedef int hvnet_rx_queue_count_t;
#else
typedef uint32_t hvnet_rx_queue_count_t;
#endif

#endif /* HVNET_COMPAT_H */
