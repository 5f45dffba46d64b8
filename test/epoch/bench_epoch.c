/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Read-side reclamation benchmark (make bench-epoch). Each scheme has its
 * own noinline reader functions, rd_<scheme>_work and rd_<scheme>_empty,
 * so that callgrind and objdump can find them; a burst loads the published
 * object and either touches 32 descriptors (work) or one word (empty).
 *
 * usage:
 *   bench_epoch [--reps N] [--quick] --json FILE   timings, grace periods,
 *                                                   retire-queue memory
 *   bench_epoch --callgrind N                       N bursts per scheme and
 *                                                   kind, one callgrind dump
 *                                                   each (run under valgrind)
 * devtools/bench-epoch.sh runs both, checks the disassembly and merges.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>
#include <rte_rwlock.h>
#include <valgrind/callgrind.h>

#include "hv_clock.h"
#include "epoch.h"

#define NDESC		32
#define MAX_READERS	2
#define READER		__attribute__((noinline, used))

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t id;
};

struct bobj {
	uint64_t refcnt;
	uint8_t pad[56];
	struct desc d[NDESC];
} __attribute__((aligned(64)));

/* Per reader (per queue) context. */
struct rctx {
	struct epoch_reader rec;	/* membarrier-mode domain */
	struct epoch_reader rec_fb;	/* fence-mode domain */
	unsigned int tid;		/* qsbr thread id */
	uint64_t out[NDESC];
} __attribute__((aligned(64)));

static struct bobj *g_obj;
static struct bobj objs[2];
static struct rte_rcu_qsbr *g_qsbr;	/* per-burst quiescent */
static struct rte_rcu_qsbr *g_qsbr_oo;	/* online/offline per burst */
static rte_rwlock_t g_rwlock = RTE_RWLOCK_INITIALIZER;
static struct epoch_domain *g_dom, *g_dom_fb;
static struct rctx ctx[MAX_READERS + 1];	/* last one stays idle */
static volatile uint64_t sink;

/* "Real work": read 32 descriptors and write a result per descriptor with a
 * dependent chain, about 50 ns like filling a burst of mbufs.
 */
static inline __attribute__((always_inline)) uint64_t
burst_work(const struct bobj *o, struct rctx *c)
{
	uint64_t acc = 0, v;
	unsigned int i;

	for (i = 0; i < NDESC; i++) {
		v = o->d[i].addr + o->d[i].len;
		c->out[i] = v ^ acc;
		acc = (acc ^ (acc >> 29)) * 0x9e3779b97f4a7c15ull +
			(v >> 3) + o->d[i].flags;
	}
	return acc;
}

static inline __attribute__((always_inline)) uint64_t
burst_empty(const struct bobj *o, struct rctx *c)
{
	(void)c;
	return o->d[0].len;
}

static inline __attribute__((always_inline)) struct bobj *
obj_load(void)
{
	return __atomic_load_n(&g_obj, __ATOMIC_RELAXED);
}

/* One pair of reader functions per scheme. */
#define DEFINE_READERS(name, pre, load, post)				\
READER uint64_t rd_##name##_work(struct rctx *c);			\
READER uint64_t rd_##name##_work(struct rctx *c)			\
{									\
	struct bobj *o;							\
	uint64_t r;							\
	pre;								\
	o = load;							\
	r = burst_work(o, c);						\
	post;								\
	return r;							\
}									\
READER uint64_t rd_##name##_empty(struct rctx *c);			\
READER uint64_t rd_##name##_empty(struct rctx *c)			\
{									\
	struct bobj *o;							\
	uint64_t r;							\
	pre;								\
	o = load;							\
	r = burst_empty(o, c);						\
	post;								\
	return r;							\
}

DEFINE_READERS(never_free, (void)0, obj_load(), (void)0)
DEFINE_READERS(epoch, epoch_reader_enter(&c->rec),
	       epoch_load(&g_obj), epoch_reader_exit(&c->rec))
DEFINE_READERS(epoch_fence, epoch_reader_enter(&c->rec_fb),
	       epoch_load(&g_obj), epoch_reader_exit(&c->rec_fb))
DEFINE_READERS(qsbr_quiescent, (void)0, obj_load(),
	       rte_rcu_qsbr_quiescent(g_qsbr, c->tid))
DEFINE_READERS(qsbr_online_offline,
	       rte_rcu_qsbr_thread_online(g_qsbr_oo, c->tid), obj_load(),
	       rte_rcu_qsbr_thread_offline(g_qsbr_oo, c->tid))
