/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * fwd: forwards every frame port 2n receives out of port 2n+1 and back (a
 * lone last port sends back out of itself), on the main lcore. It knows
 * nothing of hvnet: the NICs are whatever the EAL arguments give it, here
 * net_hvnet ports that EAL loads as plugins or that the binary links.
 *
 *   fwd [EAL args] -- [-t SECONDS]
 *
 * Runs SECONDS (default: until SIGINT/SIGTERM), then prints one line per
 * port, "port P: rx=N tx=N dropped=N", and shuts everything down.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define FWD_BURST	32
#define FWD_RING	1024
#define FWD_MBUFS	8191
#define FWD_MAX_PORTS	RTE_MAX_ETHPORTS

struct fwd_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t dropped;
};

static volatile bool fwd_quit;
static struct fwd_stats stats[FWD_MAX_PORTS];

static void
fwd_on_signal(int sig)
{
	RTE_SET_USED(sig);
	fwd_quit = true;
}

static int
fwd_port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, FWD_RING,
					     rte_eth_dev_socket_id(port), NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, FWD_RING,
					     rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0) {
		fprintf(stderr, "fwd: port %u: cannot start: %s\n", port,
			rte_strerror(-ret));
		return ret;
	}
	/* Frames for other MAC addresses are forwarded too; a driver
	 * without the notion keeps its default. */
	ret = rte_eth_promiscuous_enable(port);
	if (ret != 0 && ret != -ENOTSUP)
		fprintf(stderr, "fwd: port %u: promiscuous: %s\n", port,
			rte_strerror(-ret));
	return 0;
}

static void
fwd_burst(uint16_t from, uint16_t to)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t n, sent, i;

	n = rte_eth_rx_burst(from, 0, pkts, FWD_BURST);
	if (n == 0)
		return;
	sent = rte_eth_tx_burst(to, 0, pkts, n);
	for (i = sent; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	stats[from].rx += n;
	stats[to].tx += sent;
	stats[to].dropped += n - sent;
}

static int
fwd_args(int argc, char **argv, unsigned int *seconds)
{
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't')
			return -EINVAL;
		errno = 0;
		*seconds = strtoul(optarg, &end, 10);
		if (errno != 0 || *end != '\0' || end == optarg)
			return -EINVAL;
	}
	return optind == argc ? 0 : -EINVAL;
}

int
main(int argc, char **argv)
{
	uint16_t ports[FWD_MAX_PORTS], n_ports = 0, port, i;
	unsigned int seconds = 0;
	struct rte_mempool *mp;
	uint64_t deadline;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "fwd: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (fwd_args(argc - ret, argv + ret, &seconds) != 0) {
		fprintf(stderr, "usage: %s [EAL args] -- [-t SECONDS]\n",
			argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	RTE_ETH_FOREACH_DEV(port)
		ports[n_ports++] = port;
	if (n_ports == 0) {
		fprintf(stderr, "fwd: no ports: ask for NICs in the EAL "
			"arguments\n");
		rte_eal_cleanup();
		return 1;
	}
	mp = rte_pktmbuf_pool_create("fwd_mbufs", FWD_MBUFS, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "fwd: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	for (i = 0; i < n_ports; i++)
		if (fwd_port_start(ports[i], mp) != 0)
			goto out;
	printf("fwd: forwarding on %u port(s)\n", n_ports);
	fflush(stdout);

	signal(SIGINT, fwd_on_signal);
	signal(SIGTERM, fwd_on_signal);
	deadline = rte_get_timer_cycles() + seconds * rte_get_timer_hz();
	while (!fwd_quit &&
	       (seconds == 0 || rte_get_timer_cycles() < deadline)) {
		for (i = 0; i + 1 < n_ports; i += 2) {
			fwd_burst(ports[i], ports[i + 1]);
			fwd_burst(ports[i + 1], ports[i]);
		}
		if (n_ports % 2 != 0)
			fwd_burst(ports[n_ports - 1], ports[n_ports - 1]);
	}
	for (i = 0; i < n_ports; i++)
		printf("port %u: rx=%" PRIu64 " tx=%" PRIu64
		       " dropped=%" PRIu64 "\n", ports[i], stats[ports[i]].rx,
		       stats[ports[i]].tx, stats[ports[i]].dropped);
	fflush(stdout);
	ret = 0;
out:
	for (i = 0; i < n_ports; i++) {
		rte_eth_dev_stop(ports[i]);
		rte_eth_dev_close(ports[i]);
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
