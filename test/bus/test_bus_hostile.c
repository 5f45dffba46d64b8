/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host is untrusted. This test is the host: it serves the sim
 * transport on a Unix socket (--vdev=hvbus_sim,socket=) and feeds the bus malformed,
 * unexpected and duplicate messages - bad relids, short offers, unknown
 * types, double offers and rescinds, answers nobody asked for, oversized
 * frames. The bus must log and count them, keep working for the good
 * channel, release every rescinded relid exactly once and never name a
 * relid after releasing it. Finally the host hangs up: every channel is
 * failed (drivers told) and the bus shuts down without waiting.
 */

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "bus_test.h"
#include "hvsim_transport.h"
#include "vmb_msg.h"

#define GOOD_RELID	5
#define OTHER_RELID	6	/* a class nobody drives */
#define ORPHAN_RELID	7	/* subchannel without a primary */
#define LAST_RELID	9	/* lives until the host hangs up */

static const struct vmb_guid inst_a = { { 0x11, 0x22, 0x33, 0x44, 1, 2, 3,
					  4, 5, 6, 7, 8, 9, 10, 11, 12 } };
static const struct vmb_guid inst_b = { { 0x99, 0x22, 0x33, 0x44, 1, 2, 3,
					  4, 5, 6, 7, 8, 9, 10, 11, 12 } };
static const struct vmb_guid inst_c = { { 0x77, 0x22, 0x33, 0x44, 1, 2, 3,
					  4, 5, 6, 7, 8, 9, 10, 11, 12 } };
static const struct vmb_guid class_other = { { 0xde, 0xad } };

struct host {
	int lfd, fd;
	pthread_mutex_t lock;
	unsigned int released[VMB_MAX_RELID];
	unsigned int after_release;	/* messages naming a released relid */
	unsigned int closes, teardowns, unloads;
	volatile bool stop;
};

static struct host H = { .lfd = -1, .fd = -1,
			 .lock = PTHREAD_MUTEX_INITIALIZER };

static void
host_send_raw(const void *p, uint32_t len)
{
	uint8_t f[512];
	struct hvsim_frame_hdr fh = { .kind = HVSIM_FRAME_CHMSG, .len = len };

	memcpy(f, &fh, sizeof(fh));
	memcpy(f + sizeof(fh), p, len);
	if (send(H.fd, f, sizeof(fh) + len, MSG_NOSIGNAL) < 0)
		fprintf(stderr, "host send: %s\n", strerror(errno));
}

static void
host_send(const union vmb_msg *m, int len)
{
	REQUIRE(len > 0);
	host_send_raw(m, (uint32_t)len);
}

static void
host_offer(uint32_t relid, const struct vmb_guid *cls,
	   const struct vmb_guid *inst, uint16_t sub)
{
	struct vmb_offer_params p = {
		.if_type = *cls, .if_instance = *inst,
		.sub_channel_index = sub, .child_relid = relid,
		.monitor_id = (uint8_t)(relid % 128), .monitor_allocated = 1,
		.is_dedicated_interrupt = 1, .connection_id = relid,
	};
	union vmb_msg m;

	host_send(&m, vmb_msg_encode_offer(&m, &p));
}

static void
host_relid_msg(uint32_t type, uint32_t relid)
{
	union vmb_msg m;

	memset(&m, 0, sizeof(m));
	m.relid.hdr.type = type;
	m.relid.child_relid = relid;
	host_send_raw(&m, 12);
}

/* Offers, good and bad, then ALLOFFERS_DELIVERED. */
static void
host_offers(void)
{
	union vmb_msg m;
	uint8_t junk[8] = { 99, 0, 0, 0, 0, 0, 0, 0 };

	host_offer(GOOD_RELID, &vmb_guid_netvsc, &inst_a, 0);
	host_offer(LAST_RELID, &vmb_guid_netvsc, &inst_c, 0);
	host_offer(0, &vmb_guid_netvsc, &inst_b, 0);		/* relid 0 */
	host_offer(5000, &vmb_guid_netvsc, &inst_b, 0);		/* too big */
	host_offer(OTHER_RELID, &class_other, &inst_b, 0);
	host_offer(ORPHAN_RELID, &vmb_guid_netvsc, &inst_b, 1);
	vmb_msg_encode_offer(&m, &(struct vmb_offer_params){
		.if_type = vmb_guid_netvsc, .child_relid = 8 });
	host_send_raw(&m, 100);					/* short */
	host_send_raw(junk, sizeof(junk));			/* type 99 */
	host_send_raw(junk, 4);					/* 4 bytes */
	host_send(&m, vmb_msg_encode_hdr(&m, VMB_MSG_ALLOFFERS_DELIVERED));
}

