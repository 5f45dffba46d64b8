/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet against the embedded hvsim (reflect port): probe facts, start,
 * payload integrity both ways (copied and GPA-direct frames), stats equal
 * to the host's, the packet filter reaching the host, link events, stop /
 * start, and no mbuf leak after close.
 */

#include "pmd_test.h"

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

static unsigned int lsc_events;

/* Worker lcore: forwards its own frames through queue 0 until told to
 * stop, while the main lcore takes channel 0 for control exchanges. */
struct fwd_ctx {
	struct rte_mempool *mp;
	uint16_t port;
	uint32_t stop;
	uint64_t sent, got;
};

/* Frames out at once: half of net_hvnet's held ring (HVN_RX_HELD). */
#define HVN_TEST_WINDOW	512

static int
fwd_worker(void *arg)
{
	struct fwd_ctx *c = arg;
	struct rte_mbuf *m[32];
	uint16_t i, n;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		/* At most half the held ring out: while the control path
		 * owns channel 0 the reflected frames wait there, and a
		 * sender that never looks back would outrun any queue. */
		if (c->sent - c->got < HVN_TEST_WINDOW) {
			for (i = 0; i < 8; i++)
				m[i] = pt_frame(c->mp, c->port, 100, i,
						IPPROTO_UDP, 3, 4);
			n = rte_eth_tx_burst(c->port, 0, m, 8);
			pt_free(m + n, 8 - n);
			c->sent += n;
		}
		n = rte_eth_rx_burst(c->port, 0, m, 32);
		c->got += n;
		pt_free(m, n);
	}
	/* Collect what is still on its way back. */
	for (i = 0; i < 3000 && c->got < c->sent; i++) {
		n = rte_eth_rx_burst(c->port, 0, m, 32);
		c->got += n;
		pt_free(m, n);
		rte_delay_us_sleep(1000);
	}
	return 0;
}

/* Promiscuous on/off 20 times while another lcore forwards on queue 0:
 * every change reaches the host, no frame is lost or corrupted. */
static void
control_under_traffic(struct hvsim *h, uint16_t port, struct rte_mempool *mp)
{
	struct fwd_ctx c = { .mp = mp, .port = port };
	struct hvsim_nic_stats hs;
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0), i;

	if (lcore >= RTE_MAX_LCORE) {
		printf("control_under_traffic: no worker lcore, skipped\n");
		return;
	}
	REQUIRE(rte_eal_remote_launch(fwd_worker, &c, lcore) == 0);
	rte_delay_us_sleep(20000);
	for (i = 0; i < 20; i++) {
		CHECK_EQ(rte_eth_promiscuous_enable(port), 0);
		CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
		CHECK_EQ(hs.packet_filter, RNDIS_PACKET_FILTER_PROMISCUOUS);
		CHECK_EQ(rte_eth_promiscuous_disable(port), 0);
		CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
		CHECK(!(hs.packet_filter & RNDIS_PACKET_FILTER_PROMISCUOUS),
		      "promisc off");
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(lcore);
	CHECK(c.sent > 100, "worker sent %llu", (unsigned long long)c.sent);
	CHECK_EQ(c.got, c.sent);
}

