/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rescind / re-offer soak: an ethdev application on net_hvnet with the
 * embedded hvsim (NIC 0, reflecting every frame), 4 queues, one traffic
 * thread sending on every queue and receiving on every queue, and a
 * control thread (main) cycling the host:
 *
 *   primary cycle: hvsim_rescind(nic 0, all) -> LSC link down (the port
 *     is persistent: no RMV) -> hvsim's "released" count up by every
 *     channel -> every mbuf back in the pool -> hvsim_reoffer() -> the
 *     port re-attaches by itself: LSC link up, every rx queue receives
 *     again; the application does nothing.
 *   subchannel cycle (every --sub-every cycles): hvsim_rescind(nic 0,
 *     sub k) -> released +1, no event (the queue stops, RSS moves its
 *     share to the others) -> the other queues keep forwarding (each
 *     more than a flight window) while tx_qk_dropped counts ->
 *     hvsim_reoffer_sub() -> queue k forwards again.
 *
 *   VF cycle (every --vf-every cycles, off by default): hvsim_vf(add) ->
 *     the driver takes over a net_ring port whose rings loop back (the
 *     "VF wire" reflects, like hvsim) and switches the data path -> every
 *     queue receives through the VF -> a primary cycle with the VF in use
 *     (the rescind takes it off the datapath; after the re-attach the host
 *     announces it again and the port uses it again) -> hvsim_vf(remove)
 *     -> back on the synthetic path, every queue receives from hvsim.
 *
 * The traffic thread keeps bursting through the outages (rx returns 0,
 * tx frees and counts): that is what a real forwarding loop does until
 * its control thread reacts to the event.
 *
 * Fails on: a missing or duplicated event, a release count that is not
 * exact, a checker violation, an mbuf not back in the pool during an
 * outage (traffic paused), an ethdev call failing, traffic not
 * resuming, a wait running past its deadline (5 s of the time the
 * threads it waits on could run, 30 s at most: struct deadline).
 *
 * usage: soak [--cycles N] [--seconds S] [--min-cycles M]
 *             [--sub-every K] [--vf-every K] [--json PATH] [--quiet]
 * It stops after N cycles, or after S seconds once at least M cycles are
 * done: a loaded machine takes longer for its M cycles rather than
 * failing for being slow (a cycle at load 25 on 2 CPUs takes 20 times its
 * idle time).
 */

#include <dirent.h>
#include <getopt.h>
#include <sched.h>
#include <sys/syscall.h>

#include <rte_eth_ring.h>
#include <rte_launch.h>
#include <rte_ring.h>

#include "rescind_test.h"

#define NQ		4
#define DEADLINE_MS	5000
#define WINDOW		96	/* frames in flight per queue */

enum tstate { T_RUN, T_PAUSE_REQ, T_PAUSED, T_STOP };

struct traffic {
	uint16_t port;
	struct rte_mempool *mp;
	int state;			/* enum tstate, atomics */
	int outage;			/* queues down: bit k = queue k, set by
					 * control from the rescind to the
					 * re-attach */
	uint64_t rx[NQ];		/* frames received per queue */
	uint64_t tx;			/* frames tx_burst took while up */
	uint64_t tx_q[NQ];		/* frames tx_burst took per queue */
	uint64_t tx_outage;		/* frames tx_burst took during outages */
	uint64_t rx_outage;		/* frames rx_burst gave during outages */
	uint64_t seq;
	unsigned int lcore;		/* worker running traffic_main() */
	uint32_t at;			/* where it is: enum tstep << 8 | queue */
	uint64_t at_us;			/* since when */
	pid_t tid;			/* its kernel thread id */
};

/* The traffic thread's steps, for a pause that times out to name. */
enum tstep { S_TOP, S_ALLOC, S_TX, S_RX, S_YIELD };

static const char *const tstep_name[] = {
	"the loop's top", "mbuf allocation", "rte_eth_tx_burst",
	"rte_eth_rx_burst", "sched_yield",
};

static struct traffic tr;

static void sched_report(const struct rte_mempool *mp);

static uint64_t
ld64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
add64(uint64_t *p, uint64_t v)
{
	/* One writer (the traffic thread): a plain add published with a
	 * relaxed store is enough for the readers' counters. */
	__atomic_store_n(p, *p + v, __ATOMIC_RELAXED);
}

static void
traffic_at(struct traffic *t, enum tstep step, uint16_t q)
{
	__atomic_store_n(&t->at_us, rt_us(), __ATOMIC_RELAXED);
	__atomic_store_n(&t->at, (uint32_t)step << 8 | q, __ATOMIC_RELAXED);
}

