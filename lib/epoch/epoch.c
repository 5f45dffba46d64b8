/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Writer side of the epoch library: domain, reader list, grace periods and
 * the deferred-retire queue. The reader side is inline in epoch.h.
 *
 * Locks: `lock` guards the reader list and the asynchronous grace-period
 * state; `qlock` guards the retire queue. Order: lock, then qlock. Readers
 * take neither. Destructors run with no lock held.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/membarrier.h>
#include <sys/syscall.h>
#endif

#include "epoch.h"
#include "epoch_test.h"

/* Smallest retire-queue capacity kept allocated, in entries. */
#define EPOCH_QUEUE_MIN		64
/* Destructors run per batch, copied out so the queue lock is not held. */
#define EPOCH_RECLAIM_BATCH	32
/* Busy-wait iterations before a waiting writer starts to yield the CPU. */
#define EPOCH_SPIN_LIMIT	256
/* Interrupted membarrier calls retried at once before falling back. */
#define EPOCH_EINTR_RETRIES	8
/* epoch_synchronize() without any barrier: sleep 50 us, doubling to 10 ms. */
#define EPOCH_BARRIER_SLEEP_MIN_NS	50000u
#define EPOCH_BARRIER_SLEEP_MAX_NS	10000000u

struct epoch_entry {
	void *obj;
	epoch_dtor_t dtor;
};

struct epoch_domain {
	pthread_mutex_t lock;		/* readers, gp_*, barrier_* */
	struct epoch_reader *readers;
	uint32_t nreaders;
	bool membarrier;
	bool global_ok;			/* MEMBARRIER_CMD_GLOBAL offered */
	uint64_t barrier_fallbacks;	/* barriers by MEMBARRIER_CMD_GLOBAL */
	uint64_t barrier_failures;	/* barriers that could not be had */

	/* Asynchronous grace period driven by epoch_reclaim(). */
	bool gp_active;
	uint32_t gp_pending;		/* readers seen inside a burst */
	uint64_t gp_target;		/* queue tail when it started */
	uint64_t grace_periods;

	/* Entries with absolute index below done_target are safe to free.
	 * Written under lock, read under qlock: accessed atomically.
	 */
	uint64_t done_target;

	pthread_mutex_t qlock;		/* everything below */
	struct epoch_entry *q;
	uint64_t qcap;			/* power of two, or 0 */
	uint64_t qhead;			/* absolute index of oldest entry */
	uint64_t qtail;			/* absolute index of next free slot */
	uint64_t retired;
	uint64_t reclaimed;
	uint64_t qbytes_peak;
};

static inline void
epoch_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* Wait politely: spin first (bursts are short), then yield so a preempted
 * reader on an oversubscribed machine gets the CPU back.
 */
static void
epoch_backoff(unsigned int *spins)
{
	if (*spins < EPOCH_SPIN_LIMIT) {
		(*spins)++;
		epoch_cpu_relax();
	} else {
		sched_yield();
	}
}

#if defined(__x86_64__)
/*
 * Fence-mode barrier for readers, called from inline asm that declares no
 * register clobbered: it may touch only memory and flags. A locked no-op on
 * the stack is a full barrier, cheaper than mfence; it orders the record's
 * "in" store before the pointer load. Not (%rsp): the return address just
 * stored there would make the locked op wait for that store; below rsp there
 * is only the caller's skipped red zone, and adding zero changes nothing.
 */
__asm__(".text\n"
	".p2align 4\n"
	".globl epoch_reader_fence_slow\n"
	".hidden epoch_reader_fence_slow\n"
	".type epoch_reader_fence_slow, @function\n"
	"epoch_reader_fence_slow:\n"
	"\tlock addl $0, -8(%rsp)\n"
	"\tret\n"
	".size epoch_reader_fence_slow, .-epoch_reader_fence_slow\n");
