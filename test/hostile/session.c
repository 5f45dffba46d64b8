/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A guest session against a hostile host (session.h). Everything runs on
 * the calling thread except the bus's own threads and a watchdog that
 * aborts the process, naming the step and the seed, when a step outlives
 * HS_STEP_MS: a thread stuck past its deadline.
 */

#include <pthread.h>

#include <rte_bus.h>
#include <rte_dev.h>

#include "pmd_test.h"
#include "session.h"

#define HS_NIC		"69737668-006d-494e-8043-00155d000000"
#define HS_POOL		8191
#define HS_DESC		256
#define HS_BURST	8

/* Frame sizes the sessions send, in turn. */
static const uint32_t hs_sizes[] = { 60, 100, 300, 511, 1000, 1514 };

static struct {
	struct rte_mempool *mp;
	pthread_t wd;
	const char *step;	/* atomic: the step the deadline is for */
	uint64_t deadline;	/* atomic: pt_ms() limit, 0 = none */
	uint64_t seed;
	unsigned int new_events;	/* atomic */
	uint16_t new_port;		/* atomic */
	unsigned int traffic_ms, link_ms;
} hs = { .traffic_ms = 300, .link_ms = 3000 };

void
hs_set_pace(unsigned int traffic_ms, unsigned int link_ms)
{
	hs.traffic_ms = traffic_ms;
	hs.link_ms = link_ms;
}

static void *
hs_watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t d = __atomic_load_n(&hs.deadline, __ATOMIC_ACQUIRE);

		if (d != 0 && pt_ms() > d) {
			fprintf(stderr, "hostile: step \"%s\" of seed %llu is "
				"stuck past %u ms\n",
				__atomic_load_n(&hs.step, __ATOMIC_RELAXED),
				(unsigned long long)hs.seed, HS_STEP_MS);
			abort();
		}
		usleep(50 * 1000);
	}
	return NULL;
}

static void
hs_step(const char *name)
{
	__atomic_store_n(&hs.step, name, __ATOMIC_RELAXED);
	__atomic_store_n(&hs.deadline, pt_ms() + HS_STEP_MS, __ATOMIC_RELEASE);
}

static int
hs_ev(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	(void)arg;
	(void)ret;
	if (ev == RTE_ETH_EVENT_NEW) {
		__atomic_store_n(&hs.new_port, port, __ATOMIC_RELAXED);
		__atomic_add_fetch(&hs.new_events, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static bool
hs_port(uint16_t *port)
{
	return rte_eth_dev_get_port_by_name(HS_NIC, port) == 0;
}

/* Stop, close and remove the port, whatever state it is in. */
static void
hs_port_remove(void)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;
	uint16_t port;

	if (!hs_port(&port))
		return;
	if (rte_eth_dev_info_get(port, &info) == 0)
		dev = info.device;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	if (dev != NULL)
		rte_dev_remove(dev);
}

/* An honest host takes the NIC back: no port, nothing offered, every
 * relid released. */
static int
hs_take_back(struct hvsim *h)
{
	struct hvsim_nic_stats st;
	uint64_t end = pt_ms() + 20000;

	hvsim_hostile_set(h, 0, 0, NULL, 0);
	for (;;) {
		uint16_t port;

		hs_port_remove();
		hvsim_rescind(h, 0, 0);
		if (hvsim_nic_stats(h, 0, &st) == 0 && !st.offered &&
		    st.relids_held == 0 && !hs_port(&port))
			return 0;
		if (pt_ms() > end) {
			fprintf(stderr, "hostile: seed %llu: NIC not taken "
				"back (offered %d, %u relids held)\n",
				(unsigned long long)hs.seed, st.offered,
				st.relids_held);
			return -1;
		}
		usleep(2000);
	}
}

struct hvsim *
hs_init(const char *prog, bool verbose)
{
	static char prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)prog, (char *)"--no-huge", (char *)"-m",
		(char *)"512", (char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--no-telemetry", (char *)"-l", (char *)"0", prefix,
		verbose ? (char *)"--log-level=pmd.net.hvnet.*:notice" :
			  (char *)"--log-level=*:crit",
		verbose ? (char *)"--log-level=bus.hvbus.*:notice" :
			  (char *)"--log-level=*:crit",
		/* Answers that never come cost the bus this long each. */
		(char *)"--vdev=hvbus_sim,nics=1,timeout_ms=300",
		NULL,
	};
	const char *base = strrchr(prog, '/');
	struct hvsim *h;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d",
		 base != NULL ? base + 1 : prog, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0)
		return NULL;
	h = hvbus_sim_hvsim();
	if (h == NULL)
		return NULL;
	hs.mp = rte_pktmbuf_pool_create("hs", HS_POOL, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (hs.mp == NULL ||
	    rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
					  hs_ev, NULL) != 0 ||
	    pthread_create(&hs.wd, NULL, hs_watchdog, NULL) != 0)
		return NULL;
	pthread_detach(hs.wd);
	hs_step("take back the first offer");
	if (hs_take_back(h) < 0)
		return NULL;
	__atomic_store_n(&hs.deadline, 0, __ATOMIC_RELEASE);
	return h;
}

void
hs_traffic(uint16_t port, unsigned int nq, unsigned int ms,
	   struct rte_mempool *mp, const uint32_t *sizes, unsigned int nsizes,
	   struct hs_result *res)
{
	struct rte_mbuf *pkts[32];
	uint64_t end = pt_ms() + ms;
	uint32_t seq = 0;
	uint16_t q, i, n;

