/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Unit tests of lib/epoch: API contract, the non-blocking reclaim state
 * machine driven step by step from one thread, and a blocking
 * epoch_synchronize() against a reader thread that holds a burst open.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv_clock.h"
#include "check.h"
#include "epoch.h"

static int dtor_calls;
static void *dtor_last;

static void
count_dtor(void *obj)
{
	dtor_calls++;
	dtor_last = obj;
}

static void
free_dtor(void *obj)
{
	dtor_calls++;
	free(obj);
}

static void
test_args(void)
{
	struct epoch_domain *dom = epoch_domain_create(0);
	struct epoch_domain *other = epoch_domain_create(0);
	struct epoch_reader r = { 0 };
	struct epoch_stats st;

	REQUIRE(dom != NULL && other != NULL);
	errno = 0;
	CHECK(epoch_domain_create(0x80) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(epoch_reader_add(NULL, &r), -EINVAL);
	CHECK_EQ(epoch_reader_add(dom, NULL), -EINVAL);
	CHECK_EQ(epoch_reader_remove(dom, &r), -EINVAL);
	CHECK_EQ(epoch_retire(NULL, &r, count_dtor), -EINVAL);
	CHECK_EQ(epoch_retire(dom, &r, NULL), -EINVAL);
	CHECK_EQ(epoch_reclaim(NULL), -EINVAL);
	CHECK_EQ(epoch_synchronize(NULL), -EINVAL);
	CHECK_EQ(epoch_stats_get(dom, NULL), -EINVAL);
	CHECK_EQ(epoch_domain_destroy(NULL), -EINVAL);

	CHECK_EQ(epoch_reader_add(dom, &r), 0);
	CHECK_EQ(epoch_reader_add(dom, &r), -EBUSY);
	CHECK_EQ(epoch_reader_add(other, &r), -EBUSY);
	CHECK_EQ(epoch_reader_remove(other, &r), -EINVAL);
	CHECK_EQ(epoch_domain_destroy(dom), -EBUSY);
	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	CHECK_EQ(st.readers, 1);
	CHECK_EQ(epoch_reader_remove(dom, &r), 0);
	CHECK_EQ(epoch_reader_remove(dom, &r), -EINVAL);
	/* A removed record can join another domain. */
	CHECK_EQ(epoch_reader_add(other, &r), 0);
	CHECK_EQ(epoch_reader_remove(other, &r), 0);
	CHECK_EQ(epoch_domain_destroy(dom), 0);
	CHECK_EQ(epoch_domain_destroy(other), 0);
}

static void
test_reader_seq(void)
{
	struct epoch_reader r = { 0 };

	CHECK(!epoch_reader_active(&r));
	epoch_reader_enter(&r);
	CHECK(epoch_reader_active(&r));
	epoch_reader_exit(&r);
	CHECK(!epoch_reader_active(&r));
	CHECK_EQ(r.seq, 2);
}

static void
test_publish(void)
{
	static int a = 1, b = 2;
	int *p = NULL;

	epoch_publish(&p, &a);
	CHECK(epoch_load(&p) == &a);
	epoch_unpublish(&p, &b);
	CHECK(epoch_load(&p) == &b);
	epoch_unpublish(&p, NULL);
	CHECK(epoch_load(&p) == NULL);
}

/* Step the asynchronous grace period by hand: a reader inside a burst holds
 * back exactly the objects retired before its exit, an idle one holds none.
 */
static void
test_reclaim_steps(unsigned int flags)
{
	struct epoch_domain *dom = epoch_domain_create(flags);
	struct epoch_reader busy = { 0 }, idle = { 0 };
	struct epoch_stats st;
	int x, y, z;

	REQUIRE(dom != NULL);
	CHECK_EQ(epoch_domain_membarrier(dom) && (flags & EPOCH_F_NO_MEMBARRIER),
		 0);
	CHECK_EQ(epoch_reader_add(dom, &busy), 0);
	CHECK_EQ(epoch_reader_add(dom, &idle), 0);
	CHECK_EQ(busy.fence, !epoch_domain_membarrier(dom));
	dtor_calls = 0;

	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	/* Both readers out: the grace period ends within one call. */
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 1);
	CHECK(dtor_last == &x);

	epoch_reader_enter(&busy);
	CHECK_EQ(epoch_retire(dom, &y, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 1);
	CHECK_EQ(epoch_reclaim(dom), 1);
	CHECK_EQ(dtor_calls, 1);
	/* Retired while the grace period for y runs: needs the next one. */
	CHECK_EQ(epoch_retire(dom, &z, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 2);
	epoch_reader_exit(&busy);
	/* y's grace period ends, z's starts and ends (reader out). */
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 3);
	CHECK(dtor_last == &z);

	/* A reader that started a later burst also ends the wait. */
	epoch_reader_enter(&busy);
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 1);
	epoch_reader_exit(&busy);
	epoch_reader_enter(&busy);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 4);
	epoch_reader_exit(&busy);

	/* Removing a waited-for reader (out by now) completes the wait. */
	epoch_reader_enter(&busy);
	CHECK_EQ(epoch_retire(dom, &y, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 1);
	epoch_reader_exit(&busy);
	CHECK_EQ(epoch_reader_remove(dom, &busy), 0);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 5);

	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	CHECK_EQ(st.retired, 5);
	CHECK_EQ(st.reclaimed, 5);
	CHECK_EQ(st.pending, 0);
	CHECK_EQ(st.readers, 1);
	CHECK(st.grace_periods >= 4, "%" PRIu64, st.grace_periods);
	CHECK_EQ(st.membarrier, epoch_domain_membarrier(dom));
	CHECK_EQ(epoch_reader_remove(dom, &idle), 0);
	CHECK_EQ(epoch_domain_destroy(dom), 0);
}

