/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Invariant checker: every rule provoked on purpose, each in a fresh host,
 * detected with a report line naming it; and the grace cases that must
 * stay clean.
 */

#include <unistd.h>

#include "hvsim_test.h"

/* A fresh host with one NIC, connected, nic0's relid in *relid. */
static void
up(struct tenv *t, bool threaded, unsigned int grace, uint32_t *relid)
{
	tenv_up(t, 1, threaded, grace);
	tenv_connect(t);
	*relid = hvsim_guest_find_nic(t->g, 0, 0)->relid;
}

static void
expect(struct tenv *t, unsigned int n, const char *what)
{
	CHECK_EQ(tenv_violations(t), n);
	CHECK(tenv_reported(t, what), "report names \"%s\"", what);
}

static void
rescind_release(struct tenv *t, uint32_t relid)
{
	REQUIRE(hvsim_rescind(t->h, 0, 0) == 0);
	REQUIRE(hvsim_guest_wait_rescind(t->g, relid, 0) == 0);
	REQUIRE(hvsim_guest_release(t->g, relid) == 0);
}

static void
test_released_relid(void)
{
	struct tenv t;
	union vmb_msg m;
	uint32_t relid;

	up(&t, true, 0, &relid);
	rescind_release(&t, relid);
	CHECK_EQ(tenv_violations(&t), 0);
	vmb_msg_encode_relid(&m, VMB_MSG_CLOSECHANNEL, relid);
	hvsim_guest_send_raw(t.g, &m, 12);
	expect(&t, 1, "already released");
	vmb_msg_encode_relid(&m, VMB_MSG_RELID_RELEASED, relid);
	hvsim_guest_send_raw(t.g, &m, 12);
	expect(&t, 2, "RELID_RELEASED twice");
	tenv_down(&t);
}

static void
test_never_released(void)
{
	struct tenv t;
	uint32_t relid;

	/* At UNLOAD. */
	up(&t, true, 0, &relid);
	REQUIRE(hvsim_rescind(t.h, 0, 0) == 0);
	REQUIRE(hvsim_guest_wait_rescind(t.g, relid, 0) == 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	expect(&t, 1, "never released before UNLOAD");
	tenv_down(&t);

	/* At the guest's disconnect. */
	up(&t, true, 0, &relid);
	REQUIRE(hvsim_rescind(t.h, 0, 0) == 0);
	REQUIRE(hvsim_guest_wait_rescind(t.g, relid, 0) == 0);
	hvsim_guest_disconnect(t.g);
	usleep(20000);
	CHECK_EQ(hvsim_violations(t.h), 1);
	tenv_down(&t);

	/* Grace: the host going away first judges nothing. */
	up(&t, true, 0, &relid);
	REQUIRE(hvsim_rescind(t.h, 0, 0) == 0);
	REQUIRE(hvsim_guest_wait_rescind(t.g, relid, 0) == 0);
	hvsim_stop(t.h);
	CHECK_EQ(hvsim_violations(t.h), 0);
	tenv_down(&t);
}

static void
test_open_unknown_or_rescinded(void)
{
	struct tenv t;
	uint32_t relid, gp;
	void *mem;

	up(&t, false, 1, &relid);
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	hvsim_guest_open_send(t.g, 1234, gp, 4);
	expect(&t, 1, "OPENCHANNEL names unknown relid 1234");
	REQUIRE(hvsim_rescind(t.h, 0, 0) == 0);
	REQUIRE(hvsim_guest_wait_rescind(t.g, relid, 0) == 0);
	usleep(5000);	/* well past the 1 ms grace */
	hvsim_guest_open_send(t.g, relid, gp, 4);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OPENCHANNEL_RESULT,
				       UINT32_MAX, 20));
	expect(&t, 2, "rescinded");
	tenv_down(&t);

	/* Twice within the grace: the second cannot be a race. */
	up(&t, false, 60000, &relid);
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	REQUIRE(hvsim_rescind(t.h, 0, 0) == 0);
	hvsim_guest_open_send(t.g, relid, gp, 4);
	CHECK_EQ(tenv_violations(&t), 0);
	hvsim_guest_open_send(t.g, relid, gp, 4);
	expect(&t, 1, "rescinded");
	tenv_down(&t);
}

