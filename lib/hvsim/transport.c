/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Guest transport, host side (hvsim_transport.h): one SOCK_SEQPACKET
 * connection, HELLO with the arena memfd, then one VMBus channel message per
 * frame. The socket is non-blocking both ways: a guest that stops reading
 * makes frames queue (bounded), never stalls the host thread. The transport
 * returns frames and reports a dead connection; tearing the connection
 * down (and what it owned) is the host loop's business.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvsim_wire.h"

void
hvsim_transport_init(struct hvsim_transport *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->listen_fd = -1;
	t->sint_fd = -1;
}

void
hvsim_transport_signal(struct hvsim_transport *t)
{
	uint64_t one = 1;

	if (t->sint_fd < 0)
		return;
	/* EAGAIN: the counter is saturated, the guest has a wake pending. */
	if (write(t->sint_fd, &one, sizeof(one)) == sizeof(one) ||
	    errno == EAGAIN)
		t->signals++;
}

static void
hvsim_txq_free(struct hvsim_txq *q)
{
	free(q->buf);
	free(q->len);
	memset(q, 0, sizeof(*q));
}

void
hvsim_transport_fini(struct hvsim_transport *t)
{
	if (t->listen_fd >= 0) {
		close(t->listen_fd);
		if (t->listen_path != NULL)
			unlink(t->listen_path);
	}
	t->listen_fd = -1;
	free(t->listen_path);
	t->listen_path = NULL;
	hvsim_txq_free(&t->txq);
}

static int
hvsim_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int
hvsim_transport_attach(struct hvsim_transport *t, struct hvsim_log *lg,
		       int fd, bool same_process)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int type = 0;
	socklen_t tl = sizeof(type);
	int rc;

	if (fd < 0)
		return -EINVAL;
	if (t->fd >= 0)
		return -EBUSY;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
	    type != SOCK_SEQPACKET) {
		hvsim_log_error(lg, "attach: fd %d is not a SOCK_SEQPACKET "
				"socket", fd);
		return -ENOTSOCK;
	}
	rc = hvsim_set_nonblock(fd);
	if (rc < 0)
		return rc;
	/* The kernel's idea of the peer, not the guest's claim, decides
	 * whose memory process_vm_readv() may read.
	 */
	t->peer_pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		t->peer_pid = cred.pid;
	t->fd = fd;
	t->attach_same_process = same_process;
	t->hello_done = false;
	t->dead_why = NULL;
	HVSIM_INFO(lg, "guest attached (fd %d, pid %d%s)", fd,
		   (int)t->peer_pid, same_process ? ", same process" : "");
	return 0;
}

int
hvsim_transport_listen(struct hvsim_transport *t, struct hvsim_log *lg,
		       const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	if (t->listen_fd >= 0)
		return -EBUSY;
	strcpy(sa.sun_path, path);
	/* A socket left behind by a previous run is replaced; anything else
	 * at that path is not ours to delete.
	 */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	t->listen_path = strdup(path);
	if (t->listen_path == NULL) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	t->listen_fd = fd;
	HVSIM_INFO(lg, "listening on %s", path);
	return 0;
}

const char *
hvsim_transport_dead(const struct hvsim_transport *t)
{
	return t->dead_why;
}

bool
hvsim_transport_up(const struct hvsim_transport *t)
{
	return t->fd >= 0;
}

int
hvsim_transport_wait_fd(const struct hvsim_transport *t)
{
	/* While replies are queued the host reads no requests: a readable
	 * socket would not be work then.
	 */
	return t->txq.count == 0 ? t->fd : -1;
}

void
hvsim_transport_close(struct hvsim_transport *t)
{
	t->dead_why = NULL;
	if (t->fd < 0)
		return;
	close(t->fd);
	t->fd = -1;
	if (t->sint_fd >= 0)
		close(t->sint_fd);
	t->sint_fd = -1;
	t->hello_done = false;
	t->txq.head = t->txq.count = 0;
}