DEFINE_READERS(rwlock, rte_rwlock_read_lock(&g_rwlock), obj_load(),
	       rte_rwlock_read_unlock(&g_rwlock))
/* The seed's get/put: a reference per access to the object. */
DEFINE_READERS(refcount, (void)0,
	       ({ struct bobj *p_ = obj_load();
		  __atomic_fetch_add(&p_->refcnt, 1, __ATOMIC_ACQUIRE); p_; }),
	       ({ if (__atomic_sub_fetch(&o->refcnt, 1, __ATOMIC_RELEASE) == 0)
			abort(); }))

typedef uint64_t (*rd_fn)(struct rctx *c);

#define DEFINE_LOOP(name, kind)						\
static __attribute__((noinline)) uint64_t				\
loop_##name##_##kind(struct rctx *c, uint64_t n)			\
{									\
	uint64_t acc = 0;						\
	while (n--)							\
		acc += rd_##name##_##kind(c);				\
	return acc;							\
}

#define DEFINE_LOOPS(name) DEFINE_LOOP(name, work) DEFINE_LOOP(name, empty)
DEFINE_LOOPS(never_free)
DEFINE_LOOPS(epoch)
DEFINE_LOOPS(epoch_fence)
DEFINE_LOOPS(qsbr_quiescent)
DEFINE_LOOPS(qsbr_online_offline)
DEFINE_LOOPS(rwlock)
DEFINE_LOOPS(refcount)

typedef uint64_t (*loop_fn)(struct rctx *c, uint64_t n);

enum grace_kind { G_NONE, G_EPOCH, G_EPOCH_FENCE, G_QSBR, G_QSBR_OO,
		  G_RWLOCK };

static const struct scheme {
	const char *name;
	loop_fn work, empty;
	rd_fn rd_work;			/* reader used by grace-period runs */
	enum grace_kind grace;
} schemes[] = {
#define S(n, g) { #n, loop_##n##_work, loop_##n##_empty, rd_##n##_work, g }
	S(never_free, G_NONE),
	S(epoch, G_EPOCH),
	S(epoch_fence, G_EPOCH_FENCE),
	S(qsbr_quiescent, G_QSBR),
	S(qsbr_online_offline, G_QSBR_OO),
	S(rwlock, G_RWLOCK),
	S(refcount, G_NONE),
#undef S
};
#define NSCHEME (sizeof(schemes) / sizeof(schemes[0]))

/* CPU time of the calling thread: time spent preempted by other work on
 * a shared machine is not charged to the scheme being measured.
 */
static uint64_t
thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void
pin(unsigned int cpu)
{
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(cpu % (ncpu > 0 ? ncpu : 1), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median of the clean runs (positive values) if there are at least 3 of
 * them, else of all runs. Stores how many were clean.
 */
static double
median_clean(double *v, unsigned int n, unsigned int *nclean)
{
	double tmp[n];
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		if (v[i] > 0)
			tmp[k++] = v[i];
	*nclean = k;
	if (k >= 3)
		return median(tmp, k);
	for (i = 0; i < n; i++)
		tmp[i] = v[i] < 0 ? -v[i] : v[i];
	return median(tmp, n);
}

/* Median over repetitions of scheme/never_free (ratio) or scheme minus
 * never_free (difference) measured back to back, from the pairs where both
 * runs were clean if there are 3 or more.
 */
static double
median_pair(const double *v, const double *nf, unsigned int n, bool ratio)
{
	double all[n], ok[n], x, y;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		x = v[i] < 0 ? -v[i] : v[i];
		y = nf[i] < 0 ? -nf[i] : nf[i];
		all[i] = ratio ? x / y : x - y;
		if (v[i] > 0 && nf[i] > 0)
			ok[k++] = all[i];
	}
	return k >= 3 ? median(ok, k) : median(all, n);
}

static double
percentile(double *v, unsigned int n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(unsigned int)(p * (n - 1))];
}

/* ---- set-up ---------------------------------------------------------- */

static struct rte_rcu_qsbr *
qsbr_new(unsigned int nthreads)
{
	size_t sz = rte_rcu_qsbr_get_memsize(nthreads);
	struct rte_rcu_qsbr *v;

	sz = (sz + 63) & ~(size_t)63;
	v = aligned_alloc(64, sz);
	if (v == NULL || rte_rcu_qsbr_init(v, nthreads) != 0) {
		fprintf(stderr, "bench_epoch: qsbr init failed\n");
		exit(1);
	}
	return v;
}

