/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The rescind race matrix at the ethdev level. hvsim's hooks hold the
 * host at one step of the guest's sequence while an ethdev call runs in a
 * worker thread; the host rescinds the NIC there and lets go. Cases:
 *   probe_open    rescind while the host holds the probe's OPENCHANNEL
 *   probe_gpadl   rescind between the ring's GPADL_CREATED and the open
 *   probe_nvsp    rescind while the host holds the probe's NVSP INIT
 *   configure     rescind while the host holds the subchannel request of
 *                 rte_eth_dev_configure() with 4 queues
 *   start         rescind at swept delays into rte_eth_dev_start() (no
 *                 hook step exists for its RNDIS SETs)
 *   stop          rescind at swept delays into rte_eth_dev_stop() with tx
 *                 completions outstanding
 *   close         rescind while the host holds the first CLOSECHANNEL of
 *                 rte_eth_dev_close() of a started 4-queue port
 *   reoffer_early the host re-offers before the guest's release of the
 *                 previous relid arrived (held behind a hook)
 *   reattach_nvsp rescind again while the port re-attaches by itself
 *                 after a re-offer (held at NVSP INIT)
 *   vf_switch     rescind while the host holds the guest's SWITCH_DATA_PATH
 *                 to a VF (a net_ring port) the work thread has taken
 * Each case ends with the call returned well before the control deadline,
 * each rescinded relid released exactly once (hvsim's released count,
 * stable afterwards), hvsim's checker clean after the release, the
 * process alive, and - the ports are persistent - a re-offer after which
 * the port comes back by itself and forwards on every queue.
 */

#include <rte_eth_ring.h>
#include <rte_ring.h>

#include "rescind_test.h"

#define N_NICS		10
/* Bus and PMD deadlines are 30 s: a call that fails "fast" (within a
 * third of that, room for a loaded machine) failed because of the rescind,
 * not because of a deadline. Every wait ends as soon as its condition
 * holds; the bounds only decide when a wait has failed. */
#define DEADLINE_MS	30000
#define FAST_MS		10000
#define HOOK_MS		15000
#define JOIN_MS		20000

static struct hvsim *h;
static struct rte_mempool *mp;

static int
port_of(unsigned int nic, uint16_t *port)
{
	char name[64];

	rt_nic_name(nic, name, sizeof(name), 0);
	return rte_eth_dev_get_port_by_name(name, port);
}

static void
clean(const char *what)
{
	unsigned int v = hvsim_violations(h);

	CHECK_EQ(v, 0);
	if (v != 0) {
		fprintf(stderr, "after %s:\n", what);
		rt_report(h);
	}
}

/* The port of NIC @p nic comes back by itself after a re-offer (unless
 * @p reoffered already); a port the application had not started is then
 * configured with @p nq queues and started; traffic on every queue. */
static void
come_back(unsigned int nic, uint16_t port, uint16_t nq, bool reoffered,
	  bool started)
{
	unsigned int got;
	uint32_t qmask;

	if (!reoffered)
		CHECK_EQ(hvsim_reoffer(h, nic), 0);
	CHECK_EQ(rt_wait_link_up(port, HOOK_MS), 0);
	if (!started) {
		CHECK_EQ(rt_configure(port, nq, mp), 0);
		CHECK_EQ(rte_eth_dev_start(port), 0);
	}
	got = rt_traffic(port, nq, mp, 512, 3000, &qmask);
	CHECK_EQ(got, 512);
	CHECK_EQ(qmask, (1u << nq) - 1);
}

static void
close_port(uint16_t port)
{
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
}

