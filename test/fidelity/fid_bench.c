/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * fid_bench: throughput through port 0 for make bench-vs-netvsc. The same
 * binary runs over stock net_netvsc and over net_hvnet (bind-mounted over
 * the distro plugins) on hvsim's uio face, whose NIC reflects every frame:
 * each frame is sent once and received once by the guest.
 *
 *   fid_bench EAL-ARGS -- --queues N --frame BYTES [--frames N]
 *                         [--seconds S] [--window N] [--timeout-ms MS]
 *                         [--callgrind WARMUP] [--idle-polls N]
 *
 * --frame counts the FCS (64 sends 60-byte frames). Every EAL lcore runs
 * the same loop on its share of the queues (queue q on lcore q % lcores):
 * send UDP/IPv4 frames to the port's MAC from 64 source addresses per
 * queue (so RSS spreads the reflections), receive on its queues, check
 * each frame's length, magic and sequence number and that it is the first
 * copy. At most --window frames are in flight (sent, not yet received) over
 * all lcores: stock net_netvsc drops the frames of a host batch that do
 * not fit its software ring (see fid_traffic.h), so the window stays
 * below one ring. Sending stops after --frames frames or --seconds
 * seconds; Mpps is the frames received over the time from the first send
 * to the last receive.
 *
 * --callgrind WARMUP (one lcore, under valgrind --toggle-collect=fb_rx
 * --toggle-collect=fb_tx): lockstep - a whole window out, a pause for the
 * host (which valgrind does not slow down) to reflect it, then the frames
 * in full bursts. WARMUP frames first, then callgrind's counters are
 * zeroed, --frames frames are moved and dumped ("measure"), then
 * --idle-polls receive polls with nothing in flight are dumped ("idle"):
 * the cost of an empty poll, to be taken out of the measured part.
 *
 * Exits 0 only when every frame sent came back exactly once and intact.
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <valgrind/callgrind.h>

#include "fid_port.h"

#define FB_MAGIC	0x48434e42u	/* "BNCH" */
#define FB_MAX_Q	8
#define FB_BURST	32
#define FB_DESC		512
#define FB_FLOWS	64
/* Callgrind mode: time for the host (not under valgrind) to reflect a
 * whole window before the guest polls, so that bursts come back full and
 * the count does not depend on timing; a late host only adds empty polls,
 * which are taken out. */
#define FB_SETTLE_US	2000
#define FB_HDR_LEN	(sizeof(struct rte_ether_hdr) + \
			 sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

struct fb_payload {
	uint32_t magic;
	uint32_t seq;
	uint32_t len;
} __attribute__((packed));

/* Written by its own lcore only; the others read it (relaxed loads). */
struct fb_lcore {
	uint64_t tx, rx, bad, dup;
	uint64_t rx_calls, rx_empty, tx_calls, tx_short;
	uint64_t first_tsc, last_tsc;
	bool send_done;
	uint16_t q[FB_MAX_Q];
	uint32_t next[FB_MAX_Q];	/* next sequence number of q[i] */
	uint16_t nq;
} __rte_cache_aligned;

struct fb_cfg {
	uint16_t nq;
	uint16_t len;		/* frame without FCS */
	uint32_t per_q;		/* sequence numbers each queue owns */
	uint32_t window;
	uint32_t settle_us;	/* lockstep pause after a window, 0: off */
	uint64_t stop_tsc;	/* stop sending here (0: never) */
	uint64_t end_tsc;	/* give up here */
	uint8_t *seen;
	struct rte_mempool *mp;
	uint8_t hdr[FB_MAX_Q][FB_FLOWS][FB_HDR_LEN];
	uint32_t rxq[FB_MAX_Q];
};

static struct fb_cfg cfg;
static struct fb_lcore lc[RTE_MAX_LCORE];
static unsigned int n_lc;

static uint64_t
fb_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
fb_store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Frames sent and not yet back, over every lcore. */
static uint64_t
fb_in_flight(void)
{
	uint64_t tx = 0, back = 0;
	unsigned int i;

	for (i = 0; i < n_lc; i++) {
		back += fb_load(&lc[i].rx) + fb_load(&lc[i].bad) +
			fb_load(&lc[i].dup);
		tx += fb_load(&lc[i].tx);
	}
	return tx > back ? tx - back : 0;
}