static int
traffic_main(void *arg)
{
	struct traffic *t = arg;
	struct rte_ether_addr mac;
	struct rte_mbuf *b[32];
	uint64_t sent_q[NQ] = { 0 }, got_q[NQ] = { 0 }, got_all;
	uint64_t last_rx_us = rt_us();
	unsigned int round = 0, j;
	uint16_t q, r, i, k;
	int st, idle;

	rte_eth_macaddr_get(t->port, &mac);
	__atomic_store_n(&t->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	for (;;) {
		traffic_at(t, S_TOP, 0);
		st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (st == T_STOP)
			break;
		if (st == T_PAUSE_REQ || st == T_PAUSED) {
			if (st == T_PAUSE_REQ) {
				/* Out of every burst: the control thread may
				 * poll the queues itself. A new flight window
				 * after
				 * the resume. */
				memset(sent_q, 0, sizeof(sent_q));
				memset(got_q, 0, sizeof(got_q));
				__atomic_store_n(&t->state, T_PAUSED,
						 __ATOMIC_RELEASE);
			}
			usleep(50);
			continue;
		}
		idle = 1;
		got_all = 0;
		for (q = 0; q < NQ; q++)
			got_all += got_q[q];
		/* Frames a rescinded queue took (dropped) or that were lost
		 * at a rescind never come back: after 2 ms without a frame
		 * the window counts them lost and reopens. */
		if (rt_us() - last_rx_us > 2000) {
			memset(sent_q, 0, sizeof(sent_q));
			memset(got_q, 0, sizeof(got_q));
			got_all = 0;
			last_rx_us = rt_us();
		}
		/* Each round starts on the next queue: none is always the
		 * one that finds the window full. */
		round++;
		for (j = 0; j < NQ; j++) {
			int out;
			uint64_t inflight = 0;

			q = (uint16_t)((round + j) % NQ);
			out = __atomic_load_n(&t->outage, __ATOMIC_ACQUIRE) &
				(1 << q);
			for (k = 0; k < NQ; k++)
				inflight += sent_q[k];
			inflight -= RTE_MIN(inflight, got_all);
			/* The window bounds what is in flight; it reopens
			 * at each resume and after a stall (above). */
			if (inflight < WINDOW * NQ) {
				traffic_at(t, S_ALLOC, q);
				for (i = 0; i < 32; i++) {
					b[i] = rt_frame(t->mp, &mac, 128,
							(uint32_t)t->seq++);
					if (b[i] == NULL)
						break;
				}
				traffic_at(t, S_TX, q);
				r = rte_eth_tx_burst(t->port, q, b, i);
				for (k = r; k < i; k++)
					rte_pktmbuf_free(b[k]);
				if (out)
					add64(&t->tx_outage, r);
				else
					add64(&t->tx, r);
				sent_q[q] += r;
				add64(&t->tx_q[q], r);
				if (r != 0)
					idle = 0;
			}
			traffic_at(t, S_RX, q);
			r = rte_eth_rx_burst(t->port, q, b, 32);
			for (i = 0; i < r; i++)
				rte_pktmbuf_free(b[i]);
			if (r != 0) {
				idle = 0;
				last_rx_us = rt_us();
				got_q[q] += r;
				add64(&t->rx[q], r);
				if (out)
					add64(&t->rx_outage, r);
			}
		}
		if (idle) {
			traffic_at(t, S_YIELD, 0);
			sched_yield();
		}
	}
	return 0;
}

/*
 * A deadline that counts only the time the threads a wait is on could
 * run: on a loaded machine (CI at load 13-20 on 2 CPUs) a thread waits
 * seconds for its CPU now and then, which is no step that failed. Past
 * DEADLINE_MS of wall time, the most any of those threads waited for a CPU
 * since the start (its schedstat run delay) is taken off - no more than
 * the time in which one or another of them waited, so never more lenient;
 * DL_STRETCH deadlines at most whatever the reason. A step that does not
 * happen while its threads run still fails after DEADLINE_MS.
 */
#define DL_STRETCH	6
#define DL_TASKS	64

/* The threads a wait is on. */
enum dl_on {
	DL_TRAFFIC,	/* the traffic thread (a pause) */
	DL_OTHERS,	/* every thread but the caller (traffic on the
			 * queues: the traffic thread and the host) */
	DL_CONTROL,	/* every thread but the caller and the traffic
			 * thread (host, bus control, interrupt thread) */
	DL_NOT_TRAFFIC,	/* every thread but the traffic thread (the
			 * caller polls the queues itself) */
};

struct deadline {
	const char *what;		/* what is waited for */
	bool noted;			/* the stretch is in use, said so */
	uint64_t t0_ms;			/* start */
	uint64_t next_ms;		/* next look at the threads */
	uint64_t starved_ms;		/* at the last look */
	unsigned int n;
	int tid[DL_TASKS];
	uint64_t wait0_ns[DL_TASKS];	/* run delay at the start */
};

/* Thread @p tid's run delay so far (ns), UINT64_MAX if unknown. */
static uint64_t
task_wait_ns(int tid)
{
	unsigned long long run, wait;
	uint64_t v = UINT64_MAX;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return v;
	if (fscanf(f, "%llu %llu", &run, &wait) == 2)
		v = wait;
	fclose(f);
	return v;
}

static void
dl_start(struct deadline *d, enum dl_on on, const char *what)
{
	int me = (int)syscall(SYS_gettid), tid;
	int trt = (int)__atomic_load_n(&tr.tid, __ATOMIC_ACQUIRE);
	struct dirent *e;
	bool in;
	DIR *dir;

	d->what = what;
	d->noted = false;
	d->t0_ms = rt_ms();
	d->next_ms = 0;
	d->starved_ms = 0;
	d->n = 0;
	dir = opendir("/proc/self/task");
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL && d->n < DL_TASKS) {
		if (e->d_name[0] == '.')
			continue;
		tid = atoi(e->d_name);
		switch (on) {
		case DL_TRAFFIC:
			in = tid == trt;
			break;
		case DL_OTHERS:
			in = tid != me;
			break;
		case DL_CONTROL:
			in = tid != me && tid != trt;
			break;
		default:
			in = tid != trt;
			break;
		}
		if (!in)
			continue;
		d->wait0_ns[d->n] = task_wait_ns(tid);
		if (d->wait0_ns[d->n] != UINT64_MAX)
			d->tid[d->n++] = tid;
	}
	closedir(dir);
}

/* Milliseconds since dl_start() and, of them, those its threads could
 * run (by the last look). */
static uint64_t
dl_elapsed(const struct deadline *d)
{
	return rt_ms() - d->t0_ms;
}

static uint64_t
dl_ran(const struct deadline *d)
{
	uint64_t dt = dl_elapsed(d);

	return dt - RTE_MIN(dt, d->starved_ms);
}

