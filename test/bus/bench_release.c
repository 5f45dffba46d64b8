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
 * machine, not to a wait of the design.
 *
 * usage: bench_release [--cycles N] [--json PATH]
 */

#include <dirent.h>
#include <getopt.h>
#include <sys/syscall.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "bus_test.h"

#define NQ		4
#define NSUB		(NQ - 1)
#define DEADLINE_MS	5000

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

/* The threads a release goes through: the bus's control thread, the
 * embedded host's thread and, while busy, the lcore (the grace period
 * waits for it when it is preempted inside a burst). Their schedstat
 * files; the first two found by name.
 */
static char path_stat[3][300];

static int
path_threads_find(void)
{
	static const char *const names[2] = { "hvbus-ctrl", "hvsim-host" };
	char path[300], comm[32];
	unsigned int i, found = 0;
	struct dirent *e;
	DIR *d;
	FILE *f;

	d = opendir("/proc/self/task");
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			for (i = 0; i < 2; i++) {
				if (strcmp(comm, names[i]) != 0)
					continue;
				snprintf(path_stat[i], sizeof(path_stat[i]),
					 "/proc/self/task/%s/schedstat",
					 e->d_name);
				found |= 1u << i;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found == 3 ? 0 : -ENOENT;
}

/* Time the path threads spent runnable but not running, ns. */
static uint64_t
path_runq_ns(void)
{
	unsigned long long run, wait, total = 0;
	unsigned int i;
	FILE *f;

	for (i = 0; i < 3; i++) {
		if (path_stat[i][0] == '\0')
			continue;
		f = fopen(path_stat[i], "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%llu %llu", &run, &wait) == 2)
			total += wait;
		fclose(f);
	}
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

/* One rescind: the host's rescind-to-release time, and how long the path
 * threads waited for a CPU meanwhile (a little longer: until the release
 * was seen here).
 */
struct sample {
	uint64_t us;
	uint64_t runq_us;
};

/* Rescind @p sub (0: the NIC) and wait for @p chans releases. */
static int
rescind_wait(struct nic *n, unsigned int sub, unsigned int chans,
	     struct sample *s)
{
	struct hvsim_nic_stats st;
	uint64_t end, rq0;
	int rc;

	rq0 = path_runq_ns();
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
	s->runq_us = (path_runq_ns() - rq0) / 1000;
	if (st.released != n->released || st.released_ns < st.rescind_ns)
		return -EPROTO;
	s->us = (st.released_ns - st.rescind_ns) / 1000;
	return 0;
}

static int
cycle(struct nic *n, struct sample *sub, struct sample *all)
{
	unsigned int re = bt_get(&bt.ev[HVBUS_EV_REOFFER]);
	unsigned int i;
	int rc;

	rc = rescind_wait(n, 1, 1, sub);
	if (rc == 0)
		rc = rescind_wait(n, 0, NSUB, all);
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

enum { D_SUB, D_NIC, D_SUB_RUNQ, D_NIC_RUNQ, D_SUB_NET, D_NIC_NET, D_N };

static const char *const dist_names[D_N] = {
	"subchannel", "nic", "subchannel_runq_wait", "nic_runq_wait",
	"subchannel_minus_runq_wait", "nic_minus_runq_wait",
};

struct result {
	const char *mode;
	unsigned int cycles;
	struct dist d[D_N];
	uint64_t bursts;
	double seconds;
};

static int
run_mode(struct nic *n, struct result *r, unsigned int cycles, bool busy)
{
	struct sample sub, all;
	unsigned int i, j;
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	uint64_t t0;
	int rc = 0;

	r->mode = busy ? "busy" : "idle";
	for (j = 0; j < D_N; j++) {
		r->d[j].v = calloc(cycles, sizeof(uint64_t));
		if (r->d[j].v == NULL)
			return -ENOMEM;
	}
	lc.stop = false;
	lc.bursts = 0;
	/* A worker lcore, as an application polls: pinned to its own CPU,
	 * apart from the control threads (DPDK puts those on the main
	 * lcore's CPU when every CPU is an lcore).
	 */
	if (busy && (worker >= RTE_MAX_LCORE ||
		     rte_eal_remote_launch(lcore_main, &lc, worker) != 0))
		return -EAGAIN;
	while (busy && __atomic_load_n(&lc.tid, __ATOMIC_ACQUIRE) == 0)
		usleep(100);
	if (busy)
		snprintf(path_stat[2], sizeof(path_stat[2]),
			 "/proc/self/task/%d/schedstat", lc.tid);
	t0 = bt_ms();
	for (i = 0; i < cycles; i++) {
		rc = cycle(n, &sub, &all);
		if (rc != 0) {
			fprintf(stderr, "bench_release: %s cycle %u: %s\n",
				r->mode, i, strerror(-rc));
			break;
		}
		r->d[D_SUB].v[i] = sub.us;
		r->d[D_NIC].v[i] = all.us;
		r->d[D_SUB_RUNQ].v[i] = sub.runq_us;
		r->d[D_NIC_RUNQ].v[i] = all.runq_us;
		r->d[D_SUB_NET].v[i] = sub.us - RTE_MIN(sub.us, sub.runq_us);
		r->d[D_NIC_NET].v[i] = all.us - RTE_MIN(all.us, all.runq_us);
	}
	r->cycles = i;
	r->seconds = (double)(bt_ms() - t0) / 1e3;
	if (busy) {
		__atomic_store_n(&lc.stop, true, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(worker);
		path_stat[2][0] = '\0';
		lc.tid = 0;
		r->bursts = lc.bursts;
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
	printf("%-5s %-27s p50 %6llu  p90 %6llu  p99 %6llu  max %6llu us, "
	       "%5.1f%% under 1 ms\n", mode, name,
	       (unsigned long long)pct(d, 50), (unsigned long long)pct(d, 90),
	       (unsigned long long)pct(d, 99), (unsigned long long)pct(d, 100),
	       100 * share_under(d, 1000));
}

static void
json_write(FILE *f, const struct result *res, unsigned int nres,
	   unsigned int violations)
{
	unsigned int i, j;

	fprintf(f, "{\n \"queues\": %u,\n \"violations\": %u", NQ,
		violations);
	for (i = 0; i < nres; i++) {
		const struct result *r = &res[i];

		fprintf(f, ",\n \"%s\": {\n  \"cycles\": %u,\n"
			"  \"seconds\": %.3f,\n  \"lcore_bursts\": %llu", r->mode,
			r->cycles, r->seconds, (unsigned long long)r->bursts);
		for (j = 0; j < D_N; j++)
			fprintf(f, ",\n  \"%s\": {\"p50_us\": %llu, "
				"\"p90_us\": %llu, \"p99_us\": %llu, "
				"\"max_us\": %llu, \"share_under_1ms\": %.4f}",
				dist_names[j],
				(unsigned long long)pct(&r->d[j], 50),
				(unsigned long long)pct(&r->d[j], 90),
				(unsigned long long)pct(&r->d[j], 99),
				(unsigned long long)pct(&r->d[j], 100),
				share_under(&r->d[j], 1000));
		fprintf(f, "\n }");
	}
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
	struct result res[2];
	struct nic n = { 0 };
	unsigned int cycles = 500, i, j;
	const char *json = NULL;
	int o, rc;

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
	memset(res, 0, sizeof(res));
	/* Never hang: a generous bound over both modes. */
	alarm(2 * cycles + 120);
	rc = bt_eal_init_args(argv[0], "1", "backend=sim,timeout_ms=5000");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	rte_log_set_level_pattern("bus.hvbus", RTE_LOG_WARNING);
	n.h = hvbus_sim_hvsim();
	REQUIRE(n.h != NULL && bt_get(&bt.n_probed) == 1, "one device");
	REQUIRE(path_threads_find() == 0, "hvbus-ctrl and hvsim-host threads");
	n.dev = bt.dev[0];
	lc.dev = n.dev;
	for (i = 0; i < NQ; i++)
		REQUIRE(hvbus_queue_attach(n.dev, &lc.rd[i]) == 0);
	REQUIRE(nic_setup(&n) == 0, "set-up");

	rc = run_mode(&n, &res[0], cycles, true);
	if (rc == 0)
		rc = run_mode(&n, &res[1], cycles, false);
	CHECK_EQ(rc, 0);
	CHECK_EQ(hvsim_violations(n.h), 0);
	bt_report(n.h);

	printf("rescind to RELID_RELEASED as hvsim sees it, %u cycles per "
	       "mode, %u queues; subchannel = 1 channel, nic = 3 channels "
	       "and 2 driver buffers\n", cycles, NQ);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < D_N; j++)
			print_dist(res[i].mode, dist_names[j], &res[i].d[j]);
		printf("%-5s %u cycles in %.1f s%s\n", res[i].mode,
		       res[i].cycles, res[i].seconds,
		       i == 0 ? ", the lcore bursting throughout" : "");
	}
	if (json != NULL) {
		FILE *f = fopen(json, "w");

		REQUIRE(f != NULL, "cannot write %s", json);
		json_write(f, res, 2, hvsim_violations(n.h));
		fclose(f);
	}
	for (i = 0; i < NQ; i++)
		CHECK_EQ(hvbus_queue_detach(n.dev, &lc.rd[i]), 0);
	for (i = 0; i < 2; i++)
		for (j = 0; j < D_N; j++)
			free(res[i].d[j].v);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bench_release");
}
