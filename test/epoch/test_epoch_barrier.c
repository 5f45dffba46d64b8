/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * membarrier(2) failing under the writer (issue 15, 1f), injected through
 * lib/epoch's test seam in front of the real system call: interrupted
 * calls are retried; an expedited command that fails (ENOMEM: the kernel
 * could not allocate its CPU mask) falls back to MEMBARRIER_CMD_GLOBAL and
 * grace periods still wait for a reader inside a burst; with no barrier at
 * all nothing is freed, nothing ends the process, and everything completes
 * once a barrier can be had again. test_epoch_stress's "fallback" mode runs
 * readers and a writer concurrently on the global command alone.
 */

#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "epoch.h"
#include "epoch_test.h"

/* What the seam does with the next calls; counts what it saw. */
static struct {
	int expedited_err;	/* errno for PRIVATE_EXPEDITED, 0: pass */
	int global_err;		/* errno for GLOBAL, 0: pass */
	unsigned int eintr;	/* this many expedited calls: EINTR first */
	unsigned int expedited;	/* calls seen */
	unsigned int global;
} mb;

static long
mb_seam(int cmd, unsigned int flags, int cpu_id)
{
	int err = 0;

	if (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED) {
		__atomic_add_fetch(&mb.expedited, 1, __ATOMIC_RELAXED);
		if (mb.eintr > 0) {
			mb.eintr--;
			err = EINTR;
		} else {
			err = __atomic_load_n(&mb.expedited_err,
					      __ATOMIC_RELAXED);
		}
	} else if (cmd == MEMBARRIER_CMD_GLOBAL) {
		__atomic_add_fetch(&mb.global, 1, __ATOMIC_RELAXED);
		err = __atomic_load_n(&mb.global_err, __ATOMIC_RELAXED);
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return syscall(__NR_membarrier, cmd, flags, cpu_id);
}

static void
mb_reset(int expedited_err, int global_err)
{
	__atomic_store_n(&mb.expedited_err, expedited_err, __ATOMIC_RELAXED);
	__atomic_store_n(&mb.global_err, global_err, __ATOMIC_RELAXED);
	mb.eintr = 0;
	__atomic_store_n(&mb.expedited, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&mb.global, 0, __ATOMIC_RELAXED);
}

static int dtor_calls;

static void
count_dtor(void *obj)
{
	(void)obj;
	dtor_calls++;
}

/* A queue's lcore inside one burst until told to leave. */
struct burst {
	struct epoch_reader *r;
	int entered;
	int leave;
};

static void *
burst_thread(void *arg)
{
	struct burst *b = arg;

	epoch_reader_enter(b->r);
	__atomic_store_n(&b->entered, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&b->leave, __ATOMIC_ACQUIRE))
		sched_yield();
	epoch_reader_exit(b->r);
	return NULL;
}