static void
setup(void)
{
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		objs[k].refcnt = 1;	/* the publisher's reference */
		for (i = 0; i < NDESC; i++) {
			objs[k].d[i].addr = 0x100000 + 2048 * i;
			objs[k].d[i].len = 60 + i;
			objs[k].d[i].flags = i & 3;
			objs[k].d[i].id = i;
		}
	}
	g_obj = &objs[0];
	g_dom = epoch_domain_create(0);
	g_dom_fb = epoch_domain_create(EPOCH_F_NO_MEMBARRIER);
	g_qsbr = qsbr_new(MAX_READERS + 1);
	g_qsbr_oo = qsbr_new(MAX_READERS + 1);
	if (g_dom == NULL || g_dom_fb == NULL) {
		fprintf(stderr, "bench_epoch: domain create failed\n");
		exit(1);
	}
	for (i = 0; i < MAX_READERS + 1; i++) {
		ctx[i].tid = i;
		epoch_reader_add(g_dom, &ctx[i].rec);
		epoch_reader_add(g_dom_fb, &ctx[i].rec_fb);
		rte_rcu_qsbr_thread_register(g_qsbr, i);
		rte_rcu_qsbr_thread_register(g_qsbr_oo, i);
	}
	/* Always-online QSBR: a reader is online for its lifetime. The idle
	 * context (last) is online too, which is how it blocks writers.
	 */
	for (i = 0; i < MAX_READERS + 1; i++)
		rte_rcu_qsbr_thread_online(g_qsbr, i);
}

/* ---- read-side timing -------------------------------------------------- */

struct run {
	loop_fn fn;
	struct rctx *c;
	uint64_t n;
	unsigned int cpu;
	volatile int *go;
	double ns;
	double on_cpu;		/* CPU time / wall time of the timed loop */
};

static void *
run_thread(void *arg)
{
	struct run *r = arg;
	uint64_t t0, w0;

	pin(r->cpu);
	r->fn(r->c, r->n / 16);		/* warm up */
	__atomic_fetch_add(r->go, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(r->go, __ATOMIC_ACQUIRE) < 2)
		;
	w0 = hv_now_ns();
	t0 = thread_ns();
	sink += r->fn(r->c, r->n);
	t0 = thread_ns() - t0;
	r->ns = (double)t0 / r->n;
	r->on_cpu = (double)t0 / (double)(hv_now_ns() - w0);
	return NULL;
}

/* ns per burst for one scheme with @p nreaders threads on distinct CPUs.
 * A run in which a reader spent more than 10% of the time descheduled (other
 * work on a shared machine) is returned negated, so the caller can prefer
 * the clean runs: for two readers it also means they did not overlap.
 */
static double
time_scheme(loop_fn fn, uint64_t n, unsigned int nreaders)
{
	bool clean = true;
	struct run r[MAX_READERS];
	pthread_t t[MAX_READERS];
	volatile int go = 2 - (int)nreaders;
	double sum = 0;
	unsigned int i;

	for (i = 0; i < nreaders; i++) {
		r[i] = (struct run){ .fn = fn, .c = &ctx[i], .n = n, .cpu = i,
				     .go = &go };
		pthread_create(&t[i], NULL, run_thread, &r[i]);
	}
	for (i = 0; i < nreaders; i++) {
		pthread_join(t[i], NULL);
		sum += r[i].ns;
		if (r[i].on_cpu < 0.9)
			clean = false;
	}
	return clean ? sum / nreaders : -sum / nreaders;
}

/* A few attempts at a clean run (see time_scheme()) before settling. */
static double
time_retry(loop_fn fn, uint64_t n, unsigned int nreaders)
{
	double ns = -1;
	unsigned int i;

	for (i = 0; i < 4 && ns < 0; i++)
		ns = time_scheme(fn, n, nreaders);
	return ns;
}

/* ---- grace periods ------------------------------------------------------ */

static int g_stop;

struct busy {
	rd_fn rd;
	struct rctx *c;
	unsigned int cpu;
	enum grace_kind g;
};

static void *
busy_reader(void *arg)
{
	struct busy *b = arg;

	pin(b->cpu);
	while (!__atomic_load_n(&g_stop, __ATOMIC_RELAXED))
		sink += b->rd(b->c);
	return NULL;
}

