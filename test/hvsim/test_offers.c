/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Offers: one per NIC, netvsc class, stable instance GUIDs, unique relids
 * and monitor ids, fresh relids after a reconnect; REQUESTOFFERS only once.
 */

#include "hvsim_test.h"

static void
check_offers(struct tenv *t, unsigned int nics, uint32_t *relids)
{
	bool mon[128] = { false };
	unsigned int i, j;

	for (i = 0; i < nics; i++) {
		const struct hvsim_guest_offer *o = hvsim_guest_find_nic(t->g, i, 0);
		uint8_t want[16];

		CHECK(o != NULL, "offer for nic%u", i);
		if (o == NULL)
			continue;
		hvsim_nic_instance_guid(i, want);
		CHECK(memcmp(o->instance.b, want, 16) == 0);
		CHECK(vmb_guid_equal(&o->if_type, &vmb_guid_netvsc));
		CHECK_EQ(o->subidx, 0);
		CHECK(o->relid > 0 && o->relid < VMB_MAX_RELID);
		CHECK(o->monitor_allocated);
		CHECK(o->monitor_id < 128 && !mon[o->monitor_id],
		      "monitor id %u unique", o->monitor_id);
		mon[o->monitor_id % 128] = true;
		relids[i] = o->relid;
		for (j = 0; j < i; j++)
			CHECK(relids[j] != relids[i], "relids unique");
	}
}

static void
test_three_nics(void)
{
	uint32_t first[3], second[3];
	struct tenv t;
	union vmb_msg m;
	unsigned int i, j;

	tenv_up(&t, 3, true, 0);
	tenv_connect(&t);
	CHECK_EQ(hvsim_guest_offer_count(t.g), 3);
	check_offers(&t, 3, first);
	/* Instance GUIDs differ between NICs. */
	CHECK(!vmb_guid_equal(&hvsim_guest_offer(t.g, 0)->instance,
			      &hvsim_guest_offer(t.g, 1)->instance));

	/* A second REQUESTOFFERS is refused without a reply. */
	vmb_msg_encode_hdr(&m, VMB_MSG_REQUESTOFFERS);
	hvsim_guest_send_raw(t.g, &m, 8);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OFFERCHANNEL, UINT32_MAX,
				       50));
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_ALLOFFERS_DELIVERED,
				       UINT32_MAX, 0));
	CHECK_EQ(hvsim_violations(t.h), 1);
	CHECK(tenv_reported(&t, "second REQUESTOFFERS"));

	/* Unload and reconnect: same GUIDs, relids not reused. */
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	tenv_connect(&t);
	CHECK_EQ(hvsim_guest_offer_count(t.g), 6);
	check_offers(&t, 3, second);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			CHECK(first[i] != second[j], "fresh relid");
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(hvsim_violations(t.h), 1);
	tenv_down(&t);
}

static void
test_sixteen_nics(void)
{
	uint32_t relids[16];
	struct tenv t;

	tenv_up(&t, 16, false, 0);
	tenv_connect(&t);
	CHECK_EQ(hvsim_guest_offer_count(t.g), 16);
	check_offers(&t, 16, relids);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_bad_config(void)
{
	struct hvsim_config cfg;

	hvsim_config_init(&cfg, 0);
	CHECK(hvsim_create(&cfg) == NULL);
	hvsim_config_init(&cfg, 17);
	CHECK(hvsim_create(&cfg) == NULL);
	hvsim_config_init(&cfg, 2);
	cfg.nic[1].max_queues = 65;
	CHECK(hvsim_create(&cfg) == NULL);
	hvsim_config_init(&cfg, 2);
	cfg.nic[0].port.kind = HVSIM_PORT_SWITCH;
	cfg.nic[0].port.peer = 2;
	CHECK(hvsim_create(&cfg) == NULL);
}

int
main(void)
{
	test_three_nics();
	test_sixteen_nics();
	test_bad_config();
	return check_exit("hvsim_offers");
}