/* A record handed from one thread to another keeps working: it holds no
 * thread identity. The hand-over itself is synchronised (join), as a DPDK
 * application must when it moves a queue between lcores.
 */
struct handoff {
	struct epoch_reader *r;
	bool enter;
};

static void *
handoff_thread(void *arg)
{
	struct handoff *h = arg;

	if (h->enter)
		epoch_reader_enter(h->r);
	else
		epoch_reader_exit(h->r);
	return NULL;
}

static void
test_handoff(void)
{
	struct epoch_domain *dom = epoch_domain_create(0);
	struct epoch_reader r = { 0 };
	struct handoff h = { .r = &r, .enter = true };
	pthread_t t;
	int x;

	REQUIRE(dom != NULL);
	CHECK_EQ(epoch_reader_add(dom, &r), 0);
	dtor_calls = 0;
	REQUIRE(pthread_create(&t, NULL, handoff_thread, &h) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	/* Entered by a thread that is gone: still "in", still waited for. */
	CHECK_EQ(epoch_reclaim(dom), 1);
	h.enter = false;
	REQUIRE(pthread_create(&t, NULL, handoff_thread, &h) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 1);
	CHECK_EQ(epoch_reader_remove(dom, &r), 0);
	CHECK_EQ(epoch_domain_destroy(dom), 0);
}

struct holder {
	struct epoch_reader *r;
	uint64_t hold_ns;
	uint64_t exit_ns;
	int entered;
};

static void *
holder_thread(void *arg)
{
	struct holder *h = arg;
	uint64_t t0;

	epoch_reader_enter(h->r);
	__atomic_store_n(&h->entered, 1, __ATOMIC_RELEASE);
	t0 = hv_now_ns();
	while (hv_now_ns() - t0 < h->hold_ns)
		;
	h->exit_ns = hv_now_ns();
	epoch_reader_exit(h->r);
	return NULL;
}

/* epoch_synchronize() must not return before a burst that was open when it
 * was called has closed, and must not wait for an idle reader at all.
 */
static void
test_synchronize(unsigned int flags)
{
	struct epoch_domain *dom = epoch_domain_create(flags);
	struct epoch_reader r = { 0 }, idle = { 0 };
	struct holder h = { .r = &r, .hold_ns = 50 * 1000 * 1000 };
	pthread_t t;
	uint64_t done;
	int x;

	REQUIRE(dom != NULL);
	CHECK_EQ(epoch_reader_add(dom, &r), 0);
	CHECK_EQ(epoch_reader_add(dom, &idle), 0);
	CHECK_EQ(epoch_synchronize(dom), 0);

	dtor_calls = 0;
	REQUIRE(pthread_create(&t, NULL, holder_thread, &h) == 0);
	while (!__atomic_load_n(&h.entered, __ATOMIC_ACQUIRE))
		sched_yield();
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 1);
	CHECK_EQ(epoch_synchronize(dom), 0);
	done = hv_now_ns();
	CHECK(done >= h.exit_ns, "synchronize returned %" PRIu64
	      " ns before the reader left", h.exit_ns - done);
	CHECK(!epoch_reader_active(&r));
	/* The synchronous grace period also released the retired object. */
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 1);
	pthread_join(t, NULL);

	CHECK_EQ(epoch_reader_remove(dom, &r), 0);
	CHECK_EQ(epoch_reader_remove(dom, &idle), 0);
	CHECK_EQ(epoch_domain_destroy(dom), 0);
}