/* Rescind during the probe, the host held at @p step. */
static void
case_probe(unsigned int nic, enum hvsim_step step, const char *what)
{
	struct rt_worker w = { .op = RT_OP_PROBE };
	char devargs[80];
	uint16_t port;
	uint64_t rel, t0;
	unsigned int n0;

	fprintf(stderr, "case %s\n", what);
	rt_nic_name(nic, devargs, sizeof(devargs), 1);
	w.devargs = devargs;
	REQUIRE(hvsim_hook_arm(h, nic, step) == 0);
	REQUIRE(rt_worker_start(&w) == 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, HOOK_MS), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	REQUIRE(rt_worker_join(&w, JOIN_MS) == 0, "probe hangs");
	CHECK(w.rc < 0, "probe of a rescinded NIC: %d", w.rc);
	CHECK(w.us < FAST_MS * 1000ull, "%s: probe failed after %llu us",
	      what, (unsigned long long)w.us);
	CHECK(port_of(nic, &port) != 0, "no port left behind");
	rel = rt_wait_released(h, nic, 1, HOOK_MS, 20);
	CHECK_EQ(rel, 1);
	clean(what);
	fprintf(stderr, "  probe rc %d after %llu us, released %llu\n",
		w.rc, (unsigned long long)w.us, (unsigned long long)rel);

	/* The host offers the NIC again. No driver holds the device: the
	 * bus probes it by itself (on its work thread) and the application
	 * sees a new port (RTE_ETH_EVENT_NEW) that forwards. */
	n0 = rt_get(&rt_new);
	CHECK_EQ(hvsim_reoffer(h, nic), 0);
	t0 = rt_us();
	CHECK_EQ(rt_wait_ge(&rt_new, n0 + 1, HOOK_MS), 0);
	fprintf(stderr, "  new port by itself after the re-offer: %llu us\n",
		(unsigned long long)(rt_us() - t0));
	if (rt_get(&rt_new) > n0 && port_of(nic, &port) == 0) {
		unsigned int got;
		uint32_t qm;

		CHECK_EQ(rt_configure(port, 2, mp), 0);
		CHECK_EQ(rte_eth_dev_start(port), 0);
		got = rt_traffic(port, 2, mp, 256, 3000, &qm);
		CHECK_EQ(got, 256);
		close_port(port);
	} else {
		CHECK(0, "%s: no port after the re-offer", what);
	}
	CHECK_EQ(rt_released(h, nic), 1);
	clean(what);
}

static uint16_t
probe_port(unsigned int nic)
{
	char devargs[80];
	uint16_t port = UINT16_MAX;

	rt_nic_name(nic, devargs, sizeof(devargs), 1);
	REQUIRE(rte_dev_probe(devargs) == 0, "probe nic%u", nic);
	REQUIRE(port_of(nic, &port) == 0);
	/* Port ids are reused after a close: count this port's events
	 * from zero. */
	__atomic_store_n(&rt_lost[port], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&rt_back[port], 0, __ATOMIC_RELEASE);
	return port;
}

/* Rescind while configure(4 queues) waits for the subchannel answer;
 * with @p early the host also re-offers before the guest's release
 * reached it. */
static void
case_configure(unsigned int nic, bool early)
{
	const char *what = early ? "reoffer_early" : "configure";
	struct rt_worker w = { .op = RT_OP_CONFIGURE, .nq = 4 };
	struct hvsim_nic_stats st;
	uint16_t port = probe_port(nic);

	fprintf(stderr, "case %s\n", what);
	w.port = port;
	w.mp = mp;
	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_SUBCHAN_REQ) == 0);
	REQUIRE(rt_worker_start(&w) == 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, HOOK_MS), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	if (early) {
		/* The guest's RELID_RELEASED, if sent, queues behind the
		 * hook: the re-offer must wait for it. */
		CHECK_EQ(hvsim_reoffer(h, nic), 0);
		CHECK_EQ(hvsim_nic_stats(h, nic, &st), 0);
		CHECK_EQ(st.released, 0);
		CHECK_EQ(st.reoffers, 1);
	}
	REQUIRE(rt_worker_join(&w, JOIN_MS) == 0, "configure hangs");
	CHECK(w.rc < 0, "configure on a rescinded NIC: %d", w.rc);
	CHECK(w.us < FAST_MS * 1000ull, "configure failed after %llu us",
	      (unsigned long long)w.us);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	/* Only the primary existed: the subchannels were never offered. */
	CHECK_EQ(rt_wait_released(h, nic, 1, HOOK_MS, 20), 1);
	clean(what);
	fprintf(stderr, "  configure rc %d after %llu us\n", w.rc,
		(unsigned long long)w.us);
	/* The failed configure rolled the port back to unconfigured: it
	 * comes back with the primary only, and is configured again. */
	come_back(nic, port, 4, early, false);
	close_port(port);
	CHECK_EQ(rt_released(h, nic), 1);
	clean(what);
}