static bool
dl_passed(struct deadline *d)
{
	uint64_t dt = dl_elapsed(d), w, most = 0;
	unsigned int i;

	if (dt <= DEADLINE_MS)
		return false;
	if (dt > DL_STRETCH * DEADLINE_MS)
		return true;
	/* Every 10 ms at most: the waits poll every few microseconds. */
	if (rt_ms() >= d->next_ms) {
		for (i = 0; i < d->n; i++) {
			w = task_wait_ns(d->tid[i]);
			if (w != UINT64_MAX && w > d->wait0_ns[i])
				most = RTE_MAX(most, w - d->wait0_ns[i]);
		}
		d->starved_ms = most / 1000000;
		d->next_ms = rt_ms() + 10;
	}
	if (dl_ran(d) > DEADLINE_MS)
		return true;
	/* Said once: a run that passes shows where the stretch served. */
	if (!d->noted) {
		d->noted = true;
		fprintf(stderr, "soak: %s: %llu ms so far, the threads it "
			"waits on starved %llu ms of them: waiting on\n",
			d->what,
			(unsigned long long)dt,
			(unsigned long long)d->starved_ms);
	}
	return false;
}

static int
traffic_pause(void)
{
	struct deadline d;

	dl_start(&d, DL_TRAFFIC, "traffic pause");
	__atomic_store_n(&tr.state, T_PAUSE_REQ, __ATOMIC_RELEASE);
	while (__atomic_load_n(&tr.state, __ATOMIC_ACQUIRE) != T_PAUSED) {
		if (dl_passed(&d))
			return -ETIMEDOUT;
		usleep(20);
	}
	return 0;
}

static void
traffic_resume(void)
{
	__atomic_store_n(&tr.state, T_RUN, __ATOMIC_RELEASE);
}

static uint64_t
rx_total(void)
{
	uint64_t s = 0;
	unsigned int q;

	for (q = 0; q < NQ; q++)
		s += ld64(&tr.rx[q]);
	return s;
}

/* Wait until every queue not in @p skip_mask received at least one more
 * frame than in @p base. Returns 0, or -ETIMEDOUT. @p first_us gets the
 * time the first queue moved. */
static int
wait_rx_more(const uint64_t base[NQ], uint32_t skip_mask, uint64_t more,
	     uint64_t *first_us)
{
	uint32_t moved = 0, want = ((1u << NQ) - 1) & ~skip_mask;
	struct deadline d;
	unsigned int q;

	*first_us = 0;
	dl_start(&d, DL_OTHERS, "frames on the queues");
	while ((moved & want) != want) {
		for (q = 0; q < NQ; q++) {
			if (ld64(&tr.rx[q]) >= base[q] + more) {
				if (moved == 0)
					*first_us = rt_us();
				moved |= 1u << q;
			}
		}
		if (dl_passed(&d)) {
			/* Which queues, for the failure that follows. */
			fprintf(stderr, "soak: after %llu ms (%llu of them "
				"with a CPU) queues 0x%x of 0x%x received %llu "
				"more frames\n",
				(unsigned long long)dl_elapsed(&d),
				(unsigned long long)dl_ran(&d), moved & want,
				want, (unsigned long long)more);
			sched_report(tr.mp);
			return -ETIMEDOUT;
		}
		usleep(20);
	}
	return 0;
}

static int
wait_rx_moves(const uint64_t base[NQ], uint32_t skip_mask, uint64_t *first_us)
{
	return wait_rx_more(base, skip_mask, 1, first_us);
}

/* Extended statistic @p name of the port, UINT64_MAX if unknown. */
static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* Frames the driver's tx queues freed and counted as dropped (a
 * rescinded channel) since the queues were set up. */
static uint64_t
tx_dropped(uint16_t port)
{
	uint64_t sum = 0, v;
	unsigned int q;
	char name[32];

	for (q = 0; q < NQ; q++) {
		snprintf(name, sizeof(name), "tx_q%u_dropped", q);
		v = xstat(port, name);
		if (v != UINT64_MAX)
			sum += v;
	}
	return sum;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of @p n sorted values. */
static uint64_t
pct(const uint64_t *v, unsigned int n, unsigned int p)
{
	unsigned int rank;

	if (n == 0)
		return 0;
	rank = (p * n + 99) / 100;
	return v[rank == 0 ? 0 : rank - 1];
}

struct soak {
	struct hvsim *h;
	struct rte_mempool *mp;
	uint16_t port;
	unsigned int cycles, sub_cycles, vf_cycles, leaks, errors;
	struct rte_ring *vf_ring[NQ];	/* VF queue k's tx = its rx */
	uint16_t vf_port;
	uint32_t vf_serial;
	uint64_t released;		/* hvsim count expected so far */
	uint64_t drv_dropped;		/* tx_qK_dropped at the end */
	unsigned int lost, back;	/* link events expected so far */
	uint64_t *rel_us, *res_us;	/* per primary cycle */
	uint64_t *rel_sub_us;		/* per subchannel cycle */
	unsigned int n_rel, n_res, n_rel_sub;
	int quiet;
};

#define FAIL(s, ...) do {						\
	(s)->errors++;							\
	fprintf(stderr, "soak: cycle %u: ", (s)->cycles);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
} while (0)

static void
check_clean(struct soak *s)
{
	if (hvsim_violations(s->h) != 0) {
		FAIL(s, "%u checker violations", hvsim_violations(s->h));
		rt_report(s->h);
	}
}

/* One thread's line of /proc/self/task/TID/stat: state and CPU. */
static void
task_stat(int tid, char *state, int *cpu)
{
	char path[64], buf[512], *p;
	FILE *f;
	int i;

	*state = '?';
	*cpu = -1;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ') {
		/* Field 3 (state) starts at p + 2; 39 is the CPU. */
		p += 2;
		*state = *p;
		for (i = 3; i < 39 && p != NULL; i++) {
			p = strchr(p, ' ');
			if (p != NULL)
				p++;
		}
		if (p != NULL)
			*cpu = atoi(p);
	}
	fclose(f);
}

