/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet's VF (accelerated networking) path against the embedded hvsim,
 * with net_ring ports as the VFs: their ring pairs are the "VF wire" the
 * test plays the other end of.
 *   nic0 (devarg vf=net_ring_vf0, 2 queues): association naming a missing port (a
 *     clear log, stays synthetic); association -> hvsim sees the switch,
 *     frames both ways through the VF's rings with payload checks, the host
 *     sees none of them, stats and xstats; removal -> switch back, VF port
 *     stopped and released, traffic on the synthetic path again; 100 more
 *     add/remove cycles with traffic and no mbuf leak.
 *   nic1 (no devarg, 1 queue, a net_null port as the VF): no port with
 *     its MAC (a clear log), then the port with its MAC is found and used;
 *     stopping the port with the VF in use switches back and releases it.
 */

#include "pmd_test.h"

#include <rte_eth_ring.h>
#include <rte_ring.h>

#define NQ0	2
#define WAIT_MS	5000

static struct hvsim *h;
static struct rte_mempool *mp;

/* hvnet's log lines, captured to look for what the driver told the user. */
static char *log_buf;
static size_t log_len;
static FILE *log_f;

static void
log_capture(void)
{
	log_f = open_memstream(&log_buf, &log_len);
	REQUIRE(log_f != NULL);
	rte_openlog_stream(log_f);
}

static void
log_release(void)
{
	rte_openlog_stream(NULL);
	fclose(log_f);
	fputs(log_buf, stderr);
	free(log_buf);
	log_buf = NULL;
	log_f = NULL;
}

static bool
log_has(const char *s)
{
	fflush(log_f);
	return log_buf != NULL && strstr(log_buf, s) != NULL;
}

static void
nic_devargs(unsigned int nic, const char *args, char *buf, size_t len)
{
	uint8_t g[16];

	hvsim_nic_instance_guid(nic, g);
	snprintf(buf, len, "hvbus:%02x%02x%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x-%02x%02x%02x%02x%02x%02x%s%s", g[3], g[2], g[1],
		 g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15], args[0] != '\0' ? "," : "", args);
}

static uint16_t
probe(unsigned int nic, const char *args)
{
	char da[160], name[72];
	uint16_t port;

	nic_devargs(nic, args, da, sizeof(da));
	REQUIRE(rte_dev_probe(da) == 0, "probe %s", da);
	nic_devargs(nic, "", name, sizeof(name));
	REQUIRE(rte_eth_dev_get_port_by_name(name + strlen("hvbus:"),
					     &port) == 0);
	return port;
}

/* A net_ring port with @p nq queue pairs; its rings in @p rx / @p tx. */
static uint16_t
ring_port(const char *name, unsigned int nq, struct rte_ring **rx,
	  struct rte_ring **tx)
{
	char rn[RTE_RING_NAMESIZE];
	unsigned int q;
	int port;

	for (q = 0; q < nq; q++) {
		snprintf(rn, sizeof(rn), "%s_r%u", name, q);
		rx[q] = rte_ring_create(rn, 1024, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(rn, sizeof(rn), "%s_t%u", name, q);
		tx[q] = rte_ring_create(rn, 1024, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		REQUIRE(rx[q] != NULL && tx[q] != NULL);
	}
	port = rte_eth_from_rings(name, rx, nq, tx, nq, 0);
	REQUIRE(port >= 0, "rte_eth_from_rings: %d", port);
	return (uint16_t)port;
}

static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) == 0)
		rte_eth_xstats_get_by_id(port, &id, &v, 1);
	return v;
}

/* Wait until extended statistic @p name is @p want: the host switches
 * when the guest's message arrives, the driver counts the switch when
 * the host's answer reaches its control thread, later on a loaded
 * machine. Returns the last value read. */
static uint64_t
xstat_wait(uint16_t port, const char *name, uint64_t want)
{
	uint64_t end = pt_ms() + WAIT_MS, v;

	while ((v = xstat(port, name)) != want && pt_ms() < end)
		usleep(1000);
	return v;
}

