/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Shared helpers of the net_hvnet tests: EAL start-up with the embedded
 * hvsim (or one of the test's own behind a socket), port set-up, frame
 * builders and bounded receive loops. Every wait has a deadline.
 */

#ifndef PMD_TEST_H
#define PMD_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "hv_clock.h"
#include "check.h"
#include "sim.h"
#include "hvsim.h"
#include "hvsim_netvsp.h"
#include "rndis.h"

static inline uint64_t
pt_ms(void)
{
	return hv_now_ms();
}

#define PT_EAL_MORE	4	/* EAL arguments a test may add */

/* EAL with the simulator (--vdev=hvbus_sim): @p nics NICs and the keys
 * @p args (socket= names a daemon); @p more: further EAL arguments up
 * to a NULL. */
static inline int
pt_eal_init_va(const char *prog, const char *nics, const char *args,
	       va_list more)
{
	static char prefix[64], vdev[640];
	const char *base = strrchr(prog, '/');
	char *argv[9 + PT_EAL_MORE + 1] = {
		(char *)(uintptr_t)prog, (char *)"--no-huge", (char *)"-m",
		(char *)"512", (char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--log-level=pmd.net.hvnet.*:info", prefix, vdev,
	};
	const char *arg;
	int argc = 9;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d",
		 base != NULL ? base + 1 : prog, (int)getpid());
	snprintf(vdev, sizeof(vdev), "--vdev=hvbus_sim,nics=%s,%s", nics,
		 args);
	while ((arg = va_arg(more, const char *)) != NULL) {
		if (argc == 9 + PT_EAL_MORE)
			return -E2BIG;
		argv[argc++] = (char *)(uintptr_t)arg;
	}
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

static inline int __attribute__((sentinel))
pt_eal_initl(const char *prog, const char *nics, const char *args, ...)
{
	va_list ap;
	int rc;

	va_start(ap, args);
	rc = pt_eal_init_va(prog, nics, args, ap);
	va_end(ap);
	return rc;
}

static inline int
pt_eal_init(const char *prog, const char *nics, const char *args)
{
	return pt_eal_initl(prog, nics, args, NULL);
}

/* @p extra: one more EAL argument or NULL. */
static inline int
pt_eal_init_x(const char *prog, const char *nics, const char *args,
	      const char *extra)
{
	return pt_eal_initl(prog, nics, args, extra, NULL);
}

/*
 * A host of the test's own behind a socket in a fresh directory (@p dir,
 * a mkdtemp() template): one NIC whose port generates @p count 60-byte
 * frames over 64 flows at @p rate_pps (0: as fast as the guest takes
 * them) and sinks what comes back. @p path gets the socket; the test
 * removes both at its end. Whatever fails ends the test.
 */
static inline struct hvsim *
pt_gen_host(const char *name, char *dir, char *path, size_t path_len,
	    uint64_t count, uint64_t rate_pps)
{
	struct hvsim_config cfg;
	struct hvsim *h;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, path_len, "%s/hvsim.sock", dir);
	hvsim_config_init(&cfg, 1);
	cfg.name = name;
	cfg.nic[0].port.kind = HVSIM_PORT_GEN_SINK;
	cfg.nic[0].port.gen.frame_len = 60;
	cfg.nic[0].port.gen.flows = 64;
	cfg.nic[0].port.gen.count = count;
	cfg.nic[0].port.gen.rate_pps = rate_pps;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(hvsim_listen(h, path) == 0);
	REQUIRE(hvsim_start(h) == 0);
	return h;
}

/*
 * The start every test shares: EAL as pt_eal_initl() with the
 * arguments after @p h; in @p h, unless NULL, the embedded hvsim;
 * returned, a pool "pt" of @p nb_mbufs default-sized mbufs (none when
 * 0). Whatever fails ends the test.
 */
static inline struct rte_mempool * __attribute__((sentinel))
pt_setup(const char *prog, const char *nics, const char *args,
	 unsigned int nb_mbufs, struct hvsim **h, ...)
{
	struct rte_mempool *mp = NULL;
	va_list ap;
	int rc;

	va_start(ap, h);
	rc = pt_eal_init_va(prog, nics, args, ap);
	va_end(ap);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	if (h != NULL) {
		*h = hvbus_sim_hvsim();
		REQUIRE(*h != NULL, "no embedded hvsim");
	}
	if (nb_mbufs != 0) {
		mp = rte_pktmbuf_pool_create("pt", nb_mbufs, 0, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
		REQUIRE(mp != NULL, "a pool of %u mbufs", nb_mbufs);
	}
	return mp;
}

/* Configure @p nq queue pairs (RSS when nq > 1) and start. */
static inline int
pt_port_start(uint16_t port, uint16_t nq, struct rte_mempool *mp,
	      uint64_t rx_ol, uint64_t tx_ol, uint16_t nb_desc)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	if (nq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP |
			RTE_ETH_RSS_TCP;
		conf.rx_adv_conf.rss_conf.rss_hf &= RTE_ETH_RSS_IPV4 |
			RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV6 |
			RTE_ETH_RSS_NONFRAG_IPV6_TCP;
	}
	conf.intr_conf.lsc = 1;
	conf.rxmode.offloads = rx_ol;
	conf.txmode.offloads = tx_ol;
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		return rc;
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_desc, 0, NULL, mp);
		if (rc != 0)
			return rc;
		rc = rte_eth_tx_queue_setup(port, q, nb_desc, 0, NULL);
		if (rc != 0)
			return rc;
	}
	return rte_eth_dev_start(port);
}

