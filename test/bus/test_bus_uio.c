/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The uio backend against a fake uio_hv_generic tree: sysfs attributes and
 * maps as plain files (uio_offsets=linear), /dev/uio0 a plain file this
 * test also maps to play the host. The device is listed and probed, the
 * primary's rings (opened "by the kernel") carry packets both ways and
 * ring the monitor page, the kernel's receive and send buffers are handed
 * out with their GPADL handles, a subchannel appears and goes with its
 * sysfs directory, and the device's directory going away is a rescind.
 */

#include "bus_test.h"
#include "uio_tree.h"

#define SUB_RELID	7

static void
test_rings(uint8_t *uio, struct hvbus_chan *c)
{
	struct vmb_ring host_in, host_out;
	const char hello[] = "hello host";
	uint8_t buf[256];
	const struct vmb_pkt_desc *d = (const void *)buf;
	uint32_t *pending;
	int rc;

	REQUIRE(vmb_ring_init_mem(&host_in, uio, UT_RING / 2) == 0);
	REQUIRE(vmb_ring_init_mem(&host_out, uio + UT_RING / 2,
				  UT_RING / 2) == 0);
	/* guest -> host, with a doorbell on the monitor page */
	pending = (uint32_t *)(uio + ut_map_off(2) + 8 + 8 * (UT_MON_ID / 32));
	rc = vmb_ring_write(&c->tx, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, 7,
			    NULL, 0, &(struct vmb_iov){ hello, sizeof(hello) },
			    1);
	CHECK_EQ(rc, 1);
	if (rc == 1)
		hvbus_chan_signal(c);
	CHECK(*pending & (1u << (UT_MON_ID % 32)), "doorbell rung");
	rc = vmb_ring_read(&host_in, buf, sizeof(buf));
	CHECK(rc > 0 && d->xid == 7 &&
	      memcmp(buf + d->data_offset8 * 8, hello, sizeof(hello)) == 0,
	      "host got the packet: %d", rc);
	/* host -> guest */
	rc = vmb_ring_write(&host_out, VMB_PKT_COMPLETION, 0, 9, NULL, 0,
			    &(struct vmb_iov){ "ok", 2 }, 1);
	CHECK(rc >= 0);
	rc = vmb_ring_read(&c->rx, buf, sizeof(buf));
	CHECK(rc > 0 && d->type == VMB_PKT_COMPLETION && d->xid == 9,
	      "guest got the completion: %d", rc);
}

static void
test_buffers(uint8_t *uio, struct rte_hvbus_device *dev)
{
	void *va = NULL, *va2 = NULL;
	uint32_t h = 0, h2 = 0;

	memset(uio + ut_map_off(3), 0x3c, 4096);
	CHECK_EQ(hvbus_gpadl_create(dev, 32 * 1024, &va, &h), 0);
	CHECK_EQ(h, 0x1234);
	CHECK(va != NULL && ((uint8_t *)va)[100] == 0x3c, "receive buffer");
	CHECK_EQ(hvbus_gpadl_create(dev, 64 * 1024, &va2, &h2), -ENOSPC);
	CHECK_EQ(hvbus_gpadl_create(dev, 32 * 1024, &va2, &h2), 0);
	CHECK_EQ(h2, 0x5678);
	CHECK_EQ(hvbus_gpadl_create(dev, 4096, &va2, &h2), -ENOSPC);
	CHECK_EQ(hvbus_gpadl_destroy(dev, 0x5678), 0);
	CHECK_EQ(hvbus_gpadl_destroy(dev, 0x1234), 0);
}

static void
test_subchannel(struct rte_hvbus_device *dev)
{
	struct hvbus_chan *c = NULL;
	uint8_t *ring;

	ring = ut_sub_add(SUB_RELID, 1, 4);
	CHECK_EQ(hvbus_subchan_wait(dev, 1, 3000), 1);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_SUBCHAN_OFFER], 1, 3000), 0);
	CHECK_EQ(hvbus_chan_open(dev, 1, 0, 0, &c), 0);
	CHECK(c != NULL && c->relid == SUB_RELID && c->subidx == 1);
	if (c != NULL)
		CHECK_EQ(c->tx.size, UT_SUB_RING / 2 - 4096);
	/* The kernel removes the channel: a rescind of that one only. */
	ut_sub_remove(SUB_RELID);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], 1, 3000), 0);
	CHECK_EQ(bt.ev_sub[HVBUS_EV_RESCIND], 1);
	CHECK(dev->chan_slot[1] == NULL && dev->chan_slot[0] != NULL);
	munmap(ring, UT_SUB_RING);
}

int
main(int argc, char **argv)
{
	struct rte_hvbus_device *dev;
	struct hvbus_chan *c = NULL;
	char args[600];
	size_t total;
	uint8_t *uio;
	int rc;

	(void)argc;
	uio = ut_make_tree(&total);
	snprintf(args, sizeof(args), "hvbus_uio,sysfs=%s/devices,"
		 "devroot=%s/dev,uio_offsets=linear,timeout_ms=2000", ut_root,
		 ut_root);
	rc = bt_eal_init_vdev(argv[0], args);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK(hvbus_sim_hvsim() == NULL);
	REQUIRE(bt_get(&bt.n_probed) == 1, "the uio device was probed");
	dev = bt.dev[0];
	CHECK(strcmp(dev->name, UT_INST) == 0, "%s", dev->name);

	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);
	REQUIRE(c != NULL);
	CHECK_EQ(c->relid, UT_RELID);
	CHECK_EQ(c->tx.size, UT_RING / 2 - 4096);
	test_rings(uio, c);
	test_buffers(uio, dev);
	test_subchannel(dev);
	/* Close and reopen: the kernel keeps it open, the bus just maps. */
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);

	/* The device goes away: rescind of the primary. */
	ut_dev_remove();
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], 2, 3000), 0);
	CHECK_EQ(bt.ev_sub[HVBUS_EV_RESCIND], 0);
	CHECK(dev->chan_slot[0] == NULL, "primary unpublished");
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, NULL), -ENODEV);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(bt.n_removed, 1);
	munmap(uio, total);
	ut_cleanup();
	return check_exit("bus_uio");
}