/* The first line starting with @p key in /proc/self/task/TID/@p file,
 * without the key and the newline ("" if none). */
static void
task_line(int tid, const char *file, const char *key, char *out, size_t len)
{
	char path[64], buf[256];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, file);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (strncmp(buf, key, strlen(key)) == 0) {
			snprintf(out, len, "%s", buf + strlen(key));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

#define SCHED_TASKS	64

/*
 * The kernel's view of every thread of the process: state, CPU and the
 * CPUs it may use, and over 200 ms the time it ran and waited to run
 * (schedstat, ns) - the traffic thread running all along means it spins,
 * waiting means it is not given a CPU, and the others say who has it.
 * Then the pool's ring: a consumer head ahead of its tail for good is a
 * dequeue that never finished (another thread inside one).
 */
static void
sched_report(const struct rte_mempool *mp)
{
	unsigned long long run[2][SCHED_TASKS], wait[2][SCHED_TASKS];
	int tids[SCHED_TASKS], n = 0, i, k, cpu;
	int me = (int)__atomic_load_n(&tr.tid, __ATOMIC_ACQUIRE);
	char path[64], comm[32], cpus[64], state;
	struct dirent *e;
	DIR *d;
	FILE *f;

	{
		uint32_t at = __atomic_load_n(&tr.at, __ATOMIC_RELAXED);

		fprintf(stderr, "soak: the traffic thread is in %s (queue %u) "
			"for %llu ms\n", tstep_name[at >> 8], at & 0xff,
			(unsigned long long)((rt_us() -
			__atomic_load_n(&tr.at_us, __ATOMIC_RELAXED)) / 1000));
	}
	d = opendir("/proc/self/task");
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < SCHED_TASKS)
		if (e->d_name[0] != '.')
			tids[n++] = atoi(e->d_name);
	closedir(d);
	for (k = 0; k < 2; k++) {
		if (k == 1)
			usleep(200000);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path),
				 "/proc/self/task/%d/schedstat", tids[i]);
			run[k][i] = wait[k][i] = 0;
			f = fopen(path, "r");
			if (f == NULL)
				continue;
			if (fscanf(f, "%llu %llu", &run[k][i],
				   &wait[k][i]) != 2)
				run[k][i] = wait[k][i] = 0;
			fclose(f);
		}
	}
	for (i = 0; i < n; i++) {
		task_stat(tids[i], &state, &cpu);
		task_line(tids[i], "comm", "", comm, sizeof(comm));
		task_line(tids[i], "status", "Cpus_allowed_list:\t", cpus,
			  sizeof(cpus));
		fprintf(stderr, "soak: %s thread %d (%s): state %c, CPU %d "
			"of %s; in 200 ms it ran %llu ms and waited %llu ms "
			"for a CPU\n", tids[i] == me ? "traffic" : "other",
			tids[i], comm, state, cpu, cpus,
			(run[1][i] - run[0][i]) / 1000000,
			(wait[1][i] - wait[0][i]) / 1000000);
	}
	if (strcmp(mp->ops_index >= 0 ?
		   rte_mempool_get_ops(mp->ops_index)->name : "", "ring_mp_mc")
	    == 0) {
		const struct rte_ring *r = mp->pool_data;

		fprintf(stderr, "soak: pool ring: prod head %u tail %u, cons "
			"head %u tail %u; %u mbufs free\n", r->prod.head,
			r->prod.tail, r->cons.head, r->cons.tail,
			rte_mempool_avail_count(mp));
	}
}

/*
 * The mbufs the host held when the device went come back to the pool once
 * the queues burst again after the grace period. With traffic paused,
 * this thread polls the queues (as the traffic lcore would) until the
 * pool is whole. */
static void
check_pool(struct soak *s)
{
	struct rte_mbuf *b[64];
	struct deadline d;
	uint16_t q, n;

	if (traffic_pause() != 0) {
		uint32_t at = __atomic_load_n(&tr.at, __ATOMIC_RELAXED);

		/* Where it is stuck (or was last, if starved), for the
		 * next look at this failure. */
		FAIL(s, "traffic thread does not pause: in %s (queue %u) "
		     "for %llu ms", tstep_name[at >> 8], at & 0xff,
		     (unsigned long long)((rt_us() -
			__atomic_load_n(&tr.at_us, __ATOMIC_RELAXED)) / 1000));
		sched_report(s->mp);
		return;
	}
	/* Frames on the VF's wire when the VF left the datapath are lost,
	 * as on a real wire; the rings hold them until then. */
	for (q = 0; q < NQ && s->vf_ring[0] != NULL; q++)
		while ((n = (uint16_t)rte_ring_dequeue_burst(s->vf_ring[q],
						(void **)b, 64, NULL)) != 0)
			rte_pktmbuf_free_bulk(b, n);
	dl_start(&d, DL_NOT_TRAFFIC, "mbufs back in the pool");
	while (rte_mempool_in_use_count(s->mp) != 0 && !dl_passed(&d)) {
		for (q = 0; q < NQ; q++) {
			n = rte_eth_rx_burst(s->port, q, b, 64);
			rte_pktmbuf_free_bulk(b, n);
			rte_eth_tx_burst(s->port, q, b, 0);
		}
		usleep(200);
	}
	if (rte_mempool_in_use_count(s->mp) != 0) {
		s->leaks++;
		FAIL(s, "%u mbufs not back in the pool during the outage",
		     rte_mempool_in_use_count(s->mp));
	}
	traffic_resume();
}

/*
 * Wait until hvsim counted @p want releases. @p us gets the host's own
 * rescind-to-release time: from its rescind command (the RESCIND messages
 * went out) to the last RELID_RELEASED it read, both stamped by hvsim, so
 * neither this poll's period nor this thread's scheduling is in it - and
 * the poll sleeps rather than taking a CPU from the threads it measures.
 */