/* An Ethernet + IPv4 + UDP (or TCP) frame of @p len bytes whose payload
 * carries @p seq and a pattern derived from it. */
static inline struct rte_mbuf *
pt_frame(struct rte_mempool *mp, uint16_t port, uint32_t len, uint32_t seq,
	 uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t l4len = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
		sizeof(struct rte_udp_hdr);
	uint32_t hdr = sizeof(*eh) + sizeof(*ip) + l4len, i;
	uint8_t *p;

	if (m == NULL || len < hdr + 4 || len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	memset(p, 0, hdr);
	eh = (struct rte_ether_hdr *)p;
	rte_eth_macaddr_get(port, &eh->dst_addr);
	eh->src_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } };
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001 + (seq & 0xff));
	ip->dst_addr = rte_cpu_to_be_32(0x0a0000fe);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

		t->src_port = rte_cpu_to_be_16(sport);
		t->dst_port = rte_cpu_to_be_16(dport);
		t->data_off = 5 << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG;
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

		u->src_port = rte_cpu_to_be_16(sport);
		u->dst_port = rte_cpu_to_be_16(dport);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh) -
							   sizeof(*ip)));
	}
	memcpy(p + hdr, &seq, 4);
	for (i = hdr + 4; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	m->l2_len = sizeof(*eh);
	m->l3_len = sizeof(*ip);
	return m;
}

/* Send all of @p pkts (retrying a bounded time). Returns how many went. */
static inline uint16_t
pt_tx_all(uint16_t port, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t end = pt_ms() + 3000;
	uint16_t sent = 0;

	while (sent < n && pt_ms() < end) {
		sent += rte_eth_tx_burst(port, q, pkts + sent, n - sent);
		/* Descriptors come back when the rx queue is polled: the
		 * callers keep batches below the descriptor count. */
		if (sent < n)
			usleep(100);
	}
	return sent;
}

/* Receive up to @p want frames from queue @p q within @p ms. */
static inline uint16_t
pt_rx_until(uint16_t port, uint16_t q, struct rte_mbuf **out, uint16_t want,
	    unsigned int ms)
{
	uint64_t end = pt_ms() + ms;
	uint16_t got = 0;

	while (got < want && pt_ms() < end) {
		uint16_t n = rte_eth_rx_burst(port, q, out + got,
					      RTE_MIN(32, want - got));

		got += n;
		if (n == 0)
			usleep(50);
	}
	return got;
}

