/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HVNET_EPOCH_H
#define HVNET_EPOCH_H

/**
 * @file
 * Epoch-based reclamation for poll-mode datapaths.
 *
 * A *domain* protects objects reached through published pointers (a queue's
 * channel, a port's VF). Each *reader record* lives in the caller's own
 * structure, one per DPDK queue: no thread registration, no thread-local
 * storage. Any lcore may poll a queue, one at a time, as DPDK requires.
 *
 * Reader side (datapath, per burst):
 * @code
 *	epoch_reader_enter(&q->epoch);
 *	chan = epoch_load(&q->chan);
 *	if (chan != NULL)
 *		n = do_burst(chan, ...);
 *	epoch_reader_exit(&q->epoch);
 * @endcode
 * costs two loads and two plain stores to the record (keep it in the
 * queue's hot cache line), a predicted branch and compiler barriers: no
 * locked instruction and no fence on the common path.
 *
 * Writer side (control thread): epoch_unpublish() the pointer, then
 * epoch_retire() the object with its destructor and call epoch_reclaim()
 * from the control loop until it returns 0, or call epoch_synchronize().
 *
 * How it is safe: each record holds a sequence number the reader makes odd
 * on entry and even on exit. A grace period issues
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which runs a full barrier on
 * every CPU running this process. The barrier lands at some instruction
 * boundary of every reader: a burst that starts after it loads the new
 * pointer; a burst that spans it has its "in" store visible to the writer,
 * which then waits for that sequence number to change. The full argument is
 * in epoch.c next to epoch_writer_barrier(), with what happens when the
 * membarrier call fails (never the end of the process: a slower global
 * barrier, or a grace period postponed). Without membarrier (old kernel,
 * seccomp, or EPOCH_F_NO_MEMBARRIER) the reader itself issues the fence after
 * its "in" store; the mode is chosen once when the domain is created.
 *
 * Membarrier covers the threads of one process only: readers in another
 * process (DPDK secondary processes) need a domain created with
 * EPOCH_F_NO_MEMBARRIER.
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Force the reader-side fence mode even when membarrier is available. */
#define EPOCH_F_NO_MEMBARRIER	(1u << 0)

/** Opaque reclamation domain; see epoch_domain_create(). */
struct epoch_domain;

/** Destructor run for a retired object once no reader can reach it. */
typedef void (*epoch_dtor_t)(void *obj);

/**
 * Reader record. Embed one in each queue structure and treat it as opaque.
 * Zero-initialised memory is a valid "out" record; epoch_reader_add() must
 * still be called before the first burst.
 */
struct epoch_reader {
	/** Reader-owned: odd while inside a burst, even outside. */
	uint64_t seq;
	/** Copied from the domain at add time: fallback mode needs a fence. */
	uint8_t fence;
	uint8_t pad_[7];
	/* Writer-owned, touched only under the domain lock. */
	uint64_t gp_snap;		/**< seq seen when the grace period began */
	struct epoch_reader *next;	/**< domain list */
	struct epoch_reader *prev;
	struct epoch_domain *dom;
};

/** Counters of a domain, see epoch_stats_get(). */
struct epoch_stats {
	uint64_t retired;	/**< objects handed to epoch_retire() */
	uint64_t reclaimed;	/**< destructors run */
	uint64_t pending;	/**< retired, not yet destroyed */
	uint64_t grace_periods;	/**< grace periods started */
	uint64_t queue_bytes;	/**< memory now held by the retire queue */
	uint64_t queue_bytes_peak; /**< high-water mark of queue_bytes */
	uint32_t readers;	/**< reader records in the domain */
	bool membarrier;	/**< true: membarrier mode, false: fence mode */
	/** Grace periods whose barrier was MEMBARRIER_CMD_GLOBAL because the
	 * expedited command failed (membarrier mode). */
	uint64_t barrier_fallbacks;
	/** Attempts that got no barrier at all: the grace period waited for
	 * the next try (membarrier mode). */
	uint64_t barrier_failures;
};

/**
 * @internal Fallback-mode fence, out of line: no fence in the fast path.
 * Hidden: every executable or shared object that inlines the reader
 * functions links epoch_dep itself and gets its own copy of this stateless
 * stub (a reader in librte_net_hvnet.so cannot borrow librte_bus_hvbus.so's).
 */
__attribute__((visibility("hidden"))) void epoch_reader_fence_slow(void);

/*
 * @internal Call the fallback fence from the reader. On x86-64 the stub
 * (epoch.c) touches no register, so the asm call clobbers none and the
 * reader stays a leaf function with no stack frame (a C call here cost
 * ~2 ns per burst in push/pop even when never taken). The call steps over
 * the 128-byte red zone a leaf caller may be using.
 */
#if defined(__x86_64__)
#define epoch_reader_fence_call()					\
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\t"			\
			 "call epoch_reader_fence_slow\n\t"		\
			 "lea 128(%%rsp), %%rsp" ::: "memory", "cc")
#else
#define epoch_reader_fence_call() epoch_reader_fence_slow()
#endif

/** @internal Compiler-only barrier. */
#define epoch_compiler_barrier() __asm__ volatile("" ::: "memory")

#ifndef epoch_unlikely
#define epoch_unlikely(x) __builtin_expect(!!(x), 0)
#endif

