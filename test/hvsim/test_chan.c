/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channels: open/close/re-open, packets both ways through the echo device
 * (wrap-around, back-pressure, completions), monitor doorbells, statistics,
 * subchannel offers, a device error failing one channel only.
 */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/socket.h>

#include "hvsim_test.h"
#include "hvsim_transport.h"

struct echo_msg {
	uint32_t seq;
	uint8_t fill[60];
};

/* Send @p n packets and check every echo and completion, in order. */
static void
pingpong(struct hvsim_guest_chan *c, unsigned int n, unsigned int window)
{
	uint8_t buf[512];
	unsigned int sent = 0, got = 0, done = 0;
	struct vmb_pkt_view v;
	struct echo_msg m;
	int len;

	while (got < n || done < n) {
		while (sent < n && sent - got < window) {
			memset(&m, 0, sizeof(m));
			m.seq = sent;
			memset(m.fill, (int)(sent & 0xff), sizeof(m.fill));
			if (hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND,
						  VMB_PKT_FLAG_RC, 1000 + sent,
						  NULL, 0, &m, sizeof(m)) < 0)
				break;
			sent++;
		}
		len = hvsim_guest_chan_recv(c, buf, sizeof(buf), 0);
		if (len < 0) {
			CHECK(0, "recv after %u/%u echoes: %d", got, n, len);
			return;
		}
		REQUIRE(vmb_pkt_parse(buf, (uint32_t)len, &v) == 0);
		if (v.desc.type == VMB_PKT_COMPLETION) {
			CHECK_EQ(v.desc.xid, 1000 + done);
			done++;
			continue;
		}
		CHECK_EQ(v.desc.type, VMB_PKT_DATA_INBAND);
		CHECK_EQ(v.desc.xid, 1000 + got);
		CHECK(v.payload_len >= sizeof(m));
		memcpy(&m, v.payload, sizeof(m));
		CHECK_EQ(m.seq, got);
		CHECK_EQ(m.fill[59], got & 0xff);
		got++;
	}
}