static void
host_note_relid(uint32_t relid)
{
	pthread_mutex_lock(&H.lock);
	if (relid < VMB_MAX_RELID && H.released[relid] > 0)
		H.after_release++;
	pthread_mutex_unlock(&H.lock);
}

static void
host_msg(const union vmb_msg *m, int type)
{
	union vmb_msg r;

	switch (type) {
	case VMB_MSG_INITIATE_CONTACT:
		host_send(&r, vmb_msg_encode_version_response(&r, 1,
							      VMB_CONN_OK, 4));
		break;
	case VMB_MSG_REQUESTOFFERS:
		host_offers();
		break;
	case VMB_MSG_GPADL_HEADER:
		/* Small rings: every PFN is in the header. */
		host_note_relid(m->gpadl_header.child_relid);
		host_send(&r, vmb_msg_encode_gpadl_created(&r,
				m->gpadl_header.child_relid,
				m->gpadl_header.gpadl, 0));
		break;
	case VMB_MSG_OPENCHANNEL:
		host_note_relid(m->open.child_relid);
		host_send(&r, vmb_msg_encode_open_result(&r,
				m->open.child_relid, m->open.openid, 0));
		break;
	case VMB_MSG_CLOSECHANNEL:
		host_note_relid(m->relid.child_relid);
		H.closes++;
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		host_note_relid(m->gpadl_teardown.child_relid);
		pthread_mutex_lock(&H.lock);
		H.teardowns++;
		pthread_mutex_unlock(&H.lock);
		host_send(&r, vmb_msg_encode_gpadl_torndown(&r,
				m->gpadl_teardown.gpadl));
		break;
	case VMB_MSG_RELID_RELEASED:
		pthread_mutex_lock(&H.lock);
		if (m->relid.child_relid < VMB_MAX_RELID)
			H.released[m->relid.child_relid]++;
		pthread_mutex_unlock(&H.lock);
		break;
	case VMB_MSG_UNLOAD:
		H.unloads++;
		host_send(&r, vmb_msg_encode_hdr(&r, VMB_MSG_UNLOAD_RESPONSE));
		break;
	default:
		break;
	}
}

static void *
host_main(void *arg)
{
	struct hvsim_hello_ack ack = { HVSIM_TRANSPORT_MAGIC,
				       HVSIM_TRANSPORT_VERSION, 0, 0 };
	uint8_t buf[HVSIM_FRAME_MAX + 16];
	struct hvsim_frame_hdr fh = { HVSIM_FRAME_HELLO_ACK, sizeof(ack) };
	union vmb_msg m;
	uint32_t len;
	ssize_t n;
	int type;

	(void)arg;
	H.fd = accept(H.lfd, NULL, NULL);
	REQUIRE(H.fd >= 0, "accept");
	/* HELLO (its memfd is closed with the process; we need no memory:
	 * every GPA stays opaque to this host).
	 */
	n = recv(H.fd, buf, sizeof(buf), 0);
	REQUIRE(n == (ssize_t)(sizeof(fh) + sizeof(struct hvsim_hello)),
		"HELLO");
	memcpy(buf, &fh, sizeof(fh));
	memcpy(buf + sizeof(fh), &ack, sizeof(ack));
	REQUIRE(send(H.fd, buf, sizeof(fh) + sizeof(ack), 0) > 0);
	while (!H.stop) {
		type = bt_host_recv(H.fd, 20, &m, &len);
		if (type < 0)
			break;
		if (type > 0)
			host_msg(&m, type);
	}
	return NULL;
}

static unsigned int
released(uint32_t relid)
{
	unsigned int v;

	pthread_mutex_lock(&H.lock);
	v = H.released[relid];
	pthread_mutex_unlock(&H.lock);
	return v;
}