/* Rescind at swept delays after rte_eth_dev_start() began. */
static void
case_start(unsigned int nic)
{
	uint16_t port = probe_port(nic);
	unsigned int i, iters = 24, in_call = 0, after = 0;
	uint64_t start_us, rel = 0;
	int rc;

	fprintf(stderr, "case start\n");
	REQUIRE(rt_configure(port, 4, mp) == 0);
	/* How long a start takes here. */
	start_us = rt_us();
	REQUIRE(rte_eth_dev_start(port) == 0);
	start_us = rt_us() - start_us;
	REQUIRE(rte_eth_dev_stop(port) == 0);
	fprintf(stderr, "  dev_start takes %llu us\n",
		(unsigned long long)start_us);
	/* Up to 8 more rounds at delay 0 if none landed in the start (a
	 * loaded machine can stretch the rescind's hand-off). */
	for (i = 0; i < iters || (in_call == 0 && i < iters + 8); i++) {
		struct rt_worker w = { .op = RT_OP_START, .port = port,
				       .wait_go = 1 };
		/* 0 .. 2.5 times the start's duration */
		uint64_t delay = i < iters ? start_us * i * 5 / (2 * iters) :
			0, t0;
		unsigned int rmv0 = rt_get(&rt_lost[port]);

		REQUIRE(rt_worker_start(&w) == 0);
		w.go = 1;
		/* Count from the moment the call begins: on 2 CPUs the
		 * worker may get one late. */
		while (!w.running)
			;
		t0 = rt_us();
		while (rt_us() - t0 < delay)
			;
		CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
		REQUIRE(rt_worker_join(&w, JOIN_MS) == 0, "start hangs");
		CHECK(w.us < FAST_MS * 1000ull, "start took %llu us",
		      (unsigned long long)w.us);
		if (getenv("RT_VERBOSE") != NULL)
			fprintf(stderr, "  delay %llu us: start rc %d after "
				"%llu us\n", (unsigned long long)delay, w.rc,
				(unsigned long long)w.us);
		if (w.rc == 0)
			after++;
		else
			in_call++;
		CHECK(w.rc == 0 || w.rc == -ENODEV || w.rc == -EIO,
		      "start: %d", w.rc);
		CHECK_EQ(rt_wait_ge(&rt_lost[port], rmv0 + 1, HOOK_MS), 0);
		rel += 8;	/* 4 queue pairs: 8 channels */
		CHECK_EQ(rt_wait_released(h, nic, rel, HOOK_MS, 10), rel);
		clean("start");
		rc = rte_eth_dev_stop(port);
		CHECK_EQ(rc, 0);
		/* Back with 4 queues, stopped, for the next round. */
		CHECK_EQ(hvsim_reoffer(h, nic), 0);
		CHECK_EQ(rt_wait_link_up(port, HOOK_MS), 0);
		CHECK_EQ(rt_configure(port, 4, mp), 0);
	}
	fprintf(stderr, "  %u rescinds: start failed %u times, succeeded "
		"(rescind after it) %u times\n", i, in_call, after);
	CHECK(in_call > 0, "no rescind landed in the start");
	CHECK_EQ(rte_eth_dev_start(port), 0);
	{
		uint32_t qm;

		CHECK_EQ(rt_traffic(port, 4, mp, 512, 3000, &qm), 512);
		CHECK_EQ(qm, 0xf);
	}
	close_port(port);
	CHECK_EQ(rt_released(h, nic), rel);
	clean("start");
}

/* Send @p n frames on each of @p nq queues without polling rx: their
 * completions stay at the host / in the rx rings, for stop to drain. */
static void
tx_pending(uint16_t port, uint16_t nq, unsigned int n)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *b[32];
	unsigned int i, k;
	uint16_t q, r;

	rte_eth_macaddr_get(port, &mac);
	for (q = 0; q < nq; q++) {
		for (k = 0; k < n; k += 32) {
			for (i = 0; i < 32; i++)
				b[i] = rt_frame(mp, &mac, 128, k + i);
			r = rte_eth_tx_burst(port, q, b, 32);
			for (i = r; i < 32; i++)
				rte_pktmbuf_free(b[i]);
		}
	}
}