/* Destructors may retire further objects; destroy runs what is left. */
static struct epoch_domain *chain_dom;

static void
chain_dtor(void *obj)
{
	dtor_calls++;
	if ((uintptr_t)obj > 1)
		CHECK_EQ(epoch_retire(chain_dom, (void *)((uintptr_t)obj - 1),
				      chain_dtor), 0);
}

static void
test_queue(void)
{
	struct epoch_domain *dom = epoch_domain_create(0);
	struct epoch_reader r = { 0 };
	struct epoch_stats st;
	int i, left;

	REQUIRE(dom != NULL);
	CHECK_EQ(epoch_reader_add(dom, &r), 0);
	dtor_calls = 0;
	epoch_reader_enter(&r);
	for (i = 0; i < 5000; i++)
		CHECK_EQ(epoch_retire(dom, malloc(16), free_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 5000);
	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	CHECK(st.queue_bytes >= 5000 * 2 * sizeof(void *));
	epoch_reader_exit(&r);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 5000);
	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	/* The queue shrinks back once drained; the peak is remembered. */
	CHECK(st.queue_bytes < st.queue_bytes_peak);
	CHECK(st.queue_bytes <= 64 * 2 * sizeof(void *), "%" PRIu64,
	      st.queue_bytes);

	chain_dom = dom;
	dtor_calls = 0;
	CHECK_EQ(epoch_retire(dom, (void *)(uintptr_t)10, chain_dtor), 0);
	for (i = 0; i < 20 && (left = epoch_reclaim(dom)) != 0; i++)
		;
	CHECK_EQ(left, 0);
	CHECK_EQ(dtor_calls, 10);

	dtor_calls = 0;
	epoch_reader_enter(&r);
	CHECK_EQ(epoch_retire(dom, (void *)(uintptr_t)3, chain_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 1);
	epoch_reader_exit(&r);
	CHECK_EQ(epoch_reader_remove(dom, &r), 0);
	CHECK_EQ(epoch_domain_destroy(dom), 0);
	CHECK_EQ(dtor_calls, 3);
}

int
main(void)
{
	test_args();
	test_reader_seq();
	test_publish();
	test_reclaim_steps(0);
	test_reclaim_steps(EPOCH_F_NO_MEMBARRIER);
	test_handoff();
	test_synchronize(0);
	test_synchronize(EPOCH_F_NO_MEMBARRIER);
	test_queue();
	return check_exit("epoch_unit");
}