static void
burst_start(struct burst *b, struct epoch_reader *r, pthread_t *t)
{
	b->r = r;
	b->entered = 0;
	b->leave = 0;
	REQUIRE(pthread_create(t, NULL, burst_thread, b) == 0);
	while (!__atomic_load_n(&b->entered, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void
burst_end(struct burst *b, pthread_t t)
{
	__atomic_store_n(&b->leave, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
}

/* Interrupted calls: retried, no fallback needed. */
static void
test_eintr(struct epoch_domain *dom)
{
	struct epoch_stats st;
	int x;

	mb_reset(0, 0);
	mb.eintr = 3;
	dtor_calls = 0;
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 1);
	CHECK_EQ(mb.expedited, 4);
	CHECK_EQ(mb.global, 0);
	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	CHECK_EQ(st.barrier_fallbacks, 0);
	CHECK_EQ(st.barrier_failures, 0);
}

/* ENOMEM: the global command stands in, and the reader inside a burst is
 * still waited for; the idle one is not.
 */
static void
test_enomem(struct epoch_domain *dom, struct epoch_reader *r)
{
	struct epoch_stats st0, st;
	struct burst b;
	pthread_t t;
	int x;

	mb_reset(ENOMEM, 0);
	dtor_calls = 0;
	CHECK_EQ(epoch_stats_get(dom, &st0), 0);
	burst_start(&b, r, &t);
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	CHECK_EQ(epoch_reclaim(dom), 1);
	CHECK_EQ(epoch_reclaim(dom), 1);
	CHECK_EQ(dtor_calls, 0);
	CHECK(mb.expedited >= 1 && mb.global >= 1, "%u expedited, %u global",
	      mb.expedited, mb.global);
	burst_end(&b, t);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 1);
	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	CHECK(st.barrier_fallbacks > st0.barrier_fallbacks);
	CHECK_EQ(st.barrier_failures, st0.barrier_failures);
	CHECK(st.grace_periods > st0.grace_periods);

	/* The blocking form takes the same way. */
	burst_start(&b, r, &t);
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	burst_end(&b, t);
	CHECK_EQ(epoch_synchronize(dom), 0);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 2);
}

struct sync_call {
	struct epoch_domain *dom;
	int rc;
	int done;
};

static void *
sync_thread(void *arg)
{
	struct sync_call *s = arg;

	s->rc = epoch_synchronize(s->dom);
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* No barrier at all (ENOMEM and a kernel without the global command, or
 * both failing): nothing is freed without one, even once the reader left;
 * the writer is told by the count, not by the end of the process.
 */
static void
test_no_barrier(struct epoch_domain *dom, struct epoch_reader *r)
{
	struct sync_call s = { .dom = dom, .rc = -1 };
	struct epoch_stats st0, st;
	struct burst b;
	pthread_t t;
	unsigned int i;
	int x;

	mb_reset(ENOMEM, EINVAL);
	dtor_calls = 0;
	CHECK_EQ(epoch_stats_get(dom, &st0), 0);
	burst_start(&b, r, &t);
	CHECK_EQ(epoch_retire(dom, &x, count_dtor), 0);
	for (i = 0; i < 10; i++)
		CHECK_EQ(epoch_reclaim(dom), 1);
	burst_end(&b, t);
	for (i = 0; i < 10; i++)
		CHECK_EQ(epoch_reclaim(dom), 1);
	CHECK_EQ(dtor_calls, 0);
	CHECK_EQ(epoch_stats_get(dom, &st), 0);
	CHECK(st.barrier_failures >= st0.barrier_failures + 20, "%" PRIu64,
	      st.barrier_failures - st0.barrier_failures);
	CHECK_EQ(st.grace_periods, st0.grace_periods);

	/* epoch_synchronize() keeps trying (sleeping in between) and
	 * returns once a barrier works again.
	 */
	REQUIRE(pthread_create(&t, NULL, sync_thread, &s) == 0);
	while (__atomic_load_n(&mb.expedited, __ATOMIC_RELAXED) < 20 + 5)
		usleep(100);
	CHECK(!__atomic_load_n(&s.done, __ATOMIC_ACQUIRE),
	      "synchronize returned without a barrier");
	__atomic_store_n(&mb.global_err, 0, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CHECK_EQ(s.rc, 0);
	CHECK_EQ(epoch_reclaim(dom), 0);
	CHECK_EQ(dtor_calls, 1);
}

int
main(void)
{
	struct epoch_reader busy = { 0 }, idle = { 0 };
	struct epoch_domain *dom;

	epoch_test_set_membarrier(mb_seam);
	dom = epoch_domain_create(0);
	REQUIRE(dom != NULL);
	if (!epoch_domain_membarrier(dom)) {
		/* Fence mode has no system call to fail. */
		printf("epoch_barrier: no expedited membarrier here, "
		       "nothing to inject\n");
		CHECK_EQ(epoch_domain_destroy(dom), 0);
		return 77;
	}
	CHECK_EQ(epoch_reader_add(dom, &busy), 0);
	CHECK_EQ(epoch_reader_add(dom, &idle), 0);
	test_eintr(dom);
	test_enomem(dom, &busy);
	test_no_barrier(dom, &busy);
	mb_reset(0, 0);
	CHECK_EQ(epoch_reader_remove(dom, &busy), 0);
	CHECK_EQ(epoch_reader_remove(dom, &idle), 0);
	CHECK_EQ(epoch_domain_destroy(dom), 0);
	epoch_test_set_membarrier(NULL);
	return check_exit("epoch_barrier");
}