	while (pt_ms() < end) {
		for (q = 0; q < nq; q++) {
			for (i = 0; i < HS_BURST; i++) {
				pkts[i] = pt_frame(mp, port,
						   sizes[seq % nsizes],
						   seq, IPPROTO_UDP,
						   (uint16_t)(1000 + seq), 2000);
				seq++;
				if (pkts[i] == NULL)
					break;
			}
			n = rte_eth_tx_burst(port, q, pkts, i);
			if (res != NULL)
				res->tx += n;
			pt_free(pkts + n, (uint16_t)(i - n));
			n = rte_eth_rx_burst(port, q, pkts, RTE_DIM(pkts));
			if (res != NULL)
				res->rx += n;
			pt_free(pkts, n);
		}
		usleep(200);
	}
}

/* The port the last NEW event named, once one more than @p before came. */
static bool
hs_wait_new(unsigned int before, unsigned int ms, uint16_t *port)
{
	uint64_t end = pt_ms() + ms;

	do {
		if (__atomic_load_n(&hs.new_events, __ATOMIC_ACQUIRE) >
		    before) {
			*port = __atomic_load_n(&hs.new_port,
						__ATOMIC_RELAXED);
			return true;
		}
		usleep(1000);
	} while (pt_ms() < end);
	return false;
}

int
hs_session(struct hvsim *h, uint64_t seed, uint32_t classes,
	   unsigned int queues, const uint8_t *input, size_t len,
	   struct hs_result *res)
{
	unsigned int v0 = hvsim_violations(h), new0, in_use;
	struct hvsim_nic_stats st;
	uint64_t bad0 = 0;
	uint64_t t0 = pt_ms(), tries0 = hvsim_hostile_tries(h,
							   HVSIM_HOSTILE_COUNT);
	uint16_t port;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	hs.seed = seed;
	if (hvsim_nic_stats(h, 0, &st) == 0)
		bad0 = st.tx_bad;
	res->queues = queues >= 1 && queues <= 4 ? queues :
		      1 + (unsigned int)(seed % 4);
	hs_step("offer and probe");
	if (hvsim_hostile_set(h, seed, classes, input, len) != 0)
		return -1;
	new0 = __atomic_load_n(&hs.new_events, __ATOMIC_ACQUIRE);
	hvsim_reoffer(h, 0);
	/* The bus probes the offer itself; when that failed (no NEW
	 * event), the application hot-plugs it as testpmd's "port attach"
	 * would - waiting for a probe still running, if any. */
	if (!hs_wait_new(new0, 3000, &port))
		rte_dev_probe("hvbus:" HS_NIC);
	res->probed = hs_port(&port);
	if (res->probed) {
		hs_step("configure and start");
		res->started = pt_port_start(port, (uint16_t)res->queues,
					     hs.mp, 0, 0, HS_DESC) == 0;
		/* Once more after a failure, as an application would: the
		 * host may have re-offered the device meanwhile. */
		if (!res->started) {
			usleep(500 * 1000);
			res->started = pt_port_start(port,
						     (uint16_t)res->queues,
						     hs.mp, 0, 0, HS_DESC) == 0;
		}
	}
	if (res->started) {
		hs_step("traffic");
		hs_traffic(port, res->queues, hs.traffic_ms, hs.mp, hs_sizes,
			   RTE_DIM(hs_sizes), res);
		hs_step("rescind and re-offer under traffic");
		hvsim_rescind(h, 0, 0);
		hs_traffic(port, res->queues, hs.traffic_ms / 6, hs.mp,
			   hs_sizes, RTE_DIM(hs_sizes), res);
		hvsim_reoffer(h, 0);
		res->recovered = pt_wait_link(port, 1, hs.link_ms) == 0;
		hs_traffic(port, res->queues, hs.traffic_ms * 2 / 3, hs.mp,
			   hs_sizes, RTE_DIM(hs_sizes), res);
	}
	hs_step("close, remove, take back");
	res->tries = hvsim_hostile_tries(h, HVSIM_HOSTILE_COUNT) - tries0;
	if (hs_take_back(h) < 0)
		rc = -1;
	/* Every mbuf back: rx rings emptied by the close, frames the host
	 * held freed with the channel's release. */
	in_use = rte_mempool_in_use_count(hs.mp);
	res->leaked = in_use;
	if (in_use != 0) {
		fprintf(stderr, "hostile: seed %llu: %u mbufs not back in the "
			"pool\n", (unsigned long long)seed, in_use);
		rc = -1;
	}
	res->violations = hvsim_violations(h) - v0;
	if (hvsim_nic_stats(h, 0, &st) == 0)
		res->tx_bad = st.tx_bad - bad0;
	if (res->violations != 0 || res->tx_bad != 0) {
		fprintf(stderr, "hostile: seed %llu: the guest broke the "
			"protocol: %u checker verdicts, %llu requests refused\n",
			(unsigned long long)seed, res->violations,
			(unsigned long long)res->tx_bad);
		/* Which rule: a verdict seen once must say what it was. */
		pt_report(h);
		rc = -1;
	}
	res->ms = pt_ms() - t0;
	__atomic_store_n(&hs.deadline, 0, __ATOMIC_RELEASE);
	return rc;
}