static inline void
pt_free(struct rte_mbuf **m, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

/* Wait up to @p ms for the link state @p up, polling rx queue 0 (the
 * host's indications arrive there while the port runs). */
static inline int
pt_wait_link(uint16_t port, int up, unsigned int ms)
{
	struct rte_eth_link l;
	uint64_t end = pt_ms() + ms;

	do {
		if (rte_eth_link_get_nowait(port, &l) == 0 &&
		    l.link_status == up)
			return 0;
		/* The indication comes through rx queue 0. */
		{
			struct rte_mbuf *m[8];
			pt_free(m, rte_eth_rx_burst(port, 0, m, 8));
		}
		usleep(1000);
	} while (pt_ms() < end);
	return -ETIMEDOUT;
}

/* Send @p n frames on queue 0, of sizes cycling through @p sizes (a
 * reflecting host): every one must come back intact, in order. */
static inline void
pt_integrity(uint16_t port, struct rte_mempool *mp, const uint32_t *sizes,
	     unsigned int nsizes, unsigned int n)
{
	struct rte_mbuf *tx[64], *ref[64], *rx[64];
	unsigned int done = 0, bad = 0;

	while (done < n) {
		uint16_t k = (uint16_t)RTE_MIN(32u, n - done), i, got, sent;

		for (i = 0; i < k; i++) {
			tx[i] = pt_frame(mp, port, sizes[(done + i) % nsizes],
					 done + i, IPPROTO_UDP, 1000, 2000);
			REQUIRE(tx[i] != NULL);
			ref[i] = rte_pktmbuf_copy(tx[i], mp, 0, UINT32_MAX);
			REQUIRE(ref[i] != NULL);
		}
		sent = pt_tx_all(port, 0, tx, k);
		CHECK_EQ(sent, k);
		got = pt_rx_until(port, 0, rx, sent, 3000);
		CHECK_EQ(got, sent);
		for (i = 0; i < got && i < k; i++) {
			if (rx[i]->pkt_len != ref[i]->pkt_len ||
			    memcmp(rte_pktmbuf_mtod(rx[i], void *),
				   rte_pktmbuf_mtod(ref[i], void *),
				   ref[i]->pkt_len) != 0)
				bad++;
		}
		pt_free(rx, got);
		pt_free(ref, k);
		pt_free(tx + sent, k - sent);
		done += k;
	}
	CHECK_EQ(bad, 0);
}

/* Extended statistic @p name of @p port, -1 if there is none. */
static inline long long
pt_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return -1;
	return (long long)v;
}

/* Ask this process's telemetry socket for @p cmd (as dpdk-telemetry.py
 * does); the JSON answer in @p buf. Returns its length or -errno. */
static inline int
pt_telemetry(const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd, rc = -EIO;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    recv(fd, buf, len - 1, 0) > 0 &&
	    send(fd, cmd, strlen(cmd), 0) == (ssize_t)strlen(cmd)) {
		n = recv(fd, buf, len - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			rc = (int)n;
		}
	}
	close(fd);
	return rc;
}

/* Integer field "@p key" of a JSON answer, -1 if absent. */
static inline long long
pt_json_int(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p != NULL ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static inline void
pt_report(struct hvsim *h)
{
	char buf[4096];

	if (h != NULL && hvsim_violations(h) != 0) {
		hvsim_report(h, buf, sizeof(buf));
		fprintf(stderr, "hvsim report:\n%s\n", buf);
	}
}

/*
 * The end every single-port test shares, pt_setup()'s counterpart: the
 * port stopped and closed, every mbuf back in @p mp and in the @p nmore
 * pools of @p more (a test's own tx pool), no violation at the host, EAL
 * cleaned up (which ends the embedded hvsim) and none found at its exit
 * either.
 */
static inline void
pt_teardown_pools(uint16_t port, struct rte_mempool *mp,
		  struct rte_mempool *const *more, unsigned int nmore,
		  struct hvsim *h)
{
	unsigned int i;

	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	for (i = 0; i < nmore; i++)
		CHECK_EQ(rte_mempool_in_use_count(more[i]), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
}

static inline void
pt_teardown(uint16_t port, struct rte_mempool *mp, struct hvsim *h)
{
	pt_teardown_pools(port, mp, NULL, 0, h);
}

#endif /* PMD_TEST_H */
