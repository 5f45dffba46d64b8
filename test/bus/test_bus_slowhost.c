/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A host that stops reading its socket (issue 15, 1h). This test is the
 * host: it serves the sim transport on a Unix socket, maps the guest's
 * arena from the HELLO memfd, tracks every GPADL it was told about (header
 * to refusal, teardown or release) and marks the first page of each; on
 * command it stops reading while the bus has a lot to send.
 *
 *  1. The control thread does not stall on the full socket: while a GPADL
 *     of the largest size waits to go out (more frames than the socket
 *     takes), the bus handles the host's next message - a hot-added NIC
 *     is probed - and the GPADL is still pending, not failed; once the
 *     host reads again every frame arrives and the GPADL completes.
 *  2. A GPADL whose frames went out only in part (the bus's queue filled
 *     in its middle) is never freed while the host may know it: its pages
 *     keep the host's mark and are not described again by a later GPADL;
 *     a rescind of the NIC is still released, and only after the release
 *     are they given back.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>

#include "bus_test.h"
#include "vmb_gpadl.h"

#define NIC_RELID	5
#define HOTADD_RELID	6
#define MAX_GPADL	64
#define BIG_PAGES	VMB_GPADL_MAX_PFN	/* 293 frames */
#define BIG_LEN		((size_t)BIG_PAGES * VMB_PAGE_SIZE)
#define N_FILL		6	/* big GPADLs posted while the host sleeps */
#define MARK		0x6b72616d74736f68ull	/* "hostmark" */

static const struct vmb_guid inst_a = { { 0x51, 0x0e, 0x11, 0x44, 1, 2, 3,
					  4, 5, 6, 7, 8, 9, 10, 11, 12 } };
static const struct vmb_guid inst_b = { { 0x52, 0x0e, 0x11, 0x44, 1, 2, 3,
					  4, 5, 6, 7, 8, 9, 10, 11, 12 } };

/* A GPADL as the host sees it. */
struct hgpadl {
	uint32_t handle, relid;
	uint64_t gpa, len;
	uint32_t pfns, got;	/* PFNs announced, PFNs received */
	bool live;		/* the host holds it */
};

static struct {
	int lfd, fd;
	pthread_mutex_t lock;
	uint8_t *arena;
	uint64_t arena_gpa, arena_size;
	int paused;		/* do not read the socket */
	bool stop;
	struct hgpadl g[MAX_GPADL];
	unsigned int n_g;
	unsigned int overlaps;	/* pages described while another has them */
	unsigned int released[VMB_MAX_RELID];
	unsigned int frames, unloads;
} H = { .lfd = -1, .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static void
host_send(const union vmb_msg *m, int len)
{
	uint8_t f[HVSIM_FRAME_MAX];
	struct hvsim_frame_hdr fh = { .kind = HVSIM_FRAME_CHMSG };

	REQUIRE(len > 0);
	fh.len = (uint32_t)len;
	memcpy(f, &fh, sizeof(fh));
	memcpy(f + sizeof(fh), m, (size_t)len);
	if (send(H.fd, f, sizeof(fh) + (size_t)len, MSG_NOSIGNAL) < 0)
		fprintf(stderr, "host send: %s\n", strerror(errno));
}

static void
host_offer(uint32_t relid, const struct vmb_guid *inst)
{
	struct vmb_offer_params p = {
		.if_type = vmb_guid_netvsc, .if_instance = *inst,
		.child_relid = relid, .monitor_id = (uint8_t)relid,
		.monitor_allocated = 1, .is_dedicated_interrupt = 1,
		.connection_id = relid,
	};
	union vmb_msg m;

	host_send(&m, vmb_msg_encode_offer(&m, &p));
}

static uint64_t *
host_page(uint64_t gpa)
{
	if (gpa < H.arena_gpa || gpa - H.arena_gpa >= H.arena_size)
		return NULL;
	return (uint64_t *)(H.arena + (gpa - H.arena_gpa));
}

static struct hgpadl *
host_gpadl(uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < H.n_g; i++)
		if (H.g[i].live && H.g[i].handle == handle)
			return &H.g[i];
	return NULL;
}

