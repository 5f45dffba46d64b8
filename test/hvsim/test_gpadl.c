/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * GPADLs: one message, many bodies, the largest one, teardown; pages
 * outside the arena, duplicate handles, teardown of unknown handles.
 */

#include "hvsim_test.h"
#include "vmb_gpadl.h"

static void
test_sizes(void)
{
	static const uint32_t pages[] = { 1, 4, 26, 27, 54, 55, 100, 2048,
					  VMB_GPADL_MAX_PFN };
	const struct hvsim_guest_offer *o;
	struct tenv t;
	unsigned int i;
	uint32_t handle;
	void *mem;

	tenv_up(&t, 1, true, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	REQUIRE(o != NULL);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		mem = hvsim_guest_alloc(t.g, (size_t)pages[i] * 4096);
		REQUIRE(mem != NULL, "alloc %u pages", pages[i]);
		CHECK_EQ(hvsim_guest_gpadl_create(t.g, o->relid, mem,
						  (size_t)pages[i] * 4096,
						  &handle), 0);
		CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, o->relid, handle), 0);
		hvsim_guest_free(t.g, mem, (size_t)pages[i] * 4096);
	}
	/* Several GPADLs alive at once, torn down out of order. */
	{
		uint32_t h[5];
		void *m[5];

		for (i = 0; i < 5; i++) {
			m[i] = hvsim_guest_alloc(t.g, 64 * 4096);
			CHECK_EQ(hvsim_guest_gpadl_create(t.g, o->relid, m[i],
							  64 * 4096, &h[i]), 0);
		}
		for (i = 0; i < 5; i++)
			CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, o->relid,
							    h[(i * 3) % 5]), 0);
	}
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(hvsim_violations(t.h), 0);
	tenv_down(&t);
}

/* Send a one-range GPADL made of @p pfns as given. */
static void
send_pfns(struct tenv *t, uint32_t relid, uint32_t handle,
	  const uint64_t *pfns, uint32_t n)
{
	union vmb_msg m;
	int i, cnt = vmb_gpadl_msg_count(n);

	for (i = 0; i < cnt; i++)
		hvsim_guest_send_raw(t->g, &m, (uint32_t)vmb_gpadl_build(&m,
				     relid, handle, pfns, n, (uint32_t)i));
}

static uint32_t
created_status(struct tenv *t, uint32_t relid, uint32_t handle)
{
	union vmb_msg m;

	if (hvsim_guest_wait_msg(t->g, VMB_MSG_GPADL_CREATED, relid, &m, 0) < 0)
		return 0xdead;
	CHECK_EQ(m.gpadl_created.gpadl, handle);
	return m.gpadl_created.status;
}

static void
test_bad(void)
{
	const struct hvsim_guest_offer *o;
	struct tenv t;
	uint64_t pfns[40];
	uint8_t *mem;
	uint32_t i;
	union vmb_msg m;

	tenv_up(&t, 1, false, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	REQUIRE(o != NULL);
	mem = hvsim_guest_alloc(t.g, 40 * 4096);
	for (i = 0; i < 40; i++)
		pfns[i] = (hvsim_guest_gpa(t.g, mem) >> 12) + i;

	/* A page outside the arena, in the header and in a body. */
	pfns[3] = 0x10;
	send_pfns(&t, o->relid, 0x100, pfns, 10);
	CHECK(created_status(&t, o->relid, 0x100) != 0);
	pfns[3] = pfns[2] + 1;
	pfns[30] = 0xfffffffffffffull;
	send_pfns(&t, o->relid, 0x101, pfns, 40);
	CHECK(created_status(&t, o->relid, 0x101) != 0);
	pfns[30] = pfns[29] + 1;
	CHECK_EQ(tenv_violations(&t), 2);
	CHECK(tenv_reported(&t, "outside the guest arena"));

	/* Scattered pages are fine for a GPADL (not for a ring). */
	pfns[5] = pfns[20];
	send_pfns(&t, o->relid, 0x102, pfns, 8);
	CHECK_EQ(created_status(&t, o->relid, 0x102), 0);
	pfns[5] = pfns[4] + 1;

	/* Duplicate handle of an established GPADL. */
	send_pfns(&t, o->relid, 0x102, pfns, 4);
	CHECK(created_status(&t, o->relid, 0x102) != 0);
	CHECK_EQ(tenv_violations(&t), 3);

	/* GPADL on an unknown relid: dropped, no answer. */
	send_pfns(&t, 1999, 0x103, pfns, 4);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_GPADL_CREATED,
				       UINT32_MAX, 30));
	CHECK_EQ(tenv_violations(&t), 4);

	/* Body for nothing in progress; teardown of unknown / twice. */
	m.gpadl_body.hdr.type = VMB_MSG_GPADL_BODY;
	m.gpadl_body.hdr.padding = 0;
	m.gpadl_body.msgnumber = 0;
	m.gpadl_body.gpadl = 0x999;
	m.gpadl_body.pfn[0] = pfns[0];
	hvsim_guest_send_raw(t.g, &m, 24);
	CHECK_EQ(tenv_violations(&t), 5);
	vmb_msg_encode_gpadl_teardown(&m, o->relid, 0x998);
	hvsim_guest_send_raw(t.g, &m, 16);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_GPADL_TORNDOWN, 0x998, 30));
	CHECK_EQ(tenv_violations(&t), 6);
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, o->relid, 0x102), 0);
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_gpadl_teardown(
			     &m, o->relid, 0x102));
	CHECK_EQ(tenv_violations(&t), 7);
	CHECK(tenv_reported(&t, "after its teardown"));

	/* Teardown of a GPADL still being built. */
	send_pfns(&t, o->relid, 0x104, pfns, 30);	/* header + 1 body */
	hvsim_guest_flush(t.g);
	{
		union vmb_msg hm;

		vmb_gpadl_build(&hm, o->relid, 0x105, pfns, 40, 0);
		hvsim_guest_send_raw(t.g, &hm, (uint32_t)vmb_gpadl_build(&hm,
				     o->relid, 0x105, pfns, 40, 0));
	}
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_gpadl_teardown(
			     &m, o->relid, 0x105));
	CHECK_EQ(tenv_violations(&t), 8);
	CHECK(tenv_reported(&t, "still in progress"));

	/* Clean what is left and unload: the half-built one leaks. */
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, o->relid, 0x104), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 9);
	CHECK(tenv_reported(&t, "half-built"));
	tenv_down(&t);
}

int
main(void)
{
	test_sizes();
	test_bad();
	return check_exit("hvsim_gpadl");
}
