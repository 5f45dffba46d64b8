/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Stress: traffic on three NICs through open/close and rescind/release/
 * re-offer cycles, while another thread hammers the cross-thread API
 * (statistics, link, hooks that never fire). The checker must stay clean
 * and every echo must come back in order.
 */

#include <pthread.h>
#include <stdatomic.h>

#include "hvsim_test.h"

static atomic_bool chaos_stop;
static atomic_uint chaos_ops;

static void *
chaos(void *arg)
{
	struct hvsim *h = arg;
	struct hvsim_nic_stats st;
	unsigned int i = 0;

	while (!atomic_load(&chaos_stop)) {
		hvsim_nic_stats(h, i % 4, &st);
		hvsim_set_link(h, 3, i & 1);
		if (hvsim_hook_arm(h, 3, HVSIM_STEP_VF_SWITCH) == 0)
			hvsim_hook_release(h, 3);
		atomic_fetch_add(&chaos_ops, 1);
		i++;
	}
	return NULL;
}

static void
traffic(struct hvsim_guest_chan *c, unsigned int n)
{
	uint8_t buf[256];
	unsigned int i;
	int len;

	for (i = 0; i < n; i++) {
		REQUIRE(hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, i, NULL,
					      0, &i, sizeof(i)) == 0);
		len = hvsim_guest_chan_recv(c, buf, sizeof(buf), 0);
		REQUIRE(len > 0, "echo %u: %d", i, len);
		CHECK_EQ(((const struct vmb_pkt_desc *)buf)->xid, i);
	}
}

int
main(void)
{
	struct hvsim_guest_chan *c;
	const struct hvsim_guest_offer *o;
	union vmb_msg m;
	pthread_t th;
	struct tenv t;
	unsigned int round, nic;
	uint32_t relid;

	tenv_up(&t, 4, true, 0);
	tenv_connect(&t);
	REQUIRE(pthread_create(&th, NULL, chaos, t.h) == 0);
	for (round = 0; round < 100; round++) {
		for (nic = 0; nic < 3; nic++) {
			o = hvsim_guest_find_nic(t.g, nic, 0);
			REQUIRE(o != NULL, "round %u nic%u offered", round, nic);
			relid = o->relid;
			REQUIRE(hvsim_guest_chan_open(t.g, relid, 4, &c) == 0);
			traffic(c, 40);
			if ((round + nic) % 2 == 0) {
				CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
				continue;
			}
			/* Rescinded under the guest's feet, Linux-style
			 * clean-up, release, re-offer.
			 */
			CHECK_EQ(hvsim_rescind(t.h, nic, 0), 0);
			CHECK_EQ(hvsim_guest_wait_rescind(t.g, relid, 0), 0);
			hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_relid(
					     &m, VMB_MSG_CLOSECHANNEL, relid));
			CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, relid, c->gpadl),
				 0);
			hvsim_guest_chan_forget(t.g, c);
			CHECK_EQ(hvsim_guest_release(t.g, relid), 0);
			CHECK_EQ(hvsim_reoffer(t.h, nic), 0);
			CHECK(hvsim_guest_wait_offer(t.g, nic, 0, relid, 0) != NULL);
		}
	}
	atomic_store(&chaos_stop, true);
	pthread_join(th, NULL);
	CHECK(atomic_load(&chaos_ops) > 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
	return check_exit("hvsim_stress");
}