/* One grace period of scheme @p g: replace the object, wait until no
 * reader can hold the old one. Returns ns, or -1 after timeout_ns.
 */
static double
grace_once(enum grace_kind g, uint64_t timeout_ns)
{
	struct bobj *old = g_obj, *nw = old == &objs[0] ? &objs[1] : &objs[0];
	uint64_t t0 = hv_now_ns(), token;

	switch (g) {
	case G_EPOCH:
	case G_EPOCH_FENCE:
		epoch_unpublish(&g_obj, nw);
		epoch_synchronize(g == G_EPOCH ? g_dom : g_dom_fb);
		break;
	case G_QSBR:
	case G_QSBR_OO:
		__atomic_store_n(&g_obj, nw, __ATOMIC_RELEASE);
		token = rte_rcu_qsbr_start(g == G_QSBR ? g_qsbr : g_qsbr_oo);
		while (rte_rcu_qsbr_check(g == G_QSBR ? g_qsbr : g_qsbr_oo,
					  token, false) != 1)
			if (hv_now_ns() - t0 > timeout_ns)
				return -1;
		break;
	case G_RWLOCK:
		while (rte_rwlock_write_trylock(&g_rwlock) != 0)
			if (hv_now_ns() - t0 > timeout_ns)
				return -1;
		__atomic_store_n(&g_obj, nw, __ATOMIC_RELAXED);
		rte_rwlock_write_unlock(&g_rwlock);
		break;
	case G_NONE:
		return -1;
	}
	return (double)(hv_now_ns() - t0);
}

/* Readers other than ctx[0] present as idle (registered, in the reader set,
 * not polling) or absent. For always-online QSBR an idle reader is online
 * and silent: exactly the case that blocks its writer; for the others it is
 * "out" or offline.
 */
static void
idle_readers(enum grace_kind g, bool present)
{
	unsigned int i;

	for (i = 1; i <= MAX_READERS; i++) {
		switch (g) {
		case G_EPOCH:
			if (present)
				epoch_reader_add(g_dom, &ctx[i].rec);
			else
				epoch_reader_remove(g_dom, &ctx[i].rec);
			break;
		case G_EPOCH_FENCE:
			if (present)
				epoch_reader_add(g_dom_fb, &ctx[i].rec_fb);
			else
				epoch_reader_remove(g_dom_fb, &ctx[i].rec_fb);
			break;
		case G_QSBR:
			if (present)
				rte_rcu_qsbr_thread_online(g_qsbr, i);
			else
				rte_rcu_qsbr_thread_offline(g_qsbr, i);
			break;
		case G_QSBR_OO:
			if (present)
				rte_rcu_qsbr_thread_register(g_qsbr_oo, i);
			else
				rte_rcu_qsbr_thread_unregister(g_qsbr_oo, i);
			break;
		default:
			break;
		}
	}
}

struct grace_res {
	double busy_us, busy_p99_us, idle_us;
	bool idle_blocks;
};

/* Median grace period with one busy reader on the other CPU, then again
 * with an idle reader added (registered, never polling).
 */