static uint64_t
owner_of(uint16_t port)
{
	struct rte_eth_dev_owner o;

	if (rte_eth_dev_owner_get(port, &o) != 0)
		return UINT64_MAX;
	return o.id;
}

/* Poll every queue of @p port (the association arrives through rx queue
 * 0; frames that come meanwhile are dropped) until hvsim's NIC @p nic
 * reports the data path @p vf, or @p log appears. */
static int
wait_host(uint16_t port, uint16_t nq, unsigned int nic, int vf,
	  const char *log)
{
	struct hvsim_nic_stats st;
	struct rte_mbuf *m[32];
	uint64_t end = pt_ms() + WAIT_MS;
	uint16_t q;

	do {
		for (q = 0; q < nq; q++)
			pt_free(m, rte_eth_rx_burst(port, q, m, 32));
		if (log != NULL) {
			if (log_has(log))
				return 0;
		} else if (hvsim_nic_stats(h, nic, &st) == 0 &&
			   st.vf_active == (vf != 0)) {
			return 0;
		}
		usleep(1000);
	} while (pt_ms() < end);
	return -ETIMEDOUT;
}

/* The driver gives the VF back (owner cleared) after it switched back. */
static int
wait_released(uint16_t vfp, uint16_t port, uint16_t nq)
{
	struct rte_mbuf *m[32];
	uint64_t end = pt_ms() + WAIT_MS;
	uint16_t q;

	do {
		if (owner_of(vfp) == RTE_ETH_DEV_NO_OWNER)
			return 0;
		for (q = 0; q < nq; q++)
			pt_free(m, rte_eth_rx_burst(port, q, m, 32));
		usleep(1000);
	} while (pt_ms() < end);
	return -ETIMEDOUT;
}

/* Let the host complete what the tx queues sent and take the mbufs back,
 * so that the pool's in-use count means "held by someone": poll until
 * the count is @p want (UINT32_MAX: until it held still for 100 ms), or
 * WAIT_MS. A loaded machine takes longer, never less. Returns the count. */
static unsigned int
settle(uint16_t port, uint16_t nq, unsigned int want)
{
	struct rte_mbuf *m[32];
	uint64_t end = pt_ms() + WAIT_MS, still = pt_ms();
	unsigned int n = rte_mempool_in_use_count(mp), c;
	uint16_t q;

	while (pt_ms() < end) {
		for (q = 0; q < nq; q++) {
			pt_free(m, rte_eth_rx_burst(port, q, m, 32));
			rte_eth_tx_done_cleanup(port, q, 0);
		}
		c = rte_mempool_in_use_count(mp);
		if (c != n) {
			n = c;
			still = pt_ms();
		}
		if (want == UINT32_MAX ? pt_ms() - still >= 100 : n == want)
			break;
		usleep(1000);
	}
	return n;
}

static bool
same(const struct rte_mbuf *a, const struct rte_mbuf *b)
{
	return a->pkt_len == b->pkt_len &&
		memcmp(rte_pktmbuf_mtod(a, const void *),
		       rte_pktmbuf_mtod(b, const void *), a->pkt_len) == 0;
}

/* @p n frames on each queue: sent on hvnet queue q they must come out of
 * the VF's tx ring q; put into the VF's rx ring q they must come out of
 * hvnet's rx queue q. Returns the frames that arrived intact. */
static unsigned int
vf_traffic(uint16_t port, uint16_t nq, struct rte_ring **rx,
	   struct rte_ring **tx, unsigned int n)
{
	struct rte_mbuf *b[32], *ref[32], *got[32];
	unsigned int ok = 0, i, k;
	uint16_t q;

