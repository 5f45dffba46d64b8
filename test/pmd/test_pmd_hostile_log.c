/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What the host sends must not flood the log from the datapath. hvsim
 * sends 1000 VF associations with an impossible value and 1000 data-path
 * switch notices on channel 0 while a worker lcore polls rx queue 0: each
 * is counted, and at most HVN_LOG_PER_SEC lines per second of each kind
 * reach the log; the rest are counted as suppressed.
 */

#include "pmd_test.h"
#include "hvn.h"

#include <rte_launch.h>
#include <rte_lcore.h>

#define N_EACH	1000u

static uint32_t stop;

static int
rx_worker(void *arg)
{
	struct rte_mbuf *m[32];

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		pt_free(m, rte_eth_rx_burst(0, 0, m, 32));
	return 0;
}

static unsigned int
count_lines(const char *log, const char *what)
{
	unsigned int n = 0;
	const char *p = log;

	while ((p = strstr(p, what)) != NULL) {
		n++;
		p += strlen(what);
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct hvsim *h;
	unsigned int lcore, vf_lines, sw_lines, most;
	uint64_t t0, secs;
	char *log = NULL;
	size_t log_len = 0;
	FILE *f;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 1023, &h, NULL);
	lcore = rte_get_next_lcore(-1, 1, 0);
	REQUIRE(lcore < RTE_MAX_LCORE, "a worker lcore");
	rc = pt_port_start(0, 1, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);

	f = open_memstream(&log, &log_len);
	REQUIRE(f != NULL);
	REQUIRE(rte_openlog_stream(f) == 0);
	REQUIRE(rte_eal_remote_launch(rx_worker, NULL, lcore) == 0);
	t0 = pt_ms();
	CHECK_EQ(hvsim_netvsp_junk(h, 0, 0, HVSIM_JUNK_VF_ASSOC_BAD, N_EACH,
				   10000), 0);
	CHECK_EQ(hvsim_netvsp_junk(h, 0, 0, HVSIM_JUNK_SWITCH_NOTICE, N_EACH,
				   10000), 0);
	/* Until the queue has read them all. */
	while (pt_xstat(0, "rx_q0_ctl") < 2 * N_EACH && pt_ms() < t0 + 10000)
		usleep(1000);
	secs = (pt_ms() - t0 + 999) / 1000;
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	rte_openlog_stream(NULL);
	fclose(f);

	CHECK_EQ(pt_xstat(0, "rx_q0_ctl"), 2 * N_EACH);
	CHECK_EQ(pt_xstat(0, "rx_q0_errors"), N_EACH);	/* the bad ones */
	vf_lines = count_lines(log, "VF association with allocated");
	sw_lines = count_lines(log, "host set the data path");
	/* A window may straddle the start: one more than the seconds. */
	most = HVN_LOG_PER_SEC * (unsigned int)(secs + 1);
	printf("%u + %u log lines for %u messages in %llu s (at most %u "
	       "each)\n", vf_lines, sw_lines, 2 * N_EACH,
	       (unsigned long long)secs, most);
	CHECK(vf_lines >= 1 && vf_lines <= most, "%u VF lines", vf_lines);
	CHECK(sw_lines <= most, "%u switch lines", sw_lines);
	CHECK_EQ(pt_xstat(0, "log_suppressed"), 2 * N_EACH - vf_lines -
		 sw_lines);
	free(log);

	CHECK_EQ(rte_eth_dev_stop(0), 0);
	CHECK_EQ(rte_eth_dev_close(0), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	CHECK_EQ(rte_eal_cleanup(), 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_hostile_log");
}