static int
wait_released(uint32_t relid, unsigned int ms)
{
	uint64_t end = bt_ms() + ms;

	while (released(relid) == 0) {
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/* Answers nobody asked for, and frames that are not frames. */
static void
host_junk(void)
{
	union vmb_msg m;
	uint8_t big[300];

	host_offer(OTHER_RELID, &class_other, &inst_b, 0);	/* again */
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, 77);	/* unknown */
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, 99999);	/* range */
	host_send(&m, vmb_msg_encode_open_result(&m, GOOD_RELID, 1234, 0));
	host_send(&m, vmb_msg_encode_gpadl_created(&m, GOOD_RELID, 0xbad, 0));
	host_send(&m, vmb_msg_encode_gpadl_torndown(&m, 0xbad));
	host_send(&m, vmb_msg_encode_version_response(&m, 1, 0, 4));
	host_send(&m, vmb_msg_encode_hdr(&m, VMB_MSG_ALLOFFERS_DELIVERED));
	host_send(&m, vmb_msg_encode_relid(&m, VMB_MSG_CLOSECHANNEL, 5));
	memset(big, 0, sizeof(big));
	big[0] = VMB_MSG_RESCIND_CHANNELOFFER;
	host_send_raw(big, sizeof(big));			/* oversized */
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa;
	char dir[] = "/tmp/hvbus-hostile.XXXXXX", args[256];
	struct rte_hvbus_device *dev;
	struct hvbus_chan *c = NULL;
	static char tel[65536];
	pthread_t t;
	uint64_t t0;
	int rc, n;

	(void)argc;
	H.lfd = bt_host_listen(dir, &sa);
	REQUIRE(pthread_create(&t, NULL, host_main, NULL) == 0);
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=1000,"
		 "ring_size=8192,arena_mb=8", sa.sun_path);
	rc = bt_eal_init_args(argv[0], "1", args);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	CHECK(hvbus_sim_hvsim() == NULL, "daemon mode: no embedded host");

	/* Only the two good primaries became devices. */
	CHECK_EQ(bt_get(&bt.n_probed), 2);
	dev = bt.dev[0];
	REQUIRE(dev != NULL && bt.dev[1] != NULL);
	CHECK(vmb_guid_equal(&dev->instance_id, &inst_a));
	CHECK(vmb_guid_equal(&bt.dev[1]->instance_id, &inst_c));

	/* The good channel opens and closes. */
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);
	CHECK(c != NULL && c->relid == GOOD_RELID);
	CHECK_EQ(hvbus_chan_close(dev, 0), 0);
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, &c), 0);

	/* Junk: counted, logged once per type. The answer nobody asked
	 * for names the good relid: that channel is treated as rescinded
	 * (unpublished, driver told), but not released - the host did not
	 * rescind it.
	 */
	host_junk();
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], 1, 3000), 0);
	CHECK(dev->chan_slot[0] == NULL, "failed channel unpublished");
	CHECK_EQ(hvbus_chan_open(dev, 0, 0, 0, NULL), -ENODEV);
	usleep(100 * 1000);
	CHECK_EQ(released(GOOD_RELID), 0);
	n = bt_telemetry("/hvbus/channels", tel, sizeof(tel));
	CHECK(n > 0, "telemetry: %d", n);
	if (n > 0) {
		/* 2 bad offers, short offer, bad type, 4-byte frame, then
		 * the junk: a double offer, 7 rejected, oversized.
		 */
		CHECK(bt_json_int(tel, "bad_msgs") >= 14, "%s", tel);
		CHECK(bt_json_int(tel, "unknown_relid") >= 1, "%s", tel);
	}

	/* Two rescinds for one relid: one release. Channels nobody drives
	 * are released too.
	 */
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, GOOD_RELID);
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, GOOD_RELID);
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, OTHER_RELID);
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, ORPHAN_RELID);
	CHECK_EQ(wait_released(GOOD_RELID, 3000), 0);
	CHECK_EQ(wait_released(OTHER_RELID, 3000), 0);
	CHECK_EQ(wait_released(ORPHAN_RELID, 3000), 0);
	/* Late answers for the released relid are ignored. */
	host_relid_msg(VMB_MSG_RESCIND_CHANNELOFFER, GOOD_RELID);
	{
		union vmb_msg m;

		host_send(&m, vmb_msg_encode_open_result(&m, GOOD_RELID, 1,
							 0));
	}
	usleep(200 * 1000);
	/* The driver heard once: the failure; the rescind added nothing. */
	CHECK_EQ(bt_get(&bt.ev[HVBUS_EV_RESCIND]), 1);
	CHECK_EQ(released(GOOD_RELID), 1);
	CHECK_EQ(released(OTHER_RELID), 1);
	CHECK_EQ(released(ORPHAN_RELID), 1);
	CHECK_EQ(released(77), 0);
	CHECK(H.closes >= 2, "CLOSECHANNEL for each open");

	/* The host hangs up with a channel open. */
	CHECK_EQ(hvbus_chan_open(bt.dev[1], 0, 0, 0, &c), 0);
	CHECK(bt.dev[1]->chan_slot[0] != NULL);
	CHECK_EQ(H.after_release, 0);
	H.stop = true;
	pthread_join(t, NULL);
	shutdown(H.fd, SHUT_RDWR);
	CHECK_EQ(bt_wait(&bt.ev[HVBUS_EV_RESCIND], 2, 3000), 0);
	CHECK(bt.dev[1]->chan_slot[0] == NULL, "unpublished at hang-up");
	CHECK_EQ(hvbus_chan_open(bt.dev[1], 0, 0, 0, NULL), -ENOTCONN);

	t0 = bt_ms();
	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK(bt_ms() - t0 < 900, "no waiting for a host that is gone");
	CHECK_EQ(H.unloads, 0);
	close(H.fd);
	close(H.lfd);
	unlink(sa.sun_path);
	rmdir(dir);
	return check_exit("bus_hostile");
}
