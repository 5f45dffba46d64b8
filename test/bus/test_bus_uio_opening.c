/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rescind of a uio channel while it is OPENING (issue 15, 1b).
 *
 * The uio backend answers OPENCHANNEL for the kernel, and like the host it
 * says nothing for a channel the kernel has rescinded meanwhile: the
 * rescind comes instead, with the channel in OPENING. Kernel rings have no
 * GPADL to wait for, so the teardown that rescind starts completes inside
 * the rescind handler; the offer must still be released once, after every
 * part of the handler is done with it.
 *
 * The test is the control loop: it runs the real uio backend against a
 * fake uio_hv_generic tree and the bus's own handlers, one step at a time
 * (take a request, let the kernel change, drain the backend), so the race
 * is placed exactly, without threads. Run under ASan (suite "unit") a use
 * of the freed offer is reported; everywhere the backend counts each
 * RELID_RELEASED the bus sends.
 */

#include "hvbus_private.h"
#include "uio_config.h"
#include "uio_tree.h"

#define SUB_RELID	7

static unsigned int released[VMB_MAX_RELID];

/* The uio backend's send, counting what the bus releases. */
static int
count_send(struct hvbus_backend *be, const void *msg, uint32_t len)
{
	union vmb_msg m;

	if (vmb_msg_decode(msg, len, &m) == VMB_MSG_RELID_RELEASED &&
	    m.relid.child_relid < VMB_MAX_RELID)
		released[m.relid.child_relid]++;
	return hvbus_uio_ops.send(be, msg, len);
}

static struct hvbus_backend_ops ops;

/* What the control loop does when the backend's fd is readable. */
static void
drain(void)
{
	uint8_t buf[VMB_MSG_MAX_SIZE];
	int len;

	while ((len = hvbus.be.ops->recv(&hvbus.be, buf, sizeof(buf))) > 0)
		hvbus_ctrl_dispatch(buf, (uint32_t)len);
	CHECK_EQ(len, -EAGAIN);
}

/* A request as hvbus_req_run() posts it: the poster's reference and the
 * control thread's.
 */
static struct hvbus_req *
req_new(enum hvbus_req_type type, struct rte_hvbus_device *dev,
	uint16_t subidx)
{
	struct hvbus_req *req = hvbus_req_new(type);

	REQUIRE(req != NULL);
	req->refs = 2;
	req->dev = dev;
	req->subidx = subidx;
	return req;
}

static void
connect_bus(const char *root)
{
	struct hvbus_req *req = req_new(HVBUS_REQ_CONNECT, NULL, 0);
	union vmb_msg m;

	snprintf(hvbus.cfg.backend, sizeof(hvbus.cfg.backend), "uio");
	snprintf(hvbus_uio_conf.sysfs, sizeof(hvbus_uio_conf.sysfs),
		 "%s/devices", root);
	snprintf(hvbus_uio_conf.devroot, sizeof(hvbus_uio_conf.devroot),
		 "%s/dev", root);
	hvbus_uio_conf.linear = true;
	hvbus.cfg.timeout_ms = 1000;
	hvbus.cfg.ring_size = 8192;
	ops = hvbus_uio_ops;
	ops.send = count_send;
	hvbus.be.ops = &ops;
	REQUIRE(ops.open(&hvbus.be, &hvbus.cfg) == 0);
	REQUIRE(hvbus_retire_init() == 0);
	/* Past version negotiation: ask for the offers. */
	hvbus.connected = true;
	hvbus.connect_req = req;
	REQUIRE(hvbus_send(&m, vmb_msg_encode_hdr(&m,
					VMB_MSG_REQUESTOFFERS)) == 0);
	drain();
	CHECK(req->done && req->result == 0, "offers delivered");
	hvbus_req_put(req);
}

/*
 * Open @subidx while the kernel takes the channel away between the bus's
 * look at the ring memory and its OPENCHANNEL; then the rescind.
 */
static void
open_rescinded(struct rte_hvbus_device *dev, uint16_t subidx, uint32_t relid,
	       void (*kernel_removes)(void))
{
	struct hvbus_req *req = req_new(HVBUS_REQ_OPEN, dev, subidx);
	struct hvbus_offer *o = hvbus.relid_tab[relid];

	REQUIRE(o != NULL && o->state == HVBUS_CS_OFFERED);
	kernel_removes();
	hvbus_req_open(req);
	/* OPENCHANNEL went out and stays unanswered: OPENING. */
	CHECK(!req->done, "open waits for the host");
	CHECK_EQ(o->state, HVBUS_CS_OPENING);
	CHECK_EQ(released[relid], 0);
	drain();		/* the rescind */
	CHECK(req->done && req->result == -ENODEV, "open failed: %d",
	      req->result);
	CHECK_EQ(released[relid], 1);
	CHECK(hvbus.relid_tab[relid] == NULL, "offer gone");
	CHECK(dev->chan_slot[subidx] == NULL);
	hvbus_req_put(req);
}

static void
sub_removes(void)
{
	ut_sub_remove(SUB_RELID);
}

int
main(void)
{
	struct rte_hvbus_device *dev;
	size_t total;
	uint8_t *uio, *ring;
	unsigned int i;

	rte_log_set_level(hvbus_logtype, RTE_LOG_WARNING);
	uio = ut_make_tree(&total);
	connect_bus(ut_root);
	dev = TAILQ_FIRST(&hvbus.devs);
	REQUIRE(dev != NULL && hvbus.relid_tab[UT_RELID] != NULL);

	/* A subchannel appears (the kernel opened it), then goes while
	 * the bus opens it.
	 */
	ring = ut_sub_add(SUB_RELID, 1, 4);
	ops.tick(&hvbus.be);
	drain();
	REQUIRE(hvbus.relid_tab[SUB_RELID] != NULL, "subchannel offered");
	open_rescinded(dev, 1, SUB_RELID, sub_removes);
	CHECK(hvbus.relid_tab[UT_RELID] != NULL, "primary untouched");

	/* The device goes while the bus opens its primary. */
	open_rescinded(dev, 0, UT_RELID, ut_dev_remove);
	CHECK_EQ(hvbus.st.released, 2);
	for (i = 0; i < VMB_MAX_RELID; i++)
		if (i != SUB_RELID && i != UT_RELID)
			CHECK_EQ(released[i], 0);

	/* Nothing left waiting. */
	CHECK(hvbus_chan_idle(), "bus idle");
	CHECK_EQ(hvbus.retiring, 0);
	hvbus_retire_fini();
	hvbus_work_stop();
	ops.close(&hvbus.be);
	while ((dev = TAILQ_FIRST(&hvbus.devs)) != NULL) {
		TAILQ_REMOVE(&hvbus.devs, dev, next);
		free(dev->priv);
		free(dev);
	}
	munmap(ring, UT_SUB_RING);
	munmap(uio, total);
	ut_cleanup();
	return check_exit("bus_uio_opening");
}