static void
test_open_twice(void)
{
	struct hvsim_guest_chan *c;
	struct tenv t;
	uint32_t relid;

	up(&t, false, 0, &relid);
	REQUIRE(hvsim_guest_chan_open(t.g, relid, 4, &c) == 0);
	hvsim_guest_open_send(t.g, relid, c->gpadl, 4);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OPENCHANNEL_RESULT,
				       UINT32_MAX, 20));
	expect(&t, 1, "already open");
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	tenv_down(&t);
}

static void
test_gpadl_leak(void)
{
	struct tenv t;
	uint32_t relid, gp;
	void *mem;

	up(&t, true, 0, &relid);
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	expect(&t, 1, "never torn down");
	tenv_down(&t);

	/* A leak at disconnect counts the same. */
	up(&t, true, 0, &relid);
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	hvsim_guest_disconnect(t.g);
	usleep(20000);
	CHECK_EQ(hvsim_violations(t.h), 1);
	tenv_down(&t);

	/* Released channel: its GPADLs go with it, no leak. */
	up(&t, true, 0, &relid);
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	rescind_release(&t, relid);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_gpadl_after_teardown(void)
{
	struct tenv t;
	union vmb_msg m;
	uint32_t relid, gp;
	void *mem;

	up(&t, false, 0, &relid);
	mem = hvsim_guest_alloc(t.g, 8 * 4096);
	REQUIRE(hvsim_guest_gpadl_create(t.g, relid, mem, 8 * 4096, &gp) == 0);
	REQUIRE(hvsim_guest_gpadl_teardown(t.g, relid, gp) == 0);
	hvsim_guest_open_send(t.g, relid, gp, 4);
	REQUIRE(hvsim_guest_wait_msg(t.g, VMB_MSG_OPENCHANNEL_RESULT, relid, &m,
				     0) > 0);
	CHECK(m.open_result.status != 0);
	expect(&t, 1, "after its teardown");
	tenv_down(&t);
}

/* Ring index rules. The host is pumped by hand: hvsim_poll() runs exactly
 * when the test says so.
 */
static struct hvsim_guest_chan *
ring_up(struct tenv *t, uint32_t pages)
{
	struct hvsim_guest_chan *c;
	uint32_t relid;

	up(t, false, 0, &relid);
	REQUIRE(hvsim_guest_chan_open(t->g, relid, pages, &c) == 0);
	return c;
}

static void
send_n(struct hvsim_guest_chan *c, unsigned int n)
{
	uint8_t p[64] = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++)
		REQUIRE(hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, i,
					      NULL, 0, p, sizeof(p)) == 0);
}

static void
test_ring_indices(void)
{
	struct hvsim_guest_chan *c;
	struct tenv t;
	uint8_t buf[256];
	uint32_t w, rd;

	/* guest->host write_index moved back while the host had not read
	 * everything it saw (the per-poll budget stops it after 512).
	 */
	c = ring_up(&t, 32);
	send_n(c, 518);
	hvsim_poll(t.h);
	w = c->tx.hdr->write_index;
	c->tx.hdr->write_index = w - 3 * 88;
	hvsim_poll(t.h);
	expect(&t, 1, "write_index moved back");
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_violations(t.h), 1);
	tenv_down(&t);

	/* Misaligned write_index. */
	c = ring_up(&t, 4);
	c->tx.hdr->write_index = 4;
	hvsim_poll(t.h);
	expect(&t, 1, "misaligned");
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	tenv_down(&t);

	/* write_index beyond the data area. */
	c = ring_up(&t, 4);
	c->tx.hdr->write_index = 3 * 4096;
	hvsim_poll(t.h);
	expect(&t, 1, "out of range");
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	tenv_down(&t);

	/* host->guest read_index moved back after reading. */
	c = ring_up(&t, 8);
	send_n(c, 4);
	hvsim_poll(t.h);
	CHECK(hvsim_guest_chan_recv(c, buf, sizeof(buf), 0) > 0);
	CHECK(hvsim_guest_chan_recv(c, buf, sizeof(buf), 0) > 0);
	CHECK_EQ(tenv_violations(&t), 0);
	c->rx.hdr->read_index = 0;
	hvsim_poll(t.h);
	expect(&t, 1, "read_index moved");
	hvsim_guest_chan_forget(t.g, c);
	tenv_down(&t);

	/* host->guest read_index past the write index. */
	c = ring_up(&t, 8);
	send_n(c, 2);
	hvsim_poll(t.h);
	rd = c->rx.hdr->write_index + 64;
	c->rx.hdr->read_index = rd;
	hvsim_poll(t.h);
	expect(&t, 1, "past the write index");
	hvsim_guest_chan_forget(t.g, c);
	tenv_down(&t);

	/* A clean run with the same traffic reports nothing. */
	c = ring_up(&t, 8);
	send_n(c, 4);
	hvsim_poll(t.h);
	while (hvsim_guest_chan_recv(c, buf, sizeof(buf), 20) > 0)
		;
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