/* Lock held. A new GPADL: its pages must not be another live one's. */
static void
host_gpadl_header(const union vmb_msg *m, uint32_t len)
{
	const struct vmb_msg_gpadl_header *h = &m->gpadl_header;
	/* 28 bytes up to the range's first PFN, then 8 per PFN. */
	uint32_t pfns = len >= 36 ? (len - 28) / 8 : 0;
	struct hgpadl *g;
	uint64_t *mark;
	unsigned int i;

	if (H.n_g == MAX_GPADL || pfns == 0) {
		H.overlaps += 1000;	/* cannot follow: fail the test */
		return;
	}
	g = &H.g[H.n_g];
	memset(g, 0, sizeof(*g));
	g->handle = h->gpadl;
	g->relid = h->child_relid;
	g->pfns = h->range_buflen / 8 - 1;
	g->len = (uint32_t)h->range_words[0];
	g->gpa = h->range_words[1] << 12;
	g->got = pfns;
	for (i = 0; i < H.n_g; i++)
		if (H.g[i].live && H.g[i].gpa < g->gpa + g->len &&
		    g->gpa < H.g[i].gpa + H.g[i].len)
			H.overlaps++;
	g->live = true;
	H.n_g++;
	/* The host marks the first page (a host may: it knows it now). */
	mark = host_page(g->gpa);
	if (mark != NULL)
		*mark = MARK;
}

/* Lock held: returns the GPADL once every PFN is in. */
static struct hgpadl *
host_gpadl_body(const union vmb_msg *m, uint32_t len)
{
	struct hgpadl *g = host_gpadl(m->gpadl_body.gpadl);

	if (g == NULL || g->got >= g->pfns)
		return NULL;
	g->got += (len - 16) / 8;
	return g->got >= g->pfns ? g : NULL;
}

static void
host_msg(const union vmb_msg *m, int type, uint32_t len)
{
	struct hgpadl *g = NULL;
	union vmb_msg r;
	unsigned int i;

	pthread_mutex_lock(&H.lock);
	H.frames++;
	switch (type) {
	case VMB_MSG_GPADL_HEADER:
		host_gpadl_header(m, len);
		g = &H.g[H.n_g - 1];
		if (g->got < g->pfns)
			g = NULL;
		break;
	case VMB_MSG_GPADL_BODY:
		g = host_gpadl_body(m, len);
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		g = host_gpadl(m->gpadl_teardown.gpadl);
		if (g != NULL)
			g->live = false;
		g = NULL;
		break;
	case VMB_MSG_RELID_RELEASED:
		if (m->relid.child_relid < VMB_MAX_RELID)
			H.released[m->relid.child_relid]++;
		/* The host forgets every GPADL of the relid. */
		for (i = 0; i < H.n_g; i++)
			if (H.g[i].relid == m->relid.child_relid)
				H.g[i].live = false;
		break;
	case VMB_MSG_UNLOAD:
		H.unloads++;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&H.lock);

	switch (type) {
	case VMB_MSG_INITIATE_CONTACT:
		host_send(&r, vmb_msg_encode_version_response(&r, 1,
							      VMB_CONN_OK, 4));
		break;
	case VMB_MSG_REQUESTOFFERS:
		host_offer(NIC_RELID, &inst_a);
		host_send(&r, vmb_msg_encode_hdr(&r,
						 VMB_MSG_ALLOFFERS_DELIVERED));
		break;
	case VMB_MSG_GPADL_HEADER:
	case VMB_MSG_GPADL_BODY:
		if (g != NULL)
			host_send(&r, vmb_msg_encode_gpadl_created(&r,
					g->relid, g->handle, 0));
		break;
	case VMB_MSG_OPENCHANNEL:
		host_send(&r, vmb_msg_encode_open_result(&r,
				m->open.child_relid, m->open.openid, 0));
		break;
	case VMB_MSG_GPADL_TEARDOWN:
		host_send(&r, vmb_msg_encode_gpadl_torndown(&r,
				m->gpadl_teardown.gpadl));
		break;
	case VMB_MSG_UNLOAD:
		host_send(&r, vmb_msg_encode_hdr(&r, VMB_MSG_UNLOAD_RESPONSE));
		break;
	default:
		break;
	}
}

