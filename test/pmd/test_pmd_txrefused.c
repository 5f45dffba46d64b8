/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The transmit ring refusing frames (it is full: -EAGAIN) leaves the
 * queue as it was. A GPA-direct frame with offloads writes its own RNDIS
 * header layout into its descriptor's header area before the ring is
 * asked; when the ring refuses it the descriptor stays free, and the next
 * frame without offloads - which writes only the template's two lengths
 * there - takes it: the template must be back. A run of GPA-direct frames
 * the ring stops in the middle hands back the rest of the burst unsent.
 * A tagged chain of more pages than a request may name is refused before
 * the ring (dropped, counted) and must put the template back too.
 *
 * Deterministic: the test pumps its own hvsim (hvsim_poll() in a thread
 * it can park), so with the host parked the 16 KiB ring fills and
 * refuses long before the descriptors run out; the host holds its data
 * completions, so no descriptor is freed on top of the refused one and
 * the next frame takes it. Every frame sent comes back once, intact,
 * tagged exactly when it was sent tagged.
 */

#include <pthread.h>

#include "pmd_test.h"

#define NIC0	"69737668-006d-494e-8043-00155d000000"
#define FLEN	1000u		/* above tx_copybreak: GPA-direct */
#define NB_DESC	512u		/* more than the 16 KiB ring holds */
#define BURST	16u
#define MAXSEQ	NB_DESC
#define WAIT_MS	20000u		/* generous: a loaded machine */
/* The page ranges a request names at most (the driver's HVN_TX_MAX_PB). */
#define MAX_PB	64u

static struct hvsim *h;
static struct rte_mempool *mp;
static const uint16_t port;

/* The pump: hvsim_poll() while on; parked (no host iteration at all)
 * once pump_set(false) returned. */
static pthread_mutex_t pump_mx = PTHREAD_MUTEX_INITIALIZER;
static bool pump_on = true, pump_quit;

static void *
pump(void *arg)
{
	bool on, quit;
	int rc = 0;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pump_mx);
		on = pump_on;
		quit = pump_quit;
		if (on && !quit)
			rc = hvsim_poll(h);
		pthread_mutex_unlock(&pump_mx);
		if (quit)
			return NULL;
		if (!on || rc <= 0)
			usleep(50);
	}
}

static void
pump_set(bool on)
{
	pthread_mutex_lock(&pump_mx);
	pump_on = on;
	pthread_mutex_unlock(&pump_mx);
}

/* Frames sent and not yet back: 1 plain, 2 tagged. */
static uint8_t want[MAXSEQ];
static uint32_t nwant;

static uint16_t
tci(uint32_t seq)
{
	return (uint16_t)(0x100 + seq);
}

static struct rte_mbuf *
frame(uint32_t seq, bool tagged)
{
	struct rte_mbuf *m;

	REQUIRE(seq < MAXSEQ, "seq %u: the ring never refused", seq);
	m = pt_frame(mp, port, FLEN, seq, IPPROTO_UDP, 9, 10);
	REQUIRE(m != NULL);
	if (tagged) {
		m->ol_flags = RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = tci(seq);
	}
	return m;
}

/* Frames pkts[0..n) were taken by the driver. */
static void
expect(struct rte_mbuf *const *pkts, uint16_t n)
{
	uint32_t seq;
	uint16_t i;

	for (i = 0; i < n; i++) {
		memcpy(&seq, rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, 42),
		       sizeof(seq));
		REQUIRE(seq < MAXSEQ && want[seq] == 0);
		want[seq] = (pkts[i]->ol_flags & RTE_MBUF_F_TX_VLAN) ? 2 : 1;
		nwant++;
	}
}

/* A frame back from the host: one we sent and wait for, byte for byte. */
static void
check_back(struct rte_mbuf *m)
{
	struct rte_mbuf *ref;
	uint32_t seq = UINT32_MAX;

	if (m->pkt_len >= 46)
		memcpy(&seq, rte_pktmbuf_mtod_offset(m, uint8_t *, 42),
		       sizeof(seq));
	CHECK(seq < MAXSEQ && want[seq] != 0, "frame of %u bytes, seq %u: "
	      "not one waited for", m->pkt_len, seq);
	if (!(seq < MAXSEQ && want[seq] != 0)) {
		rte_pktmbuf_free(m);
		return;
	}
	ref = pt_frame(mp, port, FLEN, seq, IPPROTO_UDP, 9, 10);
	REQUIRE(ref != NULL);
	CHECK_EQ(m->pkt_len, FLEN);
	CHECK(m->nb_segs == 1 && m->pkt_len == FLEN &&
	      memcmp(rte_pktmbuf_mtod(m, void *), rte_pktmbuf_mtod(ref, void *),
		     FLEN) == 0, "seq %u: frame intact", seq);
	CHECK_EQ(!!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED),
		 want[seq] == 2);
	if (want[seq] == 2)
		CHECK_EQ(m->vlan_tci, tci(seq));
	want[seq] = 0;
	nwant--;
	rte_pktmbuf_free(ref);
	rte_pktmbuf_free(m);
}

/* A tagged chain of MAX_PB segments (a range each, one more for
 * the header: more than a request names) of @p seq. */
static struct rte_mbuf *
long_chain(uint32_t seq)
{
	struct rte_mbuf *m = frame(seq, true), *t;
	uint32_t i;

	REQUIRE(rte_pktmbuf_trim(m, FLEN - 20) == 0);
	for (i = 1; i < MAX_PB; i++) {
		t = rte_pktmbuf_alloc(mp);
		REQUIRE(t != NULL && rte_pktmbuf_append(t, 20) != NULL);
		REQUIRE(rte_pktmbuf_chain(m, t) == 0);
	}
	return m;
}

