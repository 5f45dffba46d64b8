/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * perf_cg FRAME_LEN WARMUP PACKETS: deterministic io forwarding through
 * net_hvnet for callgrind (devtools/perf.sh, devtools/perf-check.sh).
 *
 * The hvsim host lives in this process but has no thread of its own once
 * the port is up: this thread pumps it (hvsim_poll() until it has nothing
 * left to do) before every rx burst. So the guest always finds a ring the
 * host filled as far as it can, bursts are full, and the sequence of
 * instructions inside hvn_rx_burst/hvn_tx_burst does not depend on timing
 * or on the load of the machine: two runs give the same counts.
 *
 * WARMUP frames are forwarded first (pools and caches reach their steady
 * state), then callgrind's counters are zeroed, PACKETS more are forwarded
 * and the counters are dumped (part "measure"); the script reads the
 * inclusive cost of hvn_rx_burst and hvn_tx_burst from that dump. Run it
 * with --toggle-collect=hvn_rx_burst --toggle-collect=hvn_tx_burst so that
 * only the driver's bursts (mbuf allocation, copies, frees included) count.
 *
 * Prints: frame_len= pkts= fwd= rx_calls= tx_calls= empty= sunk=
 * Exit status 0 only when every frame forwarded in the measured part
 * reached hvsim's sink and the checker found no violation.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <valgrind/callgrind.h>

#include "pmd_test.h"

#define PERF_BURST	32
#define PERF_NS_MAX	65536
#define PERF_MAX_EMPTY	1000	/* consecutive empty polls: the host is stuck */

static atomic_bool pump_stop;

/* Host thread during EAL probe and port start, when the control path
 * waits for host answers in other threads. */
static void *
perf_pump(void *arg)
{
	struct hvsim *h = arg;

	while (!atomic_load(&pump_stop))
		if (hvsim_poll(h) <= 0)
			usleep(50);
	return NULL;
}

/* Let the host do everything it can: sink what the guest sent, take the
 * completions, generate frames until the ring or the receive buffer is
 * full. Bounded so that a host that never idles cannot hang the run. */
static int
perf_host_drain(struct hvsim *h)
{
	unsigned int i;

	for (i = 0; i < 1000000; i++) {
		int rc = hvsim_poll(h);

		if (rc < 0)
			return rc;
		if (rc == 0)
			return 0;
	}
	return -EBUSY;
}

struct perf_count {
	uint64_t pkts, fwd, rx_calls, tx_calls, empty;
	uint64_t rx_ns;		/* inside the receive bursts */
	/* Time of the first PERF_NS_MAX full receive bursts, for a median
	 * that a preempted burst does not move. */
	uint32_t nfull;
	uint32_t full_ns[PERF_NS_MAX];
};

