/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Test guest for hvsim (see hvsim_guest.h), transport part: memfd arena
 * with a page allocator, HELLO, frames, and the queue of host messages
 * that every wait fills (offers and rescinds also go to the offer table).
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hv_clock.h"
#include "guest_priv.h"
#include "hvsim_transport.h"

uint64_t
guest_now_ms(void)
{
	return hv_now_ms();
}

unsigned int
guest_ms(unsigned int ms)
{
	return ms ? ms : HVSIM_GUEST_TIMEOUT_MS;
}

int
hvsim_guest_create(struct hvsim_guest **gp, size_t arena_size)
{
	struct hvsim_guest *g;

	if (arena_size == 0)
		arena_size = HVSIM_GUEST_ARENA_DEFAULT;
	arena_size = (arena_size + VMB_PAGE_SIZE - 1) & ~(size_t)(VMB_PAGE_SIZE - 1);
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->fd = -1;
	g->next_gpadl = GUEST_GPADL_BASE;
	g->memfd = memfd_create("hvsim-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (g->memfd < 0 || ftruncate(g->memfd, (off_t)arena_size) < 0)
		goto fail;
	g->arena = mmap(NULL, arena_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			g->memfd, 0);
	if (g->arena == MAP_FAILED) {
		g->arena = NULL;
		goto fail;
	}
	g->arena_size = arena_size;
	g->npages = arena_size / VMB_PAGE_SIZE;
	g->pages_used = calloc(g->npages, 1);
	if (g->pages_used == NULL)
		goto fail;
	/* Monitor pages: first the parent->child page, then ours. */
	g->mon1 = hvsim_guest_alloc(g, VMB_PAGE_SIZE);
	g->mon2 = hvsim_guest_alloc(g, VMB_PAGE_SIZE);
	*gp = g;
	return 0;
fail:
	hvsim_guest_destroy(g);
	return -ENOMEM;
}

void
hvsim_guest_destroy(struct hvsim_guest *g)
{
	if (g == NULL)
		return;
	hvsim_guest_disconnect(g);
	if (g->arena != NULL)
		munmap(g->arena, g->arena_size);
	if (g->memfd >= 0)
		close(g->memfd);
	free(g->pages_used);
	free(g);
}

void *
hvsim_guest_alloc(struct hvsim_guest *g, size_t bytes)
{
	size_t n = (bytes + VMB_PAGE_SIZE - 1) / VMB_PAGE_SIZE, i, run = 0;

	if (n == 0)
		return NULL;
	for (i = 0; i < g->npages; i++) {
		run = g->pages_used[i] ? 0 : run + 1;
		if (run == n) {
			size_t first = i + 1 - n;

			memset(g->pages_used + first, 1, n);
			memset(g->arena + first * VMB_PAGE_SIZE, 0,
			       n * VMB_PAGE_SIZE);
			return g->arena + first * VMB_PAGE_SIZE;
		}
	}
	return NULL;
}

void
hvsim_guest_free(struct hvsim_guest *g, void *p, size_t bytes)
{
	size_t n = (bytes + VMB_PAGE_SIZE - 1) / VMB_PAGE_SIZE;
	size_t first;

	if (p == NULL)
		return;
	first = (size_t)((uint8_t *)p - g->arena) / VMB_PAGE_SIZE;
	if (first + n <= g->npages)
		memset(g->pages_used + first, 0, n);
}

uint64_t
hvsim_guest_gpa(const struct hvsim_guest *g, const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

void *
hvsim_guest_arena(const struct hvsim_guest *g, size_t *len)
{
	if (len != NULL)
		*len = g->arena_size;
	return g->arena;
}

/* ---- transport ---- */

int
hvsim_guest_socket(const struct hvsim_guest *g)
{
	return g->fd;
}

void
hvsim_guest_adopt_socket(struct hvsim_guest *g, int fd)
{
	hvsim_guest_disconnect(g);
	g->fd = fd;
}

void
hvsim_guest_set_pump(struct hvsim_guest *g, struct hvsim *h)
{
	g->pump = h;
}

void
hvsim_guest_set_spin(struct hvsim_guest *g, bool spin)
{
	g->spin = spin;
}

void
hvsim_guest_disconnect(struct hvsim_guest *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

int
hvsim_guest_send_frame(struct hvsim_guest *g, uint32_t kind,
		       const void *payload, uint32_t len)
{
	return hvsim_guest_send_frame_fd(g, kind, payload, len, -1);
}

int
hvsim_guest_send_frame_fd(struct hvsim_guest *g, uint32_t kind,
			  const void *payload, uint32_t len, int fd)
{
	uint8_t buf[HVSIM_FRAME_MAX + 64];
	struct hvsim_frame_hdr fh = { .kind = kind, .len = len };
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { buf, sizeof(fh) + len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (g->fd < 0)
		return -ENOTCONN;
	if (len > sizeof(buf) - sizeof(fh))
		return -EMSGSIZE;
	memcpy(buf, &fh, sizeof(fh));
	if (len)
		memcpy(buf + sizeof(fh), payload, len);
	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(g->fd, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int
hvsim_guest_send_raw(struct hvsim_guest *g, const void *msg, uint32_t len)
{
	return hvsim_guest_send_frame(g, HVSIM_FRAME_CHMSG, msg, len);
}

struct hvsim_guest_offer *
guest_offer_by_relid(struct hvsim_guest *g, uint32_t relid)
{
	unsigned int i;

	/* Newest first: a relid may come back after it was released. */
	for (i = g->noffers; i-- > 0;)
		if (g->offers[i].relid == relid && !g->offers[i].released)
			return &g->offers[i];
	return NULL;
}

static void
guest_note(struct hvsim_guest *g, const union vmb_msg *m, uint32_t len)
{
	struct hvsim_guest_offer *o;

	if (m->hdr.type == VMB_MSG_OFFERCHANNEL &&
	    g->noffers < HVSIM_GUEST_MAX_OFFERS) {
		o = &g->offers[g->noffers++];
		memset(o, 0, sizeof(*o));
		o->relid = m->offer.child_relid;
		o->subidx = m->offer.sub_channel_index;
		o->monitor_id = m->offer.monitor_id;
		o->monitor_allocated = m->offer.monitor_allocated & 1;
		o->if_type = m->offer.if_type;
		o->instance = m->offer.if_instance;
	} else if (m->hdr.type == VMB_MSG_RESCIND_CHANNELOFFER) {
		o = guest_offer_by_relid(g, m->relid.child_relid);
		if (o != NULL)
			o->rescinded = true;
	}
}

/* Receive one frame within @p ms. 1 = a message queued, 0 = none, <0. */
int
guest_rx(struct hvsim_guest *g, unsigned int ms)
{
	uint8_t buf[HVSIM_FRAME_MAX + 1];
	struct hvsim_frame_hdr fh;
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
	union vmb_msg m;
	ssize_t n;
	int type;

	if (g->fd < 0)
		return -ENOTCONN;
	if (g->pump != NULL) {
		hvsim_poll(g->pump);
		ms = 0;
	}
	if (poll(&pfd, 1, (int)ms) <= 0)
		return 0;
	n = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0)
		return -ENOTCONN;
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if ((size_t)n < sizeof(fh))
		return -EPROTO;
	memcpy(&fh, buf, sizeof(fh));
	if (fh.kind != HVSIM_FRAME_CHMSG || fh.len != n - sizeof(fh))
		return -EPROTO;
	type = vmb_msg_decode(buf + sizeof(fh), fh.len, &m);
	if (type < 0)
		return type;
	guest_note(g, &m, fh.len);
	if (g->qlen == GUEST_QMAX)
		return -ENOBUFS;
	g->q[g->qlen].len = fh.len;
	g->q[g->qlen].m = m;
	g->qlen++;
	return 1;
}

int
hvsim_guest_hello(struct hvsim_guest *g, bool same_process)
{
	struct hvsim_hello hi = {
		.magic = HVSIM_TRANSPORT_MAGIC,
		.version = HVSIM_TRANSPORT_VERSION,
		.arena_gpa = (uint64_t)(uintptr_t)g->arena,
		.arena_size = g->arena_size,
		.pid = (uint32_t)getpid(),
		.flags = same_process ? HVSIM_HELLO_F_SAME_PROCESS : 0,
	};
	uint8_t buf[sizeof(struct hvsim_frame_hdr) + sizeof(hi)];
	struct hvsim_frame_hdr fh = { HVSIM_FRAME_HELLO, sizeof(hi) };
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	struct cmsghdr *cm;
	struct hvsim_hello_ack ack;
	uint8_t rbuf[64];
	uint64_t end = guest_now_ms() + HVSIM_GUEST_TIMEOUT_MS;
	ssize_t n;

	memcpy(buf, &fh, sizeof(fh));
	memcpy(buf + sizeof(fh), &hi, sizeof(hi));
	memset(&cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &g->memfd, sizeof(int));
	if (sendmsg(g->fd, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	while (guest_now_ms() < end) {
		struct pollfd pfd = { .fd = g->fd, .events = POLLIN };

		if (g->pump != NULL)
			hvsim_poll(g->pump);
		if (poll(&pfd, 1, g->pump != NULL ? 0 : 10) <= 0)
			continue;
		n = recv(g->fd, rbuf, sizeof(rbuf), 0);
		if (n <= 0)
			return -ENOTCONN;
		if ((size_t)n != sizeof(fh) + sizeof(ack))
			return -EPROTO;
		memcpy(&fh, rbuf, sizeof(fh));
		memcpy(&ack, rbuf + sizeof(fh), sizeof(ack));
		if (fh.kind != HVSIM_FRAME_HELLO_ACK ||
		    ack.magic != HVSIM_TRANSPORT_MAGIC)
			return -EPROTO;
		return ack.status;
	}
	return -ETIMEDOUT;
}

int
hvsim_guest_attach_embedded(struct hvsim_guest *g, struct hvsim *h)
{
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	rc = hvsim_attach(h, sv[1], true);
	if (rc < 0) {
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	g->fd = sv[0];
	/* Without a host thread yet the HELLO is answered by our pump or
	 * by hvsim_start() later; wait for the ACK either way.
	 */
	return hvsim_guest_hello(g, true);
}

int
hvsim_guest_connect_path(struct hvsim_guest *g, const char *path,
			 unsigned int ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t end = guest_now_ms() + guest_ms(ms);
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		if (guest_now_ms() >= end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	g->fd = fd;
	return hvsim_guest_hello(g, false);
}

/* ---- message queue ---- */

static bool
guest_match(const struct guest_qmsg *q, uint32_t type, uint32_t relid)
{
	if (type != 0 && q->m.hdr.type != type)
		return false;
	if (relid == UINT32_MAX)
		return true;
	switch (q->m.hdr.type) {
	case VMB_MSG_GPADL_TORNDOWN:
		return q->m.gpadl_torndown.gpadl == relid;
	case VMB_MSG_OFFERCHANNEL:
		return q->m.offer.child_relid == relid;
	case VMB_MSG_ALLOFFERS_DELIVERED:
	case VMB_MSG_VERSION_RESPONSE:
	case VMB_MSG_UNLOAD_RESPONSE:
		return true;
	default:
		/* Every other host message has child_relid at offset 8. */
		return q->m.relid.child_relid == relid;
	}
}

int
guest_take(struct hvsim_guest *g, uint32_t type, uint32_t relid,
	   union vmb_msg *out)
{
	unsigned int i;
	int len;

	for (i = 0; i < g->qlen; i++) {
		if (!guest_match(&g->q[i], type, relid))
			continue;
		len = (int)g->q[i].len;
		if (out != NULL)
			*out = g->q[i].m;
		memmove(&g->q[i], &g->q[i + 1],
			(g->qlen - i - 1) * sizeof(g->q[0]));
		g->qlen--;
		return len;
	}
	return -ENOENT;
}

int
hvsim_guest_wait_msg(struct hvsim_guest *g, uint32_t type, uint32_t relid,
		     union vmb_msg *out, unsigned int ms)
{
	uint64_t end = guest_now_ms() + guest_ms(ms);
	int rc;

	for (;;) {
		rc = guest_take(g, type, relid, out);
		if (rc >= 0)
			return rc;
		if (guest_now_ms() >= end)
			return -ETIMEDOUT;
		rc = guest_rx(g, 5);
		if (rc < 0 && rc != -ENOBUFS)
			return rc;
	}
}

bool
hvsim_guest_expect_none(struct hvsim_guest *g, uint32_t type, uint32_t relid,
			unsigned int ms)
{
	uint64_t end = guest_now_ms() + ms;
	unsigned int i;

	while (guest_now_ms() < end)
		if (guest_rx(g, 5) < 0)
			break;
	for (i = 0; i < g->qlen; i++)
		if (guest_match(&g->q[i], type, relid))
			return true;
	return false;
}

void
hvsim_guest_flush(struct hvsim_guest *g)
{
	g->qlen = 0;
}

int
guest_send(struct hvsim_guest *g, const union vmb_msg *m, int len)
{
	if (len < 0)
		return len;
	return hvsim_guest_send_raw(g, m, (uint32_t)len);
}