	REQUIRE(n <= 32);
	for (q = 0; q < nq; q++) {
		/* guest -> VF wire */
		for (i = 0; i < n; i++) {
			b[i] = pt_frame(mp, port, 64 + 61 * i, i, IPPROTO_UDP,
					q, 9);
			REQUIRE(b[i] != NULL);
			ref[i] = rte_pktmbuf_copy(b[i], mp, 0, UINT32_MAX);
			REQUIRE(ref[i] != NULL);
		}
		k = pt_tx_all(port, q, b, (uint16_t)n);
		CHECK_EQ(k, n);
		pt_free(b + k, (uint16_t)(n - k));
		k = rte_ring_dequeue_burst(tx[q], (void **)got, 32, NULL);
		CHECK_EQ(k, n);
		for (i = 0; i < k && i < n; i++)
			ok += same(got[i], ref[i]);
		pt_free(got, (uint16_t)k);
		/* VF wire -> guest */
		for (i = 0; i < n; i++) {
			b[i] = rte_pktmbuf_copy(ref[i], mp, 0, UINT32_MAX);
			REQUIRE(b[i] != NULL);
		}
		CHECK_EQ(rte_ring_enqueue_burst(rx[q], (void **)b, n, NULL),
			 n);
		k = pt_rx_until(port, q, got, (uint16_t)n, 3000);
		CHECK_EQ(k, n);
		for (i = 0; i < k && i < n; i++) {
			ok += same(got[i], ref[i]);
			CHECK_EQ(got[i]->port, port);
		}
		pt_free(got, (uint16_t)k);
		pt_free(ref, (uint16_t)n);
	}
	return ok;
}

/* Frames through the synthetic path (hvsim reflects them; RSS spreads
 * them over the @p nq queues). */
static unsigned int
synth_traffic(uint16_t port, uint16_t nq, unsigned int n)
{
	struct rte_mbuf *b[32], *ref[32], *got[32];
	unsigned int ok = 0, i, j, k = 0;
	uint64_t end = pt_ms() + 3000;
	uint16_t q;

	for (i = 0; i < n; i++) {
		b[i] = pt_frame(mp, port, 100 + 37 * i, i, IPPROTO_UDP, 1, 2);
		REQUIRE(b[i] != NULL);
		ref[i] = rte_pktmbuf_copy(b[i], mp, 0, UINT32_MAX);
		REQUIRE(ref[i] != NULL);
	}
	CHECK_EQ(pt_tx_all(port, 0, b, (uint16_t)n), n);
	while (k < n && pt_ms() < end)
		for (q = 0; q < nq; q++)
			k += rte_eth_rx_burst(port, q, got + k,
					      (uint16_t)(n - k));
	CHECK_EQ(k, n);
	/* Each frame carries its index right after the headers. */
	for (i = 0; i < k; i++)
		for (j = 0; j < n; j++)
			ok += same(got[i], ref[j]);
	pt_free(got, (uint16_t)k);
	pt_free(ref, (uint16_t)n);
	return ok;
}