#else
void
epoch_reader_fence_slow(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif

#ifdef __NR_membarrier
static long
epoch_membarrier_sys(int cmd, unsigned int flags, int cpu_id)
{
	return syscall(__NR_membarrier, cmd, flags, cpu_id);
}
#else
static long
epoch_membarrier_sys(int cmd, unsigned int flags, int cpu_id)
{
	(void)cmd;
	(void)flags;
	(void)cpu_id;
	errno = ENOSYS;
	return -1;
}
#endif

/* Every membarrier call goes through here: the test seam. */
static long (*epoch_membarrier_fn)(int, unsigned int, int) =
	epoch_membarrier_sys;

void
epoch_test_set_membarrier(long (*fn)(int cmd, unsigned int flags,
				     int cpu_id))
{
	__atomic_store_n(&epoch_membarrier_fn,
			 fn != NULL ? fn : epoch_membarrier_sys,
			 __ATOMIC_RELEASE);
}

static long
epoch_membarrier(int cmd)
{
	return __atomic_load_n(&epoch_membarrier_fn, __ATOMIC_ACQUIRE)(cmd,
								       0, 0);
}

/* Register for the expedited command; note whether the global one is
 * there for when the expedited one fails (epoch_writer_barrier()).
 */
static bool
epoch_membarrier_register(struct epoch_domain *dom)
{
	long mask = epoch_membarrier(MEMBARRIER_CMD_QUERY);

	if (mask < 0 || !(mask & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return false;
	dom->global_ok = (mask & MEMBARRIER_CMD_GLOBAL) != 0;
	return epoch_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

/* One command, retrying an interrupted call a few times. */
static int
epoch_membarrier_cmd(int cmd)
{
	unsigned int i;

	for (i = 0; i < EPOCH_EINTR_RETRIES; i++) {
		if (epoch_membarrier(cmd) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
	return -EINTR;
}

/*
 * The writer's heavy barrier, executed after the caller's unpublish store
 * and before the readers' records are read.
 *
 * Membarrier mode. Reader burst: R1 store seq=odd; R2 load pointer, use the
 * object; R3 store-release seq=even. R1, R2 and R3 stay in program order
 * thanks to the compiler barriers, and no CPU fence is executed. The
 * membarrier call acts as a full barrier F on every CPU running a thread of
 * this process (a thread not running went through the scheduler, which is
 * also a full barrier), and returns only after all of them executed it. F
 * lands between two instructions of each reader, so for the burst around F:
 *  - F before R1: F follows the unpublish store U in the writer, so R2 reads
 *    the new pointer and that burst cannot reach the old object.
 *  - F after R1: R1 is visible to the writer after membarrier returns, so
 *    the snapshot reads seq >= that odd value. Reading an even value, or any
 *    value other than the snapshot later, means R3 was reached; R3 is a
 *    release and our load an acquire, so every access of that burst to the
 *    old object happened before the destructor runs. Bursts after R3 start
 *    after F and see the new pointer.
 * An idle reader reads even at the snapshot and is never waited for.
 *
 * When the expedited command fails. Registration succeeded at create time,
 * so the kernel fails it only when the call was interrupted or when it
 * cannot allocate the CPU mask it sends its IPIs to (ENOMEM). Readers run
 * no fence in this mode, so without some F there is no safe way on, and
 * ending the process is not one either:
 *  1. EINTR: call again, a few times.
 *  2. Then MEMBARRIER_CMD_GLOBAL, if the kernel offers it (not with
 *     nohz_full): it returns only after every running thread of the system
 *     passed a full barrier (the kernel waits for an RCU grace period and
 *     allocates nothing). That is the same F for every reader of ours, only
 *     slower; the argument above holds word for word.
 *  3. If that fails too, no F happened: the error goes back and the grace
 *     period does not start, so nothing is freed on its account.
 *     epoch_reclaim() tries again on its next call, epoch_synchronize()
 *     after a sleep. Retired objects wait; the process goes on.
 *
 * Fence mode. The reader has a full fence between R1 and R2 and the writer
 * one between U and the snapshot: store-buffering (Dekker) forbids both
 * sides reading the old values, so either R2 sees the new pointer or the
 * writer sees the odd seq, and the same release/acquire pair ends the wait.
 *
 * Lock held (barrier_* counters).
 */
static int
epoch_writer_barrier(struct epoch_domain *dom)
{
	int rc;

	if (!dom->membarrier) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	}
	rc = epoch_membarrier_cmd(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
	if (rc == 0)
		return 0;
	if (dom->global_ok &&
	    epoch_membarrier_cmd(MEMBARRIER_CMD_GLOBAL) == 0) {
		dom->barrier_fallbacks++;
		return 0;
	}
	dom->barrier_failures++;
	return rc;
}

/* epoch_synchronize(): a barrier, however long it takes to get one. */
static void
epoch_writer_barrier_wait(struct epoch_domain *dom)
{
	uint64_t ns = EPOCH_BARRIER_SLEEP_MIN_NS;
	struct timespec ts;

	while (epoch_writer_barrier(dom) != 0) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)ns;
		nanosleep(&ts, NULL);
		if (ns < EPOCH_BARRIER_SLEEP_MAX_NS)
			ns *= 2;
	}
}

struct epoch_domain *
epoch_domain_create(unsigned int flags)
{
	struct epoch_domain *dom;

	if (flags & ~EPOCH_F_NO_MEMBARRIER) {
		errno = EINVAL;
		return NULL;
	}
	dom = calloc(1, sizeof(*dom));
	if (dom == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&dom->lock, NULL);
	pthread_mutex_init(&dom->qlock, NULL);
	dom->membarrier = !(flags & EPOCH_F_NO_MEMBARRIER) &&
		epoch_membarrier_register(dom);
	return dom;
}

bool
epoch_domain_membarrier(const struct epoch_domain *dom)
{
	return dom != NULL && dom->membarrier;
}

int
epoch_reader_add(struct epoch_domain *dom, struct epoch_reader *r)
{
	if (dom == NULL || r == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	if (r->dom != NULL) {
		pthread_mutex_unlock(&dom->lock);
		return -EBUSY;
	}
	/* Keep seq if the record was used before: it only has to be even.
	 * A record added after a grace period's barrier is not waited for:
	 * its first burst happens after this add, which follows that barrier
	 * through the lock, so it loads the current pointer.
	 */
	__atomic_store_n(&r->seq, __atomic_load_n(&r->seq,
			 __ATOMIC_RELAXED) & ~(uint64_t)1, __ATOMIC_RELAXED);
	r->fence = !dom->membarrier;
	r->gp_snap = 0;
	r->prev = NULL;
	r->next = dom->readers;
	if (dom->readers != NULL)
		dom->readers->prev = r;
	dom->readers = r;
	r->dom = dom;
	dom->nreaders++;
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

int
epoch_reader_remove(struct epoch_domain *dom, struct epoch_reader *r)
{
	unsigned int spins = 0;

	if (dom == NULL || r == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	if (r->dom != dom) {
		pthread_mutex_unlock(&dom->lock);
		return -EINVAL;
	}
	/* A burst still running ends before we forget the record: that also
	 * satisfies any grace period waiting on it.
	 */
	while (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) & 1)
		epoch_backoff(&spins);
	if (r->gp_snap != 0) {
		r->gp_snap = 0;
		dom->gp_pending--;
	}
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		dom->readers = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
	r->dom = NULL;
	dom->nreaders--;
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

static uint64_t
epoch_queue_tail(struct epoch_domain *dom)
{
	uint64_t t;

	pthread_mutex_lock(&dom->qlock);
	t = dom->qtail;
	pthread_mutex_unlock(&dom->qlock);
	return t;
}

static void
epoch_done_advance(struct epoch_domain *dom, uint64_t target)
{
	if (target > __atomic_load_n(&dom->done_target, __ATOMIC_RELAXED))
		__atomic_store_n(&dom->done_target, target, __ATOMIC_RELEASE);
}

/* Lock held. Re-check the readers seen inside a burst. */
static void
epoch_gp_poll(struct epoch_domain *dom)
{
	struct epoch_reader *r;

	for (r = dom->readers; r != NULL && dom->gp_pending; r = r->next) {
		if (r->gp_snap == 0)
			continue;
		/* Acquire pairs with the reader's release at exit. */
		if (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) != r->gp_snap) {
			r->gp_snap = 0;
			dom->gp_pending--;
		}
	}
	if (dom->gp_pending == 0) {
		dom->gp_active = false;
		epoch_done_advance(dom, dom->gp_target);
	}
}

/* Lock held. Begin a grace period covering queue entries below target;
 * without a barrier it does not begin (epoch_writer_barrier()).
 */
static int
epoch_gp_start(struct epoch_domain *dom, uint64_t target)
{
	struct epoch_reader *r;
	uint64_t s;
	int rc;

	rc = epoch_writer_barrier(dom);
	if (rc < 0)
		return rc;
	dom->gp_target = target;
	dom->gp_pending = 0;
	dom->gp_active = true;
	dom->grace_periods++;
	for (r = dom->readers; r != NULL; r = r->next) {
		s = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
		r->gp_snap = (s & 1) ? s : 0;
		if (s & 1)
			dom->gp_pending++;
	}
	return 0;
}

int
epoch_synchronize(struct epoch_domain *dom)
{
	struct epoch_reader *r;
	uint64_t target, s;
	unsigned int spins;

	if (dom == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	/* Entries queued so far were unpublished before this point. */
	target = epoch_queue_tail(dom);
	dom->grace_periods++;
	epoch_writer_barrier_wait(dom);
	for (r = dom->readers; r != NULL; r = r->next) {
		s = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
		if (!(s & 1))
			continue;
		spins = 0;
		while (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) == s)
			epoch_backoff(&spins);
	}
	/* Bursts running when an asynchronous grace period began were also
	 * running (or done) when this one began: it is complete too.
	 */
	if (dom->gp_active) {
		for (r = dom->readers; r != NULL; r = r->next)
			r->gp_snap = 0;
		dom->gp_pending = 0;
		dom->gp_active = false;
		if (dom->gp_target > target)
			target = dom->gp_target;
	}
	epoch_done_advance(dom, target);
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

/* qlock held. Move the entries to a ring of new_cap slots. */
static int
epoch_queue_resize(struct epoch_domain *dom, uint64_t new_cap)
{
	struct epoch_entry *nq;
	uint64_t i, bytes;

	nq = malloc(new_cap * sizeof(*nq));
	if (nq == NULL)
		return -ENOMEM;
	for (i = dom->qhead; i != dom->qtail; i++)
		nq[i & (new_cap - 1)] = dom->q[i & (dom->qcap - 1)];
	free(dom->q);
	dom->q = nq;
	dom->qcap = new_cap;
	bytes = new_cap * sizeof(*nq);
	if (bytes > dom->qbytes_peak)
		dom->qbytes_peak = bytes;
	return 0;
}

int
epoch_retire(struct epoch_domain *dom, void *obj, epoch_dtor_t dtor)
{
	int rc = 0;

	if (dom == NULL || dtor == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->qlock);
	if (dom->qtail - dom->qhead == dom->qcap)
		rc = epoch_queue_resize(dom, dom->qcap ?
					dom->qcap * 2 : EPOCH_QUEUE_MIN);
	if (rc == 0) {
		dom->q[dom->qtail & (dom->qcap - 1)] =
			(struct epoch_entry){ .obj = obj, .dtor = dtor };
		dom->qtail++;
		dom->retired++;
	}
	pthread_mutex_unlock(&dom->qlock);
	if (rc == 0)
		return 0;

	/* Out of memory: pay the grace period here instead of failing. */
	epoch_synchronize(dom);
	dtor(obj);
	pthread_mutex_lock(&dom->qlock);
	dom->retired++;
	dom->reclaimed++;
	pthread_mutex_unlock(&dom->qlock);
	return 0;
}

/* Run the destructors of entries below done_target, in batches with the
 * queue unlocked so that they may retire more objects.
 */
static uint64_t
epoch_run_ready(struct epoch_domain *dom)
{
	struct epoch_entry batch[EPOCH_RECLAIM_BATCH];
	uint64_t done, n, i, left;

	for (;;) {
		pthread_mutex_lock(&dom->qlock);
		done = __atomic_load_n(&dom->done_target, __ATOMIC_ACQUIRE);
		if (done > dom->qtail)
			done = dom->qtail;
		n = done > dom->qhead ? done - dom->qhead : 0;
		if (n > EPOCH_RECLAIM_BATCH)
			n = EPOCH_RECLAIM_BATCH;
		for (i = 0; i < n; i++)
			batch[i] = dom->q[(dom->qhead + i) & (dom->qcap - 1)];
		dom->qhead += n;
		dom->reclaimed += n;
		left = dom->qtail - dom->qhead;
		/* Give memory back after a burst of retirements; failure to
		 * shrink is harmless.
		 */
		if (dom->qcap > EPOCH_QUEUE_MIN && left <= dom->qcap / 4)
			(void)epoch_queue_resize(dom, dom->qcap / 2);
		pthread_mutex_unlock(&dom->qlock);

		for (i = 0; i < n; i++)
			batch[i].dtor(batch[i].obj);
		if (n < EPOCH_RECLAIM_BATCH)
			break;
	}
	/* Destructors may have queued more objects: count after them. */
	pthread_mutex_lock(&dom->qlock);
	left = dom->qtail - dom->qhead;
	pthread_mutex_unlock(&dom->qlock);
	return left;
}

int
epoch_reclaim(struct epoch_domain *dom)
{
	uint64_t tail, left;

	if (dom == NULL)
		return -EINVAL;
	/* Never wait: a thread in epoch_synchronize() holds the lock and
	 * will advance done_target itself.
	 */
	if (pthread_mutex_trylock(&dom->lock) == 0) {
		if (dom->gp_active)
			epoch_gp_poll(dom);
		if (!dom->gp_active) {
			tail = epoch_queue_tail(dom);
			if (tail > __atomic_load_n(&dom->done_target,
						   __ATOMIC_RELAXED) &&
			    epoch_gp_start(dom, tail) == 0)
				epoch_gp_poll(dom);
		}
		pthread_mutex_unlock(&dom->lock);
	}
	left = epoch_run_ready(dom);
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

int
epoch_stats_get(struct epoch_domain *dom, struct epoch_stats *st)
{
	if (dom == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&dom->lock);
	st->grace_periods = dom->grace_periods;
	st->readers = dom->nreaders;
	st->membarrier = dom->membarrier;
	st->barrier_fallbacks = dom->barrier_fallbacks;
	st->barrier_failures = dom->barrier_failures;
	pthread_mutex_lock(&dom->qlock);
	st->retired = dom->retired;
	st->reclaimed = dom->reclaimed;
	st->pending = dom->qtail - dom->qhead;
	st->queue_bytes = dom->qcap * sizeof(struct epoch_entry);
	st->queue_bytes_peak = dom->qbytes_peak;
	pthread_mutex_unlock(&dom->qlock);
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

int
epoch_domain_destroy(struct epoch_domain *dom)
{
	if (dom == NULL)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	if (dom->nreaders != 0) {
		pthread_mutex_unlock(&dom->lock);
		return -EBUSY;
	}
	dom->gp_active = false;
	/* No reader left: nothing can reach a retired object any more. */
	epoch_done_advance(dom, epoch_queue_tail(dom));
	pthread_mutex_unlock(&dom->lock);
	/* Destructors may retire more; loop until the queue stays empty. */
	while (epoch_run_ready(dom) != 0)
		epoch_done_advance(dom, epoch_queue_tail(dom));
	free(dom->q);
	pthread_mutex_destroy(&dom->qlock);
	pthread_mutex_destroy(&dom->lock);
	free(dom);
	return 0;
}
