/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rescind-to-release benchmark (make bench-release, issue 7): how long the
 * host waits for RELID_RELEASED after it rescinds a channel, with the
 * queues busy and with them idle. Not a test: it asserts nothing about
 * time, it reports the distribution.
 *
 * One NIC of the embedded hvsim, as net_hvnet drives it: the primary with
 * two driver buffers (GPADLs) and three subchannels, one epoch reader
 * record per queue. Busy: a worker lcore bursts over the four queues
 * without pause, each burst reading the rx ring's indices and a
 * few descriptors' worth of ring data. Idle: the records are attached and
 * never enter a burst (a port the application stopped polling).
 *
 * Each cycle rescinds subchannel 1 alone, then the NIC (the other two
 * subchannels, then the primary), waits for the releases, frees the
 * driver buffers, has the NIC offered again and sets it up anew. The
 * latency is hvsim's own: from its rescind command to the last
 * RELID_RELEASED it read (hvsim_nic_stats rescind_ns / released_ns).
 * Next to it: how long the threads a release goes through (the bus's
 * control thread, the host's thread, the busy lcore) sat runnable without
 * a CPU in that window (schedstat) - time that went to other work on the
 * machine, not to a wait of the design - and, for the lcore alone, how
 * often it was preempted in that window and how long it then waited: a
 * grace period must wait for a burst the lcore was preempted in.
 *
 * Two placements, busy then idle each: "unpinned", every thread of the
 * process free to run on every CPU; "pinned", the lcore alone on its CPU
 * and every other thread (main, hvbus-ctrl, hvbus-work, hvsim-host, EAL's)
 * on the main lcore's. Other processes on the machine are not moved.
 *
 * usage: bench_release [--cycles N] [--json PATH]
 */

#include <getopt.h>
#include <sys/syscall.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "bus_test.h"
#include "bench_sched.h"

#define NQ		4
#define NSUB		(NQ - 1)
#define DEADLINE_MS	5000
#define MAX_THREADS	32

struct lcore {
	struct rte_hvbus_device *dev;
	struct epoch_reader rd[NQ];
	int tid;			/* the worker's thread id, once running */
	bool stop;
	uint64_t bursts;
	uint64_t sink;
};

static struct lcore lc;

static int
lcore_main(void *arg)
{
	struct lcore *l = arg;
	const volatile uint8_t *p;
	struct hvbus_chan *c;
	uint64_t sink = 0, n = 0;
	unsigned int q, i;

	__atomic_store_n(&l->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		for (q = 0; q < NQ; q++) {
			epoch_reader_enter(&l->rd[q]);
			c = hvbus_chan_get(&l->dev->chan_slot[q]);
			if (c != NULL) {
				/* What an rx burst reads: indices, then a
				 * few descriptors' worth of ring data.
				 */
				sink += (uint64_t)vmb_ring_avail(&c->rx);
				p = (const volatile uint8_t *)c->rx.data;
				for (i = 0; i < 8; i++)
					sink += p[i * 64];
			}
			epoch_reader_exit(&l->rd[q]);
			n++;
		}
	}
	l->sink = sink;
	__atomic_store_n(&l->bursts, n, __ATOMIC_RELAXED);
	return 0;
}

/* The worker lcore's thread, for placement before it first polls. */
static int
lcore_tid_main(void *arg)
{
	__atomic_store_n((int *)arg, (int)syscall(SYS_gettid),
			 __ATOMIC_RELEASE);
	return 0;
}

/* The threads a release goes through: the bus's control thread, the
 * embedded host's thread and, while busy, the lcore (the grace period
 * waits for it when it is preempted inside a burst).
 */
enum { P_CTRL, P_HOST, P_LCORE, P_N };

static int path_tid[P_N];

static int
path_threads_find(void)
{
	static const char *const names[2] = { "hvbus-ctrl", "hvsim-host" };
	struct sched_thread t[MAX_THREADS];
	unsigned int n = sched_threads(t, MAX_THREADS), i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++)
			if (strcmp(t[i].name, names[k]) == 0)
				path_tid[k] = t[i].tid;
	return path_tid[P_CTRL] != 0 && path_tid[P_HOST] != 0 ? 0 : -ENOENT;
}

/* Time the path threads spent runnable but not running, ns. */
static uint64_t
path_runq_ns(bool busy)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < P_N; i++)
		if (path_tid[i] != 0 && (i != P_LCORE || busy))
			total += sched_runq_ns(path_tid[i]);
	return total;
}

