/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rx interrupt benchmark (make bench-intr): a worker lcore runs
 * examples/rxintr's sleep-when-idle loop (rxintr_sleep.h) on a port of the
 * embedded hvsim (reflect). First IDLE_SECS with no traffic: the lcore's
 * CPU time over the wall time. Then SAMPLES single frames, each after a
 * pause of GAP_MS, sent by the main thread with the send time inside; the
 * lcore notes when its burst returned each one: first frame after a pause
 * to the application, host reflection included. Prints one JSON object.
 *
 *   bench_intr [IDLE_SECS [SAMPLES [GAP_MS]]]
 */

#include "pmd_test.h"

#include <rte_launch.h>
#include <rte_lcore.h>

#include "rxintr_sleep.h"

#define BI_MAX_SAMPLES	10000u

static volatile bool bi_quit;
static uint64_t bi_lat_ns[BI_MAX_SAMPLES];
static volatile unsigned int bi_got;
static uint64_t bi_sleeps, bi_wakes;
static volatile double bi_cpu_s;

static double
bi_thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The example's loop, plus a receive time per frame. */
static int
bi_lcore(void *arg)
{
	struct rxintr_q q = { .port = 0, .queue = 0 };
	struct rte_mbuf *rx[32];
	unsigned int idle = 0;
	uint16_t n, i;

	(void)arg;
	if (rxintr_attach(&q, 1) != 0)
		return -1;
	while (!bi_quit) {
		n = rte_eth_rx_burst(0, 0, rx, 32);
		if (n != 0) {
			uint64_t now = hv_now_ns();

			for (i = 0; i < n; i++) {
				uint64_t t0;

				memcpy(&t0, rte_pktmbuf_mtod_offset(rx[i],
					uint8_t *, 14 + 20 + 8 + 4), 8);
				if (bi_got < BI_MAX_SAMPLES && t0 != 0)
					bi_lat_ns[bi_got++] = now - t0;
			}
			pt_free(rx, n);
			idle = 0;
			continue;
		}
		if (++idle < RXINTR_IDLE_POLLS)
			continue;
		idle = 0;
		bi_sleeps++;
		if (rxintr_sleep(&q, 1, 100) > 0)
			bi_wakes++;
		bi_cpu_s = bi_thread_cpu_s();
	}
	bi_cpu_s = bi_thread_cpu_s();
	return 0;
}

static int
bi_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	unsigned int idle_s = argc > 1 ? (unsigned int)atoi(argv[1]) : 3;
	unsigned int samples = argc > 2 ? (unsigned int)atoi(argv[2]) : 300;
	unsigned int gap_ms = argc > 3 ? (unsigned int)atoi(argv[3]) : 20;
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	double cpu0, cpu1;
	uint64_t w0, w1;
	unsigned int lcore, i;
	int rc;

	if (samples > BI_MAX_SAMPLES)
		samples = BI_MAX_SAMPLES;
	rc = pt_eal_init_x(argv[0], "1", "timeout_ms=3000", "-l0-1");
	if (rc < 0)
		return 1;
	mp = rte_pktmbuf_pool_create("bi", 4095, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL)
		return 1;
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = 1;
	if (rte_eth_dev_configure(0, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(0, 0, 512, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(0, 0, 512, 0, NULL) != 0 ||
	    rte_eth_dev_start(0) != 0)
		return 1;
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE ||
	    rte_eal_remote_launch(bi_lcore, NULL, lcore) != 0)
		return 1;

	/* Idle: what sleeping costs the lcore. */
	usleep(200000);
	cpu0 = bi_cpu_s;
	w0 = hv_now_ns();
	usleep(idle_s * 1000000u);
	cpu1 = bi_cpu_s;
	w1 = hv_now_ns();

	/* One frame after each pause, its send time inside. */
	for (i = 0; i < samples; i++) {
		struct rte_mbuf *m;
		uint64_t t0;

		usleep(gap_ms * 1000u);
		m = pt_frame(mp, 0, 64, i, IPPROTO_UDP, 1000, 2000);
		if (m == NULL)
			break;
		t0 = hv_now_ns();
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *,
					       14 + 20 + 8 + 4), &t0, 8);
		if (rte_eth_tx_burst(0, 0, &m, 1) != 1)
			rte_pktmbuf_free(m);
	}
	usleep(200000);
	bi_quit = true;
	rte_eal_mp_wait_lcore();

	{
		unsigned int n = bi_got;

		qsort(bi_lat_ns, n, sizeof(bi_lat_ns[0]), bi_cmp);
		printf("{\"idle_secs\": %u, \"idle_cpu_pct\": %.3f, "
		       "\"samples\": %u, \"received\": %u, \"gap_ms\": %u, "
		       "\"lat_us_p50\": %.1f, \"lat_us_p99\": %.1f, "
		       "\"lat_us_max\": %.1f, \"sleeps\": %" PRIu64 ", "
		       "\"wakes\": %" PRIu64 "}\n", idle_s,
		       100.0 * (cpu1 - cpu0) / ((double)(w1 - w0) / 1e9),
		       samples, n, gap_ms,
		       n ? bi_lat_ns[n / 2] / 1e3 : 0.0,
		       n ? bi_lat_ns[(n * 99) / 100 < n ? (n * 99) / 100 :
				     n - 1] / 1e3 : 0.0,
		       n ? bi_lat_ns[n - 1] / 1e3 : 0.0, bi_sleeps,
		       bi_wakes);
	}
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	return 0;
}