static void
test_open_close(bool threaded)
{
	const struct hvsim_guest_offer *o;
	struct hvsim_guest_chan *c;
	struct hvsim_nic_stats st;
	struct tenv t;
	unsigned int before = echo_totals.opens;

	tenv_up(&t, 2, threaded, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 1, 0);
	REQUIRE(o != NULL);
	REQUIRE(hvsim_guest_chan_open(t.g, o->relid, 4, &c) == 0);
	CHECK_EQ(echo_totals.opens, before + 1);
	/* 4-page rings: 12 KiB of data, so 2000 packets wrap many times. */
	pingpong(c, 2000, 8);
	/* The host masked while draining and unmasked when idle. */
	tenv_settle(&t);
	CHECK_EQ(c->tx.hdr->interrupt_mask, 0);
	CHECK(c->signals > 0, "monitor doorbell used");
	{
		/* The host noticed and cleared every pending bit (monitor
		 * page 2 is the guest's second arena page).
		 */
		const uint32_t *mon2 = (const uint32_t *)
			((const uint8_t *)hvsim_guest_arena(t.g, NULL) + 4096);
		unsigned int grp;

		for (grp = 0; grp < 4; grp++)
			CHECK_EQ(__atomic_load_n(&mon2[2 + 2 * grp],
						 __ATOMIC_ACQUIRE), 0);
	}
	CHECK_EQ(hvsim_nic_stats(t.h, 1, &st), 0);
	CHECK_EQ(st.tx_pkts, 2000);
	CHECK(st.link_up);
	CHECK_EQ(hvsim_nic_stats(t.h, 7, &st), -EINVAL);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(echo_totals.closes, echo_totals.opens);
	/* Re-open the same relid with bigger rings. */
	REQUIRE(hvsim_guest_chan_open(t.g, o->relid, 64, &c) == 0);
	pingpong(c, 500, 64);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_backpressure(void)
{
	const struct hvsim_guest_offer *o;
	struct hvsim_guest_chan *c;
	struct echo_msg m = { 0 };
	uint8_t buf[256];
	struct tenv t;
	unsigned int i, sent = 0, got = 0;
	int len;

	tenv_up(&t, 1, true, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	REQUIRE(hvsim_guest_chan_open(t.g, o->relid, 2, &c) == 0);
	/* Fill our ring while not reading the host's: the host must wait
	 * for room (device -EAGAIN), not drop or corrupt anything.
	 */
	for (i = 0; i < 200; i++) {
		m.seq = i;
		if (hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, 0, sent, NULL,
					  0, &m, sizeof(m)) == 0)
			sent++;
		else
			usleep(100);
	}
	CHECK(sent < 200, "the guest ring filled up (%u sent)", sent);
	while (got < sent) {
		len = hvsim_guest_chan_recv(c, buf, sizeof(buf), 0);
		if (len < 0)
			break;
		CHECK_EQ(((const struct vmb_pkt_desc *)buf)->xid, got);
		got++;
	}
	CHECK_EQ(got, sent);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_subchannels(void)
{
	const struct hvsim_guest_offer *o;
	struct hvsim_guest_chan *c[4];
	struct tenv t;
	unsigned int i;

	/* Pumped: the test may call the device API, as the host thread. */
	tenv_up(&t, 1, false, 0);
	tenv_connect(&t);
	o = hvsim_guest_find_nic(t.g, 0, 0);
	/* Only an open... no: an offered, not rescinded primary is enough. */
	REQUIRE(hvsim_guest_chan_open(t.g, o->relid, 4, &c[0]) == 0);
	CHECK_EQ(hvsim_offer_subchannels(t.h, 0, 3), 0);
	CHECK_EQ(hvsim_offer_subchannels(t.h, 0, 64), -EINVAL);
	for (i = 1; i <= 3; i++) {
		const struct hvsim_guest_offer *s;

		s = hvsim_guest_wait_offer(t.g, 0, (uint16_t)i, 0, 0);
		CHECK(s != NULL, "subchannel %u offered", i);
		if (s == NULL)
			continue;
		CHECK(vmb_guid_equal(&s->instance, &o->instance));
		CHECK(s->relid != o->relid);
		CHECK(s->monitor_id != o->monitor_id);
		REQUIRE(hvsim_guest_chan_open(t.g, s->relid, 4, &c[i]) == 0);
	}
	/* Offering again adds nothing for indexes already offered. */
	CHECK_EQ(hvsim_offer_subchannels(t.h, 0, 3), 0);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_OFFERCHANNEL, UINT32_MAX,
				       20));
	for (i = 0; i < 4; i++)
		pingpong(c[i], 100, 4);
	for (i = 4; i-- > 0;)
		CHECK_EQ(hvsim_guest_chan_close(t.g, c[i]), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 0);
	tenv_down(&t);
}

static void
test_device_error(void)
{
	const struct hvsim_guest_offer *o0, *o1;
	struct hvsim_guest_chan *c0, *c1;
	uint8_t buf[256];
	struct tenv t;

	tenv_up(&t, 2, true, 0);
	tenv_connect(&t);
	o0 = hvsim_guest_find_nic(t.g, 0, 0);
	o1 = hvsim_guest_find_nic(t.g, 1, 0);
	REQUIRE(hvsim_guest_chan_open(t.g, o0->relid, 4, &c0) == 0);
	REQUIRE(hvsim_guest_chan_open(t.g, o1->relid, 4, &c1) == 0);
	CHECK_EQ(hvsim_guest_chan_send(c0, VMB_PKT_DATA_INBAND, 0, 1, NULL, 0,
				       "FAIL", 4), 0);
	CHECK_EQ(hvsim_guest_chan_recv(c0, buf, sizeof(buf), 100), -ETIMEDOUT);
	CHECK_EQ(tenv_violations(&t), 1);
	CHECK(tenv_reported(&t, "device rejected a packet"));
	/* Only that channel stopped. */
	pingpong(c1, 50, 4);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c0), 0);
	CHECK_EQ(hvsim_guest_chan_close(t.g, c1), 0);
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(tenv_violations(&t), 1);
	tenv_down(&t);
}