/**
 * Enter a read-side critical section (start of a burst).
 *
 * Ordering: a relaxed (plain) store makes the record odd, then a compiler
 * barrier keeps later loads of published pointers after it in program order;
 * the writer's membarrier supplies the hardware barrier. In fallback mode a
 * full fence follows the store instead (store-load order, Dekker style).
 *
 * Caller: the one lcore polling the queue that owns @p r. Sections do not
 * nest; every enter is paired with one epoch_reader_exit().
 */
static inline void
epoch_reader_enter(struct epoch_reader *r)
{
	uint64_t s = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&r->seq, s + 1, __ATOMIC_RELAXED);
	if (epoch_unlikely(r->fence))
		epoch_reader_fence_call();
	epoch_compiler_barrier();
}

/**
 * Leave a read-side critical section (end of a burst).
 *
 * Ordering: store-release of the even value, so every access made to
 * protected objects inside the burst happens before the writer sees "out"
 * (a plain mov on x86; stlr on Arm). No fence in either mode.
 *
 * Caller: the lcore that called epoch_reader_enter() on @p r.
 */
static inline void
epoch_reader_exit(struct epoch_reader *r)
{
	uint64_t s = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&r->seq, s + 1, __ATOMIC_RELEASE);
}

/**
 * True while @p r is inside a burst (for assertions and tests).
 */
static inline bool
epoch_reader_active(const struct epoch_reader *r)
{
	return __atomic_load_n(&r->seq, __ATOMIC_RELAXED) & 1;
}

/**
 * Load a published pointer inside a read-side section. One load with
 * consume ordering: fields reached through the pointer are seen as
 * initialised by the publisher (a plain mov on x86 and Arm).
 * Load it once per burst and do not keep it past epoch_reader_exit().
 */
#define epoch_load(pp) __atomic_load_n((pp), __ATOMIC_CONSUME)

/**
 * Publish @p v at @p pp with store-release: a reader that loads the pointer
 * sees everything written to the object before. Writer side only.
 */
#define epoch_publish(pp, v) __atomic_store_n((pp), (v), __ATOMIC_RELEASE)

/**
 * Replace the pointer at @p pp by @p v (NULL or a safe stand-in) before the
 * old object is retired. Store-release like epoch_publish(); the grace
 * period that follows orders it before the writer's check of the readers.
 */
#define epoch_unpublish(pp, v) __atomic_store_n((pp), (v), __ATOMIC_RELEASE)

/**
 * Create a domain. Registers the process for expedited private membarrier
 * unless @p flags has EPOCH_F_NO_MEMBARRIER; if registration fails the
 * domain uses the reader-side fence.
 *
 * @param flags
 *   0 or EPOCH_F_NO_MEMBARRIER.
 * @return
 *   The domain, or NULL with errno set (ENOMEM, EINVAL).
 */
struct epoch_domain *epoch_domain_create(unsigned int flags);

/**
 * Destroy a domain: runs the destructor of every object still retired and
 * frees the domain. All readers must have been removed.
 *
 * @return 0, -EBUSY if readers remain (nothing is freed), -EINVAL.
 */
int epoch_domain_destroy(struct epoch_domain *dom);

/** @return true if @p dom uses membarrier, false for fence mode. */
bool epoch_domain_membarrier(const struct epoch_domain *dom);

/**
 * Add a reader record (queue setup). Safe while other readers run bursts and
 * while a grace period is in progress: the new record starts "out" and
 * anything it loads afterwards is already the current pointer.
 *
 * Caller: control thread. @p r must not be in any domain.
 * @return 0, -EINVAL, -EBUSY if @p r is already in a domain.
 */
int epoch_reader_add(struct epoch_domain *dom, struct epoch_reader *r);

/**
 * Remove a reader record (queue release). The caller has stopped polling
 * the queue; if a burst is still running on @p r this waits for it to end.
 * Afterwards the record's memory may be freed.
 *
 * Caller: control thread.
 * @return 0, -EINVAL if @p r is not in @p dom.
 */
int epoch_reader_remove(struct epoch_domain *dom, struct epoch_reader *r);

/**
 * Wait for a full grace period: every burst running when this was called
 * has ended. Also lets epoch_reclaim() free everything retired before.
 * Never call it inside a read-side section.
 *
 * Caller: any non-reader thread; blocks (spins, then yields).
 * @return 0 or -EINVAL.
 */
int epoch_synchronize(struct epoch_domain *dom);

/**
 * Queue @p obj for destruction after a grace period. The caller has already
 * unpublished every pointer to it. If the queue cannot grow, this waits for
 * a grace period and destroys @p obj before returning.
 *
 * Caller: any non-reader thread.
 * @return 0 or -EINVAL.
 */
int epoch_retire(struct epoch_domain *dom, void *obj, epoch_dtor_t dtor);

/**
 * Make progress without blocking: start or poll a grace period and run the
 * destructors of objects whose grace period has ended. Returns at once if
 * another thread is in a grace period. Destructors run in the caller and may
 * call epoch_retire().
 *
 * Caller: the control thread's loop.
 * @return number of retired objects still waiting (0 when idle), -EINVAL.
 */
int epoch_reclaim(struct epoch_domain *dom);

/**
 * Read the counters of @p dom.
 * @return 0 or -EINVAL.
 */
int epoch_stats_get(struct epoch_domain *dom, struct epoch_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* HVNET_EPOCH_H */
