/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Deterministic hooks: holds at each core step and at a device step, other
 * NICs going on meanwhile, and a rescind placed while the guest's OPEN is
 * held (never answered, release accepted, checker clean).
 */

#include "hvsim_test.h"

/* Ring memory and its GPADL, without opening. */
static uint32_t
ring_gpadl(struct tenv *t, uint32_t relid)
{
	uint8_t *mem = hvsim_guest_alloc(t->g, 8 * 4096);
	uint32_t gp = 0;

	vmb_ring_hdr_reset(mem, 1);
	vmb_ring_hdr_reset(mem + 4 * 4096, 1);
	REQUIRE(hvsim_guest_gpadl_create(t->g, relid, mem, 8 * 4096, &gp) == 0);
	return gp;
}

static void
test_rescind_while_open_held(void)
{
	struct tenv t;
	uint32_t relid, gp;

	tenv_up(&t, 2, true, 0);
	tenv_connect(&t);
	relid = hvsim_guest_find_nic(t.g, 0, 0)->relid;
	gp = ring_gpadl(&t, relid);
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_OPEN_RECEIVED), 0);
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_OPEN_RECEIVED), -EBUSY);
	CHECK_EQ(hvsim_guest_open_send(t.g, relid, gp, 4), 0);
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 2000), 0);
	CHECK_EQ(hvsim_rescind(t.h, 0, 0), 0);
	CHECK_EQ(hvsim_guest_wait_rescind(t.g, relid, 0), 0);
	CHECK_EQ(hvsim_hook_release(t.h, 0), 0);
	/* The open crossed the rescind: never answered, and no fault. */
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OPENCHANNEL_RESULT,
				       UINT32_MAX, 50));
	CHECK_EQ(echo_totals.opens, echo_totals.closes);
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, relid, gp), 0);
	CHECK_EQ(hvsim_guest_release(t.g, relid), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_offer_held_others_go_on(void)
{
	struct hvsim_guest_chan *c;
	struct tenv t;
	union vmb_msg m;
	uint32_t r0, gp;
	uint8_t *mem;

	tenv_up(&t, 2, true, 0);
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_OFFER_SENT), 0);
	tenv_connect(&t);
	CHECK_EQ(hvsim_guest_offer_count(t.g), 2);
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 2000), 0);
	r0 = hvsim_guest_find_nic(t.g, 0, 0)->relid;
	/* nic1 opens and carries traffic while nic0 is held. */
	REQUIRE(hvsim_guest_chan_open(t.g, hvsim_guest_find_nic(t.g, 1, 0)->relid,
				      4, &c) == 0);
	CHECK_EQ(hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, 9, NULL, 0,
				       "abcd", 4), 0);
	CHECK(hvsim_guest_chan_recv(c, &m, sizeof(m), 0) > 0);
	/* nic0's GPADL waits, its body queued behind its header. */
	mem = hvsim_guest_alloc(t.g, 40 * 4096);
	CHECK_EQ(hvsim_guest_gpadl_send(t.g, r0, mem, 40 * 4096, &gp), 0);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_GPADL_CREATED, r0, 50));
	CHECK_EQ(hvsim_hook_release(t.h, 0), 0);
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_GPADL_CREATED, r0, &m, 0) > 0);
	CHECK_EQ(m.gpadl_created.gpadl, gp);
	CHECK_EQ(m.gpadl_created.status, 0);
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, r0, gp), 0);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_gpadl_and_close_held(void)
{
	unsigned int closes;
	struct tenv t;
	union vmb_msg m;
	uint32_t relid, gp;

	tenv_up(&t, 1, true, 0);
	tenv_connect(&t);
	relid = hvsim_guest_find_nic(t.g, 0, 0)->relid;
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_GPADL_CREATED), 0);
	gp = ring_gpadl(&t, relid);	/* CREATED arrives, then the hold */
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 2000), 0);
	hvsim_guest_open_send(t.g, relid, gp, 4);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OPENCHANNEL_RESULT,
				       UINT32_MAX, 50));
	CHECK_EQ(hvsim_hook_release(t.h, 0), 0);
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_OPENCHANNEL_RESULT, relid,
				     &m, 0) > 0);
	CHECK_EQ(m.open_result.status, 0);

	/* CLOSE held: the device keeps the channel until released. */
	closes = echo_totals.closes;
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_CLOSE_RECEIVED), 0);
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_relid(&m,
			     VMB_MSG_CLOSECHANNEL, relid));
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 2000), 0);
	tenv_settle(&t);
	CHECK_EQ(echo_totals.closes, closes);
	CHECK_EQ(hvsim_hook_release(t.h, 0), 0);
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, relid, gp), 0);
	CHECK_EQ(echo_totals.closes, closes + 1);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_device_step(void)
{
	struct hvsim_guest_chan *c;
	struct tenv t;
	uint8_t buf[128];
	struct vmb_pkt_view v;
	int n;

	tenv_up(&t, 1, true, 0);
	tenv_connect(&t);
	REQUIRE(hvsim_guest_chan_open(t.g, hvsim_guest_find_nic(t.g, 0, 0)->relid,
				      4, &c) == 0);
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_NVSP_INIT), 0);
	CHECK_EQ(hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, 1, NULL, 0,
				       "HOLD", 4), 0);
	CHECK_EQ(hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, 2, NULL, 0,
				       "next", 4), 0);
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 2000), 0);
	CHECK_EQ(hvsim_guest_chan_recv(c, buf, sizeof(buf), 50), -ETIMEDOUT);
	CHECK_EQ(hvsim_hook_release(t.h, 0), 0);
	/* Both answered, in order, once released. */
	n = hvsim_guest_chan_recv(c, buf, sizeof(buf), 0);
	REQUIRE(n > 0 && vmb_pkt_parse(buf, (uint32_t)n, &v) == 0);
	CHECK_EQ(v.desc.xid, 1);
	n = hvsim_guest_chan_recv(c, buf, sizeof(buf), 0);
	REQUIRE(n > 0 && vmb_pkt_parse(buf, (uint32_t)n, &v) == 0);
	CHECK_EQ(v.desc.xid, 2);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_api_errors(void)
{
	struct tenv t;

	tenv_up(&t, 1, true, 0);
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 10), -ENOENT);
	CHECK_EQ(hvsim_hook_arm(t.h, 1, HVSIM_STEP_OPEN_RECEIVED), -EINVAL);
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_COUNT), -EINVAL);
	CHECK_EQ(hvsim_hook_arm(t.h, 0, HVSIM_STEP_VF_SWITCH), 0);
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 20), -ETIMEDOUT);
	CHECK_EQ(hvsim_hook_release(t.h, 0), 0);
	CHECK_EQ(hvsim_hook_wait(t.h, 0, 10), -ENOENT);
	tenv_down(&t);
}

int
main(void)
{
	test_rescind_while_open_held();
	test_offer_held_others_go_on();
	test_gpadl_and_close_held();
	test_device_step();
	test_api_errors();
	return check_exit("hvsim_hooks");
}