/* Try to hand one frame to the socket: 1 sent, 0 no room, <0 dead. */
static int
hvsim_tx_frame(struct hvsim_transport *t, const void *buf, size_t len)
{
	ssize_t n = send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return 1;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == ENOBUFS))
		return 0;
	return -EPIPE;
}

static int
hvsim_txq_flush(struct hvsim_transport *t)
{
	struct hvsim_txq *q = &t->txq;
	int sent = 0, rc;

	while (q->count > 0) {
		rc = hvsim_tx_frame(t, q->buf[q->head], q->len[q->head]);
		if (rc < 0) {
			t->dead_why = "send to guest failed";
			return rc;
		}
		if (rc == 0)
			break;
		q->head = (q->head + 1) % HVSIM_TXQ_MAX;
		q->count--;
		sent++;
	}
	return sent;
}

static int
hvsim_txq_push(struct hvsim_txq *q, const void *buf, size_t len)
{
	unsigned int tail;

	if (q->buf == NULL) {
		q->buf = calloc(HVSIM_TXQ_MAX, sizeof(*q->buf));
		q->len = calloc(HVSIM_TXQ_MAX, sizeof(*q->len));
		if (q->buf == NULL || q->len == NULL) {
			hvsim_txq_free(q);
			return -ENOMEM;
		}
	}
	if (q->count == HVSIM_TXQ_MAX)
		return -ENOBUFS;
	tail = (q->head + q->count) % HVSIM_TXQ_MAX;
	memcpy(q->buf[tail], buf, len);
	q->len[tail] = (uint16_t)len;
	q->count++;
	return 0;
}

static int
hvsim_send_frame(struct hvsim_transport *t, struct hvsim_log *lg,
		 uint32_t kind, const void *payload, uint32_t len)
{
	uint8_t buf[HVSIM_FRAME_MAX];
	struct hvsim_frame_hdr fh = { .kind = kind, .len = len };
	int rc;

	if (t->fd < 0 || t->dead_why != NULL)
		return -ENOTCONN;
	if (len > HVSIM_FRAME_MAX - sizeof(fh))
		return -EMSGSIZE;
	memcpy(buf, &fh, sizeof(fh));
	memcpy(buf + sizeof(fh), payload, len);
	/* Keep order: once frames are queued, later ones queue behind. */
	if (t->txq.count == 0) {
		rc = hvsim_tx_frame(t, buf, sizeof(fh) + len);
		if (rc > 0)
			return 0;
		if (rc < 0) {
			/* Handlers may still hold channel pointers: the
			 * connection is torn down at the end of the step.
			 */
			t->dead_why = "send to guest failed";
			return rc;
		}
	}
	rc = hvsim_txq_push(&t->txq, buf, sizeof(fh) + len);
	if (rc < 0) {
		hvsim_log_error(lg, "guest does not read its socket (%u frames "
				"queued): closing the connection",
				t->txq.count);
		t->dead_why = "guest not reading";
	}
	return rc;
}

int
hvsim_transport_send(struct hvsim_transport *t, struct hvsim_log *lg,
		     const void *msg, uint32_t len)
{
	return hvsim_send_frame(t, lg, HVSIM_FRAME_CHMSG, msg, len);
}

int
hvsim_transport_pump(struct hvsim_transport *t, struct hvsim_log *lg)
{
	int work = 0, rc;

	if (t->fd < 0 && t->listen_fd >= 0) {
		int fd = accept4(t->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0) {
			if (hvsim_transport_attach(t, lg, fd, false) < 0)
				close(fd);
			work++;
		}
	}
	if (t->fd >= 0 && t->txq.count > 0) {
		rc = hvsim_txq_flush(t);
		if (rc > 0)
			work += rc;
	}
	return work;
}

static void
hvsim_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static bool
hvsim_is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

/* A connection error: say so and tell the caller. */
static int
hvsim_transport_fail(struct hvsim_transport *t, const char *why, int rc)
{
	t->dead_why = why;
	return rc;
}