/* Rescind at swept delays after rte_eth_dev_stop() began, with tx
 * completions outstanding (stop sets the filter to 0 and drains them). */
static void
case_stop(unsigned int nic)
{
	uint16_t port = probe_port(nic);
	unsigned int i, iters = 16, in_call = 0, after = 0;
	uint64_t stop_us, rel = 0;

	fprintf(stderr, "case stop\n");
	REQUIRE(rt_configure(port, 4, mp) == 0);
	REQUIRE(rte_eth_dev_start(port) == 0);
	tx_pending(port, 4, 64);
	stop_us = rt_us();
	REQUIRE(rte_eth_dev_stop(port) == 0);
	stop_us = rt_us() - stop_us;
	fprintf(stderr, "  dev_stop with 256 tx outstanding takes %llu us\n",
		(unsigned long long)stop_us);
	for (i = 0; i < iters; i++) {
		struct rt_worker w = { .op = RT_OP_STOP, .port = port,
				       .wait_go = 1 };
		/* 0 .. 2 times the stop's duration */
		uint64_t delay = stop_us * i * 2 / iters, t0;
		unsigned int rmv0 = rt_get(&rt_lost[port]);

		CHECK_EQ(rte_eth_dev_start(port), 0);
		tx_pending(port, 4, 64);
		REQUIRE(rt_worker_start(&w) == 0);
		w.go = 1;
		while (!w.running)
			;
		t0 = rt_us();
		while (rt_us() - t0 < delay)
			;
		CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
		REQUIRE(rt_worker_join(&w, JOIN_MS) == 0, "stop hangs");
		/* Stop has no failure to report: it always stops. */
		CHECK_EQ(w.rc, 0);
		CHECK(w.us < FAST_MS * 1000ull, "stop took %llu us",
		      (unsigned long long)w.us);
		if (rt_get(&rt_lost[port]) == rmv0)
			in_call++;
		else
			after++;
		if (getenv("RT_VERBOSE") != NULL)
			fprintf(stderr, "  delay %llu us: stop after %llu us\n",
				(unsigned long long)delay,
				(unsigned long long)w.us);
		CHECK_EQ(rt_wait_ge(&rt_lost[port], rmv0 + 1, HOOK_MS), 0);
		rel += 8;	/* 4 queue pairs: 8 channels */
		CHECK_EQ(rt_wait_released(h, nic, rel, HOOK_MS, 10), rel);
		clean("stop");
		/* The stop of a port without its device took back every
		 * mbuf the tx queues held. */
		CHECK_EQ(rte_mempool_in_use_count(mp), 0);
		CHECK_EQ(hvsim_reoffer(h, nic), 0);
		CHECK_EQ(rt_wait_link_up(port, HOOK_MS), 0);
		CHECK_EQ(rt_configure(port, 4, mp), 0);
	}
	fprintf(stderr, "  %u rescinds: stop returned before the link-down event %u "
		"times, after it %u times\n", iters, in_call, after);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	{
		uint32_t qm;

		CHECK_EQ(rt_traffic(port, 4, mp, 512, 3000, &qm), 512);
		CHECK_EQ(qm, 0xf);
	}
	close_port(port);
	CHECK_EQ(rt_released(h, nic), rel);
	clean("stop");
}

