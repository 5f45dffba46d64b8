/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rescind handling against the embedded hvsim and its checker:
 * - an open primary rescinded while a reader thread runs bursts: the
 *   driver hears of it, the slot goes NULL, the relid is released exactly
 *   once, and a re-offer of the same instance reaches the driver, which
 *   opens it again;
 * - a reader sitting inside a burst holds the release back (the rings stay
 *   mapped) until it leaves, even when everything else is done: the host
 *   answered the close and every teardown; an attached but idle reader
 *   holds nothing back; the release then comes exactly once;
 * - a driver slow in its rescind callback does not hold the release back;
 * - driver buffers (GPADLs) are torn down at the rescind but stay valid
 *   until the driver frees them;
 * - a never-opened channel is released straight away;
 * - a driver object retired with hvbus_retire() waits for the same readers.
 */

#include <rte_bus.h>

#include "bus_test.h"

struct reader {
	struct epoch_reader rd;
	struct hvbus_chan *const *slot;
	volatile bool stop;
	uint64_t with_chan;
	uint64_t without_chan;
	uint64_t avail_errors;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct hvbus_chan *c;

	while (!r->stop) {
		epoch_reader_enter(&r->rd);
		c = hvbus_chan_get(r->slot);
		if (c != NULL) {
			/* Touch the ring memory as an rx burst would. */
			if (vmb_ring_avail(&c->rx) < 0)
				__atomic_fetch_add(&r->avail_errors, 1,
						   __ATOMIC_RELAXED);
			__atomic_fetch_add(&r->with_chan, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_fetch_add(&r->without_chan, 1,
					   __ATOMIC_RELAXED);
		}
		epoch_reader_exit(&r->rd);
	}
	return NULL;
}

static uint64_t
rd_get(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
test_rescind_busy_reader(struct hvsim *h, struct rte_hvbus_device *dev)
{
	struct reader r = { .slot = &dev->chan_slot[0] };
	unsigned int ev0 = bt_get(&bt.ev[HVBUS_EV_RESCIND]);
	unsigned int re0 = bt_get(&bt.ev[HVBUS_EV_REOFFER]);
	struct hvbus_chan *c = NULL;
	pthread_t t;
	uint32_t relid;
	uint64_t end, n;

	REQUIRE(hvbus_chan_open(dev, 0, 0, 0, &c) == 0);
	relid = c->relid;
	REQUIRE(hvbus_queue_attach(dev, &r.rd) == 0);
	REQUIRE(pthread_create(&t, NULL, reader_main, &r) == 0);
	end = bt_ms() + 2000;
	while (rd_get(&r.with_chan) < 1000 && bt_ms() < end)
		usleep(1000);
	CHECK(rd_get(&r.with_chan) >= 1000, "reader saw the channel");

	CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], ev0 + 1, 3000), 0);
	CHECK_EQ(bt.ev_sub[HVBUS_EV_RESCIND], 0);
	CHECK_EQ(bt_wait_released(h, 0, 1, 3000), 0);
	CHECK(dev->chan_slot[0] == NULL, "slot unpublished");
	n = rd_get(&r.without_chan);
	end = bt_ms() + 2000;
	while (rd_get(&r.without_chan) == n && bt_ms() < end)
		usleep(1000);
	CHECK(rd_get(&r.without_chan) > n, "reader sees no channel");
	CHECK_EQ(rd_get(&r.avail_errors), 0);
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, NULL), -ENODEV);
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
	CHECK_EQ(hvbus_gpadl_create(dev, 4096, (void **)&c, &relid), -ENODEV);

	/* Same instance again, new relid: the driver re-attaches. */
	CHECK_EQ(hvsim_reoffer(h, 0), 0);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_REOFFER], re0 + 1, 3000), 0);
	c = NULL;
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);
	CHECK(c != NULL && c->relid != relid, "new relid");
	if (c != NULL)
		CHECK_EQ(bt_nvsp_init(c, 99), 1);
	n = rd_get(&r.with_chan);
	end = bt_ms() + 2000;
	while (rd_get(&r.with_chan) == n && bt_ms() < end)
		usleep(1000);
	CHECK(rd_get(&r.with_chan) > n, "reader sees the new channel");

	r.stop = true;
	pthread_join(t, NULL);
	CHECK_EQ(hvbus_queue_detach(dev, &r.rd), 0);
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

