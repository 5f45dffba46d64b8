/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Malformed guest input: short, long and unknown messages, host-only
 * types, bogus relids, bad ring GPADLs and page offsets, broken frames.
 * Each is refused with a log line (and a checker entry for VMBus-level
 * errors); the host survives and keeps serving a correct guest.
 */

#include <sys/socket.h>

#include "hvsim_test.h"
#include "hvsim_transport.h"
#include "vmb_gpadl.h"

static void
test_messages(void)
{
	static const struct { uint32_t type; uint32_t len; } shorts[] = {
		{ VMB_MSG_OPENCHANNEL, 20 }, { VMB_MSG_CLOSECHANNEL, 8 },
		{ VMB_MSG_GPADL_HEADER, 16 }, { VMB_MSG_GPADL_TEARDOWN, 12 },
		{ VMB_MSG_RELID_RELEASED, 10 }, { VMB_MSG_INITIATE_CONTACT, 20 },
		{ VMB_MSG_MODIFYCHANNEL, 12 }, { VMB_MSG_REQUESTOFFERS, 4 },
		{ 0, 8 }, { 25, 8 }, { 99, 200 }, { 0xffffffff, 16 },
	};
	static const uint32_t relids[] = { 0, 2047, 2048, 5000, 0xffffffff };
	struct hvsim_guest_chan *c;
	union vmb_msg m;
	uint8_t raw[241];
	unsigned int i, v = 0;
	struct tenv t;
	uint32_t relid;

	tenv_up(&t, 1, true, 0);
	tenv_connect(&t);
	relid = hvsim_guest_find_nic(t.g, 0, 0)->relid;
	memset(raw, 0, sizeof(raw));
	for (i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
		memcpy(raw, &shorts[i].type, 4);
		hvsim_guest_send_raw(t.g, raw, shorts[i].len);
		CHECK_EQ(tenv_violations(&t), ++v);
	}
	CHECK(tenv_reported(&t, "malformed channel message"));
	/* Longer than a SynIC message. */
	memset(&m, 0, sizeof(m));
	m.hdr.type = VMB_MSG_REQUESTOFFERS;
	memcpy(raw, &m, 8);
	hvsim_guest_send_raw(t.g, raw, 241);
	CHECK_EQ(tenv_violations(&t), ++v);
	/* Host-to-guest types from the guest. */
	memset(raw, 0, sizeof(raw));
	raw[0] = VMB_MSG_OFFERCHANNEL;
	hvsim_guest_send_raw(t.g, raw, 196);
	raw[0] = VMB_MSG_VERSION_RESPONSE;
	hvsim_guest_send_raw(t.g, raw, 16);
	raw[0] = VMB_MSG_TL_CONNECT_REQUEST;
	hvsim_guest_send_raw(t.g, raw, 40);
	v += 3;
	CHECK_EQ(tenv_violations(&t), v);
	CHECK(tenv_reported(&t, "host-only or unsupported"));
	/* Bogus relids in every relid-bearing message. */
	for (i = 0; i < sizeof(relids) / sizeof(relids[0]); i++) {
		hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_relid(&m,
				     VMB_MSG_CLOSECHANNEL, relids[i]));
		hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_relid(&m,
				     VMB_MSG_RELID_RELEASED, relids[i]));
		hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_gpadl_teardown(
				     &m, relids[i], 1));
		hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_modify(&m,
				     relids[i], 0));
		hvsim_guest_open_send(t.g, relids[i], 1, 2);
		v += 5;
	}
	CHECK(!hvsim_guest_expect_none(t.g, 0, UINT32_MAX, 30),
	      "no reply to any of them");
	CHECK_EQ(tenv_violations(&t), v);
	CHECK(tenv_reported(&t, "unknown relid 5000"));

	/* MODIFYCHANNEL on a real relid at 5.3: answered. */
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_modify(&m,
			     relid, 1));
	CHECK(hvsim_guest_wait_msg(t.g, VMB_MSG_MODIFYCHANNEL_RESPONSE, relid,
				   &m, 0) > 0);
	CHECK_EQ(m.modify_response.status, 0);

	/* Still a working host. */
	REQUIRE(hvsim_guest_chan_open(t.g, relid, 4, &c) == 0);
	CHECK_EQ(hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, 5, NULL, 0,
				       "ping", 4), 0);
	CHECK(hvsim_guest_chan_recv(c, raw, sizeof(raw), 0) > 0);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), v);
	tenv_down(&t);
}

static void
test_modify_old_version(void)
{
	struct tenv t;
	union vmb_msg m;

	tenv_up(&t, 1, false, 0);
	REQUIRE(hvsim_guest_connect_vmbus(t.g, VMB_VERSION_WIN10) > 0);
	REQUIRE(hvsim_guest_request_offers(t.g) == 1);
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_modify(&m,
			     hvsim_guest_find_nic(t.g, 0, 0)->relid, 0));
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_MODIFYCHANNEL_RESPONSE,
				       UINT32_MAX, 20));
	CHECK_EQ(tenv_violations(&t), 1);
	CHECK(tenv_reported(&t, "needs 4.1"));
	tenv_down(&t);
}

static uint32_t
open_status(struct tenv *t, uint32_t relid, uint32_t gpadl, uint32_t off)
{
	union vmb_msg m;

	hvsim_guest_open_send(t->g, relid, gpadl, off);
	if (hvsim_guest_wait_msg(t->g, VMB_MSG_OPENCHANNEL_RESULT, relid, &m,
				 0) < 0)
		return 0xdead;
	return m.open_result.status;
}