static int
wait_released(struct soak *s, uint64_t want, uint64_t *us)
{
	struct hvsim_nic_stats st;
	struct deadline d;
	uint64_t r;

	dl_start(&d, DL_CONTROL, "hvsim's release count");
	for (;;) {
		if (hvsim_nic_stats(s->h, 0, &st) != 0) {
			FAIL(s, "hvsim_nic_stats");
			return -1;
		}
		r = st.released;
		if (r >= want)
			break;
		if (dl_passed(&d)) {
			FAIL(s, "released %llu, want %llu after %llu ms "
			     "(%llu of them with a CPU)",
			     (unsigned long long)r, (unsigned long long)want,
			     (unsigned long long)dl_elapsed(&d),
			     (unsigned long long)dl_ran(&d));
			/* hvsim-host's line says whether the host ran. */
			sched_report(s->mp);
			return -1;
		}
		usleep(50);
	}
	if (st.released_ns < st.rescind_ns) {
		FAIL(s, "last release stamped before the rescind");
		return -1;
	}
	*us = (st.released_ns - st.rescind_ns) / 1000;
	if (r != want) {
		FAIL(s, "released %llu, want %llu (a double release)",
		     (unsigned long long)r, (unsigned long long)want);
		return -1;
	}
	return 0;
}

/* Wait until link event counter @p p reaches @p want; a failure names
 * the event @p what. */
static int
wait_event(struct soak *s, const unsigned int *p, unsigned int want,
	   const char *what)
{
	struct deadline d;

	dl_start(&d, DL_CONTROL, what);
	while (rt_get(p) < want) {
		if (dl_passed(&d)) {
			FAIL(s, "no %s after %llu ms (%llu of them with a "
			     "CPU)", what,
			     (unsigned long long)dl_elapsed(&d),
			     (unsigned long long)dl_ran(&d));
			sched_report(s->mp);
			return -1;
		}
		usleep(200);
	}
	return 0;
}

static int
primary_cycle(struct soak *s)
{
	uint64_t base[NQ], t0, us, first;
	unsigned int q;

	/* The outage counts from the rescind call to the re-attach. */
	__atomic_store_n(&tr.outage, (1 << NQ) - 1, __ATOMIC_RELEASE);
	if (hvsim_rescind(s->h, 0, 0) != 0) {
		FAIL(s, "hvsim_rescind");
		return -1;
	}
	s->lost++;
	if (wait_event(s, &rt_lost[s->port], s->lost, "link-down event") != 0)
		return -1;
	/* Every channel: the primary and the 2 * NQ - 1 subchannels (tx
	 * queues have channels of their own). */
	s->released += 2 * NQ;
	if (wait_released(s, s->released, &us) != 0)
		return -1;
	s->rel_us[s->n_rel++] = us;
	check_clean(s);
	check_pool(s);

	/* The port comes back by itself: no reset, no configure. */
	for (q = 0; q < NQ; q++)
		base[q] = ld64(&tr.rx[q]);
	t0 = rt_us();
	if (hvsim_reoffer(s->h, 0) != 0) {
		FAIL(s, "hvsim_reoffer");
		return -1;
	}
	s->back++;
	if (wait_event(s, &rt_back[s->port], s->back, "link-up event") != 0)
		return -1;
	__atomic_store_n(&tr.outage, 0, __ATOMIC_RELEASE);
	if (wait_rx_moves(base, 0, &first) != 0) {
		FAIL(s, "traffic does not resume on every queue");
		return -1;
	}
	s->res_us[s->n_res++] = first - t0;
	/* A link indication may add an event of its own; never fewer. */
	if (rt_get(&rt_lost[s->port]) < s->lost ||
	    rt_get(&rt_back[s->port]) < s->back)
		FAIL(s, "events: lost %u (want %u), back %u (want %u)",
		     rt_get(&rt_lost[s->port]), s->lost,
		     rt_get(&rt_back[s->port]), s->back);
	s->lost = rt_get(&rt_lost[s->port]);
	s->back = rt_get(&rt_back[s->port]);
	check_clean(s);
	return 0;
}

/* Subchannel @p chan goes and comes back: channel k < NQ is rx queue k's,
 * NQ + k tx queue k's. */
static int
sub_cycle(struct soak *s, unsigned int chan)
{
	uint64_t base[NQ], us, first, dropped, txb;
	bool txc = chan >= NQ;
	struct deadline d;
	unsigned int q, sub = txc ? chan - NQ : chan;
	char name[32];
	int rc;

	__atomic_store_n(&tr.outage, 1 << sub, __ATOMIC_RELEASE);
	if (hvsim_rescind(s->h, 0, chan) != 0) {
		FAIL(s, "hvsim_rescind sub %u", chan);
		return -1;
	}
	s->released += 1;
	if (wait_released(s, s->released, &us) != 0)
		return -1;
	s->rel_sub_us[s->n_rel_sub++] = us;
	check_clean(s);
	/* The other rx queues go on, for more than one flight window each,
	 * with the lost rx queue's RSS share; a lost tx queue frees and
	 * counts what it is given while every rx queue goes on. */
	snprintf(name, sizeof(name), "tx_q%u_dropped", sub);
	dropped = xstat(s->port, name);
	txb = ld64(&tr.tx_q[sub]);
	for (q = 0; q < NQ; q++)
		base[q] = ld64(&tr.rx[q]);
	if (wait_rx_more(base, txc ? 0 : 1u << sub, WINDOW * NQ,
			 &first) != 0) {
		FAIL(s, "the rx queues stopped after channel %u went", chan);
		return -1;
	}
	if (txc && (dropped == UINT64_MAX || xstat(s->port, name) <= dropped))
		FAIL(s, "%s does not count (%llu -> %llu; tx took %llu)",
		     name, (unsigned long long)dropped,
		     (unsigned long long)xstat(s->port, name),
		     (unsigned long long)(ld64(&tr.tx_q[sub]) - txb));
	if (rt_get(&rt_lost[s->port]) != s->lost)
		FAIL(s, "link event for a subchannel rescind");
	/* The host offers the subchannel again: the queue comes back by
	 * itself (-EBUSY until hvsim saw the release). */
	dl_start(&d, DL_CONTROL, "the subchannel's re-offer");
	while ((rc = hvsim_reoffer_sub(s->h, 0, chan)) == -EBUSY &&
	       !dl_passed(&d))
		usleep(100);
	if (rc != 0) {
		FAIL(s, "hvsim_reoffer_sub %u: %d", chan, rc);
		return -1;
	}
	for (q = 0; q < NQ; q++)
		base[q] = ld64(&tr.rx[q]);
	__atomic_store_n(&tr.outage, 0, __ATOMIC_RELEASE);
	if (wait_rx_moves(base, 0, &first) != 0) {
		FAIL(s, "channel %u does not come back", chan);
		return -1;
	}
	if (rt_released(s->h, 0) != s->released)
		FAIL(s, "released %llu after the re-offer, want %llu",
		     (unsigned long long)rt_released(s->h, 0),
		     (unsigned long long)s->released);
	check_clean(s);
	return 0;
}

