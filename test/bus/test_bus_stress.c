/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rescind / re-offer / close / reopen cycles while two reader threads poll
 * the channel the way an rx and a tx queue do. Every cycle must release
 * the relid exactly once, the readers must never see a broken ring or a
 * freed channel (run it under ASan: build-asan), and the host's checker
 * must stay clean.
 */

#include "bus_test.h"

#define CYCLES	25

struct reader {
	struct epoch_reader rd;
	struct hvbus_chan *const *slot;
	bool rx;		/* rx role: drains; tx role: reads indices */
	volatile bool stop;
	uint64_t seen, errors;
	uint32_t last_relid;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct hvbus_chan *c;
	uint8_t buf[2048];
	int rc;

	while (!r->stop) {
		epoch_reader_enter(&r->rd);
		c = hvbus_chan_get(r->slot);
		if (c != NULL) {
			if (r->rx) {
				/* Drain what the host sends (completions of
				 * the main thread's requests are not ours to
				 * take: only look).
				 */
				rc = vmb_ring_avail(&c->rx);
			} else {
				rc = (int)__atomic_load_n(&c->tx.hdr->read_index,
							  __ATOMIC_ACQUIRE);
				rc = rc >= 0 && (uint32_t)rc < c->tx.size ? 0 : -1;
			}
			if (rc < 0)
				r->errors++;
			r->last_relid = c->relid;
			r->seen++;
		}
		epoch_reader_exit(&r->rd);
		(void)buf;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct reader rx = { .rx = true }, tx = { .rx = false };
	struct rte_hvbus_device *dev;
	struct hvbus_chan *c;
	pthread_t trx, ttx;
	struct hvsim *h;
	unsigned int i, re0;
	uint64_t seen;
	int rc;

	(void)argc;
	rc = bt_eal_init(argv[0], "1");
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	h = hvbus_sim_hvsim();
	REQUIRE(h != NULL && bt_get(&bt.n_probed) == 1);
	dev = bt.dev[0];
	rx.slot = tx.slot = &dev->chan_slot[0];
	REQUIRE(hvbus_queue_attach(dev, &rx.rd) == 0);
	REQUIRE(hvbus_queue_attach(dev, &tx.rd) == 0);
	REQUIRE(pthread_create(&trx, NULL, reader_main, &rx) == 0);
	REQUIRE(pthread_create(&ttx, NULL, reader_main, &tx) == 0);

	for (i = 0; i < CYCLES; i++) {
		c = NULL;
		rc = hvbus_chan_open(dev, 0, 0, 0, &c);
		CHECK(rc == 0, "cycle %u: open %d", i, rc);
		if (rc != 0)
			break;
		CHECK_EQ(bt_nvsp_init(c, i), 1);
		/* Every other cycle: a plain close and reopen first. */
		if (i % 2 == 0) {
			CHECK_EQ(hvbus_chan_close(dev, 0), 0);
			CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);
		}
		seen = __atomic_load_n(&rx.seen, __ATOMIC_RELAXED);
		while (__atomic_load_n(&rx.seen, __ATOMIC_RELAXED) < seen + 100)
			usleep(100);
		re0 = bt_get(&bt.ev[HVBUS_EV_REOFFER]);
		CHECK_EQ(hvsim_rescind(h, 0, 0), 0);
		CHECK_EQ(bt_wait_released(h, 0, i + 1, 3000), 0);
		CHECK_EQ(hvsim_reoffer(h, 0), 0);
		CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_REOFFER], re0 + 1, 3000), 0);
	}
	rx.stop = tx.stop = true;
	pthread_join(trx, NULL);
	pthread_join(ttx, NULL);
	CHECK_EQ(rx.errors, 0);
	CHECK_EQ(tx.errors, 0);
	CHECK(rx.seen > 0 && tx.seen > 0);
	CHECK_EQ(hvbus_queue_detach(dev, &rx.rd), 0);
	CHECK_EQ(hvbus_queue_detach(dev, &tx.rd), 0);
	CHECK_EQ(bt_wait_released(h, 0, CYCLES, 10), 0);
	CHECK_EQ(hvsim_violations(h), 0);
	bt_report(h);

	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(hvbus_sim_exit_violations(), 0);
	return check_exit("bus_stress");
}
