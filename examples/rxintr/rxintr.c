/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * rxintr: sends every frame a port receives back out of the same port, on
 * the main lcore, and sleeps in epoll whenever the ports are idle (Rx
 * interrupts, rxintr_sleep.h): an idle port costs next to no CPU, a frame
 * after a pause wakes it. Knows nothing of hvnet; the ports are whatever
 * the EAL arguments give it.
 *
 *   rxintr [EAL args] -- [-t SECONDS] [-p PERIOD]
 *
 * Runs SECONDS (default: until SIGINT/SIGTERM), then prints one line per
 * port, "port P: rx=N tx=N dropped=N", and "cpu=X% sleeps=N wakes=N": the
 * main lcore's CPU time over the wall time, how often it slept and how
 * often a frame woke it. With -p, every PERIOD seconds on the way the
 * running totals, "stats: rx=N tx=N dropped=N sleeps=N wakes=N", so a
 * watcher can stop it (SIGINT) once it has seen enough.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rxintr_sleep.h"

#define RXI_BURST	32
#define RXI_RING	1024
#define RXI_MBUFS	8191
/* A sleep ends at least this often, so a signal to quit is seen. */
#define RXI_SLEEP_MS	200

struct rxi_stats {
	uint64_t rx, tx, dropped;
};

static volatile bool rxi_quit;
static struct rxi_stats stats[RTE_MAX_ETHPORTS];

static void
rxi_on_signal(int sig)
{
	RTE_SET_USED(sig);
	rxi_quit = true;
}

static int
rxi_port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	conf.intr_conf.rxq = 1;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, RXI_RING,
					     rte_eth_dev_socket_id(port), NULL,
					     mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, RXI_RING,
					     rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		fprintf(stderr, "rxintr: port %u: cannot start with Rx "
			"interrupts: %s\n", port, rte_strerror(-ret));
	return ret;
}

/* Frames in from @p port go back out of it. Returns how many came. */
static uint16_t
rxi_burst(uint16_t port)
{
	struct rte_mbuf *pkts[RXI_BURST];
	uint16_t n, sent, i;

	n = rte_eth_rx_burst(port, 0, pkts, RXI_BURST);
	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(port, 0, pkts, n);
	for (i = sent; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	stats[port].rx += n;
	stats[port].tx += sent;
	stats[port].dropped += n - sent;
	return n;
}

static int
rxi_args(int argc, char **argv, unsigned int *seconds, unsigned int *period)
{
	unsigned long v;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "t:p:")) != -1) {
		if (opt != 't' && opt != 'p')
			return -EINVAL;
		errno = 0;
		v = strtoul(optarg, &end, 10);
		if (errno != 0 || *end != '\0' || end == optarg ||
		    v > UINT32_MAX)
			return -EINVAL;
		*(opt == 't' ? seconds : period) = (unsigned int)v;
	}
	return optind == argc ? 0 : -EINVAL;
}

/* The running totals over every port, for -p. */
static void
rxi_print_totals(const struct rxintr_q *qs, unsigned int n, uint64_t sleeps,
		 uint64_t wakes)
{
	struct rxi_stats t = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++) {
		t.rx += stats[qs[i].port].rx;
		t.tx += stats[qs[i].port].tx;
		t.dropped += stats[qs[i].port].dropped;
	}
	printf("stats: rx=%" PRIu64 " tx=%" PRIu64 " dropped=%" PRIu64
	       " sleeps=%" PRIu64 " wakes=%" PRIu64 "\n", t.rx, t.tx,
	       t.dropped, sleeps, wakes);
	fflush(stdout);
}

static double
rxi_secs(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct rxintr_q qs[RTE_MAX_ETHPORTS];
	uint64_t sleeps = 0, wakes = 0, deadline, next_print = UINT64_MAX;
	unsigned int seconds = 0, period = 0, idle = 0, i, n = 0;
	double wall0, cpu0, wall;
	struct rte_mempool *mp;
	uint16_t port, got;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "rxintr: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rxi_args(argc - ret, argv + ret, &seconds, &period) != 0) {
		fprintf(stderr, "usage: %s [EAL args] -- [-t SECONDS] "
			"[-p PERIOD]\n", argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	mp = rte_pktmbuf_pool_create("rxi_mbufs", RXI_MBUFS, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "rxintr: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	ret = 0;
	RTE_ETH_FOREACH_DEV(port) {
		if (n == RTE_DIM(qs))
			break;
		ret = rxi_port_start(port, mp);
		if (ret != 0)
			goto out;
		qs[n].port = port;
		qs[n++].queue = 0;
	}
	if (n == 0) {
		fprintf(stderr, "rxintr: no ports: ask for NICs in the EAL "
			"arguments\n");
		ret = -ENODEV;
		goto out;
	}
	ret = rxintr_attach(qs, n);
	if (ret != 0) {
		fprintf(stderr, "rxintr: Rx interrupt event fds: %s\n",
			rte_strerror(-ret));
		goto out;
	}
	printf("rxintr: echoing on %u port(s), sleeping when idle\n", n);
	fflush(stdout);

	signal(SIGINT, rxi_on_signal);
	signal(SIGTERM, rxi_on_signal);
	wall0 = rxi_secs(CLOCK_MONOTONIC);
	cpu0 = rxi_secs(CLOCK_THREAD_CPUTIME_ID);
	deadline = rte_get_timer_cycles() + seconds * rte_get_timer_hz();
	if (period != 0)
		next_print = rte_get_timer_cycles() +
			period * rte_get_timer_hz();
	while (!rxi_quit &&
	       (seconds == 0 || rte_get_timer_cycles() < deadline)) {
		if (rte_get_timer_cycles() >= next_print) {
			rxi_print_totals(qs, n, sleeps, wakes);
			next_print = rte_get_timer_cycles() +
				period * rte_get_timer_hz();
		}
		got = 0;
		for (i = 0; i < n; i++)
			got += rxi_burst(qs[i].port);
		if (got != 0) {
			idle = 0;
			continue;
		}
		if (++idle < RXINTR_IDLE_POLLS)
			continue;
		idle = 0;
		sleeps++;
		ret = rxintr_sleep(qs, n, RXI_SLEEP_MS);
		if (ret > 0)
			wakes++;
	}
	wall = rxi_secs(CLOCK_MONOTONIC) - wall0;
	for (i = 0; i < n; i++)
		printf("port %u: rx=%" PRIu64 " tx=%" PRIu64
		       " dropped=%" PRIu64 "\n", qs[i].port,
		       stats[qs[i].port].rx, stats[qs[i].port].tx,
		       stats[qs[i].port].dropped);
	printf("cpu=%.2f%% sleeps=%" PRIu64 " wakes=%" PRIu64 "\n",
	       wall > 0 ? 100.0 * (rxi_secs(CLOCK_THREAD_CPUTIME_ID) - cpu0) /
	       wall : 0.0, sleeps, wakes);
	fflush(stdout);
	ret = 0;
out:
	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