/* HELLO: the arena's memfd and place; the host maps it. */
static void
host_hello(void)
{
	struct {
		struct hvsim_frame_hdr fh;
		struct hvsim_hello hi;
	} __attribute__((packed)) in;
	struct {
		struct hvsim_frame_hdr fh;
		struct hvsim_hello_ack ack;
	} __attribute__((packed)) out = {
		{ HVSIM_FRAME_HELLO_ACK, sizeof(out.ack) },
		{ HVSIM_TRANSPORT_MAGIC, HVSIM_TRANSPORT_VERSION, 0, 0 },
	};
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { &in, sizeof(in) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	struct cmsghdr *cm;
	int memfd = -1;

	REQUIRE(recvmsg(H.fd, &mh, 0) == (ssize_t)sizeof(in), "HELLO");
	cm = CMSG_FIRSTHDR(&mh);
	REQUIRE(cm != NULL && cm->cmsg_type == SCM_RIGHTS, "memfd");
	memcpy(&memfd, CMSG_DATA(cm), sizeof(memfd));
	H.arena_gpa = in.hi.arena_gpa;
	H.arena_size = in.hi.arena_size;
	H.arena = mmap(NULL, H.arena_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, memfd, 0);
	REQUIRE(H.arena != MAP_FAILED);
	close(memfd);
	REQUIRE(send(H.fd, &out, sizeof(out), 0) == (ssize_t)sizeof(out));
}

static void *
host_main(void *arg)
{
	union vmb_msg m;
	uint32_t len;
	int type;

	(void)arg;
	H.fd = accept(H.lfd, NULL, NULL);
	REQUIRE(H.fd >= 0, "accept");
	host_hello();
	while (!__atomic_load_n(&H.stop, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&H.paused, __ATOMIC_ACQUIRE)) {
			usleep(1000);
			continue;
		}
		type = bt_host_recv(H.fd, 20, &m, &len);
		if (type < 0)
			break;
		if (type > 0)
			host_msg(&m, type, len);
	}
	return NULL;
}

static unsigned int
host_get(const unsigned int *p)
{
	unsigned int v;

	pthread_mutex_lock(&H.lock);
	v = *p;
	pthread_mutex_unlock(&H.lock);
	return v;
}

/* How many channel-message frames a Unix SEQPACKET socket takes here
 * before it is full: the test is void unless a GPADL has more.
 */
static unsigned int
socket_capacity(void)
{
	uint8_t f[HVSIM_FRAME_MAX];
	unsigned int n = 0;
	int sv[2];

	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	memset(f, 0, sizeof(f));
	while (send(sv[0], f, sizeof(f), MSG_DONTWAIT) == (ssize_t)sizeof(f))
		n++;
	close(sv[0]);
	close(sv[1]);
	return n;
}

/* A driver thread asking for a buffer. */
struct buf_req {
	struct rte_hvbus_device *dev;
	size_t len;
	void *va;
	uint32_t handle;
	int rc;
	int done;
};