struct nic {
	struct hvsim *h;
	struct rte_hvbus_device *dev;
	void *buf_va[2];
	uint32_t buf_handle[2];
	uint64_t released;		/* hvsim's count expected so far */
	uint64_t xid;
};

/* Primary, NVSP, two driver buffers, subchannels: what the PMD opens. */
static int
nic_setup(struct nic *n)
{
	struct bt_nvsp_msg req = { .type = 133, .w1 = 1, .w2 = NSUB };
	static const size_t buf_len[2] = { 2u << 20, 1u << 20 };
	struct hvbus_chan *c0 = NULL;
	uint32_t out[4];
	unsigned int i;
	int rc;

	rc = hvbus_chan_open(n->dev, 0, 0, 0, &c0);
	if (rc != 0)
		return rc;
	rc = bt_nvsp_init(c0, ++n->xid);
	if (rc != 1)
		return rc < 0 ? rc : -EPROTO;
	for (i = 0; i < 2; i++) {
		rc = hvbus_gpadl_create(n->dev, buf_len[i], &n->buf_va[i],
					&n->buf_handle[i]);
		if (rc != 0)
			return rc;
	}
	rc = bt_nvsp_req(c0, ++n->xid, &req, out);
	if (rc != 0 || out[1] != 1 || out[2] != NSUB)
		return rc != 0 ? rc : -EPROTO;
	rc = hvbus_subchan_wait(n->dev, NSUB, DEADLINE_MS);
	if (rc != NSUB)
		return rc < 0 ? rc : -EPROTO;
	for (i = 1; i <= NSUB; i++) {
		rc = hvbus_chan_open(n->dev, (uint16_t)i, 0, 0, NULL);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* One rescind: the host's rescind-to-release time, how long the path
 * threads waited for a CPU meanwhile, and what happened to the lcore in
 * that window (a little longer: until the release was seen here).
 */
struct sample {
	uint64_t us;
	uint64_t runq_us;
	uint64_t lc_invol;	/* times the lcore was preempted */
	uint64_t lc_runq_us;	/* and waited for its CPU */
};

/* Rescind @p sub (0: the NIC) and wait for @p chans releases. */
static int
rescind_wait(struct nic *n, unsigned int sub, unsigned int chans, bool busy,
	     struct sample *s)
{
	struct hvsim_nic_stats st;
	uint64_t end, rq0, lc_inv0 = 0, lc_rq0 = 0;
	int rc;

	if (busy) {
		lc_inv0 = sched_invol_switches(path_tid[P_LCORE]);
		lc_rq0 = sched_runq_ns(path_tid[P_LCORE]);
	}
	rq0 = path_runq_ns(busy);
	rc = hvsim_rescind(n->h, 0, sub);
	if (rc != 0)
		return rc;
	n->released += chans;
	end = bt_ms() + DEADLINE_MS;
	for (;;) {
		rc = hvsim_nic_stats(n->h, 0, &st);
		if (rc != 0)
			return rc;
		if (st.released >= n->released)
			break;
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(50);
	}
	s->runq_us = (path_runq_ns(busy) - rq0) / 1000;
	s->lc_invol = 0;
	s->lc_runq_us = 0;
	if (busy) {
		s->lc_invol = sched_invol_switches(path_tid[P_LCORE]) -
			lc_inv0;
		s->lc_runq_us = (sched_runq_ns(path_tid[P_LCORE]) - lc_rq0) /
			1000;
	}
	if (st.released != n->released || st.released_ns < st.rescind_ns)
		return -EPROTO;
	s->us = (st.released_ns - st.rescind_ns) / 1000;
	return 0;
}

static int
cycle(struct nic *n, bool busy, struct sample *sub, struct sample *all)
{
	unsigned int re = bt_get(&bt.ev[HVBUS_EV_REOFFER]);
	unsigned int i;
	int rc;

	rc = rescind_wait(n, 1, 1, busy, sub);
	if (rc == 0)
		rc = rescind_wait(n, 0, NSUB, busy, all);
	if (rc != 0)
		return rc;
	/* The driver lets go of its buffers (torn down on the host at the
	 * rescind already) and the NIC comes back.
	 */
	for (i = 0; i < 2; i++) {
		rc = hvbus_gpadl_destroy(n->dev, n->buf_handle[i]);
		if (rc != 0)
			return rc;
	}
	rc = hvsim_reoffer(n->h, 0);
	if (rc == 0)
		rc = bt_wait(&bt.ev[HVBUS_EV_REOFFER], re + 1, DEADLINE_MS);
	if (rc == 0)
		rc = nic_setup(n);
	return rc;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A sorted distribution. */
struct dist {
	uint64_t *v;
	unsigned int k;
};

/* Nearest-rank percentile. */
static uint64_t
pct(const struct dist *d, unsigned int p)
{
	unsigned int rank = (p * d->k + 99) / 100;

	return d->k == 0 ? 0 : d->v[rank == 0 ? 0 : rank - 1];
}

static double
share_under(const struct dist *d, uint64_t lim)
{
	unsigned int i, u = 0;

	for (i = 0; i < d->k; i++)
		u += d->v[i] < lim;
	return d->k ? (double)u / d->k : 0.0;
}

enum {
	D_SUB, D_NIC, D_SUB_RUNQ, D_NIC_RUNQ, D_SUB_NET, D_NIC_NET,
	D_SUB_LC_INVOL, D_NIC_LC_INVOL, D_SUB_LC_RUNQ, D_NIC_LC_RUNQ, D_N
};

static const char *const dist_names[D_N] = {
	"subchannel", "nic", "subchannel_runq_wait", "nic_runq_wait",
	"subchannel_minus_runq_wait", "nic_minus_runq_wait",
	"subchannel_lcore_preemptions", "nic_lcore_preemptions",
	"subchannel_lcore_runq_wait", "nic_lcore_runq_wait",
};

/*
 * Where a busy mode's slow releases come from, per kind of rescind: the
 * cycles over 1 ms and how many of them had the lcore preempted in their
 * window; the latency of the cycles in which it never was.
 */
struct tail {
	unsigned int over;		/* cycles over 1 ms */
	unsigned int over_preempted;	/* of those, the lcore preempted */
	uint64_t over_lc_runq_p50_us;	/* their lcore run-queue wait */
	uint64_t over_rest_p50_us;	/* their latency less that wait */
	unsigned int calm;		/* cycles, lcore never preempted */
	uint64_t calm_p99_us;
	uint64_t calm_max_us;
};

struct result {
	const char *mode;
	bool busy, pinned;
	unsigned int cycles;
	struct dist d[D_N];
	struct sample *raw[2];		/* per cycle: subchannel, NIC */
	struct tail tail[2];
	struct sched_thread threads[MAX_THREADS];
	unsigned int n_threads;
	bool placed;			/* placement as asked, verified */
	uint64_t bursts;
	double seconds;
};

static const char *const kind_names[2] = { "subchannel", "nic" };

static void
tail_compute(struct result *r, unsigned int k)
{
	struct sample *v = r->raw[k];
	struct tail *t = &r->tail[k];
	struct dist calm, wait, rest;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	calm.v = calloc(r->cycles + 1, sizeof(uint64_t));
	wait.v = calloc(r->cycles + 1, sizeof(uint64_t));
	rest.v = calloc(r->cycles + 1, sizeof(uint64_t));
	calm.k = wait.k = rest.k = 0;
	if (calm.v == NULL || wait.v == NULL || rest.v == NULL)
		goto out;
	for (i = 0; i < r->cycles; i++) {
		if (v[i].lc_invol == 0 && v[i].lc_runq_us == 0)
			calm.v[calm.k++] = v[i].us;
		if (v[i].us < 1000)
			continue;
		t->over++;
		t->over_preempted += v[i].lc_invol > 0 || v[i].lc_runq_us > 0;
		wait.v[wait.k++] = v[i].lc_runq_us;
		rest.v[rest.k++] = v[i].us - RTE_MIN(v[i].us, v[i].lc_runq_us);
	}
	qsort(calm.v, calm.k, sizeof(uint64_t), cmp_u64);
	qsort(wait.v, wait.k, sizeof(uint64_t), cmp_u64);
	qsort(rest.v, rest.k, sizeof(uint64_t), cmp_u64);
	t->calm = calm.k;
	t->calm_p99_us = pct(&calm, 99);
	t->calm_max_us = pct(&calm, 100);
	t->over_lc_runq_p50_us = pct(&wait, 50);
	t->over_rest_p50_us = pct(&rest, 50);
out:
	free(calm.v);
	free(wait.v);
	free(rest.v);
}

/* Put the threads where @r asks and check they went there. */
static int
place_threads(struct result *r, int lcore_tid, unsigned int lcore_cpu,
	      unsigned int other_cpu)
{
	char want[16];
	unsigned int i;
	int n;

	n = sched_place(r->threads, MAX_THREADS, lcore_tid, lcore_cpu,
			other_cpu, !r->pinned);
	if (n < 0)
		return n;
	r->n_threads = (unsigned int)n;
	r->placed = true;
	for (i = 0; r->pinned && i < r->n_threads; i++) {
		snprintf(want, sizeof(want), "%u", r->threads[i].tid ==
			 lcore_tid ? lcore_cpu : other_cpu);
		if (strcmp(r->threads[i].cpus, want) != 0)
			r->placed = false;
	}
	return 0;
}

static int
run_mode(struct nic *n, struct result *r, unsigned int cycles,
	 unsigned int worker, int lcore_tid, unsigned int other_cpu)
{
	struct sample sub, all;
	unsigned int i, j;
	uint64_t t0;
	int rc = 0;

	for (j = 0; j < D_N; j++) {
		r->d[j].v = calloc(cycles, sizeof(uint64_t));
		if (r->d[j].v == NULL)
			return -ENOMEM;
	}
	for (j = 0; j < 2; j++) {
		r->raw[j] = calloc(cycles, sizeof(struct sample));
		if (r->raw[j] == NULL)
			return -ENOMEM;
	}
	rc = place_threads(r, lcore_tid, rte_lcore_to_cpu_id(worker),
			   other_cpu);
	if (rc < 0)
		return rc;
	lc.stop = false;
	lc.bursts = 0;
	if (r->busy && rte_eal_remote_launch(lcore_main, &lc, worker) != 0)
		return -EAGAIN;
	while (r->busy && __atomic_load_n(&lc.tid, __ATOMIC_ACQUIRE) == 0)
		usleep(100);
	t0 = bt_ms();
	for (i = 0; i < cycles; i++) {
		rc = cycle(n, r->busy, &sub, &all);
		if (rc != 0) {
			fprintf(stderr, "bench_release: %s cycle %u: %s\n",
				r->mode, i, strerror(-rc));
			break;
		}
		r->raw[0][i] = sub;
		r->raw[1][i] = all;
		r->d[D_SUB].v[i] = sub.us;
		r->d[D_NIC].v[i] = all.us;
		r->d[D_SUB_RUNQ].v[i] = sub.runq_us;
		r->d[D_NIC_RUNQ].v[i] = all.runq_us;
		r->d[D_SUB_NET].v[i] = sub.us - RTE_MIN(sub.us, sub.runq_us);
		r->d[D_NIC_NET].v[i] = all.us - RTE_MIN(all.us, all.runq_us);
		r->d[D_SUB_LC_INVOL].v[i] = sub.lc_invol;
		r->d[D_NIC_LC_INVOL].v[i] = all.lc_invol;
		r->d[D_SUB_LC_RUNQ].v[i] = sub.lc_runq_us;
		r->d[D_NIC_LC_RUNQ].v[i] = all.lc_runq_us;
	}
	r->cycles = i;
	r->seconds = (double)(bt_ms() - t0) / 1e3;
	if (r->busy) {
		__atomic_store_n(&lc.stop, true, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(worker);
		lc.tid = 0;
		r->bursts = lc.bursts;
		for (j = 0; j < 2; j++)
			tail_compute(r, j);
	}
	for (j = 0; j < D_N; j++) {
		r->d[j].k = r->cycles;
		qsort(r->d[j].v, r->cycles, sizeof(uint64_t), cmp_u64);
	}
	return rc;
}

static void
print_dist(const char *mode, const char *name, const struct dist *d)
{
	printf("%-11s %-28s p50 %6llu  p90 %6llu  p99 %6llu  max %6llu%s\n",
	       mode, name, (unsigned long long)pct(d, 50),
	       (unsigned long long)pct(d, 90), (unsigned long long)pct(d, 99),
	       (unsigned long long)pct(d, 100),
	       strstr(name, "preemptions") != NULL ? "" : " us");
}

static void
print_result(const struct result *r)
{
	const struct tail *t;
	unsigned int j;

	for (j = 0; j < D_N; j++)
		if (r->busy || j < D_SUB_LC_INVOL)
			print_dist(r->mode, dist_names[j], &r->d[j]);
	printf("%-11s %u cycles in %.1f s, %.1f%% / %.1f%% of subchannel / "
	       "NIC releases under 1 ms%s\n", r->mode, r->cycles, r->seconds,
	       100 * share_under(&r->d[D_SUB], 1000),
	       100 * share_under(&r->d[D_NIC], 1000),
	       r->busy ? ", the lcore bursting throughout" : "");
	for (j = 0; r->busy && j < 2; j++) {
		t = &r->tail[j];
		printf("%-11s %-10s over 1 ms: %u, the lcore preempted in %u "
		       "(its run-queue wait p50 %llu us, the rest p50 %llu us); "
		       "never preempted: %u cycles, p99 %llu max %llu us\n",
		       r->mode, kind_names[j], t->over, t->over_preempted,
		       (unsigned long long)t->over_lc_runq_p50_us,
		       (unsigned long long)t->over_rest_p50_us, t->calm,
		       (unsigned long long)t->calm_p99_us,
		       (unsigned long long)t->calm_max_us);
	}
}

static void
json_result(FILE *f, const struct result *r)
{
	const struct tail *t;
	unsigned int j;

	fprintf(f, ",\n \"%s\": {\n  \"pinned\": %s,\n  \"placed\": %s,\n"
		"  \"cycles\": %u,\n  \"seconds\": %.3f,\n"
		"  \"lcore_bursts\": %llu", r->mode, r->pinned ? "true" : "false",
		r->placed ? "true" : "false", r->cycles, r->seconds,
		(unsigned long long)r->bursts);
	for (j = 0; j < D_N; j++) {
		/* Preemptions are counts: share_none is the share of 0. */
		bool count = j == D_SUB_LC_INVOL || j == D_NIC_LC_INVOL;

		fprintf(f, ",\n  \"%s\": {\"p50%s\": %llu, "
			"\"p90%s\": %llu, \"p99%s\": %llu, "
			"\"max%s\": %llu, \"%s\": %.4f}",
			dist_names[j], count ? "" : "_us",
			(unsigned long long)pct(&r->d[j], 50), count ? "" : "_us",
			(unsigned long long)pct(&r->d[j], 90), count ? "" : "_us",
			(unsigned long long)pct(&r->d[j], 99), count ? "" : "_us",
			(unsigned long long)pct(&r->d[j], 100),
			count ? "share_none" : "share_under_1ms",
			share_under(&r->d[j], count ? 1 : 1000));
	}
	for (j = 0; r->busy && j < 2; j++) {
		t = &r->tail[j];
		fprintf(f, ",\n  \"%s_tail\": {\"over_1ms\": %u, "
			"\"over_1ms_lcore_preempted\": %u, "
			"\"over_1ms_lcore_runq_wait_p50_us\": %llu, "
			"\"over_1ms_rest_p50_us\": %llu, "
			"\"lcore_never_preempted\": %u, "
			"\"lcore_never_preempted_p99_us\": %llu, "
			"\"lcore_never_preempted_max_us\": %llu}",
			kind_names[j], t->over, t->over_preempted,
			(unsigned long long)t->over_lc_runq_p50_us,
			(unsigned long long)t->over_rest_p50_us, t->calm,
			(unsigned long long)t->calm_p99_us,
			(unsigned long long)t->calm_max_us);
	}
	fprintf(f, ",\n  \"threads\": [");
	for (j = 0; j < r->n_threads; j++)
		fprintf(f, "%s{\"name\": \"%s\", \"cpus\": \"%s\"}",
			j ? ", " : "", r->threads[j].name, r->threads[j].cpus);
	fprintf(f, "]\n }");
}

static void
json_write(FILE *f, const struct result *res, unsigned int nres,
	   unsigned int violations, unsigned int lcore_cpu,
	   unsigned int other_cpu)
{
	unsigned int i;

	fprintf(f, "{\n \"queues\": %u,\n \"violations\": %u,\n"
		" \"lcore_cpu\": %u,\n \"other_cpu\": %u", NQ, violations,
		lcore_cpu, other_cpu);
	for (i = 0; i < nres; i++)
		json_result(f, &res[i]);
	fprintf(f, "\n}\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cycles", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	/* Unpinned first (as the figures before the pinned rows were). */
	static const struct {
		const char *mode;
		bool busy, pinned;
	} modes[] = {
		{ "busy", true, false }, { "idle", false, false },
		{ "busy_pinned", true, true }, { "idle_pinned", false, true },
	};
	static struct result res[RTE_DIM(modes)];
	unsigned int cycles = 500, i, j, worker, other_cpu;
	const char *json = NULL;
	struct nic n = { 0 };
	int o, rc, lcore_tid = 0;

	while ((o = getopt_long(argc, argv, "c:j:", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			cycles = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'j':
			json = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_release [--cycles N] "
				"[--json PATH]\n");
			return 2;
		}
	}
	if (cycles == 0)
		return 2;
	/* Never hang: a generous bound over every mode. */
	alarm(4 * cycles + 240);
	rc = bt_eal_init_args(argv[0], "1", "timeout_ms=5000");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	rte_log_set_level_pattern("bus.hvbus", RTE_LOG_WARNING);
	n.h = hvbus_sim_hvsim();
	REQUIRE(n.h != NULL && bt_get(&bt.n_probed) == 1, "one device");
	REQUIRE(path_threads_find() == 0, "hvbus-ctrl and hvsim-host threads");
	/* A worker lcore, as an application polls, on a CPU of its own
	 * when pinned; everything else on the main lcore's CPU.
	 */
	worker = rte_get_next_lcore(-1, 1, 0);
	REQUIRE(worker < RTE_MAX_LCORE, "a worker lcore (2 CPUs or more)");
	other_cpu = rte_lcore_to_cpu_id((int)rte_get_main_lcore());
	REQUIRE((unsigned int)rte_lcore_to_cpu_id((int)worker) != other_cpu,
		"the worker lcore has a CPU of its own");
	REQUIRE(rte_eal_remote_launch(lcore_tid_main, &lcore_tid,
				      worker) == 0);
	rte_eal_wait_lcore(worker);
	path_tid[P_LCORE] = lcore_tid;
	n.dev = bt.dev[0];
	lc.dev = n.dev;
	for (i = 0; i < NQ; i++)
		REQUIRE(hvbus_queue_attach(n.dev, &lc.rd[i]) == 0);
	REQUIRE(nic_setup(&n) == 0, "set-up");

	for (i = 0; i < RTE_DIM(modes) && rc >= 0; i++) {
		res[i].mode = modes[i].mode;
		res[i].busy = modes[i].busy;
		res[i].pinned = modes[i].pinned;
		rc = run_mode(&n, &res[i], cycles, worker, lcore_tid,
			      other_cpu);
		CHECK_EQ(rc, 0);
		CHECK(res[i].placed, "%s: threads not where asked", res[i].mode);
	}
	CHECK_EQ(hvsim_violations(n.h), 0);
	bt_report(n.h);

	printf("rescind to RELID_RELEASED as hvsim sees it, %u cycles per "
	       "mode, %u queues; subchannel = 1 channel, nic = 3 channels "
	       "and 2 driver buffers; lcore on CPU %u, pinned: the rest on "
	       "CPU %u\n", cycles, NQ, rte_lcore_to_cpu_id((int)worker),
	       other_cpu);
	for (i = 0; i < RTE_DIM(modes); i++)
		print_result(&res[i]);
	if (json != NULL) {
		FILE *f = fopen(json, "w");

		REQUIRE(f != NULL, "cannot write %s", json);
		json_write(f, res, RTE_DIM(modes), hvsim_violations(n.h),
			   rte_lcore_to_cpu_id((int)worker), other_cpu);
		fclose(f);
	}
	for (i = 0; i < NQ; i++)
		CHECK_EQ(hvbus_queue_detach(n.dev, &lc.rd[i]), 0);
	for (i = 0; i < RTE_DIM(modes); i++) {
		for (j = 0; j < D_N; j++)
			free(res[i].d[j].v);
		free(res[i].raw[0]);
		free(res[i].raw[1]);
	}
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bench_release");
}