static int
lsc_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	(void)port;
	(void)arg;
	(void)ret;
	if (ev == RTE_ETH_EVENT_INTR_LSC)
		__atomic_add_fetch(&lsc_events, 1, __ATOMIC_RELAXED);
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 60, 64, 128, 511, 512, 600, 1000,
					  1514, 100, 1200 };
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	struct hvsim_nic_stats hs;
	struct rte_ether_addr mac;
	struct rte_mempool *mp;
	struct rte_eth_link link;
	struct hvsim *h;
	uint16_t port = 0;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 4095, &h, NULL);
	REQUIRE(rte_eth_dev_count_avail() == 1, "one port probed");

	/* Probe facts. */
	CHECK_EQ(rte_eth_dev_info_get(port, &info), 0);
	CHECK(strcmp(info.driver_name, "net_hvnet") == 0, "driver %s",
	      info.driver_name);
	CHECK(info.max_rx_queues >= 4, "RSS queues %u", info.max_rx_queues);
	CHECK_EQ(info.reta_size, 128);
	CHECK_EQ(info.hash_key_size, 40);
	CHECK_EQ(info.max_mtu, 1500);
	CHECK(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS, "segs");
	rte_eth_macaddr_get(port, &mac);
	CHECK(mac.addr_bytes[0] == 0x00 && mac.addr_bytes[1] == 0x15 &&
	      mac.addr_bytes[2] == 0x5d, "Hyper-V MAC prefix");
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.nvsp_version, 0x00060001u);
	CHECK_EQ(hs.packet_filter, 0);

	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC,
					       lsc_cb, NULL), 0);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);
	CHECK_EQ(rte_eth_link_get_nowait(port, &link), 0);
	CHECK_EQ(link.link_status, RTE_ETH_LINK_UP);
	CHECK_EQ(link.link_speed, 100000);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK(hs.packet_filter != 0, "filter set at start");

	/* Telemetry: what the port negotiated. */
	{
		char js[4096];

		CHECK(pt_telemetry("/hvnet/ports", js, sizeof(js)) > 0,
		      "telemetry answered");
		CHECK(strstr(js, "\"port_0\"") != NULL, "port listed: %s", js);
		CHECK_EQ(pt_json_int(js, "nvsp_version"), 0x00060001);
		CHECK_EQ(pt_json_int(js, "channels"), 2);
		CHECK_EQ(pt_json_int(js, "tx_own_channels"), 1);
		CHECK_EQ(pt_json_int(js, "started"), 1);
		CHECK_EQ(pt_json_int(js, "packet_filter"), hs.packet_filter);
		CHECK_EQ(pt_json_int(js, "link_mbps"), 100000);
	}

	/* Promiscuous mode reaches the host while the port runs. */
	CHECK_EQ(rte_eth_promiscuous_enable(port), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.packet_filter, RNDIS_PACKET_FILTER_PROMISCUOUS);
	CHECK_EQ(rte_eth_promiscuous_disable(port), 0);
	CHECK_EQ(rte_eth_allmulticast_enable(port), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK(hs.packet_filter & RNDIS_PACKET_FILTER_ALL_MULTICAST, "allmulti");
	CHECK(!(hs.packet_filter & RNDIS_PACKET_FILTER_PROMISCUOUS), "promisc off");
	CHECK_EQ(rte_eth_allmulticast_disable(port), 0);

	/* Payload integrity (sizes on both sides of tx_copybreak). */
	CHECK_EQ(rte_eth_stats_reset(port), 0);
	pt_integrity(port, mp, sizes, RTE_DIM(sizes), 2000);

	/* Counters equal the host's. */
	CHECK_EQ(rte_eth_stats_get(port, &st), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(st.opackets, 2000);
	CHECK_EQ(st.ipackets, 2000);
	CHECK_EQ(st.opackets, hs.tx_pkts);
	CHECK_EQ(st.ipackets, hs.rx_pkts);
	CHECK_EQ(st.obytes, hs.tx_bytes);
	CHECK_EQ(st.ibytes, hs.rx_bytes);
	CHECK_EQ(st.ierrors, 0);
	CHECK_EQ(st.oerrors, 0);
	CHECK_EQ(hs.tx_bad, 0);

	control_under_traffic(h, port, mp);

	/* Link events from the host. */
	CHECK_EQ(hvsim_set_link(h, 0, false), 0);
	CHECK_EQ(pt_wait_link(port, 0, 3000), 0);
	CHECK_EQ(hvsim_set_link(h, 0, true), 0);
	CHECK_EQ(pt_wait_link(port, 1, 3000), 0);
	{
		uint64_t end = pt_ms() + 2000;

		while (__atomic_load_n(&lsc_events, __ATOMIC_RELAXED) < 2 &&
		       pt_ms() < end)
			usleep(1000);
		CHECK(lsc_events >= 2, "LSC events: %u", lsc_events);
	}

	/* Stop and start again: traffic resumes, filter follows. */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.packet_filter, 0);
	CHECK_EQ(rte_eth_dev_start(port), 0);
	pt_integrity(port, mp, sizes, RTE_DIM(sizes), 200);

	/* Reset: detach from the host and attach again; the port works
	 * after the application configures it again. */
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	CHECK_EQ(hs.packet_filter, 0);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	CHECK_EQ(rc, 0);
	if (rc == 0)
		pt_integrity(port, mp, sizes, RTE_DIM(sizes), 200);

	/* No mbuf leaks once the port is closed. */
	CHECK_EQ(rte_eth_dev_stop(port), 0);
	CHECK_EQ(rte_eth_dev_close(port), 0);
	CHECK_EQ(rte_mempool_in_use_count(mp), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	pt_report(h);
	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("pmd_basic");
}