static int
hvsim_hello(struct hvsim_transport *t, struct hvsim_mem *mem,
	    struct hvsim_log *lg, const uint8_t *p, uint32_t len, int *fds,
	    unsigned int nfds)
{
	struct hvsim_hello hi;
	struct hvsim_hello_ack ack = {
		.magic = HVSIM_TRANSPORT_MAGIC,
		.version = HVSIM_TRANSPORT_VERSION,
	};
	int rc = 0;

	if (len != sizeof(hi)) {
		hvsim_log_error(lg, "HELLO of %u bytes (want %zu)", len,
				sizeof(hi));
		rc = -EINVAL;
		goto reply;
	}
	memcpy(&hi, p, sizeof(hi));
	if (nfds != ((hi.flags & HVSIM_HELLO_F_SINT) ? 2u : 1u)) {
		hvsim_log_error(lg, "HELLO with %u fds (flags %#x)", nfds,
				hi.flags);
		rc = -EINVAL;
		goto reply;
	}
	if (hi.magic != HVSIM_TRANSPORT_MAGIC ||
	    hi.version != HVSIM_TRANSPORT_VERSION) {
		hvsim_log_error(lg, "HELLO magic %#x version %u not supported",
				hi.magic, hi.version);
		rc = -EPROTONOSUPPORT;
		goto reply;
	}
	if ((hi.flags & ~(HVSIM_HELLO_F_SAME_PROCESS |
			  HVSIM_HELLO_F_SINT)) != 0) {
		hvsim_log_error(lg, "HELLO flags %#x unknown", hi.flags);
		rc = -EINVAL;
		goto reply;
	}
	if ((hi.flags & HVSIM_HELLO_F_SAME_PROCESS) &&
	    !t->attach_same_process) {
		hvsim_log_error(lg, "guest claims to share the host's process "
				"but connected from outside");
		rc = -EPERM;
		goto reply;
	}
	if (!t->attach_same_process && t->peer_pid != 0 &&
	    hi.pid != (uint32_t)t->peer_pid) {
		hvsim_log_error(lg, "HELLO pid %u is not the peer's pid %d",
				hi.pid, (int)t->peer_pid);
		rc = -EPERM;
		goto reply;
	}
	rc = hvsim_mem_map(mem, lg, fds[0], hi.arena_gpa, hi.arena_size,
			   (hi.flags & HVSIM_HELLO_F_SAME_PROCESS) != 0);
	if (rc == 0)
		mem->pid = t->peer_pid;
	if (rc == 0 && nfds == 2) {
		/* Only an eventfd: the host writes 8 bytes to it. */
		rc = hvsim_is_eventfd(fds[1]) ? hvsim_set_nonblock(fds[1]) :
			-EBADF;
		if (rc < 0)
			hvsim_log_error(lg, "HELLO: interrupt fd is not an "
					"eventfd");
		else
			t->sint_fd = fds[--nfds];
	}
reply:
	hvsim_close_fds(fds, nfds);	/* the mapping keeps the memory */
	ack.status = rc;
	hvsim_send_frame(t, lg, HVSIM_FRAME_HELLO_ACK, &ack, sizeof(ack));
	if (rc < 0)
		return hvsim_transport_fail(t, "bad HELLO", -EPROTO);
	t->hello_done = true;
	HVSIM_INFO(lg, "HELLO: arena %#llx + %#llx%s",
		   (unsigned long long)mem->gpa,
		   (unsigned long long)mem->size,
		   mem->same_process ? " (same process)" : "");
	return 0;
}

/* MEM: memory the guest lends for reading its packet buffers. Refusing
 * it costs the guest speed, not the connection: reads outside go through
 * process_vm_readv() as before. */
