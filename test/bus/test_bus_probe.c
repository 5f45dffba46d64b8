/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvbus with an embedded hvsim of three NICs: scan lists them, the test
 * driver is probed for each, channels open and carry an NVSP INIT round
 * trip, GPADLs come and go, close and reopen work, and at exit every
 * driver is removed and the host's checker is clean.
 */

#include <bus_driver.h>
#include <rte_dev.h>

#include "bus_test.h"

#define NICS 3

static int
cmp_name(const struct rte_device *d, const void *name)
{
	return strcmp(rte_dev_name(d), name);
}

static void
test_listing(void)
{
	struct rte_bus *bus = rte_bus_find_by_name("hvbus");
	struct rte_device *d;
	unsigned int n = 0, i;

	REQUIRE(bus != NULL, "hvbus not registered");
	CHECK_EQ(bt_get(&bt.n_probed), NICS);
	for (i = 0; i < NICS && i < bt.n_probed; i++) {
		struct vmb_guid g;

		CHECK(vmb_guid_parse(bt.dev[i]->name, &g) == 0,
		      "device name %s is not a GUID", bt.dev[i]->name);
		CHECK(vmb_guid_equal(&bt.dev[i]->class_id, &vmb_guid_netvsc));
		d = bus->find_device(NULL, cmp_name, bt.dev[i]->name);
		CHECK(d == &bt.dev[i]->device, "find_device(%s)",
		      bt.dev[i]->name);
		CHECK(d != NULL && d->driver != NULL &&
		      strcmp(d->driver->name, "hvbus_test_drv") == 0);
	}
	for (d = bus->find_device(NULL, cmp_name, ""); d != NULL;
	     d = bus->find_device(d, cmp_name, ""))
		n++;
	CHECK_EQ(n, 0);
	/* A bare GUID is left to DPDK's bus_vmbus when it is loaded too
	 * (Debian's EAL auto-loads it); the prefixed name is always ours. */
	CHECK((bus->parse("f8615163-df3e-46c5-913f-f2d2f965ed0e", NULL) == 0) ==
	      (rte_bus_find_by_name("vmbus") == NULL));
	CHECK(bus->parse("hvbus:f8615163-df3e-46c5-913f-f2d2f965ed0e",
			 NULL) == 0);
	CHECK(bus->parse("hvbus:f8615163", NULL) != 0);
	CHECK(bus->parse("0000:00:01.0", NULL) != 0);
	CHECK(bus->parse("net_hvnet0", NULL) != 0);
}

static void
test_channels(struct rte_hvbus_device *dev)
{
	struct hvbus_chan *c = NULL, *c2 = NULL;
	void *va = NULL;
	uint32_t handle = 0;
	int rc;

	rc = hvbus_chan_open(dev, 0, 0, 0, &c);
	REQUIRE(rc == 0 && c != NULL, "open primary: %d", rc);
	CHECK(dev->chan_slot[0] == c, "channel published");
	CHECK_EQ(c->subidx, 0);
	CHECK(c->relid != 0);
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, NULL), -EBUSY);
	CHECK_EQ(hvbus_chan_open(dev, 1, 0, 0, NULL), -ENODEV);
	CHECK_EQ(hvbus_chan_open(dev, 0, 12345, 0, NULL), -EINVAL);
	CHECK_EQ(hvbus_chan_open(dev, HVBUS_MAX_CHAN, 0, 0, NULL), -EINVAL);

	rc = bt_nvsp_init(c, 0x1234);
	CHECK_EQ(rc, 1);

	rc = hvbus_gpadl_create(dev, 1 << 20, &va, &handle);
	CHECK(rc == 0 && va != NULL && handle != 0, "gpadl create: %d", rc);
	if (rc == 0) {
		memset(va, 0xa5, 1 << 20);	/* it is ours to write */
		CHECK_EQ(hvbus_gpadl_destroy(dev, handle), 0);
		CHECK_EQ(hvbus_gpadl_destroy(dev, handle), -ENOENT);
	}
	CHECK_EQ(hvbus_subchan_count(dev), 0);
	CHECK_EQ(hvbus_subchan_wait(dev, 1, 100), -ETIMEDOUT);

	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
	CHECK(dev->chan_slot[0] == NULL, "channel unpublished");
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);

	/* Reopen with other ring sizes; the protocol still works. */
	rc = hvbus_chan_open(dev, 0, 16384, 32768, &c2);
	REQUIRE(rc == 0 && c2 != NULL, "reopen: %d", rc);
	CHECK_EQ(c2->tx.size, 16384 - 4096);
	CHECK_EQ(c2->rx.size, 32768 - 4096);
	CHECK_EQ(bt_nvsp_init(c2, 77), 1);
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
}

/* /hvbus/channels through the telemetry socket. */
static void
test_telemetry(struct rte_hvbus_device *dev)
{
	static char buf[65536];
	struct hvbus_chan *c = NULL;
	char want[64];
	int n;

	REQUIRE(hvbus_chan_open(dev, 0, 0, 0, &c) == 0);
	n = bt_telemetry("/hvbus/channels", buf, sizeof(buf));
	CHECK(n > 0, "telemetry: %d", n);
	if (n > 0) {
		CHECK_EQ(bt_json_int(buf, "connected"), 1);
		CHECK_EQ(bt_json_int(buf, "devices"), 3);
		CHECK_EQ(bt_json_int(buf, "probed"), 3);
		CHECK_EQ(bt_json_int(buf, "bad_msgs"), 0);
		snprintf(want, sizeof(want), "\"relid_%u\":", c->relid);
		CHECK(strstr(buf, want) != NULL, "%s in %s", want, buf);
		CHECK(strstr(buf, "\"state\":\"open\"") != NULL, "%s", buf);
	}
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
}

int
main(int argc, char **argv)
{
	struct hvsim *h;
	unsigned int i;
	int rc;

	(void)argc;
	rc = bt_eal_init(argv[0], "3");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL, "no embedded hvsim");

	test_listing();
	test_telemetry(bt.dev[0]);
	for (i = 0; i < NICS && i < bt.n_probed; i++)
		test_channels(bt.dev[i]);
	/* Leave one channel open: cleanup must close it. */
	CHECK_EQ(hvbus_chan_open(bt.dev[0], 0, 0, 0, NULL), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(bt.n_removed, NICS);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bus_probe");
}
