/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A mempool that can hold the lcore using it: armed, the next get (or put)
 * spins until the test releases it. A burst allocates and frees mbufs at
 * known points inside its reader section, so this stalls a reader exactly
 * there - an lcore preempted for seconds in the middle of a burst - while
 * the test makes the host do something meanwhile. The pool is an rte_ring
 * underneath; use it without a per-lcore cache so every get and put comes
 * here.
 */

#ifndef STALL_POOL_H
#define STALL_POOL_H

#include <stdio.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#define STALL_OPS	"hvn_test_stall"

enum stall_at { STALL_NONE, STALL_GET, STALL_PUT };

static struct {
	uint32_t armed;		/* enum stall_at: the next such call stalls */
	uint32_t stalled;	/* a call is held now */
	uint32_t release;
} stall;

static void
stall_point(enum stall_at at)
{
	uint32_t want = at;

	if (__atomic_load_n(&stall.armed, __ATOMIC_ACQUIRE) != want ||
	    !__atomic_compare_exchange_n(&stall.armed, &want, STALL_NONE, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&stall.stalled, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stall.release, __ATOMIC_ACQUIRE))
		rte_pause();
	__atomic_store_n(&stall.stalled, 0, __ATOMIC_RELEASE);
}

static int
stall_alloc(struct rte_mempool *mp)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "stall_%.20s", mp->name);
	r = rte_ring_create(name, mp->size, mp->socket_id, RING_F_EXACT_SZ);
	if (r == NULL)
		return -rte_errno;
	mp->pool_data = r;
	return 0;
}

static void
stall_free(struct rte_mempool *mp)
{
	rte_ring_free(mp->pool_data);
}

static int
stall_enqueue(struct rte_mempool *mp, void *const *objs, unsigned int n)
{
	stall_point(STALL_PUT);
	return rte_ring_enqueue_bulk(mp->pool_data, objs, n, NULL) == 0 ?
		-ENOBUFS : 0;
}

static int
stall_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	stall_point(STALL_GET);
	return rte_ring_dequeue_bulk(mp->pool_data, objs, n, NULL) == 0 ?
		-ENOBUFS : 0;
}

static unsigned int
stall_count(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

static struct rte_mempool_ops stall_ops = {
	.name = STALL_OPS,
	.alloc = stall_alloc,
	.free = stall_free,
	.enqueue = stall_enqueue,
	.dequeue = stall_dequeue,
	.get_count = stall_count,
};

RTE_MEMPOOL_REGISTER_OPS(stall_ops);

/* An mbuf pool of @p n mbufs on the stall ops, no cache. */
static inline struct rte_mempool *
stall_pool_create(const char *name, unsigned int n)
{
	return rte_pktmbuf_pool_create_by_ops(name, n, 0, 0,
					      RTE_MBUF_DEFAULT_BUF_SIZE, 0,
					      STALL_OPS);
}

/* Stall the next get or put of a stall pool; wait up to @p ms for it. */
static inline void
stall_arm(enum stall_at at)
{
	__atomic_store_n(&stall.release, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&stall.armed, at, __ATOMIC_RELEASE);
}

static inline int
stall_wait(unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms; i++) {
		if (__atomic_load_n(&stall.stalled, __ATOMIC_ACQUIRE))
			return 0;
		rte_delay_us_sleep(1000);
	}
	return -ETIMEDOUT;
}

static inline void
stall_release(void)
{
	__atomic_store_n(&stall.armed, STALL_NONE, __ATOMIC_RELEASE);
	__atomic_store_n(&stall.release, 1, __ATOMIC_RELEASE);
}

#endif /* STALL_POOL_H */