/*
 * Field @p key of channel @p relid in /hvbus/channels: a number, or the
 * state's name compared with @p state (1 if equal). -1 if absent.
 */
static long long
chan_field(uint32_t relid, const char *key, const char *state)
{
	char buf[16384], pat[32], *p, *end;

	if (bt_telemetry("/hvbus/channels", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(pat, sizeof(pat), "\"relid_%u\":", relid);
	p = strstr(buf, pat);
	if (p == NULL)
		return -1;
	end = strchr(p, '}');
	if (end != NULL)
		*end = '\0';
	if (state != NULL) {
		char want[48];

		snprintf(want, sizeof(want), "\"state\":\"%s\"", state);
		return strstr(p, want) != NULL;
	}
	return bt_json_int(p, key);
}

/* Wait until only the grace period keeps @p relid from its release: the
 * host answered CLOSECHANNEL's teardown and every GPADL teardown.
 */
static int
wait_only_grace(uint32_t relid, unsigned int ms)
{
	uint64_t end = bt_ms() + ms;

	for (;;) {
		if (chan_field(relid, NULL, "closing") == 1 &&
		    chan_field(relid, "gpadls", NULL) == 0 &&
		    chan_field(relid, "grace_period", NULL) == 1)
			return 0;
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

/*
 * A reader inside a burst keeps the channel alive; an idle one (attached,
 * never polled, like a quiet tx queue) does not hold anything up.
 */
static void
test_rescind_held_reader(struct hvsim *h, struct rte_hvbus_device *dev)
{
	struct epoch_reader in_burst = { 0 }, idle = { 0 };
	struct hvbus_chan *c = NULL, *seen;
	void *va = NULL;
	uint32_t handle = 0, relid;
	struct hvsim_nic_stats st;

	REQUIRE(hvbus_chan_open(dev, 0, 0, 0, &c) == 0);
	relid = c->relid;
	REQUIRE(hvbus_gpadl_create(dev, 64 * 4096, &va, &handle) == 0);
	REQUIRE(hvbus_queue_attach(dev, &in_burst) == 0);
	REQUIRE(hvbus_queue_attach(dev, &idle) == 0);
	CHECK_EQ(chan_field(relid, "gpadls", NULL), 2);
	CHECK_EQ(chan_field(relid, "grace_period", NULL), 0);

	epoch_reader_enter(&in_burst);
	seen = hvbus_chan_get(&dev->chan_slot[0]);
	CHECK(seen == c);
	CHECK_EQ(hvsim_rescind(h, 1, 0), 0);
	/* Everything but the grace period completes while we read: the
	 * close and both teardowns do not wait for it...
	 */
	CHECK_EQ(wait_only_grace(relid, 3000), 0);
	CHECK(dev->chan_slot[0] == NULL, "unpublished while we read");
	/* ...the release does. */
	CHECK_EQ(hvsim_nic_stats(h, 1, &st), 0);
	CHECK_EQ(st.released, 0);
	CHECK_EQ(chan_field(relid, "rescinded", NULL), 1);
	/* The rings are still ours to read. */
	CHECK(vmb_ring_avail(&seen->rx) >= 0);
	CHECK_EQ(seen->relid, relid);
	epoch_reader_exit(&in_burst);

	/* The idle record never left its "out" state: nothing else is
	 * needed for the release, which comes once.
	 */
	CHECK_EQ(bt_wait_released(h, 1, 1, 3000), 0);
	CHECK_EQ(chan_field(relid, "gpadls", NULL), -1);
	CHECK_EQ(hvsim_nic_stats(h, 1, &st), 0);
	CHECK(st.released_ns >= st.rescind_ns, "host stamps in order");
	/* The driver buffer was torn down on the host but is still ours. */
	memset(va, 0x5a, 64 * 4096);
	CHECK_EQ(hvbus_gpadl_destroy(dev, handle), 0);
	CHECK_EQ(hvbus_queue_detach(dev, &in_burst), 0);
	CHECK_EQ(hvbus_queue_detach(dev, &idle), 0);
	CHECK_EQ(bt_wait_released(h, 1, 1, 10), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

/*
 * The release does not wait for the driver: its rescind callback runs on
 * the work thread, and here it is stuck until the release is in.
 */
static void
test_rescind_slow_driver(struct hvsim *h, struct rte_hvbus_device *dev)
{
	unsigned int ev0 = bt_get(&bt.ev[HVBUS_EV_RESCIND]);
	struct hvbus_chan *c = NULL;
	struct epoch_reader idle = { 0 };

	REQUIRE(hvbus_chan_open(dev, 0, 0, 0, &c) == 0);
	REQUIRE(hvbus_queue_attach(dev, &idle) == 0);
	__atomic_store_n(&bt.hold_events, true, __ATOMIC_RELEASE);
	CHECK_EQ(hvsim_rescind(h, 3, 0), 0);
	CHECK_EQ(bt_wait_released(h, 3, 1, 3000), 0);
	CHECK_EQ(bt_get(&bt.ev[HVBUS_EV_RESCIND]), ev0);
	__atomic_store_n(&bt.hold_events, false, __ATOMIC_RELEASE);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], ev0 + 1, 3000), 0);
	CHECK_EQ(bt_wait_released(h, 3, 1, 10), 0);
	CHECK_EQ(hvbus_queue_detach(dev, &idle), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

static unsigned int dtor_runs;

static void
obj_dtor(void *obj)
{
	__atomic_fetch_add(&dtor_runs, 1, __ATOMIC_RELAXED);
	free(obj);
}

/* Driver objects ride the same grace periods as channels. */
static void
test_driver_retire(struct rte_hvbus_device *dev)
{
	struct epoch_reader rd = { 0 };
	void *obj = malloc(64);
	uint64_t end;

	REQUIRE(obj != NULL && hvbus_queue_attach(dev, &rd) == 0);
	CHECK_EQ(hvbus_retire(dev, NULL, obj_dtor), -EINVAL);
	epoch_reader_enter(&rd);
	CHECK_EQ(hvbus_retire(dev, obj, obj_dtor), 0);
	usleep(100 * 1000);
	CHECK_EQ(__atomic_load_n(&dtor_runs, __ATOMIC_RELAXED), 0);
	epoch_reader_exit(&rd);
	end = bt_ms() + 2000;
	while (__atomic_load_n(&dtor_runs, __ATOMIC_RELAXED) == 0 &&
	       bt_ms() < end)
		usleep(1000);
	CHECK_EQ(__atomic_load_n(&dtor_runs, __ATOMIC_RELAXED), 1);
	CHECK_EQ(hvbus_queue_detach(dev, &rd), 0);
}

/* Offered, probed, never opened: released at once, exactly once. */
static void
test_rescind_unopened(struct hvsim *h)
{
	CHECK_EQ(hvsim_rescind(h, 2, 0), 0);
	CHECK_EQ(bt_wait_released(h, 2, 1, 3000), 0);
	/* Nothing more may follow: give a second one the chance to show. */
	usleep(100 * 1000);
	CHECK_EQ(bt_wait_released(h, 2, 1, 10), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

int
main(int argc, char **argv)
{
	struct hvsim *h;
	int rc;

	(void)argc;
	rc = bt_eal_init(argv[0], "4");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL, "no embedded hvsim");
	REQUIRE(bt_get(&bt.n_probed) == 4, "4 devices probed");

	test_rescind_busy_reader(h, bt.dev[0]);
	test_rescind_held_reader(h, bt.dev[1]);
	test_rescind_unopened(h);
	test_rescind_slow_driver(h, bt.dev[3]);
	test_driver_retire(bt.dev[0]);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(bt.n_removed, 4);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bus_rescind");
}