static bool
fb_all_sent(void)
{
	unsigned int i;

	for (i = 0; i < n_lc; i++)
		if (!__atomic_load_n(&lc[i].send_done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/* The only calls callgrind collects: the driver's bursts behind ethdev.
 * Kept whole under their own names (GCC would clone fb_rx for port 0). */
#ifdef __clang__
#define FB_COLLECTED	__attribute__((noinline))
#else
#define FB_COLLECTED	__attribute__((noipa))
#endif

static FB_COLLECTED uint16_t
fb_rx(uint16_t q, struct rte_mbuf **pk, uint16_t n)
{
	return rte_eth_rx_burst(0, q, pk, n);
}

static FB_COLLECTED uint16_t
fb_tx(uint16_t q, struct rte_mbuf **pk, uint16_t n)
{
	return rte_eth_tx_burst(0, q, pk, n);
}

/* Every mbuf of the pool carries a whole frame from the start; a send
 * then writes only the headers and the payload header. Frames received
 * into pool mbufs are reflections of the same bytes. */
static void
fb_mbuf_init(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;
	uint8_t *p = (uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM;
	uint32_t i;

	RTE_SET_USED(mp);
	RTE_SET_USED(arg);
	RTE_SET_USED(idx);
	for (i = FB_HDR_LEN; i < cfg.len; i++)
		p[i] = (uint8_t)(i * 7u + 3u);
}

static void
fb_headers(const struct rte_ether_addr *mac)
{
	uint16_t q, f;

	for (q = 0; q < cfg.nq; q++) {
		for (f = 0; f < FB_FLOWS; f++) {
			uint8_t *p = cfg.hdr[q][f];
			struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
			struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

			memset(p, 0, FB_HDR_LEN);
			rte_ether_addr_copy(mac, &eth->dst_addr);
			eth->src_addr.addr_bytes[0] = 0x02;
			eth->src_addr.addr_bytes[5] = (uint8_t)q;
			eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			ip->version_ihl = RTE_IPV4_VHL_DEF;
			ip->total_length = rte_cpu_to_be_16(cfg.len -
						sizeof(*eth));
			ip->time_to_live = 64;
			ip->next_proto_id = IPPROTO_UDP;
			ip->src_addr = rte_cpu_to_be_32(0x0a000000u |
							q << 8 | f);
			ip->dst_addr = rte_cpu_to_be_32(0x0a010001u);
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			udp->src_port = rte_cpu_to_be_16(1024 + f);
			udp->dst_port = rte_cpu_to_be_16(9);
			udp->dgram_len = rte_cpu_to_be_16(cfg.len -
						sizeof(*eth) - sizeof(*ip));
		}
	}
}

enum fb_verdict { FB_OK, FB_BAD, FB_DUP };

static enum fb_verdict
fb_check(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct fb_payload pl;

	if (m->pkt_len != cfg.len || m->data_len != cfg.len)
		return FB_BAD;
	memcpy(&pl, p + FB_HDR_LEN, sizeof(pl));
	if (pl.magic != FB_MAGIC || pl.len != cfg.len ||
	    pl.seq >= (uint32_t)cfg.nq * cfg.per_q)
		return FB_BAD;
	/* Each sequence number arrives on one lcore at most once: a plain
	 * byte store is enough. */
	if (cfg.seen[pl.seq])
		return FB_DUP;
	cfg.seen[pl.seq] = 1;
	return FB_OK;
}

static void
fb_receive(struct fb_lcore *l, uint16_t q)
{
	struct rte_mbuf *pk[FB_BURST];
	uint64_t count[3] = { 0 };
	uint16_t n, i;

	do {
		n = fb_rx(q, pk, FB_BURST);
		l->rx_calls++;
		if (n == 0) {
			l->rx_empty++;
			break;
		}
		for (i = 0; i < n; i++)
			count[fb_check(pk[i])]++;
		cfg.rxq[q] += n;
		rte_pktmbuf_free_bulk(pk, n);
		l->last_tsc = rte_get_timer_cycles();
	} while (n == FB_BURST);
	/* Published for the other lcores' window accounting. */
	fb_store(&l->rx, l->rx + count[FB_OK]);
	fb_store(&l->bad, l->bad + count[FB_BAD]);
	fb_store(&l->dup, l->dup + count[FB_DUP]);
}

/* Send up to a burst on the lcore's i-th queue, short of @p stop. */
static void
fb_send(struct fb_lcore *l, uint16_t i, uint32_t stop)
{
	struct rte_mbuf *pk[FB_BURST];
	uint64_t room = cfg.window - RTE_MIN(fb_in_flight(),
					     (uint64_t)cfg.window);
	uint16_t q = l->q[i], n, k, sent;
	uint32_t *next = &l->next[i], left = stop - *next;

	n = (uint16_t)RTE_MIN((uint64_t)FB_BURST, room);
	n = (uint16_t)RTE_MIN((uint32_t)n, left);
	if (n == 0 || rte_pktmbuf_alloc_bulk(cfg.mp, pk, n) != 0)
		return;
	for (k = 0; k < n; k++) {
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(pk[k], cfg.len);
		struct fb_payload pl = {
			FB_MAGIC, q * cfg.per_q + *next + k, cfg.len
		};

		memcpy(p, cfg.hdr[q][pl.seq % FB_FLOWS], FB_HDR_LEN);
		memcpy(p + FB_HDR_LEN, &pl, sizeof(pl));
	}
	if (l->first_tsc == 0)
		l->first_tsc = rte_get_timer_cycles();
	sent = fb_tx(q, pk, n);
	l->tx_calls++;
	if (sent < n) {
		l->tx_short++;
		rte_pktmbuf_free_bulk(pk + sent, n - sent);
	}
	*next += sent;
	fb_store(&l->tx, l->tx + sent);
}

/* One burst on each of the lcore's queues that has frames left; in
 * lockstep (callgrind) mode, rounds until the window is full. Returns
 * whether frames are left. */
static bool
fb_send_round(struct fb_lcore *l, const uint32_t *stop)
{
	uint64_t before;
	bool more;
	uint16_t i;

	do {
		before = l->tx;
		more = false;
		for (i = 0; i < l->nq; i++) {
			if (l->next[i] < stop[i])
				fb_send(l, i, stop[i]);
			more |= l->next[i] < stop[i];
		}
	} while (cfg.settle_us != 0 && more && l->tx != before &&
		 fb_in_flight() < cfg.window);
	return more;
}

/* Move up to @p frames more per queue (0: up to the end of the queue's
 * sequence numbers), then wait until every frame is back or the deadline. */
static int
fb_loop(struct fb_lcore *l, uint32_t frames)
{
	uint32_t stop[FB_MAX_Q];
	bool sending = true;
	uint16_t i;

	for (i = 0; i < l->nq; i++)
		stop[i] = frames == 0 ? cfg.per_q :
			RTE_MIN(cfg.per_q, l->next[i] + frames);
	__atomic_store_n(&l->send_done, l->nq == 0, __ATOMIC_RELEASE);
	for (;;) {
		uint64_t now = rte_get_timer_cycles();

		if (sending && (cfg.settle_us == 0 || fb_in_flight() == 0)) {
			if (!fb_send_round(l, stop) ||
			    (cfg.stop_tsc != 0 && now > cfg.stop_tsc)) {
				sending = false;
				__atomic_store_n(&l->send_done, true,
						 __ATOMIC_RELEASE);
			}
		}
		/* Lockstep: a whole window out, time for the host to
		 * reflect all of it, then every frame in full bursts; a
		 * late host costs a few empty polls, not many. */
		if (cfg.settle_us != 0)
			rte_delay_us_sleep(cfg.settle_us);
		for (i = 0; i < l->nq; i++)
			fb_receive(l, l->q[i]);
		if (!sending && fb_all_sent() && fb_in_flight() == 0)
			return 0;
		if (now > cfg.end_tsc)
			return -ETIMEDOUT;
	}
}

static int
fb_worker(void *arg)
{
	RTE_SET_USED(arg);
	return fb_loop(&lc[rte_lcore_index(rte_lcore_id())], 0);
}

static int
fb_port_init(uint16_t nq, uint16_t n_lcores)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(0, &info);
	if (rc != 0)
		return rc;
	printf("FB: driver %s queues %u lcores %u frame %u window %u\n",
	       info.driver_name, nq, n_lcores, cfg.len + 4, cfg.window);
	if (nq > info.max_rx_queues || nq > info.max_tx_queues)
		return -EINVAL;
	if (nq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP &
			info.flow_type_rss_offloads;
	}
	rc = fid_port_start(&conf, nq, FB_DESC, cfg.mp);
	if (rc != 0)
		return rc;
	rte_eth_macaddr_get(0, &mac);
	fb_headers(&mac);
	return fid_port_link_wait("FB", 10000);
}

/* Callgrind mode: one lcore, warm-up, measured part, idle polls. */
static int
fb_callgrind(uint32_t warm, uint32_t frames, uint32_t idle_polls)
{
	struct fb_lcore *l = &lc[0], m0;
	uint32_t i;
	int rc;

	rc = fb_loop(l, warm / cfg.nq);
	if (rc != 0)
		return rc;
	m0 = *l;
	CALLGRIND_ZERO_STATS;
	rc = fb_loop(l, frames / cfg.nq);
	CALLGRIND_DUMP_STATS_AT("measure");
	if (rc != 0)
		return rc;
	printf("FB: callgrind measure frames=%" PRIu64 " rx_calls=%" PRIu64
	       " rx_empty=%" PRIu64 " tx_calls=%" PRIu64 " tx_short=%" PRIu64
	       "\n", l->rx - m0.rx, l->rx_calls - m0.rx_calls,
	       l->rx_empty - m0.rx_empty, l->tx_calls - m0.tx_calls,
	       l->tx_short - m0.tx_short);
	m0 = *l;
	CALLGRIND_ZERO_STATS;
	for (i = 0; i < idle_polls; i++)
		fb_receive(l, l->q[i % l->nq]);
	CALLGRIND_DUMP_STATS_AT("idle");
	printf("FB: callgrind idle polls=%" PRIu64 " empty=%" PRIu64 "\n",
	       l->rx_calls - m0.rx_calls, l->rx_empty - m0.rx_empty);
	return 0;
}

static int
fb_usage(void)
{
	fprintf(stderr, "FB: usage: fid_bench EAL-ARGS -- --queues 1..%u "
		"--frame 64..1518 [--frames N] [--seconds S] [--window N] "
		"[--timeout-ms MS] [--callgrind WARMUP] [--idle-polls N]\n",
		FB_MAX_Q);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "queues", required_argument, NULL, 'q' },
		{ "frame", required_argument, NULL, 'l' },
		{ "frames", required_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "callgrind", required_argument, NULL, 'c' },
		{ "idle-polls", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t frames = 1000000, timeout_ms = 60000, hz, sent = 0, back = 0;
	uint64_t bad = 0, dup = 0, first = UINT64_MAX, last = 0, rx_calls = 0;
	uint64_t rx_empty = 0, tx_calls = 0, tx_short = 0;
	double secs = 0, elapsed;
	uint32_t warm = 0, idle_polls = 10000;
	unsigned long frame = 64;
	struct rte_eth_stats es;
	unsigned int i, lcore;
	bool cg = false, pass;
	int rc, c;
	uint16_t q;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "FB: EAL init failed\n");
		return 1;
	}
	argc -= rc;
	argv += rc;
	cfg.nq = 1;
	cfg.window = 384;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'q': cfg.nq = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'l': frame = strtoul(optarg, NULL, 0); break;
		case 'f': frames = strtoull(optarg, NULL, 0); break;
		case 's': secs = strtod(optarg, NULL); break;
		case 'w': cfg.window = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': timeout_ms = strtoull(optarg, NULL, 0); break;
		case 'c':
			cg = true;
			warm = (uint32_t)strtoul(optarg, NULL, 0);
			cfg.settle_us = FB_SETTLE_US;
			break;
		case 'i': idle_polls = (uint32_t)strtoul(optarg, NULL, 0); break;
		default: return fb_usage();
		}
	}
	if (cfg.nq < 1 || cfg.nq > FB_MAX_Q || frame < 64 || frame > 1518 ||
	    frames < cfg.nq || frames > 100000000 || cfg.window < 1 ||
	    cfg.window >= FB_DESC || secs < 0 || (cg && rte_lcore_count() != 1))
		return fb_usage();
	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "FB: no port probed\n");
		return 1;
	}
	cfg.len = (uint16_t)(frame - 4);
	/* The warm-up takes sequence numbers too. */
	cfg.per_q = (uint32_t)((frames + warm) / cfg.nq);
	cfg.seen = calloc((size_t)cfg.nq * cfg.per_q, 1);
	cfg.mp = rte_pktmbuf_pool_create("fb", 8191, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE,
					 rte_socket_id());
	if (cfg.seen == NULL || cfg.mp == NULL) {
		fprintf(stderr, "FB: out of memory\n");
		return 1;
	}
	rte_mempool_obj_iter(cfg.mp, fb_mbuf_init, NULL);
	n_lc = RTE_MIN(rte_lcore_count(), (unsigned int)cfg.nq);
	for (q = 0; q < cfg.nq; q++) {
		struct fb_lcore *l = &lc[q % n_lc];

		l->q[l->nq++] = q;
	}
	rc = fb_port_init(cfg.nq, (uint16_t)n_lc);
	if (rc != 0) {
		fprintf(stderr, "FB: port setup failed: %d\n", rc);
		return 1;
	}
	hz = rte_get_timer_hz();
	cfg.end_tsc = rte_get_timer_cycles() + timeout_ms * hz / 1000;
	if (secs > 0)
		cfg.stop_tsc = rte_get_timer_cycles() + (uint64_t)(secs * hz);
	if (cg) {
		rc = fb_callgrind(warm, (uint32_t)frames, idle_polls);
	} else {
		/* Lcores past the queues (and past n_lc) sit idle. */
		RTE_LCORE_FOREACH_WORKER(lcore) {
			if ((unsigned int)rte_lcore_index(lcore) < n_lc)
				rte_eal_remote_launch(fb_worker, NULL, lcore);
		}
		rc = fb_worker(NULL);
		RTE_LCORE_FOREACH_WORKER(lcore) {
			int w = rte_eal_wait_lcore(lcore);

			if (rc == 0 && w != 0)
				rc = w;
		}
	}
	for (i = 0; i < n_lc; i++) {
		sent += lc[i].tx;
		back += lc[i].rx;
		bad += lc[i].bad;
		dup += lc[i].dup;
		rx_calls += lc[i].rx_calls;
		rx_empty += lc[i].rx_empty;
		tx_calls += lc[i].tx_calls;
		tx_short += lc[i].tx_short;
		if (lc[i].first_tsc != 0)
			first = RTE_MIN(first, lc[i].first_tsc);
		last = RTE_MAX(last, lc[i].last_tsc);
	}
	elapsed = last > first ? (double)(last - first) / hz : 0;
	rte_eth_stats_get(0, &es);
	printf("FB: sent=%" PRIu64 " received=%" PRIu64 " bad=%" PRIu64
	       " duplicate=%" PRIu64 " missing=%" PRIu64 " seconds=%.3f"
	       " mpps=%.4f\n", sent, back, bad, dup,
	       sent > back ? sent - back : 0, elapsed,
	       elapsed > 0 ? back / elapsed / 1e6 : 0.0);
	printf("FB: per rx queue:");
	for (q = 0; q < cfg.nq; q++)
		printf(" %u", cfg.rxq[q]);
	printf("\nFB: rx_calls=%" PRIu64 " rx_empty=%" PRIu64 " tx_calls=%"
	       PRIu64 " tx_short=%" PRIu64 " ethdev ipackets=%" PRIu64
	       " opackets=%" PRIu64 " imissed=%" PRIu64 "\n", rx_calls,
	       rx_empty, tx_calls, tx_short, es.ipackets, es.opackets,
	       es.imissed);
	pass = rc == 0 && sent > 0 && back == sent && bad == 0 && dup == 0;
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	free(cfg.seen);
	rte_eal_cleanup();
	printf("FB: %s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