static int
hvsim_mem_frame(struct hvsim_transport *t, struct hvsim_mem *mem,
		struct hvsim_log *lg, const uint8_t *p, uint32_t len, int *fds,
		unsigned int nfds)
{
	struct hvsim_mem_region_msg m;
	int rc;

	if (len != sizeof(m) || nfds != 1) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(lg, "MEM frame of %u bytes with %u fds", len,
				nfds);
		return hvsim_transport_fail(t, "malformed frame", -EPROTO);
	}
	memcpy(&m, p, sizeof(m));
	/* A guest in our process: every address of it is ours already. */
	rc = mem->same_process ? 1 :
		hvsim_mem_add_region(mem, lg, fds[0], m.gpa, m.size,
				     m.offset);
	hvsim_close_fds(fds, nfds);	/* the mapping keeps the memory */
	if (rc == 0)
		HVSIM_INFO(lg, "MEM: guest lent %#llx + %#llx",
			   (unsigned long long)m.gpa,
			   (unsigned long long)m.size);
	return 0;
}

/* Receive one datagram and its file descriptors. */
static ssize_t
hvsim_rx_datagram(int fd, uint8_t *buf, size_t cap, int *fds,
		  unsigned int *nfds, int *flags)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * 8)];
	} cbuf;
	struct iovec iov = { buf, cap };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			size_t i;

			for (i = 0; i < k; i++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(f));
				if (*nfds < 8)
					fds[(*nfds)++] = f;
				else
					close(f);
			}
		}
	}
	*flags = mh.msg_flags;
	return n;
}

int
hvsim_transport_recv(struct hvsim_transport *t, struct hvsim_mem *mem,
		     struct hvsim_log *lg, void *out, uint32_t cap,
		     uint32_t *len)
{
	uint8_t buf[HVSIM_FRAME_MAX + 1];
	struct hvsim_frame_hdr fh;
	int fds[8], flags = 0;
	unsigned int nfds = 0;
	ssize_t n;

	if (t->fd < 0 || t->dead_why != NULL)
		return -ENOTCONN;
	/* Do not read more requests while replies cannot go out. */
	if (t->txq.count > HVSIM_TXQ_MAX / 2)
		return -EAGAIN;
	n = hvsim_rx_datagram(t->fd, buf, sizeof(buf), fds, &nfds, &flags);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -EAGAIN;
		return hvsim_transport_fail(t, "receive failed", -EPIPE);
	}
	if (n == 0)
		return hvsim_transport_fail(t, "guest disconnected", -EPIPE);
	if (flags & (MSG_TRUNC | MSG_CTRUNC) || (size_t)n < sizeof(fh)) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(lg, "malformed frame (%zd bytes, flags %#x)",
				n, flags);
		return hvsim_transport_fail(t, "malformed frame", -EPROTO);
	}
	memcpy(&fh, buf, sizeof(fh));
	if (fh.len != (uint64_t)n - sizeof(fh)) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(lg, "frame length %u but %zd bytes received",
				fh.len, n - (ssize_t)sizeof(fh));
		return hvsim_transport_fail(t, "malformed frame", -EPROTO);
	}
	if (!t->hello_done) {
		if (fh.kind != HVSIM_FRAME_HELLO) {
			hvsim_close_fds(fds, nfds);
			hvsim_log_error(lg, "frame kind %u before HELLO",
					fh.kind);
			return hvsim_transport_fail(t, "no HELLO", -EPROTO);
		}
		return hvsim_hello(t, mem, lg, buf + sizeof(fh), fh.len, fds,
				   nfds);
	}
	if (fh.kind == HVSIM_FRAME_MEM)
		return hvsim_mem_frame(t, mem, lg, buf + sizeof(fh), fh.len,
				       fds, nfds);
	if (nfds > 0) {
		hvsim_close_fds(fds, nfds);
		hvsim_log_error(lg, "file descriptors after HELLO");
		return hvsim_transport_fail(t, "unexpected file descriptors",
					    -EPROTO);
	}
	if (fh.kind != HVSIM_FRAME_CHMSG) {
		hvsim_log_error(lg, "frame kind %u after HELLO", fh.kind);
		return hvsim_transport_fail(t, "unexpected frame kind",
					    -EPROTO);
	}
	/* Any length is handed up: decoding judges it. */
	*len = fh.len < cap ? fh.len : cap;
	memcpy(out, buf + sizeof(fh), *len);
	t->rx_seq++;
	return 1;
}