/* Everything sent comes back (the host pumped). */
static void
collect(const char *what)
{
	struct rte_mbuf *rx[32];
	uint64_t end = pt_ms() + WAIT_MS;
	uint16_t n, i;

	while (nwant != 0 && pt_ms() < end) {
		n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));
		for (i = 0; i < n; i++)
			check_back(rx[i]);
		if (n == 0)
			usleep(100);
	}
	CHECK(nwant == 0, "%s: %u frames not back", what, nwant);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-txrefused.XXXXXX", path[128], args[160];
	struct rte_mbuf *b[BURST], *left[BURST], *refused, *m;
	const uint64_t rx_ol = RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	const uint64_t tx_ol = RTE_ETH_TX_OFFLOAD_VLAN_INSERT |
		RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	struct hvsim_nic_stats hs;
	struct hvsim_config cfg;
	uint32_t seq = 0, sent, held, i;
	uint16_t n, nleft = 0;
	pthread_t thr;
	int rc;

	(void)argc;
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/hvsim.sock", dir);
	hvsim_config_init(&cfg, 1);
	cfg.name = "txrefused";
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(hvsim_listen(h, path) == 0);
	REQUIRE(pthread_create(&thr, NULL, pump, NULL) == 0);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=30000", path);
	mp = pt_setup(argv[0], "1", args, 4095, NULL,
		      "--allow=hvbus:" NIC0 ",tx_ring_size=16384", NULL);
	rc = pt_port_start(port, 1, mp, rx_ol, tx_ol, NB_DESC);
	REQUIRE(rc == 0, "start: %d", rc);
	CHECK_EQ(pt_wait_link(port, 1, 10000), 0);
	/* No descriptor comes back from here on until the release. */
	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, true), 0);
	/* The queue bound to its channel before the host is parked. */
	m = frame(seq++, false);
	CHECK_EQ(pt_tx_all(port, 0, &m, 1), 1);
	expect(&m, 1);
	collect("first frame");

	pump_set(false);
	/* Runs of plain frames until the ring stops one: what the burst
	 * took goes, the rest stays the caller's. */
	for (;;) {
		for (i = 0; i < BURST; i++)
			b[i] = frame(seq + i, false);
		n = rte_eth_tx_burst(port, 0, b, BURST);
		expect(b, n);
		seq += BURST;
		if (n < BURST) {
			for (i = n; i < BURST; i++)
				left[nleft++] = b[i];
			break;
		}
	}
	sent = seq - nleft;
	/* Tagged frames one by one until the ring refuses one: it wrote its
	 * layout into the area of the descriptor on top of the free stack,
	 * which stays there. */
	for (;;) {
		refused = frame(seq++, true);
		n = rte_eth_tx_burst(port, 0, &refused, 1);
		if (n == 0)
			break;
		expect(&refused, 1);
		sent++;
	}
	printf("pmd_txrefused: %u frames in flight (%u descriptors), %u "
	       "plain ones handed back\n", sent, NB_DESC, nleft);
	pump_set(true);
	collect("frames in the ring");
	/* No completion came back: the refused descriptor is still on top
	 * of the free stack. */
	held = 0;
	for (i = 0; i < WAIT_MS / 10 && held != sent; i++) {
		rc = hvsim_netvsp_held_cmplt(h, 0);
		held = rc < 0 ? 0 : (uint32_t)rc;
		if (held != sent)
			usleep(10000);
	}
	CHECK_EQ(held, sent);
	CHECK_EQ(pt_xstat(port, "tx_q0_ring_full"), 2);

	/* A plain frame takes that descriptor: sent with the template, or
	 * with the refused frame's VLAN layout under its two lengths. */
	m = frame(seq++, false);
	CHECK_EQ(rte_eth_tx_burst(port, 0, &m, 1), 1);
	expect(&m, 1);
	collect("plain frame after the refused tagged one");
	/* What was handed back goes now. */
	CHECK_EQ(pt_tx_all(port, 0, &refused, 1), 1);
	expect(&refused, 1);
	CHECK_EQ(pt_tx_all(port, 0, left, nleft), nleft);
	expect(left, nleft);
	collect("frames handed back, sent again");

	/* The tagged long chain is dropped where it is described, after its
	 * layout went into the area of the descriptor on top; the next
	 * plain frame takes that descriptor. */
	m = long_chain(seq++);
	CHECK_EQ(m->nb_segs, MAX_PB);
	CHECK_EQ(rte_eth_tx_burst(port, 0, &m, 1), 1);
	CHECK_EQ(pt_xstat(port, "tx_q0_errors"), 1);
	m = frame(seq++, false);
	CHECK_EQ(rte_eth_tx_burst(port, 0, &m, 1), 1);
	expect(&m, 1);
	collect("plain frame after the dropped tagged chain");

	CHECK_EQ(hvsim_netvsp_hold_cmplt(h, 0, false), 0);
	rc = hvsim_netvsp_release_cmplt(h, 0, 0, false, WAIT_MS);
	CHECK(rc >= 0, "release held completions: %d", rc);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.tx_bad, 0);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(rte_eal_cleanup(), 0);
	pthread_mutex_lock(&pump_mx);
	pump_quit = true;
	pthread_mutex_unlock(&pump_mx);
	pthread_join(thr, NULL);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return check_exit("pmd_txrefused");
}