/* Rescind while the host holds the first CLOSECHANNEL of the close. */
static void
case_close(unsigned int nic)
{
	struct rt_worker w = { .op = RT_OP_CLOSE };
	uint16_t port = probe_port(nic);
	uint32_t qm;

	fprintf(stderr, "case close\n");
	REQUIRE(rt_configure(port, 4, mp) == 0);
	REQUIRE(rte_eth_dev_start(port) == 0);
	CHECK_EQ(rt_traffic(port, 4, mp, 256, 3000, &qm), 256);
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	w.port = port;
	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_CLOSE_RECEIVED) == 0);
	REQUIRE(rt_worker_start(&w) == 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, HOOK_MS), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	REQUIRE(rt_worker_join(&w, JOIN_MS) == 0, "close hangs");
	CHECK_EQ(w.rc, 0);
	CHECK(w.us < FAST_MS * 1000ull, "close took %llu us",
	      (unsigned long long)w.us);
	CHECK(rt_get(&rt_lost[port]) <= 1, "device lost twice");
	/* Primary and seven subchannels (tx has its own), once each. */
	CHECK_EQ(rt_wait_released(h, nic, 8, HOOK_MS, 20), 8);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	clean("close");
	fprintf(stderr, "  close rc %d after %llu us, link-down events %u\n", w.rc,
		(unsigned long long)w.us, rt_get(&rt_lost[port]));
}

/* Rescind again while the port's own re-attach after a re-offer is in
 * NVSP INIT. */
static void
case_reattach(unsigned int nic)
{
	uint16_t port = probe_port(nic);
	struct rte_eth_link l;
	unsigned int back0;
	uint32_t qm;

	fprintf(stderr, "case reattach_nvsp\n");
	REQUIRE(rt_configure(port, 2, mp) == 0);
	REQUIRE(rte_eth_dev_start(port) == 0);
	CHECK_EQ(rt_traffic(port, 2, mp, 256, 3000, &qm), 256);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(rt_wait_ge(&rt_lost[port], 1, HOOK_MS), 0);
	CHECK_EQ(rt_wait_released(h, nic, 4, HOOK_MS, 10), 4);
	back0 = rt_get(&rt_back[port]);
	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_NVSP_INIT) == 0);
	CHECK_EQ(hvsim_reoffer(h, nic), 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, HOOK_MS), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	/* The re-attached primary: released once more; the port did not
	 * come up in between and stays down. */
	CHECK_EQ(rt_wait_released(h, nic, 5, HOOK_MS, 20), 5);
	clean("reattach_nvsp");
	CHECK_EQ(rt_get(&rt_back[port]), back0);
	CHECK_EQ(rte_eth_link_get_nowait(port, &l), 0);
	CHECK_EQ(l.link_status, RTE_ETH_LINK_DOWN);
	/* Calls on the gone port fail, they do not hang. */
	CHECK(rt_configure(port, 2, mp) != 0, "configure on a gone port");
	come_back(nic, port, 2, false, true);
	close_port(port);
	CHECK_EQ(rt_released(h, nic), 5);
	clean("reattach_nvsp");
}

static uint64_t
owner_of(uint16_t port)
{
	struct rte_eth_dev_owner o;

	if (rte_eth_dev_owner_get(port, &o) != 0)
		return UINT64_MAX;
	return o.id;
}

/* Rescind while the host holds the switch to the VF: the VF association
 * work (bus work thread) gives up at the rescind, not at its deadline,
 * stops the VF and gives it back; the port comes back without it. */
