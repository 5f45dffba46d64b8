/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Shared helpers of the rescind suite: EAL with the embedded hvsim and
 * every NIC blocked (the test probes each one itself, after arming a
 * hook when it wants to), per-port "lost" (RMV, or LSC down: a persistent
 * port) and "back" (LSC up) counters, a worker thread
 * that runs one blocking ethdev call while the main thread plays the
 * host, bounded waits on hvsim's statistics, and a traffic check over
 * every queue. Every wait has a deadline; main() also arms alarm().
 */

#ifndef RESCIND_TEST_H
#define RESCIND_TEST_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "hv_clock.h"
#include "check.h"
#include "sim.h"
#include "hvsim.h"

#define RT_MAX_NICS	16

static inline uint64_t
rt_us(void)
{
	return hv_now_ns() / 1000;
}

static inline uint64_t
rt_ms(void)
{
	return rt_us() / 1000;
}

/* "hvbus:<instance GUID of NIC @p nic>" (devargs form) or the bare GUID
 * (the device and ethdev name). */
static inline void
rt_nic_name(unsigned int nic, char *buf, size_t len, int with_bus)
{
	uint8_t g[16];

	hvsim_nic_instance_guid(nic, g);
	/* Wire order: the first three fields little-endian. */
	snprintf(buf, len, "%s%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", with_bus ? "hvbus:" : "",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* EAL --no-huge with the simulator (--vdev=hvbus_sim) offering @p nics
 * NICs, all of them blocked from the initial probe; @p bus_args: more
 * of its keys. */
static inline int
rt_eal_init(const char *prog, unsigned int nics, const char *bus_args)
{
	static char prefix[64], vdev[256];
	static char blk[RT_MAX_NICS][80];
	char *argv[9 + 2 * RT_MAX_NICS];
	const char *base = strrchr(prog, '/');
	unsigned int i;
	int argc = 0;

	if (nics > RT_MAX_NICS)
		return -EINVAL;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d",
		 base != NULL ? base + 1 : prog, (int)getpid());
	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"512";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--no-shconf";
	argv[argc++] = prefix;
	for (i = 0; i < nics; i++) {
		char g[64];

		rt_nic_name(i, g, sizeof(g), 1);
		snprintf(blk[i], sizeof(blk[i]), "--block=%s", g);
		argv[argc++] = blk[i];
	}
	snprintf(vdev, sizeof(vdev), "--vdev=hvbus_sim,nics=%u,%s", nics,
		 bus_args);
	argv[argc++] = vdev;
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

/* ---- events ---- */

static unsigned int rt_lost[RTE_MAX_ETHPORTS], rt_back[RTE_MAX_ETHPORTS];
static unsigned int rt_new;	/* RTE_ETH_EVENT_NEW, any port */
static uint64_t rt_lost_us[RTE_MAX_ETHPORTS], rt_back_us[RTE_MAX_ETHPORTS];

static int
rt_event_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	struct rte_eth_link l;
	bool up;

	(void)arg;
	(void)ret;
	if (port >= RTE_MAX_ETHPORTS)
		return 0;
	if (ev == RTE_ETH_EVENT_NEW) {
		__atomic_add_fetch(&rt_new, 1, __ATOMIC_RELEASE);
		return 0;
	}
	up = ev == RTE_ETH_EVENT_INTR_LSC &&
		rte_eth_link_get_nowait(port, &l) == 0 && l.link_status;
	if (ev == RTE_ETH_EVENT_INTR_RMV ||
	    (ev == RTE_ETH_EVENT_INTR_LSC && !up)) {
		__atomic_store_n(&rt_lost_us[port], rt_us(), __ATOMIC_RELAXED);
		__atomic_add_fetch(&rt_lost[port], 1, __ATOMIC_RELEASE);
	} else if (up) {
		__atomic_store_n(&rt_back_us[port], rt_us(),
				 __ATOMIC_RELAXED);
		__atomic_add_fetch(&rt_back[port], 1, __ATOMIC_RELEASE);
	}
	return 0;
}

/* Wait until the port reports link up (a persistent port is back) or
 * @p ms pass. */
static inline int
rt_wait_link_up(uint16_t port, unsigned int ms)
{
	uint64_t end = rt_ms() + ms;
	struct rte_eth_link l;

	do {
		if (rte_eth_link_get_nowait(port, &l) == 0 && l.link_status)
			return 0;
		usleep(1000);
	} while (rt_ms() < end);
	return -ETIMEDOUT;
}

static inline int
rt_events_register(void)
{
	int rc;

	rc = rte_eth_dev_callback_register(RTE_ETH_ALL,
					   RTE_ETH_EVENT_INTR_RMV,
					   rt_event_cb, NULL);
	if (rc == 0)
		rc = rte_eth_dev_callback_register(RTE_ETH_ALL,
						   RTE_ETH_EVENT_INTR_LSC,
						   rt_event_cb, NULL);
	if (rc == 0)
		rc = rte_eth_dev_callback_register(RTE_ETH_ALL,
						   RTE_ETH_EVENT_NEW,
						   rt_event_cb, NULL);
	return rc;
}

static inline void
rt_events_unregister(void)
{
	rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RMV,
					rt_event_cb, NULL);
	rte_eth_dev_callback_unregister(RTE_ETH_ALL,
					RTE_ETH_EVENT_INTR_LSC,
					rt_event_cb, NULL);
	rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
					rt_event_cb, NULL);
}