static struct grace_res
grace_measure(const struct scheme *s, unsigned int count)
{
	struct grace_res res = { -1, -1, -1, false };
	double *v = calloc(count, sizeof(*v));
	struct busy b = { s->rd_work, &ctx[0], 1, s->grace };
	unsigned int i, n;
	pthread_t t;
	double d;

	if (s->grace == G_NONE || v == NULL) {
		free(v);
		return res;
	}
	pin(0);
	/* Only the busy reader counts in the first round. */
	idle_readers(s->grace, false);
	__atomic_store_n(&g_stop, 0, __ATOMIC_RELAXED);
	pthread_create(&t, NULL, busy_reader, &b);
	usleep(20000);
	for (i = 0, n = 0; i < count; i++)
		if ((d = grace_once(s->grace, 100000000)) >= 0)
			v[n++] = d;
	if (n) {
		res.busy_p99_us = percentile(v, n, 0.99) / 1e3;
		res.busy_us = median(v, n) / 1e3;
	}

	idle_readers(s->grace, true);
	for (i = 0, n = 0; i < count / 4; i++) {
		d = grace_once(s->grace, 20000000);
		if (d < 0) {
			res.idle_blocks = true;
			break;
		}
		v[n++] = d;
	}
	if (!res.idle_blocks && n)
		res.idle_us = median(v, n) / 1e3;
	__atomic_store_n(&g_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	free(v);
	return res;
}

/* ---- retire-queue memory -------------------------------------------------- */

static void
free_dtor(void *p)
{
	free(p);
}

static struct bobj *volatile g_small;

static void *
small_reader(void *arg)
{
	struct rctx *c = arg;

	pin(1);
	while (!__atomic_load_n(&g_stop, __ATOMIC_RELAXED)) {
		epoch_reader_enter(&c->rec);
		sink += *(volatile uint64_t *)epoch_load(&g_small);
		epoch_reader_exit(&c->rec);
	}
	return NULL;
}

/* Retire/reclaim cycles as a control thread would run them, with one busy
 * reader polling (which a shared machine may preempt mid-burst) or with
 * the readers idle; then drain and report what the queue still holds.
 */
static void
retire_memory(FILE *f, const char *name, uint64_t cycles, bool busy)
{
	struct epoch_stats st0, st, st2;
	uint64_t i, t0, dt, max_pending = 0;
	pthread_t t;
	void *old;
	int left;

	pin(0);
	g_small = calloc(1, 64);
	epoch_stats_get(g_dom, &st0);
	__atomic_store_n(&g_stop, 0, __ATOMIC_RELAXED);
	if (busy)
		pthread_create(&t, NULL, small_reader, &ctx[0]);
	t0 = hv_now_ns();
	for (i = 0; i < cycles; i++) {
		old = g_small;
		epoch_unpublish(&g_small, calloc(1, 64));
		epoch_retire(g_dom, old, free_dtor);
		left = epoch_reclaim(g_dom);
		if ((uint64_t)left > max_pending)
			max_pending = left;
	}
	dt = hv_now_ns() - t0;
	epoch_stats_get(g_dom, &st);
	epoch_synchronize(g_dom);
	while (epoch_reclaim(g_dom) != 0)
		;
	epoch_stats_get(g_dom, &st2);
	__atomic_store_n(&g_stop, 1, __ATOMIC_RELAXED);
	if (busy)
		pthread_join(t, NULL);
	fprintf(f, "\"%s\": {\"cycles\": %" PRIu64
		", \"busy_reader\": %s, \"ns_per_cycle\": %.1f"
		", \"grace_periods\": %" PRIu64 ", \"pending_at_end\": %" PRIu64
		", \"max_pending\": %" PRIu64 ", \"queue_bytes_at_end\": %" PRIu64
		", \"queue_bytes_peak\": %" PRIu64
		", \"queue_bytes_after_drain\": %" PRIu64
		", \"retired\": %" PRIu64 ", \"reclaimed\": %" PRIu64 "},\n",
		name, cycles, busy ? "true" : "false", (double)dt / cycles,
		st.grace_periods - st0.grace_periods, st.pending, max_pending,
		st.queue_bytes, st.queue_bytes_peak, st2.queue_bytes,
		st2.retired - st0.retired, st2.reclaimed - st0.reclaimed);
	free(g_small);
}

/* ---- main ---------------------------------------------------------------- */

static void
callgrind_mode(uint64_t n)
{
	char label[96];
	unsigned int i;

	pin(0);
	for (i = 0; i < NSCHEME; i++) {
		schemes[i].work(&ctx[0], 16);
		schemes[i].empty(&ctx[0], 16);
		snprintf(label, sizeof(label), "%s/work/%" PRIu64,
			 schemes[i].name, n);
		CALLGRIND_ZERO_STATS;
		sink += schemes[i].work(&ctx[0], n);
		CALLGRIND_DUMP_STATS_AT(label);
		snprintf(label, sizeof(label), "%s/empty/%" PRIu64,
			 schemes[i].name, n);
		CALLGRIND_ZERO_STATS;
		sink += schemes[i].empty(&ctx[0], n);
		CALLGRIND_DUMP_STATS_AT(label);
	}
}

int
main(int argc, char **argv)
{
	unsigned int reps = 21, i, k, r, nr;
	uint64_t n_work = 1u << 17, n_empty = 1u << 21, cycles = 1000000;
	unsigned int grace_count = 2000;
	const char *json = NULL;
	double *t[NSCHEME][2][2];	/* [scheme][kind][readers-1] */
	double *p[NSCHEME][2][2];	/* never_free paired with t */
	double med[NSCHEME][2][2], pair[NSCHEME][2][2];
	unsigned int clean[NSCHEME][2][2];
	FILE *f;
	int a;

	setup();
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--callgrind") == 0 && a + 1 < argc) {
			callgrind_mode(strtoull(argv[++a], NULL, 0));
			return 0;
		} else if (strcmp(argv[a], "--reps") == 0 && a + 1 < argc) {
			reps = atoi(argv[++a]);
		} else if (strcmp(argv[a], "--quick") == 0) {
			reps = 3;
			n_work >>= 3;
			n_empty >>= 3;
			cycles /= 100;
			grace_count /= 10;
		} else if (strcmp(argv[a], "--json") == 0 && a + 1 < argc) {
			json = argv[++a];
		} else {
			fprintf(stderr, "usage: %s [--reps N] [--quick] "
				"--json FILE | --callgrind N\n", argv[0]);
			return 2;
		}
	}
	if (json == NULL || reps == 0)
		return 2;
	f = fopen(json, "w");
	if (f == NULL) {
		perror(json);
		return 1;
	}

	for (i = 0; i < NSCHEME; i++)
		for (a = 0; a < 4; a++) {
			t[i][a / 2][a % 2] = calloc(reps, sizeof(double));
			p[i][a / 2][a % 2] = calloc(reps, sizeof(double));
		}
	/* Interleave schemes within each repetition so that noise from
	 * other work on the machine spreads over all of them.
	 */
	for (r = 0; r < reps; r++)
		for (nr = 1; nr <= MAX_READERS; nr++)
			for (k = 0; k < NSCHEME; k++) {
				/* Rotate the order: no scheme always runs
				 * first after a thread start or a change of
				 * reader count.
				 */
				i = (k + r) % NSCHEME;
				for (a = 0; a < 2; a++) {
					loop_fn fn = a ? schemes[i].empty :
						schemes[i].work;
					loop_fn nf = a ? schemes[0].empty :
						schemes[0].work;
					uint64_t n = a ? n_empty : n_work;

					/* never_free right before: a pair
					 * sees the same background load.
					 */
					if (i != 0)
						p[i][a][nr - 1][r] =
							time_retry(nf, n, nr);
					t[i][a][nr - 1][r] =
						time_retry(fn, n, nr);
					if (i == 0)
						p[i][a][nr - 1][r] =
							t[i][a][nr - 1][r];
				}
			}
	for (i = 0; i < NSCHEME; i++)
		for (a = 0; a < 4; a++) {
			pair[i][a / 2][a % 2] = median_pair(t[i][a / 2][a % 2],
					p[i][a / 2][a % 2], reps, a / 2 == 0);
			med[i][a / 2][a % 2] = median_clean(t[i][a / 2][a % 2],
						reps, &clean[i][a / 2][a % 2]);
		}

	fprintf(f, "{\n\"reps\": %u, \"bursts_work\": %" PRIu64
		", \"bursts_empty\": %" PRIu64 ", \"membarrier\": %s,\n",
		reps, n_work, n_empty,
		epoch_domain_membarrier(g_dom) ? "true" : "false");
	retire_memory(f, "retire_memory_idle", cycles, false);
	retire_memory(f, "retire_memory", cycles, true);
	fprintf(f, "\"schemes\": [\n");
	for (i = 0; i < NSCHEME; i++) {
		struct grace_res g = grace_measure(&schemes[i], grace_count);

		fprintf(f, "{\"name\": \"%s\", \"ns_work_1\": %.3f, "
			"\"ns_empty_1\": %.3f, \"ns_work_2\": %.3f, "
			"\"ns_empty_2\": %.3f, \"grace_us_busy\": %.3f, "
			"\"grace_us_busy_p99\": %.3f, \"grace_us_idle\": %.3f, "
			"\"grace_idle_blocks\": %s, \"clean_runs\": [%u, %u, %u, %u], "
			"\"pair_ratio_work_1\": %.4f, \"pair_ovh_empty_1\": %.3f, "
			"\"pair_ratio_work_2\": %.4f, \"pair_ovh_empty_2\": %.3f}%s\n",
			schemes[i].name,
			med[i][0][0], med[i][1][0], med[i][0][1], med[i][1][1],
			g.busy_us, g.busy_p99_us, g.idle_us,
			g.idle_blocks ? "true" : "false",
			clean[i][0][0], clean[i][1][0], clean[i][0][1], clean[i][1][1],
			pair[i][0][0], pair[i][1][0], pair[i][0][1], pair[i][1][1],
			i + 1 < NSCHEME ? "," : "");
	}
	fprintf(f, "]}\n");
	fclose(f);
	return 0;
}
