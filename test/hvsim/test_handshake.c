/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Transport HELLO and VMBus version negotiation: accepted versions, exact
 * match, fallback, reconnect, unload; bad HELLOs close the connection.
 */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hvsim_test.h"
#include "hvsim_transport.h"

static void
test_versions(bool threaded)
{
	struct tenv t;
	union vmb_msg m;
	int v;

	tenv_up(&t, 1, threaded, 0);
	/* 6.0 needs features this host does not do; 0.13 and 1.1 are too
	 * old; a made-up value is refused: each answered with 0.
	 */
	CHECK_EQ(hvsim_guest_contact(t.g, VMB_VERSION_COPPER), 0);
	CHECK_EQ(hvsim_guest_contact(t.g, VMB_VERSION_WS2008), 0);
	CHECK_EQ(hvsim_guest_contact(t.g, VMB_VERSION_WIN7), 0);
	CHECK_EQ(hvsim_guest_contact(t.g, 0x00050004), 0);
	/* Refusals leave the host disconnected: REQUESTOFFERS is an error. */
	vmb_msg_encode_hdr(&m, VMB_MSG_REQUESTOFFERS);
	hvsim_guest_send_raw(t.g, &m, 8);
	CHECK(!hvsim_guest_expect_none(t.g, VMB_MSG_ALLOFFERS_DELIVERED,
				       UINT32_MAX, 50));
	CHECK_EQ(hvsim_violations(t.h), 1);

	/* Fallback from 6.0 lands on 5.3, the newest supported. */
	v = hvsim_guest_connect_vmbus(t.g, VMB_VERSION_COPPER);
	CHECK_EQ(v, (int)VMB_VERSION_IRON);
	/* INITIATE_CONTACT again while connected: implicit reset, then a
	 * new negotiation at an older version.
	 */
	CHECK_EQ(hvsim_guest_contact(t.g, VMB_VERSION_WIN8), 1);
	CHECK(hvsim_guest_request_offers(t.g) == 1, "offers after reconnect");
	CHECK_EQ(hvsim_guest_unload(t.g), 0);
	CHECK_EQ(hvsim_violations(t.h), 1);
	tenv_down(&t);
}

static void
test_each_version(void)
{
	static const uint32_t vers[] = {
		VMB_VERSION_IRON, VMB_VERSION_WIN10_RS5, VMB_VERSION_WIN10_RS4,
		VMB_VERSION_WIN10_V5, VMB_VERSION_WIN10_RS3, VMB_VERSION_WIN10,
		VMB_VERSION_WIN8_1, VMB_VERSION_WIN8,
	};
	unsigned int i;
	struct tenv t;
	union vmb_msg m;
	int rc;

	tenv_up(&t, 2, false, 0);
	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		vmb_msg_encode_initiate_contact(&m, vers[i], 0, 0, 0, 0);
		hvsim_guest_send_raw(t.g, &m, 40);
		rc = hvsim_guest_wait_msg(t.g, VMB_MSG_VERSION_RESPONSE,
					  UINT32_MAX, &m, 0);
		CHECK_EQ(rc, 16);
		CHECK_EQ(m.version_response.version_supported, 1);
		CHECK_EQ(m.version_response.connection_state, VMB_CONN_OK);
		/* From 5.0 the guest must use the returned connection id. */
		if (vers[i] >= VMB_VERSION_WIN10_V5)
			CHECK_EQ(m.version_response.msg_conn_id,
				 VMB_CONNID_MESSAGE);
		CHECK_EQ(hvsim_guest_request_offers(t.g), 2);
		CHECK_EQ(hvsim_guest_unload(t.g), 0);
	}
	CHECK_EQ(hvsim_violations(t.h), 0);
	tenv_down(&t);
}

static void
test_bad_monitor_pages(void)
{
	struct tenv t;
	union vmb_msg m;
	size_t alen;
	uint8_t *arena;

	tenv_up(&t, 1, false, 0);
	arena = hvsim_guest_arena(t.g, &alen);
	/* Outside the arena. */
	vmb_msg_encode_initiate_contact(&m, VMB_VERSION_IRON, 0, 0, 0x1000,
					0x2000);
	hvsim_guest_send_raw(t.g, &m, 40);
	CHECK(hvsim_guest_wait_msg(t.g, VMB_MSG_VERSION_RESPONSE, UINT32_MAX,
				   &m, 0) > 0);
	CHECK_EQ(m.version_response.version_supported, 0);
	CHECK_EQ(m.version_response.connection_state, VMB_CONN_FAILED_UNKNOWN);
	/* Misaligned, and only one of two. */
	vmb_msg_encode_initiate_contact(&m, VMB_VERSION_IRON, 0, 0,
					(uintptr_t)arena + 8,
					(uintptr_t)arena + 8192);
	hvsim_guest_send_raw(t.g, &m, 40);
	CHECK(hvsim_guest_wait_msg(t.g, VMB_MSG_VERSION_RESPONSE, UINT32_MAX,
				   &m, 0) > 0);
	CHECK_EQ(m.version_response.version_supported, 0);
	m.initiate_contact.hdr.type = VMB_MSG_INITIATE_CONTACT;
	vmb_msg_encode_initiate_contact(&m, VMB_VERSION_IRON, 0, 0, 0, 0);
	m.initiate_contact.monitor_page1 = (uintptr_t)arena;
	hvsim_guest_send_raw(t.g, &m, 40);
	CHECK(hvsim_guest_wait_msg(t.g, VMB_MSG_VERSION_RESPONSE, UINT32_MAX,
				   &m, 0) > 0);
	CHECK_EQ(m.version_response.version_supported, 0);
	CHECK_EQ(tenv_violations(&t), 3);
	/* The host is still fine with a good guest. */
	CHECK(hvsim_guest_connect_vmbus(t.g, 0) > 0);
	tenv_down(&t);
}