static void
case_devarg(void)
{
	struct rte_ring *rx[NQ0], *tx[NQ0];
	struct hvsim_nic_stats st, st0;
	struct rte_eth_stats es;
	struct rte_eth_conf conf;
	uint16_t port, vfp, q;
	unsigned int i, base;
	uint64_t t0;

	fprintf(stderr, "case devarg\n");
	port = probe(0, "vf=net_ring_vf0");
	REQUIRE(pt_port_start(port, NQ0, mp, 0, 0, 512) == 0);

	/* The host associates a VF but no port vf0 exists yet. */
	log_capture();
	CHECK_EQ(hvsim_vf(h, 0, true, 7), 0);
	CHECK_EQ(wait_host(port, NQ0, 0, 0,
			   "no ethdev named \"net_ring_vf0\""), 0);
	log_release();
	CHECK_EQ(hvsim_nic_stats(h, 0, &st), 0);
	CHECK_EQ(st.vf_active, 0);
	CHECK_EQ(st.vf_switches, 0);
	CHECK_EQ(synth_traffic(port, NQ0, 32), 32);
	CHECK_EQ(hvsim_vf(h, 0, false, 0), 0);

	/* Now with the port: association -> the host sees the switch. */
	vfp = ring_port("vf0", NQ0, rx, tx);
	CHECK_EQ(owner_of(vfp), RTE_ETH_DEV_NO_OWNER);
	CHECK_EQ(rte_eth_stats_reset(port), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &st0), 0);
	t0 = pt_ms();
	/* Another serial: the host announces it even if it merged the
	 * removal above with this addition. */
	CHECK_EQ(hvsim_vf(h, 0, true, 8), 0);
	CHECK_EQ(wait_host(port, NQ0, 0, 1, NULL), 0);
	fprintf(stderr, "  switched to the VF %llu ms after the association\n",
		(unsigned long long)(pt_ms() - t0));
	CHECK(owner_of(vfp) != RTE_ETH_DEV_NO_OWNER, "VF port taken over");

	/* Both ways through the VF, none of it through the host. */
	CHECK_EQ(vf_traffic(port, NQ0, rx, tx, 32), 2 * 32 * NQ0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &st), 0);
	CHECK_EQ(st.tx_pkts, st0.tx_pkts);
	CHECK_EQ(st.tx_while_vf, 0);
	CHECK_EQ(st.vf_switches, st0.vf_switches + 1);
	CHECK_EQ(rte_eth_stats_get(port, &es), 0);
	CHECK_EQ(es.opackets, 32 * NQ0);
	CHECK_EQ(es.ipackets, 32 * NQ0);
	CHECK_EQ(xstat(port, "vf_tx_packets"), 32 * NQ0);
	CHECK_EQ(xstat(port, "vf_rx_packets"), 32 * NQ0);
	CHECK_EQ(xstat(port, "vf_tx_bytes"), es.obytes);
	CHECK_EQ(xstat(port, "vf_rx_bytes"), es.ibytes);
	CHECK_EQ(xstat(port, "vf_active"), 1);
	CHECK_EQ(xstat_wait(port, "vf_switches", 1), 1);
	CHECK_EQ(xstat(port, "rx_q1_vf_packets"), 32);

	/* Removal: back on the synthetic path, the VF stopped and free. */
	CHECK_EQ(hvsim_vf(h, 0, false, 0), 0);
	CHECK_EQ(wait_host(port, NQ0, 0, 0, NULL), 0);
	CHECK_EQ(wait_released(vfp, port, NQ0), 0);
	CHECK_EQ(xstat(port, "vf_active"), 0);
	memset(&conf, 0, sizeof(conf));
	/* Configuring is refused while a port runs. */
	CHECK_EQ(rte_eth_dev_configure(vfp, NQ0, NQ0, &conf), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &st0), 0);
	CHECK_EQ(synth_traffic(port, NQ0, 32), 32);
	CHECK_EQ(hvsim_nic_stats(h, 0, &st), 0);
	CHECK_EQ(st.tx_pkts, st0.tx_pkts + 32);
	for (q = 0; q < NQ0; q++)
		CHECK_EQ(rte_ring_count(tx[q]), 0);

	/* Add and remove 100 times, with traffic each time: no mbuf is
	 * lost on the way. */
	base = settle(port, NQ0, UINT32_MAX);
	t0 = pt_ms();
	rte_log_set_level_pattern("pmd.net.hvnet.*", RTE_LOG_NOTICE);
	for (i = 0; i < 100; i++) {
		CHECK_EQ(hvsim_vf(h, 0, true, 100 + i), 0);
		if (wait_host(port, NQ0, 0, 1, NULL) != 0) {
			CHECK(0, "cycle %u: no switch to the VF", i);
			break;
		}
		CHECK_EQ(vf_traffic(port, NQ0, rx, tx, 4), 2 * 4 * NQ0);
		CHECK_EQ(hvsim_vf(h, 0, false, 0), 0);
		if (wait_host(port, NQ0, 0, 0, NULL) != 0 ||
		    wait_released(vfp, port, NQ0) != 0) {
			CHECK(0, "cycle %u: no switch back", i);
			break;
		}
	}
	rte_log_set_level_pattern("pmd.net.hvnet.*", RTE_LOG_INFO);
	fprintf(stderr, "  %u add/remove cycles in %llu ms\n", i,
		(unsigned long long)(pt_ms() - t0));
	CHECK_EQ(settle(port, NQ0, base), base);
	CHECK_EQ(hvsim_nic_stats(h, 0, &st), 0);
	CHECK_EQ(st.tx_while_vf, 0);
	CHECK_EQ(xstat_wait(port, "vf_switches", 101), 101);

	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_eth_dev_close(vfp), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
}