static void *
buf_thread(void *arg)
{
	struct buf_req *b = arg;

	b->rc = hvbus_gpadl_create(b->dev, b->len, &b->va, &b->handle);
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool
buf_done(struct buf_req *b)
{
	return __atomic_load_n(&b->done, __ATOMIC_ACQUIRE) != 0;
}

/* The GPADL the host knows only in part: the one the bus parked. */
static struct hgpadl *
host_partial(void)
{
	unsigned int i;

	for (i = 0; i < H.n_g; i++)
		if (H.g[i].live && H.g[i].got < H.g[i].pfns)
			return &H.g[i];
	return NULL;
}

/* Bytes of the frames waiting in the host's socket (FIONREAD counts every
 * queued frame of a SEQPACKET socket), -1 on error. */
static int
host_queued(void)
{
	int n = 0;

	return ioctl(H.fd, FIONREAD, &n) == 0 ? n : -1;
}

/*
 * Wait until the bus has filled the socket the host does not read: frames
 * wait there and no more come. The control thread is then in the middle of
 * the big GPADL's frames, where a send that waited for room would hold it;
 * the hot-add offer must come after that moment to catch such a wait.
 */
static int
wait_socket_full(unsigned int ms)
{
	uint64_t end = bt_ms() + ms;
	int n, last = -1, same = 0;

	while (bt_ms() < end) {
		n = host_queued();
		if (n > 0 && n == last) {
			if (++same == 5)
				return 0;
		} else {
			same = 0;
		}
		last = n;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static void
test_no_stall(struct rte_hvbus_device *dev, unsigned int cap)
{
	struct buf_req b = { .dev = dev, .len = BIG_LEN };
	unsigned int frames0;
	pthread_t t;

	CHECK(vmb_gpadl_msg_count(BIG_PAGES) > (int)cap,
	      "a big GPADL (%d frames) overflows the socket (%u)",
	      vmb_gpadl_msg_count(BIG_PAGES), cap);
	__atomic_store_n(&H.paused, 1, __ATOMIC_RELEASE);
	frames0 = host_get(&H.frames);
	REQUIRE(pthread_create(&t, NULL, buf_thread, &b) == 0);
	CHECK_EQ(wait_socket_full(5000), 0);
	/* The host goes on talking while it does not read. */
	host_offer(HOTADD_RELID, &inst_b);
	CHECK_EQ(bt_wait(&bt.n_probed, 2, 10000), 0);
	CHECK(!buf_done(&b), "the GPADL waits for the host (rc %d)", b.rc);
	__atomic_store_n(&H.paused, 0, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CHECK_EQ(b.rc, 0);
	CHECK(host_get(&H.frames) - frames0 >=
	      (unsigned int)vmb_gpadl_msg_count(BIG_PAGES), "every frame came");
	CHECK_EQ(hvbus_gpadl_destroy(dev, b.handle), 0);
}

/* @b: the buffers asked for; those with rc 0 the driver holds. */
static void
test_partial(struct rte_hvbus_device *dev, struct buf_req *b)
{
	struct buf_req again = { .dev = dev, .len = BIG_LEN };
	pthread_t t[N_FILL], t2;
	static char tel[65536];
	struct hgpadl *part;
	uint64_t *mark, gpa = 0, end;
	unsigned int i, failed = 0;
	int n;

	__atomic_store_n(&H.paused, 1, __ATOMIC_RELEASE);
	for (i = 0; i < N_FILL; i++) {
		b[i].dev = dev;
		b[i].len = BIG_LEN;
		REQUIRE(pthread_create(&t[i], NULL, buf_thread, &b[i]) == 0);
	}
	/* The socket and the bus's queue take some; the rest fails at
	 * once, one of them with part of its frames out.
	 */
	end = bt_ms() + 10000;
	while (bt_ms() < end) {
		for (failed = 0, i = 0; i < N_FILL; i++)
			failed += buf_done(&b[i]);
		if (failed >= 2)
			break;
		usleep(1000);
	}
	CHECK(failed >= 2, "%u requests failed at once", failed);
	__atomic_store_n(&H.paused, 0, __ATOMIC_RELEASE);
	for (i = 0; i < N_FILL; i++)
		pthread_join(t[i], NULL);
	for (failed = 0, i = 0; i < N_FILL; i++) {
		if (b[i].rc != 0)
			failed++;
		CHECK(b[i].rc == 0 || b[i].rc == -EIO, "%d", b[i].rc);
	}
	CHECK(failed >= 2 && failed < N_FILL, "%u of %u failed", failed,
	      N_FILL);
	n = bt_telemetry("/hvbus/channels", tel, sizeof(tel));
	CHECK(n > 0 && bt_json_int(tel, "send_errors") >= 2, "%s", tel);

	/* Its frames follow the last complete GPADL's. */
	end = bt_ms() + 10000;
	do {
		pthread_mutex_lock(&H.lock);
		part = host_partial();
		if (part != NULL)
			gpa = part->gpa;
		pthread_mutex_unlock(&H.lock);
	} while (part == NULL && bt_ms() < end && usleep(1000) == 0);
	CHECK(part != NULL, "the host holds a GPADL in part");
	/* Its memory is neither given back (a hole punched into the
	 * arena would take the host's mark) nor reused: a new buffer gets
	 * other pages.
	 */
	mark = gpa != 0 ? host_page(gpa) : NULL;
	CHECK(mark != NULL && *mark == MARK, "its pages were freed");
	REQUIRE(pthread_create(&t2, NULL, buf_thread, &again) == 0);
	pthread_join(t2, NULL);
	CHECK_EQ(again.rc, 0);
	CHECK_EQ(host_get(&H.overlaps), 0);
	if (again.rc == 0)
		CHECK_EQ(hvbus_gpadl_destroy(dev, again.handle), 0);

	/* The NIC is rescinded: the half-known GPADL does not hold the
	 * release back, and goes back to the arena after it.
	 */
	{
		union vmb_msg m;

		host_send(&m, vmb_msg_encode_relid(&m,
				VMB_MSG_RESCIND_CHANNELOFFER, NIC_RELID));
	}
	end = bt_ms() + 10000;
	while (host_get(&H.released[NIC_RELID]) == 0 && bt_ms() < end)
		usleep(1000);
	CHECK_EQ(host_get(&H.released[NIC_RELID]), 1);
	while (mark != NULL && *mark == MARK && bt_ms() < end)
		usleep(1000);
	CHECK(mark != NULL && *mark == 0, "freed after the release");
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa;
	char dir[] = "/tmp/hvbus-slowhost.XXXXXX", args[256];
	struct buf_req b[N_FILL];
	struct rte_hvbus_device *dev;
	unsigned int cap = socket_capacity(), i;
	pthread_t t;
	int rc;

	(void)argc;
	memset(b, 0, sizeof(b));
	H.lfd = bt_host_listen(dir, &sa);
	REQUIRE(pthread_create(&t, NULL, host_main, NULL) == 0);
	/* Deadlines far beyond the pauses: nothing here may time out. */
	snprintf(args, sizeof(args), "socket=%s,timeout_ms=30000,"
		 "ring_size=8192,arena_mb=512", sa.sun_path);
	rc = bt_eal_init_args(argv[0], "1", args);
	REQUIRE(rc >= 0, "rte_eal_init: %d", rc);
	REQUIRE(bt_get(&bt.n_probed) == 1, "the NIC was probed");
	dev = bt.dev[0];
	printf("slowhost: the socket takes %u frames, a big GPADL is %d\n",
	       cap, vmb_gpadl_msg_count(BIG_PAGES));

	test_no_stall(dev, cap);
	test_partial(dev, b);

	/* The driver lets go of what it got; the bus shuts down. */
	for (i = 0; i < N_FILL; i++)
		if (b[i].rc == 0)
			CHECK_EQ(hvbus_gpadl_destroy(dev, b[i].handle), 0);
	rc = rte_eal_cleanup();
	CHECK_EQ(rc, 0);
	CHECK_EQ(host_get(&H.unloads), 1);
	CHECK_EQ(host_get(&H.overlaps), 0);
	__atomic_store_n(&H.stop, true, __ATOMIC_RELEASE);
	shutdown(H.fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(H.fd);
	close(H.lfd);
	unlink(sa.sun_path);
	rmdir(dir);
	return check_exit("bus_slowhost");
}