static inline unsigned int
rt_get(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Wait until *p >= want, at most @p ms. 0 or -ETIMEDOUT. */
static inline int
rt_wait_ge(const unsigned int *p, unsigned int want, unsigned int ms)
{
	uint64_t end = rt_ms() + ms;

	while (rt_get(p) < want) {
		if (rt_ms() > end)
			return -ETIMEDOUT;
		usleep(200);
	}
	return 0;
}

/* ---- hvsim ---- */

static inline uint64_t
rt_released(struct hvsim *h, unsigned int nic)
{
	struct hvsim_nic_stats st;

	if (hvsim_nic_stats(h, nic, &st) != 0)
		return UINT64_MAX;
	return st.released;
}

/* Wait until NIC @p nic's released count reaches @p want, then check it
 * stays there for @p settle_ms (a further release would be a double).
 * Returns the count seen last. */
static inline uint64_t
rt_wait_released(struct hvsim *h, unsigned int nic, uint64_t want,
		 unsigned int ms, unsigned int settle_ms)
{
	uint64_t end = rt_ms() + ms, r;

	for (;;) {
		r = rt_released(h, nic);
		if (r >= want || rt_ms() > end)
			break;
		usleep(100);
	}
	if (settle_ms != 0 && r == want) {
		usleep(settle_ms * 1000);
		r = rt_released(h, nic);
	}
	return r;
}

static inline void
rt_report(struct hvsim *h)
{
	char buf[4096];

	if (h != NULL && hvsim_violations(h) != 0) {
		hvsim_report(h, buf, sizeof(buf));
		fprintf(stderr, "hvsim report:\n%s\n", buf);
	}
}

/* ---- one blocking ethdev call in a thread of its own ---- */

enum rt_op {
	RT_OP_PROBE,
	RT_OP_CONFIGURE,
	RT_OP_START,
	RT_OP_STOP,
	RT_OP_CLOSE,
	RT_OP_RESET,
};

struct rt_worker {
	enum rt_op op;
	const char *devargs;	/* RT_OP_PROBE */
	uint16_t port;
	uint16_t nq;		/* RT_OP_CONFIGURE */
	struct rte_mempool *mp;	/* RT_OP_CONFIGURE: queues set up too */
	volatile int go;	/* set by the main thread, 0 = at once */
	int wait_go;
	volatile int running;	/* the call is about to begin */
	int rc;
	uint64_t us;		/* duration of the call */
	volatile int done;
	pthread_t tid;
};

/* Configure @p nq queue pairs (RSS when nq > 1) and set them up. */
static inline int
rt_configure(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	if (nq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4 |
			RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	}
	/* A persistent port tells its loss and return by link events. */
	conf.intr_conf.lsc = 1;
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		return rc;
	for (q = 0; q < nq && mp != NULL; q++) {
		rc = rte_eth_rx_queue_setup(port, q, 256, 0, NULL, mp);
		if (rc != 0)
			return rc;
		rc = rte_eth_tx_queue_setup(port, q, 256, 0, NULL);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void *
rt_worker_main(void *arg)
{
	struct rt_worker *w = arg;
	uint64_t t0;

	while (w->wait_go && !w->go)
		;
	t0 = rt_us();
	w->running = 1;
	switch (w->op) {
	case RT_OP_PROBE:
		w->rc = rte_dev_probe(w->devargs);
		break;
	case RT_OP_CONFIGURE:
		w->rc = rt_configure(w->port, w->nq, w->mp);
		break;
	case RT_OP_START:
		w->rc = rte_eth_dev_start(w->port);
		break;
	case RT_OP_STOP:
		w->rc = rte_eth_dev_stop(w->port);
		break;
	case RT_OP_CLOSE:
		w->rc = rte_eth_dev_close(w->port);
		break;
	case RT_OP_RESET:
		w->rc = rte_eth_dev_reset(w->port);
		break;
	}
	w->us = rt_us() - t0;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static inline int
rt_worker_start(struct rt_worker *w)
{
	w->done = 0;
	w->rc = -EINPROGRESS;
	return pthread_create(&w->tid, NULL, rt_worker_main, w);
}

/* Join the worker if it finishes within @p ms; -ETIMEDOUT (not joined)
 * otherwise. */
static inline int
rt_worker_join(struct rt_worker *w, unsigned int ms)
{
	uint64_t end = rt_ms() + ms;

	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)) {
		if (rt_ms() > end)
			return -ETIMEDOUT;
		usleep(200);
	}
	pthread_join(w->tid, NULL);
	return 0;
}

/* ---- traffic ---- */

/* A TCP/IPv4 frame of @p len bytes to the port's MAC; the source port
 * varies so that RSS spreads the reflected frames over every queue. */
static inline struct rte_mbuf *
rt_frame(struct rte_mempool *mp, const struct rte_ether_addr *dst,
	 uint32_t len, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *t;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	eh = (struct rte_ether_hdr *)p;
	eh->dst_addr = *dst;
	eh->src_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001 + (seq & 0xff));
	ip->dst_addr = rte_cpu_to_be_32(0x0a0000fe);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	t = (struct rte_tcp_hdr *)(ip + 1);
	t->src_port = rte_cpu_to_be_16((uint16_t)(1024 + seq * 7));
	t->dst_port = rte_cpu_to_be_16(80);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_ACK_FLAG;
	memcpy((uint8_t *)(t + 1), &seq, sizeof(seq));
	return m;
}

/* Send @p n frames over queue 0 in bursts of 32 and receive them back
 * (hvsim reflects) on any of @p nq queues within @p ms. Returns the
 * number received; @p qmask gets a bit per queue that received. */
static inline unsigned int
rt_traffic(uint16_t port, uint16_t nq, struct rte_mempool *mp,
	   unsigned int n, unsigned int ms, uint32_t *qmask)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *b[32];
	unsigned int sent = 0, got = 0, i, k;
	uint64_t end = rt_ms() + ms;
	uint16_t q, r;

	*qmask = 0;
	if (rte_eth_macaddr_get(port, &mac) != 0)
		return 0;
	while (got < n && rt_ms() < end) {
		if (sent < n && sent - got < 128) {
			k = RTE_MIN(32u, n - sent);
			for (i = 0; i < k; i++) {
				b[i] = rt_frame(mp, &mac, 128, sent + i);
				if (b[i] == NULL)
					break;
			}
			r = rte_eth_tx_burst(port, 0, b, (uint16_t)i);
			for (k = r; k < i; k++)
				rte_pktmbuf_free(b[k]);
			sent += r;
		}
		for (q = 0; q < nq; q++) {
			r = rte_eth_rx_burst(port, q, b, 32);
			if (r != 0)
				*qmask |= 1u << q;
			got += r;
			for (i = 0; i < r; i++)
				rte_pktmbuf_free(b[i]);
		}
	}
	return got;
}

#endif /* RESCIND_TEST_H */