static int
perf_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Forward at least @p want frames, one full burst at a time. */
static int
perf_forward(struct hvsim *h, uint64_t want, struct perf_count *c)
{
	struct rte_mbuf *pkts[PERF_BURST];
	unsigned int idle = 0;
	uint64_t t0;

	while (c->pkts < want) {
		uint16_t n, s;

		if (perf_host_drain(h) != 0)
			return -1;
		t0 = hv_now_ns();
		n = rte_eth_rx_burst(0, 0, pkts, PERF_BURST);
		t0 = hv_now_ns() - t0;
		c->rx_ns += t0;
		if (n == PERF_BURST && c->nfull < PERF_NS_MAX)
			c->full_ns[c->nfull++] = (uint32_t)RTE_MIN(t0,
								   UINT32_MAX);
		c->rx_calls++;
		if (n == 0) {
			c->empty++;
			if (++idle == PERF_MAX_EMPTY)
				return -1;
			continue;
		}
		idle = 0;
		c->pkts += n;
		s = rte_eth_tx_burst(0, 0, pkts, n);
		c->tx_calls++;
		c->fwd += s;
		pt_free(pkts + s, n - s);
	}
	return perf_host_drain(h);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/hvnet-perf.XXXXXX", path[128], args[256];
	char allow[256] = "";
	static struct perf_count warm, meas;
	struct hvsim_nic_stats st0, st1;
	struct hvsim_config cfg;
	struct rte_mempool *mp;
	struct rte_eth_link link = { .link_status = RTE_ETH_LINK_DOWN };
	struct rte_eth_dev_info info;
	uint64_t warmup, want, end;
	pthread_t pump;
	struct hvsim *h;
	int ok = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: perf_cg FRAME_LEN WARMUP PACKETS\n");
		return 2;
	}
	warmup = strtoull(argv[2], NULL, 0);
	want = strtoull(argv[3], NULL, 0);
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/hvsim.sock", dir);
	hvsim_config_init(&cfg, 1);
	cfg.name = "perf";
	cfg.nic[0].port.kind = HVSIM_PORT_GEN_SINK;
	cfg.nic[0].port.gen.frame_len = (uint32_t)atoi(argv[1]);
	cfg.nic[0].port.gen.flows = 64;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(hvsim_listen(h, path) == 0);
	REQUIRE(pthread_create(&pump, NULL, perf_pump, h) == 0);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=60000",
		 path);
	/* PERF_CG_DEVARGS: the port's device arguments, to count a
	 * non-default configuration (rx_copybreak=...). */
	if (getenv("PERF_CG_DEVARGS") != NULL)
		snprintf(allow, sizeof(allow), "--allow=hvbus:%s,%s",
			 "69737668-006d-494e-8043-00155d000000",
			 getenv("PERF_CG_DEVARGS"));
	/* PERF_CG_EAL: one more EAL argument (--force-max-simd-bitwidth=128
	 * times the baseline receive copy against the AVX2 one). */
	REQUIRE(pt_eal_initl(argv[0], "1", args,
			     allow[0] != '\0' ? allow : getenv("PERF_CG_EAL"),
			     allow[0] != '\0' ? getenv("PERF_CG_EAL") : NULL,
			     NULL) >= 0);
	mp = rte_pktmbuf_pool_create("perf", 8191, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	REQUIRE(mp != NULL);
	/* As dpdk-testpmd configures a port: MBUF_FAST_FREE whenever the
	 * driver offers it (the frames are plain mbufs of one pool). */
	REQUIRE(rte_eth_dev_info_get(0, &info) == 0);
	REQUIRE(pt_port_start(0, 1, mp, 0, info.tx_offload_capa &
			      RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE, 4096) == 0);
	end = pt_ms() + 60000;
	do {
		if (rte_eth_link_get_nowait(0, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			break;
		usleep(1000);
	} while (pt_ms() < end);
	REQUIRE(link.link_status == RTE_ETH_LINK_UP);
	/* From here on this thread is the host's only driver. */
	atomic_store(&pump_stop, true);
	pthread_join(pump, NULL);

	if (perf_forward(h, warmup, &warm) != 0) {
		fprintf(stderr, "perf_cg: warm-up stalled after %llu frames\n",
			(unsigned long long)warm.pkts);
		ok = 0;
	}
	REQUIRE(hvsim_nic_stats(h, 0, &st0) == 0);
	CALLGRIND_ZERO_STATS;
	if (ok && perf_forward(h, want, &meas) != 0) {
		fprintf(stderr, "perf_cg: stalled after %llu frames\n",
			(unsigned long long)meas.pkts);
		ok = 0;
	}
	CALLGRIND_DUMP_STATS_AT("measure");
	qsort(meas.full_ns, meas.nfull, sizeof(meas.full_ns[0]),
	      perf_cmp_u32);
	REQUIRE(hvsim_nic_stats(h, 0, &st1) == 0);
	printf("frame_len=%s pkts=%llu fwd=%llu rx_calls=%llu tx_calls=%llu "
	       "empty=%llu sunk=%llu rx_ns_per_pkt=%.2f "
	       "rx_ns_per_pkt_median=%.2f rx_ns_per_pkt_p10=%.2f\n", argv[1],
	       (unsigned long long)meas.pkts, (unsigned long long)meas.fwd,
	       (unsigned long long)meas.rx_calls,
	       (unsigned long long)meas.tx_calls,
	       (unsigned long long)meas.empty,
	       (unsigned long long)(st1.tx_pkts - st0.tx_pkts),
	       meas.pkts != 0 ? (double)meas.rx_ns / (double)meas.pkts : 0.0,
	       meas.nfull != 0 ? (double)meas.full_ns[meas.nfull / 2] /
	       PERF_BURST : 0.0,
	       meas.nfull != 0 ? (double)meas.full_ns[meas.nfull / 10] /
	       PERF_BURST : 0.0);
	if (st1.tx_pkts - st0.tx_pkts != meas.fwd || meas.fwd != meas.pkts) {
		fprintf(stderr, "perf_cg: forwarded %llu of %llu, sink got %llu\n",
			(unsigned long long)meas.fwd,
			(unsigned long long)meas.pkts,
			(unsigned long long)(st1.tx_pkts - st0.tx_pkts));
		ok = 0;
	}
	/* The host gets its thread back for the close handshake. */
	atomic_store(&pump_stop, false);
	REQUIRE(pthread_create(&pump, NULL, perf_pump, h) == 0);
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	atomic_store(&pump_stop, true);
	pthread_join(pump, NULL);
	if (hvsim_violations(h) != 0) {
		pt_report(h);
		ok = 0;
	}
	hvsim_destroy(h);
	unlink(path);
	rmdir(dir);
	return ok ? 0 : 1;
}