static void
case_vf(unsigned int nic)
{
	struct rte_ring *rx[2], *tx[2];
	struct rte_eth_conf conf;
	struct rte_mbuf *b[32];
	char devargs[128], rn[32];
	uint16_t port, vfp, q;
	uint64_t t0, us;
	uint32_t qm;
	int rc = -1, vf;

	fprintf(stderr, "case vf_switch\n");
	for (q = 0; q < 2; q++) {
		snprintf(rn, sizeof(rn), "rvf_r%u", q);
		rx[q] = rte_ring_create(rn, 256, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(rn, sizeof(rn), "rvf_t%u", q);
		tx[q] = rte_ring_create(rn, 256, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
		REQUIRE(rx[q] != NULL && tx[q] != NULL);
	}
	vf = rte_eth_from_rings("rvf", rx, 2, tx, 2, 0);
	REQUIRE(vf >= 0);
	vfp = (uint16_t)vf;
	rt_nic_name(nic, devargs, sizeof(devargs), 1);
	strcat(devargs, ",vf=net_ring_rvf");
	REQUIRE(rte_dev_probe(devargs) == 0, "probe %s", devargs);
	REQUIRE(port_of(nic, &port) == 0);
	__atomic_store_n(&rt_lost[port], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&rt_back[port], 0, __ATOMIC_RELEASE);
	REQUIRE(rt_configure(port, 2, mp) == 0);
	REQUIRE(rte_eth_dev_start(port) == 0);
	CHECK_EQ(rt_traffic(port, 2, mp, 256, 3000, &qm), 256);

	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_VF_SWITCH) == 0);
	CHECK_EQ(hvsim_vf(h, nic, true, 1), 0);
	/* The association arrives through rx queue 0: poll until the
	 * driver's switch reaches the host. */
	t0 = rt_ms();
	while (rt_ms() - t0 < HOOK_MS) {
		for (q = 0; q < 2; q++) {
			uint16_t r = rte_eth_rx_burst(port, q, b, 32);

			while (r > 0)
				rte_pktmbuf_free(b[--r]);
		}
		rc = hvsim_hook_wait(h, nic, 1);
		if (rc == 0)
			break;
	}
	CHECK_EQ(rc, 0);
	CHECK(owner_of(vfp) != RTE_ETH_DEV_NO_OWNER, "VF taken before the "
	      "switch");
	t0 = rt_us();
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	CHECK_EQ(rt_wait_ge(&rt_lost[port], 1, HOOK_MS), 0);
	while (owner_of(vfp) != RTE_ETH_DEV_NO_OWNER &&
	       rt_us() - t0 < HOOK_MS * 1000ull)
		usleep(200);
	us = rt_us() - t0;
	CHECK_EQ(owner_of(vfp), RTE_ETH_DEV_NO_OWNER);
	CHECK(us < FAST_MS * 1000ull, "VF given back %llu us after the "
	      "rescind", (unsigned long long)us);
	/* Stopped: a running port refuses to be configured. */
	memset(&conf, 0, sizeof(conf));
	CHECK_EQ(rte_eth_dev_configure(vfp, 2, 2, &conf), 0);
	CHECK_EQ(rt_wait_released(h, nic, 4, HOOK_MS, 20), 4);
	clean("vf_switch");
	fprintf(stderr, "  VF given back %llu us after the rescind\n",
		(unsigned long long)us);
	/* The gone port drops what it is given, nothing reaches the VF. */
	for (q = 0; q < 8; q++)
		REQUIRE((b[q] = rt_frame(mp, &(struct rte_ether_addr){ {0} },
					 64, q)) != NULL);
	CHECK_EQ(rte_eth_tx_burst(port, 0, b, 8), 8);
	CHECK_EQ(rte_ring_count(tx[0]), 0);

	/* The host removes the VF meanwhile; the port comes back on the
	 * synthetic path and forwards on every queue. */
	CHECK_EQ(hvsim_vf(h, nic, false, 0), 0);
	come_back(nic, port, 2, false, true);
	close_port(port);
	CHECK_EQ(rt_released(h, nic), 4);
	clean("vf_switch");
	CHECK_EQ(rte_eth_dev_close(vfp), 0);
}

int
main(int argc, char **argv)
{
	uint64_t t0 = rt_ms();
	int rc;

	(void)argc;
	alarm(120);
	rc = rt_eal_init(argv[0], N_NICS,
			 "timeout_ms=" RTE_STR(DEADLINE_MS));
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL, "no embedded hvsim");
	REQUIRE(rte_eth_dev_count_avail() == 0, "every NIC blocked");
	REQUIRE(rt_events_register() == 0);
	mp = rte_pktmbuf_pool_create("rt", 8191, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(mp != NULL);

	case_probe(0, HVSIM_STEP_OPEN_RECEIVED, "probe_open");
	case_probe(1, HVSIM_STEP_GPADL_CREATED, "probe_gpadl");
	case_probe(2, HVSIM_STEP_NVSP_INIT, "probe_nvsp");
	case_configure(3, false);
	case_start(4);
	case_close(5);
	case_configure(6, true);
	case_reattach(7);
	case_stop(8);
	case_vf(9);

	rt_events_unregister();
	CHECK_EQ(hvsim_violations(h), 0);
	rt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	fprintf(stderr, "race matrix: %llu ms\n",
		(unsigned long long)(rt_ms() - t0));
	return check_exit("rescind_races");
}