/*
 * hvsim's data path of NIC 0 becomes @p vf and the driver's side of the
 * switch is over: to the VF, its vf_switches count passed @p switches;
 * back, the VF is out of its datapath (vf_active 0). hvsim flips its flag
 * when it answers SWITCH_DATA_PATH, before the driver has read the
 * answer: going on at the flag alone rescinded the device under the
 * driver's switch now and then (it failed with -ENODEV and let the VF
 * go), so the cycle no longer tested a rescind with the VF in use.
 */
static int
wait_datapath(struct soak *s, bool vf, uint64_t switches)
{
	struct hvsim_nic_stats st;
	uint64_t sw = 0, act = 0;
	struct deadline d;
	int rc;

	dl_start(&d, DL_CONTROL, vf ? "the switch to the VF" :
		 "the switch to synthetic");
	for (;;) {
		rc = hvsim_nic_stats(s->h, 0, &st);
		if (rc != 0) {
			FAIL(s, "hvsim_nic_stats: %d", rc);
			return -1;
		}
		sw = xstat(s->port, "vf_switches");
		act = xstat(s->port, "vf_active");
		if (st.vf_active == vf && sw != UINT64_MAX &&
		    (vf ? sw > switches : act == 0))
			return 0;
		if (dl_passed(&d))
			break;
		usleep(200);
	}
	FAIL(s, "data path not %s: hvsim %s, driver vf_active %llu, "
	     "vf_switches %llu (before: %llu)", vf ? "the VF" : "synthetic",
	     st.vf_active ? "VF" : "synthetic", (unsigned long long)act,
	     (unsigned long long)sw, (unsigned long long)switches);
	return -1;
}

static int
vf_cycle(struct soak *s)
{
	uint64_t base[NQ], first, vrx, sw;
	unsigned int q;

	sw = xstat(s->port, "vf_switches");
	if (hvsim_vf(s->h, 0, true, ++s->vf_serial) != 0 ||
	    wait_datapath(s, true, sw) != 0)
		return -1;
	/* Every queue receives through the VF's looped-back rings. */
	vrx = xstat(s->port, "vf_rx_packets");
	for (q = 0; q < NQ; q++)
		base[q] = ld64(&tr.rx[q]);
	if (wait_rx_more(base, 0, WINDOW, &first) != 0) {
		FAIL(s, "traffic does not go on through the VF");
		return -1;
	}
	if (xstat(s->port, "vf_rx_packets") <= vrx)
		FAIL(s, "vf_rx_packets does not count");
	/* A rescind with the VF in use; the port comes back on it. */
	sw = xstat(s->port, "vf_switches");
	if (primary_cycle(s) != 0 || wait_datapath(s, true, sw) != 0)
		return -1;
	if (hvsim_vf(s->h, 0, false, 0) != 0 ||
	    wait_datapath(s, false, 0) != 0)
		return -1;
	for (q = 0; q < NQ; q++)
		base[q] = ld64(&tr.rx[q]);
	if (wait_rx_more(base, 0, WINDOW, &first) != 0) {
		FAIL(s, "traffic does not go on after the VF left");
		return -1;
	}
	return 0;
}

/* A net_ring port as the VF (devarg vf= names it): queue k sends into
 * the ring it receives from. */