/* The host's counters (hvsim_nic_stats) count every iteration, also one
 * the owner runs by hand as a face's loop does (hvsim-uio), and the ring
 * polls of the NIC's open channels, empty or not.
 */
static void
test_poll_counters(void)
{
	struct hvsim_nic_stats s0, s1;
	struct hvsim_guest_chan *c;
	struct tenv t;
	unsigned int i;

	c = ring_up(&t, 8);
	REQUIRE(hvsim_nic_stats(t.h, 0, &s0) == 0);
	for (i = 0; i < 3; i++)
		hvsim_poll(t.h);
	REQUIRE(hvsim_nic_stats(t.h, 0, &s1) == 0);
	CHECK_EQ(s1.host_polls - s0.host_polls, 3);
	CHECK_EQ(s1.host_polls_idle - s0.host_polls_idle, 3);
	CHECK_EQ(s1.ring_polls - s0.ring_polls, 3);
	CHECK_EQ(s1.ring_polls_empty - s0.ring_polls_empty, 3);
	/* Idle iterations add no busy time, one with work adds its own. */
	CHECK_EQ(s1.host_busy_ns, s0.host_busy_ns);
	send_n(c, 4);
	hvsim_poll(t.h);
	REQUIRE(hvsim_nic_stats(t.h, 0, &s0) == 0);
	CHECK_EQ(s0.host_polls - s1.host_polls, 1);
	CHECK_EQ(s0.host_polls_idle, s1.host_polls_idle);
	CHECK_EQ(s0.ring_polls - s1.ring_polls, 1);
	CHECK_EQ(s0.ring_polls_empty, s1.ring_polls_empty);
	CHECK(s0.host_busy_ns > s1.host_busy_ns, "busy time %llu -> %llu",
	      (unsigned long long)s1.host_busy_ns,
	      (unsigned long long)s0.host_busy_ns);
	hvsim_note_sleep(t.h);
	REQUIRE(hvsim_nic_stats(t.h, 0, &s1) == 0);
	CHECK_EQ(s1.host_sleeps - s0.host_sleeps, 1);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_checker_off(void)
{
	struct hvsim_config cfg;
	struct hvsim *h;
	struct hvsim_guest *g;
	union vmb_msg m;

	hvsim_config_init(&cfg, 1);
	cfg.dev_ops = &echo_dev_ops;
	cfg.checker_off = true;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL && hvsim_guest_create(&g, 0) == 0);
	hvsim_guest_set_pump(g, h);
	REQUIRE(hvsim_guest_attach_embedded(g, h) == 0);
	vmb_msg_encode_hdr(&m, VMB_MSG_REQUESTOFFERS);
	hvsim_guest_send_raw(g, &m, 8);
	hvsim_guest_expect_none(g, 0, UINT32_MAX, 20);
	CHECK_EQ(hvsim_violations(h), 0);
	hvsim_guest_destroy(g);
	hvsim_destroy(h);
}

int
main(void)
{
	test_released_relid();
	test_never_released();
	test_open_unknown_or_rescinded();
	test_open_twice();
	test_gpadl_leak();
	test_gpadl_after_teardown();
	test_ring_indices();
	test_poll_counters();
	test_checker_off();
	return check_exit("hvsim_checker");
}
