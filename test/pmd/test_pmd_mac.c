/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet MAC address set against the embedded hvsim (reflect port):
 * invalid addresses refused before anything reaches the host, a new
 * address taken by the host (ethdev and hvsim agree, unicast to it
 * arrives, to the old one is filtered unless promiscuous), a host that
 * refuses the change (old address kept everywhere), and the address
 * re-applied after a re-attach (reset, and rescind + re-offer) - or
 * dropped for the host's when the host then refuses it; after the
 * re-offer the port logs that it is back, with the time it took, before
 * its LSC event. Device iteration
 * finds the port through the bus (bus=hvbus, name=) and through ethdev's
 * class filter (class=eth,mac=).
 */

#include "pmd_test.h"

#include <ethdev_driver.h>

static struct rte_ether_addr mac_a = { { 0x02, 0x00, 0x5e, 0xaa, 0xbb,
					       0x01 } };
static struct rte_ether_addr mac_b = { { 0x02, 0x00, 0x5e, 0xaa, 0xbb,
					       0x02 } };

static struct hvsim_nic_stats
host(struct hvsim *h)
{
	struct hvsim_nic_stats hs;

	memset(&hs, 0, sizeof(hs));
	CHECK_EQ(hvsim_nic_stats(h, 0, &hs), 0);
	return hs;
}

/* Devices the filter "class=eth,mac=..." finds, each @p want's: through
 * ethdev's port iterator (ports only), and through EAL's device iterator,
 * which walks every bus that iterates its devices - an hvbus port only
 * through the bus's dev_iterate. Both must agree. */
static unsigned int
ports_with_mac(const struct rte_ether_addr *mac, uint16_t want)
{
	const struct rte_device *mine = rte_eth_devices[want].device;
	char filter[64], s[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_dev_iterator it;
	struct rte_device *d;
	unsigned int n = 0, m = 0;
	uint16_t p;

	rte_ether_format_addr(s, sizeof(s), mac);
	snprintf(filter, sizeof(filter), "class=eth,mac=%s", s);
	RTE_ETH_FOREACH_MATCHING_DEV(p, filter, &it) {
		CHECK_EQ(p, want);
		n++;
	}
	RTE_DEV_FOREACH(d, filter, &it) {
		CHECK(d == mine, "%s", rte_dev_name(d));
		m++;
	}
	CHECK(n == m, "%s: %u ports, %u devices", filter, n, m);
	return m;
}

/* The bus's own filter finds the port's device, by bus and by name. */
static void
bus_iterate(uint16_t port)
{
	const struct rte_device *mine = rte_eth_devices[port].device;
	struct rte_dev_iterator it;
	struct rte_device *d;
	char filter[128];
	unsigned int n = 0;

	RTE_DEV_FOREACH(d, "bus=hvbus", &it)
		n += d == mine;
	CHECK_EQ(n, 1);
	snprintf(filter, sizeof(filter), "bus=hvbus,name=%s",
		 rte_dev_name(mine));
	n = 0;
	RTE_DEV_FOREACH(d, filter, &it) {
		CHECK(d == mine, "%s", rte_dev_name(d));
		n++;
	}
	CHECK_EQ(n, 1);
}

static unsigned int lsc_up, lsc_down;

/* Events in the order the test sees them: the re-attach notice in the log
 * and the LSC "up" after it. */
static unsigned int ev_seq, reattach_seq, up_seq;
static long long reattach_ms = -1;

/* The log, line by line (line-buffered stream), on its way to stderr. */
static ssize_t
log_write(void *cookie, const char *buf, size_t len)
{
	static const char key[] = "port 0: host offered the device again; "
		"re-attached in ";
	const char *p = memmem(buf, len, key, sizeof(key) - 1);

	(void)cookie;
	if (p != NULL) {
		reattach_ms = strtoll(p + sizeof(key) - 1, NULL, 10);
		__atomic_store_n(&reattach_seq,
				 __atomic_add_fetch(&ev_seq, 1,
						    __ATOMIC_SEQ_CST),
				 __ATOMIC_SEQ_CST);
	}
	return (ssize_t)fwrite(buf, 1, len, stderr);
}

static void
log_capture(void)
{
	static char lbuf[4096];
	cookie_io_functions_t io = { .write = log_write };
	FILE *f = fopencookie(NULL, "w", io);

	REQUIRE(f != NULL);
	setvbuf(f, lbuf, _IOLBF, sizeof(lbuf));
	REQUIRE(rte_openlog_stream(f) == 0);
}

static int
lsc_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	struct rte_eth_link l;

	(void)arg;
	(void)ret;
	if (ev != RTE_ETH_EVENT_INTR_LSC)
		return 0;
	if (rte_eth_link_get_nowait(port, &l) == 0 && l.link_status) {
		__atomic_store_n(&up_seq, __atomic_add_fetch(&ev_seq, 1,
							     __ATOMIC_SEQ_CST),
				 __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&lsc_up, 1, __ATOMIC_RELAXED);
	} else
		__atomic_add_fetch(&lsc_down, 1, __ATOMIC_RELAXED);
	return 0;
}