/* A host with one echo NIC and a guest attached to it as if from another
 * process: GPAs outside the arena are read from the peer (ourselves) with
 * process_vm_readv(), unless the guest lent them. */
static struct hvsim *
gpa_host(struct hvsim_guest **g)
{
	struct hvsim_config cfg;
	struct hvsim *h;
	int sv[2];

	hvsim_config_init(&cfg, 1);
	cfg.dev_ops = &echo_dev_ops;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL && hvsim_guest_create(g, 1 << 20) == 0);
	hvsim_guest_set_pump(*g, h);
	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	REQUIRE(hvsim_attach(h, sv[1], false) == 0);
	hvsim_guest_adopt_socket(*g, sv[0]);
	REQUIRE(hvsim_guest_hello(*g, false) == 0);
	return h;
}

/* hvsim_gpa_read(): arena, another mapping of ours read as a separate
 * process would be (process_vm_readv on the peer), and bad addresses.
 */
static void
test_gpa_read(void)
{
	static uint8_t heap[3 * 4096] __attribute__((aligned(4096)));
	struct hvsim_guest *g;
	struct hvsim *h;
	uint8_t *arena, out[6000];
	uint64_t pfn;
	size_t alen;

	h = gpa_host(&g);
	arena = hvsim_guest_arena(g, &alen);
	memset(arena + 8192, 0xa5, 4096);
	CHECK_EQ(hvsim_gpa_read(h, ((uintptr_t)arena >> 12) + 2, 100, out,
				200), 0);
	CHECK(out[0] == 0xa5 && out[199] == 0xa5);
	memset(heap, 0x3c, sizeof(heap));
	heap[4096 + 10] = 0x77;
	pfn = (uintptr_t)heap >> 12;
	CHECK_EQ(hvsim_gpa_read(h, pfn, 4000, out, 6000), 0);
	CHECK_EQ(out[106], 0x77);
	CHECK_EQ(out[0], 0x3c);
	/* Unmapped, out of range, offsets beyond the page. */
	CHECK(hvsim_gpa_read(h, 0x10, 0, out, 64) < 0);
	CHECK_EQ(hvsim_gpa_read(h, pfn, 4096, out, 64), -EINVAL);
	CHECK_EQ(hvsim_gpa_read(h, UINT64_MAX, 0, out, 64), -EINVAL);
	CHECK_EQ(hvsim_gpa_read(h, pfn, 0, out, 0), 0);
	hvsim_guest_destroy(g);
	hvsim_destroy(h);
}

/* Lend guest pages [from, from + n) of @p fd's file (at its offset
 * @p foff) as GPAs from @p gpa. */
static void
lend(struct hvsim_guest *g, struct hvsim *h, int fd, uint64_t gpa,
     uint64_t size, uint64_t foff)
{
	struct hvsim_mem_region_msg m = {
		.gpa = gpa, .size = size, .offset = foff,
	};
	int i;

	CHECK_EQ(hvsim_guest_send_frame_fd(g, HVSIM_FRAME_MEM, &m, sizeof(m),
					   fd), 0);
	for (i = 0; i < 4; i++)
		hvsim_poll(h);
}

static bool
host_connected(struct hvsim_guest *g)
{
	uint8_t b[16];

	return recv(hvsim_guest_socket(g), b, sizeof(b), MSG_DONTWAIT) < 0 &&
		errno == EAGAIN;
}

/* MEM frames: guest memory the guest lends is read through a read-only
 * mapping, not with process_vm_readv(); what the host cannot take is
 * refused without dropping the guest; a frame without its descriptor
 * ends the connection.
 */