/* A HELLO built by hand, so that every field can be wrong. */
static int
raw_hello(struct hvsim *h, const struct hvsim_hello *hi, int memfd,
	  bool same_process)
{
	struct hvsim_frame_hdr fh = { HVSIM_FRAME_HELLO, sizeof(*hi) };
	uint8_t buf[sizeof(fh) + sizeof(*hi)];
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct hvsim_hello_ack ack = { 0 };
	int sv[2], i;
	ssize_t n = -1;

	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	REQUIRE(hvsim_attach(h, sv[1], same_process) == 0);
	memcpy(buf, &fh, sizeof(fh));
	memcpy(buf + sizeof(fh), hi, sizeof(*hi));
	if (memfd >= 0) {
		struct cmsghdr *cm;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &memfd, sizeof(int));
	}
	REQUIRE(sendmsg(sv[0], &mh, 0) > 0);
	for (i = 0; i < 100 && n < 0; i++) {
		hvsim_poll(h);
		n = recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT);
	}
	CHECK_EQ(n, (ssize_t)(sizeof(fh) + sizeof(ack)));
	if (n > 0)
		memcpy(&ack, buf + sizeof(fh), sizeof(ack));
	/* A refused guest is disconnected: the socket reads EOF. */
	hvsim_poll(h);
	if (ack.status != 0)
		CHECK_EQ(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), 0);
	close(sv[0]);
	hvsim_poll(h);
	return ack.status;
}

static void
test_bad_hello(void)
{
	struct hvsim_config cfg;
	struct hvsim *h;
	struct hvsim_hello good, hi;
	int memfd;
	void *arena;
	size_t alen;
	struct hvsim_guest *g;

	hvsim_config_init(&cfg, 1);
	cfg.dev_ops = &echo_dev_ops;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(hvsim_guest_create(&g, 1 << 20) == 0);
	arena = hvsim_guest_arena(g, &alen);
	memfd = memfd_create("t", 0);
	REQUIRE(memfd >= 0 && ftruncate(memfd, 1 << 20) == 0);
	good = (struct hvsim_hello){ HVSIM_TRANSPORT_MAGIC,
		HVSIM_TRANSPORT_VERSION, (uintptr_t)arena, 1 << 20,
		(uint32_t)getpid(), 0 };

	CHECK_EQ(raw_hello(h, &good, memfd, false), 0);
	hi = good;
	hi.magic = 0x12345678;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "bad magic");
	hi = good;
	hi.version = 7;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "bad version");
	hi = good;
	hi.arena_size = 4 << 20;	/* bigger than the memfd */
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "size beyond memfd");
	hi = good;
	hi.arena_size = 12345;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "size not pages");
	hi = good;
	hi.arena_gpa = UINT64_MAX & ~4095ull;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "gpa wraps");
	CHECK(raw_hello(h, &good, -1, false) < 0, "no memfd");
	hi = good;
	hi.flags = HVSIM_HELLO_F_SAME_PROCESS;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "same process claimed");
	CHECK_EQ(raw_hello(h, &hi, memfd, true), 0);
	hi = good;
	hi.pid = 1;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "pid not the peer's");
	hi = good;
	hi.flags = 0x80;
	CHECK(raw_hello(h, &hi, memfd, false) < 0, "unknown flags");
	close(memfd);
	/* A sealable arena is sealed against shrinking by the host: a guest
	 * cannot pull the memory from under it.
	 */
	memfd = memfd_create("t", MFD_ALLOW_SEALING);
	REQUIRE(memfd >= 0 && ftruncate(memfd, 1 << 20) == 0);
	CHECK_EQ(raw_hello(h, &good, memfd, false), 0);
	CHECK(fcntl(memfd, F_GET_SEALS) & F_SEAL_SHRINK);
	CHECK(ftruncate(memfd, 4096) < 0);
	CHECK(ftruncate(memfd, 2 << 20) == 0);
	close(memfd);
	/* No transport error counts as a VMBus violation. */
	CHECK_EQ(hvsim_violations(h), 0);
	hvsim_guest_destroy(g);
	hvsim_destroy(h);
}

static void
test_frames_before_hello(void)
{
	struct hvsim_config cfg;
	struct hvsim *h;
	struct hvsim_frame_hdr fh = { HVSIM_FRAME_CHMSG, 0 };
	char b[64];
	int sv[2], i;

	hvsim_config_init(&cfg, 1);
	cfg.dev_ops = &echo_dev_ops;
	h = hvsim_create(&cfg);
	REQUIRE(h != NULL);
	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	REQUIRE(hvsim_attach(h, sv[1], true) == 0);
	CHECK(send(sv[0], &fh, sizeof(fh), 0) > 0);
	for (i = 0; i < 5; i++)
		hvsim_poll(h);
	CHECK_EQ(recv(sv[0], b, sizeof(b), MSG_DONTWAIT), 0);
	close(sv[0]);
	/* A stream socket is refused outright. */
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK_EQ(hvsim_attach(h, sv[1], true), -ENOTSOCK);
	close(sv[0]);
	close(sv[1]);
	hvsim_destroy(h);
}

int
main(void)
{
	test_versions(true);
	test_versions(false);
	test_each_version();
	test_bad_monitor_pages();
	test_bad_hello();
	test_frames_before_hello();
	return check_exit("hvsim_handshake");
}