static bool
wait_count(unsigned int *c, unsigned int want, unsigned int ms)
{
	uint64_t end = pt_ms() + ms;

	while (__atomic_load_n(c, __ATOMIC_RELAXED) < want && pt_ms() < end)
		usleep(1000);
	return __atomic_load_n(c, __ATOMIC_RELAXED) >= want;
}

static bool
host_mac_is(struct hvsim *h, const struct rte_ether_addr *m)
{
	struct hvsim_nic_stats hs = host(h);

	return memcmp(hs.mac, m->addr_bytes, 6) == 0;
}

static bool
port_mac_is(uint16_t port, const struct rte_ether_addr *m)
{
	struct rte_ether_addr cur;

	return rte_eth_macaddr_get(port, &cur) == 0 &&
		rte_is_same_ether_addr(&cur, m);
}

/*
 * Send @p n frames to @p dst, then one marker frame to the port's own
 * address; the reflect port handles them in order, so once the marker is
 * back every earlier frame was delivered or filtered. Returns how many of
 * the @p n came back (-1 if the marker never did).
 */
static int
reflected(uint16_t port, struct rte_mempool *mp,
	  const struct rte_ether_addr *dst, unsigned int n)
{
	struct rte_mbuf *tx[9], *rx[16];
	unsigned int i, got = 0;
	bool marker = false;
	uint64_t end;

	for (i = 0; i <= n && i < 9; i++) {
		tx[i] = pt_frame(mp, port, 80, i, IPPROTO_UDP, 5, 6);
		REQUIRE(tx[i] != NULL);
		if (i < n)
			rte_pktmbuf_mtod(tx[i], struct rte_ether_hdr *)
				->dst_addr = *dst;
	}
	CHECK_EQ(pt_tx_all(port, 0, tx, (uint16_t)i), i);
	end = pt_ms() + 5000;
	while (!marker && pt_ms() < end) {
		uint16_t k, r = rte_eth_rx_burst(port, 0, rx, 16);

		for (k = 0; k < r; k++) {
			uint32_t seq;

			memcpy(&seq, rte_pktmbuf_mtod_offset(rx[k], uint8_t *,
				14 + 20 + 8), 4);
			if (seq == n)
				marker = true;
			else
				got++;
		}
		pt_free(rx, r);
		if (r == 0)
			usleep(100);
	}
	return marker ? (int)got : -1;
}