static void
test_bad_rings(void)
{
	static const uint32_t offs[] = { 0, 1, 7, 8, 100, 0x80000000u };
	struct hvsim_guest_chan *c;
	uint64_t pfns[8];
	unsigned int i, v = 0;
	uint32_t relid, gp, gp2;
	struct tenv t;
	union vmb_msg m;
	uint8_t *mem;

	tenv_up(&t, 2, false, 0);
	tenv_connect(&t);
	relid = hvsim_guest_find_nic(t.g, 0, 0)->relid;
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	vmb_ring_hdr_reset(mem, 0);
	vmb_ring_hdr_reset(mem + 4 * 4096, 0);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		CHECK(open_status(&t, relid, gp, offs[i]) != 0, "offset %u",
		      offs[i]);
		CHECK_EQ(tenv_violations(&t), ++v);
	}
	CHECK(tenv_reported(&t, "cannot be split"));
	/* A GPADL of another channel, and an unknown one. */
	CHECK(open_status(&t, hvsim_guest_find_nic(t.g, 1, 0)->relid, gp, 4)
	      != 0);
	CHECK(open_status(&t, relid, 0x4242, 4) != 0);
	v += 2;
	CHECK_EQ(tenv_violations(&t), v);
	/* Ring headers with impossible indices. */
	((struct vmb_ring_hdr *)mem)->write_index = 12;
	CHECK(open_status(&t, relid, gp, 4) != 0);
	CHECK_EQ(tenv_violations(&t), ++v);
	CHECK(tenv_reported(&t, "ring headers"));
	((struct vmb_ring_hdr *)mem)->write_index = 0;
	/* Scattered ring pages: refused (unsupported), not a violation. */
	for (i = 0; i < 8; i++)
		pfns[i] = (hvsim_guest_gpa(t.g, mem) >> 12) + (i ^ 1);
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_gpadl_build(&m, relid,
			     0x5000, pfns, 8, 0));
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_GPADL_CREATED, relid, &m,
				     0) > 0);
	CHECK_EQ(m.gpadl_created.status, 0);
	CHECK(open_status(&t, relid, 0x5000, 4) != 0);
	CHECK_EQ(tenv_violations(&t), v);
	/* After all that, the same GPADL opens fine. */
	CHECK_EQ(open_status(&t, relid, gp, 4), 0);
	/* Tearing down the ring of an open channel: answered after close. */
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_gpadl_teardown(
			     &m, relid, gp));
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_GPADL_TORNDOWN, gp, 20));
	CHECK_EQ(tenv_violations(&t), ++v);
	hvsim_guest_send_raw(t.g, &m, (uint32_t)vmb_msg_encode_relid(&m,
			     VMB_MSG_CLOSECHANNEL, relid));
	CHECK(hvsim_guest_wait_msg(t.g, VMB_MSG_GPADL_TORNDOWN, gp, &m, 0) > 0);
	CHECK_EQ(hvsim_guest_gpadl_teardown(t.g, relid, 0x5000), 0);
	/* The channel opens again with fresh rings. */
	REQUIRE(hvsim_guest_chan_open(t.g, relid, 4, &c) == 0);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	(void)gp2;
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), v);
	tenv_down(&t);
}

/* Transport errors end the connection; the host stays usable. */
static void
test_frames(void)
{
	struct hvsim_frame_hdr fh;
	uint8_t big[400] = { 0 };
	struct tenv t;
	char b[16];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		tenv_up(&t, 1, false, 0);
		switch (i) {
		case 0:	/* length field disagrees with the datagram */
			fh.kind = HVSIM_FRAME_CHMSG;
			fh.len = 100;
			memcpy(big, &fh, sizeof(fh));
			send(hvsim_guest_socket(t.g), big, 20, 0);
			break;
		case 1:	/* larger than any frame */
			fh.kind = HVSIM_FRAME_CHMSG;
			fh.len = sizeof(big) - sizeof(fh);
			memcpy(big, &fh, sizeof(fh));
			send(hvsim_guest_socket(t.g), big, sizeof(big), 0);
			break;
		case 2:	/* unknown kind */
			hvsim_guest_send_frame(t.g, 99, big, 8);
			break;
		case 3:	/* a second HELLO */
			hvsim_guest_send_frame(t.g, HVSIM_FRAME_HELLO, big, 32);
			break;
		}
		hvsim_guest_expect_none(t.g, 0, UINT32_MAX, 20);
		CHECK_EQ(recv(hvsim_guest_socket(t.g), b, sizeof(b),
			      MSG_DONTWAIT), 0);
		/* A new guest is served by the same host. */
		hvsim_guest_destroy(t.g);
		REQUIRE(hvsim_guest_create(&t.g, 0) == 0);
		hvsim_guest_set_pump(t.g, t.h);
		CHECK_EQ(hvsim_guest_attach_embedded(t.g, t.h), 0);
		CHECK(hvsim_guest_connect_vmbus(t.g, 0) > 0);
		CHECK_EQ(hvsim_guest_request_offers(t.g), 1);
		CHECK_EQ(hvsim_guest_unload(t.g), 0);
		CHECK_EQ(tenv_violations(&t), 0);
		tenv_down(&t);
	}
}

int
main(void)
{
	test_messages();
	test_modify_old_version();
	test_bad_rings();
	test_frames();
	return check_exit("hvsim_malformed");
}