static void
case_mac(void)
{
	struct hvsim_nic_stats st;
	struct rte_ether_addr mac;
	struct rte_eth_stats es;
	struct rte_mbuf *b[16];
	uint16_t port, vfp;
	unsigned int i;
	int rc;

	fprintf(stderr, "case mac\n");
	port = probe(1, "");
	REQUIRE(pt_port_start(port, 1, mp, 0, 0, 512) == 0);
	rte_eth_macaddr_get(port, &mac);

	/* A port exists, but not with our MAC. net_null: its MAC can be
	 * set (net_ring's cannot); it drops what it sends and makes up
	 * what it receives. */
	REQUIRE(rte_dev_probe("net_null_vf1") == 0);
	REQUIRE(rte_eth_dev_get_port_by_name("net_null_vf1", &vfp) == 0);
	log_capture();
	CHECK_EQ(hvsim_vf(h, 1, true, 3), 0);
	CHECK_EQ(wait_host(port, 1, 1, 0, "no free ethdev has MAC"), 0);
	log_release();
	CHECK_EQ(hvsim_nic_stats(h, 1, &st), 0);
	CHECK_EQ(st.vf_active, 0);
	CHECK_EQ(owner_of(vfp), RTE_ETH_DEV_NO_OWNER);
	CHECK_EQ(synth_traffic(port, 1, 16), 16);

	/* With our MAC it is the VF (Azure pairs them this way). */
	rc = rte_eth_dev_default_mac_addr_set(vfp, &mac);
	REQUIRE(rc == 0, "net_null MAC set: %d", rc);
	CHECK_EQ(hvsim_vf(h, 1, true, 4), 0);
	CHECK_EQ(wait_host(port, 1, 1, 1, NULL), 0);
	CHECK(owner_of(vfp) != RTE_ETH_DEV_NO_OWNER, "VF port taken over");
	CHECK_EQ(rte_eth_stats_reset(port), 0);
	for (i = 0; i < 16; i++)
		REQUIRE((b[i] = pt_frame(mp, port, 200, i, IPPROTO_UDP, 5,
					 6)) != NULL);
	CHECK_EQ(pt_tx_all(port, 0, b, 16), 16);
	CHECK_EQ(xstat(port, "vf_tx_packets"), 16);
	CHECK_EQ(pt_rx_until(port, 0, b, 16, 1000), 16);
	pt_free(b, 16);
	CHECK(xstat(port, "vf_rx_packets") >= 16, "frames from the VF");
	CHECK_EQ(rte_eth_stats_get(port, &es), 0);
	CHECK_EQ(es.opackets, 16);
	CHECK_EQ(hvsim_nic_stats(h, 1, &st), 0);
	CHECK_EQ(st.tx_while_vf, 0);

	/* Closing the port with the VF in use switches back first and
	 * gives the VF back. */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(hvsim_nic_stats(h, 1, &st), 0);
	CHECK_EQ(st.vf_active, 0);
	CHECK_EQ(owner_of(vfp), RTE_ETH_DEV_NO_OWNER);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_eth_dev_close(vfp), 0);
}

int
main(int argc, char **argv)
{
	static char blk[2][80];
	char g[72];
	unsigned int i;

	(void)argc;
	alarm(170);
	/* Both NICs blocked: each is probed with its own devargs. */
	for (i = 0; i < 2; i++) {
		nic_devargs(i, "", g, sizeof(g));
		snprintf(blk[i], sizeof(blk[i]), "--block=%s", g);
	}
	mp = pt_setup(argv[0], "2", "timeout_ms=30000", 4095, &h, blk[0],
		      blk[1], NULL);

	case_devarg();
	case_mac();

	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_vf");
}