int
main(int argc, char **argv)
{
	struct rte_ether_addr perm, bad;
	struct hvsim_nic_stats hs;
	struct rte_eth_dev *dev;
	struct rte_mempool *mp;
	struct hvsim *h;
	uint64_t sets;
	uint16_t port = 0;
	int rc;

	(void)argc;
	mp = pt_setup(argv[0], "1", "timeout_ms=30000", 2047, &h, NULL);
	log_capture();
	REQUIRE(rte_eth_dev_count_avail() == 1, "one port probed");
	REQUIRE(rte_eth_macaddr_get(port, &perm) == 0);
	CHECK(host_mac_is(h, &perm), "host and port agree at probe");
	dev = &rte_eth_devices[port];

	/* Invalid addresses: -EINVAL, from ethdev and from the driver
	 * itself, and no SET reaches the host. */
	sets = host(h).rndis_sets;
	bad = mac_a;
	bad.addr_bytes[0] |= 1;				/* multicast */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(port, &bad), -EINVAL);
	CHECK_EQ(dev->dev_ops->mac_addr_set(dev, &bad), -EINVAL);
	memset(&bad, 0xff, sizeof(bad));		/* broadcast */
	CHECK_EQ(dev->dev_ops->mac_addr_set(dev, &bad), -EINVAL);
	memset(&bad, 0, sizeof(bad));			/* zero */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(port, &bad), -EINVAL);
	CHECK_EQ(dev->dev_ops->mac_addr_set(dev, &bad), -EINVAL);
	CHECK_EQ(host(h).rndis_sets, sets);
	CHECK(port_mac_is(port, &perm) && host_mac_is(h, &perm), "unchanged");
	/* The address it already has: nothing to ask. */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(port, &perm), 0);
	CHECK_EQ(host(h).rndis_sets, sets);

	/* A new address before the port is even configured. */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(port, &mac_a), 0);
	CHECK_EQ(host(h).rndis_sets, sets + 1);
	CHECK(port_mac_is(port, &mac_a), "ethdev reports the new MAC");
	/* Device iteration: the bus's filters, and ethdev's class filter
	 * following the address. */
	bus_iterate(port);
	CHECK_EQ(ports_with_mac(&mac_a, port), 1);
	CHECK_EQ(ports_with_mac(&perm, port), 0);
	hs = host(h);
	CHECK(memcmp(hs.mac, mac_a.addr_bytes, 6) == 0, "host took it");
	CHECK(memcmp(hs.perm_mac, perm.addr_bytes, 6) == 0, "permanent kept");

	/* Traffic follows: to the new address it arrives, to the old one
	 * the host filters it, unless promiscuous. */
	CHECK_EQ(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC,
					       lsc_cb, NULL), 0);
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	REQUIRE(rc == 0, "start: %d", rc);
	CHECK_EQ(rte_eth_promiscuous_disable(port), 0);
	CHECK_EQ(reflected(port, mp, &mac_a, 8), 8);
	CHECK_EQ(reflected(port, mp, &perm, 8), 0);
	CHECK_EQ(rte_eth_promiscuous_enable(port), 0);
	CHECK_EQ(reflected(port, mp, &perm, 8), 8);
	CHECK_EQ(rte_eth_promiscuous_disable(port), 0);

	/* Change it again while the port runs. */
	CHECK_EQ(rte_eth_dev_default_mac_addr_set(port, &mac_b), 0);
	CHECK(port_mac_is(port, &mac_b) && host_mac_is(h, &mac_b), "mac_b");
	CHECK_EQ(reflected(port, mp, &mac_b, 4), 4);
	CHECK_EQ(reflected(port, mp, &mac_a, 4), 0);

	/* A host that refuses: a negative errno, the old address stays on
	 * both sides and keeps receiving. */
	CHECK_EQ(hvsim_set_mac_lock(h, 0, true), 0);
	rc = rte_eth_dev_default_mac_addr_set(port, &mac_a);
	CHECK_EQ(rc, -EPERM);
	CHECK(port_mac_is(port, &mac_b) && host_mac_is(h, &mac_b),
	      "refused: mac_b kept");
	CHECK_EQ(reflected(port, mp, &mac_b, 4), 4);
	CHECK_EQ(hvsim_set_mac_lock(h, 0, false), 0);

	/* Re-attach: the host's new session starts from its permanent
	 * address; the driver puts the application's back. */
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	CHECK(port_mac_is(port, &mac_b), "ethdev after reset has mac_b");
	CHECK(host_mac_is(h, &mac_b), "host after reset has mac_b again");
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	CHECK_EQ(rc, 0);
	CHECK_EQ(reflected(port, mp, &mac_b, 4), 4);

	/* The same after the host rescinds the NIC and offers it again:
	 * the port re-attaches by itself (link down, then up). */
	{
		uint64_t released = host(h).released, end;
		struct rte_mbuf *rx[32];
		unsigned int up = __atomic_load_n(&lsc_up, __ATOMIC_RELAXED);
		unsigned int down = __atomic_load_n(&lsc_down,
						    __ATOMIC_RELAXED);

		CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
		CHECK(wait_count(&lsc_down, down + 1, 5000), "link down");
		end = pt_ms() + 5000;
		while (host(h).released == released && pt_ms() < end)
			pt_free(rx, rte_eth_rx_burst(port, 0, rx, 32));
		CHECK(host(h).released > released, "primary released");
		CHECK_EQ(hvsim_reoffer(h, 0), 0);
		CHECK(wait_count(&lsc_up, up + 1, 5000), "link up again");
		/* The port said so, with the time it took, before the LSC. */
		CHECK(reattach_seq != 0 && reattach_seq < up_seq,
		      "re-attach notice (%u) before the LSC up (%u)",
		      reattach_seq, up_seq);
		CHECK(reattach_ms >= 0 && reattach_ms < 5000, "%lld ms",
		      reattach_ms);
		CHECK(port_mac_is(port, &mac_b) && host_mac_is(h, &mac_b),
		      "mac_b after rescind and re-offer");
		CHECK_EQ(reflected(port, mp, &mac_b, 4), 4);
		CHECK_EQ(reflected(port, mp, &perm, 4), 0);
	}

	/* Re-attach to a host that now refuses: the port takes the host's
	 * address rather than claim one the host does not deliver to. */
	CHECK_EQ(hvsim_set_mac_lock(h, 0, true), 0);
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	CHECK(port_mac_is(port, &perm) && host_mac_is(h, &perm),
	      "refused restore: permanent address on both sides");
	rc = pt_port_start(port, 1, mp, 0, 0, 512);
	CHECK_EQ(rc, 0);
	CHECK_EQ(reflected(port, mp, &perm, 4), 4);
	CHECK_EQ(reflected(port, mp, &mac_b, 4), 0);
	/* A later re-attach does not bring the forgotten address back. */
	CHECK_EQ(hvsim_set_mac_lock(h, 0, false), 0);
	CHECK_EQ(rte_eth_dev_reset(port), 0);
	CHECK(port_mac_is(port, &perm) && host_mac_is(h, &perm), "perm");

	pt_teardown(port, mp, h);
	return check_exit("pmd_mac");
}
