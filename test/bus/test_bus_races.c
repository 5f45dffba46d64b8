/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The seed's races, placed deterministically with hvsim's hooks: a rescind
 * arrives
 * - while the host holds our OPENCHANNEL (it will never answer it): the
 *   open fails with -ENODEV as soon as the rescind arrives, well before
 *   the deadline, and the relid is released once;
 * - between GPADL_CREATED and the OPENCHANNEL: same;
 * - while the host holds our CLOSECHANNEL: the close finishes, the relid
 *   is released once;
 * - right after a (re-)offer, before the driver has even heard of it:
 *   released once, no device left half-made;
 * and, with no rescind at all, a host that sits on our OPENCHANNEL: the
 * open fails at the deadline, the bus closes and tears down behind it and
 * the late answer is ignored.
 * After each, hvsim's checker must be clean.
 */

#include "bus_test.h"

/* Deadline for host answers in this test: long, so that "fast" means
 * "driven by the rescind", not by the deadline.
 */
#define RACE_TIMEOUT_MS	5000

struct opener {
	struct rte_hvbus_device *dev;
	bool close;
	int rc;
	uint64_t ms;
	volatile bool done;
};

static void *
opener_main(void *arg)
{
	struct opener *op = arg;
	uint64_t t0 = bt_ms();

	if (op->close)
		op->rc = hvbus_chan_close(op->dev, 0);
	else
		op->rc = hvbus_chan_open(op->dev, 0, 0, 0, NULL);
	op->ms = bt_ms() - t0;
	op->done = true;
	return NULL;
}

static int
wait_done(struct opener *op, unsigned int ms)
{
	uint64_t end = bt_ms() + ms;

	while (!op->done) {
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/* Rescind while the host sits at @step of our open of NIC @nic. */
static void
race_open(struct hvsim *h, unsigned int nic, enum hvsim_step step,
	  const char *what)
{
	struct opener op = { .dev = bt.dev[nic] };
	pthread_t t;

	fprintf(stderr, "race: rescind %s\n", what);
	REQUIRE(hvsim_hook_arm(h, nic, step) == 0);
	REQUIRE(pthread_create(&t, NULL, opener_main, &op) == 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, 3000), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(wait_done(&op, 3000), 0);
	CHECK_EQ(op.rc, -ENODEV);
	CHECK(op.ms < RACE_TIMEOUT_MS / 2, "open failed after %llu ms: "
	      "by the deadline, not by the rescind",
	      (unsigned long long)op.ms);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	pthread_join(t, NULL);
	CHECK_EQ(bt_wait_released(h, nic, 1, 3000), 0);
	CHECK(bt.dev[nic]->chan_slot[0] == NULL);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

static void
open_deadline(struct hvsim *h, unsigned int nic)
{
	struct opener op = { .dev = bt.dev[nic] };
	uint64_t end;
	pthread_t t;
	int rc;

	fprintf(stderr, "no answer to OPEN: deadline\n");
	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_OPEN_RECEIVED) == 0);
	REQUIRE(pthread_create(&t, NULL, opener_main, &op) == 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, 3000), 0);
	CHECK_EQ(wait_done(&op, RACE_TIMEOUT_MS + 3000), 0);
	CHECK_EQ(op.rc, -ETIMEDOUT);
	CHECK(op.ms >= RACE_TIMEOUT_MS - 100, "failed after %llu ms",
	      (unsigned long long)op.ms);
	pthread_join(t, NULL);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	/* The teardown finishes once the host answers; then it opens. */
	end = bt_ms() + 3000;
	do {
		rc = hvbus_chan_open(bt.dev[nic], 0, 0, 0, NULL);
		if (rc == -EBUSY)
			usleep(2000);
	} while (rc == -EBUSY && bt_ms() < end);
	CHECK_EQ(rc, 0);
	CHECK_EQ(hvbus_chan_close(bt.dev[nic], 0), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

static void
race_close(struct hvsim *h, unsigned int nic)
{
	struct opener op = { .dev = bt.dev[nic], .close = true };
	pthread_t t;

	fprintf(stderr, "race: rescind during close\n");
	REQUIRE(hvbus_chan_open(bt.dev[nic], 0, 0, 0, NULL) == 0);
	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_CLOSE_RECEIVED) == 0);
	REQUIRE(pthread_create(&t, NULL, opener_main, &op) == 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, 3000), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	CHECK_EQ(wait_done(&op, 3000), 0);
	CHECK_EQ(op.rc, 0);
	pthread_join(t, NULL);
	CHECK_EQ(bt_wait_released(h, nic, 1, 3000), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);
}

/* Re-offer NIC @nic and rescind it while the host still sits right after
 * the OFFERCHANNEL: the bus sees offer and rescind back to back.
 */
static void
race_offer(struct hvsim *h, unsigned int nic, uint64_t released_before)
{
	unsigned int re0 = bt_get(&bt.ev[HVBUS_EV_REOFFER]);

	fprintf(stderr, "race: rescind right after the offer\n");
	REQUIRE(hvsim_hook_arm(h, nic, HVSIM_STEP_OFFER_SENT) == 0);
	CHECK_EQ(hvsim_reoffer(h, nic), 0);
	CHECK_EQ(hvsim_hook_wait(h, nic, 3000), 0);
	CHECK_EQ(hvsim_rescind(h, nic, 0), 0);
	CHECK_EQ(hvsim_hook_release(h, nic), 0);
	CHECK_EQ(bt_wait_released(h, nic, released_before + 1, 3000), 0);
	usleep(100 * 1000);
	CHECK_EQ(bt_wait_released(h, nic, released_before + 1, 10), 0);
	CHECK_EQ(hvbus_chan_open(bt.dev[nic], 0, 0, 0, NULL), -ENODEV);
	/* The driver may have heard of the re-offer (then also of the
	 * rescind), or of neither; never of one without the other.
	 */
	if (bt_get(&bt.ev[HVBUS_EV_REOFFER]) > re0)
		CHECK(bt_get(&bt.ev[HVBUS_EV_RESCIND]) >= 4);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);

	/* And a normal re-offer after all that still works. */
	CHECK_EQ(hvsim_reoffer(h, nic), 0);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_REOFFER], re0 + 1, 3000), 0);
	CHECK_EQ(hvbus_chan_open(bt.dev[nic], 0, 0, 0, NULL), 0);
	CHECK_EQ(hvbus_chan_close(bt.dev[nic], 0), 0);
}

int
main(int argc, char **argv)
{
	struct hvsim *h;
	int rc;

	(void)argc;
	rc = bt_eal_init_args(argv[0], "3", "timeout_ms=5000");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL, "no embedded hvsim");
	REQUIRE(bt_get(&bt.n_probed) == 3, "3 devices probed");

	race_open(h, 0, HVSIM_STEP_OPEN_RECEIVED, "before OPEN is answered");
	race_open(h, 1, HVSIM_STEP_GPADL_CREATED, "between GPADL and OPEN");
	open_deadline(h, 2);
	race_close(h, 2);
	race_offer(h, 0, 1);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bus_races");
}