static void
test_gpa_lent(void)
{
	const uint64_t pg = 4096;
	struct hvsim_nic_stats s0, s1;
	struct hvsim_guest *g;
	struct hvsim *h;
	uint8_t *arena, *p, out[256];
	uint64_t pfn, base;
	size_t alen;
	int fd, i;

	h = gpa_host(&g);
	arena = hvsim_guest_arena(g, &alen);
	fd = memfd_create("lent", 0);
	REQUIRE(fd >= 0 && ftruncate(fd, (off_t)(4 * pg)) == 0);
	p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(p != MAP_FAILED);
	memset(p, 0x5a, 4 * pg);
	p[pg + 7] = 0x11;
	base = (uintptr_t)p;
	pfn = base >> 12;

	/* Not lent yet: read from the peer. */
	REQUIRE(hvsim_nic_stats(h, 0, &s0) == 0);
	CHECK_EQ(hvsim_gpa_read(h, pfn + 1, 0, out, 64), 0);
	CHECK_EQ(out[7], 0x11);
	REQUIRE(hvsim_nic_stats(h, 0, &s1) == 0);
	CHECK_EQ(s1.gpa_reads_peer, s0.gpa_reads_peer + 1);
	CHECK_EQ(s1.gpa_reads_lent, s0.gpa_reads_lent);

	/* Refused, the guest stays: unaligned, beyond the file, over the
	 * arena. */
	lend(g, h, fd, base + 1, pg, 0);
	lend(g, h, fd, base, 8 * pg, 0);
	lend(g, h, fd, (uintptr_t)arena, pg, 0);
	CHECK(host_connected(g));
	REQUIRE(hvsim_nic_stats(h, 0, &s0) == 0);
	CHECK_EQ(hvsim_gpa_read(h, pfn + 1, 0, out, 64), 0);
	REQUIRE(hvsim_nic_stats(h, 0, &s1) == 0);
	CHECK_EQ(s1.gpa_reads_lent, s0.gpa_reads_lent);

	/* Pages 1-3 lent: read through the mapping, which sees what the
	 * guest writes afterwards. Page 0 and a read running past the
	 * region's end still go to the peer. */
	lend(g, h, fd, base + pg, 3 * pg, pg);
	p[pg + 7] = 0x22;
	p[3 * pg + 4095] = 0x33;
	REQUIRE(hvsim_nic_stats(h, 0, &s0) == 0);
	CHECK_EQ(hvsim_gpa_read(h, pfn + 1, 0, out, 64), 0);
	CHECK_EQ(out[7], 0x22);
	CHECK_EQ(hvsim_gpa_read(h, pfn + 3, 4095, out, 1), 0);
	CHECK_EQ(out[0], 0x33);
	CHECK_EQ(hvsim_gpa_read(h, pfn, 0, out, 64), 0);
	CHECK_EQ(out[0], 0x5a);
	REQUIRE(hvsim_nic_stats(h, 0, &s1) == 0);
	CHECK_EQ(s1.gpa_reads_lent, s0.gpa_reads_lent + 2);
	CHECK_EQ(s1.gpa_reads_peer, s0.gpa_reads_peer + 1);
	/* Overlapping what was lent: refused. */
	lend(g, h, fd, base + 2 * pg, pg, 2 * pg);
	/* Up to HVSIM_MEM_REGIONS regions, then refused. */
	for (i = 1; i < HVSIM_MEM_REGIONS + 2; i++)
		lend(g, h, fd, base + ((uint64_t)i << 32), pg, 0);
	CHECK(host_connected(g));
	/* A MEM frame without its descriptor is malformed. */
	CHECK_EQ(hvsim_guest_send_frame(g, HVSIM_FRAME_MEM, out,
					sizeof(struct hvsim_mem_region_msg)),
		 0);
	for (i = 0; i < 4; i++)
		hvsim_poll(h);
	CHECK(!host_connected(g));
	hvsim_guest_destroy(g);
	hvsim_destroy(h);
	munmap(p, 4 * pg);
	close(fd);
}

int
main(void)
{
	test_gpa_read();
	test_gpa_lent();
	test_open_close(true);
	test_open_close(false);
	test_backpressure();
	test_subchannels();
	test_device_error();
	return check_exit("hvsim_chan");
}
