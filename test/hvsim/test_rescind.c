/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rescind and re-offer, host side of protocol.rst 3.8: release after
 * a rescind (with or without close/teardown) is clean, re-offers keep the
 * instance GUID with a fresh relid and wait for the release, subchannels
 * go before their primary, GPADLs in flight are still answered.
 */

#include "vmb_gpadl.h"
#include "hvsim_test.h"

static void
test_rescind_release(bool close_first)
{
	const struct hvsim_guest_offer *o, *o2;
	struct hvsim_guest_chan *c;
	struct hvsim_nic_stats st;
	struct tenv t;
	union vmb_msg m;
	uint32_t buf_gpadl, relid;
	void *mem;

	tenv_up(&t, 2, true, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	relid = o->relid;
	REQUIRE(hvsim_guest_chan_open(t.g, relid, 4, &c) == 0);
	mem = hvsim_guest_alloc(t.g, 32 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 32 * 4096,
					 &buf_gpadl) == 0);
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), 0);
	CHECK_EQ(hvsim_guest_wait_rescind(t.g, relid, 0), 0);
	CHECK(o->rescinded);
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), -EALREADY);
	/* The host stopped the rings at the rescind. */
	CHECK_EQ(echo_totals.closes, echo_totals.opens);
	if (close_first) {
		/* Linux: CLOSECHANNEL (ignored) and teardowns (answered). */
		vmb_msg_encode_relid(&m, VMB_MSG_CLOSECHANNEL, relid);
		hvsim_guest_send_raw(t.g, &m, 12);
		CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, relid, c->gpadl), 0);
		CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, relid, buf_gpadl), 0);
	}
	hvsim_guest_chan_forget(t.g, c);
	CHECK_EQ(hvsim_guest_release(t.g, relid), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	CHECK_EQ(hvsim_nic_stats(t.h, 0, &st), 0);
	CHECK_EQ(st.rescinds, 1);
	CHECK_EQ(st.released, 1);

	/* Re-offer: same instance GUID, new relid. */
	CHECK_EQ(hvsim_reoffer(t.h, 0), 0);
	CHECK_EQ(hvsim_reoffer(t.h, 0), -EEXIST);
	o2 = hvsim_guest_wait_offer(t.g, 0, 0, relid, 0);
	REQUIRE(o2 != NULL, "re-offer arrived");
	CHECK(o2->relid != relid);
	CHECK(vmb_guid_equal(&o2->instance, &o->instance));
	REQUIRE(hvsim_guest_chan_open(t.g, o2->relid, 4, &c) == 0);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_nic_stats(t.h, 0, &st), 0);
	CHECK_EQ(st.reoffers, 1);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_reoffer_waits_for_release(void)
{
	const struct hvsim_guest_offer *o;
	struct tenv t;
	uint32_t relid;

	tenv_up(&t, 1, true, 0);
	tenv_connect(&t);
	relid = hvsim_guest_find_nic(t.g, 0, 0)->relid;
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), 0);
	CHECK_EQ(hvsim_guest_wait_rescind(t.g, relid, 0), 0);
	CHECK_EQ(hvsim_reoffer(t.h, 0), 0);
	/* Not while the old relid is still held by the guest. */
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OFFERCHANNEL, UINT32_MAX,
				       50));
	CHECK_EQ(hvsim_guest_release(t.g, relid), 0);
	o = hvsim_guest_wait_offer(t.g, 0, 0, relid, 0);
	CHECK(o != NULL && o->relid != relid);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_subchannels_first(void)
{
	const struct hvsim_guest_offer *o, *s1, *s2;
	struct hvsim_guest_chan *c, *c2;
	struct tenv t;
	union vmb_msg m;

	tenv_up(&t, 1, false, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	REQUIRE(hvsim_guest_chan_open(t.g, o->relid, 4, &c) == 0);
	REQUIRE(hvsim_offer_subchannels(t.h, 0, 2) == 0);
	s1 = hvsim_guest_wait_offer(t.g, 0, 1, 0, 0);
	s2 = hvsim_guest_wait_offer(t.g, 0, 2, 0, 0);
	REQUIRE(s1 != NULL && s2 != NULL);
	REQUIRE(hvsim_guest_chan_open(t.g, s2->relid, 4, &c2) == 0);

	/* One subchannel alone. */
	CHECK_EQ(hvsim_rescind(t.h, 0, 2), 0);
	CHECK_EQ(hvsim_rescind(t.h, 0, 2), -EALREADY);
	CHECK_EQ(hvsim_rescind(t.h, 0, 5), -ENOENT);
	CHECK_EQ(hvsim_rescind(t.h, 0, 64), -EINVAL);
	CHECK_EQ(hvsim_rescind(t.h, 3, 0), -EINVAL);
	CHECK_EQ(hvsim_guest_wait_rescind(t.g, s2->relid, 0), 0);
	hvsim_guest_chan_forget(t.g, c2);
	CHECK_EQ(hvsim_guest_release(t.g, s2->relid), 0);
	/* The whole NIC: remaining subchannel, then the primary. */
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), 0);
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_RESCIND_CHANNELOFFER,
				     UINT32_MAX, &m, 0) > 0);
	CHECK_EQ(m.relid.child_relid, s1->relid);
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_RESCIND_CHANNELOFFER,
				     UINT32_MAX, &m, 0) > 0);
	CHECK_EQ(m.relid.child_relid, o->relid);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_RESCIND_CHANNELOFFER,
				       UINT32_MAX, 20));
	/* Re-offer after the primary's release while the subchannel is
	 * still held: allowed, the subchannel is released later.
	 */
	hvsim_guest_chan_forget(t.g, c);
	CHECK_EQ(hvsim_guest_release(t.g, o->relid), 0);
	CHECK_EQ(hvsim_reoffer(t.h, 0), 0);
	CHECK(hvsim_guest_wait_offer(t.g, 0, 0, o->relid, 0) != NULL);
	CHECK_EQ(hvsim_guest_release(t.g, s1->relid), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_gpadl_in_flight(void)
{
	const struct hvsim_guest_offer *o;
	struct tenv t;
	union vmb_msg m;
	uint64_t pfns[40];
	uint32_t i, h2;
	uint8_t *mem;

	tenv_up(&t, 1, false, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	mem = hvsim_guest_alloc(t.g, 40 * 4096);
	for (i = 0; i < 40; i++)
		pfns[i] = (hvsim_guest_gpa(t.g, mem) >> 12) + i;
	/* Header now, body after the rescind: answered, with a failure. */
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_gpadl_build(&m, o->relid,
			     0x77, pfns, 40, 0));
	tenv_settle(&t);
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), 0);
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_gpadl_build(&m, o->relid,
			     0x77, pfns, 40, 1));
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_GPADL_CREATED, o->relid, &m,
				     0) > 0);
	CHECK_EQ(m.gpadl_created.gpadl, 0x77);
	CHECK(m.gpadl_created.status != 0);
	/* New GPADLs after the rescind are accepted and answered. */
	CHECK_EQ(hvsim_guest_gpadl_create(t.g, o->relid, mem, 40 * 4096, &h2),
		 0);
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, o->relid, h2), 0);
	/* An OPEN crossing the rescind is never answered, and legal. */
	CHECK_EQ(hvsim_guest_gpadl_create(t.g, o->relid, mem, 8 * 4096, &h2),
		 0);
	hvsim_guest_open_send(t.g, o->relid, h2, 4);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OPENCHANNEL_RESULT,
				       UINT32_MAX, 30));
	CHECK_EQ(hvsim_guest_release(t.g, o->relid), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_not_connected(void)
{
	struct tenv t;

	tenv_up(&t, 2, false, 0);
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), 0);
	CHECK_EQ(hvsim_rescind(t.h, 0, 1), -ENOENT);
	tenv_connect(&t);
	CHECK_EQ(hvsim_guest_offer_count(t.g), 1);
	CHECK(hvsim_guest_find_nic(t.g, 0, 0) == NULL);
	CHECK_EQ(hvsim_reoffer(t.h, 0), 0);
	CHECK(hvsim_guest_wait_offer(t.g, 0, 0, 0, 0) != NULL);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_release_without_rescind(void)
{
	const struct hvsim_guest_offer *o;
	struct hvsim_guest_chan *c;
	struct tenv t;
	union vmb_msg m;

	tenv_up(&t, 1, false, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	REQUIRE(hvsim_guest_chan_open(t.g, o->relid, 4, &c) == 0);
	/* Refused while open. */
	vmb_msg_encode_relid(&m, VMB_MSG_RELID_RELEASED, o->relid);
	hvsim_guest_send_raw(t.g, &m, 12);
	CHECK_EQ(tenv_violations(&t), 1);
	CHECK(tenv_reported(&t, "while it is open"));
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	/* A guest may give up a closed offer it cannot use. */
	CHECK_EQ(hvsim_guest_release(t.g, o->relid), 0);
	CHECK_EQ(tenv_violations(&t), 1);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 1);
	tenv_down(&t);
}

int
main(void)
{
	test_rescind_release(true);
	test_rescind_release(false);
	test_reoffer_waits_for_release();
	test_subchannels_first();
	test_gpadl_in_flight();
	test_not_connected();
	test_release_without_rescind();
	return check_exit("hvsim_rescind");
}