static void
vf_create(struct soak *s)
{
	char name[32];
	unsigned int q;
	int p;

	for (q = 0; q < NQ; q++) {
		snprintf(name, sizeof(name), "soakvf_%u", q);
		s->vf_ring[q] = rte_ring_create(name, 2048, 0,
						RING_F_SP_ENQ |
						RING_F_SC_DEQ);
		REQUIRE(s->vf_ring[q] != NULL);
	}
	p = rte_eth_from_rings("soakvf", s->vf_ring, NQ, s->vf_ring, NQ, 0);
	REQUIRE(p >= 0, "rte_eth_from_rings: %d", p);
	s->vf_port = (uint16_t)p;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cycles", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "min-cycles", required_argument, NULL, 'm' },
		{ "sub-every", required_argument, NULL, 'k' },
		{ "vf-every", required_argument, NULL, 'v' },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int max_cycles = 200, min_cycles = 1, sub_every = 4;
	unsigned int vf_every = 0;
	double max_secs = 0;
	const char *json = NULL;
	struct soak s = { .quiet = 0 };
	uint64_t t_start, t_run, tx_total;
	char devargs[80], busargs[32];
	int o, rc;

	while ((o = getopt_long(argc, argv, "c:s:m:k:v:j:q", opts,
				NULL)) != -1) {
		switch (o) {
		case 'c':
			max_cycles = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			max_secs = strtod(optarg, NULL);
			break;
		case 'm':
			min_cycles = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'k':
			sub_every = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'v':
			vf_every = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'j':
			json = optarg;
			break;
		case 'q':
			s.quiet = 1;
			break;
		default:
			fprintf(stderr, "usage: soak [--cycles N] "
				"[--seconds S] [--min-cycles M] "
				"[--sub-every K] [--vf-every K] [--json PATH] "
				"[--quiet]\n");
			return 2;
		}
	}
	if (max_cycles == 0)
		return 2;
	/* Never hang: a generous bound over the whole run (a second per
	 * cycle owed beyond S: ASan at load 25 needs about a third of it). */
	alarm((unsigned int)(max_secs > 0 ? max_secs + min_cycles :
			     max_cycles) + 120);

	/* The driver's wait for each host answer goes as far as this
	 * test's own at most (DL_STRETCH deadlines): the embedded host
	 * starved for 5 s is no lost answer. */
	snprintf(busargs, sizeof(busargs), "timeout_ms=%u",
		 DL_STRETCH * DEADLINE_MS);
	rc = rt_eal_init(argv[0], 1, busargs);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	s.h = hvbus_sim_hvsim();
	REQUIRE(s.h != NULL, "no embedded hvsim");
	REQUIRE(rt_events_register() == 0);
	s.mp = rte_pktmbuf_pool_create("soak", 8191, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(s.mp != NULL);
	s.rel_us = calloc(max_cycles, sizeof(uint64_t));
	s.res_us = calloc(max_cycles, sizeof(uint64_t));
	s.rel_sub_us = calloc(max_cycles, sizeof(uint64_t));
	REQUIRE(s.rel_us != NULL && s.res_us != NULL && s.rel_sub_us != NULL);
	if (vf_every != 0)
		vf_create(&s);
	rt_nic_name(0, devargs, sizeof(devargs), 1);
	if (vf_every != 0)
		strcat(devargs, ",vf=net_ring_soakvf");
	REQUIRE(rte_dev_probe(devargs) == 0);
	if (vf_every != 0)
		devargs[strlen(devargs) - strlen(",vf=net_ring_soakvf")] = '\0';
	REQUIRE(rte_eth_dev_get_port_by_name(devargs + 6, &s.port) == 0);
	REQUIRE(rt_configure(s.port, NQ, s.mp) == 0);
	REQUIRE(rte_eth_dev_start(s.port) == 0);

	tr.port = s.port;
	tr.mp = s.mp;
	tr.state = T_RUN;
	/* The traffic loop polls from a worker lcore, pinned to its own CPU
	 * as an application's would be; the bus's control threads stay on
	 * the main lcore's CPU.
	 */
	tr.lcore = rte_get_next_lcore(-1, 1, 0);
	REQUIRE(tr.lcore < RTE_MAX_LCORE, "no worker lcore");
	REQUIRE(rte_eal_remote_launch(traffic_main, &tr, tr.lcore) == 0);
	{
		uint64_t base[NQ] = { 0 }, first;

		REQUIRE(wait_rx_moves(base, 0, &first) == 0,
			"no traffic at start");
	}

	t_start = rt_us();
	while (s.cycles < max_cycles && s.errors == 0) {
		if (max_secs > 0 && s.cycles >= min_cycles &&
		    (rt_us() - t_start) / 1e6 >= max_secs)
			break;
		if (sub_every != 0 && s.cycles % sub_every == sub_every - 1) {
			rc = sub_cycle(&s, 1 + s.sub_cycles % (2 * NQ - 1));
			s.sub_cycles++;
		} else if (vf_every != 0 &&
			   s.cycles % vf_every == vf_every / 2) {
			rc = vf_cycle(&s);
			s.vf_cycles++;
		} else {
			rc = primary_cycle(&s);
		}
		if (rc != 0)
			break;
		s.cycles++;
		if (!s.quiet && s.cycles % 50 == 0)
			fprintf(stderr, "soak: %u cycles, %llu frames\n",
				s.cycles, (unsigned long long)rx_total());
	}
	t_run = rt_us() - t_start;

	/* Traffic once more on every queue (waited for: a loaded machine
	 * may give the traffic lcore no CPU for a while), then everything
	 * back. */
	if (s.errors == 0) {
		uint64_t base[NQ], first;

		for (o = 0; o < NQ; o++)
			base[o] = ld64(&tr.rx[o]);
		if (wait_rx_moves(base, 0, &first) != 0)
			FAIL(&s, "no traffic at the end");
	}
	__atomic_store_n(&tr.state, T_STOP, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(tr.lcore);
	tx_total = ld64(&tr.tx) + ld64(&tr.tx_outage);
	s.drv_dropped += tx_dropped(s.port);
	CHECK_EQ(rte_eth_dev_stop(s.port), 0);
	CHECK_EQ(rte_eth_dev_close(s.port), 0);
	if (vf_every != 0) {
		CHECK_EQ(rte_eth_dev_close(s.vf_port), 0);
		for (o = 0; o < NQ; o++) {
			struct rte_mbuf *m[64];
			unsigned int n;

			while ((n = rte_ring_dequeue_burst(s.vf_ring[o],
							   (void **)m, 64,
							   NULL)) != 0)
				rte_pktmbuf_free_bulk(m, n);
		}
	}
	if (rte_mempool_in_use_count(s.mp) != 0) {
		s.leaks++;
		FAIL(&s, "%u mbufs not back after the close",
		     rte_mempool_in_use_count(s.mp));
	}
	check_clean(&s);
	rt_events_unregister();

	qsort(s.rel_us, s.n_rel, sizeof(uint64_t), cmp_u64);
	qsort(s.res_us, s.n_res, sizeof(uint64_t), cmp_u64);
	qsort(s.rel_sub_us, s.n_rel_sub, sizeof(uint64_t), cmp_u64);
	printf("soak: %u cycles (%u subchannel, %u VF) in %.1f s, %.1f ms "
	       "per cycle\n", s.cycles, s.sub_cycles, s.vf_cycles, t_run / 1e6,
	       s.cycles ? t_run / 1e3 / s.cycles : 0.0);
	printf("soak: frames sent %llu, received %llu (queues %llu %llu "
	       "%llu %llu), taken by tx during outages %llu (dropped by "
	       "the driver %llu), received during outages %llu\n",
	       (unsigned long long)tx_total, (unsigned long long)rx_total(),
	       (unsigned long long)ld64(&tr.rx[0]),
	       (unsigned long long)ld64(&tr.rx[1]),
	       (unsigned long long)ld64(&tr.rx[2]),
	       (unsigned long long)ld64(&tr.rx[3]),
	       (unsigned long long)ld64(&tr.tx_outage),
	       (unsigned long long)s.drv_dropped,
	       (unsigned long long)ld64(&tr.rx_outage));
	printf("soak: lost in flight at rescinds and resets %llu "
	       "(%.1f per cycle; the window is %u frames)\n",
	       (unsigned long long)(ld64(&tr.tx) - RTE_MIN(ld64(&tr.tx),
							   rx_total())),
	       s.cycles ? (double)(ld64(&tr.tx) - RTE_MIN(ld64(&tr.tx),
							  rx_total())) /
	       s.cycles : 0.0, WINDOW * NQ);
	printf("soak: rescind to release, host side (us): primary p50 %llu "
	       "p99 %llu max %llu, subchannel p50 %llu p99 %llu max %llu; "
	       "re-offer to traffic (ms) p50 %.2f p99 %.2f max %.2f\n",
	       (unsigned long long)pct(s.rel_us, s.n_rel, 50),
	       (unsigned long long)pct(s.rel_us, s.n_rel, 99),
	       (unsigned long long)pct(s.rel_us, s.n_rel, 100),
	       (unsigned long long)pct(s.rel_sub_us, s.n_rel_sub, 50),
	       (unsigned long long)pct(s.rel_sub_us, s.n_rel_sub, 99),
	       (unsigned long long)pct(s.rel_sub_us, s.n_rel_sub, 100),
	       pct(s.res_us, s.n_res, 50) / 1e3,
	       pct(s.res_us, s.n_res, 99) / 1e3,
	       pct(s.res_us, s.n_res, 100) / 1e3);
	printf("soak: violations %u, leaks %u, errors %u\n",
	       hvsim_violations(s.h), s.leaks, s.errors);
	if (json != NULL) {
		FILE *f = fopen(json, "w");

		REQUIRE(f != NULL, "cannot write %s", json);
		fprintf(f, "{\n  \"cycles\": %u,\n  \"primary_cycles\": %u,\n"
			"  \"subchannel_cycles\": %u,\n"
			"  \"seconds\": %.3f,\n  \"cycle_ms_avg\": %.3f,\n"
			"  \"violations\": %u,\n  \"leaks\": %u,\n"
			"  \"errors\": %u,\n"
			"  \"frames_sent\": %llu,\n"
			"  \"frames_received\": %llu,\n"
			"  \"outage_tx_taken\": %llu,\n"
			"  \"outage_tx_dropped\": %llu,\n"
			"  \"outage_rx\": %llu,\n"
			"  \"lost_in_flight\": %llu,\n"
			"  \"release_us_p50\": %llu,\n"
			"  \"release_us_p99\": %llu,\n"
			"  \"release_us_max\": %llu,\n"
			"  \"release_sub_us_p50\": %llu,\n"
			"  \"release_sub_us_p99\": %llu,\n"
			"  \"release_sub_us_max\": %llu,\n"
			"  \"resume_ms_p50\": %.3f,\n"
			"  \"resume_ms_p99\": %.3f,\n"
			"  \"resume_ms_max\": %.3f\n}\n",
			s.cycles, s.n_res, s.sub_cycles, t_run / 1e6,
			s.cycles ? t_run / 1e3 / s.cycles : 0.0,
			hvsim_violations(s.h), s.leaks, s.errors,
			(unsigned long long)tx_total,
			(unsigned long long)rx_total(),
			(unsigned long long)ld64(&tr.tx_outage),
			(unsigned long long)s.drv_dropped,
			(unsigned long long)ld64(&tr.rx_outage),
			(unsigned long long)(ld64(&tr.tx) -
					     RTE_MIN(ld64(&tr.tx),
						     rx_total())),
			(unsigned long long)pct(s.rel_us, s.n_rel, 50),
			(unsigned long long)pct(s.rel_us, s.n_rel, 99),
			(unsigned long long)pct(s.rel_us, s.n_rel, 100),
			(unsigned long long)pct(s.rel_sub_us, s.n_rel_sub, 50),
			(unsigned long long)pct(s.rel_sub_us, s.n_rel_sub, 99),
			(unsigned long long)pct(s.rel_sub_us, s.n_rel_sub, 100),
			pct(s.res_us, s.n_res, 50) / 1e3,
			pct(s.res_us, s.n_res, 99) / 1e3,
			pct(s.res_us, s.n_res, 100) / 1e3);
		fclose(f);
	}
	CHECK_EQ(s.errors, 0);
	CHECK_EQ(s.leaks, 0);
	CHECK_EQ(hvsim_violations(s.h), 0);
	CHECK(s.cycles >= min_cycles, "%u cycles, want at least %u",
	      s.cycles, min_cycles);
	CHECK(s.n_res > 0, "no primary cycle");
	free(s.rel_us);
	free(s.res_us);
	free(s.rel_sub_us);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("rescind_soak");
}
